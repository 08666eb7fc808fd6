"""The four sentence patterns a trigger rule of ``data/relations.toml`` can use:

    forward      S … TRIGGER … O       英特尔在俄亥俄州建设新晶圆厂
    benefactive  S 为 O … TRIGGER       德国为英飞凌提供补贴 (or the rule's markers: 对, 在, 将 …)
    passive      O … 获得 … TRIGGER      台积电获得 66亿美元资助
    comitative   S 与 O(、O…) TRIGGER    欧盟与英特尔、台积电合作

``apply_rule`` finds the rule's triggers in a passage and hands each to its pattern; ``emit``
makes the claims of one trigger (one per object).
"""

from __future__ import annotations

import re

from chipkg.extract.amounts import find_target_years
from chipkg.extract.claims import Claim
from chipkg.extract.context import (
    ACTIONS,
    LISTING,
    Ctx,
    occurrences,
)
from chipkg.extract.entities import Mention
from chipkg.extract.rules import Rule, trigger_words

AGENT_ONLY = ("builds", "expands")
RE_TARGET = re.compile("目标|计划到|有望")
RE_FUTURE_YEAR = re.compile(r"(?:将|计划|预计|有望)[^，。；]*在\s*(?:19|20)[0-9]{2}\s*年")
RE_FUNDING = re.compile("资助|支持|拨款|补贴|出资")
RE_PAYING = re.compile("资助|拨款|补贴|出资|投资|投入")
# a trigger glued to one of these is a modifier, not a verb (研发计划, 建设项目, 研究机构)
RE_NOUN_HEAD = re.compile("计划|项目|中心|机构|人员|团队|能力|费用|支出|体系|进度|周期")
# a verb between an investment and its object: what is invested in is what that verb makes
RE_BUILD_VERB = re.compile("建设|建立|新建|建造|兴建|扩建|用于")
RE_AGREEMENT = re.compile("签署|签订|达成")
RE_JOINING = re.compile("参与|加入")
RE_BENEFICIARY = re.compile("为(?!期)|向|给")
RE_GRANT = re.compile("资助|拨款|补贴|提供资金|资金支持")
RE_UNDOING = re.compile(r"\s*(?:撤销|取消|废除|终止|暂停|撤回|推迟)")


RE_LIST_GAP = re.compile("、|和|及|以及")
RE_CREATED = re.compile(r"(?:成立|组建|设立|创建)(?:合资公司|子公司|公司)?\s*$")


def _created(ctx: Ctx, m: Mention) -> bool:
    """Whether the sentence creates the organisation it names (成立合资公司 X（VSMC））."""
    return any(
        RE_CREATED.search(ctx.text[ctx.clause_start(x.start) : x.start])
        for x in ctx.mentions
        if x.entity == m.entity
    )


# money a programme brings in from others (撬动逾 10亿美元投资): no budget of its own
RE_LEVERAGED = re.compile(r"(?:撬动|带动|吸引|拉动|引导)[^，。；]{0,6}$")


# what a launch can carry a budget for: a programme or fund, a strategy with its money
BUDGETED = frozenset({"program", "strategy"})


def _money_for(ctx: Ctx, rule: Rule, trig: int, subj: Mention, o: Mention):
    """The amount a claim of this rule owns. Funding and investment take the amount nearest the
    trigger in its clause (else the sentence's only amount); a launched programme the sentence's
    only amount (its budget: 设立…基金，注册资本 3440亿元). Building, partnering and research
    own no amount: the sentence's money belongs to its funding or investment (see
    relations.AMOUNT_PREDICATES)."""
    if rule.predicate in ("funds", "investsIn"):
        money = ctx.money_near(trig, ctx.clause_start(min(subj.start, trig)), ctx.clause_end(trig))
        if money is None and len(ctx.money) == 1:
            money = ctx.money[0]
        return money
    if rule.predicate == "launches" and ctx.cats(o) & BUDGETED and len(ctx.money) == 1:
        money = ctx.money[0]
        a, b = sorted((o.end, money.start)) if o.end <= money.start else (money.end, o.start)
        if not RE_PAYING.search(ctx.outside_names(a, b)) and not RE_LEVERAGED.search(
            ctx.text, max(0, money.start - 8), money.start
        ):
            return money  # not 启动 NQVL，首期资助 3200万美元: that is the funding's
    return None


