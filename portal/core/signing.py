"""The session cookie's and the CSRF token's signing, done once per value instead of per request.

Flask builds the cookie's serializer and verifies the same cookie on every request, and
Flask-WTF signs the session's CSRF secret anew on every page that shows a form: together a
sixth of a short page's time. Each is a pure function of the keys and the value, so the result
is kept per process: a cookie is trusted from the cache only if that exact string verified
before under the same keys, and its age is checked on every request.
"""
from __future__ import annotations

import copy
import time
from functools import lru_cache

from flask import current_app, g, session
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import generate_csrf
from itsdangerous import BadSignature, URLSafeTimedSerializer


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with its serializer kept while the keys are unchanged."""

    def __init__(self) -> None:
        self._built: tuple | None = None

    def get_signing_serializer(self, app):
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        built = self._built
        if built is None or built[0] != keys:
            self._built = built = (keys, super().get_signing_serializer(app))
        return built[1]

    def open_session(self, app, request):
        serializer = self.get_signing_serializer(app)
        value = request.cookies.get(self.get_cookie_name(app))
        if serializer is None or not value:
            return super().open_session(app, request)
        try:
            data, signed_at = _verified(serializer, value)
        except BadSignature:
            return self.session_class()
        if time.time() - signed_at > app.permanent_session_lifetime.total_seconds():
            return self.session_class()
        # The cached dict is shared: lists and dicts in it (flashed messages) are copied.
        nested = any(isinstance(v, (dict, list)) for v in data.values())
        return self.session_class(copy.deepcopy(data) if nested else data)

    def save_session(self, app, session, response) -> None:
        """Flask's; when there is no cookie to write (most requests), only its `Vary: Cookie`,
        without reading the seven cookie settings and parsing the Vary header first."""
        if session.modified or self.should_set_cookie(app, session):
            return super().save_session(app, session, response)
        if session.accessed:
            if "Vary" in response.headers:
                response.vary.add("Cookie")
            else:
                response.headers["Vary"] = "Cookie"


@lru_cache(maxsize=4096)
def _verified(serializer: URLSafeTimedSerializer, value: str) -> tuple[dict, float]:
    """The cookie's data and signing time; raises BadSignature (never cached) if it is forged."""
    data, signed_at = serializer.loads(value, return_timestamp=True)
    return data, signed_at.timestamp()


def csrf_token() -> str:
    """Flask-WTF's token for this session (WTF_CSRF_TIME_LIMIT is None: the token carries no
    useful age, so one signature per session secret serves every page)."""
    raw, here, app = session.get("csrf_token"), g._get_current_object(), current_app._get_current_object()
    if raw is None or "csrf_token" in here or app.config.get("WTF_CSRF_TIME_LIMIT") is not None:
        return generate_csrf()  # makes the secret, or keeps the request's token
    keys = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
    here.csrf_token = token = _signed(tuple(keys) if isinstance(keys, list) else keys, raw)
    return token


@lru_cache(maxsize=4096)
def _signed(keys: str | tuple[str, ...], raw: str) -> str:
    return URLSafeTimedSerializer(keys, salt="wtf-csrf-token").dumps(raw)


def install(app) -> None:
    app.session_interface = SessionInterface()
