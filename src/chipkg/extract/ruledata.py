"""Rule data files (``src/chipkg/data/*.toml``) read with a schema check.

Each file is a TOML document of arrays of tables (``[[rule]]``, ``[[currency]]`` …). Every entry is
checked against the schema of its table when the file is loaded; a bad entry (a missing or unknown
key, a wrong type, a value outside its choices, a pattern that does not compile) is one
:class:`~chipkg.errors.ChipkgError` naming the file and the line of the entry, so a person adding a
trigger word or a cue word finds the mistake at once.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from chipkg.errors import ChipkgError


@dataclass(frozen=True)
class Field:
    """One key of an entry: its type (``str``, ``int``, ``bool`` or ``list`` of strings), whether
    it must be there, the values it may take, and an extra check (returns an error or "")."""

    kind: type
    required: bool = True
    choices: frozenset[str] | None = None
    check: Callable[[object], str] | None = None


def data_path(name: str) -> Path:
    """The packaged rule data file ``name`` (in ``src/chipkg/data/``)."""
    return Path(str(resources.files("chipkg").joinpath("data", name)))


def regex(value: object) -> str:
    """A check for keys that hold a regular expression."""
    try:
        re.compile(str(value))
    except re.error as exc:
        return f"is not a valid regular expression ({exc})"
    return ""


def _entry_lines(text: str, table: str) -> list[int]:
    """The line number of each ``[[table]]`` header, in order."""
    head = re.compile(rf"^\s*\[\[\s*{re.escape(table)}\s*\]\]")
    return [i for i, line in enumerate(text.splitlines(), start=1) if head.match(line)]


def _key_line(text: str, start: int, key: str) -> int:
    """The line of ``key = …`` in the entry whose header is on line ``start`` (else ``start``)."""
    pat = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*=")
    lines = text.splitlines()
    for i in range(start, len(lines)):
        if lines[i].lstrip().startswith("[["):
            break
        if pat.match(lines[i]):
            return i + 1
    return start


def _check_value(value: object, spec: Field) -> str:
    if spec.kind is list:
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            return "must be a list of non-empty strings"
        values = value
    elif spec.kind is int:
        if not isinstance(value, int) or isinstance(value, bool):
            return "must be an integer"
        values = []
    elif spec.kind is bool:
        if not isinstance(value, bool):
            return "must be true or false"
        values = []
    else:
        if not isinstance(value, str) or not value:
            return "must be a non-empty string"
        values = [value]
    if spec.choices is not None:
        bad = [v for v in values if v not in spec.choices]
        if bad:
            return f"has '{bad[0]}', not one of " + ", ".join(sorted(spec.choices))
    if spec.check is not None:
        return spec.check(value)
    return ""


def load_table(path: Path, table: str, schema: dict[str, Field]) -> list[tuple[int, dict]]:
    """(line, entry) for every ``[[table]]`` entry of ``path``, each checked against ``schema``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ChipkgError("rule data file not found", path=path) from None
    except UnicodeDecodeError as exc:
        raise ChipkgError(f"rule data file is not UTF-8 text ({exc.reason})", path=path) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise ChipkgError(
            f"not valid TOML ({exc})", path=path, line=int(m.group(1)) if m else None
        ) from None
    entries = data.get(table, [])
    if not isinstance(entries, list) or not entries:
        raise ChipkgError(f"no [[{table}]] entries", path=path)
    lines = _entry_lines(text, table)
    out = []
    for i, entry in enumerate(entries):
        line = lines[i] if i < len(lines) else None
        for key in entry:
            if key not in schema:
                raise ChipkgError(
                    f"unknown key '{key}' in [[{table}]]",
                    path=path,
                    line=_key_line(text, line, key) if line else None,
                    hint="keys are " + ", ".join(schema),
                )
        for key, spec in schema.items():
            if key not in entry:
                if spec.required:
                    raise ChipkgError(f"[[{table}]] entry has no '{key}'", path=path, line=line)
                continue
            problem = _check_value(entry[key], spec)
            if problem:
                raise ChipkgError(
                    f"'{key}' {problem}",
                    path=path,
                    line=_key_line(text, line, key) if line else None,
                )
        out.append((line or 0, entry))
    return out