def _respective(ctx: Ctx, rule: Rule, trig: int, subj: Mention, objs: list[Mention]) -> dict:
    """向A和B分别提供 N和M补贴: with 分别 and one amount per object, the i-th amount is the i-th
    object's."""
    if rule.predicate not in ("funds", "investsIn"):
        return {}
    lo, hi = ctx.clause_start(min(subj.start, trig)), ctx.clause_end(trig)
    if "分别" not in ctx.text[lo:hi]:
        return {}
    names = list(dict.fromkeys(o.entity for o in objs))
    amounts = [m for m in ctx.money if lo <= m.start < hi]
    if len(names) < 2 or len(amounts) != len(names):
        return {}
    return dict(zip(names, amounts, strict=True))


PLANTS = frozenset({"Fab", "PackagingFacility", "PilotLine"})
# words that say two or more do one thing together (X携手Y建设, 由A与B合作建设, 三方合资建设)
RE_JOINTLY = re.compile("携手|联手|联合|合作|共同|合资|共建|三方|双方")


def _jointly(ctx: Ctx, subj: Mention, trig: int, end: int) -> bool:
    """Whether the words from the subject's clause to the end of the verb say it acts with others
    (X携手Y，…建设, A与B…共建): the plant is theirs together, whoever its name gives as its
    operator."""
    lo = min(ctx.clause_start(subj.start), ctx.clause_start(trig))
    return bool(RE_JOINTLY.search(ctx.text, lo, end))


def emit(
    ctx: Ctx, rule: Rule, trig: int, subj: Mention, objs: list[Mention], tag: str, out: list[Claim]
) -> None:
    seen = set()
    respective = _respective(ctx, rule, trig, subj, objs)
    for o in objs:
        if o.entity == subj.entity or o.entity in seen:
            continue
        ops = ctx.entities[o.entity].operator
        if (
            rule.predicate in ("builds", "expands", "investsIn")
            and ops
            and "company" in ctx.cats(subj)
            and subj.entity not in ops
            and any(
                m.entity in ops and m.end <= trig and not _created(ctx, m) for m in ctx.mentions
            )
            and not _jointly(ctx, subj, trig, trig + len(tag))
        ):
            continue  # a company builds its own plants: Coherent和英飞朗建设…两座…设施
        predicate = rule.predicate
        if predicate == "researches" and ctx.entities[subj.entity].type in PLANTS:
            continue  # a plant makes things; a research centre, programme or body studies them
        if (
            predicate == "investsIn"
            and (ctx.entities[subj.entity].type == "Country" or "gov" in ctx.cats(subj))
            and ctx.entities[o.entity].type not in ("IndustrialCluster", "Company", "Technology")
        ):
            predicate = "funds"  # a state's money for a plant, centre or body is funding
        seen.add(o.entity)
        out.append(
            Claim(
                ctx.index,
                subj.entity,
                predicate,
                o.entity,
                f"{predicate}/{rule.pattern}:{tag}",
                money=respective.get(o.entity) or _money_for(ctx, rule, trig, subj, o),
                date=ctx.event_date(),
                subject_at=(subj.start, subj.end),
                trigger_at=(trig, trig + len(tag)),
                object_at=(o.start, o.end),
            )
        )


RE_BUILT_ON = re.compile("基于|采用|利用|搭载|使用")


def _forward_objects(ctx: Ctx, rule: Rule, trig: int, trig_end: int, end: int) -> list[Mention]:
    """The objects after a forward trigger: its object phrase, a list that continues in the next
    clause (…清单，涉及 A、B 等), or the programme the sentence has just launched."""
    t = ctx.text
    listed: list[Mention] = []
    if end < len(t) and t[end + 1 :].lstrip().startswith(LISTING):
        # …清单，涉及 A、B 等 / …的研发，包括 A和 B: the list continues
        nxt = ctx.clause_end(end + 1)
        listed = ctx.objects(end + 1, nxt, rule.object)
    if rule.window == "sentence":
        objs = ctx.between(trig_end, end, rule.object)
    else:
        objs = ctx.objects(trig_end, end, rule.object)
    objs += [o for o in listed if o not in objs]
    if rule.predicate == "investsIn" and objs and RE_BUILD_VERB.search(t[trig_end : objs[0].start]):
        # 投资 20亿美元在X建设先进封装与测试工厂: the investment is in the plant, not the technology
        objs = [o for o in objs if ctx.ok(o, frozenset({"facility"}))]
    if not objs and rule.predicate == "develops":
        # 发布基于硅光子的光互连芯片: the technology a product is built on (the guidelines:
        # a company using a technology in its product develops it)
        objs = [
            m
            for m in ctx.between(trig_end, end, rule.object)
            if RE_BUILT_ON.search(t, max(trig_end, m.start - 3), m.start)
        ]
    if not objs and rule.predicate == "funds":
        objs = _implicit_recipient(ctx, trig)
    if not objs and rule.predicate == "investsIn":
        # 成立合资公司 VSMC…，其中世界先进注资 24亿美元: the company the sentence formed
        objs = [m for m in ctx.between(0, trig, frozenset({"company"})) if _created(ctx, m)][-1:]
    if not objs and rule.predicate in ("funds", "investsIn") and ctx.money:
        objs = _built_before(ctx, trig)
    if rule.max_gap is not None:
        objs = objs if objs and objs[0].start - trig_end <= rule.max_gap else []
    return objs


