"""Pages and the footnote block at the foot of each page.

* A page's first line starts with a space (or an ideographic space).
* A page ends with a footnote block: ``1 https://…`` lines with no blank line between them,
  numbered from 1 on every page (page footnotes) or on from the previous page's last footnote
  (continuous footnotes: page 3 may start at 9). A footnote may be its number alone with its URL
  after a blank line; a URL wraps over lines anywhere (a hyphen at a line end belongs to the
  URL); two URLs share a footnote separated by ``; `` or by starting a new line; a footnote that
  is text, not a URL, is a note.
* Bare URLs after a blank line below the block are PDF link annotations printed again (echoes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from chipkg.errors import Finding
from chipkg.ingest.model import EchoUrl, Footnote, Page
from chipkg.ingest.patterns import RE_FN_ENTRY, RE_URL_START
from chipkg.ingest.text import Line, join_gap
from chipkg.ingest.urls import broken_urls, split_urls


@dataclass(frozen=True)
class PageLayout:
    """The pages of a report, and the body lines left once footnote blocks are taken out."""

    pages: list[Page]
    body: list[Line]  # non-blank body lines, in order
    line_page: dict[int, int]  # line number -> page number
    page_start_lines: set[int]  # the first body line of each page


def page_starts(lines: list[Line]) -> list[int]:
    """Indexes of the lines that start a page: the first line, and every line that starts with a
    space (the PDF extraction indents a page's first line)."""
    starts = [0]
    for i, ln in enumerate(lines[1:], start=1):
        if ln.raw[:1] in (" ", "\u3000") and ln.stripped:
            starts.append(i)
    return starts


@dataclass
class Entry:
    number: int
    line: Line
    parts: list[tuple[Line, str]] = field(default_factory=list)
    last: Line | None = None

    @property
    def is_url(self) -> bool:
        return bool(self.parts) and bool(RE_URL_START.match(self.parts[0][1]))


def _number_ends_url(ln: Line, m, block: list[Line]) -> bool:
    """A number alone right under a URL starts a footnote only if its URL or text follows;
    otherwise it is the URL's last wrapped piece (".../2")."""
    nonblank = [x for x in block if x.stripped]
    k = nonblank.index(ln)
    nxt = nonblank[k + 1].stripped if k + 1 < len(nonblank) else ""
    nm = RE_FN_ENTRY.match(nxt)
    return not nxt or bool(nm and int(nm.group(1)) == int(m.group(1)) + 1)


def parse_block(
    block: list[Line], first: int = 1
) -> tuple[list[Entry], list[tuple[Line, str]]] | None:
    """Parse a candidate footnote block whose first footnote is numbered ``first``; None when a
    line does not fit the footnote layout."""
    entries: list[Entry] = []
    echoes: list[list] = []  # [first line, text, last line]
    current: Entry | list | None = None
    prev_blank = False
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
            and isinstance(current, Entry)
            and current.is_url
            and _number_ends_url(ln, m, block)
        ):
            m = None
        if m and int(m.group(1)) == len(entries) + first and not echoes:
            current = Entry(int(m.group(1)), ln)
            if m.group(2):
                current.parts.append((ln, m.group(2)))
            current.last = ln
            entries.append(current)
        elif isinstance(current, Entry) and not current.parts:
            current.parts.append((ln, s))  # "10" alone, its URL on a later line
            current.last = ln
        elif RE_URL_START.match(s) and not (isinstance(current, Entry) and not prev_blank):
            # after a blank line a bare URL is a PDF link echo; right under an entry it is that
            # footnote's next URL (joined with "; " when it has no separator)
            current = [ln, s, ln]
            echoes.append(current)
        elif current is not None and not prev_blank:
            if isinstance(current, Entry):
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


def find_block(page_lines: list[Line], firsts: tuple[int, ...] = (1,)) -> tuple[int, int] | None:
    """Where (index in page_lines) the footnote block starts and the number of its first
    footnote, one of ``firsts``; None if the page has none."""
    for i, ln in enumerate(page_lines):
        if i == 0:
            continue
        m = RE_FN_ENTRY.match(ln.stripped)
        if m and int(m.group(1)) in firsts and parse_block(page_lines[i:], int(m.group(1))):
            return i, int(m.group(1))
    return None


def _join_url_parts(entry: Entry) -> tuple[str, list[int]]:
    """A wrapped URL is rejoined as printed: the PDF breaks it anywhere, and a hyphen at the end
    of a line belongs to the URL. A line that starts a URL starts the footnote's next URL."""
    joined, starts = "", []
    for ln, part in entry.parts:
        if RE_URL_START.match(part):
            if joined and not joined.rstrip().endswith((";", "；")):
                joined += "; "
            starts.append(ln.no)
        joined += part
    return joined, starts


