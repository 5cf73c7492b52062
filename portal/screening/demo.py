"""Demo screening data (seed-demo): a protected list, and a release it held."""
from __future__ import annotations

import io

from ..records.services import upload
from . import lists
from .holds import ScreeningHold

UNDERCOVER = ["Dana Whitfield", "Marco Reyes", "Badge 7731", "Priya Natarajan"]


def _roster() -> bytes:
    """A shift roster whose hidden tab still lists the undercover unit: the Northern Ireland mistake."""
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = "Patrol"
    ws.append(["first", "last", "shift"])
    for first, last, shift in [("Lee", "Park", "day"), ("Ann", "Osei", "night")]:
        ws.append([first, last, shift])
    hidden = wb.create_sheet("Special assignments")
    hidden.append(["first", "last", "unit"])
    hidden.append(["Marco", "Reyes", "Narcotics (UC)"])
    hidden.sheet_state = "hidden"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def seed(staff, admin, req) -> list[str]:
    lists.add_terms(admin, "Undercover assignments", UNDERCOVER)
    record = upload(staff, req.id, io.BytesIO(_roster()), "shift-roster.xlsx", max_size=10 ** 8)
    from ..disclosures.services import create_release
    try:
        create_release(staff, req.id, [record.id])
    except ScreeningHold as held:
        return [f"A protected list of {len(UNDERCOVER)} terms; release hold {held.hold_id} awaits a second "
                "staff member (a roster with a hidden tab)."]
    return ["A protected list; the demo roster was not held (check SCREENING_HOLD_FINDINGS)."]
