"""Languages of the public pages: English and Spanish (Flask-Babel).

A visitor chooses with the switch in the header (a cookie, so it works without an account);
otherwise the browser's Accept-Language decides. Staff and admin pages stay in English for now.
"""
from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from babel import Locale
from flask import Blueprint, current_app, g, has_request_context, redirect, request
from flask_babel import Babel, get_locale, get_translations, gettext as _, lazy_gettext as _l
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from .core.errors import Invalid

bp = Blueprint("i18n", __name__)
babel = Babel()
COOKIE = "lang"
NAMES = {"en": "English", "es": "Español"}

# Status labels come from an enum; listed here so that extraction finds them.
STATUS_LABELS = {
    "received": _l("Received"), "acknowledged": _l("Acknowledged"), "in_progress": _l("In progress"),
    "awaiting_requester": _l("Awaiting requester"), "extended": _l("Extended"), "fulfilled": _l("Fulfilled"),
    "partially_fulfilled": _l("Partially fulfilled"), "denied": _l("Denied"),
    "no_responsive_records": _l("No responsive records"), "withdrawn": _l("Withdrawn"),
}


# Timeline entries, by event kind (an unknown kind reads as its name).
EVENT_LABELS = {
    "filed": _l("Filed"), "acknowledge": _l("Acknowledged"), "start": _l("Work started"), "clarify": _l("Question"),
    "reply": _l("Answer"), "message": _l("Message"), "note": _l("Internal note"), "extend": _l("Extended"),
    "fee_estimate": _l("Fee estimate"), "fee_accept": _l("Fee accepted"), "fee_decline": _l("Fee declined"),
    "resume": _l("Clock resumed"), "close": _l("Closed"), "withdraw": _l("Withdrawn"), "reopen": _l("Reopened"),
    "assign": _l("Assigned"), "transfer": _l("Transferred"), "split": _l("Split"), "merge": _l("Merged"),
    "merged_in": _l("Duplicate merged in"), "publish": _l("Published"), "unpublish": _l("Kept private"),
    "due_date": _l("Due date changed"), "released": _l("Records released"),
}


def event_label(kind: str) -> str:
    label = EVENT_LABELS.get(kind)
    return str(label) if label is not None else kind.replace("_", " ").capitalize()


# Labels kept in config (config/defaults.py PREFERRED_FORMATS), listed for extraction.
FORMAT_LABELS = [_l("No preference"), _l("Electronic copies"), _l("Paper copies"), _l("Inspection in person")]
NOTICE_LABELS = [_l("No answer yet"), _l("Acknowledged"), _l("Certified deletion"), _l("Contested")]


def select_locale() -> str:
    if not has_request_context():  # the worker and the CLI: a message a service translates reads in the default
        return current_app.config["LANGUAGES"][0]
    req = request._get_current_object()
    cookies = req.cookies
    return _select(cookies[COOKIE] if COOKIE in cookies else None, req.headers.get("Accept-Language", ""),
                   tuple(current_app.config["LANGUAGES"]))


@lru_cache(maxsize=256)
def _select(chosen: str | None, accept: str, languages: tuple[str, ...]) -> str:
    """The cookie's language if offered, else the browser's best match: once per distinct answer
    (parsing Accept-Language was a fiftieth of a short page's time)."""
    if chosen in languages:
        return chosen
    return parse_accept_header(accept, LanguageAccept).best_match(languages) or languages[0]


def _translations():
    """The request's catalogue, looked up once: Flask-Babel looks it up on every call (about
    twenty per page, a sixth of a page's time)."""
    if not has_request_context():
        return get_translations()
    found = g.get("_translations")
    if found is None:
        found = g._translations = get_translations()
    return found


def _language() -> str:
    """The request's language code, as str(get_locale()) gives it; without Flask-Babel's parse
    of the code into a Locale on every request (a tenth of a cached page's time)."""
    if not has_request_context():
        return str(get_locale())
    here = g._get_current_object()
    found = here.get("_language")
    if found is None:
        found = here._language = _code(select_locale())
    return found


@lru_cache(maxsize=64)
def _code(selected: str) -> str:
    return str(Locale.parse(selected))


def install(app) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n), newstyle=True)
    app.jinja_env.globals.update(current_language=_language, language_names=NAMES, event_label=event_label,
                                 status_label=lambda status: STATUS_LABELS.get(status.value, status.label))
    app.register_blueprint(bp)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if not target:
        return "/"
    if any(ord(c) < 32 or ord(c) == 127 for c in target):
        # CR/LF would split the Location header (a 500 from Werkzeug); no link of ours has them.
        raise Invalid(_("The return address is not valid."), fields={"next": "control characters"})
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@bp.route("/language/<code>")
def choose(code: str):
    response = redirect(_safe_next(request.args.get("next")))
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax",
                            secure=bool(current_app.config["HTTPS"]), httponly=True)
    return response
