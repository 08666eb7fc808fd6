"""Run compiled checks (compiler.py) over an Oxigraph store whose named graphs are whole data
graphs (a report graph with the reference entities it needs, the ontology and the shapes'
subclass triples): one query per check for all graphs at once, findings grouped by graph."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace

import pyoxigraph as ox
from rdflib import Graph, Literal
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from chipkg.check.validation.compiler import TYPE_PATH, Check, Plan
from chipkg.check.validation.context import Finding, compact, lang_pick
from chipkg.check.validation.terms import (
    SHADOW_PREDICATE,
    STORED_SHADOWED,
    shadow_of,
    to_ox,
    to_rdflib,
)

Params = dict[str, tuple[Literal, Literal]]  # graph IRI -> (sha256, length) of its report text


def add_graph(store: ox.Store, name: ox.NamedNode, triples: Iterable[tuple]) -> int:
    """rdflib triples into one named graph of ``store``, with the shadows of integer-family
    literals (terms.py). Returns the number of triples."""
    quads = []
    for s, p, o in triples:
        quads.append(ox.Quad(to_ox(s), to_ox(p), to_ox(o), name))
        if isinstance(o, Literal):
            shadow = shadow_of(s, p, o)
            if shadow is not None:
                quads.append(ox.Quad(*shadow, name))
    store.extend(quads)
    return len(quads)


def evaluate(plan: Plan, store: ox.Store, params: Params | None = None) -> dict[str, list[Finding]]:
    """Every check of ``plan`` on every named graph of ``store``: graph IRI -> findings."""
    out: dict[str, list[Finding]] = {}
    types = expand_types(store)
    for check in plan.checks:
        if check.param and not params:
            continue
        check = replace(
            check,
            query=types(check.query),
            rows_query=types(check.rows_query),
            targets=types(check.targets),
        )
        for g, finding in _run(check, store, params or {}):
            out.setdefault(g, []).append(_as_written(store, g, finding))
    return out


_ISA = re.compile("\u00a7(NOT|OPT)?ISA (\\S+) ((?:<[^>]*> ?)+)(\\?\\w+)?\u00a7")


def expand_types(store: ox.Store) -> Callable[[str], str]:
    """What replaces the ISA markers of compiled queries (compiler.isa) on this store.

    A SHACL instance of C is a node whose rdf:type is C or a subclass of C (rdfs:subClassOf*
    in the data graph). Evaluated as a property path for every node that is slow; when every
    named graph holds the same rdfs:subClassOf triples (the ontology and the shapes' own, as
    chipkg's data graphs do), the subclasses of C are the same in all of them and are looked up
    once, and the marker becomes ``?x rdf:type ?t FILTER (?t IN (C, subclasses…))``. Otherwise
    the path is kept: exact either way."""
    pairs: dict = {}
    for g, row in _solutions(
        store, f"SELECT DISTINCT ?g ?a ?b WHERE {{ GRAPH ?g {{ ?a <{RDFS.subClassOf}> ?b }} }}"
    ):
        pairs.setdefault(g, set()).add((str(row["a"]), str(row["b"])))
    graphs = len(list(store.named_graphs()))
    sets = list(pairs.values())
    uniform = not sets or (len(sets) == graphs and all(x == sets[0] for x in sets))
    below: dict[str, set[str]] = {}
    for a, b in sets[0] if sets else ():
        below.setdefault(b, set()).add(a)
    counter = iter(range(1 << 30))

    def subclasses(c: str) -> list[str]:
        seen, todo = {c}, [c]
        while todo:
            for a in below.get(todo.pop(), ()):
                if a not in seen:
                    seen.add(a)
                    todo.append(a)
        return sorted(seen)

    def one(m: re.Match) -> str:
        mode, var, given, flag = m.group(1), m.group(2), m.group(3).split(), m.group(4)
        negated = mode is not None
        t = f"?_t{next(counter)}"
        if not uniform:
            paths = " UNION ".join(f"{{ {var} {TYPE_PATH} {c} }}" for c in given)
            if mode == "OPT":
                return f"OPTIONAL {{ {paths} BIND (true AS {flag}) }}"
            if negated:
                return f"OPTIONAL {{ {paths} BIND (true AS {t}) }} FILTER (!BOUND({t}))"
            return paths
        classes = sorted({sub for c in given for sub in subclasses(c)})
        if len(classes) == 1:
            lookup = f"{var} <{RDF.type}> {classes[0]}"
        elif negated:  # var is bound: its types, filtered
            lookup = f"{var} <{RDF.type}> {t} FILTER ({t} IN ({', '.join(classes)}))"
        else:  # var is free: one index lookup per class
            lookup = f"VALUES {t} {{ {' '.join(classes)} }} {var} <{RDF.type}> {t} ."
        if mode == "OPT":
            return f"OPTIONAL {{ {lookup} BIND (true AS {flag}) }}"
        if negated:
            return f"OPTIONAL {{ {lookup} BIND (true AS {t}b) }} FILTER (!BOUND({t}b))"
        return lookup

    return lambda text: _ISA.sub(one, text) if text else text


def _written(term, check: Check):
    """A literal sh:targetNode as the shapes wrote it, not as Oxigraph returns it ("4.0", not
    "4")."""
    if not isinstance(term, Literal) or not check.target_literals:
        return term
    matches = []
    for original in check.target_literals:
        try:
            if original.eq(term):
                matches.append(original)
        except (TypeError, ValueError):
            continue
    same_type = [m for m in matches if m.datatype == term.datatype]
    return (same_type or matches or [term])[0]


def _as_written(store: ox.Store, g: str, f: Finding) -> Finding:
    """A literal value as the data wrote it, not as Oxigraph stored it ("1.50", not "1.5"):
    from the shadows of the focus node (terms.py) when exactly one matches."""
    v = f.value
    if not isinstance(v, Literal) or v.datatype is None or str(v.datatype) not in STORED_SHADOWED:
        return f
    if isinstance(f.focus, Literal):  # a literal focus node (sh:targetNode) has no triples
        return f
    found = set()
    for q in store.quads_for_pattern(to_ox(f.focus), None, None, ox.NamedNode(g)):
        if q.predicate.value.startswith(SHADOW_PREDICATE):
            original = to_rdflib(q.object)
            try:
                same = original.eq(v)
            except (TypeError, ValueError):
                same = False
            if same:
                found.add(original)
    if len(found) != 1:
        return f
    return replace(f, value=found.pop())


def _run(check: Check, store: ox.Store, params: Params):
    if check.kind == "merged":
        yield from _merged(check, store)
    elif check.kind == "values":
        yield from _values(check, store)
    elif check.kind == "sparql":
        yield from _sparql(check, store)
    else:
        yield from _rows(check, store, check.query, params)


def _solutions(store: ox.Store, query: str, per_graph: bool = False):
    """(graph, {variable: term}) for each solution of a query over all named graphs."""
    if per_graph:  # Oxigraph binds no ?g to a VALUES inside GRAPH ?g: one graph at a time
        for g in sorted(store.named_graphs(), key=str):
            result = store.query(query, substitutions={ox.Variable("g"): g})
            names = [v.value for v in result.variables]
            for row in result:
                yield g, dict(zip(names, row, strict=True))
        return
    result = store.query(query)
    names = [v.value for v in result.variables]
    for row in result:
        bound = dict(zip(names, row, strict=True))
        yield bound["g"], bound


def _rows(check: Check, store: ox.Store, query: str, params: Params):
    if check.param:  # a value of each graph's own report text: one query per graph
        index = 0 if check.param == "sha256" else 1
        for g, values in sorted(params.items()):
            sub = {ox.Variable("g"): ox.NamedNode(g), ox.Variable("param"): to_ox(values[index])}
            for row in _named(store.query(query, substitutions=sub)):
                yield g, _finding(check, row["this"], row.get("value"))
        return
    for g, row in _solutions(store, query, check.per_graph):
        yield g.value, _finding(check, row["this"], row.get("value"))


def _merged(check: Check, store: ox.Store):
    """The rows of a shape's merged value tests: one finding per failed test."""
    for g, row in _solutions(store, check.query, check.per_graph):
        for i, component in enumerate(check.components):
            flag = row.get(f"c{i}")
            if flag is not None and flag.value == "true":
                found = _finding(check, row["this"], row["value"])
                yield g.value, replace(found, component=component)


def _finding(check: Check, this, value, path: str | None = None, message: str = "") -> Finding:
    return Finding(
        focus=_written(to_rdflib(this), check),
        shape=check.shape,
        component=check.component,
        path=path if path is not None else check.path,
        value=_written(to_rdflib(value), check) if value is not None else None,
        severity=check.severity,
        message=check.message or message,
    )


def _values(check: Check, store: ox.Store):
    bad_terms, bad_blanks = [], set()
    for row in store.query(check.query):
        v = row[0]
        if check.test(to_rdflib(v)):
            continue
        if isinstance(v, ox.BlankNode):
            bad_blanks.add(v)
        else:
            bad_terms.append(v)
    if bad_terms:
        query = check.rows_query.replace("{BAD}", " ".join(str(t) for t in bad_terms))
        for g, row in _solutions(store, query, check.per_graph):
            yield g.value, _finding(check, row["this"], row["value"])
    if bad_blanks:
        query = check.rows_query.replace("VALUES ?value { {BAD} }", "FILTER (isBlank(?value))")
        for g, row in _solutions(store, query, check.per_graph):
            if row["value"] in bad_blanks:
                yield g.value, _finding(check, row["this"], row["value"])


def _sparql(check: Check, store: ox.Store):
    """A SPARQL-based constraint: its solutions whose ?this is a focus node of the shape in
    that graph, de-duplicated per focus node as pySHACL does."""
    for g, f, solutions in _sparql_rows(check, store):
        seen = set()
        for bound in solutions:
            key = tuple(sorted((k, str(v)) for k, v in bound.items() if k != "this"))
            if key not in seen:
                seen.add(key)
                yield g.value, _sparql_finding(check, f, bound)


def _sparql_rows(check: Check, store: ox.Store):
    """(graph, focus node, solutions) for every focus node with solutions."""
    if check.batch and check.wrapped and not check.per_graph:
        try:
            solutions = list(_solutions(store, check.wrapped))
        except SyntaxError:
            solutions = None
    else:
        solutions = None
    if solutions is not None:
        by_graph: dict = {}
        for g, row in solutions:
            row = {k: v for k, v in row.items() if k != "g" and v is not None}
            by_graph.setdefault(g, []).append(row)
        graphs = sorted(by_graph.items(), key=lambda kv: kv[0].value)
        for g, rows in graphs:
            found = _by_focus(rows, _focus(check, store, g, {r["this"] for r in rows}))
            for f, solutions in sorted(found.items(), key=lambda kv: str(kv[0])):
                yield g, f, solutions
        return
    for g in sorted(store.named_graphs(), key=lambda n: n.value):
        nodes = _focus(check, store, g, None)
        if not nodes:
            continue
        if check.batch:
            found = _by_focus(_named(store.query(check.sparql, default_graph=[g])), nodes)
        else:
            this = ox.Variable("this")
            found = {
                f: _named(store.query(check.sparql, default_graph=[g], substitutions={this: f}))
                for f in nodes
            }
        for f, solutions in sorted(found.items(), key=lambda kv: str(kv[0])):
            yield g, f, solutions


def _focus(check: Check, store: ox.Store, g, candidates: set | None) -> set:
    """The focus nodes of the shape in graph g (among ``candidates`` when given)."""
    query = check.targets
    if candidates is not None and not any(isinstance(c, ox.BlankNode) for c in candidates):
        if not candidates:
            return set()
        values = " ".join(str(c) for c in candidates if not isinstance(c, ox.Triple))
        query = query[: query.rindex("}")] + f" VALUES ?this {{ {values} }} }}"
    sub = {ox.Variable("g"): g}
    return {row["this"] for row in _named(store.query(query, substitutions=sub))}


def _named(result) -> list[dict]:
    names = [v.value for v in result.variables]
    return [{k: v for k, v in zip(names, row, strict=True) if v is not None} for row in result]


def _by_focus(solutions: list[dict], nodes: set) -> dict:
    out: dict = {}
    for bound in solutions:
        this = bound.get("this")
        if this in nodes:
            out.setdefault(this, []).append(bound)
    return out


def _sparql_finding(check: Check, focus, bound: dict) -> Finding:
    value = bound.get("value")
    path = bound.get("path")
    rendered = compact(to_rdflib(path)) if isinstance(path, ox.NamedNode) else None
    message = ""
    if not check.message and check.messages:
        message = _format(lang_pick(check.messages) or "", focus, bound)
    return _finding(check, focus, value if value is not None else focus, rendered, message)


def _format(message: str, focus, bound: dict) -> str:
    values = {k: v for k, v in bound.items() if v is not None}
    values["this"] = focus
    values.setdefault("value", focus)  # sh:value is the focus node when ?value is unbound
    for var, val in values.items():
        message = re.sub(r"\{[?$]" + re.escape(var) + r"\}", str(to_rdflib(val)), message)
    return message


def store_graph(store: ox.Store, graph: ox.NamedNode) -> Graph:
    """One named graph of the store as an rdflib graph (the pySHACL fallback's input)."""
    g = Graph()
    for q in store.quads_for_pattern(None, None, None, graph):
        g.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return g


def deactivated_copy(shapes: Graph, compiled: Iterable[Node]) -> Graph:
    """The shapes with every compiled shape switched off: what pySHACL still has to check."""
    out = Graph()
    out += shapes
    for shape in compiled:
        out.set((shape, SH.deactivated, Literal(True)))
    return out