def _text_footnote(page: int, entry: Entry, findings: list[Finding]):
    """A footnote that is explanatory text: lines joined as prose, URLs inside it kept."""
    joined = ""
    for _, part in entry.parts:
        joined += join_gap(joined, part) + part
    urls, note = split_urls(joined, line=entry.line.no, text_footnote=True)
    for token, problem in broken_urls(joined):
        findings.append(
            Finding(
                "broken-url",
                "warning",
                entry.line.no,
                f"footnote {entry.number}: '{token}' is written as a URL but cannot be one "
                f"({problem}); it is kept as note text and cites nothing — fix the URL in the "
                "report text",
                page,
            )
        )
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
    return urls, tuple(entry.line.no for _ in urls), note


def make_footnote(page: int, entry: Entry, findings: list[Finding]) -> Footnote:
    end_line = entry.last or entry.line
    end = end_line.start + len(end_line.raw.rstrip())
    start = entry.line.content_start
    if not entry.parts:
        message = f"footnote {entry.number} is empty"
        findings.append(Finding("empty-footnote", "warning", entry.line.no, message, page))
        return Footnote(page, entry.number, entry.line.no, start, end, (), ())
    if entry.is_url:
        joined, starts = _join_url_parts(entry)
        urls, note = split_urls(joined, line=entry.line.no)
        url_lines = tuple(starts[i] if i < len(starts) else starts[-1] for i in range(len(urls)))
    else:
        urls, url_lines, note = _text_footnote(page, entry, findings)
    return Footnote(page, entry.number, entry.line.no, start, end, tuple(urls), url_lines, note)


def _echoes(
    number: int, echo_lines: list[tuple[Line, str]], footnotes: list[Footnote], findings
) -> list[EchoUrl]:
    """URLs printed again after the block; one that is in no footnote of the page is reported."""
    known = {u for f in footnotes for u in f.urls}
    echoes = []
    for ln, url in echo_lines:
        echoes.append(EchoUrl(number, ln.no, url))
        if url not in known:
            findings.append(
                Finding(
                    "stray-url",
                    "warning",
                    ln.no,
                    f"URL after the footnote block is not in any footnote of page {number}: {url}",
                    number,
                )
            )
    return echoes


# Which numbers a page's footnote block may start with, given the number after the last footnote
# of the pages before it: from 1 on every page, on from the last, or either (detection).
NUMBERING: dict[str, Callable[[int], tuple[int, ...]]] = {
    "page": lambda expected: (1,),
    "continuous": lambda expected: (expected,),
    "auto": lambda expected: (1, expected) if expected > 1 else (1,),
    "none": lambda expected: (),  # endnotes only: no footnote blocks
}


def read_pages(
    lines: list[Line],
    findings: list[Finding],
    numbering: str = "page",
    skip: frozenset[int] = frozenset(),
) -> PageLayout:
    """Split the report into pages, take each page's footnote block out, keep the body lines.
    Lines in ``skip`` (reference lists) are neither body nor footnote block."""
    starts = page_starts(lines)
    layout = PageLayout([], [], {}, set())
    expected = 1
    for s, e in zip(starts, starts[1:] + [len(lines)], strict=True):
        page_lines = lines[s:e]
        if not any(ln.stripped for ln in page_lines):
            continue
        number = len(layout.pages) + 1
        for ln in page_lines:
            layout.line_page[ln.no] = number
        page_lines = [ln for ln in page_lines if ln.no not in skip]
        firsts = NUMBERING[numbering](expected)
        found = find_block(page_lines, firsts) if page_lines and firsts else None
        k = found[0] if found else None
        footnotes: list[Footnote] = []
        echoes: list[EchoUrl] = []
        if found is not None:
            parsed = parse_block(page_lines[k:], found[1])
            assert parsed is not None
            entries, echo_lines = parsed
            footnotes = [make_footnote(number, en, findings) for en in entries]
            echoes = _echoes(number, echo_lines, footnotes, findings)
            expected = footnotes[-1].number + 1
        body_lines = [ln for ln in page_lines[: k if k is not None else None] if ln.stripped]
        if body_lines:
            layout.page_start_lines.add(body_lines[0].no)
        layout.body.extend(body_lines)
        first, last = lines[s].no, lines[e - 1].no
        layout.pages.append(Page(number, first, last, tuple(footnotes), tuple(echoes)))
    return layout
