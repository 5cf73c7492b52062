"""The yardstick of bench.downloads' page part: Flask with one route returning a fixed page.

Served by gunicorn with the portal's settings, as `bench.bare_flask:create_app(page_bytes=N)`.
"""
from __future__ import annotations

from flask import Flask

_ROW = ("<tr><td><a href=\"/me/files/{n}/download\">file-{n}.pdf</a></td><td>2026-{n:05d}</td>"
        "<td>2026-11-28</td><td><code>ABCD-EFGH-{n:04d}</code></td><td>Available</td>"
        "<td>not downloaded yet</td></tr>\n")


def create_app(page_bytes: int) -> Flask:
    app = Flask(__name__)
    head, tail = "<!doctype html><html><body><table>\n", "</table></body></html>\n"
    rows: list[str] = []
    while len(head) + sum(map(len, rows)) + len(tail) < page_bytes:  # within one row of the size
        rows.append(_ROW.format(n=len(rows) + 1))
    page = (head + "".join(rows) + tail).encode()

    @app.get("/me/files")
    def files():
        return page, 200, {"Content-Type": "text/html; charset=utf-8"}

    return app
