"""Latin names the table lacks (the first round of names.py): an organisation (Natcast, OpenAI,
HUMAIN, TSI Semiconductors after 芯片制造商), a product when it is a model number (GB300, 昇腾 910B)
or follows its maker, a plant named by a code after its noun (晶圆厂 LFAB2), a centre named by its
Latin name and 中心 (CLAWS中心)."""

from __future__ import annotations

import re

from chipkg.extract.names import (
    CJK,
    RE_CJK,
    RE_LATIN_NAME,
    RE_MODEL,
    RE_UNIT,
    STOP_CHARS,
    Candidate,
    Passage,
    _quoted_head,
    _type_of_head,
    _verb_pattern,
)

RE_BRAND = re.compile(rf"(?:^|[的，、])([{CJK}]{{2,4}})\s$")
# words after a Latin term that make it a kind of technology (碳化硅 MOSFET模块)
TECHNOLOGY_WORDS = (
    "技术",
    "器件",
    "模块",
    "工艺",
    "材料",
    "晶体管",
    "存储器",
    "闪存",
    "传感器",
    "衬底",
)
PRODUCT_WORDS = ("系列", "手机", "芯片", "处理器", "GPU", "系统", "产品", "平台", "模型", "服务器")
RE_LATIN_ORG = re.compile(
    r"[A-Z][a-z]+[A-Z][A-Za-z]*|[A-Z][a-z]{2,}|[A-Z]{5,}|[A-Z]+[0-9]+|[A-Z][A-Za-z]+:[A-Za-z]+"
    r"|[A-Z]{1,3}&[A-Z]{1,3}"  # M&G, AT&T
)


def latin_name(p: Passage) -> list[Candidate]:
    """A Latin name the linker does not know: an organisation (Natcast, OpenAI, HUMAIN), or a
    product when it is a model number (GB300, 9000S) or follows its maker (英伟达 H20). Short
    capitals (GPS, AI) are too often a common term to be a name."""
    out = []
    t = p.text
    for m in RE_LATIN_NAME.finditer(t):
        a, b = m.span()
        share = re.search(r"\s+[0-9.]+$", m.group(0))
        if share and t.startswith("%", b):
            b -= len(share.group(0))  # Altera 51%的股权: a share, not a model number
        name = t[a:b].strip(" .-")
        kind = _kind_before(p, a, b, name)
        if kind is None and ":" in name and RE_LATIN_ORG.fullmatch(name):
            kind = "Company"  # Run:ai, whatever term the linker found in it
        if kind is None and p.covered(a, b):
            kind = _named_beyond_a_term(p, a, b, name)
        if kind is not None:
            out.append(
                Candidate(a, b, name, kind, "latin_name", aliases=_short_name(p, a, name, kind))
            )
            continue
        if (
            p.covered(a, b)
            or len(name) < 2
            or RE_UNIT.match(name)
            or not re.search("[A-Za-z]", name)
        ):
            continue
        if t[max(0, a - 1) : a] in ("（", "(") or t[b : b + 1] in ("）", ")"):
            continue  # an abbreviation in brackets belongs to the name before it
        maker = any(
            x.end <= a and not t[x.end : a].strip() and "company" in p.entities[x.entity].categories
            for x in p.mentions
        )
        words = name.split()
        if _quoted_head(t[a : b + 2]) and re.fullmatch(r"[A-Za-z][A-Za-z0-9\-]{2,}", name):
            # CLAWS中心: a centre named by its Latin name and the head noun
            out.append(Candidate(a, b + 2, t[a : b + 2], "ResearchCenter", "latin_name", (name,)))
            continue
        if re.search(r"[0-9]", words[-1]) and RE_MODEL.fullmatch(words[-1]):
            # a model number: Fab 28 is a plant; Mate 70, GB300, 9000S are products
            etype = "Fab" if words[0].lower() == "fab" else "Product"
            if len(words) == 1 and name[0].isupper() and len(name) <= 3 and not maker:
                etype = "Company"  # G42: a short code is a company's name
        elif maker or t[b:].lstrip().startswith(PRODUCT_WORDS):
            etype = "Product"  # 英伟达 H20, Mate系列手机: a company's product
        elif t[b:].lstrip().startswith(TECHNOLOGY_WORDS) or _after_a_technology(p, a):
            continue  # MOSFET模块, 碳化硅 MOSFET: a kind of technology, not an organisation
        elif RE_LATIN_ORG.fullmatch(words[0]) or _acronym_and_name(words):
            etype = _type_of_head(t[b : b + 6]) or "Company"
        else:
            continue
        if etype == "Product":
            out.append(_product(p, a, b, name))
            continue
        out.append(
            Candidate(a, b, name, etype, "latin_name", aliases=_short_name(p, a, name, etype))
        )
    return out


def _after_a_technology(p: Passage, a: int) -> bool:
    """Whether a technology the table knows stands right before ``a`` (碳化硅 MOSFET: a kind of
    the material's devices)."""
    return any(
        x.end <= a and not p.text[x.end : a].strip() and p.type_of(x) == "Technology"
        for x in p.mentions
    )


# words that say a Latin name is a company's, after the name proper (TSI Semiconductors)
DESIGNATORS = frozenset(
    {
        "Semiconductor", "Semiconductors", "Semi", "Technologies", "Technology", "Group",
        "Holdings", "Labs", "Inc", "Corp", "Corporation", "Electronics", "Systems",
        "Microelectronics", "Ltd", "Limited",
    }
)  # fmt: skip


