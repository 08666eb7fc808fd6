"""Reference entities (ontology/entities.csv) and entity linking over passages.

Linking runs one Aho–Corasick automaton over a normalised copy of the text (NFKC, so
full-width and half-width forms meet; case-folded; white space removed, so ``SK 海力士`` and
``高 NA EUV`` match their names), keeps the longest match at each place, and checks word
boundaries for Latin names on the original text (``EU`` does not match inside ``EUV``).
A surface form shared by several entities (``商务部``) is resolved by the countries the
passage's context mentions.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import ahocorasick

from chipkg.errors import ChipkgError
from chipkg.extract.cues import cues
from chipkg.extract.kinds import ENTITY_TYPES
from chipkg.resources import ontology_dir
from chipkg.tables import read_rows
from chipkg.workspace import Workspace
from chipkg.workspace import at as workspace_at

COLUMNS = [
    "id",
    "type",
    "label_en",
    "label_zh",
    "aliases",
    "country",
    "wikidata",
    "broader",
    "operator",
    "note",
]
RE_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
RE_QID = re.compile(r"^Q[1-9][0-9]*$")


@dataclass(frozen=True)
class Entity:
    id: str
    type: str
    label_en: str
    label_zh: str
    aliases: tuple[str, ...]
    country: str
    wikidata: str
    broader: str  # technologies: the broader technology; regions and facilities: where they are
    operator: tuple[str, ...] = ()  # facilities: who runs them
    # open world: minted from a report's text, not in the entity table (see provisional.py), and
    # the report spans (start, end) of the passages it was minted from
    provisional: bool = False
    minted_from: tuple[tuple[int, int], ...] = ()
    # the words the text used for a plant it did not name (新芯片工厂): kept as alternative labels
    # but never linked, since the same words elsewhere describe other plants
    described_as: tuple[str, ...] = ()

    @property
    def is_facility(self) -> bool:
        return "facility" in ENTITY_TYPES[self.type]

    @property
    def categories(self) -> set[str]:
        return ENTITY_TYPES[self.type]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(n for n in (self.label_zh, self.label_en, *self.aliases) if n))


@dataclass(frozen=True)
class Mention:
    start: int  # offsets in the passage's clean text
    end: int
    entity: str
    surface: str
    place: str | None = None  # a facility named by description: the place that identified it


@cache
def _fold(ch: str) -> str:
    """One character NFKC-normalised and case-folded, white space dropped (made once per
    character: a passage repeats few of them)."""
    return "".join(c for c in unicodedata.normalize("NFKC", ch).casefold() if not c.isspace())


def normalise(s: str) -> tuple[str, list[int]]:
    """NFKC, case-fold, drop white space; return the string and, per character, its source index."""
    folded = [_fold(ch) for ch in s]
    return "".join(folded), [i for i, n in enumerate(folded) for _ in n]


def project_entities_path(project: Workspace | Path) -> Path:
    """The workspace's own entity table, entities.csv (same columns as ontology/entities.csv): it
    extends the bundled table, and a row with a bundled id overrides it. ``chipkg entities
    promote`` and the review page write here. A Path is a --project folder (workspace.at)."""
    return (project if isinstance(project, Workspace) else workspace_at(project)).entities_table


def entity_tables(
    project: Workspace | Path | None = None, extra: Sequence[Path] = ()
) -> list[Path]:
    """The entity tables merged, in order: the bundled reference table, the project's own table
    (when it exists), then any ``extra`` tables (``chipkg eval --entities``)."""
    tables = [ontology_dir() / "entities.csv"]
    if project is not None and project_entities_path(project).exists():
        tables.append(project_entities_path(project))
    return [*tables, *extra]


def _entity_row(row: dict, path: Path, line: int) -> Entity:
    eid, etype = row["id"].strip(), row["type"].strip()
    if not RE_ID.match(eid):
        raise ChipkgError(
            f"bad entity id '{eid}'",
            path=path,
            line=line,
            hint="use lower-case letters, digits and '-'",
        )
    if etype not in ENTITY_TYPES:
        raise ChipkgError(
            f"unknown entity type '{etype}'",
            path=path,
            line=line,
            hint="one of " + ", ".join(ENTITY_TYPES),
        )
    qid = row["wikidata"].strip()
    if qid and not RE_QID.match(qid):
        raise ChipkgError(f"bad Wikidata id '{qid}'", path=path, line=line)
    if not row["label_en"].strip() or not row["label_zh"].strip():
        raise ChipkgError(f"entity '{eid}' needs both label_en and label_zh", path=path, line=line)
    return Entity(
        eid,
        etype,
        row["label_en"].strip(),
        row["label_zh"].strip(),
        tuple(a.strip() for a in row["aliases"].split("|") if a.strip()),
        row["country"].strip(),
        qid,
        row["broader"].strip(),
        tuple(o.strip() for o in row["operator"].split("|") if o.strip()),
    )


def _check_references(entities: dict[str, Entity], where: dict[str, tuple[Path, int]]) -> None:
    """Countries, places and operators name entities of the right kind."""
    for e in entities.values():
        path, line = where[e.id]
        for ref, what in ((e.country, "country"), (e.broader, "broader")):
            if ref and ref not in entities:
                raise ChipkgError(
                    f"entity '{e.id}' refers to unknown {what} '{ref}'", path=path, line=line
                )
        if e.is_facility and e.broader and "place" not in entities[e.broader].categories:
            raise ChipkgError(
                f"facility '{e.id}' is located in '{e.broader}', which is not a place",
                path=path,
                line=line,
                hint="a facility's broader column names the country or region it is in",
            )
        for op in e.operator:
            if op not in entities or "actor" not in entities[op].categories:
                raise ChipkgError(
                    f"entity '{e.id}' has operator '{op}', which is not a known actor",
                    path=path,
                    line=line,
                )
            if not e.is_facility:
                raise ChipkgError(
                    f"only facilities have an operator, not '{e.id}'", path=path, line=line
                )


def load_entities(
    path: Path | None = None,
    *,
    project: Workspace | Path | None = None,
    extra: Sequence[Path] = (),
) -> dict[str, Entity]:
    """The entity table: ``path`` alone, or the merged tables of :func:`entity_tables`. An id may
    appear once per table; a later table's row overrides an earlier one's (in its place)."""
    entities: dict[str, Entity] = {}
    where: dict[str, tuple[Path, int]] = {}
    for table in [path] if path is not None else entity_tables(project, extra):
        here: set[str] = set()
        what = "reference entity table" if not where else "entity table"
        for line, row in read_rows(table, COLUMNS, what):
            e = _entity_row(row, table, line)
            if e.id in here:
                raise ChipkgError(f"duplicate entity id '{e.id}'", path=table, line=line)
            here.add(e.id)
            entities[e.id] = e
            where[e.id] = (table, line)
    _check_references(entities, where)
    return entities


@dataclass
class Linker:
    entities: dict[str, Entity]
    automaton: ahocorasick.Automaton = field(init=False, repr=False)
    facilities: tuple[Entity, ...] = field(init=False, repr=False)  # in table order

    def __post_init__(self) -> None:
        self.facilities = tuple(e for e in self.entities.values() if e.is_facility)
        forms: dict[str, list[str]] = {}
        for e in self.entities.values():
            for name in e.names:
                key, _ = normalise(name)
                if len(key) < 2:
                    continue
                ids = forms.setdefault(key, [])
                if e.id not in ids:
                    ids.append(e.id)
        self.automaton = ahocorasick.Automaton()
        for key, ids in forms.items():
            self.automaton.add_word(key, (key, tuple(ids)))
        self.automaton.make_automaton()

    def candidates(self, text: str) -> list[tuple[int, int, tuple[str, ...]]]:
        norm, idx = normalise(text)
        out = []
        for end_n, (key, ids) in self.automaton.iter_long(norm):
            start_n = end_n - len(key) + 1
            start, end = idx[start_n], idx[end_n] + 1
            if _ascii_word(text[start]) and start > 0 and _ascii_word(text[start - 1]):
                continue
            if _ascii_word(text[end - 1]) and end < len(text) and _ascii_word(text[end]):
                continue
            out.append((start, end, ids))
        return out

    def link(
        self, text: str, strong: set[str] = frozenset(), weak: set[str] = frozenset()
    ) -> list[Mention]:
        """Link names in ``text``. A name shared by several entities goes to the one whose country
        the context names: first the section and article headings (``strong``) and the countries
        of unambiguous organisations in the text; then countries merely mentioned nearby
        (``weak``, and Country mentions in the text); else the first in the table."""
        found = self.candidates(text)
        strong_c, weak_c = set(strong), set(weak)
        for _, _, ids in found:
            if len(ids) == 1:
                e = self.entities[ids[0]]
                if e.type == "Country":
                    weak_c.add(e.id)
                elif e.country and "org" in e.categories:
                    strong_c.add(e.country)
        mentions: list[Mention] = []
        for start, end, ids in found:
            eid = ids[0]
            glued = mentions[-1].entity if mentions and mentions[-1].end == start else None
            if len(ids) > 1 and glued in ids:
                eid = glued  # 澳大利亚联邦政府: the shared name is the country's just named
            elif len(ids) > 1:

                def score(i: str) -> int:
                    c = self.entities[i].country
                    return 2 if c in strong_c else 1 if c in weak_c else 0

                eid = max(ids, key=score)  # max keeps table order among equals
            mentions.append(Mention(start, end, eid, text[start:end]))
        return mentions


def _ascii_word(c: str) -> bool:
    return c.isascii() and c.isalnum()


@cache
def default_linker() -> Linker:
    return Linker(load_entities())


# the suffixes `entities --unknown` looks for (organisations and research centres)
ORG_SUFFIXES = (
    "公司",
    "大学",
    "研究院",
    "研究所",
    "实验室",
    "研究中心",
    "委员会",
    "协会",
    "基金会",
)


@cache
def _re_cn_org() -> re.Pattern[str]:
    """A Chinese name ending in one of the name suffixes of data/entity_cues.toml (…公司)."""
    suffixes = "|".join(
        re.escape(s.suffix) for s in cues().name_suffixes if s.suffix in ORG_SUFFIXES
    )
    return re.compile(rf"[\u4e00-\u9fffA-Za-z0-9]{{2,16}}?(?:{suffixes})")


# ASCII boundaries: \b would treat a following Chinese character as part of the word
RE_LATIN_ORG = re.compile(
    r"(?<![A-Za-z0-9])[A-Z][A-Za-z0-9&\-]+(?:\s+[A-Z][A-Za-z0-9&\-]+)*(?![A-Za-z0-9])"
)
_CN_STOP = set("的和与在为对由将及了并向从于把被、，")
# determiners and counters make a generic phrase, not a name: 这三家公司, 每家公司, 10个国家实验室
RE_GENERIC = re.compile(
    r"^(?:这|该|每|各|其|此|那|本|多|数|一|两|三|几|[0-9]+个|确保|尤其|无晶圆厂)"
)


def unknown_candidates(text: str, mentions: list[Mention]) -> list[tuple[str, int]]:
    """Names that look like organisations but link to no reference entity."""
    covered = [(m.start, m.end) for m in mentions]

    def free(a: int, b: int) -> bool:
        return not any(a < e and s < b for s, e in covered)

    out: list[tuple[str, int]] = []
    for m in _re_cn_org().finditer(text):
        a, b = m.span()
        name = m.group(0)
        # cut at the last function character: 一家韩国半导体制造公司 -> 韩国半导体制造公司
        cut = max((i for i, ch in enumerate(name) if ch in _CN_STOP), default=-1)
        name, a = name[cut + 1 :], a + cut + 1
        if len(name) > 3 and free(a, b) and not RE_GENERIC.match(name):
            out.append((name, a))
    for m in RE_LATIN_ORG.finditer(text):
        a, b = m.span()
        name = m.group(0)
        if len(name) >= 3 and not name.isupper() and free(a, b):
            out.append((name, a))
    return out
