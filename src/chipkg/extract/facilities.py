"""Facilities named by description rather than by name.

Reports seldom name a plant: they write 台积电在德累斯顿地区的新芯片工厂 ("TSMC's new chip
factory in the Dresden area") or 其位于佛蒙特州伯灵顿的工厂 ("its factory in Burlington,
Vermont"). A facility noun (工厂, 晶圆厂, 封装设施, 集群 …) in a passage that also names the
facility's operator and a place on its location chain is resolved to the reference facility
(``ontology/entities.csv``: ``operator`` and ``broader``, the place it is in). The result is an
ordinary mention at the noun, marked ``described`` and carrying the place that identified it, so
the relation rules treat it like a named facility and can state where it is.

Only reference data decides: a noun is resolved when the operators and places named in the
passage single out facilities of a fitting type, never by guessing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from chipkg.extract.cues import cues
from chipkg.extract.entities import Entity, Mention


@cache
def nominal() -> dict[str, str]:
    """投资/扩建 right after a place (台积电在亚利桑那州追加投资, 美光科技位于弗吉尼亚州的投资): an
    investment at a place is in the company's plant there; noun -> the investor's relation."""
    return {n.noun: n.nominal for n in cues().facility_nouns if n.nominal}


@cache
def _heads() -> tuple[re.Pattern[str], dict[str, frozenset[str]]]:
    """The facility nouns (data/entity_cues.toml) as one pattern, in the order listed, and the
    facility types each can refer to."""
    nouns = cues().facility_nouns
    return re.compile("|".join(re.escape(n.noun) for n in nouns)), {n.noun: n.kinds for n in nouns}


RE_AT_PLACE = re.compile(r"^\s*(?:的|追加|新增|的新)?\s*$")
OPERATOR_CATS = frozenset({"company", "research"})
CLAUSE_END = "，；：。！？,;:"
RE_COUNTRY_SCOPE = re.compile(r"\s*(?:唯一|首个|首座|历史上首|本土|境内|国内)")


def is_location(text: str, m: Mention, entities: dict[str, Entity]) -> bool:
    """A region is always a location; a country only where the text places something in it
    (在美国, 位于德国, 于日本): elsewhere it is usually an actor (韩国建设…, 美国将拥有…)."""
    e = entities[m.entity]
    if text[m.end : m.end + 3].lstrip().startswith(("政府", "当局")):
        return False  # 古吉拉特邦政府: the state's government, an actor
    if e.type == "Region":
        return True
    if e.type != "Country":
        return False
    # 在美国, 于日本; 美国唯一的…晶圆厂, 美国历史上首个…工厂, 美国本土的工厂
    return text[max(0, m.start - 2) : m.start].strip()[-1:] in ("在", "于") or bool(
        RE_COUNTRY_SCOPE.match(text[m.end :])
    )


def location_chain(e: Entity, entities: dict[str, Entity]) -> list[str]:
    """Where a facility is, most specific first: its place, that place's broader places, and
    its country."""
    chain: list[str] = []
    place = e.broader
    while place and place not in chain:
        chain.append(place)
        place = entities[place].broader
    if e.country and e.country not in chain:
        chain.append(e.country)
    return chain


def describe(
    text: str,
    mentions: list[Mention],
    entities: dict[str, Entity],
    facilities: Sequence[Entity] | None = None,
) -> list[Mention]:
    """Mentions of reference facilities that ``text`` describes by a facility noun.
    ``facilities``: the facilities of ``entities`` in table order, when the caller has them
    (``Linker.facilities``)."""
    taken = [(m.start, m.end) for m in mentions if entities[m.entity].is_facility]
    operators = {m.entity for m in mentions if entities[m.entity].categories & OPERATOR_CATS}
    if facilities is None:
        facilities = [e for e in entities.values() if e.is_facility]
    out: list[Mention] = []
    resolved: set[str] = set()
    re_head, kinds_of = _heads()
    for h in re_head.finditer(text):
        a, b = h.span()
        if any(s < b and a < e for s, e in taken) or any(
            m.start <= a and b <= m.end for m in mentions
        ):
            continue  # a named facility, or a noun inside a longer name (超级集群计划)
        kinds = kinds_of[h.group(0)]
        if h.group(0) in nominal() and not any(
            "place" in entities[m.entity].categories
            and m.end <= a
            and RE_AT_PLACE.match(text[m.end : a])
            for m in mentions
        ):
            continue
        cluster = kinds == frozenset({"IndustrialCluster"})
        # places: before the noun (在X建设…工厂, X的工厂); clusters are also placed after it
        # (集群分布在X、Y)
        places = [m for m in mentions if is_location(text, m, entities) and (cluster or m.end <= a)]
        # a place in the noun's own clause wins (在纽约州建立…晶圆厂，…在爱达荷州建造一座晶圆厂)
        cs = max((text.rfind(c, 0, a) for c in CLAUSE_END), default=-1) + 1
        near = [m for m in places if m.start >= cs]
        place_ids = [m.entity for m in (near or places)]
        found: list[tuple[Entity, str | None]] = []
        for f in facilities:
            if f.type not in kinds:
                continue
            if f.operator and not operators & set(f.operator):
                continue
            if not f.operator and not cluster:
                continue
            chain = location_chain(f, entities)
            level = next((i for i, p in enumerate(chain) if p in place_ids), None)
            if place_ids and level is None:
                continue
            found.append((f, chain[level] if level is not None else None))
        if not found:
            continue
        # the facilities most of whose operators the passage names (a joint venture named by
        # its partners), then those placed most precisely
        best = max(len(operators & set(f.operator)) for f, _ in found)
        found = [(f, p) for f, p in found if len(operators & set(f.operator)) == best]
        if not place_ids and cluster:
            # 韩国建设…集群: a cluster with no place named is the one in the actor's country
            countries = {m.entity for m in mentions if entities[m.entity].type == "Country"}
            found = [(f, None) for f, _ in found if not f.broader and f.country in countries]
        elif not place_ids and any(sum(op in f.operator for f, _ in found) > 1 for op in operators):
            continue  # an operator with several facilities and no place to tell them apart
        # the same plant again (其位于佛蒙特州的工厂…，将其转变为美国首个…工厂)
        again = [(f, p) for f, p in found if f.id in resolved]
        if again:
            found = again
        else:
            # one operator's plants told apart by the places named, or not at all
            seen: dict[tuple[str, str | None], int] = {}
            for f, p in found:
                for op in operators & set(f.operator):
                    seen[(op, p)] = seen.get((op, p), 0) + 1
            if any(n > 1 for (_, p), n in seen.items() if p is not None):
                continue
        resolved.update(f.id for f, _ in found)
        if text[max(0, a - 4) : a].rstrip().endswith(("该", "此", "这", "其中")):
            found = [(f, None) for f, _ in found]  # 该工厂: named before, placed there
        out.extend(Mention(a, b, f.id, h.group(0), place=p) for f, p in found)
    return out
