"""Commands that read a build: stats, named queries, influence traces, network analysis,
exports."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.table import Table

from chipkg.analysis import analyze, export, query
from chipkg.console import (
    OutputFormat,
    build_folder,
    err,
    graph_argument,
    label_language,
    out,
)
from chipkg.errors import ChipkgError
from chipkg.graph import store
from chipkg.graph.summary import SUMMARY_FIELDS, summary_table


@click.command()
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
    st = store.open_store(graph or build_folder(ctx, None))
    rows = query.select(st, query.load("stats"))
    by_report = {}
    for row in rows:
        rid = str(row["report"]).rsplit("/", 1)[-1]
        by_report[rid] = {k: int(row[k] or 0) for k, _ in SUMMARY_FIELDS}
    if fmt == "json":
        click.echo(json.dumps(by_report, ensure_ascii=False, indent=2, sort_keys=True))
        return
    out.print(summary_table(by_report))
    for name in ("entities-by-type", "claims-by-relation"):
        q = query.load(name)
        rows = query.select(st, q)
        table = Table(title=q.title)
        for col in rows[0] if rows else []:
            table.add_column(col, justify="left" if col in ("type", "relation") else "right")
        for r in rows:
            table.add_row(*(str(v) for v in r.values()))
        out.print(table)


@click.command("query")
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
    default=None,
    help="Language of the labels in the results (default: the workspace's first language).",
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
    st = store.open_store(graph or build_folder(ctx, None))
    resolver = None
    if any(p.kind == "entity" for p in q.params):
        g = analyze.fact_graph(st)
        resolver = lambda name: analyze.ENTITY + analyze.resolve_name(g, name)  # noqa: E731
    lang = lang or label_language(ctx)
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


def _fact_graph(ctx: click.Context, graph: Path | None):
    return analyze.fact_graph(store.open_store(graph or build_folder(ctx, None)))


@click.command("trace")
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


@click.command("analyze")
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


@click.group("export")
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
