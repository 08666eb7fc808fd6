"""Names a report uses that the entity table lacks: where they are and what kind they are.

Finders (each a function named for the cue it reads, pinned by an invented sentence in
tests/test_extract_provisional.py) look in the text the linker left unexplained:

* ``bracketed_abbreviation``  德州仪器（TI）: a name and the abbreviation the text gives for it
* ``quoted_name``             “安全飞地”（Secure Enclave）项目: a quoted name and its kind
* ``book_title``              《产业创新条例》第 10条之 2: a law, strategy or programme by title
* ``suffixed_name``           华虹集团, 北卡罗来纳州, 低息贷款项目: a name by the word it ends with
                              (data/entity_cues.toml [[name_suffix]])
* ``government_of``           以色列政府: the country whose government acts
* ``place_after_place``       纽约州奥尔巴尼, 以色列南部基里亚特加特: a place inside a place
* ``operator_place_facility`` 美光科技广岛工厂: the place in a plant's name
* ``latin_name``              Natcast, HUMAIN, GB300: a Latin name (a model number is a product;
                              latin_names.py)
* ``person_name``             格雷格·阿博特: a foreign person's name in Chinese script

provisional.py resolves the candidates and mints provisional entities from them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import cache

from chipkg.extract.amounts import find_dates, find_money
from chipkg.extract.cues import NameSuffix, cues
from chipkg.extract.entities import Entity, Mention
from chipkg.extract.kinds import ENTITY_TYPES

CJK = "\u4e00-\u9fff"
RE_CJK = re.compile(f"[{CJK}]")
NAME_CHARS = re.compile(rf"[{CJK}A-Za-z0-9·\-+&.]")
# characters a name does not contain: they join or govern names (X和Y, 在X, 对X, 其X)
STOP_CHARS = frozenset(
    '的和与在为对由将及了并向从于把被、，。；：！？,;:!?（）()“”"《》「」其该这些此每各等'
)
RE_LATIN_NAME = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z0-9][A-Za-z0-9&+.\-]*(?::[A-Za-z][A-Za-z0-9]*)?"  # Run:ai
    r"(?:\s[A-Z0-9][A-Za-z0-9&+.\-]*)*(?![A-Za-z0-9])"
)
RE_MODEL = re.compile(r"[A-Za-z]*-?[0-9]+[A-Za-z]*")  # GB300, 910B, 9000S, LF-9: a model number
RE_UNIT = re.compile(
    r"^[0-9.]+\s*(?:nm|mm|cm|GW|MW|kW|GB|TB|Gbps|GHz|V|W|x|X|%|岁)$"
    r"|^[0-9]{1,2}[A-Za-z]$|^[0-9]+\.[0-9]+[A-Za-z]?$"  # 3D, 5G, 2.5D: kinds, not names
)
RE_ABBREVIATION = re.compile(r"[（(]\s*([A-Za-z][A-Za-z0-9&+.\- ]{0,30}?)\s*[）)]")
RE_QUOTED = re.compile(r"[“\"]([^”\"“]{2,20})[”\"]")
RE_BOOK = re.compile(
    r"《([^》]{2,40})》(\s*第\s*[0-9一二三四五六七八九十百]+\s*条(?:\s*之\s*[0-9一二三四五六七八九十]+)?)?"
)
RE_GOVERNMENT = re.compile(rf"([{CJK}]{{2,6}}?)政府")
DIRECTIONS = ("东南部", "西南部", "东北部", "西北部", "南部", "北部", "东部", "西部", "中部")
PLACE_TYPES = frozenset({"Country", "Region"})
ORG_TYPES = frozenset(t for t, c in ENTITY_TYPES.items() if "org" in c)
FACILITY_TYPES = frozenset(t for t, c in ENTITY_TYPES.items() if "facility" in c)


@dataclass(frozen=True)
class Candidate:
    """A name found in a passage's clean text, before it is resolved."""

    start: int
    end: int
    name: str  # the name as written (white space as the text has it)
    type: str
    finder: str
    aliases: tuple[str, ...] = ()  # other forms the text gives (an abbreviation, the quoted name)
    described_as: tuple[str, ...] = ()  # the words of an unnamed plant (新芯片工厂): not linked
    key_name: str = ""  # the name without fillers (首座, 新), which makes the id; default: name
    broader: str = ""  # a place it is in (纽约州奥尔巴尼: new-york-state)
    broader_name: str = ""  # …or the name of a place found with it (北卡罗来纳州锡勒城)
    operator: tuple[str, ...] = ()  # a facility's operator named in its name
    country: str = ""


