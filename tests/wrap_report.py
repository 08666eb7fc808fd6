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


def readings(blocks: list[Block], width: int) -> int:
    """How many ways the printed lines can be grouped into paragraphs with the line widths
    exactly as printed: a line that goes on was full (the next word did not fit: on a first
    line, two characters narrower, or on a full line), a first line is no wider than a first
    line can be, a paragraph ends at the end of a sentence; a heading is a paragraph of its own.
    One reading: the widths show the paragraphs. More: no rule can tell them apart (e.g. a
    paragraph ending on a full line, followed by a one-line paragraph)."""
    full, first = 2 * width, 2 * width - 4
    total = 1
    segment: list[str] = []
    for b in [*blocks, Block("heading", (Sentence("一、"),))]:
        if b.kind == "body":
            segment.extend(wrap(b, width))
            continue
        if segment:
            total *= _segment_readings(segment, full, first)
        segment = []
    return total


def _segment_readings(lines: list[str], full: int, first: int) -> int:
    w = [_width(ln) for ln in lines]
    ends = [ln.rstrip().endswith(("。", "；")) for ln in lines]
    # ways[s]: readings of the lines so far in which the current line starts a paragraph (s)
    ways = {True: 1 if w[0] <= first else 0, False: 0}
    for i in range(1, len(lines)):
        u = _unit(lines[i])
        new = {True: 0, False: 0}
        for s_prev, n in ways.items():
            if not n:
                continue
            if ends[i - 1] and w[i] <= first:
                new[True] += n
            if w[i - 1] + u > (first if s_prev else full):
                new[False] += n
        ways = new
    return ways[True] + ways[False]
