"""Finders of names by their cues (the second round of names.py): the word a name ends with, a
government, a place inside a place, the place in a plant's name."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from chipkg.extract.coordination import coordinated_name
from chipkg.extract.cues import NameSuffix, cues
from chipkg.extract.entities import Mention
from chipkg.extract.kind_finders import (
    argument_slot,
    clause_subject,
    led_centre,
    listed_before_kind,
    numbered_plant,
    role_slot,
    standard_name,
    technology_listed,
    worked_on_technology,
)
from chipkg.extract.latin_names import _kind_before, latin_name
from chipkg.extract.names import (
    CJK,
    DIRECTIONS,
    FACILITY_TYPES,
    LOCATIVES,
    RE_GOVERNMENT,
    RE_UNIT,
    STOP_CHARS,
    Candidate,
    Passage,
    _after_descriptor,
    _hard_stops,
    _is_place,
    _not_a_name,
    _outer_region,
    _project_type,
    _strip_fillers,
    _suffix_order,
    _type_of_head,
    _verb_pattern,
    book_title,
    bracketed_abbreviation,
    is_generic,
    key_name,
    name_part,
    person_name,
    quoted_name,
    spans_of,
    stem_start,
)


def _launched(p: Passage, start: int) -> bool:
    """Whether a launching verb governs the name starting at ``start`` in its clause (设立 17万亿
    韩元低息贷款项目, 推出…的半导体产业综合支持方案)."""
    cs = max((p.text.rfind(c, 0, start) for c in "，。；：,;:"), default=-1) + 1
    return any(v in p.text[cs:start] for v in cues().launch_verbs)


def _suffixed_candidate(p: Passage, s: NameSuffix, start: int, a: int, b: int) -> Candidate | None:
    """The candidate a suffix makes with its stem, if the stem names (see suffixed_name)."""
    t = p.text
    outer = ""
    if s.type == "Region":
        start, outer = _inner_place(p, start, a)
    elif _describes_next(p, b):
        return None  # 美国另类资产管理公司阿波罗: what the company after it is, not a name
    elif s.type in DESCRIBED_ORGS and not t[start:b].endswith("有限公司"):
        # 美国功率半导体企业威世科技 → 威世科技 (a legal name, …有限公司, is whole as written)
        start = _after_descriptor(p, start, a)
    stem, name = t[start:a], t[start:b]
    compact = re.sub(r"\s+", "", stem)
    if len(compact) < (1 if outer else s.min_stem) or _not_a_name(t, start, a, b):
        return None
    if (s.word_end and not _ends_word(p, b)) or compact + s.suffix in s.terms:
        return None
    if outer:
        return Candidate(start, b, name, s.type, "suffixed_name", broader_name=outer)
    inner = p.mention_at(start, a)
    etype = _project_type(stem, s.type)
    named = bool(name_part(stem, p, start)) or _named_after_country(p, s, inner, compact)
    alone = len(inner) == 1 and not _strip_fillers(stem.replace(inner[0].surface, ""))
    own_body = s.place_prefix and alone and _is_place(p, inner[0])  # 得克萨斯州议会
    # 三星证券: a group's name and a line of business is another company (not 三星公司)
    own_body = own_body or (
        alone
        and s.type == "Company"
        and s.suffix not in ("公司", "集团", "集团公司", "有限公司")
        and p.type_of(inner[0]) == "Company"
    )
    own_plant = alone and etype in FACILITY_TYPES and _owns_no_plant(p, inner[0])  # VSMC晶圆厂
    if not named and alone and not own_body and not own_plant:
        return None  # 俄亥俄一号项目, 三星电子计划: a named thing and its kind, or a verb
    if _a_phase_of(p, inner, start, a):
        return None  # Fab 12i第三期项目: a phase of the plant the text names, no plant of its own
    # 国家市场监督管理总局: the nation's own; 北川省工业和信息化厅: a province's not in the table
    regional = (len(compact) >= 3 and _type_of_head(compact) == "Region") or bool(
        _outer_region(t, start, a)[1]
    )  # not 联邦内阁: 联邦 is no region's name
    national = named and (t.startswith("国家", start) or regional)
    if (
        s.place_prefix
        and not national
        and not (inner and inner[0].start == start and _is_place(p, inner[0]))
    ):
        return None
    if etype in FACILITY_TYPES:
        owner = [m for m in inner if "org" in p.entities[m.entity].categories]
        places = [m for m in inner if _is_place(p, m)]
        if not (named or owner or (places and _actor_in_clause(p, start))):
            return None
        if _a_known_plant(p, owner, places, start):
            return None  # 安靠皮奥里亚工厂, 其凤凰城晶圆厂: a plant of its owner's the table knows
        c = Candidate(start, b, name, etype, "suffixed_name", key_name=key_name(p, start, b))
        inner_place = _place_in_plant(p, start, a) if "Fab" in _plant_kinds(s.suffix) else None
        if inner_place is not None:
            # 俄勒冈州格雷沙姆工厂 is in 格雷沙姆 and is also called 格雷沙姆工厂
            return replace(
                c,
                operator=tuple(dict.fromkeys(m.entity for m in owner)),
                broader_name=inner_place.name,
                aliases=(t[inner_place.start : b],),
            )
        return replace(
            c,
            operator=tuple(dict.fromkeys(m.entity for m in owner)),
            broader=places[-1].entity if places else "",
        )
    if s.generic_stem:
        if not (_launched(p, start) or re.search("[A-Za-z]{2}", stem)):
            return None
        if len(_strip_fillers(compact)) < max(s.min_stem, 2 if named else 4):
            return None  # 创新战略, 投资计划: too short a description to name anything
    elif not named and not own_body:
        return None
    return Candidate(start, b, name, etype, "suffixed_name", key_name=key_name(p, start, b))


RE_COUNT = re.compile(
    r"^(?:国内|全球|全国|本土|当地)?[一二三四五六七八九十两首数几0-9]+\s*(?:座|家|个|条|所|处)"
)


def _without_count(phrase: str) -> str:
    """The words that describe a plant without how many there are (一座半导体封装测试工厂 →
    半导体封装测试工厂): the count is no part of what it is called."""
    return RE_COUNT.sub("", phrase).strip() or phrase


def _named_after_country(p: Passage, s: NameSuffix, inner: list[Mention], compact: str) -> bool:
    """新墨西哥州: a region whose name holds a country's and a word more is a name of its own."""
    if s.type != "Region" or len(inner) != 1 or p.type_of(inner[0]) != "Country":
        return False
    return len(compact) > len(re.sub(r"\s+", "", inner[0].surface))


