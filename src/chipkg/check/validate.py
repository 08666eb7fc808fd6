"""SHACL validation of one report graph (plus the reference entities) against shapes/*.ttl.

Pure functions: nothing is printed, nothing is written. ``validate_graph`` copies its input into an
in-memory rdflib graph (never an Oxigraph-backed one: pySHACL is far slower on those), mixes in
the ontology and the shapes' own rdfs:subClassOf triples (so that ``sh:targetClass`` and
``sh:class`` see the class hierarchy), runs pySHACL once, and returns every result with what an
analyst needs to act on it: the focus node's label, the offending value, the passage and page it
comes from, and the shape's message, which always ends in a fix hint ("what is wrong — what to
do").

Two shapes are switched on only when the report's text is given: the text must be the file the
graph was built from (its SHA-256 is ``ckg:sha256``), and no selector may end after its end.
Without the text, selectors are still checked to be non-negative with ``start < end``.

See docs/validation.md for the shapes, the severities and the JSON form of a report.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from functools import cache, lru_cache
from pathlib import Path

from pyshacl import validate as _pyshacl_validate
from rdflib import BNode, Dataset, Graph, Literal, URIRef, Variable
from rdflib.collection import Collection
from rdflib.exceptions import ParserError
from rdflib.namespace import SH
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Node

from chipkg import resources
from chipkg.errors import ChipkgError
from chipkg.graph.vocab import CKG, DCTERMS, ID, OA, PROV, RDF, RDFS, SDO, SKOS, XSD

CKGSH = "https://w3id.org/chipkg/shapes#"
ONTOLOGY_GRAPH = ID["graph/ontology"]
ENTITIES_GRAPH = ID["graph/entities"]

SEVERITIES = ("Violation", "Warning", "Info")
PREFIXES = {
    "ckg": str(CKG._NS),
    "ckgsh": CKGSH,
    "sh": str(SH),
    "prov": str(PROV),
    "oa": str(OA),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "schema": str(SDO),
}
# runtime-activated shapes (see shapes/provenance.ttl)
_CHECKSUM_SHAPE = URIRef(CKGSH + "ReportTextChecksum-sha256")
_BOUNDS_SHAPE = URIRef(CKGSH + "SelectorWithinReportText-end")
_TEXT_PREVIEW = 80


@dataclass(frozen=True)
class Result:
    """One validation result, with the context an analyst needs to act on it."""

    severity: str  # "Violation" | "Warning" | "Info"
    shape: str  # IRI of the shape that produced it (a named node or property shape)
    component: str  # e.g. "sh:MinCountConstraintComponent"
    focus: str  # IRI (or _:id) of the focus node
    focus_label: str
    path: str | None  # SPARQL property path, prefixed (see PREFIXES), or None
    value: str | None  # offending value: IRI or lexical form
    message: str  # what is wrong — what to do
    passage_text: str | None
    page: int | None

    def key(self) -> tuple[str, str, str | None, str, str | None]:
        """Stable identity: (focus, shape, path, component, value) — never the message."""
        return (self.focus, self.shape, self.path, self.component, self.value)


@dataclass(frozen=True)
class ValidationReport:
    conforms: bool  # no result of severity Violation
    results: tuple[Result, ...]

    def count(self, severity: str) -> int:
        return sum(1 for r in self.results if r.severity == severity)


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------

_FORMATS = {".ttl": "turtle", ".nt": "nt", ".trig": "trig", ".nq": "nquads"}


def _parse_error(path: Path, exc: Exception) -> ChipkgError:
    if isinstance(exc, BadSyntax):
        why = getattr(exc, "_why", "") or "bad syntax"
        return ChipkgError(
            f"cannot parse the graph: {why}",
            path=path,
            line=exc.lines + 1,
            hint="fix the RDF syntax at that line, or rebuild with `chipkg build`",
        )
    line = _first_bad_ntriples_line(path) if path.suffix in (".nt", ".nq") else None
    return ChipkgError(
        f"cannot parse the graph: {exc}",
        path=path,
        line=line,
        hint="fix the RDF syntax at that line, or rebuild with `chipkg build`",
    )


def _first_bad_ntriples_line(path: Path) -> int | None:
    fmt = _FORMATS[path.suffix]
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            (Dataset() if fmt == "nquads" else Graph()).parse(data=line, format=fmt)
        except Exception:  # noqa: BLE001 — any parser error marks the line
            return n
    return None


def _read(path: Path) -> Dataset | Graph:
    if not path.exists():
        raise ChipkgError("graph file not found", path=path, hint="run `chipkg build` first")
    fmt = _FORMATS.get(path.suffix)
    if fmt is None:
        raise ChipkgError(
            f"unknown graph format {path.suffix!r}",
            path=path,
            hint="give a .trig dataset or a .ttl/.nt graph",
        )
    target: Dataset | Graph = Dataset() if fmt in ("trig", "nquads") else Graph()
    try:
        target.parse(path, format=fmt)
    except (BadSyntax, ParserError, ValueError, UnicodeDecodeError) as exc:
        raise _parse_error(path, exc) from None
    return target


def load_graph(path: Path) -> Graph:
    """One graph file (.ttl, .nt) as an rdflib graph; a dataset (.trig, .nq) merged into one
    graph without its ontology graph. Unparseable input raises ChipkgError with path and line."""
    data = _read(path)
    if isinstance(data, Graph) and not isinstance(data, Dataset):
        return data
    merged = Graph()
    for g in data.graphs():
        if g.identifier != ONTOLOGY_GRAPH:
            merged += g
    return merged


def report_graphs(path: Path) -> dict[str, Graph]:
    """The report graphs of a built dataset (a build folder or its chipkg.trig), each merged with
    the reference-entities graph: what validate_graph and reason expect, one report at a time.
    Keys are report ids. A single graph file (build/reports/NAME.ttl) is returned under its file
    stem, merged with the entities graph of build/chipkg.trig when that file exists."""
    if path.is_dir():
        path = path / "chipkg.trig"
    data = _read(path)
    if not isinstance(data, Dataset):
        dataset = path.parent.parent / "chipkg.trig"
        if path.parent.name == "reports" and dataset.exists():
            data += _read(dataset).graph(ENTITIES_GRAPH)
        return {path.stem: data}
    entities = data.graph(ENTITIES_GRAPH)
    out: dict[str, Graph] = {}
    for g in sorted(data.graphs(), key=lambda g: str(g.identifier)):
        gid = str(g.identifier)
        if g.identifier in (ONTOLOGY_GRAPH, ENTITIES_GRAPH) or not len(g):
            continue
        if not gid.startswith(str(ID["graph/"])):
            continue
        merged = Graph()
        merged += g
        merged += entities
        out[gid.rsplit("/", 1)[-1]] = merged
    return out


class _PreparedQueryGraph(Graph):
    """An in-memory graph that parses each SPARQL text once.

    pySHACL runs a SPARQL-based constraint once per focus node with the same text and ``$this``
    pre-bound; rdflib would parse that text every time (about 15 ms), which made the SPARQL shapes
    take a minute on the bundled report. Prepared once, a run takes well under a millisecond.
    """

    def query(self, query_object, *args, **kwargs):  # type: ignore[override]
        if isinstance(query_object, str):
            query_object = _prepare(query_object)
        return super().query(query_object, *args, **kwargs)


@lru_cache(maxsize=256)
def _prepare(text: str):
    query = prepareQuery(text)
    _plan(query.algebra, frozenset({Variable("this")}))
    return query


def _plan(node: object, known: frozenset) -> frozenset:
    """Reorder the triple patterns of every BGP so that each starts from what is already bound.

    rdflib orders a BGP when the query is prepared, when ``$this`` is still unbound: a pattern with
    a constant (``?c ckg:citationLevel ckg:LeadLevel``) then goes first and scans every citation
    for each focus node. pySHACL always binds ``$this``, so plan with it (and, inside OPTIONAL and
    joins, with the variables of the left side) known. Returns the variables bound after ``node``.
    """
    if isinstance(node, CompValue):
        if node.name == "BGP":
            node["triples"] = _greedy(node["triples"], known)
            return known | {t for triple in node["triples"] for t in triple if _is_var(t)}
        if node.name in ("LeftJoin", "Join"):
            left = _plan(node["p1"], known)
            right = _plan(node["p2"], left)
            return left if node.name == "LeftJoin" else right
        bound = known
        for value in node.values():
            bound = bound | _plan(value, known)
        return bound
    if isinstance(node, list | tuple) and not (len(node) == 3 and all(map(_is_term, node))):
        bound = known
        for value in node:
            bound = bound | _plan(value, known)
        return bound
    return known


def _is_var(term: object) -> bool:
    return isinstance(term, Variable | BNode)


def _is_term(term: object) -> bool:
    return isinstance(term, Node)


def _greedy(triples: list, known: frozenset) -> list:
    """Greedy join order: next, the pattern with the fewest unbound variables, preferring one
    whose subject is bound (an index lookup) over one bound only by a constant object."""
    todo = list(triples)
    bound = set(known)
    ordered = []

    def cost(i: int) -> tuple[int, int, int]:
        s = todo[i][0]
        free = sum(1 for t in todo[i] if _is_var(t) and t not in bound)
        return (free, int(_is_var(s) and s not in bound), i)

    while todo:
        best = min(range(len(todo)), key=cost)
        triple = todo.pop(best)
        ordered.append(triple)
        bound |= {t for t in triple if _is_var(t)}
    return ordered


# ---------------------------------------------------------------------------------------------
# pySHACL: a faster sh:or of plain class alternatives
# ---------------------------------------------------------------------------------------------
#
# The relation shapes say "the subject is an actor or a policy" as sh:or ( [ sh:class A ]
# [ sh:class B ] … ). pySHACL evaluates every alternative for every value node and builds a full
# validation result (with its message text) for each alternative that fails, only to throw them
# away: on a synthetic report that was 45 % of the validation time. When every alternative is a
# blank node with one sh:class and nothing else, the same test (an rdf:type of the value that is
# the class or one of its rdfs:subClassOf* descendants) is made directly, and the sh:or result is
# reported exactly as pySHACL reports it. Any other sh:or goes through pySHACL unchanged.


def _class_only_alternatives(sg: Graph, members) -> list[Node] | None:
    classes = []
    for m in members:
        if not isinstance(m, BNode):
            return None
        triples = list(sg.predicate_objects(m))
        if len(triples) != 1 or triples[0][0] != SH["class"]:
            return None
        classes.append(triples[0][1])
    return classes


def _is_instance(g, v: Node, classes: list[Node]) -> bool:
    if isinstance(v, Literal):
        return False
    for ctype in g.objects(v, RDF.type):
        if ctype in classes:
            return True
        supers = set(g.transitive_objects(ctype, RDFS.subClassOf))
        if any(c in supers for c in classes):
            return True
    return False


def _fast_or(original):
    def evaluate(self, executor, or_c, target_graph, focus_value_nodes, _evaluation_path):
        sg = self.shape.sg.graph
        members = list(sg.items(or_c))
        classes = _class_only_alternatives(sg, members) if members else None
        if classes is None or any(self.shape.sg.is_filtered_out_shape(m) for m in members):
            return original(self, executor, or_c, target_graph, focus_value_nodes, _evaluation_path)
        reports, non_conformant = [], False
        for f, value_nodes in focus_value_nodes.items():
            for v in value_nodes:
                if not _is_instance(target_graph, v, classes):
                    non_conformant = True
                    reports.append(self.make_v_result(target_graph, f, value_node=v))
        return non_conformant, reports

    return evaluate


# ---------------------------------------------------------------------------------------------
# pySHACL: a SPARQL-based constraint evaluated once for all focus nodes
# ---------------------------------------------------------------------------------------------
#
# pySHACL runs a node shape's SPARQL constraint once per focus node with $this pre-bound: on a
# synthetic report, 1,200 queries and over half of the validation time, most of it the fixed cost
# of setting up each query. When every solution of the query necessarily binds $this in a
# mandatory triple pattern (each UNION branch starts from one, OPTIONAL and FILTER only add to or
# test what is bound) and the query has no construct whose meaning changes when $this is a
# variable instead of a constant (sub-selects, VALUES, MINUS, EXISTS, GRAPH, aggregates,
# LIMIT/OFFSET), the solutions with ?this = f of the query run once with $this free are exactly
# the solutions of the query pre-bound to f. Such a query is run once, planned without $this
# bound, and its solutions are grouped by focus node and turned into results exactly as pySHACL
# turns them (same de-duplication, same value and path). Any other constraint, and every
# constraint of a property shape, goes through pySHACL unchanged. tests/test_validate_fast.py
# compares both ways on every fixture and on a synthetic report with planted defects.

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
_THIS = Variable("this")


def _binds_this(node: object) -> bool:
    """True if every solution of algebra ``node`` binds ?this in a mandatory triple pattern."""
    if not isinstance(node, CompValue):
        return False
    name = node.name
    if name == "BGP":
        return any(_THIS in triple for triple in node["triples"])
    if name in ("Project", "Filter", "Extend", "Distinct", "Reduced", "OrderBy"):
        return _binds_this(node["p"])
    if name == "Join":
        return _binds_this(node["p1"]) or _binds_this(node["p2"])
    if name == "LeftJoin":
        return _binds_this(node["p1"])
    if name == "Union":
        return _binds_this(node["p1"]) and _binds_this(node["p2"])
    return False


def _names(node: object) -> Iterator[str]:
    if isinstance(node, CompValue):
        yield node.name
        for value in node.values():
            yield from _names(value)
    elif isinstance(node, list | tuple):
        for value in node:
            yield from _names(value)


@lru_cache(maxsize=256)
def _prepare_batch(text: str):
    """The query prepared and planned with $this free, or None if it cannot be run that way."""
    query = prepareQuery(text)
    select = query.algebra
    if select.name != "SelectQuery" or "failure" in {str(v) for v in select["PV"]}:
        return None
    if _THIS not in select["PV"] or not _binds_this(select["p"]):
        return None
    if any(n in _NOT_BATCHABLE for n in _names(select["p"])):
        return None
    _plan(select, frozenset())
    return query


def _batched_sparql(original):
    def evaluate(self, sparql_constraint, target_graph, f_v_dict):
        if self.shape.is_property_shape or len(f_v_dict) < 2:
            return original(self, sparql_constraint, target_graph, f_v_dict)
        init_binds, text = sparql_constraint.pre_bind_variables(next(iter(f_v_dict)))
        query = _prepare_batch(sparql_constraint.apply_prefixes(text))
        if query is None or set(init_binds) != {"this"}:
            return original(self, sparql_constraint, target_graph, f_v_dict)
        found: dict[Node, list] = {}
        for row in target_graph.query(query):
            bound = row.asdict()
            t = bound.pop("this", None)
            if t not in f_v_dict:
                continue
            p, v = bound.pop("path", None), bound.pop("value", None)
            rows = found.setdefault(t, [])
            if (t, p, v, bound) not in rows:
                rows.append((t, p, v, bound))
        kwargs = {
            "source_constraint": sparql_constraint.node,
            "extra_messages": sparql_constraint.messages or None,
        }
        reports = []
        for f in f_v_dict:
            for t, p, v, bound in found.get(f, ()):
                v = f if v is None else v
                reports.append(
                    self.make_v_result(
                        target_graph,
                        t,
                        value_node=v,
                        result_path=p,
                        bound_vars=(t, p, v, bound),
                        **kwargs,
                    )
                )
        return bool(reports), reports

    return evaluate


def _patches() -> list[tuple[type, str, Callable]]:
    from pyshacl.constraints.core.logical_constraints import OrConstraintComponent
    from pyshacl.constraints.sparql.sparql_based_constraints import SPARQLBasedConstraint

    return [
        (OrConstraintComponent, "_evaluate_or_constraint", _fast_or),
        (SPARQLBasedConstraint, "_evaluate_sparql_constraint", _batched_sparql),
    ]


# (class, method name) -> (pySHACL's function, the fast path wrapping it)
_FAST_PATHS: dict[tuple[type, str], tuple[Callable, Callable]] = {}


def _install_fast_paths() -> None:
    for cls, name, make in _patches():
        if (cls, name) not in _FAST_PATHS:
            original = getattr(cls, name)
            _FAST_PATHS[cls, name] = (original, make(original))
        setattr(cls, name, _FAST_PATHS[cls, name][1])


@contextmanager
def plain_pyshacl() -> Iterator[None]:
    """Validate with pySHACL's own evaluation (no fast paths) inside the block: for tests that
    prove the fast paths give the same results."""
    for (cls, name), (original, _fast) in _FAST_PATHS.items():
        setattr(cls, name, original)
    try:
        yield
    finally:
        _install_fast_paths()


_install_fast_paths()


def report_source_file(data: Graph) -> str | None:
    """The file name (``ckg:sourceFile``) of the one report in ``data``, to find the text to pass
    as ``report_text``; None if there is no report or more than one."""
    files = {
        str(f) for r in data.subjects(RDF.type, CKG.Report) for f in data.objects(r, CKG.sourceFile)
    }
    return files.pop() if len(files) == 1 else None


@cache
def _ontology() -> Graph:
    return Graph().parse(resources.ontology_dir() / "chipkg.ttl", format="turtle")


@cache
def _shapes(shapes_dir: Path) -> Graph:
    files = sorted(shapes_dir.glob("*.ttl"))
    if not files:
        raise ChipkgError("no shapes found", path=shapes_dir, hint="shapes/*.ttl must exist")
    g = Graph()
    for f in files:
        try:
            g.parse(f, format="turtle")
        except BadSyntax as exc:
            raise _parse_error(f, exc) from None
    return g


def load_shapes(shapes_dir: Path | None = None) -> Graph:
    """All shapes of shapes_dir (default: the project's shapes/) as one graph (a copy)."""
    out = Graph()
    out += _shapes((shapes_dir or resources.shapes_dir()).resolve())
    # pySHACL checks every SPARQL text with regexes, once per focus node, whose cost grows with
    # (lines × length): one line instead of thirty makes the SPARQL shapes several times faster.
    # The shapes' SPARQL therefore holds no "#" comments (a test checks).
    for node, text in list(out.subject_objects(SH.select)):
        out.set((node, SH.select, Literal(" ".join(str(text).split()))))
    for prefix, ns in PREFIXES.items():
        out.bind(prefix, ns)
    return out


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------


def _activate_text_shapes(shapes: Graph, data: Graph, report_text: str) -> None:
    reports = set(data.subjects(RDF.type, CKG.Report))
    if len(reports) > 1:
        raise ChipkgError(
            f"the graph holds {len(reports)} reports but one report text was given",
            hint="validate one report graph at a time (see chipkg.check.validate.report_graphs)",
        )
    digest = hashlib.sha256(report_text.encode("utf-8")).hexdigest()
    shapes.remove((_CHECKSUM_SHAPE, SH.deactivated, None))
    shapes.set((_CHECKSUM_SHAPE, SH.hasValue, Literal(digest)))
    shapes.remove((_BOUNDS_SHAPE, SH.deactivated, None))
    shapes.set((_BOUNDS_SHAPE, SH.maxInclusive, Literal(len(report_text), datatype=XSD.integer)))


def _validate_ranked(
    data: Graph, report_text: str | None, shapes_dir: Path | None, *, in_place: bool = False
) -> list[tuple[Result, tuple]]:
    """Validate ``data``; with ``in_place`` (a _PreparedQueryGraph the caller owns and drops
    afterwards) the ontology is added to it instead of to a copy, which saves copying every
    report graph once more."""
    if in_place and isinstance(data, _PreparedQueryGraph):
        work = data
    else:
        work = _PreparedQueryGraph()
        if isinstance(data, Dataset):  # a whole dataset: its graphs merged, ontology added below
            for s, p, o, g in data.quads((None, None, None, None)):
                if g is None or getattr(g, "identifier", g) != ONTOLOGY_GRAPH:
                    work.add((s, p, o))
        else:
            work += data
    work += _ontology()
    shapes = load_shapes(shapes_dir)
    # validation-only superclasses declared by the shapes (ckgsh:ReferenceEntity)
    for sub, sup in shapes.subject_objects(RDFS.subClassOf):
        work.add((sub, RDFS.subClassOf, sup))
    if report_text is not None:
        _activate_text_shapes(shapes, work, report_text)
    _conforms, results_graph, _text = _pyshacl_validate(
        work,
        shacl_graph=shapes,
        inference="none",
        inplace=True,
        advanced=False,
        allow_warnings=True,
        allow_infos=True,
    )
    ctx = _Context(work, shapes)
    return [
        ctx.ranked(results_graph, r) for r in results_graph.subjects(RDF.type, SH.ValidationResult)
    ]


def _sort_key(r: Result) -> tuple:
    return (SEVERITIES.index(r.severity), r.shape, r.focus, r.path or "", r.value or "")


def _report(results: Iterable[Result]) -> ValidationReport:
    ordered = sorted(results, key=_sort_key)
    return ValidationReport(
        conforms=not any(r.severity == "Violation" for r in ordered), results=tuple(ordered)
    )


def validate_graph(
    data: Graph, *, report_text: str | None = None, shapes_dir: Path | None = None
) -> ValidationReport:
    """Validate one report graph plus the reference entities (an rdflib in-memory graph).

    ``report_text`` is the report file's text as read (for the text-bounds and checksum shapes);
    ``shapes_dir`` defaults to the project's shapes/. The input graph is not modified.
    """
    return _report(r for r, _rank in _validate_ranked(data, report_text, shapes_dir))


def group_results(report: ValidationReport) -> dict[tuple[str, str], list[Result]]:
    """Results grouped by (severity, shape), Violations first, then by shape IRI."""
    groups: dict[tuple[str, str], list[Result]] = {}
    for r in report.results:  # already sorted by severity, shape
        groups.setdefault((r.severity, r.shape), []).append(r)
    return groups


def to_json(report: ValidationReport) -> dict:
    """The report as JSON-ready data (schema in docs/validation.md)."""
    return {
        "conforms": report.conforms,
        "counts": {s: report.count(s) for s in SEVERITIES},
        "prefixes": dict(PREFIXES),
        "results": [asdict(r) for r in report.results],
    }


# ---------------------------------------------------------------------------------------------
# Result context: labels, passages, pages, paths
# ---------------------------------------------------------------------------------------------


def compact(node: Node) -> str:
    """An IRI as prefix:local when a known prefix covers it, else the IRI itself."""
    s = str(node)
    for prefix, ns in PREFIXES.items():
        if s.startswith(ns) and s[len(ns) :].replace("-", "_").replace(".", "_").isidentifier():
            return f"{prefix}:{s[len(ns) :]}"
    return s if isinstance(node, BNode) else f"<{s}>"


def render_path(g: Graph, path: Node) -> str:
    """A SHACL path as a SPARQL 1.1 property path (prefixed names, see PREFIXES)."""
    if isinstance(path, URIRef):
        return compact(path)
    if (path, RDF.first, None) in g:
        return "/".join(_path_part(g, p) for p in Collection(g, path))
    inverse = g.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _path_part(g, inverse)
    alternatives = g.value(path, SH.alternativePath)
    if alternatives is not None:
        return "|".join(_path_part(g, p) for p in Collection(g, alternatives))
    for prop, op in (
        (SH.zeroOrMorePath, "*"),
        (SH.oneOrMorePath, "+"),
        (SH.zeroOrOnePath, "?"),
    ):
        inner = g.value(path, prop)
        if inner is not None:
            return _path_part(g, inner) + op
    return str(path)


def _path_part(g: Graph, p: Node) -> str:
    text = render_path(g, p)
    return text if isinstance(p, URIRef) or text.startswith("^") else f"({text})"


def _lang_pick(values: Iterable[Node]) -> str | None:
    lits = [v for v in values if isinstance(v, Literal)]
    for lang in ("en", "zh", None):
        for v in sorted(lits, key=str):
            if v.language == lang:
                return str(v)
    return str(sorted(lits, key=str)[0]) if lits else None


def _preview(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _TEXT_PREVIEW else text[: _TEXT_PREVIEW - 1] + "…"


class _Context:
    """Looks up, for a result, its focus label, passage and page in the validated graph."""

    def __init__(self, data: Graph, shapes: Graph) -> None:
        self.g = data
        self.shapes = shapes

    def result(self, rg: Graph, node: Node) -> Result:
        return self.ranked(rg, node)[0]

    def ranked(self, rg: Graph, node: Node) -> tuple[Result, tuple]:
        """The result and a rank of the passage chosen for it: when the same result comes from
        several report graphs, the merge keeps the one whose passage validating them all at once
        would have chosen (see _first_passage)."""
        focus = rg.value(node, SH.focusNode)
        shape = rg.value(node, SH.sourceShape)
        path = rg.value(node, SH.resultPath)
        value = rg.value(node, SH.value)
        severity = str(rg.value(node, SH.resultSeverity)).rsplit("#", 1)[-1]
        message = rg.value(node, SH.resultMessage)
        if message is None:
            message = _lang_pick(self.shapes.objects(shape, SH.message))
        passage = self.passage_of(focus, shape, path, value)
        rank = (
            (0, _int(self.g.value(passage, CKG.sequence)) or 0, str(passage))
            if passage is not None
            else (1, 0, "")
        )
        return Result(
            severity=severity,
            shape=str(shape),
            component=compact(rg.value(node, SH.sourceConstraintComponent)),
            focus=self.node_id(focus),
            focus_label=self.label(focus),
            path=render_path(rg, path) if path is not None else None,
            value=self.node_id(value) if value is not None else None,
            message=str(message or ""),
            passage_text=self.text_of(passage),
            page=self.page_of(focus, passage),
        ), rank

    def text_of(self, passage: Node | None) -> str | None:
        text = self.g.value(passage, CKG.text) if passage is not None else None
        return str(text) if text is not None else None

    @staticmethod
    def node_id(node: Node) -> str:
        return f"_:{node}" if isinstance(node, BNode) else str(node)

    def types(self, node: Node) -> set[Node]:
        return set(self.g.objects(node, RDF.type))

    def label(self, node: Node, depth: int = 0) -> str:
        g = self.g
        if isinstance(node, Literal):
            return str(node)
        picked = _lang_pick(g.objects(node, RDFS.label)) or _lang_pick(
            g.objects(node, DCTERMS.title)
        )
        if picked:
            return picked
        types = self.types(node)
        if depth < 2:
            if CKG.Claim in types:
                s = g.value(node, CKG.claimSubject)
                p = g.value(node, CKG.claimPredicate)
                o = g.value(node, CKG.claimObject) or g.value(node, CKG.claimValue)
                parts = [
                    self.label(s, depth + 1) if s is not None else "?",
                    compact(p) if p is not None else "?",
                    self.label(o, depth + 1) if o is not None else "?",
                ]
                return "claim: " + " ".join(parts)
            if CKG.Passage in types and g.value(node, CKG.text) is not None:
                return _preview(str(g.value(node, CKG.text)))
            owner = g.value(predicate=OA.hasSelector, object=node) or g.value(
                predicate=PROV.qualifiedDerivation, object=node
            )
            if owner is not None:
                kind = "citation" if CKG.Citation in types else "selector"
                return f"{kind} of {self.label(owner, depth + 1)}"
            if CKG.MonetaryAmount in types:
                value, currency = g.value(node, SDO.value), g.value(node, SDO.currency)
                return f"amount {value if value is not None else '?'} {currency or '?'}"
        return self.node_id(node)

    def passage_of(self, focus: Node, shape: Node, path: Node | None, value: Node | None):
        g = self.g
        types = self.types(focus)
        if CKG.Passage in types:
            return focus
        if CKG.Claim in types:
            return g.value(focus, CKG.statedIn)
        if CKG.Marker in types:
            return g.value(focus, CKG.inPassage)
        for prop in (OA.hasSelector, PROV.qualifiedDerivation):
            owner = g.value(predicate=prop, object=focus)
            if owner is not None:
                return owner if CKG.Passage in self.types(owner) else g.value(owner, CKG.inPassage)
        if CKG.MonetaryAmount in types:
            amount, seen = focus, set()
            while amount not in seen:  # up the chain of stated conversions to the claim
                seen.add(amount)
                claim = g.value(predicate=CKG.amount, object=amount)
                if claim is not None:
                    return g.value(claim, CKG.statedIn)
                amount = g.value(predicate=CKG.statedConversion, object=amount) or amount
            return None
        if CKG.Source in types:
            return self._first_passage(
                p
                for c in g.subjects(PROV.entity, focus)
                for p in g.subjects(PROV.qualifiedDerivation, c)
            )
        # an entity: the passage of a claim that states the relation the result is about
        predicate = (
            path if isinstance(path, URIRef) else self.shapes.value(shape, SH.targetSubjectsOf)
        )
        claims = [
            c
            for c in g.subjects(CKG.claimSubject, focus)
            if predicate is None or (c, CKG.claimPredicate, predicate) in g
        ]
        if value is not None and claims:
            matching = [
                c
                for c in claims
                if (c, CKG.claimObject, value) in g or (c, CKG.claimValue, value) in g
            ]
            claims = matching or claims
        if claims:
            return self._first_passage(g.value(c, CKG.statedIn) for c in claims)
        # otherwise the first passage that mentions it, so that an analyst can recognise it
        return self._first_passage(g.subjects(CKG.mentions, focus))

    def _first_passage(self, passages: Iterable[Node | None]):
        found = [p for p in passages if p is not None]
        if not found:
            return None
        return min(found, key=lambda p: (_int(self.g.value(p, CKG.sequence)) or 0, str(p)))

    def page_of(self, focus: Node, passage: Node | None) -> int | None:
        g = self.g
        for node in (passage, focus):
            if node is None:
                continue
            page = g.value(node, CKG.onPage)
            for number in (
                g.value(node, CKG.pageNumber),
                g.value(page, CKG.pageNumber) if page is not None else None,
            ):
                if number is not None and _int(number) is not None:
                    return _int(number)
        return None


def _int(node: Node | None) -> int | None:
    try:
        return int(node) if node is not None else None
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------------------------------------
# A whole corpus: one report graph at a time, in parallel processes
# ---------------------------------------------------------------------------------------------
#
# pySHACL holds its data graph in memory (about 1 GB per 10^5 claims), so a corpus is validated
# report graph by report graph, each with the part of the reference entities it needs, in up to
# one worker process per core; the results are merged into one report. What a report graph needs
# from elsewhere, and how each case is kept exact:
#
# * reference entities: the entities the report names, and everything they point at through the
#   entity graph (country, broader, locatedIn, operates …), closed transitively, so every shape
#   that starts at one of them sees all it would see in the whole graph. The entity graph on its
#   own is validated once more (entities no report names).
# * nodes several report graphs describe (sources, people, extraction runs): each report states
#   them in full, and they are normally identical. When they differ, the reports that describe
#   such a node are validated together as well, and the results about that node are kept from
#   that joint run (e.g. two publisher kinds for one source: a maxCount violation no single report
#   shows).
# * a result found in several report graphs (an entity's, a shared source's) is kept once, with
#   the passage that validating everything at once would have picked (the first one in reading
#   order).
#
# Checks within one report graph (a source must be cited by a footnote of the report that
# declares it; a claim's direct triple must be in its own report) are the per-report semantics
# `chipkg validate` has always had.

ENTITY_PREFIX = str(ID["entity/"])
REPORT_PREFIX = str(ID["report/"])
_LINK_FREE = {RDFS.label, SKOS.altLabel, CKG.wikidata, RDF.type, SKOS.inScheme}


@dataclass(frozen=True)
class _Job:
    rid: str
    triples: tuple  # the report graph (or graphs) with its entity closure (pickled to a worker)
    text: str | None
    keep_focus: frozenset[str] | None = None  # only results about these nodes (joint runs)


_WORKER_SHAPES: dict = {}


def _run_job(job: _Job) -> list[tuple[Result, tuple]]:
    data = _PreparedQueryGraph()
    data.addN((s, p, o, data) for s, p, o in job.triples)
    out = _validate_ranked(data, job.text, _WORKER_SHAPES.get("dir"), in_place=True)
    if job.keep_focus is not None:
        out = [(r, k) for r, k in out if r.focus in job.keep_focus]
    return out


def _init_worker(shapes_dir: Path | None) -> None:
    _WORKER_SHAPES["dir"] = shapes_dir


def _ntriples(triples: Iterable[tuple[Node, Node, Node]]) -> bytes:
    from rdflib.plugins.serializers.nt import _nt_row

    return "".join(sorted(_nt_row(t) for t in triples)).encode("utf-8")


def entity_closure(entities: Graph, seeds: Iterable[Node]) -> set[Node]:
    """The entities named in ``seeds`` and every entity they reach through the entity graph."""
    todo = [s for s in seeds if isinstance(s, URIRef) and str(s).startswith(ENTITY_PREFIX)]
    seen = set(todo)
    while todo:
        node = todo.pop()
        for p, o in entities.predicate_objects(node):
            if p in _LINK_FREE or not isinstance(o, URIRef) or o in seen:
                continue
            if str(o).startswith(ENTITY_PREFIX):
                seen.add(o)
                todo.append(o)
    return seen


def _shared_subject(node: Node, rid: str) -> bool:
    """A subject that other report graphs may describe too (not minted from this report's id,
    not a reference entity, whose relations are checked one value at a time)."""
    s = str(node)
    return not (
        s.startswith(str(ID[f"{rid}/"]))
        or s == REPORT_PREFIX + rid
        or s.startswith(ENTITY_PREFIX)
        or isinstance(node, BNode)
    )


def merge_results(parts: Iterable[list[tuple[Result, tuple]]]) -> ValidationReport:
    """One report from the results of several runs: each result once (by severity and stable
    key), with the passage of the lowest rank."""
    best: dict[tuple, tuple[Result, tuple]] = {}
    for part in parts:
        for result, rank in part:
            key = (result.severity, *result.key())
            if key not in best or rank < best[key][1]:
                best[key] = (result, rank)
    return _report(r for r, _ in best.values())


def validate_corpus(
    reports: Callable[[], Iterable[tuple[str, Graph]]],
    entities: Graph,
    *,
    texts: Callable[[str], str | None] | None = None,
    workers: int | None = None,
    shapes_dir: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> ValidationReport:
    """Validate many report graphs with the reference entities, one report at a time in up to
    ``workers`` processes (default: one per core), and merge the results into one report.

    ``reports()`` gives (report id, graph) pairs, lazily: it is called once, and once more only
    if report graphs describe a shared node differently. ``texts(report id)`` gives a report's
    text (for the text shapes) or None; ``progress(n)`` is called after each finished report.
    Memory stays bounded by a few report graphs per worker."""
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    workers = max(1, min(workers or os.cpu_count() or 1, 32))
    described: dict[Node, dict[str, set[str]]] = {}  # shared subject -> digest -> report ids
    parts: list[list[tuple[Result, tuple]]] = []
    done = 0

    def job(rid: str, g: Graph, text: str | None, keep: frozenset[str] | None = None) -> _Job:
        closure = entity_closure(entities, (n for t in g for n in (t[0], t[2])))
        ents = [t for n in closure for t in entities.triples((n, None, None))]
        return _Job(rid, (*g, *ents), text, keep)

    def jobs() -> Iterator[_Job]:
        yield _Job("(entities)", tuple(entities), None)
        for rid, g in reports():
            subjects: dict[Node, list] = {}
            for t in g:
                if _shared_subject(t[0], rid):
                    subjects.setdefault(t[0], []).append(t)
            for node, ts in subjects.items():
                digest = hashlib.sha1(_ntriples(ts)).hexdigest()
                described.setdefault(node, {}).setdefault(digest, set()).add(rid)
            yield job(rid, g, texts(rid) if texts else None)

    def collect(futures) -> None:
        nonlocal done
        for f in futures:
            parts.append(f.result())
            done += 1
            if progress:
                progress(done)

    ctx = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    # A forked worker inherits the parent's heap; without this, its garbage collector walks (and
    # copies, page by page) every inherited object on each full collection: twice as slow.
    gc.freeze()
    with ProcessPoolExecutor(
        workers, mp_context=ctx, initializer=_init_worker, initargs=(shapes_dir,)
    ) as pool:
        pending: set = set()
        for j in jobs():
            pending.add(pool.submit(_run_job, j))
            if len(pending) >= 2 * workers:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                collect(finished)
        collect(pending)
        # shared nodes that report graphs describe differently: validate those reports together
        conflicts = {n: ds for n, ds in described.items() if len(ds) > 1}
        if conflicts:
            involved = {r for ds in conflicts.values() for rs in ds.values() for r in rs}
            joint = Graph()
            for rid, g in reports():
                if rid in involved:
                    joint += g
            focus = frozenset(str(n) for n in conflicts)
            # the per-report results about those nodes are replaced by the joint run's
            for part in parts:
                part[:] = [(r, k) for r, k in part if r.focus not in focus]
            parts.append(pool.submit(_run_job, job("(shared)", joint, None, focus)).result())
    gc.unfreeze()
    return merge_results(parts)


def dataset_reports(data: Dataset) -> tuple[Callable[[], Iterator[tuple[str, Graph]]], Graph]:
    """The report graphs of an rdflib dataset (a factory of lazy iterators, for
    validate_corpus) and its reference-entities graph."""
    entities = Graph()
    entities += data.graph(ENTITIES_GRAPH)

    def each() -> Iterator[tuple[str, Graph]]:
        for g in sorted(data.graphs(), key=lambda g: str(g.identifier)):
            gid = str(g.identifier)
            if g.identifier in (ONTOLOGY_GRAPH, ENTITIES_GRAPH) or not len(g):
                continue
            if gid.startswith(str(ID["graph/"])):
                yield gid.rsplit("/", 1)[-1], g

    return each, entities


def validate_reports(
    items: Iterable[tuple[str, Graph, str | None]],
    *,
    workers: int | None = None,
    shapes_dir: Path | None = None,
) -> dict[str, ValidationReport]:
    """``validate_graph`` on each (report id, graph, report text), in up to ``workers`` processes
    (default: one per core) when there are several: the same per-report reports, in input order,
    as calling it on each in turn. ``chipkg validate`` and ``chipkg build`` use this."""
    from concurrent.futures import ProcessPoolExecutor

    items = list(items)
    workers = max(1, min(workers or os.cpu_count() or 1, len(items), 32))
    if workers == 1:
        return {
            rid: validate_graph(g, report_text=text, shapes_dir=shapes_dir)
            for rid, g, text in items
        }
    ctx = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    gc.freeze()  # see validate_corpus
    try:
        with ProcessPoolExecutor(
            workers, mp_context=ctx, initializer=_init_worker, initargs=(shapes_dir,)
        ) as pool:
            futures = [pool.submit(_run_job, _Job(rid, tuple(g), text)) for rid, g, text in items]
            return {
                rid: _report(r for r, _rank in f.result())
                for (rid, _g, _t), f in zip(items, futures, strict=True)
            }
    finally:
        gc.unfreeze()


def store_reports(store) -> tuple[Callable[[], Iterator[tuple[str, Graph]]], Graph]:
    """The report graphs of a pyoxigraph Store (one at a time, lazily, as rdflib graphs) and its
    reference-entities graph: a corpus larger than memory is read one report at a time.

    Oxigraph normalises literals when it stores them (oxigraph issue #526): a derived integer type
    such as ``"5"^^xsd:nonNegativeInteger`` comes back as ``"5"^^xsd:integer``, valid or not.
    Read as is, every selector offset would break its ``sh:datatype`` constraint. So an
    ``xsd:integer`` value of a property whose shapes require a type derived from xsd:integer
    (see ``_declared_integer_types``) is read back as that type; its value is still checked
    (``"-5"`` is not a valid xsd:nonNegativeInteger). What a store cannot tell is whether the
    source file typed it xsd:integer: validate the N-Quads or TriG file (``nquads_reports``,
    ``report_graphs``) to check that too."""
    import pyoxigraph as ox

    declared = _declared_integer_types()

    def to_graph(quads) -> Graph:
        g = Graph()
        for q in quads:
            p = URIRef(q.predicate.value)
            o = _rdflib(q.object)
            if (
                p in declared
                and isinstance(o, Literal)
                and o.datatype == XSD.integer
                and not o.language
            ):
                o = Literal(str(o), datatype=declared[p])
            g.add((_rdflib(q.subject), p, o))
        return g

    entities = to_graph(
        store.quads_for_pattern(None, None, None, ox.NamedNode(str(ENTITIES_GRAPH)))
    )
    names = sorted(str(n.value) for n in store.named_graphs() if isinstance(n, ox.NamedNode))

    def each() -> Iterator[tuple[str, Graph]]:
        for name in names:
            if name in (str(ONTOLOGY_GRAPH), str(ENTITIES_GRAPH)) or not name.startswith(
                str(ID["graph/"])
            ):
                continue
            g = to_graph(store.quads_for_pattern(None, None, None, ox.NamedNode(name)))
            if len(g):
                yield name.rsplit("/", 1)[-1], g

    return each, entities


def _rdflib(term) -> Node:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    dt = term.datatype.value
    if dt == str(XSD.string):
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(dt))


# the types Oxigraph stores as xsd:integer (derived from it by restriction)
_INTEGER_DERIVED = {
    XSD[t]
    for t in [
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "long",
        "int",
        "short",
        "byte",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    ]
}


@cache
def _declared_integer_types(shapes_dir: Path | None = None) -> dict[URIRef, URIRef]:
    """Property -> the integer-derived datatype the shapes require of its values (sh:path an IRI,
    sh:datatype one of _INTEGER_DERIVED); a property the shapes give several such types is left
    out (the store's xsd:integer could be either)."""
    shapes = load_shapes(shapes_dir)
    found: dict[URIRef, set[URIRef]] = {}
    for shape, dtype in shapes.subject_objects(SH.datatype):
        path = shapes.value(shape, SH.path)
        if isinstance(path, URIRef) and dtype in _INTEGER_DERIVED:
            found.setdefault(path, set()).add(dtype)
    return {p: ts.pop() for p, ts in found.items() if len(ts) == 1}


def nquads_reports(path: Path) -> tuple[Callable[[], Iterator[tuple[str, Graph]]], Graph]:
    """The report graphs of an N-Quads file whose graphs are contiguous (as ``chipkg bench``
    writes them), read one at a time with pyoxigraph's parser, which keeps every literal exactly
    as written (no store in between: see store_reports), and its reference-entities graph."""
    import pyoxigraph as ox

    if not path.exists():
        raise ChipkgError("N-Quads file not found", path=path, hint="generate the corpus first")

    def graphs() -> Iterator[tuple[str, Graph]]:
        current, g, seen = None, Graph(), set()
        try:
            for q in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS):
                name = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
                if name != current:
                    if current is not None:
                        yield current, g
                    if name in seen:
                        raise ChipkgError(
                            f"graph <{name}> is split in several runs of lines",
                            path=path,
                            hint="write each named graph's quads together (sort by graph)",
                        )
                    seen.add(name)
                    current, g = name, Graph()
                g.add((_rdflib(q.subject), _rdflib(q.predicate), _rdflib(q.object)))
        except SyntaxError as exc:
            raise ChipkgError(f"cannot parse the corpus: {exc}", path=path) from None
        if current is not None:
            yield current, g

    entities = Graph()
    for name, g in graphs():
        if name == str(ENTITIES_GRAPH):
            entities = g
            break

    def each() -> Iterator[tuple[str, Graph]]:
        for name, g in graphs():
            if name in (str(ONTOLOGY_GRAPH), str(ENTITIES_GRAPH)) or not name.startswith(
                str(ID["graph/"])
            ):
                continue
            if len(g):
                yield name.rsplit("/", 1)[-1], g

    return each, entities
