"""Relation rules that are not a trigger word with a subject and an object: the ones that read a
number (control-list additions, jobs, capacity targets), the place and the operator of a facility,
and what a company makes. Each is a function ``(ctx) -> claims``, named for what it finds and
pinned by an invented sentence in tests/test_extract_rules.py; ``NAMED_RULES`` runs them in order.

``COMBINED_RULES`` then read the claims of the whole sentence: facts that follow from two others
(X计划投资…，在Y建设F: the investment is in the plant), and one place per facility.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

from chipkg.extract.amounts import Money, cn_number, find_target_years
from chipkg.extract.claims import Claim
from chipkg.extract.context import MONEY_NEAR_OBJECT, Ctx, distance, noun_phrase
from chipkg.extract.entities import Mention
from chipkg.extract.event_rules import completion_targets, entity_list_additions, operators_named
from chipkg.extract.facilities import is_location, location_chain, nominal

RE_CONTROL_LIST = re.compile(
    r"新增\s*(?:[0-9]+\s*家实体[^。；]*?其中(?:包括)?\s*)?"
    r"(?P<n>[0-9]+|[一二三四五六七八九十百]+)\s*家(?P<who>[^，。；]{0,8}?)实体"
)
RE_JOBS = re.compile(
    r"(?P<q>超过|约|近|最多|逾)?\s*(?P<n>[0-9]+(?:\.[0-9]+)?)\s*(?P<u>万|千)?\s*个?"
    r"[\u4e00-\u9fff]{0,6}?(?:就业岗位|工作岗位|就业机会|(?P<bare>岗位))"
)
# a bare 岗位 (高技能工程类岗位) counts only after a verb that creates it: not 削减 2000个岗位
RE_CREATES = re.compile(r"(?:创造|带来|创建)[^，。；]{0,8}$")
RE_CAPACITY = re.compile(r"月产\s*(?P<n>[0-9]+(?:\.[0-9]+)?)\s*(?P<u>万)?\s*片")
RE_SHARE = re.compile(r"(?P<n>[0-9]+(?:\.[0-9]+)?)\s*%")
LOCATION_GLUE = re.compile(r"^(?:的|地区的|地区|的新|新|州的|市的)?$")
RE_FACILITY_NOUN = re.compile("代工厂|工厂|晶圆厂|设施|产线|生产线")
# X的Y, X最新的Y, X新一代的Y: Y is X's (not X 产品: a bare possessive)
RE_OWNED = re.compile("(?:最新|新一代|下一代|首款|新款|自研|自主研发)?的")
# a plant's name that ends in what it is (熊本晶圆厂), unlike a project's (俄亥俄一号)
RE_FACILITY_NAME_END = re.compile("(?:厂|设施|产线|生产线|中心|园区|集群|基地|项目)$")
RE_FACILITY_WORK = re.compile("(?P<w>扩建|建设|建造|兴建|现代化改造|改造|升级|扩产)")
RE_BUILT_IN = re.compile("建设|建立|新建|建造|兴建|扩建|启动|运营")
RE_DIRECTION = re.compile("(?:东南|西南|东北|西北|南|北|东|西|中)?部?")
RE_INVESTING = re.compile("投资|投入|斥资|耗资")
RE_UNDER_FUNDING = re.compile(r"在\s*《?(?P<name>[^》，。]{2,20}?)》?\s*(?:资助|支持)下")
GOV = frozenset({"gov"})
FACILITY = frozenset({"facility"})
TECH = frozenset({"tech"})


def at(m: Mention) -> tuple[int, int]:
    return (m.start, m.end)


def _facilities(ctx: Ctx) -> list[Mention]:
    return [m for m in ctx.mentions if ctx.ok(m, FACILITY)]


def control_list_additions(ctx: Ctx) -> list[Claim]:
    """新增 140 家中国实体至出口管制清单: the body adds that many of the country's entities, and
    so restricts exports to it."""
    out = []
    for m in RE_CONTROL_LIST.finditer(ctx.text):
        subj = ctx.before(m.start(), GOV)
        # the listed entities' country, by name: a longer mention (a named control action)
        # may cover it
        who = m.group("who")
        country = next(
            (
                e.id
                for e in ctx.entities.values()
                if e.type == "Country" and any(n and n in who for n in (e.label_zh, *e.aliases))
            ),
            None,
        )
        if subj and country:
            date = ctx.event_date()
            out.append(
                Claim(
                    ctx.index,
                    subj.entity,
                    "addsToControlList",
                    country,
                    "addsToControlList/count",
                    value=cn_number(m.group("n")),
                    date=date,
                    subject_at=at(subj),
                    trigger_at=m.span(),
                )
            )
            out.append(
                Claim(
                    ctx.index,
                    subj.entity,
                    "restrictsExportTo",
                    country,
                    "restrictsExportTo/control-list",
                    date=date,
                    subject_at=at(subj),
                    trigger_at=m.span(),
                )
            )
    return out


def jobs(ctx: Ctx) -> list[Claim]:
    """…创造 3000个就业岗位: the sentence's topic creates that many jobs."""
    out = []
    for m in RE_JOBS.finditer(ctx.text):
        if m.group("bare") and not RE_CREATES.search(ctx.text, max(0, m.start() - 12), m.start()):
            continue
        n = cn_number(m.group("n")) * (
            10000 if m.group("u") == "万" else 1000 if m.group("u") else 1
        )
        subj = ctx.topic(frozenset({"facility", "company", "program", "gov", "law"}), m.start())
        if subj:
            out.append(
                Claim(
                    ctx.index,
                    subj.entity,
                    "createsJobs",
                    None,
                    "createsJobs/count",
                    value=Decimal(int(n)),
                    unit="jobs",
                    subject_at=at(subj),
                    trigger_at=m.span(),
                )
            )
    return out


