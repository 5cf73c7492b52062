"""Demo data for `flask seed-demo`: departments and one account of each role."""
from __future__ import annotations

import sqlalchemy as sa

from .auth.models import Role, User
from .auth.services import create_department, create_user
from .extensions import db

DEMO_PASSWORD = "demo-password-1"
DEPARTMENTS = [("police", "Police Department", "cpra"), ("public-works", "Public Works", "cpra"),
               ("clerk", "City Clerk", "cpra")]
ACCOUNTS = [("admin@example.org", "Avery Admin", Role.admin, "clerk"),
            ("staff@example.org", "Sam Staff", Role.staff, "police"),
            ("works@example.org", "Wren Works", Role.staff, "public-works"),
            ("requester@example.org", "Riley Requester", Role.requester, None),
            ("journalist@example.org", "Jordan Journalist", Role.requester, None)]


def seed_demo() -> list[str]:
    if db.session.scalar(sa.select(sa.func.count()).select_from(User)):
        return ["The database already has accounts; demo data not added.", *_logins()]
    depts = {slug: create_department("seed", slug=slug, name=name, law=law)
             for slug, name, law in DEPARTMENTS}
    users = {email: create_user("seed", email=email, name=name, password=DEMO_PASSWORD, role=role,
                                department=depts.get(dept), verified=True)
             for email, name, role, dept in ACCOUNTS}
    notes = _releases(users, depts)
    return ["Demo data added.", *notes, *_logins()]


def _releases(users, depts) -> list[str]:
    from .disclosures import demo
    from .record_requests.services import file_request
    journalist = users["journalist@example.org"]
    req = file_request(journalist, department=depts["police"], title="Use-of-force records, 2026",
                       description="Policies, photos, work orders and overtime records for 2026.")
    return demo.seed(users["staff@example.org"], users["admin@example.org"], req,
                     users["requester@example.org"])


def _logins() -> list[str]:
    lines = ["Demo logins (password for each: %s):" % DEMO_PASSWORD]
    for email, _, role, dept in ACCOUNTS:
        lines.append(f"  {role.value:<9} {email}" + (f" ({dept})" if dept else ""))
    return lines
