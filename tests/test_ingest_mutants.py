"""Report parsing and citations: what mutation testing (issue 21, `make mutate MODULE=ingest`)
found no fast test asserting — the error a report without notes gets, the warnings for notes no
marker cites, the report id and path a parsed report keeps, markers made without the parser's
note keys (the synthetic benchmark reports), a dangling marker before live ones, and the sources
of a clause with their passage, level and marker."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from chipkg.errors import ChipkgError
from chipkg.ingest.citations import CLAUSE, resolve
from chipkg.ingest.publishers import Publisher, PublisherTable
from chipkg.ingest.report import parse_report, parse_text
from tests.conftest import BUNDLED, FIXTURES

HEAD = [" 测试报告", "", "一、测试章节", ""]


def test_a_report_without_notes_is_one_error_on_its_first_line():
    path = FIXTURES / "no_footnotes.txt"
    with pytest.raises(ChipkgError) as err:
        parse_report(path)
    assert str(err.value) == (
        f"{path}:1: no footnotes found: expected numbered footnotes ('1 https://…') at the end "
        "of pages, or a reference list ('参考文献' then '[1] …') — is this an analyst report "
        "with footnotes or endnotes?"
    )


def test_a_report_without_notes_in_its_forced_style_says_the_sidecar_forced_it():
    """The sidecar forces endnotes on a report printed with footnotes: the error names the style
    the sidecar forced, so the user knows where to look."""
    path = FIXTURES / "dangling_and_orphan.txt"
    with pytest.raises(ChipkgError) as err:
        parse_report(path, style="endnotes")
    assert str(err.value) == (
        f"{path}:1: no footnotes found: expected numbered footnotes ('1 https://…') at the end "
        "of pages, or a reference list ('参考文献' then '[1] …') (the sidecar forces "
        "citation_style = 'endnotes') — is this an analyst report with footnotes or endnotes?"
    )


def test_a_parsed_report_keeps_its_path_and_id(tmp_path: Path):
    source = FIXTURES / "dangling_and_orphan.txt"
    path = tmp_path / "某报告-2025.txt"
    path.write_bytes(source.read_bytes())
    report = parse_report(path)
    assert (report.path, report.report_id) == (path, "某报告-2025")  # the file's stem by default
    named = parse_report(path, report_id="chosen-id")
    assert (named.path, named.report_id) == (path, "chosen-id")


def test_notes_no_marker_cites_are_warned_about_with_their_place():
    report, cites = _parsed(FIXTURES / "dangling_and_orphan.txt")
    orphans = [
        (f.severity, f.line, f.page, f.message)
        for f in cites.findings
        if f.kind == "orphan-footnote"
    ]
    assert orphans == [("warning", 10, 1, "footnote 2 on page 1 is cited by no marker")]
    text = "\n".join(
        [
            *HEAD,
            "某国政府宣布推出半导体产业综合支持方案[1]。",
            "",
            "参考文献",
            "",
            "[1] https://www.example.com/news/support-package",
            "[2] https://www.example.com/news/never-cited",
            "",
        ]
    )
    report = parse_text(text, Path("endnotes.txt"), "endnotes")
    cites = resolve(report)
    orphans = [
        (f.severity, f.line, f.page, f.message)
        for f in cites.findings
        if f.kind == "orphan-footnote"
    ]
    assert orphans == [
        ("warning", 10, 1, "note [2] of the reference list at line 7 is cited by no marker")
    ]


def _parsed(path: Path):
    report = parse_report(path)
    return report, resolve(report)


def _bundled():
    """The bundled report parsed and resolved in the test itself, not taken from the session
    fixture: mutmut runs a mutant against the tests it saw call the mutated function, and a
    fixture built once is seen calling it only in the first test that used it."""
    return _parsed(BUNDLED)


def test_a_dangling_marker_before_a_live_one_does_not_hide_it():
    text = "\n".join(
        [
            *HEAD,
            "欧盟投入资金支持量子重力仪研究及跨国协作项目3。",
            "",
            "欧盟通过芯片联合执行体投资支持光子集成电路试验生产线建设1。",
            "",
            "1 https://www.example.eu/news/photonics-pilot-line",
            "",
        ]
    )
    report = parse_text(text, Path("dangling-first.txt"), "dangling-first")
    assert [(m.printed, m.dangling) for m in report.markers] == [("3", True), ("1", False)]
    cites = resolve(report)
    assert [(m.printed, [f.number for f in fns]) for m, fns in cites.marker_footnotes] == [
        ("1", [1])
    ]
    assert not [f for f in cites.findings if f.kind == "orphan-footnote"]


def _without_refs(report):
    """The report as the synthetic benchmark makes it: markers that carry their printed numbers
    but not the keys of the notes the parser resolved them to."""
    bare = {m: replace(m, refs=()) for m in report.markers}
    passages = tuple(
        replace(p, markers=tuple(bare.get(m, m) for m in p.markers)) for p in report.passages
    )
    return replace(report, markers=tuple(bare.values()), passages=passages)


def test_markers_without_note_keys_are_read_against_their_pages_footnotes():
    report, cites = _bundled()
    bare = resolve(_without_refs(report))
    assert [(m.start, fns) for m, fns in bare.marker_footnotes] == [
        (m.start, fns) for m, fns in cites.marker_footnotes
    ]
    assert [(s.passage, s.source, s.level) for s in bare.supports] == [
        (s.passage, s.source, s.level) for s in cites.supports
    ]
    assert not [f for f in bare.findings if f.kind in ("dangling-marker", "orphan-footnote")]


def test_a_clause_rests_on_its_closing_markers_notes_at_clause_level():
    report, cites = _bundled()
    split = [c for c in cites.clauses if c.markers]
    assert split
    fns = dict(cites.marker_footnotes)
    for clause in split:
        supports = cites.clause_supports(clause)
        expected = [
            (clause.passage, f, mk) for mk in clause.markers for f in fns[mk] for _ in f.urls or [0]
        ]
        assert [(s.passage, s.footnote, s.marker) for s in supports] == expected
        assert {s.level for s in supports} == {CLAUSE}


def test_a_clause_closed_only_by_a_dangling_marker_rests_on_nothing():
    report, cites = _bundled()
    clause = next(c for c in cites.clauses if c.markers)
    dangling = replace(clause.markers[0], dangling=True, refs=())
    assert cites.clause_supports(replace(clause, markers=(dangling,))) == []


def test_a_claim_whose_span_ends_on_a_clauses_first_character_rests_on_that_clause():
    """clause_at reads the clause where the span ends: its last character, span[1] - 1."""
    report, cites = _bundled()
    passage = next(i for i in {c.passage for c in cites.clauses} if len(cites.clauses_of(i)) > 1)
    first, second = cites.clauses_of(passage)[:2]
    assert cites.clause_at(passage, (first.start, second.start + 1)) == second
    assert cites.clause_at(passage, (first.start, second.start)) == first
    assert cites.clause_at(passage, None) is None


def test_every_cited_url_is_a_source_with_its_publisher_and_unknown_domains_are_named_once():
    """Sources: every URL of every note (cited or not), its domain, the publisher the table
    gives (kind "other" and an info finding at the first note naming it when none does)."""
    _report, cites = _parsed(FIXTURES / "endnotes.txt")
    table = [(s.iri, s.domain, s.kind, s.publisher and s.publisher.name_en) for s in cites.sources]
    assert table[:3] == [
        (
            "https://english.example.go.kr/pc/press/5873",
            "english.example.go.kr",
            "government",
            "Korean government",
        ),
        ("https://www.example.com/news/cluster-power", "example.com", "other", None),
        ("https://www.example.com/news/cluster-roads", "example.com", "other", None),
    ]
    assert [(f.line, f.severity, f.message) for f in cites.findings if f.kind == "unknown-publisher"] == [
        (line, "info", f"domain {dom} is not in the publisher table: publisher kind 'other' — "
         "add a row to the workspace's publishers.csv to classify it")
        for line, dom in [(23, "example.com"), (24, "example.net"), (24, "example.org")]
    ]  # fmt: skip


def test_a_note_no_marker_cites_still_gives_its_source_and_a_table_classifies_it():
    report, cites = _parsed(FIXTURES / "dangling_and_orphan.txt")
    urls = [
        "https://www.example.eu/news/photonics-pilot-line",
        "https://www.example.eu/news/quantum-gravimeter",  # footnote 2, cited by no marker
    ]
    assert [(s.iri, s.domain, s.kind, s.publisher) for s in cites.sources] == [
        (u, "example.eu", "other", None) for u in urls
    ]
    own = Publisher("example.eu", "company", "Example EU", "示例欧盟", "")
    classified = resolve(report, PublisherTable((own,)))
    assert [(s.iri, s.kind, s.publisher) for s in classified.sources] == [
        (u, "company", own) for u in urls
    ]
    assert not [f for f in classified.findings if f.kind == "unknown-publisher"]


def test_each_support_names_the_marker_whose_note_it_comes_from():
    report, cites = _bundled()
    fns = dict(cites.marker_footnotes)
    assert any(not s.footnote.urls for s in cites.supports)  # an explanatory note too
    for s in cites.supports:
        assert s.footnote in fns[s.marker], s


def test_a_sentence_before_a_marked_one_rests_on_its_first_marker_only():
    """Paragraph level: an unmarked sentence rests on the first marker of the next marked
    sentence of its paragraph, not on all of them."""
    text = "\n".join(
        [
            *HEAD,
            "欧盟宣布新的芯片计划。欧盟投资建设工厂1，并支持研发项目2。",
            "",
            "1 https://one.example.eu/fab",
            "2 https://two.example.eu/research",
            "",
        ]
    )
    report = parse_text(text, Path("paragraph.txt"), "paragraph")
    cites = resolve(report)
    first = next(p for p in report.passages if p.text.startswith("欧盟宣布"))
    assert [(s.level, s.source) for s in cites.for_passage(first.index)] == [
        ("paragraph", "https://one.example.eu/fab")
    ]


@pytest.mark.parametrize("name", ["endnotes.txt", "structure_articles.txt"])
def test_an_articles_rubric_and_author_line_rest_on_no_source(name):
    """The lead's sources cover the article's title, not its rubric (政策动态) nor its author
    line (（执笔：…）)."""
    report, cites = _parsed(FIXTURES / name)
    levels = {(p.kind, cites.level_of(p.index)) for p in report.passages if p.article > 0}
    assert ("rubric", None) in levels and ("author", None) in levels
    assert ("title", "lead") in levels
    assert not {lv for kind, lv in levels if kind in ("rubric", "author")} - {None}


def test_a_marker_without_note_keys_whose_number_its_page_lacks_is_a_warning():
    """The guard for markers made outside the parser (no note keys): a number with no footnote
    on the marker's page is a dangling-marker warning naming it, and cites nothing."""
    report, _cites = _parsed(FIXTURES / "dangling_and_orphan.txt")
    live = next(m for m in report.markers if not m.dangling)
    made = replace(live, refs=(), numbers=(5, 1))  # note 5 is missing, note 1 is there
    swapped = replace(
        report,
        markers=tuple(made if m == live else m for m in report.markers),
        passages=tuple(
            replace(p, markers=tuple(made if m == live else m for m in p.markers))
            for p in report.passages
        ),
    )
    cites = resolve(swapped)
    dangling = [
        (f.severity, f.line, f.page, f.message)
        for f in cites.findings
        if f.kind == "dangling-marker"
    ]
    assert dangling == [("warning", 5, 1, "marker 5 on page 1 has no footnote")]
    assert [f.number for f in dict(cites.marker_footnotes)[made]] == [1]