def _after_zai(ctx: Ctx, places: list[Mention]) -> set[int]:
    """在北海道千岁市: a run of places after 在 names one place, the last the most precise."""
    t = ctx.text
    after = set()
    for i, p in enumerate(places):
        prev = places[i - 1] if i else None
        if t[max(0, p.start - 2) : p.start].strip().endswith("在") or (
            prev is not None
            and id(prev) in after
            and RE_DIRECTION.fullmatch(t[prev.end : p.start].strip())
        ):
            after.add(id(p))
    return after


def places_of_facilities(ctx: Ctx) -> list[Claim]:
    """PLACE(的) FACILITY and 位于 PLACE 的 FACILITY (adjacent); 在 PLACE 建设 … FACILITY
    (built in)."""
    t = ctx.text
    places = [m for m in ctx.mentions if ctx.ok(m, frozenset({"place"}))]
    after_zai = _after_zai(ctx, places)
    out = []
    for p in places:
        for f in _facilities(ctx):
            if (
                f.start >= p.end
                and LOCATION_GLUE.match(t[p.end : f.start].strip(' “”"'))
                and is_location(t, p, ctx.entities)
            ):
                out.append(
                    Claim(
                        ctx.index,
                        f.entity,
                        "locatedIn",
                        p.entity,
                        "locatedIn/adjacent",
                        subject_at=at(f),
                        object_at=at(p),
                    )
                )
            elif (
                f.place is None
                and f.start > p.end
                and id(p) in after_zai
                and ctx.clause_end(p.end) >= f.end
                and RE_BUILT_IN.search(t[p.end : f.start])
            ):
                out.append(
                    Claim(
                        ctx.index,
                        f.entity,
                        "locatedIn",
                        p.entity,
                        "locatedIn/built-in",
                        subject_at=at(f),
                        object_at=at(p),
                    )
                )
    return out


RE_LIES_IN = re.compile(
    r"[”\"）)\s]*(?:同样|也|均|则)?\s*(?:位于|坐落于|坐落在|地处|落户于?|设在|设于)\s*"
)
SITED = frozenset({"facility", "research"})  # what lies somewhere: a plant, a lab or institute


