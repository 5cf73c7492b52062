"""Demo data for `flask seed-demo`: departments and one account of each role."""
from __future__ import annotations

import sqlalchemy as sa

from .auth.models import Department, Role, User
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
    for email, name, role, dept in ACCOUNTS:
        create_user("seed", email=email, name=name, password=DEMO_PASSWORD, role=role,
                    department=depts.get(dept), verified=True)
    return ["Demo data added.", *_logins()]


def _logins() -> list[str]:
    lines = ["Demo logins (password for each: %s):" % DEMO_PASSWORD]
    for email, _, role, dept in ACCOUNTS:
        lines.append(f"  {role.value:<9} {email}" + (f" ({dept})" if dept else ""))
    return lines