def _describes_next(p: Passage, b: int) -> bool:
    """Whether an organisation's name starts right after ``b`` (white space allowed)."""
    at = b + len(p.text[b:]) - len(p.text[b:].lstrip(" "))
    return any(m.start == at and "org" in p.entities[m.entity].categories for m in p.mentions)


RE_PHASE = re.compile(r"\s*第?[一二三四五六七八九十0-9]+期(?:扩建)?(?:工程)?\s*")


def _a_phase_of(p: Passage, inner: list[Mention], start: int, a: int) -> bool:
    """Whether the stem is a facility's name and the phase of it (Fab 12i第三期)."""
    if not inner or inner[0].start != start or not p.entities[inner[0].entity].is_facility:
        return False
    return bool(RE_PHASE.fullmatch(p.text, inner[0].end, a))


def _ends_word(p: Passage, b: int) -> bool:
    """Whether a word ends at ``b``: the text ends, or a stop, punctuation, white space, a Latin
    letter or a verb follows (远山电子于, 远山电子宣布; not 电子设计软件)."""
    t = p.text
    if b >= len(t) or t[b] in STOP_CHARS or not RE_CJK_CHAR.match(t[b]):
        return True
    return bool(_verb_pattern().match(t, b))


RE_CJK_CHAR = re.compile(f"[{CJK}]")


