"""Relations between linked entities in one passage.

The pipeline of one passage: the trigger rules (data: ``chipkg/data/relations.toml``, applied by
the sentence patterns of ``patterns.py``), then the named rules that read numbers, places and
owners (``named_rules.NAMED_RULES``), then the rules that combine claims of the same sentence
(``named_rules.COMBINED_RULES``); last, periods and target years go to the claims they qualify
and repeated claims are dropped.
"""

from __future__ import annotations

import re

from chipkg.extract.amounts import Money, find_dates, find_durations, find_money, find_target_years
from chipkg.extract.claims import EXTRACTOR, PREDICATES, Claim
from chipkg.extract.constructions import COMBINED_CONSTRUCTIONS, CONSTRUCTION_RULES, stated
from chipkg.extract.context import Ctx
from chipkg.extract.entities import Entity, Mention
from chipkg.extract.named_rules import COMBINED_RULES, NAMED_RULES
from chipkg.extract.names import CJK, TITLES
from chipkg.extract.patterns import apply_rule
from chipkg.extract.rules import Rule, all_trigger_words, rules

__all__ = ["AMOUNT_PREDICATES", "EXTRACTOR", "PREDICATES", "Claim", "Rule", "extract_relations"]

# The relations an amount of money can belong to: what is paid (funds), invested (investsIn), the
# budget of a programme launched (launches), a target (setsTarget). Building, partnering or
# researching is not paying: an amount in such a sentence belongs to its funding or investment.
AMOUNT_PREDICATES = frozenset({"funds", "investsIn", "launches", "setsTarget"})


# a description of organisations a country can open (日本材料和设备企业, 美国另类资产管理公司)
RE_DESCRIBED_ORGS = re.compile(rf"[{CJK}]{{0,12}}?(?:企业|公司|厂商|机构|银行|集团)")


def _origin_only(mentions: list[Mention], text: str, entities: dict[str, Entity]) -> list[Mention]:
    """Drop a country glued to an organisation's name or to a description of one: it only says
    where it is from (德国博世, 日本材料和设备企业), it does not act."""
    return [
        m
        for i, m in enumerate(mentions)
        if not (
            entities[m.entity].type == "Country"
            and (
                (
                    i + 1 < len(mentions)
                    and "org" in entities[mentions[i + 1].entity].categories
                    and not text[m.end : mentions[i + 1].start].strip()
                )
                or _describes_orgs(
                    text, m.end, mentions[i + 1].start if i + 1 < len(mentions) else len(text)
                )
                or _titles_a_person(text, m.end, mentions[i + 1 :], entities)
            )
        )
    ]


def _titles_a_person(text: str, at: int, after: list[Mention], entities: dict[str, Entity]) -> bool:
    """巴西总统卢拉宣布: the country's title of a person the text names next, who acts."""
    return bool(
        after
        and entities[after[0].entity].type == "Person"
        and text[at : after[0].start].strip() in TITLES
    )


def _describes_orgs(text: str, at: int, limit: int) -> bool:
    """Whether the words right after a country, up to the next mention, name a kind of
    organisation (日本材料和设备企业合作: Japanese companies, not Japan)."""
    d = RE_DESCRIBED_ORGS.match(text, at)
    return d is not None and d.end() <= limit and "，" not in d.group(0)


RE_UNIT_PRICE = re.compile(r"(?:每股|每片|每颗|每台|每单位|每)\s*$")


def _amounts(text: str) -> list[Money]:
    """The amounts a claim can own: not a unit price (以每股 20.47美元认购: the price of a share,
    not the sum invested)."""
    return [
        m for m in find_money(text) if not RE_UNIT_PRICE.search(text[max(0, m.start - 4) : m.start])
    ]


def _qualify(text: str, claims: list[Claim]) -> list[Claim]:
    """A period (为期四年) on funding and investment, a target year on building, investing and
    launching; one claim per key, the first made."""
    durations = find_durations(text)
    years = find_target_years(text)
    seen: dict[tuple, Claim] = {}
    for c in claims:
        if c.predicate in ("funds", "investsIn") and durations and c.duration is None:
            c = Claim(**{**c.__dict__, "duration": durations[0][1]})
        if c.predicate in ("builds", "investsIn", "launches") and years and c.target_year is None:
            c = Claim(**{**c.__dict__, "target_year": years[0][1]})
        seen.setdefault(c.key, c)
    return list(seen.values())


def extract_relations(
    index: int, text: str, mentions: list[Mention], entities: dict[str, Entity]
) -> list[Claim]:
    mentions = _origin_only(mentions, text, entities)
    if not mentions:
        return []  # every claim has a named subject (a third of the passages name nothing)
    ctx = Ctx(index, text, mentions, entities, _amounts(text), find_dates(text))
    out: list[Claim] = []
    present = {w for w in all_trigger_words() if w in text}
    for rule in rules():
        if not present.isdisjoint(rule.triggers):  # most rules have no trigger in a passage
            apply_rule(ctx, rule, out)
    for named in NAMED_RULES + CONSTRUCTION_RULES:
        out.extend(named(ctx))
    out = stated(ctx, out)  # before the rules that combine claims: none may rest on a non-fact
    for combine in COMBINED_RULES + COMBINED_CONSTRUCTIONS:
        out = combine(ctx, out)
    return _qualify(text, out)
