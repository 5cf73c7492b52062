"""Errors a user can cause. Views and the API turn them into messages and statuses."""
from __future__ import annotations


class PortalError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: str, *, fields: dict[str, str] | None = None, **extra):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        self.extra = extra

    # An error after which something must stand although the request's changes roll back (a
    # screening hold and its audit row): the web layer rolls back, calls keep(), then commits.
    keeps = False

    def keep(self) -> None:
        """Write again, in the fresh transaction after the rollback, what must persist."""


class Invalid(PortalError):
    status, code = 400, "invalid"


class Unauthorized(PortalError):
    status, code = 401, "unauthorized"


class Forbidden(PortalError):
    status, code = 403, "forbidden"


class NotFound(PortalError):
    status, code = 404, "not_found"


class Conflict(PortalError):
    status, code = 409, "conflict"


class Gone(PortalError):
    status, code = 410, "gone"


class TooLarge(PortalError):
    status, code = 413, "too_large"


class UnsupportedType(PortalError):
    status, code = 415, "unsupported_type"


class Unprocessable(PortalError):
    status, code = 422, "unprocessable"


class TooManyAttempts(PortalError):
    status, code = 429, "too_many_attempts"

    def __init__(self, message: str | None = None, retry_after: int = 60, **kw):
        from flask_babel import gettext as _  # here: the errors are plain, importable without Flask
        super().__init__(message or _("Too many attempts. Please wait a few minutes and try again."), **kw)
        self.retry_after = retry_after


class Unavailable(PortalError):
    status, code = 503, "unavailable"
