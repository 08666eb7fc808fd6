"""Fit between claims and their sources: government acts resting only on media or company
pages; a company newsroom cited for a claim about other organisations."""

from __future__ import annotations

from typing import Any

from chipkg.check.audit.model import (
    ACTOR_TYPES,
    CKG,
    GOVERNMENT_TYPES,
    KIND_LABELS,
    THRESHOLDS,
    Data,
    claim_row,
    label_of,
    name_of,
    type_name,
    types_of,
)
from chipkg.check.audit.publishers import belongs_to, publisher_entity


def measure(d: Data, claims: list[dict]) -> dict[str, Any]:
    th = THRESHOLDS["fit"]
    gov_rows = []
    mismatch_rows = []
    for c in claims:
        row = _government_act_on_weak_sources(d, c)
        if row is not None:
            gov_rows.append(row)
        for u in sorted(c["sources"]):
            row = _newsroom_about_others(d, c, u)
            if row is not None:
                mismatch_rows.append(row)
    return {
        "rules": {
            "government_action_weak_sources": (
                "a claim whose subject is a "
                + "/".join(th["government_subject_types"])
                + " and whose relation is one of "
                + ", ".join(th["government_actions"])
                + " rests only on sources whose publisher kind is "
                + "/".join(th["non_primary_kinds"])
            ),
            "publisher_mismatch": (
                "a source published by a company (publisher matched to a reference entity by "
                "name or alias) is cited for a claim whose subject and object are neither that "
                "company nor belong to it (part of it, operated by it, or named after it); "
                "'likely' when subject and object are both other actors, 'possible' otherwise"
            ),
        },
        "thresholds": th,
        "government_action_weak_sources": gov_rows,
        "publisher_mismatch": mismatch_rows,
    }


def _government_act_on_weak_sources(d: Data, c: dict) -> dict[str, Any] | None:
    """The claim's row when a government does a government act in it and every source is a
    media, company or other page; else None."""
    th = THRESHOLDS["fit"]
    actions = {CKG + a for a in th["government_actions"]}
    kinds = {u: d.sources[u]["kind"] for u in c["sources"] if u in d.sources}
    if not (
        c["predicate"] in actions
        and types_of(d, c["subject"]) & GOVERNMENT_TYPES
        and kinds
        and set(kinds.values()) <= set(th["non_primary_kinds"])
    ):
        return None
    row = claim_row(d, c)
    row["source_kinds"] = {u: kinds[u] for u in sorted(kinds)}
    rel = label_of(d, c["predicate"])["en"]
    on = []
    for k in sorted(set(kinds.values())):
        doms = sorted({d.sources[u]["domain"] for u in kinds if kinds[u] == k})
        on.append(f"{KIND_LABELS[k][0]} pages ({', '.join(doms)})")
    row["reasoning"] = (
        f"{name_of(d, c['subject'])} is a {type_name(d, c['subject'])} and "
        f"'{rel}' is a government act, but the claim rests only on "
        + ", ".join(on)
        + "; a government page or official register would confirm it."
    )
    return row


def _newsroom_about_others(d: Data, c: dict, u: str) -> dict[str, Any] | None:
    """The claim's row when source ``u`` is a company newsroom and neither the claim's subject
    nor its object is that company or belongs to it; else None."""
    src = d.sources.get(u)
    if src is None or src["kind"] not in THRESHOLDS["fit"]["newsroom_kinds"]:
        return None
    pub = publisher_entity(d, src)
    if pub is None or belongs_to(d, c["subject"], pub) or belongs_to(d, c["object"], pub):
        return None
    actors = bool(types_of(d, c["subject"]) & ACTOR_TYPES) and (
        c["object"] is None or bool(types_of(d, c["object"]) & ACTOR_TYPES)
    )
    named = pub in d.mentions.get(c["passage"], set())
    others = sorted(
        v for v in c["sources"] if v != u and d.sources.get(v, {}).get("kind") != "company"
    )
    row = claim_row(d, c)
    row["source"] = u
    row["publisher"] = label_of(d, pub)
    row["severity"] = "likely" if actors else "possible"
    pub_name = name_of(d, pub)
    row["reasoning"] = (
        f"{u} is a newsroom page of {pub_name} ({src['domain']}, publisher kind "
        f"{KIND_LABELS[src['kind']][0]}), but {_about(d, c, pub_name, actors)}. "
        + (
            f"The sentence also names {pub_name}, so the footnote may support another "
            "part of the sentence. "
            if named
            else f"The sentence does not name {pub_name}. "
        )
        + (
            f"Other sources of this claim: {', '.join(others)}."
            if others
            else "No other, independent source supports this claim."
        )
    )
    return row


def _about(d: Data, c: dict, pub_name: str, actors: bool) -> str:
    """What the claim is about, said against the publisher."""
    subject = name_of(d, c["subject"])
    if actors:
        obj = f" and object {name_of(d, c['object'])}" if c["object"] else ""
        return (
            f"the claim's subject {subject}{obj} are other organisations"
            if c["object"]
            else f"the claim's subject {subject} is another organisation"
        )
    return (
        f"neither the claim's subject {subject} nor its object "
        f"{name_of(d, c['object'])} is {pub_name} or belongs to it"
        if c["object"]
        else f"the claim's subject {subject} is not {pub_name}"
    )
