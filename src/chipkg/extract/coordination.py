"""Names listed with an organisation before what they do or get together (second and third
rounds of names.py): 由 OpenAI和甲骨文负责运营, 英特尔与北川、Zentro合作, X与英特尔签署… — each
item the table lacks is an organisation too."""

from __future__ import annotations

import re

from chipkg.extract.entities import Mention
from chipkg.extract.kind_finders import ADVERBS, _latin_subject
from chipkg.extract.names import (
    CJK,
    STOP_CHARS,
    Candidate,
    Passage,
    _not_a_name,
    _verb_pattern,
    is_generic,
)

RE_COORDINATED_VERB = (
    r"(?:负责|共同|等|均|分别|提供|宣布|签署|签订|达成|联合|获得|合资|合作|完成|携手|组建|成立"
    r"|(?:正在|将|已|都|也)\s*(?:建设|投资|扩建|开发|研发|生产|推出)"  # A和B正在建设: both do
    r"|在[^，。；]{1,24}?(?:合资|共同|联合|合作))"  # A与B在长滨合资建设: both build
)
RE_ABBREVIATED = re.compile(  # the one's abbreviation, or the word for a company its name left out
    r"\s*(?:[（(][A-Za-z][A-Za-z0-9&.\- ]{0,20}[）)]|公司|集团)"
)
RE_LIST_ITEM = re.compile(
    rf"\s*(?:(?:和|与|、|及|以及)\s*)?(?P<name>[{CJK}]{{2,5}}?|[A-Za-z][A-Za-z0-9&.\-]*(?:\s[A-Z][A-Za-z0-9&.\-]*)*)"
    r"(?=\s*(?:和|与|、|及|以及|[（(])|\s*" + RE_COORDINATED_VERB + ")"
)
RE_COORDINATED_END = re.compile(r"\s*" + RE_COORDINATED_VERB)


def coordinated_name(p: Passage) -> list[Candidate]:
    """由 OpenAI和甲骨文负责运营, 向远山（YS）和北川提供, 英特尔与北川、Zentro合作: the words listed
    with an organisation, before what they do or get together, are organisations too (each
    item of the list that the table lacks)."""
    out = []
    for x in p.mentions:
        if "org" not in p.entities[x.entity].categories:
            continue
        items, at = _list_after(p, x.end)
        if not items or not RE_COORDINATED_END.match(p.text, at):
            continue
        kind = _kind_of_list(p, x, items)
        for a, b in items:
            c = _coordinated_with(p, kind, a, b)
            if c is not None:
                out.append(c)
    return out + _coordinated_before(p)


def _kind_of_list(p: Passage, x: Mention, items: list[tuple[int, int]]) -> Mention:
    """The organisation whose kind the unknown items of a list take: a known item of the list
    itself (NSF与青峰、英特尔公司: companies), else the one the list is joined to."""
    for a, b in items:
        for m in p.mention_at(a, b):
            if "org" in p.entities[m.entity].categories:
                return m
    return x


def _list_item(p: Passage, at: int) -> tuple[int, int] | None:
    """The next item of a list at ``at`` (after 和/与/、/及): a name the table has (its whole
    mention) or a word of 2-5 characters or a Latin name."""
    j = re.match(r"\s*(?:和|与|、|及|以及)\s*", p.text[at:])
    if not j:
        return None
    start = at + j.end()
    for m in p.mentions:
        if m.start == start:
            if p.type_of(m) == "Country":  # 德国博世: the country glued before a name
                after = RE_LIST_ITEM.match(p.text, m.end)
                if after and after.start("name") == m.end and not p.covered(*after.span("name")):
                    return after.span("name")
            return m.start, m.end
    m = RE_LIST_ITEM.match(p.text, start)
    return m.span("name") if m else None


def _coordinated_with(p: Passage, x: Mention, a: int, b: int) -> Candidate | None:
    """The word at a..b, coordinated with the organisation ``x``, as an organisation of x's
    type, unless it is no name (covered, generic, a verb, a stop character inside)."""
    name = p.text[a:b]
    if p.covered(a, b) or is_generic(name, p, a) or _verb_pattern().search(name):
        return None
    if re.fullmatch(r"[A-Za-z0-9&.\-\s]+", name) and not _latin_subject(name):
        return None
    if any(c in STOP_CHARS for c in name):
        return None
    return Candidate(a, b, name, p.entities[x.entity].type, "coordinated_name")


RE_PARTNER_BEFORE = re.compile(
    rf"(?:^|[，。；：,;:])\s*(?P<name>[{CJK}]{{2,6}}?)\s*(?:(?:{ADVERBS})\s*)*(?:与|和|同|、)\s*$"
)
RE_JOINT_VERB = re.compile(r"\s*(?:签署|签订|达成|合作|联合|共同|携手|合资|组建|成立)")


def _coordinated_before(p: Passage) -> list[Candidate]:
    """X与英特尔签署…: a word that opens its clause, joined by 与/和 to an organisation before what
    they do together, is an organisation of the same kind."""
    out = []
    t = p.text
    for x in p.mentions:
        if "org" not in p.entities[x.entity].categories or not _acts_with_others(p, x):
            continue
        m = RE_PARTNER_BEFORE.search(t, max(0, x.start - 12), x.start)
        if not m:
            continue
        a, b = m.span("name")
        c = _coordinated_with(p, x, a, b)
        if c is not None and not _not_a_name(t, a, b, b):
            out.append(c)
    return out


def _acts_with_others(p: Passage, x: Mention) -> bool:
    """Whether the organisation at ``x`` does something together with the words before it: a
    joint verb right after it (X与英特尔签署), or after the rest of a list it opens (贝莱德、全球
    基础设施合作伙伴（GIP）、微软和 MGX宣布…)."""
    if RE_JOINT_VERB.match(p.text, x.end):
        return True
    return bool(RE_COORDINATED_END.match(p.text, _list_after(p, x.end)[1]))


def _list_after(p: Passage, at: int) -> tuple[list[tuple[int, int]], int]:
    """The items listed after a name at ``at`` (each after 和/与/、/及, an abbreviation in
    brackets skipped) and where the list ends."""
    items = []
    while True:
        ab = RE_ABBREVIATED.match(p.text, at)
        at = ab.end() if ab else at
        m = _list_item(p, at)
        if m is None:
            return items, at
        items.append(m)
        at = m[1]
