"""The workspace: the folder a user owns, with their reports, their corrections, their additions
to the reference tables and the build.

A workspace is a folder holding ``chipkg.toml``::

    chipkg.toml      name and label languages (see Settings)
    sources/         the reports (NAME.txt, optional NAME.meta.toml)
    curated/         the analysts' overlay, one NAME.csv per report (docs/curation.md)
    entities.csv     entities that extend the bundled table (a new id) or override a row (same id)
    publishers.csv   publisher rows that extend the bundled table (a new domain) or override one
    build/           what ``chipkg build`` writes

Commands find it from the current folder upward (a folder holding ``chipkg.toml``, or holding
``graph/chipkg.toml``), or take ``--project DIR``: DIR itself when it holds ``chipkg.toml``, else
DIR/graph/ — the layout of the repository, whose ``graph/`` folder is a workspace, and of any
project folder made before workspaces existed (``graph/sources`` …); there ``chipkg.toml`` is
optional and its defaults apply.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from chipkg.errors import ChipkgError
from chipkg.tables import write_text_atomic

CONFIG = "chipkg.toml"
NESTED = "graph"  # a project folder keeps its workspace here (the repository does)
LANGUAGES = ("en", "zh")
RE_NAME = re.compile(r"^\S(.{0,78}\S)?$")


@dataclass(frozen=True)
class Settings:
    """What chipkg.toml may set. Every setting is read somewhere: ``name`` titles the review
    page and the build summary; ``languages`` orders labels (the first is the language of
    labels in query results by default, and is shown first on the review page)."""

    name: str
    languages: tuple[str, ...] = LANGUAGES

    @property
    def label_language(self) -> str:
        return self.languages[0]


@dataclass(frozen=True)
class Workspace:
    root: Path
    settings: Settings
    nested: bool = False  # root is PROJECT/graph (the repository's layout)

    @property
    def config(self) -> Path:
        return self.root / CONFIG

    @property
    def sources(self) -> Path:
        return self.root / "sources"

    @property
    def curated(self) -> Path:
        return self.root / "curated"

    @property
    def build(self) -> Path:
        return self.root / "build"

    @property
    def entities_table(self) -> Path:
        return self.root / "entities.csv"

    @property
    def publishers_table(self) -> Path:
        return self.root / "publishers.csv"

    @property
    def gold(self) -> Path:
        """Gold fact sets for ``chipkg eval``: gold/ in a workspace; the repository keeps its
        own in tests/gold/ beside graph/."""
        return self.root.parent / "tests" / "gold" if self.nested else self.root / "gold"

    def curated_file(self, report_id: str) -> Path:
        return self.curated / f"{report_id}.csv"

    def source_file(self, name: str) -> Path:
        return self.sources / name


def _line_of(text: str, key: str) -> int | None:
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    return next((i for i, ln in enumerate(text.splitlines(), 1) if pattern.match(ln)), None)


def read_settings(path: Path, default_name: str) -> Settings:
    """The settings of a chipkg.toml (all optional), every value checked; a missing file gives
    the defaults."""
    if not path.exists():
        return Settings(default_name)
    try:
        text = path.read_text(encoding="utf-8-sig")
        data = tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise ChipkgError(f"not UTF-8 text ({exc.reason})", path=path) from None
    except tomllib.TOMLDecodeError as exc:
        raise ChipkgError(
            f"not valid TOML: {exc}", path=path, hint="fix the file or run chipkg init again"
        ) from None

    def bad(key: str, what: str, hint: str) -> ChipkgError:
        return ChipkgError(what, path=path, line=_line_of(text, key), hint=hint)

    unknown = sorted(set(data) - {"name", "languages"})
    if unknown:
        raise bad(unknown[0], f"unknown setting '{unknown[0]}'", "the settings are name, languages")
    name = data.get("name", default_name)
    if not isinstance(name, str) or not RE_NAME.match(name):
        raise bad("name", f"name {name!r} is not a one-line name", 'write name = "My reports"')
    langs = data.get("languages", list(LANGUAGES))
    if (
        not isinstance(langs, list)
        or sorted(langs) != sorted(LANGUAGES)
        or len(set(langs)) != len(langs)
    ):
        raise bad(
            "languages",
            f"languages {langs!r} must list en and zh, preferred first",
            'write languages = ["zh", "en"] or ["en", "zh"]',
        )
    return Settings(name, tuple(langs))


def _open(root: Path) -> Workspace:
    """The workspace at ``root``; a root named graph/ is a project's (the repository's) one."""
    nested = root.resolve().name == NESTED
    default = (root.resolve().parent if nested else root.resolve()).name or "chipkg"
    return Workspace(root, read_settings(root / CONFIG, default), nested)


def at(project: Path) -> Workspace:
    """The workspace ``--project DIR`` names (see the module docstring)."""
    if (project / CONFIG).is_file():
        return _open(project)
    return _open(project / NESTED)


def find(start: Path) -> Workspace:
    """The nearest workspace at or above ``start`` (named relative to ``start`` when it is
    ``start`` or below it, so that messages show short paths)."""
    here = start.resolve()

    def short(folder: Path) -> Path:
        return folder.relative_to(here) if folder.is_relative_to(here) else folder

    for folder in (here, *here.parents):
        if (folder / CONFIG).is_file():
            return _open(short(folder))
        if (folder / NESTED / CONFIG).is_file():
            return _open(short(folder / NESTED))
    raise ChipkgError(
        f"no chipkg workspace in {here} or any folder above it (none holds {CONFIG})",
        hint="make one with 'chipkg init DIR' and work inside it, or name it with --project DIR",
    )


CONFIG_TEMPLATE = """\
# chipkg workspace settings (every key is optional)
name = "{name}"
# label languages, preferred first: the language of labels in query results (chipkg query
# --lang overrides it) and the label shown first on the review page
languages = ["{first}", "{second}"]
"""
ENTITIES_HEADER = "id,type,label_en,label_zh,aliases,country,wikidata,broader,operator,note\n"
PUBLISHERS_HEADER = "domain,kind,publisher_en,publisher_zh,country\n"


def init(folder: Path, name: str | None = None, language: str = "en") -> Workspace:
    """Make a workspace in ``folder`` (created if needed; an existing workspace is refused, and
    nothing of an existing folder is overwritten)."""
    if (folder / CONFIG).exists():
        raise ChipkgError(
            "is already a chipkg workspace", path=folder / CONFIG, hint="nothing was changed"
        )
    if folder.exists() and not folder.is_dir():
        raise ChipkgError("exists and is not a folder", path=folder)
    name = name or folder.resolve().name or "chipkg"
    if not RE_NAME.match(name) or '"' in name or "\\" in name:
        raise ChipkgError(f"name {name!r} is not a one-line name without quotes or backslashes")
    if language not in LANGUAGES:
        raise ChipkgError(f"language '{language}' is not one of {', '.join(LANGUAGES)}")
    second = next(x for x in LANGUAGES if x != language)
    for sub in ("sources", "curated", "build"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    for path, text in (
        (folder / "entities.csv", ENTITIES_HEADER),
        (folder / "publishers.csv", PUBLISHERS_HEADER),
    ):
        if not path.exists():
            write_text_atomic(path, text)
    settings = CONFIG_TEMPLATE.format(name=name, first=language, second=second)
    write_text_atomic(folder / CONFIG, settings)
    return _open(folder)
