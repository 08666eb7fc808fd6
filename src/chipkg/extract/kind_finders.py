"""Finders of names by the words around them that say what they are (second round, with
cue_finders.py), each pinned by an invented sentence in tests/test_extract_provisional.py:

* ``listed_before_kind``  远山电子、北川材料等企业: names listed before 等 and a kind word
* ``numbered_plant``      远山集团先进封测六厂: a plant named by its number (…六厂, …12号厂)
* ``led_centre``          北川大学牵头的东部—西部 AI硬件中心: a centre named after its leader
* ``technology_listed``   开发倒装焊接和集成系统级封装（ISP）技术: a technology listed with one the
                          report names, before the head word they share (技术, 工艺)
"""

from __future__ import annotations

import re

from chipkg.extract.names import (
    CJK,
    STOP_CHARS,
    Candidate,
    Passage,
    _hard_stops,
    _not_a_name,
    _type_of_head,
    _verb_pattern,
    is_generic,
    key_name,
    stem_start,
)


class _Stops:
    """The passage's amounts and dates (names._hard_stops), found once and only when needed:
    most passages have no cue these finders read."""

    def __init__(self, p: Passage) -> None:
        self.p, self.spans = p, None

    def __call__(self) -> list[tuple[int, int]]:
        if self.spans is None:
            self.spans = _hard_stops(self.p)
        return self.spans


RE_KIND_AFTER = re.compile(
    r"等\s*(?:[0-9一二三四五六七八九十几多数]+\s*(?:家|所))?\s*"
    r"(?P<kind>研究机构|投资机构|企业|公司|厂商|机构|银行|大学|高校)"
)
KIND_TYPES = {"研究机构": "ResearchInstitution", "大学": "ResearchInstitution"}
KIND_TYPES["高校"] = "ResearchInstitution"
LIST_JOINS = "、和与及"


def listed_before_kind(p: Passage) -> list[Candidate]:
    """A、B等企业 / A和B等 3家公司: the names listed before 等 are of the kind the word after it
    says (a company, a bank, a university); each item that the table lacks, that names something
    (not 设备、材料等企业) and holds no verb."""
    out = []
    t = p.text
    stops = _Stops(p)
    for m in RE_KIND_AFTER.finditer(t):
        etype = KIND_TYPES.get(m.group("kind"), "Company")
        end = m.start()
        while end > 0:
            start = stem_start(p, end, stops())
            name = t[start:end].strip()
            if _names_something(p, start, end, name):
                out.append(Candidate(start, end, name, etype, "listed_before_kind"))
            if start == 0 or t[start - 1] not in LIST_JOINS or start >= end:
                break
            end = start - 1
    return out


def _names_something(p: Passage, a: int, b: int, name: str) -> bool:
    if not 2 <= len(re.sub(r"\s", "", name)) <= 12 or p.covered(a, b):
        return False
    if any(c in STOP_CHARS for c in name) or _verb_pattern().search(name):
        return False
    return not is_generic(name, p, a) and not _not_a_name(p.text, a, b, b)


RE_NUMBERED = re.compile(r"(?P<num>[一二三四五六七八九十]{1,3}|[0-9]{1,2})\s*号?厂(?![商房区长])")


def numbered_plant(p: Passage) -> list[Candidate]:
    """OWNER…N厂: a plant named by its number after its owner's name and the words that say what
    it does (远山集团先进封测六厂, 北川晶圆十二厂); also called without the owner's name."""
    out = []
    t = p.text
    stops = _Stops(p)
    for m in RE_NUMBERED.finditer(t):
        a, b = m.start(), m.end()
        if p.covered(a, b):
            continue
        start = stem_start(p, a, stops())
        owner = [x for x in p.mention_at(start, a) if x.start == start]
        if not owner or "org" not in p.entities[owner[0].entity].categories:
            continue
        rest = t[owner[0].end : a].strip()
        if len(rest) < 2 or _verb_pattern().search(rest) or _type_of_head(rest):
            continue
        etype = "PackagingFacility" if re.search("封测|封装", rest) else "Fab"
        name = t[start:b]
        out.append(
            Candidate(
                start,
                b,
                name,
                etype,
                "numbered_plant",
                aliases=(t[owner[0].end : b].strip(),),
                key_name=key_name(p, start, b),
                operator=(owner[0].entity,),
            )
        )
    return out


