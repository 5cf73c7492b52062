"""The audit keys: HMAC keys kept outside the database (instance file or PORTAL_AUDIT_KEY).

Someone who can write the database but not read the key cannot compute an entry's hash, so
cannot edit, insert or re-chain entries unnoticed. Entries name their key by an id derived from
it, so a rotated key's entries still verify while it stays in AUDIT_KEY_FALLBACKS.
"""
from __future__ import annotations

import hashlib
import hmac
from typing import Mapping


def key_id(key: str) -> str:
    return hashlib.sha256(b"portal-audit-key-id:" + key.encode()).hexdigest()[:16]


def current(config: Mapping) -> tuple[str, str]:
    """(key id, key) that signs new entries and checkpoints."""
    key = config["AUDIT_KEY"]
    return key_id(key), key


def known(config: Mapping) -> dict[str, str]:
    """Every key a signature may have been made with, by id."""
    keys = [*config.get("AUDIT_KEY_FALLBACKS", []), config["AUDIT_KEY"]]
    return {key_id(k): k for k in keys}


def sign(key: str, purpose: str, message: str) -> str:
    """HMAC-SHA-256; `purpose` keeps an entry's signature from passing as a checkpoint's."""
    return hmac.new(key.encode(), f"{purpose}:{message}".encode(), hashlib.sha256).hexdigest()
