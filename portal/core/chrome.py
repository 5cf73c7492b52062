"""The page header, rendered once per (role, language, URL root, path) and reused.

Its eleven links and ten translated labels were a sixth of a short page's time. Only the
logout form's CSRF token differs between users of the same role; it goes in after the cache.
Each app keeps its own small cache; nothing in it is needed by another server.
"""
from __future__ import annotations

from functools import lru_cache

from flask import current_app, render_template, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from ..i18n import _language

_CSRF = "\x00csrf\x00"  # cannot occur in a rendered page: autoescape never emits NUL


def page_header() -> Markup:
    user = current_user
    who = None if not user.is_authenticated else "admin" if user.is_admin else "staff" if user.is_staff else "public"
    html = current_app.extensions["page_header"](who, _language(), request.script_root,
                                                 request.full_path.rstrip("?"))
    return Markup(html.replace(_CSRF, generate_csrf())) if who else html


def _render(who: str | None, language: str, script_root: str, here: str) -> Markup:
    return Markup(render_template("_header.html", who=who, language=language, here=here, csrf_placeholder=_CSRF))


def install(app) -> None:
    # Per app: the header shows the app's own configuration (the agency's name, its languages).
    app.extensions["page_header"] = lru_cache(maxsize=1024)(_render)
    app.jinja_env.globals["page_header"] = page_header
