"""Parse an analyst report (text extracted from a PDF) into pages, footnotes, articles, sections,
paragraphs, sentences and footnote markers.

Every object keeps character offsets into the report file's text as read by Python (Unicode code
points, not bytes and not UTF-16 units), so any passage can be quoted back from the file.

The layout this parser expects, and how each rule is applied:

* A page's first line starts with a space; each page ends with a footnote block numbered from 1.
* Body lines are hard-wrapped and separated by blank lines; lines that follow each other with no
  blank line in between belong together (a title wrapped over two lines, a footnote's URL).
* A footnote marker is a number glued to the end of a phrase and followed by punctuation
  (``资助1。``, ``方案23。``, ``分配1-2。``, ``工厂4-`` / ``5。``). Which number-like strings
  are markers is decided per page: markers cite the page's footnotes in increasing order, so
  a dynamic programme picks the reading that covers the most footnotes.
* Paragraph ends are recovered from line widths (a short last line, an indented first line) and
  from headings (``一、``, ``（一）``, ``1.`` numbered in sequence, ``（1）``, author lines).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path

from chipkg.errors import ChipkgError, Finding

# --------------------------------------------------------------------------------------------
# Data passed to later stages
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Footnote:
    page: int
    number: int
    line: int  # line of the footnote's number
    start: int  # file span of the whole entry
    end: int
    urls: tuple[str, ...]  # URLs as printed, wraps rejoined, not yet normalised
    url_lines: tuple[int, ...]  # the line each URL starts on
    note: str = ""  # explanatory text that is not a URL


@dataclass(frozen=True)
class EchoUrl:
    """A bare URL printed after a footnote block (a PDF link annotation), not a footnote."""

    page: int
    line: int
    url: str


@dataclass(frozen=True)
class Page:
    number: int
    first_line: int
    last_line: int
    footnotes: tuple[Footnote, ...]
    echoes: tuple[EchoUrl, ...]


@dataclass(frozen=True)
class Marker:
    page: int  # the page it is printed on: its numbers refer to that page's footnotes
    line: int
    start: int  # file span of the marker as printed (may include a line break: "4-\n\n5")
    end: int
    printed: str  # "1", "23", "1-2", "4-5"
    numbers: tuple[int, ...]
    dangling: bool = False  # looks like a marker, but the page has no such footnote in order


@dataclass(frozen=True)
class Passage:
    """One sentence of the report (split on 。！？；), or a heading/title line."""

    index: int
    start: int
    end: int
    text: str  # clean display text: lines joined, markers removed
    page: int
    line: int
    kind: str  # body | heading | title | rubric | author | caption | table
    article: int
    section: int | None  # start offset of the innermost section, or None
    paragraph: int
    markers: tuple[Marker, ...]


@dataclass(frozen=True)
class Paragraph:
    index: int
    start: int
    end: int
    kind: str
    page: int
    line: int
    article: int


@dataclass(frozen=True)
class Section:
    start: int  # offset of the heading: also its identity
    level: int  # 1: 一、 2: （一） 3: 1.
    label: str  # "一、", "（一）", "1."
    title: str
    parent: int | None
    article: int
    line: int
    page: int


@dataclass(frozen=True)
class Article:
    index: int
    start: int
    end: int
    title: str
    title_line: int
    rubric: str
    date: date | None
    authors: tuple[str, ...]
    author_line: int | None
    line: int
    page: int


@dataclass(frozen=True)
class ParsedReport:
    path: Path
    report_id: str
    text: str
    line_count: int
    pages: tuple[Page, ...]
    articles: tuple[Article, ...]
    sections: tuple[Section, ...]
    paragraphs: tuple[Paragraph, ...]
    passages: tuple[Passage, ...]
    markers: tuple[Marker, ...]
    findings: tuple[Finding, ...]

    @property
    def footnotes(self) -> tuple[Footnote, ...]:
        return tuple(f for p in self.pages for f in p.footnotes)

    def line_of(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1


# --------------------------------------------------------------------------------------------
# Patterns
# --------------------------------------------------------------------------------------------

CN_NUM = "一二三四五六七八九十"
RE_L1 = re.compile(rf"^([{CN_NUM}]{{1,3}})、\s*(.+)$")
RE_L2 = re.compile(rf"^（([{CN_NUM}]{{1,3}})）\s*(.+)$")
RE_L3 = re.compile(r"^([0-9]{1,2})[.．]\s*(\S.*)$")
RE_ENUM = re.compile(r"^[（(][0-9]{1,2}[）)]")
RE_AUTHOR = re.compile(r"^[（(]\s*执笔\s*[：:]\s*(.+?)\s*[）)]$")
RE_CAPTION = re.compile(r"^([图表])\s*[0-9]+")
RE_DATE_LEAD = re.compile(
    r"^(?:据[^，。]{0,20}?)?\s*([0-9]{4})\s*年\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*日"
)
RE_FN_ENTRY = re.compile(r"^([1-9][0-9]{0,2})(?:\s+(\S.*))?$")
RE_URL_START = re.compile(r"^(?:https?://|www\.)", re.IGNORECASE)

SENTENCE_END = "。！？；"
CLOSERS = "”’」』）)》"
TERMINAL = SENTENCE_END + "：:"
# What may follow a footnote marker.
AFTER_MARKER = set("。，、；：！？）)”’」』,;:")
# What may precede a marker: a glued marker follows a word, not a space, digit or opening bracket.
NOT_BEFORE_MARKER = set("0123456789０１２３４５６７８９.．,，(（[［/\\-–+#第$€£¥@=<>") | {" ", "\t"}

SHORT_MARGIN = 8  # a line this many half-width columns below full width ends its paragraph
INDENT_MIN, INDENT_MAX = 2, 8  # a first line is indented by two CJK characters (measured)
TITLE_MAX_CHARS = 60


@cache
def _char_width(c: str) -> int:
    return 2 if unicodedata.east_asian_width(c) in "WF" else 1


def display_width(s: str) -> int:
    return sum(map(_char_width, s))


def _is_ascii_word(c: str) -> bool:
    return c.isascii() and (c.isalnum() or c in "%)]}.,;:!?'\"")


def join_gap(left: str, right: str) -> str:
    """What to put between two wrapped lines: one space between Latin words, nothing otherwise."""
    if not left or not right:
        return ""
    if _is_ascii_word(left[-1]) and right[0].isascii() and right[0].isalnum():
        return " "
    return ""


@cache
def _surnames() -> tuple[frozenset[str], frozenset[str]]:
    text = resources.files("chipkg").joinpath("data/surnames.txt").read_text(encoding="utf-8")
    words = [w for ln in text.splitlines() if not ln.startswith("#") for w in ln.split()]
    return frozenset(w for w in words if len(w) == 1), frozenset(w for w in words if len(w) == 2)


def split_author_names(raw: str, known: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """Split an author line whose names run together: ``王丽沈湘`` -> (王丽, 沈湘).

    Explicit separators (、，, spaces) are honoured. Otherwise each name is 2-4 characters and
    starts with a family name; names already seen on their own elsewhere (``known``) win.
    """
    parts = [p for p in re.split(r"[、，,；;\s/]+", raw) if p]
    names: list[str] = []
    single, double = _surnames()
    for part in parts:
        if not all(unicodedata.east_asian_width(c) in "WF" for c in part):
            names.append(part)
            continue
        n = len(part)
        best: list[tuple[float, list[str]] | None] = [None] * (n + 1)
        best[0] = (0.0, [])
        for i in range(n):
            if best[i] is None:
                continue
            score_i, names_i = best[i]  # type: ignore[misc]
            for length in (2, 3, 4):
                j = i + length
                if j > n:
                    break
                cand = part[i:j]
                if cand in known:
                    s = 3.0
                elif cand[:2] in double and length >= 3 or cand[0] in single:
                    s = 1.0 if length in (2, 3) else 0.2
                else:
                    continue
                if best[j] is None or score_i + s > best[j][0]:  # type: ignore[index]
                    best[j] = (score_i + s, names_i + [cand])
        names.extend(best[n][1] if best[n] else [part])
    return tuple(names)


def _learn_author_names(raws: list[str]) -> frozenset[str]:
    """Names a report itself tells apart: a line with one name (（执笔：沈湘）) teaches
    ``沈湘``; a line where all but one segment is known (于杰平沈湘) then teaches the rest."""
    known = {r for r in raws if 2 <= len(r) <= 3}
    changed = True
    while changed:
        changed = False
        for r in raws:
            for name in sorted(known):
                for rest in (r.removeprefix(name), r.removesuffix(name)):
                    if (
                        rest != r
                        and 2 <= len(rest) <= 4
                        and rest not in known
                        and not any(rest.startswith(k) or rest.endswith(k) for k in known)
                    ):
                        known.add(rest)
                        changed = True
    return frozenset(known)


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    no: int
    start: int  # offset of the first character of the line
    raw: str

    @property
    def stripped(self) -> str:
        return self.raw.strip()

    @property
    def content_start(self) -> int:
        return self.start + (len(self.raw) - len(self.raw.lstrip()))


def read_report_text(path: Path) -> str:
    if not path.exists():
        raise ChipkgError("report file not found", path=path, hint="check the path")
    if not path.is_file():
        raise ChipkgError("not a file", path=path)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ChipkgError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at byte offset {exc.start})",
            path=path,
            line=line,
            hint="convert the file to UTF-8",
        ) from None
    if text.startswith("\ufeff"):
        text = " " + text[1:]  # keep offsets: the BOM becomes a space
    if not text.strip():
        raise ChipkgError("the report is empty", path=path, line=1)
    return text


def _split_lines(text: str) -> list[_Line]:
    lines, pos = [], 0
    for no, raw in enumerate(text.split("\n"), start=1):
        lines.append(_Line(no, pos, raw.rstrip("\r")))
        pos += len(raw) + 1
    return lines


# --------------------------------------------------------------------------------------------
# Pages and footnote blocks
# --------------------------------------------------------------------------------------------


def _page_starts(lines: list[_Line]) -> list[int]:
    starts = [0]
    for i, ln in enumerate(lines[1:], start=1):
        if ln.raw[:1] in (" ", "\u3000") and ln.stripped:
            starts.append(i)
    return starts


@dataclass
class _Entry:
    number: int
    line: _Line
    parts: list[tuple[_Line, str]] = field(default_factory=list)
    last: _Line | None = None

    @property
    def is_url(self) -> bool:
        return bool(self.parts) and bool(RE_URL_START.match(self.parts[0][1]))


def _parse_block(block: list[_Line]) -> tuple[list[_Entry], list[tuple[_Line, str]]] | None:
    """Parse a candidate footnote block; None when a line does not fit the footnote layout."""
    entries: list[_Entry] = []
    echoes: list[list] = []  # [first line, text, last line]
    current: _Entry | list | None = None
    prev_blank = False
    nonblank = [ln for ln in block if ln.stripped]
    for ln in block:
        s = ln.stripped
        if not s:
            prev_blank = True
            continue
        m = RE_FN_ENTRY.match(s)
        if (
            m
            and not m.group(2)
            and not prev_blank
            and isinstance(current, _Entry)
            and current.is_url
        ):
            # A number alone right under a URL starts a footnote only if its URL or text follows;
            # otherwise it is the URL's last wrapped piece (".../2").
            k = nonblank.index(ln)
            nxt = nonblank[k + 1].stripped if k + 1 < len(nonblank) else ""
            nm = RE_FN_ENTRY.match(nxt)
            if not nxt or (nm and int(nm.group(1)) == int(m.group(1)) + 1):
                m = None
        if m and int(m.group(1)) == len(entries) + 1 and not echoes:
            current = _Entry(int(m.group(1)), ln)
            if m.group(2):
                current.parts.append((ln, m.group(2)))
            current.last = ln
            entries.append(current)
        elif isinstance(current, _Entry) and not current.parts:
            current.parts.append((ln, s))  # "10" alone, its URL on a later line
            current.last = ln
        elif RE_URL_START.match(s) and not (isinstance(current, _Entry) and not prev_blank):
            # after a blank line a bare URL is a PDF link echo; right under an entry it is that
            # footnote's next URL (joined with "; " when it has no separator)
            current = [ln, s, ln]
            echoes.append(current)
        elif current is not None and not prev_blank:
            if isinstance(current, _Entry):
                current.parts.append((ln, s))
                current.last = ln
            else:
                if " " in s:
                    return None
                current[1] += s
                current[2] = ln
        else:
            return None
        prev_blank = False
    if not entries:
        return None
    return entries, [(e[0], e[1]) for e in echoes]


def _find_block(page_lines: list[_Line]) -> int | None:
    """Index (in page_lines) where the footnote block starts, or None if the page has none."""
    for i, ln in enumerate(page_lines):
        if i == 0:
            continue
        m = RE_FN_ENTRY.match(ln.stripped)
        if m and m.group(1) == "1" and _parse_block(page_lines[i:]) is not None:
            return i
    return None


def _make_footnote(page: int, entry: _Entry, findings: list[Finding]) -> Footnote:
    from chipkg.ingest.citations import split_urls  # URL grammar lives with the citation stage

    end_line = entry.last or entry.line
    end = end_line.start + len(end_line.raw.rstrip())
    if not entry.parts:
        findings.append(
            Finding(
                "empty-footnote",
                "warning",
                entry.line.no,
                f"footnote {entry.number} is empty",
                page,
            )
        )
        return Footnote(page, entry.number, entry.line.no, entry.line.content_start, end, (), ())
    if entry.is_url:
        # A wrapped URL is rejoined as printed: the PDF breaks it anywhere, and a hyphen at the
        # end of a line belongs to the URL.
        joined, starts = "", []
        for ln, part in entry.parts:
            if RE_URL_START.match(part):
                if joined and not joined.rstrip().endswith((";", "；")):
                    joined += "; "
                starts.append(ln.no)
            joined += part
        urls, note = split_urls(joined, line=entry.line.no)
        url_lines = tuple(starts[i] if i < len(starts) else starts[-1] for i in range(len(urls)))
    else:
        joined = ""
        for _, part in entry.parts:
            joined += join_gap(joined, part) + part
        urls, note = split_urls(joined, line=entry.line.no, text_footnote=True)
        url_lines = tuple(entry.line.no for _ in urls)
        findings.append(
            Finding(
                "text-footnote",
                "info",
                entry.line.no,
                f"footnote {entry.number} is explanatory text"
                + ("" if urls else " with no URL")
                + f": {note[:60]}",
                page,
            )
        )
    return Footnote(
        page,
        entry.number,
        entry.line.no,
        entry.line.content_start,
        end,
        tuple(urls),
        url_lines,
        note,
    )


# --------------------------------------------------------------------------------------------
# Paragraphs
# --------------------------------------------------------------------------------------------


@dataclass
class _Para:
    lines: list[_Line]
    kind: str = "body"
    joined: str = ""
    offsets: list[int] = field(default_factory=list)  # file offset of each joined character

    def build(self) -> None:
        """Join the lines (see join_gap), keeping each character's offset in the file."""
        parts: list[str] = []
        offs: list[int] = []
        for ln in self.lines:
            s = ln.raw.strip()
            base = ln.content_start
            gap = join_gap(parts[-1][-1] if parts else "", s) if parts else ""
            if gap:
                parts.append(gap)
                offs.append(base - 1)
            parts.append(s)
            offs.extend(range(base, base + len(s)))
        self.joined = "".join(parts)
        self.offsets = offs

    @property
    def first(self) -> _Line:
        return self.lines[0]


