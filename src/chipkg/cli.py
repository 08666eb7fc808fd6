"""Command line: parses arguments and wires the pipeline stages together; no logic of its own.

Exit codes: 0 success, 1 findings (violations, failed checks), 2 bad input or usage.
Data goes to stdout; progress and diagnostics go to stderr.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

import click
import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from chipkg import (
    __version__,
    analyze,
    citations,
    evaluate,
    export,
    inputs,
    query,
    report,
    store,
    validate,
)
from chipkg.bench import bench
from chipkg.build import entities_graph, report_graph
from chipkg.errors import ChipkgError
from chipkg.extract.entities import Linker, load_entities
from chipkg.extract.pipeline import extract

err = Console(stderr=True, highlight=False)
out = Console(highlight=False, soft_wrap=True)


def warn(message: str) -> None:
    """Diagnostics are plain single lines on stderr (no wrapping), easy to grep and to test."""
    click.echo(f"warning: {message}", err=True)


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


class ChipkgGroup(click.Group):
    """Turns a ChipkgError anywhere below into one clean line and its exit code."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ChipkgError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)


# options several commands share
graph_argument = click.argument("graph", required=False, type=click.Path(path_type=Path))
text_or_json = click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)


@click.group(cls=ChipkgGroup)
@click.version_option(__version__, prog_name="chipkg")
@click.option(
    "--project",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Project folder: reads PROJECT/graph/sources, builds into PROJECT/graph/build.",
)
@click.pass_context
def cli(ctx: click.Context, project: Path) -> None:
    """chipkg: a knowledge graph of the semiconductor policy landscape, every fact traced to the
    sentence that states it and the URLs that sentence cites."""
    ctx.obj = {"project": project}


def _build_dir(ctx: click.Context, override: Path | None) -> Path:
    return override or ctx.obj["project"] / "graph" / "build"


SUMMARY_FIELDS = (
    ("pages", "pages"),
    ("articles", "articles"),
    ("sections", "sections"),
    ("paragraphs", "paragraphs"),
    ("passages", "passages"),
    ("markers", "markers"),
    ("footnotes", "footnotes"),
    ("sources", "unique sources"),
    ("dangling_markers", "dangling markers"),
    ("orphan_footnotes", "orphan footnotes"),
    ("warnings", "warnings"),
    ("passages_sentence_level", "passages cited in sentence"),
    ("passages_paragraph_level", "passages cited in paragraph scope"),
    ("passages_lead_level", "passages covered by article lead"),
    ("passages_uncited", "passages with no source"),
    ("entities_mentioned", "distinct entities mentioned"),
    ("claims", "claims (facts)"),
    ("claims_superseded", "claims superseded by analysts"),
    ("claims_by_analysts", "claims by analysts"),
)


def summarise(
    parsed: report.ParsedReport, cites: citations.Citations, extraction=None
) -> dict[str, int]:
    findings = list(parsed.findings) + list(cites.findings)
    claims = extraction.claims if extraction is not None else ()
    linked = {m.entity for ms in extraction.mentions.values() for m in ms} if extraction else set()
    levels = [cites.level_of(p.index) for p in parsed.passages]
    return {
        "pages": len(parsed.pages),
        "articles": len(parsed.articles),
        "sections": len(parsed.sections),
        "paragraphs": len(parsed.paragraphs),
        "passages": len(parsed.passages),
        "markers": len(parsed.markers),
        "footnotes": len(parsed.footnotes),
        "sources": len(cites.sources),
        "dangling_markers": sum(1 for m in parsed.markers if m.dangling),
        "orphan_footnotes": sum(1 for f in findings if f.kind == "orphan-footnote"),
        "warnings": sum(1 for f in findings if f.severity == "warning"),
        "passages_sentence_level": levels.count("sentence"),
        "passages_paragraph_level": levels.count("paragraph"),
        "passages_lead_level": levels.count("lead"),
        "passages_uncited": levels.count(None),
        "entities_mentioned": len(linked),
        "claims": sum(1 for c in claims if not c.superseded),
        "claims_superseded": sum(1 for c in claims if c.superseded),
        "claims_by_analysts": sum(1 for c in claims if c.made_by.startswith("analyst")),
    }


