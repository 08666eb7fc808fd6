"""Relations between linked entities in one passage, by trigger words and entity categories.

The trigger table is data (``chipkg/data/relations.toml``); this module only knows the sentence
patterns (forward, benefactive 为…, passive 获得…, comitative 与…合作) and a few patterns that
carry numbers (control-list additions, jobs, capacity targets, locations).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cache
from importlib import resources

from chipkg.extract.amounts import (
    DateMention,
    Money,
    cn_number,
    find_dates,
    find_durations,
    find_money,
    find_target_years,
)
from chipkg.extract.entities import Entity, Mention
from chipkg.extract.facilities import NOMINAL, is_location, location_chain

CLAUSE_END = "，；：。！？,;:"
GLUE = ' ）)”"》」'  # between a name and its verb: 计划（NAPMP）重点支持
RE_COORD = re.compile(r"[、和与或/／]|以及|及(?!以[下上])")  # not 2nm及以下 (and below)
LISTING = ("涉及", "包括", "涵盖", "覆盖", "针对", "即")
RE_DOMAIN = re.compile(r"[^，。；]{0,14}?(?:领域|方面)")
EXTRACTOR = "chipkg-rules"
AGENT_ONLY = ("builds", "expands")
ACTIONS = frozenset({"control", "investigation"})  # named by what they do: 新增…至出口管制清单
AGENTS = frozenset({"actor", "program", "facility", "law", "control", "strategy"})
RE_TARGET = re.compile("目标|计划到|有望")
RE_FACILITY_NOUN = re.compile("代工厂|工厂|晶圆厂|设施|产线|生产线")
RE_FACILITY_WORK = re.compile("(?P<w>扩建|建设|建造|兴建|现代化改造|改造|升级|扩产)")
RE_FUTURE_YEAR = re.compile(r"(?:将|计划|预计|有望)[^，。；]*在\s*(?:19|20)[0-9]{2}\s*年")
RE_NOUN_AFTER = re.compile("愿景|资金")  # CHIPS愿景: the vision, not the Act
RE_AUX = re.compile("^(?:开展|进行|从事)")
RE_GENERIC_AGENT = re.compile("(?:企业|公司|厂商|机构)$")
RE_DETERMINER = re.compile(r"^(?:这些|这|该|那些|每家|各)")
RE_DISTRIBUTIVE = re.compile(r"^(?:每家公司|每家企业|这[两三四五六几]家公司|各家公司)")
RE_FUNDING = re.compile("资助|支持|拨款|补贴|出资")


@dataclass(frozen=True)
class Rule:
    predicate: str
    pattern: str
    triggers: tuple[str, ...]
    subject: frozenset[str]
    object: frozenset[str]
    markers: tuple[str, ...] = ()
    window: str = "clause"
    max_gap: int | None = None  # the object phrase must start this close to the trigger
    context: str = ""  # a pattern the rest of the clause must contain (扩大…生产)
    needs_year: bool = False  # only in a sentence with a target year (到 2030年…将拥有)


@dataclass(frozen=True)
class Claim:
    passage: int
    subject: str
    predicate: str
    object: str | None
    rule: str
    value: Decimal | None = None
    unit: str = ""
    money: Money | None = None
    date: DateMention | None = None
    target_year: int | None = None
    duration: str | None = None
    # absolute character offsets in the report text of the words the claim rests on (from the
    # first to the last of its subject, trigger, object and amount mentions); None when not known.
    # Citations use it to find the clause of a sentence a claim belongs to (clause scope).
    span: tuple[int, int] | None = field(default=None, compare=False)

    @property
    def key(self) -> tuple[int, str, str, str]:
        return (self.passage, self.subject, self.predicate, self.object or str(self.value))


@cache
def rules() -> tuple[Rule, ...]:
    data = tomllib.loads(
        resources.files("chipkg").joinpath("data/relations.toml").read_text(encoding="utf-8")
    )
    return tuple(
        Rule(
            r["predicate"],
            r["pattern"],
            tuple(r["triggers"]),
            frozenset(r["subject"]),
            frozenset(r["object"]),
            tuple(r.get("markers", ())),
            r.get("window", "clause"),
            r.get("max_gap"),
            r.get("context", ""),
            r.get("needs_year", False),
        )
        for r in data["rule"]
    )


@dataclass
class _Ctx:
    index: int
    text: str
    mentions: list[Mention]
    entities: dict[str, Entity]
    money: list[Money]
    dates: list[DateMention]

    def ancestors(self, eid: str) -> set[str]:
        out: set[str] = set()
        b = self.entities[eid].broader
        while b and b not in out and b in self.entities:
            out.add(b)
            b = self.entities[b].broader
        return out

    def ok_id(self, eid: str, cat: str) -> bool:
        return cat in self.entities[eid].categories

    def cats(self, m: Mention) -> set[str]:
        return self.entities[m.entity].categories

    def ok(self, m: Mention, allowed: frozenset[str]) -> bool:
        return bool(self.cats(m) & allowed)

    def clause_end(self, pos: int) -> int:
        for i in range(pos, len(self.text)):
            if self.text[i] in CLAUSE_END:
                return i
        return len(self.text)

    def clause_start(self, pos: int) -> int:
        for i in range(pos - 1, -1, -1):
            if self.text[i] in CLAUSE_END:
                return i + 1
        return 0

    def locative(self, m: Mention) -> bool:
        """在X: X is where something happens, not who does it or what it is done to. 在X领域
        (in the field of X) names a domain, which can be an object."""
        if not self.text[max(0, m.start - 2) : m.start].strip().endswith("在"):
            return False
        return not RE_DOMAIN.match(self.text[m.end :])

    def comitative(self, m: Mention) -> bool:
        """A clause that opens with 与X…: X is a partner, not the agent (与 IMEC合作开发…);
        X与Y合作… makes both agents."""
        head = self.text[self.clause_start(m.start) : m.start].strip()
        return head in ("与", "同", "跟")

    def instrumental(self, m: Mention) -> bool:
        """通过X / 利用X: X is the means, not the agent."""
        if self.text[max(0, m.start - 4) : m.start].strip("“” ").endswith(("通过", "利用")):
            return True
        head = self.text[self.clause_start(m.start) : m.start].lstrip("“” ")
        return head.startswith(("通过", "利用")) and not any(
            n.end <= m.start and n.start >= self.clause_start(m.start) and n.entity != m.entity
            for n in self.mentions
        )

    def subjects(self, pos: int, allowed: frozenset[str]) -> list[Mention]:
        """The agents of a verb at ``pos``. A mention glued to the verb is its subject
        (美国出口管制); otherwise the first allowed mention of the clause (Chinese puts the
        subject first: 创意电子采用台积电…), else the nearest before it in the sentence.
        Co-subjects joined to it by 、/与/和 (法国、荷兰等成员国共同出资) share the claim."""
        cs = self.clause_start(pos)
        every = [m for m in self.mentions if m.end <= pos and self.ok(m, allowed)]
        gap = self.text[every[-1].end : pos].strip(GLUE) if every else ""
        if (
            every
            and (gap in ("", "的") or (RE_AUX.match(gap) and _noun_phrase(gap[2:])))
            and not self.locative(every[-1])
        ):
            out = [every[-1]]  # 英伟达销售…, UKSI开展…研究
            for m in reversed(every[:-1]):  # and those coordinated with it (英特尔与 ASML完成)
                gap = self.text[m.end : out[0].start]
                if len(gap) <= 3 and RE_COORD.search(gap) and not self.locative(m):
                    out.insert(0, m)
                else:
                    break
            return out
        cands = [m for m in every if not self.locative(m) and not self.comitative(m)]
        if RE_DISTRIBUTIVE.match(self.text[cs:pos].strip()):
            # 每家公司都将…建设: each of the companies the sentence named before
            return [m for m in cands if m.end <= cs and "company" in self.cats(m)]
        if not cands or RE_DETERMINER.match(self.text[cs:pos].strip()):
            return []  # 这些供应商计划…建设: the subject is not a named entity
        in_clause = [m for m in cands if m.start >= cs]
        if not in_clause and RE_GENERIC_AGENT.search(self.text[cs:pos].strip()):
            return []  # 助力本土企业开发…: a generic agent, not the topic
        # no subject in the verb's own clause: the sentence's topic (Chinese drops a subject
        # that the first clause gave), which is not a means (通过X，…)
        topic = [m for m in cands if not self.instrumental(m)]
        if not in_clause and self.text[cs:pos].strip().startswith("其"):
            # 其正在研发…: 其 is the sentence's topic, which may not be allowed here
            lead = self.topic(AGENTS, pos)
            if lead is not None and not self.ok(lead, allowed):
                return []  # the sentence is about something that cannot do this
        first = in_clause[0] if in_clause else (topic or cands)[0]
        out = [first]
        for m in cands[cands.index(first) + 1 :]:
            gap = self.text[out[-1].end : m.start]
            if len(gap) <= 3 and RE_COORD.search(gap) and m.entity != first.entity:
                out.append(m)
            elif m.entity != out[-1].entity:
                break
        return out

    def topic(self, allowed: frozenset[str], pos: int) -> Mention | None:
        """The sentence's first allowed mention before ``pos`` that is neither a place nor a
        means: what the sentence is about."""
        return next(
            (
                m
                for m in self.mentions
                if m.end <= pos
                and self.ok(m, allowed)
                and not self.locative(m)
                and not self.instrumental(m)
                and not self.comitative(m)
            ),
            None,
        )

    def subject(self, pos: int, allowed: frozenset[str]) -> Mention | None:
        found = self.subjects(pos, allowed)
        return found[0] if found else None

    def objects(self, start: int, end: int, allowed: frozenset[str]) -> list[Mention]:
        """The object phrase after a verb: the first allowed mention and those coordinated with
        it (、和与及或), leaving out modifiers (X的Y: X only describes Y)."""
        cands = [
            m
            for m in self.between(start, end, allowed)
            if not self.locative(m) and not RE_NOUN_AFTER.match(self.text[m.end :])
        ]
        # modifiers, from the right: X的Y, X与Z的Y (a coordinated possessor), X芯片Y (a product
        # named after its kind), ESMC半导体晶圆厂 (the operator of the facility named next)
        mods = [False] * len(cands)
        poss = [False] * len(cands)  # possessors (X的Y), which pass along coordination
        for i in range(len(cands) - 2, -1, -1):
            m, nxt = cands[i], cands[i + 1]
            gap = self.text[m.end : nxt.start]
            coord = bool(RE_COORD.search(gap)) or not gap.strip()
            ne = self.entities[nxt.entity]
            if (
                "的" in gap
                and not RE_COORD.search(gap)
                and not any(c in CLAUSE_END for c in gap)
                and not RE_VERB.search(gap)
            ):
                mods[i] = poss[i] = nxt.entity != m.entity
            elif nxt.entity == m.entity and gap.strip() in ("（", "("):
                mods[i], poss[i] = mods[i + 1], poss[i + 1]  # 芯粒（Chiplets）: one name
            elif coord and len(gap) <= 3:
                mods[i] = poss[i] = poss[i + 1]
            elif (
                gap.rstrip().endswith(("（", "("))
                and len(gap) <= 4
                and ne.categories
                & {
                    "facility",
                    "program",
                }
            ):
                mods[i] = True  # 先进封装设施（NAPMP）: the name in brackets is the object
            elif (ne.type == "Product" and len(gap.strip()) <= 3) or (
                m.entity in ne.operator and _noun_phrase(gap) and len(gap) <= 6
            ):
                mods[i] = True  # Willow芯片 / ESMC半导体晶圆厂: a product or plant named next
        for i in range(1, len(cands)):
            prev, m = cands[i - 1], cands[i]
            if not self.text[prev.end : m.start].strip():
                if m.entity in self.ancestors(prev.entity):
                    mods[i] = True  # 高NA EUV光刻(设备): the second names the first's kind
                elif prev.entity in self.ancestors(m.entity):
                    mods[i - 1] = True  # 超导量子芯片Willow: the kind, then the name
        chain: list[Mention] = []
        for i, m in enumerate(cands):
            modifier = mods[i]
            if chain:
                gap = self.text[chain[-1].end : m.start]
                if any(
                    chain[-1].end <= x.start and x.end <= m.start and "actor" in self.cats(x)
                    for x in self.mentions
                ):
                    break  # 英特尔的 18A技术、三星的 2nm技术: another owner's list
                if (
                    not (RE_COORD.search(gap) or gap.strip() in ("", "（", "("))
                    or "—" in gap
                    or any(c in CLAUSE_END for c in gap)
                    or (len(gap) > 8 and not re.search("(?:以及|和|与|及|、)\\s*$", gap))
                    or len(gap) > 14
                ):
                    break
            if modifier:
                continue
            chain.append(m)
        return chain

    def before(self, pos: int, allowed: frozenset[str], floor: int = 0) -> Mention | None:
        cands = [
            m for m in self.mentions if floor <= m.start and m.end <= pos and self.ok(m, allowed)
        ]
        return cands[-1] if cands else None

    def between(self, a: int, b: int, allowed: frozenset[str]) -> list[Mention]:
        return [m for m in self.mentions if a <= m.start and m.end <= b and self.ok(m, allowed)]

    def money_near(self, pos: int, lo: int, hi: int) -> Money | None:
        """The amount closest to ``pos`` in [lo, hi): an amount before it counts from its end
        (…的 20万亿韩元（139亿美元）投资), one after it from its start."""
        cands = [m for m in self.money if lo <= m.start < hi]
        return min(cands, key=lambda m: _distance(m, pos)) if cands else None

    def event_date(self) -> DateMention | None:
        precise = [d for d in self.dates if d.precision in ("day", "month")]
        return precise[0] if precise else None


def _distance(m: Money, pos: int) -> int:
    end = m.conversion.end if m.conversion is not None and m.conversion.end else m.end
    if end <= pos:
        return pos - end
    return max(0, m.start - pos)


MONEY_NEAR_OBJECT = 30  # characters: 在纽约州建立“巨型晶圆厂”所需的 1000亿美元


def _occurrences(text: str, word: str) -> list[int]:
    out, i = [], text.find(word)
    while i >= 0:
        out.append(i)
        i = text.find(word, i + 1)
    return out


@cache
def _all_trigger_words() -> tuple[str, ...]:
    return tuple(dict.fromkeys(w for r in rules() for w in r.triggers))


@cache
def _trigger_words() -> dict[str, tuple[str, ...]]:
    """Every trigger word of each predicate's rules."""
    words: dict[str, list[str]] = {}
    for r in rules():
        words.setdefault(r.predicate, []).extend(r.triggers)
    return {p: tuple(dict.fromkeys(ws)) for p, ws in words.items()}


