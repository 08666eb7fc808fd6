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

from dataclasses import dataclass
from functools import cached_property

from chipkg.errors import Finding
from chipkg.ingest.clauses import Clause, split_into_clauses
from chipkg.ingest.model import Footnote, Marker, ParsedReport, Passage
from chipkg.ingest.publishers import (
    PUBLISHER_KINDS,
    Publisher,
    PublisherTable,
    publisher_for,
    publisher_table,
)
from chipkg.ingest.urls import check_url, normalise_url, split_urls, url_domain

# URL grammar and publisher kinds live in their own modules; named here for the callers that
# read them as part of the citation stage.
__all__ = [
    "LEVELS",
    "PUBLISHER_KINDS",
    "Citations",
    "Publisher",
    "Source",
    "Support",
    "check_url",
    "normalise_url",
    "publisher_for",
    "publisher_table",
    "resolve",
    "split_urls",
    "url_domain",
]

LEVELS = ("sentence", "paragraph", "lead")
CLAUSE = "clause"  # the level of a clause's own sources (Citations.clause_supports)


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
    clauses: tuple[Clause, ...] = ()  # of the sentences a marker splits (ingest/clauses.py)

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

    @cached_property
    def _clauses_by_passage(self) -> dict[int, tuple[Clause, ...]]:
        grouped: dict[int, list[Clause]] = {}
        for c in self.clauses:
            grouped.setdefault(c.passage, []).append(c)
        return {index: tuple(cs) for index, cs in grouped.items()}

    def clauses_of(self, index: int) -> tuple[Clause, ...]:
        """The clauses of a passage that a marker splits; () for any other passage."""
        return self._clauses_by_passage.get(index, ())

    def clause_supports(self, clause: Clause) -> list[Support]:
        """A clause's sources: those of the markers that close it (level "clause"); for the words
        after a sentence's last marker, the sentence's own."""
        if not clause.markers:
            return self.for_passage(clause.passage)
        fns = dict(self.marker_footnotes)
        return [
            Support(clause.passage, f, normalise_url(u) if u else None, CLAUSE, mk)
            for mk in clause.markers
            for f in fns.get(mk, ())
            for u in (f.urls or (None,))
        ]

    def clause_at(self, index: int, span: tuple[int, int] | None) -> Clause | None:
        """The clause a claim with this span rests on: the one where the span ends (the relation
        and its object are stated there; its subject may be named in an earlier clause). None
        when the span is unknown or its passage is not split."""
        if span is None:
            return None
        return next((c for c in self.clauses_of(index) if c.covers(span[1] - 1)), None)

    def claim_supports(self, index: int, span: tuple[int, int] | None) -> list[Support]:
        """The sources a claim rests on at clause scope: its clause's, or, where no marker splits
        its sentence or its span is unknown, its passage's (sentence, paragraph or lead)."""
        clause = self.clause_at(index, span)
        return self.clause_supports(clause) if clause is not None else self.for_passage(index)


def _notes_of(
    mk: Marker, by_key: dict[int, Footnote], by_page: dict[tuple[int, int], Footnote]
) -> list[tuple[int, Footnote | None]]:
    """(number, note) for each note a marker refers to: the notes the parser resolved it to, or
    (a marker made elsewhere, with no refs) its numbers among the footnotes of its page."""
    if mk.refs:
        return [(by_key[k].number, by_key[k]) for k in mk.refs]
    return [(n, by_page.get((mk.page, n))) for n in mk.numbers]


def _marker_footnotes(
    report: ParsedReport, findings: list[Finding]
) -> tuple[dict[Marker, tuple[Footnote, ...]], set[int]]:
    """The notes each live marker refers to, and the key of every note some marker refers to."""
    by_key = {f.key: f for f in report.footnotes}
    by_page = {(f.page, f.number): f for f in report.footnotes if f.kind == "footnote"}
    marker_fns: dict[Marker, tuple[Footnote, ...]] = {}
    used: set[int] = set()
    for mk in report.markers:
        if mk.dangling:
            continue
        fns = []
        for n, f in _notes_of(mk, by_key, by_page):
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
            used.add(f.key)
        marker_fns[mk] = tuple(fns)
    return marker_fns, used


def _orphan_message(f: Footnote, lists: dict[int, int]) -> str:
    if f.kind == "endnote":
        where = f"of the reference list at line {lists.get(f.list_start or 0, f.line)}"
        return f"note [{f.number}] {where} is cited by no marker"
    return f"footnote {f.number} on page {f.page} is cited by no marker"


