"""Entity ablation: how much of a report's facts would be found if the entity table had never
heard of the entities they name (docs/extraction.md, "Entity ablation").

The held-out reports measure entity discovery honestly but can each be measured only a few times.
This measures it on the tuning reports instead: every table entity a report's gold facts use
(except countries and supranational bodies, which every report shares with the table) is taken
out of the table, with the entities that hang on it (a plant whose operator or place is taken out,
and so on down), and the gold set then scores the extraction as it scores a report's new entities:
a removed entity counts as found when a provisional entity has one of its names. The relation
rules were tuned on these reports; the entity-discovery rules were not written from their table
entities' mentions, so the figure says how well discovery generalises to names it has never seen,
over many more names than the held-out reports have.

    .venv/bin/python tools/ablate.py REPORT GOLD [REPORT GOLD …] [--keep-type T …] [--misses]
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from pathlib import Path

from chipkg.extract import evaluate
from chipkg.extract.entities import Linker, load_entities
from chipkg.extract.kinds import ENTITY_TYPES
from chipkg.extract.pipeline import extract
from chipkg.ingest import citations, inputs, report

KEEP = {"Country", "SupranationalBody"}


def ablated(table: dict, used: set[str], keep: set[str]) -> set[str]:
    """The ids to take out: the used ones not of a kept type, and whatever hangs on them."""
    out = {e for e in used if e in table and table[e].type not in keep}
    grew = True
    while grew:
        grew = False
        for eid, e in table.items():
            if eid in out or e.type in keep:
                continue
            if ({e.broader, *e.operator} - {""}) & out:
                out.add(eid)
                grew = True
    return out


def gold_ids(gold: Path) -> set[str]:
    with gold.open(encoding="utf-8", newline="") as f:
        return {x for row in csv.DictReader(f) for x in (row["subject"], row["object"]) if x}


def measure(report_path: Path, gold_path: Path, keep: set[str], show: bool) -> tuple[int, ...]:
    full = load_entities()
    extra = evaluate.gold_entities_path(gold_path)
    open_gold = dict(evaluate.load_gold_entities(extra)) if extra.exists() else {}
    out = ablated(full, gold_ids(gold_path), keep)
    for eid in out:
        e = full[eid]
        open_gold[eid] = tuple(n for n in (e.label_zh, e.label_en, *e.aliases) if n)
    table = {k: v for k, v in full.items() if k not in out}
    linker = Linker(table)
    meta = inputs.read_meta(report_path)
    parsed = report.parse_report(report_path, meta.report_id)
    cites = citations.resolve(parsed)
    gold = evaluate.load_gold(gold_path, parsed, set(table) | set(open_gold))
    ex = extract(parsed, cites, linker)
    scores = evaluate.evaluate(gold, ex, cites, open_gold)
    used = {x for g in gold for x in (g.subject, g.object) if x in open_gold}
    found_ids = set(scores.provisional_matched.values())
    gold_n, found, right = scores.totals
    types = Counter(full[e].type for e in out)
    print(
        f"{report_path.name}: {len(out)} table entities taken out "
        f"({', '.join(f'{t} {n}' for t, n in types.most_common())})"
    )
    print(
        f"  P {scores.precision:.3f}  R {scores.recall:.3f}  "
        f"({found} found, {right} right of {gold_n})"
    )
    lost = sorted(used - found_ids)
    print(
        f"  discovered {len(used) - len(lost)} of the {len(used)} taken-out entities gold facts use"
    )
    if show:
        for eid in lost:
            e = full.get(eid)
            label = f"{e.type} {eid} {e.label_zh} / {e.label_en}" if e else f"new {eid}"
            where = next(
                (p.text for p in parsed.passages for n in open_gold[eid] if n in p.text), ""
            )
            at = min((where.find(n) for n in open_gold[eid] if n in where), default=0)
            print(f"  undiscovered {label}  « {where[max(0, at - 15) : at + 25]} »")
        by_index = {p.index: p for p in parsed.passages}
        for m in scores.misses:
            print(
                f"  miss {m.id} {m.subject} {m.predicate} {m.object or m.value}  "
                f"« {by_index[m.passage].text[:60]} »"
            )
        for c in scores.false_positives:
            print(
                f"  fp {c.subject} {c.predicate} {c.object or c.value} [{c.rule}]  "
                f"« {by_index[c.passage].text[:60]} »"
            )
    return gold_n, found, right


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pairs", nargs="+", type=Path, help="REPORT GOLD pairs")
    ap.add_argument("--keep-type", action="append", default=[], help="also keep this type")
    ap.add_argument("--keep-all", action="store_true", help="take nothing out (the report as is)")
    ap.add_argument("--misses", action="store_true", help="list misses and false positives")
    args = ap.parse_args(argv)
    if len(args.pairs) % 2:
        ap.error("give REPORT GOLD pairs")
    keep = KEEP | set(args.keep_type)
    if args.keep_all:
        keep = set(ENTITY_TYPES)
    total = [0, 0, 0]
    for rep, gold in zip(args.pairs[::2], args.pairs[1::2], strict=True):
        for i, n in enumerate(measure(rep, gold, keep, args.misses)):
            total[i] += n
    g, f, r = total
    print(
        f"all: P {r / f if f else 0:.3f}  R {r / g if g else 0:.3f}  ({f} found, {r} right of {g})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