@dataclass
class Passage:
    """What a finder sees: one passage's clean text and the reference mentions in it."""

    index: int
    text: str
    mentions: list[Mention]
    entities: dict[str, Entity]
    context_countries: tuple[str, ...] = ()  # from the article and section headings
    generic_words: tuple[str, ...] = ()  # see generic_words()

    def covered(self, a: int, b: int) -> bool:
        return any(m.start < b and a < m.end for m in self.mentions)

    def mention_at(self, a: int, b: int) -> list[Mention]:
        return [m for m in self.mentions if a <= m.start and m.end <= b]

    def type_of(self, m: Mention) -> str:
        return self.entities[m.entity].type


# --------------------------------------------------------------------------------------------
# the stem of a name: how far back a name reaches from its last word


def spans_of(word: str, text: str) -> Iterator[tuple[int, int]]:
    """Where ``word`` occurs in ``text``, left to right, not overlapping (as ``re.finditer`` of
    the escaped word, without building a pattern per word: the finders look for every cue word
    in every passage, and most are absent)."""
    if not word:
        return
    at = text.find(word)
    while at >= 0:
        yield at, at + len(word)
        at = text.find(word, at + len(word))


@cache
def _suffix_order() -> tuple[NameSuffix, ...]:
    return tuple(cues().name_suffixes)


@cache
def _verb_pattern() -> re.Pattern[str]:
    verbs = sorted(cues().verbs, key=len, reverse=True)
    quantity = r"[0-9一二三四五六七八九十几多两数]+\s*(?:个|家|座|项|条|所|种|类)"
    # a verb right before an office word is part of the office's name (计划办公室, 计划局)
    office = "(?!办公室|局|署|司)"
    # 有 is a verb, but not in 有限公司 (a company's legal form)
    inside = {"有": "(?!限)"}
    return re.compile(
        "|".join([quantity, *(re.escape(v) + inside.get(v, "") + office for v in verbs)])
    )


def _hard_stops(p: Passage) -> list[tuple[int, int]]:
    """Spans a name never crosses: amounts of money and dates (17万亿韩元低息贷款项目)."""
    spans = [(m.start, (m.conversion.end if m.conversion else m.end)) for m in find_money(p.text)]
    spans += [(d.start, d.end) for d in find_dates(p.text)]
    return spans


# a company's legal form (…有限公司): the name before it may hold any words, verbs too; only the
# verbs that introduce a name end it (宣布成立…有限公司)
RE_NAME_INTRODUCING = re.compile("宣布|成立|设立|组建|注册|收购|入股|控股的|旗下的|与|和|由")
RE_GROUP_IN_BRACKETS = re.compile(r"[（(]集团[）)]$")


def stem_start(p: Passage, end: int, stops: list[tuple[int, int]]) -> int:
    """Where a name that ends at ``end`` (before its last word) starts: back over name
    characters to a stop character, an amount or a date; then after the last verb or counted
    quantity in it (宣布成立X → X, 两个州 → no name), and after an inner name followed by a space
    (合资公司 VisionPower… → VisionPower…)."""
    t = p.text
    i = end
    while i > 0:
        c = t[i - 1]
        if any(a < i <= b for a, b in stops):
            break
        if c in "）)" and RE_GROUP_IN_BRACKETS.search(t, max(0, i - 4), i):
            i -= 4  # 合肥市建设投资控股（集团）有限公司: the group's mark inside a legal name
            continue
        if c in STOP_CHARS and not any(m.start < i - 1 < m.end - 1 for m in p.mentions):
            break  # not the 那 of 亚利桑那州, inside a name the linker found
        if c == " ":
            # an extraction space: only between a CJK character and Latin letters or digits
            if not (i < len(t) and re.match(r"[A-Za-z0-9]", t[i]) and i > 1):
                break
        elif not NAME_CHARS.match(c):
            break
        i -= 1
    start = _across_conjunction(p, i, stops)
    verbs = _verb_pattern()
    if t[:end].endswith("有限") and t.startswith("公司", end):
        verbs = RE_NAME_INTRODUCING  # 合肥市建设投资控股（集团）有限公司: a legal name holds verbs
    for m in reversed(list(verbs.finditer(t, start, end))):
        if _inside_mention(p, m.start(), m.end()) or (
            m.end() == end and m.group(0) in MODIFYING_VERBS
        ):
            continue  # 计划 in CHIPS for America计划; 扩建晶圆厂, 综合支持方案: a modifier
        start = m.end()
        break
    for m in re.finditer(r" ", t[start:end]):
        before = t[start : start + m.start()]
        country = any(
            x.end == start + m.start() and p.type_of(x) == "Country" for x in p.mentions
        )  # 英国 Clas-SiC晶圆厂公司: the company's country, then its name
        if country or any(before.endswith(s.suffix) for s in _suffix_order()):
            start = start + m.end()
    while start < end and t[start] == " ":
        start += 1
    enum = RE_ENUMERATOR.match(t, start)
    return enum.end() if enum and enum.end() < end else start