def facility_lies_in(ctx: Ctx) -> list[Claim]:
    """F位于P(的…), F坐落于P, F落户P: the facility (or research institute) lies in the places
    named right after the verb (“星际之门阿联酋”位于阿布扎比新设立的…园区内)."""
    t = ctx.text
    out = []
    for f in [m for m in ctx.mentions if ctx.ok(m, SITED)]:
        m = RE_LIES_IN.match(t, f.end)
        if not m:
            continue
        stop = min(
            ctx.clause_end(m.end()), t.find("的", m.end()) if "的" in t[m.end() :] else len(t)
        )
        for p in ctx.between(m.end(), stop, frozenset({"place"})):
            out.append(
                Claim(
                    ctx.index,
                    f.entity,
                    "locatedIn",
                    p.entity,
                    "locatedIn/lies-in",
                    subject_at=at(f),
                    trigger_at=m.span(),
                    object_at=at(p),
                )
            )
    return out


def described_places(ctx: Ctx) -> list[Claim]:
    """A facility described by its place (台积电在德累斯顿地区的新芯片工厂) is located there."""
    return [
        Claim(ctx.index, f.entity, "locatedIn", f.place, "locatedIn/described", subject_at=at(f))
        for f in _facilities(ctx)
        if f.place is not None
    ]


def investment_at_a_place(ctx: Ctx) -> list[Claim]:
    """台积电在亚利桑那州追加投资: an investment at a place is in the investor's plant there (see
    facilities.nominal)."""
    out = []
    for f in _facilities(ctx):
        if f.surface in nominal():
            ops = ctx.entities[f.entity].operator
            who = [m for m in ctx.mentions if m.entity in ops and m.end <= f.start]
            if who:
                pred = nominal()[f.surface]
                money = ctx.money_near(f.start, f.start, ctx.clause_end(f.end))
                out.append(
                    Claim(
                        ctx.index,
                        who[0].entity,
                        pred,
                        f.entity,
                        f"{pred}/at-place",
                        money=money if pred == "investsIn" else None,
                        date=ctx.event_date(),
                        subject_at=at(who[0]),
                        object_at=at(f),
                    )
                )
    return out


RE_PROSPECT = re.compile("随|随着|若|如果|一旦")


def _work_by_owner(ctx: Ctx, f: Mention, pred: str, span: tuple[int, int]) -> list[Claim]:
    """The owner of a plant (an operator the sentence names, else the company 其 stands for)
    builds or expands it."""
    ops = ctx.entities[f.entity].operator
    who = next((x for x in ctx.mentions if x.entity in ops), None)
    if who is None and _possessive_qi(ctx.text, ctx.clause_start(f.start), f.start) >= 0:
        who = next((x for x in ctx.mentions if "company" in ctx.cats(x)), None)
    if who is None:
        return []
    return [
        Claim(
            ctx.index,
            who.entity,
            pred,
            f.entity,
            f"{pred}/in-name",
            subject_at=at(who),
            trigger_at=span,
            object_at=at(f),
        )
    ]


def work_on_a_facility(ctx: Ctx) -> list[Claim]:
    """FACILITY的扩建 and a sentence about a facility (位于X的F，将通过现代化改造…): its operator
    named in the sentence expands it."""
    t = ctx.text
    facilities = _facilities(ctx)
    out = []
    for m in RE_FACILITY_WORK.finditer(t):
        pred = "builds" if m.group("w") in ("建设", "建造", "兴建") else "expands"
        inside = [f for f in facilities if f.start <= m.start() and m.end() <= f.end]
        if inside and pred == "expands":
            # 新加坡扩建晶圆厂: a plant named for its expansion is expanded by its owner
            out += _work_by_owner(ctx, inside[0], pred, m.span())
            continue
        before = [f for f in facilities if f.end <= m.start() and f.surface not in nominal()]
        if not before or RE_PROSPECT.search(t[max(0, m.start() - 3) : m.start()]):
            continue  # 未来随扩建增至…: a prospect, not an expansion
        f = before[-1]
        glued = t[f.end : m.start()].strip() in ("", "的")
        topic = f is facilities[0] and not any(
            x.end <= m.start() and x.start >= f.end and ctx.ok(x, FACILITY) for x in ctx.mentions
        )
        if m.group("w") in ("建设", "建造", "兴建") or not (glued or topic):
            continue
        ops = ctx.entities[f.entity].operator
        who = next((x for x in ctx.mentions if x.entity in ops), None)
        if who is not None:
            out.append(
                Claim(
                    ctx.index,
                    who.entity,
                    pred,
                    f.entity,
                    f"{pred}/of-facility",
                    subject_at=at(who),
                    trigger_at=m.span(),
                    object_at=at(f),
                )
            )
    return out


