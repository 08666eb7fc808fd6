"""Who published a source, matched to a reference entity by name or alias, and whether an entity
is that organisation or belongs to it (part of it, operated by it, named after it)."""

from __future__ import annotations

import re

from chipkg.check.audit.model import ORG_TYPES, Data, types_of


def publisher_entity(d: Data, src: dict) -> str | None:
    """The reference entity the source's publisher names (matched on labels and aliases, with a
    parenthetical such as '(China)' removed), or None."""
    names = {_norm_name(n) for n in (src["publisher_en"], src["publisher_zh"]) if n}
    names.discard("")
    if not names:
        return None
    hits = []
    for e in sorted(d.types):
        if not (types_of(d, e) & ORG_TYPES):
            continue
        own = {_norm_name(v) for v in d.labels.get(e, {}).values()} | {
            _norm_name(a) for a in d.alt_labels.get(e, ())
        }
        if names & own:
            hits.append(e)
    return hits[0] if hits else None


def _norm_name(name: str) -> str:
    name = re.sub(r"\s*[(（][^)）]*[)）]\s*$", "", name)
    return name.strip().casefold()


def _entity_names(d: Data, e: str) -> set[str]:
    names = set(d.labels.get(e, {}).values()) | set(d.alt_labels.get(e, ()))
    return {n for n in names if len(n) >= 2}


def belongs_to(d: Data, e: str | None, org: str) -> str | None:
    """Why entity ``e`` counts as the organisation ``org`` or part of it, or None."""
    if e is None:
        return None
    if e == org:
        return "is the publisher"
    seen, todo = set(), [e]
    while todo:
        x = todo.pop()
        for parent in d.part_of.get(x, ()):
            if parent == org:
                return "is part of the publisher"
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    if org in d.operated_by.get(e, ()):
        return "is operated by the publisher"
    own = d.labels.get(e, {})
    for name in sorted(_entity_names(d, org)):
        for lab in own.values():
            if (
                lab != name
                and lab.casefold().startswith(name.casefold())
                and (not name.isascii() or lab[len(name) : len(name) + 1] in (" ", "-"))
            ):
                return f"is named after the publisher ('{lab}')"
    return None
