"""Commands of the verification stage: ``chipkg sources fetch|import|status`` (the source archive)
and ``chipkg verify`` (each claim against the text of the sources it cites)."""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import click

from chipkg.console import build_folder, err, out, text_or_json
from chipkg.errors import ChipkgError
from chipkg.graph import store
from chipkg.verify import archive as arch
from chipkg.verify.claims import cited_urls, load_claims


def _folders(ctx: click.Context, graph: Path | None) -> tuple[Path, Path]:
    build_dir = graph or build_folder(ctx, None)
    if not build_dir.is_dir():
        raise ChipkgError("no build folder here", path=build_dir, hint="run 'chipkg build' first")
    return build_dir, arch.archive_dir(build_dir)


def _urls(build_dir: Path, report: str | None) -> list[str]:
    st = store.open_store(build_dir)
    try:
        return cited_urls(st, report)
    except ChipkgError as exc:
        exc.path = exc.path or str(build_dir)
        raise


@click.group("sources")
def sources_group() -> None:
    """The source archive (WARC files in PROJECT/graph/archive): fetch, import, status."""


@sources_group.command("fetch")
@click.option(
    "--graph", type=click.Path(path_type=Path), help="Build folder (default: PROJECT/graph/build)."
)
@click.option("--report", "report_id", help="Only the URLs this report cites.")
@click.option(
    "--delay",
    type=click.FloatRange(0, 600),
    default=1.0,
    show_default=True,
    help="Seconds between two requests to one host (robots.txt Crawl-delay wins if longer).",
)
@click.option("--timeout", type=click.FloatRange(0.1, 600), default=20.0, show_default=True)
@click.option("--retries", type=click.IntRange(0, 10), default=3, show_default=True)
@click.option(
    "--max-bytes",
    type=click.IntRange(1),
    default=25 * 1024 * 1024,
    show_default=True,
    help="Largest response kept.",
)
@click.option(
    "--hosts",
    type=click.IntRange(1, 32),
    default=4,
    show_default=True,
    help="Hosts fetched in parallel (always one request per host at a time).",
)
@click.option(
    "--resolve",
    "resolve",
    multiple=True,
    metavar="HOST=ADDRESS:PORT",
    help="Connect to ADDRESS:PORT for HOST (as curl --resolve): a local mirror, or a test server.",
)
@click.pass_context
def fetch_cmd(
    ctx: click.Context,
    graph: Path | None,
    report_id: str | None,
    delay: float,
    timeout: float,
    retries: int,
    max_bytes: int,
    hosts: int,
    resolve: tuple[str, ...],
) -> None:
    """Fetch every cited URL not yet archived (missing or failed before) into a new WARC file.
    Exit 1 when some could not be archived."""
    from chipkg.verify.fetch import Politeness, fetch_all

    build_dir, folder = _folders(ctx, graph)
    urls = _urls(build_dir, report_id)
    have = arch.read_archive(folder)
    todo = [u for u in urls if have.state(u).state != "archived"]
    err.print(
        f"{len(urls)} cited URLs: {len(urls) - len(todo)} archived already, {len(todo)} to fetch"
    )
    polite = Politeness(
        delay=delay,
        timeout=timeout,
        retries=retries,
        max_bytes=max_bytes,
        hosts_at_once=hosts,
        resolve=dict(_resolve(r) for r in resolve),
    )
    done = [0]

    def progress(o) -> None:  # noqa: ANN001
        done[0] += 1
        click.echo(
            f"[{done[0]}/{len(todo)}] {'ok ' if o.ok else 'FAILED'} {o.url}: {o.message}", err=True
        )

    outcomes = fetch_all(todo, folder, polite, progress)
    failed = [o for o in outcomes if not o.ok]
    out.print(f"fetched {len(outcomes) - len(failed)}, failed {len(failed)}; archive: {folder}")
    if failed:
        ctx.exit(1)


def _resolve(spec: str) -> tuple[str, tuple[str, int]]:
    host, _, target = spec.partition("=")
    address, _, port = target.rpartition(":")
    if not host or not address or not port.isdigit():
        raise ChipkgError(f"--resolve {spec}: expected HOST=ADDRESS:PORT")
    return host.lower(), (address, int(port))


@sources_group.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--graph", type=click.Path(path_type=Path), help="Build folder (default: PROJECT/graph/build)."
)
@click.pass_context
def import_cmd(ctx: click.Context, path: Path, graph: Path | None) -> None:
    """Import FILE.warc[.gz], a folder of WARC files, or a folder of saved .html/.pdf pages with a
    urls.csv of url,file, into the archive."""
    from chipkg.verify.importer import import_path

    build_dir = graph or build_folder(ctx, None)
    folder = arch.archive_dir(build_dir)
    count, written = import_path(path, folder)
    out.print(
        f"imported {count} records" + (f" into {written}" if written else " (nothing to add)")
    )


