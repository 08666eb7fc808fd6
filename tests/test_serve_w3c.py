"""The W3C SPARQL 1.1 Protocol test suite (tests/w3c/sparql11-protocol, see its README) run
against `chipkg serve`'s endpoint: every test that applies to a read-only endpoint must pass.

The manifest describes each test as HTTP requests (method, path, headers, body) and the expected
response (status class, result format, boolean). The update tests that need a writable store
(`update_*`) do not apply; the bad-update tests do (a read-only endpoint must refuse them with a
4xx), and are sent to /query, where they must not slip through as queries.
"""

from __future__ import annotations

import http.client
import json
import shutil
from pathlib import Path
from xml.etree import ElementTree

import pyoxigraph as ox
import pytest
from rdflib import Graph, Namespace
from rdflib.collection import Collection

from chipkg.web.engine import Limits
from chipkg.web.serve import serving_store

SUITE = Path(__file__).parent / "w3c" / "sparql11-protocol"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
BOOLEAN_TYPES = {"application/sparql-results+json", "application/sparql-results+xml"}
TABULAR_TYPES = BOOLEAN_TYPES | {"text/csv", "text/tab-separated-values"}
RDF_TYPES = {
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
}

MANIFEST = Graph().parse(SUITE / "manifest.ttl", format="turtle")
ENTRIES = list(Collection(MANIFEST, next(MANIFEST.objects(None, MF.entries))))


def name(test) -> str:
    return str(test).rsplit("#", 1)[1]


# a read-only endpoint cannot run the tests that write the store
APPLICABLE = [t for t in ENTRIES if not name(t).startswith("update_")]


def graph_data() -> dict[str, Path]:
    """Every graph a test expects in the dataset: its name and the file holding it."""
    return {
        str(MANIFEST.value(gd, RDFS.label)): SUITE / Path(str(MANIFEST.value(gd, UT.graph))).name
        for gd in MANIFEST.objects(None, UT.graphData)
    }


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    path = tmp_path_factory.mktemp("w3c") / "store"
    st = ox.Store(str(path))
    for graph, file in graph_data().items():
        st.load(path=str(file), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph))
    st.flush()
    del st
    with serving_store(path, port=0, limits=Limits(workers=2, timeout_s=20)) as (port, _, _):
        yield port
    shutil.rmtree(path, ignore_errors=True)


def requests_of(test) -> list:
    action = MANIFEST.value(test, MF.action)
    return list(Collection(MANIFEST, MANIFEST.value(action, HT.requests)))


def send(port: int, req) -> tuple[int, str, bytes]:
    method = str(MANIFEST.value(req, HT.methodName))
    path = str(MANIFEST.value(req, HT.absolutePath)).replace("/sparql/", "/query", 1)
    headers = {}
    fields = MANIFEST.value(req, HT.headers)
    for h in Collection(MANIFEST, fields) if fields else []:
        headers[str(MANIFEST.value(h, HT.fieldName))] = str(MANIFEST.value(h, HT.fieldValue))
    body = None
    content = MANIFEST.value(req, HT.body)
    if content is not None:
        text = str(MANIFEST.value(content, CNT.chars))
        charset = "utf-16" if "utf-16" in headers.get("content-type", "").lower() else "utf-8"
        body = text.encode(charset)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.getheader("Content-Type", ""), resp.read()
    finally:
        conn.close()


def boolean_of(ctype: str, body: bytes) -> bool:
    if ctype == "application/sparql-results+json":
        return json.loads(body)["boolean"]
    ns = "{http://www.w3.org/2005/sparql-results#}"
    return ElementTree.fromstring(body).find(f"{ns}boolean").text == "true"


def check(resp, expected) -> None:
    status, ctype, body = resp
    classes = {
        str(s).rsplit("#StatusCode", 1)[1] for s in MANIFEST.objects(expected, MF.expectedStatus)
    }
    assert f"{status // 100}xx" in classes, (status, body[:200])
    media = ctype.split(";")[0].strip()
    fmt = MANIFEST.value(expected, MF.expectedFormat)
    if fmt is not None:
        allowed = {"boolean": BOOLEAN_TYPES, "tabular": TABULAR_TYPES, "RDF": set(RDF_TYPES)}
        assert media in allowed[str(fmt)], ctype
        if str(fmt) == "RDF":
            list(ox.parse(input=body, format=RDF_TYPES[media]))  # parses as what it says
    value = MANIFEST.value(expected, MF.expectedBoolean)
    if value is not None:
        assert boolean_of(media, body) is value.toPython()


def test_the_suite_has_27_tests_that_apply_to_a_read_only_endpoint():
    assert len(ENTRIES) == 34
    assert len(APPLICABLE) == 27
    assert {name(t) for t in ENTRIES} - {name(t) for t in APPLICABLE} == {
        "update_dataset_default_graph",
        "update_dataset_default_graphs",
        "update_dataset_named_graphs",
        "update_dataset_full",
        "update_post_form",
        "update_post_direct",
        "update_base_uri",
    }


@pytest.mark.parametrize("test", APPLICABLE, ids=name)
def test_w3c_protocol(endpoint, test):
    for req in requests_of(test):
        check(send(endpoint, req), MANIFEST.value(req, HT.resp))
