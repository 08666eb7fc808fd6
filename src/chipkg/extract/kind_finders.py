"""Finders of names by the words around them that say what they are (second round, with
cue_finders.py), each pinned by an invented sentence in tests/test_extract_provisional.py:

* ``listed_before_kind``  远山电子、北川材料等企业: names listed before 等 and a kind word
* ``numbered_plant``      远山集团先进封测六厂: a plant named by its number (…六厂, …12号厂)
* ``led_centre``          北川大学牵头的东部—西部 AI硬件中心: a centre named after its leader
* ``technology_listed``   开发倒装焊接和集成系统级封装（ISP）技术: a technology listed with one the
                          report names, before the head word they share (技术, 工艺)
* ``clause_subject``      2025年 6月 9日，远山宣布…, Zentro已斥资…: the word that opens a clause
                          before what an organisation does
* ``standard_name``       UEC 1.0规范, HBM4标准（JESD270-4）: a standard named in Latin
* ``argument_slot``       向青峰拨款, 对 Zentro的投资, 与青峰深化合作: the word in the slot a verb
                          of funding, investing or working together gives after its preposition
* ``role_slot``           由青峰代工, 青峰于 2024年被远山收购, 远山旗下的青峰: the agent or patient
                          of a passive, a subsidiary
* ``worked_on_technology`` 开发…氢气回收技术, 生产硅基氮化镓功率器件: what a verb of developing or
                          making works on, ending in a kind word, when it says more than a known one
"""

from __future__ import annotations

import re
from dataclasses import replace

