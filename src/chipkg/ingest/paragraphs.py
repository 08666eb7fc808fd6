"""Paragraphs: the body lines grouped back into the paragraphs the PDF wrapped.

* Lines printed with no blank line between them belong together (a title wrapped over two
  lines), except across a page break.
* Headings (``一、``, ``（一）``), author lines and captions are paragraphs of their own; a table
  runs from a ``表 N`` caption to the next heading, one paragraph.
* ``1.`` opens a (level-3) heading paragraph only when it is the next number in sequence and the
  line before is finished; ``（1）`` opens a paragraph after a finished line.
* Otherwise a paragraph ends where a line is short, or where the next line is indented (a first
  line is two CJK characters narrower than a full line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from chipkg.ingest.patterns import (
    CLOSERS,
    INDENT_MAX,
    INDENT_MIN,
    RE_AUTHOR,
    RE_CAPTION,
    RE_ENUM,
    RE_L1,
    RE_L2,
    RE_L3,
    SENTENCE_END,
    SHORT_MARGIN,
    TERMINAL,
)
from chipkg.ingest.text import Line, display_width, join_gap


@dataclass
class Para:
    lines: list[Line]
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
    def first(self) -> Line:
        return self.lines[0]


def full_width(lines: list[Line]) -> int:
    """The report's full line width: the 75th percentile of line widths (display columns)."""
    widths = sorted(display_width(ln.stripped) for ln in lines if len(ln.stripped) > 4)
    if not widths:
        return 0
    return widths[int(len(widths) * 0.75)]


def heading_l3_number(text: str) -> int | None:
    m = RE_L3.match(text)
    if not m:
        return None
    rest = m.group(2)
    # "8.25亿美元" is a number, not heading 8: a heading's number is followed by text, and a
    # digit right after the dot is only accepted when a letter or CJK follows it ("2.3D晶体管").
    if rest[0].isdigit() and not re.match(r"^[0-9]+[A-Za-z]", rest):
        return None
    return int(m.group(1))


def continued_lines(body: list[Line], page_start_lines: set[int]) -> set[int]:
    """Lines printed right under the previous body line, with no blank line between (a wrapped
    title) — except across a page break, where a page without footnotes runs into the next."""
    return {
        ln.no
        for a, ln in zip(body, body[1:], strict=False)
        if ln.no == a.no + 1 and ln.no not in page_start_lines
    }


def is_standalone(s: str, in_table: bool) -> bool:
    """A line that is a paragraph of its own: a heading, an author line, a caption."""
    return bool(
        RE_L1.match(s)
        or RE_L2.match(s)
        or RE_AUTHOR.match(s)
        or (RE_CAPTION.match(s) and not in_table)
    )


@dataclass
class _State:
    """What the paragraph rules remember from line to line."""

    full: int
    cont: set[int]
    paras: list[Para] = field(default_factory=list)
    in_table: bool = False
    l3_next: int = 1  # the number the next 1./2./3. heading must have


def _prev_ends(st: _State, prev_s: str, prev_standalone: bool) -> bool:
    """The previous line is finished: standalone, ends a sentence or clause, or is short."""
    return (
        prev_standalone
        or prev_s.endswith(tuple(TERMINAL + CLOSERS))
        or (display_width(prev_s) < st.full - SHORT_MARGIN)
    )


def _body_line_starts(
    st: _State, ln: Line, s: str, prev: Line | None, prev_s: str, prev_standalone: bool
) -> tuple[bool, str | None]:
    """Whether a body line (not a heading, author line, caption or table) starts a paragraph."""
    num = heading_l3_number(s)
    prev_ends = _prev_ends(st, prev_s, prev_standalone)
    if num is not None and num == st.l3_next and (prev is None or prev_ends):
        st.l3_next += 1
        return True, "l3"
    if RE_ENUM.match(s) and prev_ends:
        return True, None
    if prev is None:
        return True, None
    w = display_width(s)
    if prev_standalone or (ln.no + 1) in st.cont or prev.no in st.cont:
        return True, None  # a wrapped block (title) is a paragraph of its own
    short = display_width(prev_s) < st.full - SHORT_MARGIN
    indented = (
        prev_s.endswith(tuple(SENTENCE_END + CLOSERS))
        and st.full - INDENT_MAX <= w <= st.full - INDENT_MIN
    )
    return short or indented, None


def _line_starts(st: _State, ln: Line, prev: Line | None) -> tuple[bool, str | None]:
    """Whether ``ln`` starts a paragraph, and the paragraph's kind when the line decides it."""
    s = ln.stripped
    prev_s = prev.stripped if prev else ""
    prev_standalone = prev is not None and is_standalone(prev_s, st.in_table)
    if RE_L1.match(s) or RE_L2.match(s):
        st.in_table, st.l3_next = False, 1
        return True, "heading"
    if RE_AUTHOR.match(s):
        st.in_table = False
        return True, "author"
    if RE_CAPTION.match(s):
        st.in_table = s.startswith("表")
        return True, "caption"
    if st.in_table:
        if st.paras and st.paras[-1].kind == "caption":
            return True, "table"
        return prev is None, None
    return _body_line_starts(st, ln, s, prev, prev_s, prev_standalone)


def split_paragraphs(body: list[Line], page_start_lines: set[int]) -> list[Para]:
    """Group the body lines into paragraphs (see the module docstring), joined."""
    st = _State(full_width(body), continued_lines(body, page_start_lines))
    for idx, ln in enumerate(body):
        prev = body[idx - 1] if idx else None
        if ln.no in st.cont and st.paras:
            st.paras[-1].lines.append(ln)  # the rest of a wrapped block
            continue
        start_new, kind = _line_starts(st, ln, prev)
        if start_new or not st.paras:
            st.paras.append(Para([ln], kind=kind or "body"))
        else:
            st.paras[-1].lines.append(ln)
    for p in st.paras:
        p.build()
    return st.paras
