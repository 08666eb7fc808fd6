"""Constructions of policy and business prose that no single trigger word carries (round 4).

Each is written from Chinese grammar, not from one report's sentences, and pinned by invented
sentences in tests/test_extract_constructions.py:

    under_sponsorship    在X的资助/支持下，Y…            X funds Y
    money_for_a_purpose  X投入 N，用于Y / 用于Z的研发      X funds Y (or invests in it);
                                                        research on Z (develops for a company)

``STATED`` filters the claims of a sentence that states no fact (docs/annotation-guidelines.md,
"Not facts"): a negated verb (并未资助, 未向Y提供, 不会在…建设), a rumour (据传…, 传闻…), a hedge
(或将投资, 可能收购) and a condition (如果X资助Y，…). 拟/计划 with a named actor is a stated plan
and stays (the gold sets annotate 拟提供…资助 as funding).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from chipkg.extract.amounts import Money
from chipkg.extract.claims import Claim
from chipkg.extract.context import CLAUSE_END, Ctx
from chipkg.extract.entities import Mention

PAYER = frozenset({"gov", "program", "law", "country"})
INVESTOR = frozenset({"company"})
RECIPIENT = frozenset({"company", "research", "facility", "program", "org"})
TECH = frozenset({"tech"})
GOV = frozenset({"gov"})

RE_SPONSOR = re.compile(
    r"在\s*(?P<who>[^，。；]{2,30}?)\s*(?:的)?\s*(?:大力|全力|积极)?\s*"
    r"(?:资助|支持|资金支持|赞助|出资)\s*下\s*[，,]?"
)
RE_PAYMENT = re.compile(r"投入|拨款|拨付|出资|划拨|安排|斥资|投资")
RE_PURPOSE = re.compile(r"[，,]?\s*(?:专门|主要|将|全部)?\s*(?:用于|用以)")
RE_RESEARCH_WORK = re.compile(r"研发|研究|攻关|开发")


def _at(m: Mention) -> tuple[int, int]:
    return (m.start, m.end)


def under_sponsorship(ctx: Ctx) -> list[Claim]:
    """在美国能源部的资助下，阿贡国家实验室…: the sponsor funds the clause's subject."""
    out = []
    if "下" not in ctx.text:
        return out
    for m in RE_SPONSOR.finditer(ctx.text):
        sponsors = ctx.between(m.start("who"), m.end("who"), PAYER)
        after = m.end()
        funded = ctx.subjects(ctx.clause_end(after), RECIPIENT)
        # 在《法》资助下，能源部为Y提供…: an agency acting under a law's money is not its recipient
        funded = [f for f in funded if f.start >= after and not ctx.ok(f, GOV)]
        if not funded:
            head = [x for x in ctx.mentions if x.start >= after and ctx.ok(x, RECIPIENT)]
            funded = head[:1] if head and not ctx.locative(head[0]) else []
            funded = [f for f in funded if not ctx.ok(f, GOV)]
        for s in sponsors:
            out += [
                Claim(
                    ctx.index,
                    s.entity,
                    "funds",
                    f.entity,
                    "funds/under-sponsorship",
                    date=ctx.event_date(),
                    subject_at=_at(s),
                    trigger_at=m.span(),
                    object_at=_at(f),
                )
                for f in funded
                if f.entity != s.entity
            ]
    return out


def _claim(
    ctx: Ctx,
    s: Mention,
    predicate: str,
    o: Mention,
    rule: str,
    trigger: tuple[int, int] | None = None,
    money: Money | None = None,
) -> Claim:
    """A claim of this sentence between two mentions, placed in the text, dated by the sentence."""
    return Claim(
        ctx.index,
        s.entity,
        predicate,
        o.entity,
        rule,
        money=money,
        date=ctx.event_date(),
        subject_at=_at(s),
        trigger_at=trigger,
        object_at=_at(o),
    )


# a financing round: who leads or joins it (领投/跟投/参投), and who raises it (完成…融资)
RE_ROUND_ROLE = re.compile(
    r"联合领投|共同领投|领投|跟投|参投|参与投资|参与了?|(?:投资者|投资方)包括"
)
RE_ROUND = re.compile(r"融资|[A-H]\s*[+]?\s*轮|天使轮|种子轮")
INVESTORS = frozenset({"company", "org", "gov", "country"})


