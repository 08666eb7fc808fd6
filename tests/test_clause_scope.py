"""Clause scope (issue 15, item 5): a marker inside a sentence covers its clause. The sentence
level stays as it is; claims with a span (Claim.span) rest on their clause's sources."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from chipkg.check.validate import validate_graph
from chipkg.extract.entities import Linker, load_entities
from chipkg.extract.pipeline import extract
from chipkg.graph.build import Iris, claim_iri, entities_graph, report_graph
from chipkg.graph.vocab import CKG, PROV
from chipkg.ingest.citations import resolve
from chipkg.ingest.inputs import read_meta
from chipkg.ingest.report import parse_text
from tests.conftest import BUNDLED

ITALY = "意大利为意法半导体拨款"


def urls_of(report, cites, printed: str) -> set[str]:
    """The URLs of the notes the marker printed so in the Italy sentence cites."""
    p = next(p for p in report.passages if p.text.startswith(ITALY))
    fns = dict(cites.marker_footnotes)
    mk = next(m for m in p.markers if m.printed == printed)
    return {u for f in fns[mk] for u in f.urls}


def span(report, passage, first: str, last: str) -> tuple[int, int]:
    """Absolute offsets from the first character of ``first`` to the last of ``last``, found
    in the passage's span of the file (the words a claim rests on)."""
    text = report.text
    a = text.index(first, passage.start)
    b = text.index(last, a) + len(last)
    assert b <= passage.end
    return a, b


@pytest.fixture(scope="module")
def italy(bundled):
    report, cites = bundled
    p = next(p for p in report.passages if p.text.startswith(ITALY))
    return report, cites, p


def test_a_marker_inside_a_sentence_covers_its_clause(italy):
    report, cites, p = italy
    first, second = cites.clauses_of(p.index)
    assert [m.printed for m in first.markers] == ["3"]
    assert [m.printed for m in second.markers] == ["4-5"]
    assert report.text[first.start : first.end].startswith(ITALY)
    assert "工厂" in report.text[second.start : second.end]
    footnote_3 = urls_of(report, cites, "3")
    footnotes_4_5 = urls_of(report, cites, "4-5")
    assert {s.source for s in cites.clause_supports(first)} == footnote_3
    assert {s.source for s in cites.clause_supports(second)} == footnotes_4_5
    # the sentence level is unchanged: the passage rests on all three
    assert {s.source for s in cites.for_passage(p.index)} == footnote_3 | footnotes_4_5
    assert cites.level_of(p.index) == "sentence"


def test_a_claim_rests_on_the_clause_where_its_words_end(italy):
    report, cites, p = italy
    funding = span(report, p, "意大利", "元）")
    fab = span(report, p, "意法半导体", "工厂")  # its subject is named in the first clause
    assert {s.source for s in cites.claim_supports(p.index, funding)} == urls_of(report, cites, "3")
    assert {s.source for s in cites.claim_supports(p.index, fab)} == urls_of(report, cites, "4-5")
    # no span: the sentence's sources, as before
    assert {s.source for s in cites.claim_supports(p.index, None)} == {
        s.source for s in cites.for_passage(p.index)
    }


def test_a_sentence_whose_markers_close_it_has_no_clauses(bundled):
    report, cites = bundled
    plain = next(p for p in report.passages if p.text.startswith("SK海力士发布全球首款"))
    assert cites.clauses_of(plain.index) == ()
    marked = [p for p in report.passages if p.markers and not cites.clauses_of(p.index)]
    assert marked  # most marked sentences end with their marker
    # the bundled report: 9 sentences that a marker splits, 19 clauses
    assert (len(cites.clauses), len({c.passage for c in cites.clauses})) == (19, 9)


def parse(*lines: str):
    report = parse_text("\n".join(lines) + "\n", Path("clauses.txt"), "clauses")
    return report, resolve(report)