from chipkg.extract.cues import cues
from chipkg.extract.names import (
    CJK,
    STOP_CHARS,
    Candidate,
    Passage,
    _after_descriptor,
    _hard_stops,
    _not_a_name,
    _type_of_head,
    _verb_pattern,
    is_generic,
    key_name,
    name_part,
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
    if not 2 <= len(re.sub(r"\s", "", name)) <= 12 or _covered_but_by_its_kind(p, a, b):
        return False
    if any(c in STOP_CHARS for c in name) or _verb_pattern().search(name):
        return False
    return not is_generic(name, p, a) and not _not_a_name(p.text, a, b, b)


def _only_a_head(name: str) -> bool:
    """Whether a name is a kind word and common words only (大学, 半导体公司): no name."""
    c = cues()
    for suffix in sorted((x.suffix for x in c.name_suffixes), key=len, reverse=True):
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            for w in sorted(c.common_words | c.fillers, key=len, reverse=True):
                stem = stem.replace(w, "")
            return not stem.strip()
    return False


def _covered_but_by_its_kind(p: Passage, a: int, b: int) -> bool:
    """Whether a mention covers part of [a, b), other than a technology the name ends with
    (远山集成电路, 青峰半导体: a company named for what it makes)."""
    return any(
        m.start < b
        and a < m.end
        and not (m.end == b and m.start > a and p.type_of(m) == "Technology")
        for m in p.mentions
    )


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


# what an organisation does, in the words that are only ever verbs in these reports (宣布, 收购)
ACTOR_VERBS = (
    "宣布|推出|发布|开发出|研制|收购|并购|签署|签订|斥资|注资|入股|选择|完成|采用|利用|启动|"
    "新建|扩建|兴建|量产|获得|获批|拿到|成立|组建|牵头|携手|联手|决定|表示|致力于|聚焦|押注|"
    "推进|开设|设立|关闭|暂停|承诺|同意|拟|被列入|被纳入|被收购|被制裁|举行|交付|出资"
)
# words that are verbs or nouns (投资 invests / an investment): a verb after an adverb of time
# or mood (已投资, 计划投资) or before an amount (投资 200亿美元)
NOUN_VERBS = "投资|投入|研发|开发|合作|建设|生产|部署|扩产|计划"
# what two or more do together (X与Y合作): X is an organisation as well as Y
JOINT_VERBS = "合作|签署|签订|携手|联合开发|联合研发|共同|合资|达成"
ADVERBS = (
    "正式|已经|已|再次|同日|随后|也|还|又|亦|仍|均|都|或|继续|将|即将|计划|拟|共同|正在|近日|"
    "日前|首次|率先|成功|于今年|今年|应当|应|需要|须|必须"
)
RE_CLAUSE_SUBJECT = re.compile(
    r"(?:^|[，。；：,;:])\s*"
    r"(?:[0-9]{4}\s*年\s*(?:[0-9]{1,2}\s*月\s*)?(?:[0-9]{1,2}\s*日\s*)?(?:[初中底末])?[，,]?\s*)?"
    r"(?:(?:[0-9一二三四五六七八九十]{1,2}[.、．]|[（(][0-9一二三四五六七八九十]{1,2}[）)])\s*)?"
    r"(?:(?:此外|另外|同时|与此同时|随后|其中|例如|近日|日前|目前)[，,]?\s*)?"
    rf"(?P<name>[{CJK}]{{2,12}}?|[A-Z]{{1,4}}[{CJK}]{{2,4}}?"
    r"|[A-Za-z][A-Za-z0-9&.\-]*(?:\s[A-Z][A-Za-z0-9&.\-]*)*)\s*"
    r"(?P<when>于\s*[0-9]{4}\s*年\s*(?:[0-9]{1,2}\s*月\s*)?(?:[0-9]{1,2}\s*日\s*)?(?:[初中底末])?\s*)?"
    rf"(?:(?P<adverb>(?:{ADVERBS})\s*)+)?"
    rf"(?:(?P<verb>{ACTOR_VERBS})|(?P<nounverb>{NOUN_VERBS})(?P<amount>\s*[0-9约近超逾])?"
    rf"|在[^，。；：的]{{1,16}}?(?:{ACTOR_VERBS}|{NOUN_VERBS}|制造|运营|设有)"
    rf"|(?:与|和|同)[^，。；：的]{{2,30}}?(?:{JOINT_VERBS})"
    # 铠侠位于北上市的 K2工厂: whose plant is where
    r"|位于[^，。；：]{1,20}?的[^，。；：]{0,12}?(?:工厂|晶圆厂|基地|园区|总部|设施|生产线))"
)
# words that open a clause before what someone does and name no one: times, titles, pronouns,
# who was named before, people and kinds
NOT_SUBJECTS = re.compile(
    r"^(?:近日|日前|随后|同日|当天|今年|去年|明年|此前|此后|目前|最近|早前|另外|此外|同时|其中|"
    r"公司|企业|集团|官方|当局|政府|总统|总理|首相|州长|部长|市长|省长|主席|董事会|管理层|双方|三方|"
    r"各方|各国|两国|该国|本国|我国|正式|再次|已经|随即|共同|联合|分别|相继|先后|率先|首次|"
    r"研究人员|研究团队|团队|科学家|专家|分析师|分析人士|报告|数据|市场|行业|产业|全球|业界|外界|"
    r"消息人士|媒体|官员|议员|国会|法案|该法案|项目|该项目|计划|该计划|工厂|该工厂|厂商|客户|"
    r"巨头|龙头|新厂|该厂|首期|二期|三期|当时|届时|同年|次年|如今|未来|今后|近年|"
    r"希望|预计|预期|认为|指出|强调|调查|研究|报道|消息|伙伴|盟友|盟国|友邦|其他国家|多边|双边|"
    # the parts of the world (a place, not an organisation, and not in the table as a country)
    r"欧洲|亚洲|北美|南美|拉美|非洲|中东|东南亚|东亚|南亚|中亚|西亚|大洋洲|东欧|西欧|亚太|印太)$"
)
# the words a description ends with (欧洲巨头, 该厂): what it is, not who
DESCRIPTION_HEADS = (
    "巨头", "龙头", "厂商", "企业", "机构", "部门", "方面", "厂", "国家", "人才", "用户", "客户",
    "相关方", "竞争", "合作", "性", "供应商", "制造商", "开发商", "制程", "工艺", "技术", "芯片",
    "材料", "交易", "项目", "方案", "协议", "者",
)  # fmt: skip
# words inside a would-be name that make it a phrase (两级政府合计, 国资联合增资, 约占项目总)
RE_PHRASE_INSIDE = re.compile(r"合计|联合|增资|政府|约|占|总")
# names ending like an institution are other finders' (NOVA中心: a research centre, not a company)
INSTITUTION_HEADS = ("中心", "实验室", "办公室", "政府")
# words a clause can open with that say when, not who (未来随扩建…, 当时计划…)
RE_TIME_OPENING = re.compile(r"^(?:未来|当时|届时|今后|此后|近年|近期|目前|首期|二期|同期)")


def clause_subject(p: Passage) -> list[Candidate]:
    """2025年 6月 9日，远山宣布…, Zentro已斥资…, 青峰在长滨新建…: the word that opens a clause
    before what an organisation does (a verb that is only a verb, or one that is also a noun after
    an adverb or before an amount), when the table lacks it and it is no time, title, pronoun or
    common word, is an organisation. A country glued before it (美国青峰) is not part of it."""
    out = []
    for m in RE_CLAUSE_SUBJECT.finditer(p.text):
        if m.group("nounverb") and not (m.group("adverb") or m.group("amount") or m.group("when")):
            continue
        a, b = m.span("name")
        a = _after_descriptor(p, _after_country(p, a, b), b)  # 德国工业巨头西门子 → 西门子
        name = p.text[a:b]
        if len(name) > 6 and re.fullmatch(f"[{CJK}]+", name):
            continue  # a long run of characters is a phrase, not a name
        if RE_PHRASE_INSIDE.search(name):
            continue
        if NOT_SUBJECTS.match(name) or RE_TIME_OPENING.match(name):
            continue
        if NOT_SUBJECTS.match(p.text[_after_place(p, a, b) : b]):  # 欧洲巨头: a description
            continue
        if not _names_something(p, a, b, name) or name.endswith(DESCRIPTION_HEADS):
            continue
        if name.endswith(INSTITUTION_HEADS):
            continue  # NOVA中心: other finders', by the word they end with
        if re.fullmatch(r"[A-Za-z0-9&.\-\s]+", name) and not _latin_subject(name):
            continue
        # 岚峰微电子完成…: typed by the word it ends with, where it has one (suffixed_name finds
        # such a name too where a verb the cues know follows it)
        if _only_a_head(name):
            continue
        out.append(Candidate(a, b, name, _type_of_head(name) or "Company", "clause_subject"))
    return out


def _after_country(p: Passage, a: int, b: int) -> int:
    """Where a name starts after the country glued before it: 美国青峰 → 青峰."""
    return _after_place(p, a, b, ("Country",))


def _after_place(
    p: Passage, a: int, b: int, kinds=("Country", "Region", "SupranationalBody")
) -> int:
    for m in p.mentions:
        if m.start == a and m.end < b and p.type_of(m) in kinds:
            return m.end
    return a


def _latin_subject(name: str) -> bool:
    """A Latin word names an organisation when it is not a unit, a model number or a kind of
    thing written in capitals (AI, CHIPS): it has a lower-case letter, or is 3-6 capitals."""
    return bool(re.search("[a-z]", name)) or bool(re.fullmatch(r"[A-Z][A-Z0-9&\-]{2,5}", name))


SLOT_NAME = rf"[{CJK}]{{2,6}}?|[A-Za-z][A-Za-z0-9&.\-]*(?:\s[A-Z][A-Za-z0-9&.\-]*)*"
# the slots a verb gives an organisation after a preposition: who gets money (为/向/给 X 拨款),
# whom an investment or acquisition is in (对 X 的投资), with whom one works (与 X 合作)
RE_ARGUMENT_SLOT = re.compile(
    rf"(?:(?P<benefactive>[为向给])|(?P<target>对)|(?P<comitative>与|同))\s*"
    rf"(?P<name>{SLOT_NAME})"
    rf"(?P<more>(?:\s*[、和及]\s*(?:{SLOT_NAME}))*)\s*"  # 与 A、B的合作: each of them
    r"(?:(?P<gives>拨款|拨付|提供|发放|资助|补贴|注资|购买|采购|订购)"
    r"|(?P<of>的\s*(?:投资|收购|注资|补贴|资助|并购)|\s*(?:展开|开展|发起|启动)[^，。；]{0,6}?调查)"
    r"|(?P<with>的?\s*(?:深化|加强|展开|开展|建立|达成|签署|签订)?\s*(?:合作|伙伴关系|协议|合资)"
    r"|\s*(?:达成|签署|签订)[^，。；与和]{0,10}?(?:协议|合同|备忘录)))"
)


def argument_slot(p: Passage) -> list[Candidate]:
    """向青峰拨款 5亿美元, 对 Zentro的投资, 与青峰深化合作: the word in the slot a verb of funding,
    investing or working together gives after its preposition is an organisation."""
    out = []
    for m in RE_ARGUMENT_SLOT.finditer(p.text):
        if not (
            (m.group("benefactive") and m.group("gives"))
            or (m.group("target") and m.group("of"))
            or (m.group("comitative") and m.group("with"))
        ):
            continue
        spans = [m.span("name")]
        if m.group("more") and m.group("comitative"):
            # the items as the whole match read them (英飞凌, not 英飞: the list reaches 合作)
            at = m.start("more")
            for item in re.finditer(r"[^、和及\s]+", m.group("more")):
                spans.append((at + item.start(), at + item.end()))
        elif m.group("more"):
            continue  # 向 A和B提供: coordinated_name's, with what the list shares
        for a, b in spans:
            if "调查" in (m.group("of") or "") and _goods(p.text[a:b]):
                continue  # 对进口半导体启动调查: goods investigated, no one
            c = _slot_candidate(p, a, b)
            if c is not None:
                out.append(c)
    return out


def _goods(name: str) -> bool:
    """Whether a word names a kind of goods (进口半导体, 成熟制程芯片): a common word of the field
    ends it and no kind word of an organisation does."""
    return _type_of_head(name) is None and any(name.endswith(w) for w in cues().common_words)


def _slot_candidate(p: Passage, a: int, b: int) -> Candidate | None:
    a = _after_country(p, a, b)  # 与德国博世合作: 博世, a German company
    name = p.text[a:b]
    if RE_PHRASE_INSIDE.search(name):
        return None
    if NOT_SUBJECTS.match(name) or RE_TIME_OPENING.match(name):
        return None
    if not _names_something(p, a, b, name) or name.endswith(DESCRIPTION_HEADS):
        return None
    if re.fullmatch(r"[A-Za-z0-9&.\-\s]+", name) and not _latin_subject(name):
        return None
    if _only_a_head(name):
        return None  # 由大学牵头: a kind, no name
    if p.covered(a, b):
        return None  # 对进口半导体启动调查: a kind of goods (a technology ends it), no one
    return Candidate(a, b, name, _type_of_head(name) or "Company", "argument_slot")


# a standard or specification named in Latin, with its version (UEC 1.0规范, SEMI E187标准,
# HBM4标准（JESD270-4）): the Latin name is the standard's, 标准/规范 says what it is
RE_STANDARD = re.compile(
    r"(?<![A-Za-z0-9])(?P<name>[A-Za-z][A-Za-z0-9\-]*(?:\s?[A-Za-z0-9][A-Za-z0-9.\-]*){0,3})"
    r"\s*(?P<kind>标准|规范)(?:\s*[（(](?P<code>[A-Za-z][A-Za-z0-9.\-]{1,20})[）)])?"
)


def standard_name(p: Passage) -> list[Candidate]:
    """UALink 1.0规范, SEMI E187标准, HBM4标准（JESD270-4）: a standard named in Latin before the
    word that says it is one, a Technology (its code in brackets an alias); not a kind of
    standard the table names (a technology's standard: DRAM标准)."""
    out = []
    for m in RE_STANDARD.finditer(p.text):
        a, b = m.span("name")
        name = m.group("name").strip()
        if p.covered(a, b) and not re.search(r"[0-9]", name):
            continue  # DRAM标准: a standard for a technology the table has, no name
        if not re.search(r"[A-Z]", name) or len(name) < 2:
            continue
        forms = (name + m.group("kind"),) + ((m.group("code"),) if m.group("code") else ())
        # the whole span (its code too), so that no abbreviation finder reads it as a company
        out.append(Candidate(a, m.end(), name, "Technology", "standard_name", aliases=forms))
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


# what is developed, made or studied: the object of such a verb, when it ends in a word that
# says it is a technology or a product line (…器件, …模块, …技术)
RE_WORKED_ON = re.compile(
    r"(?:开发|研发|研制|生产|量产|推出|发布|攻关|研究|聚焦于?|专注于?|致力于|主攻)(?:出|了)?\s*"
    rf"(?P<obj>[{CJK}A-Za-z0-9][{CJK}A-Za-z0-9 .\-]{{1,22}}?"
    r"(?:技术|器件|模块|系统|材料|工艺|处理器|存储器|闪存|传感器|晶体管|衬底|设备|化学品))"
    r"(?=[，。；、和与及等（(\s]|$)"
)
RE_NAMES_A_PROGRAMME = re.compile(r"\s*(?:[（(][^）)]{1,12}[）)])?\s*(?:项目|计划|倡议|联盟|中心)")
RE_NAMED_AS = re.compile("代号为|名为|称为|命名为")
RE_TECH_HEAD = re.compile(
    "技术|器件|模块|系统|材料|工艺|处理器|存储器|闪存|传感器|晶体管|衬底|设备|化学品"
)
RE_TECH_LEAD = re.compile(r"(?:新一代|下一代|新型|全新|首款|多款|一系列|相关|自有|自研|其)\s*")


def worked_on_technology(p: Passage) -> list[Candidate]:
    """开发用于 EUV设备的氢气回收技术, 主要生产硅基氮化镓功率器件: what a verb of developing, making
    or studying works on, ending in a word for a kind of technology, is a technology of its own
    when it says more than a technology the table knows (氮化镓功率器件, not 碳化硅技术)."""
    out = []
    t = p.text
    for m in RE_WORKED_ON.finditer(t):
        a, b = m.span("obj")
        if t.startswith("的", a) or RE_NAMES_A_PROGRAMME.match(t, b):
            continue  # 研发的…生态系统: a modifier; 发布…传感器（RoQS）项目: a programme's name
        if RE_NAMED_AS.search(t, m.start(), b):
            continue  # 发布代号为 Hala Point的…系统: the name it is given is the name
        inner = t.rfind("的", a, b)
        a = inner + 1 if inner >= 0 else a  # 用于 EUV设备的氢气回收技术: what it is, not its use
        lead = RE_TECH_LEAD.match(t, a)
        a = lead.end() if lead else a
        while a < b and t[a].isspace():
            a += 1
        name = t[a:b]
        if len(re.sub(r"\s", "", name)) < 4 or _verb_pattern().search(name):
            continue
        if any(c in STOP_CHARS for c in name):
            continue
        inside = p.mention_at(a, b)
        techs = [x for x in inside if p.type_of(x) in ("Technology", "Product")]
        if len(techs) != len(inside):
            continue  # a company's or a place's name in it: no technology's own
        if any(x.start <= a and b <= x.end for x in p.mentions) or any(
            x.end == b and p.type_of(x) == "Product" for x in inside
        ):
            continue  # the table's technology, or its product with words before it
        rest = re.sub(RE_TECH_HEAD, "", name_part(name, p, a))
        if not rest and not _compound(t, techs):
            continue  # 碳化硅技术: the technology the table knows, and its kind
        # a model number or a capitalised Latin name makes it a named product (星河 Nova处理器)
        etype = "Product" if re.search(r"[A-Za-z]+-?[0-9]|[A-Z][a-z]+", name) else "Technology"
        out.append(Candidate(a, b, name, etype, "worked_on_technology"))
    return out


def _compound(t: str, techs: list) -> bool:
    """Two technologies glued into one (硅基氮化镓功率器件: GaN-on-Si power devices), not listed."""
    ts = sorted(techs, key=lambda x: x.start)
    return len(ts) >= 2 and all(
        not t[x.end : y.start].strip() for x, y in zip(ts, ts[1:], strict=False)
    )


# the slots an organisation fills around a verb besides the subject and 向/对/与: the agent of a
# passive (由X代工, 被X收购), a subsidiary (Y旗下的X)
RE_PASSIVE_AGENT = re.compile(
    rf"(?:由|被)\s*(?P<name>{SLOT_NAME})\s*"
    r"(?:代工|生产|制造|研发|开发|投资|收购|并购|领投|牵头|运营|承建|主导|控股|建设|设计|封装)"
)
RE_SUBSIDIARY = re.compile(
    rf"(?:旗下|子公司)的?\s*(?P<name>{SLOT_NAME})\s*"
    r"(?=推出|发布|宣布|于|将|已|在|与|和|获得|完成|是|为|计划|正在|开发|研发|生产|[，。；])"
)
RE_PATIENT = re.compile(
    rf"(?:^|[，。；：])\s*(?P<name>{SLOT_NAME})\s*(?:于\s*[0-9]{{4}}\s*年[^，。；被]{{0,8}})?"
    r"被\s*[^，。；]{2,20}?(?:收购|并购|制裁|列入|纳入|起诉|调查)"
)


# who a company's investors, shareholders, customers or partners are: 投资者包括A、B和C
RE_LISTED_ROLE = re.compile(r"(?:投资者|投资方|投资机构|股东|客户|合作伙伴)(?:还|则|主要)?包括\s*")
RE_LIST_ITEM = re.compile(r"[^、，。；和及等\s][^、，。；和及等]*")


def role_slot(p: Passage) -> list[Candidate]:
    """该芯片由青峰代工, 青峰于 2024年被远山收购, 远山旗下的青峰推出…: the word in the slot a
    passive gives its agent or its patient, or that names a subsidiary, is an organisation."""
    out = []
    for rx in (RE_PASSIVE_AGENT, RE_SUBSIDIARY, RE_PATIENT):
        for m in rx.finditer(p.text):
            c = _slot_candidate(p, *m.span("name"))
            if c is not None:
                out.append(replace(c, finder="role_slot"))
    t = p.text
    for m in RE_LISTED_ROLE.finditer(t):
        end = min((k for k in (t.find(c, m.end()) for c in "，。；") if k >= 0), default=len(t))
        for item in RE_LIST_ITEM.finditer(t, m.end(), end):
            a, b = item.span()
            while b > a and t[b - 1].isspace():
                b -= 1
            c = _slot_candidate(p, a, b)
            if c is not None:
                out.append(replace(c, finder="role_slot"))
    return out
