"""Command line: `flask --app wsgi ...` (see shared/API.md). One transaction per command."""
from __future__ import annotations

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


@click.command("seed-demo")
def seed_demo():
    from .seed import seed_demo as run
    for line in run():
        click.echo(line)
    db.session.commit()


@click.command("seed-scale")
@click.option("--requests", "n_requests", default=1_000_000, show_default=True, type=click.IntRange(1))
@click.option("--deliveries", default=10_000_000, show_default=True, type=click.IntRange(0))
@click.option("--append", is_flag=True, help="Add to a database that already has users or requests.")
@click.option("--seed", "rng_seed", default=2026, show_default=True, help="Random seed (same seed, same data).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def seed_scale(n_requests, deliveries, append, rng_seed, yes):
    """Fill the database with a city's volume of made-up data, to measure at scale. Never in
    production: it asks first (unless --yes), and refuses a database configured for HTTPS."""
    from flask import current_app

    from .seed_scale import Refused, seed
    url = db.engine.url.render_as_string(hide_password=True)
    if current_app.config.get("HTTPS"):
        raise click.ClickException("PORTAL_HTTPS is set: this looks like production; seed-scale refuses.")
    if not yes:
        click.confirm(f"Add {n_requests:,} requests and {deliveries:,} deliveries of made-up data to "
                      f"{url}?", abort=True)
    started = time.monotonic()
    try:
        counts = seed(n_requests, deliveries, append=append, seed=rng_seed,
                      progress=lambda line: click.echo(line, err=True))
    except Refused as err:
        db.session.rollback()
        raise click.ClickException(str(err)) from err
    db.session.commit()
    click.echo(f"seeded {counts.requests:,} requests, {counts.events:,} events, {counts.records:,} records, "
               f"{counts.grants:,} grants, {counts.deliveries:,} deliveries, {counts.users:,} users, "
               f"{counts.audit:,} audit entries in {time.monotonic() - started:.0f} s")


@click.group("worker", invoke_without_command=True)
@click.option("--once", is_flag=True, help="Run what is due, then exit.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between turns of the loop.")
@click.option("--concurrency", type=click.IntRange(1), default=None,
              help="Jobs run at once (default: PORTAL_WORKER_CONCURRENCY).")
@click.pass_context
def worker(ctx, once, interval, concurrency):
    """Run background jobs until stopped (SIGTERM: finish or hand back the running jobs, then exit)."""
    if ctx.invoked_subcommand is not None:
        return
    import signal

    from flask import current_app

    from .worker import Worker, run_once
    if once:
        run_once()
        return
    app = current_app._get_current_object()
    runner = Worker(app, interval=interval, concurrency=concurrency or app.config["WORKER_CONCURRENCY"])
    signal.signal(signal.SIGTERM, runner.stop)
    signal.signal(signal.SIGINT, runner.stop)
    runner.run()


@worker.command("status")
def worker_status():
    """Each worker's last heartbeat and the job queue; exit 1 when no worker was seen recently."""
    from flask import current_app

    from .core.models import utcnow
    from .jobs.heartbeat import report
    info = report()
    now = utcnow()
    if not info["workers"]:
        click.echo("no worker has ever run against this database")
    for w in info["workers"]:
        state = f"stopped at {w.stopped_at:%Y-%m-%d %H:%M:%S} UTC" if w.stopped_at else "running"
        click.echo(f"{w.name}: {state}; seen {(now - w.seen_at).total_seconds():.0f} s ago; "
                   f"{w.slots} slot(s); jobs now: {w.running or 'none'}"
                   + (f"; waiting out: {w.problem}" if w.problem else ""))
    click.echo("jobs: " + ", ".join(f"{n} {state}" for state, n in info["jobs"].items()))
    if info["missing_since"] is not None:
        click.echo(f"no worker seen within {current_app.config['WORKER_MISSING_SECONDS']} s", err=True)
        raise SystemExit(1)


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


@click.command("clawback-reminders")
def clawback_reminders():
    """Remind recipients who have not answered a clawback notice (the worker runs this too)."""
    from .clawback.campaigns import send_reminders
    click.echo(f"{send_reminders()} reminder(s) queued")
    db.session.commit()


def register(app: Flask) -> None:
    from .audit.cli import audit_cli
    from .storage.cli import storage_cli
    from .digests.cli import digests_cli
    from .record_requests.cli import requests_cli
    from .records.cli import scan_cli
    for cmd in (departments, users, tokens, audit_cli, seed_demo, seed_scale, worker, attribute_cli,
                clawback_reminders, requests_cli, digests_cli, scan_cli, storage_cli):
        app.cli.add_command(cmd)
