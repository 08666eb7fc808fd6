"""Amounts as reports write them, each way a mutant of extract/amounts.py once got through
(issue 21): thousands separators, every unit, Chinese numerals with every small unit, where an
amount starts and ends, a stated conversion and what follows it, dates of each precision and part,
target years and durations in each unit. Values were worked out by hand from the text."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chipkg.errors import ChipkgError
from chipkg.extract.amounts import (
    Money,
    _alternatives,
    cn_number,
    currencies,
    find_dates,
    find_durations,
    find_money,
    find_target_years,
    load_currencies,
    load_qualifiers,
    qualifiers,
    to_cn_number,
)


def one(text: str) -> Money:
    [m] = find_money(text)
    return m


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("获得 1,500万美元资助", "15000000"),  # the seeded bug: the separator branch dropped
        ("共 12,000,000美元", "12000000"),
        ("拨款 2,500亿美元", "250000000000"),
        ("投入 1,000千美元", "1000000"),
    ],
)
def test_thousands_separators(text, value):
    m = one(text)
    assert (m.value, m.currency) == (Decimal(value), "USD")


def test_a_comma_that_does_not_group_thousands_is_no_amount():
    # "1,50" is neither 1 500 nor 1.50: rather nothing than a wrong figure
    assert find_money("获得 1,50万美元") == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("3万亿韩元", "3000000000000"),
        ("3亿韩元", "300000000"),
        ("3万韩元", "30000"),
        ("3千韩元", "3000"),
        ("3韩元", "3"),
        ("2.5万亿韩元", "2500000000000"),
        ("0.5亿韩元", "50000000"),
        ("1.25万韩元", "12500"),
        ("0.5韩元", "0.5"),
        ("12.30韩元", "12.3"),  # normalised: no trailing zero
    ],
)
def test_every_unit(text, value):
    m = one(text)
    assert m.value == Decimal(value)
    assert str(m.value) == value  # integers as integers, decimals without trailing zeros


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("十亿日元", "1000000000"),
        ("一百亿日元", "10000000000"),
        ("三千万日元", "30000000"),
        ("两千亿日元", "200000000000"),
        ("一百零五万日元", "1050000"),
        ("二十三亿日元", "2300000000"),
    ],
)
def test_chinese_numerals_with_units(text, value):
    assert one(text).value == Decimal(value)


@pytest.mark.parametrize(
    ("s", "n"),
    [("十", 10), ("十二", 12), ("二十", 20), ("一百零五", 105), ("两千", 2000), ("〇", 0)],
)
def test_chinese_numerals(s, n):
    assert cn_number(s) == n


def test_not_a_number_is_an_error():
    with pytest.raises(ValueError, match="not a number: 十x"):
        cn_number("十x")


@given(st.integers(1, 9999))
def test_numerals_written_out_read_back(n):
    assert to_cn_number(n) != "" and cn_number(to_cn_number(n)) == n
    assert to_cn_number(0) == "零"


@pytest.mark.parametrize(
    ("n", "text"),
    [(10, "十"), (15, "十五"), (105, "一百零五"), (1001, "一千零一"), (2020, "二千零二十")],
)
def test_numerals_written_out(n, text):
    assert to_cn_number(n) == text


def test_where_an_amount_starts_and_ends_and_its_text():
    text = "该计划约 20亿欧元用于建设"
    m = one(text)
    assert (m.start, m.end) == (3, 10)
    assert text[m.start : m.end] == m.text == "约 20亿欧元"
    assert (m.qualifier, m.conversion) == ("approximately", None)


def test_zero_is_no_amount():
    assert find_money("获得 0美元") == []
    assert find_money("获得 零美元") == []


def test_two_amounts_in_one_sentence():
    ms = find_money("美国拨款 390亿美元，韩国投入 26万亿韩元。")
    assert [(m.value, m.currency) for m in ms] == [
        (Decimal("39000000000"), "USD"),
        (Decimal("26000000000000"), "KRW"),
    ]


def test_a_stated_conversion_and_the_amount_after_it():
    text = "德国提供 50亿欧元（约 56亿美元）补贴，另有 3亿美元贷款"
    first, second = find_money(text)
    assert (first.value, first.currency) == (Decimal("5000000000"), "EUR")
    c = first.conversion
    assert (c.value, c.currency, c.qualifier) == (Decimal("5600000000"), "USD", "approximately")
    assert text[c.start : c.end] == "（约 56亿美元）" and c.text == "（约 56亿美元）"
    # the conversion is not counted again; the next amount is
    assert (second.value, second.currency, second.conversion) == (
        Decimal("300000000"),
        "USD",
        None,
    )


def test_a_conversion_without_qualifier_is_not_approximate():
    c = one("提供 10亿欧元(11亿美元)").conversion
    assert (c.value, c.currency, c.qualifier) == (Decimal("1100000000"), "USD", "")


@pytest.mark.parametrize(
    ("text", "qualifier"),
    [
        ("约 5亿美元", "approximately"),
        ("大约 5亿美元", "approximately"),
        ("超过 5亿美元", "over"),
        ("逾 5亿美元", "over"),
        ("近 5亿美元", "nearly"),
        ("接近 5亿美元", "nearly"),
        ("最高 5亿美元", "up to"),
        ("最多 5亿美元", "up to"),
        ("共计 5亿美元", "total"),
        ("5亿美元", ""),
    ],
)
def test_qualifiers(text, qualifier):
    m = one(text)
    assert (m.value, m.qualifier) == (Decimal("500000000"), qualifier)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("5亿人民币", "CNY"),
        ("5亿元人民币", "CNY"),
        ("5亿英镑", "GBP"),
        ("5亿卢比", "INR"),
        ("5亿新台币", "TWD"),
        ("5亿日元", "JPY"),
    ],
)
def test_currencies(text, code):
    m = one(text)
    assert (m.value, m.currency) == (Decimal("500000000"), code)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("2024年12月23日", [("2024-12-23", "day", "")]),
        ("2024年 3月 5日", [("2024-03-05", "day", "")]),
        ("2024年3月", [("2024-03", "month", "")]),
        ("1999年", [("1999", "year", "")]),
        ("2025年初", [("2025", "year", "early")]),
        ("2025年上半年", [("2025", "year", "early")]),
        ("2025年年中", [("2025", "year", "mid")]),
        ("2025年中", [("2025", "year", "mid")]),
        ("2025年下半年", [("2025", "year", "late")]),
        ("2025年末", [("2025", "year", "late")]),
        ("2025年底", [("2025", "year", "late")]),
        ("2025年6月底", [("2025-06", "month", "late")]),
        ("1899年", []),
        ("2024年与2025年", [("2024", "year", ""), ("2025", "year", "")]),
    ],
)
def test_dates(text, found):
    assert [(d.value, d.precision, d.part) for d in find_dates(text)] == found


def test_a_date_s_offsets():
    text = "据报道 2024年 12月 23日，"
    [d] = find_dates(text)
    assert text[d.start : d.end] == "2024年 12月 23日"


@pytest.mark.parametrize(
    "cue",
    [
        "到",
        "至",
        "计划到",
        "预计到",
        "计划在",
        "预计在",
        "目标在",
        "将于",
        "计划于",
        "预计于",
        "有望于",
    ],
)
def test_target_years(cue):
    text = f"产能{cue} 2030年翻倍"
    assert find_target_years(text) == [(2, 2030)]


def test_a_year_something_was_done_in_is_no_target():
    # 于 2025年 alone dates an event (于 2025年 2月联合发布); a plan says 将于/计划于
    assert find_target_years("产能于 2025年翻倍") == []


@pytest.mark.parametrize(
    ("text", "duration"),
    [
        ("为期四年", "P4Y"),
        ("为期 18个月", "P18M"),
        ("为期九十天", "P90D"),
        ("为期两年", "P2Y"),
        ("为期 3年", "P3Y"),
    ],
)
def test_durations(text, duration):
    assert find_durations("项目" + text) == [(2, duration)]


def test_a_bad_number_or_a_zero_does_not_hide_the_amounts_after_it():
    ms = find_money("获得 1,50万美元，另获 3亿美元；0美元之后还有 2万美元")
    assert [m.value for m in ms] == [Decimal("300000000"), Decimal("20000")]


def test_an_amount_right_after_a_stated_conversion_is_kept():
    first, second = find_money("50亿欧元（约 56亿美元）3亿日元")
    assert first.conversion.value == Decimal("5600000000")
    assert (second.value, second.currency) == (Decimal("300000000"), "JPY")


def write_table(tmp_path, body: str):
    path = tmp_path / "amounts.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_the_words_of_a_data_file_are_read_as_written(tmp_path):
    path = write_table(
        tmp_path,
        '[[currency]]\nword = "美元"\ncode = "USD"\n\n[[currency]]\nword = "元"\ncode = "CNY"\n\n'
        '[[qualifier]]\nword = "约"\nmeans = "approximately"\n',
    )
    assert load_currencies(path) == {"美元": "USD", "元": "CNY"}
    assert load_qualifiers(path) == {"约": "approximately"}
    # the packaged file, read afresh (the cached copy is what the finders use)
    assert load_currencies() == currencies() and load_qualifiers() == qualifiers()
    assert currencies()["美元"] == "USD" and qualifiers()["超过"] == "over"


def test_a_word_listed_twice_names_its_second_line(tmp_path):
    path = write_table(
        tmp_path,
        '[[currency]]\nword = "美元"\ncode = "USD"\n\n[[currency]]\nword = "美元"\ncode = "CAD"\n',
    )
    with pytest.raises(ChipkgError, match="currency word '美元' listed twice") as err:
        load_currencies(path)
    assert str(err.value).startswith(f"{path}:5: ")


@pytest.mark.parametrize("code", ["usd", "US", "USDX", "1SD"])
def test_a_currency_code_must_be_iso_4217(tmp_path, code):
    path = write_table(tmp_path, f'[[currency]]\nword = "美元"\ncode = "{code}"\n')
    with pytest.raises(ChipkgError) as err:
        load_currencies(path)
    assert str(err.value) == f"{path}:3: 'code' must be a three-letter ISO 4217 code"


def test_an_unknown_key_in_an_entry_is_an_error(tmp_path):
    path = write_table(tmp_path, '[[currency]]\nword = "美元"\ncode = "USD"\nrate = 7\n')
    with pytest.raises(ChipkgError, match="unknown key 'rate'"):
        load_currencies(path)


def test_longer_words_are_tried_first():
    # where two words overlap the longer wins (元人民币 before 人民币 and 元, 日元 before 元)
    assert _alternatives({"元": "CNY", "元人民币": "CNY", "日元": "JPY"}) == "元人民币|日元|元"
