"""Open-world entities: a name the entity table lacks is not a lost fact but a *provisional
entity*.

names.py finds the candidates. Each is resolved here: a name that is a name or alias of one table
entity is that entity; a name shared by several table entities is left unresolved and listed; any
other name mints a provisional entity with a stable id made from its normalised name (so the
same name in two reports is one entity), its type from the cue, labels in the scripts the text
gives (the other script only when the text states it, as in 德州仪器（TI）), a country from
context, and the passages it was minted from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from pypinyin import lazy_pinyin

from chipkg.extract.entities import Entity, Linker, normalise
from chipkg.extract.names import (
    FACILITY_TYPES,
    ORG_TYPES,
    PLACE_TYPES,
    RE_CJK,
    Candidate,
    Passage,
    is_generic,
)

# organisations whose name a country glued before it does not belong to (瑞典林雪平大学)
NON_STATE_ORGS = frozenset({"Company", "ResearchInstitution", "Association", "ThinkTank"})
# the words a company's full name ends with and its short form leaves out (青峰公司 → 青峰)
RE_LINE_OF_BUSINESS = re.compile("(?:技术|科技|半导体|电子|微电子|集成电路|控股|股份)$")
CORPORATE_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团公司", "公司", "株式会社")

# --------------------------------------------------------------------------------------------
# resolution and minting


def slug(name: str) -> str:
    """A stable id from a normalised name: pinyin for Chinese, the Latin as it is."""
    norm, _ = normalise(name)
    parts = lazy_pinyin(norm)
    text = "-".join(parts)
    text = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return text or "entity"


@dataclass
class Resolution:
    """What the report's candidates came to: provisional entities (id → entity), names that are
    a reference entity's, and names shared by several reference entities (left unresolved)."""

    provisional: dict[str, Entity] = field(default_factory=dict)
    resolved: dict[str, str] = field(default_factory=dict)  # name as written -> reference id
    unresolved_at: list[tuple[str, tuple[str, ...], int]] = field(default_factory=list)
    passages: dict[str, list[int]] = field(default_factory=dict)  # provisional id -> passages
    # a table company's name the text gives without its 公司 (应用材料 for 应用材料公司): linked
    # to it from then on (name -> reference id)
    bare_names: dict[str, str] = field(default_factory=dict)


def _reference_ids(linker: Linker, names: Iterable[str]) -> set[str]:
    """Reference entities one of ``names`` names exactly (after normalising)."""
    out: set[str] = set()
    for n in names:
        key, _ = normalise(n)
        if len(key) < 2:
            continue
        if key in linker.automaton:
            out.update(linker.automaton.get(key)[1])
    return out


def short_forms(c: Candidate, p: Passage) -> tuple[str, ...]:
    """The shorter names a company's, university's, association's or region's full name gives:
    without the country glued before it (美国青峰公司 → 青峰公司, 瑞典北川大学 → 北川大学,
    越南北江省 → 北江省, in Vietnam) and, for a company,
    without the word for a company at its end (青峰公司 → 青峰), when what is left still names
    something (not 半导体 of 美国半导体公司)."""
    if c.type not in NON_STATE_ORGS and c.type != "Region":
        return ()  # 美国商务部 is not 商务部: a state body keeps its country
    name = re.sub(r"\s+", "", c.name)
    forms = []
    for m in p.mentions:
        surface = re.sub(r"\s+", "", m.surface)
        if m.start == c.start and p.type_of(m) == "Country" and name.startswith(surface):
            rest = name[len(surface) :]
            if len(rest) >= 2 and not is_generic(rest, p, m.end):
                forms.append(rest)
    for form in (name, *forms) if c.type == "Company" else ():
        for suffix in CORPORATE_SUFFIXES:
            stem = form.removesuffix(suffix)
            if stem != form and len(stem) >= 2:
                if not is_generic(stem, p, c.end - len(form)):
                    forms.append(stem)
                    # 新凯来技术有限公司 → 新凯来技术 → 新凯来: the line of business too
                    bare = RE_LINE_OF_BUSINESS.sub("", stem)
                    if bare != stem and len(bare) >= 2 and not is_generic(bare, p, c.start):
                        forms.append(bare)
                break
    return tuple(f for f in dict.fromkeys(forms) if f != name)


def _longer_forms(c: Candidate) -> list[str]:
    """An organisation's name with the word for a company after it (应用材料 → 应用材料公司): the
    table's name for the same company, when the text leaves the word out (whatever kind the
    candidate was guessed to be from the list it stands in)."""
    if c.type not in ORG_TYPES or c.name.endswith(CORPORATE_SUFFIXES):
        return []
    return [c.name + suffix for suffix in CORPORATE_SUFFIXES]


def _minted_as(res: Resolution, names: list[str]) -> str | None:
    """The provisional organisation one of ``names`` already names (青峰 after 青峰公司 was
    minted with it as its short form), when exactly one does."""
    keys = {normalise(n)[0] for n in names if len(normalise(n)[0]) >= 2}
    found = {
        eid
        for eid, e in res.provisional.items()
        if e.type in ORG_TYPES and keys & {normalise(n)[0] for n in e.names}
    }
    return found.pop() if len(found) == 1 else None


