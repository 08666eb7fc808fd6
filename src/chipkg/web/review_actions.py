"""What the review page's buttons do: each writes the report's curated overlay (docs/curation.md)
— a row appended, or one of the analyst's own rows replaced or taken back — under the overlay's
lock, and only after the new overlay has been applied to the report and found to fit (a row that
would be stale or wrong is refused with its reason, and nothing is written). Promoting a
provisional entity writes the workspace's entity table.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from chipkg.errors import ChipkgError
from chipkg.extract import promote
from chipkg.extract.curated import CURATED_COLUMNS, FACT_COLUMNS, REQUIRED_COLUMNS
from chipkg.extract.pipeline import Extraction, with_overlay
from chipkg.tables import update_table
from chipkg.web.review_model import ReportState, Reviews

FIELDS = tuple(c for c in FACT_COLUMNS if c != "quote")  # what a correction may change


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _fields_of(view: dict) -> dict[str, str]:
    """The fact columns of a claim as the page shows it."""
    money = view["money"] or {}
    conv = (money.get("conversion") or "").split()
    return {
        "subject": view["subject"]["id"],
        "predicate": view["predicate"],
        "object": view["object"]["id"] if view["object"] else "",
        "value": view["value"],
        "amount": money.get("value", ""),
        "currency": money.get("currency", ""),
        "qualifier": money.get("qualifier", ""),
        "conversion_amount": conv[0] if len(conv) == 2 else "",
        "conversion_currency": conv[1] if len(conv) == 2 else "",
        "date": view["date"],
        "target_year": view["target_year"],
    }


def _edits(payload: dict) -> dict[str, str]:
    edits = payload.get("fields") or {}
    unknown = set(edits) - set(FIELDS)
    if unknown:
        raise ChipkgError(f"not a field of a claim: {', '.join(sorted(unknown))}")
    out = {k: str(v if v is not None else "").strip() for k, v in edits.items()}
    if "amount" in out and not out["amount"]:  # no amount: no currency, qualifier, conversion
        out.update(currency="", qualifier="", conversion_amount="", conversion_currency="")
    return out


def _row(action: str, quote: str, sentence: str, analyst: str, **cells: str) -> dict[str, str]:
    row = dict.fromkeys(CURATED_COLUMNS, "")
    row.update(action=action, quote=quote, sentence=sentence, analyst=analyst, time=now())
    row.update(cells)
    return row


class Act:
    """One action of one analyst on one passage of one report."""

    def __init__(self, reviews: Reviews, report_id: str, payload: dict) -> None:
        self.reviews, self.report_id, self.payload = reviews, report_id, payload
        self.st: ReportState = reviews.state(report_id)
        self.analyst = str(payload.get("analyst") or "").strip()
        if not self.analyst or len(self.analyst) > 60 or "\n" in self.analyst:
            raise ChipkgError("give your name (the analyst field at the top of the page)")
        try:
            self.index = int(payload.get("passage"))
            self.passage = self.st.parsed.passages[self.index]
        except (TypeError, ValueError, IndexError):
            raise ChipkgError(f"no passage {payload.get('passage')!r} in this report") from None
        self.path = reviews.space.curated_file(report_id)

    def claim(self) -> dict:
        ref, state = self.payload.get("ref"), self.payload.get("state")
        for view in self.st.by_passage.get(self.index, []):
            if view["ref"] == ref and (state is None or view["state"] == state):
                return view
        raise ChipkgError(f"the claim '{ref}' is no longer in this passage — reload the page")

    def run(self) -> str:
        action = self.payload.get("action")
        if action == "add":
            return self.add()
        if action == "promote":
            return self.promote()
        view = self.claim()
        handler = {
            ("accept", "pending"): self.review,
            ("reject", "pending"): self.review,
            ("correct", "pending"): self.correct,
            ("correct", "accepted"): self.correct,
            ("correct", "added"): self.rewrite,
            ("correct", "correction"): self.rewrite,
            ("reject", "added"): self.take_back,
            ("undo", "accepted"): self.take_back,
            ("undo", "rejected"): self.take_back,
            ("undo", "correction"): self.take_back,
            ("undo", "added"): self.take_back,
        }.get((action, view["state"]))
        if handler is None:
            raise ChipkgError(f"cannot {action} a claim that is {view['state']}")
        return handler(view)

    # -- the actions ------------------------------------------------------------------------------
    def review(self, view: dict) -> str:
        action = self.payload["action"]
        row = _row(action, self._quote(view), self.passage.text, self.analyst, replaces=view["ref"])
        self._write(lambda rows: [*rows, row], row)
        return f"{action}ed: {view['ref']}"

    def correct(self, view: dict) -> str:
        cells = {**_fields_of(view), **_edits(self.payload), "replaces": view["ref"]}
        if cells == {**_fields_of(view), "replaces": view["ref"]}:
            raise ChipkgError("nothing changed")
        row = _row("correct", self._quote(view), self.passage.text, self.analyst, **cells)
        self._write(lambda rows: [*rows, row], row)
        return f"corrected: {view['ref']}"

    def rewrite(self, view: dict) -> str:
        old = self._own_row(view)
        new = {**old, **_edits(self.payload), "analyst": self.analyst, "time": now()}
        self._write(lambda rows: [new if r == old else r for r in rows], new, must_have=old)
        return f"changed: {view['ref']}"

    def take_back(self, view: dict) -> str:
        old = self._own_row(view)
        self._write(lambda rows: [r for r in rows if r != old], None, must_have=old)
        return f"took back the {old['action']} row of line {view['line']}"

    def add(self) -> str:
        try:
            start, end = (int(x) for x in self.payload.get("span"))
        except (TypeError, ValueError):
            raise ChipkgError("select the words of the fact in the sentence first") from None
        text = self.passage.text
        if not 0 <= start < end <= len(text) or not text[start:end].strip():
            raise ChipkgError("select the words of the fact in the sentence first")
        cells = {k: "" for k in FIELDS} | _edits(self.payload)
        row = _row("add", text[start:end].strip(), text, self.analyst, **cells)
        self._write(lambda rows: [*rows, row], row)
        return f"added: {cells['subject']} {cells['predicate']} {cells['object'] or cells['value']}"

    def promote(self) -> str:
        eid = str(self.payload.get("entity") or "")
        e = self.payload.get("fields") or {}
        edits = promote.Edits(
            str(e.get("label_en") or ""), str(e.get("label_zh") or ""), str(e.get("type") or "")
        )
        rows = promote.promote(self.reviews.space, [eid], edits, [self.st.path])
        return f"promoted {eid} to {self.reviews.space.entities_table.name} ({rows[0]['type']})"

    # -- helpers ----------------------------------------------------------------------------------
    def _quote(self, view: dict) -> str:
        """The words an extracted claim rests on, else its whole sentence."""
        words = view["words"]
        return words if words and words in self.passage.text else self.passage.text

    def _own_row(self, view: dict) -> dict[str, str]:
        cur = self.st.curation
        row = next((r for r in (cur.rows if cur else ()) if r.line == view["line"]), None)
        if row is None:
            raise ChipkgError("that row is no longer in the overlay — reload the page")
        return dict.fromkeys(CURATED_COLUMNS, "") | dict(row.cells)

    def _write(self, change, new: dict | None, must_have: dict | None = None) -> None:
        """Apply ``change`` to the overlay under its lock, after checking the result fits."""

        def changed(rows: list[dict]) -> list[dict]:
            rows = [dict.fromkeys(CURATED_COLUMNS, "") | r for r in rows]
            if must_have is not None and must_have not in rows:
                raise ChipkgError("the overlay changed meanwhile — reload the page")
            return change(rows)

        made: list[Extraction] = []
        rows = update_table(
            self.path,
            CURATED_COLUMNS,
            "curated overlay",
            changed,
            required=REQUIRED_COLUMNS,
            check=lambda tmp: made.append(self._fits(tmp, new)),
        )
        self.reviews.install(self.st, self._renamed(made[0]), rows)

    def _fits(self, tmp: Path, new: dict | None) -> Extraction:
        """The new overlay applied to the report's claims: no error, and the new row not
        stale."""
        st = self.st
        try:
            ex = with_overlay(st.parsed, st.base.rules, tmp)
        except ChipkgError as exc:
            if exc.path == str(tmp):
                exc.path = str(self.path)
            raise
        for s in ex.curation.stale if ex.curation else ():
            if new is not None and dict.fromkeys(CURATED_COLUMNS, "") | s.row.cells == new:
                raise ChipkgError(f"not written: the row would be stale — {s.reason}")
        return ex

    def _renamed(self, ex: Extraction) -> Extraction:
        """The extraction made from the temporary file, naming the overlay it became."""
        if ex.curation is None:
            return ex
        return replace(ex, curation=replace(ex.curation, path=self.path))
