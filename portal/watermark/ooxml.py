"""Office Open XML packages (XLSX, DOCX) edited in place.

A marked copy is the original ZIP with a few small XML parts changed or
added; every other entry is copied byte for byte, still compressed, so a
100,000-row workbook costs no more than its small parts (rebuilding it with
openpyxl takes seconds, see the notes). The writer is a minimal ZIP writer
because zipfile cannot copy an entry without recompressing it.
"""
from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib
from typing import Sequence
from xml.sax.saxutils import escape, quoteattr

from .codeword import BITS, Codeword
from .engine import Finding, WatermarkError
from .keyed import Evidence, codes_in

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CUSTOM_TYPE = REL_NS + "/custom-properties"
CUSTOM_CT = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
PROPERTY = "PortalDisclosureCode"
FIXED_DATE = (1980, 1, 1, 0, 0, 0)
FAST_ABOVE = 4 << 20   # new entries: no clock in the output
ZW_FRAME, ZW_ZERO, ZW_ONE = "\u2060", "\u200b", "\u200c"
_ZW_RUN = re.compile(f"{ZW_FRAME}([{ZW_ZERO}{ZW_ONE}]{{{BITS}}}){ZW_FRAME}")


class Package:
    """The entries of an OOXML ZIP, with changed parts held as new data."""

    def __init__(self, data: bytes, what: str):
        if data[:8] == CFB_MAGIC:
            raise WatermarkError(f"{what} is an encrypted (password-protected) Office file or a legacy "
                                 ".doc/.xls; only unencrypted .docx/.xlsx can be marked")
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            self.infos = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
            raise WatermarkError(f"{what} is not a readable ZIP package (truncated or malformed): {exc}") from None
        self.data = memoryview(data)
        self.names = {i.filename for i in self.infos}
        if "[Content_Types].xml" not in self.names:
            raise WatermarkError(f"{what} is not an Office Open XML package: no [Content_Types].xml")
        if any(i.flag_bits & 1 for i in self.infos):
            raise WatermarkError(f"{what} has encrypted ZIP entries")
        self.changed: dict[str, bytes] = {}
        self.what = what

    def read(self, name: str) -> bytes:
        if name in self.changed:
            return self.changed[name]
        try:
            return self.zip.read(name)
        except (zipfile.BadZipFile, zlib.error, EOFError, KeyError) as exc:
            raise WatermarkError(f"{self.what} has a damaged part {name}: {exc}") from None

    def put(self, name: str, data: bytes) -> None:
        self.changed[name] = data

    def unused(self, stem: str, suffix: str) -> str:
        n = 1
        while f"{stem}{n}{suffix}" in self.names or f"{stem}{n}{suffix}" in self.changed:
            n += 1
        return f"{stem}{n}{suffix}"

    def relationships(self, rels_part: str) -> list[tuple[str, str, str]]:
        """(Id, Type, Target) of a .rels part."""
        if rels_part not in self.names and rels_part not in self.changed:
            return []
        xml = self.read(rels_part).decode("utf-8", "replace")
        out = []
        for tag in re.findall(r"<(?:\w+:)?Relationship\b[^>]*>", xml):
            attrs = dict(re.findall(r'(\w+)="([^"]*)"', tag))
            out.append((attrs.get("Id", ""), attrs.get("Type", ""), attrs.get("Target", "")))
        return out

    def relate(self, rels_part: str, rel_type: str, target: str) -> str:
        """Add a relationship and return its new Id."""
        existing = {rid for rid, _, _ in self.relationships(rels_part)}
        n = 1
        while f"rIdPortal{n}" in existing:
            n += 1
        rid = f"rIdPortal{n}"
        element = f'<Relationship Id="{rid}" Type="{rel_type}" Target={quoteattr(target)}/>'
        if rels_part in self.names or rels_part in self.changed:
            self.put(rels_part, insert_before_close(self.read(rels_part), "Relationships", element.encode()))
        else:
            self.put(rels_part, b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                     b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                     + element.encode() + b"</Relationships>")
        return rid

    def declare(self, part: str, content_type: str) -> None:
        element = f'<Override PartName="/{part}" ContentType="{content_type}"/>'
        self.put("[Content_Types].xml", insert_before_close(self.read("[Content_Types].xml"), "Types",
                                                            element.encode()))

    @staticmethod
    def rels_of(part: str) -> str:
        return posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")

    def related(self, part: str, rel_type: str) -> list[str]:
        """The parts that part refers to with relationships of rel_type."""
        base = posixpath.dirname(part)
        return [target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
                for _, rt, target in self.relationships(self.rels_of(part)) if rt == rel_type]

    def main_part(self) -> str:
        for _, rel_type, target in self.relationships("_rels/.rels"):
            if rel_type.endswith("/officeDocument"):
                return target.lstrip("/")
        raise WatermarkError(f"{self.what} has no main document part")

    def set_custom_property(self, code: str) -> None:
        """The code as a custom document property, which Word, Excel and
        LibreOffice show under File > Properties and keep when they save."""
        part = next((t.lstrip("/") for _, rt, t in self.relationships("_rels/.rels") if rt == CUSTOM_TYPE), None)
        if part is None:
            part = "docProps/custom.xml"
            self.put(part, b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns='
                     b'"http://schemas.openxmlformats.org/officeDocument/2006/custom-properties">'
                     + _property(code, 2, "") + b"</Properties>")
            self.declare(part, CUSTOM_CT)
            self.relate("_rels/.rels", CUSTOM_TYPE, part)
            return
        xml = re.sub(rb'<(\w+:)?property\b[^>]*name="' + PROPERTY.encode() + rb'".*?</(\w+:)?property>', b"",
                     self.read(part), flags=re.S)
        pid = max([int(p) for p in re.findall(rb'pid="(\d+)"', xml)] + [1]) + 1
        root = re.search(rb"<(\w+:)?Properties\b", xml)
        prefix = (root.group(1) or b"").decode() if root else ""
        self.put(part, insert_before_close(xml, "Properties", _property(code, pid, prefix)))

    def save(self) -> bytes:
        writer = _RawZip()
        for info in self.infos:
            if info.filename in self.changed:
                writer.add(info.filename, self.changed.pop(info.filename), info.date_time)
            else:
                writer.copy(info, self._raw(info))
        for name, data in sorted(self.changed.items()):
            writer.add(name, data, FIXED_DATE)
        return writer.finish()

    def _raw(self, info: zipfile.ZipInfo) -> memoryview:
        start = info.header_offset
        header = bytes(self.data[start:start + 30])
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise WatermarkError(f"{self.what} is a damaged ZIP: bad local header for {info.filename}")
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        begin = start + 30 + name_len + extra_len
        raw = self.data[begin:begin + info.compress_size]
        if len(raw) != info.compress_size:
            raise WatermarkError(f"{self.what} is truncated inside {info.filename}")
        return raw


