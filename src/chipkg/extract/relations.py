"""Relations between linked entities in one passage, by trigger words and entity categories.

The trigger table is data (``chipkg/data/relations.toml``); this module only knows the sentence
patterns (forward, benefactive 为…, passive 获得…, comitative 与…合作) and a few patterns that
carry numbers (control-list additions, jobs, capacity targets, locations).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
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

CLAUSE_END = "，；：。！？,;:"
RE_COORD = re.compile(r"[、和与及或]|以及")
LISTING = ("涉及", "包括", "涵盖", "覆盖", "针对")
EXTRACTOR = "chipkg-rules"


@dataclass(frozen=True)
class Rule:
    predicate: str
    pattern: str
    triggers: tuple[str, ...]
    subject: frozenset[str]
    object: frozenset[str]
    markers: tuple[str, ...] = ()
    window: str = "clause"


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
        """在X: X is where something happens, not who does it or what it is done to."""
        return self.text[max(0, m.start - 2) : m.start].strip().endswith("在")

    def subjects(self, pos: int, allowed: frozenset[str]) -> list[Mention]:
        """The agents of a verb at ``pos``. A mention glued to the verb is its subject
        (美国出口管制); otherwise the first allowed mention of the clause (Chinese puts the
        subject first: 创意电子采用台积电…), else the nearest before it in the sentence.
        Co-subjects joined to it by 、/与/和 (法国、荷兰等成员国共同出资) share the claim."""
        cs = self.clause_start(pos)
        every = [m for m in self.mentions if m.end <= pos and self.ok(m, allowed)]
        if every and self.text[every[-1].end : pos].strip() in ("", "的"):
            return [every[-1]]
        cands = [m for m in every if not self.locative(m)]
        if not cands:
            return []
        in_clause = [m for m in cands if m.start >= cs]
        first = in_clause[0] if in_clause else cands[-1]
        out = [first]
        for m in cands[cands.index(first) + 1 :]:
            gap = self.text[out[-1].end : m.start]
            if len(gap) <= 3 and RE_COORD.search(gap) and m.entity != first.entity:
                out.append(m)
            elif m.entity != out[-1].entity:
                break
        return out

    def subject(self, pos: int, allowed: frozenset[str]) -> Mention | None:
        found = self.subjects(pos, allowed)
        return found[0] if found else None

    def objects(self, start: int, end: int, allowed: frozenset[str]) -> list[Mention]:
        """The object phrase after a verb: the first allowed mention and those coordinated with
        it (、和与及或), leaving out modifiers (X的Y: X only describes Y)."""
        cands = [m for m in self.between(start, end, allowed) if not self.locative(m)]
        chain: list[Mention] = []
        for i, m in enumerate(cands):
            nxt = cands[i + 1] if i + 1 < len(cands) else None
            gap_after = self.text[m.end : nxt.start] if nxt else self.text[m.end : end]
            modifier = nxt is not None and "的" in gap_after and not RE_COORD.search(gap_after)
            if chain:
                gap = self.text[chain[-1].end : m.start]
                if (
                    not (RE_COORD.search(gap) or gap.strip() in ("", "（", "("))
                    or "—" in gap
                    or len(gap) > 8
                ):
                    break
            if modifier and nxt.entity != m.entity:
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
        cands = [m for m in self.money if lo <= m.start < hi]
        return min(cands, key=lambda m: abs(m.start - pos)) if cands else None

    def event_date(self) -> DateMention | None:
        precise = [d for d in self.dates if d.precision in ("day", "month")]
        return precise[0] if precise else None


def _occurrences(text: str, word: str) -> list[int]:
    return [m.start() for m in re.finditer(re.escape(word), text)]


def _emit(
    ctx: _Ctx, rule: Rule, trig: int, subj: Mention, objs: list[Mention], tag: str, out: list[Claim]
) -> None:
    seen = set()
    for o in objs:
        if o.entity == subj.entity or o.entity in seen:
            continue
        seen.add(o.entity)
        money = None
        if rule.predicate in ("funds", "investsIn"):
            money = ctx.money_near(
                trig, ctx.clause_start(min(subj.start, trig)), ctx.clause_end(trig)
            )
            if money is None and len(ctx.money) == 1:
                money = ctx.money[0]
        out.append(
            Claim(
                ctx.index,
                subj.entity,
                rule.predicate,
                o.entity,
                f"{rule.predicate}/{rule.pattern}:{tag}",
                money=money,
                date=ctx.event_date(),
            )
        )


def _apply(ctx: _Ctx, rule: Rule, out: list[Claim]) -> None:
    t = ctx.text
    for trig_word in rule.triggers:
        for trig in _occurrences(t, trig_word):
            trig_end = trig + len(trig_word)
            if rule.pattern == "forward":
                end = len(t) if rule.window == "sentence" else ctx.clause_end(trig_end)
                if end < len(t) and t[end + 1 :].lstrip().startswith(LISTING):
                    end = ctx.clause_end(end + 1)  # …清单，涉及 A、B 等: the list continues
                if rule.window == "sentence":
                    objs = ctx.between(trig_end, end, rule.object)
                else:
                    objs = ctx.objects(trig_end, end, rule.object)
                for subj in ctx.subjects(trig, rule.subject):
                    _emit(ctx, rule, trig, subj, objs, trig_word, out)
            elif rule.pattern == "benefactive":
                cs = ctx.clause_start(trig)
                words = rule.markers or ("为", "向", "给")
                marks = [cs + m.start() for w in words for m in re.finditer(w, t[cs:trig])]
                if not marks:
                    continue
                mk = min(marks)
                mk_len = max(len(w) for w in words if t.startswith(w, mk))
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
                if subj is not None and objs:
                    _emit(ctx, rule, trig, subj, objs, trig_word, out)


RE_CONTROL_LIST = re.compile(
    r"新增\s*(?P<n>[0-9]+|[一二三四五六七八九十百]+)\s*家(?P<who>[^，。；]{0,8}?)实体"
)
RE_JOBS = re.compile(
    r"(?P<q>超过|约|近)?\s*(?P<n>[0-9]+(?:\.[0-9]+)?)\s*(?P<u>万|千)?\s*个?(?:就业岗位|工作岗位|就业机会)"
)
RE_CAPACITY = re.compile(r"月产\s*(?P<n>[0-9]+(?:\.[0-9]+)?)\s*(?P<u>万)?\s*片")
RE_SHARE = re.compile(r"(?P<n>[0-9]+(?:\.[0-9]+)?)\s*%")
LOCATION_GLUE = re.compile(r"^(?:的|地区的|地区|的新|新|州的|市的)?$")


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
        subj = ctx.before(m.start(), frozenset({"facility", "company", "program", "gov", "law"}))
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
    for p in places:
        for f in facilities:
            if f.start >= p.end and LOCATION_GLUE.match(t[p.end : f.start].strip()):
                out.append(Claim(ctx.index, f.entity, "locatedIn", p.entity, "locatedIn/adjacent"))
            elif (
                f.start > p.end
                and t[max(0, p.start - 1) : p.start] == "在"
                and ctx.clause_end(p.end) >= f.end
                and re.search("建设|建立|新建|建造|兴建|扩建", t[p.end : f.start])
            ):
                out.append(Claim(ctx.index, f.entity, "locatedIn", p.entity, "locatedIn/built-in"))
    # capacity and share targets with a target year
    years = find_target_years(t)
    if years:
        year = years[0][1]
        for m in list(RE_CAPACITY.finditer(t)) + list(RE_SHARE.finditer(t)):
            is_cap = m.re is RE_CAPACITY
            value = cn_number(m.group("n")) * (10000 if is_cap and m.group("u") else 1)
            subj = ctx.before(m.start(), frozenset({"actor"}))
            objs = ctx.between(m.end(), ctx.clause_end(m.end()), frozenset({"facility", "tech"}))
            obj = objs[0] if objs else ctx.before(m.start(), frozenset({"facility"}))
            if subj:
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


def extract_relations(
    index: int, text: str, mentions: list[Mention], entities: dict[str, Entity]
) -> list[Claim]:
    ctx = _Ctx(index, text, mentions, entities, find_money(text), find_dates(text))
    out: list[Claim] = []
    for rule in rules():
        _apply(ctx, rule, out)
    _special(ctx, out)
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
