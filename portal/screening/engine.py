"""Screening one file's bytes: read every hiding place, match, and say whether it must be held.

Pure (no Flask, no database), so the benchmark and a future redaction tool call it directly.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..records.sniff import sniff
from .detectors import Builtins, scan, snippet
from .matcher import Matcher
from .ocr_screen import OcrBudget, screen_pixels, wants_ocr
from .readers import Limits, Unreadable, read

MAX_MATCHES = 200      # kept per file; `total` still counts every one
# Findings that hold whatever the settings: the file was not (yet) read whole.
ALWAYS_HOLD = frozenset(("screening_in_progress", "ocr_failed"))


@dataclass
class Policy:
    matcher: Matcher | None
    builtins: Builtins | None
    limits: Limits = field(default_factory=Limits)
    hold_findings: frozenset[str] = frozenset()
    ocr: OcrBudget | None = None        # None: no OCR (a screen of text alone)


def screen_text(text: str, where: str, policy: Policy) -> list[dict]:
    """Matches in one piece of text that is not a file (a filename, a title)."""
    return [_match(text, m, where) for m in scan(text, policy.matcher, policy.builtins)]


def _match(text: str, m, where: str) -> dict:
    return {"kind": m.kind, "list": m.list, "term": m.term, "text": text[m.start:m.end],
            "where": where, "snippet": snippet(text, m)}


def screen_file(data: bytes, content_type: str, policy: Policy, *, depth: int = 0) -> dict:
    """{"read", "matches", "findings", "total", "flagged"} for one file, embedded files included."""
    matches: list[dict] = []
    findings: list[dict] = []
    total = 0
    try:
        extract = read(data, content_type, policy.limits)
    except Unreadable as exc:
        kind = "too_large" if len(data) > policy.limits.max_bytes else "unreadable"
        findings.append({"kind": kind, "where": "file", "detail": str(exc)})
        return _result(False, matches, findings, 0, policy)
    seen: set[tuple] = set()
    direct: set[str] = set()
    for seg in sorted(extract.segments, key=lambda s: s.fallback):
        for m in scan(seg.text, policy.matcher, policy.builtins, seg.cells):
            if seg.fallback and m.term in direct:
                continue    # a raw part repeating what a named place already showed
            where = seg.where_at(m.start)
            key = (m.kind, m.term, where)
            if key in seen:
                continue    # one place read by several extractors
            seen.add(key)
            if not seg.fallback:
                direct.add(m.term)
            total += 1
            if len(matches) < MAX_MATCHES:
                matches.append(_match(seg.text, m, where))
    findings.extend({"kind": f.kind, "where": f.where, "detail": f.detail} for f in extract.findings)
    if policy.ocr is not None and wants_ocr(content_type):
        seen_ocr, found = screen_pixels(data, content_type, policy.matcher, policy.builtins, policy.ocr,
                                        extract.ocr_pages)
        total += len(seen_ocr)
        matches.extend(seen_ocr[:max(MAX_MATCHES - len(matches), 0)])
        findings.extend(found)
    for item in extract.embedded:
        if depth >= policy.limits.max_depth:
            findings.append({"kind": "unreadable", "where": item.where,
                             "detail": f"embedded more than {policy.limits.max_depth} levels deep"})
            continue
        inner_type = sniff(item.data[:8192]) or "application/octet-stream"
        inner = screen_file(item.data, inner_type, policy, depth=depth + 1)
        total += inner["total"]
        for m in inner["matches"] + screen_text(item.name, "name", policy):
            matches.append({**m, "where": f"{item.where} › {m['where']}"})
        findings.extend({**f, "where": f"{item.where} › {f['where']}"} for f in inner["findings"])
    return _result(bool(extract.segments or extract.findings), matches, findings, total, policy)


def _result(was_read: bool, matches, findings, total, policy: Policy) -> dict:
    holding = policy.hold_findings | ALWAYS_HOLD
    flagged = bool(matches) or any(f["kind"] in holding for f in findings)
    for f in findings:
        f["holds"] = f["kind"] in holding
    return {"read": was_read, "matches": matches, "findings": findings, "total": max(total, len(matches)),
            "flagged": flagged}
