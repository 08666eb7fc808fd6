"""Readers that give report graphs one at a time as rdflib graphs (for validate_corpus and for
callers that want rdflib): from an rdflib dataset, from a pyoxigraph Store, from an N-Quads file;
and the entity closure a report graph needs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from chipkg.check.validation.loading import (
    ENTITIES_GRAPH,
    ONTOLOGY_GRAPH,
    REPORT_GRAPH_PREFIX,
    load_shapes,
)
from chipkg.check.validation.terms import INTEGER_FAMILY
from chipkg.check.validation.terms import to_rdflib as _rdflib
from chipkg.errors import ChipkgError
from chipkg.graph.vocab import CKG, ID, RDF, RDFS, SKOS, XSD

ENTITY_PREFIX = str(ID["entity/"])
_LINK_FREE = {RDFS.label, SKOS.altLabel, CKG.wikidata, RDF.type, SKOS.inScheme}


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
            if gid.startswith(REPORT_GRAPH_PREFIX):
                yield gid.rsplit("/", 1)[-1], g

    return each, entities


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
                REPORT_GRAPH_PREFIX
            ):
                continue
            g = to_graph(store.quads_for_pattern(None, None, None, ox.NamedNode(name)))
            if len(g):
                yield name.rsplit("/", 1)[-1], g

    return each, entities


# the types Oxigraph stores as xsd:integer (derived from it by restriction)
_INTEGER_DERIVED = {XSD[t] for t in INTEGER_FAMILY if t != "integer"}


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
                REPORT_GRAPH_PREFIX
            ):
                continue
            if len(g):
                yield name.rsplit("/", 1)[-1], g

    return each, entities