def _a_known_plant(p: Passage, owner: list[Mention], places: list[Mention], at: int) -> bool:
    """Whether a plant named by its owner or its place is one the table already has: its owner
    (named in it, else the company the sentence is about) has a table plant in that country, or
    has one plant only and the name gives no table region."""
    who = [m.entity for m in owner] or [
        m.entity for m in p.mentions if m.end <= at and "company" in p.entities[m.entity].categories
    ][:1]
    plants = [
        e
        for e in p.entities.values()
        if e.is_facility and not e.provisional and set(who) & set(e.operator)
    ]
    if not plants:
        return False
    if owner:
        where = {p.entities[x.entity].country or x.entity for x in places}
        return (
            len(plants) == 1
            and not any(
                p.type_of(x) == "Region" and not p.entities[x.entity].provisional for x in places
            )
            and (not where or plants[0].country in where)  # 博世…罗斯维尔: not its German plant
        )
    countries = {
        x.entity if p.type_of(x) == "Country" else p.entities[x.entity].country for x in places
    }
    if not countries and p.context_countries:
        countries = {p.context_countries[0]}
    return any(e.country in countries for e in plants)


def _inner_place(p: Passage, start: int, a: int) -> tuple[int, str]:
    """北卡罗来纳州锡勒城: a place name whose stem holds another place's suffix names a place
    inside that one; the stem starts after it, and the outer place is returned by name."""
    t = p.text
    regions = [x.suffix for x in _suffix_order() if x.type == "Region"]
    best = None
    for suf in regions:
        k = t.rfind(suf, start, a)
        if k > start and k + len(suf) < a and (best is None or k + len(suf) > best):
            best = k + len(suf)
    if best is None or a - best < 1 or (a - best < 2 and best - start < 3):
        return start, ""  # 密歇根州贝城: 贝城 (a one-character stem after a whole place name)
    return best, t[start:best]


def _owns_no_plant(p: Passage, m: Mention) -> bool:
    """VSMC晶圆厂: an organisation with no plant in the table names its plant by its own name."""
    return "org" in p.entities[m.entity].categories and not any(
        m.entity in e.operator for e in p.entities.values()
    )


def _actor_in_clause(p: Passage, at: int) -> bool:
    """Whether the sentence names an organisation that may own a facility (其 counts)."""
    return "其" in p.text[:at] or any(
        "org" in p.entities[m.entity].categories for m in p.mentions if m.end <= at
    )


def suffixed_name(p: Passage) -> list[Candidate]:
    """A name by the word it ends with (…集团, …州, …项目; data/entity_cues.toml): a company or
    place needs a word of its own (华虹集团, not 半导体公司); a plant its owner, place or a word of
    its own (安靠皮奥里亚工厂, 新加坡扩建晶圆厂 with its owner in the sentence); a programme named
    by a description needs a verb that launches it (设立 17万亿韩元低息贷款项目)."""
    out = []
    stops = _hard_stops(p)
    for s in _suffix_order():
        for a, b in spans_of(s.suffix, p.text):
            if any(x.start < b <= x.end for x in p.mentions):
                continue  # the suffix ends a name the linker found (not 先进封装 in 先进封装工厂)
            if p.text.startswith("《", b):
                continue  # 国家半导体战略《硅岛》: the kind of the title after it, no name
            start = stem_start(p, a, stops)
            if s.place_prefix:
                start = _remits_start(p, start, a)
            c = _suffixed_candidate(p, s, start, a, b)
            if c is not None:
                out.append(c)
    return out


# organisations a description may stand before (美国功率半导体企业威世科技, 非营利机构北川研究院);
# a ministry's name holds such words itself (企业、旅游和就业部)
DESCRIBED_ORGS = frozenset({"Company", "ResearchInstitution", "Association", "ThinkTank"})
RE_REMITS = re.compile(rf"(?:[{CJK}]{{2}}、)*[{CJK}]{{2}}(?:和|与)[{CJK}]{{2,3}}$")


