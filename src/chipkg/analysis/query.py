"""Named SPARQL queries shipped with the package (``analysis/queries/*.rq``), run on Oxigraph.

The default graph is the union of all named graphs (every report and the ontology); use
``GRAPH ?g { … }`` to tell reports apart.

Each file starts with comment lines: ``# title:``, ``# question:`` (may continue on indented
comment lines), ``# param NAME (KIND[, optional]): what`` for each parameter (or ``# parameters:
none``) and, for a query that reads totals computed at build time, ``# materialised:`` saying which
(``chipkg/graph/summary/``). A query whose result can be large marks its row selection with
``$page`` (see ``chipkg.graph.sparql``): ``chipkg query`` then shows one page and the total.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

import pyoxigraph as ox

from chipkg.errors import ChipkgError
from chipkg.graph.sparql import paged, render, run, select, total  # noqa: F401  (the runner)

PARAM_KINDS = ("iri", "entity", "literal", "integer")


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # iri | entity | literal | integer
    required: bool
    description: str


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    question: str
    parameters: str
    text: str
    params: tuple[Param, ...] = ()
    materialised: str = ""  # which totals it reads from the summary graph, if any

    @property
    def paged(self) -> bool:
        return paged(self.text)


RE_PARAM = re.compile(
    r"#\s*param\s+(\w+)\s*\((iri|entity|literal|integer)(, optional)?\)\s*:\s*(.*)$"
)


def _parse_header(name: str, text: str) -> NamedQuery:
    fields: dict[str, str] = {}
    params: list[Param] = []
    current = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        pm = RE_PARAM.match(line)
        if pm:
            params.append(Param(pm.group(1), pm.group(2), not pm.group(3), pm.group(4).strip()))
            current = None
            continue
        m = re.match(r"#\s*(title|question|parameters|materialised):\s*(.*)$", line)
        if m:
            current = m.group(1)
            fields[current] = m.group(2).strip()
        elif current and line.startswith("#   "):
            fields[current] += " " + line[1:].strip()
    described = "; ".join(
        f"{p.name} ({p.kind}{'' if p.required else ', optional'}): {p.description}" for p in params
    )
    return NamedQuery(
        name,
        fields.get("title", name),
        fields.get("question", ""),
        described or fields.get("parameters", "none"),
        text,
        tuple(params),
        fields.get("materialised", ""),
    )


def available() -> dict[str, NamedQuery]:
    out = {}
    for entry in sorted(
        resources.files("chipkg.analysis").joinpath("queries").iterdir(), key=lambda p: p.name
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


def bindings(query: NamedQuery, values: dict[str, str], resolve_entity=None) -> dict[str, str]:
    """SPARQL terms for a named query's parameters, serialised by Oxigraph (which escapes them):
    the query writes ``$name`` where a parameter goes."""
    known = {p.name: p for p in query.params}
    unknown = set(values) - set(known)
    if unknown:
        raise ChipkgError(
            f"query '{query.name}' has no parameter {', '.join(sorted(unknown))}",
            hint=f"parameters: {query.parameters}",
        )
    terms: dict[str, str] = {}
    for p in query.params:
        if p.name not in values:
            if p.required:
                raise ChipkgError(
                    f"query '{query.name}' needs --param {p.name}=…", hint=p.description
                )
            continue
        raw = values[p.name]
        if p.kind == "iri":
            if not re.match(r"^https?://\S+$", raw, re.I):
                raise ChipkgError(f"--param {p.name}: '{raw}' is not an absolute http(s) IRI")
            term: object = _iri(p.name, raw)
        elif p.kind == "entity":
            term = _iri(p.name, resolve_entity(raw) if resolve_entity else raw)
        elif p.kind == "integer":
            if not raw.lstrip("-").isdigit():
                raise ChipkgError(f"--param {p.name}: '{raw}' is not an integer")
            term = ox.Literal(
                raw, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
            )
        else:
            term = ox.Literal(raw)
        terms[p.name] = str(term)
    return terms


def _iri(name: str, value: str) -> ox.NamedNode:
    """An IRI parameter, refused in one line when it is not one (a '>', '"', space or brace
    cannot be in an IRI; percent-encode it, as %3E, %22, %20 …)."""
    try:
        return ox.NamedNode(value)
    except ValueError as exc:
        raise ChipkgError(
            f"--param {name}: '{value}' is not a valid IRI ({exc})",
            hint='characters such as > " { } | ^ ` \\ and spaces must be percent-encoded',
        ) from None
