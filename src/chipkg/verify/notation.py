"""Names, amounts and dates as a source writes them, found with their character offsets.

* Names: every label and alias of an entity, in both scripts; Latin names match whole words,
  case-insensitively, except short all-capital acronyms (``US`` is not ``us``); CJK names match
  as written.
* Amounts: ``$6.6 billion``, ``US$6.6bn``, ``USD 6.6 billion``, ``6.6 billion dollars``,
  ``€5 billion``, ``EUR 325 million``, ``£1bn``, ``₩1 trillion``, ``5,5 Milliarden Euro``,
  ``66亿美元``, ``1兆円``, ``33조 원`` — each as an exact value and an ISO 4217 currency. An amount
  in brackets right after another (``€5 billion (about $5.4 billion)``) is marked as a stated
  conversion: it is not the original amount.
* Dates: ``2024-12-23``, ``December 23, 2024``, ``23 Dec. 2024``, ``2024年12月23日``,
  ``2024년 12월 23일``, ``December 2024``, and years.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from chipkg.extract.amounts import find_dates as find_cn_dates
from chipkg.extract.amounts import find_money


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Amount(Span):
    value: Decimal
    currency: str
    conversion: bool = False  # a stated conversion of the amount before it


@dataclass(frozen=True)
class DateSpan(Span):
    value: str  # "2024-12-23" | "2024-12" | "2024"


# ---- names


@lru_cache(maxsize=4096)
def name_pattern(name: str) -> re.Pattern[str] | None:
    name = re.sub(r"\s+", " ", name.strip())
    if len(name) < 2:
        return None
    body = re.escape(name).replace(r"\ ", r"\s+")
    if re.search(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]", name):
        return re.compile(body)
    acronym = name.isupper() and len(name) <= 5
    flags = 0 if acronym else re.IGNORECASE
    return re.compile(rf"(?<![0-9A-Za-z]){body}(?![0-9A-Za-z])", flags)


def find_names(text: str, names: list[str]) -> list[Span]:
    found = []
    for name in sorted(set(names), key=lambda n: (-len(n), n)):
        pattern = name_pattern(name)
        if pattern is None:
            continue
        found += [Span(m.start(), m.end(), m.group(0)) for m in pattern.finditer(text)]
    return sorted(found, key=lambda s: (s.start, -s.end))


# ---- amounts

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?"
SCALES = {
    "trillion": 10**12,
    "tn": 10**12,
    "trn": 10**12,
    "billion": 10**9,
    "bn": 10**9,
    "b": 10**9,
    "milliarden": 10**9,
    "milliarde": 10**9,
    "mrd": 10**9,
    "milliards": 10**9,
    "milliard": 10**9,
    "million": 10**6,
    "millions": 10**6,
    "mn": 10**6,
    "mln": 10**6,
    "m": 10**6,
    "millionen": 10**6,
    "mio": 10**6,
    "thousand": 10**3,
    "k": 10**3,
}
_SCALE = "|".join(sorted(SCALES, key=len, reverse=True))
# currency written before the number
PREFIX = {
    "us$": "USD",
    "u.s.$": "USD",
    "usd": "USD",
    "$": "USD",
    "€": "EUR",
    "eur": "EUR",
    "£": "GBP",
    "gbp": "GBP",
    "¥": "JPY",
    "jpy": "JPY",
    "cny": "CNY",
    "rmb": "CNY",
    "₩": "KRW",
    "krw": "KRW",
    "nt$": "TWD",
    "twd": "TWD",
    "inr": "INR",
    "₹": "INR",
}
# currency written after the number (and its scale)
SUFFIX = {
    "u.s. dollars": "USD",
    "us dollars": "USD",
    "dollars": "USD",
    "usd": "USD",
    "euros": "EUR",
    "euro": "EUR",
    "eur": "EUR",
    "pounds": "GBP",
    "gbp": "GBP",
    "yen": "JPY",
    "jpy": "JPY",
    "won": "KRW",
    "krw": "KRW",
    "yuan": "CNY",
    "renminbi": "CNY",
    "cny": "CNY",
    "rupees": "INR",
    "inr": "INR",
    "taiwan dollars": "TWD",
    "twd": "TWD",
}
_PRE = "|".join(re.escape(k) for k in sorted(PREFIX, key=len, reverse=True))
_SUF = "|".join(re.escape(k) for k in sorted(SUFFIX, key=len, reverse=True))
RE_PREFIXED = re.compile(
    rf"(?<![A-Za-z])(?P<cur>{_PRE})\s?(?P<num>{_NUM})(?:\s?(?P<scale>{_SCALE})\b\.?)?",
    re.IGNORECASE,
)
RE_SUFFIXED = re.compile(
    rf"(?<![\w.,])(?P<num>{_NUM})(?:\s?(?P<scale>{_SCALE})\b\.?)?\s?(?P<cur>{_SUF})\b",
    re.IGNORECASE,
)
CJK_UNITS = {
    "兆": 10**12,
    "億": 10**8,
    "万": 10**4,
    "萬": 10**4,
    "조": 10**12,
    "억": 10**8,
    "만": 10**4,
}
RE_CJK = re.compile(
    rf"(?P<num>{_NUM})\s?(?P<unit>[兆億万萬조억만])?\s?(?P<cur>円|원|ドル|달러|ユーロ|유로)"
)
CJK_CURRENCY = {
    "円": "JPY",
    "원": "KRW",
    "ドル": "USD",
    "달러": "USD",
    "ユーロ": "EUR",
    "유로": "EUR",
}
_OPEN_BRACKET = re.compile(
    r"\s*[(（\[]\s*(?:about|approximately|approx\.?|around|roughly|ca\.|equivalent to|"
    r"约合|約合|折合|约|約|合|약)?\s*",
    re.IGNORECASE,
)


def _number(num: str) -> Decimal:
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", num):
        return Decimal(num.replace(",", ""))
    if re.fullmatch(r"\d+,\d{1,2}", num):  # decimal comma: 5,5 Milliarden
        return Decimal(num.replace(",", "."))
    return Decimal(num.replace(",", ""))


def _scaled(num: str, scale: str | None) -> Decimal | None:
    try:
        value = _number(num)
    except InvalidOperation:
        return None
    if scale:
        value *= SCALES[scale.lower().rstrip(".")]
    return value.normalize() if value != value.to_integral_value() else Decimal(int(value))


def find_amounts(text: str) -> list[Amount]:
    """Every amount of money in the text, the stated conversions marked."""
    found: list[Amount] = []
    for m in RE_PREFIXED.finditer(text):
        if m.group("cur") == "$" and text[max(0, m.start() - 2) : m.start()].upper() in (
            "NT",
            "C",
            "A",
        ):
            continue
        value = _scaled(m.group("num"), m.group("scale"))
        if value:
            found.append(
                Amount(m.start(), m.end(), m.group(0), value, PREFIX[m.group("cur").lower()])
            )
    for m in RE_SUFFIXED.finditer(text):
        value = _scaled(m.group("num"), m.group("scale"))
        if value:
            found.append(
                Amount(m.start(), m.end(), m.group(0), value, SUFFIX[m.group("cur").lower()])
            )
    for m in RE_CJK.finditer(text):
        value = _scaled(m.group("num"), None)
        if value:
            value *= CJK_UNITS.get(m.group("unit") or "", 1)
            found.append(
                Amount(m.start(), m.end(), m.group(0), value, CJK_CURRENCY[m.group("cur")])
            )
    for money in find_money(text):
        found.append(Amount(money.start, money.end, money.text, money.value, money.currency))
        if money.conversion is not None:
            c = money.conversion
            found.append(Amount(c.start, c.end, c.text, c.value, c.currency, conversion=True))
    return _mark_conversions(_without_overlaps(found), text)


def _without_overlaps(found: list[Amount]) -> list[Amount]:
    """Keep the longest of overlapping matches (``US$6.6bn`` over ``$6.6bn``)."""
    kept: list[Amount] = []
    for a in sorted(found, key=lambda a: (a.start, -(a.end - a.start))):
        if kept and a.start < kept[-1].end:
            continue
        kept.append(a)
    return kept


def _mark_conversions(found: list[Amount], text: str) -> list[Amount]:
    out: list[Amount] = []
    for a in found:
        prev = out[-1] if out else None
        if (
            prev is not None
            and not a.conversion
            and a.currency != prev.currency
            and _OPEN_BRACKET.fullmatch(text[prev.end : a.start])
        ):
            a = Amount(a.start, a.end, a.text, a.value, a.currency, conversion=True)
        out.append(a)
    return out


def same_amount(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) <= abs(b) * Decimal("1e-9")


# ---- dates

MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for m in names
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
RE_ISO = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})-(?P<m>\d{2})(?:-(?P<d>\d{2}))?(?!\d)")
RE_MDY = re.compile(
    rf"\b(?P<mon>{_MONTH})\.?\s+(?:(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+)?(?P<y>(?:19|20)\d{{2}})\b",
    re.IGNORECASE,
)
RE_DMY = re.compile(
    rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<mon>{_MONTH})\.?,?\s+(?P<y>(?:19|20)\d{{2}})\b",
    re.IGNORECASE,
)
RE_KO = re.compile(r"(?P<y>(?:19|20)\d{2})년\s*(?P<m>\d{1,2})월(?:\s*(?P<d>\d{1,2})일)?")
RE_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


def _iso(y: str, m: int | str | None, d: str | None) -> str:
    if not m:
        return y
    return f"{y}-{int(m):02d}" + (f"-{int(d):02d}" if d else "")


def find_dates(text: str) -> list[DateSpan]:
    found = [
        DateSpan(m.start(), m.end(), m.group(0), _iso(m["y"], m["m"], m["d"]))
        for m in RE_ISO.finditer(text)
    ]
    for rx in (RE_MDY, RE_DMY):
        for m in rx.finditer(text):
            found.append(
                DateSpan(
                    m.start(), m.end(), m.group(0), _iso(m["y"], MONTHS[m["mon"].lower()], m["d"])
                )
            )
    found += [
        DateSpan(m.start(), m.end(), m.group(0), _iso(m["y"], m["m"], m["d"]))
        for m in RE_KO.finditer(text)
    ]
    found += [DateSpan(d.start, d.end, text[d.start : d.end], d.value) for d in find_cn_dates(text)]
    return sorted(found, key=lambda s: (s.start, -s.end))


def find_years(text: str, year: int) -> list[Span]:
    return [
        Span(m.start(), m.end(), m.group(0))
        for m in RE_YEAR.finditer(text)
        if int(m.group(0)) == year
    ]


def date_matches(stated: str, claimed: str) -> bool:
    """A date in the source states the claim's date: the same day (or month, or year) at the
    claim's precision, or a more precise date inside it."""
    return stated.startswith(claimed)