def _remits_start(p: Passage, start: int, a: int) -> int:
    """A ministry named by its remits, listed with 、 and 和 after its place (北海国工业、贸易和
    就业部): the stem goes back over the list to the place; else ``start``."""
    m = RE_REMITS.search(p.text, max(0, a - 24), a)
    if m is None or m.start() >= start:
        return start
    place = [x for x in p.mentions if x.end == m.start() and _is_place(p, x)]
    if place:
        return place[0].start
    lead = stem_start(p, m.start(), [])  # 北川省工业和信息化厅: a region the table lacks
    head = p.text[lead : m.start()]
    return lead if len(head) >= 3 and _type_of_head(head) == "Region" else start


def government_of(p: Passage) -> list[Candidate]:
    """X政府: X is a country whose government acts (以色列政府批准…); the government of a state,
    province or city is a body of its own (昆士兰州政府, in that place), and so is one named after
    its leader (特朗普政府: the table has every country, and an unknown X ending in 国 is one)."""
    out = []
    stops = _hard_stops(p)
    for m in RE_GOVERNMENT.finditer(p.text):
        end = m.end(1)
        start = stem_start(p, end, stops)
        name = p.text[start:end]
        regional = _regional_government(p, start, end, m.end())
        if regional is not None:
            out.append(regional)
            continue
        if len(name) < 2 or len(name) > 5 or p.covered(start, end) or _type_of_head(name):
            continue
        if is_generic(name, p, start) or _not_a_name(p.text, start, end, end):
            continue
        if not name.endswith("国"):
            # the table has every country: X政府 of an unknown X that is no …国 is a government
            # named after its leader or seat (特朗普政府), a body of its own
            out.append(
                Candidate(
                    start, m.end(), p.text[start : m.end()], "GovernmentAgency", "government_of"
                )
            )
            continue
        out.append(Candidate(start, end, name, "Country", "government_of"))
    return out


def _regional_government(p: Passage, a: int, b: int, end: int) -> Candidate | None:
    """PLACE政府 where the place is a region (a table region, or a name with a region's suffix):
    the region's government, a GovernmentAgency (its country from the place)."""
    t = p.text
    whole = [x for x in p.mentions if x.start == a and x.end == b]
    if whole and p.type_of(whole[0]) == "Region":
        name = t[a:end]
        return Candidate(a, end, name, "GovernmentAgency", "government_of")
    if whole or p.covered(a, b) or _type_of_head(t[a:b]) != "Region" or b - a < 3:
        return None
    if is_generic(t[a:b], p, a) or _not_a_name(t, a, b, b):
        return None
    return Candidate(a, end, t[a:end], "GovernmentAgency", "government_of")


PLACE_FOLLOWERS = (
    "建设", "建立", "新建", "建造", "兴建", "建成", "落成", "投资", "设立", "部署", "的", "“",
)  # fmt: skip
# words that say what kind of place the name after them is
PLACE_KINDS = ("港口城市", "城市", "小镇", "小城", "地区")
# words that place something near a place, not in a named part of it (弗罗茨瓦夫附近新建)
NEAR_WORDS = ("附近", "周边", "郊区", "一带")


def place_after_place(p: Passage) -> list[Candidate]:
    """PLACE X: a place named right after the place it is in (纽约州奥尔巴尼, 以色列南部基里亚特
    加特), followed by what happens there (建设, 的, a facility noun)."""
    out = []
    t = p.text
    for m in p.mentions:
        if not _is_place(p, m) or not t[max(0, m.start - 2) : m.start].endswith(LOCATIVES):
            continue
        a = m.end
        for d in DIRECTIONS:
            if t.startswith(d, a):
                a += len(d)
                break
        for w in PLACE_KINDS:  # 沙特东部城市达曼: what the place is, before its name
            if t.startswith(w, a):
                a += len(w)
                break
        run = re.match(rf"[{CJK}·]{{2,10}}", t[a:])
        if not run or p.covered(a, a + 2):
            continue
        word = run.group(0)
        cut = _place_end(word)
        name = word[:cut]
        if cut < 2 or cut > 6 or p.covered(a, a + cut) or any(c in STOP_CHARS for c in name):
            continue
        # 弗罗茨瓦夫附近: 附近 is no part of a name (but 机场附近 is still no place's name)
        near = t.startswith(NEAR_WORDS, a + cut)
        if near:
            bad = any(name.endswith(w) for w in cues().not_names)
        else:
            bad = _not_a_name(t, a, a + cut, a + cut)
        bad = bad or any(name.startswith(w) for w in cues().not_names)  # 在X州布局新工厂
        if _type_of_head(name) or bad:
            continue
        if _verb_pattern().search(name) or is_generic(name, p, a):
            continue
        out.append(Candidate(a, a + cut, name, "Region", "place_after_place", broader=m.entity))
    return out


