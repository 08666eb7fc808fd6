"""The provisional entities of a project's reports, and promoting them into the project's own
entity table (entities.project_entities_path) so that later builds treat them as table entities.

A promoted row keeps the provisional id, so the entity keeps its IRI. Every check runs before the
table is touched; the table is written whole to a temporary file in its folder, checked as part
of the merged entity table, and renamed over the old one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from chipkg.errors import ChipkgError
from chipkg.extract.entities import (
    COLUMNS,
    ENTITY_TYPES,
    Entity,
    Linker,
    load_entities,
    project_entities_path,
)
from chipkg.extract.pipeline import extract
from chipkg.ingest import citations, inputs, report
from chipkg.tables import update_table
from chipkg.workspace import Workspace
from chipkg.workspace import at as workspace_at


@dataclass
class Seen:
    """A provisional entity as the project's reports use it."""

    entity: Entity
    mentions: int = 0
    passages: list[tuple[str, int, int, str]] = field(
        default_factory=list
    )  # file, line, page, text
    used_in_claims: int = 0
    reports: set[str] = field(default_factory=set)


def project_reports(project: Workspace | Path) -> list[Path]:
    return inputs.discover(
        (project if isinstance(project, Workspace) else workspace_at(project)).sources
    )


@dataclass(frozen=True)
class Unresolved:
    """A name shared by several table entities, left unresolved (never guessed)."""

    name: str
    ids: tuple[str, ...]
    file: str
    line: int


def provisional_entities(project: Workspace | Path, reports: Iterable[Path]) -> dict[str, Seen]:
    """id → the provisional entity the reports mint under it (the same name in two reports is
    one entity: aliases and passages merged), with its mentions and passages."""
    return open_world_of(project, reports)[0]


def open_world_of(
    project: Workspace | Path, reports: Iterable[Path]
) -> tuple[dict[str, Seen], list[Unresolved]]:
    """The provisional entities of the reports, and the names they left unresolved."""
    linker = Linker(load_entities(project=project))
    seen: dict[str, Seen] = {}
    unresolved: list[Unresolved] = []
    for path in reports:
        meta = inputs.read_meta(path)
        try:
            parsed = report.parse_report(path, meta.report_id)
        except ChipkgError as exc:
            exc.path = exc.path or str(path)
            raise
        ex = extract(parsed, citations.resolve(parsed), linker)
        by_index = {p.index: p for p in parsed.passages}
        for name, ids, idx in ex.unresolved:
            unresolved.append(Unresolved(name, ids, path.name, by_index[idx].line))
        for eid, e in ex.provisional.items():
            s = seen.setdefault(eid, Seen(e))
            if s.entity is not e:
                merged = tuple(dict.fromkeys((*s.entity.aliases, *e.aliases)))
                s.entity = replace(s.entity, aliases=merged)
            s.reports.add(meta.report_id)
            for idx, ms in ex.provisional_mentions.items():
                n = sum(1 for m in ms if m.entity == eid)
                if n:
                    p = by_index[idx]
                    s.mentions += n
                    s.passages.append((path.name, p.line, p.page, p.text))
            s.used_in_claims += sum(1 for c in ex.active() if eid in (c.subject, c.object))
    return dict(sorted(seen.items())), unresolved


@dataclass(frozen=True)
class Edits:
    label_en: str = ""
    label_zh: str = ""
    type: str = ""
    country: str = ""


def _checked(ids: list[str], edits: Edits, seen: dict[str, Seen], table: dict[str, Entity]):
    """Every problem with a promotion, before anything is written: one line naming it."""
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise ChipkgError(f"'{dup}' is named twice", hint="name each id once")
    for eid in ids:
        if eid in table:
            raise ChipkgError(
                f"'{eid}' is already in the entity table (duplicate id)",
                hint="edit its row in the table instead",
            )
        if eid not in seen:
            raise ChipkgError(
                f"'{eid}' is not a provisional entity of the project's reports",
                hint="chipkg entities --provisional lists them",
            )
    if any((edits.label_en, edits.label_zh, edits.type, edits.country)) and len(ids) != 1:
        raise ChipkgError("--label-en/--label-zh/--type/--country edit one entity at a time")
    if edits.type and edits.type not in ENTITY_TYPES:
        raise ChipkgError(
            f"unknown entity type '{edits.type}'", hint="one of " + ", ".join(ENTITY_TYPES)
        )
    if edits.country and (edits.country not in table or table[edits.country].type != "Country"):
        raise ChipkgError(
            f"unknown country '{edits.country}'", hint="give a Country id of the table"
        )


def _row(e: Entity, edits: Edits, known: set[str], source: str) -> dict[str, str]:
    """The table row of a promoted entity: a label missing in one script repeats the other
    (names are not translated) unless an edit gives it; references to ids outside the table
    are dropped."""
    label_en = edits.label_en or e.label_en or e.label_zh
    label_zh = edits.label_zh or e.label_zh or e.label_en
    aliases = [a for a in e.aliases if a not in (label_en, label_zh)]
    for old in (e.label_en, e.label_zh):
        if old and old not in (label_en, label_zh) and old not in aliases:
            aliases.append(old)
    etype = edits.type or e.type
    facility = "facility" in ENTITY_TYPES[etype]
    country = edits.country or (e.country if e.country in known else "")
    broader = e.broader if e.broader in known else ""
    return {
        "id": e.id,
        "type": etype,
        "label_en": label_en,
        "label_zh": label_zh,
        "aliases": "|".join(aliases),
        "country": country,
        "wikidata": "",
        "broader": broader if (facility or etype in ("Region", "Technology", "Product")) else "",
        "operator": "|".join(o for o in e.operator if o in known) if facility else "",
        "note": f"promoted from a provisional entity ({source})",
    }


def promote(
    project: Workspace | Path, ids: list[str], edits: Edits, reports: list[Path]
) -> list[dict]:
    """Write the provisional entities ``ids`` into the project's entity table; return the rows."""
    table = load_entities(project=project)
    seen = provisional_entities(project, reports)
    _checked(ids, edits, seen, table)
    known = set(table) | set(ids)
    rows = []
    for eid in ids:
        s = seen[eid]
        f, line, _, _ = s.passages[0] if s.passages else ("", 0, 0, "")
        rows.append(_row(s.entity, edits, known, f"{f}:{line}" if f else "report text"))
    _write(project_entities_path(project), rows)
    return rows


def _write(path: Path, rows: list[dict]) -> None:
    """Append ``rows`` to the table at ``path`` atomically and under its lock (in the dialect a
    spreadsheet saved it in), after checking the merged table."""
    update_table(
        path,
        COLUMNS,
        "entity table",
        lambda old: [*old, *rows],
        check=lambda tmp: load_entities(extra=[tmp]),  # the merged table must still load
    )