def test_each_articles_lead_markers_are_those_of_its_lead_paragraph():
    report, cites = _parsed(FIXTURES / "endnotes.txt")
    leads = [(art, [m.printed for m in markers]) for art, markers in cites.lead_markers]
    assert leads == [(1, ["[1]"]), (2, ["[8]-[10]"])]  # the main report (0) has no lead


def test_a_report_mixing_footnotes_and_endnotes_says_so_once_where_its_list_starts():
    report, _cites = _parsed(FIXTURES / "mixed_styles.txt")
    assert report.citation_styles == ("page-footnotes", "endnotes")
    mixed = [
        (f.severity, f.line, f.page, f.message)
        for f in report.findings
        if f.kind == "mixed-citation-styles"
    ]
    assert mixed == [
        ("info", 14, 2, "the report mixes citation styles (page-footnotes and endnotes): footnote "
         "markers are read against the footnotes of their page, bracketed markers against the "
         "reference lists")
    ]  # fmt: skip


def test_a_report_forced_to_footnotes_reads_no_reference_list():
    """The sidecar forces page footnotes: a '参考文献' list is not read as endnotes."""
    report = parse_report(FIXTURES / "mixed_styles.txt", style="page-footnotes")
    assert report.citation_styles == ("page-footnotes",) and report.style_forced
    assert report.reference_lists == ()
    assert not [f for f in report.findings if f.kind == "mixed-citation-styles"]


