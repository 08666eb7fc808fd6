"""A read-only SPARQL 1.1 Protocol endpoint over the on-disk store, on 127.0.0.1.

One front process, a few query workers (docs/serving.md says why):

* uvicorn (a maintained ASGI server; httptools, uvloop) runs the Starlette application of
  ``app`` on the public port: the query page at ``/``, ``/query`` and ``/store``. One event loop,
  no thread per request; listen backlog 1024; the address is reusable at once after a stop.
* ``engine.Pool`` keeps ``workers`` processes with a private snapshot of the store open
  read-only; each request goes to a free one; a query past the time limit has its worker killed.
* The snapshot's default graph holds the union of all named graphs as a set, so a query without
  FROM sees every report, the ontology and the entities (each triple once); FROM, FROM NAMED and
  the protocol's dataset parameters select graphs as the standard says.
"""

from __future__ import annotations

import errno
import os
import signal
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import pyoxigraph as ox

from chipkg.analysis import query
from chipkg.errors import ChipkgError
from chipkg.graph import sparql, store
from chipkg.web.app import Handlers, Settings, create_app
from chipkg.web.engine import Limits, Pool

HOST = "127.0.0.1"
DEFAULT_PORT = 7878
EXAMPLE_QUERY = "sources-by-publisher-kind"
BACKLOG = 1024
MAX_CONNECTIONS = 1000


@dataclass(frozen=True)
class Endpoint:
    port: int
    generation: str
    triples: int
    pool: Pool

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    @property
    def query_url(self) -> str:
        return f"http://{HOST}:{self.port}/query"

    @property
    def store_url(self) -> str:
        return f"http://{HOST}:{self.port}/store"


def free_port() -> int:
    """A port on 127.0.0.1 free at this moment (for tests and tools that start servers)."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def example_query() -> str:
    return sparql.render(query.load(EXAMPLE_QUERY), lang="en")


def union_default_graph(path: Path) -> dict[str, int]:
    """Copy every named graph's triples into the default graph of the store at ``path`` (a
    private snapshot: the build's generations are never written). A triple in several graphs is
    stored once, so the default graph is their RDF merge, as SPARQL means it. Returns each named
    graph's triple count.

    The triples go through an N-Triples file and Oxigraph's bulk loader: all in Rust, memory
    bounded, about as fast as loading the store in the first place."""
    st = ox.Store(str(path))
    counts = {
        str(row["g"].value): int(row["n"].value)
        for row in st.query("SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    }
    with tempfile.NamedTemporaryFile(prefix="chipkg-union-", suffix=".nt") as union:
        st.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }").serialize(
            union.name, format=ox.RdfFormat.N_TRIPLES
        )
        st.bulk_load(path=union.name, format=ox.RdfFormat.N_TRIPLES)
    st.flush()
    del st  # closes the database before the workers open it read-only
    return dict(sorted(counts.items()))


class _Server:
    """uvicorn (httptools, uvloop) in a thread, on a socket bound here: bind errors are ours to
    report, the listen backlog is 1024, and the address is reusable at once after a stop."""

    def __init__(self, app: object, port: int) -> None:
        import uvicorn

        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self.socket.bind((HOST, port))
        except OSError as exc:
            self.socket.close()
            reason = "is in use" if exc.errno == errno.EADDRINUSE else f"cannot be used ({exc})"
            raise ChipkgError(
                f"port {port} on {HOST} {reason}", hint="choose another with --port N"
            ) from None
        self.socket.listen(BACKLOG)
        self.port = self.socket.getsockname()[1]
        config = uvicorn.Config(
            app,
            lifespan="on",
            log_level="warning",
            access_log=False,
            backlog=BACKLOG,
            limit_concurrency=MAX_CONNECTIONS,
            timeout_keep_alive=15,
            server_header=False,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, name="chipkg-http"
        )
        self.thread.daemon = True

    def start(self, startup_s: float = 30.0) -> None:
        self.thread.start()
        deadline = time.monotonic() + startup_s
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise ChipkgError("the web server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.socket.close()


@contextmanager
def serving_store(
    path: Path,
    port: int = DEFAULT_PORT,
    limits: Limits | None = None,
    allow_service: bool = False,
    example: str = "",
) -> Iterator[tuple[int, Pool, dict[str, int]]]:
    """Serve the Oxigraph store at ``path`` (which this may write: give it a private copy)."""
    limits = limits or Limits()
    try:
        graphs = union_default_graph(path)
    except (OSError, ValueError, SyntaxError) as exc:
        raise ChipkgError(
            f"cannot prepare the store for serving: {exc}",
            path=path,
            hint="check it with 'chipkg store status'; 'chipkg store load' rebuilds it",
        ) from None
    pool = Pool(path, limits)
    try:
        settings = Settings(f"http://{HOST}:{port}", limits.timeout_s, example, graphs)
        handlers = Handlers(pool, replace(settings, allow_service=allow_service))
        server = _Server(create_app(handlers), port)
        handlers.settings = replace(handlers.settings, address=f"http://{HOST}:{server.port}")
        server.start()
        try:
            yield server.port, pool, graphs
        finally:
            server.stop()
    finally:
        pool.close()


@contextmanager
def serving(
    build_dir: Path,
    port: int = DEFAULT_PORT,
    timeout_s: float = 30.0,
    workers: int | None = None,
    allow_service: bool = False,
    memory_mb: int = 2048,
) -> Iterator[Endpoint]:
    """Serve the store of ``build_dir`` until the block exits; then stop the workers and remove
    the snapshot. ``port`` 0 picks a free one."""
    limits = Limits(
        workers=workers or max(2, os.cpu_count() or 2), timeout_s=timeout_s, memory_mb=memory_mb
    )
    example = example_query()
    with (
        store.snapshot(build_dir) as (snap, state),
        serving_store(snap, port, limits, allow_service, example) as (bound, pool, graphs),
    ):
        yield Endpoint(bound, state["generation"], sum(graphs.values()), pool)


@contextmanager
def stopped_by_signals() -> Iterator[None]:
    """From here on SIGTERM acts as Ctrl+C, and either ends the block quietly. Set before the
    server starts, so a SIGTERM arriving at any moment stops it cleanly."""

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)


def wait_forever() -> None:
    while True:
        time.sleep(3600)


def describe(ep: Endpoint) -> str:
    limits = ep.pool.limits
    return (
        f"serving {ep.triples} triples (store generation {ep.generation}) read-only on {ep.url}\n"
        f"  SPARQL 1.1 Protocol: {ep.query_url}   graphs: {ep.store_url}?graph=IRI\n"
        f"  {limits.workers} query workers, {limits.timeout_s:g} s per query\n"
        f"  query page: {ep.url}   — Ctrl+C stops"
    )
