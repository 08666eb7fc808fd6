"""``chipkg review``: the review page served on 127.0.0.1 (uvicorn), and its benchmark (every
passage of a report requested over HTTP, timed)."""

from __future__ import annotations

import contextlib
import errno
import json
import shutil
import socket
import statistics
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import click
import uvicorn

from chipkg.console import warn
from chipkg.errors import ChipkgError
from chipkg.web.review_app import create_review_app
from chipkg.workspace import Workspace

HOST = "127.0.0.1"


def bind(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ChipkgError(
                f"port {port} on {HOST} is in use", hint="choose another with --port (0: any)"
            ) from None
        raise
    sock.listen(128)
    return sock


def _server(space: Workspace, sock: socket.socket, analyst: str) -> uvicorn.Server:
    app = create_review_app(space, analyst)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    return uvicorn.Server(config)


def check_reports(space: Workspace, analyst: str) -> None:
    """Compute every report once before serving; a report that cannot be shown (a bad overlay
    row, a report that does not parse) is named on the command line too."""
    from chipkg.web.review_model import Reviews

    reviews = Reviews(space)
    for rid in reviews.reports():
        try:
            st = reviews.state(rid)
        except ChipkgError as exc:
            warn(f"{exc} (the page shows it too)")
            continue
        for s in st.curation.stale if st.curation else ():
            warn(f"{st.curation.path}:{s.row.line}: stale {s.row.action} row: {s.reason}")


def serve(space: Workspace, port: int, analyst: str) -> None:
    sock = bind(port)
    try:
        check_reports(space, analyst)
        url = f"http://{HOST}:{sock.getsockname()[1]}/"
        click.echo(f"reviewing {space.settings.name} on {url} (Ctrl-C stops)", nl=True)
        _server(space, sock, analyst).run(sockets=[sock])
    finally:
        sock.close()


@contextlib.contextmanager
def running(space: Workspace, port: int = 0, analyst: str = "") -> Iterator[str]:
    """The review page served from a thread (tests, the benchmark): yields its URL."""
    sock = bind(port)
    server = _server(space, sock, analyst)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise ChipkgError("the review server did not start")
            time.sleep(0.02)
        yield f"http://{HOST}:{sock.getsockname()[1]}/"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def _figures(times: list[float]) -> dict:
    times = sorted(times)
    return {
        "requests": len(times),
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 2),
        "max_ms": round(times[-1], 2),
    }


def _timed(url: str, data: bytes | None = None) -> float:
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    t = time.perf_counter()
    urllib.request.urlopen(req, timeout=120).read()
    return (time.perf_counter() - t) * 1000


def bench(space: Workspace, report_id: str, rounds: int = 3, actions: int = 10) -> dict:
    """Every passage page of a report requested over HTTP ``rounds`` times (after one request
    that computes the report), then ``actions`` accepts with the page after each, in a copy of
    the workspace (its overlay is not touched): wall-clock milliseconds."""
    from chipkg.web.review_model import Reviews

    with tempfile.TemporaryDirectory() as tmp:
        copy = _copy(space, Path(tmp))
        st = Reviews(copy).state(report_id)
        n = len(st.parsed.passages)
        pending = [
            (i, v["ref"])
            for i, vs in sorted(st.by_passage.items())
            for v in vs
            if v["state"] == "pending"
        ][:actions]
        with running(copy) as url:
            first = _timed(f"{url}r/{report_id}/0")
            pages = [_timed(f"{url}r/{report_id}/{i}") for _ in range(rounds) for i in range(n)]
            acts = []
            for i, ref in pending:
                body = {"analyst": "bench", "passage": i, "ref": ref, "action": "accept"}
                acts.append(_timed(f"{url}api/r/{report_id}/act", json.dumps(body).encode()))
                acts[-1] += _timed(f"{url}r/{report_id}/{i}")
    return {
        "report": report_id,
        "passages": n,
        "first_ms": round(first, 1),
        "page": _figures(pages),
        "action_and_page": _figures(acts) if acts else None,
    }


def _copy(space: Workspace, folder: Path) -> Workspace:
    """A throw-away workspace with the same reports, overlay and tables."""
    from chipkg import workspace as ws

    made = ws.init(folder / "w", space.settings.name, space.settings.label_language)
    for src, dst in ((space.sources, made.sources), (space.curated, made.curated)):
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
    for src, dst in (
        (space.entities_table, made.entities_table),
        (space.publishers_table, made.publishers_table),
    ):
        if src.exists():
            shutil.copy(src, dst)
    return made
