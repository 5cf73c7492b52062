"""The one place that reads configuration.

Layers, each overriding the one before: the defaults in config/defaults.py,
PORTAL_* environment variables, then `portal.cfg` in the instance folder,
then the test configuration passed to create_app().
"""
from __future__ import annotations

import os
import secrets
from email.utils import parseaddr
from pathlib import Path
from typing import Any, Mapping

from . import defaults

_INT = {"MAX_CONTENT_LENGTH", "ARGON2_TIME_COST", "ARGON2_MEMORY_KIB", "ARGON2_PARALLELISM",
        "MAIL_MAX_ATTEMPTS", "MAIL_RETRY_SECONDS", "PASSWORD_MIN_LENGTH", "SESSION_IDLE_MINUTES",
        "SESSION_ABSOLUTE_HOURS", "REQUEST_PAGE_SIZE", "DRAFT_MAX_AGE", "REQUESTER_ATTACHMENT_MAX_BYTES",
        "SCAN_TIMEOUT", "SCAN_INLINE_MAX_BYTES", "SCAN_RETRY_SECONDS", "MAX_DEPARTMENTS_PER_FILING",
        "DIGEST_HOUR", "REQUESTER_RESPOND_DAYS", "REMINDER_DAYS_BEFORE", "SCREENING_MAX_BYTES",
        "REDACTION_DPI", "JSON_MAX_BYTES", "UPLOAD_MAX_PIXELS", "UPLOAD_ZIP_MAX_MEMBERS",
        "UPLOAD_ZIP_MAX_UNZIPPED", "UPLOAD_ZIP_MAX_RATIO", "UPLOAD_ZIP_MAX_DEPTH", "UPLOAD_PDF_MAX_PAGES",
        "UPLOAD_PDF_MAX_OBJECTS", "JOB_LEASE_SECONDS", "STORAGE_ORPHAN_GRACE_SECONDS", "PROXIES",
        "MARK_INLINE_MAX_BYTES", "MARK_IN_MEMORY_MAX_BYTES", "SCREENING_FACES_MAX",
        "SCREENING_OCR_INLINE_PAGES", "WORKER_CONCURRENCY", "WORKER_SHUTDOWN_GRACE",
        "WORKER_BACKOFF_MAX_SECONDS", "WORKER_MISSING_SECONDS", "DOWNLOAD_RECHECK_BYTES",
        "DOWNLOAD_RECHECK_SECONDS", "AUDIT_CHECKPOINT_SECONDS", "MARK_INLINE_MAX_PIXELS",
        "MARK_INLINE_MAX_CELLS", "MARK_MAX_CELLS"}
_LIST = {"SECRET_KEY_FALLBACKS", "AUDIT_KEY_FALLBACKS"}
_BOOL = {"HTTPS", "SCREENING_SSN", "SCREENING_DOB", "SCREENING_PERSONAL_EMAIL", "SCREENING_PHONE",
         "SCREENING_OCR"}
SCANNERS = ("none", "clamscan", "clamd")


def _defaults() -> dict[str, Any]:
    return {k: getattr(defaults, k) for k in dir(defaults) if k.isupper()}


def _from_environ(environ: Mapping[str, str], known: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, raw in environ.items():
        if not name.startswith("PORTAL_"):
            continue
        key = name[len("PORTAL_"):]
        if key not in known:
            continue
        if key in _INT:
            out[key] = int(raw)
        elif key in _LIST:
            out[key] = [part.strip() for part in raw.split(",") if part.strip()]
        elif key in _BOOL:
            out[key] = raw.strip().lower() in {"1", "true", "yes", "on"}
        else:
            out[key] = raw
    return out


def _from_instance(instance: Path) -> dict[str, Any]:
    path = instance / "portal.cfg"
    if not path.exists():
        return {}
    scope: dict[str, Any] = {}
    exec(compile(path.read_text(), str(path), "exec"), scope)  # trusted: the operator's file
    return {k: v for k, v in scope.items() if k.isupper()}


def _instance_secret(instance: Path, name: str) -> str:
    """A secret generated once and kept in the instance folder (mode 0600)."""
    path = instance / name
    if path.exists():
        return path.read_text().strip()
    value = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value + "\n")
    return value


