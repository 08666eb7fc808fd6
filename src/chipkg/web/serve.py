"""A read-only SPARQL 1.1 Protocol endpoint over the on-disk store, on 127.0.0.1.

Two processes, one address:

* Oxigraph's own server (``oxigraph serve-read-only``, the ``oxigraph`` wheel from PyPI) answers
  the protocol — GET and POST queries, content negotiation of JSON, XML, CSV and TSV results and of
  Turtle, N-Triples and RDF/XML graphs — on a private loopback port, from a hard-linked snapshot of
  the current store generation (so a later build cannot remove what it is reading). Like
  ``chipkg query``, its default graph is the union of all named graphs.
* A small front (``http.server``) on the public port serves the query page at ``/`` (YASGUI,
  bundled in ``chipkg/web/static``: no CDN) pre-filled with an example query, and passes ``/query``
  and reads of ``/store`` through unchanged. Anything that would write is refused with 405.
"""

from __future__ import annotations

import errno
import http.client
import json
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path

from chipkg.analysis import query
from chipkg.errors import ChipkgError
from chipkg.graph import store

HOST = "127.0.0.1"
DEFAULT_PORT = 7878
EXAMPLE_QUERY = "sources-by-publisher-kind"
OXIGRAPH_PIN = "oxigraph==0.5.13"
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
}
UI_FILES = {
    "yasgui.min.js": "text/javascript; charset=utf-8",
    "yasgui.min.css": "text/css; charset=utf-8",
}


@dataclass(frozen=True)
class Endpoint:
    port: int
    generation: str
    triples: int

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    @property
    def query_url(self) -> str:
        return f"http://{HOST}:{self.port}/query"

    @property
    def store_url(self) -> str:
        return f"http://{HOST}:{self.port}/store"


