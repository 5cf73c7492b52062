from contextlib import contextmanager
from datetime import timedelta

import sqlalchemy as sa

from portal.auth import services
from portal.auth.models import Role, User, UserSession
from portal.core.models import utcnow
from portal.extensions import db
from tests import factories as f


@contextmanager
def elsewhere(app):
    """A connection of its own to the portal's database, as another server or process has: what
    it commits must take effect on this app's very next request."""
    engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        engine.dispose()


def _logged_in(app, user):
    """A client logged in as `user`, whose session check has already run a few times."""
    c = app.test_client()
    f.login(c, user.email)
    for _ in range(3):
        assert c.get("/account").status_code == 200
    return c


def test_login_and_logout(client, ctx):
    u = f.user()
    r = f.login(client, u.email)
    assert r.status_code == 302
    assert client.get("/account").status_code == 200
    r = f.post_form(client, "/account", "/logout", {})
    assert r.status_code == 302
    assert client.get("/account").status_code == 302  # back to the login page


def test_wrong_password_is_refused_with_the_same_message_as_unknown_account(client, ctx):
    u = f.user()
    wrong = f.login(client, u.email, "not the password")
    unknown = f.login(client, "nobody@example.org", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    msg = "That e-mail address and password do not match an active account."
    assert msg in wrong.get_data(as_text=True) and msg in unknown.get_data(as_text=True)


def test_logout_ends_the_session_server_side(app, ctx):
    """A copied session cookie stops working once its owner logs out."""
    u = f.user()
    c1 = app.test_client()
    f.login(c1, u.email)
    cookie = c1.get_cookie("session")
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    assert thief.get("/account").status_code == 200
    f.post_form(c1, "/account", "/logout", {})
    assert thief.get("/account").status_code == 302


def test_deactivation_ends_sessions_at_once(app, ctx):
    admin, u = f.user(Role.admin), f.user()
    user_client, admin_client = app.test_client(), app.test_client()
    f.login(user_client, u.email)
    assert user_client.get("/account").status_code == 200
    f.login(admin_client, admin.email)
    r = f.post_form(admin_client, f"/admin/users/{u.id}", f"/admin/users/{u.id}",
                    {"role": "requester", "department": ""})  # "active" unchecked
    assert r.status_code == 302
    assert user_client.get("/account").status_code == 302
    assert f.login(user_client, u.email).status_code == 401
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession).where(
        UserSession.user_id == u.id, UserSession.ended_at.is_(None))) == 0


def test_password_change_ends_every_other_session(app, ctx):
    u = f.user()
    a, b = app.test_client(), app.test_client()
    f.login(a, u.email)
    f.login(b, u.email)
    assert b.get("/account").status_code == 200
    r = f.post_form(a, "/account", "/account/password",
                    {"current_password": f.PASSWORD, "password": "a new long password",
                     "confirm": "a new long password"})
    assert r.status_code == 302
    assert b.get("/account").status_code == 302
    assert f.login(b, u.email, "a new long password").status_code == 302


def test_idle_session_expires_and_its_row_is_ended(app, ctx):
    u = f.user()
    c = _logged_in(app, u)
    with elsewhere(app) as conn:
        conn.execute(sa.update(UserSession).values(
            last_seen_at=utcnow() - timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)))
    assert c.get("/account").status_code == 302
    db.session.expire_all()
    assert db.session.scalars(sa.select(UserSession.ended_at).where(UserSession.user_id == u.id)).one() is not None


def test_a_busy_session_ends_at_its_absolute_lifetime(app, ctx):
    u = f.user()
    c = _logged_in(app, u)
    with elsewhere(app) as conn:  # seen a moment ago, but logged in too long ago
        conn.execute(sa.update(UserSession).values(
            created_at=utcnow() - timedelta(hours=app.config["SESSION_ABSOLUTE_HOURS"], minutes=1)))
    assert c.get("/account").status_code == 302
    db.session.expire_all()
    assert db.session.scalars(sa.select(UserSession.ended_at).where(UserSession.user_id == u.id)).one() is not None


def test_a_session_ended_elsewhere_stops_on_the_very_next_request(app, ctx):
    """Logged out on another server (or the row ended by any other process): no server keeps it."""
    u = f.user()
    c, other = _logged_in(app, u), _logged_in(app, u)
    with elsewhere(app) as conn:
        first = conn.execute(sa.select(sa.func.min(UserSession.id)).where(UserSession.user_id == u.id)).scalar()
        conn.execute(sa.update(UserSession).where(UserSession.id == first).values(ended_at=utcnow()))
    assert c.get("/account").status_code == 302
    assert other.get("/account").status_code == 200  # the user's other session is its own


def test_deactivation_elsewhere_stops_the_user_on_the_very_next_request(app, ctx):
    """Even with the session row still open: the check reads the user's row every time."""
    u = f.user()
    c = _logged_in(app, u)
    with elsewhere(app) as conn:
        conn.execute(sa.update(User).where(User.id == u.id).values(active=False))
    assert c.get("/account").status_code == 302
    with elsewhere(app) as conn:
        conn.execute(sa.update(User).where(User.id == u.id).values(active=True))
    assert c.get("/account").status_code == 200  # the session itself was never ended


def test_a_password_changed_elsewhere_ends_the_session_on_the_very_next_request(app, ctx):
    u = f.user()
    c = _logged_in(app, u)
    services.set_password(u, u, "a new long password", 10)  # as the reset page does, in another request
    db.session.commit()
    assert c.get("/account").status_code == 302
    assert f.login(c, u.email).status_code == 401
    assert f.login(c, u.email, "a new long password").status_code == 302