def _emit(
    ctx: _Ctx, rule: Rule, trig: int, subj: Mention, objs: list[Mention], tag: str, out: list[Claim]
) -> None:
    seen = set()
    for o in objs:
        if o.entity == subj.entity or o.entity in seen:
            continue
        ops = ctx.entities[o.entity].operator
        if (
            rule.predicate in ("builds", "expands", "investsIn")
            and ops
            and "company" in ctx.cats(subj)
            and subj.entity not in ops
        ):
            continue  # a company builds its own plants: Coherent和英飞朗建设…两座…设施
        predicate = rule.predicate
        if (
            predicate == "investsIn"
            and ctx.entities[subj.entity].type == "Country"
            and ctx.entities[o.entity].type not in ("IndustrialCluster", "Company", "Technology")
        ):
            predicate = "funds"  # a state's money for a plant or centre is funding
        seen.add(o.entity)
        money = None
        if rule.predicate in ("funds", "investsIn"):
            money = ctx.money_near(
                trig, ctx.clause_start(min(subj.start, trig)), ctx.clause_end(trig)
            )
            if money is None and len(ctx.money) == 1:
                money = ctx.money[0]
        elif rule.predicate in ("launches", "partnersWith") and len(ctx.money) == 1:
            money = ctx.money[0]  # 设立…基金，注册资本 3440亿元; 签署协议，…支付 2.5亿美元
        elif rule.predicate in ("builds", "expands", "researches") and ctx.money:
            # 计划投资约 20万亿韩元建设…, 所需的 1000亿美元: the amount next to what it pays for
            near = min(ctx.money, key=lambda m: _distance(m, o.start))
            if _distance(near, o.start) <= MONEY_NEAR_OBJECT or len(ctx.money) == 1:
                money = near
        out.append(
            Claim(
                ctx.index,
                subj.entity,
                predicate,
                o.entity,
                f"{predicate}/{rule.pattern}:{tag}",
                money=money,
                date=ctx.event_date(),
            )
        )


