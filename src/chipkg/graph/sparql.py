"""Running SPARQL over the store: ``$lang``, ``$page`` and ``$name`` parameters substituted, results
as plain Python values. Every stage that reads the built graph (the audit, the named queries, the
endpoint) runs its queries through ``select`` (or ``run``, which also answers ASK, CONSTRUCT and
DESCRIBE).

Parameters are substituted only where SPARQL has variables: a ``$name`` inside a string, an IRI or
a comment is left as it is. ``$page`` marks the end of a query's *row selection*, a sub-SELECT that
picks the rows in order (``{ SELECT ?claim ?page WHERE { … } ORDER BY ?page $page }``); it becomes
``LIMIT n OFFSET m`` when a page is asked for and nothing otherwise, and the same sub-SELECT counted
gives the total number of rows (``total``). The rest of such a query adds columns to each selected
row, so the cost of a page does not grow with the number of rows there are.

Pages partition the rows: the row selection sorts on its keys alone (ties in an order fixed by the
store's content), each page is a slice of that order, and the query's final ORDER BY breaks the
ties within a page (by label, then IRI: read for the page's rows only). So every row is on exactly
one page and the keys never go back from one page to the next; the rows that tie on the keys may
come in another order than in the whole answer at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

import pyoxigraph as ox

from chipkg.errors import ChipkgError


class HasText(Protocol):
    text: str


# SPARQL's lexical pieces where a "$" or "{" does not mean a variable or a group: comments, the four
# kinds of strings, IRIs (as the grammar's IRIREF: no space, quote or brace inside). Anything else
# is matched one variable, one name or one character at a time.
_TOKEN = re.compile(
    r"""(?P<comment>\#[^\n]*)
      | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                  | '''(?:[^'\\]|\\.|'(?!''))*'''
                  | "(?:[^"\\\n]|\\.)*"
                  | '(?:[^'\\\n]|\\.)*')
      | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      | (?P<var>[?$][A-Za-z_0-9\u00B7\u00C0-\uFFFF]+)
      | (?P<word>[A-Za-z_][A-Za-z_0-9]*)
      | (?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)


def tokens(text: str) -> list[re.Match[str]]:
    """The query text cut into comments, strings, IRIs, variables, words and single characters."""
    return list(_TOKEN.finditer(text))


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


def _text(query: HasText | str) -> str:
    return query if isinstance(query, str) else query.text


def _declared(query: HasText | str) -> set[str]:
    return {p.name for p in getattr(query, "params", ())}


def paged(query: HasText | str) -> bool:
    """True when the query marks its row selection with ``$page`` (and so can be paged)."""
    return any(t.group("var") == "$page" for t in tokens(_text(query)))


def render(
    query: HasText | str,
    params: dict[str, str] | None = None,
    lang: str = "en",
    limit: int | None = None,
    offset: int = 0,
    declared: set[str] | None = None,
) -> str:
    """The query text with ``$lang`` (the label language, en or zh), ``$page`` (``LIMIT``/``OFFSET``
    when ``limit`` is given, else nothing) and the ``$name`` parameters replaced by SPARQL terms: a
    query's declared parameter that is not given becomes a fresh unbound variable; any other
    ``$name`` is an ordinary SPARQL variable and stays. Nothing inside strings, IRIs or comments
    changes. The result is plain SPARQL 1.1 that any endpoint, ``chipkg serve`` included, answers
    the same way."""
    terms = {"lang": str(ox.Literal(lang)), **(params or {})}
    declared = _declared(query) if declared is None else declared
    page = "" if limit is None else f"LIMIT {int(limit)} OFFSET {int(offset)}"
    out = []
    for t in tokens(_text(query)):
        var = t.group("var")
        if var and var.startswith("$"):
            name = var[1:]
            if name == "page":
                out.append(page)
                continue
            if name in terms:
                out.append(terms[name])
                continue
            if name in declared:
                out.append(f"?_unset_{name}")  # fresh, so it stays unbound
                continue
        out.append(t.group())
    return "".join(out)


