"""Parse an analyst report (text extracted from a PDF) into pages, footnotes, articles, sections,
paragraphs, sentences and footnote markers.

Every object keeps character offsets into the report file's text as read by Python (Unicode code
points, not bytes and not UTF-16 units), so any passage can be quoted back from the file.

The parse runs in steps, one module each (their docstrings state the rules):

1. ``text``: the file read, split into lines with their offsets.
2. ``endnotes``: reference lists (``参考文献`` …) taken out of the text first; then
   ``footnotes``: pages, and the footnote block at the foot of each page (URL wraps, echoes).
   The citation style (``citation_styles``) follows from what was found, unless the sidecar
   forces it.
3. ``paragraphs``: body lines grouped into paragraphs (wrapped blocks, headings, widths).
4. ``structure``: articles (rubric, title, date, authors) and nested sections.
5. ``markers``: which numbers are footnote markers, chosen page by page; ``endnotes``: the
   bracketed markers, resolved to the reference list after them.
6. ``passages``: paragraphs split into sentences, each with its markers.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from chipkg.errors import ChipkgError, Finding
from chipkg.ingest import inputs
from chipkg.ingest.authors import split_author_names
from chipkg.ingest.endnotes import bracket_markers, find_reference_lists, make_lists
from chipkg.ingest.footnotes import PageLayout, read_pages
from chipkg.ingest.markers import choose_markers
from chipkg.ingest.model import (
    CONTINUOUS_FOOTNOTES,
    ENDNOTES,
    PAGE_FOOTNOTES,
    Article,
    EchoUrl,
    Footnote,
    Marker,
    Page,
    Paragraph,
    ParsedReport,
    Passage,
    ReferenceList,
    Section,
)
from chipkg.ingest.paragraphs import split_paragraphs
from chipkg.ingest.passages import make_passages
from chipkg.ingest.structure import read_structure
from chipkg.ingest.text import (
    display_width,
    join_gap,
    line_index,
    read_report_text,
    split_lines,
    without_bom,
)

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


# How footnote blocks are numbered under each style (None: detect)
NUMBERING = {
    None: "auto",
    PAGE_FOOTNOTES: "page",
    CONTINUOUS_FOOTNOTES: "continuous",
    ENDNOTES: "none",
}


def parse_report(
    path: Path, report_id: str | None = None, style: str | None = None
) -> ParsedReport:
    """Parse a report file. ``style`` forces a citation style; by default the report's sidecar
    (``citation_style``) may force one, else it is detected."""
    path = Path(path)
    text = read_report_text(path)
    if style is None:
        style = inputs.forced_style(path)
    return parse_text(text, path, report_id or path.stem, style)


def _styles(layout: PageLayout, lists: list[ReferenceList]) -> tuple[str, ...]:
    """The citation styles the notes found are printed in: footnotes numbered from 1 on each
    page, or numbered on across pages; reference lists."""
    blocks = [[f for f in p.footnotes if f.kind == "footnote"] for p in layout.pages]
    blocks = [b for b in blocks if b]
    styles = []
    if blocks:
        continued = any(b[0].number > 1 for b in blocks)
        styles.append(CONTINUOUS_FOOTNOTES if continued else PAGE_FOOTNOTES)
    if lists:
        styles.append(ENDNOTES)
    return tuple(styles)


def _with_endnotes(layout: PageLayout, lists: list[ReferenceList]) -> None:
    """Each page's notes: its footnotes, then the reference-list entries printed on it."""
    on_page: dict[int, list] = {}
    for rl in lists:
        for f in rl.notes:
            on_page.setdefault(f.page, []).append(f)
    for k, pg in enumerate(layout.pages):
        if pg.number in on_page:
            notes = pg.footnotes + tuple(on_page[pg.number])
            layout.pages[k] = replace(pg, footnotes=notes)


def _no_notes(path: Path, style: str | None) -> ChipkgError:
    forced = f" (the sidecar forces citation_style = '{style}')" if style else ""
    return ChipkgError(
        "no footnotes found: expected numbered footnotes ('1 https://…') at the end of pages"
        f", or a reference list ('参考文献' then '[1] …'){forced}",
        path=path,
        line=1,
        hint="is this an analyst report with footnotes or endnotes?",
    )


def _mixed(styles: tuple[str, ...], lists: list[ReferenceList]) -> list[Finding]:
    if len(styles) < 2:
        return []
    message = (
        f"the report mixes citation styles ({' and '.join(styles)}): footnote markers are read "
        f"against the footnotes of their page, bracketed markers against the reference lists"
    )
    return [Finding("mixed-citation-styles", "info", lists[0].line, message, lists[0].page)]


def parse_text(text: str, path: Path, report_id: str, style: str | None = None) -> ParsedReport:
    lines = split_lines(without_bom(text))
    findings: list[Finding] = []
    raw_lists, taken = (
        find_reference_lists(lines, findings) if style in (None, ENDNOTES) else ([], frozenset())
    )
    layout = read_pages(lines, findings, NUMBERING[style], taken)
    lists = make_lists(raw_lists, layout.line_page, findings)
    _with_endnotes(layout, lists)
    styles = _styles(layout, lists)
    if not styles:
        raise _no_notes(path, style)
    findings.extend(_mixed(styles, lists))
    paras = split_paragraphs(layout.body, layout.page_start_lines)
    structure = read_structure(paras, layout.line_page, findings)
    line_of = line_index(layout.body)
    chosen = {}
    if set(styles) & {PAGE_FOOTNOTES, CONTINUOUS_FOOTNOTES}:
        chosen = choose_markers(paras, layout.pages, text, layout.line_page, line_of, findings)
    chosen |= bracket_markers(paras, lists, layout.line_page, line_of, findings)
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
        citation_styles=styles if style is None else (style,),
        style_forced=style is not None,
        reference_lists=tuple(lists),
    )