def _place_end(word: str) -> int:
    """How much of ``word`` is a place name: up to what happens there (建设, 的, 工厂…)."""
    ends = [word.find(s) for s in PLACE_FOLLOWERS + NEAR_WORDS]
    ends += [word.find(n.noun) for n in cues().facility_nouns if n.nominal == ""]
    found = [e for e in ends if e > 0]
    return min(found) if found else 0


def _plant_kinds(suffix: str) -> frozenset[str]:
    """The facility types a name ending in ``suffix`` can be (工厂: Fab…; 集群: a cluster)."""
    return next((n.kinds for n in cues().facility_nouns if suffix.endswith(n.noun)), frozenset())


def place_in_plant_name(p: Passage) -> list[Candidate]:
    """PLACE X 工厂: a place named between the place it is in and a plant's noun is a place
    inside it (俄勒冈州格雷沙姆工厂: 格雷沙姆, in Oregon; 北海州长川半导体工厂: 长川). A cluster's
    name is not read so: a cluster spans places (…半导体集群 may be named for one of them)."""
    out: list[Candidate] = []
    t = p.text
    seen: list[tuple[int, int]] = []
    for n in cues().facility_nouns:
        if n.nominal or "Fab" not in n.kinds:
            continue
        for a, b in spans_of(n.noun, t):
            if any(x < b and a < y for x, y in seen) or p.covered(a, b):
                continue
            seen.append((a, b))
            c = _place_in_plant(p, stem_start(p, a, _hard_stops(p)), a)
            if c is not None:
                out.append(c)
    return out


def _place_in_plant(p: Passage, start: int, a: int) -> Candidate | None:
    """The place X in PLACE X…NOUN, the stem of a plant's name from ``start`` to its noun at
    ``a``: after a leading place (a table place, or a name with a region's suffix), before the
    common words that describe the plant (半导体)."""
    t = p.text
    lead = [x for x in p.mentions if x.start == start and x.end < a and _is_place(p, x)]
    if lead:
        at, outer, outer_name = lead[0].end, lead[0].entity, ""
    else:
        at, outer_name = _inner_place(p, start, a)
        outer = ""
        if not outer_name or p.covered(start, at):
            return None
    name = t[at:a]
    for w in p.generic_words:
        while len(w) >= 2 and name.endswith(w) and len(name) > len(w):
            name = name[: -len(w)]
    b = at + len(name)
    if not re.fullmatch(f"[{CJK}·]{{2,8}}", name) or p.covered(at, b):
        return None
    if _verb_pattern().search(name) or is_generic(name, p, at) or _type_of_head(name):
        return None
    if _not_a_name(t, at, b, b) or any(name.startswith(f) for f in cues().fillers):
        return None
    return Candidate(
        at, b, name, "Region", "place_in_plant_name", broader=outer, broader_name=outer_name
    )


def operator_place_facility(p: Passage) -> list[Candidate]:
    """OPERATOR X 工厂: the place in a plant's name between its owner and the noun (安靠皮奥里亚
    工厂, 美光科技广岛工厂)."""
    out = []
    t = p.text
    for m in p.mentions:
        if "company" not in p.entities[m.entity].categories:
            continue
        run = re.match(rf"[{CJK}]{{2,6}}", t[m.end :])
        if not run:
            continue
        word = run.group(0)
        noun = next(
            (
                (i, n.noun)
                for i in range(2, len(word))
                for n in cues().facility_nouns
                if n.nominal == "" and word.startswith(n.noun, i)
            ),
            None,
        )
        if noun is None:
            continue
        name = word[: noun[0]]
        a = m.end
        if p.covered(a, a + len(name)) or _verb_pattern().search(name) or is_generic(name, p, a):
            continue
        out.append(Candidate(a, a + len(name), name, "Region", "operator_place_facility"))
    return out


