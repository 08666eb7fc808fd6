"""The built provenance graph of the bundled report: contract, selectors, determinism."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset

from chipkg.analysis.query import select
from chipkg.cli import cli
from tests.conftest import BUNDLED

PREFIXES = """
PREFIX ckg: <https://w3id.org/chipkg/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


def test_stats_reads_back_what_build_reported(built_project: Path):
    manifest = json.loads((built_project / "graph" / "build" / "manifest.json").read_text())
    result = CliRunner().invoke(cli, ["--project", str(built_project), "stats", "--format", "json"])
    assert result.exit_code == 0, result.output
    stats = json.loads(result.stdout)
    assert stats["ic-landscape-2024"] == manifest["ic-landscape-2024"]["summary"]
    s = stats["ic-landscape-2024"]
    assert (s["pages"], s["articles"], s["markers"], s["footnotes"], s["sources"]) == (
        34,
        10,
        91,
        94,
        68,
    )
    assert (s["dangling_markers"], s["orphan_footnotes"], s["warnings"]) == (0, 0, 0)
    assert s["passages"] == (
        s["passages_sentence_level"]
        + s["passages_paragraph_level"]
        + s["passages_lead_level"]
        + s["passages_uncited"]
    )


def test_every_passage_selector_quotes_the_file_exactly(built_store):
    text = BUNDLED.read_text(encoding="utf-8")
    rows = select(
        built_store,
        PREFIXES
        + """
        SELECT ?p ?start ?end ?exact ?prefix ?suffix ?display WHERE { GRAPH ?g {
          ?p a ckg:Passage ; ckg:text ?display ;
             oa:hasSelector [ a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end ] ,
                            [ a oa:TextQuoteSelector ; oa:exact ?exact ; oa:prefix ?prefix ; oa:suffix ?suffix ] .
        } }""",
    )
    assert len(rows) == 496
    for r in rows:
        start, end = int(r["start"]), int(r["end"])
        assert 0 <= start < end <= len(text)
        assert text[start:end] == r["exact"]
        assert text[:start].endswith(r["prefix"]) and text[end:].startswith(r["suffix"])
        # the display text is the exact text with line breaks and markers taken out
        assert r["display"][0] == r["exact"][0] and r["display"][-1] == r["exact"][-1]


def test_every_passage_links_to_its_sources_with_footnote_and_level(built_store):
    rows = select(
        built_store,
        PREFIXES
        + """
        SELECT ?level (COUNT(DISTINCT ?p) AS ?n) WHERE { GRAPH ?g {
          ?p prov:qualifiedDerivation ?c .
          ?c a ckg:Citation ; ckg:citationLevel ?level ; ckg:viaFootnote ?fn .
          ?fn a ckg:Footnote .
          OPTIONAL { ?c prov:entity ?src . ?fn ckg:cites ?src . }
        } } GROUP BY ?level ORDER BY ?level""",
    )
    got = {r["level"].rsplit("#", 1)[1]: r["n"] for r in rows}
    assert got == {"LeadLevel": 187, "ParagraphLevel": 56, "SentenceLevel": 89}
    # one sentence cites only the explanatory footnote (page 20, footnote 2): no source URL
    rows = select(
        built_store,
        PREFIXES
        + """
        SELECT ?text WHERE { GRAPH ?g {
          ?p ckg:text ?text ; prov:qualifiedDerivation ?c .
          ?c ckg:viaFootnote ?fn . ?fn ckg:noteText ?note .
          FILTER NOT EXISTS { ?c prov:entity ?any }
        } }""",
    )
    assert [r["text"] for r in rows] == [
        "在可分配的 380亿美元资金中，CPO已经批准超过 330亿美元，并为额外的 30亿美元签署了初步协议，"
        "且仍有更多谈判正在进行中。"
    ]
    # the shortcut properties agree with the qualified citations
    rows = select(
        built_store,
        PREFIXES
        + """
        SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g {
          ?p ckg:citedInSentence ?src .
          FILTER NOT EXISTS { ?p prov:qualifiedDerivation [ ckg:citationLevel ckg:SentenceLevel ; prov:entity ?src ] }
        } }""",
    )
    assert rows[0]["n"] == 0


