"""`flask requests ...`: the nightly deadline run, and local dates after a change of time zone."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from ..extensions import db

requests_cli = AppGroup("requests", help="Records requests.")


@requests_cli.command("refresh-deadlines")
def refresh_deadlines():
    """Recompute open requests' due dates and e-mail assignees what is overdue or due soon."""
    from ..mail import deliver_due
    from .clock import refresh_all
    result = refresh_all(current_app.config["BASE_URL"])
    db.session.commit()
    deliver_due()
    click.echo("due dates changed: {changed}; overdue: {overdue}; due soon: {due_soon}; "
               "assignees e-mailed: {mailed}".format(**result))


@requests_cli.command("recompute-local-dates")
def recompute_local_dates():
    """Recompute requests' local received and closed dates (metrics count by them) after a change
    of AGENCY_TIMEZONE."""
    from .clock import recompute_local_dates as recompute
    changed = recompute()
    db.session.commit()
    click.echo(f"requests whose local dates changed: {changed} (time zone {current_app.config['AGENCY_TIMEZONE']})")
