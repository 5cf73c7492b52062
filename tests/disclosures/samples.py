"""Small files of each type, made here so the tests need no fixtures on disk."""
from __future__ import annotations

import io


def text() -> bytes:
    return b"Budget memo\nLine two of the memo\nLine three\n"


def csv() -> bytes:
    return b"name,badge,unit\r\nAna Diaz,1234,Patrol\r\nBo Chen,5678,Traffic\r\nCy Ode,9012,Records\r\n"


def pdf(pages: int = 2) -> bytes:
    import pikepdf
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    for i in range(pages):
        content = pdf.make_stream(f"BT /F1 14 Tf 72 700 Td (Page {i + 1} of the budget memo) Tj ET".encode())
        pdf.pages.append(pikepdf.Page(pikepdf.Dictionary(
            Type=pikepdf.Name.Page, MediaBox=[0, 0, 612, 792], Contents=content,
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)))))
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue()


def png(w: int = 320, h: int = 240) -> bytes:
    import numpy as np
    from PIL import Image
    rng = np.random.default_rng(7)
    y, x = np.mgrid[0:h, 0:w]
    base = (np.sin(x / 17.0) + np.cos(y / 11.0)) * 50 + 128 + rng.normal(0, 12, (h, w))
    rgb = np.stack([base, base * 0.9, base * 0.7], axis=-1).clip(0, 255).astype("uint8")
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, "PNG")
    return out.getvalue()


def unknown_binary() -> bytes:
    return bytes(range(256)) * 40
