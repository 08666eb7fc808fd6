"""One test per parsing rule, each on a small fixture report named after the rule."""

from __future__ import annotations

from datetime import date

import pytest

from chipkg.ingest.report import join_gap, split_author_names
from tests.conftest import parse_fixture


def markers(report):
    return [(m.printed, m.numbers) for m in report.markers if not m.dangling]


def test_marker_single_pair_range_and_range_across_lines():
    report, cites = parse_fixture("marker_rules.txt")
    assert markers(report) == [("1", (1,)), ("23", (2, 3)), ("4-5", (4, 5)), ("6-7", (6, 7))]
    # the range broken over lines ("工厂6-" / blank / "7。") is one marker whose file span holds
    # the line break, and its passage text has no trace of it
    wrapped = report.markers[-1]
    assert "\n" in report.text[wrapped.start : wrapped.end]
    last = report.passages[-1]
    assert last.text == "意大利为意法半导体拨款用于建设碳化硅功率器件集成芯片工厂。"
    sources = {s.source for s in cites.for_passage(last.index)}
    assert sources == {"https://example.eu/news/sic-fab", "https://example.com/press/sic-fab"}
    assert not [f for f in report.findings if f.severity == "warning"]


def test_numbers_that_are_not_markers():
    report, _ = parse_fixture("numbers_not_markers.txt")
    assert markers(report) == [("1", (1,)), ("2", (2,))]
    texts = " ".join(p.text for p in report.passages)
    for kept in (
        "Ryzen-16芯片",
        "Hopper H200",
        "2nm",
        "10万片",
        "FuSe2）",
        "祖冲之 3.0”",
        "2025年",
    ):
        assert kept in texts
    notes = [f for f in report.findings if f.kind == "number-not-marker"]
    assert len(notes) == 1 and "FuSe2" in notes[0].message and notes[0].line == 9


def test_footnote_layouts():
    report, _ = parse_fixture("footnote_layouts.txt")
    fns = {f.number: f for f in report.footnotes}
    # hyphen at a line end belongs to the URL
    assert fns[1].urls == (
        "https://www.example.gov/news/press-releases/2024/07/"
        "administration-invest-16-billion-establish-and-accelerate",
    )
    # number alone on its line, URL after a blank line, wrapped mid-word ("&se" / "arch_key_n")
    assert fns[2].urls == (
        "http://english.example.go.kr/en/pc/pressreleases/bbs/bbsView.do?"
        "bbs_seq_n=1642&bbs_cd_n=2&search_key_n=&search_val_v=&cate_n=",
    )
    # two URLs in one footnote separated by "; ", the second wrapped
    assert fns[4].urls == (
        "https://news.example.com/view/20241218n29427",
        "http://bizwire.example.com/korea-considers-establishing-foundry/301233",
    )
    # an explanatory footnote with no URL is kept, and reported as info
    assert fns[5].urls == () and fns[5].note.startswith("该机构获得 390亿美元拨款")
    assert [f.kind for f in report.findings] == ["text-footnote"]
    # bare URLs after the block are echoes, not footnotes
    assert len(report.footnotes) == 5
    assert [e.url for e in report.pages[0].echoes] == list(fns[4].urls)


def test_line_wraps_join_without_space_between_chinese_and_with_one_between_latin():
    assert join_gap("围绕技", "术研发") == ""
    assert join_gap("1-alpha", "DRAM技术") == " "
    assert join_gap("与 SK", "海力士") == ""
    assert join_gap("资源优先分配4-", "5。") == ""
    report, _ = parse_fixture("marker_rules.txt")
    first = report.passages[2]
    assert first.text.startswith("各国政府持续加大对半导体产业的投入力度，通过补贴与税收优惠")
    # offsets point back into the file: the span holds the original wrap (newlines)
    assert report.text[first.start : first.end].count("\n") >= 2


def test_articles_rubric_title_date_and_authors():
    report, _ = parse_fixture("structure_articles.txt")
    titles = [a.title for a in report.articles]
    assert titles == [
        "2030年测试领域态势",
        "美国能源部宣布投资建设三个微电子科学研究中心",  # wrapped over two adjacent lines
        "荷兰将扩大先进半导体制造设备出口管制范围",
    ]
    assert [a.rubric for a in report.articles] == ["", "政策计划", "政策计划"]
    assert [a.date for a in report.articles] == [None, date(2024, 12, 23), date(2025, 1, 15)]
    assert [a.authors for a in report.articles] == [(), ("王丽", "沈湘"), ("沈湘",)]


