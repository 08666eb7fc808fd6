"""Money, numbers, dates and periods as reports of this kind write them.

Values are exact decimals in base units (``527亿美元`` → 52 700 000 000 USD). A conversion the text
states itself (``50亿欧元（约 56亿美元）``) is kept as a second amount; no exchange rate is ever
applied. The currency and qualifier words are data (``chipkg/data/amounts.toml``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from chipkg.errors import ChipkgError
from chipkg.extract.ruledata import Field, data_path, load_table

RE_ISO_4217 = re.compile(r"^[A-Z]{3}$")
QUALIFIER_MEANINGS = frozenset({"approximately", "over", "nearly", "up to", "total"})


def _iso(code: object) -> str:
    return "" if RE_ISO_4217.match(str(code)) else "must be a three-letter ISO 4217 code"


def _word_table(
    table: str, value_key: str, spec: Field, path: Path | None = None
) -> dict[str, str]:
    """word -> value for the entries of one table of data/amounts.toml (a word listed twice is
    an error: which of its values would count?)."""
    path = path or data_path("amounts.toml")
    out: dict[str, str] = {}
    for line, entry in load_table(path, table, {"word": Field(str), value_key: spec}):
        if entry["word"] in out:
            raise ChipkgError(f"{table} word '{entry['word']}' listed twice", path=path, line=line)
        out[entry["word"]] = entry[value_key]
    return out


def load_currencies(path: Path | None = None) -> dict[str, str]:
    """Currency word -> ISO 4217 code."""
    return _word_table("currency", "code", Field(str, check=_iso), path)


def load_qualifiers(path: Path | None = None) -> dict[str, str]:
    """Qualifier word -> what it means (approximately, over, nearly, up to, total)."""
    return _word_table("qualifier", "means", Field(str, choices=QUALIFIER_MEANINGS), path)


@cache
def currencies() -> dict[str, str]:
    return load_currencies()


@cache
def qualifiers() -> dict[str, str]:
    return load_qualifiers()


UNITS = {
    "万亿": Decimal(10) ** 12,
    "亿": Decimal(10) ** 8,
    "万": Decimal(10) ** 4,
    "千": Decimal(1000),
}
CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
CN_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}

_NUM = r"[0-9]+(?:[.,][0-9]+)*|[零〇一二两三四五六七八九十百千]+"


def _alternatives(words: dict[str, str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


@cache
def _money_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The amount and the stated-conversion patterns, made from the data's words."""
    qual, cur = _alternatives(qualifiers()), _alternatives(currencies())
    money = re.compile(
        rf"(?P<qual>{qual})?\s*(?P<num>{_NUM})\s*(?P<unit>万亿|亿|万|千)?\s*(?P<cur>{cur})"
    )
    conversion = re.compile(
        rf"\s*[（(]\s*(?:{qual})?\s*(?P<num>{_NUM})\s*(?P<unit>万亿|亿|万|千)?"
        rf"\s*(?P<cur>{cur})\s*[）)]"
    )
    return money, conversion


def cn_number(s: str) -> Decimal:
    """Chinese numerals (四, 十二, 二十三, 一百零五) or Arabic digits with , or . → Decimal."""
    if re.fullmatch(r"[0-9]+(?:,[0-9]{3})+", s):
        return Decimal(s.replace(",", ""))
    if re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", s):
        return Decimal(s)
    total, current = 0, 0
    for ch in s:
        if ch in CN_DIGITS:
            current = CN_DIGITS[ch]
        elif ch in CN_SMALL_UNITS:
            total += (current or 1) * CN_SMALL_UNITS[ch]
            current = 0
        else:
            raise ValueError(f"not a number: {s}")
    return Decimal(total + current)