def funding_round(ctx: Ctx) -> list[Claim]:
    """X完成 N美元 C轮融资，由Y领投，Z跟投 / Y领投X的…融资: each investor named with a role in a
    financing round invests in the company that raises it, with the round's amount (the sum the
    sentence states with the round: docs/annotation-guidelines.md, amounts on every fact the
    sentence states them with)."""
    t = ctx.text
    if not RE_ROUND.search(t) or not RE_ROUND_ROLE.search(t):
        return []
    out = []
    for role in RE_ROUND_ROLE.finditer(t):
        if role.group(0).endswith("包括"):  # 投资者包括A、B: the investors named after it
            # (not whose they are: 源讯集团旗下的 Eviden, 法国政府的…基金)
            listed = ctx.between(role.end(), ctx.clause_end(role.end()), INVESTORS)
            investors = [m for m in listed if not _owner_of_next(ctx, m, listed)]
        else:
            investors = [m for m in ctx.subjects(role.start(), INVESTORS) if m.end <= role.start()]
        raiser = _round_raiser(ctx, role)
        if raiser is None:
            continue
        money = _round_sum(ctx, role)
        out += [
            _claim(
                ctx,
                inv,
                "investsIn",
                raiser,
                "investsIn/funding-round",
                role.span(),
                _own_sum(ctx, inv, role) or money,
            )
            for inv in investors
            if inv.entity != raiser.entity
        ]
    return out


RE_WHOSE = re.compile(r"\s*(?:政府|集团)?\s*(?:旗下的?|的)\s*")


def _owner_of_next(ctx: Ctx, m: Mention, listed: list[Mention]) -> bool:
    """Whether ``m`` only says whose the next listed name is (源讯集团旗下的 Eviden)."""
    w = RE_WHOSE.match(ctx.text, m.end)
    return w is not None and any(x.start == w.end() for x in listed)


def _own_sum(ctx: Ctx, inv: Mention, role: re.Match) -> Money | None:
    """What one investor puts in, said between its name and its role (Y出资 1亿澳元领投)."""
    if inv.end > role.start() or any(c in "，。；" for c in ctx.text[inv.end : role.start()]):
        return None
    return next((m for m in ctx.money if inv.end <= m.start and m.end <= role.start()), None)


def _round_sum(ctx: Ctx, role: re.Match) -> Money | None:
    """The sum of the round an investor joins: the amount nearest the 融资 of its clause, or of
    the clause before it (X完成 6.4亿美元 D轮融资，由Y领投), else none."""
    t = ctx.text
    end = ctx.clause_end(role.end())
    rounds = [m.start() for m in RE_ROUND.finditer(t) if m.start() < end]
    if not rounds:
        return None
    at = rounds[-1]
    return ctx.money_near(at, ctx.clause_start(at), ctx.clause_end(at))


def _round_raiser(ctx: Ctx, role: re.Match) -> Mention | None:
    """The company a financing round is for: named after the role before 的…融资 (Y领投X的…融资),
    else the one that opens the sentence's clause with 融资 (X完成…融资，由Y领投)."""
    t = ctx.text
    end = ctx.clause_end(role.end())
    after = [m for m in ctx.between(role.end(), end, INVESTOR)]
    if after and RE_ROUND.search(t, after[0].end, end):
        return after[0]
    rounds = [m.start() for m in RE_ROUND.finditer(t) if m.start() < role.start()]
    if not rounds:
        return None
    raisers = ctx.subjects(rounds[-1], INVESTOR)
    return raisers[0] if raisers else None


# X是Y(在当地)(最重要)的(研发)合作伙伴: X and Y are partners
RE_PARTNER_OF = re.compile(r"(?:是|为|成为)\s*$")
RE_PARTNER_NOUN = re.compile(r"[^，。；]{0,12}?的[^，。；]{0,8}?(?:合作伙伴|合作方|伙伴)")
ACTORS = frozenset({"actor"})


