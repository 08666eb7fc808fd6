"""Running SPARQL over the store: ``$lang`` and ``$name`` parameters substituted, results as
plain Python values. Every stage that reads the built graph (the audit, the named queries, the
endpoint) runs its queries through ``select``."""

from __future__ import annotations

import re
from typing import Protocol

import pyoxigraph as ox

from chipkg.errors import ChipkgError


class HasText(Protocol):
    text: str


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


def render(query: HasText | str, params: dict[str, str] | None = None, lang: str = "en") -> str:
    """The query text with ``$lang`` (the label language, en or zh) and ``$name`` parameters
    replaced by SPARQL terms (an unset optional parameter becomes a fresh unbound variable): plain
    SPARQL 1.1 that any endpoint, ``chipkg serve`` included, answers the same way."""
    text = query if isinstance(query, str) else query.text
    terms = {"lang": str(ox.Literal(lang)), **(params or {})}

    def sub(m: re.Match[str]) -> str:
        return terms.get(m.group(1), f"?_unset_{m.group(1)}")  # fresh, so it stays unbound

    return re.sub(r"\$([A-Za-z_]\w*)", sub, text)


def select(
    store: ox.Store, query: HasText | str, params: dict[str, str] | None = None, lang: str = "en"
) -> list[dict[str, object]]:
    """Run a SELECT query over the union of the named graphs; see ``render`` for ``$lang`` and
    ``$name``."""
    text = render(query, params, lang)
    try:
        solutions = store.query(text, use_default_graph_as_union=True)
    except SyntaxError as exc:
        raise ChipkgError(
            f"SPARQL syntax error: {exc}", hint="check the query near the position given"
        ) from None
    variables = [v.value for v in solutions.variables]
    return [{v: _value(sol[v]) for v in variables} for sol in solutions]