# verbs that govern a technology: what is before them is no part of its name
RE_WORK_VERB = re.compile("开发|研发|研究|攻关|聚焦|布局|量产|推出|采用|掌握|突破")


def _after_work_verb(t: str, start: int, end: int) -> int:
    found = list(RE_WORK_VERB.finditer(t, start, end))
    return found[-1].end() if found else start


RE_SHARED_HEAD = re.compile(
    r"\s*(?:[（(][A-Za-z][A-Za-z0-9\-+ ]{0,15}[）)])?\s*(?:等)?\s*(?:技术|工艺)"
)


def technology_listed(p: Passage) -> list[Candidate]:
    """X和Y（ABC）技术 / Y和X技术: a word listed with a technology the report names, before the head
    word they share, is a technology too (开发倒装焊接和集成系统级封装（ISP）技术)."""
    out = []
    t = p.text
    stops = _Stops(p)
    for x in p.mentions:
        if p.type_of(x) != "Technology":
            continue
        if x.start > 0 and t[x.start - 1] in LIST_JOINS and RE_SHARED_HEAD.match(t, x.end):
            end = x.start - 1
            start = _after_work_verb(t, stem_start(p, end, stops()), end)
            name = t[start:end].strip()
            if _a_technology(p, start, end, name):
                out.append(Candidate(start, end, name, "Technology", "technology_listed"))
        after = re.match(
            rf"\s*[{LIST_JOINS}]\s*(?P<name>[{CJK}A-Za-z0-9]{{2,10}}?)(?:技术|工艺)", t[x.end :]
        )
        if after:
            a, b = x.end + after.start("name"), x.end + after.end("name")
            name = after.group("name")
            if _a_technology(p, a, b, name):
                out.append(Candidate(a, b, name, "Technology", "technology_listed"))
    return out


def _a_technology(p: Passage, a: int, b: int, name: str) -> bool:
    """A listed word that names a technology: four characters or more (混合 in 混合工艺 is a
    modifier), not an abstract noun (智能化, 可靠性)."""
    return (
        len(name) >= 4
        and bool(re.search(f"[{CJK}]", name))
        and not name.endswith(("化", "性"))
        and _names_something(p, a, b, name)
    )


RE_ANNOUNCER = re.compile(
    r"(?:^|[，。；：,;:])\s*"
    r"(?:[0-9]{4}\s*年\s*(?:[0-9]{1,2}\s*月\s*)?(?:[0-9]{1,2}\s*日\s*)?[，,]?\s*)?"
    rf"(?P<name>[{CJK}]{{2,4}})\s*(?:正式|已|再次|同日|随后)?宣布"
)
# words that open a clause before 宣布 and name no one: times, titles, who was named before
NOT_ANNOUNCERS = re.compile(
    r"^(?:近日|日前|随后|同日|当天|今年|去年|此前|此后|目前|最近|早前|另外|此外|同时|公司|企业|集团|"
    r"官方|当局|政府|总统|总理|首相|州长|部长|市长|省长|主席|董事会|管理层|双方|三方|各方|"
    r"正式|再次|已经|随即|共同|联合|分别|相继|先后|率先|首次)$"
)


def announcer(p: Passage) -> list[Candidate]:
    """2025年 6月 9日，远山宣布…: the word that opens a clause before 宣布 (announces), when the
    table lacks it and it is no time, title or common word, is an organisation."""
    out = []
    for m in RE_ANNOUNCER.finditer(p.text):
        a, b = m.span("name")
        name = m.group("name")
        if NOT_ANNOUNCERS.match(name) or not _names_something(p, a, b, name):
            continue
        out.append(Candidate(a, b, name, "Company", "announcer"))
    return out


RE_LED = re.compile(r"牵头(?:成立|组建|设立)?的\s*(?P<name>[^，。；、：的“”（）()]{2,24}?中心)")


def led_centre(p: Passage) -> list[Candidate]:
    """X牵头的Y中心: the centre an organisation leads is named by what follows 的 up to 中心
    (the whole of it, dashes between the places it spans included)."""
    out = []
    for m in RE_LED.finditer(p.text):
        a, b = m.span("name")
        name = m.group("name").strip()
        whole = any(x.start <= a and b <= x.end for x in p.mentions)
        if whole or is_generic(name[:-2], p, a) or _verb_pattern().search(name):
            continue
        out.append(Candidate(a, b, name, "ResearchCenter", "led_centre"))
    return out
