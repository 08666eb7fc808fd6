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
from dataclasses import dataclass
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
    nouns = [n for n in cues().facility_nouns if n.refers]
    return re.compile("|".join(re.escape(n.noun) for n in nouns)), {n.noun: n.kinds for n in nouns}


RE_AT_PLACE = re.compile(r"^\s*(?:的|追加|新增|的新)?\s*$")
OPERATOR_CATS = frozenset({"company", "research"})
CLAUSE_END = "，；：。！？,;:"
RE_BUILDING = re.compile("建设|新建|兴建|建造|建立")
RE_EACH = re.compile(r"各(?:自)?\s*(?:运营|建设|新建|拥有|设有|建有|运行)")
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


def _within(place: str, f: Entity, entities: dict[str, Entity]) -> bool:
    """Whether ``place`` lies inside the most specific place the table gives for facility ``f``
    (its broader place, else its country)."""
    chain, p = [], place
    while p and p not in chain and p in entities:
        chain.append(p)
        p = entities[p].broader
    country = entities[place].country if place in entities else ""
    where = f.broader or f.country
    return bool(where) and (where in chain or where == country) and place != where


RE_NOT_ITS = re.compile("其(?:中|他|余|实|次|后|间)")
RE_VERBISH = re.compile(
    "建设|建立|新建|建造|兴建|扩建|投资|使用|支持|提供|采用|生产|宣布|将|已|正在"
)


def _possessor(text: str, mentions: list[Mention], entities: dict[str, Entity], a: int) -> set[str]:
    """The owner a facility noun's own phrase names: an operator glued to it through place and
    modifier words (安靠皮奥里亚工厂), or the company 其 stands for (其凤凰城晶圆厂); empty when
    the phrase names none."""
    cs = max((text.rfind(c, 0, a) for c in CLAUSE_END), default=-1) + 1
    own = [
        m
        for m in mentions
        if cs <= m.start
        and m.end <= a
        and entities[m.entity].categories & OPERATOR_CATS
        and len(text[m.end : a]) <= 10
        and not RE_VERBISH.search(text[m.end : a])
        and not any(c in CLAUSE_END + "的" for c in text[m.end : a])
    ]
    if own:
        return {own[-1].entity}
    i = text.rfind("其", cs, a)
    if i >= 0 and not RE_NOT_ITS.match(text, i) and not RE_VERBISH.search(text, i, a):
        first = next(
            (m for m in mentions if m.end <= i and "company" in entities[m.entity].categories), None
        )
        return {first.entity} if first else set()
    return set()


@dataclass
class _Noun:
    """One facility noun of a passage and what its sentence says about it."""

    kinds: frozenset[str]
    operators: set[str]
    place_ids: list[str]
    cluster: bool
    new: bool  # 建设…新芯片工厂: a new plant being built


def _read_noun(
    text: str, mentions: list[Mention], entities: dict[str, Entity], h: re.Match, ops: set[str]
) -> _Noun | None:
    """The noun's kinds, owners and places, or None where it names no facility of the table."""
    a = h.start()
    kinds = _heads()[1][h.group(0)]
    if h.group(0) in nominal() and not any(
        entities[m.entity].type == "Region" and m.end <= a and RE_AT_PLACE.match(text[m.end : a])
        for m in mentions
    ):  # 在亚利桑那州追加投资: a plant there; 在日本投资: no one plant
        return None
    cluster = kinds == frozenset({"IndustrialCluster"})
    # places: before the noun (在X建设…工厂, X的工厂); clusters are also placed after it
    # (集群分布在X、Y)
    places = [m for m in mentions if is_location(text, m, entities) and (cluster or m.end <= a)]
    # a place in the noun's own clause wins (在纽约州建立…晶圆厂，…在爱达荷州建造一座晶圆厂)
    cs = max((text.rfind(c, 0, a) for c in CLAUSE_END), default=-1) + 1
    near = [m for m in places if m.start >= cs]
    if any(
        entities[m.entity].is_facility and text[max(0, m.start - 2) : m.start].endswith("在")
        for m in mentions
        if cs <= m.start and m.end <= a
    ):
        return None  # 在京畿道龙仁半导体集群建设首座晶圆厂: a plant placed in another facility
    if RE_EACH.search(text, cs, a) and not near:
        return None  # 在A和B各运营一座工厂, places the table lacks: none of the table's plants
    new = "新" in text[max(cs, a - 4) : a] and bool(RE_BUILDING.search(text, cs, a))
    operators = _possessor(text, mentions, entities, a) or ops
    return _Noun(kinds, operators, [m.entity for m in (near or places)], cluster, new)


