"""The validation fast path gives one finding per distinct solution of a SPARQL constraint, as
pySHACL does (issue 21: without the de-duplication of the batched rows, a focus node reached by
two join paths got its finding twice, and no test saw it). Compared on the raw findings, before
any report merges them."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import SH

from chipkg.check.validation.compiler import compile_shapes
from chipkg.check.validation.engine import add_graph, evaluate
from chipkg.check.validation.oracle import run_pyshacl
from chipkg.check.validation.single import findings_of
from chipkg.graph.vocab import OA

EX = "http://example.org/t#"


def data() -> Graph:
    """ex:a reaches "v" by two paths (x1, x2) and "w" by one; ex:b reaches "v" once; ex:c
    reaches nothing."""
    g = Graph()
    for s, p, o in [
        ("a", "p", "x1"),
        ("a", "p", "x2"),
        ("a", "p", "x3"),
        ("b", "p", "x4"),
        ("c", "r", "x5"),
    ]:
        g.add((URIRef(EX + s), URIRef(EX + p), URIRef(EX + o)))
    for x, v in [("x1", "v"), ("x2", "v"), ("x3", "w"), ("x4", "v")]:
        g.add((URIRef(EX + x), URIRef(EX + "q"), Literal(v)))
    return g


def shapes(select: str, targets: str = "ex:a, ex:b, ex:c") -> Graph:
    return Graph().parse(
        data=f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <{EX}> .
        ex:S a sh:NodeShape ; sh:targetNode {targets} ;
            sh:sparql [ sh:select '''PREFIX ex: <{EX}>
            {select}''' ; sh:message "{{?value}} reached from {{$this}}" ] .
        """,
        format="turtle",
    )


def findings(select: str, targets: str = "ex:a, ex:b, ex:c") -> tuple[list, list]:
    sh = shapes(select, targets)
    plan = compile_shapes(sh)
    assert plan.fallback == [] and [c.kind for c in plan.checks] == ["sparql"]
    fast = sorted(
        (str(f.focus), str(f.value), f.message) for f in findings_of(data(), None, sh, plan)
    )
    plain = sorted((str(f.focus), str(f.value), f.message) for f in run_pyshacl(data(), sh))
    return fast, plain


@pytest.mark.parametrize("targets", ["ex:a, ex:b, ex:c", "ex:a"])
def test_two_paths_to_one_value_give_one_finding(targets):
    fast, plain = findings("SELECT $this ?value WHERE { $this ex:p ?x . ?x ex:q ?value }", targets)
    assert fast == plain
    expected = [(EX + "a", "v", f"v reached from {EX}a"), (EX + "a", "w", f"w reached from {EX}a")]
    if "ex:b" in targets:
        expected.append((EX + "b", "v", f"v reached from {EX}b"))
    assert fast == expected


def test_a_solution_without_value_is_one_finding_on_its_focus_node():
    fast, plain = findings("SELECT $this WHERE { $this ex:p ?x . ?x ex:q ?v }")
    assert fast == plain
    assert [f[0] for f in fast] == [EX + "a", EX + "b"]


def test_solutions_that_differ_in_another_variable_stay_apart():
    fast, plain = findings("SELECT $this ?value ?x WHERE { $this ex:p ?x . ?x ex:q ?value }")
    assert fast == plain
    assert [f[:2] for f in fast] == [
        (EX + "a", "v"),
        (EX + "a", "v"),
        (EX + "a", "w"),
        (EX + "b", "v"),
    ]


