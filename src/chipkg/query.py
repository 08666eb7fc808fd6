"""Named SPARQL queries shipped with the package (``chipkg/queries/*.rq``), run on Oxigraph.

The default graph is the union of all named graphs (every report and the ontology); use
``GRAPH ?g { … }`` to tell reports apart.

Each file starts with comment lines: ``# title:``, ``# question:`` (may continue on indented
comment lines) and ``# parameters:``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

import pyoxigraph as ox

from chipkg.errors import ChipkgError


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    question: str
    parameters: str
    text: str


def _parse_header(name: str, text: str) -> NamedQuery:
    fields: dict[str, str] = {}
    current = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        m = re.match(r"#\s*(title|question|parameters):\s*(.*)$", line)
        if m:
            current = m.group(1)
            fields[current] = m.group(2).strip()
        elif current and line.startswith("#   "):
            fields[current] += " " + line[1:].strip()
    return NamedQuery(
        name,
        fields.get("title", name),
        fields.get("question", ""),
        fields.get("parameters", "none"),
        text,
    )


def available() -> dict[str, NamedQuery]:
    out = {}
    for entry in sorted(
        resources.files("chipkg").joinpath("queries").iterdir(), key=lambda p: p.name
    ):
        if entry.name.endswith(".rq"):
            name = entry.name[:-3]
            out[name] = _parse_header(name, entry.read_text(encoding="utf-8"))
    return out


def load(name: str) -> NamedQuery:
    queries = available()
    if name not in queries:
        raise ChipkgError(
            f"unknown query '{name}'", hint="available: " + ", ".join(sorted(queries))
        )
    return queries[name]


def _value(term: object) -> object:
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        if dt.endswith(("#integer", "#int", "#long", "#nonNegativeInteger")):
            return int(term.value)
        if dt.endswith("#boolean"):
            return term.value == "true"
        return term.value
    if isinstance(term, ox.NamedNode):
        return term.value
    return None if term is None else str(term)


def select(store: ox.Store, query: NamedQuery | str) -> list[dict[str, object]]:
    text = query.text if isinstance(query, NamedQuery) else query
    try:
        solutions = store.query(text, use_default_graph_as_union=True)
    except SyntaxError as exc:
        raise ChipkgError(f"SPARQL syntax error: {exc}") from None
    variables = [v.value for v in solutions.variables]
    return [{v: _value(sol[v]) for v in variables} for sol in solutions]