def partner_of(ctx: Ctx) -> list[Claim]:
    """X是Y最重要的研发合作方: X partners with Y (the one whose partner X is, named after 是)."""
    t = ctx.text
    if "伙伴" not in t and "合作方" not in t:
        return []
    out = []
    for y in ctx.mentions:
        if not ctx.ok(y, ACTORS) or not RE_PARTNER_OF.search(t, 0, y.start):
            continue
        if not RE_PARTNER_NOUN.match(t, y.end):
            continue
        xs = [x for x in ctx.subjects(y.start, ACTORS) if x.end <= y.start and x.entity != y.entity]
        out += [_claim(ctx, x, "partnersWith", y, "partnersWith/partner-of") for x in xs]
    return out


# …获得美国商务部 5亿美元和俄亥俄州政府 1亿美元: each government gives the sum after it
RE_GETS = re.compile(r"获得|获")


def granted_sums(ctx: Ctx) -> list[Claim]:
    """X获得 GOV N (和 GOV' M): each government named right before a sum funds X (the one that
    gets it: the clause's subject, or what its expansion is of), with that sum."""
    t = ctx.text
    if not ctx.money or not RE_GETS.search(t):
        return []
    out = []
    for g in RE_GETS.finditer(t):
        end = ctx.clause_end(g.end())
        givers = [
            m
            for m in ctx.between(g.end(), end, PAYER)
            if any(0 <= x.start - m.end <= 2 for x in ctx.money)
        ]
        if not givers:
            continue
        funded = [f for f in ctx.subjects(g.start(), RECIPIENT) if not ctx.ok(f, GOV)]
        for gv in givers:
            money = next(x for x in ctx.money if 0 <= x.start - gv.end <= 2)
            out += [
                _claim(ctx, gv, "funds", f, "funds/granted-sum", g.span(), money)
                for f in funded
                if f.entity != gv.entity
            ]
    return out


def _payer_and_sum(ctx: Ctx, pay: re.Match) -> tuple[Mention | None, Money | None]:
    """The agent of a payment verb (its clause's subject) and the amount right after it."""
    allowed = PAYER | INVESTOR
    subjects = ctx.subjects(pay.start(), allowed)
    money = next((x for x in ctx.money if 0 <= x.start - pay.end() <= 6), None)
    return (subjects[0] if subjects else None), money


def _purpose_claims(
    ctx: Ctx, payer: Mention, money: Money | None, purpose: re.Match, tag: tuple[int, int]
) -> list[Claim]:
    """The claims of one purpose clause: what the money is for, and the research it pays for."""
    t = ctx.text
    ce = ctx.clause_end(purpose.end())
    company = "company" in ctx.cats(payer)
    out = []

    def claim(pred: str, o: Mention, with_money: bool) -> Claim:
        return Claim(
            ctx.index,
            payer.entity,
            pred,
            o.entity,
            f"{pred}/for-a-purpose",
            money=money if with_money else None,
            date=ctx.event_date(),
            subject_at=_at(payer),
            trigger_at=tag,
            object_at=_at(o),
        )

    for o in ctx.objects(purpose.end(), ce, RECIPIENT | TECH):
        if o.entity == payer.entity:
            continue
        if ctx.ok(o, TECH):
            if not RE_RESEARCH_WORK.search(t, o.end, ce):
                continue  # 用于量产 DRAM is no research; the tech is what a plant makes
            out.append(claim("develops" if company else "researches", o, False))
            if company:
                out.append(claim("investsIn", o, True))
        elif company:
            if ctx.ok(o, frozenset({"facility", "company"})):
                out.append(claim("investsIn", o, True))
        else:
            out.append(claim("funds", o, True))
    return out


def money_for_a_purpose(ctx: Ctx, claims: list[Claim]) -> list[Claim]:
    """X投入 N，用于Y的建设 / 用于Z的研发: a payment whose object is its purpose clause. A
    government funds Y and researches Z; a company invests in Y (or Z, which it develops). Not
    where the payment already has a claim (X为Y拨款 N，用于…: funds_its_purpose reads that)."""
    t = ctx.text
    if "用于" not in t and "用以" not in t:
        return claims  # most sentences state no purpose
    paid = [
        c.trigger_at[0] for c in claims if c.trigger_at and c.predicate in ("funds", "investsIn")
    ]
    out = []
    for pay in RE_PAYMENT.finditer(t):
        purpose = RE_PURPOSE.match(t, pay.end())
        payer, money = _payer_and_sum(ctx, pay)
        if money is not None:
            end = money.conversion.end if money.conversion is not None else money.end
            purpose = RE_PURPOSE.match(t, end)
        if purpose is None or payer is None or any(pay.start() <= p < pay.end() for p in paid):
            continue
        if any(c in CLAUSE_END for c in t[payer.end : pay.start()]):
            continue  # the payer is named in its own clause, not the payment's
        out += _purpose_claims(ctx, payer, money, purpose, (pay.start(), purpose.end()))
    return claims + out


