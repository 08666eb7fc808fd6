"""Commands on one report's extraction: the entities it mentions, and its scores against gold."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from chipkg.console import err, out, workspace
from chipkg.errors import ChipkgError
from chipkg.extract import evaluate, promote
from chipkg.extract.entities import Linker, load_entities, project_entities_path
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


class _ListsByDefault(click.Group):
    """``chipkg entities [REPORT…] [--unknown|--provisional]`` lists, ``chipkg entities promote
    ID…`` promotes: anything but a subcommand name goes to the listing."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h")):
            args = ["list", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_ListsByDefault)
def entities() -> None:
    """Entities the reports mention.

    \b
    chipkg entities [REPORT]          the entities a report mentions (default: the one report
                                      in sources/); --unknown: names that look like
                                      organisations but are not in the entity table
    chipkg entities --provisional     the provisional entities minted from the reports (default:
                                      all of sources/), with mention counts and passages
    chipkg entities promote ID…       add provisional entities to the workspace's entities.csv
    """


@entities.command("list", hidden=True)
@click.argument("report_paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--unknown",
    is_flag=True,
    help="List names that look like organisations but are not reference entities.",
)
@click.option(
    "--provisional",
    is_flag=True,
    help="List the provisional entities minted from the reports (default: all of sources/), "
    "with mention counts and passages.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_context
def list_cmd(
    ctx: click.Context, report_paths: tuple[Path, ...], unknown: bool, provisional: bool, fmt: str
) -> None:
    """Entities a report mentions, names it lacks, or the provisional entities of the reports."""
    if provisional:
        _list_provisional(ctx, report_paths, fmt)
        return
    if len(report_paths) > 1:
        raise ChipkgError("name one report", hint="only --provisional reads several")
    linker = Linker(load_entities(project=workspace(ctx)))
    meta, parsed, cites = _parse_one(ctx, report_paths[0] if report_paths else None)
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
            e = linker.entities.get(name) or ex.provisional[name]
            surfaces = sorted({w["surface"] for w in where})
            mark = " (provisional)" if e.provisional else ""
            click.echo(
                f"{name}\t{e.type}{mark}\t{e.label_en} / {e.label_zh}\t{len(where)}×\t"
                + "、".join(surfaces)
            )
    what = "candidate names" if unknown else "entities"
    err.print(f"{len(rows)} {what} in {meta.path.name}")


def _list_provisional(ctx: click.Context, report_paths: tuple[Path, ...], fmt: str) -> None:
    project = workspace(ctx)
    seen, unresolved = promote.open_world_of(
        project, list(report_paths) or promote.project_reports(project)
    )
    if fmt == "json":
        entities = {
            eid: {
                "type": s.entity.type,
                "label_en": s.entity.label_en,
                "label_zh": s.entity.label_zh,
                "aliases": list(s.entity.aliases),
                "country": s.entity.country,
                "mentions": s.mentions,
                "claims": s.used_in_claims,
                "reports": sorted(s.reports),
                "passages": [
                    {"file": f, "line": line, "page": page, "text": text}
                    for f, line, page, text in s.passages
                ],
            }
            for eid, s in seen.items()
        }
        left = [
            {"name": u.name, "ids": list(u.ids), "file": u.file, "line": u.line} for u in unresolved
        ]
        rows = {"provisional": entities, "unresolved": left}
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2, sort_keys=True))
        return
    for eid, s in sorted(seen.items(), key=lambda kv: (-kv[1].mentions, kv[0])):
        e = s.entity
        names = " / ".join(n for n in (e.label_zh, e.label_en) if n)
        click.echo(
            f"{eid}\t{e.type}\t{names}\t{e.country or '-'}\t{s.mentions}× in "
            f"{len(s.passages)} passage(s), {s.used_in_claims} claim(s)"
        )
        for f, line, page, text in s.passages[:3]:
            click.echo(f"    {f}:{line} p{page}: {text[:70]}")
    for u in unresolved:
        click.echo(f"unresolved\t{u.name}\tnames {' and '.join(u.ids)}\t{u.file}:{u.line}")
    err.print(
        f"{len(seen)} provisional entities — check them, then chipkg entities promote ID "
        "[--label-en/--label-zh/--type/--country] adds one to the workspace's entities.csv"
    )


