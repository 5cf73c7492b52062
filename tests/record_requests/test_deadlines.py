"""The statutory clocks, checked against dates worked out by hand on a calendar.

FOIA and FOIL use business days (weekends, holidays and agency closures skipped; a request received
on a non-business day counts from the next business day). CPRA counts calendar days from receipt and
moves a deadline that lands on a weekend, holiday or closure to the next business day.
"""
from datetime import date

import pytest

from portal.record_requests import deadlines as dl

FOIA, CPRA, FOIL = dl.LAWS["foia"], dl.LAWS["cpra"], dl.LAWS["foil"]
D = date

# (law, received/started, days the clock runs, closure days, expected due date)
CASES = [
    # 5 U.S.C. 552(a)(6)(A)(i): 20 days "excepting Saturdays, Sundays, and legal public holidays".
    pytest.param(FOIA, D(2026, 3, 2), 20, (), D(2026, 3, 30), id="foia-plain-month"),
    # 552(a)(6)(A)(i): received on a Saturday, counted from Monday.
    pytest.param(FOIA, D(2026, 3, 7), 20, (), D(2026, 4, 6), id="foia-filed-saturday"),
    # 552(a)(6)(A)(i): Memorial Day (2026-05-25) is a legal public holiday.
    pytest.param(FOIA, D(2026, 5, 18), 20, (), D(2026, 6, 16), id="foia-memorial-day"),
    # 552(a)(6)(A)(i): received on MLK Day, counted from Tuesday; Presidents' Day skipped too.
    pytest.param(FOIA, D(2026, 1, 19), 20, (), D(2026, 2, 18), id="foia-filed-on-holiday"),
    # 552(a)(6)(A)(i): Christmas and New Year's Day 2027 skipped across the year end.
    pytest.param(FOIA, D(2026, 12, 7), 20, (), D(2027, 1, 6), id="foia-year-end"),
    # 552(a)(6)(A)(i): Independence Day observed on Friday 2026-07-03.
    pytest.param(FOIA, D(2026, 7, 1), 20, (), D(2026, 7, 30), id="foia-observed-holiday"),
    # 552(a)(6)(B)(i): unusual circumstances add up to 10 working days, by written notice.
    pytest.param(FOIA, D(2026, 3, 2), 30, (), D(2026, 4, 13), id="foia-extension-10"),
    # 552(a)(6)(A)(ii)(II): the clock is tolled while the requester answers; 3 business days paused.
    pytest.param(FOIA, D(2026, 3, 2), 23, (), D(2026, 4, 2), id="foia-paused-3"),
    # 552(a)(6)(A)(i): an agency closure day (entered by an admin) is not a working day.
    pytest.param(FOIA, D(2026, 3, 2), 20, (D(2026, 3, 20),), D(2026, 3, 31), id="foia-closure"),
    # 552(a)(6)(A)(i): received on a closure day, counted from the next working day.
    pytest.param(FOIA, D(2026, 3, 2), 20, (D(2026, 3, 2),), D(2026, 3, 31), id="foia-filed-on-closure"),
    # Cal. Gov. Code 7922.535(a): 10 days from receipt.
    pytest.param(CPRA, D(2026, 3, 2), 10, (), D(2026, 3, 12), id="cpra-plain"),
    # 7922.535(a) with Civ. Proc. Code 12a: the 10th day is a Saturday, so Monday.
    pytest.param(CPRA, D(2026, 3, 4), 10, (), D(2026, 3, 16), id="cpra-lands-on-saturday"),
    # 7922.535(a): calendar days from receipt, even when received on a weekend.
    pytest.param(CPRA, D(2026, 3, 7), 10, (), D(2026, 3, 17), id="cpra-filed-saturday"),
    # 7922.535(a): the 10th day is Memorial Day, so Tuesday.
    pytest.param(CPRA, D(2026, 5, 15), 10, (), D(2026, 5, 26), id="cpra-lands-on-holiday"),
    # 7922.535(b): extended by written notice for up to 14 days.
    pytest.param(CPRA, D(2026, 3, 2), 24, (), D(2026, 3, 26), id="cpra-extension-14"),
    # 7922.535(b): the extended day is a Saturday, so Monday.
    pytest.param(CPRA, D(2026, 3, 4), 24, (), D(2026, 3, 30), id="cpra-extension-weekend"),
    # 7922.535(a): 5 calendar days paused while awaiting the requester.
    pytest.param(CPRA, D(2026, 3, 2), 15, (), D(2026, 3, 17), id="cpra-paused-5"),
    # 7922.535(a): the 10th day is Thanksgiving; the day after is a federal working day.
    pytest.param(CPRA, D(2026, 11, 16), 10, (), D(2026, 11, 27), id="cpra-thanksgiving"),
    # 7922.535(a): ...unless the agency is closed that day too.
    pytest.param(CPRA, D(2026, 11, 16), 10, (D(2026, 11, 27),), D(2026, 11, 30), id="cpra-closure"),
    # N.Y. Pub. Off. Law 89(3)(a): acknowledge within five business days of receipt.
    pytest.param(FOIL, D(2026, 3, 2), 5, (), D(2026, 3, 9), id="foil-ack"),
    # 89(3)(a): Lincoln's Birthday is a New York State holiday (FOIA would be due 2026-02-17).
    pytest.param(FOIL, D(2026, 2, 9), 5, (), D(2026, 2, 18), id="foil-lincoln"),
    # 89(3)(a): New York's Election Day (2026-11-03) is a state holiday.
    pytest.param(FOIL, D(2026, 10, 30), 5, (), D(2026, 11, 9), id="foil-election-day"),
    # 89(3)(a): received on a Saturday, counted from Monday.
    pytest.param(FOIL, D(2026, 3, 7), 5, (), D(2026, 3, 16), id="foil-filed-saturday"),
    # 89(3)(a): the approximate date, not more than 20 business days after the acknowledgment.
    pytest.param(FOIL, D(2026, 3, 9), 20, (), D(2026, 4, 6), id="foil-after-ack"),
    # 89(3)(a): a "date certain" beyond the twenty days, here 10 more business days.
    pytest.param(FOIL, D(2026, 3, 9), 30, (), D(2026, 4, 20), id="foil-date-certain"),
    # 89(3)(a): Susan B. Anthony Day is a commemoration, not a day state offices close.
    pytest.param(FOIL, D(2028, 2, 14), 5, (), D(2028, 2, 22), id="foil-commemoration-counts"),
]