def test_footnotes_numbered_on_from_two_on_the_second_page_are_continuous():
    """The smallest continuation: page 1 ends with footnote 1, page 2 starts at footnote 2."""
    text = "\n".join(
        [
            *HEAD,
            "欧盟通过芯片联合执行体投资支持光子集成电路试验生产线建设1。",
            "",
            "1 https://www.example.eu/news/photonics-pilot-line",
            " 欧盟投入资金支持量子重力仪研究及跨国协作项目2。",
            "",
            "2 https://www.example.eu/news/quantum-gravimeter",
            "",
        ]
    )
    report = parse_text(text, Path("two-pages.txt"), "two-pages")
    assert report.line_count == len(text.split("\n"))
    assert [[f.number for f in p.footnotes] for p in report.pages] == [[1], [2]]
    assert report.citation_styles == ("continuous-footnotes",)


def test_problems_of_a_reference_list_reach_the_reports_findings():
    report, _cites = _parsed(FIXTURES / "endnotes_bad.txt")
    assert [(f.kind, f.line) for f in report.findings] == [
        ("dangling-marker", 11),
        ("broken-url", 18),
        ("list-runs-into-text", 28),
    ]


def test_a_number_ending_a_sentence_of_an_endnotes_report_is_no_footnote_marker():
    """Only a report with footnotes has its sentence-final digits read as footnote markers: in an
    endnotes report, 晶圆厂3。 is a count, not a dangling marker."""
    text = "\n".join(
        [
            *HEAD,
            "某国政府宣布推出半导体产业综合支持方案[1]。该国共建设晶圆厂3。",
            "",
            "参考文献",
            "",
            "[1] https://www.example.com/news/support-package",
            "",
        ]
    )
    report = parse_text(text, Path("endnotes-count.txt"), "endnotes-count")
    assert [m.printed for m in report.markers] == ["[1]"]
    assert report.findings == ()
