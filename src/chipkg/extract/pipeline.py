"""Run extraction over a parsed report: link entities passage by passage (with the countries of
the paragraph and article as context), extract relations, apply the analysts' curated overlay.

Every claim is made together with its passage; its sources are that passage's sources at the
level the passage records (see citations.py). Nothing downstream repairs provenance.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

from chipkg.errors import ChipkgError
from chipkg.extract.amounts import DateMention, Money, currencies, qualifiers
from chipkg.extract.claims import EXTRACTOR, PREDICATES, Claim
from chipkg.extract.entities import Entity, Linker, Mention, unknown_candidates
from chipkg.extract.linking import link_passages
from chipkg.extract.offsets import PassageOffsets
from chipkg.extract.open_world import open_world
from chipkg.extract.relations import extract_relations
from chipkg.ingest.citations import Citations
from chipkg.ingest.report import ParsedReport
from chipkg.tables import read_rows

FACT_KINDS = ("body", "heading")  # titles restate the lead; tables are scrambled by the PDF
VALUE_PREDICATES = ("createsJobs",)
# The columns that state one fact; the curated overlay and the gold sets both use them.
FACT_COLUMNS = [
    "quote",
    "subject",
    "predicate",
    "object",
    "value",
    "amount",
    "currency",
    "qualifier",
    "conversion_amount",
    "conversion_currency",
    "date",
    "target_year",
]
CURATED_COLUMNS = ["action", *FACT_COLUMNS, "replaces", "analyst", "note"]


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

    def active(self) -> list[Claim]:
        return [c.claim for c in self.claims if not c.superseded]


def extract(
    report: ParsedReport, cites: Citations, linker: Linker, curated: Path | None = None
) -> Extraction:
    """Link, open the world (provisional entities for names the table lacks), extract relations
    passage by passage, apply the curated overlay, and place every claim in the report text."""
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
    if curated is not None and curated.exists():
        claims = apply_curated(report, linker, claims, curated, offsets)
    # the graph describes the provisional entities its claims use; a provisional entity no claim
    # uses is listed (entities --provisional) but not linked from the passages
    used = {i for ec in claims for i in (ec.claim.subject, ec.claim.object)}
    unused = set(world.provisional) - used
    return Extraction(
        tuple(_with_provisional(claims, world.provisional)),
        {i: tuple(m for m in ms if m.entity not in unused) for i, ms in mentions.items()},
        tuple(unknown),
        world.provisional,
        world.unresolved,
        {i: tuple(m for m in ms if m.entity in world.provisional) for i, ms in mentions.items()},
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


def _decimal(raw: str, path: Path, line: int, column: str) -> Decimal | None:
    if not raw.strip():
        return None
    try:
        return Decimal(raw.strip())
    except InvalidOperation:
        raise ChipkgError(
            f"{column} '{raw}' is not a decimal number", path=path, line=line
        ) from None


def find_passage(report: ParsedReport, quote: str) -> list[int]:
    return [p.index for p in report.passages if quote and quote in p.text]


def _curated_passage(report: ParsedReport, row: dict, path: Path, line: int) -> int:
    """The one passage a curated row quotes."""
    hits = find_passage(report, row["quote"].strip())
    if len(hits) != 1:
        what = "is not found in any passage" if not hits else f"matches {len(hits)} passages"
        raise ChipkgError(
            f"quote '{row['quote'].strip()}' {what}",
            path=path,
            line=line,
            hint="quote the passage's clean text verbatim (markers removed), "
            "long enough to be unique",
        )
    return hits[0]


def _curated_money(row: dict, path: Path, line: int) -> Money | None:
    """The amount of a curated row, with its stated conversion."""
    amount = _decimal(row["amount"], path, line, "amount")
    if amount is None:
        return None
    cur = row["currency"].strip()
    if cur not in set(currencies().values()):
        raise ChipkgError(f"currency '{cur}' is not a known ISO 4217 code", path=path, line=line)
    conv = None
    camount = _decimal(row["conversion_amount"], path, line, "conversion_amount")
    if camount is not None:
        conv = Money(0, 0, camount, row["conversion_currency"].strip(), "", "")
    qual = row["qualifier"].strip()
    if qual and qual not in set(qualifiers().values()):
        raise ChipkgError(f"qualifier '{qual}' unknown", path=path, line=line)
    return Money(0, 0, amount, cur, qual, "", conv)


def _curated_claim(report: ParsedReport, linker: Linker, row: dict, path: Path, line: int) -> Claim:
    """The claim a curated row states, every column checked."""
    passage = _curated_passage(report, row, path, line)
    pred = row["predicate"].strip()
    if pred not in PREDICATES:
        raise ChipkgError(
            f"unknown predicate '{pred}'",
            path=path,
            line=line,
            hint="one of " + ", ".join(PREDICATES),
        )
    subj, obj = row["subject"].strip(), row["object"].strip()
    for eid in (subj, obj):
        if eid and eid not in linker.entities:
            raise ChipkgError(
                f"unknown entity '{eid}'",
                path=path,
                line=line,
                hint="add it to ontology/entities.csv first",
            )
    value = _decimal(row["value"], path, line, "value")
    date = None
    if row["date"].strip():
        d = row["date"].strip()
        date = DateMention(0, 0, d, {10: "day", 7: "month", 4: "year"}.get(len(d), "day"), "")
    ty = row["target_year"].strip()
    return Claim(
        passage,
        subj,
        pred,
        obj or None,
        f"curated:{path.name}:{line}",
        value=value,
        money=_curated_money(row, path, line),
        date=date,
        target_year=int(ty) if ty else None,
    )


def _quote_span(
    report: ParsedReport, offsets: PassageOffsets, c: Claim, row: dict
) -> tuple[int, int]:
    """Where a curated row's quote is in the report text."""
    p = report.passages[c.passage]
    quote = row["quote"].strip()
    at = p.text.find(quote)
    return offsets.to_report(p, at, at + len(quote))


