"""Where a passage's clean text sits in the report file.

A passage's text is its sentence with the lines joined, footnote markers dropped and white space
collapsed; a sentence that crosses a page break also skips the footnotes printed in between. Rules
work on that clean text; a claim's ``span`` is in the report's own text (offsets into
``ParsedReport.text``), so that the citation layer can tell which clause of a sentence a claim rests
on. ``PassageOffsets`` maps one to the other by walking both texts together, skipping markers,
footnote blocks and stray link lines.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from chipkg.ingest.report import ParsedReport, Passage


def _skipped(report: ParsedReport) -> list[tuple[int, int]]:
    """File spans that are never part of a passage's clean text: markers, footnote entries and
    the link lines printed after a page's footnotes."""
    spans = [(m.start, m.end) for m in report.markers]
    spans += [(f.start, f.end) for f in report.footnotes]
    if any(p.echoes for p in report.pages):
        line_starts = [0] + [i + 1 for i, c in enumerate(report.text) if c == "\n"]
        for page in report.pages:
            for e in page.echoes:
                a = line_starts[e.line - 1]
                b = line_starts[e.line] if e.line < len(line_starts) else len(report.text)
                spans.append((a, b))
    return sorted(spans)


@dataclass
class PassageOffsets:
    """Maps offsets in passages' clean text to offsets in the report text."""

    report: ParsedReport
    _skip: list[tuple[int, int]] = field(init=False, repr=False)
    _skip_starts: list[int] = field(init=False, repr=False)
    _maps: dict[int, list[int]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self._skip = _skipped(self.report)
        self._skip_starts = [a for a, _ in self._skip]

    def _jump(self, pos: int) -> int:
        """``pos``, or the end of the skipped span it falls in."""
        while True:
            i = bisect_right(self._skip_starts, pos) - 1
            if i >= 0 and self._skip[i][0] <= pos < self._skip[i][1]:
                pos = self._skip[i][1]
            else:
                return pos

    def _map(self, p: Passage) -> list[int]:
        """The report offset of each character of ``p.text``. A space the clean text has where
        the lines were joined maps to the line break; a character that cannot be found (never, for
        the parser's own passages) maps to where the search stood."""
        text, pos, out = self.report.text, p.start, []
        limit = len(text)
        for ch in p.text:
            look = pos
            while look < limit:
                look = self._jump(look)
                if look >= limit:
                    break
                c = text[look]
                if (ch == " " and c.isspace()) or c == ch:
                    break
                if ch == " " and not c.isspace():
                    look = -1  # a joining space with no white space in the file
                    break
                look += 1
            if 0 <= look < limit:
                out.append(look)
                pos = look + 1
            else:
                out.append(pos)
        return out

    def to_report(self, p: Passage, start: int, end: int) -> tuple[int, int]:
        """Report offsets of the clean-text span [start, end) of passage ``p``."""
        m = self._maps.get(p.index)
        if m is None:
            m = self._maps[p.index] = self._map(p)
        if not m:
            return (p.start, p.end)
        start = min(max(start, 0), len(m) - 1)
        end = min(max(end, start + 1), len(m))
        return (m[start], m[end - 1] + 1)