# Two rounds: names the text marks (titles, quotes, brackets, Latin names) first; the report is
# linked with them, then the names found by their last word or their place, which may contain
# the first (俄亥俄一号首座晶圆厂 is the first fab of 俄亥俄一号, not a name of its own).
RE_LOCATIVE_PLACE = re.compile(
    rf"在\s*(?P<name>[{CJK}·]{{2,12}}?)\s*(?:建设|建立|新建|建造|兴建|投资|设立|部署|运营|生产)"
)


RE_LOCATED_AT = re.compile(rf"位于\s*(?P<name>[{CJK}·]{{2,12}}?)\s*的")
# 项目位于古吉拉特邦萨南德，: a place inside a state's name, ending the clause
RE_LOCATED_IN_STATE = re.compile(rf"位于\s*(?P<name>[{CJK}·]{{3,12}}?)\s*(?=[，。；,;]|$)")
# a time (在未来七年内投资) or a relation to a place (位于盟友之外的), not a place's name
RE_TIME_WORDS = re.compile(
    r"^(?:未来|今后|此前|此后|目前|当前)|(?:年|月|日|内|期间|以来|之前|之后)$"
    r"|(?:之外|以外|之间|境内|境外)$"
)


def locative_place(p: Passage) -> list[Candidate]:
    """在X建设/投资/部署…, 位于X的…: X, where something is built or is, is a place (在阿布扎比
    建设…, 位于利默里克的园区); 在加州圣何塞建设: the place inside a place with a region's suffix
    (圣何塞, in 加州); 位于威尔士纽波特的纽波特晶圆厂: the place the plant after it is named for."""
    out = []
    t = p.text
    for m in [*RE_LOCATIVE_PLACE.finditer(t), *RE_LOCATED_AT.finditer(t), *_in_state(p)]:
        a, b = m.span("name")
        inner, outer = _inner_place(p, a, b)
        if outer and not p.covered(a, inner):
            a = inner
        elif m.re is RE_LOCATED_AT:
            a = _named_after(p, a, b, m.end())
        name = t[a:b]
        if not 2 <= b - a <= 6 or p.covered(a, b) or RE_TIME_WORDS.search(name):
            continue  # 在未来七年内投资: a time, not a place
        if is_generic(name, p, a) or _verb_pattern().search(name):
            continue
        if any(c in STOP_CHARS for c in name) or _type_of_head(name) or _not_a_name(t, a, b, b):
            continue
        out.append(Candidate(a, b, name, "Region", "locative_place", broader_name=outer))
    return out


def _in_state(p: Passage) -> list[re.Match[str]]:
    """位于 STATE X，: only a place inside a place named by its suffix (位于行业前列 is none)."""
    return [
        m
        for m in RE_LOCATED_IN_STATE.finditer(p.text)
        if _inner_place(p, *m.span("name"))[1] and not p.covered(*m.span("name"))
    ]


def _named_after(p: Passage, a: int, b: int, after: int) -> int:
    """Where the place at [a, b) starts when the name after it begins with its end (威尔士纽波特
    的纽波特晶圆厂: 纽波特): the longest such end, else ``a``."""
    t = p.text
    for k in range(a, b - 1):
        if t.startswith(t[k:b], after):
            return k
    return a


RE_VARIANT = re.compile(
    r"(?P<name>[0-9A-Za-z][0-9A-Za-z.\-]*[A-Za-z][0-9A-Za-z.\-]*)\s*(?P<alias>（[^）]{1,8}）)?\s*$"
)