def _labels(c: Candidate, extra: tuple[str, ...] = ()) -> tuple[str, str, tuple[str, ...]]:
    """label_zh, label_en and aliases in the scripts the text gives: a Chinese name is a zh
    label, a Latin one an en label; a Latin abbreviation of a Chinese name is its en label.
    ``extra``: shorter forms of the name (short_forms), aliases only."""
    name = re.sub(r"\s+", " ", c.name).strip()
    forms = [name, *c.aliases, *extra]
    zh = next((f for f in forms if RE_CJK.search(f)), "")
    en = next((f for f in forms if not RE_CJK.search(f)), "")
    aliases = tuple(dict.fromkeys(f for f in forms if f not in (zh, en)))
    return zh, en, aliases


def _country(c: Candidate, p: Passage, provisional: dict[str, Entity]) -> str:
    """The country a name belongs to: a country in its name or glued before it, the country of
    the place it is in, else the country the headings give."""
    if c.type == "Country":
        return ""
    ents = p.entities
    for m in p.mentions:
        if c.start <= m.start and m.end <= c.end or m.end == c.start:
            e = ents[m.entity]
            if e.type == "Country":
                return e.id
            if e.type == "Region" and e.country:
                return e.country
    if c.broader:
        b = ents.get(c.broader) or provisional.get(c.broader)
        if b is not None:
            return b.id if b.type == "Country" else b.country
    return p.context_countries[0] if p.context_countries else ""


def _place_id(name: str, res: Resolution, linker: Linker, taken: set[str]) -> str:
    """The id of a place found by name beside a candidate: a reference place, or the
    provisional one minted (or to be minted) from that name."""
    refs = _reference_ids(linker, [name])
    if len(refs) == 1:
        return next(iter(refs))
    eid = slug(name)
    return eid if eid not in taken or eid in res.provisional else f"{eid}-region"


def mint(
    candidates: dict[int, list[Candidate]],
    passages: dict[int, Passage],
    linker: Linker,
    res: Resolution | None = None,
) -> Resolution:
    """Resolve every candidate of a report (passage index → candidates) against ``linker``'s
    entities, minting provisional entities for the names none of them has (into ``res``, which
    may hold those of an earlier round)."""
    res = res or Resolution()
    taken = set(linker.entities) | set(res.provisional)
    for index in sorted(candidates):
        p = passages[index]
        for c in candidates[index]:
            short = short_forms(c, p)
            names = [c.name, *c.aliases]
            refs = _reference_ids(linker, names) or _reference_ids(linker, short)
            if not refs:
                refs = _reference_ids(linker, _longer_forms(c))
                if len(refs) == 1:
                    res.bare_names[c.name.strip()] = next(iter(refs))
            same = _minted_as(res, [*names, *short]) if not refs and c.type in ORG_TYPES else None
            if len(refs) == 1:
                rid = next(iter(refs))
                for n in names:
                    res.resolved[re.sub(r"\s+", " ", n).strip()] = rid
                continue
            if len(refs) > 1:
                res.unresolved_at.append((c.name, tuple(sorted(refs)), index))
                continue
            eid = same or slug(c.key_name or c.name)
            if eid in taken and eid not in res.provisional and not same:
                eid = f"{eid}-{c.type.lower()}"
            zh, en, aliases = _labels(c, short)
            prev = res.provisional.get(eid)
            if prev is not None:
                merged = tuple(dict.fromkeys((*prev.aliases, *(n for n in (zh, en, *aliases)))))
                merged = tuple(a for a in merged if a and a not in (prev.label_zh, prev.label_en))
                res.provisional[eid] = replace(prev, aliases=merged)
            else:
                broader = c.broader if c.type in PLACE_TYPES or c.type in FACILITY_TYPES else ""
                if c.broader_name and not broader:
                    broader = _place_id(c.broader_name, res, linker, taken)
                res.provisional[eid] = Entity(
                    eid,
                    c.type,
                    en,
                    zh,
                    aliases,
                    _country(c, p, res.provisional),
                    "",
                    broader,
                    c.operator,
                    provisional=True,
                    described_as=c.described_as,
                )
            res.passages.setdefault(eid, [])
            if index not in res.passages[eid]:
                res.passages[eid].append(index)
    for eid, e in list(res.provisional.items()):
        if e.broader and e.broader not in res.provisional and e.broader not in linker.entities:
            e = res.provisional[eid] = replace(e, broader="")
        if e.broader and e.type != "Country":
            # a place inside a place, a plant at a place: the country of where it is
            b = res.provisional.get(e.broader) or linker.entities[e.broader]
            country = b.id if b.type == "Country" else b.country
            if country:
                res.provisional[eid] = replace(e, country=country)
    return res