def investment_is_a_plant(ctx: Ctx) -> list[Claim]:
    """X的投资是…F: the company's investment is its plant."""
    out = []
    for m in re.finditer(r"的投资(?:是|为|将用于)", ctx.text):
        owner = ctx.before(m.start() + 1, frozenset({"company"}))
        if owner is None or owner.end != m.start():
            continue
        for f in _facilities(ctx):
            if (
                f.start > m.end()
                and f.end <= ctx.clause_end(m.end())
                and owner.entity in ctx.entities[f.entity].operator
            ):
                out.append(
                    Claim(
                        ctx.index,
                        owner.entity,
                        "investsIn",
                        f.entity,
                        "investsIn/is",
                        subject_at=at(owner),
                        trigger_at=m.span(),
                        object_at=at(f),
                    )
                )
    return out


RE_NOT_POSSESSIVE = re.compile("其(?:中|他|余|实|次|后|间)")
# 其投资 40亿美元的…晶圆厂 (a plant it invested in), 其在X建设…的…工厂 (the plant it builds):
# 其 owns the plant its clause describes
RE_ITS = re.compile(r"^[^，。；]{0,30}(?:的|建设|新建|兴建|建造)[^，。；]{0,24}$")


def _possessive_qi(t: str, a: int, b: int) -> int:
    """The last 其 in [a, b) that means "its" (not 其中, 其他)."""
    i = t.rfind("其", a, b)
    while i >= 0 and RE_NOT_POSSESSIVE.match(t, i):
        i = t.rfind("其", a, i)
    return i


def possessed_facilities(ctx: Ctx) -> list[Claim]:
    """The owner of a facility phrase operates it: X在Y的工厂, 其位于Y的工厂, X 工厂."""
    t = ctx.text
    out = []
    for f in _facilities(ctx):
        ops = set(ctx.entities[f.entity].operator)
        if not ops or f.surface in nominal():
            continue
        cs = ctx.clause_start(f.start)
        owners = [m for m in ctx.mentions if m.entity in ops and cs <= m.start and m.end <= f.start]
        own = _possessive_qi(t, cs, f.start)
        if own >= 0 and (noun_phrase(t[own + 1 : f.start]) or RE_ITS.match(t[own + 1 : f.start])):
            # 其…工厂: the sentence's topic; the table's operator where the sentence names it
            first = next((m for m in ctx.mentions if m.entity in ops), None) or next(
                (m for m in ctx.mentions if "company" in ctx.cats(m) and m.end <= own), None
            )
            owners = [first] if first else []
        else:
            owners = [m for m in owners if noun_phrase(t[m.end : f.start])]
        for m in owners:
            out.append(
                Claim(
                    ctx.index,
                    m.entity,
                    "operates",
                    f.entity,
                    "operates/possessive",
                    subject_at=at(m),
                    object_at=at(f),
                )
            )
    return out


