"""Commands on one report's extraction: the entities it mentions, and its scores against gold."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.table import Table

from chipkg.console import err, out, workspace
from chipkg.errors import ChipkgError
from chipkg.extract import evaluate
from chipkg.extract.entities import Linker, load_entities
from chipkg.extract.pipeline import extract
from chipkg.ingest import citations, inputs, report


def _parse_one(ctx: click.Context, report_path: Path | None):
    if report_path is None:
        folder = workspace(ctx).sources
        sources = sorted(folder.glob("*.txt"))
        if len(sources) != 1:
            raise ChipkgError(
                f"{len(sources)} reports in {folder}; name the one to use",
                hint="give the report file as an argument",
            )
        report_path = sources[0]
    path = report_path
    meta = inputs.read_meta(path)
    try:
        parsed = report.parse_report(path, meta.report_id)
    except ChipkgError as exc:
        exc.path = exc.path or str(path)
        raise
    return meta, parsed, citations.resolve(parsed)


@click.command()
@click.argument("report_path", required=False, type=click.Path(path_type=Path))
@click.option(
    "--unknown",
    is_flag=True,
    help="List names that look like organisations but are not reference entities.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_context
def entities(ctx: click.Context, report_path: Path | None, unknown: bool, fmt: str) -> None:
    """Entities a report mentions (default: the bundled report), or with --unknown the candidates
    to add to ontology/entities.csv, each with the passages it appears in."""
    linker = Linker(load_entities())
    meta, parsed, cites = _parse_one(ctx, report_path)
    ex = extract(parsed, cites, linker)
    by_index = {p.index: p for p in parsed.passages}
    rows: dict[str, list[dict]] = {}
    if unknown:
        for name, idx in ex.unknown:
            p = by_index[idx]
            rows.setdefault(name, []).append({"page": p.page, "line": p.line, "text": p.text})
    else:
        for idx, ms in ex.mentions.items():
            for m in ms:
                p = by_index[idx]
                rows.setdefault(m.entity, []).append(
                    {"page": p.page, "line": p.line, "surface": m.surface}
                )
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2, sort_keys=True))
        return
    for name, where in sorted(rows.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        if unknown:
            click.echo(f"{name}  ({len(where)}×)")
            for w in where[:3]:
                click.echo(f"    {meta.path.name}:{w['line']} p{w['page']}: {w['text'][:70]}")
        else:
            e = linker.entities[name]
            surfaces = sorted({w["surface"] for w in where})
            click.echo(
                f"{name}\t{e.type}\t{e.label_en} / {e.label_zh}\t{len(where)}×\t"
                + "、".join(surfaces)
            )
    what = "candidate names" if unknown else "entities"
    err.print(f"{len(rows)} {what} in {meta.path.name}")


@click.command("eval")
@click.argument("report_path", required=False, type=click.Path(path_type=Path))
@click.option(
    "--gold",
    "gold_path",
    type=click.Path(path_type=Path),
    help="Gold facts CSV (default: tests/gold/REPORT.csv in the project).",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--min-precision", type=float, default=0.0, help="Exit 1 below this precision.")
@click.option("--min-recall", type=float, default=0.0, help="Exit 1 below this recall.")
@click.pass_context
def eval_cmd(
    ctx: click.Context,
    report_path: Path | None,
    gold_path: Path | None,
    fmt: str,
    min_precision: float,
    min_recall: float,
) -> None:
    """Precision and recall of extraction against a hand-annotated gold set, per relation and
    overall, with the misses and the false positives."""
    linker = Linker(load_entities())
    meta, parsed, cites = _parse_one(ctx, report_path)
    gold_path = gold_path or workspace(ctx).gold / f"{meta.report_id}.csv"
    gold = evaluate.load_gold(gold_path, parsed, set(linker.entities))
    ex = extract(parsed, cites, linker)
    scores = evaluate.evaluate(gold, ex, cites)
    result = scores.as_dict()
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        table = Table(title=f"extraction vs {gold_path.name}")
        for col in ("relation", "gold", "extracted", "correct", "precision", "recall"):
            table.add_column(col, justify="left" if col == "relation" else "right")
        for p, v in result["per_predicate"].items():
            table.add_row(
                p,
                str(v["gold"]),
                str(v["extracted"]),
                str(v["correct"]),
                f"{v['precision']:.2f}",
                f"{v['recall']:.2f}",
            )
        o = result["overall"]
        table.add_row(
            "overall",
            str(o["gold"]),
            str(o["extracted"]),
            str(o["correct"]),
            f"{o['precision']:.3f}",
            f"{o['recall']:.3f}",
            style="bold",
        )
        out.print(table)
        by_index = {p.index: p for p in parsed.passages}
        out.print(
            f"amounts correct on matched facts: {scores.amount_correct}/{scores.amount_checked}"
        )
        out.print(f"misses ({len(scores.misses)}):")
        for m in scores.misses:
            out.print(
                f"  {m.id} {m.subject} {m.predicate} {m.object or m.value}  "
                f"« {by_index[m.passage].text[:50]} »"
            )
        out.print(f"false positives ({len(scores.false_positives)}):")
        for c in scores.false_positives:
            out.print(
                f"  {c.subject} {c.predicate} {c.object or c.value} [{c.rule}]  "
                f"« {by_index[c.passage].text[:50]} »"
            )
        if scores.source_mismatches:
            out.print(
                "gold rows whose sources differ from their passage's: "
                + ", ".join(m.id for m in scores.source_mismatches)
            )
    if scores.precision < min_precision or scores.recall < min_recall:
        ctx.exit(1)
