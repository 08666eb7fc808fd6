"""Print an invented report the way the PDF extraction prints analyst reports, hard-wrapped at a
chosen width, and say what a parser must find in it.

The layout follows the bundled report and the development corpus's README (tests/fixtures/dev/README.md): lines wrapped at
``width`` CJK characters (2 columns each; Latin letters and digits 1 column), a blank line
between lines, the first line of a paragraph two characters shorter; a space between a CJK
character and the Latin word after it, lost where the line breaks there; punctuation that may
not start a line (，。…) keeps the character before it company, an opening bracket or quote keeps
the one after it; a marker is glued to its word. A page holds ``page_lines`` lines; its
footnotes follow it, numbered from 1, and the next page's first line starts with a space.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

NO_LINE_START = set("，。、；：！？）”’」』》%")
NO_LINE_END = set("“‘「『（《")
MARK = "\x00"  # where a marker's number goes once pages are known


@dataclass(frozen=True)
class Sentence:
    text: str  # ends with 。 or ；
    url: str | None = None  # the sentence cites this URL: a marker before its end punctuation


@dataclass(frozen=True)
class Block:
    kind: str  # "heading" (one sentence, no marker) or "body"
    sentences: tuple[Sentence, ...]


def _width(s: str) -> int:
    return sum(1 if c.isascii() else 2 for c in s)


def _atoms(block: Block) -> list[tuple[str, bool]]:
    """The unbreakable pieces of a paragraph, each with whether a space precedes it."""
    atoms: list[tuple[str, bool]] = []
    pending_open = ""
    for sent in block.sentences:
        text = sent.text
        if sent.url:
            text = text[:-1] + MARK + text[-1]
        i = 0
        while i < len(text):
            c = text[i]
            space = False
            if c == " ":
                space, i = True, i + 1
                c = text[i]
            if c.isascii() and c.isalnum():
                j = i
                while j < len(text) and text[j].isascii() and text[j] not in " " + MARK:
                    j += 1
                piece = text[i:j]
            else:
                j, piece = i + 1, c
            i = j
            if piece in NO_LINE_END:
                pending_open += piece
                continue
            if atoms and (piece in NO_LINE_START or piece == MARK):
                atoms[-1] = (atoms[-1][0] + piece, atoms[-1][1])
                continue
            atoms.append((pending_open + piece, space and not pending_open))
            pending_open = ""
    return atoms


def wrap(block: Block, width: int) -> list[str]:
    """The paragraph's lines: greedy, first line two characters shorter."""
    lines: list[str] = []
    cur, cap = "", 2 * width - 4
    for piece, space in _atoms(block):
        add = (" " if space and cur else "") + piece
        if cur and _width(cur + add) > cap:
            lines.append(cur)
            cur, cap = piece, 2 * width
        else:
            cur += add
    if cur:
        lines.append(cur)
    return lines


def render(blocks: list[Block], width: int, page_lines: int = 20) -> str:
    """The report text: a title, the blocks wrapped at ``width``, footnotes page by page."""
    out: list[str] = [" 测试报告", ""]
    notes: list[str] = []
    count = 0
    urls = [s.url for b in blocks for s in b.sentences if s.url]

    def close_page() -> None:
        nonlocal count
        out.extend(f"{k} {u}" for k, u in enumerate(notes, start=1))
        notes.clear()
        count = 0

    for b in blocks:
        lines = [b.sentences[0].text] if b.kind == "heading" else wrap(b, width)
        for ln in lines:
            if count >= page_lines or ln.count(MARK) + len(notes) > 9:
                close_page()
                ln = " " + ln
            while MARK in ln:
                notes.append(urls.pop(0))
                ln = ln.replace(MARK, str(len(notes)), 1)
            out.extend([ln, ""])
            count += 1
    close_page()
    return "\n".join(out) + "\n"


