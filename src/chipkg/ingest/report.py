"""Parse an analyst report (text extracted from a PDF) into pages, footnotes, articles, sections,
paragraphs, sentences and footnote markers.

Every object keeps character offsets into the report file's text as read by Python (Unicode code
points, not bytes and not UTF-16 units), so any passage can be quoted back from the file.

The parse runs in steps, one module each (their docstrings state the rules):

1. ``text``: the file read, split into lines with their offsets.
2. ``footnotes``: pages, and the footnote block at the foot of each page (URL wraps, echoes).
3. ``paragraphs``: body lines grouped into paragraphs (wrapped blocks, headings, widths).
4. ``structure``: articles (rubric, title, date, authors) and nested sections.
5. ``markers``: which numbers are footnote markers, chosen page by page.
6. ``passages``: paragraphs split into sentences, each with its markers.
"""

from __future__ import annotations

from pathlib import Path

from chipkg.errors import ChipkgError, Finding
from chipkg.ingest.authors import split_author_names
from chipkg.ingest.footnotes import read_pages
from chipkg.ingest.markers import choose_markers
from chipkg.ingest.model import (
    Article,
    EchoUrl,
    Footnote,
    Marker,
    Page,
    Paragraph,
    ParsedReport,
    Passage,
    Section,
)
from chipkg.ingest.paragraphs import split_paragraphs
from chipkg.ingest.passages import make_passages
from chipkg.ingest.structure import read_structure
from chipkg.ingest.text import display_width, join_gap, line_index, read_report_text, split_lines

__all__ = [
    "Article",
    "EchoUrl",
    "Footnote",
    "Marker",
    "Page",
    "Paragraph",
    "ParsedReport",
    "Passage",
    "Section",
    "display_width",
    "join_gap",
    "parse_report",
    "parse_text",
    "read_report_text",
    "split_author_names",
]


def parse_report(path: Path, report_id: str | None = None) -> ParsedReport:
    path = Path(path)
    text = read_report_text(path)
    return parse_text(text, path, report_id or path.stem)


def parse_text(text: str, path: Path, report_id: str) -> ParsedReport:
    lines = split_lines(text)
    findings: list[Finding] = []
    layout = read_pages(lines, findings)
    if not any(p.footnotes for p in layout.pages):
        raise ChipkgError(
            "no footnotes found: expected numbered footnotes ('1 https://…') at the end of pages",
            path=path,
            line=1,
            hint="is this an analyst report with per-page footnotes?",
        )
    paras = split_paragraphs(layout.body, layout.page_start_lines)
    structure = read_structure(paras, layout.line_page, findings)
    line_of = line_index(layout.body)
    chosen = choose_markers(paras, layout.pages, text, layout.line_page, line_of, findings)
    paragraphs, passages = make_passages(paras, chosen, structure, layout.line_page, line_of)
    return ParsedReport(
        path=path,
        report_id=report_id,
        text=text,
        line_count=len(lines),
        pages=tuple(layout.pages),
        articles=tuple(structure.articles),
        sections=tuple(structure.sections),
        paragraphs=tuple(paragraphs),
        passages=tuple(passages),
        markers=tuple(sorted((mk for mk, _ in chosen.values()), key=lambda m: m.start)),
        findings=tuple(sorted(findings, key=lambda f: (f.line, f.kind))),
    )
