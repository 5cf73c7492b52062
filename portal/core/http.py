"""Small helpers for views: the client's address and the current actor."""
from __future__ import annotations

from flask import request


def client_ip() -> str:
    # ProxyFix (configured in production) has already put the real address here.
    return (request.remote_addr or "unknown")[:64]


def user_agent() -> str:
    return (request.user_agent.string or "")[:400]
