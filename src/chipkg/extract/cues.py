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
    # whether the noun also refers back to a plant the table has (其工厂 → the operator's plant);
    # false: it only describes a new one (在班加罗尔建设一座工程中心)
    refers: bool = True


@dataclass(frozen=True)
class NameSuffix:
    suffix: str
    type: str
    min_stem: int = 2  # characters before the suffix (北卡罗来纳州, not 该州)
    generic_stem: bool = False  # 半导体产业综合支持方案 is a name; 半导体公司 is not
    place_prefix: bool = False  # the name starts with a place (美国能源部, not 关键部分)
    word_end: bool = False  # the suffix ends the word (瑞萨电子于…, not 电子设计软件)
    terms: frozenset[str] = frozenset()  # whole words that are terms, not names (电力电子)


@dataclass(frozen=True)
class Cues:
    facility_nouns: tuple[FacilityNoun, ...]
    name_suffixes: tuple[NameSuffix, ...]
    fillers: frozenset[str] = frozenset()
    common_words: frozenset[str] = frozenset()
    not_names: frozenset[str] = frozenset()
    verbs: frozenset[str] = frozenset()
    launch_verbs: frozenset[str] = frozenset()


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
            "refers": Field(bool, required=False),
        },
    )
    suffixes = load_table(
        path,
        "name_suffix",
        {
            "suffix": Field(str),
            "type": Field(str, choices=frozenset(ENTITY_TYPES)),
            "min_stem": Field(int, required=False),
            "generic_stem": Field(bool, required=False),
            "place_prefix": Field(bool, required=False),
            "word_end": Field(bool, required=False),
            "terms": Field(list, required=False),
        },
    )
    _no_repeats(path, "facility_noun", "noun", nouns)
    _no_repeats(path, "name_suffix", "suffix", suffixes)
    return Cues(
        tuple(
            FacilityNoun(
                r["noun"], frozenset(r["kinds"]), r.get("nominal", ""), r.get("refers", True)
            )
            for _, r in nouns
        ),
        tuple(
            NameSuffix(
                r["suffix"],
                r["type"],
                r.get("min_stem", 2),
                r.get("generic_stem", False),
                r.get("place_prefix", False),
                r.get("word_end", False),
                frozenset(r.get("terms", ())),
            )
            for _, r in suffixes
        ),
        _words(path, "filler"),
        _words(path, "common_word"),
        _words(path, "not_name"),
        _words(path, "verb"),
        _words(path, "launch_verb"),
    )


def _words(path: Path, table: str) -> frozenset[str]:
    """The words of every ``[[table]]`` entry (``words = [...]``)."""
    rows = load_table(path, table, {"words": Field(list)})
    return frozenset(w for _, r in rows for w in r["words"])


@cache
def cues() -> Cues:
    return load_cues()
