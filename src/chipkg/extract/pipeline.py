"""Run extraction over a parsed report: link entities passage by passage (with the countries of
the paragraph and article as context), extract relations, apply the analysts' curated overlay.

Every claim is made together with its passage; its sources are that passage's sources at the
level the passage records (see citations.py). Nothing downstream repairs provenance.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
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
from chipkg.extract.entities import Entity, Linker, Mention, unknown_candidates
from chipkg.extract.linking import link_passages
from chipkg.extract.offsets import PassageOffsets
from chipkg.extract.open_world import OpenWorld, open_world
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
    provisional: tuple[Entity, ...] = ()  # the provisional entities among subject and object


@dataclass(frozen=True)
class Extraction:
    claims: tuple[ExtractedClaim, ...]
    mentions: dict[int, tuple[Mention, ...]]
    unknown: tuple[tuple[str, int], ...]  # (candidate name, passage index)
    # names not in the entity table, minted as provisional entities (id -> entity)
    provisional: dict[str, Entity] = field(default_factory=dict)
    # names shared by several reference entities, left unresolved: (name, ids, passage index)
    unresolved: tuple[tuple[str, tuple[str, ...], int], ...] = ()
    # every mention of a provisional entity, used by a claim or not (entities --provisional)
    provisional_mentions: dict[int, tuple[Mention, ...]] = field(default_factory=dict)
    curation: Curation | None = None  # what the curated overlay did, when there is one

    def active(self) -> list[Claim]:
        return [c.claim for c in self.claims if not c.superseded]


@dataclass(frozen=True)
class RuleClaims:
    """What the rules make of a report, before any overlay: kept by the review page, which
    applies each new version of the overlay to it (``with_overlay``) without extracting again."""

    claims: tuple[ExtractedClaim, ...]
    mentions: dict[int, tuple[Mention, ...]]
    unknown: tuple[tuple[str, int], ...]
    world: OpenWorld
    offsets: PassageOffsets


def extract(
    report: ParsedReport, cites: Citations, linker: Linker, curated: Path | None = None
) -> Extraction:
    """Link, open the world (provisional entities for names the table lacks), extract relations
    passage by passage, apply the curated overlay, and place every claim in the report text."""
    return with_overlay(report, extract_rules(report, linker), curated)


def extract_rules(report: ParsedReport, linker: Linker) -> RuleClaims:
    """Link, open the world and extract relations passage by passage, each claim placed in the
    report text."""
    mentions = link_passages(report, linker)
    # names that look like organisations and that the entity table lacks (entities --unknown)
    unknown = [
        (name, p.index)
        for p in report.passages
        for name, _ in unknown_candidates(p.text, list(mentions[p.index]))
    ]
    world = open_world(report, linker, mentions)
    linker, mentions = world.linker, world.mentions
    claims: list[ExtractedClaim] = []
    offsets = PassageOffsets(report)
    for p in report.passages:
        ms = list(mentions[p.index])
        if p.kind not in FACT_KINDS:
            continue
        for c in extract_relations(p.index, p.text, ms, linker.entities):
            local = c.local_span()
            span = offsets.to_report(p, *local) if local else (p.start, p.end)
            claims.append(ExtractedClaim(replace(c, span=span), EXTRACTOR))
    return RuleClaims(tuple(claims), mentions, tuple(unknown), world, offsets)


def with_overlay(report: ParsedReport, rules: RuleClaims, curated: Path | None) -> Extraction:
    """The rules' claims with the curated overlay at ``curated`` applied (when it exists)."""
    world, mentions, claims = rules.world, rules.mentions, list(rules.claims)
    curation = None
    if curated is not None and curated.exists():
        claims, curation = apply_curated(report, world.linker, claims, curated, rules.offsets)
    # the graph describes the provisional entities its claims use; a provisional entity no claim
    # uses is listed (entities --provisional) but not linked from the passages
    used = {i for ec in claims for i in (ec.claim.subject, ec.claim.object)}
    unused = set(world.provisional) - used
    return Extraction(
        tuple(_with_provisional(claims, world.provisional)),
        {i: tuple(m for m in ms if m.entity not in unused) for i, ms in mentions.items()},
        rules.unknown,
        world.provisional,
        world.unresolved,
        {i: tuple(m for m in ms if m.entity in world.provisional) for i, ms in mentions.items()},
        curation,
    )


def _with_provisional(
    claims: list[ExtractedClaim], minted: dict[str, Entity]
) -> list[ExtractedClaim]:
    """Each claim with the provisional entities it uses (the graph describes them)."""
    if not minted:
        return claims
    out = []
    for ec in claims:
        used = tuple(minted[i] for i in (ec.claim.subject, ec.claim.object) if i in minted)
        out.append(replace(ec, provisional=used) if used else ec)
    return out


def apply_curated(
    report: ParsedReport,
    linker: Linker,
    claims: list[ExtractedClaim],
    path: Path,
    offsets: PassageOffsets | None = None,
) -> tuple[list[ExtractedClaim], Curation]:
    """Analyst additions, corrections, rejections and acceptances (see curated.py); an analyst's
    claim rests on the words its row quotes."""
    offsets = offsets or PassageOffsets(report)

    def analysts(claim: Claim, row: CuratedRow, old: Claim | None) -> ExtractedClaim:
        p = report.passages[claim.passage]
        at = p.text.find(row["quote"])
        claim = replace(claim, span=offsets.to_report(p, at, at + len(row["quote"])))
        made_by = f"analyst:{row.analyst}"
        return ExtractedClaim(claim, made_by, supersedes=old, curated_line=row.line)

    return apply_overlay(report, linker, claims, path, analysts)