@entities.command("promote")
@click.argument("ids", nargs=-1, required=True)
@click.option(
    "--label-en", default="", help="The English label (default: the label the text gives)."
)
@click.option(
    "--label-zh", default="", help="The Chinese label (default: the label the text gives)."
)
@click.option(
    "--type", "etype", default="", help="The entity type (default: the one its cue gave)."
)
@click.option("--country", default="", help="The country id (default: the one its context gave).")
@click.option(
    "--report",
    "report_paths",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read these reports for the provisional entities (default: all of sources/).",
)
@click.pass_context
def promote_cmd(
    ctx: click.Context,
    ids: tuple[str, ...],
    label_en: str,
    label_zh: str,
    etype: str,
    country: str,
    report_paths: tuple[Path, ...],
) -> None:
    """Write provisional entities into the workspace's entity table (entities.csv),
    so that later builds treat them as table entities (same id, same IRI). Nothing is written
    when any id is unknown, already in the table or given a bad type."""
    project = workspace(ctx)
    rows = promote.promote(
        project,
        list(ids),
        promote.Edits(label_en, label_zh, etype, country),
        list(report_paths) or promote.project_reports(project),
    )
    for r in rows:
        out.print(f"promoted {r['id']} ({r['type']}: {r['label_en']} / {r['label_zh']})")
    err.print(f"wrote {len(rows)} row(s) to {project_entities_path(project)}")


@click.command("eval")
@click.argument("report_path", required=False, type=click.Path(path_type=Path))
@click.option(
    "--gold",
    "gold_path",
    type=click.Path(path_type=Path),
    help="Gold facts CSV (default: REPORT.csv in the workspace's gold/; the repository's "
    "tests/gold/).",
)
@click.option(
    "--gold-entities",
    "gold_entities",
    type=click.Path(path_type=Path),
    help="The gold set's entities beyond the entity table (default: GOLD's name with -entities "
    "for -facts, if that file exists). Without one, the gold set is closed-world and claims on "
    "provisional entities are not scored.",
)
@click.option(
    "--entities",
    "extra_tables",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="An entity table to add for this run (same columns as ontology/entities.csv), e.g. the "
    "gold set's entities to measure with them pre-added. Repeatable.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--min-precision", type=float, default=0.0, help="Exit 1 below this precision.")
@click.option("--min-recall", type=float, default=0.0, help="Exit 1 below this recall.")
@click.pass_context
def eval_cmd(
    ctx: click.Context,
    report_path: Path | None,
    gold_path: Path | None,
    gold_entities: Path | None,
    extra_tables: tuple[Path, ...],
    fmt: str,
    min_precision: float,
    min_recall: float,
) -> None:
    """Precision and recall of extraction against a hand-annotated gold set, per relation and
    overall, with the misses and the false positives. Entities the gold set uses beyond the table
    are matched to provisional entities by label (nothing added), or are in the table when given
    with --entities (added)."""
    linker = Linker(load_entities(project=workspace(ctx), extra=extra_tables))
    meta, parsed, cites = _parse_one(ctx, report_path)
    gold_path = gold_path or workspace(ctx).gold / f"{meta.report_id}.csv"
    if gold_entities is None and evaluate.gold_entities_path(gold_path).exists():
        gold_entities = evaluate.gold_entities_path(gold_path)
    open_gold = evaluate.open_world_gold(gold_entities, linker.entities)
    known = set(linker.entities) | set(open_gold or ())
    gold = evaluate.load_gold(gold_path, parsed, known)
    ex = extract(parsed, cites, linker)
    scores = evaluate.evaluate(gold, ex, cites, open_gold)
    result = scores.as_dict()
    result["condition"] = {
        "entities_added": [str(t) for t in extra_tables],
        "gold_entities": str(gold_entities) if gold_entities else None,
        "gold_entities_not_in_table": len(open_gold or ()),
    }
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        _print_scores(gold_path, parsed, scores, result)
    if scores.precision < min_precision or scores.recall < min_recall:
        ctx.exit(1)


def _print_scores(gold_path: Path, parsed, scores: evaluate.Scores, result: dict) -> None:
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
    cond = result["condition"]
    added = ", ".join(cond["entities_added"]) or "nothing"
    out.print(
        f"entity table: {added} added; {cond['gold_entities_not_in_table']} gold entities not in "
        f"it, matched by label to {len(scores.provisional_matched)} provisional entities"
    )
    by_index = {p.index: p for p in parsed.passages}
    out.print(f"amounts correct on matched facts: {scores.amount_correct}/{scores.amount_checked}")
    if scores.unscored:
        out.print(
            f"not scored (provisional entities, closed-world gold set): {len(scores.unscored)}"
        )
    out.print(f"misses ({len(scores.misses)}):")
    for m in scores.misses:
        out.print(
            f"  {m.id} {m.subject} {m.predicate} {m.object or m.value}  "
            f"« {by_index[m.passage].text[:50]} »"
        )
    out.print(f"false positives ({len(scores.false_positives)}):")
    for c in scores.false_positives:
        amount = (
            f" [amount {c.money.value} {c.money.currency} not its own]"
            if (c in scores.wrong_amounts and c.money)
            else ""
        )
        out.print(
            escape(
                f"  {c.subject} {c.predicate} {c.object or c.value} [{c.rule}]{amount}  "
                f"« {by_index[c.passage].text[:50]} »"
            )
        )
    if scores.source_mismatches:
        out.print(
            "gold rows whose sources differ from their passage's: "
            + ", ".join(m.id for m in scores.source_mismatches)
        )
