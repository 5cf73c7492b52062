"""Who does a found file name, through POST /api/v1/attributions (not the engine alone)?

    python -m bench.attribution_portal_eval [--scale 1]

A migrated SQLite portal releases originals to two recipients each, fetches
every recipient's copy as they would, makes the kinds of found file the issue
names from them, and posts each one to /api/v1/attributions:

- 1-page and 2-page extracts of 30-page PDFs (metadata stripped);
- a page of an image-only (scanned) original;
- 10% crops of 12-megapixel photos (JPEG 80);
- 300-pixel thumbnails of 400x500 headshots (JPEG 85);
- 2-page extracts printed and scanned at 150 and at 100 dpi (JPEG 70, image-only PDF);
- text copied out of a 2-page extract (pdfium's text, as a .txt).

Right = exactly the recipient's grant; wrong = any other grant named. Then at
least 1,000 files that must name no one: unmarked page extracts and text of the
released originals, PDFs and photos never released, copies marked for codes the
portal never issued (outsiders), and scans of unmarked pages. `--scale` scales
the counts (2 shared cores: the default run takes several minutes).
"""
from __future__ import annotations

import argparse
import io
import logging
import random
import time
from collections import Counter, defaultdict

from PIL import Image

from bench.attribution_read import admin_portal

PDF = "application/pdf"


def _text_of(pdf: bytes) -> bytes:
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(pdf)
    return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc))).encode()


def _thumb(data: bytes, width: int) -> bytes:
    im = Image.open(io.BytesIO(data)).convert("RGB")
    from tests.clawback.test_attribution_index import _jpeg
    return _jpeg(im.resize((width, round(im.height * width / im.width)), Image.Resampling.LANCZOS), 85)


def _crop10(data: bytes, rng: random.Random) -> bytes:
    from tests.clawback.test_attribution_index import _jpeg
    im = Image.open(io.BytesIO(data))
    w, h = im.size
    x, y = rng.randint(0, w // 10), rng.randint(0, h // 10)
    return _jpeg(im.crop((x, y, x + w * 9 // 10, y + h * 9 // 10)), 80)


def run(scale: float) -> None:
    from portal import watermark
    from portal.extensions import db
    from tests.clawback.test_attribution import _copy, _setup
    from tests.clawback.test_attribution_index import _pages, _scan_of, _scanned_pdf
    from tests.watermark import image_samples
    from tests.watermark import samples as ws

    n = lambda k: max(1, round(k * scale))  # noqa: E731
    rng = random.Random(22)
    logging.getLogger("portal").setLevel(logging.ERROR)
    with admin_portal() as (client, headers):
        trials: list[tuple[str, bytes, str, int | None]] = []   # kind, data, name, grant id (None: no one)
        originals = {}
        for s in range(n(4)):
            data = ws.pdf(30, seed=100 + s)
            originals[f"long{s}"] = data
            _, rec, rel = _setup(data, f"long{s}.pdf")
            for g in rel.grants:
                copy = _copy(client, g)
                p = rng.randint(1, 30)
                trials.append(("1-page extract of a 30-page PDF", ws.pdf_strip_metadata(_pages(copy, [p])),
                               "p.pdf", g.id))
                two = _pages(copy, sorted(rng.sample(range(1, 31), 2)))
                trials.append(("2-page extract of a 30-page PDF", ws.pdf_strip_metadata(two), "pp.pdf", g.id))
                trials.append(("scan at 150 dpi", _scan_of(two, 150), "scan150.pdf", g.id))
                trials.append(("scan at 100 dpi", _scan_of(two, 100), "scan100.pdf", g.id))
                trials.append(("text copied out", _text_of(two), "copied.txt", g.id))
        for s in range(n(3)):
            _, rec, rel = _setup(_scanned_pdf(3, seed=200 + s), f"scan{s}.pdf")
            for g in rel.grants:
                page = ws.pdf_strip_metadata(_pages(_copy(client, g), [rng.randint(1, 3)]))
                trials.append(("page of an image-only original", page, "scanpage.pdf", g.id))
        for s in range(n(2)):
            photo = image_samples.encode(image_samples.photo(4000, 3000, seed=300 + s), "JPEG")
            _, rec, rel = _setup(photo, f"photo{s}.jpg")
            for g in rel.grants:
                copy = _copy(client, g)
                for _ in range(2):
                    trials.append(("10% crop of a 12 MP photo", _crop10(copy, rng), "crop.jpg", g.id))
        for s in range(n(4)):
            head = image_samples.encode(image_samples.photo(400, 500, seed=400 + s), "JPEG")
            _, rec, rel = _setup(head, f"head{s}.jpg")
            for g in rel.grants:
                trials.append(("300-px thumbnail of a 400x500 headshot", _thumb(_copy(client, g), 300),
                               "thumb.jpg", g.id))
        db.session.commit()
        # files that must name no one
        foreign = []
        for key, data in originals.items():
            for p in range(1, 31):
                foreign.append(("unmarked page of a released original", _pages(data, [p]), "u.pdf"))
                foreign.append(("text of a released original", _text_of(_pages(data, [p])), "u.txt"))
            outsider = watermark.mark(data, PDF, ws.stamp(900 + len(foreign)))
            for p in range(1, 31, 3):
                foreign.append(("page marked for an outsider", _pages(outsider, [p]), "o.pdf"))
            foreign.append(("scan of an unmarked page", _scan_of(_pages(data, [1, 2]), 150), "us.pdf"))
            foreign.append(("scan of an outsider's page", _scan_of(_pages(outsider, [1, 2]), 150), "os.pdf"))
            foreign.append(("text marked for an outsider", _text_of(_pages(outsider, [4, 5])), "o.txt"))
        for s in range(n(700)):
            foreign.append(("PDF never released", ws.pdf(2, seed=5000 + s), "x.pdf"))
        for s in range(n(20)):
            foreign.append(("photo never released",
                            image_samples.encode(image_samples.photo(400, 500, seed=6000 + s), "JPEG"), "x.jpg"))
        trials += [(kind, data, name, None) for kind, data, name in foreign]

        results: dict[str, Counter] = defaultdict(Counter)
        seconds: dict[str, list[float]] = defaultdict(list)
        for kind, data, name, grant_id in trials:
            start = time.perf_counter()
            r = client.post("/api/v1/attributions", headers=headers, data={"file": (io.BytesIO(data), name)})
            seconds[kind].append(time.perf_counter() - start)
            if r.status_code != 200:
                results[kind][f"HTTP {r.status_code}"] += 1
                continue
            named = [m["grant_id"] for m in r.get_json()["matches"]]
            if grant_id is None:
                results[kind]["wrong" if named else "right"] += 1
            else:
                results[kind]["right" if named == [grant_id] else "wrong" if named else "none"] += 1
    print("| found file | files | right | none | wrong | other | median s |")
    print("|---|---|---|---|---|---|---|")
    for kind, counts in results.items():
        total = sum(counts.values())
        other = total - counts["right"] - counts["none"] - counts["wrong"]
        median = sorted(seconds[kind])[len(seconds[kind]) // 2]
        print(f"| {kind} | {total} | {counts['right']} | {counts['none']} | {counts['wrong']} | {other} | "
              f"{median:.2f} |")
    named_total = sum(c["right"] + c["none"] + c["wrong"] for k, c in results.items()
                      if not any(t[0] == k and t[3] is None for t in trials))
    print(f"\nmarked copies: {named_total}; files that must name no one: {len(foreign)}; "
          f"wrong in all: {sum(c['wrong'] for c in results.values())}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    run(parser.parse_args().scale)


if __name__ == "__main__":
    main()