# verbs that qualify the noun they are glued to (扩建晶圆厂: an expansion fab)
MODIFYING_VERBS = frozenset({"扩建", "新建", "在建", "支持", "合作", "投资"})
RE_ENUMERATOR = re.compile(r"[0-9]+[.、．]\s*|[（(][一二三四五六七八九十0-9]+[）)]\s*")
CONJUNCTIONS = "和与及"


def _across_conjunction(p: Passage, i: int, stops: list[tuple[int, int]]) -> int:
    """A name may join two common words with 和/与/及 (集成电路研发和制造基地): the stem goes on
    over the conjunction when what is before it is common words only, and no name."""
    t = p.text
    if i <= 0 or t[i - 1] not in CONJUNCTIONS:
        return i
    j = i - 1
    while j > 0 and RE_CJK.match(t[j - 1]) and t[j - 1] not in STOP_CHARS:
        if any(a < j <= b for a, b in stops):
            break
        j -= 1
    left = t[j : i - 1]
    names = [m for m in p.mentions if j <= m.start and m.end <= i - 1]
    if (
        len(left) >= 2
        and all(p.type_of(m) == "Technology" for m in names)
        and not any(m.start < j < m.end for m in p.mentions)
        and is_generic(left, p, j)
    ):
        return j
    return i


def _inside_mention(p: Passage, a: int, b: int) -> bool:
    return any(m.start <= a and b <= m.end for m in p.mentions)


def key_name(p: Passage, a: int, b: int) -> str:
    """The name at [a, b) without the words that only describe it (新加坡首座 HBM先进封装工厂 →
    新加坡HBM先进封装工厂); names inside it are kept whole (新加坡 keeps its 新)."""
    pieces, i = [], a
    for m in sorted(p.mention_at(a, b), key=lambda m: m.start):
        pieces.append(_strip_fillers(p.text[i : m.start], leading=i == a))
        pieces.append(re.sub(r"\s+", "", m.surface))
        i = m.end
    pieces.append(_strip_fillers(p.text[i:b], leading=i == a))
    return "".join(pieces) or re.sub(r"\s+", "", p.text[a:b])


def _strip_fillers(name: str, leading: bool = True) -> str:
    """The text without the words that only describe (首座, 新) and white space."""
    out = re.sub(r"\s+", "", name)
    if not leading:
        for w in sorted(cues().fillers, key=len, reverse=True):
            if len(w) >= 2:
                out = out.replace(w, "")
        return out
    for w in sorted(cues().fillers, key=len, reverse=True):
        if out.startswith(w) and len(out) > len(w) + 1:
            out = out[len(w) :]
    for w in sorted(cues().fillers, key=len, reverse=True):
        if len(w) >= 2:
            out = out.replace(w, "")
    return out


def generic_words(entities: dict[str, Entity]) -> tuple[str, ...]:
    """The words a description is made of (data/entity_cues.toml common words and fillers, and
    the Chinese names of technologies), longest first."""
    tech = {
        n
        for e in entities.values()
        if e.type in ("Technology", "Product") and not e.provisional
        for n in e.names
        if RE_CJK.search(n)
    }
    return tuple(sorted(cues().common_words | cues().fillers | tech, key=lambda w: (-len(w), w)))