def test_sections_nest_and_inline_numbered_headings():
    report, _ = parse_fixture("structure_articles.txt")
    secs = [(s.level, s.label, s.title) for s in report.sections]
    assert secs == [
        (1, "一、", "全球政策态势分析"),
        (2, "（一）", "美国：推动产业本土化"),
        (3, "1.", "芯片法案深入实施，推进研发与制造本土化"),
        (3, "2.", "强化出口管制"),
    ]
    by_start = {s.start: s for s in report.sections}
    assert by_start[report.sections[2].parent].label == "（一）"
    heading = next(p for p in report.passages if p.text.startswith("1.芯片法案"))
    assert heading.kind == "heading"


@pytest.mark.parametrize(
    ("raw", "known", "expected"),
    [
        ("王丽沈湘", frozenset({"沈湘"}), ("王丽", "沈湘")),
        ("于杰平沈湘", frozenset({"沈湘"}), ("于杰平", "沈湘")),
        ("于杰平王丽", frozenset({"于杰平"}), ("于杰平", "王丽")),
        ("王丽、沈湘", frozenset(), ("王丽", "沈湘")),
        ("欧阳明", frozenset(), ("欧阳明",)),
    ],
)
def test_author_names_that_run_together_are_split(raw, known, expected):
    assert split_author_names(raw, known) == expected


def test_sentence_across_page_break_uses_its_own_pages_footnotes():
    report, cites = parse_fixture("sentence_across_page.txt")
    across = next(p for p in report.passages if p.text.startswith("中国则在混合键合"))
    assert across.text == (
        "中国则在混合键合和三维堆叠领域持续投入，希望在降低制造成本与提升器件性能两个方面同时发力，"
        "力求在成本与性能平衡方面获得突破。"
    )
    assert across.page == 1
    assert [m.page for m in across.markers] == [2]
    assert {s.source for s in cites.for_passage(across.index)} == {
        "https://www.example.org/analysis/hybrid-bonding"
    }
    assert cites.level_of(across.index) == "sentence"
    # the file span runs over the footnote block of page 1: exact text is as printed
    assert (
        "1 https://www.example.org/analysis/heterogeneous-integration"
        in (report.text[across.start : across.end])
    )


def test_citation_scope_sentence_paragraph_and_lead_are_kept_apart():
    report, cites = parse_fixture("citation_scope.txt")

    def level(prefix: str):
        p = next(p for p in report.passages if p.text.startswith(prefix))
        return cites.level_of(p.index), {s.source for s in cites.for_passage(p.index)}

    # a fact stated before the comment that carries the marker: paragraph scope
    assert level("某存储企业发布全球首款") == (
        "paragraph",
        {"https://news.example.com/first-300-layer-nand"},
    )
    assert level("这一成果奠定了") == (
        "sentence",
        {"https://news.example.com/first-300-layer-nand"},
    )
    # after the last marker of a paragraph in the main report: nothing covers it
    assert level("该企业还将在海外") == (None, set())
    # the scope stops at the paragraph start
    assert level("另一家企业宣布") == (
        "paragraph",
        {"https://news.example.com/packaging-expansion"},
    )
    # an article that summarises one document: its lead source covers the rest of the article
    pdf = {"https://www.example.gov/documents/two-years-later.pdf"}
    assert level("2025年 1月 10日") == ("sentence", pdf)
    assert level("在可分配的资金中") == ("lead", pdf)
    assert level("（执笔") == (None, set())


def test_dangling_markers_and_orphan_footnotes_are_reported_not_dropped():
    report, cites = parse_fixture("dangling_and_orphan.txt")
    dangling = [m for m in report.markers if m.dangling]
    assert [(m.printed, m.line) for m in dangling] == [("3", 7)]
    kinds = {(f.kind, f.line) for f in list(report.findings) + list(cites.findings)}
    assert ("dangling-marker", 7) in kinds
    assert ("orphan-footnote", 10) in kinds
    # the dangling marker is still removed from the display text
    assert report.passages[-1].text == "欧盟投入资金支持量子重力仪研究及跨国协作项目。"
