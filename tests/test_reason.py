"""OWL reasoning with HermiT: contradictions are found and explained with the claims behind
them, inferred facts land in their own graph, and a missing Java runtime is a clear error.

The reasoning tests stand on tests/shapes/base.ttl, the valid miniature report of the shape
fixtures (Intel, a company, builds a fab in Arizona, a region of the United States)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import owlready2
import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, XSD

from chipkg.check.reason import (
    INFERRED_GRAPH,
    JavaMissing,
    inferred_graph_description,
    reason,
    reasoning_input,
)
from chipkg.check.validate import report_graphs
from chipkg.cli import cli
from chipkg.graph.vocab import CKG, PROV
from tests.conftest import ROOT

HERE = Path(__file__).parent / "shapes"
ENT = Namespace("https://w3id.org/chipkg/id/entity/")
CLAIM = Namespace("https://w3id.org/chipkg/id/base/claim/")

needs_java = pytest.mark.skipif(
    shutil.which(owlready2.JAVA_EXE) is None, reason="no Java runtime: HermiT cannot run"
)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ROOT / "ontology" / "chipkg.ttl")


def base() -> Graph:
    return Graph().parse(HERE / "base.ttl")


@needs_java
@pytest.mark.java
def test_the_base_graph_is_consistent_and_infers_nothing_new(ontology):
    result = reason(base(), ontology)
    assert result.consistent and result.inconsistent == ()
    assert (ENT["intel-arizona-fab"], CKG.locatedIn, ENT["united-states"]) not in result.inferred


@needs_java
@pytest.mark.java
def test_an_entity_typed_both_fab_and_company_is_caught_with_its_claims(ontology):
    data = base()
    data.add((ENT.intel, RDF.type, CKG.Fab))  # planted: Intel is also a fab
    result = reason(data, ontology)
    assert not result.consistent
    assert [i.individual for i in result.inconsistent] == [str(ENT.intel)]
    intel = result.inconsistent[0]
    assert intel.label == "Intel"
    assert set(intel.types) == {str(CKG.Company), str(CKG.Fab)}
    assert "typed ckg:Company and typed ckg:Fab" in intel.reason
    assert "ckg:Actor and ckg:Facility are disjoint" in intel.reason
    assert " — " in intel.reason  # and what to do
    claims = {c.claim: c for c in intel.claims}
    assert set(claims) == {str(CLAIM["20-35-builds"]), str(CLAIM["35-57-funds"])}
    builds = claims[str(CLAIM["20-35-builds"])]
    assert builds.predicate == str(CKG.builds)
    assert (builds.passage_text, builds.page) == ("英特尔在亚利桑那州建设晶圆厂。", 1)
    assert len(result.inferred) == 0  # nothing is inferred from a contradiction


@needs_java
@pytest.mark.java
def test_a_facility_in_a_region_of_a_country_is_inferred_to_be_in_the_country(ontology):
    data = base()
    data.add((ENT["intel-arizona-fab"], CKG.locatedIn, ENT.arizona))
    before = len(data)
    result = reason(data, ontology)
    assert result.consistent
    assert len(data) == before  # the input is untouched
    assert result.inferred.identifier == INFERRED_GRAPH
    assert (ENT["intel-arizona-fab"], CKG.locatedIn, ENT["united-states"]) in result.inferred
    assert (ENT["united-states"], CKG.contains, ENT["intel-arizona-fab"]) in result.inferred
    assert not any(t in data for t in result.inferred)  # new triples only, never asserted ones
    described = inferred_graph_description(result)
    assert (INFERRED_GRAPH, PROV.wasGeneratedBy, None) in described


@needs_java
@pytest.mark.java
def test_a_facility_that_funds_is_explained_by_the_domain_of_funds(ontology):
    data = base()
    data.add((ENT["intel-arizona-fab"], CKG.funds, ENT.intel))
    result = reason(data, ontology)
    assert not result.consistent
    fab = {i.individual: i for i in result.inconsistent}[str(ENT["intel-arizona-fab"])]
    assert "subject of ckg:funds needs ckg:Actor or ckg:Policy" in fab.reason


@needs_java
@pytest.mark.java
def test_a_contradiction_that_is_not_disjointness_is_explained_by_pellet(ontology):
    data = base()
    data.add((ENT.intel, CKG.createsJobs, Literal("many", datatype=XSD.string)))  # range decimal
    result = reason(data, ontology)
    assert not result.consistent
    assert [i.individual for i in result.inconsistent] == [str(ENT.intel)]
    assert "createsJobs" in result.inconsistent[0].reason


@needs_java
@pytest.mark.java
def test_literals_outside_the_owl2_datatype_map_are_left_out(ontology):
    data = base()
    data.add((ENT.intel, CKG.createsJobs, Literal("2024", datatype=XSD.gYear)))
    result = reason(data, ontology)  # HermiT would refuse xsd:gYear
    assert result.consistent
    assert result.dropped_literals == 1


def test_only_entities_and_their_relations_go_to_the_reasoner(ontology):
    facts, dropped = reasoning_input(base(), ontology)
    assert dropped == 0
    assert (None, RDF.type, CKG.Claim) not in facts
    assert (None, RDF.type, CKG.Passage) not in facts
    assert (ENT.intel, CKG.builds, ENT["intel-arizona-fab"]) in facts
    assert (ENT.intel, RDF.type, CKG.Company) in facts
    assert (None, CKG.date, None) not in facts  # claim qualifiers (xsd:gYearMonth) stay out


def test_without_java_reasoning_stops_with_exit_code_3(ontology, monkeypatch):
    monkeypatch.setattr(owlready2, "JAVA_EXE", "/nonexistent/java")
    with pytest.raises(JavaMissing) as err:
        reason(base(), ontology)
    assert err.value.exit_code == 3
    assert "Java" in str(err.value) and "install" in str(err.value)


@needs_java
@pytest.mark.java
def test_the_bundled_report_is_consistent(built_project):
    """`chipkg reason` on the bundled build, as a user runs it (one HermiT run for the command
    and the facts; tests/test_cli_errors.py ran it too before): consistent, and the inferred
    triples written as their own graph, none of them already asserted."""
    build = built_project / "graph" / "build"
    result = CliRunner().invoke(
        cli, ["--project", str(built_project), "reason", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["consistent"] is True, summary["inconsistent"][:3]
    ds = Dataset()
    ds.parse(build / "inferred.trig", format="trig")
    inferred = ds.graph(INFERRED_GRAPH)
    assert len(inferred) == summary["inferred_triples"] > 0
    graph = report_graphs(build)["ic-landscape-2024"]
    assert not any(t in graph for t in inferred)
    assert all(isinstance(s, URIRef) for s in inferred.subjects())
