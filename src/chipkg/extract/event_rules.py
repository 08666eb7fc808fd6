"""Named rules for events reports state with a fixed turn of phrase: entities put on a control list
with a count per country, a plant's completion year, and who runs a facility. Each is a function
``(ctx) -> claims`` run with named_rules.NAMED_RULES and pinned by an invented sentence in
tests/test_extract_rules.py."""

from __future__ import annotations

import re

from chipkg.extract.amounts import cn_number
from chipkg.extract.claims import Claim
from chipkg.extract.context import Ctx
from chipkg.extract.entities import Mention

GOV = frozenset({"gov"})
ORG = frozenset({"company", "research", "org"})
FACILITY = frozenset({"facility"})
COUNT = r"[0-9]+|[一二两三四五六七八九十百]+"
RE_LISTED = re.compile(
    "(?:列入|纳入|加入|添加至|新增至)[^，。；]{0,4}?(?:实体清单|出口管制清单|管制清单)"
)
RE_PER_COUNTRY = re.compile(
    rf"(?P<n>{COUNT})\s*家(?:实体)?(?:位于|来自|为)?\s*(?P<where>[^，、。；和及]{{1,8}})"
)
RE_COMPLETION = re.compile(
    r"(?P<y>(?:19|20)[0-9]{2})\s*年(?:\s*[0-9]{1,2}\s*月)?(?:\s*[0-9]{1,2}\s*日)?(?:前|底|年底)?"
    r"\s*(?:开始|正式|全面)?\s*(?:完工|竣工|建成|落成|投产|量产|投入使用|投入运营|启用|开业)"
)
RE_FORECAST = re.compile("预计|计划|将|有望|拟|目标")
RE_DONE = re.compile("已|已经|曾")
RE_OPERATOR_ROLE = re.compile(r"(?:的)?\s*(?:运营方|运营商|运营者)\s*")
RE_RUN_BY = re.compile(r"由\s*(?P<who>[^，。；]{1,30}?)\s*(?:负责|共同)?\s*运营")


def _at(m: Mention) -> tuple[int, int]:
    return (m.start, m.end)


def _country_in(ctx: Ctx, text: str) -> str | None:
    """The country a short phrase names (位于中国 → china)."""
    return next(
        (
            e.id
            for e in ctx.entities.values()
            if e.type == "Country" and any(n and n in text for n in e.names if len(n) > 1)
        ),
        None,
    )


def entity_list_additions(ctx: Ctx) -> list[Claim]:
    """X将 A等 36家实体列入实体清单，其中 35家位于中国、1家位于日本: X restricts exports to the
    companies named and to each country, and adds that many of each country's entities."""
    t = ctx.text
    out: list[Claim] = []
    for m in RE_LISTED.finditer(t):
        subj = ctx.before(m.start(), GOV)
        if subj is None:
            continue
        date = ctx.event_date()
        for x in ctx.between(subj.end, m.start(), ORG):
            out.append(
                Claim(
                    ctx.index,
                    subj.entity,
                    "restrictsExportTo",
                    x.entity,
                    "restrictsExportTo/listed",
                    date=date,
                    subject_at=_at(subj),
                    trigger_at=m.span(),
                    object_at=_at(x),
                )
            )
        for c in RE_PER_COUNTRY.finditer(t, m.end()):
            country = _country_in(ctx, c.group("where"))
            if country is None:
                continue
            for pred, rule, value in (
                ("addsToControlList", "addsToControlList/per-country", cn_number(c.group("n"))),
                ("restrictsExportTo", "restrictsExportTo/per-country", None),
            ):
                out.append(
                    Claim(
                        ctx.index,
                        subj.entity,
                        pred,
                        country,
                        rule,
                        value=value,
                        date=date,
                        subject_at=_at(subj),
                        trigger_at=c.span(),
                    )
                )
    return out


