"""One passage of a report as the review page shows it (the template's context), and the entity
search of its forms."""

from __future__ import annotations

from chipkg.extract.amounts import find_dates, find_money
from chipkg.extract.claims import PREDICATES
from chipkg.web.review_model import ReportState, entity_view, fold, relation_labels

LEVEL_LABELS = {
    "sentence": ("cited in the sentence", "句内引用"),
    "paragraph": ("cited in the paragraph", "段落引用"),
    "lead": ("covered by the article's lead source", "文章首段来源"),
}


def segments(text: str, mentions) -> list[dict]:
    """The sentence cut at its entity mentions (the longest first where two overlap); the
    segments' texts join to the sentence exactly, so that a selection's offsets are offsets into
    the passage text."""
    out, at = [], 0
    for m in sorted(mentions, key=lambda m: (m.start, -(m.end - m.start))):
        if m.start < at:
            continue
        if m.start > at:
            out.append({"text": text[at : m.start], "entity": None})
        out.append({"text": text[m.start : m.end], "entity": m.entity, "start": m.start})
        at = m.end
    if at < len(text):
        out.append({"text": text[at:], "entity": None})
    return out


def footnotes(st: ReportState, index: int) -> list[dict]:
    """The notes that support the passage, each with its marker, level and URLs."""
    seen: dict[int, dict] = {}
    for sup in st.cites.for_passage(index):
        f = sup.footnote
        note = seen.setdefault(
            f.key,
            {
                "number": f.number,
                "page": f.page,
                "kind": f.kind,
                "note": f.note,
                "marker": sup.marker.printed,
                "marker_page": sup.marker.page,
                "level": sup.level,
                "level_label": LEVEL_LABELS[sup.level],
                "urls": [],
            },
        )
        if sup.source and sup.source not in note["urls"]:
            note["urls"].append(sup.source)
    return list(seen.values())


def progress(st: ReportState) -> dict[str, int]:
    counts: dict[str, int] = {}
    for views in st.by_passage.values():
        for v in views:
            counts[v["state"]] = counts.get(v["state"], 0) + 1
    return counts


def _next_pending(st: ReportState, index: int, step: int) -> int | None:
    n = len(st.parsed.passages)
    i = index + step
    while 0 <= i < n:
        if any(v["state"] == "pending" for v in st.by_passage.get(i, ())):
            return i
        i += step
    return None


def _money_chip(m) -> dict:
    return {"value": str(m.value), "currency": m.currency, "qualifier": m.qualifier, "text": m.text}


def passage_context(st: ReportState, index: int, languages: tuple[str, ...]) -> dict:
    """Everything the passage template shows."""
    passages = st.parsed.passages
    p = passages[index]
    prov = st.extraction.provisional
    # names the table lacks are shown even where no claim uses them (to promote, or to use)
    mentions = {
        (m.start, m.end, m.entity): m
        for m in (
            *st.extraction.mentions.get(index, ()),
            *st.extraction.provisional_mentions.get(index, ()),
        )
    }.values()
    mentioned = {m.entity for m in mentions}
    return {
        "report": st.report_id,
        "file": st.path.name,
        "index": index,
        "total": len(passages),
        "prev": index - 1 if index > 0 else None,
        "next": index + 1 if index + 1 < len(passages) else None,
        "next_pending": _next_pending(st, index, 1),
        "prev_pending": _next_pending(st, index, -1),
        "passage": p,
        "segments": segments(p.text, mentions),
        "paragraph": [q for q in passages if q.paragraph == p.paragraph],
        "article": next((a for a in st.parsed.articles if a.index == p.article), None),
        "footnotes": footnotes(st, index),
        "level": st.cites.level_of(index),
        "claims": st.by_passage.get(index, []),
        "entities": {eid: entity_view(st.entities.get(eid), eid) for eid in sorted(mentioned)},
        "provisional": [entity_view(prov[e]) for e in sorted(mentioned) if e in prov],
        "money": [
            {
                "value": str(m.value),
                "currency": m.currency,
                "qualifier": m.qualifier,
                "text": m.text,
            }
            for m in find_money(p.text)
        ],
        "dates": [d.value for d in find_dates(p.text)],
        "relations": [(r, relation_labels()[r]) for r in PREDICATES],
        "stale": list(st.curation.stale) if st.curation else [],
        "progress": progress(st),
        "languages": languages,
    }


def search(st: ReportState, query: str, limit: int = 12) -> list[dict]:
    """Entities whose id, labels or aliases contain the query (either script), best first:
    an exact name, then a name that starts with it; among those, the entities the report
    mentions, then the shortest names."""
    q = fold(query)
    if not q:
        return []
    if st.mentioned is None:
        st.mentioned = {m.entity for ms in st.extraction.mentions.values() for m in ms}
    scored = []
    for e in st.entities.values():
        names = [e.id, e.label_en, e.label_zh, *e.aliases]
        best = None
        for name in names:
            n = fold(name)
            if q in n:
                rank = (
                    0 if n == q else 1 if n.startswith(q) else 2,
                    e.id not in st.mentioned,
                    len(n),
                )
                best = rank if best is None or rank < best else best
        if best is not None:
            scored.append((best, e.id, e))
    scored.sort(key=lambda t: (t[0], t[1]))
    return [entity_view(e) for _, _, e in scored[:limit]]