def _full_width(lines: list[_Line]) -> int:
    widths = sorted(display_width(ln.stripped) for ln in lines if len(ln.stripped) > 4)
    if not widths:
        return 0
    return widths[int(len(widths) * 0.75)]


def _heading_l3_number(text: str) -> int | None:
    m = RE_L3.match(text)
    if not m:
        return None
    rest = m.group(2)
    # "8.25亿美元" is a number, not heading 8: a heading's number is followed by text, and a
    # digit right after the dot is only accepted when a letter or CJK follows it ("2.3D晶体管").
    if rest[0].isdigit() and not re.match(r"^[0-9]+[A-Za-z]", rest):
        return None
    return int(m.group(1))


# --------------------------------------------------------------------------------------------
# Markers
# --------------------------------------------------------------------------------------------


@dataclass
class _Cand:
    para: _Para
    i: int  # index in para.joined
    j: int
    printed: str
    strong: bool
    page: int
    line: int
    readings: list[tuple[int, ...]] = field(default_factory=list)


def _digit_splits(digits: str, n: int) -> list[tuple[int, ...]]:
    """All ways to read a digit run as increasing footnote numbers in 1..n ("23" -> (2, 3))."""
    out: list[tuple[int, ...]] = []

    def rec(rest: str, acc: tuple[int, ...]) -> None:
        if not rest:
            out.append(acc)
            return
        for k in range(1, len(rest) + 1):
            head = rest[:k]
            if head[0] == "0":
                break
            v = int(head)
            if v > n:
                break
            if acc and v <= acc[-1]:
                continue
            rec(rest[k:], acc + (v,))

    rec(digits, ())
    return out


