"""Resolve footnote markers to footnotes and source URLs, and decide which sources support each
passage, at which level.

Three levels, kept apart (see docs/provenance.md):

* ``sentence``: the passage itself carries the marker.
* ``paragraph``: no marker in the passage, but a later marker in the same paragraph covers it
  (a marker supports the text back to the previous marker or the start of its paragraph).
* ``lead``: nothing in the paragraph covers it, and its article cites a lead source in its first
  paragraph (articles that summarise one document cite it once, up front).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from urllib.parse import quote, urlsplit, urlunsplit

from chipkg.errors import ChipkgError, Finding
from chipkg.ingest.report import Footnote, Marker, ParsedReport, Passage
from chipkg.resources import ontology_dir

LEVELS = ("sentence", "paragraph", "lead")
PUBLISHER_KINDS = ("government", "company", "thinktank", "media", "academic", "other")

_RE_URLISH = re.compile(r"^(?:[a-z][a-z0-9+.-]*:/+|www\.)", re.IGNORECASE)
_RE_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
# Characters that may not appear in an IRI (RFC 3987) and would break Turtle/N-Triples output.
_IRI_UNSAFE = re.compile(r"[\x00-\x20<>\"{}|\\^`\x7f]")


@lru_cache(maxsize=1 << 16)  # a URL is cited again and again
def normalise_url(url: str) -> str:
    """Normalise a cited URL into an IRI: lower-case scheme and host, drop a default port,
    percent-encode characters an IRI may not hold. Path, query and fragment are kept as printed
    (two URLs that differ there are different documents as far as the report is concerned)."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host
    if (
        port
        and not (parts.scheme.lower() == "http" and port == 80)
        and not (parts.scheme.lower() == "https" and port == 443)
    ):
        netloc = f"{host}:{port}"
    path = parts.path or "/"
    rebuilt = urlunsplit((parts.scheme.lower(), netloc, path, parts.query, parts.fragment))
    return _IRI_UNSAFE.sub(lambda m: quote(m.group(0), safe=""), rebuilt)


def check_url(url: str) -> str | None:
    """Why ``url`` is not a well-formed absolute http(s) URL, or None if it is."""
    if url.lower().startswith("www."):
        return "no scheme (http:// or https://)"
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError as exc:
        return str(exc)
    if parts.scheme.lower() not in ("http", "https"):
        return f"scheme '{parts.scheme}' is not http or https"
    host = parts.hostname or ""
    if not host:
        return "no host name"
    if not _RE_HOST.match(host.lower()):
        return f"'{host}' is not a valid host name"
    if _IRI_UNSAFE.search(url.strip()):
        return "contains white space or characters not allowed in a URL"
    return None


def split_urls(content: str, *, line: int, text_footnote: bool = False) -> tuple[list[str], str]:
    """Split a footnote's rejoined content into URLs and leftover explanatory text.

    Two URLs may share a footnote, separated by ``; ``. A token that looks like a URL but is not
    a valid http(s) URL is a fatal error (raised without a path: the caller adds it).
    """
    urls: list[str] = []
    notes: list[str] = []
    if text_footnote:
        for m in re.finditer(r"https?://[^\s；;，。、）)”]+", content):
            urls.append(m.group(0).rstrip(".,"))
        note = content
    else:
        for token in re.split(r"[;；]\s*|\s+", content):
            if not token:
                continue
            if _RE_URLISH.match(token):
                problem = check_url(token)
                if problem:
                    raise ChipkgError(
                        f"footnote URL cannot be parsed: {problem}: {token}",
                        line=line,
                        hint="fix the URL in the report text",
                    )
                urls.append(token)
            else:
                notes.append(token)
        note = " ".join(notes)
    return urls, note


@dataclass(frozen=True)
class Publisher:
    domain: str  # as in the table: "commerce.gov", or ".gov" for a suffix rule
    kind: str
    name_en: str
    name_zh: str
    country: str


@cache
def publisher_table() -> tuple[Publisher, ...]:
    path = ontology_dir() / "publishers.csv"
    rows: list[Publisher] = []
    with path.open(encoding="utf-8", newline="") as f:
        for i, row in enumerate(csv.DictReader(f), start=2):
            kind = row["kind"].strip()
            if kind not in PUBLISHER_KINDS:
                raise ChipkgError(
                    f"unknown publisher kind '{kind}'",
                    path=path,
                    line=i,
                    hint=f"use one of {', '.join(PUBLISHER_KINDS)}",
                )
            rows.append(
                Publisher(
                    row["domain"].strip().lower(),
                    kind,
                    row["publisher_en"].strip(),
                    row["publisher_zh"].strip(),
                    row["country"].strip(),
                )
            )
    return tuple(rows)