def completion_targets(ctx: Ctx) -> list[Claim]:
    """英特尔预计俄亥俄一号首座晶圆厂将于 2030年完工 / 计划 2027年 5月竣工 / 计划…新建一座工厂，
    …并于 2026年投产: the company sets the plant's completion (or production) year as a target,
    where the sentence plans it (a forecast word before it, not 已)."""
    t = ctx.text
    out = []
    for m in RE_COMPLETION.finditer(t):
        cs = ctx.clause_start(m.start())
        if RE_DONE.search(t[cs : m.start()]) or not RE_FORECAST.search(t[: m.start()]):
            continue  # 已于 2023年投产: done, not a target; a plan names it in the sentence
        plants = [x for x in ctx.between(0, m.start(), FACILITY) if not ctx.locative(x)]
        # a plant named, before one a bare noun describes (…，首个 200兆瓦集群预计…)
        named = [x for x in plants if not RE_THING.fullmatch(x.surface.strip())]
        plant = (named or plants)[-1] if plants else None
        subj = ctx.topic(frozenset({"company"}), m.start())
        if plant is None or subj is None or subj.entity == plant.entity or subj.start > plant.start:
            continue  # VSMC晶圆厂将采用台积电授权的…，计划于 2027年开始量产: the plant's own plan
        if _another_thing(ctx, plant, max(cs, plant.end), m.start()):
            continue  # …，首个 200兆瓦集群预计于 2026年投入使用: a part, not the plant
        out.append(
            Claim(
                ctx.index,
                subj.entity,
                "setsTarget",
                plant.entity,
                "setsTarget/completion",
                target_year=int(m.group("y")),
                subject_at=_at(subj),
                trigger_at=m.span(),
                object_at=_at(plant),
            )
        )
    return out


RE_THING = re.compile("厂|集群|中心|设施|园区|基地|产线|项目")
RE_GAP_TO_NOUN = re.compile(r"[，；,;0-9]|兆瓦|吉瓦")


def _another_thing(ctx: Ctx, plant: Mention, a: int, b: int) -> bool:
    """Whether [a, b) names a facility by a noun of its own (首个 200兆瓦集群): not one glued to the
    plant's name (俄亥俄一号首座晶圆厂, the project's first fab) nor a named facility."""
    t = ctx.text
    for k in RE_THING.finditer(t, a, b):
        named = [x for x in ctx.mentions if x.start <= k.start() < x.end]
        if named and any(x.surface.strip() != k.group(0) and x.place is None for x in named):
            continue
        if k.start() >= plant.end and not RE_GAP_TO_NOUN.search(t[plant.end : k.start()]):
            continue
        return True
    return False


def operators_named(ctx: Ctx) -> list[Claim]:
    """Who runs a facility, said outright: NSTC运营方 Natcast (the operator named after its
    role), …集群，由 A和B负责运营 (the facility the sentence is about, run by A and B)."""
    t = ctx.text
    out = []
    for m in RE_OPERATOR_ROLE.finditer(t):
        fac = [x for x in ctx.mentions if x.end <= m.start() and not t[x.end : m.start()].strip()]
        who = [x for x in ctx.mentions if x.start >= m.end() and not t[m.end() : x.start].strip()]
        if fac and who and ctx.ok(fac[-1], FACILITY) and ctx.ok(who[0], ORG):
            out.append(_operates(ctx, who[0], fac[-1], m.span(), "operates/role"))
    for m in RE_RUN_BY.finditer(t):
        fac = ctx.before(m.start(), FACILITY)
        if fac is None:
            continue
        for who in ctx.between(m.start("who"), m.end("who"), ORG):
            out.append(_operates(ctx, who, fac, m.span(), "operates/run-by"))
    return out


def _operates(ctx: Ctx, who: Mention, fac: Mention, span: tuple[int, int], rule: str) -> Claim:
    return Claim(
        ctx.index,
        who.entity,
        "operates",
        fac.entity,
        rule,
        subject_at=_at(who),
        trigger_at=span,
        object_at=_at(fac),
    )
