"""`chipkg push`: each named graph to a real triple store over the SPARQL 1.1 Graph Store HTTP
Protocol, checked by count; idempotent, retried, and never leaving a graph half uploaded. The
stores are real servers on 127.0.0.1: `oxigraph serve` on a temporary folder, and Virtuoso when
Debian's virtuoso-opensource is installed."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from SPARQLWrapper import JSON, SPARQLWrapper

from chipkg.analysis import query
from chipkg.cli import cli
from chipkg.graph import store
from chipkg.web import serve
from tests.conftest import FIXTURES, ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
README_QUERY = re.search(r"```sparql\n(.*?)```", README, re.S).group(1)
REPORT_GRAPH = "https://w3id.org/chipkg/id/graph/ic-landscape-2024"
OXIGRAPH = shutil.which(
    "oxigraph", path=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"
)

pytestmark = pytest.mark.skipif(OXIGRAPH is None, reason="oxigraph server not installed")


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(cli, list(args), env=env)


@contextmanager
def oxigraph_server(folder: Path) -> Iterator[str]:
    """A real read-write `oxigraph serve` on a free loopback port; yields its base URL."""
    port = serve.free_port()
    proc = subprocess.Popen(
        [OXIGRAPH, "serve", "-l", str(folder), "-b", f"127.0.0.1:{port}", "--union-default-graph"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("oxigraph serve did not start") from None
                time.sleep(0.05)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def remote(tmp_path_factory) -> Iterator[str]:
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as base:
        yield base


@pytest.fixture(scope="module")
def small_project(tmp_path_factory) -> Path:
    """One small fixture report, for the failure tests: quick to push again and again."""
    project = tmp_path_factory.mktemp("small")
    (project / "graph" / "sources").mkdir(parents=True)
    shutil.copy(FIXTURES / "marker_rules.txt", project / "graph" / "sources" / "small.txt")
    result = run("--project", str(project), "build", "--no-validate")
    assert result.exit_code == 0, result.output
    return project


SMALL_GRAPH = "https://w3id.org/chipkg/id/graph/small"


def select(endpoint: str, q: str) -> list[dict]:
    sw = SPARQLWrapper(endpoint)
    sw.setQuery(q)
    sw.setReturnFormat(JSON)
    sw.setTimeout(20)
    res = sw.query().convert()
    return [{k: v["value"] for k, v in b.items()} for b in res["results"]["bindings"]]


def ask(endpoint: str, q: str) -> bool:
    sw = SPARQLWrapper(endpoint)
    sw.setQuery(q)
    sw.setReturnFormat(JSON)
    sw.setTimeout(20)
    return sw.query().convert()["boolean"]


def remote_counts(endpoint: str) -> dict[str, int]:
    rows = select(
        endpoint, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    )
    return {r["g"]: int(r["n"]) for r in rows}


def put(url: str, data: bytes, ctype: str = "application/n-triples") -> int:
    req = urllib.request.Request(url, data=data, method="PUT", headers={"Content-Type": ctype})
    with urllib.request.urlopen(req, timeout=20) as resp:
        return resp.status


def local_counts(project: Path) -> dict[str, int]:
    return store.store_status(project / "graph" / "build")["graphs"]


def st_local(project: Path) -> ox.Store:
    return store.open_store(project / "graph" / "build")


def test_push_then_query_back_gives_the_same_graphs_and_answers(remote, built_project):
    result = run("--project", str(built_project), "push", "--endpoint", f"{remote}/query")
    assert result.exit_code == 0, result.output
    local = local_counts(built_project)
    assert remote_counts(f"{remote}/query") == local
    # the report, the ontology, the entities and the summary graph (the materialised totals)
    assert str(store.SUMMARY_GRAPH) in local
    assert f"pushed 4 of 4 graph(s), {sum(local.values())} triples" in result.stdout
    # so the aggregate library queries, which read the totals, answer the same there
    for name in ("funding-by-funder", "funding-by-country"):
        text = query.render(query.load(name))
        mine = [
            {k: str(v) for k, v in r.items()} for r in query.select(st_local(built_project), text)
        ]
        assert mine and select(f"{remote}/query", text) == mine, name
    # the README's query answers the same there as with chipkg query
    answer = CliRunner().invoke(
        cli, ["--project", str(built_project), "query", "-", "--format", "json"], input=README_QUERY
    )
    expected = [{k: str(v) for k, v in r.items()} for r in json.loads(answer.stdout)]
    assert select(f"{remote}/query", README_QUERY) == expected
    # a report graph comes back isomorphic (no blank nodes in it: equal as sets of triples)
    with urllib.request.urlopen(
        f"{remote}/store?graph={urllib.parse.quote(REPORT_GRAPH, safe='')}", timeout=20
    ) as resp:
        back = {
            ox.Triple(q.subject, q.predicate, q.object)
            for q in ox.parse(input=resp.read(), format=ox.RdfFormat.TURTLE)
        }
    st = store.open_store(built_project / "graph" / "build")
    mine = {
        ox.Triple(q.subject, q.predicate, q.object)
        for q in st.quads_for_pattern(None, None, None, ox.NamedNode(REPORT_GRAPH))
    }
    assert back == mine


def test_pushing_again_replaces_and_changes_nothing(tmp_path, small_project):
    with oxigraph_server(tmp_path / "db") as base:
        endpoint = f"{base}/query"
        # a stale triple in the report graph and a graph of someone else's
        put(f"{base}/store?graph={SMALL_GRAPH}", b"<http://x/stale> <http://x/p> <http://x/o> .\n")
        put(f"{base}/store?graph=http://x/other", b"<http://x/a> <http://x/p> <http://x/o> .\n")
        for _ in range(2):
            result = run(
                "--project", str(small_project), "push", "--endpoint", endpoint, "--format", "json"
            )
            assert result.exit_code == 0, result.output
            assert {r["status"] for r in json.loads(result.stdout)} == {"replaced"}
            counts = remote_counts(endpoint)
            assert counts.pop("http://x/other") == 1  # not ours: untouched
            assert counts == local_counts(small_project)
        assert ask(endpoint, "ASK { <http://x/stale> ?p ?o }") is False


def test_push_only_one_report(tmp_path, small_project):
    with oxigraph_server(tmp_path / "db") as base:
        result = run(
            "--project",
            str(small_project),
            "push",
            "--endpoint",
            f"{base}/query",
            "--graph-store",
            f"{base}/store",
            "--report",
            "small",
        )
        assert result.exit_code == 0, result.output
        assert remote_counts(f"{base}/query") == {
            SMALL_GRAPH: local_counts(small_project)[SMALL_GRAPH]
        }
    result = run(
        "--project", str(small_project), "push", "--endpoint", f"{base}/query", "--report", "nope"
    )
    assert result.exit_code == 2 and "no built report 'nope'" in result.stderr


# -- failures: a stand-in server in front of a real one ------------------------------------------


@contextmanager
def front(handler: Callable[[BaseHTTPRequestHandler, str], bool], backend: str | None):
    """A loopback HTTP server: ``handler(request, body)`` answers (True) or lets the request
    through to ``backend`` unchanged."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _any(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if handler(self, body):
                return
            b = urllib.parse.urlsplit(backend)
            conn = http.client.HTTPConnection(b.hostname, b.port, timeout=20)
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            conn.request(self.command, self.path, body=body or None, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            self.send_response(resp.status)
            for k, v in resp.getheaders():
                if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_PUT = do_POST = do_DELETE = _any

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def answer(req: BaseHTTPRequestHandler, status: int, headers: dict | None = None) -> bool:
    req.send_response(status)
    for k, v in (headers or {}).items():
        req.send_header(k, v)
    req.send_header("Content-Length", "0")
    req.end_headers()
    return True


def test_a_put_that_loses_triples_is_put_back_as_it_was(tmp_path, small_project):
    """The server stores only half of what it is sent: the count check catches it, the previous
    content is restored, exit 1 — nothing half uploaded stays behind."""

    def halve(req, body):
        if req.command == "PUT" and "graph%2Fsmall" in req.path:
            triples = list(ox.parse(input=body, format=ox.RdfFormat.TURTLE))
            if len(triples) > 5:  # the restore of the 2-triple graph goes through whole
                data = ox.serialize(
                    [ox.Triple(t.subject, t.predicate, t.object) for t in triples[::2]],
                    format=ox.RdfFormat.N_TRIPLES,
                )
                conn = http.client.HTTPConnection(*backend_addr, timeout=20)
                conn.request(
                    "PUT", req.path, body=data, headers={"Content-Type": "application/n-triples"}
                )
                status = conn.getresponse().status
                return answer(req, status)
        return False

    with oxigraph_server(tmp_path / "db") as base:
        backend_addr = urllib.parse.urlsplit(base).hostname, urllib.parse.urlsplit(base).port
        before = b'<http://x/s> <http://x/p> "kept" .\n<http://x/s> <http://x/p> "also" .\n'
        put(f"{base}/store?graph={SMALL_GRAPH}", before)
        with front(halve, base) as url:
            result = run(
                "--project",
                str(small_project),
                "push",
                "--endpoint",
                f"{base}/query",
                "--graph-store",
                f"{url}/store",
                "--format",
                "json",
            )
        assert result.exit_code == 1
        rows = {r["graph"]: r for r in json.loads(result.stdout)}
        assert rows[SMALL_GRAPH]["status"] == "restored"
        assert "the server holds" in rows[SMALL_GRAPH]["message"]
        assert rows[SMALL_GRAPH]["remote"] == 2
        assert f"error: {SMALL_GRAPH}: the server holds" in result.stderr
        counts = remote_counts(f"{base}/query")
        assert counts[SMALL_GRAPH] == 2  # as it was before the push
        assert ask(f"{base}/query", f"ASK {{ GRAPH <{SMALL_GRAPH}> {{ ?s ?p 'kept' }} }}")
        others = {g: n for g, n in local_counts(small_project).items() if g != SMALL_GRAPH}
        assert {g: counts[g] for g in others} == others  # the other graphs went through whole


def test_a_busy_server_is_retried_with_backoff(tmp_path, small_project):
    seen = {"puts": 0}

    def busy_once(req, body):
        if req.command == "PUT":
            seen["puts"] += 1
            if seen["puts"] == 1:
                return answer(req, 503, {"Retry-After": "0"})
        return False

    with oxigraph_server(tmp_path / "db") as base, front(busy_once, base) as url:
        result = run(
            "--project",
            str(small_project),
            "push",
            "--endpoint",
            f"{url}/query",
            "--report",
            "small",
            "--format",
            "json",
        )
        assert result.exit_code == 0, result.output
        (row,) = json.loads(result.stdout)
        assert row["status"] == "replaced" and row["attempts"] >= 4  # GET, PUT 503, PUT, count
        assert remote_counts(f"{base}/query") == {SMALL_GRAPH: row["triples"]}


def test_401_is_a_clear_error_and_writes_nothing(tmp_path, small_project):
    def locked(req, body):
        if req.headers.get("Authorization") != "Basic " + "dXNlcjpyaWdodA==":  # user:right
            return answer(req, 401, {"WWW-Authenticate": 'Basic realm="store"'})
        return False

    with oxigraph_server(tmp_path / "db") as base, front(locked, base) as url:
        for env in ({}, {"STORE_PW": "wrong"}):
            args = ["--project", str(small_project), "push", "--endpoint", f"{url}/query"]
            if env:
                args += ["--user", "user", "--password-env", "STORE_PW"]
            result = run(*args, env=env)
            assert result.exit_code == 2, result.output
            assert "refused with 401 (authentication failed)" in result.stderr
            assert "check --user and the password in --password-env" in result.stderr
            assert "Traceback" not in result.output
        assert remote_counts(f"{base}/query") == {}
        result = run(
            "--project",
            str(small_project),
            "push",
            "--endpoint",
            f"{url}/query",
            "--user",
            "user",
            "--password-env",
            "STORE_PW",
            "--report",
            "small",
            env={"STORE_PW": "right"},
        )
        assert result.exit_code == 0, result.output
        assert SMALL_GRAPH in remote_counts(f"{base}/query")


def test_404_and_timeouts_are_clear_errors(remote, small_project, tmp_path):
    result = run(
        "--project",
        str(small_project),
        "push",
        "--endpoint",
        f"{remote}/query",
        "--graph-store",
        f"{remote}/nowhere",
    )
    assert result.exit_code == 2
    assert "PUT answered 404 (not found)" in result.stderr and "--graph-store" in result.stderr

    release = threading.Event()

    def silent(req, body):
        release.wait(5)  # never answers within the client's timeout
        return answer(req, 204)

    with front(silent, None) as url:
        started = time.monotonic()
        result = run(
            "--project",
            str(small_project),
            "push",
            "--endpoint",
            f"{url}/query",
            "--timeout",
            "0.3",
            "--retries",
            "1",
        )
        release.set()
    assert result.exit_code == 1
    assert "got no answer within 0.3 s (2 attempts)" in result.stderr
    assert "raise --timeout or --retries" in result.stderr
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--endpoint", "ftp://x/query"], {}, "--endpoint 'ftp://x/query' is not an http(s) URL"),
        (["--endpoint", "http://127.0.0.1:9/sparql"], {}, "cannot tell the Graph Store URL"),
        (["--endpoint", "http://127.0.0.1:9/query", "--user", "u"], {}, "go together"),
        (
            ["--endpoint", "http://127.0.0.1:9/query", "--user", "u", "--password-env", "NOPE_PW"],
            {"NOPE_PW": None},
            "environment variable NOPE_PW is not set",
        ),
    ],
)
def test_bad_options_are_clear_errors(small_project, args, env, message):
    result = run("--project", str(small_project), "push", *args, env=env)
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.output


