"""The usual cast of a held release: a protected list, a department with two staff, a roster."""
from portal.auth.models import Role
from portal.screening import lists
from tests import factories as f

ROSTER = b"first,last,unit\r\nJose,Alvarez,Narcotics\r\nBo,Chen,Traffic\r\n"


def flagged_setup():
    """(admin, staff, second staff of the department, requester, request, flagged record); committed."""
    admin = f.user(Role.admin)
    lists.add_terms(admin, "Undercover", ["José Álvarez"])
    dept, staff, requester, req = f.scenario()
    second = f.user(Role.staff, dept=dept)
    rec = f.upload(staff, req, ROSTER, filename="roster.csv")
    f.commit()
    return admin, staff, second, requester, req, rec