_RE_NUMRUN = re.compile(r"[0-9]+(?:\s*[-–]\s*[0-9]+)?")


def _candidates(
    para: _Para, text: str, line_page: dict[int, int], line_of: dict[int, int]
) -> list[_Cand]:
    out = []
    s = para.joined
    for m in _RE_NUMRUN.finditer(s):
        i, j = m.span()
        prev = s[i - 1] if i > 0 else ""
        nxt = s[j] if j < len(s) else ""
        if not prev or prev in NOT_BEFORE_MARKER or nxt and nxt not in AFTER_MARKER:
            continue
        if nxt in ",.，" and j + 1 < len(s) and s[j + 1].isdigit():
            continue  # 1,700 or 3.0
        # A number may be wrapped between lines only after a range hyphen ("4-" / "5。").
        printed_in_file = text[para.offsets[i] : para.offsets[j - 1] + 1]
        if "\n" in printed_in_file and not re.search(r"[-–]\s*\n", printed_in_file):
            continue
        strong = not (prev.isascii() and prev.isalpha()) and prev not in "™®"
        line = line_of[para.offsets[i]]
        out.append(_Cand(para, i, j, "".join(s[i:j].split()), strong, line_page[line], line))
    return out


def _readings(printed: str, n: int) -> list[tuple[int, ...]]:
    m = re.fullmatch(r"([0-9]+)[-–]([0-9]+)", printed)
    if m:
        a, b = int(m.group(1)), int(m.group(2))
        return [tuple(range(a, b + 1))] if 1 <= a < b <= n else []
    return _digit_splits(printed, n)


