"""Clauses: the parts of a sentence that a marker inside it splits off (issue 15, clause scope).

A marker printed inside a sentence, with words after it, covers the words before it back to the
previous marker or the sentence start: in ``意大利为意法半导体拨款 20 亿欧元（约 21亿美元）3，用于在
西西里岛建立碳化硅（SiC）功率器件集成芯片工厂4-5。`` the funding rests on footnote 3, the fab on
footnotes 4–5. The words after the last marker of a sentence, when there are any, form a clause
of their own that rests on the whole sentence's markers (nothing says which).

Only sentences that a marker splits have clauses; every other sentence is its own clause, and the
sentence level says all there is (docs/provenance.md, "Clause scope").
"""

from __future__ import annotations

from dataclasses import dataclass

from chipkg.ingest.model import Marker, ParsedReport, Passage

# What does not make a clause on its own: white space and punctuation
_FILLER = set("，。、；：！？）)”’」』》,.;:!? \t\r\n")


@dataclass(frozen=True)
class Clause:
    passage: int
    start: int  # file offsets (report.text) of the words it covers, its closing markers included
    end: int
    markers: tuple[Marker, ...]  # the markers that close it; () for the words after the last one

    def covers(self, offset: int) -> bool:
        return self.start <= offset < self.end


def _has_words(text: str, start: int, end: int, markers: list[Marker]) -> bool:
    """Whether text[start:end] holds more than punctuation, white space and markers."""
    inside = [m for m in markers if start <= m.start < end]
    i = start
    for m in inside:
        if any(c not in _FILLER for c in text[i : m.start]):
            return True
        i = m.end
    return any(c not in _FILLER for c in text[i:end])


def passage_clauses(text: str, p: Passage) -> tuple[Clause, ...]:
    """The clauses of one passage; () when no marker splits it (it is one clause)."""
    live = sorted((m for m in p.markers if not m.dangling), key=lambda m: m.start)
    if not live or not _has_words(text, live[0].end, p.end, list(p.markers)):
        return ()  # no marker, or its markers close the sentence: nothing to split
    clauses: list[Clause] = []
    start = p.start
    for mk in live:
        if _has_words(text, start, mk.start, list(p.markers)) or not clauses:
            clauses.append(Clause(p.index, start, mk.end, (mk,)))
        else:  # two markers with nothing between (工厂1，2。): one clause, both markers
            last = clauses[-1]
            clauses[-1] = Clause(p.index, last.start, mk.end, (*last.markers, mk))
        start = mk.end
    if _has_words(text, start, p.end, list(p.markers)):
        clauses.append(Clause(p.index, start, p.end, ()))
    return tuple(clauses)


def split_into_clauses(report: ParsedReport) -> tuple[Clause, ...]:
    """The clauses of every passage that a marker splits, in text order."""
    return tuple(c for p in report.passages for c in passage_clauses(report.text, p))
