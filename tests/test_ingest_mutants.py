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
from chipkg.ingest.report import parse_report, parse_text
from tests.conftest import FIXTURES

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


def test_markers_without_note_keys_are_read_against_their_pages_footnotes(bundled):
    report, cites = bundled
    bare = resolve(_without_refs(report))
    assert [(m.start, fns) for m, fns in bare.marker_footnotes] == [
        (m.start, fns) for m, fns in cites.marker_footnotes
    ]
    assert [(s.passage, s.source, s.level) for s in bare.supports] == [
        (s.passage, s.source, s.level) for s in cites.supports
    ]
    assert not [f for f in bare.findings if f.kind in ("dangling-marker", "orphan-footnote")]


def test_a_clause_rests_on_its_closing_markers_notes_at_clause_level(bundled):
    report, cites = bundled
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


def test_a_clause_closed_only_by_a_dangling_marker_rests_on_nothing(bundled):
    report, cites = bundled
    clause = next(c for c in cites.clauses if c.markers)
    dangling = replace(clause.markers[0], dangling=True, refs=())
    assert cites.clause_supports(replace(clause, markers=(dangling,))) == []


def test_a_claim_whose_span_ends_on_a_clauses_first_character_rests_on_that_clause(bundled):
    """clause_at reads the clause where the span ends: its last character, span[1] - 1."""
    report, cites = bundled
    passage = next(i for i in {c.passage for c in cites.clauses} if len(cites.clauses_of(i)) > 1)
    first, second = cites.clauses_of(passage)[:2]
    assert cites.clause_at(passage, (first.start, second.start + 1)) == second
    assert cites.clause_at(passage, (first.start, second.start)) == first
    assert cites.clause_at(passage, None) is None