def controls_named_after_a_technology(ctx: Ctx) -> list[Claim]:
    """TECH出口管制(条款): the export control restricts that technology."""
    out = []
    for m in re.finditer("出口管制|出口管控|出口限制", ctx.text):
        tech = [x for x in ctx.mentions if x.end == m.start() and ctx.ok(x, TECH)]
        if tech:
            for subj in ctx.subjects(tech[0].start, frozenset({"gov", "control", "country"})):
                out.append(
                    Claim(
                        ctx.index,
                        subj.entity,
                        "restrictsExportOf",
                        tech[0].entity,
                        "restrictsExportOf/named",
                        date=ctx.event_date(),
                        subject_at=at(subj),
                        trigger_at=m.span(),
                        object_at=at(tech[0]),
                    )
                )
    return out


def possessed_products(ctx: Ctx) -> list[Claim]:
    """What a company makes: 英特尔的 18A和 14A技术, 三星的 2nm技术 (not 英特尔的先进制程工厂,
    the plant's kind)."""
    t = ctx.text
    out = []
    for m in ctx.mentions:
        if "company" in ctx.cats(m) and RE_OWNED.match(t[m.end : m.end + 8].lstrip()):
            objs = ctx.objects(m.end, ctx.clause_end(m.end), TECH)
            if objs and RE_OWNED.fullmatch(t[m.end : objs[0].start].strip()):
                for o in objs:
                    if RE_FACILITY_NOUN.match(t[o.end : o.end + 4].lstrip()):
                        continue
                    out.append(
                        Claim(
                            ctx.index,
                            m.entity,
                            "develops",
                            o.entity,
                            "develops/of",
                            subject_at=at(m),
                            object_at=at(o),
                        )
                    )
    return out


def used_in_own_product(ctx: Ctx) -> list[Claim]:
    """在 PRODUCT 中采用: the product is the subject's own."""
    out = []
    for m in ctx.mentions:
        if (
            ctx.entities[m.entity].type == "Product"
            and ctx.locative(m)
            and re.match(r"\s*(?:中|上)", ctx.text[m.end :])
        ):
            subj = ctx.subject(m.start, frozenset({"company", "research"}))
            if subj:
                out.append(
                    Claim(
                        ctx.index,
                        subj.entity,
                        "develops",
                        m.entity,
                        "develops/in",
                        subject_at=at(subj),
                        object_at=at(m),
                    )
                )
    return out


def operator_in_name(ctx: Ctx) -> list[Claim]:
    """英飞凌德累斯顿智能功率晶圆厂 is Infineon's: an operator's name inside a facility's."""
    out = []
    for f in _facilities(ctx):
        if f.place is None:
            for op in ctx.entities[f.entity].operator:
                if any(len(n) > 1 and n in f.surface for n in ctx.entities[op].names):
                    out.append(
                        Claim(
                            ctx.index, op, "operates", f.entity, "operates/in-name", object_at=at(f)
                        )
                    )
    return out


def place_in_name(ctx: Ctx) -> list[Claim]:
    """熊本晶圆厂 is in 熊本: a place on the facility's location chain inside its name."""
    out = []
    for f in _facilities(ctx):
        if f.place is None and RE_FACILITY_NAME_END.search(f.surface):
            for p in location_chain(ctx.entities[f.entity], ctx.entities):
                if any(len(n) > 1 and n in f.surface for n in ctx.entities[p].names):
                    out.append(
                        Claim(
                            ctx.index,
                            f.entity,
                            "locatedIn",
                            p,
                            "locatedIn/in-name",
                            subject_at=at(f),
                        )
                    )
                    break
    return out


def capacity_and_share_targets(ctx: Ctx) -> list[Claim]:
    """到 2030年…月产 10万片 / …占 20%: a capacity or share target with its year."""
    t = ctx.text
    years = find_target_years(t)
    if not years:
        return []
    year = years[0][1]
    out = []
    for m in list(RE_CAPACITY.finditer(t)) + list(RE_SHARE.finditer(t)):
        is_cap = m.re is RE_CAPACITY
        value = cn_number(m.group("n")) * (10000 if is_cap and m.group("u") else 1)
        objs = ctx.between(m.end(), ctx.clause_end(m.end()), frozenset({"facility", "tech"}))
        obj = objs[0] if objs else ctx.before(m.start(), FACILITY)
        for subj in ctx.subjects(m.start(), frozenset({"actor"})):
            out.append(
                Claim(
                    ctx.index,
                    subj.entity,
                    "setsTarget",
                    obj.entity if obj else subj.entity,
                    "setsTarget/" + ("capacity" if is_cap else "share"),
                    value=Decimal(int(value)) if value == int(value) else value,
                    unit="wafers/month" if is_cap else "percent",
                    target_year=year,
                    subject_at=at(subj),
                    trigger_at=m.span(),
                    object_at=at(obj) if obj else None,
                )
            )
    return out


