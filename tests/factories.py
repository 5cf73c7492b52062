"""Small factory functions for test data; call inside an app context."""
from __future__ import annotations

import itertools

from portal.auth.models import Role
from portal.auth.services import create_department, create_user
from portal.extensions import db

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


def department(slug: str | None = None, law: str = "foia"):
    slug = slug or f"dept-{next(_seq)}"
    dept = create_department("test", slug=slug, name=slug.title(), law=law)
    db.session.commit()
    return dept


def user(role: Role = Role.requester, email: str | None = None, dept=None, verified=True,
         password: str = PASSWORD):
    n = next(_seq)
    if role == Role.staff and dept is None:
        dept = department()
    u = create_user("test", email=email or f"{role.value}{n}@example.org", name=f"{role.value.title()} {n}",
                    password=password, role=role, department=dept, verified=verified)
    db.session.commit()
    return u


def login(client, email: str, password: str = PASSWORD):
    from tests.conftest import csrf_of
    token = csrf_of(client, "/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def post_form(client, page: str, url: str, data: dict):
    """Submit a form the way a browser does: with the CSRF token of the page it is on."""
    from tests.conftest import csrf_of
    return client.post(url, data={**data, "csrf_token": csrf_of(client, page)})


def request(requester=None, dept=None, title="Police overtime records",
            description="Overtime records of the police department for 2025.", status=None, **kw):
    """A filed request (through the service), optionally forced into a status; committed."""
    from portal.record_requests import services
    requester = requester or user()
    dept = dept or department()
    req = services.file_request(requester, services.Filing(dept, title, description, **kw))
    if status is not None:
        req.status = status
    db.session.commit()
    return req


def request_for(requester, dept, title="Police budget 2025"):
    return request(requester, dept, title=title, description="All budget memos.")


def upload(staff, req, data: bytes, filename="memo.txt", **kw):
    import io

    from portal.records.services import upload as do_upload
    rec = do_upload(staff, req.id, io.BytesIO(data), filename, max_size=kw.pop("max_size", 10 ** 8), **kw)
    db.session.commit()
    return rec


def scenario():
    """A department, its staff member, a requester with a request: the usual cast."""
    dept = department()
    staff = user(Role.staff, dept=dept)
    requester = user()
    req = request_for(requester, dept)
    return dept, staff, requester, req


def token_for(u):
    from portal.auth.services import create_token
    _, secret = create_token(u, u, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def commit():
    """Commit as a request does: then deliver the mail the transaction queued."""
    from portal import mail
    db.session.commit()
    mail.deliver_pending_after_commit()
