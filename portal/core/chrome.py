"""The page header, and whole pages, rendered once per key and reused.

The header's eleven links and ten translated labels were a sixth of a short page's time; it is
rendered once per (role, language, URL root, path). A page that shows only its context (the
recipient's files page: its table) is rendered once per (context, role, language, URL root,
path). Only the logout form's CSRF token differs between users; it goes in after the cache. The
caches sit behind the login check, never in front of it. Each app keeps its own small caches;
nothing in them is needed by another server.
"""
from __future__ import annotations

from functools import lru_cache

from flask import current_app, g, render_template, request, session
from flask_login import current_user
from markupsafe import Markup

from ..i18n import _language
from .signing import csrf_token

_LARGE = 64 * 1024
_CSRF = "\x00csrf\x00"  # cannot occur in a rendered page: autoescape never emits NUL


def _who() -> str | None:
    user = current_user._get_current_object()  # one proxy lookup, not three
    return None if not user.is_authenticated else "admin" if user.is_admin else "staff" if user.is_staff else "public"


def _where() -> tuple[str, str, str]:
    req = request._get_current_object()
    return _language(), req.script_root, req.full_path.rstrip("?")


def page_header() -> Markup:
    who = _who()
    html = current_app.extensions["page_header"](who, *_where())
    if not who or g.get("_page_cache_render"):
        return html
    return Markup(html.replace(_CSRF, csrf_token()))


def cached_page(template: str, **context) -> str:
    """`template` rendered with `context`, reused while the context and the header's own key are
    unchanged: the page must show nothing else than its (hashable) context and the header. A page
    with flashed messages is rendered afresh (they are shown once), and so is a large one (the
    cache is per process: 256 small pages, never 256 large ones)."""
    if "_flashes" in session or sum(len(v) for v in context.values() if isinstance(v, str)) > _LARGE:
        return render_template(template, **context)
    who = _who()
    html = current_app.extensions["whole_pages"](template, tuple(context.items()), who, *_where())
    return html.replace(_CSRF, csrf_token()) if who else html


def _render_header(who: str | None, language: str, script_root: str, here: str) -> Markup:
    return Markup(render_template("_header.html", who=who, language=language, here=here, csrf_placeholder=_CSRF))


def _render_page(template: str, context: tuple, who, language, script_root, here) -> str:
    g._page_cache_render = True
    try:
        return render_template(template, **dict(context))
    finally:
        g._page_cache_render = False


def install(app) -> None:
    # Per app: the pages show the app's own configuration (the agency's name, its languages).
    app.extensions["page_header"] = lru_cache(maxsize=1024)(_render_header)
    app.extensions["whole_pages"] = lru_cache(maxsize=256)(_render_page)
    app.jinja_env.globals["page_header"] = page_header
