"""Which released originals a found file may come from: an index that scales and loses no extract.

Each released original is fingerprinted once, page by page, and the keys go
into one indexed table, so choosing candidates is a single indexed lookup
whatever the number of released records:

- **text pages**: MinHash of the page's 3-word shingles, cut into 16 bands of
  4 (locality-sensitive hashing). A page that shares most of its text with a
  released page shares at least one band key with it (p > 0.999 at 80%
  overlap), so a one-page extract of a 200-page record finds it;
- **pages without text** (scans) and **pictures**: a 64-bit difference hash of
  the page or picture, split into 8 bytes (multi-index hashing: any hash within
  7 bits shares a byte with it), the exact distance then computed for the few
  rows that share one. Pictures are also hashed over 25 windows of 90% and four
  of 80%, so a cropped copy lands near one of them.

The index only shortlists; the watermark engine's informed read decides.
"""
from __future__ import annotations

import hashlib
import io
import re
import warnings
from collections import defaultdict

import numpy as np
import sqlalchemy as sa

from ..extensions import db
from ..watermark.pdfstamp import band_height
from .models import Fingerprint, FingerprintedBlob

VERSION = 1
PDF, TEXT = "application/pdf", "text/plain"
IMAGE_TYPES = {"image/jpeg", "image/png", "image/tiff", "image/webp"}
MAX_PAGES = 2000              # pages of an original indexed
MAX_FOUND_PAGES = 20           # a found file shares many pages with its original: 20 find it
MAX_FOUND_WORDS = 20_000
_PERMS, _BANDS = 64, 16
_ROWS = _PERMS // _BANDS
_rng = np.random.default_rng(0x5EED_2026)      # fixed: the index must mean the same forever
_SEEDS = _rng.integers(0, 1 << 63, _PERMS, dtype=np.uint64)[:, None]
_MULT = (_rng.integers(0, 1 << 63, _PERMS, dtype=np.uint64) | np.uint64(1))[:, None]
_MARK_LINE = re.compile(r"^.*(Released to .*code |PORTAL-DISCLOSURE-CODE:).*$", re.M)
# The whole picture, 90% windows every 2.5% (a 10% crop is then at most 1.25% off one),
# and 80% windows in the corners.
_WINDOWS = [(1.0, 0.0, 0.0)] + [(0.9, x / 40, y / 40) for x in range(5) for y in range(5)] + [
    (0.8, x, y) for x in (0, 0.2) for y in (0, 0.2)]


def _signed(value: int) -> int:
    value &= (1 << 64) - 1
    return value - (1 << 64) if value >= 1 << 63 else value


def _key(kind: str, *parts: int) -> int:
    digest = hashlib.blake2b(repr((kind,) + parts).encode(), digest_size=8).digest()
    return _signed(int.from_bytes(digest, "big"))


# ---- text ------------------------------------------------------------------------------------

def text_keys(text: str) -> list[int]:
    """The 16 band keys of one page's text; none for a page with too few words to tell."""
    words = re.findall(r"\w+", _MARK_LINE.sub(" ", text).lower())
    if len(words) < 8:
        return []
    shingles = {" ".join(words[i:i + 3]) for i in range(len(words) - 2)}
    hashes = np.array([int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "big")
                       for s in shingles], dtype=np.uint64)[None, :]
    # 64 hash functions: xor with a seed, multiply by an odd number (a bijection
    # modulo 2^64, wrapping on purpose), fold the high bits down, multiply again.
    with np.errstate(over="ignore"):
        mixed = (hashes ^ _SEEDS) * _MULT
        mixed = (mixed ^ (mixed >> np.uint64(29))) * _MULT
    signature = mixed.min(axis=1)
    return [_key("text", band, *map(int, signature[band * _ROWS:(band + 1) * _ROWS])) for band in range(_BANDS)]


