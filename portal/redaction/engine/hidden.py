"""Optional content that is OFF (a layer the reader does not show) removed from the pages before a
redacted page is rebuilt, so its text never reaches the new text layer. pdfium leaves hidden
layers out of the pixels but still reports their characters."""
from __future__ import annotations

import io


def _off_groups(pdf) -> set:
    import pikepdf
    props = pdf.Root.get("/OCProperties")
    if not isinstance(props, pikepdf.Dictionary):
        return set()
    default = props.get("/D")
    off = set()
    if isinstance(default, pikepdf.Dictionary):
        off = {g.objgen for g in default.get("/OFF") or [] if getattr(g, "is_indirect", False)}
        if default.get("/BaseState") == pikepdf.Name.OFF:
            on = {g.objgen for g in default.get("/ON") or [] if getattr(g, "is_indirect", False)}
            off |= {g.objgen for g in props.get("/OCGs") or [] if g.objgen not in on}
    return off


def _hidden(ref, off: set) -> bool:
    """An optional-content group or membership dictionary that resolves to OFF."""
    import pikepdf
    if not isinstance(ref, pikepdf.Dictionary):
        return False
    if ref.get("/Type") == pikepdf.Name.OCMD:
        groups = ref.get("/OCGs")
        groups = [groups] if isinstance(groups, pikepdf.Dictionary) else list(groups or [])
        states = [g.objgen in off for g in groups if getattr(g, "is_indirect", False)]
        policy = ref.get("/P", pikepdf.Name.AnyOn)
        if not states:
            return False
        if policy == pikepdf.Name.AllOn:
            return any(states)
        if policy == pikepdf.Name.AnyOff:
            return not any(states)
        if policy == pikepdf.Name.AllOff:
            return not all(states)
        return all(states)      # AnyOn: hidden when every group is off
    return ref.objgen in off if ref.is_indirect else False


def _strip(pdf, stream_owner, resources, off: set) -> None:
    """Remove OFF marked content (/OC BDC ... EMC) and Do of OFF XObjects from one content stream."""
    import pikepdf
    props = resources.get("/Properties") if resources is not None else None
    xobjects = resources.get("/XObject") if resources is not None else None
    kept, depth_hidden, depth = [], None, 0
    for operands, op in pikepdf.parse_content_stream(stream_owner):
        name = str(op)
        if name in ("BDC", "BMC"):
            depth += 1
            if depth_hidden is None and name == "BDC" and len(operands) == 2 and operands[0] == pikepdf.Name.OC:
                ref = operands[1]
                if isinstance(ref, pikepdf.Name) and props is not None:
                    ref = props.get(ref)
                if _hidden(ref, off):
                    depth_hidden = depth
                    continue
        elif name == "EMC":
            depth -= 1
            if depth_hidden is not None and depth < depth_hidden:
                depth_hidden = None
                continue
        if depth_hidden is not None:
            continue
        if name == "Do" and xobjects is not None and operands:
            xobj = xobjects.get(operands[0])
            if xobj is not None and _hidden(xobj.get("/OC"), off):
                continue
        kept.append((operands, op))
    return pikepdf.unparse_content_stream(kept)


def without_hidden_content(data: bytes) -> bytes:
    """The PDF with OFF optional content removed from every page (and its forms); `data` itself
    where nothing is OFF."""
    import pikepdf
    with pikepdf.open(io.BytesIO(data)) as pdf:
        off = _off_groups(pdf)
        if not off:
            return data
        done: set = set()
        for page in pdf.pages:
            page.contents_coalesce()
            page.Contents = pdf.make_stream(_strip(pdf, page, page.get("/Resources"), off))
            for xobj in (page.get("/Resources") or {}).get("/XObject", {}).values() \
                    if page.get("/Resources") is not None else []:
                if xobj.get("/Subtype") == pikepdf.Name.Form and xobj.objgen not in done:
                    done.add(xobj.objgen)
                    xobj.write(_strip(pdf, xobj, xobj.get("/Resources"), off))
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()