def _property(code: str, pid: int, prefix: str) -> bytes:
    return (f'<{prefix}property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{pid}" name="{PROPERTY}">'
            f'<vt:lpwstr xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
            f"{code}</vt:lpwstr></{prefix}property>").encode()


def insert_before_close(xml: bytes, tag: str, fragment: bytes) -> bytes:
    closes = list(re.finditer(rb"</(\w+:)?" + tag.encode() + rb"\s*>", xml))
    if not closes:
        raise WatermarkError(f"malformed package part: no closing </{tag}>")
    at = closes[-1].start()
    return xml[:at] + fragment + xml[at:]


def xml_text(text: str) -> str:
    # Characters XML 1.0 forbids would make the part unreadable; drop them.
    return escape(re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f]", "", text))


def zero_width(codeword: Codeword) -> str:
    return ZW_FRAME + "".join(ZW_ONE if b else ZW_ZERO for b in codeword.bits) + ZW_FRAME


class _RawZip:
    """Writes entries in order; copied ones keep their compressed bytes."""

    def __init__(self):
        self.out = io.BytesIO()
        self.central: list[bytes] = []

    @staticmethod
    def _dos(date_time) -> tuple[int, int]:
        y, mo, d, h, mi, s = date_time
        return (h << 11) | (mi << 5) | (s // 2), ((y - 1980) << 9) | (mo << 5) | d

    def _entry(self, name: str, flags: int, method: int, date_time, crc: int, raw, size: int) -> None:
        if len(raw) >= 0xFFFFFFFF or size >= 0xFFFFFFFF or self.out.tell() >= 0xFFFFFFFF:
            raise WatermarkError("the package is too large to mark (over 4 GB)")
        encoded = name.encode("utf-8")
        flags = (flags & ~0x08) | (0x800 if not name.isascii() else 0)
        t, d = self._dos(date_time)
        offset = self.out.tell()
        self.out.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, flags, method, t, d, crc,
                                   len(raw), size, len(encoded), 0) + encoded)
        self.out.write(raw)
        self.central.append(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, flags, method, t, d,
                                        crc, len(raw), size, len(encoded), 0, 0, 0, 0, 0, offset) + encoded)

    def copy(self, info: zipfile.ZipInfo, raw) -> None:
        self._entry(info.filename, info.flag_bits, info.compress_type, info.date_time, info.CRC, raw,
                    info.file_size)

    def add(self, name: str, data: bytes, date_time) -> None:
        # A large rewritten part (a worksheet of many rows) is compressed at a
        # faster level: level 6 took three times as long for 12% less size.
        level = 6 if len(data) < FAST_ABOVE else 3
        packer = zlib.compressobj(level, zlib.DEFLATED, -15)
        raw = packer.compress(data) + packer.flush()
        self._entry(name, 0, zipfile.ZIP_DEFLATED, date_time, zlib.crc32(data), raw, len(data))

    def finish(self) -> bytes:
        start = self.out.tell()
        directory = b"".join(self.central)
        self.out.write(directory)
        self.out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(self.central), len(self.central),
                                   len(directory), start, 0))
        return self.out.getvalue()


