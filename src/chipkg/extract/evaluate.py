"""Measure extraction against a hand-annotated gold set (docs/annotation-guidelines.md).

A fact matches when passage, subject, predicate and object (or value, for createsJobs) agree, and
the claim carries no amount that is not the fact's own: a claim with an amount the gold fact does
not state, or a different one, counts as wrong (a false positive, and the fact a miss).

Open world: a gold set may come with the entities it uses that the entity table lacks (its
``…-entities.csv``). When those are not in the table, extraction mints provisional entities for
the names it finds; a provisional entity stands for a gold entity when one of its labels agrees
with one of the gold entity's names (after normalising width, case and spaces). A gold set
without such a list was annotated closed-world (only facts between table entities), so claims on
provisional entities are left unscored there and only counted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

from chipkg.errors import ChipkgError
from chipkg.extract.claims import Claim
from chipkg.extract.entities import COLUMNS, Entity, normalise
from chipkg.extract.pipeline import (
    FACT_COLUMNS,
    PREDICATES,
    VALUE_PREDICATES,
    Extraction,
    find_passage,
)
from chipkg.extract.relations import AMOUNT_PREDICATES
from chipkg.ingest.citations import Citations
from chipkg.ingest.report import ParsedReport
from chipkg.tables import read_rows

GOLD_COLUMNS = ["id", *FACT_COLUMNS, "sources", "note"]


@dataclass(frozen=True)
class GoldFact:
    id: str
    line: int
    passage: int
    subject: str
    predicate: str
    object: str
    value: str
    amount: Decimal | None
    currency: str
    sources: frozenset[str]

    @property
    def key(self) -> tuple[int, str, str, str]:
        obj = self.object if self.predicate not in VALUE_PREDICATES else _num(self.value)
        return (self.passage, self.subject, self.predicate, obj)


def _num(v: object) -> str:
    try:
        return str(Decimal(str(v)).normalize())
    except InvalidOperation:
        return str(v)


def claim_key(c: Claim) -> tuple[int, str, str, str]:
    obj = _num(c.value) if c.predicate in VALUE_PREDICATES else (c.object or "")
    return (c.passage, c.subject, c.predicate, obj)


def gold_entities_path(gold: Path) -> Path:
    """Where a gold set's list of entities lives by default: ``X-facts.csv`` → ``X-entities.csv``,
    ``X.csv`` → ``X-entities.csv``."""
    stem = gold.stem.removesuffix("-facts").removesuffix("_facts")
    return gold.with_name(f"{stem}-entities.csv")


def load_gold_entities(path: Path) -> dict[str, tuple[str, ...]]:
    """id → names (labels and aliases) of the entities a gold set uses beyond the table."""
    out: dict[str, tuple[str, ...]] = {}
    for line, row in read_rows(path, COLUMNS, "gold entity list"):
        eid = row["id"].strip()
        if not eid:
            raise ChipkgError("row without an id", path=path, line=line)
        names = [row["label_zh"], row["label_en"], *row["aliases"].split("|")]
        out[eid] = tuple(n.strip() for n in names if n.strip())
    return out


def load_gold(path: Path, report: ParsedReport, entities: set[str]) -> list[GoldFact]:
    facts = []
    for line, row in read_rows(path, GOLD_COLUMNS, "gold set", "see docs/annotation-guidelines.md"):
        hits = find_passage(report, row["quote"])
        if len(hits) != 1:
            raise ChipkgError(
                f"quote of {row['id']} matches {len(hits)} passages",
                path=path,
                line=line,
                hint="quote a unique substring of one passage",
            )
        if row["predicate"] not in PREDICATES:
            raise ChipkgError(f"unknown predicate '{row['predicate']}'", path=path, line=line)
        for eid in (row["subject"], row["object"]):
            if eid and eid not in entities:
                raise ChipkgError(
                    f"unknown entity '{eid}'",
                    path=path,
                    line=line,
                    hint="list it in the gold set's entity file (--gold-entities)",
                )
        amount = None
        if row["amount"].strip():
            try:
                amount = Decimal(row["amount"].strip())
            except InvalidOperation:
                raise ChipkgError(
                    f"amount '{row['amount']}' is not a decimal number", path=path, line=line
                ) from None
        facts.append(
            GoldFact(
                row["id"],
                line,
                hits[0],
                row["subject"],
                row["predicate"],
                row["object"],
                row["value"],
                amount,
                row["currency"].strip(),
                frozenset(s for s in row["sources"].split("|") if s),
            )
        )
    return facts


def match_provisional(
    provisional: dict[str, Entity], open_gold: dict[str, tuple[str, ...]]
) -> dict[str, str]:
    """provisional id → the gold entity (not in the table) one of whose names agrees with one of
    its labels; a provisional entity that agrees with several gold entities stands for none."""
    by_name: dict[str, set[str]] = {}
    for gid, names in open_gold.items():
        for n in names:
            by_name.setdefault(normalise(n)[0], set()).add(gid)
    out = {}
    for pid, e in provisional.items():
        # its names first: the words that describe an unnamed plant (封装测试工厂) are weaker,
        # and agree with every gold plant the text describes with them
        for forms in (e.names, e.described_as):
            found = set().union(*(by_name.get(normalise(n)[0], set()) for n in forms))
            if found:
                break
        if len(found) == 1:
            out[pid] = found.pop()
    return out


@dataclass
class Scores:
    per_predicate: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # gold, found, tp
    misses: list[GoldFact] = field(default_factory=list)
    false_positives: list[Claim] = field(default_factory=list)
    amount_checked: int = 0
    amount_correct: int = 0
    amount_errors: list[tuple[GoldFact, Claim]] = field(default_factory=list)
    wrong_amounts: list[Claim] = field(default_factory=list)  # an amount that is not the fact's
    source_mismatches: list[GoldFact] = field(default_factory=list)
    provisional_matched: dict[str, str] = field(default_factory=dict)
    unscored: list[Claim] = field(default_factory=list)  # on provisional entities, closed gold

    @staticmethod
    def ratio(a: int, b: int) -> float:
        return a / b if b else 1.0

    @property
    def totals(self) -> tuple[int, int, int]:
        g = sum(v[0] for v in self.per_predicate.values())
        f = sum(v[1] for v in self.per_predicate.values())
        t = sum(v[2] for v in self.per_predicate.values())
        return g, f, t

    @property
    def precision(self) -> float:
        _, f, t = self.totals
        return self.ratio(t, f)

    @property
    def recall(self) -> float:
        g, _, t = self.totals
        return self.ratio(t, g)

    def as_dict(self) -> dict:
        g, f, t = self.totals
        return {
            "overall": {
                "gold": g,
                "extracted": f,
                "correct": t,
                "precision": round(self.precision, 4),
                "recall": round(self.recall, 4),
            },
            "per_predicate": {
                p: {
                    "gold": v[0],
                    "extracted": v[1],
                    "correct": v[2],
                    "precision": round(self.ratio(v[2], v[1]), 4),
                    "recall": round(self.ratio(v[2], v[0]), 4),
                }
                for p, v in sorted(self.per_predicate.items())
            },
            "amounts": {
                "checked": self.amount_checked,
                "correct": self.amount_correct,
                "not_its_own": len(self.wrong_amounts),
            },
            "misses": [
                {
                    "id": m.id,
                    "subject": m.subject,
                    "predicate": m.predicate,
                    "object": m.object or m.value,
                    "passage": m.passage,
                }
                for m in self.misses
            ],
            "false_positives": [_claim_dict(c) for c in self.false_positives],
            "wrong_amounts": [_claim_dict(c) for c in self.wrong_amounts],
            "source_mismatches": [m.id for m in self.source_mismatches],
            "provisional_matched": dict(sorted(self.provisional_matched.items())),
            "unscored": len(self.unscored),
        }


def _claim_dict(c: Claim) -> dict:
    return {
        "passage": c.passage,
        "subject": c.subject,
        "predicate": c.predicate,
        "object": c.object or _num(c.value),
        "rule": c.rule,
        "amount": str(c.money.value) if c.money else None,
    }


def _own_amount(g: GoldFact, c: Claim) -> bool:
    """Whether the claim's amount (if any) is the gold fact's own."""
    if c.money is None:
        return True
    return g.amount is not None and (c.money.value, c.money.currency) == (g.amount, g.currency)


def _scored_claims(
    extraction: Extraction, open_gold: dict[str, tuple[str, ...]] | None, scores: Scores
) -> list[Claim]:
    """The claims to score, provisional entities translated to the gold entities they stand for;
    with a closed-world gold set (no entity list), claims on provisional entities are set aside."""
    provisional = extraction.provisional
    mapping = match_provisional(provisional, open_gold or {})
    scores.provisional_matched = mapping
    out = []
    for c in extraction.active():
        ids = [c.subject] + ([c.object] if c.object else [])
        if open_gold is None and any(i in provisional for i in ids):
            scores.unscored.append(c)
            continue
        out.append(
            replace(
                c,
                subject=mapping.get(c.subject, c.subject),
                object=mapping.get(c.object, c.object) if c.object else c.object,
            )
        )
    return out


def evaluate(
    gold: list[GoldFact],
    extraction: Extraction,
    cites: Citations,
    open_gold: dict[str, tuple[str, ...]] | None = None,
) -> Scores:
    """Score the extraction. ``open_gold``: the gold set's entities that are not in the entity
    table (id → names), or None for a closed-world gold set."""
    scores = Scores()
    claims = _scored_claims(extraction, open_gold, scores)
    by_key = {claim_key(c): c for c in claims}
    gold_keys = {g.key for g in gold}
    gold_n = Counter(g.predicate for g in gold)
    found_n = Counter(c.predicate for c in claims)
    tp_n: Counter[str] = Counter()
    for g in gold:
        c = by_key.get(g.key)
        if c is None:
            scores.misses.append(g)
            continue
        if not _own_amount(g, c):
            scores.wrong_amounts.append(c)
            scores.misses.append(g)
            continue
        tp_n[g.predicate] += 1
        if g.amount is not None and g.predicate in AMOUNT_PREDICATES:
            scores.amount_checked += 1
            if c.money is not None:
                scores.amount_correct += 1
            else:
                scores.amount_errors.append((g, c))
        passage_sources = {s.source for s in cites.for_passage(g.passage) if s.source}
        if g.sources != passage_sources:
            scores.source_mismatches.append(g)
    scores.false_positives = [c for c in claims if claim_key(c) not in gold_keys]
    scores.false_positives += scores.wrong_amounts
    for p in sorted(set(gold_n) | set(found_n)):
        scores.per_predicate[p] = (gold_n[p], found_n[p], tp_n[p])
    return scores


def open_world_gold(
    gold_entities: Path | None, table: dict[str, Entity]
) -> dict[str, tuple[str, ...]] | None:
    """The gold set's entities that the entity table lacks, or None without an entity list."""
    if gold_entities is None or not gold_entities.exists():
        return None
    listed = load_gold_entities(gold_entities)
    return {eid: names for eid, names in listed.items() if eid not in table}
