"""Accounts: creation, login sessions, verification, password reset, roles, API tokens.

Services take an explicit actor and never touch flask.request; they flush, the caller commits.
"""
from __future__ import annotations

import hashlib
import secrets
import unicodedata
from datetime import timedelta

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app, has_app_context
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from .. import audit, mail
from ..core import ratelimit
from ..core.errors import Conflict, Forbidden, Invalid, NotFound
from ..core.models import utcnow
from ..extensions import db
from .models import ApiToken, Department, Role, User, UserSession
from .passwords import check_password, hash_password


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def normalise_email(raw: str) -> str:
    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise Invalid("Enter a valid e-mail address.", fields={"email": str(exc)}) from exc


def normalise_name(raw: str) -> str:
    name = " ".join(unicodedata.normalize("NFKC", raw).split())
    if not 1 <= len(name) <= 200 or any(unicodedata.category(c).startswith("C") for c in name):
        raise Invalid("Enter a name of 1 to 200 printable characters.", fields={"name": "invalid"})
    return name


def check_password_policy(password: str, min_length: int) -> None:
    if len(password) < min_length:
        raise Invalid(f"Use a password of at least {min_length} characters.",
                      fields={"password": "too short"})
    if len(password) > 1024:
        raise Invalid("That password is too long.", fields={"password": "too long"})


def find_user(email: str) -> User | None:
    try:
        email = normalise_email(email)
    except Invalid:
        return None
    return db.session.scalar(sa.select(User).where(User.email == email))


def create_user(actor, *, email: str, name: str, password: str | None, role: Role,
                department: Department | None = None, verified: bool = False,
                min_password: int = 10) -> User:
    email, name = normalise_email(email), normalise_name(name)
    if role == Role.staff and department is None:
        raise Invalid("Staff members belong to a department.", fields={"department": "required"})
    if password is not None:
        check_password_policy(password, min_password)
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise Conflict("An account with that e-mail address already exists.", fields={"email": "taken"})
    user = User(email=email, name=name, role=role, department=department,
                password_hash=hash_password(password) if password else None,
                email_verified_at=utcnow() if verified else None)
    db.session.add(user)
    db.session.flush()
    audit.record(actor or user, "user.create", f"user:{user.id}",
                 {"email": email, "role": role.value,
                  "department": department.slug if department else None})
    return user


def create_department(actor, *, slug: str, name: str, law: str = "foia") -> Department:
    slug = slug.strip().lower()
    if not slug or not all(c.isalnum() or c in "-_" for c in slug) or len(slug) > 64:
        raise Invalid("A department slug is letters, digits, - and _.", fields={"slug": "invalid"})
    if db.session.scalar(sa.select(Department.id).where(Department.slug == slug)) is not None:
        raise Conflict("That department already exists.", fields={"slug": "taken"})
    dept = Department(slug=slug, name=normalise_name(name), law=law)
    db.session.add(dept)
    db.session.flush()
    audit.record(actor or "system", "department.create", f"department:{dept.id}",
                 {"slug": slug, "name": dept.name, "law": law})
    return dept


# -- sessions -------------------------------------------------------------------------------

def authenticate(email: str, password: str, *, ip: str, limits) -> User | None:
    """Check credentials under rate limits; audit success and failure alike."""
    key = (email or "").strip().lower()[:320]
    # Counted before the password is evaluated, atomically: 40 simultaneous guesses get at most
    # LOGIN_LIMIT evaluated. A success takes its own counts back.
    ratelimit.take(f"login:acct:{key}", limits["LOGIN_LIMIT"])
    ip_hit = ratelimit.take(f"login:ip:{ip}", limits["LOGIN_IP_LIMIT"])
    user = find_user(email)
    ok = check_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        audit.record("anonymous", "auth.login_failed", f"user:{user.id}" if user else "user:?",
                     {"email": key, "ip": ip})
        return None
    ratelimit.clear(f"login:acct:{key}")
    db.session.delete(ip_hit)
    return user


def start_session(user: User, *, ip: str | None, user_agent: str | None) -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(user=user, token_hash=sha256_hex(token), ip=ip,
                               user_agent=(user_agent or "")[:400]))
    user.last_login_at = utcnow()
    user.session_token = token
    audit.record(user, "auth.login", f"user:{user.id}", {"ip": ip})
    return token


