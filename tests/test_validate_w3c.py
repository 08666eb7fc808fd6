"""The W3C SHACL test suite (core and SPARQL, tests/w3c-shacl/, see its README) through chipkg's
validator and through plain pySHACL: the same results on every test.

Every shape with a SPARQL-based constraint gets extra focus nodes (a node that is nowhere in
the data, and every IRI subject of the data graph), so that each constraint meets several focus
nodes at once: that is where running a query once with $this free could differ from SHACL's
pre-binding (the suite's own pre-binding tests have one focus node each). Results are compared
on stable keys (focus node, source shape, result path, constraint component, severity, value),
as multisets; blank nodes by their ids, which both engines keep."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import SH

from chipkg.check.validation.compiler import compile_shapes
from chipkg.check.validation.oracle import run_pyshacl
from chipkg.check.validation.single import findings_of
from chipkg.errors import ChipkgError

SUITE = Path(__file__).parent / "w3c-shacl"
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
SHT = "http://www.w3.org/ns/shacl-test#"
EXTRA = URIRef("urn:x-chipkg:test:extra-focus")


def _local(iri) -> Path:
    return Path(str(iri).removeprefix("file://"))


def files(path: Path) -> list[Path]:
    """The manifest and every file it includes (mf:include), recursively."""
    g = Graph().parse(path, format="turtle")
    out = [path]
    for inc in sorted(g.objects(None, URIRef(MF + "include"))):
        out += files(_local(inc))
    return out


def tests() -> list[tuple[str, Path, Path]]:
    """(name, data graph file, shapes graph file) of every test with an action."""
    found = []
    for f in files(SUITE / "manifest.ttl"):
        g = Graph().parse(f, format="turtle")
        for entry, action in g.subject_objects(URIRef(MF + "action")):
            data = g.value(action, URIRef(SHT + "dataGraph"))
            shapes = g.value(action, URIRef(SHT + "shapesGraph"))
            if data is None or shapes is None:
                continue
            name = str(f.relative_to(SUITE).with_suffix("")) + "/" + str(entry).rsplit("/", 1)[-1]
            found.append((name, _local(data), _local(shapes)))
    return sorted(set(found))


TESTS = tests()


def with_extra_focus(shapes: Graph, data: Graph) -> Graph:
    out = Graph()
    out += shapes
    subjects = {s for s in data.subjects() if isinstance(s, URIRef)}
    for shape in set(shapes.subjects(SH.sparql, None)):
        out.add((shape, SH.targetNode, EXTRA))
        for s in subjects:
            out.add((shape, SH.targetNode, s))
    return out


def key(f) -> tuple:
    return (
        str(f.focus),
        str(f.shape) if not isinstance(f.shape, BNode) else "_:shape",
        f.path,
        str(f.component),
        f.severity,
        str(f.value) if f.value is not None else None,
    )


def outcome(run) -> tuple:
    """("results", their keys) or ("error", the message) when the shapes cannot be evaluated."""
    try:
        return ("results", Counter(key(f) for f in run()))
    except ChipkgError as exc:
        return ("error", str(exc))


def both(data_file: Path, shapes_file: Path, extra: bool) -> tuple[tuple, tuple]:
    """(chipkg's outcome, plain pySHACL's outcome) on one test."""
    data = Graph().parse(data_file, format="turtle")
    shapes = Graph().parse(shapes_file, format="turtle")
    if extra:
        shapes = with_extra_focus(shapes, data)
    fast = outcome(lambda: findings_of(data, None, shapes, compile_shapes(shapes)))
    plain_data = Graph()  # pySHACL's own evaluation, on a plain rdflib graph
    plain_data += data
    for prefix, ns in data.namespaces():  # rdflib resolves a query's prefixes with these too
        plain_data.bind(prefix, ns)
    plain = outcome(lambda: run_pyshacl(plain_data, shapes))
    return fast, plain


def test_the_suite_is_all_here():
    assert len(TESTS) >= 120
    assert {t[0].split("/")[0] for t in TESTS} == {"core", "sparql"}


@pytest.mark.parametrize("extra", [False, True], ids=["as-is", "extra-focus"])
@pytest.mark.parametrize(("name", "data", "shapes"), TESTS, ids=[t[0] for t in TESTS])
def test_chipkg_gives_pyshacls_results(name, data, shapes, extra):
    fast, plain = both(data, shapes, extra)
    if fast[0] == plain[0] == "results":
        only_fast, only_plain = fast[1] - plain[1], plain[1] - fast[1]
        assert fast == plain, f"{name}: chipkg only {only_fast}, pySHACL only {only_plain}"
    assert fast == plain
