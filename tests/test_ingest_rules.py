"""The parser's named rules that tests/test_report_rules.py does not pin on a fixture report: one
small test each, on invented text (issue 14: each rule a named function, each with its test)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from chipkg.errors import ChipkgError
from chipkg.ingest.markers import digit_splits, readings
from chipkg.ingest.paragraphs import continued_lines, heading_l3_number
from chipkg.ingest.passages import sentence_spans
from chipkg.ingest.publishers import load_publishers, publisher_for
from chipkg.ingest.report import parse_text
from chipkg.ingest.text import split_lines
from chipkg.ingest.urls import normalise_url, split_urls

HEADER = ["domain,kind,publisher_en,publisher_zh,country"]


def parse(*lines: str):
    return parse_text("\n".join(lines) + "\n", Path("rules.txt"), "rules")


def kinds(report) -> list[tuple[str, int]]:
    return [(f.kind, f.line) for f in report.findings]


def test_a_url_printed_again_below_the_block_is_an_echo_and_a_new_one_is_stray():
    report = parse(
        " 测试报告",
        "",
        "某机构发布报告介绍了半导体产业的最新发展情况1。",
        "",
        "1 https://example.gov/a",
        "",
        "https://example.gov/a",
        "https://example.gov/b",
    )
    assert [e.url for e in report.pages[0].echoes] == [
        "https://example.gov/a",
        "https://example.gov/b",
    ]
    assert len(report.footnotes) == 1
    # the first is footnote 1 printed again; the second is in no footnote of the page
    assert ("stray-url", 7) not in kinds(report)
    assert ("stray-url", 8) in kinds(report)


def test_a_footnote_with_nothing_after_its_number_is_reported_empty():
    report = parse(
        " 测试报告", "", "某机构发布报告1，另一机构跟进2。", "", "1", "2 https://example.gov/b"
    )
    assert ("empty-footnote", 5) in kinds(report)
    assert report.footnotes[0].urls == ()


def test_an_impossible_date_in_an_article_lead_is_reported_not_used():
    report = parse(
        " 测试报告",
        "",
        "一、测试章节",
        "",
        "某机构发布报告介绍了半导体产业的最新发展情况，各国政府持续加",
        "",
        "大投入1。",
        "",
        "新文章标题",
        "",
        "据官网 2024年 13月 45日报道，某公司宣布投资建设新工厂。",
        "",
        "1 https://example.gov/a",
    )
    assert report.articles[1].title == "新文章标题"
    assert report.articles[1].date is None
    assert ("bad-date", 11) in kinds(report)


def _article_lead_report(lead: str, *before_title: str):
    return parse(
        " 测试报告",
        "",
        "一、测试章节",
        "",
        "某机构发布报告介绍了半导体产业的最新发展情况，各国政府持续加",
        "",
        "大投入1。",
        "",
        *before_title,
        "某公司扩建晶圆厂的新进展",
        "",
        lead,
        "",
        "该公司表示，新产线将于明年投产。",
        "",
        "1 https://example.gov/a",
    )


@pytest.mark.parametrize(
    ("lead", "when"),
    [
        ("据某科技网站 2024年 3月 5日报道，某公司宣布扩建其晶圆厂。", date(2024, 3, 5)),
        ("据某科技网站报道，2024年 3月 5日，某公司宣布扩建其晶圆厂。", date(2024, 3, 5)),
        ("据路透社消息，某公司宣布扩建其晶圆厂。", None),
        ("2024年 3月 5日，某公司宣布扩建其晶圆厂。", date(2024, 3, 5)),
    ],
)
def test_an_article_starts_at_a_title_before_a_lead_that_names_its_date_or_source(lead, when):
    for rubric in ((), ("产业洞察", "")):
        report = _article_lead_report(lead, *rubric)
        assert [a.title for a in report.articles] == ["测试报告", "某公司扩建晶圆厂的新进展"]
        assert report.articles[1].date == when
        assert report.articles[1].rubric == ("产业洞察" if rubric else "")


def test_a_paragraph_that_only_cites_figures_is_no_article_lead():
    report = _article_lead_report("据统计，某公司去年扩建了两座晶圆厂。")
    assert [a.title for a in report.articles] == ["测试报告"]


@pytest.mark.parametrize(
    ("line", "number"),
    [("3.标题", 3), ("2.3D晶体管技术", 2), ("8.25亿美元用于研发", None), ("12. 强化管制", 12)],
)
def test_a_level_three_heading_number_is_not_a_decimal(line, number):
    assert heading_l3_number(line) == number


def test_a_table_after_its_caption_is_one_paragraph_split_at_bullets():
    report = parse(
        " 测试报告",
        "",
        "一、测试章节",
        "",
        "各国政府持续加大投入1。",
        "",
        "表 1 各国补贴",
        "",
        "• 美国 390亿美元 • 欧盟 430亿欧元",
        "",
        "1 https://example.gov/a",
    )
    table = [p for p in report.passages if p.kind == "table"]
    assert [p.text for p in table] == ["• 美国 390亿美元", "• 欧盟 430亿欧元"]
    assert [p.kind for p in report.paragraphs] == ["title", "heading", "body", "caption", "table"]


def test_a_numbered_list_item_after_a_finished_line_starts_a_paragraph():
    report = parse(
        " 测试报告",
        "",
        "一、测试章节",
        "",
        "各国政府持续加大投入，目标包括：",
        "",
        "（1）培训更多工程师1。",
        "",
        "1 https://example.gov/a",
    )
    assert [p.kind for p in report.paragraphs] == ["title", "heading", "body", "body"]
    assert report.passages[-1].text == "（1）培训更多工程师。"


def test_a_wrapped_block_does_not_continue_across_a_page_break():
    # lines 3-4 are printed with no blank line between them: one block (a wrapped title); line 6
    # follows line 5 directly only because page 1 has no footnotes and page 2 starts there
    lines = split_lines("标题\n\n长标题的第一行\n长标题的第二行\n\n第一页最后一行\n 第二页第一行\n")
    body = [ln for ln in lines if ln.stripped]
    assert continued_lines(body, page_start_lines={7}) == {4}


def test_sentences_split_after_their_closing_quotes_and_brackets():
    s = "他说“投资。”随后（补贴。）最后"
    assert [s[a:b] for a, b in sentence_spans(s, "body")] == [
        "他说“投资。”",
        "随后（补贴。）",
        "最后",
    ]
    assert sentence_spans("标题。不拆", "title") == [(0, 5)]


def test_marker_readings_increase_and_stay_within_the_page():
    assert digit_splits("23", 5) == [(2, 3)]
    assert digit_splits("123", 12) == [(1, 2, 3)]  # 23 and 123 are past the page's footnotes
    assert digit_splits("123", 23) == [(1, 2, 3), (1, 23)]
    assert digit_splits("10", 12) == [(10,)]
    assert readings("4-5", 5) == [(4, 5)]
    assert readings("4-5", 4) == []  # the page has no footnote 5
    assert readings("21", 1) == []


def test_urls_are_normalised_to_iris():
    assert normalise_url("HTTPS://Example.GOV:443/A?b=1") == "https://example.gov/A?b=1"
    assert normalise_url("http://example.gov:8080") == "http://example.gov:8080/"
    assert normalise_url("https://example.gov/a b|c") == "https://example.gov/a%20b%7Cc"


def test_a_footnote_splits_into_urls_and_note_and_a_broken_url_is_fatal():
    urls, note = split_urls("https://a.gov/x; https://b.com/y 见第3页", line=4)
    assert urls == ["https://a.gov/x", "https://b.com/y"] and note == "见第3页"
    with pytest.raises(ChipkgError, match="no host name") as info:
        split_urls("https:///nohost", line=9)
    assert info.value.line == 9


def test_the_most_specific_publisher_row_wins():
    assert publisher_for("commerce.gov").domain == "commerce.gov"
    assert publisher_for("www.bis.commerce.gov").domain in ("commerce.gov", "bis.commerce.gov")
    assert publisher_for("nasa.gov").domain == ".gov"
    assert publisher_for("unknown.example") is None


@pytest.mark.parametrize(
    ("row", "line", "what"),
    [
        ("example.org,ministry,Example,例子,", 3, "unknown publisher kind 'ministry'"),
        ("example.gov,government,Example,例子,", 3, "listed twice"),
        ("http://x.gov,government,Example,例子,", 3, "is not a domain"),
        ("example.org,media,,例子,", 3, "has no publisher_en"),
        ("example.org,media,Example,例子,United States", 3, "is not an entity id"),
    ],
)
def test_a_bad_publisher_row_is_one_error_with_file_and_line(tmp_path, row, line, what):
    path = tmp_path / "publishers.csv"
    path.write_text("\n".join([*HEADER, "example.gov,government,Example,例子,", row]) + "\n")
    with pytest.raises(ChipkgError, match=what) as info:
        load_publishers(path)
    assert str(info.value).startswith(f"{path}:{line}: ")


def test_a_publisher_table_with_the_wrong_columns_is_refused(tmp_path):
    path = tmp_path / "publishers.csv"
    path.write_text("domain,kind\nexample.gov,government\n")
    with pytest.raises(ChipkgError, match="unexpected header") as info:
        load_publishers(path)
    assert info.value.line == 1