def load_session(token: str, *, idle_minutes: int, absolute_hours: int) -> User | None:
    """The user of a live session, or None; touches last_seen at most once a minute.

    Runs on every logged-in request: one query on the unique token_hash index, the session row
    with its user and the user's department joined (their relationships are lazy="joined")."""
    row = db.session.scalar(sa.select(UserSession).where(
        UserSession.token_hash == sha256_hex(token), UserSession.ended_at.is_(None)))
    if row is None or not row.user.active:
        return None
    now = utcnow()
    if (now - row.last_seen_at > timedelta(minutes=idle_minutes)
            or now - row.created_at > timedelta(hours=absolute_hours)):
        row.ended_at = now
        return None
    if now - row.last_seen_at > timedelta(minutes=1):
        row.last_seen_at = now
    row.user.session_token = token
    return row.user


def end_session(user: User, token: str | None) -> None:
    if token:
        db.session.execute(sa.update(UserSession).where(
            UserSession.token_hash == sha256_hex(token), UserSession.ended_at.is_(None))
            .values(ended_at=utcnow()))
    audit.record(user, "auth.logout", f"user:{user.id}")


def end_all_sessions(user: User) -> int:
    return db.session.execute(sa.update(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow())).rowcount


# -- verification and reset -----------------------------------------------------------------

def _serializer(secret: str, salt: str) -> URLSafeTimedSerializer:
    """Signs with `secret`; also accepts links signed with a retired key (SECRET_KEY_FALLBACKS)."""
    fallbacks = current_app.config.get("SECRET_KEY_FALLBACKS", []) if has_app_context() else []
    return URLSafeTimedSerializer([*reversed(fallbacks), secret], salt=salt)


def _password_fingerprint(user: User) -> str:
    # Changes whenever the password does, which makes a reset link single-use.
    return sha256_hex(user.password_hash or "none")[:16]


def verification_token(secret: str, user: User) -> str:
    return _serializer(secret, "verify-email").dumps({"u": user.id, "e": user.email})


def verify_email(secret: str, token: str, max_age: int) -> User:
    try:
        data = _serializer(secret, "verify-email").loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise Invalid("This confirmation link has expired. Log in to get a new one.") from exc
    except BadSignature as exc:
        raise Invalid("This confirmation link is not valid.") from exc
    user = db.session.get(User, data.get("u"))
    if user is None or user.email != data.get("e"):
        raise Invalid("This confirmation link is not valid.")
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        audit.record(user, "user.verify_email", f"user:{user.id}")
    return user


def reset_token(secret: str, user: User) -> str:
    return _serializer(secret, "reset-password").dumps({"u": user.id, "f": _password_fingerprint(user)})


def user_for_reset(secret: str, token: str, max_age: int) -> User:
    try:
        data = _serializer(secret, "reset-password").loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature) as exc:
        raise Invalid("This reset link has expired or was already used. Ask for a new one.") from exc
    user = db.session.get(User, data.get("u"))
    if user is None or not user.active or _password_fingerprint(user) != data.get("f"):
        raise Invalid("This reset link has expired or was already used. Ask for a new one.")
    return user


def request_reset(email: str, *, ip: str, secret: str, base_url: str, limit) -> None:
    """Same outcome whether or not the account exists: no enumeration."""
    key = (email or "").strip().lower()[:320]
    ratelimit.take(f"reset:acct:{key}", limit)
    ratelimit.take(f"reset:ip:{ip}", (limit[0] * 10, limit[1]))
    user = find_user(email)
    if user is None or not user.active:
        return
    link = f"{base_url}/reset/{reset_token(secret, user)}"
    mail.send(user.email, "Reset your password",
              f"Hello {user.name},\n\nSomeone (we hope you) asked to reset the password of your "
              f"records portal account. Use this link within an hour:\n\n{link}\n\n"
              "If you did not ask for this, ignore this message; your password stays the same.\n")
    audit.record("anonymous", "auth.reset_requested", f"user:{user.id}", {"ip": ip})


