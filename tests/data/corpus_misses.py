"""The corpus cases the engines miss today (issue 20), and why."""

# Why each miss happens today (one line each; shared by the cases it explains).
_R00 = "the output is not screened (its rebuilt text layer reads without spaces)"
_R01 = "term redaction does not fold accents"
_R02 = "'Last, First' is built with the last word only as surname"
_R03 = "'Last, First' with a multi-word surname is not matched"
_R04 = "term redaction does not match 'Last, First'"
_R05 = "pypdf only; the font's own cmap (no ToUnicode) is not read"
_R06 = "pdfium cannot read the font, so no area is found; pdfminer still reads the name"
_R07 = "the name stays in the pixels and the output is not screened (no OCR)"
_R08 = "pypdf only; /ActualText is not read"
_R09 = "a hyphenated line break is not joined"
_R10 = "pdfium reports the line-end hyphen as U+FFFE with no line break; the term is not found"
_R11 = "a soft hyphen at a line break is not joined"
_R12 = "letter-spaced text is not matched"
_R13 = "the OFF layer's text is copied into the new text layer; the output is not screened"
_R14 = "the match lies outside the crop box: its area is refused"
_R15 = "text outside the crop box is copied into the new text layer"
_R16 = "text outside the crop box is copied into the new text layer; the output is not screened"
_R17 = "annotation appearance streams are not read (held only by 'comments')"
_R18 = "rasterising draws the annotation's appearance into the pixels; the output is not screened"
_R19 = "a form value on a parent field is not read"
_R20 = "the outline (bookmarks) is not read"
_R21 = "page labels are not read"
_R22 = "structure-tree /Alt is not read"
_R23 = "no OCR"
_R24 = "no OCR: the term is never found in the page image"
_R25 = "page left as an image with the name; the output is not screened (no OCR)"
_R26 = "header/footer text is not read"
_R27 = "chart titles are not read"
_R28 = "data-validation lists are not read"
_R29 = "a formula without a cached value is read as empty"
_R30 = "number formats are not read"
_R31 = "sheet names are not read"
_R32 = "the sheet name is copied into the output"
_R33 = "names split across cells are not matched by term or pattern"
_R34 = "last|first cells with a multi-word surname are not matched"
_R35 = "non-adjacent first and last cells are not joined"
_R36 = "non-adjacent last and first cells are not joined"
_R37 = "a zero-width space splits the word"
_R38 = "a zero-width space inside the name defeats the match"
_R39 = "image alt text (wp:docPr descr) is not read"
_R40 = "docProps/custom.xml is not read"
_R41 = "a U+FFFE line break is not joined"
_R42 = "a soft hyphen is not joined"

