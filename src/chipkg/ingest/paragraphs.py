"""Paragraphs: the body lines grouped back into the paragraphs the PDF wrapped.

* Lines printed with no blank line between them belong together (a title wrapped over two
  lines), except across a page break.
* Headings (``一、``, ``（一）``), author lines and captions are paragraphs of their own; a table
  runs from a ``表 N`` caption to the next heading, one paragraph.
* ``1.`` opens a (level-3) heading paragraph only when it is the next number in sequence and the
  line before is finished; ``（1）`` opens a paragraph after a finished line.
* Otherwise a paragraph ends where a line is short, or where the next line is indented (a first
  line is two CJK characters narrower than a full line).

"Short" and "indented" are measured against the report's own full line width, and a line is
short when the first word of the next line would have fitted on it: a line that stops early
because a long Latin word did not fit is not short. Nothing depends on the width the report
happens to be wrapped at (tests/test_properties.py rewraps one report at 20–40 characters).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from chipkg.ingest.patterns import (
    BIG,
    CLOSERS,
    FIT_SLACK,
    FULL_QUANTILE,
    INDENT,
    NO_LINE_END,
    NO_LINE_START,
    RE_AUTHOR,
    RE_CAPTION,
    RE_ENUM,
    RE_L1,
    RE_L2,
    RE_L3,
    ROOM_COST,
    SENTENCE_END,
    START_COST,
    TERMINAL,
    WIDE_COST,
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


def full_width(
    lines: list[Line], quantile: float = FULL_QUANTILE, firsts: frozenset[int] = frozenset()
) -> int:
    """The report's full line width (display columns): the ``quantile`` of its line widths,
    reached by two lines at least (a short report has few full lines); and at least INDENT
    wider than any line known to open a paragraph (its number in ``firsts``).

    The second bound matters where paragraphs are short: when no line is full width, the widest
    lines are first lines, and taking one for the full width reads a paragraph's widest first
    line as "too wide to open a paragraph" and a line that stopped well short of the true width
    as nearly full, and joins paragraphs the widths keep apart (tests/test_properties.py)."""
    widths = sorted(
        (display_width(ln.stripped) for ln in lines if len(ln.stripped) > 4), reverse=True
    )
    if not widths:
        return 0
    k = max(2, math.ceil((1 - quantile) * len(widths)))
    opened = [display_width(ln.stripped) + INDENT for ln in lines if ln.no in firsts]
    return max([widths[min(k, len(widths)) - 1], *opened])


RE_SENTENCE_END = re.compile(rf"[{SENTENCE_END}][{CLOSERS}]*$")
RE_GLUED_MARKER = re.compile(
    rf"[\[［【][0-9,，、\-–\s]*[\]］】]|[0-9]+(?:[-–][0-9]+)?(?=[{''.join(sorted(NO_LINE_START))}]|$)"
)


def next_unit(prev: str, s: str) -> int:
    """The width of what line ``s`` starts with that could not have been printed apart: a Latin
    word or number (with the space lost at the break), else one character; with an opening
    bracket or quote before it and the punctuation after it that may not start a line."""
    i = 0
    while i < len(s) and s[i] in NO_LINE_END:
        i += 1
    if i < len(s) and s[i].isascii() and s[i].isalnum():
        j = i
        while j < len(s) and s[j].isascii() and not s[j].isspace():
            j += 1
        lost_space = bool(prev) and not prev[-1].isascii() and prev[-1] not in NO_LINE_END
        w = display_width(s[:j]) + (1 if lost_space else 0)
    else:
        j = i + 1
        w = display_width(s[:j])
        while m := RE_GLUED_MARKER.match(s, j):  # a marker stays with its word
            w += display_width(m.group(0))
            j = m.end()
    while j < len(s) and s[j] in NO_LINE_START:
        w += display_width(s[j])
        j += 1
    return w


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


def heading_followers(body: list[Line], cont: set[int]) -> frozenset[int]:
    """Lines that surely open a body paragraph, so are indented: the line right under a
    heading, unless it is standalone itself or part of a block printed without blank lines (a
    wrapped title, which is not indented)."""
    return frozenset(
        ln.no
        for a, ln in zip(body, body[1:], strict=False)
        if (RE_L1.match(a.stripped) or RE_L2.match(a.stripped))
        and not is_standalone(ln.stripped, in_table=False)
        and ln.no not in cont
        and ln.no + 1 not in cont
    )


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
    """What the forced rules remember from line to line."""

    full: int
    cont: set[int]
    in_table: bool = False
    last_kind: str = ""  # kind of the paragraph last started
    l3_next: int = 1  # the number the next 1./2./3. heading must have


FREE = "free"  # a line the widths decide (see _choose)
CONTINUES = "continues"  # a line that goes on the paragraph before it, whatever its width


def _short(full: int, prev_s: str, s: str) -> bool:
    """The line before ``s`` stopped early: the first word of ``s`` would have fitted on it with
    FIT_SLACK columns to spare."""
    return full - display_width(prev_s) - next_unit(prev_s, s) >= FIT_SLACK


def _prev_ends(st: _State, prev_s: str, s: str, prev_standalone: bool) -> bool:
    """The previous line is finished: standalone, ends a sentence or clause, or is short."""
    return (
        prev_standalone or prev_s.endswith(tuple(TERMINAL + CLOSERS)) or _short(st.full, prev_s, s)
    )


def _body_line(
    st: _State, ln: Line, s: str, prev: Line | None, prev_standalone: bool
) -> str | None:
    """A body line's forced role: "l3" (a numbered heading), "body" (a paragraph start), or
    FREE (the widths decide)."""
    prev_s = prev.stripped if prev else ""
    num = heading_l3_number(s)
    prev_ends = prev is None or _prev_ends(st, prev_s, s, prev_standalone)
    if num is not None and num == st.l3_next and prev_ends:
        st.l3_next += 1
        return "l3"
    if (RE_ENUM.match(s) and prev_ends) or prev is None:
        return "body"
    if prev_standalone or (ln.no + 1) in st.cont or prev.no in st.cont:
        return "body"  # a wrapped block (title) is a paragraph of its own
    return FREE


def _forced(st: _State, ln: Line, prev: Line | None) -> str | None:
    """What a line is regardless of widths: the kind of paragraph it starts, CONTINUES, or FREE."""
    s = ln.stripped
    prev_standalone = prev is not None and is_standalone(prev.stripped, st.in_table)
    if ln.no in st.cont and prev is not None:
        return CONTINUES  # the rest of a wrapped block
    if RE_L1.match(s) or RE_L2.match(s):
        st.in_table, st.l3_next = False, 1
        return "heading"
    if RE_AUTHOR.match(s):
        st.in_table = False
        return "author"
    if RE_CAPTION.match(s):
        st.in_table = s.startswith("表")
        return "caption"
    if st.in_table:
        if st.last_kind == "caption":
            return "table"
        return "body" if prev is None else CONTINUES
    return _body_line(st, ln, s, prev, prev_standalone)


@dataclass(frozen=True)
class _Geometry:
    """Each body line's width, the width of the word the next line starts with, and whether it
    ends a sentence; the report's full width."""

    full: int
    widths: list[int]
    units: list[int]  # units[i]: the first word of line i, as the line before would have held it
    ends: list[bool]

    def pair(self, i: int, first: bool, last: bool) -> float:
        """The cost of line i (a first line or not) being its paragraph's last line or not."""
        room_cont = self.full - self.widths[i] - self.units[i + 1]
        if last:  # a paragraph ends at the end of a sentence, or on a short line (a title)
            return 0.0 if self.ends[i] or room_cont >= FIT_SLACK else BIG
        if room_cont >= FIT_SLACK:
            return BIG  # a short line ends its paragraph
        room = room_cont - (INDENT if first else 0)  # the next word would have fitted: room >= 0
        return max(0, room + 1) * ROOM_COST

    def start(self, i: int) -> float:
        """The cost of line i starting a paragraph: a first line is INDENT narrower."""
        return START_COST + WIDE_COST * max(0, self.widths[i] - (self.full - INDENT))


