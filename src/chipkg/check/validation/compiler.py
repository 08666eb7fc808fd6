"""Shapes → set-at-a-time checks: each constraint of each shape becomes one SPARQL query that
finds its violations for all focus nodes of all data graphs at once (one named graph of an
Oxigraph store per data graph; ``?g`` says which), or a query for the distinct values plus a test
of each value in Python where SPARQL cannot say what pySHACL says (``sh:datatype``: ill-typed
literals and Oxigraph's integer normalisation, see terms.py; ``sh:pattern``: Python regular
expressions). What a check returns is turned into results exactly as pySHACL makes them (same
focus node, value, path, component, severity); tests/test_validate_fast.py compares the two on
every fixture and tests/test_validate_w3c.py on the W3C SHACL suite.

A shape is compiled only when every one of its constraints is: the others (``sh:node``,
``sh:property``, ``sh:qualifiedValueShape``, ``sh:closed``, logical combinations other than an
``sh:or`` of ``sh:class`` or of ``sh:datatype`` alternatives, SPARQL constraints on property
shapes …) and every shape another shape refers to go to pySHACL unchanged (``Plan.fallback``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, SH, XSD
from rdflib.term import Node

from chipkg.check.validation import prebinding
from chipkg.check.validation.context import lang_pick, render_path
from chipkg.check.validation.loading import BOUNDS_SHAPE, CHECKSUM_SHAPE
from chipkg.check.validation.terms import (
    INTEGER_FAMILY,
    SHADOW_DATATYPE,
    SHADOW_PREDICATE,
    SHADOWED,
    STORED_SHADOWED,
)
from chipkg.graph.vocab import RDF, RDFS

TEXT_SHAPES = {CHECKSUM_SHAPE: "sha256", BOUNDS_SHAPE: "length"}
_INTEGER_TYPES = {XSD[t] for t in INTEGER_FAMILY}
TYPE_PATH = f"<{RDF.type}>/<{RDFS.subClassOf}>*"


def isa(var: str, cls: Node) -> str:
    """ "``var`` is a SHACL instance of ``cls``": a marker the engine replaces by a type lookup
    against the subclasses of ``cls`` (or by the path rdf:type/rdfs:subClassOf*, see
    engine.expand_types)."""
    if isinstance(cls, BNode):
        raise NotCompiled("class is a blank node")
    return f"\u00a7ISA {var} {sparql_term(cls)}\u00a7"


def opt_isa(var: str, classes: list[Node], flag: str) -> str:
    """An OPTIONAL that binds ``flag`` when ``var`` is an instance of one of ``classes``."""
    if any(isinstance(c, BNode) for c in classes):
        raise NotCompiled("class is a blank node")
    return f"\u00a7OPTISA {var} {' '.join(sparql_term(c) for c in classes)} {flag}\u00a7"


def not_isa(var: str, classes: list[Node]) -> str:
    """A group fragment that keeps the solutions where ``var`` is an instance of none of
    ``classes`` (an OPTIONAL lookup and !BOUND: Oxigraph runs FILTER NOT EXISTS once per
    solution, about twenty times slower here)."""
    if any(isinstance(c, BNode) for c in classes):
        raise NotCompiled("class is a blank node")
    return f"\u00a7NOTISA {var} {' '.join(sparql_term(c) for c in classes)}\u00a7"


_SHAPE_REFS = (SH.node, SH.property, SH["not"], SH.qualifiedValueShape)
_LIST_REFS = (SH["and"], SH["or"], SH.xone)
_COMPONENT = {name: SH[name[0].upper() + name[1:] + "ConstraintComponent"] for name in (
    "class", "datatype", "nodeKind", "minCount", "maxCount", "in", "hasValue", "minInclusive",
    "maxInclusive", "minExclusive", "maxExclusive", "minLength", "maxLength", "pattern",
    "languageIn", "uniqueLang", "equals", "disjoint", "lessThan", "lessThanOrEquals", "or",
)}  # fmt: skip
_COMPONENT["sparql"] = SH.SPARQLConstraintComponent
_IGNORED = {
    RDF.type, SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.path,
    SH.severity, SH.message, SH.deactivated, RDFS.label, RDFS.comment, SH.name, SH.description,
    SH.order, SH.group, SH.defaultValue, RDFS.subClassOf, RDFS.isDefinedBy, SH.declare,
    SH.prefixes, SH.flags,
}  # fmt: skip


class NotCompiled(Exception):
    """This shape goes to pySHACL."""


@dataclass
class Check:
    """One constraint of one shape, for all focus nodes of all graphs."""

    shape: Node
    component: URIRef
    severity: str
    message: str
    path: str | None  # rendered result path (property shapes)
    query: str  # SELECT ?g ?this [?value] … (violations), or the distinct values (kind "values")
    kind: str = "rows"  # "rows" | "values" | "sparql"
    test: Callable[[Node], bool] | None = None  # kind "values": is this value fine?
    rows_query: str = ""  # kind "values": rows for the VALUES-bound bad values
    param: str | None = None  # "sha256" | "length": a per-graph value (?param) from the text
    sparql: str = ""  # kind "sparql": the constraint's query (prefixes included)
    batch: bool = True  # kind "sparql": run once with $this free
    targets: str = ""  # kind "sparql": SELECT DISTINCT ?g ?this of the shape's focus nodes
    messages: tuple = ()  # kind "sparql": the constraint's own sh:message values
    wrapped: str = ""  # kind "sparql", batch: the query inside GRAPH ?g, for all graphs at once
    per_graph: bool = False  # run once per named graph (?g substituted): a sh:targetNode
    target_literals: tuple = ()  # literal sh:targetNode values as written (Oxigraph rewrites)
    components: tuple = ()  # kind "merged": the component of each ?c0, ?c1 … flag


@dataclass
class Plan:
    checks: list[Check] = field(default_factory=list)
    fallback: list[Node] = field(default_factory=list)  # shapes left to pySHACL
    compiled: list[Node] = field(default_factory=list)


def _custom_parameters(sg: Graph) -> set[Node]:
    """The parameters of the SPARQL-based constraint components the shapes graph declares."""
    out = set()
    for _component, param in sg.subject_objects(SH.parameter):  # whatever its class
        path = sg.value(param, SH.path)
        if path is not None:
            out.add(path)
    return out


def compile_shapes(shapes: Graph) -> Plan:
    plan = Plan()
    referenced = _referenced(shapes)
    custom = _custom_parameters(shapes)
    for shape in sorted(_all_shapes(shapes), key=str):
        deactivated = (shape, SH.deactivated, Literal(True)) in shapes
        if deactivated and shape not in TEXT_SHAPES:
            continue
        if not _has_targets(shapes, shape):
            continue  # checked only through the shapes that refer to it
        if shape in referenced:  # pySHACL checks the referring shape, so this one stays there
            plan.fallback.append(shape)
            continue
        try:
            checks = _ShapeCompiler(shapes, shape, custom=frozenset(custom)).checks()
        except NotCompiled:
            plan.fallback.append(shape)
            continue
        plan.compiled.append(shape)
        plan.checks.extend(checks)
    return plan


def _all_shapes(sg: Graph) -> set[Node]:
    found = set(sg.subjects(RDF.type, SH.NodeShape)) | set(sg.subjects(RDF.type, SH.PropertyShape))
    for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.path):
        found |= set(sg.subjects(p, None))
    for p in _SHAPE_REFS:
        found |= set(sg.objects(None, p))
    for p in _LIST_REFS:
        for lst in sg.objects(None, p):
            found |= set(Collection(sg, lst))
    return found


def _referenced(sg: Graph) -> set[Node]:
    out: set[Node] = set()
    for p in _SHAPE_REFS:
        out |= set(sg.objects(None, p))
    for p in _LIST_REFS:
        for lst in sg.objects(None, p):
            for member in Collection(sg, lst):
                out.add(member)
    return out


def _is_class(sg: Graph, shape: Node) -> bool:
    types = set(sg.objects(shape, RDF.type))
    return bool(types & {RDFS.Class, OWL.Class})


def _has_targets(sg: Graph, shape: Node) -> bool:
    return any(
        (shape, p, None) in sg
        for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
    ) or (_is_class(sg, shape) and isinstance(shape, URIRef))


def sparql_term(t: Node) -> str:
    if isinstance(t, URIRef):
        return f"<{t}>"
    if isinstance(t, Literal):
        return t.n3()
    raise NotCompiled(f"blank node {t} as a constant")


def sparql_path(sg: Graph, path: Node) -> str:
    """A SHACL path in SPARQL property path syntax (full IRIs)."""
    if isinstance(path, URIRef):
        return f"<{path}>"
    if (path, RDF.first, None) in sg:
        parts = list(Collection(sg, path))
        if len(parts) < 2:
            raise NotCompiled("sequence path of one")
        return "(" + "/".join(sparql_path(sg, p) for p in parts) + ")"
    for prop, op in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = sg.value(path, prop)
        if inner is not None:
            return f"({sparql_path(sg, inner)}){op}"
    inverse = sg.value(path, SH.inversePath)
    if inverse is not None:
        return f"^({sparql_path(sg, inverse)})"
    alternatives = sg.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(sparql_path(sg, p) for p in Collection(sg, alternatives)) + ")"
    raise NotCompiled(f"unknown path {path}")


class _ShapeCompiler:
    """The checks of one shape (raises NotCompiled for anything it does not take)."""

    def __init__(
        self,
        sg: Graph,
        shape: Node,
        parent: _ShapeCompiler | None = None,
        custom: frozenset = frozenset(),
    ) -> None:
        self.sg = sg
        self.custom = parent.custom if parent is not None else custom
        self.shape = shape
        self.path_node = sg.value(shape, SH.path)
        self.is_property = self.path_node is not None
        self.path = sparql_path(sg, self.path_node) if self.is_property else None
        self.path_text = render_path(sg, self.path_node) if self.is_property else None
        severity = sg.value(shape, SH.severity) or SH.Violation
        self.severity = str(severity).rsplit("#", 1)[-1]
        self.message = lang_pick(sg.objects(shape, SH.message)) or ""
        self.per_graph = False
        self.parts: list[tuple[str, str, list | None]] = []  # value tests, see merged()
        self.nested: list[Check] = []  # the checks of its sh:property shapes
        self.target_literals: tuple = ()
        if parent is None:
            self.target = self._target()
        else:  # a property shape under sh:property: the focus nodes of the shape above
            self.target = parent.target
            self.per_graph = parent.per_graph
            self.target_literals = parent.target_literals

    # -- focus and value nodes ---------------------------------------------------------------

    def _target(self) -> str:
        sg, shape = self.sg, self.shape
        if (shape, SH.target, None) in sg:
            raise NotCompiled("SPARQL-based target")
        parts = [f"{{ {isa('?this', c)} }}" for c in sg.objects(shape, SH.targetClass)]
        if _is_class(sg, shape) and isinstance(shape, URIRef):
            parts.append(f"{{ {isa('?this', shape)} }}")
        self.target_literals = tuple(
            n for n in sg.objects(shape, SH.targetNode) if isinstance(n, Literal)
        )
        nodes = [sparql_term(n) for n in sg.objects(shape, SH.targetNode)]
        if nodes:
            parts.append(f"{{ VALUES ?this {{ {' '.join(nodes)} }} }}")
            self.per_graph = True  # Oxigraph binds no ?g to a VALUES inside GRAPH ?g
        for p in sg.objects(shape, SH.targetSubjectsOf):
            parts.append(f"{{ ?this {sparql_term(p)} ?_t }}")
        for p in sg.objects(shape, SH.targetObjectsOf):
            parts.append(f"{{ ?_t {sparql_term(p)} ?this }}")
        if not parts:
            raise NotCompiled("no target")
        return "{ " + " UNION ".join(parts) + " }"

    def values(self) -> str:
        """The focus nodes and their value nodes (?this, ?value)."""
        if self.is_property:
            return f"{self.target} ?this {self.path} ?value ."
        return f"{self.target} BIND (?this AS ?value)"

    def rows(self, where: str, select: str = "?g ?this ?value", extra: str = "") -> str:
        return f"SELECT DISTINCT {select} WHERE {{ GRAPH ?g {{ {where} }} {extra}}}"

    def check(self, component: str, query: str, **kw) -> Check:
        return Check(
            self.shape,
            _COMPONENT[component],
            self.severity,
            self.message,
            self.path_text,
            query,
            per_graph=self.per_graph,
            target_literals=self.target_literals,
            **kw,
        )

    # -- the constraints ---------------------------------------------------------------------

    def checks(self) -> list[Check]:
        sg, shape = self.sg, self.shape
        out: list[Check] = []
        for p, o in sorted(sg.predicate_objects(shape), key=lambda po: (str(po[0]), str(po[1]))):
            if p in self.custom:
                raise NotCompiled("a constraint component the shapes graph defines")
            if p in _IGNORED:
                continue
            if not str(p).startswith(str(SH)):
                continue  # not a SHACL term: not a constraint parameter
            name = str(p)[len(str(SH)) :]
            method = getattr(self, f"c_{name}", None)
            if method is None:
                raise NotCompiled(f"sh:{name}")
            made = method(o)
            if made is not None:
                out.append(made)
        merged = self.merged()
        return out + ([merged] if merged is not None else []) + self.nested

    def c_property(self, p: Node) -> None:
        """A property shape under sh:property: checked with this shape's focus nodes, reported
        as itself (its own severity and message), as pySHACL does."""
        sg = self.sg
        if (p, SH.deactivated, Literal(True)) in sg:
            return None
        if self.is_property or _has_targets(sg, p) or sg.value(p, SH.path) is None:
            raise NotCompiled("sh:property other than a plain nested property shape")
        self.nested += _ShapeCompiler(sg, p, parent=self).checks()
        return None

    def _filter(self, component: str, violates: str) -> None:
        """A test of each value node alone: merged with the shape's others (merged())."""
        self.parts.append((component, violates, None))

    def c_class(self, c: Node) -> None:
        self.parts.append(("class", "", [c]))

    def merged(self) -> Check | None:
        """One query for all the value tests of the shape: each test a flag ?cN, a row for
        each value node that fails one (the target and the path are scanned once, not once per
        constraint)."""
        if not self.parts:
            return None
        body, flags = [self.values()], []
        for i, (_component, violates, classes) in enumerate(self.parts):
            if classes is not None:
                body.append(opt_isa("?value", classes, f"?_k{i}"))
                body.append(f"BIND (!BOUND(?_k{i}) AS ?c{i})")
            else:
                body.append(f"BIND (COALESCE({violates}, false) AS ?c{i})")
            flags.append(f"?c{i}")
        body.append(f"FILTER ({' || '.join(flags)})")
        query = self.rows(" ".join(body), "?g ?this ?value " + " ".join(flags))
        components = tuple(_COMPONENT[c] for c, _v, _k in self.parts)
        return self.check(self.parts[0][0], query, kind="merged", components=components)

    def c_nodeKind(self, kind: Node) -> Check:
        tests = {
            SH.IRI: "isIRI(?value)",
            SH.BlankNode: "isBlank(?value)",
            SH.Literal: "isLiteral(?value)",
            SH.BlankNodeOrIRI: "(isBlank(?value) || isIRI(?value))",
            SH.BlankNodeOrLiteral: "(isBlank(?value) || isLiteral(?value))",
            SH.IRIOrLiteral: "(isIRI(?value) || isLiteral(?value))",
        }
        if kind not in tests:
            raise NotCompiled(f"node kind {kind}")
        return self._filter("nodeKind", f"!{tests[kind]}")

    def c_in(self, lst: Node) -> Check:
        members = [sparql_term(m) for m in Collection(self.sg, lst)]
        ok = " || ".join(f"sameTerm(?value, {m})" for m in members) or "false"
        return self._filter("in", f"!({ok})")

    def _range(self, component: str, op: str, bound: Node) -> Check:
        if not isinstance(bound, Literal):
            raise NotCompiled("range bound not a literal")
        param = TEXT_SHAPES.get(self.shape) if component == "maxInclusive" else None
        if param != "length":
            return self._filter(component, f"!COALESCE(?value {op} {sparql_term(bound)}, false)")
        where = f"{self.values()} FILTER (!COALESCE(?value {op} ?param, false))"
        check = self.check(component, self.rows(where, "?g ?param ?this ?value"))
        check.param = param
        return check

    def c_minInclusive(self, b: Node) -> Check:
        return self._range("minInclusive", ">=", b)

    def c_maxInclusive(self, b: Node) -> Check:
        return self._range("maxInclusive", "<=", b)

    def c_minExclusive(self, b: Node) -> Check:
        return self._range("minExclusive", ">", b)

    def c_maxExclusive(self, b: Node) -> Check:
        return self._range("maxExclusive", "<", b)

    def _length(self, component: str, op: str, n: Node) -> Check:
        if not isinstance(n, Literal) or not isinstance(n.value, int) or n.value < 0:
            raise NotCompiled("length not a non-negative integer")
        return self._filter(component, f"isBlank(?value) || STRLEN(STR(?value)) {op} {n.value}")

    def c_minLength(self, n: Node) -> Check:
        return self._length("minLength", "<", n)

    def c_maxLength(self, n: Node) -> Check:
        return self._length("maxLength", ">", n)

    def c_languageIn(self, lst: Node) -> Check:
        langs = [m for m in Collection(self.sg, lst)]
        if not all(isinstance(m, Literal) for m in langs):
            raise NotCompiled("languageIn with a non-literal")
        ok = " || ".join(f'langMatches(lang(?value), "{m}")' for m in langs) or "false"
        return self._filter("languageIn", f'!isLiteral(?value) || lang(?value) = "" || !({ok})')

    def c_uniqueLang(self, flag: Node) -> Check | None:
        if not self.is_property:
            raise NotCompiled("uniqueLang on a node shape")
        if not (isinstance(flag, Literal) and flag.value is True):
            return None
        where = f'{self.values()} FILTER (isLiteral(?value) && lang(?value) != "")'
        query = (
            f"SELECT ?g ?this ?lang WHERE {{ GRAPH ?g {{ {where} }} }}"
            " GROUP BY ?g ?this (LCASE(lang(?value)) AS ?lang) HAVING (COUNT(DISTINCT ?value) > 1)"
        )
        return self.check("uniqueLang", query)

    def _count(self, n: Node) -> int:
        if not isinstance(n, Literal) or not isinstance(n.value, int):
            raise NotCompiled("count not an integer")
        return n.value

    def c_minCount(self, n: Node) -> Check | None:
        if not self.is_property:
            raise NotCompiled("minCount on a node shape")
        count = self._count(n)
        if count <= 0:
            return None
        if count == 1:
            where = f"{self.target} OPTIONAL {{ ?this {self.path} ?value }} FILTER (!BOUND(?value))"
            return self.check("minCount", self.rows(where, "?g ?this"))
        query = (
            f"SELECT ?g ?this WHERE {{ GRAPH ?g {{ {self.target} OPTIONAL {{ ?this {self.path}"
            f" ?value }} }} }} GROUP BY ?g ?this HAVING (COUNT(DISTINCT ?value) < {count})"
        )
        return self.check("minCount", query)

    def c_maxCount(self, n: Node) -> Check:
        if not self.is_property:
            raise NotCompiled("maxCount on a node shape")
        query = (
            f"SELECT ?g ?this WHERE {{ GRAPH ?g {{ {self.values()} }} }} GROUP BY ?g ?this"
            f" HAVING (COUNT(DISTINCT ?value) > {self._count(n)})"
        )
        return self.check("maxCount", query)

    def c_hasValue(self, v: Node) -> Check:
        param = TEXT_SHAPES.get(self.shape)
        ref = "?param" if param == "sha256" else sparql_term(v)
        if self.is_property:
            where = (
                f"{self.target} OPTIONAL {{ ?this {self.path} ?_v FILTER (sameTerm(?_v, {ref})) }}"
                " FILTER (!BOUND(?_v))"
            )
        else:
            where = f"{self.target} FILTER (!sameTerm(?this, {ref}))"
        check = self.check("hasValue", self.rows(where, "?g ?this"))
        if param == "sha256":
            check.param = param
            check.query = check.query.replace("SELECT DISTINCT ?g", "SELECT DISTINCT ?g ?param", 1)
        return check

    def _pair_property(self, p: Node) -> str:
        if not isinstance(p, URIRef):
            raise NotCompiled("property pair with a non-IRI")
        return f"<{p}>"

    def c_equals(self, p: Node) -> Check:
        q = self._pair_property(p)
        own = self.path if self.is_property else None
        absent = "BIND (true AS ?_e) } FILTER (!BOUND(?_e))"
        if own is None:
            left = f"{self.target} BIND (?this AS ?value) OPTIONAL {{ ?this {q} ?value {absent}"
            right = f"{self.target} ?this {q} ?value FILTER (!sameTerm(?value, ?this))"
        else:
            left = f"{self.target} ?this {own} ?value OPTIONAL {{ ?this {q} ?value {absent}"
            right = f"{self.target} ?this {q} ?value OPTIONAL {{ ?this {own} ?value {absent}"
        return self.check("equals", self.rows(f"{{ {left} }} UNION {{ {right} }}"))

    def c_disjoint(self, p: Node) -> Check:
        q = self._pair_property(p)
        return self.check("disjoint", self.rows(f"{self.values()} ?this {q} ?value"))

    def _compare(self, component: str, op: str, p: Node) -> Check:
        q = self._pair_property(p)

        def s(x: str) -> str:  # pySHACL compares IRIs and strings as Python strings
            return (
                f"IF(isIRI({x}) || (isLiteral({x}) && (datatype({x}) = <{XSD.string}> ||"
                f' lang({x}) != "")), STR({x}), {x})'
            )

        test = f"COALESCE({s('?value')} {op} {s('?_w')}, false)"
        where = f"{self.values()} ?this {q} ?_w FILTER (!{test})"
        return self.check(component, self.rows(where, "?g ?this ?value ?_w"))

    def c_lessThan(self, p: Node) -> Check:
        return self._compare("lessThan", "<", p)

    def c_lessThanOrEquals(self, p: Node) -> Check:
        return self._compare("lessThanOrEquals", "<=", p)

    # -- value tests in Python -----------------------------------------------------------------

    def _values_check(
        self, component: str, test: Callable[[Node], bool], shadow: bool, fine: str = "false"
    ) -> Check:
        """Distinct values tested in Python; on a one-predicate path they are read as written
        (the shadows, terms.py), elsewhere as stored (``shadow`` demands the former)."""
        if isinstance(self.path_node, URIRef):
            pattern = self._shadowed_values()
        elif shadow:
            raise NotCompiled("integer datatype on a complex path")
        else:
            pattern = self.values()
        distinct = f"SELECT DISTINCT ?value WHERE {{ GRAPH ?g {{ {pattern} }} FILTER (!({fine})) }}"
        rows = (
            f"SELECT DISTINCT ?g ?this ?value WHERE {{ GRAPH ?g {{ {pattern} }}"
            " VALUES ?value { {BAD} } }"
        )
        return self.check(component, distinct, kind="values", test=test, rows_query=rows)

    def _shadowed_values(self) -> str:
        shadow = f"<{SHADOW_PREDICATE}{self.path_node}>"
        stored = ", ".join(f"<{t}>" for t in STORED_SHADOWED)
        return (
            f"{self.target} {{ ?this {self.path} ?value FILTER (!(isLiteral(?value) &&"
            f" datatype(?value) IN ({stored}))) }} UNION {{ ?this {shadow} ?value }}"
        )

    def c_datatype(self, dt: Node) -> Check:
        if not isinstance(dt, URIRef):
            raise NotCompiled("datatype not an IRI")
        shadow = self.is_property and dt in _INTEGER_TYPES
        if not self.is_property and dt in _INTEGER_TYPES:
            raise NotCompiled("integer datatype on a node shape")
        return self._values_check(
            "datatype", lambda v: datatype_ok(v, dt), shadow, certainly_typed(dt)
        )

    def c_pattern(self, regex: Node) -> Check:
        flags = self.sg.value(self.shape, SH.flags)
        try:
            compiled = re.compile(str(regex), _re_flags(flags))
        except (re.error, ValueError) as exc:
            raise NotCompiled(f"pattern: {exc}") from None
        return self._values_check("pattern", lambda v: pattern_ok(v, compiled), False)

    def c_or(self, lst: Node) -> Check:
        members = list(Collection(self.sg, lst))
        single = [self._only_constraint(m) for m in members]
        if members and all(p == SH["class"] for p, _o in single):
            self.parts.append(("or", "", [o for _p, o in single]))
            return None
        if members and all(p == SH.datatype and isinstance(o, URIRef) for p, o in single):
            types = [o for _p, o in single]
            shadow = any(t in _INTEGER_TYPES for t in types)
            fine = " || ".join(certainly_typed(t) for t in types)
            return self._values_check(
                "or", lambda v: any(datatype_ok(v, t) for t in types), shadow, fine
            )
        raise NotCompiled("sh:or of other shapes")

    def _only_constraint(self, member: Node) -> tuple[Node, Node]:
        if not isinstance(member, BNode):
            raise NotCompiled("sh:or member not a blank node")
        pairs = [(p, o) for p, o in self.sg.predicate_objects(member) if p != RDF.type]
        if len(pairs) != 1:
            raise NotCompiled("sh:or member with several constraints")
        return pairs[0]

    # -- SPARQL-based constraints ----------------------------------------------------------------

    def c_sparql(self, constraint: Node) -> Check:
        sg = self.sg
        if self.is_property:
            raise NotCompiled("SPARQL constraint on a property shape")
        if (constraint, SH.deactivated, Literal(True)) in sg:
            return None  # type: ignore[return-value]
        select = sg.value(constraint, SH.select)
        if select is None:
            raise NotCompiled("SPARQL constraint without sh:select")
        text = prefix_declarations(sg, constraint) + str(select)
        if re.search(r"[$?](currentShape|shapesGraph|PATH)\b", str(select)):
            raise NotCompiled("SPARQL constraint with other pre-bound variables")
        if prebinding.algebra(text) is None:  # pySHACL reports it as it always has
            raise NotCompiled("SPARQL does not parse")
        _refused_by_pyshacl(text)
        batch = prebinding.batchable(text)
        if not batch:  # pre-binding as pySHACL does it (rdflib's initBindings): pySHACL runs it
            raise NotCompiled("SPARQL constraint that needs $this pre-bound")
        return self.check(
            "sparql",
            "",
            kind="sparql",
            sparql=text,
            batch=batch,
            wrapped=in_every_graph(text) if batch else "",
            targets=self.rows(self.target, "?g ?this"),
            messages=tuple(sg.objects(constraint, SH.message)),
        )