NAMED_RULES: tuple[Callable[[Ctx], list[Claim]], ...] = (
    control_list_additions,
    entity_list_additions,
    completion_targets,
    operators_named,
    jobs,
    places_of_facilities,
    facility_lies_in,
    described_places,
    investment_at_a_place,
    work_on_a_facility,
    investment_is_a_plant,
    possessed_facilities,
    controls_named_after_a_technology,
    possessed_products,
    used_in_own_product,
    operator_in_name,
    place_in_name,
    capacity_and_share_targets,
)


def _money_near_object(ctx: Ctx, obj: tuple[int, int] | None) -> Money | None:
    """The amount next to what it pays for (在纽约州建立“巨型晶圆厂”所需的 1000亿美元，以及
    200亿美元将在爱达荷州建造一座晶圆厂), else the sentence's only amount."""
    if obj is not None and ctx.money:
        near = min(ctx.money, key=lambda m: distance(m, obj[0]))
        if distance(near, obj[0]) <= MONEY_NEAR_OBJECT:
            return near
    return ctx.money[0] if len(ctx.money) == 1 else None


def _a_sum_invested(ctx: Ctx, claims: list[Claim]) -> bool:
    """投资约 20亿美元…, 总投资 67亿美元，…, 投资最高 40亿美元: the sentence invests a sum that no
    claim owns yet (not 总投资 250亿美元的新工厂, the plant's size; not 在美国投资 N, a country's
    total)."""
    t = ctx.text
    owned = {id(c.money) for c in claims if c.money is not None}
    for m in RE_INVESTING.finditer(t):
        cs = ctx.clause_start(m.start())
        if any(
            ctx.entities[x.entity].type == "Country" and ctx.locative(x)
            for x in ctx.between(cs, m.start(), frozenset({"place"}))
        ):
            continue
        for money in ctx.money:
            end = money.conversion.end if money.conversion is not None else money.end
            if (
                0 <= money.start - m.end() <= 6
                and not t[end:].lstrip().startswith("的")
                and id(money) not in owned
            ):
                return True
    return False


# a project's total (总投资 N, 投资额为 N), not what one of several builders puts in
RE_PROJECT_TOTAL = re.compile(r"总投资|投资总额|投资额")
RE_JOINTLY = re.compile("携手|联手|合资|共建|三方|双方")  # several build it together


def invests_in_what_it_builds(ctx: Ctx, claims: list[Claim]) -> list[Claim]:
    """X计划投资 N…，在Y建设 F / 宣布投资 N，扩建其…F: the investment is in the plant X builds or
    expands."""
    invests = [c for c in claims if c.predicate == "investsIn"]
    builders: dict[str, set[str]] = {}
    for c in claims:
        if c.predicate in ("builds", "expands"):
            builders.setdefault(c.object, set()).add(c.subject)
    more = []
    for c in claims:
        planned = c.predicate == "setsTarget" and c.object and ctx.ok_id(c.object, "facility")
        several = len(builders.get(c.object, ())) > 1 or RE_JOINTLY.search(ctx.text)
        if several and RE_PROJECT_TOTAL.search(ctx.text):
            continue  # 由A、B与C三方合资建设的工厂，总投资 N: the project's sum, not each one's
        if (
            (c.predicate in ("builds", "expands") or planned)
            and not any(i.subject == c.subject for i in invests)
            and _a_sum_invested(ctx, claims)
        ):
            money = _money_near_object(ctx, c.object_at)
            more.append(replace(c, predicate="investsIn", rule="investsIn/builds", money=money))
    return claims + more