def _implicit_recipient(ctx: Ctx, trig: int) -> list[Mention]:
    """Funding that names no recipient after its verb: the programme the sentence has just
    launched (NSF启动 NQVL，首期资助 3200万美元), or the party an agreement was signed with
    (商务部与 Wolfspeed签署初步条款备忘录，拟提供最高 7.5亿美元直接资助)."""
    t = ctx.text
    prog = ctx.before(trig, frozenset({"program"}), floor=0)
    if prog is not None and re.search("启动|设立|发起|推出", t[: prog.start]):
        return [prog]
    for m in RE_AGREEMENT.finditer(t, 0, trig):
        cs = ctx.clause_start(m.start())
        partner = [
            x
            for x in ctx.between(cs, m.start(), frozenset({"company", "research", "org"}))
            if t[cs : x.start].rstrip().endswith(("与", "和", "同")) or "与" in t[cs : x.start]
        ]
        if partner:
            return partner[-1:]
    return []


def _built_before(ctx: Ctx, trig: int) -> list[Mention]:
    """…将在纽约州建设“芯片美国”EUV加速器，联邦政府拟投入约 8.25亿美元: money put in with no
    object names the facility the sentence has just said is being built."""
    t = ctx.text
    cs = ctx.clause_start(trig)
    built = [
        m
        for m in ctx.between(0, cs, frozenset({"facility"}))
        if RE_BUILD_VERB.search(t[ctx.clause_start(m.start) : m.start])
    ]
    return built[-1:]


def _forward_applies(ctx: Ctx, rule: Rule, trig: int, trig_end: int, end: int) -> bool:
    """Whether a forward trigger states a fact: not a target (目标在 2030年建成…), the rule's
    context in the clause, a target year where the rule needs one."""
    t = ctx.text
    if rule.predicate in AGENT_ONLY + ("develops", "researches") and RE_TARGET.search(
        t[ctx.clause_start(trig) : trig]
    ):
        return False  # 目标在 2030年建成…, 计划到 2027年实现量产: a target, not a fact
    if rule.context and not re.search(rule.context, t[trig_end:end]):
        return False
    return not rule.needs_year or bool(
        find_target_years(t) or RE_FUTURE_YEAR.search(t[ctx.clause_start(trig) : trig])
    )


RE_GIVING = re.compile("提供|发放|拨付|资助|拨款|补贴|补助|支持")


def _own_benefactive(ctx: Ctx, rule: Rule, trig_end: int, o: Mention) -> bool:
    """Whether an object after a forward trigger opens a benefactive of its own: 为X计划提供资金
    after 宣布 (X is funded, not launched); 向B提供 N补贴 after 向A提供 N补贴 (B has its own verb
    and amount). Not 拨款 N 给Y, where 给 only marks the recipient of the verb before it."""
    t = ctx.text
    if not RE_BENEFICIARY.search(t, trig_end, o.start):
        return False
    return rule.predicate == "launches" or bool(RE_GIVING.search(t, o.end, ctx.clause_end(o.end)))


