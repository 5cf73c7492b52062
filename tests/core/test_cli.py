from portal.auth.models import Role, User
from portal.extensions import db


def test_departments_users_tokens(runner, ctx, client):
    r = runner.invoke(args=["departments", "create", "--slug", "police", "--name", "Police"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(args=["users", "create", "--email", "Off@Example.org", "--name", "Officer",
                            "--role", "staff", "--department", "police", "--password", "long password 1"])
    assert r.exit_code == 0, r.output
    u = db.session.scalar(db.select(User).where(User.email == "off@example.org"))
    assert u.role == Role.staff and u.department.slug == "police"
    r = runner.invoke(args=["tokens", "create", "--email", "off@example.org"])
    assert r.exit_code == 0
    token = r.output.strip().splitlines()[-1]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).get_json()["role"] == "staff"


def test_cli_errors_are_clear_and_change_nothing(runner, ctx):
    r = runner.invoke(args=["users", "create", "--email", "x@example.org", "--name", "X",
                            "--role", "staff", "--department", "nowhere", "--password", "long password 1"])
    assert r.exit_code != 0 and "no department 'nowhere'" in r.output
    r = runner.invoke(args=["users", "create", "--email", "x@example.org", "--name", "X",
                            "--role", "admin", "--password", "short"])
    assert r.exit_code != 0 and "at least 10 characters" in r.output
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


def test_seed_demo_prints_logins_that_work(runner, ctx, client):
    r = runner.invoke(args=["seed-demo"])
    assert r.exit_code == 0 and "admin@example.org" in r.output
    from portal.seed import DEMO_PASSWORD
    from tests import factories as f
    assert f.login(client, "admin@example.org", DEMO_PASSWORD).status_code == 302
    assert client.get("/admin/users").status_code == 200
    again = runner.invoke(args=["seed-demo"])
    assert "already has accounts" in again.output
