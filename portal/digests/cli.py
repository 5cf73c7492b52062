"""`flask digests send`: today's digests and reminders, each at most once (the worker runs it too)."""
from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup

digests_cli = AppGroup("digests", help="Daily digests for staff and admins, reminders for requesters.")


@digests_cli.command("send")
@click.option("--day", default=None, help="The day to send for (YYYY-MM-DD); default: today in the agency's zone.")
def send(day):
    from ..clawback.campaigns import send_reminders
    from ..extensions import db
    from ..mail import deliver_due
    from .sending import send_all
    try:
        on = date.fromisoformat(day) if day else None
    except ValueError:
        raise click.BadParameter("use YYYY-MM-DD", param_hint="--day") from None
    counts = send_all(on)
    counts["clawback"] = send_reminders()
    db.session.commit()
    deliver_due()
    click.echo("staff digests: {staff}; admin summaries: {admin}; requester reminders: {reminders}; "
               "clawback reminders: {clawback}".format(**counts))
