from .services import deliver_due, deliver_pending_after_commit, send

__all__ = ["send", "deliver_due", "deliver_pending_after_commit"]
