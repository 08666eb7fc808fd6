"""The open world of one report: find the names the entity table lacks, resolve or mint them
(provisional.py), and link the report again with the provisional entities in the table."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from chipkg.extract import cue_finders, names, provisional
from chipkg.extract.entities import Entity, Linker, Mention
from chipkg.extract.linking import heading_countries, link_passages
from chipkg.ingest.report import ParsedReport


@dataclass(frozen=True)
class OpenWorld:
    linker: Linker  # the entity table, the report's provisional entities and resolved names
    provisional: dict[str, Entity] = field(default_factory=dict)  # minted, with their passages
    unresolved: tuple[tuple[str, tuple[str, ...], int], ...] = ()  # (name, reference ids, passage)
    mentions: dict[int, tuple[Mention, ...]] = field(default_factory=dict)  # the report relinked


def open_world(
    report: ParsedReport, linker: Linker, mentions: dict[int, tuple[Mention, ...]]
) -> OpenWorld:
    """Candidates in every passage, resolved against ``linker``'s table, in two rounds (names
    the text marks, then names by their cues, see provisional.py); a linker that also knows the
    provisional entities minted and the names found for table entities (德州仪器（TI）)."""
    strong = heading_countries(report, linker)
    words = names.generic_words(linker.entities)
    res = provisional.Resolution()
    current = linker
    rounds = (cue_finders.MARKED_FINDERS, cue_finders.CUE_FINDERS, cue_finders.DESCRIBED_FINDERS)
    for finders in rounds:
        views: dict[int, names.Passage] = {}
        found: dict[int, list[names.Candidate]] = {}
        for p in report.passages:
            view = names.Passage(
                p.index,
                p.text,
                list(mentions[p.index]),
                current.entities,
                strong[p.index],
                words,
            )
            views[p.index] = view
            cands = names.find_candidates(view, finders)
            if cands:
                found[p.index] = cands
        before = (len(res.provisional), len(res.bare_names))
        res = provisional.mint(found, views, current, res)
        if (len(res.provisional), len(res.bare_names)) != before:
            current = Linker(_table(linker.entities, res, report))
            mentions = link_passages(report, current)
    if current is linker:
        return OpenWorld(linker, unresolved=tuple(res.unresolved_at), mentions=mentions)
    minted = {eid: current.entities[eid] for eid in res.provisional}
    mentions = _with_described(report, mentions, minted)
    return OpenWorld(current, minted, tuple(res.unresolved_at), mentions)


def _with_described(
    report: ParsedReport, mentions: dict[int, tuple[Mention, ...]], minted: dict[str, Entity]
) -> dict[int, tuple[Mention, ...]]:
    """A plant minted from the words that describe it (新芯片工厂) is mentioned where those words
    are, in the passages it was minted from only: elsewhere the same words describe other plants."""
    out = dict(mentions)
    starts = {p.start: p for p in report.passages}
    for eid, e in minted.items():
        for start, _end in e.minted_from:
            p = starts[start]
            for phrase in e.described_as:
                at = p.text.find(phrase)
                if at < 0:
                    continue
                b = at + len(phrase)
                kept = [m for m in out[p.index] if not (at <= m.start and m.end <= b)]
                if any(m.start < b and at < m.end for m in kept):
                    continue
                new = Mention(at, b, eid, phrase)
                out[p.index] = tuple(sorted([*kept, new], key=lambda m: (m.start, m.end, m.entity)))
    return out


def _table(
    reference: dict[str, Entity], res: provisional.Resolution, report: ParsedReport
) -> dict[str, Entity]:
    """The reference entities and the provisional ones (with the passages they were minted
    from). A name found for a reference entity in a new form is not made an alias: the form may
    hold more than the name (先进封装设施（NAPMP）); a table company's name without its 公司
    (应用材料) is."""
    entities = dict(reference)
    for name, rid in res.bare_names.items():
        entities[rid] = replace(entities[rid], aliases=(*entities[rid].aliases, name))
    for eid, e in res.provisional.items():
        spans = tuple((report.passages[i].start, report.passages[i].end) for i in res.passages[eid])
        entities[eid] = replace(e, minted_from=spans)
    return entities
