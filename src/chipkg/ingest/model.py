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
    note: str = ""  # explanatory text that is not a URL (an endnote: its title, author…)
    kind: str = "footnote"  # footnote (at a page's foot) | endnote (in a reference list)
    list_start: int | None = None  # an endnote: offset of its reference list's heading

    @property
    def key(self) -> int:
        """What identifies the note in its report: where it is printed."""
        return self.start


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
    refs: tuple[int, ...] = ()  # Footnote.key of each note it refers to (set by the parser)


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
class ReferenceList:
    """A list of endnotes (参考文献 / 注释 / 注 / References), after an article or the report."""

    heading: str
    line: int  # line of the heading
    start: int  # offset of the heading: also its identity
    end: int  # offset after its last entry
    last_line: int
    page: int
    notes: tuple[Footnote, ...]


# Citation styles (docs/decisions.md, "Citation styles"): how a report prints its notes.
PAGE_FOOTNOTES = "page-footnotes"  # at each page's foot, numbered from 1 on every page
CONTINUOUS_FOOTNOTES = "continuous-footnotes"  # at each page's foot, numbered through the report
ENDNOTES = "endnotes"  # [n] markers, reference lists after articles or the report
CITATION_STYLES = (PAGE_FOOTNOTES, CONTINUOUS_FOOTNOTES, ENDNOTES)


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
    citation_styles: tuple[str, ...] = (PAGE_FOOTNOTES,)  # the styles found (two when mixed)
    style_forced: bool = False  # set by the sidecar, not detected
    reference_lists: tuple[ReferenceList, ...] = ()

    @property
    def footnotes(self) -> tuple[Footnote, ...]:
        return tuple(f for p in self.pages for f in p.footnotes)

    def line_of(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1
