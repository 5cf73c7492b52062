"""`flask audit verify` and `flask audit checkpoint` (shared/API.md)."""
from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

audit_cli = AppGroup("audit", help="The audit chain.")


@audit_cli.command("verify")
@click.option("--checkpoints", "checkpoints_path", type=click.Path(exists=True, dir_okay=False),
              help="A checkpoint file (`flask audit checkpoint`): the chain must agree with each.")
def audit_verify(checkpoints_path):
    from .checkpoints import verify_against
    from .services import verify
    if checkpoints_path:
        checked = verify_against(checkpoints_path)
        count, problem = checked.count, checked.problem
    else:
        count, broken = verify()
        problem = str(broken) if broken else None
    if problem is not None:
        click.echo(f"BROKEN: {problem} ({count} entries before it are intact)", err=True)
        sys.exit(1)
    also = f"; agrees with {checked.checkpoints} checkpoint(s)" if checkpoints_path else ""
    click.echo(f"audit chain intact: {count} entries{also}")


@audit_cli.command("checkpoint")
@click.option("--file", "path", type=click.Path(dir_okay=False),
              help="Append to this file (default AUDIT_CHECKPOINT_FILE, in the instance folder).")
def audit_checkpoint(path):
    from ..extensions import db
    from .checkpoints import write
    cp = write(path)
    db.session.rollback()  # nothing was written to the database
    click.echo(f"checkpoint: entry {cp['id']} {cp['hash']} at {cp['at']}")