def _apply(ctx: _Ctx, rule: Rule, out: list[Claim]) -> None:
    t = ctx.text
    spans = [
        (a, a + len(w))
        for w in _trigger_words()[rule.predicate]
        if w in t
        for a in _occurrences(t, w)
    ]
    for trig_word in rule.triggers:
        if trig_word not in t:
            continue
        for trig in _occurrences(t, trig_word):
            trig_end = trig + len(trig_word)
            if any(a <= trig and trig_end <= b and b - a > trig_end - trig for a, b in spans):
                continue  # inside a longer trigger of the same rule (支持 in 重点支持)
            if any(
                m.start <= trig and trig_end <= m.end and not ctx.ok(m, ACTIONS)
                for m in ctx.mentions
            ):
                continue  # inside a name (研究 in 研究所, 投资 in 投资基金)
            if rule.pattern == "forward":
                if rule.predicate == "investsIn" and t[:trig].endswith("的"):
                    continue  # X的投资: a noun, its object is not what follows
                end = len(t) if rule.window == "sentence" else ctx.clause_end(trig_end)
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
                if not objs and rule.predicate == "funds":
                    # NSF启动 NQVL，首期资助 3200万美元: the programme just launched
                    prog = ctx.before(trig, frozenset({"program"}), floor=0)
                    if prog is not None and re.search("启动|设立|发起|推出", t[: prog.start]):
                        objs = [prog]
                if rule.max_gap is not None:
                    objs = objs if objs and objs[0].start - trig_end <= rule.max_gap else []
                if rule.predicate in AGENT_ONLY + ("develops", "researches") and RE_TARGET.search(
                    t[ctx.clause_start(trig) : trig]
                ):
                    continue  # 目标在 2030年建成…, 计划到 2027年实现量产: a target, not a fact
                if rule.context and not re.search(rule.context, t[trig_end:end]):
                    continue
                if rule.needs_year and not (
                    find_target_years(t) or RE_FUTURE_YEAR.search(t[ctx.clause_start(trig) : trig])
                ):
                    continue
                subjects = ctx.subjects(trig, rule.subject)
                if not subjects and not t[:trig].strip(" （(0-9）)"):
                    # 通过…异构集成，MEERCAT将…: a sentence opening with the verb names its agent
                    # in the next clause
                    after = ctx.between(end, len(t), rule.subject)
                    subjects = after[:1]
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
                            _emit(ctx, rule, trig, funded[0], objs, trig_word, out)
                        continue
                    _emit(ctx, rule, trig, subj, objs, trig_word, out)
            elif rule.pattern == "benefactive":
                cs = ctx.clause_start(trig)
                words = rule.markers or ("为", "向", "给")
                marks = [cs + m.start() for w in words for m in re.finditer(w, t[cs:trig])]
                if not marks:
                    continue
                mk = min(marks)
                mk_len = max(len(w) for w in words if t.startswith(w, mk))
                if rule.context and not re.search(rule.context, t[mk:trig]):
                    continue
                subj = ctx.subject(mk, rule.subject)
                objs = (
                    ctx.objects(mk + mk_len, trig, rule.object)[:1]
                    if rule.predicate == "funds"
                    else ctx.objects(mk + mk_len, trig, rule.object)
                )
                if subj is not None:
                    _emit(ctx, rule, trig, subj, objs, trig_word, out)
            elif rule.pattern == "passive":
                cs = ctx.clause_start(trig)
                hits = [cs + m.start() for mk in rule.markers for m in re.finditer(mk, t[cs:trig])]
                if not hits:
                    continue
                mk = min(hits)
                obj = ctx.before(mk, rule.object)
                if obj is None:
                    continue
                subjs = [
                    m for m in ctx.mentions if ctx.ok(m, rule.subject) and m.entity != obj.entity
                ]
                if subjs:
                    _emit(ctx, rule, trig, subjs[0], [obj], trig_word, out)
            elif rule.pattern == "comitative":
                cs = ctx.clause_start(trig)
                conn = [cs + m.start() for m in re.finditer("[与和同]", t[cs:trig])]
                if not conn:
                    continue
                c = conn[0]
                objs = ctx.between(c + 1, trig, rule.object)
                subj = ctx.before(c, rule.subject)
                local = [m for m in ctx.mentions if cs <= m.start and m.end <= c]
                if local and not any(ctx.ok(m, rule.subject) for m in local):
                    subj = None  # Arizona州与台积电的合作: the partner is a place, not an actor
                if not objs:
                    # 与其他重要的联邦伙伴密切协调，…，包括 A、B、C: the partners are listed later
                    at = t.find("包括", trig)
                    if at >= 0:
                        objs = ctx.objects(at, ctx.clause_end(at), rule.object)
                if subj is not None and objs:
                    _emit(ctx, rule, trig, subj, objs, trig_word, out)
                    if rule.predicate == "partnersWith":
                        # partners of one agreement partner each other, first-named first
                        for i, a in enumerate(objs):
                            _emit(ctx, rule, trig, a, objs[i + 1 :], trig_word, out)


