"""Per-request plumbing: one transaction per request, mail after commit, errors, headers."""
from __future__ import annotations

import hashlib
import logging
from pathlib import Path
import sqlite3
from urllib.parse import urlsplit

from flask import Flask, g, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from .. import mail
from ..extensions import csrf, db
from . import guard, storage
from .errors import PortalError, TooLarge, TooManyAttempts
from .models import MAX_ID

log = logging.getLogger(__name__)

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = (("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"),
                    ("X-Frame-Options", "DENY"), ("Referrer-Policy", "same-origin"),
                    ("Cache-Control", "no-store"))  # last: not on static files


STATIC_MAX_AGE = 365 * 24 * 3600  # a fingerprinted URL names one content for good


class Portal(Flask):
    """Flask, with its per-call check of whether each hook and view is a coroutine asked once per
    function (eight `inspect` calls on every request otherwise). None of ours is a coroutine.
    Static files are fingerprinted (`fingerprint_static`)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._sync: dict = {}
        self.static_fingerprints: dict[str, str] = {}

    def get_send_file_max_age(self, filename: str | None) -> int | None:
        """A year for a static file asked for by its fingerprinted URL; any other URL of it is
        revalidated on each use (no max-age), so a changed file is never served stale."""
        version = request.args.get("v")
        if filename is None or not version:
            return None
        path = Path(filename)  # Flask asks with the name, then Werkzeug with the full path
        if path.is_absolute():
            if not path.is_relative_to(self.static_folder):
                return None
            path = path.relative_to(self.static_folder)
        return STATIC_MAX_AGE if version == self.static_fingerprints.get(path.as_posix()) else None

    def ensure_sync(self, func):
        found = self._sync.get(func)
        if found is None:
            found = super().ensure_sync(func)
            if len(self._sync) < 4096:  # hooks and views: a fixed set; never grows with requests
                self._sync[func] = found
        return found


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every response that did not set its own, as the response starts
    (plain tuples: Werkzeug's header object checked and copied each of them again, a twentieth of
    a short page's time). Static files get no Cache-Control: browsers may keep them."""

    def __init__(self, app, static_prefix: str, headers=SECURITY_HEADERS) -> None:
        self.app, self.static_prefix = app, static_prefix
        self._every = [(name.lower(), (name, value)) for name, value in headers]
        self._static = self._every[:-1]  # SECURITY_HEADERS ends with Cache-Control

    def __call__(self, environ, start_response):
        static = environ.get("PATH_INFO", "").startswith(self.static_prefix)

        def start(status, headers, exc_info=None):
            present = {name.lower() for name, _ in headers}
            for lower, pair in self._static if static else self._every:
                if lower not in present:  # a view's own value stands
                    headers.append(pair)
            return start_response(status, headers, exc_info)

        return self.app(environ, start)


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: a database id, 0..MAX_ID. A larger number matches no route (404)
    instead of reaching the database, where it would overflow the column (a 500 on either backend)."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):
        super().__init__(map, fixed_digits, 0 if min is None else min, MAX_ID if max is None else max, signed)


def fingerprint_static(app: Portal) -> None:
    """`url_for('static', ...)` adds `v=`, a hash of the file's content, read once as the app
    starts (a deploy that changes a file restarts the app, and the URL changes with the file)."""
    folder = Path(app.static_folder)
    app.static_fingerprints = {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        for path in folder.rglob("*") if path.is_file()}

    @app.url_defaults
    def static_version(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "v" not in values:
            found = app.static_fingerprints.get(values.get("filename"))
            if found:
                values["v"] = found


def _headers_for(logo_url: str | None) -> tuple:
    """SECURITY_HEADERS, with the origin of a logo kept elsewhere allowed as an image source."""
    parts = urlsplit(logo_url or "")
    if parts.scheme != "https" or not parts.netloc:
        return SECURITY_HEADERS
    csp = CSP.replace("img-src 'self' data:", f"img-src 'self' data: https://{parts.netloc}")
    return tuple((name, csp if name == "Content-Security-Policy" else value) for name, value in SECURITY_HEADERS)


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, code: str, message: str, fields=None, extra=None, headers=None):
    if wants_json():
        body = {"error": {"code": code, "message": message}}
        if fields:
            body["error"]["fields"] = fields
        if extra:
            body["error"].update(extra)
        resp = jsonify(body)
    else:
        resp = make_response(render_template("error.html", status=status, message=message))
    resp.status_code = status
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def rollback() -> None:
    """Undo the request's changes: its database transaction and every object it stored."""
    db.session.rollback()
    storage.rolled_back()