def _orphans(report: ParsedReport, used: set[int]) -> list[Finding]:
    lists = {rl.start: rl.line for rl in report.reference_lists}
    return [
        Finding("orphan-footnote", "warning", f.line, _orphan_message(f, lists), f.page)
        for f in report.footnotes
        if f.key not in used
    ]


def _by_paragraph(report: ParsedReport) -> dict[int, list[Passage]]:
    by_para: dict[int, list[Passage]] = {}
    for p in report.passages:
        by_para.setdefault(p.paragraph, []).append(p)
    return by_para


def _lead_markers(
    report: ParsedReport, by_para: dict[int, list[Passage]]
) -> dict[int, tuple[Marker, ...]]:
    """Lead markers per article: the first marked sentence of its lead paragraph.

    The lead is the paragraph right after an article's title, before any section heading: an
    article that summarises one document cites it there. A report that opens with a section (the
    main analysis) has no lead."""
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
    lead: dict[int, tuple[Marker, ...]] = {}
    for art, pidx in first_body_para.items():
        for p in by_para.get(pidx, []):
            live = tuple(m for m in p.markers if not m.dangling)
            if live:
                lead[art] = live
                break
    return lead


def _live(p: Passage) -> tuple[Marker, ...]:
    return tuple(m for m in p.markers if not m.dangling)


def _scopes(
    by_para: dict[int, list[Passage]], lead: dict[int, tuple[Marker, ...]]
) -> list[tuple[Passage, tuple[Marker, ...], str]]:
    """Which markers cover each passage, at which level (see the module docstring)."""
    out = []
    for _pidx, plist in sorted(by_para.items()):
        for k, p in enumerate(plist):
            own = _live(p)
            if own:
                out.append((p, own, "sentence"))
                continue
            later = next((q for q in plist[k + 1 :] if _live(q)), None)
            if later is not None:
                out.append((p, _live(later)[:1], "paragraph"))
            elif p.article in lead and p.kind not in ("rubric", "author"):
                out.append((p, lead[p.article], "lead"))
    return out


def _supports(
    scopes: list[tuple[Passage, tuple[Marker, ...], str]],
    marker_fns: dict[Marker, tuple[Footnote, ...]],
) -> list[Support]:
    """One support per passage, marker, footnote and URL (or per URL-less footnote)."""
    supports: list[Support] = []
    for passage, markers, level in scopes:
        for mk in markers:
            for f in marker_fns.get(mk, ()):
                if not f.urls:
                    supports.append(Support(passage.index, f, None, level, mk))
                for u in f.urls:
                    supports.append(Support(passage.index, f, normalise_url(u), level, mk))
    return supports


def _sources(
    report: ParsedReport,
    supports: list[Support],
    findings: list[Finding],
    publishers: PublisherTable | None,
) -> list[Source]:
    """Every cited URL as a source with its publisher; unknown domains reported once each."""
    iris = sorted(
        {s.source for s in supports if s.source}
        | {normalise_url(u) for f in report.footnotes for u in f.urls}
    )
    sources = []
    unknown: set[str] = set()
    for iri in iris:
        dom = url_domain(iri)
        pub = publishers.lookup(dom) if publishers else publisher_for(dom)
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
                f"domain {dom} is not in the publisher table: publisher kind "
                "'other' — add a row to the workspace's publishers.csv to classify it",
            )
        )
    return sources


def resolve(report: ParsedReport, publishers: PublisherTable | None = None) -> Citations:
    """Markers to footnotes, footnotes to sources, and the sources of every passage by level;
    publishers from ``publishers`` (default: the bundled table)."""
    findings: list[Finding] = []
    marker_fns, used = _marker_footnotes(report, findings)
    findings.extend(_orphans(report, used))
    by_para = _by_paragraph(report)
    lead = _lead_markers(report, by_para)
    supports = _supports(_scopes(by_para, lead), marker_fns)
    sources = _sources(report, supports, findings, publishers)
    return Citations(
        sources=tuple(sources),
        supports=tuple(supports),
        marker_footnotes=tuple(sorted(marker_fns.items(), key=lambda t: t[0].start)),
        lead_markers=tuple(sorted(lead.items())),
        findings=tuple(sorted(findings, key=lambda f: (f.line, f.kind, f.message))),
        clauses=split_into_clauses(report),
    )
