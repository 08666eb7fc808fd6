"""Run extraction over a parsed report: link entities passage by passage (with the countries of
the paragraph and article as context), extract relations, apply the analysts' curated overlay.

Every claim is made together with its passage; its sources are that passage's sources at the
level the passage records (see citations.py). Nothing downstream repairs provenance.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

from chipkg.errors import ChipkgError
from chipkg.extract.amounts import DateMention, Money, currencies, qualifiers
from chipkg.extract.claims import EXTRACTOR, PREDICATES, Claim
from chipkg.extract.entities import Linker, Mention, unknown_candidates
from chipkg.extract.facilities import describe
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


@dataclass(frozen=True)
class Extraction:
    claims: tuple[ExtractedClaim, ...]
    mentions: dict[int, tuple[Mention, ...]]
    unknown: tuple[tuple[str, int], ...]  # (candidate name, passage index)

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
    if curated is not None and curated.exists():
        claims = apply_curated(report, linker, claims, curated)
    return Extraction(tuple(claims), mentions, tuple(unknown))


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
    report: ParsedReport, linker: Linker, claims: list[ExtractedClaim], path: Path
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
        old = _supersede(out, new, row, path, line) if action == "correct" else None
        analyst = row["analyst"].strip() or "analyst"
        out.append(ExtractedClaim(new, f"analyst:{analyst}", supersedes=old, curated_line=line))
    return out
