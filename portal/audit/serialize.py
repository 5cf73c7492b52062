import json

from .models import AuditEntry


def entry_json(e: AuditEntry) -> dict:
    return {"id": e.id, "at": e.at.isoformat().replace("+00:00", "Z"), "actor": e.actor,
            "action": e.action, "subject": e.subject, "data": json.loads(e.data),
            "hash": e.hash, "prev_hash": e.prev_hash}