def name_part(stem: str, p: Passage, a: int) -> str:
    """What is left of a stem without common words, fillers, numbers, units, technologies and the
    names it contains: the part that names (华虹 in 华虹集团; nothing in 先进封装与测试工厂)."""
    rest = stem
    for m in p.mention_at(a, a + len(stem)):
        rest = rest.replace(m.surface, " ")
    rest = re.sub(r"\s+", "", rest)
    for w in p.generic_words:
        rest = rest.replace(w, "")
    return re.sub(r"[0-9.·\-+]+(?:mm|nm|英寸|兆瓦|吉瓦|千瓦|万片|片|期)?", "", rest)


def is_generic(stem: str, p: Passage, a: int) -> bool:
    return not name_part(stem, p, a)


def _not_a_name(t: str, start: int, a: int, b: int) -> bool:
    """A suffix that is the start of a longer word (部署, 市场) or a name that ends like a word
    that is not one (南部, 当局)."""
    name = t[start:b]
    for w in cues().not_names:
        if name.endswith(w):
            return True
        if t.startswith(w, a) and len(w) > b - a:
            return True
    return False


LOCATIVES = ("在", "位于", "于")
FACILITY_WORDS = ("生产线", "产线", "晶圆厂", "工厂", "基地", "园区")


def _project_type(stem: str, etype: str) -> str:
    """A 项目 (project) that builds a plant is a plant: 无锡二期 12英寸生产线项目,
    集成电路研发和制造基地二期项目（Fab 9）."""
    if etype == "FundingProgram" and re.search("|".join(FACILITY_WORDS) + "|Fab", stem):
        return "Fab"
    return etype


def _is_place(p: Passage, m: Mention) -> bool:
    return p.type_of(m) in PLACE_TYPES


# --------------------------------------------------------------------------------------------
# finders of the names the text marks


def _type_of_head(text: str) -> str | None:
    """The type a name ending in ``text`` has (the longest suffix it ends with)."""
    best = None
    for s in _suffix_order():
        if text.endswith(s.suffix) and (best is None or len(s.suffix) > len(best.suffix)):
            best = s
    return best.type if best else None


def bracketed_abbreviation(p: Passage) -> list[Candidate]:
    """X（ABC）: a name and the abbreviation the text gives for it (世界先进（VIS）, 半导体研究公司
    制造联盟（SRC））. Its type comes from its last word, else it is an organisation."""
    out = []
    stops = _hard_stops(p)
    for m in RE_ABBREVIATION.finditer(p.text):
        abbr = m.group(1).strip()
        if RE_UNIT.match(abbr) or not re.match(r"[A-Z]|[a-z]+[A-Z]", abbr):
            continue  # not a name: 12英寸（300mm）, 拍瓦级（petawatt-class）
        end = m.start()
        start = stem_start(p, end, stops)
        name = p.text[start:end].strip()
        tech = RE_TECH_HEAD.match(p.text, m.end())
        if tech and re.fullmatch(r"[0-9A-Za-z.\-+]{1,8}", name):
            # 7nm（N+2）工艺: a process named by its node and its own name
            forms = (f"{name}（{abbr}）", abbr, abbr + tech.group(0).strip())
            span = p.text[start : tech.end()]
            out.append(
                Candidate(start, tech.end(), span, "Technology", "bracketed_abbreviation", forms)
            )
            continue
        if len(re.sub(r"\s", "", name)) < 2 or not RE_CJK.search(name):
            continue
        whole = [x for x in p.mentions if x.start == start and x.end == end]
        acronym = _acronym_head(name, abbr)
        if is_generic(p.text[start:end], p, start) and not whole and acronym is None:
            continue  # 高数值孔径（High-NA）: a technology's description (国务院（…）: a name)
        head = _type_of_head(name) or _quoted_head(name) or _technology_head(name) or acronym
        if head is None:
            inner = _place_inside(p, start, end)
            if inner is not None:
                out.append(replace(inner, end=m.end(), aliases=(abbr,)))
                if inner.broader_name:  # the outer place, minted in the same round
                    out.append(
                        replace(
                            inner,
                            start=start,
                            end=inner.start,
                            name=inner.broader_name,
                            broader_name="",
                        )
                    )
                continue
        if head in (None, "Company"):  # …企业威世科技（Vishay）: a company described before it
            name = p.text[_after_descriptor(p, start, end) : end].strip()
        etype = _project_type(name + " " + abbr, head or "") or (
            "Technology" if _among_technologies(p, start, m.end()) else "Company"
        )
        # the words that described it stay a form of it (美国另类资产管理公司阿波罗): linked as
        # one, their country is no partner of the sentence's
        forms = (abbr,) if p.text[start:end].strip() == name else (abbr, p.text[start:end].strip())
        out.append(Candidate(start, m.end(), name, etype, "bracketed_abbreviation", aliases=forms))
    return out