RE_CONTROL_LIST = re.compile(
    r"新增\s*(?:[0-9]+\s*家实体[^。；]*?其中(?:包括)?\s*)?"
    r"(?P<n>[0-9]+|[一二三四五六七八九十百]+)\s*家(?P<who>[^，。；]{0,8}?)实体"
)
RE_JOBS = re.compile(
    r"(?P<q>超过|约|近)?\s*(?P<n>[0-9]+(?:\.[0-9]+)?)\s*(?P<u>万|千)?\s*个?(?:就业岗位|工作岗位|就业机会)"
)
RE_CAPACITY = re.compile(r"月产\s*(?P<n>[0-9]+(?:\.[0-9]+)?)\s*(?P<u>万)?\s*片")
RE_SHARE = re.compile(r"(?P<n>[0-9]+(?:\.[0-9]+)?)\s*%")
LOCATION_GLUE = re.compile(r"^(?:的|地区的|地区|的新|新|州的|市的)?$")


# words that make a phrase a clause: X建设…工厂 is building, not owning
RE_VERB = re.compile(
    "建设|建立|新建|建造|兴建|扩建|扩大|投资|投入|选择|支持|提供|资助|拨款|补贴|合作|计划|"
    "推动|将|已|正在|生产|获得|宣布|收购|开发|研发|实现|升级|改造"
)


