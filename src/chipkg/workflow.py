"""`chipkg init`: a workspace; `chipkg build`: the whole pipeline for each report (ingest,
extract, graph, check), then the build folder and the store written at once."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click
from rdflib import Graph
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from chipkg import workspace as ws
from chipkg.check import validate
from chipkg.console import OutputFormat, build_folder, err, out, warn, workspace
from chipkg.errors import ChipkgError
from chipkg.extract.entities import Linker, load_entities
from chipkg.extract.pipeline import extract
from chipkg.graph import store
from chipkg.graph.build import entities_graph, report_graph
from chipkg.graph.summary import summarise, summary_table
from chipkg.ingest import citations, inputs, report
from chipkg.ingest.publishers import PublisherTable, merged_publishers
from chipkg.workspace import Workspace


@click.command("init")
@click.argument(
    "folder", required=False, default=".", type=click.Path(file_okay=False, path_type=Path)
)
@click.option("--name", help="The workspace's name (default: the folder's name).")
@click.option(
    "--language",
    type=click.Choice(list(ws.LANGUAGES)),
    default="en",
    show_default=True,
    help="The label language preferred in query results and on the review page.",
)
def init_cmd(folder: Path, name: str | None, language: str) -> None:
    """Make a workspace in FOLDER (default: here): chipkg.toml, sources/ for the reports,
    curated/ for the analysts' corrections, entities.csv and publishers.csv that extend or
    override the bundled tables, build/ for what chipkg build writes."""
    space = ws.init(folder, name, language)
    out.print(f"made workspace '{space.settings.name}' in {space.root}")
    out.print(
        f"next: put a report (NAME.txt) in {space.sources}, then run 'chipkg build' "
        "and 'chipkg review' in that folder"
    )


@click.command()
@click.argument("reports", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Build folder (default: the workspace's build/).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice([f.value for f in OutputFormat]),
    default="text",
    show_default=True,
    help="Summary format on stdout.",
)
@click.option(
    "--validate/--no-validate",
    "run_validation",
    default=True,
    show_default=True,
    help="Validate each report graph with the SHACL shapes before writing it.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Write graphs even when they have violations (replacing the previous build).",
)
@click.pass_context
def build(
    ctx: click.Context,
    reports: tuple[Path, ...],
    out_dir: Path | None,
    fmt: str,
    run_validation: bool,
    force: bool,
) -> None:
    """Parse analyst reports and build their provenance graphs.

    REPORTS are report text files (default: every *.txt in the workspace's sources/). Each
    report becomes a named graph; build/chipkg.trig holds them all. Nothing is written unless
    every report parses.
    """
    build_dir = build_folder(ctx, out_dir)
    space = workspace(ctx)
    paths = list(reports) or inputs.discover(space.sources)
    gone = _check_inputs(paths, build_dir, whole_folder=not reports)
    linker = Linker(load_entities(project=space))
    publishers = merged_publishers(space.publishers_table)
    built: dict[str, BuiltReport] = {}
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task("building", total=len(paths) * 3)
        for path in paths:
            step = lambda what: progress.update(task, description=what)  # noqa: E731
            one = build_report(path, space, linker, publishers, step)
            built[one.report_id] = one
            progress.advance(task, 3)
        ents = entities_graph(linker.entities)
        checked: dict[str, validate.ValidationReport] = {}
        cache = validate.ResultCache(build_dir / "validation")  # unchanged reports: not again
        if run_validation:
            progress.update(task, description=f"validating {len(built)} report graph(s)")
            checked = _validate(built, ents, cache)
        broken = {rid: r for rid, r in checked.items() if not r.conforms}
        if broken and not force:
            progress.stop()
            _refuse(ctx, broken, build_dir)
        progress.update(task, description=f"writing {build_dir}")
        change = store.write_outputs(
            build_dir, {rid: (b.graph, b.manifest) for rid, b in built.items()}, ents, gone
        )
        cache.save()  # with the build, never before: a refused build writes nothing
    for rid in gone:
        warn(
            f"{build_dir / store.REPORTS_DIR / rid}.ttl: dropped report '{rid}' from the build: "
            f"its source is no longer in {space.sources}"
        )
    summaries = {rid: b.summary for rid, b in built.items()}
    if fmt == "json":
        shown = {rid: {**b.summary, "citation_style": b.style} for rid, b in built.items()}
        click.echo(json.dumps(shown, ensure_ascii=False, indent=2, sort_keys=True))
        err.print(change.summary())
        return
    out.print(summary_table(summaries))
    for rid, b in built.items():
        out.print(f"citation style of {rid}: {b.style}")
    triples = sum(len(b.graph) for b in built.values())
    name = space.settings.name
    out.print(f"wrote {triples} triples for {len(built)} report(s) of {name} to {build_dir}")
    out.print(change.summary())
    for rid, r in checked.items():
        out.print(
            f"validated {rid}: {'conforms' if r.conforms else 'DOES NOT CONFORM'} "
            f"({r.count('Violation')} violations, {r.count('Warning')} warnings, "
            f"{r.count('Info')} info) — details: chipkg validate"
        )


@dataclass(frozen=True)
class BuiltReport:
    """One report through the pipeline: its named graph, its text, its summary counts, and the
    manifest entry the build folder keeps for it."""

    report_id: str
    graph: Graph
    text: str
    summary: dict[str, int]
    manifest: dict
    style: str = ""  # its citation style(s), and whether detected or set by its sidecar


def build_report(
    path: Path,
    space: Workspace,
    linker: Linker,
    publishers: PublisherTable,
    step: Callable[[str], object],
) -> BuiltReport:
    """Parse, cite, extract (with the report's curated overlay) and build one report's graph;
    warnings (a stale sidecar checksum, the parser's findings) go to stderr."""
    meta = inputs.read_meta(path)
    step(f"parsing {path.name}")
    try:
        parsed = report.parse_report(path, meta.report_id, meta.citation_style or None)
        cites = citations.resolve(parsed, publishers)
    except ChipkgError as exc:
        exc.path = exc.path or str(path)
        raise
    step(f"extracting facts from {path.name}")
    curated = space.curated_file(meta.report_id)
    extraction = extract(parsed, cites, linker, curated)
    step(f"building graph of {path.name}")
    graph = report_graph(parsed, cites, meta, extraction)
    summary = summarise(parsed, cites, extraction)
    if not meta.checksum_ok:
        warn(
            f"{inputs.sidecar_path(path)}: sha256 in the sidecar does not match the report "
            "file — the text changed since its metadata was written; update the "
            f"sidecar's sha256 to {meta.sha256_actual}"
        )
    for f in sorted(list(parsed.findings) + list(cites.findings), key=lambda f: f.line):
        if f.severity == "warning":
            warn(f"{path}:{f.line}: {f.message}")
    _warn_stale(extraction)
    style = " + ".join(parsed.citation_styles) + (
        " (set by the sidecar)" if parsed.style_forced else " (detected)"
    )
    manifest = {
        "citation_style": list(parsed.citation_styles),
        "source_file": str(path.name),
        "sha256": meta.sha256_actual,
        "graph": f"https://w3id.org/chipkg/id/graph/{meta.report_id}",
        "triples": len(graph),
        "summary": summary,
    }
    return BuiltReport(meta.report_id, graph, parsed.text, summary, manifest, style)


def _warn_stale(extraction) -> None:
    """Curated rows that no longer fit the report, one warning each (never dropped silently)."""
    cur = extraction.curation
    for st in cur.stale if cur else ():
        what = "applied as an addition" if st.applied else "not applied"
        warn(
            f"{cur.path}:{st.row.line}: stale {st.row.action} row ({what}): {st.reason} — fix "
            "or delete the row (chipkg review lists it)"
        )


def _validate(
    built: dict[str, BuiltReport], ents: Graph, cache: validate.ResultCache
) -> dict[str, validate.ValidationReport]:
    """Each report graph with the entities, validated (in parallel processes when several);
    a report whose graph, entities, text, shapes and ontology are as last time is not."""
    items = []
    for rid, b in built.items():
        data = Graph()
        data += b.graph
        data += ents
        items.append((rid, data, b.text))
    return validate.validate_reports(items, cache=cache)


def _refuse(
    ctx: click.Context, broken: dict[str, validate.ValidationReport], build_dir: Path
) -> None:
    """Print the first violations of each broken report and stop with exit 1, writing nothing."""
    for rid, r in broken.items():
        for res in [x for x in r.results if x.severity == "Violation"][:10]:
            click.echo(f"violation: {rid}: {res.focus_label}: {res.message}", err=True)
    click.echo(
        "error: "
        + ", ".join(f"{rid} has {r.count('Violation')} violation(s)" for rid, r in broken.items())
        + f" — nothing written, the previous build in {build_dir} is kept; fix the input"
        " or the extraction rules, or use --force to write anyway",
        err=True,
    )
    ctx.exit(1)


def _check_inputs(paths: list[Path], build_dir: Path, whole_folder: bool) -> list[str]:
    """Refuse two copies of one report (the same id, or the same text under two names: every total
    would count it twice), here or against a report already built; return the built reports whose
    source is gone, to drop, when the whole folder of sources is built."""
    manifest = store.read_manifest(build_dir) if build_dir.exists() else {}
    built = set(store.built_reports(build_dir)) if build_dir.exists() else set()
    ids = [p.stem for p in paths]
    gone = sorted(built - set(ids)) if whole_folder else []
    seen: dict[str, Path] = {}
    for path in paths:
        if path.stem in seen:
            raise ChipkgError(
                f"two reports named '{path.stem}': {seen[path.stem]} and {path}",
                path=path,
                hint="a report id is its file name; rename or drop one of them",
            )
        seen[path.stem] = path
    by_text: dict[str, str] = {
        entry["sha256"]: rid
        for rid, entry in manifest.items()
        if rid not in ids and rid not in gone and entry.get("sha256")
    }
    for path in paths:
        digest = inputs.sha256_of(path) if path.is_file() else ""
        other = by_text.get(digest)
        if other in seen:
            raise ChipkgError(
                f"the same text as {seen[other]}: every total would count it twice",
                path=path,
                hint="keep one of the two files",
            )
        if other is not None:
            raise ChipkgError(
                f"the same text as report '{other}', already in the build: every total would "
                "count it twice",
                path=path,
                hint=f"keep one copy ('chipkg remove {other}' drops the built one)",
            )
        if digest:
            by_text[digest] = path.stem
    return gone