_SELECT = re.compile(
    r"(?is)^(.*?)\bSELECT\s+((?:DISTINCT|REDUCED)\s+)?((?:[?$]\w+\s*)+)(?:WHERE\s*)?\{(.*)\}\s*$"
)


def in_every_graph(text: str) -> str:
    """A SELECT query whose pattern is evaluated in every named graph (``GRAPH ?g { … }``,
    ``?g`` projected first), or "" when its text is not the plain form this rewrite takes (a
    projection of variables, nothing after the pattern). Should Oxigraph still refuse it, the
    engine runs the original graph by graph."""
    m = _SELECT.match(text)
    if m is None:
        return ""
    prologue, modifier, variables, body = m.groups()
    wrapped = (
        f"{prologue}SELECT {modifier or ''}?g {variables.strip()} WHERE {{ GRAPH ?g {{ {body} }} }}"
    )
    return wrapped


def _refused_by_pyshacl(text: str) -> None:
    """pySHACL refuses some queries outright (MINUS, VALUES, SERVICE, re-binding a pre-bound
    variable …): such a shape goes to pySHACL, which reports its refusal as it always has."""
    from pyshacl.errors import ValidationFailure
    from pyshacl.helper.sparql_query_helper import SPARQLQueryHelper

    helper = SPARQLQueryHelper.__new__(SPARQLQueryHelper)
    try:
        helper.check_invalid_sparql(text, valuenode=True)
    except ValidationFailure as exc:
        raise NotCompiled(f"pySHACL refuses the query: {exc}") from None