def _supersede(out: list[ExtractedClaim], new: Claim, row: dict, path: Path, line: int) -> Claim:
    """Mark the extracted claim a correction replaces (named 'subject predicate object', in the
    same passage) as superseded, and return it."""
    want = row["replaces"].strip().split()
    match = [
        i
        for i, ec in enumerate(out)
        if ec.claim.passage == new.passage
        and len(want) == 3
        and [ec.claim.subject, ec.claim.predicate, ec.claim.object or ""] == want
    ]
    if not match:
        raise ChipkgError(
            f"no extracted claim '{row['replaces'].strip()}' in that passage",
            path=path,
            line=line,
            hint="write replaces as 'subject predicate object' of the claim",
        )
    i = match[0]
    out[i] = replace(out[i], superseded=True)
    return out[i].claim


def apply_curated(
    report: ParsedReport,
    linker: Linker,
    claims: list[ExtractedClaim],
    path: Path,
    offsets: PassageOffsets | None = None,
) -> list[ExtractedClaim]:
    """Analyst additions and corrections. A row quotes its passage verbatim; a correction
    names the extracted claim it replaces as 'subject predicate object', which is kept and
    marked superseded."""
    rows = read_rows(path, CURATED_COLUMNS, "curated overlay")
    out = list(claims)
    for line, row in rows:
        action = row["action"].strip()
        if action not in ("add", "correct"):
            raise ChipkgError(f"action '{action}' must be add or correct", path=path, line=line)
        new = _curated_claim(report, linker, row, path, line)
        new = replace(new, span=_quote_span(report, offsets or PassageOffsets(report), new, row))
        old = _supersede(out, new, row, path, line) if action == "correct" else None
        analyst = row["analyst"].strip() or "analyst"
        out.append(ExtractedClaim(new, f"analyst:{analyst}", supersedes=old, curated_line=line))
    return out
