"""Whether a record's copies can be told apart once taken out of the receipt ZIP.

A file too small for its format's marks (a six-row CSV, a three-line text) is
released inside the receipt ZIP, and the file inside is byte for byte the same
for every recipient: staff are told before they release it, and offered the
formats whose marks do not depend on size (a PDF rendering or an XLSX).
"""
from __future__ import annotations

import io

from flask import current_app

from .. import watermark
from ..core import storage as files
from ..core.errors import Unprocessable
from ..core.models import utcnow
from ..records.inspect import Limits, inspect
from ..records.models import Record
from ..watermark import Stamp, WatermarkError, derive
from .copies import SELF_CHECK_MAX_BYTES

ADVICE = ("Once taken out of the ZIP, every recipient's copy of this file is the same, so a copy found "
          "later names no one. To keep copies traceable, release it as a PDF (print it to PDF) or, for a "
          "table, as an XLSX workbook: upload that version and release it instead.")


def untraceable(record: Record) -> str | None:
    """Why unwrapped copies of the record cannot be told apart, in plain words; None if they can."""
    blob = record.blob
    if watermark.supported(blob.content_type) == "package":
        return "This type of file cannot carry a mark of its own: it goes out inside a ZIP with a receipt."
    if blob.size > SELF_CHECK_MAX_BYTES:
        return None             # enough rows, lines or pages for every format's marks
    with files.storage().open(blob.key) as fh:
        original = fh.read()
    stamp = Stamp(codeword=derive(b"preview", "traceable"), recipient="preview", tracking_number="preview",
                  issued=utcnow().date(), portal_url=current_app.config["BASE_URL"])
    try:
        inspect(io.BytesIO(original), blob.content_type, Limits.from_config(current_app.config))
        marked = watermark.mark(original, blob.content_type, stamp)
        if any(f.codeword == stamp.codeword for f in watermark.read(marked, original, blob.content_type,
                                                                     [stamp.codeword])):
            return None
    except (WatermarkError, Unprocessable) as exc:
        return f"The file cannot be marked ({exc}); it goes out inside a ZIP with a receipt."
    return ("The file is too small for the marks of its format (too few rows, lines or characters); it goes "
            "out inside a ZIP with a receipt.")
