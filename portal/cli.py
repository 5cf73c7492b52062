"""Command line: `flask --app wsgi ...` (see shared/API.md). One transaction per command."""
from __future__ import annotations

import sys
import time

import click
from flask import Flask
from flask.cli import AppGroup

from .core.errors import PortalError
from .extensions import db


def _fail(err: PortalError):
    db.session.rollback()
    raise click.ClickException(err.message)


departments = AppGroup("departments", help="Manage departments.")
users = AppGroup("users", help="Manage accounts.")
tokens = AppGroup("tokens", help="Manage personal API tokens.")
audit_cli = AppGroup("audit", help="The audit chain.")


@departments.command("create")
@click.option("--slug", required=True)
@click.option("--name", required=True)
@click.option("--law", default="foia", type=click.Choice(["foia", "cpra", "foil"]), show_default=True)
def departments_create(slug, name, law):
    from .auth.services import create_department
    try:
        dept = create_department("cli", slug=slug, name=name, law=law)
    except PortalError as err:
        _fail(err)
    db.session.commit()
    click.echo(f"department {dept.slug} created (id {dept.id})")


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(["requester", "staff", "admin"]))
@click.option("--department", "department_slug", default=None)
@click.option("--password", required=True)
def users_create(email, name, role, department_slug, password):
    import sqlalchemy as sa
    from flask import current_app

    from .auth.models import Department, Role
    from .auth.services import create_user
    department = None
    if department_slug:
        department = db.session.scalar(sa.select(Department).where(Department.slug == department_slug))
        if department is None:
            raise click.ClickException(f"no department {department_slug!r}")
    try:
        user = create_user("cli", email=email, name=name, password=password, role=Role(role),
                           department=department, verified=True,
                           min_password=current_app.config["PASSWORD_MIN_LENGTH"])
    except PortalError as err:
        _fail(err)
    db.session.commit()
    click.echo(f"user {user.email} created (id {user.id}, {user.role.value})")


@tokens.command("create")
@click.option("--email", required=True)
@click.option("--name", default="CLI token", show_default=True)
def tokens_create(email, name):
    from .auth.services import create_token, find_user
    user = find_user(email)
    if user is None or not user.active:
        raise click.ClickException(f"no active account {email!r}")
    _, secret = create_token(user, user, name)
    db.session.commit()
    click.echo(f"token for {user.email}; it is shown once:")
    click.echo(secret)


@audit_cli.command("verify")
def audit_verify():
    from .audit import verify
    count, broken = verify()
    if broken is not None:
        click.echo(f"BROKEN: {broken} ({count} entries before it are intact)", err=True)
        sys.exit(1)
    click.echo(f"audit chain intact: {count} entries")


@click.command("seed-demo")
def seed_demo():
    from .seed import seed_demo as run
    for line in run():
        click.echo(line)
    db.session.commit()


@click.command("worker")
@click.option("--once", is_flag=True, help="Run what is due, then exit.")
@click.option("--interval", default=5.0, show_default=True)
def worker(once, interval):
    from .worker import run_once
    while True:
        run_once()
        if once:
            return
        time.sleep(interval)


@click.command("attribute")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON answer.")
@click.option("--as", "as_email", default=None, help="Administrator to record as the actor.")
def attribute_cli(path, as_json, as_email):
    """Say whose copy FILE is (same result as POST /api/v1/attributions)."""
    import json

    import sqlalchemy as sa

    from .auth.models import Role, User
    from .clawback.attribution import attribute
    stmt = sa.select(User).where(User.role == Role.admin, User.active.is_(True)).order_by(User.id)
    if as_email:
        stmt = stmt.where(User.email == as_email.strip().lower())
    admin = db.session.scalar(stmt.limit(1))
    if admin is None:
        raise click.ClickException("no active administrator to record as the actor")
    with open(path, "rb") as fh:
        try:
            result = attribute(admin, fh)
        except PortalError as err:
            _fail(err)
    db.session.commit()
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    if not result["matches"]:
        click.echo("No recipient can be named: no mark in this file verifies.")
        for note in result["notes"]:
            click.echo(f"  {note}")
        return
    for m in result["matches"]:
        who = m["recipient"]["email"] or f"public download {m['recipient'].get('public_download')}"
        click.echo(f"{who}: grant {m['grant_id']}, request {m['tracking_number']}, code {m['code']}, "
                   f"confidence {m['confidence']:.12f}")
        for line in m["evidence"]:
            click.echo(f"  {line}")


@click.command("storage-check")
@click.option("--hashes", is_flag=True, help="Also read every object and compare its SHA-256 (slow).")
def storage_check(hashes):
    """Check that every stored file the database names is in storage, with its size (after a restore).

    Covers the uploaded originals (blobs) and the recipients' prepared marked copies. Exit 0 when
    all are there, 1 with the missing or different ones named.
    """
    import hashlib

    import sqlalchemy as sa

    from .core.storage import storage
    from .disclosures.models import Grant
    from .records.models import Blob
    backend, problems, checked = storage(), [], 0
    wanted = [(f"blob {b.id}", b.key, b.size, b.sha256) for b in db.session.execute(
        sa.select(Blob.id, Blob.key, Blob.size, Blob.sha256).order_by(Blob.id))]
    wanted += [(f"grant {g.id} copy", g.copy_key, g.copy_size, g.copy_sha256) for g in db.session.execute(
        sa.select(Grant.id, Grant.copy_key, Grant.copy_size, Grant.copy_sha256)
        .where(Grant.copy_key.is_not(None)).order_by(Grant.id))]
    for what, key, size, sha in wanted:
        checked += 1
        if not backend.exists(key):
            problems.append(f"{what}: {key} is missing")
            continue
        if size is not None and backend.size(key) != size:
            problems.append(f"{what}: {key} has {backend.size(key)} bytes, expected {size}")
            continue
        if hashes and sha:
            digest = hashlib.sha256()
            with backend.open(key) as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(chunk)
            if digest.hexdigest() != sha:
                problems.append(f"{what}: {key} does not have SHA-256 {sha}")
    for line in problems[:50]:
        click.echo(line)
    if problems:
        click.echo(f"{len(problems)} of {checked} stored files missing or different")
        sys.exit(1)
    click.echo(f"all {checked} stored files present" + (" and intact" if hashes else ""))


@click.command("clawback-reminders")
def clawback_reminders():
    """Remind recipients who have not answered a clawback notice (the worker runs this too)."""
    from .clawback.campaigns import send_reminders
    click.echo(f"{send_reminders()} reminder(s) queued")
    db.session.commit()


def register(app: Flask) -> None:
    from .digests.cli import digests_cli
    from .record_requests.cli import requests_cli
    from .records.cli import scan_cli
    for cmd in (departments, users, tokens, audit_cli, seed_demo, worker, attribute_cli, clawback_reminders,
                storage_check,
                requests_cli, digests_cli, scan_cli):
        app.cli.add_command(cmd)