def _acronym_and_name(words: list[str]) -> bool:
    """SK Siltron CSS: a group's acronym before a word that names (a subsidiary's name)."""
    return (
        len(words) >= 2
        and re.fullmatch(r"[A-Z]{2,4}", words[0]) is not None
        and any(re.fullmatch(r"[A-Z][a-z]{2,}", w) and w not in DESIGNATORS for w in words[1:])
    )


def _short_name(p: Passage, a: int, name: str, etype: str) -> tuple[str, ...]:
    """A company's Latin name without the words that only say it is one (TSI Semiconductors →
    TSI, Pragmatic Semiconductor → Pragmatic), which the text then uses alone; not when the
    short form is a name the table has (GaN Systems: GaN is a technology)."""
    words = name.split()
    if etype != "Company" or len(words) < 2 or words[-1] not in DESIGNATORS:
        return ()
    while len(words) > 1 and words[-1] in DESIGNATORS:
        words.pop()
    short = " ".join(words)
    if len(short) < 3 or any(m.start == a and m.end == a + len(short) for m in p.mentions):
        return ()
    return (short,)


RE_DESCRIPTOR = re.compile(r"(?:企业|公司|厂商|集团|初创)\s*$")
RE_NAMED_KIND = re.compile(
    r"(?P<org>企业|公司|厂商|制造商|供应商|开发商|集团|初创|实验室)\s*$"
    r"|(?P<plant>晶圆厂|工厂|封装厂|生产线)\s*$"
    r"|(?P<product>芯片|处理器|加速器|加速芯片)\s*$"
)
# a word of a name: capitalised, or a brand written in lower case with a hyphen or an inner
# capital (u-blox, eMemory)
RE_NAME_WORD = re.compile(
    r"[A-Z][A-Za-z0-9&.:\-]*|[a-z][a-z0-9]*-[a-z0-9\-]+|[a-z]+[A-Z][A-Za-z0-9]*"
)


def _kind_before(p: Passage, a: int, b: int, name: str) -> str | None:
    """An appositive: a Latin name right after the word that says what it is (芯片制造商 TSI
    Semiconductors, 私营 AI实验室 Silo AI: a company, whatever terms its words hold; 300mm晶圆厂
    LFAB2: a plant). None when no such word is glued before it or a word is not capitalised."""
    kind = RE_NAMED_KIND.search(p.text, max(0, a - 6), a)
    words = name.split()
    if kind is None or not all(RE_NAME_WORD.fullmatch(w) for w in words):
        return None
    if any(m.start <= a and b <= m.end for m in p.mentions) or len(name) < 3:
        return None  # the whole name is one the table has
    if kind.group("plant"):
        return "Fab" if re.search("[0-9]", name) else None
    if kind.group("product"):
        return "Product"  # 第二代自研推理芯片 MTIA: the chip's name
    return "Company"


def _named_beyond_a_term(p: Passage, a: int, b: int, name: str) -> str | None:
    """A Latin name of several words that begins with a name the table has: a company when the
    text calls it one (…功率器件企业 GaN Systems), a process when a maker's name and a number
    come before 制程/工艺 (Intel 4制程). Else None."""
    words = name.split()
    inside = p.mention_at(a, b)
    if len(words) < 2 or not inside or any(m.start <= a and b <= m.end for m in p.mentions):
        return None
    if any(m.start < a < m.end or m.start < b < m.end for m in p.mentions):
        return None
    t = p.text
    first = inside[0]
    if first.start != a or re.search(r"\s", first.surface):
        return None
    if RE_DESCRIPTOR.search(t[:a]) and re.fullmatch(r"[A-Z][A-Za-z]+", words[-1]):
        return "Company"
    if (
        "company" in p.entities[first.entity].categories
        and RE_MODEL.fullmatch(words[-1])
        and re.match(r"\s*(?:制程|工艺|节点)", t[b:])
    ):
        return "Technology"
    return None


def _brand(word: str) -> bool:
    """A word between a maker and a model number that names the product line (麒麟), not a verb
    or a function word (推出的)."""
    return (
        bool(word)
        and bool(RE_CJK.match(word))
        and not any(c in STOP_CHARS for c in word)
        and not _verb_pattern().search(word)
    )


def _brand_after_verb(t: str, a: int) -> re.Match[str] | None:
    """量产酷睿 Ultra处理器: the product line's word after the verb that governs it."""
    run = re.search(rf"([{CJK}]{{3,8}})\s$", t[:a])
    if not run:
        return None
    verbs = list(_verb_pattern().finditer(t, run.start(1), run.end(1)))
    if not verbs:
        return None
    brand = re.compile(rf"([{CJK}]{{2,4}})\s").fullmatch(t, verbs[-1].end(), a)
    return brand if brand and _brand(brand.group(1)) else None  # not 提供最新的 GB300


def _product(p: Passage, a: int, b: int, name: str) -> Candidate:
    """A model number with the brand before it (华为的昇腾 910B, 华为麒麟 9000S) and the product
    word after it (…处理器); each form is an alias."""
    t = p.text
    start, aliases = a, [name]
    brand = RE_BRAND.search(t, 0, a) or _brand_after_verb(t, a)
    maker = [
        m for m in p.mentions if 0 < a - m.end <= 5 and "company" in p.entities[m.entity].categories
    ]
    if brand and not p.covered(brand.start(1), brand.end(1)):
        start = brand.start(1)
    elif maker and _brand(t[maker[-1].end : a].strip()):
        start = maker[-1].end  # 华为麒麟 9000S: the brand after its maker
    word = re.match("(?:处理器|芯片|GPU)", t[b:])
    end = b + (word.end() if word else 0)
    if start != a:
        aliases.append(t[start:b])
    if word:
        aliases.append(t[start:b] + word.group(0))
    return Candidate(start, end, t[start:end], "Product", "latin_name", aliases=tuple(aliases))
