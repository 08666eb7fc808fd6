"""Citation styles (issue 16): footnotes numbered per page or through the report, bracketed
endnotes in reference lists, a report that mixes them; style detected, or set by the sidecar;
bad input reported with its line, the rest built; dev-2 and dev-3 against their citation keys."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF

from chipkg.cli import cli
from chipkg.errors import ChipkgError
from chipkg.graph.build import report_graph
from chipkg.graph.vocab import CKG, PROV
from chipkg.ingest import accuracy
from chipkg.ingest.citations import resolve
from chipkg.ingest.endnotes import bracket_numbers
from chipkg.ingest.inputs import read_meta
from chipkg.ingest.report import parse_report
from tests.conftest import FIXTURES, HERE, parse_fixture

DEV = HERE / "fixtures" / "dev"


def cited(report, cites, prefix: str) -> tuple[str | None, set]:
    """The level and the sources (URLs, or "note N" for a note with no URL) of the passage that
    starts with ``prefix``."""
    p = next(p for p in report.passages if p.text.startswith(prefix))
    return cites.level_of(p.index), {
        s.source or f"note {s.footnote.number}" for s in cites.for_passage(p.index)
    }


def warnings(report, cites) -> list[tuple[str, int]]:
    return [
        (f.kind, f.line)
        for f in list(report.findings) + list(cites.findings)
        if f.severity == "warning"
    ]


def test_footnotes_numbered_per_page_are_the_bundled_style():
    report, _ = parse_fixture("marker_rules.txt")
    assert report.citation_styles == ("page-footnotes",)


def test_footnotes_numbered_through_the_report():
    report, cites = parse_fixture("continuous_footnotes.txt")
    assert report.citation_styles == ("continuous-footnotes",)
    assert [(f.page, f.number) for f in report.footnotes] == [
        (1, 1), (1, 2), (1, 3), (2, 4), (2, 5), (2, 6), (3, 7)
    ]  # fmt: skip
    assert cited(report, cites, "该中心将于") == (
        "sentence",
        {"https://www.example.com/press/packaging-center-2026"},
    )
    assert cited(report, cites, "说明性脚注") == ("sentence", {"note 3"})  # a note, no URL
    assert cited(report, cites, "该项目预计") == (
        "sentence",
        {"https://www.example.com/news/fab9-2027", "https://www.example.org/report/fab9-capacity"},
    )
    # a sentence across the page break: its marker (page 3) cites the footnote of page 3
    across = next(p for p in report.passages if p.text.startswith("据媒体报道"))
    assert across.page == 2 and [m.page for m in across.markers] == [3]
    assert cited(report, cites, "据媒体报道") == (
        "sentence",
        {"https://www.example.com/news/ipo-rd-center"},
    )
    assert "Fab 9项目" in report.passages[6].text  # "9" is part of a name, not a marker
    assert warnings(report, cites) == []


def test_bracketed_endnotes_with_ranges_lists_titles_and_no_url():
    report, cites = parse_fixture("endnotes.txt")
    assert report.citation_styles == ("endnotes",)
    assert [rl.heading for rl in report.reference_lists] == ["参考文献", "References"]
    assert [m.printed for m in report.markers] == ["[1]", "[2-3]", "[4][5]", "[6,7]", "[8]-[10]"]
    assert [m.numbers for m in report.markers][1:] == [(2, 3), (4, 5), (6, 7), (8, 9, 10)]
    notes = {f.number: f for f in report.footnotes}
    assert notes[1].note == "某国财政部. Support Package for Chip Industry to be Implemented."
    assert notes[3].urls == (
        "https://www.example.org/analysis/loan-program",
        "https://www.example.net/loan-program-2",  # wrapped over two lines
    )
    assert notes[4].urls == () and notes[4].note == "某研究院. 《半导体产业发展报告》，2024年。"
    assert notes[8].note == ("Example News. Company breaks ground on its first fab in the cluster.")
    assert cited(report, cites, "扩大半导体生态系统") == (
        "sentence",
        {"note 4", "https://www.example.com/news/ecosystem-fund"},
    )
    assert cited(report, cites, "该晶圆厂计划") == (
        "lead",
        {
            "https://www.example.com/news/first-fab",
            "https://www.example.org/news/first-fab-2027",
            "https://www.example.net/analysis/first-fab",
        },
    )
    # the reference lists are not body text
    assert not any("example" in p.text for p in report.passages)
    assert warnings(report, cites) == []


def test_each_marker_reads_the_first_list_after_it_when_lists_restart_at_one():
    report, cites = parse_fixture("endnotes_restart.txt")
    assert cited(report, cites, "据官网") == (
        "sentence",
        {"https://www.example.gov/news/support-package"},
    )
    assert cited(report, cites, "据媒体") == (
        "sentence",
        {"https://www.example.com/news/first-fab"},
    )
    assert warnings(report, cites) == []


def test_a_report_that_mixes_footnotes_and_endnotes_reads_both_and_says_so():
    report, cites = parse_fixture("mixed_styles.txt")
    assert report.citation_styles == ("page-footnotes", "endnotes")
    assert cited(report, cites, "商务部") == (
        "sentence",
        {"https://www.example.gov/news/packaging"},
    )
    assert cited(report, cites, "另一家研究机构") == (
        "sentence",
        {"https://www.example.org/report/packaging-market"},
    )
    assert [(f.kind, f.line) for f in report.findings] == [("mixed-citation-styles", 14)]


@pytest.mark.parametrize(
    ("printed", "numbers"),
    [
        ("[3]", (3,)),
        ("[3-5]", (3, 4, 5)),
        ("[3]-[5]", (3, 4, 5)),
        ("[3,4]", (3, 4)),
        ("[3、4]", (3, 4)),
        ("[13][14]", (13, 14)),
        ("［7］", (7,)),
    ],
)
def test_bracketed_marker_numbers(printed, numbers):
    assert bracket_numbers(printed) == numbers


def test_bad_endnotes_are_findings_with_lines_and_the_rest_is_built():
    report, cites = parse_fixture("endnotes_bad.txt")
    kinds = {(f.kind, f.line) for f in list(report.findings) + list(cites.findings)}
    # a marker [12] where the list has 11 entries
    assert ("dangling-marker", 11) in kinds
    message = next(f.message for f in report.findings if f.kind == "dangling-marker")
    assert "[12]" in message and "11 entries" in message
    # an entry whose URL is broken (htps:/…): kept as a printed reference
    assert ("broken-url", 18) in kinds
    assert {f.number: f for f in report.footnotes}[2].urls == ()
    # a list that runs into text: the text is body again, its marker resolves
    assert ("list-runs-into-text", 28) in kinds
    assert cited(report, cites, "据媒体") == (
        "sentence",
        {"https://www.example.com/news/first-fab"},
    )
    assert cited(report, cites, "据官网") == (
        "sentence",
        {"https://www.example.gov/news/support-package"},
    )


def test_a_broken_url_in_a_reference_entry_does_not_stop_the_build(tmp_path):
    project = tmp_path / "p"
    (project / "graph" / "sources").mkdir(parents=True)
    shutil.copy(FIXTURES / "endnotes_bad.txt", project / "graph" / "sources")
    result = CliRunner().invoke(cli, ["--project", str(project), "build"])
    assert result.exit_code == 0, result.output
    assert "endnotes_bad.txt:18:" in result.output and "htps:/" in result.output


def test_the_graph_states_the_style_and_a_printed_source(tmp_path):
    report, cites = parse_fixture("endnotes.txt")
    g = report_graph(report, cites, read_meta(FIXTURES / "endnotes.txt"))
    rep = URIRef("https://w3id.org/chipkg/id/report/endnotes")
    assert set(g.objects(rep, CKG.citationStyle)) == {CKG.Endnotes}
    printed = list(g.subjects(RDF.type, CKG.PrintedSource))
    assert len(printed) == 1
    assert g.value(printed[0], DCTERMS.title) == Literal(
        "某研究院. 《半导体产业发展报告》，2024年。"
    )
    assert (None, CKG.cites, printed[0]) in g
    # the passage that cites it: a citation whose entity is the printed source
    assert any(g.triples((None, PROV.entity, printed[0])))
    assert len(list(g.subjects(RDF.type, CKG.Endnote))) == 10


def test_the_sidecar_forces_a_style(tmp_path):
    # one page of footnotes reads as per-page footnotes unless the sidecar says otherwise
    src = FIXTURES / "marker_rules.txt"
    path = tmp_path / "forced.txt"
    shutil.copy(src, path)
    assert parse_report(path).style_forced is False
    path.with_name("forced.meta.toml").write_text(
        'title = "t"\ncitation_style = "continuous-footnotes"\n'
    )
    report = parse_report(path)
    assert report.citation_styles == ("continuous-footnotes",) and report.style_forced
    assert len(report.footnotes) == len(parse_report(src).footnotes)


def test_an_unknown_style_in_the_sidecar_is_one_error_with_its_line(tmp_path):
    path = tmp_path / "bad.txt"
    shutil.copy(FIXTURES / "marker_rules.txt", path)
    path.with_name("bad.meta.toml").write_text('title = "t"\n\ncitation_style = "footnotes"\n')
    with pytest.raises(ChipkgError, match="unknown citation_style 'footnotes'") as info:
        parse_report(path)
    assert str(info.value).startswith(f"{path.with_name('bad.meta.toml')}:3: ")


# ---------------------------------------------------------------------------------------------
# dev-2 (continuous footnotes) and dev-3 (endnotes) against their citation keys
# ---------------------------------------------------------------------------------------------


BLIND = HERE / "fixtures" / "blind"


@pytest.mark.parametrize(
    ("folder", "name", "style"),
    [
        (DEV, "dev2", "continuous-footnotes"),
        (DEV, "dev3", "endnotes"),
        # written outside the project (tests/fixtures/blind/README.md)
        (BLIND, "blind-a", "page-footnotes"),
        (BLIND, "blind-c", "continuous-footnotes"),
        (BLIND, "blind-d", "page-footnotes"),
        (BLIND, "blind-g", "page-footnotes"),
        (BLIND, "blind-h", "endnotes"),
        (BLIND, "blind-j", "page-footnotes"),
        (BLIND, "blind-k", "endnotes"),
        (BLIND, "blind-l", "page-footnotes"),
        (BLIND, "blind-m", "continuous-footnotes"),
        (BLIND, "blind-n", "endnotes"),
        (BLIND, "blind-o", "continuous-footnotes"),
        (BLIND, "blind-p", "endnotes"),
        (BLIND, "blind-q", "page-footnotes"),
        (BLIND, "blind-r", "endnotes"),
        (BLIND, "blind-s", "continuous-footnotes"),
        (BLIND, "blind-t", "page-footnotes"),
        (BLIND, "blind-u", "page-footnotes"),
        (BLIND, "blind-v", "endnotes"),
    ],
)
def test_reports_cite_exactly_as_their_keys_say(folder, name, style):
    """Every printed note on the sentence its key names, nothing extra, the style detected."""
    report = parse_report(folder / f"{name}-report.txt")
    cites = resolve(report)
    key = accuracy.read_key(folder / f"{name}-citations.jsonl")
    result = accuracy.score(report, cites, key)
    assert report.citation_styles == (style,)
    assert (result.right, result.notes, result.extras) == (len(key), len(key), [])
    assert len(report.footnotes) == len(key)
    assert not [m for m in report.markers if m.dangling]
    assert not [f for f in cites.findings if f.kind == "orphan-footnote"]


def test_dev3_endnote_titles_are_the_printed_titles():
    report = parse_report(DEV / "dev3-report.txt")
    lines = (DEV / "dev3-citations.jsonl").read_text(encoding="utf-8").splitlines()
    titles = {d["note"]: d["title"] for d in map(json.loads, lines) if "title" in d}
    notes = {f.number: f.note for f in report.footnotes}
    assert titles and all(notes[n] == t for n, t in titles.items())


def test_eval_citations_command_scores_a_report_and_fails_on_a_wrong_key(tmp_path):
    runner = CliRunner()
    ok = runner.invoke(
        cli,
        [
            "eval-citations",
            str(DEV / "dev2-report.txt"),
            "--gold",
            str(DEV / "dev2-citations.jsonl"),
        ],
    )
    assert ok.exit_code == 0, ok.output
    assert "citation accuracy 20/20 notes (100.0 %), 0 extra" in ok.output
    # a key that moves note 2 to another sentence: one miss, one extra, exit 1
    lines = (DEV / "dev2-citations.jsonl").read_text(encoding="utf-8").splitlines()
    moved = json.loads(lines[1])
    moved["marker_sentence"] = json.loads(lines[2])["marker_sentence"]
    wrong = tmp_path / "wrong.jsonl"
    wrong.write_text("\n".join([lines[0], json.dumps(moved, ensure_ascii=False), *lines[2:]]))
    bad = runner.invoke(
        cli,
        ["eval-citations", str(DEV / "dev2-report.txt"), "--gold", str(wrong), "--format", "json"],
    )
    assert bad.exit_code == 1
    data = json.loads(bad.output)
    assert (data["right"], data["notes"], len(data["extras"])) == (19, 20, 1)
    assert data["misses"][0]["note"] == 2


def test_eval_citations_refuses_a_broken_key_with_its_line(tmp_path):
    key = tmp_path / "key.jsonl"
    key.write_text('{"note": 1, "page": 1, "urls": [], "marker_sentence": "x"}\n{"note": 2}\n')
    result = CliRunner().invoke(
        cli, ["eval-citations", str(DEV / "dev2-report.txt"), "--gold", str(key)]
    )
    assert result.exit_code == 2
    assert f"{key}:2: not a citation key line" in result.output


def test_the_build_summary_shows_each_reports_style(tmp_path):
    project = tmp_path / "p"
    (project / "graph" / "sources").mkdir(parents=True)
    for f in (DEV / "dev3-report.txt", FIXTURES / "continuous_footnotes.txt"):
        shutil.copy(f, project / "graph" / "sources")
    result = CliRunner().invoke(cli, ["--project", str(project), "build", "--no-validate"])
    assert result.exit_code == 0, result.output
    assert "citation style of dev3-report: endnotes (detected)" in result.output
    assert (
        "citation style of continuous_footnotes: continuous-footnotes (detected)" in result.output
    )
    manifest = json.loads((project / "graph" / "build" / "manifest.json").read_text())
    assert manifest["dev3-report"]["citation_style"] == ["endnotes"]
