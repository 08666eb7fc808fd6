"""Measure extraction against a hand-annotated gold set (docs/annotation-guidelines.md).

A fact matches when passage, subject, predicate and object (or value, for createsJobs) agree.
Amounts and sources are checked on the matched facts and reported separately.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from chipkg.errors import ChipkgError
from chipkg.extract.pipeline import (
    FACT_COLUMNS,
    PREDICATES,
    VALUE_PREDICATES,
    Extraction,
    find_passage,
)
from chipkg.extract.relations import Claim
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
                raise ChipkgError(f"unknown entity '{eid}'", path=path, line=line)
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


@dataclass
class Scores:
    per_predicate: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # gold, found, tp
    misses: list[GoldFact] = field(default_factory=list)
    false_positives: list[Claim] = field(default_factory=list)
    amount_checked: int = 0
    amount_correct: int = 0
    amount_errors: list[tuple[GoldFact, Claim]] = field(default_factory=list)
    source_mismatches: list[GoldFact] = field(default_factory=list)

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
            "amounts": {"checked": self.amount_checked, "correct": self.amount_correct},
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
            "false_positives": [
                {
                    "passage": c.passage,
                    "subject": c.subject,
                    "predicate": c.predicate,
                    "object": c.object or _num(c.value),
                    "rule": c.rule,
                }
                for c in self.false_positives
            ],
            "source_mismatches": [m.id for m in self.source_mismatches],
        }


def evaluate(
    gold: list[GoldFact],
    extraction: Extraction,
    cites: Citations,
    restrict_to_gold_passages: bool = False,
) -> Scores:
    claims = extraction.active()
    if restrict_to_gold_passages:
        keep = {g.passage for g in gold}
        claims = [c for c in claims if c.passage in keep]
    by_key = {claim_key(c): c for c in claims}
    gold_keys = {g.key for g in gold}
    scores = Scores()
    gold_n = Counter(g.predicate for g in gold)
    found_n = Counter(c.predicate for c in claims)
    tp_n: Counter[str] = Counter()
    for g in gold:
        c = by_key.get(g.key)
        if c is None:
            scores.misses.append(g)
            continue
        tp_n[g.predicate] += 1
        if g.amount is not None:
            scores.amount_checked += 1
            if c.money is not None and c.money.value == g.amount and c.money.currency == g.currency:
                scores.amount_correct += 1
            else:
                scores.amount_errors.append((g, c))
        passage_sources = {s.source for s in cites.for_passage(g.passage) if s.source}
        if g.sources != passage_sources:
            scores.source_mismatches.append(g)
    scores.false_positives = [c for c in claims if claim_key(c) not in gold_keys]
    for p in sorted(set(gold_n) | set(found_n)):
        scores.per_predicate[p] = (gold_n[p], found_n[p], tp_n[p])
    return scores