def _summary_table(rows: dict[str, dict[str, int]]) -> Table:
    table = Table(title="chipkg build summary", show_lines=False)
    table.add_column("")
    for rid in rows:
        table.add_column(rid, justify="right")
    for key, label in SUMMARY_FIELDS:
        table.add_row(label, *(str(rows[rid].get(key, 0)) for rid in rows))
    return table


@cli.command()
@click.argument("reports", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Build folder (default: PROJECT/graph/build).",
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

    REPORTS are report text files (default: every *.txt under PROJECT/graph/sources). Each report
    becomes a named graph; graph/build/chipkg.trig holds them all. Nothing is written unless every
    report parses.
    """
    build_dir = _build_dir(ctx, out_dir)
    paths = list(reports) or inputs.discover(ctx.obj["project"] / "graph" / "sources")
    linker = Linker(load_entities())
    built = {}
    texts: dict[str, str] = {}
    summaries: dict[str, dict[str, int]] = {}
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
            meta = inputs.read_meta(path)
            progress.update(task, description=f"parsing {path.name}")
            try:
                parsed = report.parse_report(path, meta.report_id)
                cites = citations.resolve(parsed)
            except ChipkgError as exc:
                exc.path = exc.path or str(path)
                raise
            progress.advance(task)
            progress.update(task, description=f"extracting facts from {path.name}")
            curated = ctx.obj["project"] / "graph" / "curated" / f"{meta.report_id}.csv"
            extraction = extract(parsed, cites, linker, curated)
            progress.update(task, description=f"building graph of {path.name}")
            graph = report_graph(parsed, cites, meta, extraction)
            texts[meta.report_id] = parsed.text
            progress.advance(task)
            summary = summarise(parsed, cites, extraction)
            summaries[meta.report_id] = summary
            built[meta.report_id] = (
                graph,
                {
                    "source_file": str(path.name),
                    "sha256": meta.sha256_actual,
                    "graph": f"https://w3id.org/chipkg/id/graph/{meta.report_id}",
                    "triples": len(graph),
                    "summary": summary,
                },
            )
            if not meta.checksum_ok:
                warn(
                    f"{inputs.sidecar_path(path)}: sha256 in the sidecar does not match the report "
                    "file — the text changed since its metadata was written; update the "
                    f"sidecar's sha256 to {meta.sha256_actual}"
                )
            for f in sorted(list(parsed.findings) + list(cites.findings), key=lambda f: f.line):
                if f.severity == "warning":
                    warn(f"{path}:{f.line}: {f.message}")
            progress.advance(task)
        ents = entities_graph(linker.entities)
        checked: dict[str, validate.ValidationReport] = {}
        if run_validation:
            progress.update(task, description=f"validating {len(built)} report graph(s)")
            items = []
            for rid, (graph, _info) in built.items():
                data = Graph()
                data += graph
                data += ents
                items.append((rid, data, texts[rid]))
            checked = validate.validate_reports(items)  # in parallel processes when several
        broken = {rid: r for rid, r in checked.items() if not r.conforms}
        if broken and not force:
            progress.stop()
            for rid, r in broken.items():
                for res in [x for x in r.results if x.severity == "Violation"][:10]:
                    click.echo(f"violation: {rid}: {res.focus_label}: {res.message}", err=True)
            click.echo(
                "error: "
                + ", ".join(
                    f"{rid} has {r.count('Violation')} violation(s)" for rid, r in broken.items()
                )
                + f" — nothing written, the previous build in {build_dir} is kept; fix the input"
                " or the extraction rules, or use --force to write anyway",
                err=True,
            )
            ctx.exit(1)
        progress.update(task, description="writing graph/build")
        change = store.write_outputs(build_dir, built, ents)
    if not reports:
        sources = {p.stem for p in paths}
        for rid in store.built_reports(build_dir):
            if rid not in sources:
                warn(
                    f"{build_dir / store.REPORTS_DIR / rid}.ttl: report '{rid}' is still in the "
                    "build but has no source in graph/sources — 'chipkg remove "
                    f"{rid}' drops it (and its named graph)"
                )
    if fmt == "json":
        click.echo(json.dumps(summaries, ensure_ascii=False, indent=2, sort_keys=True))
        err.print(change.summary())
    else:
        out.print(_summary_table(summaries))
        triples = sum(v[1]["triples"] for v in built.values())
        out.print(f"wrote {triples} triples for {len(built)} report(s) to {build_dir}")
        out.print(change.summary())
        for rid, r in checked.items():
            out.print(
                f"validated {rid}: {'conforms' if r.conforms else 'DOES NOT CONFORM'} "
                f"({r.count('Violation')} violations, {r.count('Warning')} warnings, "
                f"{r.count('Info')} info) — details: chipkg validate"
            )


@cli.command()
@graph_argument
@click.option(
    "--format",
    "fmt",
    type=click.Choice([f.value for f in OutputFormat]),
    default="text",
    show_default=True,
)
@click.pass_context
def stats(ctx: click.Context, graph: Path | None, fmt: str) -> None:
    """Print the build summary of a built graph (default: PROJECT/graph/build), read back from the
    graph itself."""
    st = store.open_store(graph or _build_dir(ctx, None))
    rows = query.select(st, query.load("stats"))
    by_report = {}
    for row in rows:
        rid = str(row["report"]).rsplit("/", 1)[-1]
        by_report[rid] = {k: int(row[k] or 0) for k, _ in SUMMARY_FIELDS}
    if fmt == "json":
        click.echo(json.dumps(by_report, ensure_ascii=False, indent=2, sort_keys=True))
        return
    out.print(_summary_table(by_report))
    for name in ("entities-by-type", "claims-by-relation"):
        q = query.load(name)
        rows = query.select(st, q)
        table = Table(title=q.title)
        for col in rows[0] if rows else []:
            table.add_column(col, justify="left" if col in ("type", "relation") else "right")
        for r in rows:
            table.add_row(*(str(v) for v in r.values()))
        out.print(table)


@cli.command("query")
@click.argument("name_or_file", required=False)
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="KEY=VALUE",
    help="A query parameter (repeatable); see --list.",
)
@click.option(
    "--lang",
    type=click.Choice(["en", "zh"]),
    default="en",
    show_default=True,
    help="Language of the labels in the results.",
)
@click.option(
    "--graph",
    "graph",
    type=click.Path(path_type=Path),
    help="Built dataset (.trig) or graph (.ttl); default PROJECT/graph/build.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@click.option("--list", "list_", is_flag=True, help="List the named queries and what they answer.")
@click.pass_context
def query_cmd(
    ctx: click.Context,
    name_or_file: str | None,
    params: tuple[str, ...],
    lang: str,
    graph: Path | None,
    fmt: str,
    list_: bool,
) -> None:
    """Run a SPARQL SELECT query: a named query shipped with chipkg, or a .rq file ('-' reads
    stdin). The default graph is the union of all reports, the ontology and the entities; use
    GRAPH ?g { … } to tell reports apart. Results show labels, not IRIs."""
    if list_ or not name_or_file:
        for q in query.available().values():
            click.echo(f"{q.name}: {q.title}\n    {q.question}\n    parameters: {q.parameters}")
        return
    values = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ChipkgError(f"--param '{item}' is not KEY=VALUE")
        values[key.strip()] = value.strip()
    if name_or_file == "-":
        q: query.NamedQuery = query._parse_header("stdin", click.get_text_stream("stdin").read())
    elif name_or_file.endswith(".rq") or Path(name_or_file).exists():
        path = Path(name_or_file)
        if not path.exists():
            raise ChipkgError("query file not found", path=path)
        q = query._parse_header(path.stem, path.read_text(encoding="utf-8"))
    else:
        q = query.load(name_or_file)
    st = store.open_store(graph or _build_dir(ctx, None))
    resolver = None
    if any(p.kind == "entity" for p in q.params):
        g = analyze.fact_graph(st)
        resolver = lambda name: analyze.ENTITY + analyze.resolve_name(g, name)  # noqa: E731
    rows = query.select(st, q, query.bindings(q, values, resolver), lang=lang)
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        import csv
        import io

        buf = io.StringIO()
        if rows:
            w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
        click.echo(buf.getvalue(), nl=False)
    else:
        table = Table(show_lines=False)
        for col in rows[0] if rows else []:
            table.add_column(col, overflow="fold")
        for r in rows:
            table.add_row(*("" if v is None else str(v) for v in r.values()))
        out.print(table)
        out.print(f"{len(rows)} row(s)")


@cli.command("remove")
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
    build_dir = _build_dir(ctx, out_dir)
    change = store.write_outputs(build_dir, {}, entities_graph(load_entities()), remove=report_ids)
    out.print(f"removed {len(report_ids)} report(s) from {build_dir}: {', '.join(report_ids)}")
    out.print(change.summary())


@cli.group("store")
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
    out.print(store.load_store(_build_dir(ctx, out_dir)).summary())


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
    status = store.store_status(_build_dir(ctx, out_dir))
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


@cli.command("serve")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=7878,
    show_default=True,
    help="Port on 127.0.0.1 (0 picks a free one).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Build folder (default: PROJECT/graph/build).",
)
@click.option(
    "--timeout",
    "timeout_s",
    type=click.FloatRange(1, 3600),
    default=30,
    show_default=True,
    help="Seconds a query may run.",
)
@click.pass_context
def serve_cmd(ctx: click.Context, port: int, out_dir: Path | None, timeout_s: float) -> None:
    """Serve the store read-only over the SPARQL 1.1 Protocol on 127.0.0.1: /query (JSON, XML,
    CSV, TSV results; Turtle and more for CONSTRUCT), /store?graph=IRI (reads), and a query page
    at / . It serves the store as it was at start: restart after a build."""
    from chipkg import serve

    with serve.serving(_build_dir(ctx, out_dir), port, timeout_s=timeout_s) as endpoint:
        out.print(serve.describe(endpoint))
        serve.wait_for_stop()
    err.print("stopped")


@cli.command("push")
@click.option(
    "--endpoint", required=True, help="SPARQL query endpoint, e.g. http://host:7878/query."
)
@click.option(
    "--graph-store",
    help="Graph Store HTTP Protocol URL (default: …/store next to an Oxigraph …/query endpoint).",
)
@click.option("--user", help="User name for HTTP Basic or Digest authentication.")
@click.option("--password-env", metavar="VAR", help="Environment variable holding the password.")
@click.option(
    "--report",
    "reports",
    multiple=True,
    help="Push only this report's graph (repeatable); default: every graph of the build.",
)
@click.option("--timeout", "timeout_s", type=click.FloatRange(0.1), default=60, show_default=True)
@click.option("--retries", type=click.IntRange(0, 10), default=3, show_default=True)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Build folder (default: PROJECT/graph/build).",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_context
def push_cmd(
    ctx: click.Context,
    endpoint: str,
    graph_store: str | None,
    user: str | None,
    password_env: str | None,
    reports: tuple[str, ...],
    timeout_s: float,
    retries: int,
    out_dir: Path | None,
    fmt: str,
) -> None:
    """Upload each named graph of the build (reports, ontology, entities) to a triple store with
    the SPARQL 1.1 Graph Store HTTP Protocol: PUT replaces the graph (pushing again changes
    nothing), then a SPARQL count checks it. Retries with backoff; a graph that cannot be stored
    whole is put back as it was. Exit 1 if any graph failed."""
    from chipkg import push

    target = push.make_target(endpoint, graph_store, user, password_env, timeout_s, retries)
    st = store.open_store(_build_dir(ctx, out_dir))
    graphs = push.local_graphs(st, reports)
    results = push.push(st, target, graphs, progress=lambda iri: err.print(f"pushing {iri}"))
    failed = [r for r in results if r.status != "replaced"]
    if fmt == "json":
        click.echo(json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=2))
    else:
        table = Table(title=f"pushed to {target.graph_store}")
        for col in ("graph", "triples", "on server", "result", "attempts", "seconds"):
            table.add_column(col, justify="left" if col in ("graph", "result") else "right")
        for r in results:
            table.add_row(
                r.graph,
                str(r.triples),
                str(r.remote),
                r.status,
                str(r.attempts),
                f"{r.seconds:.2f}",
            )
        out.print(table)
        total = sum(r.triples for r in results if r.status == "replaced")
        out.print(
            f"pushed {len(results) - len(failed)} of {len(results)} graph(s), {total} triples, "
            f"counts verified at {target.endpoint}"
        )
    for r in failed:
        click.echo(f"error: {r.graph}: {r.message} — the graph was {r.status}", err=True)
    if failed:
        ctx.exit(1)


@cli.command("validate")
@graph_argument
@text_or_json
@click.pass_context
def validate_cmd(ctx: click.Context, graph: Path | None, fmt: str) -> None:
    """Validate a built graph (default: PROJECT/graph/build) with the SHACL shapes, one report
    graph at a time. Exit 0 when it conforms, 1 on violations, 2 on bad input."""
    path = graph or _build_dir(ctx, None)
    if not path.exists():
        raise ChipkgError("no built graph here", path=path, hint="run 'chipkg build' first")
    graphs = validate.report_graphs(path)
    manifest = store.read_manifest(path if path.is_dir() else path.parent)
    items = []
    for rid, g in graphs.items():
        source = (
            ctx.obj["project"]
            / "graph"
            / "sources"
            / manifest.get(rid, {}).get("source_file", f"{rid}.txt")
        )
        text = source.read_text(encoding="utf-8") if source.exists() else None
        items.append((rid, g, text))
    reports = validate.validate_reports(items)  # one process per core when several graphs
    if fmt == "json":
        click.echo(
            json.dumps(
                {rid: validate.to_json(r) for rid, r in reports.items()},
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        for rid, r in reports.items():
            out.print(
                f"[bold]{rid}[/]: {'conforms' if r.conforms else 'DOES NOT CONFORM'} — "
                f"{r.count('Violation')} violations, {r.count('Warning')} warnings, "
                f"{r.count('Info')} info"
            )
            for (severity, shape), results in validate.group_results(r).items():
                out.print(
                    f"\n[bold]{severity}[/] {validate.compact(URIRef(shape))} ({len(results)})"
                )
                out.print(f"  what to do: {results[0].message}")
                for res in results[:20]:
                    where = f" p{res.page}" if res.page else ""
                    value = f" value={res.value}" if res.value else ""
                    out.print(f"  • {res.focus_label}{value}{where}")
                    if res.passage_text:
                        out.print(f"      « {res.passage_text[:80]} »")
                if len(results) > 20:
                    out.print(f"  … and {len(results) - 20} more (--format json for all)")
    if not all(r.conforms for r in reports.values()):
        ctx.exit(1)


@cli.command("reason")
@graph_argument
@text_or_json
@click.pass_context
def reason_cmd(ctx: click.Context, graph: Path | None, fmt: str) -> None:
    """Run OWL 2 reasoning (HermiT, needs Java) over the ontology and the built graph's entities
    and facts. Inconsistencies are listed with the claims behind them (exit 1); inferred types and
    relations are written as their own named graph, marked inferred, to
    graph/build/inferred.trig — never mixed into the asserted facts. Exit 3 without Java."""
    from chipkg import reason as reasoning
    from chipkg.resources import ontology_dir

    path = graph or _build_dir(ctx, None)
    if not path.exists():
        raise ChipkgError("no built graph here", path=path, hint="run 'chipkg build' first")
    data = Graph()
    for g in validate.report_graphs(path).values():
        data += g
    ontology = Graph().parse(ontology_dir() / "chipkg.ttl", format="turtle")
    result = reasoning.reason(data, ontology)
    build_dir = path if path.is_dir() else path.parent
    if result.consistent:
        ds = Dataset()
        inferred = ds.graph(reasoning.INFERRED_GRAPH)
        for t in result.inferred:
            inferred.add(t)
        for t in reasoning.inferred_graph_description(result):
            ds.default_graph.add(t)
        quads = sorted(
            (
                ox.Quad(
                    store._ox(s_),
                    store._ox(p_),
                    store._ox(o_),
                    ox.NamedNode(str(c)) if c != ds.default_graph.identifier else ox.DefaultGraph(),
                )
                for s_, p_, o_, c in ds.quads((None, None, None, None))
            ),
            key=store._key,
        )
        store.atomic_write(
            build_dir / "inferred.trig",
            ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=store.PREFIXES),
        )
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "consistent": result.consistent,
                    "inferred_triples": len(result.inferred),
                    "dropped_literals": result.dropped_literals,
                    "inconsistent": [
                        {
                            "individual": i.individual,
                            "label": i.label,
                            "reason": i.reason,
                            "types": list(i.types),
                            "claims": [c.__dict__ for c in i.claims],
                        }
                        for i in result.inconsistent
                    ],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    elif result.consistent:
        out.print(
            f"consistent: {len(result.inferred)} inferred triples written to "
            f"{build_dir / 'inferred.trig'} (graph {reasoning.INFERRED_GRAPH})"
        )
    else:
        out.print(f"[bold red]inconsistent[/]: {len(result.inconsistent)} individual(s)")
        for i in result.inconsistent:
            out.print(f"  • {i.label} ({i.individual}): {i.reason}")
            for c in i.claims:
                where = f" p{c.page}" if c.page else ""
                out.print(f"      claim {c.claim}{where}: {c.passage_text or ''}")
    if not result.consistent:
        ctx.exit(1)


@cli.command("audit")
@graph_argument
@click.option("--report", "report_id", help="Audit one report (its id) instead of the corpus.")
@click.option(
    "--article",
    type=click.IntRange(min=0),
    help="Audit one article of the report (its number; 0 is the main report).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "html"]),
    default="text",
    show_default=True,
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (atomically) instead of stdout.",
)
@click.option("--check-links", is_flag=True, help="Also fetch every source URL (off by default).")
@click.option(
    "--link-timeout",
    type=click.FloatRange(min=0.1, max=120),
    default=5.0,
    show_default=True,
    help="Seconds to wait for each link.",
)
@click.option(
    "--link-concurrency",
    type=click.IntRange(1, 64),
    default=8,
    show_default=True,
    help="Links checked at once.",
)
@click.pass_context
def audit_cmd(
    ctx: click.Context,
    graph: Path | None,
    report_id: str | None,
    article: int | None,
    fmt: str,
    output: Path | None,
    check_links: bool,
    link_timeout: float,
    link_concurrency: int,
) -> None:
    """Provenance audit: coverage, source concentration and over-citation, fit between claim
    and source, consistency, citation hygiene, and optionally link status."""
    from chipkg import audit

    path = graph or _build_dir(ctx, None)
    built = store.open_store(path)
    try:
        result = audit.run_audit(
            built,
            report=report_id,
            article=article,
            check_links=check_links,
            link_timeout=link_timeout,
            link_concurrency=link_concurrency,
        )
    except ChipkgError as exc:
        exc.path = exc.path or str(path)
        raise
    render = {"json": audit.to_json, "html": audit.render_html, "text": audit.render_text}[fmt]
    text = render(result)
    if output:
        try:
            store.atomic_write(output, text.encode("utf-8"))
        except OSError as exc:
            raise ChipkgError(
                f"cannot write the audit: {exc.strerror or exc}", path=output
            ) from None
        err.print(f"wrote {output}")
    else:
        click.echo(text, nl=False)


def _parse_one(ctx: click.Context, report_path: Path | None):
    if report_path is None:
        sources = sorted((ctx.obj["project"] / "graph" / "sources").glob("*.txt"))
        if len(sources) != 1:
            raise ChipkgError(
                f"{len(sources)} reports in graph/sources; name the one to use",
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


@cli.command()
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


@cli.command("eval")
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
    gold_path = gold_path or ctx.obj["project"] / "tests" / "gold" / f"{meta.report_id}.csv"
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


def _fact_graph(ctx: click.Context, graph: Path | None):
    return analyze.fact_graph(store.open_store(graph or _build_dir(ctx, None)))


@cli.command("trace")
@click.argument("source")
@click.argument("target", required=False)
@click.option("--max-hops", type=click.IntRange(1, 6), default=3, show_default=True)
@click.option("--via", multiple=True, help="Only follow these predicates (repeatable), e.g. funds.")
@click.option("--graph", type=click.Path(path_type=Path), help="Built dataset (default: build).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_context
def trace_cmd(
    ctx: click.Context,
    source: str,
    target: str | None,
    max_hops: int,
    via: tuple[str, ...],
    graph: Path | None,
    fmt: str,
) -> None:
    """Influence paths from SOURCE (to TARGET): each hop with its predicate, the sentence that
    states it and its source URLs. Names may be ids, English or Chinese labels."""
    g = _fact_graph(ctx, graph)
    src = analyze.resolve_name(g, source)
    dst = analyze.resolve_name(g, target) if target else None
    paths = analyze.trace(g, src, dst, max_hops, via)
    if fmt == "json":
        click.echo(
            json.dumps(
                [[h.__dict__ | {"sources": list(h.sources)} for h in p] for p in paths],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    label = {
        n: f"{d['label_en']} / {d['label_zh']}" if d["label_zh"] else d["label_en"]
        for n, d in g.nodes(data=True)
    }
    for i, path in enumerate(paths, 1):
        out.print(f"[bold]{i}. {label[src]}[/] → " + " → ".join(label[h.target] for h in path))
        for h in path:
            out.print(f"   {label[h.source]} —{h.predicate}→ {label[h.target]}")
            out.print(f"     p{h.page}: {h.text}")
            for u in h.sources:
                out.print(f"     ↳ {u}")
    err.print(
        f"{len(paths)} path(s) from {src}"
        + (f" to {dst}" if dst else "")
        + f" within {max_hops} hop(s)"
    )


@cli.command("analyze")
@click.option("--graph", type=click.Path(path_type=Path), help="Built dataset (default: build).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_context
def analyze_cmd(ctx: click.Context, graph: Path | None, fmt: str) -> None:
    """Centrality (PageRank, betweenness), communities (Louvain), the most funded and most
    restricted entities, and per-country summaries of the fact graph."""
    result = analyze.analyze(_fact_graph(ctx, graph))
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    out.print(f"fact graph: {result['nodes']} entities, {result['edges']} facts")
    for key, title in (("pagerank", "PageRank"), ("betweenness", "Betweenness")):
        t = Table(title=title)
        t.add_column("entity")
        t.add_column("score", justify="right")
        for r in result[key][:10]:
            t.add_row(r["label"], f"{r['score']:.4f}")
        out.print(t)
    t = Table(title="Most funded (per currency, never converted)")
    t.add_column("entity")
    t.add_column("amounts")
    for r in result["most_funded"][:10]:
        t.add_row(r["label"], ", ".join(f"{v} {c}" for c, v in r["amounts"].items()))
    out.print(t)
    t = Table(title="Most restricted or investigated")
    t.add_column("entity")
    t.add_column("claims", justify="right")
    for r in result["most_restricted"][:10]:
        t.add_row(r["label"], str(r["claims"]))
    out.print(t)
    t = Table(title="Countries")
    for col in ("country", "entities", "facts as subject", "facts as object"):
        t.add_column(col, justify="left" if col == "country" else "right")
    for c, v in result["countries"].items():
        t.add_row(
            c,
            str(v.get("entities", 0)),
            str(v.get("facts_as_subject", 0)),
            str(v.get("facts_as_object", 0)),
        )
    out.print(t)
    out.print(
        f"{len(result['communities'])} communities: "
        + " | ".join(
            ", ".join(c[:6]) + (" …" if len(c) > 6 else "") for c in result["communities"][:5]
        )
    )


@cli.group("export")
def export_group() -> None:
    """Export the graph for other tools."""


@export_group.command("gephi")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice([f.value for f in export.Format]),
    default="gexf",
    show_default=True,
)
@click.option(
    "--variant",
    type=click.Choice([v.value for v in export.Variant]),
    default="facts",
    show_default=True,
    help="facts: all entities; actors: actors only; "
    "claims-sources: the bipartite claim–source graph.",
)
@click.option("--graph", type=click.Path(path_type=Path), help="Built dataset (default: build).")
@click.pass_context
def export_gephi(
    ctx: click.Context, output: Path, fmt: str, variant: str, graph: Path | None
) -> None:
    """Write a GEXF (Gephi) or GraphML file: node type, labels, country, degree, PageRank;
    edge predicate, weight (distinct sources), amount, first source URL, year; colours by type
    and sizes by PageRank."""
    g = export.prepare(_fact_graph(ctx, graph), export.Variant(variant))
    export.write(g, output, export.Format(fmt))
    err.print(f"wrote {g.number_of_nodes()} nodes and {g.number_of_edges()} edges to {output}")


@export_group.command("picture")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option(
    "--variant",
    type=click.Choice([v.value for v in export.Variant]),
    default="actors",
    show_default=True,
)
@click.option("--graph", type=click.Path(path_type=Path), help="Built dataset (default: build).")
@click.pass_context
def export_picture(ctx: click.Context, output: Path, variant: str, graph: Path | None) -> None:
    """Render an overview PNG of the graph (default: actors), coloured by type."""
    g = export.prepare(_fact_graph(ctx, graph), export.Variant(variant))
    export.render_png(
        g,
        output,
        f"chipkg — {variant} graph ({g.number_of_nodes()} nodes, {g.number_of_edges()} facts)",
    )
    err.print(f"wrote {output}")


cli.add_command(bench)


def main() -> None:
    cli(prog_name="chipkg")


if __name__ == "__main__":
    main()