@sources_group.command("status")
@click.option(
    "--graph", type=click.Path(path_type=Path), help="Build folder (default: PROJECT/graph/build)."
)
@click.option("--report", "report_id", help="Only the URLs this report cites.")
@text_or_json
@click.pass_context
def status_cmd(ctx: click.Context, graph: Path | None, report_id: str | None, fmt: str) -> None:
    """Each cited URL: archived (when, HTTP status, content type, size, sha256), failed (why) or
    missing. Exit 1 when some are not archived."""
    build_dir, folder = _folders(ctx, graph)
    urls = _urls(build_dir, report_id)
    a = arch.read_archive(folder)
    for problem in a.problems:
        click.echo(f"warning: {problem}", err=True)
    rows = [status_row(a, u) for u in urls]
    if fmt == "json":
        click.echo(
            json.dumps(
                {"archive": str(folder), "problems": a.problems, "sources": rows},
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        for r in rows:
            out.print(_status_line(r), markup=False)
        counts = Counter(r["state"] for r in rows)
        out.print(", ".join(f"{k} {counts.get(k, 0)}" for k in ("archived", "failed", "missing")))
    if any(r["state"] != "archived" for r in rows):
        ctx.exit(1)


def status_row(a: arch.Archive, url: str) -> dict:
    st = a.state(url)
    row: dict = {"url": url, "state": st.state}
    if st.capture is not None:
        c = st.capture
        row |= {
            "archived": c.date,
            "status": c.status,
            "content_type": c.content_type,
            "size": c.size,
            "sha256": c.sha256,
            "record_id": c.record_id,
            "file": c.file.name,
            "redirects": [{"status": s, "to": t} for s, t in st.redirects],
        }
    if st.reason:
        row["reason"] = st.reason
    return row


def _status_line(r: dict) -> str:
    if r["state"] == "archived":
        via = f" via {len(r['redirects'])} redirect(s)" if r["redirects"] else ""
        return (
            f"archived {r['archived']} {r['status'] or 'saved'} {r['content_type']} "
            f"{r['size']:,} B sha256:{r['sha256'][:12]}{via}  {r['url']}"
        )
    if r["state"] == "failed":
        return f"failed   {r['reason']}  {r['url']}"
    return f"missing  {r['url']}"


@click.command("verify")
@click.option(
    "--graph", type=click.Path(path_type=Path), help="Build folder (default: PROJECT/graph/build)."
)
@click.option("--report", "report_id", help="Only this report's claims.")
@text_or_json
@click.pass_context
def verify_cmd(ctx: click.Context, graph: Path | None, report_id: str | None, fmt: str) -> None:
    """Look for each claim's evidence in the archived text of each source it cites, and write
    the verdicts as Web Annotations to graph/build/verification.trig (named graph
    id:graph/verification; the audit and the query 'unsupported-claims' read it)."""
    from chipkg.verify.graph import verification_quads, write_verification
    from chipkg.verify.verdict import open_source, verify

    build_dir, folder = _folders(ctx, graph)
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    st = store.open_store(build_dir)
    claims = load_claims(st, report_id)
    a = arch.read_archive(folder)
    for problem in a.problems:
        click.echo(f"warning: {problem}", err=True)
    urls = sorted({u for c in claims.claims for u in c.sources})
    sources = {u: open_source(a, u, folder / "text", claims.printed) for u in urls}
    verdicts = verify(claims, sources)
    ended = datetime.now(UTC)
    quads = verification_quads(verdicts, sources, _iso(started), _iso(ended))
    path = write_verification(build_dir, quads)
    del st  # the verdicts join the on-disk store: a generation with only their graph replaced
    change = None
    if store.read_state(build_dir) is not None:
        change = store.load_store(build_dir, fresh=False).summary()
    counts = Counter(v.verdict for v in verdicts)
    summary = {k: counts.get(k, 0) for k in ("supported", "partial", "not-found", "unavailable")}
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "file": str(path),
                    "verdicts": summary,
                    "items": [_verdict_json(v) for v in verdicts],
                    "store": change,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        out.print(
            f"{len(verdicts)} (claim, source) pairs over {len(claims.claims)} claims and "
            f"{len(urls)} sources: " + ", ".join(f"{k} {n}" for k, n in summary.items())
        )
        out.print(f"wrote {path} ({time.perf_counter() - t0:.2f} s)")
        if change:
            out.print(change)


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _verdict_json(v) -> dict:  # noqa: ANN001
    d = {
        "claim": v.claim,
        "source": v.source,
        "verdict": v.verdict,
        "found": v.found,
        "missing": v.missing,
        "explanation": v.explanation,
    }
    if v.snippet is not None:
        d["snippet"] = v.snippet.__dict__
    return d
