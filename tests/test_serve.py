"""`chipkg serve`: a read-only SPARQL 1.1 Protocol endpoint on 127.0.0.1, queried with a standard
client (SPARQLWrapper) in every result format and compared with `chipkg query`; its query page
driven in headless Chromium."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from xml.etree import ElementTree

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from SPARQLWrapper import CSV, JSON, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from chipkg.analysis import query
from chipkg.cli import cli
from chipkg.graph import store
from chipkg.web import serve
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
README_QUERY = re.search(r"```sparql\n(.*?)```", README, re.S).group(1)
XSD_INT = "http://www.w3.org/2001/XMLSchema#integer"
CONSTRUCT = """
PREFIX ckg: <https://w3id.org/chipkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT { ?source ckg:publisherKind ?kind . ?kind rdfs:label ?label }
WHERE { ?source a ckg:Source ; ckg:publisherKind ?kind . ?kind rdfs:label ?label }
"""

pytestmark = pytest.mark.skipif(
    shutil.which("oxigraph", path=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}")
    is None,
    reason="the oxigraph server is not installed (pip install oxigraph)",
)


@pytest.fixture(scope="module")
def endpoint(built_project: Path):
    with serve.serving(built_project / "graph" / "build", port=0, timeout_s=20) as ep:
        yield ep


def client(ep: serve.Endpoint, q: str, fmt: str) -> SPARQLWrapper:
    sw = SPARQLWrapper(ep.query_url)
    sw.setQuery(q)
    sw.setReturnFormat(fmt)
    sw.setTimeout(20)
    return sw


def chipkg_query(project: Path, q: str) -> list[dict]:
    result = CliRunner().invoke(
        cli, ["--project", str(project), "query", "-", "--format", "json"], input=q
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def from_json(results: dict) -> list[dict]:
    """SPARQL JSON results as `chipkg query --format json` prints them (integers as numbers)."""
    names = results["head"]["vars"]
    rows = []
    for b in results["results"]["bindings"]:
        row: dict = {}
        for v in names:
            t = b.get(v)
            if t is None:
                row[v] = None
            elif t.get("datatype") == XSD_INT:
                row[v] = int(t["value"])
            else:
                row[v] = t["value"]
        rows.append(row)
    return rows


def test_readme_query_through_the_endpoint_equals_chipkg_query(endpoint, built_project):
    answer = client(endpoint, README_QUERY, JSON).query().convert()
    rows = from_json(answer)
    assert rows == chipkg_query(built_project, README_QUERY)
    assert len(rows) == 4 and rows[0]["page"] == 2


# the named queries that take under 0.3 s on the store (timeline and claims-without-source take
# about a second each: on disk they add nothing the others do not test but time)
SAME_ANSWERS = (
    "stats",
    "sources-by-publisher-kind",
    "entities-by-type",
    "claims-by-relation",
    "funding",
    "funding-by-funder",
    "funding-by-country",
    "facilities-built",
    "technologies-by-actor",
    "export-control-targets",
)


@pytest.mark.parametrize("name", SAME_ANSWERS)
def test_named_queries_answer_the_same_through_the_endpoint(endpoint, built_project, name):
    text = query.render(query.load(name), lang="zh")  # $lang becomes a literal: plain SPARQL
    served = from_json(client(endpoint, text, JSON).query().convert())
    local = chipkg_query(built_project, text)
    assert served and served == local


def test_xml_csv_and_tsv_results_carry_the_same_rows(endpoint, built_project):
    text = query.render(query.load("sources-by-publisher-kind"))
    expected = [[str(v) for v in r.values()] for r in chipkg_query(built_project, text)]
    assert len(expected) == 6

    xml = client(endpoint, text, XML).query().convert()  # a minidom document
    ns = "{http://www.w3.org/2005/sparql-results#}"
    tree = ElementTree.fromstring(xml.toxml())
    names = [v.get("name") for v in tree.iter(f"{ns}variable")]
    rows = [
        [r.find(f"{ns}binding[@name='{n}']")[0].text for n in names]
        for r in tree.iter(f"{ns}result")
    ]
    assert rows == expected

    raw = client(endpoint, text, CSV).query().convert().decode("utf-8")
    table = list(csv.reader(io.StringIO(raw)))
    assert table[0] == names and table[1:] == expected

    raw = client(endpoint, text, TSV).query().convert().decode("utf-8")
    lines = [ln.split("\t") for ln in raw.strip().split("\n")]
    assert lines[0] == [f"?{n}" for n in names]
    assert lines[1][1] == '"government"@en' and lines[1][2] == "29"


def test_construct_answers_turtle_with_the_same_triples(endpoint, built_project):
    sw = client(endpoint, CONSTRUCT, TURTLE)
    response = sw.query()
    assert response.response.headers["Content-Type"].startswith("text/turtle")
    served = {
        ox.Triple(q.subject, q.predicate, q.object)
        for q in ox.parse(input=response.convert(), format=ox.RdfFormat.TURTLE)
    }
    local_store = store.open_store(built_project / "graph" / "build")
    local = set(local_store.query(CONSTRUCT, use_default_graph_as_union=True))
    assert served == local and len(local) > 60


def test_the_endpoint_refuses_to_write(endpoint, built_project):
    sw = SPARQLWrapper(endpoint.query_url, updateEndpoint=endpoint.url + "update")
    sw.setMethod("POST")
    sw.setQuery("CLEAR ALL")
    with pytest.raises((SPARQLWrapperException, urllib.error.HTTPError)):
        sw.query()
    req = urllib.request.Request(
        endpoint.store_url + "?default",
        data=b"<http://a> <http://b> <http://c> .",
        method="PUT",
        headers={"Content-Type": "application/n-triples"},
    )
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(req, timeout=10)
    assert exc.value.code == 405 and b"read-only" in exc.value.read()
    n = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    total = from_json(client(endpoint, n, JSON).query().convert())[0]["n"]
    assert total == endpoint.triples == store.store_status(built_project / "graph/build")["triples"]


def test_graph_store_reads_give_a_report_graph(endpoint, built_project):
    iri = "https://w3id.org/chipkg/id/graph/ic-landscape-2024"
    req = urllib.request.Request(
        f"{endpoint.store_url}?graph={iri}", headers={"Accept": "application/n-triples"}
    )
    with urllib.request.urlopen(req, timeout=20) as resp:
        triples = list(ox.parse(input=resp.read(), format=ox.RdfFormat.N_TRIPLES))
    manifest = json.loads((built_project / "graph/build/manifest.json").read_text())
    assert len(triples) == manifest["ic-landscape-2024"]["triples"]


def test_the_root_is_a_query_page_prefilled_with_an_example(endpoint):
    with urllib.request.urlopen(endpoint.url, timeout=10) as resp:
        html = resp.read().decode("utf-8")
        assert resp.headers["Content-Type"].startswith("text/html")
    assert '<script src="/ui/yasgui.min.js">' in html
    assert json.dumps(serve.example_query()).replace("</", "<\\/") in html
    assert "https://" not in html.split("<script>", 1)[1].replace("https://w3id.org", "")
    with urllib.request.urlopen(endpoint.url + "ui/yasgui.min.js", timeout=10) as resp:
        assert len(resp.read()) > 500_000


def test_a_port_in_use_is_a_clean_error(built_project):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        result = CliRunner().invoke(
            cli, ["--project", str(built_project), "serve", "--port", str(port)]
        )
    assert result.exit_code == 2
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr and "--port" in result.stderr


def test_serving_without_a_store_is_a_clean_error(tmp_path):
    result = CliRunner().invoke(cli, ["--project", str(tmp_path), "serve", "--port", "0"])
    assert result.exit_code == 2
    assert "no on-disk store here" in result.stderr and "chipkg build" in result.stderr


def test_the_serve_command_runs_until_sigterm_and_cleans_up(built_project):
    build = built_project / "graph" / "build"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "chipkg.cli",
            "--project",
            str(built_project),
            "serve",
            "--port",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = proc.stdout.readline()  # "serving N triples … on http://127.0.0.1:PORT/"
        url = re.search(r"on (http://127\.0\.0\.1:\d+/)", first).group(1)
        assert (build / "store" / f".serve-{proc.pid}").is_dir()  # its private snapshot
        sw = SPARQLWrapper(url + "query")
        sw.setQuery("ASK { ?s a <https://w3id.org/chipkg/ontology#Report> }")
        sw.setReturnFormat(JSON)
        assert sw.query().convert()["boolean"] is True
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err
    assert "stopped" in err
    assert not (build / "store" / f".serve-{proc.pid}").exists()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url, timeout=2)


# -- the query page in a real browser ----------------------------------------------------------


def _chromium() -> str | None:
    for candidate in (shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


class DevTools:
    """Headless Chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe:
    fd 3 in, fd 4 out, messages ending in NUL), so no extra package is needed. Every host but
    127.0.0.1 resolves to nothing: the page must work offline."""

    def __init__(self, binary: str, profile: Path) -> None:
        import fcntl

        def high(fd: int) -> int:  # out of the way of 3 and 4
            new = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
            os.close(fd)
            return new

        to_r, to_w = map(high, os.pipe())
        from_r, from_w = map(high, os.pipe())

        def child() -> None:
            os.dup2(to_r, 3)
            os.dup2(from_w, 4)

        self.proc = subprocess.Popen(
            [
                binary,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                "--remote-debugging-pipe",
                "--window-size=1280,900",
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=False,
            preexec_fn=child,  # noqa: PLW1509
        )
        os.close(to_r)
        os.close(from_w)
        self.w, self.r = to_w, from_r
        self.buf = b""
        self.id = 0
        self.session: str | None = None

    def send(self, method: str, params: dict | None = None, timeout: float = 20) -> dict:
        import select

        self.id += 1
        msg = {"id": self.id, "method": method, "params": params or {}}
        if self.session:
            msg["sessionId"] = self.session
        os.write(self.w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            while b"\0" not in self.buf:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([self.r], [], [], left)[0]:
                    raise TimeoutError(f"chromium did not answer {method}")
                chunk = os.read(self.r, 1 << 16)
                if not chunk:
                    raise RuntimeError("chromium closed the pipe")
                self.buf += chunk
            raw, self.buf = self.buf.split(b"\0", 1)
            m = json.loads(raw)
            if m.get("id") == self.id:
                if "error" in m:
                    raise RuntimeError(m["error"])
                return m["result"]

    def open(self, url: str) -> None:
        target = self.send("Target.createTarget", {"url": url})["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]

    def eval(self, expression: str):
        r = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        return r["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.eval(expression)
            if value:
                return value
            time.sleep(0.1)
        raise TimeoutError(expression)

    def close(self) -> None:
        try:
            self.session = None
            self.send("Browser.close", timeout=5)
        except (OSError, RuntimeError, TimeoutError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
        os.close(self.w)
        os.close(self.r)


@pytest.mark.skipif(_chromium() is None, reason="no chromium (/usr/bin/chromium or on PATH)")
def test_the_query_page_runs_the_example_in_headless_chromium(endpoint, built_project, tmp_path):
    browser = DevTools(_chromium(), tmp_path / "profile")
    try:
        browser.open(endpoint.url)
        browser.wait_for("!!(window.chipkg && document.querySelector('.yasqe_queryButton'))")
        assert browser.eval("chipkg.yasgui.getTab().getQuery()") == serve.example_query()
        browser.eval("document.querySelector('.yasqe_queryButton').click()")  # the ▶ button
        browser.wait_for("document.querySelectorAll('.yasr table tbody tr').length > 0")
        cells = browser.eval(
            "[...document.querySelectorAll('.yasr table tbody tr')].map(r => "
            "[...r.querySelectorAll('td')].slice(1).map(td => td.innerText.trim()))"
        )
        shot = browser.send("Page.captureScreenshot", {"format": "png"})["data"]
    finally:
        browser.close()
    expected = chipkg_query(built_project, serve.example_query())
    assert len(cells) == len(expected) == 6
    for row, exp in zip(cells, expected, strict=True):
        assert row[1] == f'"{exp["kind"]}"@en'
        assert row[2] == f'"{exp["sources"]}"^^<{XSD_INT}>'
    if os.environ.get("CHIPKG_UPDATE_SCREENSHOT"):
        import base64

        (ROOT / "docs" / "serve.png").write_bytes(base64.b64decode(shot))
