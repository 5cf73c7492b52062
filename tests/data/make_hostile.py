"""Make the hostile-input corpus in tests/data/hostile/: files an attacker or a broken scanner
might send the portal. Run it by hand (`python tests/data/make_hostile.py`) or let
tests/security/conftest.py run it when the folder is missing or older than this script.

Each file is listed in manifest.json with the name it is uploaded under (the hostile names live
there: a file on disk cannot be called ../../etc/passwd), the content type the client declares,
and how it is sent: `upload` (multipart, through upload -> screening -> release -> download ->
attribution) or `json` (the body of an API call).
"""
from __future__ import annotations

import io
import json
import struct
import sys
import zipfile
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "hostile"
VERSION = 6          # bump when the corpus changes: the fixture regenerates a stale folder


def _pdf(pages: int = 1, text: str = "Hostile corpus page", **extra) -> bytes:
    import pikepdf
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    content = pdf.make_stream(f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode())
    for _ in range(pages):
        pdf.pages.append(pikepdf.Page(pikepdf.Dictionary(
            Type=pikepdf.Name.Page, MediaBox=[0, 0, 612, 792], Contents=content,
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)))))
    for key, value in extra.items():
        pdf.Root["/" + key] = pdf.make_indirect(value)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _pages_pdf(pages: int) -> bytes:
    """Many blank pages written directly (pikepdf appends pages in quadratic time)."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Count %d /Kids [%s] >>" % (pages, b" ".join(b"%d 0 R" % (3 + i) for i in range(pages)))]
    objs += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"] * pages
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer << /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def _encrypted(user: str) -> bytes:
    import pikepdf
    with pikepdf.open(io.BytesIO(_pdf())) as pdf:
        out = io.BytesIO()
        pdf.save(out, encryption=pikepdf.Encryption(owner="owner-secret", user=user))
        return out.getvalue()


def _action_pdf(action) -> bytes:
    import pikepdf
    return _pdf(OpenAction=pikepdf.Dictionary(action))


def _png(width: int, height: int, rows: bytes | None = None) -> bytes:
    """A 1-bit greyscale PNG; `rows` None streams `height` blank rows through zlib (a pixel bomb)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    comp = zlib.compressobj(9)
    if rows is None:
        row = b"\x00" * (1 + (width + 7) // 8)
        block = row * max(1, (1 << 20) // len(row))
        per = len(block) // len(row)
        idat, left = [], height
        while left > 0:
            n = min(per, left)
            idat.append(comp.compress(block[: n * len(row)]))
            left -= n
        data = b"".join(idat) + comp.flush()
    else:
        data = comp.compress(rows) + comp.flush()
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def _jpeg() -> bytes:
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 30, 200)).save(out, "JPEG")
    return out.getvalue()


def _zip(entries: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return out.getvalue()


CT_XLSX = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
           b'package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="application/'
           b'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>')
