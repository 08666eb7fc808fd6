"""What extraction makes: a claim (one relation stated in one passage), and the relations it may
state."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from chipkg.extract.amounts import DateMention, Money

EXTRACTOR = "chipkg-rules"
PREDICATES = (
    "funds",
    "investsIn",
    "builds",
    "expands",
    "operates",
    "locatedIn",
    "develops",
    "researches",
    "restrictsExportOf",
    "restrictsExportTo",
    "addsToControlList",
    "partnersWith",
    "acquires",
    "launches",
    "investigates",
    "setsTarget",
    "createsJobs",
)


@dataclass(frozen=True)
class Claim:
    passage: int
    subject: str
    predicate: str
    object: str | None
    rule: str
    value: Decimal | None = None
    unit: str = ""
    money: Money | None = None
    date: DateMention | None = None
    target_year: int | None = None
    duration: str | None = None
    # absolute character offsets in the report text of the words the claim rests on (from the
    # first to the last of its subject, trigger, object and amount mentions); None when not known.
    # Citations use it to find the clause of a sentence a claim belongs to (clause scope).
    span: tuple[int, int] | None = field(default=None, compare=False)

    @property
    def key(self) -> tuple[int, str, str, str]:
        return (self.passage, self.subject, self.predicate, self.object or str(self.value))
