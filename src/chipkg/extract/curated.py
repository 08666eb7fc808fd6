"""The analysts' curated overlay (docs/curation.md): one CSV per report in the workspace's
curated/ folder, read as spreadsheets save it, every row checked, applied to the report's
extracted claims.

A row acts on one passage (found by its ``sentence``, else by its ``quote``):

* ``add``: a claim the rules missed;
* ``correct``: a claim replacing the extracted one named in ``replaces`` ('subject predicate
  object'), which is kept in the graph and marked superseded;
* ``reject``: the extracted claim named in ``replaces`` is wrong; it leaves the graph;
* ``accept``: the extracted claim named in ``replaces`` was checked and is right (recorded in the
  overlay, shown on the review page; the graph is unchanged).

A row that no longer fits the report — its sentence or quote is gone after the report was edited,
the claim it names is no longer extracted, an added claim the rules now find themselves — is
*stale*: it is listed (build warnings, the review page), never silently dropped, and never stops
the build. A row that cannot be right whatever the report says (an unknown action, predicate,
entity, currency, a number or date that does not parse) stops the build with one line naming the
file, the line and the column.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from chipkg.errors import ChipkgError
from chipkg.extract.amounts import DateMention, Money, currencies, qualifiers
from chipkg.extract.claims import PREDICATES, Claim
from chipkg.extract.entities import Linker
from chipkg.ingest.report import ParsedReport
from chipkg.tables import read_table, update_table

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
ACTIONS = ("add", "correct", "reject", "accept")
CURATED_COLUMNS = [
    "action",
    "quote",
    "sentence",
    *FACT_COLUMNS[1:],
    "replaces",
    "analyst",
    "time",
    "note",
]
REQUIRED_COLUMNS = ["action", "quote"]
RE_DATE = re.compile(r"^(?:19|20)[0-9]{2}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12][0-9]|3[01]))?)?$")


@dataclass(frozen=True)
class CuratedRow:
    """One row as written (every column's text), with its line."""

    line: int
    cells: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return (self.cells.get(column) or "").strip()

    @property
    def action(self) -> str:
        return self["action"]

    @property
    def analyst(self) -> str:
        return self["analyst"] or "analyst"


@dataclass(frozen=True)
class Review:
    """An extracted claim an analyst accepted or rejected."""

    row: CuratedRow
    claim: Claim


@dataclass(frozen=True)
class StaleRow:
    """A row that no longer fits the report; ``applied`` is True for a correction whose
    extracted claim is gone, applied as an addition."""

    row: CuratedRow
    reason: str
    applied: bool = False


@dataclass(frozen=True)
class Curation:
    """What the overlay did to one report's claims."""

    path: Path
    applied: dict[str, int]  # action -> rows applied
    accepted: tuple[Review, ...]
    rejected: tuple[Review, ...]
    stale: tuple[StaleRow, ...]
    rows: tuple[CuratedRow, ...]


def read_overlay(path: Path) -> list[CuratedRow]:
    """The overlay's rows, header checked (any order; spreadsheet dialects accepted)."""
    table = read_table(
        path,
        REQUIRED_COLUMNS,
        "curated overlay",
        optional=CURATED_COLUMNS,
        hint="see docs/curation.md for the columns",
    )
    return [CuratedRow(line, cells) for line, cells in table.rows]


def find_passage(report: ParsedReport, quote: str) -> list[int]:
    return [p.index for p in report.passages if quote and quote in p.text]


class _Bad:
    """Errors of one row, each naming the column."""

    def __init__(self, path: Path, row: CuratedRow) -> None:
        self.path, self.row = path, row

    def __call__(self, column: str, what: str, hint: str = "") -> ChipkgError:
        return ChipkgError(
            f"column {column}: {what}", path=self.path, line=self.row.line, hint=hint
        )


def _passage(report: ParsedReport, row: CuratedRow, bad: _Bad) -> int | str:
    """The passage a row acts on, or why the row is stale."""
    sentence, quote = row["sentence"], row["quote"]
    if not quote:
        raise bad("quote", "empty", "copy the words the fact rests on from the report")
    if sentence:
        hits = find_passage(report, sentence)
        if not hits:
            return f"its sentence is no longer in the report: «{sentence[:60]}»"
        if quote not in report.passages[hits[0]].text:
            return f"its quote is no longer in its sentence: «{quote[:60]}»"
        column, hits = "sentence", [h for h in hits if quote in report.passages[h].text]
    else:
        hits = find_passage(report, quote)
        if not hits:
            return f"its quote is no longer in the report: «{quote[:60]}»"
        column = "quote"
    if len(hits) > 1:
        lines = ", ".join(str(report.passages[h].line) for h in hits[:5])
        raise bad(
            column,
            f"«{(sentence or quote)[:40]}» is in {len(hits)} passages (lines {lines})",
            "fill the sentence column with the whole sentence the fact is in",
        )
    return hits[0]


def _decimal(row: CuratedRow, column: str, bad: _Bad) -> Decimal | None:
    raw = row[column]
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():  # Decimal reads NaN, Infinity: no amount either
        raise bad(
            column, f"'{raw}' is not a decimal number", "write digits with a point: 1250000000"
        ) from None
    if value <= 0:
        raise bad(column, f"'{raw}' is not a positive number", "write the amount the text states")
    return value


def _money(row: CuratedRow, bad: _Bad) -> Money | None:
    """The amount of a row, with its stated conversion."""
    amount = _decimal(row, "amount", bad)
    codes = sorted(set(currencies().values()))
    for column in ("currency", "conversion_currency"):
        if row[column] and row[column] not in codes:
            raise bad(
                column, f"'{row[column]}' is not a known currency", "one of " + ", ".join(codes)
            )
    if amount is None:
        if row["currency"]:
            raise bad("amount", "empty, but a currency is given", "give the amount or no currency")
        return None
    if not row["currency"]:
        raise bad("currency", f"empty for amount {amount}", "give an ISO 4217 code: USD, EUR …")
    conv = None
    camount = _decimal(row, "conversion_amount", bad)
    if camount is not None:
        if not row["conversion_currency"]:
            raise bad("conversion_currency", "empty for a conversion amount")
        conv = Money(0, 0, camount, row["conversion_currency"], "", "")
    qual = row["qualifier"]
    known = sorted(set(qualifiers().values()))
    if qual and qual not in known:
        raise bad("qualifier", f"'{qual}' is not a qualifier", "one of " + ", ".join(known))
    return Money(0, 0, amount, row["currency"], qual, "", conv)


def _date(row: CuratedRow, bad: _Bad) -> DateMention | None:
    d = row["date"]
    if not d:
        return None
    if not RE_DATE.match(d):
        raise bad("date", f"'{d}' is not a date", "write 2024, 2024-12 or 2024-12-23")
    return DateMention(0, 0, d, {10: "day", 7: "month", 4: "year"}[len(d)], "")


def _entity(row: CuratedRow, column: str, linker: Linker, bad: _Bad) -> str:
    eid = row[column]
    if eid and eid not in linker.entities:
        raise bad(
            column,
            f"unknown entity '{eid}'",
            "use an id of the entity table (the bundled one or the workspace's entities.csv); "
            "a new entity is added there first (chipkg entities promote, or a row)",
        )
    return eid


def _claim(passage: int, row: CuratedRow, linker: Linker, bad: _Bad, path: Path) -> Claim:
    """The claim an add or correct row states, every column checked."""
    pred = row["predicate"]
    if pred not in PREDICATES:
        raise bad("predicate", f"unknown relation '{pred}'", "one of " + ", ".join(PREDICATES))
    subj = _entity(row, "subject", linker, bad)
    if not subj:
        raise bad("subject", "empty", "give the entity id of who or what the fact is about")
    obj = _entity(row, "object", linker, bad)
    value = _decimal(row, "value", bad)
    if pred in VALUE_PREDICATES and value is None:
        raise bad("value", f"empty: {pred} states a number", "give the number the text states")
    if pred not in VALUE_PREDICATES and not obj:
        raise bad("object", "empty", f"give the entity id of what the subject {pred}")
    ty = row["target_year"]
    if ty and not re.fullmatch(r"(19|20)[0-9]{2}", ty):
        raise bad("target_year", f"'{ty}' is not a year", "write 2030")
    if row["time"]:
        try:
            datetime.fromisoformat(row["time"])
        except ValueError:
            raise bad("time", f"'{row['time']}' is not an ISO 8601 time") from None
    return Claim(
        passage,
        subj,
        pred,
        obj or None,
        f"curated:{path.name}:{row.line}",
        value=value,
        money=_money(row, bad),
        date=_date(row, bad),
        target_year=int(ty) if ty else None,
    )


def claim_ref(c: Claim) -> str:
    """How a row names an extracted claim: 'subject predicate object' (or value)."""
    obj = c.object if c.object else ("" if c.value is None else str(c.value))
    return f"{c.subject} {c.predicate} {obj}".strip()


def _targets(
    row: CuratedRow, passage: int, claims: list, rejected: list[int], bad: _Bad
) -> list[int]:
    """Indexes of the current claims of the passage that ``replaces`` names."""
    ref = " ".join(row["replaces"].split())
    if not ref:
        raise bad("replaces", "empty", "name the claim as 'subject predicate object'")
    if len(ref.split()) not in (2, 3):
        raise bad("replaces", f"'{ref}' is not 'subject predicate object'")
    return [
        i
        for i, ec in enumerate(claims)
        if ec.claim.passage == passage
        and not ec.superseded
        and i not in rejected
        and claim_ref(ec.claim) == ref
    ]


class _Applying:
    """The overlay's rows applied one after the other to a report's claims."""

    def __init__(self, report: ParsedReport, linker: Linker, claims: list, path: Path, make):
        self.report, self.linker, self.path, self.make = report, linker, path, make
        self.out = list(claims)
        self.rejected: list[int] = []
        self.accepted: list[Review] = []
        self.rejections: list[Review] = []
        self.stale: list[StaleRow] = []
        self.applied: Counter[str] = Counter()

    def row(self, row: CuratedRow) -> None:
        bad = _Bad(self.path, row)
        if row.action not in ACTIONS:
            raise bad("action", f"'{row.action}' is not an action", "one of " + ", ".join(ACTIONS))
        passage = _passage(self.report, row, bad)
        if row.action in ("add", "correct"):
            claim = _claim(
                passage if isinstance(passage, int) else 0, row, self.linker, bad, self.path
            )
        if isinstance(passage, str):
            self.stale.append(StaleRow(row, passage))
            return
        if row.action == "add":
            self._add(row, claim)
            return
        targets = _targets(row, passage, self.out, self.rejected, bad)
        if not targets:
            gone = f"no extracted claim '{row['replaces']}' in its sentence any more"
            if row.action == "correct":
                self.stale.append(StaleRow(row, gone, applied=True))
                self._add(row, claim)
            else:
                self.stale.append(StaleRow(row, gone))
            return
        getattr(self, "_" + row.action)(
            row, targets, *((claim,) if row.action == "correct" else ())
        )

    def _add(self, row: CuratedRow, claim: Claim) -> None:
        same = [ec for ec in self.out if not ec.superseded and ec.claim.key == claim.key]
        if same and row.action == "add":
            self.stale.append(StaleRow(row, "the rules now extract this claim themselves"))
            return
        self.out.append(self.make(claim, row, None))
        self.applied[row.action] += 1

    def _correct(self, row: CuratedRow, targets: list[int], claim: Claim) -> None:
        old = self.out[targets[0]].claim
        for i in targets:
            self.out[i] = replace(self.out[i], superseded=True)
        self.out.append(self.make(claim, row, old))
        self.applied["correct"] += 1

    def _reject(self, row: CuratedRow, targets: list[int]) -> None:
        self.rejections.extend(Review(row, self.out[i].claim) for i in targets)
        self.rejected.extend(targets)
        self.applied["reject"] += 1

    def _accept(self, row: CuratedRow, targets: list[int]) -> None:
        self.accepted.extend(Review(row, self.out[i].claim) for i in targets)
        self.applied["accept"] += 1


def apply_overlay(report: ParsedReport, linker: Linker, claims: list, path: Path, make):
    """The claims with the overlay at ``path`` applied, and what it did. ``claims`` have
    ``.claim`` and ``.superseded``; ``make(claim, row, superseded_claim)`` wraps an analyst's
    claim the same way. Rejected claims leave the list; corrected ones stay, superseded."""
    rows = read_overlay(path)
    run = _Applying(report, linker, claims, path, make)
    for row in rows:
        run.row(row)
    gone = set(run.rejected)
    kept = [ec for i, ec in enumerate(run.out) if i not in gone]
    curation = Curation(
        path,
        dict(run.applied),
        tuple(run.accepted),
        tuple(run.rejections),
        tuple(run.stale),
        tuple(rows),
    )
    return kept, curation


def append_rows(path: Path, rows: list[dict[str, str]]) -> None:
    """Add rows at the end of the overlay at ``path`` (made if missing), atomically and under
    its lock, keeping the file's dialect: two analysts saving at once lose no row."""
    for cells in rows:
        unknown = set(cells) - set(CURATED_COLUMNS)
        if unknown:
            raise ChipkgError(f"not columns of the curated overlay: {sorted(unknown)}")
    update_table(
        path,
        CURATED_COLUMNS,
        "curated overlay",
        lambda old: [*old, *rows],
        required=REQUIRED_COLUMNS,
    )