def _pdf_pages(data: bytes, limit: int):
    """(text, small greyscale render or None, size in points) of each page; the render only
    for pages without text."""
    import pypdfium2 as pdfium
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return
    try:
        for i in range(min(len(doc), limit)):
            try:
                page = doc[i]
                # the band of a marked copy is not the record's text
                text = _MARK_LINE.sub(" ", page.get_textpage().get_text_range())
                render = None
                if len(text.split()) < 8:
                    scale = 96 / max(page.get_width(), page.get_height(), 1)
                    render = page.render(scale=scale, grayscale=True).to_pil().convert("L")
            except pdfium.PdfiumError:
                continue
            yield text, render, (page.get_width(), page.get_height())
    finally:
        doc.close()


# ---- pictures --------------------------------------------------------------------------------

def dhash(im) -> int:
    from PIL import Image
    small = np.asarray(im.convert("L").resize((9, 8), Image.Resampling.BOX), dtype=np.int16)
    bits = (small[:, 1:] > small[:, :-1]).reshape(-1)
    return int("".join("1" if b else "0" for b in bits), 2)


def _hash_keys(kind: str, value: int) -> list[int]:
    return [_key(kind, i, (value >> (8 * i)) & 0xFF) for i in range(8)]


def _open_image(data: bytes, max_pixels: int):
    from PIL import Image, ImageOps
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data))
            if im.width * im.height > max_pixels or im.width < 1 or im.height < 1:
                return None
            im.draft("L", (512, 512))           # JPEG: decode at a fraction of the size
            return ImageOps.exif_transpose(im).convert("L")
    except Exception:  # any undecodable file simply has no picture fingerprint
        return None


def _without_strip(im):
    from PIL import Image

    from ..watermark.overlay import cut_strip
    pixels = np.asarray(im)
    cut = cut_strip(pixels)
    return im if cut.shape == pixels.shape else Image.fromarray(cut)


def _window(im, size: float, x: float, y: float):
    w, h = im.size
    return im.crop((round(x * w), round(y * h), round((x + size) * w), round((y + size) * h)))


# ---- what is stored, and what is looked up ---------------------------------------------------

def fingerprints(data: bytes, content_type: str, max_pixels: int) -> list[tuple[str, int, int, int | None]]:
    """(kind, page, key, full hash or None) rows of a released original."""
    rows: list[tuple[str, int, int, int | None]] = []
    if content_type == PDF:
        for number, (text, render, _) in enumerate(_pdf_pages(data, MAX_PAGES), start=1):
            rows += [("text", number, k, None) for k in text_keys(text)]
            if render is not None:
                value = dhash(render)
                rows += [("page", number, k, _signed(value)) for k in _hash_keys("page", value)]
    elif content_type == TEXT:
        text = data.decode("utf-8", errors="replace")
        for number, chunk in enumerate(_text_chunks(text), start=1):
            rows += [("text", number, k, None) for k in text_keys(chunk)]
    elif content_type in IMAGE_TYPES:
        im = _open_image(data, max_pixels)
        if im is not None:
            for number, window in enumerate(_WINDOWS, start=1):
                value = dhash(_window(im, *window))
                rows += [("photo", number, k, _signed(value)) for k in _hash_keys("photo", value)]
    return rows


