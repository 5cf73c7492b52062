"""`flask scan ...`: the quarantine from the command line."""
from __future__ import annotations

import click
from flask.cli import AppGroup

scan_cli = AppGroup("scan", help="Virus scanning and the quarantine.")


@scan_cli.command("due")
def scan_due_cmd():
    """Scan files waiting in quarantine, and retry failed scans whose time has come."""
    from .quarantine import scan_due
    click.echo(f"{scan_due(limit=1000)} file(s) scanned")


@scan_cli.command("status")
def status():
    """Files by scan status; exit 1 when any is infected or held by a scanner error."""
    import sys

    from .quarantine import report
    r = report()
    click.echo(f"scanner: {r['scanner']}" + ("" if r["scans"] else " (uploads are NOT scanned)"))
    for s, n in r["counts"].items():
        click.echo(f"  {s.value}: {n}")
    from .models import ScanStatus
    if r["counts"][ScanStatus.infected] or r["counts"][ScanStatus.error]:
        sys.exit(1)
