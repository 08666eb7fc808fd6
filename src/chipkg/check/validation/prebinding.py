"""When a SPARQL-based constraint may run once for all focus nodes.

SHACL *pre-binds* ``$this`` to each focus node: every occurrence is replaced by the node, in
nested groups, FILTERs and BINDs too (pySHACL does it through rdflib's ``initBindings``). Running
the query once with ``$this`` free and keeping the solutions whose ``?this`` is the focus node
gives the same answers only when every use of ``$this`` sees it already bound by a triple pattern
of the same evaluation: a FILTER or BIND that mentions ``$this`` must sit over a pattern that
certainly binds it, an OPTIONAL or UNION branch must bind it itself (or not mention it), and the
query must certainly bind it at the top. Sub-selects, VALUES, MINUS, EXISTS, GRAPH, SERVICE,
aggregates and LIMIT/OFFSET change meaning when a constant becomes a variable, so such a query is
run once per focus node with ``$this`` substituted (Oxigraph's ``substitutions``, RDF-dev
SEP-0007). ``batchable`` decides; tests/test_validate_fast.py and the W3C suite with extra focus
nodes (tests/test_validate_w3c.py) check both ways against pySHACL."""

from __future__ import annotations

from functools import lru_cache

from rdflib import Variable
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue

THIS = Variable("this")
_NOT_BATCHABLE = frozenset(
    {
        "SelectQuery",
        "ToMultiSet",
        "values",
        "Minus",
        "Graph",
        "Group",
        "AggregateJoin",
        "Slice",
        "ServiceGraphPattern",
        "Builtin_EXISTS",
        "Builtin_NOTEXISTS",
    }
)
_PASS_THROUGH = ("Project", "Distinct", "Reduced", "OrderBy")


def binds_this(node: object) -> bool:
    """True if every solution of algebra ``node`` binds ?this in a triple pattern."""
    if not isinstance(node, CompValue):
        return False
    name = node.name
    if name == "BGP":
        return any(THIS in triple for triple in node["triples"])
    if name in (*_PASS_THROUGH, "Filter", "Extend"):
        return binds_this(node["p"])
    if name == "Join":
        return binds_this(node["p1"]) or binds_this(node["p2"])
    if name == "LeftJoin":
        return binds_this(node["p1"])
    if name == "Union":
        return binds_this(node["p1"]) and binds_this(node["p2"])
    return False


def _mentions_this(node: object) -> bool:
    if isinstance(node, Variable):
        return node == THIS
    if isinstance(node, CompValue):
        return any(_mentions_this(v) for v in node.values())
    if isinstance(node, list | tuple | set | frozenset):
        return any(_mentions_this(v) for v in node)
    return False


def uses_are_bound(node: object) -> bool:
    """Every FILTER, BIND and OPTIONAL condition that mentions $this sits over a pattern that
    binds it; $this is never the target of a BIND."""
    if not isinstance(node, CompValue):
        return True
    name = node.name
    if name == "BGP":
        return True
    if name == "Filter":
        if _mentions_this(node["expr"]) and not binds_this(node["p"]):
            return False
        return uses_are_bound(node["p"])
    if name == "Extend":
        if node["var"] == THIS:
            return False
        if _mentions_this(node["expr"]) and not binds_this(node["p"]):
            return False
        return uses_are_bound(node["p"])
    if name == "LeftJoin":
        expr = node.get("expr")
        bound = binds_this(node["p1"]) or binds_this(node["p2"])
        if expr is not None and _mentions_this(expr) and not bound:
            return False
        return _branch_ok(node["p1"]) and _branch_ok(node["p2"])
    if name in ("Join", "Union"):
        return _branch_ok(node["p1"]) and _branch_ok(node["p2"])
    if name in _PASS_THROUGH:
        return uses_are_bound(node["p"])
    return False


def _branch_ok(node: object) -> bool:
    """A side of a join, OPTIONAL or UNION: it binds $this itself or does not mention it."""
    if _mentions_this(node) and not binds_this(node):
        return False
    return uses_are_bound(node)


def _names(node: object):
    if isinstance(node, CompValue):
        yield node.name
        for value in node.values():
            yield from _names(value)
    elif isinstance(node, list | tuple):
        for value in node:
            yield from _names(value)


@lru_cache(maxsize=512)
def algebra(text: str):
    """rdflib's algebra of a query, or None when rdflib cannot parse it."""
    try:
        return prepareQuery(text).algebra
    except Exception:  # noqa: BLE001 — any parser error
        return None


def batchable(text: str) -> bool:
    """True if the SELECT query ``text`` (prefixes included) may run once with $this free."""
    select = algebra(text)
    if select is None:
        return False
    if select.name != "SelectQuery" or "failure" in {str(v) for v in select["PV"]}:
        return False
    body = select["p"]
    if THIS not in select["PV"] or not binds_this(body):
        return False
    if any(n in _NOT_BATCHABLE for n in _names(body)):
        return False
    return uses_are_bound(body)