def prefix_declarations(sg: Graph, constraint: Node) -> str:
    """PREFIX lines for the sh:declare of every sh:prefixes of a SPARQL constraint, and of
    what those import (owl:imports), as SHACL says."""
    lines, seen = [], set()
    todo = list(sg.objects(constraint, SH.prefixes))
    while todo:
        holder = todo.pop()
        if holder in seen:
            continue
        seen.add(holder)
        todo += list(sg.objects(holder, OWL.imports))
        for decl in sg.objects(holder, SH.declare):
            prefix = sg.value(decl, SH.prefix)
            ns = sg.value(decl, SH.namespace)
            if prefix is not None and ns is not None:
                lines.append(f"PREFIX {prefix}: <{ns}>\n")
    return "".join(sorted(set(lines)))


# lexical forms that are certainly valid (rdflib parses them, pySHACL accepts them): values that
# match are settled in SPARQL; the rest are tested in Python (datatype_ok)
_CERTAIN = {
    "integer": "^-?[0-9]{1,18}$",
    "nonNegativeInteger": "^[0-9]{1,18}$",
    "positiveInteger": "^0*[1-9][0-9]{0,17}$",
    "decimal": "^-?[0-9]{1,15}([.][0-9]{1,15})?$",
    "gYear": "^[0-9]{4}$",
    "gYearMonth": "^[0-9]{4}-(0[1-9]|1[0-2])$",
    "date": "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])$",
}