@pytest.mark.parametrize("law,start,days,closures,expected", CASES)
def test_due_dates(law, start, days, closures, expected):
    assert dl.due_date(law, start, days, frozenset(closures)) == expected


def test_the_table_covers_enough_cases():
    assert len(CASES) >= 20


@pytest.mark.parametrize("law,paused,resumed,expected", [
    # 5 U.S.C. 552(a)(6)(A)(ii)(II): paused Wednesday, resumed Monday: Thu, Fri, Mon.
    (FOIA, D(2026, 3, 11), D(2026, 3, 16), 3),
    # 552(a)(6)(A)(ii)(II): a pause over a holiday weekend (MLK Day) costs one business day.
    (FOIA, D(2026, 1, 16), D(2026, 1, 20), 1),
    # Cal. Gov. Code 7922.535(a): calendar days.
    (CPRA, D(2026, 3, 5), D(2026, 3, 10), 5),
    # N.Y. Pub. Off. Law 89(3)(a): resumed the day it paused: nothing to give back.
    (FOIL, D(2026, 3, 5), D(2026, 3, 5), 0),
])
def test_paused_days(law, paused, resumed, expected):
    assert dl.paused_units(law, paused, resumed) == expected


@pytest.mark.parametrize("today,paused,overdue,soon", [
    (D(2026, 3, 25), False, False, False),   # three business days left
    (D(2026, 3, 26), False, False, True),    # two business days left (Thu -> Mon)
    (D(2026, 3, 30), False, False, True),    # due today
    (D(2026, 3, 31), False, True, False),
    (D(2026, 3, 31), True, False, False),    # the clock is paused: neither
])
def test_due_soon_and_overdue(today, paused, overdue, soon):
    got = dl.flags(FOIA, today, D(2026, 3, 30), open_=True, paused=paused)
    assert (got.overdue, got.due_soon) == (overdue, soon)
    if not paused:
        assert (D(2026, 3, 30) <= dl.soon_bound(FOIA, today)) == (soon or overdue)


def test_unknown_law_falls_back_to_foia():
    assert dl.law_for("nonsense") is FOIA and dl.law_for(None) is FOIA
