"""Commands on the build folder and its store: remove, store load, store status."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.table import Table

from chipkg.console import build_folder, out, workspace
from chipkg.extract.entities import load_entities
from chipkg.graph import store
from chipkg.graph.build import entities_graph


@click.command("remove")
@click.argument("report_ids", nargs=-1, required=True)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Build folder (default: PROJECT/graph/build).",
)
@click.pass_context
def remove_cmd(ctx: click.Context, report_ids: tuple[str, ...], out_dir: Path | None) -> None:
    """Remove built reports (by id): their Turtle file, manifest entry and named graph in the
    dataset and the store. Their source files are left alone."""
    build_dir = build_folder(ctx, out_dir)
    change = store.write_outputs(
        build_dir, {}, entities_graph(load_entities(project=workspace(ctx))), remove=report_ids
    )
    out.print(f"removed {len(report_ids)} report(s) from {build_dir}: {', '.join(report_ids)}")
    out.print(change.summary())


@click.group("store")
def store_group() -> None:
    """The embedded on-disk store (PROJECT/graph/build/store) where queries run."""


@store_group.command("load")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Build folder (default: PROJECT/graph/build).",
)
@click.pass_context
def store_load(ctx: click.Context, out_dir: Path | None) -> None:
    """(Re)create the store from the built dataset chipkg.trig, in a new generation: the previous
    one stays in use until the new one is complete."""
    out.print(store.load_store(build_folder(ctx, out_dir)).summary())


@store_group.command("status")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Build folder (default: PROJECT/graph/build).",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_context
def store_status(ctx: click.Context, out_dir: Path | None, fmt: str) -> None:
    """Which generation is current, its named graphs and triple counts, and whether it matches
    chipkg.trig. Exit 1 when the store is missing or stale."""
    status = store.store_status(build_folder(ctx, out_dir))
    if fmt == "json":
        click.echo(json.dumps(status, ensure_ascii=False, indent=2, sort_keys=True))
    elif not status["present"]:
        out.print(f"no store in {status['store']} — run 'chipkg store load' or 'chipkg build'")
    else:
        table = Table(title=f"{status['store']}/{status['generation']}")
        table.add_column("named graph")
        table.add_column("triples", justify="right")
        for iri, n in status["graphs"].items():
            table.add_row(iri, str(n))
        out.print(table)
        state = "matches" if status["fresh"] else "is OLDER than"
        out.print(
            f"{status['triples']} triples; the store {state} {store.DATASET_FILE}"
            + ("" if status["fresh"] else " — run 'chipkg store load'")
        )
    if not (status["present"] and status["fresh"]):
        ctx.exit(1)
