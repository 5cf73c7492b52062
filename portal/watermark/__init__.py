"""The watermark and attribution engine: a pure library, bytes in, bytes out.

No Flask here. `mark` makes one recipient's copy; `read` looks for marks in a
found copy, informed by the original the portal kept.
"""
from .codeword import Codeword, derive, false_match_probability
from .engine import Finding, Stamp, WatermarkError, has_exact_check, mark, read, supported, verify

__all__ = [
    "Codeword", "Finding", "Stamp", "WatermarkError",
    "derive", "false_match_probability", "has_exact_check", "mark", "read", "supported", "verify",
]