# --- what states no fact --------------------------------------------------------------------

RE_NEGATION = re.compile(
    r"并未|尚未|从未|未能|未曾|未(?!来|知)|并不|不会|不再|不予|没有|拒绝|否认|放弃|"
    r"终止|中止|取消|叫停|撤回|撤销|搁置|"
    r"或将|或许|可能会|可能|也许|恐将"
)
# what may stand between a negation and the verb it negates: a preposition phrase or a light verb
RE_NEGATED_GAP = re.compile(
    r"^\s*了?\s*(?:再|被|直接|正式|获得|得到|获|向|为|给|对|与|和|在|从|同|把|以)"
)
# a verb that forbids what its object would do (禁止X收购Y): the act named after it is no fact
RE_PROHIBITION = re.compile("禁止|阻止|否决|驳回|不批准")
RE_RUMOUR = re.compile(r"^\s*(?:据传|传闻|传言|有传言称|市场传言|坊间传闻)")
# not 若干 (several)
RE_CONDITION = re.compile(r"^\s*(?:如果|假如|倘若|如若|若(?!干)|一旦|假设|万一)")
RE_ANY_CONDITION = re.compile(r"如果|假如|倘若|如若|若(?!干)|一旦|假设|万一")


def _negated(ctx: Ctx, pos: int) -> bool:
    """Whether the verb at ``pos`` is negated or hedged in its clause (并未资助, 未向X提供, 不会在
    Y建设, 或将投资); not 尚未拨付的 N补贴, whose negation is another verb's."""
    t = ctx.text
    cs = ctx.clause_start(pos)
    if RE_PROHIBITION.search(t, cs, pos) and len(t[cs:pos]) <= 40:
        return True  # 禁止X收购Y, 否决了X对Y的收购: the act is forbidden, it does not happen
    last = None
    for m in RE_NEGATION.finditer(t, cs, pos):
        last = m
    if last is None:
        return False
    gap = t[last.end() : pos]
    return len(gap.strip()) <= 1 or (
        bool(RE_NEGATED_GAP.match(gap)) and len(gap) <= 30 and not re.search("但|而|却", gap)
    )


def _conditional(ctx: Ctx, pos: int) -> bool:
    """Whether ``pos`` is in a condition (如果X资助Y，…) or the consequence that follows it."""
    t = ctx.text
    starts = [0] + [i + 1 for i in range(0, pos) if t[i] in CLAUSE_END]
    return any(RE_CONDITION.match(t, s) for s in starts)


def stated(ctx: Ctx, claims: list[Claim]) -> list[Claim]:
    """The claims the sentence states as facts (see the module's docstring)."""
    if RE_RUMOUR.match(ctx.text):
        return []
    if not claims or not (
        RE_NEGATION.search(ctx.text)
        or RE_ANY_CONDITION.search(ctx.text)
        or RE_PROHIBITION.search(ctx.text)
    ):
        return claims  # most sentences neither negate, hedge nor suppose
    return [
        c
        for c in claims
        if c.trigger_at is None
        or not (_negated(ctx, c.trigger_at[0]) or _conditional(ctx, c.trigger_at[0]))
    ]


# a part of a company (收购X的传感器业务): bought, the company is not
RE_BRACKETED = re.compile(r"\s*[（(][^）)]{1,30}[）)]")
RE_AFTER_IT = re.compile(r"\s*(?:完成)?\s*(?:后|之后)")
RE_A_PART = re.compile(
    r"\s*(?:位于[^，。；的]{1,12})?的\s*[^，。；]{0,14}?"
    r"(?:业务|部门|资产|产品线|股权|股份|工厂|厂房|晶圆厂)"
)


