"""XLSX: every sheet (hidden and very hidden too), hidden rows and columns, comments, defined
names, external links and document properties."""
from __future__ import annotations

import io
import warnings

from . import Extract, Limits, Unreadable, check_zip, column_name
from .package import sheet_titles
from .text import Table


def _ranges(numbers: list[int], name=str) -> str:
    """[1, 2, 3, 7] -> "1-3, 7"."""
    out, start, prev = [], None, None
    for n in sorted(numbers) + [None]:
        if start is not None and (n is None or n != prev + 1):
            out.append(name(start) if start == prev else f"{name(start)}-{name(prev)}")
            start = None
        if n is not None and start is None:
            start = n
        prev = n
    return ", ".join(out)


CATCH_ALL_SHEET_MAX = 8 * 1024 ** 2    # worksheets up to this size are also read whole, as XML
_LABELS = {"xl/charts/": "chart", "xl/drawings/": "drawing", "docProps/custom": "custom properties",
           "xl/pivot": "pivot table", "xl/tables/": "table definition", "xl/externalLinks/": "external link"}


def _package(zf, out: Extract, limits: Limits, titles: dict[str, str]) -> None:
    """What openpyxl does not load: formulas, validation lists, headers and footers, charts,
    drawings' alt text, custom properties, and every other XML part as a catch-all."""
    from .package import read_parts, read_sheet_extras
    names = zf.namelist()
    read_sheet_extras(zf, names, out, limits.max_sheet_xml, titles)
    sizes = {i.filename: i.file_size for i in zf.infolist()}

    def skip(name: str) -> bool:
        return name.startswith("xl/worksheets/sheet") and sizes[name] > CATCH_ALL_SHEET_MAX
    read_parts(zf, out, skip, limits.max_text, _LABELS)


def read(data: bytes, limits: Limits) -> Extract:
    import openpyxl
    package = check_zip(data, limits)
    sheets = sum(i.file_size for i in package.infolist() if i.filename.startswith("xl/worksheets/"))
    if sheets > limits.max_sheet_xml:
        raise Unreadable(f"its sheets hold {sheets:,} bytes of XML; the limit is {limits.max_sheet_xml:,}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True, keep_links=True)
    except Exception as exc:  # openpyxl raises many types for a broken package
        raise Unreadable(f"the workbook cannot be opened ({type(exc).__name__})") from exc
    out = Extract()
    out.text("\n".join(ws.title for ws in wb.worksheets), "sheet names")
    cells = 0
    for ws in wb.worksheets:
        title = ws.title
        if ws.sheet_state == "hidden":
            out.find("hidden_sheet", title, f"sheet '{title}' is hidden ({ws.max_row} rows)")
        elif ws.sheet_state == "veryHidden":
            out.find("very_hidden_sheet", title, f"sheet '{title}' is very hidden ({ws.max_row} rows)")
        cells += ws.max_row * ws.max_column
        if cells > limits.max_cells:
            raise Unreadable(f"more than {limits.max_cells:,} cells")
        rows = ws.iter_rows(values_only=True)
        first = next(rows, None)
        table = Table(list(first or []))
        if first is not None:
            table.row(1, list(first))
        for n, row in enumerate(rows, 2):
            table.row(n, list(row))
        table.emit(out, title, lambda r, c, t=title: f"{t}!{column_name(c)}{r}")
        hidden_rows = [r for r, d in ws.row_dimensions.items() if d.hidden]
        if hidden_rows:
            out.find("hidden_rows", title, f"rows {_ranges(hidden_rows)}")
        hidden_cols = []
        for d in ws.column_dimensions.values():
            if d.hidden:
                hidden_cols.extend(range(d.min or 1, (d.max or d.min or 1) + 1))
        if hidden_cols:
            out.find("hidden_columns", title, f"columns {_ranges(hidden_cols, column_name)}")
        for cell in list(ws._cells.values()):  # only the cells that exist, not the whole grid
            fmt = cell.number_format
            if fmt and '"' in fmt:     # literal text in a number format shows in the cell
                out.text(fmt.replace('"', " "), f"number format at {title}!{cell.coordinate}")
            if cell.comment is not None:
                where = f"{title}!{cell.coordinate}"
                out.find("comments", where, f"by {cell.comment.author or 'unknown'}")
                out.text(cell.comment.text, f"comment at {where}")
        for name, dn in ws.defined_names.items():
            out.text(f"{name} {dn.attr_text}", f"{title} defined name")
    names = [(n, d) for n, d in wb.defined_names.items() if not n.startswith("_xlnm.")]  # print areas
    if names:
        out.find("defined_names", "workbook", ", ".join(n for n, _ in names[:20]))
        for name, dn in names:
            out.text(f"{name} {dn.attr_text}", f"defined name {name}")
    for i, link in enumerate(getattr(wb, "_external_links", []), 1):
        target = getattr(getattr(link, "file_link", None), "Target", None) or "unknown"
        out.find("external_links", f"external link {i}", target)
        out.text(target, f"external link {i}")
    _package(package, out, limits, sheet_titles(package))
    props = wb.properties
    meta = " | ".join(str(v) for v in (props.creator, props.lastModifiedBy, props.title, props.subject,
                                       props.description, props.keywords) if v)
    out.text(meta, "document properties")
    return out
