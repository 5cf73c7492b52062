"""`flask storage check`: the storage and the database agree, or it says where they do not.

The store knows no table: each area registers, in create_app, the keys its rows name
(`register_keys`); the check compares their union with what the store holds (`check.py`).
"""
from __future__ import annotations

import json
import sys
from dataclasses import asdict
from typing import Callable, Iterable

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from ..core import storage as files
from ..extensions import db
from .check import check

KeySource = Callable[[], Iterable[tuple[str, dict]]]


def register_keys(app: Flask, source: KeySource) -> None:
    """`source()` yields (key, what names it) for each stored object an area's rows name: a dict
    of "table", "id", "what", "size" and "sha256" (see check.check)."""
    app.extensions.setdefault("storage_keys", []).append(source)


def referenced(app: Flask) -> dict[str, dict]:
    return {key: row for source in app.extensions.get("storage_keys", []) for key, row in source()}


storage_cli = AppGroup("storage", help="The file store.")


@storage_cli.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--delete-orphans", is_flag=True,
              help="Delete orphans and unfinished uploads older than the grace period.")
@click.option("--hashes", is_flag=True, help="Also read every named object and compare its SHA-256 (slow).")
@click.option("--grace", type=int, default=None,
              help="Seconds an unreferenced object is left alone (default STORAGE_ORPHAN_GRACE_SECONDS).")
def check_cmd(as_json, delete_orphans, hashes, grace):
    """Orphans (objects no row names), missing and different blobs (after a restore too); exit 1 if any."""
    grace = current_app.config["STORAGE_ORPHAN_GRACE_SECONDS"] if grace is None else grace
    if grace < 0:
        raise click.BadParameter("must be 0 or more", param_hint="--grace")
    report = check(files.storage(), lambda: referenced(current_app), grace_seconds=grace,
                   delete_orphans=delete_orphans, hashes=hashes)
    db.session.rollback()  # read-only: nothing to commit
    if as_json:
        click.echo(json.dumps(asdict(report) | {"problems": report.problems}, indent=2))
    else:
        click.echo(f"{report.backend} storage: {report.objects} object(s), {report.rows} referenced by rows")
        for title, items in (("orphan (no row names it)", report.orphans),
                             ("unfinished upload", report.unfinished),
                             ("recent, left alone (may be an upload in flight)", report.recent),
                             ("deleted", report.deleted)):
            for item in items:
                click.echo(f"  {title}: {item['key']} {item.get('upload', '')} "
                           f"({item['size']} bytes, {item['age_seconds']} s old)".replace("  (", " ("))
        for item in report.missing:
            click.echo(f"  MISSING: {item['key']} named by {item['table']} {item['id']} ({item['what']})")
        for item in report.different:
            click.echo(f"  DIFFERENT: {item['key']} named by {item['table']} {item['id']} has {item['found']}, "
                       f"expected {item['size']} bytes, SHA-256 {item['sha256']}")
        click.echo(f"{report.problems} problem(s)" if report.problems else "storage and database agree")
    if report.problems:
        sys.exit(1)