def to_cn_number(n: int) -> str:
    """Inverse of cn_number for 0 <= n < 10000 (used by property tests)."""
    if n == 0:
        return "零"
    digits = "零一二三四五六七八九"
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, value)
        if d:
            if zero:
                out += "零"
            out += digits[d] + unit
            zero = False
        elif out:
            zero = True
    if out.startswith("一十"):
        out = out[1:]
    return out


@dataclass(frozen=True)
class Money:
    start: int
    end: int
    value: Decimal
    currency: str
    qualifier: str
    text: str
    conversion: Money | None = None


def _value(num: str, unit: str | None) -> Decimal:
    v = cn_number(num)
    if unit:
        v *= UNITS[unit]
    return Decimal(int(v)) if v == v.to_integral_value() else v.normalize()


def find_money(text: str) -> list[Money]:
    out: list[Money] = []
    re_money, re_conversion = _money_patterns()
    for m in re_money.finditer(text):
        if out and out[-1].conversion and m.start() < out[-1].conversion.end:
            continue  # the stated conversion of the previous amount
        try:
            value = _value(m.group("num"), m.group("unit"))
        except ValueError:
            continue
        if value <= 0:
            continue
        conv = None
        c = re_conversion.match(text, m.end())
        if c:
            conv = Money(
                c.start(),
                c.end(),
                _value(c.group("num"), c.group("unit")),
                currencies()[c.group("cur")],
                "approximately" if "约" in c.group(0) else "",
                c.group(0).strip(),
            )
        out.append(
            Money(
                m.start(),
                m.end(),
                value,
                currencies()[m.group("cur")],
                qualifiers().get(m.group("qual") or "", ""),
                m.group(0).strip(),
                conv,
            )
        )
    return out


# ---- dates and periods


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    value: str  # "2024-12-23", "2024-12", "2024"
    precision: str  # day | month | year
    part: str  # "" | "early" | "mid" | "late"


RE_DATE = re.compile(
    r"(?P<y>(?:19|20)[0-9]{2})\s*年\s*(?:(?P<m>[0-9]{1,2})\s*月\s*(?:(?P<d>[0-9]{1,2})\s*日)?)?"
    r"(?P<part>初|上半年|年中|中|下半年|末|底)?"
)
RE_TARGET = re.compile(
    r"(?:到|至|计划到|预计到|计划在|预计在|目标在|(?:将|计划|预计|拟|有望|力争|争取)\s*于)"
    r"\s*(?P<y>(?:19|20)[0-9]{2})\s*年"
)
RE_DURATION = re.compile(r"为期\s*(?P<n>[0-9]+|[一二两三四五六七八九十]+)\s*(?P<u>年|个月|天)")
PARTS = {
    "初": "early",
    "上半年": "early",
    "年中": "mid",
    "中": "mid",
    "下半年": "late",
    "末": "late",
    "底": "late",
}


def find_dates(text: str) -> list[DateMention]:
    out = []
    for m in RE_DATE.finditer(text):
        y, mo, d = m.group("y"), m.group("m"), m.group("d")
        if d and mo:
            value, precision = f"{y}-{int(mo):02d}-{int(d):02d}", "day"
        elif mo:
            value, precision = f"{y}-{int(mo):02d}", "month"
        else:
            value, precision = y, "year"
        out.append(
            DateMention(m.start(), m.end(), value, precision, PARTS.get(m.group("part") or "", ""))
        )
    return out


def find_target_years(text: str) -> list[tuple[int, int]]:
    """(offset, year) of target years: 到 2030年, 计划到 2027年, 目标在 2030年."""
    return [(m.start(), int(m.group("y"))) for m in RE_TARGET.finditer(text)]


def find_durations(text: str) -> list[tuple[int, str]]:
    """(offset, ISO 8601 duration): 为期四年 → P4Y."""
    out = []
    for m in RE_DURATION.finditer(text):
        n = int(cn_number(m.group("n")))
        unit = {"年": "Y", "个月": "M", "天": "D"}[m.group("u")]
        out.append((m.start(), f"P{n}{unit}"))
    return out