def certainly_typed(dt: URIRef) -> str:
    """A SPARQL condition on ?value that holds only for values sh:datatype ``dt`` accepts (as
    read through the shadows, terms.py); "false" when there is none."""
    xsd = str(XSD)
    if dt == XSD.string:
        return f"(isLiteral(?value) && datatype(?value) = <{dt}>)"
    if dt == RDF.langString:
        return '(isLiteral(?value) && lang(?value) != "")'
    local = str(dt)[len(xsd) :] if str(dt).startswith(xsd) else None
    if local in _CERTAIN:
        stored = f"<{SHADOW_DATATYPE}{local}>" if local in SHADOWED else f"<{dt}>"
        return (
            f"(isLiteral(?value) && datatype(?value) = {stored} &&"
            f' REGEX(STR(?value), "{_CERTAIN[local]}"))'
        )
    return "false"


def _re_flags(flags: Node | None) -> int:
    out = 0
    for ch in str(flags or ""):
        out |= {"i": re.I, "m": re.M, "s": re.S, "x": re.X, "q": 0}.get(ch, 0)
    return out


def pattern_ok(v: Node, compiled: re.Pattern) -> bool:
    """pySHACL's sh:pattern: blank nodes fail, IRIs and literals by their text."""
    if isinstance(v, BNode):
        return False
    return compiled.search(str(v)) is not None


def datatype_ok(v: Node, dt: URIRef) -> bool:
    """pySHACL's sh:datatype test of one value (pyshacl/constraints/core/value_constraints.py)."""
    from pyshacl.constraints.core.value_constraints import DatatypeConstraintComponent

    checker = _DATATYPE_CHECKERS.get(dt)
    if checker is None:
        checker = _DATATYPE_CHECKERS[dt] = _datatype_checker(DatatypeConstraintComponent, dt)
    return checker(v)


_DATATYPE_CHECKERS: dict = {}


def _datatype_checker(component_cls, dt: URIRef) -> Callable[[Node], bool]:
    """pySHACL's own evaluation of ``sh:datatype dt`` on one value, without a shapes graph."""

    class _Shape:  # just what DatatypeConstraintComponent reads
        def __init__(self) -> None:
            import logging

            self.logger = logging.getLogger("chipkg.validation")

        def objects(self, _p):
            return iter([dt])

    component = component_cls.__new__(component_cls)
    component.shape = _Shape()
    component.datatype_rule = dt

    def ok(v: Node) -> bool:
        component.make_v_result = lambda *a, **k: None
        conforms, _reports = component.evaluate(None, None, {None: [v]}, [])
        return bool(conforms)

    return ok
