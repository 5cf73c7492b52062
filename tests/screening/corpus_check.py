"""Judging one corpus case: screened with the pure screen, redacted with the pure redaction engine,
and the output re-read by every reader a recipient might use. Each check returns None when all is
well, or the problem in a line (the test asserts None; the corpus report prints them)."""
from __future__ import annotations

from dataclasses import replace

from config.defaults import SCREENING_HOLD_FINDINGS
from portal.redaction import engine
from portal.redaction.engine.sheet import Rule
from portal.redaction.matching import protected_terms
from portal.screening.detectors import Builtins
from portal.screening.matcher import Matcher
from portal.screening.engine import Policy, screen_file, screen_text
from portal.screening.ocr_screen import OcrBudget
from portal.screening.readers import Limits
from tests.data.corpus_pdf import FILLER_BOX
from tests.data.screening_corpus import LIST, PROTECTED, Case
from tests.screening import corpus_readers

MATCHER = Matcher([(name, LIST) for name in PROTECTED])
POLICY = Policy(MATCHER, Builtins(), Limits(), frozenset(SCREENING_HOLD_FINDINGS.split(",")), OcrBudget(None))


def screened(case: Case) -> tuple[bool, list[dict], list[dict]]:
    """(held, matches, findings) as the release screen sees the file and its name."""
    result = screen_file(case.data, case.content_type, POLICY)
    matches = result["matches"] + screen_text(case.filename, "filename", POLICY)
    return result["flagged"] or bool(matches), matches, result["findings"]


def screen_problem(case: Case, *, check_where: bool = True) -> str | None:
    held, matches, findings = screened(case)
    if case.name is None:
        if held:
            why = [f"{m['kind']} {m['text']!r} at {m['where']}" for m in matches]
            why += [f"finding {f['kind']} at {f['where']}" for f in findings if f.get("holds")]
            return "false hold: " + "; ".join(why)
        return None
    ours = [m for m in matches if m["kind"] == case.expected and m["term"] == case.name]
    if not ours:
        holding = [f["kind"] for f in findings if f.get("holds")]
        return "missed" + (f" (held only by findings that do not show the name: {', '.join(holding)})"
                           if holding else " and released")
    if check_where and not any(case.where.lower() in m["where"].lower() for m in ours):
        return f"found, but at {sorted({m['where'] for m in ours})}, not at {case.where!r}"
    return None


def plan_for(case: Case, method: str) -> engine.Plan:
    label = "b6"
    if case.content_type in (engine.sheet.XLSX, "text/csv"):
        target = case.name if method == "term" else "protected"
        plan = engine.Plan(rules=[Rule(method, target, label)])
    elif method == "box":
        return engine.Plan(areas=list(case.boxes))
    elif method == "other-box":
        return engine.Plan(areas=list(FILLER_BOX))
    else:
        plan = engine.Plan()
    if method == "term":
        plan.terms, plan.labels = {case.name: 1}, {case.name: label}
    else:
        plan.patterns, plan.labels = {"protected": 1}, {"protected": label}
    return plan


def redaction_problem(case: Case, method: str) -> str | None:
    """The name must be readable by no reader after redaction, and the output must pass verification.
    After "other-box" (another line redacted) the name may stay, but then the screen of the output
    must hold it: the output is a new file to the screen."""
    plan = plan_for(case, method)
    with protected_terms(MATCHER):
        try:
            out, out_type, plan = engine.redact(case.content_type, case.data, plan)
        except engine.RedactionError as exc:
            return f"refused: {exc}"
        except Exception as exc:  # noqa: BLE001 - in the portal this would be a 500
            return f"crashed: {type(exc).__name__}: {exc}"
        report = engine.verify(out_type, case.data, out, plan)
    readers = corpus_readers.readers_finding(case, out, out_type)
    if readers and method == "other-box":
        # Where the name ends up in the output (a rebuilt page, its pixels) is the output's own affair.
        if screen_problem(replace(case, data=out, content_type=out_type), check_where=False) is None:
            return None
        return f"name left in the output (readable by {', '.join(readers)}) and the screen of the output misses it"
    if readers:
        verdict = "verification said OK" if report.ok else "verification failed"
        return f"name still readable by {', '.join(readers)} ({verdict})"
    if not report.ok:
        return "name gone, but verification failed: " + " | ".join(report.problems)
    return None