# -- Virtuoso: the path for corpora that outgrow one machine --------------------------------------

VIRTUOSO = shutil.which("virtuoso-t")
VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")


@contextmanager
def virtuoso_server(folder: Path) -> Iterator[str]:
    """Debian's Virtuoso on a fresh database in ``folder``, both ports on 127.0.0.1."""
    sql_port, http_port = serve.free_port(), serve.free_port()
    ini = VIRTUOSO_INI.read_text(encoding="utf-8")
    ini = ini.replace("/var/lib/virtuoso-opensource-7/db", str(folder))
    ini = re.sub(r"(?m)^ServerPort\s*=\s*1111\b.*$", f"ServerPort = 127.0.0.1:{sql_port}", ini)
    ini = re.sub(r"(?m)^ServerPort\s*=\s*8890\b.*$", f"ServerPort = 127.0.0.1:{http_port}", ini)
    (folder / "virtuoso.ini").write_text(ini, encoding="utf-8")
    proc = subprocess.Popen(
        [VIRTUOSO, "+foreground", "+configfile", str(folder / "virtuoso.ini")],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{http_port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{base}/sparql?query=ASK%7B%7D", timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.skip("Virtuoso did not start within 90 s on this machine")
                time.sleep(0.25)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.skipif(
    VIRTUOSO is None or not VIRTUOSO_INI.exists(),
    reason="Virtuoso not installed (apt-get install virtuoso-opensource)",
)
def test_push_to_virtuoso_with_digest_auth(tmp_path, built_project):
    with virtuoso_server(tmp_path) as base:
        args = [
            "--project",
            str(built_project),
            "push",
            "--endpoint",
            f"{base}/sparql",
            "--graph-store",
            f"{base}/sparql-graph-crud-auth",
            "--user",
            "dba",
            "--password-env",
            "VIRTUOSO_PW",
        ]
        result = run(*args, env={"VIRTUOSO_PW": "dba"})
        assert result.exit_code == 0, result.output
        local = local_counts(built_project)
        rows = select(
            f"{base}/sparql",
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
            "FILTER(STRSTARTS(STR(?g), 'https://w3id.org/chipkg/')) } GROUP BY ?g",
        )
        assert {r["g"]: int(r["n"]) for r in rows} == local
        # Chinese text survives the trip
        zh = select(
            f"{base}/sparql",
            "PREFIX ckg: <https://w3id.org/chipkg/ontology#> SELECT ?t WHERE { GRAPH <"
            + REPORT_GRAPH
            + "> { ?p ckg:text ?t FILTER(CONTAINS(?t, '德累斯顿')) } }",
        )
        assert zh and all("德累斯顿" in r["t"] for r in zh)
        result = run(*args, env={"VIRTUOSO_PW": "wrong"})
        assert result.exit_code == 2 and "401" in result.stderr