def set_password(actor: User, user: User, password: str, min_length: int) -> None:
    """Set a new password and end every existing session of the account."""
    check_password_policy(password, min_length)
    user.password_hash = hash_password(password)
    end_all_sessions(user)
    audit.record(actor, "user.password_change", f"user:{user.id}")


def change_password(user: User, current: str, new: str, min_length: int) -> None:
    if not check_password(user.password_hash, current):
        raise Invalid("Your current password is not right.", fields={"current_password": "wrong"})
    set_password(user, user, new, min_length)


# -- administration -------------------------------------------------------------------------

def require_admin(actor: User) -> None:
    if actor is None or not actor.is_admin:
        raise Forbidden("Only an administrator may do this.")


def update_user(actor: User, user: User, *, role: Role | None = None,
                department: Department | None = None, active: bool | None = None) -> None:
    require_admin(actor)
    if user.id == actor.id and (active is False or (role is not None and role != Role.admin)):
        raise Conflict("You cannot demote or deactivate your own account.")
    changes: dict = {}
    if role is not None and role != user.role:
        if role == Role.staff and (department or user.department) is None:
            raise Invalid("Staff members belong to a department.", fields={"department": "required"})
        changes["role"] = [user.role.value, role.value]
        user.role = role
    if department is not None and department != user.department:
        changes["department"] = [user.department.slug if user.department else None, department.slug]
        user.department = department
    if active is not None and active != user.active:
        changes["active"] = [user.active, active]
        user.active = active
        if not active:
            end_all_sessions(user)
            revoke_all_tokens(user)
    if changes:
        if "role" in changes:
            end_all_sessions(user)
        audit.record(actor, "user.update", f"user:{user.id}", changes)


# -- API tokens -----------------------------------------------------------------------------

TOKEN_PREFIX = "prt_"


def create_token(actor: User, user: User, name: str) -> tuple[ApiToken, str]:
    if actor.id != user.id:
        require_admin(actor)
    name = normalise_name(name or "API token")[:100]
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, prefix=secret[:10], token_hash=sha256_hex(secret))
    db.session.add(token)
    db.session.flush()
    audit.record(actor, "token.create", f"token:{token.id}", {"user": user.id, "name": name})
    return token, secret


def revoke_token(actor: User, token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None or (token.user_id != actor.id and not actor.is_admin):
        raise NotFound("No such token.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(actor, "token.revoke", f"token:{token.id}", {"user": token.user_id})
    return token


def revoke_all_tokens(user: User) -> None:
    db.session.execute(sa.update(ApiToken).where(ApiToken.user_id == user.id,
                                                 ApiToken.revoked_at.is_(None))
                       .values(revoked_at=utcnow()))


def user_for_token(secret: str) -> User | None:
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalar(sa.select(ApiToken).where(
        ApiToken.token_hash == sha256_hex(secret), ApiToken.revoked_at.is_(None)))
    if token is None or not token.user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = now
    return token.user


def register(*, email: str, name: str, password: str, secret: str, base_url: str,
             min_password: int) -> None:
    """Create a requester and send the confirmation link.

    An e-mail already registered gets a note instead, and the caller shows the
    same page either way, so registration does not reveal who has an account.
    """
    email = normalise_email(email)
    check_password_policy(password, min_password)
    existing = find_user(email)
    if existing is not None:
        mail.send(existing.email, "You already have an account",
                  f"Hello {existing.name},\n\nSomeone tried to register a records portal account with "
                  f"this address, which already has one. To sign in, go to {base_url}/login; if you "
                  f"forgot the password, use {base_url}/reset.\n")
        return
    user = create_user(None, email=email, name=name, password=password, role=Role.requester,
                       min_password=min_password)
    send_verification(user, secret=secret, base_url=base_url)


def send_verification(user: User, *, secret: str, base_url: str) -> None:
    link = f"{base_url}/verify/{verification_token(secret, user)}"
    mail.send(user.email, "Confirm your e-mail address",
              f"Hello {user.name},\n\nPlease confirm the e-mail address of your records portal "
              f"account by opening this link:\n\n{link}\n\nFiles released to you are sent only to a "
              "confirmed address.\n")