def test_articles_authors_and_sources_in_the_graph(built_store):
    rows = select(
        built_store,
        PREFIXES
        + """
        SELECT ?title ?date (GROUP_CONCAT(?name; separator="|") AS ?authors) WHERE { GRAPH ?g {
          ?a a ckg:Article ; dcterms:title ?title ; dcterms:date ?date ; dcterms:creator ?who .
          ?who rdfs:label ?name . FILTER(lang(?name) = "en")
        } } GROUP BY ?title ?date ORDER BY ?date ?title""",
    )
    assert rows[0]["title"] == "韩国拟投资 139亿美元组建新晶圆代工厂 KSMC"
    assert rows[0]["authors"] == "Shen Xiang"
    assert any(set(r["authors"].split("|")) == {"Yu Jieping", "Wang Li"} for r in rows)
    kinds = select(
        built_store,
        PREFIXES
        + """
        SELECT ?kind (COUNT(?s) AS ?n) WHERE { GRAPH ?g { ?s a ckg:Source ; ckg:publisherKind ?kind } }
        GROUP BY ?kind""",
    )
    counts = {r["kind"].rsplit("#", 1)[1]: r["n"] for r in kinds}
    assert sum(counts.values()) == 68 and counts == {
        "GovernmentPublisher": 29,
        "CompanyPublisher": 19,
        "MediaPublisher": 9,
        "AcademicPublisher": 5,
        "ThinkTankPublisher": 5,
        "OtherPublisher": 1,
    }


def test_output_is_byte_identical_on_rebuild_in_another_process(
    built_project: Path, tmp_path: Path
):
    # a separate interpreter with another hash seed: set and dict orders differ, output must not
    # (without validation, which writes none of the files compared)
    other = tmp_path / "again"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "chipkg.cli",
            "--project",
            str(built_project),
            "build",
            "--no-validate",
            "--out",
            str(other),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    first = built_project / "graph" / "build"
    for name in ("chipkg.trig", "manifest.json", "reports/ic-landscape-2024.ttl"):
        assert (first / name).read_bytes() == (other / name).read_bytes(), name


def test_trig_parses_with_rdflib_into_one_named_graph_per_report_plus_the_ontology(
    built_project: Path,
):
    ds = Dataset()
    ds.parse(built_project / "graph" / "build" / "chipkg.trig", format="trig")
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    assert names == {
        "https://w3id.org/chipkg/id/graph/ic-landscape-2024",
        "https://w3id.org/chipkg/id/graph/ontology",
        "https://w3id.org/chipkg/id/graph/entities",
    }


@pytest.mark.skipif(shutil.which("rapper") is None, reason="raptor2-utils (rapper) not installed")
def test_turtle_and_trig_pass_an_independent_strict_parser(built_project: Path):
    build = built_project / "graph" / "build"
    for syntax, path in (
        ("turtle", build / "reports" / "ic-landscape-2024.ttl"),
        ("trig", build / "chipkg.trig"),
    ):
        proc = subprocess.run(
            ["rapper", "-q", "-i", syntax, "-c", str(path)], capture_output=True, text=True
        )
        assert proc.returncode == 0, (syntax, proc.stderr)


def test_every_claim_carries_exactly_its_passages_sources_and_level(built_store):
    rows = select(
        built_store,
        PREFIXES
        + """
        SELECT ?claim ?plevel ?clevel
               (GROUP_CONCAT(DISTINCT STR(?cs); separator=" ") AS ?claim_sources)
               (GROUP_CONCAT(DISTINCT STR(?ps); separator=" ") AS ?passage_sources)
        WHERE {
          ?claim a ckg:Claim ; ckg:statedIn ?p .
          OPTIONAL { ?claim prov:wasDerivedFrom ?cs }
          OPTIONAL { ?p ckg:supportedBy ?ps }
          OPTIONAL { ?p ckg:citedInSentence ?ps }
          OPTIONAL { ?p ckg:citedInParagraph ?ps }
          OPTIONAL { ?p ckg:citedAsLead ?ps }
          OPTIONAL { ?claim ckg:citationLevel ?clevel }
          OPTIONAL { ?p ckg:citationLevel ?plevel }
        } GROUP BY ?claim ?plevel ?clevel""",
    )
    assert len(rows) > 50
    for r in rows:
        assert set((r["claim_sources"] or "").split()) == set((r["passage_sources"] or "").split())
        assert r["clevel"] == r["plevel"], r["claim"]


def test_claims_have_direct_triples_and_typed_qualifiers(built_store):
    rows = select(
        built_store,
        PREFIXES
        + """
        PREFIX schema: <https://schema.org/>
        SELECT ?s ?o ?value ?cur WHERE {
          ?claim ckg:claimSubject ?s ; ckg:claimPredicate ckg:funds ; ckg:claimObject ?o ;
                 ckg:amount [ schema:value ?value ; schema:currency ?cur ] .
          ?s ckg:funds ?o .
          FILTER(datatype(?value) = <http://www.w3.org/2001/XMLSchema#decimal>)
        }""",
    )
    got = {(r["s"].rsplit("/", 1)[1], r["o"].rsplit("/", 1)[1], r["value"], r["cur"]) for r in rows}
    assert ("italy", "stmicroelectronics", "2000000000", "EUR") in got
