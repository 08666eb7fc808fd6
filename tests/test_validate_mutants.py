"""The validation fast path gives one finding per distinct solution of a SPARQL constraint, as
pySHACL does (issue 21: without the de-duplication of the batched rows, a focus node reached by
two join paths got its finding twice, and no test saw it). Compared on the raw findings, before
any report merges them."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef

from chipkg.check.validation.compiler import compile_shapes
from chipkg.check.validation.oracle import run_pyshacl
from chipkg.check.validation.single import findings_of

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