def _select_markers(cands: list[_Cand], n: int) -> list[tuple[_Cand, tuple[int, ...]]]:
    """Pick which candidates on one page are markers and how to read them.

    Markers cite footnotes in increasing order; the best reading covers the most footnotes,
    then prefers readings glued to words over readings glued to Latin names (``FuSe2``).
    """
    for c in cands:
        c.readings = _readings(c.printed, n)
    # dp[last] = (score, choices)
    dp: dict[int, tuple[float, list[tuple[_Cand, tuple[int, ...]]]]] = {0: (0.0, [])}
    for c in cands:
        new = dict(dp)
        for last, (score, chosen) in dp.items():
            for r in c.readings:
                if r[0] < last:
                    continue
                covered = {x for _, rr in chosen for x in rr}
                gain = sum(10.0 for x in r if x not in covered)
                gain -= sum(5.0 for x in r if x in covered)
                gain += 0.5 if c.strong else -1.0
                if gain <= 0:
                    continue
                cand = (score + gain, chosen + [(c, r)])
                key = r[-1]
                if key not in new or cand[0] > new[key][0]:
                    new[key] = cand
        dp = new
    return max(dp.values(), key=lambda t: t[0])[1]


# --------------------------------------------------------------------------------------------
# The parser
# --------------------------------------------------------------------------------------------


