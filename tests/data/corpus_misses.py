"""The corpus cases the engines miss today (issue 20), and why."""

# Why each miss happens today, shared by the cases it explains.
_OUTPUT_UNSCREENED = "the output is not screened (its rebuilt text layer reads without spaces)"
_TERM_NO_ACCENT_FOLD = "term redaction does not fold accents"
_LAST_FIRST_LAST_WORD = "'Last, First' is built with the last word only as surname"
_LAST_FIRST_MULTIWORD = "'Last, First' with a multi-word surname is not matched"
_TERM_NO_LAST_FIRST = "term redaction does not match 'Last, First'"
_FONT_CMAP_UNREAD = "pypdf only; the font's own cmap (no ToUnicode) is not read"
_FONT_NO_AREA = "pdfium cannot read the font, so no area is found; pdfminer still reads the name"
_PIXELS_UNSCREENED = "the name stays in the pixels and the output is not screened (no OCR)"
_ACTUALTEXT = "pypdf only; /ActualText is not read"
_HYPHEN_BREAK = "a hyphenated line break is not joined"
_UFFFE_HYPHEN = "pdfium reports the line-end hyphen as U+FFFE with no line break; the term is not found"
_SOFT_HYPHEN_BREAK = "a soft hyphen at a line break is not joined"
_LETTER_SPACED = "letter-spaced text is not matched"
_OCG_PROMOTED = "the OFF layer's text is copied into the new text layer; the output is not screened"
_CROP_REFUSED = "the match lies outside the crop box: its area is refused"
_CROP_COPIED = "text outside the crop box is copied into the new text layer"
_CROP_COPIED_UNSCREENED = "text outside the crop box is copied into the new text layer; the output is not screened"
_APPEARANCE_UNREAD = "annotation appearance streams are not read (held only by 'comments')"
_APPEARANCE_BURNED = "rasterising draws the annotation's appearance into the pixels; the output is not screened"
_FORM_PARENT = "a form value on a parent field is not read"
_OUTLINE = "the outline (bookmarks) is not read"
_PAGE_LABELS = "page labels are not read"
_STRUCT_ALT = "structure-tree /Alt is not read"
_NO_OCR = "no OCR"
_NO_OCR_TERM = "no OCR: the term is never found in the page image"
_SCAN_UNSCREENED = "page left as an image with the name; the output is not screened (no OCR)"
_XLSX_HEADER_FOOTER = "header/footer text is not read"
_CHART_TITLE = "chart titles are not read"
_VALIDATION = "data-validation lists are not read"
_FORMULA_NO_CACHE = "a formula without a cached value is read as empty"
_NUMBER_FORMAT = "number formats are not read"
_SHEET_NAME = "sheet names are not read"
_SHEET_NAME_COPIED = "the sheet name is copied into the output"
_SPLIT_NOT_REDACTED = "names split across cells are not matched by term or pattern"
_SPLIT_MULTIWORD = "last|first cells with a multi-word surname are not matched"
_SPLIT_NON_ADJACENT = "non-adjacent first and last cells are not joined"
_SPLIT_NON_ADJACENT_REVERSED = "non-adjacent last and first cells are not joined"
_ZERO_WIDTH = "a zero-width space splits the word"
_ZERO_WIDTH_TERM = "a zero-width space inside the name defeats the match"
_ALT_TEXT = "image alt text (wp:docPr descr) is not read"
_CUSTOM_PROPS = "docProps/custom.xml is not read"
_UFFFE_BREAK = "a U+FFFE line break is not joined"
_SOFT_HYPHEN = "a soft hyphen is not joined"
_NAMED_DEST = "named destinations (/Names /Dests) are not read"
_COMMENT_BYTES = "an image comment stored as bytes (JPEG COM, GIF comment) is not read"
_UTF16 = "UTF-16 text is decoded as UTF-8"
_BOOKMARK = "DOCX bookmark names are not read"
_LINK = "DOCX hyperlink targets (relationships) are not read"
_UTF16_CRASH = "a UTF-16 CSV crashes the redaction engine (csv.Error: a 500 in the portal)"

