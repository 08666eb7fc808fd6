"""Write built graphs to disk (atomically) and open them for querying.

Layout of ``graph/build/``:

* ``reports/NAME.ttl`` — one report's named graph as Turtle (the unit that is rebuilt/replaced);
* ``chipkg.trig`` — the dataset: every report graph as a named graph, plus the ontology in
  ``id:graph/ontology``;
* ``manifest.json`` — per report: source checksum, graph IRI, triple count.

Queries run through an in-memory Oxigraph store loaded from the TriG file (rdflib's SPARQL engine
is far slower on aggregates; see docs/decisions.md).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.term import Node

from chipkg.errors import ChipkgError
from chipkg.resources import ontology_dir
from chipkg.vocab import ID

DATASET_FILE = "chipkg.trig"
MANIFEST_FILE = "manifest.json"
REPORTS_DIR = "reports"
ONTOLOGY_GRAPH = ID["graph/ontology"]
ENTITIES_GRAPH = ID["graph/entities"]


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary file in the target folder, then rename over the target."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o644)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


PREFIXES = {
    "ckg": "https://w3id.org/chipkg/ontology#",
    "oa": "http://www.w3.org/ns/oa#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "schema": "https://schema.org/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def _ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def _key(q: ox.Triple | ox.Quad) -> tuple[str, ...]:
    graph = str(q.graph_name) if isinstance(q, ox.Quad) else ""
    return (graph, str(q.subject), str(q.predicate), str(q.object))


def report_turtle(g: Graph) -> bytes:
    """Turtle of one graph, triples sorted: the same graph always gives the same bytes."""
    triples = sorted((ox.Triple(_ox(s), _ox(p), _ox(o)) for s, p, o in g), key=_key)
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)


def _ontology_quads() -> list[ox.Quad]:
    # Blank nodes (OWL lists) get canonical labels so that the output stays byte-identical.
    onto = to_canonical_graph(Graph().parse(ontology_dir() / "chipkg.ttl", format="turtle"))
    name = ox.NamedNode(str(ONTOLOGY_GRAPH))
    return [ox.Quad(_ox(s), _ox(p), _ox(o), name) for s, p, o in onto]


def write_outputs(
    build_dir: Path, built: dict[str, tuple[Graph, dict]], entities: Graph | None = None
) -> None:
    """Write each newly built report graph, then re-assemble the dataset and the manifest from
    every report graph present. Every file is replaced atomically; the dataset is written last,
    so a crash leaves the previous dataset intact."""
    reports_dir = build_dir / REPORTS_DIR
    manifest = read_manifest(build_dir)
    for rid, (graph, info) in built.items():
        atomic_write(reports_dir / f"{rid}.ttl", report_turtle(graph))
        manifest[rid] = info
    # The ontology travels with the data, so labels of classes and publisher kinds can be queried
    # and the file is self-contained for other triple stores.
    quads = _ontology_quads()
    if entities is not None:  # reference entities, shared by all reports
        name = ox.NamedNode(str(ENTITIES_GRAPH))
        quads += [ox.Quad(_ox(s), _ox(p), _ox(o), name) for s, p, o in entities]
    for ttl in sorted(reports_dir.glob("*.ttl")):
        name = ox.NamedNode(str(ID[f"graph/{ttl.stem}"]))
        for t in ox.parse(path=str(ttl), format=ox.RdfFormat.TURTLE):
            quads.append(ox.Quad(t.subject, t.predicate, t.object, name))
    quads.sort(key=_key)
    data = ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=PREFIXES)
    manifest = {k: v for k, v in sorted(manifest.items()) if (reports_dir / f"{k}.ttl").exists()}
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    atomic_write(build_dir / MANIFEST_FILE, text.encode("utf-8"))
    atomic_write(build_dir / DATASET_FILE, data)


def read_manifest(build_dir: Path) -> dict:
    path = build_dir / MANIFEST_FILE
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ChipkgError(
            f"build manifest is damaged: {exc.msg}",
            path=path,
            line=exc.lineno,
            hint="rebuild with 'chipkg build'",
        ) from None


def dataset_path(build_dir: Path) -> Path:
    return build_dir / DATASET_FILE


def open_store(path: Path) -> ox.Store:
    """Load a built dataset (TriG) or a single graph (Turtle) into an in-memory Oxigraph store."""
    if path.is_dir():
        path = dataset_path(path)
    if not path.exists():
        raise ChipkgError("no built graph here", path=path, hint="run 'chipkg build' first")
    fmt = ox.RdfFormat.TRIG if path.suffix == ".trig" else ox.RdfFormat.TURTLE
    store = ox.Store()
    try:
        store.bulk_load(path=str(path), format=fmt)
    except (SyntaxError, ValueError, OSError) as exc:
        raise ChipkgError(
            f"cannot read the built graph: {exc}", path=path, hint="rebuild with 'chipkg build'"
        ) from None
    return store
