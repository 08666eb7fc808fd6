"""Publisher kinds of cited sources: a data table (``ontology/publishers.csv``) mapping domains to
a kind and a publisher name, checked row by row when it is loaded.

A row's domain is a host (``commerce.gov``: that host and its sub-domains) or a suffix rule
(``.gov``: every host ending so); the most specific row wins (exact host, parent domain, then the
longest suffix). A bad row stops the build with one line naming the file and the row's line. A
workspace's own publishers.csv (same columns) adds domains and overrides bundled rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from chipkg.errors import ChipkgError
from chipkg.resources import ontology_dir
from chipkg.tables import read_rows

PUBLISHER_KINDS = ("government", "company", "thinktank", "media", "academic", "other")
COLUMNS = ["domain", "kind", "publisher_en", "publisher_zh", "country"]

_RE_DOMAIN = re.compile(
    r"^\.?([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$"
)
_RE_COUNTRY = re.compile(r"^([a-z0-9]+(-[a-z0-9]+)*)?$")


@dataclass(frozen=True)
class Publisher:
    domain: str  # as in the table: "commerce.gov", or ".gov" for a suffix rule
    kind: str
    name_en: str
    name_zh: str
    country: str


def _row(path: Path, line: int, row: dict[str, str], seen: dict[str, int]) -> Publisher:
    """One checked row of the table."""

    def bad(what: str, hint: str) -> ChipkgError:
        return ChipkgError(what, path=path, line=line, hint=hint)

    domain = (row["domain"] or "").strip().lower()
    kind = (row["kind"] or "").strip()
    if not _RE_DOMAIN.match(domain):
        raise bad(
            f"'{row['domain']}' is not a domain",
            "write a host such as commerce.gov, or a suffix rule such as .gov",
        )
    if domain in seen:
        raise bad(f"domain '{domain}' is listed twice", f"keep one of lines {seen[domain]}, {line}")
    if kind not in PUBLISHER_KINDS:
        raise bad(f"unknown publisher kind '{kind}'", f"use one of {', '.join(PUBLISHER_KINDS)}")
    name_en = (row["publisher_en"] or "").strip()
    if not name_en:
        raise bad(f"domain '{domain}' has no publisher_en", "name the publisher in English")
    country = (row["country"] or "").strip()
    if not _RE_COUNTRY.match(country):
        raise bad(
            f"country '{country}' is not an entity id",
            "use a country id of ontology/entities.csv (e.g. united-states), or leave it empty",
        )
    seen[domain] = line
    return Publisher(domain, kind, name_en, (row["publisher_zh"] or "").strip(), country)


def load_publishers(path: Path) -> tuple[Publisher, ...]:
    """The rows of a publisher table, each checked (see the module docstring)."""
    seen: dict[str, int] = {}
    rows = read_rows(path, COLUMNS, "publisher table")
    return tuple(_row(path, line, row, seen) for line, row in rows)


@dataclass(frozen=True)
class PublisherTable:
    """Publisher rows merged from several tables, looked up by host."""

    rows: tuple[Publisher, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_answers", {})

    def lookup(self, domain: str) -> Publisher | None:
        """The most specific row for a host: exact domain, parent domain, then suffix rule."""
        answers: dict[str, Publisher | None] = self._answers  # type: ignore[attr-defined]
        if domain not in answers:
            best: Publisher | None = None
            for p in self.rows:
                d = p.domain.lstrip(".")
                hit = domain == d or domain.endswith("." + d)
                if hit and (best is None or len(d) > len(best.domain.lstrip("."))):
                    best = p
            answers[domain] = best
        return answers[domain]


def merged_publishers(extra: Path | None = None) -> PublisherTable:
    """The bundled table (ontology/publishers.csv), extended and overridden by ``extra`` (a
    workspace's publishers.csv, when it exists): a row with a bundled domain replaces that row in
    its place, a new domain is added at the end."""
    rows = {p.domain: p for p in publisher_table()}
    if extra is not None and extra.exists():
        rows.update({p.domain: p for p in load_publishers(extra)})
    return PublisherTable(tuple(rows.values()))


@cache
def publisher_table() -> tuple[Publisher, ...]:
    return load_publishers(ontology_dir() / "publishers.csv")


@cache
def _bundled() -> PublisherTable:
    return PublisherTable(publisher_table())


def publisher_for(domain: str) -> Publisher | None:
    """The bundled table's most specific row for a host (see PublisherTable.lookup)."""
    return _bundled().lookup(domain)