def _geometry(body: list[Line], full: int) -> _Geometry:
    strings = [ln.stripped for ln in body]
    units = [0] + [next_unit(a, b) for a, b in zip(strings, strings[1:], strict=False)] + [0]
    ends = [bool(RE_SENTENCE_END.search(s)) for s in strings]
    return _Geometry(full, [display_width(s) for s in strings], units, ends)


def _choose(body: list[Line], roles: list[str | None], full: int) -> list[bool]:
    """Which lines start a paragraph: the forced ones, and among the FREE ones the reading whose
    line widths fit best (Viterbi over start / continue, costs in _Geometry)."""
    geo = _geometry(body, full)
    flow = [r in (FREE, "body", "l3") for r in roles]
    options = [
        (True,) if r not in (FREE, CONTINUES) else (False,) if r == CONTINUES else (False, True)
        for r in roles
    ]
    best: dict[bool, tuple[float, list[bool]]] = {s: (0.0, [s]) for s in options[0]}
    for i in range(1, len(body)):
        new: dict[bool, tuple[float, list[bool]]] = {}
        for s in options[i]:
            for prev_s, (cost, path) in best.items():
                c = cost + (geo.start(i) if s and roles[i] == FREE else 0.0)
                if flow[i - 1] and flow[i]:
                    c += geo.pair(i - 1, prev_s, s)
                if s not in new or c < new[s][0]:
                    new[s] = (c, path + [s])
        best = new
    return min(best.values(), key=lambda t: t[0])[1]


def split_paragraphs(body: list[Line], page_start_lines: set[int]) -> list[Para]:
    """Group the body lines into paragraphs (see the module docstring), joined."""
    cont = continued_lines(body, page_start_lines)
    st = _State(full_width(body, firsts=heading_followers(body, cont)), cont)
    roles: list[str | None] = []
    for idx, ln in enumerate(body):
        role = _forced(st, ln, body[idx - 1] if idx else None)
        if role not in (FREE, CONTINUES):
            st.last_kind = role
        roles.append(role)
    starts = _choose(body, roles, st.full) if body else []
    paras: list[Para] = []
    for ln, role, start in zip(body, roles, starts, strict=True):
        if start or not paras:
            kind = role if role not in (FREE, CONTINUES, None) else "body"
            paras.append(Para([ln], kind=kind))
        else:
            paras[-1].lines.append(ln)
    for p in paras:
        p.build()
    return paras
