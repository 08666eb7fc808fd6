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

PAGE_SIZE = 100  # rows a paged query shows unless --limit says otherwise
STATS_REPORTS = 20  # reports `chipkg stats` shows unless --limit says otherwise


def _page_note(first: int, shown: int, total: int, unit: str = "row(s)") -> str:
    """'rows 1–100 of 39,783; next page: --offset 100', or 'N row(s)' when all are shown."""
    if shown == total and first == 0:
        return f"{total:,} {unit}"
    if shown == 0:
        return f"no {unit} at offset {first:,}; there are {total:,}"
    last = first + shown
    note = f"{unit.replace('(s)', 's')} {first + 1:,}–{last:,} of {total:,}"
    return note + (f"; next page: --offset {last}" if last < total else "")


limit_option = click.option(
    "--limit",
    type=click.IntRange(0),
    help=f"Rows per page (default {PAGE_SIZE} for the queries that page, all for the others); "
    "0: all rows.",
)
offset_option = click.option(
    "--offset", type=click.IntRange(0), default=0, show_default=True, help="Rows to skip."
)


@click.command()
@graph_argument
@click.option(
    "--format",
    "fmt",
    type=click.Choice([f.value for f in OutputFormat]),
    default="text",
    show_default=True,
)
@click.option(
    "--limit",
    type=click.IntRange(0),
    default=STATS_REPORTS,
    show_default=True,
    help="Reports to show (in report order); 0: all.",
)
@offset_option
@click.pass_context
def stats(ctx: click.Context, graph: Path | None, fmt: str, limit: int, offset: int) -> None:
    """Print the build summary of a built graph (default: PROJECT/graph/build), read back from the
    graph itself (the counts are kept in its summary graph)."""
    st = store.open_store(graph or build_folder(ctx, None))
    q = query.load("stats")
    rows = query.select(st, q, limit=limit or None, offset=offset)
    by_report = {}
    for row in rows:
        rid = str(row["report"]).rsplit("/", 1)[-1]
        by_report[rid] = {k: int(row[k] or 0) for k, _ in SUMMARY_FIELDS}
    if fmt == "json":
        click.echo(json.dumps(by_report, ensure_ascii=False, indent=2, sort_keys=True))
        return
    out.print(summary_table(by_report))
    total = query.total(st, q) or 0
    if len(rows) < total:
        out.print(_page_note(offset, len(rows), total, "reports"))
    for name in ("entities-by-type", "claims-by-relation"):
        q = query.load(name)
        rows = query.select(st, q)
        table = Table(title=q.title)
        for col in rows[0] if rows else []:
            table.add_column(col, justify="left" if col in ("type", "relation") else "right")
        for r in rows:
            table.add_row(*(str(v) for v in r.values()))
        out.print(table)


def _read_query(name_or_file: str) -> query.NamedQuery:
    if name_or_file == "-":
        return query._parse_header("stdin", click.get_text_stream("stdin").read())
    if name_or_file.endswith((".rq", ".sparql")) or Path(name_or_file).exists():
        path = Path(name_or_file)
        if not path.is_file():
            raise ChipkgError("query file not found", path=path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ChipkgError(f"not UTF-8 text ({exc.reason})", path=path) from None
        return query._parse_header(path.stem, text)
    return query.load(name_or_file)


def _params(items: tuple[str, ...]) -> dict[str, str]:
    values = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ChipkgError(f"--param '{item}' is not KEY=VALUE")
        values[key.strip()] = value.strip()
    return values


def _print_rows(rows: list[dict], fmt: str) -> None:
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


def _print_other(result, fmt: str) -> None:
    """An ASK answer (true/false) or the triples of a CONSTRUCT/DESCRIBE (Turtle or N-Triples)."""
    import pyoxigraph as ox

    if result.kind == "ask":
        if fmt in ("turtle", "nt"):
            raise ChipkgError(f"an ASK query answers true or false: --format {fmt} is for triples")
        click.echo(json.dumps(result.boolean) if fmt == "json" else str(result.boolean).lower())
        return
    if fmt in ("csv", "json"):
        raise ChipkgError(
            f"a CONSTRUCT or DESCRIBE query gives triples: --format {fmt} is for SELECT rows",
            hint="use --format turtle (the default for triples) or nt",
        )
    triples = sorted(
        result.triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object))
    )
    if fmt == "nt":
        click.echo(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode(), nl=False)
    else:
        data = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=store.PREFIXES)
        click.echo(data.decode(), nl=False)


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
    type=click.Choice(["table", "csv", "json", "turtle", "nt"]),
    default="table",
    show_default=True,
    help="table, csv, json for SELECT rows (and ASK: true/false); turtle or nt for the triples of "
    "CONSTRUCT and DESCRIBE (table means turtle there).",
)
@limit_option
@offset_option
@click.option("--list", "list_", is_flag=True, help="List the named queries and what they answer.")
@click.pass_context
def query_cmd(
    ctx: click.Context,
    name_or_file: str | None,
    params: tuple[str, ...],
    lang: str,
    graph: Path | None,
    fmt: str,
    limit: int | None,
    offset: int,
    list_: bool,
) -> None:
    """Run a SPARQL query: a named query shipped with chipkg, or a .rq file ('-' reads stdin).
    The default graph is the union of all reports, the ontology, the entities and the summary
    graph; use GRAPH ?g { … } to tell reports apart. Results show labels, not IRIs.

    Queries whose result can be large show one page (--limit rows from --offset) and the total;
    they select their rows first and fetch what they show for those only (a row selection ending
    in $page). Other queries are run whole, then --limit/--offset cut their rows. SELECT rows
    print as a table, CSV or JSON; ASK prints true or false; CONSTRUCT and DESCRIBE print Turtle
    (or N-Triples)."""
    if list_ or not name_or_file:
        for q in query.available().values():
            click.echo(f"{q.name}: {q.title}\n    {q.question}\n    parameters: {q.parameters}")
            if q.paged:
                click.echo(f"    paged: {PAGE_SIZE} rows a page, and the total")
            if q.materialised:
                click.echo(f"    materialised: {q.materialised}")
        return
    values = _params(params)
    q = _read_query(name_or_file)
    st = store.open_store(graph or build_folder(ctx, None))
    resolver = None
    if any(p.kind == "entity" for p in q.params):
        g = analyze.fact_graph(st)
        resolver = lambda name: analyze.ENTITY + analyze.resolve_name(g, name)  # noqa: E731
    lang = lang or label_language(ctx)
    bound = query.bindings(q, values, resolver)
    size = (PAGE_SIZE if q.paged else None) if limit is None else (limit or None)
    if q.paged:
        result = query.run(st, q, bound, lang=lang, limit=size, offset=offset)
    else:
        result = query.run(st, q, bound, lang=lang)
    if result.kind != "select":
        _print_other(result, fmt)
        return
    if fmt in ("turtle", "nt"):
        raise ChipkgError(f"a SELECT query gives rows: --format {fmt} is for triples")
    rows = result.rows or []
    if q.paged:
        total = query.total(st, q, bound, lang=lang) if (size or offset) else len(rows)
    else:
        total = len(rows)
        rows = rows[offset : offset + size if size else None]
    _print_rows(rows, fmt)
    note = _page_note(offset, len(rows), total)
    if fmt == "table":
        out.print(note)
    else:
        click.echo(note, err=True)


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
