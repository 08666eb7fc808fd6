"""The relation rules of ``chipkg/data/relations.toml``: trigger words, the sentence pattern they
use, and the kinds of entity that may stand as subject and object. Read with a schema check, so a
bad entry is one error naming its line."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from chipkg.extract.claims import PREDICATES
from chipkg.extract.kinds import CATEGORIES
from chipkg.extract.ruledata import Field, data_path, load_table, regex

PATTERNS = frozenset({"forward", "benefactive", "passive", "comitative"})
RULE_SCHEMA = {
    "predicate": Field(str, choices=frozenset(PREDICATES)),
    "pattern": Field(str, choices=PATTERNS),
    "triggers": Field(list),
    "subject": Field(list, choices=CATEGORIES),
    "object": Field(list, choices=CATEGORIES),
    "markers": Field(list, required=False),
    "window": Field(str, required=False, choices=frozenset({"clause", "sentence"})),
    "max_gap": Field(int, required=False),
    "context": Field(str, required=False, check=regex),
    "needs_year": Field(bool, required=False),
    "amount_after": Field(bool, required=False),
    "subject_in_clause": Field(bool, required=False),
}


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
    amount_after: bool = False  # only where an amount of money follows the trigger
    subject_in_clause: bool = False  # forward: the subject is in the trigger's own clause


def load_rules(path: Path | None = None) -> tuple[Rule, ...]:
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
            r.get("amount_after", False),
            r.get("subject_in_clause", False),
        )
        for _, r in load_table(path or data_path("relations.toml"), "rule", RULE_SCHEMA)
    )


@cache
def rules() -> tuple[Rule, ...]:
    return load_rules()


@cache
def all_trigger_words() -> tuple[str, ...]:
    return tuple(dict.fromkeys(w for r in rules() for w in r.triggers))


@cache
def trigger_words() -> dict[str, tuple[str, ...]]:
    """Every trigger word of each predicate's rules."""
    words: dict[str, list[str]] = {}
    for r in rules():
        words.setdefault(r.predicate, []).extend(r.triggers)
    return {p: tuple(dict.fromkeys(ws)) for p, ws in words.items()}