def _fitting(
    noun: _Noun, facilities: Sequence[Entity], entities: dict[str, Entity]
) -> list[tuple[Entity, str | None]]:
    """The facilities of the table a noun can refer to, each with the place that fits it."""
    found: list[tuple[Entity, str | None]] = []
    for f in facilities:
        if f.type not in noun.kinds or (noun.new and f.provisional):
            continue  # 新芯片工厂: not a plant another sentence of the report named
        if f.operator and not noun.operators & set(f.operator):
            continue
        if not f.operator and not noun.cluster:
            continue
        chain = location_chain(f, entities)
        level = next((i for i, p in enumerate(chain) if p in noun.place_ids), None)
        place = chain[level] if level is not None else None
        if noun.place_ids and level is None:
            # a place the table does not place the facility in, but inside where it is (其凤凰城
            # 晶圆厂: Phoenix is in Arizona), or in its country where the table knows no more
            inside = [p for p in noun.place_ids if _within(p, f, entities)]
            if not inside:
                continue
            place = inside[-1]
        found.append((f, place))
    return found


def _single_out(
    noun: _Noun,
    found: list[tuple[Entity, str | None]],
    mentions: list[Mention],
    entities: dict[str, Entity],
    resolved: set[str],
) -> list[tuple[Entity, str | None]]:
    """The facilities the noun refers to among those that fit, or none where the text cannot
    tell them apart."""
    ops = noun.operators
    # the facilities most of whose operators the passage names (a joint venture named by its
    # partners), then those placed most precisely
    best = max(len(ops & set(f.operator)) for f, _ in found)
    found = [(f, p) for f, p in found if len(ops & set(f.operator)) == best]
    if not noun.place_ids and noun.cluster:
        # 韩国建设…集群: a cluster with no place named is the one in the actor's country
        countries = {m.entity for m in mentions if entities[m.entity].type == "Country"}
        return [(f, None) for f, _ in found if not f.broader and f.country in countries]
    if not noun.place_ids and any(sum(op in f.operator for f, _ in found) > 1 for op in ops):
        return []  # an operator with several facilities and no place to tell them apart
    # the same plant again (其位于佛蒙特州的工厂…，将其转变为美国首个…工厂)
    again = [(f, p) for f, p in found if f.id in resolved]
    if again:
        return again
    # one operator's plants told apart by the places named, or not at all
    seen: dict[tuple[str, str | None], int] = {}
    for f, p in found:
        for op in ops & set(f.operator):
            seen[(op, p)] = seen.get((op, p), 0) + 1
    return [] if any(n > 1 for (_, p), n in seen.items() if p is not None) else found


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
    for h in _heads()[0].finditer(text):
        a, b = h.span()
        if any(s < b and a < e for s, e in taken) or any(
            m.start <= a and b <= m.end for m in mentions
        ):
            continue  # a named facility, or a noun inside a longer name (超级集群计划)
        noun = _read_noun(text, mentions, entities, h, operators)
        found = _fitting(noun, facilities, entities) if noun is not None else []
        if noun is None or not found:
            continue
        found = _single_out(noun, found, mentions, entities, resolved)
        if not found:
            continue
        resolved.update(f.id for f, _ in found)
        if text[max(0, a - 4) : a].rstrip().endswith(("该", "此", "这", "其中")):
            found = [(f, None) for f, _ in found]  # 该工厂: named before, placed there
        out.extend(Mention(a, b, f.id, h.group(0), place=p) for f, p in found)
    return out