# the words an institution's name may end with that are no name suffix of their own (研发中心 is a
# facility noun): a name when the text abbreviates it in capitals (国家半导体技术中心（NSTC）)
ACRONYM_HEADS = {
    "中心": "ResearchCenter",
    "实验室": "ResearchInstitution",
    "办公室": "GovernmentAgency",
}


def _acronym_head(name: str, abbr: str) -> str | None:
    """国家半导体技术中心（NSTC）: common words that end like an organisation or an institution and
    that the text abbreviates in capitals are a name, not a description; the type they have."""
    if not re.fullmatch(r"[A-Z][A-Z0-9&\-]{1,9}", abbr):
        return None
    head = _type_of_head(name)
    if head is not None:
        return None if head in PLACE_TYPES else head
    return next((t for w, t in ACRONYM_HEADS.items() if name.endswith(w)), None)


# the last words of a technology's name (现场可编程门阵列（FPGA）, 碳化硅功率器件（SiC MOSFET）)
TECHNOLOGY_HEADS = ("阵列", "器件", "晶体管", "存储器", "衬底", "封装", "工艺", "技术", "材料")


def _technology_head(name: str) -> str | None:
    return "Technology" if name.endswith(TECHNOLOGY_HEADS) and len(name) > 3 else None


# words that say what kind of organisation the name after them is (…私募投资机构银湖资本,
# 芯片制造商 TSI Semiconductors, 私营 AI实验室 Silo AI): a description, not part of the name
RE_KIND_WORD = re.compile(
    r"(?:企业|公司|厂商|制造商|供应商|开发商|运营商|机构|实验室|初创|巨头|龙头)\s*"
)


def _after_descriptor(p: Passage, start: int, end: int) -> int:
    """Where a name without a head word of its own starts when a kind word describes it inside
    its stem (私募投资机构银湖资本 → 银湖资本): after the last kind word, when a name follows."""
    t = p.text
    kinds = list(RE_KIND_WORD.finditer(t, start, end))
    if not kinds:
        return start
    at = kinds[-1].end()
    rest = t[at:end]
    if len(re.sub(r"\s", "", rest)) < 2 or is_generic(rest, p, at) or p.covered(at - 1, at):
        return start
    return at


def _place_inside(p: Passage, start: int, end: int) -> Candidate | None:
    """STATE X（Latin）: a name glued after a region's name (a table region, or a name with a
    region's suffix) and given its own Latin name is a place in that region (阿萨姆邦贾吉罗德
    （Jagiroad）, 北方邦杰瓦尔（Jewar）): the candidate for X, its outer place by id or name."""
    t = p.text
    lead = [x for x in p.mentions if x.start == start and x.end < end and _is_place(p, x)]
    if lead and p.type_of(lead[0]) != "Region":
        return None  # 英国基础设施银行（UKIB）: a country's name before a body's
    at, outer_name = (lead[0].end, "") if lead else _outer_region(t, start, end)
    name = t[at:end].strip()
    if at == start or not re.fullmatch(f"[{CJK}·]{{2,6}}", name) or p.covered(at, end):
        return None
    if is_generic(name, p, at) or _verb_pattern().search(name):
        return None
    outer = lead[0].entity if lead else ""
    return Candidate(
        at, end, name, "Region", "bracketed_abbreviation", broader=outer, broader_name=outer_name
    )


def _outer_region(t: str, start: int, end: int) -> tuple[int, str]:
    """The region's name a stem begins with, by its suffix (阿萨姆邦…): (where it ends, name)."""
    best = None
    for s in _suffix_order():
        if s.type != "Region" or s.suffix == "地区":
            continue  # 东北地区…中心: a part of a country, not a region that holds places
        k = t.find(s.suffix, start + 2, end)
        if k >= 0 and k + len(s.suffix) + 2 <= end and (best is None or k < best[0]):
            best = (k + len(s.suffix), t[start : k + len(s.suffix)])
    return best if best else (start, "")


