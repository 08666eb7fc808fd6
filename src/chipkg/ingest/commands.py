"""Commands of the ingest stage: how well a report's citations were read."""

from __future__ import annotations

import json
from pathlib import Path

import click

from chipkg.console import out
from chipkg.errors import ChipkgError
from chipkg.ingest import accuracy, citations, inputs, report


@click.command("eval-citations")
@click.argument("report_path", type=click.Path(path_type=Path))
@click.option(
    "--gold",
    "gold_path",
    required=True,
    type=click.Path(path_type=Path),
    help="Citation key: one JSON line per note (note, page, urls, marker_sentence).",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_context
def eval_citations(ctx: click.Context, report_path: Path, gold_path: Path, fmt: str) -> None:
    """Citation accuracy of REPORT against a citation key: every note's URLs on the sentence that
    carries its marker, and no URL on a sentence that does not cite it. Exit 0 when perfect, 1
    when a note is missed or a URL is extra, 2 on bad input."""
    key = accuracy.read_key(gold_path)
    meta = inputs.read_meta(report_path)
    try:
        parsed = report.parse_report(report_path, meta.report_id)
    except ChipkgError as exc:
        exc.path = exc.path or str(report_path)
        raise
    result = accuracy.score(parsed, citations.resolve(parsed), key)
    if fmt == "json":
        data = {"report": str(report_path), "gold": str(gold_path), **result.as_dict()}
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        for m in result.misses:
            out.print(f"miss: {report_path}:{m.line}: note {m.note}: {m.problem}")
        for e in result.extras:
            out.print(f"extra: {report_path}:{e.line}: cites {e.cited} (« {e.sentence}… »)")
        out.print(
            f"{report_path.name}: citation accuracy {result.right}/{result.notes} notes "
            f"({100 * result.accuracy:.1f} %), {len(result.extras)} extra citation(s)"
        )
    if not result.perfect:
        ctx.exit(1)