def parse_report(path: Path, report_id: str | None = None) -> ParsedReport:
    path = Path(path)
    text = read_report_text(path)
    return parse_text(text, path, report_id or path.stem)


def parse_text(text: str, path: Path, report_id: str) -> ParsedReport:
    lines = _split_lines(text)
    findings: list[Finding] = []

    # ---- pages and footnote blocks
    starts = _page_starts(lines)
    pages: list[Page] = []
    body: list[_Line] = []
    line_page: dict[int, int] = {}
    page_start_lines: set[int] = set()
    bounds = list(zip(starts, starts[1:] + [len(lines)], strict=True))
    for s, e in bounds:
        page_lines = lines[s:e]
        if not any(ln.stripped for ln in page_lines):
            continue
        number = len(pages) + 1
        for ln in page_lines:
            line_page[ln.no] = number
        k = _find_block(page_lines)
        footnotes: list[Footnote] = []
        echoes: list[EchoUrl] = []
        if k is not None:
            parsed = _parse_block(page_lines[k:])
            assert parsed is not None
            entries, echo_lines = parsed
            footnotes = [_make_footnote(number, en, findings) for en in entries]
            known = {u for f in footnotes for u in f.urls}
            for ln, url in echo_lines:
                echoes.append(EchoUrl(number, ln.no, url))
                if url not in known:
                    findings.append(
                        Finding(
                            "stray-url",
                            "warning",
                            ln.no,
                            f"URL after the footnote block is not in any footnote of page "
                            f"{number}: {url}",
                            number,
                        )
                    )
        body_lines = [
            ln for ln in page_lines[: k if k is not None else len(page_lines)] if ln.stripped
        ]
        if body_lines:
            page_start_lines.add(body_lines[0].no)
        body.extend(body_lines)
        pages.append(
            Page(number, page_lines[0].no, page_lines[-1].no, tuple(footnotes), tuple(echoes))
        )

    if not any(p.footnotes for p in pages):
        raise ChipkgError(
            "no footnotes found: expected numbered footnotes ('1 https://…') at the end of pages",
            path=path,
            line=1,
            hint="is this an analyst report with per-page footnotes?",
        )

    # ---- paragraphs
    full = _full_width(body)
    # Lines printed with no blank line between them belong together (a wrapped title) — except
    # across a page break, where a page without footnotes runs straight into the next page.
    cont = {
        ln.no
        for a, ln in zip(body, body[1:], strict=False)
        if ln.no == a.no + 1 and ln.no not in page_start_lines
    }
    paras: list[_Para] = []
    in_table = False
    l3_next = 1
    for idx, ln in enumerate(body):
        s = ln.stripped
        prev = body[idx - 1] if idx else None
        prev_s = prev.stripped if prev else ""
        if ln.no in cont and paras:
            paras[-1].lines.append(ln)  # the rest of a wrapped block
            continue
        start_new = prev is None
        kind = None
        prev_standalone = prev is not None and bool(
            RE_L1.match(prev_s)
            or RE_L2.match(prev_s)
            or RE_AUTHOR.match(prev_s)
            or (RE_CAPTION.match(prev_s) and not in_table)
        )
        if RE_L1.match(s) or RE_L2.match(s):
            start_new, kind, in_table = True, "heading", False
            l3_next = 1
        elif RE_AUTHOR.match(s):
            start_new, kind, in_table = True, "author", False
        elif RE_CAPTION.match(s):
            start_new, kind = True, "caption"
            in_table = s.startswith("表")
        elif in_table:
            if paras and paras[-1].kind == "caption":
                start_new, kind = True, "table"
        else:
            num = _heading_l3_number(s)
            prev_ends = (
                prev_standalone
                or prev_s.endswith(tuple(TERMINAL + CLOSERS))
                or (display_width(prev_s) < full - SHORT_MARGIN)
            )
            if num is not None and num == l3_next and (prev is None or prev_ends):
                start_new, kind = True, "l3"
                l3_next += 1
            elif RE_ENUM.match(s) and prev_ends:
                start_new = True
            elif prev is not None and not start_new:
                w = display_width(s)
                if prev_standalone or (ln.no + 1) in cont or prev.no in cont:
                    start_new = True  # a wrapped block (title) is a paragraph of its own
                elif display_width(prev_s) < full - SHORT_MARGIN or (
                    prev_s.endswith(tuple(SENTENCE_END + CLOSERS))
                    and full - INDENT_MAX <= w <= full - INDENT_MIN
                ):
                    start_new = True
        if start_new or not paras:
            paras.append(_Para([ln], kind=kind or "body"))
        else:
            paras[-1].lines.append(ln)
    for p in paras:
        p.build()

    # ---- articles, rubrics, titles, sections
    def title_like(p: _Para) -> bool:
        t = p.joined
        return (
            p.kind == "body"
            and 0 < len(t) <= TITLE_MAX_CHARS
            and not t.endswith(tuple(SENTENCE_END + "，,：:"))
            and not any(ch in t for ch in SENTENCE_END)
            and not RE_ENUM.match(t)
        )

    def date_lead(p: _Para | None) -> re.Match[str] | None:
        return RE_DATE_LEAD.match(p.joined) if p is not None and p.kind == "body" else None

    n = len(paras)
    article_starts: list[int] = []
    for k, p in enumerate(paras):
        nxt = paras[k + 1] if k + 1 < n else None
        nxt2 = paras[k + 2] if k + 2 < n else None
        after_author = k > 0 and paras[k - 1].kind == "author"
        if k == 0:
            article_starts.append(k)
            if title_like(p):
                p.kind = "title"
            continue
        if title_like(p) and nxt is not None and title_like(nxt) and date_lead(nxt2):
            p.kind, nxt.kind = "rubric", "title"
            article_starts.append(k)
        elif p.kind == "body" and title_like(p) and (date_lead(nxt) or after_author):
            p.kind = "title"
            article_starts.append(k)
        elif after_author and p.kind != "title":
            article_starts.append(k)

    # a line break in a title is a wrap, not a space, unless Latin words meet (already handled)
    articles: list[Article] = []
    sections: list[Section] = []
    para_article: list[int] = [0] * n
    para_section: list[int | None] = [None] * n
    rubric = ""
    known_names = _learn_author_names(
        [m.group(1) for p in paras if p.kind == "author" and (m := RE_AUTHOR.match(p.joined))]
    )
    bounds_a = list(zip(article_starts, article_starts[1:] + [n], strict=True))
    for ai, (a, b) in enumerate(bounds_a):
        title, title_line, date_v, authors, author_line = "", 0, None, (), None
        stack: list[Section] = []
        for k in range(a, b):
            p = paras[k]
            para_article[k] = ai
            if p.kind == "rubric":
                rubric = p.joined
            elif p.kind == "title" and not title:
                title, title_line = p.joined, p.first.no
                lead = date_lead(paras[k + 1]) if k + 1 < b else None
                if lead:
                    try:
                        date_v = date(int(lead.group(1)), int(lead.group(2)), int(lead.group(3)))
                    except ValueError:
                        findings.append(
                            Finding(
                                "bad-date",
                                "warning",
                                paras[k + 1].first.no,
                                f"not a valid date: {lead.group(0)}",
                            )
                        )
            elif p.kind == "author":
                m = RE_AUTHOR.match(p.joined)
                assert m
                authors = split_author_names(m.group(1), known_names)
                author_line = p.first.no
            elif p.kind in ("heading", "l3"):
                t = p.joined
                if m := RE_L1.match(t):
                    level, label, stitle = 1, m.group(1) + "、", m.group(2)
                elif m := RE_L2.match(t):
                    level, label, stitle = 2, f"（{m.group(1)}）", m.group(2)
                else:
                    m = RE_L3.match(t)
                    assert m
                    level, label = 3, m.group(1) + "."
                    rest = m.group(2)
                    standalone = len(p.lines) == 1 and not any(
                        c in rest.rstrip("。：:") for c in SENTENCE_END
                    )
                    stitle = (
                        rest.rstrip("。：:")
                        if standalone
                        else re.split(r"[。：:]", rest, maxsplit=1)[0]
                    )
                while stack and stack[-1].level >= level:
                    stack.pop()
                off = p.offsets[0]
                sec = Section(
                    off,
                    level,
                    label,
                    stitle.strip(),
                    stack[-1].start if stack else None,
                    ai,
                    p.first.no,
                    line_page[p.first.no],
                )
                sections.append(sec)
                stack.append(sec)
                if p.kind == "l3":
                    p.kind = "heading" if standalone else "body"
            para_section[k] = stack[-1].start if stack else None
        first = paras[a]
        last = paras[b - 1]
        articles.append(
            Article(
                ai,
                first.offsets[0],
                last.offsets[-1] + 1,
                title,
                title_line,
                rubric if any(paras[k].kind == "rubric" for k in range(a, b)) or ai > 0 else "",
                date_v,
                authors,
                author_line,
                first.first.no,
                line_page[first.first.no],
            )
        )

    # ---- markers: candidates on every paragraph, chosen page by page
    line_of: dict[int, int] = {}
    for ln in body:
        line_of.update(dict.fromkeys(range(ln.start, ln.start + len(ln.raw) + 1), ln.no))
    by_page: dict[int, list[_Cand]] = {}
    for p in paras:
        if p.kind in ("table",):
            continue
        for c in _candidates(p, text, line_page, line_of):
            by_page.setdefault(c.page, []).append(c)
    page_fn = {pg.number: len(pg.footnotes) for pg in pages}
    chosen: dict[tuple[int, int], tuple[Marker, int]] = {}  # (id(para), i) -> (Marker, end i)
    markers: list[Marker] = []
    for pg, cands in sorted(by_page.items()):
        picked = _select_markers(cands, page_fn.get(pg, 0))
        picked_ids = {id(c) for c, _ in picked}
        for c, nums in picked:
            mk = Marker(
                pg, c.line, c.para.offsets[c.i], c.para.offsets[c.j - 1] + 1, c.printed, nums
            )
            chosen[(id(c.para), c.i)] = (mk, c.j)
        for c in cands:
            if id(c) in picked_ids:
                continue
            if c.strong:
                mk = Marker(
                    pg,
                    c.line,
                    c.para.offsets[c.i],
                    c.para.offsets[c.j - 1] + 1,
                    c.printed,
                    tuple(int(x) for x in re.findall(r"[0-9]+", c.printed)),
                    dangling=True,
                )
                chosen[(id(c.para), c.i)] = (mk, c.j)
                findings.append(
                    Finding(
                        "dangling-marker",
                        "warning",
                        c.line,
                        f"marker-like number '{c.printed}' on page {pg} has no matching footnote "
                        f"(page has {page_fn.get(pg, 0)} footnotes; markers must appear in order)",
                        pg,
                    )
                )
            else:
                findings.append(
                    Finding(
                        "number-not-marker",
                        "info",
                        c.line,
                        f"'{c.para.joined[max(0, c.i - 6) : c.j + 1]}' on page {pg}: the number "
                        "is read as part of a name, not a footnote marker",
                        pg,
                    )
                )
    markers = sorted((mk for mk, _ in chosen.values()), key=lambda m: m.start)

    # ---- sentences (passages)
    passages: list[Passage] = []
    paragraphs: list[Paragraph] = []
    marks_in: dict[int, dict[int, tuple[Marker, int]]] = {}  # id(para) -> {i: (Marker, end i)}
    for (pid, i), mj in chosen.items():
        marks_in.setdefault(pid, {})[i] = mj
    section_at: dict[int, Section] = {}
    for sc in sections:
        section_at.setdefault(sc.start, sc)
    for k, p in enumerate(paras):
        mark_at = marks_in.get(id(p), {})
        mark_starts = sorted(mark_at)
        kind = p.kind if p.kind != "l3" else "body"
        paragraphs.append(
            Paragraph(
                k,
                p.offsets[0],
                p.offsets[-1] + 1,
                kind,
                line_page[p.first.no],
                p.first.no,
                para_article[k],
            )
        )
        spans = _sentence_spans(p.joined, kind)
        for si, sj in spans:
            # clean text: drop markers, collapse white space
            pieces, i = [], si
            mks = []
            for at in mark_starts[bisect_left(mark_starts, si) :]:
                if at >= sj:
                    break
                if at < i:
                    continue  # inside the marker before
                mk, mj = mark_at[at]
                pieces.append(p.joined[i:at])
                mks.append(mk)
                i = mj
            pieces.append(p.joined[i:sj])
            clean = re.sub(r"\s+", " ", "".join(pieces)).strip()
            if not clean:
                continue
            start = p.offsets[si]
            end = p.offsets[sj - 1] + 1
            skind = kind
            if kind == "heading" and RE_L3.match(p.joined) and si > 0:
                skind = "body"
            if kind == "body" and si == 0 and para_section[k] is not None:
                sec = section_at[para_section[k]]
                if (
                    sec.start == start
                    and sec.level == 3
                    and p.joined[si:sj].rstrip("。").endswith(sec.title)
                ):
                    skind = "heading"
            line = line_of[start]
            passages.append(
                Passage(
                    len(passages),
                    start,
                    end,
                    clean,
                    line_page[line],
                    line,
                    skind,
                    para_article[k],
                    para_section[k],
                    k,
                    tuple(mks),
                )
            )

    return ParsedReport(
        path=path,
        report_id=report_id,
        text=text,
        line_count=len(lines),
        pages=tuple(pages),
        articles=tuple(articles),
        sections=tuple(sections),
        paragraphs=tuple(paragraphs),
        passages=tuple(passages),
        markers=tuple(markers),
        findings=tuple(sorted(findings, key=lambda f: (f.line, f.kind))),
    )


def _sentence_spans(s: str, kind: str) -> list[tuple[int, int]]:
    """Split joined paragraph text into sentences on 。！？； (plus closing quotes/brackets).

    Tables are split at bullets as well; titles and headings are one passage each.
    """
    if kind in ("title", "rubric", "author", "caption"):
        return [(0, len(s))] if s.strip() else []
    spans, i, n = [], 0, len(s)
    j = 0
    while j < n:
        c = s[j]
        if kind == "table" and c == "•" and j > i:
            spans.append((i, j))
            i = j
            j += 1
            continue
        if c in SENTENCE_END:
            j += 1
            while j < n and s[j] in CLOSERS:
                j += 1
            spans.append((i, j))
            i = j
            continue
        j += 1
    if i < n:
        spans.append((i, n))
    out = []
    for a, b in spans:
        while a < b and s[a].isspace():
            a += 1
        while b > a and s[b - 1].isspace():
            b -= 1
        if a < b:
            out.append((a, b))
    return out