def technology_variant(p: Passage) -> list[Candidate]:
    """1-gamma（1γ）DRAM: a generation's name glued to a technology names a variant of it."""
    out = []
    t = p.text
    for x in p.mentions:
        if p.type_of(x) != "Technology":
            continue
        m = RE_VARIANT.search(t, max(0, x.start - 20), x.start)
        if not m or p.covered(m.start(), m.end()) or RE_UNIT.match(m.group("name")):
            continue
        prefix = m.group("name")
        if len(prefix) < 3 or prefix.isupper():
            continue  # 3D NAND, EUV光刻: a kind the table names, not a generation
        if _kind_before(p, m.start(), x.end, t[m.start() : x.end]) == "Company":
            continue  # AI实验室 Nova AI: a company named after what it works on
        tech = re.sub(r"\s+", " ", x.surface)
        aliases = (prefix + tech, prefix + " " + tech, prefix)
        span = t[m.start() : x.end]
        out.append(
            Candidate(
                m.start(),
                x.end,
                span,
                "Technology",
                "technology_variant",
                aliases,
                broader=x.entity,
            )
        )
    return out


RE_BUILDING_VERB = re.compile("建设|新建|兴建|建造|建立|开工|共建|设立|建成|运营|设有")


def described_facility(p: Passage) -> list[Candidate]:
    """…支持其在X建设…的新芯片工厂: a plant the sentence builds without naming it, when the sentence
    gives its owner and its place (third round: after the names of the report are known). Its
    name is owner + place + the words the text uses (英特尔基里亚特加特新芯片工厂), with those words
    as an alias."""
    out = []
    t = p.text
    for n in cues().facility_nouns:
        if n.nominal:
            continue
        for a, b in spans_of(n.noun, t):
            if any(x.start < b and a < x.end for x in p.mentions):
                continue
            c = _described(p, a, b, n.kinds)
            if c is not None and not any(o.start < c.end and c.start < o.end for o in out):
                out.append(c)
    return out


def _described(p: Passage, a: int, b: int, kinds: frozenset[str]) -> Candidate | None:
    t = p.text
    cs = max((t.rfind(c, 0, a) for c in "，。；：,;:"), default=-1) + 1
    verb = None
    for v in RE_BUILDING_VERB.finditer(t, cs, a):
        verb = v
    if verb is None:
        return _located_plant(p, cs, a, b, kinds)
    if any(
        p.entities[x.entity].is_facility and verb.end() <= x.start and x.end <= a
        for x in p.mentions
    ):
        return None  # 建设“星际之门阿联酋”…计算集群: the noun describes the named one
    start = a
    while start > verb.end() and t[start - 1] not in STOP_CHARS and not _names_other(p, start - 1):
        start -= 1
    phrase = t[start:b].strip()
    owner = _owner(p, a)
    places = [
        x
        for x in p.mentions
        if _is_place(p, x)
        and cs <= x.start
        and x.end <= verb.start()
        and not _bracketed(t, x)
        and not _describes_next(p, x.end)  # 泰国 Stars Microelectronics: the company's country
    ]
    places = _placed_after(p, b) or places
    if owner is None or not places or not phrase:
        return None
    place = places[-1]
    label = owner.surface + place.surface + _strip_fillers(phrase, leading=False)
    etype = "Fab" if "Fab" in kinds else sorted(kinds)[0]
    return Candidate(
        start,
        b,
        label,
        etype,
        "described_facility",
        aliases=(place.surface + _strip_fillers(phrase, leading=False),),
        described_as=(_without_count(phrase),),
        broader=place.entity,
        operator=(owner.entity,),
    )


def _names_other(p: Passage, at: int) -> bool:
    """Whether the character at ``at`` is part of a name other than a technology's: a plant's
    description takes in what it makes (玻璃基板研发线, 12英寸集成电路生产线), not who or where."""
    return any(m.start <= at < m.end and p.type_of(m) != "Technology" for m in p.mentions)


RE_PLACED_AFTER = re.compile(r"\s*[，,]\s*(?:该|其)?(?:项目|工厂|厂|新厂|园区)?\s*位于")


