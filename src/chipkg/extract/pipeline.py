"""Run extraction over a parsed report: link entities passage by passage (with the countries of
the paragraph and article as context), extract relations, apply the analysts' curated overlay.

Every claim is made together with its passage; its sources are that passage's sources at the
level the passage records (see citations.py). Nothing downstream repairs provenance.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from chipkg.extract.claims import EXTRACTOR, PREDICATES, Claim  # noqa: F401 (evaluate reads it here)
from chipkg.extract.curated import (  # noqa: F401 (the fact columns are read here by the gold sets)
    CURATED_COLUMNS,
    FACT_COLUMNS,
    VALUE_PREDICATES,
    CuratedRow,
    Curation,
    apply_overlay,
    find_passage,
)
from chipkg.extract.entities import Linker, Mention, unknown_candidates
from chipkg.extract.facilities import describe
from chipkg.extract.relations import extract_relations
from chipkg.ingest.citations import Citations
from chipkg.ingest.report import ParsedReport

FACT_KINDS = ("body", "heading")  # titles restate the lead; tables are scrambled by the PDF


@dataclass(frozen=True)
class ExtractedClaim:
    claim: Claim
    made_by: str  # "chipkg-rules" or "analyst:NAME"
    superseded: bool = False
    supersedes: Claim | None = None
    curated_line: int | None = None


@dataclass(frozen=True)
class Extraction:
    claims: tuple[ExtractedClaim, ...]
    mentions: dict[int, tuple[Mention, ...]]
    unknown: tuple[tuple[str, int], ...]  # (candidate name, passage index)
    curation: Curation | None = None  # what the curated overlay did, when there is one

    def active(self) -> list[Claim]:
        return [c.claim for c in self.claims if not c.superseded]


def link_text(
    text: str, linker: Linker, strong: set[str] = frozenset(), weak: set[str] = frozenset()
) -> list[Mention]:
    """Names in one passage, plus the facilities it describes instead of naming; a name inside a
    described facility only describes it (先进封装设施: a facility, not the technology)."""
    mentions = linker.link(text, strong, weak)
    described = describe(text, mentions, linker.entities, linker.facilities)
    mentions = [
        m for m in mentions if not any(d.start < m.end and m.start < d.end for d in described)
    ] + described
    mentions.sort(key=lambda m: (m.start, m.end, m.entity))
    return mentions


def link_passages(report: ParsedReport, linker: Linker) -> dict[int, tuple[Mention, ...]]:
    """Link every passage, with the countries its headings name as strong context (a section
    titled 美国：… is about the US) and the countries earlier in its paragraph as weak context."""
    countries = {e.id for e in linker.entities.values() if e.type == "Country"}

    def named(text: str) -> set[str]:
        return {m.entity for m in linker.link(text) if m.entity in countries}

    title_ctx = {a.index: named(a.title) for a in report.articles}
    sections = {s.start: s for s in report.sections}
    section_ctx: dict[int, set[str]] = {}
    for s in report.sections:
        inherited = section_ctx.get(s.parent, set()) if s.parent is not None else set()
        section_ctx[s.start] = inherited | named(s.title)
    out: dict[int, tuple[Mention, ...]] = {}
    para_ctx: dict[int, set[str]] = {}
    for p in report.passages:
        strong = title_ctx.get(p.article, set()) | (
            section_ctx.get(p.section, set()) if p.section in sections else set()
        )
        mentions = link_text(p.text, linker, strong, para_ctx.get(p.paragraph, set()))
        out[p.index] = tuple(mentions)
        para_ctx.setdefault(p.paragraph, set()).update(
            m.entity for m in mentions if m.entity in countries
        )
    return out


def extract(
    report: ParsedReport, cites: Citations, linker: Linker, curated: Path | None = None
) -> Extraction:
    mentions = link_passages(report, linker)
    claims: list[ExtractedClaim] = []
    unknown: list[tuple[str, int]] = []
    for p in report.passages:
        ms = list(mentions[p.index])
        unknown.extend((name, p.index) for name, _ in unknown_candidates(p.text, ms))
        if p.kind not in FACT_KINDS:
            continue
        for c in extract_relations(p.index, p.text, ms, linker.entities):
            claims.append(ExtractedClaim(c, EXTRACTOR))
    curation = None
    if curated is not None and curated.exists():
        claims, curation = apply_curated(report, linker, claims, curated)
    return Extraction(tuple(claims), mentions, tuple(unknown), curation)


def apply_curated(
    report: ParsedReport, linker: Linker, claims: list[ExtractedClaim], path: Path
) -> tuple[list[ExtractedClaim], Curation]:
    """Analyst additions, corrections, rejections and acceptances (see curated.py)."""

    def analysts(claim: Claim, row: CuratedRow, old: Claim | None) -> ExtractedClaim:
        made_by = f"analyst:{row.analyst}"
        return ExtractedClaim(claim, made_by, supersedes=old, curated_line=row.line)

    return apply_overlay(report, linker, claims, path, analysts)