def _noun_phrase(gap: str) -> bool:
    """Whether the text between an owner and a facility noun is only modifiers (在Y的新, 的先进,
    位于Y的), so that the owner possesses the facility."""
    return len(gap) <= 16 and not any(c in CLAUSE_END for c in gap) and not RE_VERB.search(gap)


def _special(ctx: _Ctx, out: list[Claim]) -> None:
    t = ctx.text
    gov = frozenset({"gov"})
    # control-list additions: 新增 140 家中国实体至出口管制清单
    for m in RE_CONTROL_LIST.finditer(t):
        subj = ctx.before(m.start(), gov)
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
            n = cn_number(m.group("n"))
            out.append(
                Claim(
                    ctx.index,
                    subj.entity,
                    "addsToControlList",
                    country,
                    "addsToControlList/count",
                    value=n,
                    date=ctx.event_date(),
                )
            )
            out.append(
                Claim(
                    ctx.index,
                    subj.entity,
                    "restrictsExportTo",
                    country,
                    "restrictsExportTo/control-list",
                    date=ctx.event_date(),
                )
            )
    # jobs
    for m in RE_JOBS.finditer(t):
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
                )
            )
    # locations: PLACE(的) FACILITY, 位于 PLACE 的 FACILITY, 在 PLACE 建设 … FACILITY
    places = [m for m in ctx.mentions if ctx.ok(m, frozenset({"place"}))]
    facilities = [m for m in ctx.mentions if ctx.ok(m, frozenset({"facility"}))]
    # 在北海道千岁市: a run of places after 在 names one place, the last the most precise
    after_zai = set()
    for i, p in enumerate(places):
        prev = places[i - 1] if i else None
        if t[max(0, p.start - 2) : p.start].strip().endswith("在") or (
            prev is not None and id(prev) in after_zai and not t[prev.end : p.start].strip()
        ):
            after_zai.add(id(p))
    for p in places:
        for f in facilities:
            if (
                f.start >= p.end
                and LOCATION_GLUE.match(t[p.end : f.start].strip())
                and is_location(t, p, ctx.entities)
            ):
                out.append(Claim(ctx.index, f.entity, "locatedIn", p.entity, "locatedIn/adjacent"))
            elif (
                f.place is None
                and f.start > p.end
                and id(p) in after_zai
                and ctx.clause_end(p.end) >= f.end
                and re.search("建设|建立|新建|建造|兴建|扩建", t[p.end : f.start])
            ):
                out.append(Claim(ctx.index, f.entity, "locatedIn", p.entity, "locatedIn/built-in"))
    # a facility described by its place (台积电在德累斯顿地区的新芯片工厂) is located there
    for f in facilities:
        if f.place is not None:
            out.append(Claim(ctx.index, f.entity, "locatedIn", f.place, "locatedIn/described"))
    # an investment at a place is in the investor's plant there (see facilities.INVESTMENT)
    for f in facilities:
        if f.surface in NOMINAL:
            ops = ctx.entities[f.entity].operator
            who = [m for m in ctx.mentions if m.entity in ops and m.end <= f.start]
            if who:
                pred = NOMINAL[f.surface]
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
                    )
                )
    # FACILITY的扩建/建设 and a sentence about a facility (位于X的F，将通过现代化改造…): its
    # operator named in the sentence builds or expands it
    for m in RE_FACILITY_WORK.finditer(t):
        pred = "builds" if m.group("w") in ("建设", "建造", "兴建") else "expands"
        before = [f for f in facilities if f.end <= m.start() and f.surface not in NOMINAL]
        if not before:
            continue
        f = before[-1]
        glued = t[f.end : m.start()].strip() in ("", "的")
        topic = f is facilities[0] and not any(
            x.end <= m.start() and x.start >= f.end and ctx.ok(x, frozenset({"facility"}))
            for x in ctx.mentions
        )
        if m.group("w") in ("建设", "建造", "兴建") or not (glued or topic):
            continue
        ops = ctx.entities[f.entity].operator
        who = next((x for x in ctx.mentions if x.entity in ops), None)
        if who is not None:
            out.append(Claim(ctx.index, who.entity, pred, f.entity, f"{pred}/of-facility"))
    # X的投资是…F: the company's investment is the plant
    for m in re.finditer(r"的投资(?:是|为|将用于)", t):
        owner = ctx.before(m.start() + 1, frozenset({"company"}))
        if owner is None or owner.end != m.start():
            continue
        for f in facilities:
            if (
                f.start > m.end()
                and f.end <= ctx.clause_end(m.end())
                and owner.entity in ctx.entities[f.entity].operator
            ):
                out.append(Claim(ctx.index, owner.entity, "investsIn", f.entity, "investsIn/is"))
    # operators: the owner of a facility phrase (X在Y的工厂, 其位于Y的工厂, X 工厂)
    for f in facilities:
        ops = set(ctx.entities[f.entity].operator)
        if not ops or f.surface in NOMINAL:
            continue
        cs = ctx.clause_start(f.start)
        owners = [m for m in ctx.mentions if m.entity in ops and cs <= m.start and m.end <= f.start]
        own = t.rfind("其", cs, f.start)
        if own >= 0 and _noun_phrase(t[own + 1 : f.start]):
            first = next((m for m in ctx.mentions if m.entity in ops), None)
            owners = [first] if first else []
        else:
            owners = [m for m in owners if _noun_phrase(t[m.end : f.start])]
        for m in owners:
            out.append(Claim(ctx.index, m.entity, "operates", f.entity, "operates/possessive"))
    # TECH出口管制(条款): the technology the control is about
    for m in re.finditer("出口管制|出口管控|出口限制", t):
        tech = [x for x in ctx.mentions if x.end == m.start() and ctx.ok(x, frozenset({"tech"}))]
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
                    )
                )
    # what a company makes: 英特尔的 18A和 14A技术, 三星的 2nm技术
    tech = frozenset({"tech"})
    for m in ctx.mentions:
        if "company" in ctx.cats(m) and t[m.end : m.end + 2].strip().startswith("的"):
            objs = ctx.objects(m.end, ctx.clause_end(m.end), tech)
            if objs and t[m.end : objs[0].start].strip() == "的":
                for o in objs:
                    if RE_FACILITY_NOUN.match(t[o.end : o.end + 4].lstrip()):
                        continue  # 英特尔的先进制程工厂: the plant's kind, not a product
                    out.append(Claim(ctx.index, m.entity, "develops", o.entity, "develops/of"))
    # 在 PRODUCT 中采用: the product is the subject's own
    for m in ctx.mentions:
        if (
            ctx.entities[m.entity].type == "Product"
            and ctx.locative(m)
            and re.match(r"\s*(?:中|上)", t[m.end :])
        ):
            subj = ctx.subject(m.start, frozenset({"company", "research"}))
            if subj:
                out.append(Claim(ctx.index, subj.entity, "develops", m.entity, "develops/in"))
    # an operator inside a facility's name: 英飞凌德累斯顿智能功率晶圆厂 is Infineon's
    for f in facilities:
        if f.place is None:
            for op in ctx.entities[f.entity].operator:
                if any(len(n) > 1 and n in f.surface for n in ctx.entities[op].names):
                    out.append(Claim(ctx.index, op, "operates", f.entity, "operates/in-name"))
    # a place inside a facility's name: 熊本晶圆厂 is in 熊本
    for f in facilities:
        if f.place is None:
            for p in location_chain(ctx.entities[f.entity], ctx.entities):
                if any(len(n) > 1 and n in f.surface for n in ctx.entities[p].names):
                    out.append(Claim(ctx.index, f.entity, "locatedIn", p, "locatedIn/in-name"))
                    break
    # capacity and share targets with a target year
    years = find_target_years(t)
    if years:
        year = years[0][1]
        for m in list(RE_CAPACITY.finditer(t)) + list(RE_SHARE.finditer(t)):
            is_cap = m.re is RE_CAPACITY
            value = cn_number(m.group("n")) * (10000 if is_cap and m.group("u") else 1)
            objs = ctx.between(m.end(), ctx.clause_end(m.end()), frozenset({"facility", "tech"}))
            obj = objs[0] if objs else ctx.before(m.start(), frozenset({"facility"}))
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
                    )
                )


