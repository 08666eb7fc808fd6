"""Cue words for kinds of entity (``chipkg/data/entity_cues.toml``), read with a schema check.

* facility nouns (工厂, 晶圆厂, 封装设施 …) and the facility types each can refer to;
* name suffixes (…公司, …研究所 …) and the entity type a name ending in one has.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from chipkg.errors import ChipkgError
from chipkg.extract.kinds import ENTITY_TYPES, FACILITY_TYPES
from chipkg.extract.ruledata import Field, data_path, load_table

NOMINAL_RELATIONS = frozenset({"investsIn", "expands"})


@dataclass(frozen=True)
class FacilityNoun:
    noun: str
    kinds: frozenset[str]
    nominal: str = ""  # 投资/扩建 after a place: the investor's relation to its plant there


@dataclass(frozen=True)
class NameSuffix:
    suffix: str
    type: str


@dataclass(frozen=True)
class Cues:
    facility_nouns: tuple[FacilityNoun, ...]
    name_suffixes: tuple[NameSuffix, ...]


def _no_repeats(path: Path, table: str, key: str, rows: list[tuple[int, dict]]) -> None:
    seen: set[str] = set()
    for line, row in rows:
        if row[key] in seen:
            raise ChipkgError(f"{table} '{row[key]}' listed twice", path=path, line=line)
        seen.add(row[key])


def load_cues(path: Path | None = None) -> Cues:
    path = path or data_path("entity_cues.toml")
    nouns = load_table(
        path,
        "facility_noun",
        {
            "noun": Field(str),
            "kinds": Field(list, choices=FACILITY_TYPES),
            "nominal": Field(str, required=False, choices=NOMINAL_RELATIONS),
        },
    )
    suffixes = load_table(
        path,
        "name_suffix",
        {"suffix": Field(str), "type": Field(str, choices=frozenset(ENTITY_TYPES))},
    )
    _no_repeats(path, "facility_noun", "noun", nouns)
    _no_repeats(path, "name_suffix", "suffix", suffixes)
    return Cues(
        tuple(
            FacilityNoun(r["noun"], frozenset(r["kinds"]), r.get("nominal", "")) for _, r in nouns
        ),
        tuple(NameSuffix(r["suffix"], r["type"]) for _, r in suffixes),
    )


@cache
def cues() -> Cues:
    return load_cues()
