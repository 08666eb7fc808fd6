"""validate.py's fast paths through pySHACL (sh:or of classes checked directly, SPARQL
constraints run once for all focus nodes) give exactly pySHACL's own results."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH

from chipkg.bench import synthetic as bench
from chipkg.check import validate
from chipkg.graph.vocab import CKG, OA, PROV, RDF
from tests.test_shapes import GROUPS, fixture

SPARQL_SHAPES = {
    validate.CKGSH + name
    for name in (
        "ClaimObjectMatchesPredicateShape",
        "ClaimTripleAssertedShape",
        "ClaimSourcesMatchPassageShape",
        "PassageCitationShortcutsShape",
        "PassageQuoteMatchesPositionShape",
        "CitationChainShape",
    )
}


def both_ways(data: Graph, text: str | None) -> tuple[validate.ValidationReport, ...]:
    fast = validate.validate_graph(data, report_text=text)
    with validate.plain_pyshacl():
        plain = validate.validate_graph(data, report_text=text)
    return fast, plain


def test_plain_pyshacl_switches_the_fast_paths_off_and_back_on():
    # without this, "fast == plain" below would also hold if both ran the same code
    assert validate._FAST_PATHS
    for (cls, name), (original, fast) in validate._FAST_PATHS.items():
        assert getattr(cls, name) is fast and fast is not original
        with validate.plain_pyshacl():
            assert getattr(cls, name) is original
        assert getattr(cls, name) is fast


def test_every_sparql_constraint_of_the_shapes_is_run_once_for_all_focus_nodes():
    shapes = validate.load_shapes()
    prefixes = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in validate.PREFIXES.items())
    found = set()
    for shape, constraint in shapes.subject_objects(SH.sparql):
        found.add(str(shape))
        text = prefixes + str(shapes.value(constraint, SH.select))
        assert validate._prepare_batch(text) is not None, f"{shape} falls back to per-node runs"
    assert found == SPARQL_SHAPES


@pytest.mark.parametrize(
    "where",
    [
        "OPTIONAL { $this ckg:statedIn ?value }",  # $this bound only optionally
        "{ $this ckg:statedIn ?value } UNION { ?value ckg:statedIn ?x }",  # one branch only
        "$this ckg:statedIn ?value . MINUS { $this ckg:supersedes ?value }",
        "$this ckg:statedIn ?value . VALUES ?value { ckg:x }",
        "$this ckg:statedIn ?value . FILTER NOT EXISTS { ?value ckg:mentions ?e }",
        "{ SELECT $this ?value WHERE { $this ckg:statedIn ?value } LIMIT 1 }",
    ],
)
def test_a_query_whose_meaning_depends_on_this_being_constant_is_not_batched(where):
    text = f"PREFIX ckg: <{CKG._NS}>\nSELECT $this ?value WHERE {{ {where} }}"
    assert validate._prepare_batch(text) is None


def test_a_query_that_binds_this_in_every_branch_is_batched():
    text = (
        f"PREFIX ckg: <{CKG._NS}>\nSELECT $this ?value WHERE {{ {{ $this ckg:statedIn ?value }}"
        " UNION { $this ckg:mentions ?value OPTIONAL { ?value ckg:x ?y } FILTER (!BOUND(?y)) } }"
    )
    assert validate._prepare_batch(text) is not None


@pytest.mark.parametrize("group", sorted(GROUPS))
@pytest.mark.parametrize("name", ["conforming", "non-conforming"])
def test_fast_paths_equal_pyshacl_on_every_fixture(group, name):
    data, _own, text = fixture(group, name)
    fast, plain = both_ways(data, text)
    assert fast == plain


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
    # a subject of the wrong class for its relation (checked by an sh:or of classes)
    funder = sorted(out.subjects(CKG.funds, None))[0]
    out.add((URIRef(str(CKG._NS) + "EUV"), CKG.funds, out.value(funder, CKG.funds)))
    return out


def test_fast_paths_equal_pyshacl_on_a_synthetic_report_with_planted_defects():
    w = bench.world()
    g, text, _n = bench.synthetic_graph("synth-000007", w=w, articles=1)
    data = _planted_defects(g)
    closure = validate.entity_closure(w.entities_graph(), (n for t in data for n in (t[0], t[2])))
    for node in closure:
        for t in w.entities_graph().triples((node, None, None)):
            data.add(t)
    fast, plain = both_ways(data, text)
    assert fast == plain
    failing = {r.shape for r in fast.results if r.severity == "Violation"}
    assert failing >= SPARQL_SHAPES  # every batched constraint found its planted defect
    assert any(r.component == "sh:OrConstraintComponent" for r in fast.results)