RE_UNDER_FUNDING = re.compile(r"在\s*《?(?P<name>[^》，。]{2,20}?)》?\s*(?:资助|支持)下")


def _combine(ctx: _Ctx, out: list[Claim]) -> list[Claim]:
    """Facts that follow from two others in the same sentence."""
    more: list[Claim] = []
    # X计划投资 N…，在Y建设 F: the investment is in the plant X builds
    invests = [c for c in out if c.predicate == "investsIn"]
    for c in out:
        planned = c.predicate == "setsTarget" and c.object and ctx.ok_id(c.object, "facility")
        if (
            (c.predicate == "builds" or planned)
            and not any(i.subject == c.subject for i in invests)
            and re.search(r"投资\s*(?:约|超过|近)?\s*[0-9]", ctx.text)
        ):
            money = c.money or (ctx.money[0] if len(ctx.money) == 1 else None)
            more.append(replace(c, predicate="investsIn", rule="investsIn/builds", money=money))
    # 在《芯片和科学法案》资助下，能源部…提供资助: the law funds what the agency funds
    m = RE_UNDER_FUNDING.search(ctx.text)
    if m:
        law = next(
            (
                x
                for x in ctx.mentions
                if m.start() <= x.start < m.end() and ctx.ok(x, frozenset({"law", "program"}))
            ),
            None,
        )
        if law:
            for c in out:
                if c.predicate == "funds" and c.subject != law.entity:
                    more.append(replace(c, subject=law.entity, rule="funds/under"))
    # one place per facility and sentence: the most specific the text gives
    located: dict[str, list[Claim]] = {}
    for c in out + more:
        if c.predicate == "locatedIn":
            located.setdefault(c.subject, []).append(c)
    drop = set()
    for fac, cs in located.items():
        chain = location_chain(ctx.entities[fac], ctx.entities)
        rank = {p: i for i, p in enumerate(chain)}
        best = min(cs, key=lambda c: rank.get(c.object, len(chain)))
        drop.update(id(c) for c in cs if c.object != best.object and c.object in rank)
    return [c for c in out + more if id(c) not in drop]