def forward(ctx: Ctx, rule: Rule, trig: int, trig_word: str, out: list[Claim]) -> None:
    """S … TRIGGER … O."""
    t = ctx.text
    trig_end = trig + len(trig_word)
    if rule.predicate == "funds" and trig_word == "支持" and RE_GRANT.search(t, 0, trig):
        return  # …提供 1920亿日元补贴，…，支持美光采用…: the grant's purpose, not a new grant
    if rule.predicate == "launches" and (
        RE_UNDOING.match(t, trig_end) or RE_UNDOING.search(t, ctx.clause_start(trig), trig)
    ):
        return  # 宣布撤销X, 撤销…时期发布的X: X is withdrawn, not launched
    if rule.predicate == "investsIn" and t[:trig].endswith(("的", "总")):
        return  # X的投资, 总投资250亿美元的新工厂: a noun, its object is not what follows
    if rule.predicate == "investsIn" and t.startswith(("者", "方", "机构", "人"), trig_end):
        return  # 投资者包括A、B: who invests, named after the noun (the funding-round rule's)
    end = len(t) if rule.window == "sentence" else ctx.clause_end(trig_end)
    objs = _forward_objects(ctx, rule, trig, trig_end, end)
    if rule.predicate in ("launches", "funds"):
        # 宣布为X计划提供资金: X is funded (a benefactive), not launched; 向A提供…补贴、向B提供…:
        # B is the object of its own 向 clause, with its own amount
        objs = [o for o in objs if not _own_benefactive(ctx, rule, trig_end, o)]
    if not _forward_applies(ctx, rule, trig, trig_end, end):
        return
    subjects = ctx.subjects(trig, rule.subject)
    if rule.subject_in_clause:
        subjects = [s for s in subjects if s.start >= ctx.clause_start(trig)]
    if rule.predicate in AGENT_ONLY + ("investsIn",):
        subjects += _co_agents(ctx, rule, trig, subjects)
    if not subjects and not t[:trig].strip(" （(0-9）)"):
        # 通过…异构集成，MEERCAT将…: a sentence opening with the verb names its agent in the
        # next clause
        subjects = ctx.between(end, len(t), rule.subject)[:1]
    for subj in subjects:
        if (
            rule.predicate in AGENT_ONLY
            and "company" not in ctx.cats(subj)
            and RE_FUNDING.search(t[subj.end : trig])
        ):
            # X为Y拨款…，用于建立…: X pays, the recipient Y builds
            funded = [
                m
                for m in ctx.between(subj.end, trig, frozenset({"company", "research"}))
                if not ctx.locative(m)
            ]
            if funded:
                emit(ctx, rule, trig, funded[0], objs, trig_word, out)
            continue
        emit(ctx, rule, trig, subj, objs, trig_word, out)


# 拟与A、B共同投资 N，在P建设…: A and B invest and build with the subject
RE_CO_AGENTS = re.compile(r"与\s*(?P<who>[^，。；]{2,40}?)\s*(?:共同|联合|一起|一道)")


def _co_agents(ctx: Ctx, rule: Rule, trig: int, subjects: list[Mention]) -> list[Mention]:
    """The partners a subject does this with, named after 与 before 共同/联合 earlier in the
    sentence (the verbs after it share them: 共同投资…，在…建设)."""
    if not subjects:
        return []
    out = []
    for m in RE_CO_AGENTS.finditer(ctx.text, 0, trig):
        if not any(s.end <= m.start() for s in subjects):
            continue
        if any(c in "。；" for c in ctx.text[m.end() : trig]):
            continue
        for x in ctx.between(m.start("who"), m.end("who"), rule.subject):
            if all(x.entity != s.entity for s in subjects + out) and not ctx.locative(x):
                out.append(x)
    return out


def benefactive(ctx: Ctx, rule: Rule, trig: int, trig_word: str, out: list[Claim]) -> None:
    """S 为 O … TRIGGER (or the rule's own markers before the object)."""
    t = ctx.text
    cs = ctx.clause_start(trig)
    words = rule.markers or ("为", "向", "给")
    marks = [cs + m.start() for w in words for m in re.finditer(w, t[cs:trig])]
    # 向A提供 N补贴、向B提供 M补贴: a marker followed by a trigger and then another marker is
    # the first trigger's
    own = trigger_words()[rule.predicate]
    marks = [
        mk
        for mk in marks
        if not any(mk < nxt and any(t.find(w, mk, nxt) >= 0 for w in own) for nxt in marks)
    ]
    if not marks:
        return
    mk = min(marks)
    mk_len = max(len(w) for w in words if t.startswith(w, mk))
    if rule.context and not re.search(rule.context, t[mk:trig]):
        return
    if words == ("在",) and rule.object == frozenset({"facility"}):
        objs = ctx.between(mk + mk_len, trig, rule.object)[-1:]  # 在F累计投资: F is the object
    else:
        objs = ctx.objects(mk + mk_len, trig, rule.object) or _referred_back(
            ctx, rule, mk, mk + mk_len
        )
    if rule.max_gap is not None and objs and trig - objs[-1].end > rule.max_gap:
        return  # 在F累计投资: the object right before the verb
    # co-subjects share the claim (A与B宣布，向C提供…支持: both fund C)
    for subj in ctx.subjects(mk, rule.subject):
        emit(ctx, rule, trig, subj, objs, trig_word, out)