def whole_bought(ctx: Ctx, claims: list[Claim]) -> list[Claim]:
    """X收购Y的传感器业务 states no acquisition of Y: a business, assets or a stake of Y are
    bought, not Y itself (also after Y's name in brackets: 美满电子（Marvell）的…业务); 收购后
    (after the acquisition) states none of its own."""
    t = ctx.text
    out = []
    for c in claims:
        if c.predicate == "acquires" and c.object_at is not None:
            after = RE_BRACKETED.match(t, c.object_at[1])
            if RE_A_PART.match(t, after.end() if after else c.object_at[1]):
                continue
        if c.predicate == "acquires" and c.trigger_at and RE_AFTER_IT.match(t, c.trigger_at[1]):
            continue
        out.append(c)
    return out


# putting capital into a company one founds: A与B共同出资 N，设立X / X由A与B于 2015年合资设立
RE_FOUNDING = re.compile(
    r"(?:共同|联合|合资)?\s*出资\s*(?P<gap>[^。；]{0,24}?)\s*(?:共同)?\s*(?:设立|成立|组建|创立)"
)
RE_FOUNDED_BY = re.compile(
    r"由\s*(?P<who>[^，。；]{2,60}?)\s*(?:于\s*[0-9]{4}\s*年[^，。；]{0,8}?)?\s*(?:共同|联合)?\s*"
    r"(?:合资|出资|投资|注资)\s*(?:设立|成立|组建|创立)"
)
FOUNDED = frozenset({"company"})


def capital_founding(ctx: Ctx) -> list[Claim]:
    """A与B共同出资 N，设立X (X由A与B合资设立): who puts capital into a company it founds invests in
    it, with the sum it puts in."""
    t = ctx.text
    if "设立" not in t and "成立" not in t and "组建" not in t and "创立" not in t:
        return []
    out = []
    for m in RE_FOUNDING.finditer(t):
        if (
            any(c in "，," for c in m.group("gap"))
            and ctx.money_near(m.start(), m.start(), m.end()) is None
        ):
            continue  # …出资，…，随后设立: a clause between that is not the sum
        founded = ctx.between(m.end(), ctx.clause_end(m.end()), FOUNDED)
        founders = _founders(ctx, ctx.subjects(m.start(), INVESTORS))
        if not founded:
            continue
        money = ctx.money_near(m.start(), m.start(), m.end())
        out += [
            _claim(ctx, f, "investsIn", founded[0], "investsIn/founding", m.span(), money)
            for f in founders
            if f.entity != founded[0].entity
        ]
    for m in RE_FOUNDED_BY.finditer(t):
        company = ctx.before(m.start(), FOUNDED, ctx.clause_start(m.start()))
        if company is None:
            continue
        founders = _founders(ctx, ctx.between(m.start("who"), m.end("who"), INVESTORS))
        out += [
            _claim(ctx, f, "investsIn", company, "investsIn/founded-by", m.span())
            for f in founders
            if f.entity != company.entity and not ctx.locative(f)
        ]
    return out


# a plan to bring a technology or product out by a year: 计划于 2026年量产X, 目标是在 2027年前后
# 实现量产 (docs/annotation-guidelines.md: targets are not facts — setsTarget, not develops)
RE_PRODUCTION_TARGET = re.compile(
    r"(?:计划|预计|目标是?|有望|力争|争取|拟|将)\s*(?:于|在|到|自)?\s*(?P<y>(?:19|20)[0-9]{2})\s*年"
    r"[^，。；]{0,10}?(?:开始|正式|全面|实现)?\s*(?P<verb>量产|投产|推出|上市|商用|交付|生产)"
)
MAKERS = frozenset({"company", "research"})
THINGS = frozenset({"tech"})