def load(instance_path: str, test_config: Mapping[str, Any] | None = None,
         environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    instance = Path(instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    cfg = _defaults()
    cfg.update(_from_environ(os.environ if environ is None else environ, set(cfg)))
    cfg.update(_from_instance(instance))
    if test_config:
        cfg.update(test_config)

    if not cfg["DATABASE_URL"]:
        cfg["DATABASE_URL"] = f"sqlite:///{instance / 'portal.db'}"
    if not cfg["STORAGE_DIR"]:
        cfg["STORAGE_DIR"] = str(instance / "files")
    if not cfg["SECRET_KEY"]:
        cfg["SECRET_KEY"] = _instance_secret(instance, "secret_key")
    if not cfg["WATERMARK_KEY"]:
        cfg["WATERMARK_KEY"] = _instance_secret(instance, "watermark_key")
    if not cfg["AUDIT_KEY"]:
        cfg["AUDIT_KEY"] = _instance_secret(instance, "audit_key")
    if isinstance(cfg["AUDIT_KEY_FALLBACKS"], str):
        cfg["AUDIT_KEY_FALLBACKS"] = [k.strip() for k in cfg["AUDIT_KEY_FALLBACKS"].split(",") if k.strip()]
    if not cfg["AUDIT_CHECKPOINT_FILE"]:
        cfg["AUDIT_CHECKPOINT_FILE"] = str(instance / "audit_checkpoints.jsonl")
    if isinstance(cfg["SECRET_KEY_FALLBACKS"], str):
        cfg["SECRET_KEY_FALLBACKS"] = [k.strip() for k in cfg["SECRET_KEY_FALLBACKS"].split(",") if k.strip()]
    cfg["SECRET_KEY_FALLBACKS"] = [k for k in cfg["SECRET_KEY_FALLBACKS"] if k != cfg["SECRET_KEY"]]
    if int(cfg["PROXIES"]) < 0:
        raise ValueError(f"PORTAL_PROXIES is {cfg['PROXIES']}: expected 0 or the number of proxies in front")
    if not cfg["OUTBOX_DIR"]:
        cfg["OUTBOX_DIR"] = str(instance / "outbox")
    cfg["BASE_URL"] = cfg["BASE_URL"].rstrip("/")
    if not cfg["CONTACT_EMAIL"]:
        cfg["CONTACT_EMAIL"] = parseaddr(cfg["MAIL_FROM"])[1]
    cfg["SCANNER"] = str(cfg["SCANNER"] or "none").strip().lower()
    if cfg["SCANNER"] not in SCANNERS:  # a typo must not quietly turn scanning off
        raise ValueError(f"PORTAL_SCANNER is {cfg['SCANNER']!r}: expected one of {', '.join(SCANNERS)}")

    # Flask and extension settings derived from ours.
    cfg["SQLALCHEMY_DATABASE_URI"] = cfg["DATABASE_URL"]
    cfg.setdefault("SQLALCHEMY_ENGINE_OPTIONS", _engine_options(cfg["DATABASE_URL"]))
    cfg["SESSION_COOKIE_HTTPONLY"] = True
    cfg["SESSION_COOKIE_SAMESITE"] = "Lax"
    cfg["SESSION_COOKIE_SECURE"] = bool(cfg["HTTPS"])
    cfg["WTF_CSRF_TIME_LIMIT"] = None  # bound to the session instead, which has its own timeouts
    # Signed with the current key, accepted under a retired one: a form open during a key rotation
    # still submits (itsdangerous takes a list of keys, the newest last).
    cfg["WTF_CSRF_SECRET_KEY"] = [*cfg["SECRET_KEY_FALLBACKS"], cfg["SECRET_KEY"]]
    # portal.core.web runs Flask-WTF's check itself, for the methods it protects only: Flask-WTF's
    # own hook looks up the view's exemptions first, on every request.
    cfg["WTF_CSRF_CHECK_DEFAULT"] = False
    return cfg


def _engine_options(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30}}
    if url.startswith("postgresql+psycopg:"):
        # psycopg prepares a statement on its fifth run, and PostgreSQL then may switch it to a
        # generic plan that ignores the values: the queue filtered by one assignee went from 3 ms
        # to 40 ms of SQL at a million requests. Plan each statement for its own values.
        return {"pool_pre_ping": True, "connect_args": {"prepare_threshold": None}}
    return {"pool_pre_ping": True}