def funded_under_a_law(ctx: Ctx, claims: list[Claim]) -> list[Claim]:
    """在《芯片和科学法案》资助下，能源部…提供资助: the law funds what the agency funds."""
    m = RE_UNDER_FUNDING.search(ctx.text)
    if not m:
        return claims
    law = next(
        (
            x
            for x in ctx.mentions
            if m.start() <= x.start < m.end() and ctx.ok(x, frozenset({"law", "program"}))
        ),
        None,
    )
    if law is None:
        return claims
    more = [
        replace(c, subject=law.entity, rule="funds/under")
        for c in claims
        if c.predicate == "funds" and c.subject != law.entity
    ]
    return claims + more


def one_place_per_facility(ctx: Ctx, claims: list[Claim]) -> list[Claim]:
    """One place per facility and sentence: the most specific the text gives."""
    located: dict[str, list[Claim]] = {}
    for c in claims:
        if c.predicate == "locatedIn":
            located.setdefault(c.subject, []).append(c)
    drop = set()
    for fac, cs in located.items():
        chain = location_chain(ctx.entities[fac], ctx.entities)
        rank = {p: i for i, p in enumerate(chain)}
        best = min(cs, key=lambda c: rank.get(c.object, len(chain)))
        drop.update(id(c) for c in cs if c.object != best.object and c.object in rank)
        # places the facility's chain does not know: one inside another is the more specific
        # (在纽约州奥尔巴尼建设…: Albany, not New York State)
        places = {c.object for c in cs if id(c) not in drop}
        for c in cs:
            inner = [
                q for q in places if q != c.object and c.object in _place_chain(ctx.entities, q)
            ]
            if inner:
                drop.add(id(c))
    return [c for c in claims if id(c) not in drop]


def _place_chain(entities: dict, place: str) -> list[str]:
    """The places a place is inside, nearest first (its broader places, then its country)."""
    chain, p = [], entities[place].broader
    while p and p not in chain and p in entities:
        chain.append(p)
        p = entities[p].broader
    country = entities[place].country
    if country and country not in chain:
        chain.append(country)
    return chain


RE_PURPOSE = re.compile("用于|用以|以支持|支持其")
RE_DOING_THERE = re.compile(r"\s*(?:的)?\s*(?:生产|制造|研发|开发|量产|进行|开展|部署)")
PURPOSE_OBJECTS = frozenset({"facility", "research", "program"})


def funds_its_purpose(ctx: Ctx, claims: list[Claim]) -> list[Claim]:
    """X为Y拨款…，用于建立和运营Z / 支持其…建设Z / 其中N用于Z: the funder also funds what the
    money is for. The claim carries no amount: the money is the funding's, which already carries
    it, and a second copy would count it twice in funding totals."""
    t = ctx.text
    more = []
    for c in claims:
        if c.predicate != "funds" or c.trigger_at is None:
            continue
        for m in RE_PURPOSE.finditer(t, c.trigger_at[0]):
            ce = ctx.clause_end(m.end())
            for o in ctx.objects(m.end(), ce, PURPOSE_OBJECTS):
                if o.entity in (c.subject, c.object) or RE_DOING_THERE.match(t, o.end, ce):
                    continue  # 支持其在…三座晶圆厂生产 DRAM: the plants are where, not what
                if t.startswith("的", o.end) and not ctx.between(o.end, ce, PURPOSE_OBJECTS):
                    continue  # 用于升级X大学的两座…设施: for X's plants, not for X
                more.append(
                    replace(
                        c,
                        object=o.entity,
                        rule="funds/purpose",
                        money=None,
                        trigger_at=m.span(),
                        object_at=at(o),
                    )
                )
    return claims + more


COMBINED_RULES: tuple[Callable[[Ctx, list[Claim]], list[Claim]], ...] = (
    invests_in_what_it_builds,
    funds_its_purpose,
    funded_under_a_law,
    one_place_per_facility,
)
