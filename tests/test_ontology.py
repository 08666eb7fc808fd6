"""The ontology is the documentation: labels in both languages, a definition for every term, a
closed namespace in step with the code, and HermiT finds it consistent."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from chipkg.graph.vocab import CKG
from tests.conftest import ROOT

NS = "https://w3id.org/chipkg/ontology#"
ONTOLOGY = ROOT / "ontology" / "chipkg.ttl"


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(ONTOLOGY)


def terms(g: Graph) -> set[str]:
    return {
        str(s)[len(NS) :] for s in g.subjects() if isinstance(s, URIRef) and str(s).startswith(NS)
    }


def test_every_term_has_english_and_chinese_labels_and_a_definition(onto):
    for t in sorted(terms(onto)):
        s = URIRef(NS + t)
        langs = {lit.language for lit in onto.objects(s, RDFS.label) if isinstance(lit, Literal)}
        assert {"en", "zh"} <= langs, t
        assert any(True for _ in onto.objects(s, SKOS.definition)), t


def test_relations_have_domain_and_range(onto):
    for prop in onto.subjects(RDFS.subPropertyOf, URIRef(NS + "relation")):
        assert (prop, RDFS.domain, None) in onto, prop
        assert (prop, RDFS.range, None) in onto, prop


def test_closed_namespace_matches_the_ontology(onto):
    declared = set(CKG.__annotations__)
    assert declared == terms(onto)
    # and every CKG term the code uses exists (DefinedNamespace would raise, but only when run)
    used = set()
    for py in (ROOT / "src" / "chipkg").rglob("*.py"):
        used |= set(re.findall(r"\bCKG\.([A-Za-z]\w*)", py.read_text(encoding="utf-8")))
    assert used <= declared, used - declared


def test_location_is_transitive_and_has_an_inverse(onto):
    li = URIRef(NS + "locatedIn")
    assert (li, RDF.type, OWL.TransitiveProperty) in onto
    assert (li, OWL.inverseOf, URIRef(NS + "contains")) in onto


@pytest.mark.java
@pytest.mark.skipif(shutil.which("java") is None, reason="no Java runtime: HermiT cannot run")
def test_hermit_finds_the_ontology_consistent(tmp_path: Path, onto):
    import owlready2

    nt = tmp_path / "chipkg.nt"
    nt.write_bytes(onto.serialize(format="nt", encoding="utf-8"))
    world = owlready2.World()
    ontology = world.get_ontology(nt.as_uri()).load(format="ntriples")
    with ontology:
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    assert list(world.inconsistent_classes()) == []