RE_TECH_HEAD = re.compile(r"\s*(?:工艺|制程|技术|节点)")


def _among_technologies(p: Passage, a: int, b: int) -> bool:
    """A bracketed name next to technologies is one (集成扇出（InFO）和 CoWoS等封装技术,
    高数值孔径（High-NA）EUV设备): one glued to a technology, listed with one, or before 技术."""
    t = p.text
    after = t[b:].lstrip()
    if re.match(r"(?:和|与|及|、)?\s*", after) and any(
        "tech" in p.entities[x.entity].categories
        and (x.start == b or re.fullmatch(r"\s*(?:和|与|及|、)?\s*", t[b : x.start]))
        for x in p.mentions
        if x.start >= b
    ):
        return True
    return bool(re.match(r"(?:技术|工艺|制程|封装|芯片|内存|器件|材料)", after))


# the word for a kind of policy right before a quoted name (新工业政策“新工业巴西”, 名为“X”的计划)
RE_KIND_BEFORE_QUOTE = re.compile(r"(?P<kind>政策|战略|计划|倡议|项目|基金)\s*$")
KINDS_BEFORE_QUOTE = {
    "政策": "Strategy",
    "战略": "Strategy",
    "计划": "FundingProgram",
    "倡议": "Strategy",
    "项目": "FundingProgram",
    "基金": "FundingProgram",
}


def _kind_before_quote(t: str, at: int) -> str | None:
    k = RE_KIND_BEFORE_QUOTE.search(t, max(0, at - 4), at)
    return KINDS_BEFORE_QUOTE[k.group("kind")] if k else None


def quoted_name(p: Passage) -> list[Candidate]:
    """“X”（Y）NOUN: a quoted name, its Latin form, and the word after it that says what it is
    (“安全飞地”（Secure Enclave）项目, “星际之门阿联酋”（Stargate UAE）…集群)."""
    out = []
    t = p.text
    for m in RE_QUOTED.finditer(t):
        inner = m.group(1).strip()
        if not RE_CJK.search(inner) or any(
            x.start <= m.start(1)
            and m.end(1) <= x.end
            or (x.start < m.end(1) <= x.end and p.entities[x.entity].is_facility)
            for x in p.mentions
        ):
            continue  # a name the linker knows, or a description of one (“巨型晶圆厂”)
        end, aliases = m.end(), []
        br = RE_ABBREVIATION.match(t, end) or RE_SHORT_FORM.match(t, end)
        if br:
            aliases.append(br.group(1).strip())
            end = br.end()
        head = _type_of_head(inner) or _quoted_head(inner)
        after = re.match(r"\s*([^，。；、]{0,12})", t[end:]).group(1)
        tail = next(
            (s for s in _suffix_order() if after.startswith(s.suffix) and s.generic_stem), None
        )
        if tail is not None:
            aliases.append(f"“{inner}”{tail.suffix}")
            aliases.append(inner + tail.suffix)
            end += len(tail.suffix)
            head = head or tail.type
            if tail.suffix == "项目" and _placed(p, m.start()):
                head = "Fab"  # 位于X的“俄亥俄一号”项目: a project at a place is a plant
        elif head is None and br is not None:
            # the noun the description after the name ends in: …1吉瓦人工智能计算集群
            for s in _suffix_order():
                if s.suffix in after and s.type in FACILITY_TYPES:
                    head = s.type
                    break
        if head is None:
            head = _kind_before_quote(t, m.start())  # 新工业政策“新工业巴西”: named for its kind
        if head is None:
            continue  # a quoted phrase, not a name: “台版芯片法案” is one by its own last word
        out.append(Candidate(m.start(), end, inner, head, "quoted_name", aliases=tuple(aliases)))
    return out


# a short form in brackets that keeps the name's head noun: “…商业化中心”（EPIC中心）
RE_SHORT_FORM = re.compile(rf"[（(]\s*([A-Za-z][A-Za-z0-9&+.\-]{{1,15}}\s*[{CJK}]{{1,3}})\s*[）)]")
# head nouns that make a quoted name one of a kind although they are too common to be a name's
# cue unquoted (数据中心 is any data centre; “星河创新及转化中心” names one)
QUOTED_HEADS = (("中心", "ResearchCenter"),)