def production_targets(ctx: Ctx) -> list[Claim]:
    """X计划于 2026年量产Y / X…，目标是在 2027年前后实现量产: the maker sets bringing out the
    technology or product as a target for that year (what the verb names after it, else the one
    the sentence names before it)."""
    t = ctx.text
    out = []
    for m in RE_PRODUCTION_TARGET.finditer(t):
        cs = ctx.clause_start(m.start())
        if "进入" in t[m.start() : m.end()]:
            continue  # 预计 2025年进入量产: the thing enters production, no maker's target
        if t[cs : m.start()].strip() and not ctx.between(cs, m.start(), MAKERS):
            continue  # 相关产品计划于 2027年推出: a thing's plan, not a maker's
        end = ctx.clause_end(m.end())
        things = (
            ctx.between(m.end(), end, THINGS)
            or [x for x in ctx.between(0, m.start(), THINGS) if not ctx.locative(x)][-1:]
        )
        makers = ctx.subjects(m.start(), MAKERS)
        for who in makers:
            for what in things[:1] or _made_in_a_line(ctx, m.start()):
                c = _claim(ctx, who, "setsTarget", what, "setsTarget/production", m.span("verb"))
                out.append(replace(c, target_year=int(m.group("y"))))
    return out


def _made_in_a_line(ctx: Ctx, before: int) -> list[Mention]:
    """The technology a line or plant built before the plan is named for (…建设碳化硅试产线，目标
    是…实现量产): the one its description holds, placed at the facility's mention."""
    lines = [x for x in ctx.between(0, before, frozenset({"facility"})) if not ctx.locative(x)]
    if not lines:
        return []
    f = lines[-1]
    techs = [
        e
        for e in ctx.entities.values()
        if e.type == "Technology" and any(len(n) > 1 and n in f.surface for n in e.names)
    ]
    best = max(techs, key=lambda e: max(len(n) for n in e.names if n in f.surface), default=None)
    return [Mention(f.start, f.end, best.id, f.surface)] if best else []


def targets_are_not_facts(ctx: Ctx, claims: list[Claim]) -> list[Claim]:
    """A technology planned for a year is not yet developed: the develops claims of a verb a
    production target reads (计划于 2026年量产X) give way to the target."""
    planned = [c.trigger_at for c in claims if c.rule == "setsTarget/production" and c.trigger_at]
    if not planned:
        return claims
    return [
        c
        for c in claims
        if not (
            c.predicate == "develops"
            and c.trigger_at is not None
            and any(a <= c.trigger_at[0] < b for a, b in planned)
        )
    ]


# what a company made itself: 其自研的 Oryon CPU, 英特尔自主研发的…芯片 (develops)
RE_SELF_MADE = re.compile(r"(?P<its>其)?\s*(?:自研|自主研发|自主开发|自行研发|自主设计)的?\s*")


def self_made(ctx: Ctx) -> list[Claim]:
    """X自研的Y / …，其自研的Y: the company develops Y (the one named before 自研, else the one 其
    stands for: the clause's subject or the sentence's topic). A bare 其Y is not read: 其 too often
    stands for what else the sentence is about (其碳化硅晶圆厂, 为其 HBM…)."""
    t = ctx.text
    if "自" not in t:
        return []
    out = []
    for m in RE_SELF_MADE.finditer(t):
        things = [x for x in ctx.between(m.end(), ctx.clause_end(m.end()), THINGS)][:1]
        if not things or things[0].start - m.end() > 12:
            continue
        glued = [x for x in ctx.mentions if x.end <= m.start() and not t[x.end : m.start()].strip()]
        if glued and "company" in ctx.cats(glued[-1]):
            makers = glued[-1:]
        elif m.group("its"):
            makers = [x for x in ctx.subjects(m.start(), MAKERS) if x.end <= m.start()][:1]
        else:
            continue
        out += [
            _claim(ctx, who, "develops", things[0], "develops/self-made", m.span())
            for who in makers
        ]
    return out


def _founders(ctx: Ctx, found: list[Mention]) -> list[Mention]:
    """The founders named: a country listed with organisations is where one of them is from
    (丹麦出口和投资基金 with nothing of it in the table), not a founder of its own."""
    if any(ctx.entities[f.entity].type != "Country" for f in found):
        return [f for f in found if ctx.entities[f.entity].type != "Country"]
    return found


CONSTRUCTION_RULES: tuple[Callable[[Ctx], list[Claim]], ...] = (
    under_sponsorship,
    funding_round,
    partner_of,
    granted_sums,
    capital_founding,
    production_targets,
    self_made,
)
COMBINED_CONSTRUCTIONS: tuple[Callable[[Ctx, list[Claim]], list[Claim]], ...] = (
    targets_are_not_facts,
    money_for_a_purpose,
    whole_bought,
    stated,
)
