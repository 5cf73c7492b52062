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


def released_and_held():
    """flagged_setup, then a memo released to the requester and a lawyer, and the roster's release
    held by screening: (admin, staff, second, requester, request, roster, memo, release); committed."""
    import pytest

    from portal.disclosures import services
    from portal.screening.holds import ScreeningHold
    from tests.disclosures import samples
    admin, staff, second, requester, req, roster = flagged_setup()
    memo = f.upload(staff, req, samples.text(), filename="memo.txt")
    rel = services.create_release(staff, req.id, [memo.id], recipients=["lawyer@example.org"])
    f.commit()
    with pytest.raises(ScreeningHold):
        services.create_release(staff, req.id, [roster.id])
    f.commit()
    return admin, staff, second, requester, req, roster, memo, rel