def extract_relations(
    index: int, text: str, mentions: list[Mention], entities: dict[str, Entity]
) -> list[Claim]:
    # a country glued to an organisation's name only says where it is from (德国博世)
    mentions = [
        m
        for i, m in enumerate(mentions)
        if not (
            entities[m.entity].type == "Country"
            and i + 1 < len(mentions)
            and "org" in entities[mentions[i + 1].entity].categories
            and not text[m.end : mentions[i + 1].start].strip()
        )
    ]
    if not mentions:
        return []  # every claim has a named subject (a third of the passages name nothing)
    ctx = _Ctx(index, text, mentions, entities, find_money(text), find_dates(text))
    out: list[Claim] = []
    present = {w for w in _all_trigger_words() if w in text}
    for rule in rules():
        if not present.isdisjoint(rule.triggers):  # most rules have no trigger in a passage
            _apply(ctx, rule, out)
    _special(ctx, out)
    out = _combine(ctx, out)
    durations = find_durations(text)
    years = find_target_years(text)
    seen: dict[tuple, Claim] = {}
    for c in out:
        if c.predicate in ("funds", "investsIn") and durations and c.duration is None:
            c = Claim(**{**c.__dict__, "duration": durations[0][1]})
        if c.predicate in ("builds", "investsIn", "launches") and years and c.target_year is None:
            c = Claim(**{**c.__dict__, "target_year": years[0][1]})
        seen.setdefault(c.key, c)
    return list(seen.values())
