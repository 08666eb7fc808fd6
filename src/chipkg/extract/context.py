"""One passage as the relation rules see it: its text, the entities it mentions, its amounts and
dates, and the grammar helpers every rule shares (clauses, the agents of a verb, the object phrase
after it)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from chipkg.extract.amounts import DateMention, Money
from chipkg.extract.entities import Entity, Mention
from chipkg.extract.rules import all_trigger_words

CLAUSE_END = "，；：。！？,;:"
GLUE = ' ）)”"》」'  # between a name and its verb: 计划（NAPMP）重点支持
# not 2nm及以下 (and below); 携手/联手: X携手Y开发 makes both agents
# words before the means or the ground of an act (通过X, 依据《法》): X does not act
MEANS = ("通过", "利用", "依据", "根据", "按照", "依照", "基于")
RE_ABBREVIATION_FIRST = re.compile(r"^\s*[（(][A-Za-z][A-Za-z0-9&.\- ]{0,20}[）)]")
RE_COORD = re.compile(r"[、和与或/／]|以及|及(?!以[下上])|携手|联手|联合(?!国)")
LISTING = ("涉及", "包括", "涵盖", "覆盖", "针对", "即")
RE_DOMAIN = re.compile(r"[^，。；]{0,14}?(?:领域|方面)")
ACTIONS = frozenset({"control", "investigation"})  # named by what they do: 新增…至出口管制清单
AGENTS = frozenset({"actor", "program", "facility", "law", "control", "strategy"})
RE_NOUN_AFTER = re.compile("愿景|资金")  # CHIPS愿景: the vision, not the Act
RE_AUX = re.compile("^(?:开展|进行|从事)")
# a list that ends in a noun the listed things only qualify (…、组装和测试流程)
RE_LIST_OF_KINDS = re.compile(
    r"(?:\s*[、和与及]\s*[\u4e00-\u9fffA-Za-z]{1,6}?)*\s*(?:等)?\s*"
    r"(?:流程|服务|能力|水平|效率|成本|需求|环节|工序)"
)
# the role a description gives the name after it (…运营方 Natcast, 旗下公司 X)
RE_APPOSITION = re.compile("(?:运营方|运营商|运营者|管理方|母公司|子公司|合资公司|公司|旗下)\\s*$")
RE_GENERIC_AGENT = re.compile("(?:企业|公司|厂商|机构)$")
RE_DETERMINER = re.compile(r"^(?:这些|这|该|那些|每家|各)")
# a thing named again by a determiner: it becomes the topic of the clauses after it
RE_ANAPHORIC_THING = re.compile(
    r"\s*(?:该|这|此|这一)\s*(?:座|个|家|所)?\s*"
    r"(?:厂|工厂|晶圆厂|中心|设施|园区|基地|产线|生产线|项目|计划|框架|基金|集群)"
)
# a relative clause after a name (X牵头的 Y, X运营的 Y): Y, not X, is what the sentence is about
RE_RELATIVE = re.compile(r"\s*(?:牵头|主导|领导|运营|管理)(?:成立|组建|设立)?的")
# verbs by which one lets, asks or helps another do what follows (the other is the doer)
RE_PIVOT = re.compile(
    r"(?:批准|核准|允许|准许|授权|鼓励|要求|邀请|责成|委托|支持|帮助|协助|推动)\s*了?\s*由?\s*$"
)
# a company referred back to: 该公司, 这家公司 (the last company the passage named)
RE_THE_COMPANY = re.compile(
    r"^(?:[0-9]{4}\s*年\s*(?:[0-9]{1,2}\s*月\s*)?(?:[0-9]{1,2}\s*日\s*)?[，,]?\s*)?"
    r"(?:该公司|该企业|该集团|这家公司|这家企业)"
)
RE_DISTRIBUTIVE = re.compile(r"^(?:每家公司|每家企业|这[两三四五六几]家公司|各家公司)")

# words that make a phrase a clause: X建设…工厂 is building, not owning
RE_VERB = re.compile(
    "建设|建立|新建|建造|兴建|扩建|扩大|投资|投入|选择|支持|提供|资助|拨款|补贴|合作|计划|"
    "推动|将|已|正在|生产|获得|宣布|收购|开发|研发|实现|升级|改造|预计|表示|决定|启动|推迟|放缓"
)


# a preposition that opens the text after an owner makes it a clause's subject, not a possessor
# (英特尔为F投入…: Intel pays for F; 在Y的F keeps 在 since 的 follows)
RE_PREPOSITION = re.compile(r"\s*(?:为|向|对|与|和|给|把|被|由|从|同)")


def _verbal(gap: str) -> bool:
    """Whether a short gap holds a verb (采用 X量产 Y: Y is made, not named by X)."""
    return bool(RE_VERB.search(gap)) or any(w in gap for w in all_trigger_words())


def noun_phrase(gap: str) -> bool:
    """Whether the text between an owner and a facility noun is only modifiers (在Y的新, 的先进,
    位于Y的), so that the owner possesses the facility."""
    return (
        len(gap) <= 16
        and not any(c in CLAUSE_END for c in gap)
        and not RE_VERB.search(gap)
        and not (RE_PREPOSITION.match(gap) and "的" not in gap)
    )


@dataclass
class Ctx:
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
        (in the field of X) names a domain, which can be an object. 在“X”（Y）项目下: a name in
        quotes, and its alias in brackets after it, are where too."""
        before = self.text[max(0, m.start - 3) : m.start].rstrip(' “”"《「')
        if not before.endswith("在"):
            same = [
                x
                for x in self.mentions
                if x.entity == m.entity
                and x.end <= m.start
                and not self.text[x.end : m.start].strip(' “”"》」（）()')
            ]
            return bool(same) and self.locative(same[-1])
        return not RE_DOMAIN.match(self.text[m.end :])

    def comitative(self, m: Mention) -> bool:
        """A clause that opens with 与X…: X is a partner, not the agent (与 IMEC合作开发…);
        X与Y合作… makes both agents."""
        head = self.text[self.clause_start(m.start) : m.start].strip()
        return head in ("与", "同", "跟")

    def instrumental(self, m: Mention) -> bool:
        """通过X / 利用X / 依据X: X is the means or the ground, not the agent."""
        if self.text[max(0, m.start - 4) : m.start].strip("“” 《").endswith(MEANS):
            return True
        head = self.text[self.clause_start(m.start) : m.start].lstrip("“” ")
        return head.startswith(MEANS) and not any(
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
            and (gap in ("", "的") or (RE_AUX.match(gap) and noun_phrase(gap[2:])))
            and not self.locative(every[-1])
            and not self.instrumental(every[-1])
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
        if RE_THE_COMPANY.match(self.text[cs:pos].strip()):
            # …（Cadence）也在扩充其组合：2025年 1月，该公司宣布收购…: the company named before
            named = [m for m in cands if m.end <= cs and "company" in self.cats(m)]
            return named[-1:] if named and self.ok(named[-1], allowed) else []
        if RE_DISTRIBUTIVE.match(self.text[cs:pos].strip()):
            # 每家公司都将…建设: each of the companies the sentence named before
            return [m for m in cands if m.end <= cs and "company" in self.cats(m)]
        if not cands or RE_DETERMINER.match(self.text[cs:pos].strip()):
            return []  # 这些供应商计划…建设: the subject is not a named entity
        in_clause = [m for m in cands if m.start >= cs and not self.instrumental(m)]
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
        if not in_clause and self._thing_took_over(cands[-1].end, cs):
            return []  # …的工厂重新投产，该厂将作为…产线，主要生产X: the plant makes X
        first = in_clause[0] if in_clause else (topic or cands)[0]
        first = self._pivot(cands, first, pos)
        if RE_RELATIVE.match(self.text, first.end):
            # 斯坦福大学牵头的 AI硬件中心则重点研究…: the head the relative clause describes acts
            head = [m for m in cands if first.end < m.start and m.end <= pos]
            gap = self.text[first.end : head[0].start] if head else ""
            if not head or len(gap) > 16 or any(c in CLAUSE_END for c in gap):
                return []  # a head the table does not name: not the one who leads it
            first = head[0]
        out, last = [first], first.end
        for m in cands[cands.index(first) + 1 :]:
            gap = self.text[last : m.start]
            if m.entity == out[-1].entity:
                last = m.end  # 世界先进（VIS）: one name twice
            elif self.coordinated(gap.lstrip("）) ")) and m.entity != first.entity:
                out.append(m)
                last = m.end
            else:
                break
        return out

    def _pivot(self, cands: list[Mention], first: Mention, pos: int) -> Mention:
        """The doer when the subject lets, asks or helps another do it (a pivotal construction:
        联邦内阁批准 X在…建设, 商务部支持 X 扩建): the one named right after the pivot verb."""
        for m in cands[cands.index(first) + 1 :]:
            if m.end > pos:
                break
            gap = self.text[first.end : m.start]
            if RE_PIVOT.search(gap) and not any(c in CLAUSE_END for c in gap):
                return m
        return first

    def _thing_took_over(self, after: int, cs: int) -> bool:
        """Whether a clause between ``after`` and ``cs`` opens with a thing referred back to (该厂,
        这一项目): the clauses after it drop that subject, not the sentence's first one."""
        starts = [i + 1 for i in range(after, cs - 1) if self.text[i] in CLAUSE_END]
        return any(RE_ANAPHORIC_THING.match(self.text, i) for i in starts)

    def coordinated(self, gap: str) -> bool:
        """Whether two agents are joined by ``gap``: 、/与/和, or 与 and a description of the
        second (美国商务部与 NSTC运营方 Natcast宣布: Natcast, the NSTC's operator). The first's
        abbreviation in brackets may stand between (全球基础设施合作伙伴（GIP）、微软)."""
        gap = RE_ABBREVIATION_FIRST.sub("", gap, count=1)
        if len(gap) <= 3 and RE_COORD.search(gap):
            return True
        head = gap.lstrip()
        return (
            head[:1] in ("与", "和", "、")
            and len(gap) <= 12
            and RE_APPOSITION.search(head)
            and not any(c in CLAUSE_END for c in gap)
            and not RE_VERB.search(head[1:])
        )

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
            elif (ne.type == "Product" and len(gap.strip()) <= 3 and not _verbal(gap)) or (
                m.entity in ne.operator and noun_phrase(gap) and len(gap) <= 6
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
        if chain and RE_LIST_OF_KINDS.match(self.text, chain[-1].end, end):
            return []  # 改进半导体设计、制造、先进封装和测试流程: kinds of a process, not objects
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
        return min(cands, key=lambda m: distance(m, pos)) if cands else None

    def outside_names(self, a: int, b: int) -> str:
        """The text of [a, b) with the names in it blanked (投资 in 投资基金 is not investing)."""
        chars = list(self.text[a:b])
        for m in self.mentions:
            for i in range(max(a, m.start), min(b, m.end)):
                chars[i - a] = " "
        return "".join(chars)

    def event_date(self) -> DateMention | None:
        precise = [d for d in self.dates if d.precision in ("day", "month")]
        return precise[0] if precise else None


def distance(m: Money, pos: int) -> int:
    end = m.conversion.end if m.conversion is not None and m.conversion.end else m.end
    if end <= pos:
        return pos - end
    return max(0, m.start - pos)


MONEY_NEAR_OBJECT = 30  # characters: 在纽约州建立“巨型晶圆厂”所需的 1000亿美元


def occurrences(text: str, word: str) -> list[int]:
    out, i = [], text.find(word)
    while i >= 0:
        out.append(i)
        i = text.find(word, i + 1)
    return out