def count_query(query: HasText | str, params: dict[str, str] | None = None, lang: str = "en"):
    """For a paged query, a query giving its total number of rows as ``?total``: the prologue
    (``PREFIX`` lines) and the row selection — the sub-SELECT that ends in ``$page`` — counted,
    without its ORDER BY. None for a query without ``$page``."""
    toks = tokens(_text(query))
    at = next((i for i, t in enumerate(toks) if t.group("var") == "$page"), None)
    if at is None:
        return None
    # the sub-SELECT is the innermost group around $page: from its "{" to just before $page
    depth, open_ = 0, None
    for i in range(at - 1, -1, -1):
        ch = toks[i].group()
        if ch == "}":
            depth += 1
        elif ch == "{":
            if depth == 0:
                open_ = i
                break
            depth -= 1
    if open_ is None:
        raise ChipkgError("the query's $page is not inside a { SELECT … } row selection")
    # its ORDER BY (at the sub-SELECT's own level, after its WHERE group) changes no count
    depth, last = 0, at
    for i in range(open_ + 1, at):
        ch = toks[i].group()
        depth += (ch == "{") - (ch == "}")
        if depth == 0 and toks[i].group("word") and ch.upper() == "ORDER":
            last = i
            break
    body = "".join(t.group() for t in toks[open_ + 1 : last])
    first = next(
        i
        for i, t in enumerate(toks)
        if t.group("word") and t.group().upper() in ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")
    )
    prologue = "".join(t.group() for t in toks[:first])
    counted = prologue + "SELECT (COUNT(*) AS ?total) WHERE { {" + body + "} }"
    return render(counted, params, lang, declared=_declared(query))


@dataclass(frozen=True)
class Result:
    """The answer to a query: rows (SELECT), a boolean (ASK) or triples (CONSTRUCT, DESCRIBE)."""

    kind: str  # "select" | "ask" | "graph"
    rows: list[dict[str, object]] | None = None
    boolean: bool | None = None
    triples: list[ox.Triple] | None = None


def _query(store: ox.Store, text: str):
    try:
        return store.query(text, use_default_graph_as_union=True)
    except SyntaxError as exc:
        raise ChipkgError(
            f"SPARQL syntax error: {exc}", hint="check the query near the position given"
        ) from None
    except OSError as exc:  # e.g. a SERVICE call that cannot be made
        raise ChipkgError(f"the query failed: {exc}") from None


def run(
    store: ox.Store,
    query: HasText | str,
    params: dict[str, str] | None = None,
    lang: str = "en",
    limit: int | None = None,
    offset: int = 0,
) -> Result:
    """Run any query over the union of the named graphs; see ``render`` for the parameters."""
    answer = _query(store, render(query, params, lang, limit, offset))
    if isinstance(answer, ox.QueryBoolean | bool):
        return Result("ask", boolean=bool(answer))
    if isinstance(answer, ox.QuerySolutions):
        variables = [v.value for v in answer.variables]
        return Result("select", rows=[{v: _value(sol[v]) for v in variables} for sol in answer])
    return Result("graph", triples=list(answer))


def select(
    store: ox.Store,
    query: HasText | str,
    params: dict[str, str] | None = None,
    lang: str = "en",
    limit: int | None = None,
    offset: int = 0,
) -> list[dict[str, object]]:
    """Run a SELECT query over the union of the named graphs; see ``render`` for ``$lang``,
    ``$page`` and ``$name``."""
    result = run(store, query, params, lang, limit, offset)
    if result.kind != "select":
        got = "an ASK" if result.kind == "ask" else "a CONSTRUCT or DESCRIBE"
        raise ChipkgError(f"expected a SELECT query, got {got} query")
    return result.rows or []


def total(
    store: ox.Store, query: HasText | str, params: dict[str, str] | None = None, lang: str = "en"
) -> int | None:
    """The number of rows a paged query has in all (None for a query without ``$page``)."""
    text = count_query(query, params, lang)
    if text is None:
        return None
    rows = select(store, text)
    return int(rows[0]["total"]) if rows else 0
