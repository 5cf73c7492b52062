"""Demo data for `flask seed-demo`: departments, one account of each role, requests in every status."""
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
    _seed_requests(depts, users)
    _seed_group(depts, users)
    notes = _releases(users, depts)
    return ["Demo data added.", *notes, *_logins()]


def _seed_group(depts, users) -> None:
    """One filing to three departments: three tracked requests on one page for the journalist."""
    from .record_requests.services import Filing, file_request
    file_request(users["journalist@example.org"],
                 Filing(depts["police"], "Parade route closures, May 2026",
                        "Permits, traffic plans and overtime for the May parade.",
                        also=[depts["public-works"], depts["clerk"]]))


def _releases(users, depts) -> list[str]:
    from .disclosures import demo
    from .record_requests.services import Filing, file_request
    journalist = users["journalist@example.org"]
    req = file_request(journalist, Filing(depts["police"], "Use-of-force records, 2026",
                                          "Policies, photos, work orders and overtime records for 2026."))
    from .screening import demo as screening_demo
    notes = demo.seed(users["staff@example.org"], users["admin@example.org"], req, users["requester@example.org"])
    return notes + screening_demo.seed(users["staff@example.org"], users["admin@example.org"], req)


# (title, description, requester, department, steps): one request in every status.
REQUESTS = [
    ("Police overtime 2025", "Overtime hours and pay by officer rank for 2025.", "requester", "police", []),
    ("Street light outages", "Reports of street light outages on Main Street since January.", "journalist",
     "public-works", ["acknowledge"]),
    ("Use of force policy", "The current use of force policy and its revisions since 2020.", "journalist",
     "police", ["acknowledge", "start"]),
    ("Council emails on the budget", "Emails between council members about the 2026 budget.", "requester",
     "clerk", ["clarify"]),
    ("Body camera footage index", "An index of body camera recordings for March 2026.", "journalist",
     "police", ["fee_estimate"]),
    ("Paving contracts", "Contracts and change orders for the 2025 paving program.", "requester",
     "public-works", ["extend"]),
    ("Meeting minutes 2025", "Minutes of every council meeting in 2025.", "requester", "clerk",
     ["close:fulfilled"]),
    ("Police training records", "Training curricula used at the academy in 2025.", "journalist", "police",
     ["close:partially_fulfilled"]),
    ("Internal affairs file", "The internal affairs file on a named officer.", "requester", "police",
     ["close:denied"]),
    ("Snow plough GPS data", "GPS tracks of snow ploughs for the February storm.", "journalist",
     "public-works", ["close:no_responsive_records"]),
    ("Parking ticket statistics", "Number of parking tickets per street in 2025.", "requester", "police",
     ["withdraw"]),
]
STAFF_OF = {"police": "staff@example.org", "public-works": "works@example.org", "clerk": "admin@example.org"}


def _seed_requests(depts, users) -> None:
    from flask import current_app

    from .record_requests import workflow
    from .record_requests.services import Filing, file_request
    for title, description, who, slug, steps in REQUESTS:
        requester, staff = users[f"{who}@example.org"], users[STAFF_OF[slug]]
        req = file_request(requester, Filing(depts[slug], title, description))
        exemptions = dict(current_app.config["EXEMPTIONS"][depts[slug].law])
        for step in steps:
            action, _, outcome = step.partition(":")
            if action == "acknowledge":
                workflow.acknowledge(staff, req.id)
            elif action == "start":
                workflow.start(staff, req.id)
            elif action == "clarify":
                workflow.clarify(staff, req.id, "Which council members, and which months?")
            elif action == "fee_estimate":
                workflow.send_fee_estimate(staff, req.id, "18.75", "Staff time to compile the index.")
            elif action == "extend":
                workflow.extend(staff, req.id, 7, "The contracts are in off-site storage.")
            elif action == "withdraw":
                workflow.withdraw(requester, req.id, "Found them on the city website.")
            else:
                cited = [next(iter(exemptions))] if outcome in ("denied", "partially_fulfilled") else []
                workflow.close(staff, req.id, outcome, "Our answer is attached.", cited, exemptions)


def _logins() -> list[str]:
    lines = ["Demo logins (password for each: %s):" % DEMO_PASSWORD]
    for email, _, role, dept in ACCOUNTS:
        lines.append(f"  {role.value:<9} {email}" + (f" ({dept})" if dept else ""))
    return lines
