"""Commands that check a build: SHACL validation, OWL reasoning, the provenance audit."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef

from chipkg.check import validate
from chipkg.console import build_folder, err, graph_argument, out, text_or_json, warn, workspace
from chipkg.errors import ChipkgError
from chipkg.graph import store


@click.command("validate")
@graph_argument
@text_or_json
@click.pass_context
def validate_cmd(ctx: click.Context, graph: Path | None, fmt: str) -> None:
    """Validate a built graph (default: PROJECT/graph/build) with the SHACL shapes, one report
    graph at a time. Exit 0 when it conforms, 1 on violations, 2 on bad input."""
    path = graph or build_folder(ctx, None)
    if not path.exists():
        raise ChipkgError("no built graph here", path=path, hint="run 'chipkg build' first")
    skipped: list[str] = []
    graphs = validate.report_graphs(path, skipped)
    for line in skipped:  # triples outside the report graphs: say so, never drop them silently
        warn(line)
    manifest = store.read_manifest(path if path.is_dir() else path.parent)
    items = []
    for rid, g in graphs.items():
        source = workspace(ctx).sources / manifest.get(rid, {}).get("source_file", f"{rid}.txt")
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


@click.command("reason")
@graph_argument
@text_or_json
@click.pass_context
def reason_cmd(ctx: click.Context, graph: Path | None, fmt: str) -> None:
    """Run OWL 2 reasoning (HermiT, needs Java) over the ontology and the built graph's entities
    and facts. Inconsistencies are listed with the claims behind them (exit 1); inferred types and
    relations are written as their own named graph, marked inferred, to
    graph/build/inferred.trig — never mixed into the asserted facts. Exit 3 without Java."""
    from chipkg.check import reason as reasoning
    from chipkg.resources import ontology_dir

    path = graph or build_folder(ctx, None)
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


@click.command("audit")
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
    from chipkg.check import audit

    path = graph or build_folder(ctx, None)
    built = store.open_store(path)
    verified = (path if path.is_dir() else path.parent) / "verification.trig"
    try:
        result = audit.run_audit(
            built,
            report=report_id,
            article=article,
            check_links=check_links,
            link_timeout=link_timeout,
            link_concurrency=link_concurrency,
            verification_file=verified if verified.exists() else None,
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
