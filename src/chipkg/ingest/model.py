"""What the parser hands to later stages: a report's pages and footnotes, its articles, sections,
paragraphs and passages, and the footnote markers printed in them.

Every object keeps character offsets into the report file's text as read by Python (Unicode code
points, not bytes and not UTF-16 units), so any passage can be quoted back from the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from chipkg.errors import Finding


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