def test_a_report_checked_against_another_text_fails_its_checksum_and_its_offsets():
    """The checks that read the report's own text (its SHA-256, offsets within its length), run
    once per graph with that text's values: validated against half the text, the report's
    checksum and the offsets past the half are violations, as pySHACL finds them."""
    from chipkg.bench import synthetic
    from chipkg.check import validate

    w = synthetic.world()
    g, text, _n = synthetic.synthetic_graph("synth-000011", w=w, articles=1)
    data = Graph()
    data += g
    entities = w.entities_graph()
    for node in validate.entity_closure(entities, (n for t in g for n in (t[0], t[2]))):
        for t in entities.triples((node, None, None)):
            data.add(t)
    half = text[: len(text) // 2]
    fast = validate.validate_graph(data, report_text=half)
    plain = validate.validate_graph_pyshacl(data, report_text=half)
    assert fast == plain
    found = {(r.shape.rsplit("#")[-1], r.component) for r in fast.results}
    assert ("ReportTextChecksum-sha256", "sh:HasValueConstraintComponent") in found
    beyond = sorted(
        (str(r.focus), int(str(r.value)))
        for r in fast.results
        if r.component == "sh:MaxInclusiveConstraintComponent"
    )
    ends = sorted((str(s), int(o)) for s, o in g.subject_objects(OA.end) if int(o) > len(half))
    assert beyond == ends and ends  # every selector ending past the half, and only those
    whole = validate.validate_graph(data, report_text=text)
    assert whole.count("Violation") == 0


TARGETED = f"""@prefix ex: <{EX}> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:a ex:v 7, "abc"^^xsd:integer, 8, [ ex:w 1 ], "5"^^xsd:integer, -1, 9, "toolong", ex:iri .
ex:b ex:v "abc"^^xsd:integer, [ ex:w 2 ], -1, "toolong" .
"""
TARGET_SHAPES = f"""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <{EX}> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:S a sh:NodeShape ; sh:targetNode ex:a ;
  sh:property [ sh:path ex:v ; sh:datatype xsd:integer ; sh:minInclusive 0 ; sh:maxLength 2 ;
                sh:nodeKind sh:Literal ; sh:minCount 12 ; sh:pattern "^[0-9]+$" ] .
"""


def _key(f) -> tuple:
    value = "_:blank" if isinstance(f.value, BNode) else f.value
    return (str(f.focus), str(f.component), str(f.path), None if value is None else str(value))


def test_every_kind_of_check_on_a_target_node_equals_pyshacl():
    """A shape aimed at one node (sh:targetNode, which the fast path runs graph by graph) with a
    value checked in Python (datatype, pattern: ill-typed, IRI and blank-node values), merged
    value tests in one query (minInclusive, maxLength, nodeKind) and a count (minCount): the same
    findings as pySHACL, and none on the node the shape does not target."""
    data = Graph().parse(data=TARGETED, format="turtle")
    sh = Graph().parse(data=TARGET_SHAPES, format="turtle")
    plan = compile_shapes(sh)
    assert plan.fallback == []
    assert {c.kind for c in plan.checks} == {"values", "merged", "rows"}
    assert all(c.per_graph for c in plan.checks)
    fast = sorted(_key(f) for f in findings_of(data, None, sh, plan))
    plain = sorted(_key(f) for f in run_pyshacl(data, sh))
    assert fast == plain
    by_component = {}
    for _focus, component, _path, value in fast:
        by_component.setdefault(component.rsplit("#")[-1], set()).add(value)
    assert {focus for focus, *_ in fast} == {EX + "a"}
    assert by_component["DatatypeConstraintComponent"] == {"abc", EX + "iri", "_:blank", "toolong"}
    assert by_component["PatternConstraintComponent"] == {
        "-1", "abc", EX + "iri", "_:blank", "toolong"
    }  # fmt: skip
    assert by_component["MinInclusiveConstraintComponent"] >= {"-1", "_:blank"}
    assert by_component["NodeKindConstraintComponent"] == {EX + "iri", "_:blank"}
    assert by_component["MinCountConstraintComponent"] == {None}


def test_a_target_node_in_two_graphs_is_checked_in_each_on_its_own():
    """Report graphs in one store (as `chipkg validate` checks a corpus), the shape's target node
    in each or only named: each graph's findings are those of that graph alone."""
    sh = Graph().parse(data=TARGET_SHAPES, format="turtle")
    plan = compile_shapes(sh)
    graphs = {
        "http://example.org/g1": Graph().parse(data=TARGETED, format="turtle"),
        "http://example.org/g2": Graph().parse(
            data=f'@prefix ex: <{EX}> . ex:a ex:v 1, 2, 3, "x", "y" .', format="turtle"
        ),
        # the target node has no triples here: still a focus node, it lacks its values
        "http://example.org/g3": Graph().parse(
            data=f"@prefix ex: <{EX}> . ex:z ex:v 1 .", format="turtle"
        ),
    }
    store = ox.Store()
    for name, g in graphs.items():
        add_graph(store, ox.NamedNode(name), g)
    together = evaluate(plan, store)
    assert sorted(together) == sorted(graphs)
    for name, g in graphs.items():
        alone = findings_of(g, None, sh, plan)
        assert sorted(_key(f) for f in together[name]) == sorted(_key(f) for f in alone), name
    assert {_key(f)[3] for f in together["http://example.org/g2"]} == {"x", "y", None}
    assert [_key(f)[1] for f in together["http://example.org/g3"]] == [
        str(SH.MinCountConstraintComponent)
    ]


def test_a_literal_target_node_is_reported_as_the_shapes_wrote_it():
    """sh:targetNode "4.0"^^xsd:decimal: Oxigraph hands back "4", the finding names "4.0", as
    pySHACL does."""
    data = Graph().parse(data=TARGETED, format="turtle")
    sh = Graph().parse(
        data=f"""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <{EX}> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        ex:L a sh:NodeShape ; sh:targetNode "4.0"^^xsd:decimal, ex:a ;
            sh:property [ sh:path ex:v ; sh:minCount 1 ] .""",
        format="turtle",
    )
    plan = compile_shapes(sh)
    assert plan.fallback == []
    fast = [f.focus for f in findings_of(data, None, sh, plan)]
    assert [repr(f) for f in fast] == [repr(f.focus) for f in run_pyshacl(data, sh)]
    assert [str(f) for f in fast] == ["4.0"]


def test_a_check_without_sh_message_leaves_the_wording_to_the_report():
    """No sh:message: the finding's message stays empty (the report words it from the
    constraint); pySHACL's own default wording is not copied in."""
    data = Graph().parse(data=TARGETED, format="turtle")
    sh = Graph().parse(data=TARGET_SHAPES, format="turtle")
    found = findings_of(data, None, sh, compile_shapes(sh))
    assert found and {f.message for f in found} == {""}


def test_a_sparql_constraint_in_a_corpus_keeps_to_each_graphs_own_focus_nodes():
    """ex:a is an ex:C (a focus node) only in g1, but reaches a value in both graphs; a blank
    node of class ex:C does too in g1: findings for g1's focus nodes only, with no message when
    the constraint has none."""
    sh = Graph().parse(
        data=f"""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <{EX}> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ;
            sh:sparql [ sh:select '''PREFIX ex: <{EX}>
            SELECT $this ?value WHERE {{ $this ex:p ?x . ?x ex:q ?value }}''' ] .""",
        format="turtle",
    )
    plan = compile_shapes(sh)
    assert [c.kind for c in plan.checks] == ["sparql"]
    g1 = Graph().parse(
        data=f"""@prefix ex: <{EX}> . ex:a a ex:C ; ex:p ex:x1 . ex:x1 ex:q "v" .
        [] a ex:C ; ex:p ex:x2 . ex:x2 ex:q "b" .""",
        format="turtle",
    )
    g2 = Graph().parse(
        data=f'@prefix ex: <{EX}> . ex:a ex:p ex:x1 . ex:x1 ex:q "w" . ex:c a ex:D .',
        format="turtle",
    )
    store = ox.Store()
    add_graph(store, ox.NamedNode("http://example.org/g1"), g1)
    add_graph(store, ox.NamedNode("http://example.org/g2"), g2)
    together = evaluate(plan, store)
    assert sorted(together) == ["http://example.org/g1"]
    found = together["http://example.org/g1"]
    assert sorted(str(f.value) for f in found) == ["b", "v"]
    assert {f.message for f in found} == {""}
    alone = findings_of(g1, None, sh, plan)
    assert sorted(_key(f) for f in found) == sorted(_key(f) for f in alone)


def test_a_query_that_cannot_run_over_all_graphs_at_once_runs_graph_by_graph():
    """A SPARQL constraint with something after its pattern (ORDER BY) is not rewritten to run
    in every graph at once: it runs graph by graph, a graph without focus nodes (g1, first in
    order) does not end the run early, and g2's findings are those of g2 alone."""
    sh = Graph().parse(
        data=f"""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <{EX}> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ;
            sh:sparql [ sh:select '''PREFIX ex: <{EX}>
            SELECT $this ?value WHERE {{ $this ex:p ?x . ?x ex:q ?value }} ORDER BY ?value''' ] .""",
        format="turtle",
    )
    plan = compile_shapes(sh)
    [check] = plan.checks
    assert check.kind == "sparql" and check.batch and not check.wrapped
    g1 = Graph().parse(
        data=f'@prefix ex: <{EX}> . ex:a ex:p ex:x1 . ex:x1 ex:q "v" .', format="turtle"
    )
    g2 = Graph().parse(
        data=f'@prefix ex: <{EX}> . ex:b a ex:C ; ex:p ex:x1 . ex:x1 ex:q "w" .', format="turtle"
    )
    store = ox.Store()
    add_graph(store, ox.NamedNode("http://example.org/g1"), g1)
    add_graph(store, ox.NamedNode("http://example.org/g2"), g2)
    together = evaluate(plan, store)
    assert sorted(together) == ["http://example.org/g2"]
    assert [(str(f.focus), str(f.value)) for f in together["http://example.org/g2"]] == [
        (EX + "b", "w")
    ]
    assert sorted(_key(f) for f in findings_of(g2, None, sh, plan)) == sorted(
        _key(f) for f in together["http://example.org/g2"]
    )