def _quoted_head(inner: str) -> str | None:
    return next((t for w, t in QUOTED_HEADS if inner.endswith(w) and len(inner) > 4), None)


def _placed(p: Passage, at: int) -> bool:
    """Whether the noun phrase ending at ``at`` is placed: 位于/在 PLACE …的 right before it."""
    cs = max((p.text.rfind(c, 0, at) for c in "，。；：,;:"), default=-1) + 1
    before = p.text[cs:at]
    return before.rstrip().endswith("的") and any(
        _is_place(p, x) and p.text[max(cs, x.start - 2) : x.start].endswith(LOCATIVES)
        for x in p.mentions
        if cs <= x.start and x.end <= at
    )


BOOK_TYPES = (("条例", "Law"), ("法案", "Law"), ("法", "Law"), ("规则", "Law"))


def book_title(p: Passage) -> list[Candidate]:
    """《X》(第 N条之 M): a law, strategy or programme by its title, with the article cited."""
    out = []
    for m in RE_BOOK.finditer(p.text):
        if (
            p.covered(m.start(), m.end())
            and not m.group(2)
            and not _regional_law(p, m.span(1))
            and not _qualified_law(p, m.span(1))
        ):
            continue
        title = m.group(1).strip()
        core = RE_TITLE_YEARS.sub("", title)  # 《…政策（2022年至 2027年）》: the years it runs
        etype = _type_of_head(core) or ("Strategy" if core.endswith("政策") else None)
        if etype not in ("Law", "Strategy", "FundingProgram"):
            # 国家半导体战略《硅岛》: the kind the text puts before the title
            etype = _type_of_head(p.text[max(0, m.start() - 6) : m.start()])
        if etype not in ("Law", "Strategy", "FundingProgram"):
            etype = next((t for w, t in BOOK_TYPES if title.endswith(w)), "Law")
        name = f"《{title}》" + (m.group(2) or "")
        aliases = (title + re.sub(r"\s+", "", m.group(2) or ""),) if m.group(2) else (title,)
        if core != title:
            aliases = (*aliases, core)
        end = m.end()
        latin = RE_ABBREVIATION.match(p.text, end) if not m.group(2) else None
        if latin:  # 《…法案》（Texas CHIPS Act）: its name in the other script
            aliases, end = (*aliases, latin.group(1).strip()), latin.end()
        out.append(Candidate(m.start(), end, name, etype, "book_title", aliases=aliases))
    return out


RE_TITLE_YEARS = re.compile(r"\s*[（(][0-9\s年至到—\-–]+[）)]\s*$")


def _regional_law(p: Passage, span: tuple[int, int]) -> bool:
    """《得克萨斯州芯片法案》: a region's name before a law's name is the region's own law, not the
    national one (a country's name before it is that law: 《美国芯片法案》); so is a region's
    name before words the table does not name (《北川州半导体政策》)."""
    a, b = span
    inside = sorted(p.mention_at(a, b), key=lambda m: m.start)
    if not inside or inside[0].start != a or p.type_of(inside[0]) != "Region":
        return False
    if len(inside) == 1:
        rest = RE_TITLE_YEARS.sub("", p.text[inside[0].end : b])
        return len(rest) >= 3 and not p.covered(inside[0].end, b)
    return inside[-1].end == b and "policy" in p.entities[inside[-1].entity].categories


def _qualified_law(p: Passage, span: tuple[int, int]) -> bool:
    """《北海芯片法案》: a title that holds a law the table names after words of its own that the
    table does not know (not a country, a region, a year or a common word) is another law; so is
    one after a country or a union that is not the law's own (《欧洲芯片法案》 holds 芯片法案, the
    United States' law)."""
    a, b = span
    inside = sorted(p.mention_at(a, b), key=lambda m: m.start)
    if not inside or "policy" not in p.entities[inside[-1].entity].categories:
        return False  # 《科技聚焦：量子传感器》: a title about a technology, not a law's name
    if inside[0].start == a:
        # 《欧洲芯片法案》, 《日本芯片法案》: a place whose law the one named is not
        first, law = p.entities[inside[0].entity], p.entities[inside[-1].entity]
        if len(inside) < 2 or "policy" not in law.categories or not law.country:
            return False
        return first.type in ("Country", "SupranationalBody") and law.country != first.id
    before = re.sub(r"[\s0-9]+|年", "", p.text[a : inside[0].start])
    for w in p.generic_words:
        if len(w) >= 2:  # not 欧 of 欧洲: one character stands for a country only in compounds
            before = before.replace(w, "")
    return len(before) >= 2


