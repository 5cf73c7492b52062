"""The corpus cases the engines miss today (issue 20), and why."""

# What fails with the engines as they are today: (case id, stage) -> why. Stages: "screen", and the
# redaction methods. The test marks these xfail(strict=True), so each one turns into an XPASS (a
# failure) the day it is fixed: delete its line then. `--report` lists them as FIXED.
MISSES_TODAY: dict[tuple[str, str], str] = {}