_FOOTER = re.compile(r"<(?:\w+:)?(?:odd|even|first)Footer\b[^>]*>(.*?)</(?:\w+:)?(?:odd|even|first)Footer>", re.S)


def read(candidate: bytes, original: bytes, candidates: Sequence[Codeword]) -> list[Finding]:
    """Every mark either format may carry, found by where it sits:
    the custom property, footers (Word footer parts, Excel footer strings),
    zero-width sequences, and the code printed anywhere else (a notice sheet)."""
    package = Package(candidate, "the candidate")
    evidence = Evidence(candidates)
    for info in package.infos:
        name = info.filename
        if not name.endswith(".xml") or info.file_size > 512 << 20:
            continue
        text = package.read(name).decode("utf-8", "replace")
        if name.lower().endswith("custom.xml") and PROPERTY in text:
            evidence.add_all(codes_in(text), "custom property")
            continue
        for m in _ZW_RUN.finditer(text):
            evidence.add(Codeword.from_bits(c == ZW_ONE for c in m.group(1)), "zero-width sequence")
        if re.search(r"(^|/)footer\d*\.xml$", name) or "<w:ftr" in text[:2000]:
            evidence.add_all(codes_in(text), "footer")
            continue
        footers = " ".join(_FOOTER.findall(text))
        evidence.add_all(codes_in(footers), "footer")
        evidence.add_all(codes_in(_FOOTER.sub("", text)), "notice")
    return evidence.findings(exclude=_inherent(original) if evidence else set())


def _inherent(original: bytes) -> set[Codeword]:
    """Codes the original itself contains: they name no recipient."""
    package = Package(original, "the original")
    found: set[Codeword] = set()
    for info in package.infos:
        if info.filename.endswith(".xml"):
            found |= codes_in(package.read(info.filename).decode("utf-8", "replace"))
    return found