def _abandon() -> None:
    rollback()
    g.rolled_back = True


def keep_after_rollback(err: PortalError) -> None:
    """Undo the request's changes, then write what the error says must stand; after_request commits it."""
    rollback()
    err.keep()


def install(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter  # before any blueprint adds its rules
    fingerprint_static(app)
    app.request_class = guard.PortalRequest

    @app.before_request
    def csrf_check():
        """Flask-WTF's check (exempt views and blueprints skipped), on the methods it protects."""
        if request.method in app.config["WTF_CSRF_METHODS"] and app.config["WTF_CSRF_ENABLED"]:
            csrf.protect(apply_exemptions=True)

    @app.before_request
    def json_limit():
        """A JSON body is parsed in memory: it gets a far smaller limit than a file upload."""
        if request.is_json:
            limit = app.config["JSON_MAX_BYTES"]
            if (request.content_length or 0) > limit:
                raise TooLarge(f"The JSON body is larger than the limit of {limit:,} bytes.")
            request.max_content_length = limit

    app.before_request(guard.refuse_unsafe_text)  # after json_limit: a JSON body is parsed here

    @app.after_request
    def commit(response):
        if g.pop("rolled_back", False) or response.status_code >= 500:
            rollback()
            return response
        try:
            db.session.commit()
        except Exception:
            rollback()
            log.exception("commit failed")
            return error_response(503, "unavailable",
                                  _("The change could not be saved. Nothing was changed; please try again."))
        storage.committed()
        mail.deliver_pending_after_commit()
        return response

    app.wsgi_app = SecurityHeaders(app.wsgi_app, f"{app.static_url_path}/", _headers_for(app.config.get("LOGO_URL")))

    @app.teardown_request
    def cleanup(exc):
        if exc is not None:
            rollback()

    @app.errorhandler(PortalError)
    def portal_error(err: PortalError):
        if err.keeps:
            keep_after_rollback(err)
        else:
            _abandon()
        headers = {"Retry-After": str(err.retry_after)} if isinstance(err, TooManyAttempts) else None
        return error_response(err.status, err.code, err.message, err.fields, err.extra, headers)

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        _abandon()
        code = (err.name or "error").lower().replace(" ", "_")
        known = {
            400: _("The request could not be understood."),
            404: _("There is nothing here, or you may not see it."),
            405: _("That action is not possible here."),
            413: _("The upload is larger than the portal accepts."),
        }
        message = known.get(err.code or 500) or err.description or _("Something went wrong.")
        if getattr(err, "description", None) and err.code == 400 and "CSRF" in str(err.description):
            message = _("The form expired or was sent from elsewhere. Please reload the page and try again.")
            code = "csrf"
        return error_response(err.code or 500, code, message)

    @app.errorhandler(OperationalError)
    @app.errorhandler(sqlite3.OperationalError)  # raised unwrapped by sqlite3 itself (a raw connection's read)
    def database_unavailable(err: Exception):
        # The database dropped the connection, timed out or hit a deadlock: nothing of the request
        # was kept, and the same request may well succeed in a moment.
        _abandon()
        log.exception("database error")
        if "_login_user" not in g:  # the error page must not ask the database for the user again
            g._login_user = app.login_manager.anonymous_user()
        return error_response(503, "unavailable", _("The database could not complete this right now. "
                                                    "Nothing was changed; please try again in a moment."),
                              headers={"Retry-After": "5"})

    @app.errorhandler(Exception)
    def unexpected(err: Exception):
        _abandon()
        log.exception("unhandled error")
        return error_response(500, "internal", "Something went wrong on our side. Nothing was changed.")