# words after a marker that refer back to organisations named before (为其, 为两家公司, 向双方)
RE_BACK = re.compile(r"\s*(?:其|(?P<n>两|三|四|这两|这三)\s*家\s*(?:公司|企业)|双方|两者)")
NUMBERS = {"两": 2, "三": 3, "四": 4, "这两": 2, "这三": 3}


def _referred_back(ctx: Ctx, rule: Rule, mk: int, at: int) -> list[Mention]:
    """The organisations a marker's 其 or 两家公司 refers to: 与ADI签署…，拟为其提供… (the partner
    named before, not the subject), 认定A与B联合提交的…计划，并为两家公司提供… (both)."""
    m = RE_BACK.match(ctx.text, at)
    if m is None:
        return []
    before = [
        x
        for x in ctx.between(0, mk, rule.object)
        if not ctx.locative(x) and "company" in ctx.cats(x)
    ]
    subj = ctx.subjects(mk, rule.subject)
    named = [x for x in before if all(x.entity != s.entity for s in subj)]
    if m.group("n") or m.group(0).strip() in ("双方", "两者"):
        n = NUMBERS.get(m.group("n") or "两", 2)
        return named[-n:] if len(named) >= n else []
    return named[-1:]


def passive(ctx: Ctx, rule: Rule, trig: int, trig_word: str, out: list[Claim]) -> None:
    """O … 获得 … TRIGGER: the recipient first, the giver elsewhere in the sentence."""
    t = ctx.text
    cs = ctx.clause_start(trig)
    hits = [cs + m.start() for mk in rule.markers for m in re.finditer(mk, t[cs:trig])]
    if not hits:
        return
    mk = min(hits)
    if rule.context and not re.search(rule.context, t[cs:mk]):
        return  # 量子纠错的研发工作由X承担: what the clause before 由 names says which relation
    agentive = t.startswith(("由", "被"), mk)
    objs = _recipients(ctx, rule, mk, agentive)
    if not objs:
        return
    given = {o.entity for o in objs}
    subjs = [m for m in ctx.mentions if ctx.ok(m, rule.subject) and m.entity not in given]
    if agentive:
        subjs = [m for m in subjs if mk < m.start and m.end <= trig]  # 由中芯国际…制造: the agent
    else:
        # 英特尔在“安全飞地”项目下获得…资金: the giver named in the recipient's clause first
        subjs = [m for m in subjs if m.start >= cs] + [m for m in subjs if m.start < cs]
    if not subjs:
        return
    if rule.predicate in AGENT_ONLY and RE_FUNDING.search(t, subjs[0].end, trig):
        return  # F由X出资建设: X pays for it, the builder is not named
    emit(ctx, rule, trig, subjs[0], objs, trig_word, out)


def _source(ctx: Ctx, m: Mention) -> bool:
    """从X / 自X / 来自X: X is where something comes from."""
    return ctx.text[max(0, m.start - 3) : m.start].rstrip(' “"《').endswith(("从", "自"))


def _recipients(ctx: Ctx, rule: Rule, mk: int, agentive: bool) -> list[Mention]:
    """Who gets (获得) or what is done (由X…) in a passive: the clause's subject and those joined to
    it (英特尔和美光科技获得…), else the sentence's topic (英特尔以…收购 X后，获得…: Intel, not X);
    after 由 the thing must be in the marker's own clause."""
    found = [
        m for m in ctx.subjects(mk, rule.object) if not ctx.comitative(m) and not _source(ctx, m)
    ]
    if not found:
        # 英特尔从美国商务部获得…: the giver glued to the marker is the source, the recipient
        # opens the clause
        cs = ctx.clause_start(mk)
        found = [
            m
            for m in ctx.between(cs, mk, rule.object)
            if not _source(ctx, m) and not ctx.locative(m)
        ][:1]
    if found:
        return found
    last = ctx.before(mk, rule.object)
    if last is None or (agentive and last.start < ctx.clause_start(mk)):
        return []
    return [last]


# what two do together that makes them co-investors, not partners (联合领投, 共同出资)
RE_CO_INVESTING = re.compile(r"\s*(?:领投|跟投|参投|投资|出资|注资|认购)")