def url_domain(iri: str) -> str:
    host = (urlsplit(iri).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


@lru_cache(maxsize=1 << 14)  # the table is read once (publisher_table): answers never change
def publisher_for(domain: str) -> Publisher | None:
    """The most specific table row for a host: exact domain, parent domain, then suffix rule."""
    best: Publisher | None = None
    for p in publisher_table():
        d = p.domain
        hit = domain == d.lstrip(".") or domain.endswith("." + d.lstrip("."))
        if hit and (best is None or len(d.lstrip(".")) > len(best.domain.lstrip("."))):
            best = p
    return best


@dataclass(frozen=True)
class Source:
    iri: str
    domain: str
    kind: str
    publisher: Publisher | None


@dataclass(frozen=True)
class Support:
    """One source (or a URL-less footnote) supporting one passage at one level."""

    passage: int
    footnote: Footnote
    source: str | None  # normalised IRI, None for an explanatory footnote without a URL
    level: str
    marker: Marker


@dataclass(frozen=True)
class Citations:
    sources: tuple[Source, ...]
    supports: tuple[Support, ...]
    marker_footnotes: tuple[tuple[Marker, tuple[Footnote, ...]], ...]
    lead_markers: tuple[tuple[int, tuple[Marker, ...]], ...]  # article -> its lead markers
    findings: tuple[Finding, ...]

    @cached_property
    def _by_passage(self) -> dict[int, tuple[Support, ...]]:
        grouped: dict[int, list[Support]] = {}
        for s in self.supports:
            grouped.setdefault(s.passage, []).append(s)
        return {index: tuple(sups) for index, sups in grouped.items()}

    def for_passage(self, index: int) -> list[Support]:
        return list(self._by_passage.get(index, ()))

    def level_of(self, index: int) -> str | None:
        levels = {s.level for s in self._by_passage.get(index, ())}
        return next((lv for lv in LEVELS if lv in levels), None)


def resolve(report: ParsedReport) -> Citations:
    findings: list[Finding] = []
    fn_by_key = {(f.page, f.number): f for f in report.footnotes}

    # marker -> footnotes
    marker_fns: dict[Marker, tuple[Footnote, ...]] = {}
    used: set[tuple[int, int]] = set()
    for mk in report.markers:
        if mk.dangling:
            continue
        fns = []
        for n in mk.numbers:
            f = fn_by_key.get((mk.page, n))
            if f is None:  # cannot happen for a chosen marker; kept as a guard for new layouts
                findings.append(
                    Finding(
                        "dangling-marker",
                        "warning",
                        mk.line,
                        f"marker {n} on page {mk.page} has no footnote",
                        mk.page,
                    )
                )
                continue
            fns.append(f)
            used.add((f.page, f.number))
        marker_fns[mk] = tuple(fns)
    for f in report.footnotes:
        if (f.page, f.number) not in used:
            findings.append(
                Finding(
                    "orphan-footnote",
                    "warning",
                    f.line,
                    f"footnote {f.number} on page {f.page} is cited by no marker",
                    f.page,
                )
            )

    # lead markers per article: the first marked sentence of its first body paragraph
    lead: dict[int, tuple[Marker, ...]] = {}
    by_para: dict[int, list[Passage]] = {}
    for p in report.passages:
        by_para.setdefault(p.paragraph, []).append(p)
    # The lead is the paragraph right after an article's title, before any section heading: an
    # article that summarises one document cites it there. A report that opens with a section
    # (the main analysis) has no lead.
    first_body_para: dict[int, int] = {}
    seen_heading: set[int] = set()
    for para in report.paragraphs:
        if para.kind == "heading":
            seen_heading.add(para.article)
        elif (
            para.kind == "body"
            and para.article not in first_body_para
            and para.article not in seen_heading
        ):
            first_body_para[para.article] = para.index
    for art, pidx in first_body_para.items():
        for p in by_para.get(pidx, []):
            live = tuple(m for m in p.markers if not m.dangling)
            if live:
                lead[art] = live
                break

    supports: list[Support] = []

    def add(passage: Passage, markers: tuple[Marker, ...], level: str) -> None:
        for mk in markers:
            for f in marker_fns.get(mk, ()):
                if not f.urls:
                    supports.append(Support(passage.index, f, None, level, mk))
                for u in f.urls:
                    supports.append(Support(passage.index, f, normalise_url(u), level, mk))

    for _pidx, plist in sorted(by_para.items()):
        for k, p in enumerate(plist):
            own = tuple(m for m in p.markers if not m.dangling)
            if own:
                add(p, own, "sentence")
                continue
            later = next(
                (q for q in plist[k + 1 :] if any(not m.dangling for m in q.markers)), None
            )
            if later is not None:
                first = next(m for m in later.markers if not m.dangling)
                add(p, (first,), "paragraph")
            elif p.article in lead and p.kind not in ("rubric", "author"):
                add(p, lead[p.article], "lead")

    iris = sorted(
        {s.source for s in supports if s.source}
        | {normalise_url(u) for f in report.footnotes for u in f.urls}
    )
    sources = []
    unknown: set[str] = set()
    for iri in iris:
        dom = url_domain(iri)
        pub = publisher_for(dom)
        sources.append(Source(iri, dom, pub.kind if pub else "other", pub))
        if pub is None:
            unknown.add(dom)
    first_line = {}
    for f in report.footnotes:
        for u in f.urls:
            first_line.setdefault(url_domain(normalise_url(u)), f.line)
    for dom in sorted(unknown):
        findings.append(
            Finding(
                "unknown-publisher",
                "info",
                first_line.get(dom, 0),
                f"domain {dom} is not in ontology/publishers.csv: publisher kind "
                "'other' — add a row to classify it",
            )
        )
    return Citations(
        sources=tuple(sources),
        supports=tuple(supports),
        marker_footnotes=tuple(sorted(marker_fns.items(), key=lambda t: t[0].start)),
        lead_markers=tuple(sorted(lead.items())),
        findings=tuple(sorted(findings, key=lambda f: (f.line, f.kind, f.message))),
    )