def _text_chunks(text: str, words: int = 150) -> list[str]:
    """A plain text as pages of about 150 words, for text files and pasted text alike."""
    tokens = text.split()
    return [" ".join(tokens[i:i + words]) for i in range(0, len(tokens), words // 2)] or [""]


def probes(data: bytes, content_type: str, max_pixels: int) -> dict[str, set[int] | list[int]]:
    """What to look up for a found file: text band keys, and picture hashes."""
    found: dict[str, set | list] = {"text": set(), "page": [], "photo": []}
    if content_type == PDF:
        for text, render, (width, height) in _pdf_pages(data, MAX_FOUND_PAGES):
            found["text"].update(text_keys(text))
            if render is not None:
                found["page"].append(dhash(render))
                # a marked copy's page has the band below it: hash the page above it too
                above = height - band_height(width, height)
                above = height - band_height(width, above)
                w, h = render.size
                found["page"].append(dhash(render.crop((0, 0, w, max(1, round(h * above / height))))))
    elif content_type == TEXT:
        # Text copied out of a PDF runs its pages together: windows of several
        # sizes, a quarter apart, so one of them lines up with each page well
        # enough (most of its words shared) to share a band with it.
        tokens = _MARK_LINE.sub(" ", data.decode("utf-8", errors="replace")).split()[:MAX_FOUND_WORDS]
        for size in (100, 200, 400, 800):
            for start in range(0, max(1, len(tokens) - size // 2), size // 4):
                found["text"].update(text_keys(" ".join(tokens[start:start + size])))
    elif content_type in IMAGE_TYPES:
        im = _open_image(data, max_pixels)
        if im is not None:
            im = _without_strip(im)
            found["photo"] += [dhash(im), dhash(_window(im, 0.9, 0.05, 0.05))]
    return found


def index(blob_id: int, data: bytes, content_type: str, max_pixels: int) -> None:
    """Fingerprint a released original once (nothing happens if it already is)."""
    if db.session.get(FingerprintedBlob, blob_id) is not None:
        return
    rows = fingerprints(data, content_type, max_pixels)
    db.session.add(FingerprintedBlob(blob_id=blob_id, version=VERSION, keys=len(rows)))
    if rows:
        db.session.execute(sa.insert(Fingerprint), [
            {"blob_id": blob_id, "kind": kind, "page": page, "key": key, "value": value}
            for kind, page, key, value in rows])


def candidates(found: dict, limit: int, max_distance: int = 10) -> list[int]:
    """Blob ids, best first: most text bands shared, then the closest picture hash."""
    score: dict[int, float] = defaultdict(float)
    keys = list(found["text"])
    for i in range(0, len(keys), 900):
        for blob_id, hits in db.session.execute(
                sa.select(Fingerprint.blob_id, sa.func.count())
                .where(Fingerprint.kind == "text", Fingerprint.key.in_(keys[i:i + 900]))
                .group_by(Fingerprint.blob_id)):
            if hits >= 2:             # one shared band is chance at a few percent overlap
                score[blob_id] += hits
    for kind in ("page", "photo"):
        values = found[kind]
        if not values:
            continue
        lookup = {k: v for v in values for k in _hash_keys(kind, v)}
        for blob_id, stored in db.session.execute(
                sa.select(Fingerprint.blob_id, Fingerprint.value)
                .where(Fingerprint.kind == kind, Fingerprint.key.in_(list(lookup))).distinct()):
            best = min(bin((stored ^ v) & ((1 << 64) - 1)).count("1") for v in values)
            if best <= max_distance:
                score[blob_id] = max(score[blob_id], 1000.0 - best)
    return [b for b, _ in sorted(score.items(), key=lambda kv: (-kv[1], -kv[0]))[:limit]]


def ensure_indexed(blob, data: bytes | None = None, *, max_pixels: int) -> None:
    """Index a released original; never lets a failure here stop what called it (a release).

    Two copies of one record made at once both try: the second one's insert
    fails on the primary key inside its savepoint, and the first one's rows stand.
    """
    if blob.content_type not in IMAGE_TYPES | {PDF, TEXT}:
        return
    if db.session.get(FingerprintedBlob, blob.id) is not None:
        return
    if data is None:
        from ..core import storage as files
        with files.storage().open(blob.key) as fh:
            data = fh.read()
    try:
        with db.session.begin_nested():
            index(blob.id, data, blob.content_type, max_pixels)
    except sa.exc.IntegrityError:
        pass


def backfill(max_bytes: int, max_pixels: int, limit: int = 100) -> int:
    """Index originals released before the index existed, a batch at a time."""
    from ..disclosures.models import Grant
    from ..records.models import Blob, Record
    blobs = db.session.scalars(
        sa.select(Blob).where(
            Blob.content_type.in_(sorted(IMAGE_TYPES | {PDF, TEXT})), Blob.size <= max_bytes,
            Blob.id.in_(sa.select(Record.blob_id).join(Grant, Grant.record_id == Record.id)),
            ~sa.exists().where(FingerprintedBlob.blob_id == Blob.id))
        .order_by(Blob.id.desc()).limit(limit)).all()
    for blob in blobs:
        ensure_indexed(blob, max_pixels=max_pixels)
    return len(blobs)