CT_DOCX = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
           b'package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/'
           b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _zip_bomb(ct: bytes, part: str, size: int) -> bytes:
    """One part that inflates to `size` bytes of spaces inside a real-looking package."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", ct)
        with zf.open(part, "w", force_zip64=True) as fh:
            fh.write(b"<?xml version='1.0'?><x>")
            block = b" " * (1 << 20)
            for _ in range(size >> 20):
                fh.write(block)
            fh.write(b"</x>")
    return out.getvalue()


def _docx(document: bytes) -> bytes:
    return _zip({"[Content_Types].xml": CT_DOCX, "word/document.xml": document})


def _real_docx() -> bytes:
    import docx
    d = docx.Document()
    d.add_paragraph("A memo about the budget.")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def _real_xlsx() -> bytes:
    from openpyxl import Workbook
    wb = Workbook()
    wb.active.append(["name", "amount"])
    wb.active.append(["Alice", 10])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _nested_zip(depth: int) -> bytes:
    data = b"the innermost file"
    name = "inner.txt"
    for n in range(depth):
        data, name = _zip({name: data}), f"level{n}.zip"
    return data


LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                     for i in range(1, 10))
          + b']><w:document ' + W + b'><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>')
XXE = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><w:document '
       + W + b'><w:body><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p></w:body></w:document>')
TEXT = "A plain memo about the parks budget.\nNothing sensitive in here.\n".encode()


def corpus() -> dict[str, tuple[bytes, dict]]:
    """file name -> (bytes, manifest entry)."""
    import pikepdf
    good_pdf = _pdf(3)
    mz = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" + b"\x00" * 200
    files: dict[str, tuple[bytes, dict]] = {
        # PDFs
        "truncated.pdf": (good_pdf[: len(good_pdf) // 2], {}),
        "malformed.pdf": (b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nendobj\ngarbage\x00\xff" * 20, {}),
        "header_only.pdf": (b"%PDF-1.4\n%%EOF\n", {}),
        "encrypted_user_password.pdf": (_encrypted("open-sesame"), {}),
        "encrypted_owner_only.pdf": (_encrypted(""), {}),
        "javascript.pdf": (_action_pdf({"/S": pikepdf.Name.JavaScript, "/JS": "app.alert('pwned');"}), {}),
        "launch_action.pdf": (_action_pdf({"/S": pikepdf.Name.Launch,
                                           "/F": pikepdf.Dictionary(F="cmd.exe"),
                                           "/Win": pikepdf.Dictionary(F="cmd.exe", P="/c calc")}), {}),
        "many_pages.pdf": (_pages_pdf(12_000), {}),
        "deep_nesting.pdf": (b"%PDF-1.4\n1 0 obj\n" + b"[" * 200_000 + b"]" * 200_000
                             + b"\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n", {}),
        "pdf_zip_polyglot.pdf": (good_pdf + _zip({"evil.txt": b"hidden payload"}), {}),
        "html_posing_as.pdf": (b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script>"
                               b"</body></html>\n", {"declared": "application/pdf"}),
        # images
        "pixel_bomb_header.png": (_png(200_000, 200_000, rows=b"\x00" * 64), {}),
        "pixel_bomb_real.png": (_png(12_000, 12_000), {}),
        "jpeg_zip_polyglot.jpg": (_jpeg() + _zip({"evil.txt": b"hidden payload"}), {}),
        "exe_declared_png.png": (mz, {"declared": "image/png"}),
        "empty.png": (b"", {"declared": "image/png"}),
        "truncated.jpg": (_jpeg()[:300], {}),
        "script.svg": (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script>'
                       b"</svg>\n", {"declared": "image/svg+xml"}),
        # archives posing as Office files
        "zip_bomb.xlsx": (_zip_bomb(CT_XLSX, "xl/workbook.xml", 100 << 20), {}),
        "zip_bomb.docx": (_zip_bomb(CT_DOCX, "word/document.xml", 100 << 20), {}),
        "many_entries.xlsx": (_zip({"[Content_Types].xml": CT_XLSX,
                                    **{f"xl/p{i}.xml": b"<a/>" for i in range(12_000)}}), {}),
        "nested.zip": (_nested_zip(12), {}),
        "billion_laughs.docx": (_docx(LAUGHS), {}),
        "xxe.docx": (_docx(XXE), {}),
        # the DTD after 64 KB of comments, past a check that reads only the start of each part
        "padded_laughs.docx": (_docx(LAUGHS.replace(b"?>", b"?>" + b"<!-- padding -->" * 4096, 1)), {}),
        "traversal_entries.zip": (_zip({"../../etc/cron.d/evil": b"* * * * * root sh", "/abs/evil": b"x"}), {}),
        "truncated.xlsx": (_real_xlsx()[:700], {}),
        "legacy_encrypted_office.docx": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4000, {}),
        # hostile names on harmless content
        "name_traversal.txt": (TEXT, {"name": "../../etc/passwd"}),
        "name_control_chars.txt": (TEXT, {"name": "memo\x07\x1b[31mred\x7f\t.txt"}),
        "name_rtl_override.txt": (TEXT, {"name": "invoice\u202etxt.exe"}),
        "name_very_long.txt": (TEXT, {"name": "a" * 5000 + ".txt"}),
        "name_nul.txt": (TEXT, {"name": "memo\x00.exe"}),
        "name_fullwidth.txt": (TEXT, {"name": "\uff4d\uff45\uff4d\uff4f\ufe52txt"}),
        "name_only_dots.txt": (TEXT, {"name": "..."}),
        # a record that must leave exactly as it came (a mark never changes a value)
        "formula_cells.csv": (b"name,amount,note\n\"=HYPERLINK(\"\"http://evil.test\"\",\"\"x\"\")\",+1+1,-2+3\n"
                              b"@SUM(A1:A2),\"\t=cmd|' /C calc'!A0\",\"\r=1\"\n"
                              + b"".join(b"person %d,%d,ok\n" % (i, i * 7) for i in range(150)), {}),
        # API bodies
        "oversized.json": (b'{"department": "x", "title": "t", "description": "' + b"A" * (3 << 20) + b'"}',
                           {"kind": "json"}),
        "deeply_nested.json": (b'{"department": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", {"kind": "json"}),
        "wrong_type.json": (b"department=x&title=t", {"kind": "json", "declared": "application/json"}),
    }
    return files


def make(out: Path = OUT) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    manifest = {"version": VERSION, "files": {}}
    for name, (data, meta) in corpus().items():
        (out / name).write_bytes(data)
        manifest["files"][name] = {"name": meta.get("name", name), "kind": meta.get("kind", "upload"),
                                   "declared": meta.get("declared", "application/octet-stream")}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=True))
    return out


def is_fresh(out: Path = OUT) -> bool:
    try:
        return json.loads((out / "manifest.json").read_text())["version"] == VERSION and all(
            (out / n).exists() for n in json.loads((out / "manifest.json").read_text())["files"])
    except (OSError, ValueError, KeyError):
        return False


if __name__ == "__main__":
    path = make(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
    print(f"{len(list(path.iterdir())) - 1} files in {path}")