def comitative(ctx: Ctx, rule: Rule, trig: int, trig_word: str, out: list[Claim]) -> None:
    """S 与 O(、O…) TRIGGER: partners between 与/和/同 and the trigger, or listed later."""
    t = ctx.text
    cs = ctx.clause_start(trig)
    conn = [cs + m.start() for m in re.finditer("[与和同]", t[cs:trig])]
    if not conn:
        return
    c = conn[0]
    if rule.context and not re.search(
        rule.context, t[trig + len(trig_word) : ctx.clause_end(trig)]
    ):
        return  # 签署 … 协议: what is signed makes them partners
    if RE_JOINING.search(t, c, trig):
        return  # 思科和软银集团参与合作: both take part; neither is named as the other's partner
    if trig_word in ("联合", "共同") and RE_CO_INVESTING.match(t, trig + len(trig_word)):
        return  # 由X与Y联合领投: co-investors, not partners (签署投资协议 is an agreement)
    objs = [m for m in ctx.between(c + 1, trig, rule.object) if not ctx.locative(m)]
    subj = ctx.before(c, rule.subject)
    local = [m for m in ctx.mentions if cs <= m.start and m.end <= c]
    if local and not any(ctx.ok(m, rule.subject) for m in local):
        subj = None  # Arizona州与台积电的合作: the partner is a place, not an actor
    elif not local and cs > 0:
        # …，并与 G42达成战略合作: the clause drops its subject, the sentence's topic
        topic = ctx.subjects(c, rule.subject)
        subj = topic[0] if topic else subj
    if not objs:
        # 与其他重要的联邦伙伴密切协调，…，包括 A、B、C: the partners are listed later
        at = t.find("包括", trig)
        if at >= 0:
            objs = ctx.objects(at, ctx.clause_end(at), rule.object)
    if subj is None or not objs:
        return
    subjects = _listed_before(ctx, rule, subj, cs)
    for i, s in enumerate(subjects):
        partners = subjects[i + 1 :] if rule.predicate == "partnersWith" else []
        emit(ctx, rule, trig, s, partners + objs, trig_word, out)
    if rule.predicate == "partnersWith":
        # partners of one agreement partner each other, first-named first
        for i, a in enumerate(objs):
            emit(ctx, rule, trig, a, objs[i + 1 :], trig_word, out)


RE_BRACKETED_FIRST = re.compile(r"^\s*[（(][A-Za-z][A-Za-z0-9&.\- ]{0,20}[）)]")


def _listed_before(ctx: Ctx, rule: Rule, subj: Mention, cs: int) -> list[Mention]:
    """A、B与C合作: the subject and those listed before it with 、/和 (A and B are partners too)."""
    out = [subj]
    for m in reversed(ctx.between(cs, subj.start, rule.subject)):
        # the first's abbreviation in brackets may stand between (英特尔（INTC）、三星和美光)
        gap = RE_BRACKETED_FIRST.sub("", ctx.text[m.end : out[0].start], count=1)
        if m.entity == out[0].entity or len(gap) > 3 or not RE_LIST_GAP.fullmatch(gap.strip()):
            break
        out.insert(0, m)
    return out


PATTERN_FUNCTIONS = {
    "forward": forward,
    "benefactive": benefactive,
    "passive": passive,
    "comitative": comitative,
}


def apply_rule(ctx: Ctx, rule: Rule, out: list[Claim]) -> None:
    """Every occurrence of the rule's triggers in the passage, through the rule's pattern; not
    inside a longer trigger of the same relation (支持 in 重点支持) nor inside a name (研究 in
    研究所, 投资 in 投资基金)."""
    t = ctx.text
    spans = [
        (a, a + len(w))
        for w in trigger_words()[rule.predicate]
        if w in t
        for a in occurrences(t, w)
    ]
    pattern = PATTERN_FUNCTIONS[rule.pattern]
    for trig_word in rule.triggers:
        if trig_word not in t:
            continue
        for trig in occurrences(t, trig_word):
            trig_end = trig + len(trig_word)
            if any(a <= trig and trig_end <= b and b - a > trig_end - trig for a, b in spans):
                continue
            if any(
                m.start <= trig and trig_end <= m.end and not ctx.ok(m, ACTIONS)
                for m in ctx.mentions
            ):
                continue
            if rule.amount_after and not any(0 <= m.start - trig_end <= 4 for m in ctx.money):
                continue  # 向X提供 2.85亿美元, not 向X提供服务
            if RE_NOUN_HEAD.match(t, trig_end) and rule.pattern == "forward":
                continue  # 研发计划, 建设项目: the verb names a kind of thing here
            pattern(ctx, rule, trig, trig_word, out)
