"""Property-based tests for the parts with a clean inverse."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from chipkg.ingest.citations import check_url
from chipkg.ingest.report import parse_text

URL_CHARS = st.sampled_from(list("abcdefghijklmnopqrstuvwxyz0123456789-_./?=&%"))
BODY = "各国政府持续加大对半导体产业的投入力度，通过补贴与税收优惠吸引企业建设工厂1。"


@st.composite
def wrapped_url(draw):
    host = draw(st.from_regex(r"[a-z][a-z0-9]{1,12}\.(gov|com|org|eu)", fullmatch=True))
    path = draw(st.text(URL_CHARS, min_size=1, max_size=150))
    url = f"https://{host}/{path}"
    assume(check_url(url) is None)
    assume("http" not in path and "www." not in path)  # a wrapped line starting so is a new URL
    # a PDF wraps a footnote at its line width: every line but the last is full
    width = draw(st.integers(20, 110))
    first = width - 2  # "1 " precedes the URL on the first line
    lines = [url[:first]] + [url[i : i + width] for i in range(first, len(url), width)]
    number_alone = draw(st.booleans())
    return url, lines, number_alone


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(wrapped_url())
def test_a_url_wrapped_anywhere_is_rejoined_exactly(case):
    url, lines, number_alone = case
    block = ["1", "", *lines] if number_alone else [f"1 {lines[0]}", *lines[1:]]
    text = "\n".join([" 测试报告", "", "一、测试章节", "", BODY, "", *block, ""])
    report = parse_text(text, Path("prop.txt"), "prop")
    assert [f.urls for f in report.footnotes] == [(url,)]
    assert [m.numbers for m in report.markers] == [(1,)]


@given(
    st.lists(
        st.text(st.sampled_from(list("半导体产业政策技术研发供应链安全")), min_size=3, max_size=25),
        min_size=2,
        max_size=5,
    )
)
def test_wrapped_chinese_lines_join_without_spaces(chunks):
    body = "\n\n".join(chunks[:-1] + [chunks[-1] + "1。"])
    text = "\n".join([" 测试报告", "", "一、测试章节", "", body, "", "1 https://example.gov/a", ""])
    report = parse_text(text, Path("prop.txt"), "prop")
    joined = "".join(p.text for p in report.passages if p.kind == "body")
    assert joined == "".join(chunks) + "。"


def test_a_url_whose_last_wrapped_piece_is_a_number_is_not_a_new_footnote():
    # found by hypothesis: "https://a000" / "000000000.gov/" / "2"
    text = "\n".join(
        [" 测试报告", "", "一、测试章节", "", BODY, "", "1 https://a000", "000000000.gov/", "2", ""]
    )
    report = parse_text(text, Path("prop.txt"), "prop")
    assert [f.urls for f in report.footnotes] == [("https://a000000000000.gov/2",)]