def _placed_after(p: Passage, b: int) -> list[Mention]:
    """…建设的封装测试工厂，项目位于古吉拉特邦萨南德: the places the next clause puts it in."""
    m = RE_PLACED_AFTER.match(p.text, b)
    if m is None:
        return []
    stop = min(
        (k for k in (p.text.find(c, m.end()) for c in "，。；,;") if k >= 0), default=len(p.text)
    )
    return [x for x in p.mentions if m.end() <= x.start and x.end <= stop and _is_place(p, x)]


def _bracketed(t: str, m: Mention) -> bool:
    """贾吉罗德（Jagiroad）: the Latin form in brackets after the name, not a place of its own."""
    return t[max(0, m.start - 1) : m.start] in ("（", "(") and t[m.end : m.end + 1] in ("）", ")")


def _located_plant(p: Passage, cs: int, a: int, b: int, kinds: frozenset[str]) -> Candidate | None:
    """其位于 PLACE 的工厂: the plant its owner has at a place, named by the owner, the place and
    the noun (远山长滨町工厂), also called by the place and the noun (长滨町工厂)."""
    t = p.text
    k = t.rfind("位于", cs, a)
    end = t.rfind("的", k, a) if k >= 0 else -1
    words = t[end + 1 : a].strip() if end >= 0 else ""
    if end < 0 or (words and not _describes_plant(p, end + 1, words)):
        return None
    places = [x for x in p.mentions if k + 2 <= x.start and x.end <= end]
    rest = t[k + 2 : end]
    for x in places:
        rest = rest.replace(x.surface, "")
    owner = _owner(p, k)
    if not places or rest.strip() or owner is None or not all(_is_place(p, x) for x in places):
        return None
    if _a_known_plant(p, [owner], places, k):
        return None  # 台积电位于亚利桑那州的工厂: the plant the table has
    place, phrase = places[-1], t[a:b]
    if words:  # …的碳化硅晶圆工厂: the words that say what it makes are part of what it is called
        a, phrase = t.index(words, end + 1), words + phrase
    return Candidate(
        a,
        b,
        owner.surface + place.surface + phrase,
        "Fab" if "Fab" in kinds else sorted(kinds)[0],
        "described_facility",
        aliases=(place.surface + phrase,),
        described_as=(_without_count(phrase),),
        broader=place.entity,
        operator=(owner.entity,),
    )


def _describes_plant(p: Passage, at: int, words: str) -> bool:
    """Whether the words before a plant's noun only say what it makes (碳化硅晶圆, 300mm)."""
    return bool(re.fullmatch(f"[{CJK}0-9A-Za-z ]{{1,10}}", words)) and is_generic(words, p, at)


def _owner(p: Passage, at: int) -> Mention | None:
    """The company a plant is built by: the one its clause names (…，富士电机则在其位于…的工厂),
    else the first the sentence names (the one 其 stands for)."""
    companies = [
        x for x in p.mentions if x.end <= at and "company" in p.entities[x.entity].categories
    ]
    cs = max((p.text.rfind(c, 0, at) for c in "，；。,;"), default=-1) + 1
    own = [x for x in companies if x.start >= cs]
    return own[0] if own else (companies[0] if companies else None)


# the third round: plants described by the names found before, and names listed with an
# organisation the second round found (HCL集团与富士康在…合资建设)
DESCRIBED_FINDERS: tuple[Callable[[Passage], list[Candidate]], ...] = (
    described_facility,
    coordinated_name,
    place_after_place,  # after a place the second round found (爱达荷州博伊西)
)


MARKED_FINDERS: tuple[Callable[[Passage], list[Candidate]], ...] = (
    standard_name,  # before the abbreviations and Latin names it would be read as
    book_title,
    quoted_name,
    bracketed_abbreviation,
    latin_name,
    person_name,
)
CUE_FINDERS: tuple[Callable[[Passage], list[Candidate]], ...] = (
    suffixed_name,
    government_of,
    place_after_place,
    operator_place_facility,
    place_in_plant_name,
    locative_place,
    coordinated_name,
    technology_variant,
    listed_before_kind,
    numbered_plant,
    technology_listed,
    clause_subject,
    argument_slot,
    led_centre,
    role_slot,
    worked_on_technology,
)
FINDERS = MARKED_FINDERS + CUE_FINDERS
