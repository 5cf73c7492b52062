"""Statutory clocks: one rule set per records law. Pure functions of dates; no database, no Flask.

A request's due date is always recomputed from scratch, from the day its clock started and the
number of days it runs (the law's days + extensions + days paused while the agency waited for the
requester). Recomputing, rather than shifting a stored date, is what lets a closure day entered
later, or a corrected holiday calendar, move every open request's due date correctly.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import AbstractSet

import holidays

# Days the holidays package lists that are commemorations, not days public offices close.
NOT_CLOSED = {"Susan B. Anthony Day"}


@dataclass(frozen=True)
class Law:
    code: str
    name: str
    calendar_days: bool          # True: the clock counts calendar days (CPRA)
    initial_days: int            # the first deadline, from receipt
    after_ack_days: int | None   # FOIL: the clock restarts at the acknowledgment
    max_extension: int           # total extension days allowed
    holiday_subdiv: str | None   # None: US federal holidays only
    citation: str
    extension_citation: str
    first_deadline: str          # what the first deadline is for, shown to people


LAWS: dict[str, Law] = {
    "foia": Law("foia", "US Freedom of Information Act", calendar_days=False, initial_days=20,
                after_ack_days=None, max_extension=10, holiday_subdiv=None,
                citation="5 U.S.C. 552(a)(6)(A)(i)", extension_citation="5 U.S.C. 552(a)(6)(B)(i)",
                first_deadline="determination"),
    "cpra": Law("cpra", "California Public Records Act", calendar_days=True, initial_days=10,
                after_ack_days=None, max_extension=14, holiday_subdiv=None,
                citation="Cal. Gov. Code 7922.535(a)", extension_citation="Cal. Gov. Code 7922.535(b)",
                first_deadline="determination"),
    # FOIL sets no cap on the "date certain" beyond twenty business days; the portal caps the total
    # at 60 business days so that a typing slip cannot push a request out by a year.
    "foil": Law("foil", "New York Freedom of Information Law", calendar_days=False, initial_days=5,
                after_ack_days=20, max_extension=60, holiday_subdiv="NY",
                citation="N.Y. Pub. Off. Law 89(3)(a)", extension_citation="N.Y. Pub. Off. Law 89(3)(a)",
                first_deadline="acknowledgment"),
}


def law_for(code: str | None) -> Law:
    return LAWS.get(code or "foia", LAWS["foia"])


@lru_cache(maxsize=64)
def _holidays(subdiv: str | None, year: int) -> frozenset[date]:
    found = holidays.country_holidays("US", subdiv=subdiv, years=year)
    return frozenset(d for d, name in found.items()
                     if not any(skip in name for skip in NOT_CLOSED))


def holiday_names(law: Law, year: int) -> dict[date, str]:
    return {d: n for d, n in holidays.country_holidays("US", subdiv=law.holiday_subdiv, years=year).items()
            if d in _holidays(law.holiday_subdiv, year)}


def is_business_day(law: Law, day: date, closures: AbstractSet[date] = frozenset()) -> bool:
    return (day.weekday() < 5 and day not in _holidays(law.holiday_subdiv, day.year)
            and day not in closures)


def next_business_day(law: Law, day: date, closures: AbstractSet[date] = frozenset()) -> date:
    """`day` itself when it is a business day, else the first one after it."""
    while not is_business_day(law, day, closures):
        day += timedelta(days=1)
    return day


def add_business_days(law: Law, start: date, n: int, closures: AbstractSet[date] = frozenset()) -> date:
    day = start
    while n > 0:
        day += timedelta(days=1)
        if is_business_day(law, day, closures):
            n -= 1
    return day


def due_date(law: Law, start: date, days: int, closures: AbstractSet[date] = frozenset()) -> date:
    """The last day of a clock of `days` that started on `start` (the day of receipt).

    Business-day laws (FOIA, FOIL): a request received on a weekend, holiday or closure day is
    treated as received on the next business day, and day 1 is the business day after that.
    CPRA: days are calendar days from receipt, so a weekend receipt starts the count at once; when
    the last day is not a business day, the deadline moves to the next business day (the rule of
    Cal. Civ. Proc. Code 12a, which the CPRA's deadlines follow). That is the choice made here.
    """
    if law.calendar_days:
        return next_business_day(law, start + timedelta(days=days), closures)
    return add_business_days(law, next_business_day(law, start, closures), days, closures)


def paused_units(law: Law, paused_on: date, resumed_on: date,
                 closures: AbstractSet[date] = frozenset()) -> int:
    """Days the clock stood still: those after the pause up to and including the day it resumed.

    Business days for business-day laws, calendar days for CPRA. The day of the pause counts for
    the agency (it had that day), the day of the resumption does not (the requester used it).
    """
    if resumed_on <= paused_on:
        return 0
    if law.calendar_days:
        return (resumed_on - paused_on).days
    count, day = 0, paused_on
    while day < resumed_on:
        day += timedelta(days=1)
        count += is_business_day(law, day, closures)
    return count


def business_days_left(law: Law, today: date, due: date,
                       closures: AbstractSet[date] = frozenset()) -> int:
    """Business days from today to the due date (0 on the due date, negative once overdue)."""
    if due < today:
        return -paused_units(law, due, today, closures)
    return paused_units(law, today, due, closures)


@dataclass(frozen=True)
class Flags:
    overdue: bool
    due_soon: bool


def flags(law: Law, today: date, due: date | None, *, open_: bool, paused: bool,
          closures: AbstractSet[date] = frozenset(), soon_days: int = 2) -> Flags:
    if due is None or not open_ or paused:
        return Flags(False, False)
    if due < today:
        return Flags(True, False)
    return Flags(False, business_days_left(law, today, due, closures) <= soon_days)


def soon_bound(law: Law, today: date, closures: AbstractSet[date] = frozenset(), soon_days: int = 2) -> date:
    """The latest due date that counts as due soon today (for filtering in SQL)."""
    return add_business_days(law, today, soon_days, closures)
