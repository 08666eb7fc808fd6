"""Commands that talk HTTP: serve the store, push it to another triple store."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.table import Table

from chipkg.console import build_folder, err, out, workspace
from chipkg.graph import store


@click.command("serve")
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
    help="Seconds a query may run; then it is stopped and answered 503.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    help="Queries that may run at once, each in its own process (default: CPUs, at least 2).",
)
@click.option(
    "--memory",
    "memory_mb",
    type=click.IntRange(0),
    default=2048,
    show_default=True,
    help="MB of memory a query worker may use (0: no limit).",
)
@click.option(
    "--allow-service",
    is_flag=True,
    help="Let queries use SERVICE <url>, which makes this server fetch that address.",
)
@click.pass_context
def serve_cmd(
    ctx: click.Context,
    port: int,
    out_dir: Path | None,
    timeout_s: float,
    workers: int | None,
    memory_mb: int,
    allow_service: bool,
) -> None:
    """Serve the store read-only over the SPARQL 1.1 Protocol on 127.0.0.1: /query (JSON, XML,
    CSV, TSV results; Turtle and more for CONSTRUCT), /store?graph=IRI (reads), and a query page
    at / . It serves the store as it was at start: restart after a build. A query past --timeout
    is stopped; SERVICE is refused unless --allow-service."""
    from chipkg.web import serve

    running = []  # the endpoint, once it serves (a signal may stop it before)
    with (
        serve.stopped_by_signals(),
        serve.serving(
            build_folder(ctx, out_dir),
            port,
            timeout_s=timeout_s,
            workers=workers,
            allow_service=allow_service,
            memory_mb=memory_mb,
        ) as endpoint,
    ):
        running.append(endpoint)
        out.print(serve.describe(endpoint))
        serve.wait_forever()
    err.print("stopped" + (f": {running[0].pool.stats.summary()}" if running else ""))


@click.command("push")
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
    from chipkg.web import push

    target = push.make_target(endpoint, graph_store, user, password_env, timeout_s, retries)
    st = store.open_store(build_folder(ctx, out_dir))
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


# -- the review page (issue 20; docs/curation.md) -----------------------------------------------
@click.command("review")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=7879,
    show_default=True,
    help="Port on 127.0.0.1 (0 picks a free one).",
)
@click.option(
    "--analyst",
    default="",
    help="The name the page starts with for your rows (each browser keeps the name typed in).",
)
@click.option(
    "--bench",
    "bench_report",
    metavar="REPORT",
    help="Do not serve: time every passage page of REPORT over HTTP and print the figures.",
)
@click.pass_context
def review_cmd(ctx: click.Context, port: int, analyst: str, bench_report: str | None) -> None:
    """Serve the review page on 127.0.0.1: the workspace's reports passage by passage, each
    sentence in its paragraph with its footnotes, sources and verdicts, its claims as rows to
    accept, reject or correct, facts to add from a selection, provisional entities to promote.
    Every action writes the report's curated overlay (curated/REPORT.csv); rebuild to see it in
    the graph."""
    from chipkg.web import review_server

    space = workspace(ctx)
    if bench_report:
        click.echo(json.dumps(review_server.bench(space, bench_report), indent=2))
        return
    review_server.serve(space, port, analyst)
