"""Virus scanning of uploads: one interface, a ClamAV command and daemon, and "none".

No Flask here: the app passes its config mapping to `get_scanner`, like storage.
"""
from __future__ import annotations

from typing import Any, Mapping

from .base import NoScanner, Scanner, ScannerError, Verdict
from .clamav import Clamd, ClamScan

SCANNERS: dict[str, type[Scanner]] = {NoScanner.name: NoScanner, ClamScan.name: ClamScan, Clamd.name: Clamd}


def get_scanner(config: Mapping[str, Any]) -> Scanner:
    name = (config.get("SCANNER") or "none").strip().lower()
    try:
        cls = SCANNERS[name]
    except KeyError:
        raise ScannerError(f"unknown SCANNER {name!r}: expected one of {sorted(SCANNERS)}") from None
    return cls.from_config(config)


__all__ = ["Clamd", "ClamScan", "NoScanner", "Scanner", "ScannerError", "Verdict", "get_scanner"]
