"""What a scanner answers, and the scanner that does not scan."""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, BinaryIO, Mapping

CHUNK = 1024 * 1024


class ScannerError(Exception):
    """The scanner could not give a verdict (down, misconfigured, timed out): hold the file."""


@dataclass(frozen=True)
class Verdict:
    infected: bool
    signature: str | None = None    # what was found, as the scanner names it


class Scanner(ABC):
    name: str
    scans = True                     # False only for NoScanner: uploads pass unscanned

    @classmethod
    @abstractmethod
    def from_config(cls, config: Mapping[str, Any]) -> "Scanner": ...

    @abstractmethod
    def scan(self, stream: BinaryIO) -> Verdict:
        """Read the stream to its end and judge it; ScannerError when no verdict can be given."""


class NoScanner(Scanner):
    """The embedded default: nothing is scanned, and the admin pages say so."""

    name, scans = "none", False

    @classmethod
    def from_config(cls, config):
        return cls()

    def scan(self, stream):
        raise ScannerError("no scanner is configured")