# What fails with the engines as they are today: (case id, stage) -> why. Stages: "screen", and the
# redaction methods. The test marks these xfail(strict=True), so each one turns into an XPASS (a
# failure) the day it is fixed: delete its line then. `--report` lists them as FIXED.
MISSES_TODAY: dict[tuple[str, str], str] = {
    ("pdf-plain", "other-box"): _R00,
    ("pdf-accents", "other-box"): _R00,
    ("pdf-accents-stripped", "term"): _R01,
    ("pdf-accents-stripped", "other-box"): _R00,
    ("pdf-accent-added", "term"): _R01,
    ("pdf-accent-added", "other-box"): _R00,
    ("pdf-last-first", "screen"): _R02,
    ("pdf-last-first", "term"): _R03,
    ("pdf-last-first", "pattern"): _R03,
    ("pdf-last-first", "other-box"): _R00,
    ("pdf-last-first-multiword", "screen"): _R02,
    ("pdf-last-first-multiword", "term"): _R03,
    ("pdf-last-first-multiword", "pattern"): _R03,
    ("pdf-last-first-multiword", "other-box"): _R00,
    ("pdf-last-first-accents", "term"): _R04,
    ("pdf-short-name", "other-box"): _R00,
    ("pdf-tj-kerning", "other-box"): _R00,
    ("pdf-truetype-no-tounicode", "screen"): _R05,
    ("pdf-truetype-no-tounicode", "term"): _R06,
    ("pdf-truetype-no-tounicode", "pattern"): _R06,
    ("pdf-truetype-no-tounicode", "other-box"): _R07,
    ("pdf-actualtext", "screen"): _R08,
    ("pdf-actualtext", "other-box"): _R00,
    ("pdf-hyphen-break", "screen"): _R09,
    ("pdf-hyphen-break", "term"): _R10,
    ("pdf-hyphen-break", "pattern"): _R10,
    ("pdf-hyphen-break", "other-box"): _R00,
    ("pdf-hyphen-break-at-own-hyphen", "term"): _R10,
    ("pdf-hyphen-break-at-own-hyphen", "other-box"): _R00,
    ("pdf-soft-hyphen", "screen"): _R11,
    ("pdf-soft-hyphen", "term"): _R10,
    ("pdf-soft-hyphen", "pattern"): _R10,
    ("pdf-soft-hyphen", "other-box"): _R00,
    ("pdf-line-break", "other-box"): _R00,
    ("pdf-letter-spaced", "screen"): _R12,
    ("pdf-letter-spaced", "term"): _R12,
    ("pdf-letter-spaced", "pattern"): _R12,
    ("pdf-letter-spaced", "other-box"): _R00,
    ("pdf-character-spacing", "other-box"): _R00,
    ("pdf-under-black-box", "other-box"): _R00,
    ("pdf-optional-content-off", "other-box"): _R13,
    ("pdf-white-text", "other-box"): _R00,
    ("pdf-tiny-text", "other-box"): _R00,
    ("pdf-invisible-render-mode", "other-box"): _R00,
    ("pdf-clipped-away", "other-box"): _R00,
    ("pdf-outside-crop-box", "term"): _R14,
    ("pdf-outside-crop-box", "pattern"): _R14,
    ("pdf-outside-crop-box", "box"): _R15,
    ("pdf-outside-crop-box", "other-box"): _R16,
    ("pdf-rotated-90", "other-box"): _R00,
    ("pdf-form-xobject", "other-box"): _R00,
    ("pdf-freetext-appearance", "screen"): _R17,
    ("pdf-freetext-appearance", "other-box"): _R18,
    ("pdf-form-parent-value", "screen"): _R19,
    ("pdf-outline", "screen"): _R20,
    ("pdf-page-label", "screen"): _R21,
    ("pdf-structure-alt", "screen"): _R22,
    ("pdf-scan-page-17-of-20", "screen"): _R23,
    ("pdf-scan-page-17-of-20", "term"): _R24,
    ("pdf-scan-page-17-of-20", "pattern"): _R24,
    ("pdf-scan-page-17-of-20", "other-box"): _R25,
    ("pdf-scan-one-page", "screen"): _R23,
    ("pdf-scan-one-page", "term"): _R24,
    ("pdf-scan-one-page", "pattern"): _R24,
    ("pdf-scan-one-page", "other-box"): _R25,
    ("png-name-plate", "screen"): _R23,
    ("jpeg-name-plate", "screen"): _R23,
    ("xlsx-cell-last-first", "screen"): _R02,
    ("xlsx-cell-last-first", "term"): _R03,
    ("xlsx-cell-last-first", "pattern"): _R03,
    ("xlsx-header", "screen"): _R26,
    ("xlsx-footer", "screen"): _R26,
    ("xlsx-chart-title", "screen"): _R27,
    ("xlsx-validation-list", "screen"): _R28,
    ("xlsx-formula-no-cached-value", "screen"): _R29,
    ("xlsx-number-format", "screen"): _R30,
    ("xlsx-sheet-name", "screen"): _R31,
    ("xlsx-sheet-name", "term"): _R32,
    ("xlsx-sheet-name", "pattern"): _R32,
    ("xlsx-split-first-last", "term"): _R33,
    ("xlsx-split-first-last", "pattern"): _R33,
    ("xlsx-split-last-first", "screen"): _R34,
    ("xlsx-split-last-first", "term"): _R33,
    ("xlsx-split-last-first", "pattern"): _R33,
    ("xlsx-split-non-adjacent", "screen"): _R35,
    ("xlsx-split-non-adjacent", "term"): _R33,
    ("xlsx-split-non-adjacent", "pattern"): _R33,
    ("xlsx-split-last-column-first-far", "screen"): _R36,
    ("xlsx-split-last-column-first-far", "term"): _R33,
    ("xlsx-split-last-column-first-far", "pattern"): _R33,
    ("csv-accent-added", "term"): _R01,
    ("csv-last-first-quoted", "screen"): _R02,
    ("csv-last-first-quoted", "term"): _R03,
    ("csv-last-first-quoted", "pattern"): _R03,
    ("csv-split-first-last", "term"): _R33,
    ("csv-split-first-last", "pattern"): _R33,
    ("csv-split-last-first", "screen"): _R34,
    ("csv-split-last-first", "term"): _R33,
    ("csv-split-last-first", "pattern"): _R33,
    ("csv-split-non-adjacent", "screen"): _R35,
    ("csv-split-non-adjacent", "term"): _R33,
    ("csv-split-non-adjacent", "pattern"): _R33,
    ("csv-zero-width-space", "screen"): _R37,
    ("csv-zero-width-space", "term"): _R38,
    ("csv-zero-width-space", "pattern"): _R38,
    ("docx-image-alt-text", "screen"): _R39,
    ("docx-custom-property", "screen"): _R40,
    ("txt-letter-spaced", "screen"): _R12,
    ("txt-hyphen-break", "screen"): _R09,
    ("txt-ufffe-break", "screen"): _R41,
    ("txt-soft-hyphen", "screen"): _R42,
}
