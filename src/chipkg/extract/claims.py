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
    # where in the passage's clean text the claim's words are: its subject, trigger and object
    # mentions (None where a claim has no such word). The pipeline makes ``span`` from them and
    # the amount's place.
    subject_at: tuple[int, int] | None = field(default=None, compare=False)
    trigger_at: tuple[int, int] | None = field(default=None, compare=False)
    object_at: tuple[int, int] | None = field(default=None, compare=False)

    def local_span(self) -> tuple[int, int] | None:
        """From the first to the last of the claim's words and amount in the passage's text."""
        parts = [p for p in (self.subject_at, self.trigger_at, self.object_at) if p is not None]
        if self.money is not None and self.money.end > self.money.start:
            end = self.money.end
            if self.money.conversion is not None and self.money.conversion.end > end:
                end = self.money.conversion.end
            parts.append((self.money.start, end))
        if not parts:
            return None
        return min(a for a, _ in parts), max(b for _, b in parts)

    @property
    def key(self) -> tuple[int, str, str, str]:
        return (self.passage, self.subject, self.predicate, self.object or str(self.value))