def test_a_role_change_elsewhere_is_seen_on_the_very_next_request(app, ctx):
    u = f.user(Role.admin)
    c = _logged_in(app, u)
    assert c.get("/admin/users").status_code == 200
    with elsewhere(app) as conn:
        conn.execute(sa.update(User).where(User.id == u.id).values(role=Role.requester.value))
    assert c.get("/admin/users").status_code == 403


def test_missing_csrf_token_is_refused(client, ctx):
    u = f.user()
    r = client.post("/login", data={"email": u.email, "password": f.PASSWORD})
    assert r.status_code == 400
    assert "form expired" in r.get_data(as_text=True)
    assert client.get("/account").status_code == 302
    f.login(client, u.email)
    r = client.post("/account/tokens", data={"name": "sneaky"})
    assert r.status_code == 400


def test_login_is_rate_limited_per_account(client, ctx, app):
    u = f.user()
    limit = app.config["LOGIN_LIMIT"][0]
    for _ in range(limit):
        assert f.login(client, u.email, "wrong password!").status_code == 401
    r = f.login(client, u.email)  # even the right password waits now
    assert r.status_code == 429
    assert r.headers["Retry-After"]
    assert "Too many attempts" in r.get_data(as_text=True)


def test_failed_and_successful_logins_are_audited(client, ctx):
    from portal.audit.models import AuditEntry
    u = f.user()
    f.login(client, u.email, "wrong password!")
    f.login(client, u.email)
    actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["auth.login_failed", "auth.login"]


def test_role_change_is_audited_and_ends_sessions(app, ctx):
    from portal.audit.models import AuditEntry
    admin, u = f.user(Role.admin), f.user()
    dept = f.department()
    c = app.test_client()
    f.login(c, u.email)
    services.update_user(admin, u, role=Role.staff, department=dept)
    db.session.commit()
    assert c.get("/account").status_code == 302
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "user.update")).one()
    assert '"role":["requester","staff"]' in entry.data


def test_admin_cannot_demote_themselves(ctx):
    import pytest
    from portal.core.errors import Conflict
    admin = f.user(Role.admin)
    with pytest.raises(Conflict):
        services.update_user(admin, admin, role=Role.requester)


def test_email_is_unique_case_insensitively(ctx):
    import pytest
    from portal.core.errors import Conflict
    f.user(email="Case@Example.org")
    with pytest.raises(Conflict):
        f.user(email="case@EXAMPLE.org")


def test_the_session_user_is_a_live_entity_that_sees_each_change_of_its_row(app, ctx):
    """The session check's user is the session's own entity: its department loads, a change to
    it is saved, and a change to the row is seen at once."""
    dept = f.department("clerk")
    u = f.user(Role.staff, dept=dept)
    token = services.start_session(u, ip=None, user_agent=None)
    db.session.commit()
    uid = u.id
    db.session.expunge_all()

    def load():
        return services.load_session(token, idle_minutes=30, absolute_hours=12)

    first = load()
    assert first in db.session and first.department.slug == "clerk"
    assert load() is first  # one entity per session
    first.name = "Renamed Through The Entity"
    db.session.commit()
    db.session.expunge_all()
    db.session.execute(sa.update(User).where(User.id == uid).values(role=Role.requester))
    db.session.commit()
    db.session.expunge_all()
    again = load()
    assert again.name == "Renamed Through The Entity" and again.role == Role.requester
    assert not again.is_staff and again is not first


def test_an_ended_session_loads_no_user(app, ctx):
    u = f.user()
    token = services.start_session(u, ip=None, user_agent=None)
    db.session.commit()
    assert services.load_session(token, idle_minutes=30, absolute_hours=12) is not None
    services.end_session(u, token)
    db.session.commit()
    db.session.expunge_all()
    assert services.load_session(token, idle_minutes=30, absolute_hours=12) is None
    assert services.load_session("not a token", idle_minutes=30, absolute_hours=12) is None


def test_the_session_user_is_the_one_object_of_its_row_in_the_request(app, ctx):
    """Loaded in a fresh request, the user is what every later query of the request gets for
    that row, and a change to it is saved."""
    u = f.user()
    token = services.start_session(u, ip=None, user_agent=None)
    db.session.commit()
    uid = u.id
    db.session.remove()  # a fresh request
    user = services.load_session(token, idle_minutes=30, absolute_hours=12)
    assert user.department is None and user.email == u.email  # all loaded, with or without a session
    assert db.session.get(User, uid) is user
    assert db.session.scalars(sa.select(User).where(User.id == uid)).one() is user
    user.name = "Renamed Through The Copy"
    db.session.commit()
    db.session.remove()
    assert db.session.get(User, uid).name == "Renamed Through The Copy"


def test_a_staff_members_department_loads_with_or_without_a_session_first(app, ctx):
    dept = f.department("records")
    u = f.user(Role.staff, dept=dept)
    token = services.start_session(u, ip=None, user_agent=None)
    db.session.commit()
    for session_first in (False, True):
        db.session.remove()
        if session_first:
            db.session.execute(sa.select(1))
        user = services.load_session(token, idle_minutes=30, absolute_hours=12)
        assert user.department.slug == "records" and user in db.session


def test_a_change_thrown_away_with_the_session_is_not_saved_by_a_later_one(app, ctx):
    """A change made to the session's user and discarded with `remove()` is gone, as for any
    entity of a closed session."""
    u = f.user()
    token = services.start_session(u, ip=None, user_agent=None)
    db.session.commit()
    uid, name = u.id, u.name
    db.session.remove()
    user = services.load_session(token, idle_minutes=30, absolute_hours=12)
    assert user in db.session
    user.name = "Discarded"
    db.session.remove()
    db.session.execute(sa.select(1))
    db.session.commit()
    db.session.remove()
    assert db.session.get(User, uid).name == name
