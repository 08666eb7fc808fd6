"""chipkg's validator (compiled SPARQL over Oxigraph, chipkg.check.validation) gives exactly
pySHACL's results: on a synthetic report with planted defects, and on the cases where running a
SPARQL constraint once for all focus nodes is not SHACL pre-binding. On every shape fixture and on
the bundled report: tests/test_shapes.py, which validates each of them anyway."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef

from chipkg.bench import synthetic as bench
from chipkg.check import validate
from chipkg.check.validation import prebinding
from chipkg.check.validation.compiler import compile_shapes
from chipkg.check.validation.single import findings_of, plan_for
from chipkg.graph.vocab import CKG, OA, PROV, RDF

SPARQL_SHAPES = {
    validate.CKGSH + name
    for name in (
        "ClaimObjectMatchesPredicateShape",
        "ClaimTripleAssertedShape",
        "ClaimSourcesMatchPassageShape",
        "PassageCitationShortcutsShape",
        "PassageQuoteMatchesPositionShape",
        "CitationChainShape",
        "ClauseSourcesShape",
        "ClaimClauseSourcesShape",
    )
}
EX = "http://example.org/t#"


def both_ways(data: Graph, text: str | None) -> tuple[validate.ValidationReport, ...]:
    fast = validate.validate_graph(data, report_text=text)
    plain = validate.validate_graph_pyshacl(data, report_text=text)
    return fast, plain


def test_every_shape_of_the_project_is_compiled():
    """No shape of shapes/ is left to pySHACL: the corpus runs never fall back (slow)."""
    shapes, plan = plan_for(None)
    assert plan.fallback == []
    assert len(plan.compiled) >= 170
    sparql = {str(c.shape) for c in plan.checks if c.kind == "sparql"}
    assert sparql == SPARQL_SHAPES
    assert all(c.batch and c.wrapped for c in plan.checks if c.kind == "sparql")


@pytest.mark.parametrize(
    "where",
    [
        "OPTIONAL { $this ckg:statedIn ?value }",  # $this bound only optionally
        "{ $this ckg:statedIn ?value } UNION { ?value ckg:statedIn ?x }",  # one branch only
        "$this ckg:statedIn ?value . MINUS { $this ckg:supersedes ?value }",
        "$this ckg:statedIn ?value . VALUES ?value { ckg:x }",
        "$this ckg:statedIn ?value . FILTER NOT EXISTS { ?value ckg:mentions ?e }",
        "{ SELECT $this ?value WHERE { $this ckg:statedIn ?value } LIMIT 1 }",
        # issue 18: $this in a nested group's FILTER or BIND, or a BIND before its triple
        "$this ckg:statedIn ?value . { FILTER (bound($this)) }",
        "$this ckg:statedIn ?value . { BIND ($this AS ?x) }",
        "BIND ($this AS ?x) . $this ckg:statedIn ?value .",
    ],
)
def test_a_query_whose_meaning_depends_on_this_being_constant_is_not_batched(where):
    text = f"PREFIX ckg: <{CKG._NS}>\nSELECT $this ?value WHERE {{ {where} }}"
    assert not prebinding.batchable(text)


@pytest.mark.parametrize(
    "where",
    [
        "{ $this ckg:statedIn ?value } UNION { $this ckg:mentions ?value"
        " OPTIONAL { ?value ckg:x ?y } FILTER (!BOUND(?y)) }",
        "$this ckg:statedIn ?value . OPTIONAL { ?value ckg:x ?y } FILTER (?y != $this)",
        "$this ckg:statedIn ?value . BIND ($this AS ?x)",
        # the OPTIONAL's own FILTER sees the left side's bindings, $this included
        "$this ckg:statedIn ?value . OPTIONAL { ?value ckg:x ?y . FILTER (?y != $this) }",
    ],
)
def test_a_query_that_binds_this_before_using_it_is_batched(where):
    text = f"PREFIX ckg: <{CKG._NS}>\nSELECT $this ?value WHERE {{ {where} }}"
    assert prebinding.batchable(text)


def _prebinding_case(where: str) -> tuple[Graph, Graph]:
    """Two focus nodes, one with the property: the shape's query uses $this in a nested group."""
    data = Graph()
    data.add((URIRef(EX + "a"), URIRef(EX + "p"), Literal("Label")))
    data.add((URIRef(EX + "b"), URIRef(EX + "q"), Literal("Other")))
    shapes = Graph().parse(
        data=f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <{EX}> .
        ex:S a sh:NodeShape ; sh:targetNode ex:a, ex:b, ex:c ;
            sh:sparql [ sh:select '''SELECT $this WHERE {{ {where} }}''' ] .
        """,
        format="turtle",
    )
    return data, shapes


@pytest.mark.parametrize(
    "where",
    [
        "{ FILTER (bound($this)) } $this <" + EX + 'p> "Label" . FILTER (bound($this))',
        "$this <" + EX + "p> ?v . { BIND ($this AS ?x) } FILTER (bound(?x))",
        "BIND ($this AS ?x) . ?x <" + EX + "p> ?v .",
    ],
)
def test_pre_binding_with_several_focus_nodes_equals_pyshacl(where):
    """W3C pre-binding-005 lost its violation once a second focus node made the old fast path
    batch it; probes like it gave false conformance. Each must equal plain pySHACL."""
    from chipkg.check.validation.oracle import run_pyshacl

    data, shapes = _prebinding_case(where)
    fast = sorted(str(f.focus) for f in findings_of(data, None, shapes, compile_shapes(shapes)))
    plain_data = Graph()
    plain_data += data
    plain = sorted(str(f.focus) for f in run_pyshacl(plain_data, shapes))
    assert fast == plain
    assert plain  # the case finds something: the comparison is not vacuous


def _planted_defects(g: Graph) -> Graph:
    """A synthetic report graph with one defect for each SPARQL-based shape (and sh:or)."""
    out = Graph()
    out += g
    claims = sorted(out.subjects(RDF.type, CKG.Claim))
    facts = [c for c in claims if out.value(c, CKG.claimObject) is not None]
    # the direct triple of a current claim is missing
    c = facts[0]
    out.remove((out.value(c, CKG.claimSubject), out.value(c, CKG.claimPredicate), None))
    # an entity object moved to claimValue
    c = facts[1]
    o = out.value(c, CKG.claimObject)
    out.remove((c, CKG.claimObject, o))
    out.add((c, CKG.claimValue, o))
    # a claim derived from a source its passage does not cite, and one missing its source
    derived = [c for c in claims if out.value(c, PROV.wasDerivedFrom) is not None]
    out.add((derived[0], PROV.wasDerivedFrom, URIRef("https://elsewhere.example/not-cited")))
    out.remove((derived[1], PROV.wasDerivedFrom, None))
    # a quote that does not fit its position selector
    quote = sorted(out.subjects(OA.exact, None))[0]
    out.set((quote, OA.exact, Literal(str(out.value(quote, OA.exact)) + "…")))
    # a passage shortcut without its citation
    passage, source = sorted(out.subject_objects(CKG.citedInSentence))[0]
    out.remove((passage, CKG.citedInSentence, source))
    # a citation whose source is not what its footnote cites
    citation = sorted(out.subjects(CKG.viaFootnote, None))[0]
    out.set((citation, PROV.entity, URIRef("https://elsewhere.example/other")))
    # a clause citing what its marker's notes do not cite (clause scope)
    marker = sorted(m for m in out.subjects(RDF.type, CKG.Marker) if out.value(m, CKG.inPassage))[0]
    clause = URIRef(f"{out.value(marker, CKG.inPassage)}/clause-planted")
    out.add((clause, RDF.type, CKG.Clause))
    out.add((clause, CKG.clauseOf, out.value(marker, CKG.inPassage)))
    out.add((clause, CKG.endsAtMarker, marker))
    out.add((clause, CKG.citedInClause, URIRef("https://elsewhere.example/clause")))
    # a subject of the wrong class for its relation (checked by an sh:or of classes)
    funder = sorted(out.subjects(CKG.funds, None))[0]
    out.add((URIRef(str(CKG._NS) + "EUV"), CKG.funds, out.value(funder, CKG.funds)))
    # an offset typed xsd:integer where xsd:nonNegativeInteger is required (Oxigraph stores
    # both as xsd:integer: found through the shadow triples), and a decimal written "5.50"
    start = sorted(out.subject_objects(OA.start))[0]
    out.set((start[0], OA.start, Literal(str(start[1]), datatype=URIRef(XSD_INT))))
    amount = sorted(out.subjects(RDF.type, CKG.MonetaryAmount))[0]
    out.add((amount, URIRef("https://schema.org/value"), Literal("-5.50", datatype=XSD_DEC)))
    return out


XSD_INT = "http://www.w3.org/2001/XMLSchema#integer"
XSD_DEC = URIRef("http://www.w3.org/2001/XMLSchema#decimal")


def test_chipkg_equals_pyshacl_on_a_synthetic_report_with_planted_defects():
    w = bench.world()
    g, text, _n = bench.synthetic_graph("synth-000007", w=w, articles=1)
    data = _planted_defects(g)
    entities = w.entities_graph()  # once: made afresh on each call (was 108 times here)
    closure = validate.entity_closure(entities, (n for t in data for n in (t[0], t[2])))
    for node in closure:
        for t in entities.triples((node, None, None)):
            data.add(t)
    fast, plain = both_ways(data, text)
    assert fast == plain
    failing = {r.shape for r in fast.results if r.severity == "Violation"}
    assert failing >= SPARQL_SHAPES  # every SPARQL constraint found its planted defect
    assert any(r.component == "sh:OrConstraintComponent" for r in fast.results)
    components = {(r.shape.rsplit("#")[-1], r.component, r.value) for r in fast.results}
    assert any(
        s == "TextPositionSelector-start" and c == "sh:DatatypeConstraintComponent"
        for s, c, _v in components
    )
    assert ("MonetaryAmount-value", "sh:MinExclusiveConstraintComponent", "-5.50") in components