def oxigraph_binary() -> str:
    """The ``oxigraph`` executable: next to this Python (a venv's bin/) or on PATH."""
    here = Path(sys.executable).parent / "oxigraph"
    if here.exists():
        return str(here)
    found = shutil.which("oxigraph")
    if found:
        return found
    raise ChipkgError(
        "the Oxigraph server (the 'oxigraph' command) is not installed",
        hint=f"pip install {OXIGRAPH_PIN} ('make setup' installs it)",
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def example_query() -> str:
    q = query.load(EXAMPLE_QUERY)
    return query.render(q, lang="en")


def page(example: str) -> bytes:
    """The query page: YASGUI talking to this server's /query, pre-filled with ``example``."""
    example_js = json.dumps(example).replace("</", "<\\/")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>chipkg — SPARQL endpoint</title>
<link rel="stylesheet" href="/ui/yasgui.min.css">
<style>
  body {{ margin: 0; font-family: system-ui, sans-serif; }}
  header {{ padding: .6em 1em; background: #f3f4f6; border-bottom: 1px solid #d1d5db; }}
  header code {{ background: #fff; padding: 0 .3em; }}
  #yasgui {{ padding: 0 1em; }}
</style>
</head>
<body>
<header><strong>chipkg</strong> — read-only SPARQL 1.1 endpoint
<code id="endpoint">/query</code>. The default graph is the union of every report graph, the
ontology and the reference entities; <code>GRAPH ?g {{ … }}</code> tells reports apart.
Run the example with the ▶ button or Ctrl+Enter.</header>
<div id="yasgui"></div>
<script src="/ui/yasgui.min.js"></script>
<script>
  const EXAMPLE = {example_js};
  const endpoint = window.location.origin + "/query";
  document.getElementById("endpoint").textContent = endpoint;
  // no lookups on other hosts (prefix.cc, LOV): the page works offline
  Yasgui.Yasqe.defaults.autocompleters = ["variables"];
  const yasgui = new Yasgui(document.getElementById("yasgui"), {{
    requestConfig: {{ endpoint: endpoint, method: "POST" }},
    copyEndpointOnNewTab: true,
    persistenceId: null,
    endpointCatalogueOptions: {{ getData: () => [{{ endpoint: endpoint }}] }},
  }});
  const tab = yasgui.getTab();
  tab.setRequestConfig({{ endpoint: endpoint }});
  if (!new URLSearchParams(window.location.search).has("query")) tab.setQuery(EXAMPLE);
  window.chipkg = {{ yasgui: yasgui }};
</script>
</body>
</html>
""".encode()


class _Front(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False

    def __init__(self, port: int, backend_port: int, page_html: bytes, timeout_s: float) -> None:
        self.backend_port = backend_port
        self.page_html = page_html
        self.backend_timeout = timeout_s
        super().__init__((HOST, port), _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Front
    server_version = "chipkg"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 — quiet by default
        pass

    # -- routing ---------------------------------------------------------------------------
    def do_GET(self) -> None:  # noqa: N802 — http.server's naming
        self._route(body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._route(body=False)

    def do_POST(self) -> None:  # noqa: N802
        path = urllib.parse.urlsplit(self.path).path
        if path == "/query":
            self._proxy()
        else:
            self._refuse()

    def do_PUT(self) -> None:  # noqa: N802
        self._refuse()

    def do_DELETE(self) -> None:  # noqa: N802
        self._refuse()

    def do_PATCH(self) -> None:  # noqa: N802
        self._refuse()

    def _route(self, body: bool) -> None:
        path = urllib.parse.urlsplit(self.path).path
        if path in ("/", "/index.html"):
            self._send(200, "text/html; charset=utf-8", self.server.page_html, body)
        elif path.startswith("/ui/") and path[4:] in UI_FILES:
            data = resources.files("chipkg.web").joinpath("static", path[4:]).read_bytes()
            self._send(200, UI_FILES[path[4:]], data, body, cache=True)
        elif path in ("/query", "/store"):
            self._proxy()
        elif path == "/update":
            self._refuse()
        else:
            self._send(404, "text/plain; charset=utf-8", b"not found: try / or /query\n", body)

    # -- responses ---------------------------------------------------------------------------
    def _send(
        self, status: int, ctype: str, data: bytes, body: bool = True, cache: bool = False
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        if cache:
            self.send_header("Cache-Control", "max-age=3600")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _refuse(self) -> None:
        self._drain()
        msg = (
            "this endpoint is read-only: it answers SPARQL queries at /query and reads of /store\n"
        )
        self.send_response(405)
        self.send_header("Allow", "GET, HEAD, POST")
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(msg.encode())))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(msg.encode())

    def _drain(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _proxy(self) -> None:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self._send(411, "text/plain; charset=utf-8", b"send a Content-Length\n")
            return
        data = self._drain()
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        conn = http.client.HTTPConnection(
            HOST, self.server.backend_port, timeout=self.server.backend_timeout + 5
        )
        started = False
        try:
            conn.request(self.command, self.path, body=data or None, headers=headers)
            resp = conn.getresponse()
            started = True
            self.send_response(resp.status, resp.reason)
            for k, v in resp.getheaders():
                if k.lower() not in HOP_BY_HOP:
                    self.send_header(k, v)
            self.end_headers()  # HTTP/1.0: the body ends when the connection closes
            if self.command != "HEAD":
                while chunk := resp.read(65536):
                    self.wfile.write(chunk)
        except (OSError, http.client.HTTPException) as exc:
            if not started:
                msg = f"the SPARQL engine did not answer: {exc}\n".encode()
                self._send(502, "text/plain; charset=utf-8", msg)
        finally:
            conn.close()


def _wait_ready(proc: subprocess.Popen, port: int, deadline: float, log) -> None:
    url = f"/query?query={urllib.parse.quote('ASK {}')}"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            tail = log.read().decode("utf-8", "replace").strip().splitlines()[-3:]
            raise ChipkgError(
                "the Oxigraph server stopped at start: " + " / ".join(tail),
                hint="check the store with 'chipkg store status'",
            )
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=1)
            conn.request("GET", url, headers={"Accept": "application/sparql-results+json"})
            if conn.getresponse().status == 200:
                conn.close()
                return
            conn.close()
        except OSError:
            pass
        time.sleep(0.05)
    raise ChipkgError("the Oxigraph server did not answer within its start-up time")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def _die_with_parent() -> None:  # pragma: no cover — runs in the child before exec
    """Linux: the server gets SIGTERM if chipkg dies without stopping it (kill -9)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


@contextmanager
def serving(
    build_dir: Path,
    port: int = DEFAULT_PORT,
    timeout_s: float = 30.0,
    startup_s: float = 20.0,
) -> Iterator[Endpoint]:
    """Serve the store of ``build_dir`` until the block exits; then stop the server and remove
    its snapshot. ``port`` 0 picks a free one."""
    binary = oxigraph_binary()
    example = example_query()
    backend_port = free_port()
    try:
        front = _Front(port, backend_port, page(example), timeout_s)
    except OSError as exc:
        reason = "is in use" if exc.errno == errno.EADDRINUSE else f"cannot be used ({exc})"
        raise ChipkgError(
            f"port {port} on {HOST} {reason}", hint="choose another with --port N"
        ) from None
    try:
        with store.snapshot(build_dir) as (snap, state), tempfile.TemporaryFile() as log:
            proc = subprocess.Popen(
                [
                    binary,
                    "serve-read-only",
                    "--location",
                    str(snap),
                    "--bind",
                    f"{HOST}:{backend_port}",
                    "--union-default-graph",
                    "--timeout-s",
                    str(max(1, int(timeout_s))),
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,  # noqa: PLW1509
            )
            try:
                _wait_ready(proc, backend_port, time.monotonic() + startup_s, log)
                thread = threading.Thread(target=front.serve_forever, daemon=True)
                thread.start()
                triples = sum(g["triples"] for g in state["graphs"].values())
                try:
                    yield Endpoint(front.server_address[1], state["generation"], triples)
                finally:
                    front.shutdown()
                    thread.join(timeout=5)
            finally:
                _stop(proc)
    finally:
        front.server_close()


def wait_for_stop() -> None:
    """Block until Ctrl+C or SIGTERM (both end the ``serving`` block cleanly)."""

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)


def describe(ep: Endpoint) -> str:
    return (
        f"serving {ep.triples} triples (store generation {ep.generation}) read-only on {ep.url}\n"
        f"  SPARQL 1.1 Protocol: {ep.query_url}   graphs: {ep.store_url}?graph=IRI\n"
        f"  query page: {ep.url}   — Ctrl+C stops"
    )
