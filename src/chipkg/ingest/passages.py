"""Passages: each paragraph split into sentences on 。！？； (closing quotes and brackets stay with
their sentence); titles, headings, author lines and captions are one passage each; tables are split
at bullets. A passage's display text has its markers removed and white space collapsed; its file
span is exact (a sentence across a page break spans the footnote block in between).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from chipkg.ingest.markers import Chosen
from chipkg.ingest.model import Marker, Paragraph, Passage, Section
from chipkg.ingest.paragraphs import Para
from chipkg.ingest.patterns import CLOSERS, RE_L3, SENTENCE_END
from chipkg.ingest.structure import Structure

ONE_PASSAGE_KINDS = ("title", "rubric", "author", "caption")


def _trim(s: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans without their leading and trailing white space; empty ones dropped."""
    out = []
    for a, b in spans:
        while a < b and s[a].isspace():
            a += 1
        while b > a and s[b - 1].isspace():
            b -= 1
        if a < b:
            out.append((a, b))
    return out


def sentence_spans(s: str, kind: str) -> list[tuple[int, int]]:
    """Split joined paragraph text into sentences on 。！？； (plus closing quotes/brackets).

    Tables are split at bullets as well; titles and headings are one passage each.
    """
    if kind in ONE_PASSAGE_KINDS:
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
    return _trim(s, spans)


def clean_text(
    s: str, si: int, sj: int, mark_at: dict[int, tuple[Marker, int]], mark_starts: list[int]
) -> tuple[str, list[Marker]]:
    """The display text of s[si:sj] (markers dropped, white space collapsed), and its markers."""
    pieces, i = [], si
    mks = []
    for at in mark_starts[bisect_left(mark_starts, si) :]:
        if at >= sj:
            break
        if at < i:
            continue  # inside the marker before
        mk, mj = mark_at[at]
        pieces.append(s[i:at])
        mks.append(mk)
        i = mj
    pieces.append(s[i:sj])
    return re.sub(r"\s+", " ", "".join(pieces)).strip(), mks


def sentence_kind(p: Para, kind: str, si: int, sj: int, section: Section | None) -> str:
    """A passage's kind: its paragraph's, except the sentences after an inline ``1.标题。``
    heading (body) and the heading sentence that opens a body paragraph (heading)."""
    if kind == "heading" and RE_L3.match(p.joined) and si > 0:
        return "body"
    if (
        kind == "body"
        and si == 0
        and section is not None
        and section.start == p.offsets[si]
        and section.level == 3
        and p.joined[si:sj].rstrip("。").endswith(section.title)
    ):
        return "heading"
    return kind


@dataclass(frozen=True)
class _Where:
    line_page: dict[int, int]
    line_of: dict[int, int]
    section_at: dict[int, Section]


def _paragraph_passages(
    k: int, p: Para, kind: str, st: Structure, marks: dict, where: _Where, out: list[Passage]
) -> None:
    """Append the passages of paragraph ``k`` to ``out``."""
    mark_at = marks.get(id(p), {})
    mark_starts = sorted(mark_at)
    sec_start = st.para_section[k]
    section = where.section_at[sec_start] if sec_start is not None else None
    for si, sj in sentence_spans(p.joined, kind):
        clean, mks = clean_text(p.joined, si, sj, mark_at, mark_starts)
        if not clean:
            continue
        start, end = p.offsets[si], p.offsets[sj - 1] + 1
        line = where.line_of[start]
        out.append(
            Passage(
                len(out),
                start,
                end,
                clean,
                where.line_page[line],
                line,
                sentence_kind(p, kind, si, sj, section),
                st.para_article[k],
                sec_start,
                k,
                tuple(mks),
            )
        )


def make_passages(
    paras: list[Para],
    chosen: Chosen,
    st: Structure,
    line_page: dict[int, int],
    line_of: dict[int, int],
) -> tuple[list[Paragraph], list[Passage]]:
    """The report's paragraphs and passages (sentences), with the markers each passage holds."""
    marks: dict[int, dict[int, tuple[Marker, int]]] = {}  # id(para) -> {i: (Marker, end i)}
    for (pid, i), mj in chosen.items():
        marks.setdefault(pid, {})[i] = mj
    section_at: dict[int, Section] = {}
    for sc in st.sections:
        section_at.setdefault(sc.start, sc)
    where = _Where(line_page, line_of, section_at)
    paragraphs: list[Paragraph] = []
    passages: list[Passage] = []
    for k, p in enumerate(paras):
        kind = p.kind if p.kind != "l3" else "body"
        first = p.first.no
        start, end, article = p.offsets[0], p.offsets[-1] + 1, st.para_article[k]
        paragraphs.append(Paragraph(k, start, end, kind, line_page[first], first, article))
        _paragraph_passages(k, p, kind, st, marks, where, passages)
    return paragraphs, passages