# What fails with the engines as they are today: (case id, stage) -> why. Stages: "screen", and the
# redaction methods. The test marks these xfail(strict=True), so each one turns into an XPASS (a
# failure) the day it is fixed: delete its line then. `--report` lists them as FIXED.
MISSES_TODAY: dict[tuple[str, str], str] = {
    ("pdf-plain", "other-box"): _OUTPUT_UNSCREENED,
    ("pdf-accents", "other-box"): _OUTPUT_UNSCREENED,
    ("pdf-accents-stripped", "term"): _TERM_NO_ACCENT_FOLD,
    ("pdf-accents-stripped", "other-box"): _OUTPUT_UNSCREENED,
    ("pdf-accent-added", "term"): _TERM_NO_ACCENT_FOLD,
    ("pdf-accent-added", "other-box"): _OUTPUT_UNSCREENED,
    ("pdf-last-first", "screen"): _LAST_FIRST_LAST_WORD,
    ("pdf-last-first", "term"): _LAST_FIRST_MULTIWORD,
    ("pdf-last-first", "pattern"): _LAST_FIRST_MULTIWORD,
    ("pdf-last-first", "other-box"): _OUTPUT_UNSCREENED,
    ("pdf-last-first-multiword", "screen"): _LAST_FIRST_LAST_WORD,
    ("pdf-last-first-multiword", "term"): _LAST_FIRST_MULTIWORD,
    ("pdf-last-first-multiword", "pattern"): _LAST_FIRST_MULTIWORD,
    ("pdf-last-first-multiword", "other-box"): _OUTPUT_UNSCREENED,
    ("pdf-last-first-accents", "term"): _TERM_NO_LAST_FIRST,
    ("pdf-short-name", "other-box"): _OUTPUT_UNSCREENED,
    ("pdf-tj-kerning", "other-box"): _OUTPUT_UNSCREENED,
    ("pdf-truetype-no-tounicode", "screen"): _FONT_CMAP_UNREAD,
    ("pdf-truetype-no-tounicode", "term"): _FONT_NO_AREA,
    ("pdf-truetype-no-tounicode", "pattern"): _FONT_NO_AREA,
    ("pdf-truetype-no-tounicode", "other-box"): _PIXELS_UNSCREENED,
    ("pdf-actualtext", "screen"): _ACTUALTEXT,
    ("pdf-actualtext", "other-box"): _OUTPUT_UNSCREENED,
    ("pdf-hyphen-break", "screen"): _HYPHEN_BREAK,
    ("pdf-hyphen-break", "term"): _UFFFE_HYPHEN,
    ("pdf-hyphen-break", "pattern"): _UFFFE_HYPHEN,
    ("pdf-hyphen-break", "other-box"): _OUTPUT_UNSCREENED,
    ("pdf-hyphen-break-at-own-hyphen", "term"): _UFFFE_HYPHEN,
    ("pdf-hyphen-break-at-own-hyphen", "other-box"): _OUTPUT_UNSCREENED,
    ("pdf-soft-hyphen", "screen"): _SOFT_HYPHEN_BREAK,
    ("pdf-soft-hyphen", "term"): _UFFFE_HYPHEN,
    ("pdf-soft-hyphen", "pattern"): _UFFFE_HYPHEN,
    ("pdf-soft-hyphen", "other-box"): _OUTPUT_UNSCREENED,
    ("pdf-line-break", "other-box"): _OUTPUT_UNSCREENED,
    ("pdf-letter-spaced", "screen"): _LETTER_SPACED,
    ("pdf-letter-spaced", "term"): _LETTER_SPACED,
    ("pdf-letter-spaced", "pattern"): _LETTER_SPACED,
    ("pdf-letter-spaced", "other-box"): _OUTPUT_UNSCREENED,
    ("pdf-character-spacing", "other-box"): _OUTPUT_UNSCREENED,
    ("pdf-under-black-box", "other-box"): _OUTPUT_UNSCREENED,
    ("pdf-optional-content-off", "other-box"): _OCG_PROMOTED,
    ("pdf-white-text", "other-box"): _OUTPUT_UNSCREENED,
    ("pdf-tiny-text", "other-box"): _OUTPUT_UNSCREENED,
    ("pdf-invisible-render-mode", "other-box"): _OUTPUT_UNSCREENED,
    ("pdf-clipped-away", "other-box"): _OUTPUT_UNSCREENED,
    ("pdf-outside-crop-box", "term"): _CROP_REFUSED,
    ("pdf-outside-crop-box", "pattern"): _CROP_REFUSED,
    ("pdf-outside-crop-box", "box"): _CROP_COPIED,
    ("pdf-outside-crop-box", "other-box"): _CROP_COPIED_UNSCREENED,
    ("pdf-rotated-90", "other-box"): _OUTPUT_UNSCREENED,
    ("pdf-form-xobject", "other-box"): _OUTPUT_UNSCREENED,
    ("pdf-freetext-appearance", "screen"): _APPEARANCE_UNREAD,
    ("pdf-freetext-appearance", "other-box"): _APPEARANCE_BURNED,
    ("pdf-form-parent-value", "screen"): _FORM_PARENT,
    ("pdf-outline", "screen"): _OUTLINE,
    ("pdf-page-label", "screen"): _PAGE_LABELS,
    ("pdf-structure-alt", "screen"): _STRUCT_ALT,
    ("pdf-scan-page-17-of-20", "screen"): _NO_OCR,
    ("pdf-scan-page-17-of-20", "term"): _NO_OCR_TERM,
    ("pdf-scan-page-17-of-20", "pattern"): _NO_OCR_TERM,
    ("pdf-scan-page-17-of-20", "other-box"): _SCAN_UNSCREENED,
    ("pdf-scan-one-page", "screen"): _NO_OCR,
    ("pdf-scan-one-page", "term"): _NO_OCR_TERM,
    ("pdf-scan-one-page", "pattern"): _NO_OCR_TERM,
    ("pdf-scan-one-page", "other-box"): _SCAN_UNSCREENED,
    ("png-name-plate", "screen"): _NO_OCR,
    ("jpeg-name-plate", "screen"): _NO_OCR,
    ("xlsx-cell-last-first", "screen"): _LAST_FIRST_LAST_WORD,
    ("xlsx-cell-last-first", "term"): _LAST_FIRST_MULTIWORD,
    ("xlsx-cell-last-first", "pattern"): _LAST_FIRST_MULTIWORD,
    ("xlsx-header", "screen"): _XLSX_HEADER_FOOTER,
    ("xlsx-footer", "screen"): _XLSX_HEADER_FOOTER,
    ("xlsx-chart-title", "screen"): _CHART_TITLE,
    ("xlsx-validation-list", "screen"): _VALIDATION,
    ("xlsx-formula-no-cached-value", "screen"): _FORMULA_NO_CACHE,
    ("xlsx-number-format", "screen"): _NUMBER_FORMAT,
    ("xlsx-sheet-name", "screen"): _SHEET_NAME,
    ("xlsx-sheet-name", "term"): _SHEET_NAME_COPIED,
    ("xlsx-sheet-name", "pattern"): _SHEET_NAME_COPIED,
    ("xlsx-split-first-last", "term"): _SPLIT_NOT_REDACTED,
    ("xlsx-split-first-last", "pattern"): _SPLIT_NOT_REDACTED,
    ("xlsx-split-last-first", "screen"): _SPLIT_MULTIWORD,
    ("xlsx-split-last-first", "term"): _SPLIT_NOT_REDACTED,
    ("xlsx-split-last-first", "pattern"): _SPLIT_NOT_REDACTED,
    ("xlsx-split-non-adjacent", "screen"): _SPLIT_NON_ADJACENT,
    ("xlsx-split-non-adjacent", "term"): _SPLIT_NOT_REDACTED,
    ("xlsx-split-non-adjacent", "pattern"): _SPLIT_NOT_REDACTED,
    ("xlsx-split-last-column-first-far", "screen"): _SPLIT_NON_ADJACENT_REVERSED,
    ("xlsx-split-last-column-first-far", "term"): _SPLIT_NOT_REDACTED,
    ("xlsx-split-last-column-first-far", "pattern"): _SPLIT_NOT_REDACTED,
    ("csv-accent-added", "term"): _TERM_NO_ACCENT_FOLD,
    ("csv-last-first-quoted", "screen"): _LAST_FIRST_LAST_WORD,
    ("csv-last-first-quoted", "term"): _LAST_FIRST_MULTIWORD,
    ("csv-last-first-quoted", "pattern"): _LAST_FIRST_MULTIWORD,
    ("csv-split-first-last", "term"): _SPLIT_NOT_REDACTED,
    ("csv-split-first-last", "pattern"): _SPLIT_NOT_REDACTED,
    ("csv-split-last-first", "screen"): _SPLIT_MULTIWORD,
    ("csv-split-last-first", "term"): _SPLIT_NOT_REDACTED,
    ("csv-split-last-first", "pattern"): _SPLIT_NOT_REDACTED,
    ("csv-split-non-adjacent", "screen"): _SPLIT_NON_ADJACENT,
    ("csv-split-non-adjacent", "term"): _SPLIT_NOT_REDACTED,
    ("csv-split-non-adjacent", "pattern"): _SPLIT_NOT_REDACTED,
    ("csv-zero-width-space", "screen"): _ZERO_WIDTH,
    ("csv-zero-width-space", "term"): _ZERO_WIDTH_TERM,
    ("csv-zero-width-space", "pattern"): _ZERO_WIDTH_TERM,
    ("docx-image-alt-text", "screen"): _ALT_TEXT,
    ("docx-custom-property", "screen"): _CUSTOM_PROPS,
    ("txt-letter-spaced", "screen"): _LETTER_SPACED,
    ("txt-hyphen-break", "screen"): _HYPHEN_BREAK,
    ("txt-ufffe-break", "screen"): _UFFFE_BREAK,
    ("txt-soft-hyphen", "screen"): _SOFT_HYPHEN,
    ("pdf-text-as-paths", "screen"): _NO_OCR,
    ("pdf-text-as-paths", "term"): _NO_OCR_TERM,
    ("pdf-text-as-paths", "pattern"): _NO_OCR_TERM,
    ("pdf-text-as-paths", "other-box"): _PIXELS_UNSCREENED,
    ("pdf-image-on-text-page", "screen"): _NO_OCR,
    ("pdf-image-on-text-page", "term"): _NO_OCR_TERM,
    ("pdf-image-on-text-page", "pattern"): _NO_OCR_TERM,
    ("pdf-image-on-text-page", "other-box"): _PIXELS_UNSCREENED,
    ("pdf-permissions-only-encryption", "other-box"): _OUTPUT_UNSCREENED,
    ("pdf-named-destination", "screen"): _NAMED_DEST,
    ("jpeg-comment-marker", "screen"): _COMMENT_BYTES,
    ("gif-comment", "screen"): _COMMENT_BYTES,
    ("csv-utf16", "screen"): _UTF16,
    ("csv-utf16", "term"): _UTF16_CRASH,
    ("csv-utf16", "pattern"): _UTF16_CRASH,
    ("docx-bookmark-name", "screen"): _BOOKMARK,
    ("docx-hyperlink-target", "screen"): _LINK,
    ("txt-utf16", "screen"): _UTF16,
}