def test_the_words_after_the_last_marker_rest_on_the_whole_sentence():
    report, cites = parse(
        " 分句测试报告",
        "",
        "一、测试章节",
        "",
        "商务部向某公司提供直接资助1，另一机构提供贷款2，其中一部分用于研发。",
        "",
        "1 https://example.gov/grant",
        "2 https://example.com/loan",
    )
    p = report.passages[-1]
    grant, loan, rest = cites.clauses_of(p.index)
    assert [s.source for s in cites.clause_supports(grant)] == ["https://example.gov/grant"]
    assert [s.source for s in cites.clause_supports(loan)] == ["https://example.com/loan"]
    assert {s.source for s in cites.clause_supports(rest)} == {
        "https://example.gov/grant",
        "https://example.com/loan",
    }
    assert report.text[rest.start : rest.end].endswith("其中一部分用于研发。")


def test_two_markers_with_nothing_between_close_one_clause():
    report, cites = parse(
        " 分句测试报告",
        "",
        "一、测试章节",
        "",
        "某公司宣布投资建设新工厂[1]，[2]，项目预计于明年竣工。",
        "",
        "参考文献",
        "",
        "[1] https://example.com/a",
        "[2] https://example.com/b",
    )
    p = report.passages[-1]
    first, rest = cites.clauses_of(p.index)
    assert [m.printed for m in first.markers] == ["[1]", "[2]"]
    assert {s.source for s in cites.clause_supports(first)} == {
        "https://example.com/a",
        "https://example.com/b",
    }
    assert rest.markers == ()


def test_the_graph_states_clauses_and_each_claims_clause_sources(bundled):
    report, cites = bundled
    extraction = extract(report, cites, Linker(load_entities()))
    p = next(p for p in report.passages if p.text.startswith(ITALY))
    spans = {
        "funds": span(report, p, "意大利", "元）"),
        "builds": span(report, p, "意法半导体", "工厂"),
    }
    claims = tuple(
        replace(ec, claim=replace(ec.claim, span=spans[ec.claim.predicate]))
        if ec.claim.passage == p.index and ec.claim.predicate in spans
        else ec
        for ec in extraction.claims
    )
    g = report_graph(report, cites, read_meta(BUNDLED), replace(extraction, claims=claims))
    iris = Iris(report.report_id)
    by_pred = {ec.claim.predicate: ec.claim for ec in claims if ec.claim.passage == p.index}

    def sources(claim, prop) -> set[str]:
        return {str(o) for o in g.objects(claim_iri(iris, p, claim, False), prop)}

    everything = urls_of(report, cites, "3") | urls_of(report, cites, "4-5")
    funds, builds = by_pred["funds"], by_pred["builds"]
    assert sources(funds, CKG.clauseSource) == urls_of(report, cites, "3")
    assert sources(builds, CKG.clauseSource) == urls_of(report, cites, "4-5")
    # prov:wasDerivedFrom stays the sentence's sources
    assert sources(funds, PROV.wasDerivedFrom) == everything
    assert sources(builds, PROV.wasDerivedFrom) == everything
    # a claim with no span (locatedIn here) rests on its sentence
    located = by_pred["locatedIn"]
    assert sources(located, CKG.clauseSource) == everything
    assert not list(g.objects(claim_iri(iris, p, located, False), CKG.statedInClause))
    # the clause nodes and what they cite
    clauses = list(g.subjects(CKG.clauseOf, iris.passage(p)))
    assert len(clauses) == 2
    cited = {frozenset(str(o) for o in g.objects(c, CKG.citedInClause)) for c in clauses}
    assert cited == {
        frozenset(urls_of(report, cites, "3")),
        frozenset(urls_of(report, cites, "4-5")),
    }
    # and the graph conforms to the shapes, clause shapes included
    data = Graph()
    data += g
    data += entities_graph(load_entities())
    result = validate_graph(data, report_text=report.text)
    assert result.conforms, [r.message for r in result.results if r.severity == "Violation"][:3]


def test_every_claim_states_its_clause_sources_even_without_a_span(bundled):
    report, cites = bundled
    extraction = extract(report, cites, Linker(load_entities()))
    g = report_graph(report, cites, read_meta(BUNDLED), extraction)
    for claim in g.subjects(PROV.wasDerivedFrom, None):
        assert set(g.objects(claim, CKG.clauseSource)) == set(g.objects(claim, PROV.wasDerivedFrom))
    assert isinstance(next(g.subjects(CKG.clauseSource, None)), URIRef)
