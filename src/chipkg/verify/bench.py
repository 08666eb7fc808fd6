"""Benchmark of verification on a built report: an invented archive of every source it cites,
then ``chipkg verify``'s work timed step by step (reading the claims, opening the archive, text
extraction uncached and cached, the verdicts, writing the graph).

There is no network to the real sources, so each cited URL gets an invented page (a PDF for a
``.pdf`` URL) written from the claims that cite it: for two claims in three the page states the
claim (subject, object, amount, date in English notation), for the others it names only the
subject; and one source in eight is left out (unavailable). The pages are imported as saved files
(``sources import`` of a folder with urls.csv), as an analyst would. ``chipkg.bench`` can call
``phase_verify``; docs/verification.md gives the figures.
"""

from __future__ import annotations

import csv
import hashlib
import html
import shutil
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from chipkg.graph import store
from chipkg.verify.archive import archive_dir, read_archive
from chipkg.verify.claims import Claim, Claims, load_claims
from chipkg.verify.graph import verification_quads, write_verification
from chipkg.verify.importer import import_path
from chipkg.verify.verdict import open_source, verify

_FILLER = (
    "The announcement was made at a press conference. Officials said further details would "
    "follow in the coming weeks, and that the programme is subject to review. "
)


def _page_text(claims: list[Claim], c: Claims, url: str) -> str:
    label = c.labels.get
    lines = [f"Press release about {url.rsplit('/', 1)[-1][:40]}.", _FILLER * 3]
    for claim in claims:
        pick = int(hashlib.sha256((claim.iri + url).encode()).hexdigest(), 16) % 3
        subject = label(claim.subject) or "someone"
        if pick == 0:
            lines.append(f"{subject} commented on the matter. " + _FILLER)
            continue
        obj = label(claim.object) if claim.object else ""
        amount = ""
        if claim.amounts:
            value, cur = claim.amounts[0]
            amount = f" with {cur} {Decimal(value) / Decimal(10**6):f} million"
        date = f" on {claim.date}" if claim.date else ""
        year = f" by {claim.target_year}" if claim.target_year else ""
        lines.append(f"{subject} and {obj}{amount}{date}{year}. " + _FILLER)
    return "\n\n".join(lines)


def _pdf(text: str) -> bytes:
    from io import BytesIO

    lines = [ln.encode("latin-1", "replace").decode("latin-1") for ln in text.split("\n") if ln]
    esc = [ln.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")[:180] for ln in lines]
    content = "BT /F1 9 Tf 36 760 Td 11 TL " + " ".join(f"({x}) Tj T*" for x in esc) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n{obj}\nendobj\n".encode("latin-1", "replace"))
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    tail = f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    out.write(tail.encode())
    return out.getvalue()


def invent_archive(build_dir: Path, work: Path) -> int:
    """An invented archive of every source the built report's claims cite; returns its size."""
    claims = load_claims(store.open_store(build_dir))
    by_url: dict[str, list[Claim]] = {}
    for claim in claims.claims:
        for u in claim.sources:
            by_url.setdefault(u, []).append(claim)
    saved = work / "saved"
    saved.mkdir(parents=True, exist_ok=True)
    rows = []
    for i, (url, cs) in enumerate(sorted(by_url.items())):
        if i % 8 == 7:
            continue  # left out: unavailable
        text = _page_text(cs, claims, url)
        if url.lower().endswith(".pdf"):
            name, body = f"s{i}.pdf", _pdf(text)
        else:
            # an invented input page (not output of ours): a title and one <p> per paragraph
            paras = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n"))
            page = f"<html><head><title>Source {i}</title></head><body>{paras}</body></html>"
            name, body = f"s{i}.html", page.encode("utf-8")
        (saved / name).write_bytes(body)
        rows.append((url, name))
    with (saved / "urls.csv").open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([("url", "file"), *rows])
    count, _ = import_path(saved, archive_dir(build_dir))
    return count


def phase_verify(project: Path, repeats: int = 3) -> dict:
    """Time verification of a built project (its archive invented first, in a copy)."""
    with tempfile.TemporaryDirectory(prefix="chipkg-bench-verify-") as tmp:
        work = Path(tmp)
        copy = work / "project"
        shutil.copytree(project / "graph" / "build", copy / "graph" / "build")
        build_dir = copy / "graph" / "build"
        sources = invent_archive(build_dir, work)
        runs = [_timed_run(build_dir, cached=i > 0) for i in range(repeats)]
    best = min(runs[1:] or runs, key=lambda r: r["total_s"])
    return {"archived_sources": sources, "first_run": runs[0], "cached_run": best}


def _timed_run(build_dir: Path, cached: bool) -> dict:
    folder = archive_dir(build_dir)
    if not cached:
        shutil.rmtree(folder / "text", ignore_errors=True)
    t = {"cached_text": cached}
    t0 = time.perf_counter()
    claims = load_claims(store.open_store(build_dir))
    t["claims_s"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    a = read_archive(folder)
    urls = sorted({u for c in claims.claims for u in c.sources})
    sources = {u: open_source(a, u, folder / "text", claims.printed) for u in urls}
    t["archive_and_text_s"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    verdicts = verify(claims, sources)
    t["verdicts_s"] = time.perf_counter() - t2
    t3 = time.perf_counter()
    write_verification(
        build_dir,
        verification_quads(verdicts, sources, "2000-01-01T00:00:00Z", "2000-01-01T00:00:00Z"),
    )
    t["graph_s"] = time.perf_counter() - t3
    t["total_s"] = time.perf_counter() - t0
    t["pairs"] = len(verdicts)
    t["verdicts"] = {
        v: sum(1 for x in verdicts if x.verdict == v)
        for v in ("supported", "partial", "not-found", "unavailable")
    }
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in t.items()}
