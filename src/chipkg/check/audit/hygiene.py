"""Citation hygiene: dangling markers, orphan footnotes, duplicate footnotes, near-duplicate
and malformed URLs, URLs that point at a landing page rather than a document."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from chipkg.check.audit.model import THRESHOLDS, Data
from chipkg.ingest.citations import check_url

_RE_WORD = re.compile(r"^[a-z]{1,12}$")
_TRACKING = re.compile(
    r"^(utm_[a-z0-9_]+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|yclid|igshid|_ga|_gl)$",
    re.IGNORECASE,
)


def url_key(url: str) -> tuple[str, list[str]]:
    """A comparison key for near-duplicate URLs, and what was normalised away to reach it:
    scheme, a leading www., repeated or trailing slashes, tracking parameters, parameter order,
    the fragment. Host case and default ports are already normalised by the build."""
    parts = urlsplit(url)
    notes: list[str] = []
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
        notes.append("www.")
    if parts.port:
        host = f"{host}:{parts.port}"
    if parts.scheme.lower() == "http":
        notes.append("http")
    path = parts.path
    if "//" in path:
        path = re.sub(r"/{2,}", "/", path)
        notes.append("repeated slashes")
    if path.endswith("/"):
        path = path.rstrip("/")
        if parts.path not in ("", "/"):
            notes.append("trailing slash")
    params = parse_qsl(parts.query, keep_blank_values=True)
    tracking = sorted({k for k, _ in params if _TRACKING.match(k)})
    if tracking:
        notes.append("tracking parameters (" + ", ".join(tracking) + ")")
    kept = [(k, v) for k, v in params if not _TRACKING.match(k)]
    if kept != sorted(kept):
        notes.append("parameter order")
    query = "&".join(f"{k}={v}" for k, v in sorted(kept))
    if parts.fragment:
        notes.append("fragment (#" + parts.fragment + ")")
    return f"{host}{path}" + (f"?{query}" if query else ""), notes


def measure(d: Data) -> dict[str, Any]:
    findings = sorted(
        d.findings, key=lambda f: (f["report"], f["line"] or 0, f["kind"], f["message"])
    )
    urls = sorted(set(d.sources) | {f["url"] for f in d.footnotes if f["url"]})
    cited_by: dict[str, list[str]] = defaultdict(list)  # url -> "report pN fnM", in page order
    for f in sorted(d.footnotes, key=lambda f: (f["report"], f["page"] or 0, f["number"])):
        if f["url"]:
            cited_by[f["url"]].append(f"{f['report']} p{f['page']} fn{f['number']}")
    return {
        "dangling_markers": _dangling(d),
        "orphan_footnotes": sorted(
            (
                {
                    "report": f["report"],
                    "page": f["page"],
                    "line": f["line"],
                    "message": f["message"],
                }
                for f in d.findings
                if f["kind"] == "orphan-footnote"
            ),
            key=lambda r: (r["report"], r["line"] or 0),
        ),
        "parse_findings": {
            "by_kind": dict(sorted(Counter(f["kind"] for f in findings).items())),
            "by_severity": dict(sorted(Counter(f["severity"] for f in findings).items())),
            "items": findings,
        },
        "duplicate_footnotes": _duplicate_footnotes(d),
        "near_duplicate_urls": _near_duplicates(urls, cited_by),
        "malformed_urls": [
            {"url": u, "problem": problem, "footnotes": cited_by[u]}
            for u in urls
            if (problem := check_url(u))
        ],
        "landing_pages": _landing_pages(urls),
    }


def _dangling(d: Data) -> list[dict[str, Any]]:
    """Markers that resolve to no footnote (marked in the graph, or only a parse finding)."""
    dangling = sorted(
        (
            {
                "report": m["report"],
                "page": m["page"],
                "line": m["line"],
                "printed": m["printed"],
                "message": f"marker '{m['printed']}' on page {m['page']} resolves to no footnote",
            }
            for m in d.dangling
        ),
        key=lambda r: (r["report"], r["line"] or 0),
    )
    # the parser also records dangling markers as findings; keep findings not already listed
    listed = {(r["report"], r["line"]) for r in dangling}
    for f in d.findings:
        if f["kind"] == "dangling-marker" and (f["report"], f["line"]) not in listed:
            dangling.append(
                {
                    "report": f["report"],
                    "page": f["page"],
                    "line": f["line"],
                    "printed": None,
                    "message": f["message"],
                }
            )
    return dangling


def _duplicate_footnotes(d: Data) -> list[dict[str, Any]]:
    """One URL cited under several footnote numbers on the same page."""
    dup: dict[tuple, list[dict]] = defaultdict(list)
    for f in d.footnotes:
        if f["url"]:
            dup[(f["report"], f["page"], f["url"])].append(f)
    duplicates = []
    for (rid, page, url), fns in sorted(
        dup.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0, kv[0][2])
    ):
        numbers = sorted({f["number"] for f in fns})
        if len(numbers) < 2:
            continue
        duplicates.append(
            {
                "report": rid,
                "page": page,
                "url": url,
                "footnotes": numbers,
                "lines": sorted({f["line"] for f in fns if f["line"]}),
                "reasoning": (
                    f"page {page} cites the same URL under footnotes "
                    + ", ".join(map(str, numbers))
                    + ": one footnote would do; check that each marker meant this document"
                ),
            }
        )
    return duplicates


def _near_duplicates(urls: list[str], cited_by: dict[str, list[str]]) -> list[dict[str, Any]]:
    """URLs equal under ``url_key``: probably one document under several addresses."""
    by_key: dict[str, list[tuple[str, list[str]]]] = defaultdict(list)
    for u in urls:
        key, notes = url_key(u)
        by_key[key].append((u, notes))
    near = []
    for key, members in sorted(by_key.items()):
        if len(members) < 2:
            continue
        all_notes = [set(n) for _, n in members]
        differ = sorted(set().union(*all_notes) - set.intersection(*all_notes))
        if "http" in differ:
            differ[differ.index("http")] = "scheme (http/https)"
        near.append(
            {
                "key": key,
                "urls": [{"url": u, "normalised": n, "footnotes": cited_by[u]} for u, n in members],
                "differences": differ,
                "reasoning": f"{len(members)} URLs differ only in "
                + (", ".join(differ) or "normalisation")
                + ": probably one document cited under several addresses",
            }
        )
    return near


def _landing_pages(urls: list[str]) -> list[dict[str, Any]]:
    """URLs whose path is empty or only generic words, with no query: a home page or a site
    section, not a document."""
    landing = []
    max_seg = THRESHOLDS["hygiene"]["landing_page_max_path_segments"]
    for u in urls:
        parts = urlsplit(u)
        segments = [s for s in parts.path.split("/") if s]
        if (
            len(segments) <= max_seg
            and all(_RE_WORD.match(s) for s in segments)
            and not parts.query
            and parts.scheme in ("http", "https")
        ):
            shown = "/" + "/".join(segments) + ("/" if segments else "")
            landing.append(
                {
                    "url": u,
                    "reasoning": (
                        f"the path '{shown}' is "
                        + ("empty" if not segments else "only generic words")
                        + " and there is no query: it points at a home page or a site section "
                        "(a newsroom index), not a document, and what it shows changes over time"
                    ),
                }
            )
    return landing