# what may stand before a person's name: a title (州长, 首席执行官) glued to it
TITLES = (
    "州长", "总统", "副总统", "总理", "首相", "部长", "大臣", "局长", "主席", "董事长", "总裁",
    "首席执行官", "执行长", "参议员", "众议员", "议员", "大使", "市长", "省长", "创始人", "秘书长",
)  # fmt: skip


def person_name(p: Passage) -> list[Candidate]:
    """X·Y: a foreign person's name written in Chinese characters, after a title or a stop
    (得克萨斯州州长格雷格·阿博特签署…), up to the verb after it."""
    out = []
    t = p.text
    for m in re.finditer(rf"([{CJK}]+)·([{CJK}·]+)", t):
        left = m.group(1)
        cut = max((left.rfind(w) + len(w) for w in TITLES if w in left), default=0)
        for v in _verb_pattern().finditer(left):
            cut = max(cut, v.end())
        given = left[cut:]
        if not 1 <= len(given) <= 5 or (cut == 0 and len(left) > 5):
            continue
        right = m.group(2)
        verb = _verb_pattern().search(right)
        family = right[: verb.start()] if verb else right
        family = re.split(rf"[{re.escape(''.join(STOP_CHARS))}]", family)[0].rstrip("·")
        if len(family) < 2 or len(family) > 8:
            continue
        a = m.start(1) + cut
        b = m.start(2) + len(family)
        if p.covered(a, b):
            continue
        out.append(Candidate(a, b, t[a:b], "Person", "person_name"))
    for m in RE_TITLED_NAME.finditer(t):
        a, b = m.span("name")
        if not p.covered(a, b) and not any(c.start <= a < c.end for c in out):
            out.append(Candidate(a, b, t[a:b], "Person", "person_name"))
    return out


# a name of two to four characters after a title and before what the person does (巴西总统卢拉
# 宣布…, 州长普利兹克表示): the title says it is a person
RE_TITLED_NAME = re.compile(
    r"(?:总统|总理|首相|州长|省长|市长|部长|国务卿|主席|董事长|首席执行官|总裁)\s*"
    rf"(?P<name>[{CJK}]{{2,4}}?)\s*"
    r"(?=宣布|表示|签署|称|指出|启动|访问|出席|会见|批准|发布|强调|透露|在)"
)


def find_candidates(
    p: Passage, finders: tuple[Callable[[Passage], list[Candidate]], ...]
) -> list[Candidate]:
    """Every finder's candidates, overlaps settled: the longest wins (半导体研究公司制造联盟 over
    半导体研究公司), then the earlier finder."""
    found = [(i, c) for i, f in enumerate(finders) for c in f(p)]
    found.sort(key=lambda ic: (-(ic[1].end - ic[1].start), ic[0], ic[1].start))
    found = [(i, _with_operator(p, c)) for i, c in found]
    kept: list[Candidate] = []
    for _, c in found:
        clash = [k for k in kept if k.start < c.end and c.start < k.end]
        if not clash:
            kept.append(c)
        elif c.type == "Region" and all(_holds_place(k, c) for k in clash):
            kept.append(c)  # 安靠皮奥里亚工厂: the place in a plant's name
            kept = [
                replace(k, broader_name=c.name)
                if _holds_place(k, c) and not k.broader and not k.broader_name
                else k
                for k in kept
            ]
    return sorted(kept, key=lambda c: c.start)


def _with_operator(p: Passage, c: Candidate) -> Candidate:
    """A plant's operator: the organisation in its name, else the last company the sentence
    names before it (美光科技在新加坡为其…工厂, 英特尔…Fab 28晶圆厂)."""
    if c.type not in FACILITY_TYPES or c.operator:
        return c
    before = [
        m for m in p.mentions if m.end <= c.start and "company" in p.entities[m.entity].categories
    ]
    return replace(c, operator=(before[-1].entity,)) if before else c


def _holds_place(outer: Candidate, place: Candidate) -> bool:
    return (
        outer.type in FACILITY_TYPES
        and outer.start <= place.start
        and place.end <= outer.end
        and outer is not place
    )