def expected_levels(blocks: list[Block]) -> list[tuple[str, str | None, str | None]]:
    """(sentence, level, URL) of every body sentence, as the citation rules scope it: its own
    marker, else the next marked sentence of its paragraph, else none."""
    out = []
    for b in blocks:
        if b.kind != "body":
            continue
        for k, s in enumerate(b.sentences):
            if s.url:
                out.append((s.text, "sentence", s.url))
                continue
            later = next((t.url for t in b.sentences[k + 1 :] if t.url), None)
            out.append((s.text, "paragraph" if later else None, later))
    return out


def _unit(line: str) -> int:
    """The width of the first unbreakable piece of a printed line, with the space lost before a
    Latin word (as the line before would have held it)."""
    if line[:1].isascii() and line[:1] != MARK:
        return _width(line.split(" ")[0]) + 1
    piece = _atoms(Block("body", (Sentence(line),)))[0][0]
    return _width(piece)


INDENT = 4  # a first line is two CJK characters (4 columns) narrower than a full line
LIMIT = 16  # readings are counted up to this many: enough to tell one from several


def readings(blocks: list[Block], width: int) -> int:
    """How many ways the printed lines can be grouped into paragraphs with the line widths
    exactly as printed: a line that goes on was full (the next word did not fit: on a first
    line, INDENT columns narrower, or on a full line), a first line is no wider than a first
    line can be, a paragraph ends at the end of a sentence; a heading is a paragraph of its own.

    The reader is not told ``width``: a grouping counts if it fits the lines at some full width
    (the same for the whole report). When no line is full, the printed text does not show the
    width, and lines that are paragraphs of their own at ``width`` may be one paragraph at a
    narrower one (every two-sentence paragraph printed as one 40-column line at width 25 reads
    the same at width 22, where two such lines are one paragraph).
    One reading: the widths show the paragraphs. More (counted up to LIMIT): no rule can tell
    them apart (e.g. a paragraph ending on a full line, followed by a one-line paragraph)."""
    segments: list[list[str]] = []
    segment: list[str] = []
    for b in [*blocks, Block("heading", (Sentence("一、"),))]:
        if b.kind == "body":
            segment.extend(wrap(b, width))
            continue
        if segment:
            segments.append(segment)
        segment = []
    lines = [ln for seg in segments for ln in seg]
    if not lines:
        return 1
    widest = max(_width(ln) for ln in lines)
    longest_unit = max(_unit(ln) for ln in lines)
    found: set[tuple[tuple[bool, ...], ...]] = set()
    # past widest + longest_unit + INDENT no line can go on: every wider width reads the same
    for full in range(widest, widest + longest_unit + INDENT + 2):
        per_segment = [_segment_groupings(seg, full, full - INDENT) for seg in segments]
        found.update(itertools.islice(itertools.product(*per_segment), LIMIT))
        if len(found) >= LIMIT:
            break
    return min(len(found), LIMIT)


def _segment_groupings(lines: list[str], full: int, first: int) -> set[tuple[bool, ...]]:
    """The groupings of a run of body lines at one full width: for each line, whether it starts
    a paragraph (at most LIMIT per state: enough to tell one reading from several)."""
    w = [_width(ln) for ln in lines]
    ends = [ln.rstrip().endswith(("。", "；")) for ln in lines]
    # paths[s]: the groupings of the lines so far in which the current line starts a paragraph (s)
    paths: dict[bool, set[tuple[bool, ...]]] = {True: {(True,)} if w[0] <= first else set()}
    paths[False] = set()
    for i in range(1, len(lines)):
        u = _unit(lines[i])
        new: dict[bool, set[tuple[bool, ...]]] = {True: set(), False: set()}
        for s_prev, got in paths.items():
            if ends[i - 1] and w[i] <= first:
                new[True] |= {g + (True,) for g in got}
            if w[i - 1] + u > (first if s_prev else full):
                new[False] |= {g + (False,) for g in got}
        paths = {s: set(sorted(g)[:LIMIT]) for s, g in new.items()}
    return paths[True] | paths[False]
