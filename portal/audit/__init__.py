from .services import record, verify

__all__ = ["record", "verify"]
