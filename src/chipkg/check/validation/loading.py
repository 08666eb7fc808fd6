"""Reading what is validated: graph files (.ttl, .nt, .trig, .nq) with errors that name the file
and line, the report graphs of a build, the shapes, and the ontology.

A TriG or N-Quads file may hold triples outside the report graphs (its default graph, or a named
graph that is neither a report's nor the reference entities'): those are not validated, and
``report_graphs`` says so in ``skipped`` instead of dropping them silently."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.exceptions import ParserError
from rdflib.namespace import SH
from rdflib.plugins.parsers.notation3 import BadSyntax

from chipkg import resources
from chipkg.check.validation import memory
from chipkg.check.validation.model import CKGSH, PREFIXES
from chipkg.errors import ChipkgError
from chipkg.graph.vocab import CKG, ID, RDF, RDFS, XSD

ONTOLOGY_GRAPH = ID["graph/ontology"]
ENTITIES_GRAPH = ID["graph/entities"]
REPORT_GRAPH_PREFIX = str(ID["graph/"])
# runtime-activated shapes (see shapes/provenance.ttl)
CHECKSUM_SHAPE = URIRef(CKGSH + "ReportTextChecksum-sha256")
BOUNDS_SHAPE = URIRef(CKGSH + "SelectorWithinReportText-end")

_FORMATS = {".ttl": "turtle", ".nt": "nt", ".trig": "trig", ".nq": "nquads"}


def parse_error(path: Path, exc: Exception) -> ChipkgError:
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


def read(path: Path) -> Dataset | Graph:
    """A graph file as rdflib data, after checking that it fits in memory."""
    if not path.exists():
        raise ChipkgError("graph file not found", path=path, hint="run `chipkg build` first")
    fmt = _FORMATS.get(path.suffix)
    if fmt is None:
        raise ChipkgError(
            f"unknown graph format {path.suffix!r}",
            path=path,
            hint="give a .trig dataset or a .ttl/.nt graph",
        )
    memory.check_rdflib_parse(path)
    target: Dataset | Graph = Dataset() if fmt in ("trig", "nquads") else Graph()
    try:
        target.parse(path, format=fmt)
    except (BadSyntax, ParserError, ValueError, UnicodeDecodeError) as exc:
        raise parse_error(path, exc) from None
    return target


def load_graph(path: Path) -> Graph:
    """One graph file (.ttl, .nt) as an rdflib graph; a dataset (.trig, .nq) merged into one
    graph without its ontology graph. Unparseable input raises ChipkgError with path and line."""
    data = read(path)
    if isinstance(data, Graph) and not isinstance(data, Dataset):
        return data
    merged = Graph()
    for g in data.graphs():
        if g.identifier != ONTOLOGY_GRAPH:
            merged += g
    return merged


def report_graphs(path: Path, skipped: list[str] | None = None) -> dict[str, Graph]:
    """The report graphs of a built dataset (a build folder or its chipkg.trig), each merged with
    the reference-entities graph: what validate_graph and reason expect, one report at a time.
    Keys are report ids. A single graph file (build/reports/NAME.ttl) is returned under its file
    stem, merged with the entities graph of build/chipkg.trig when that file exists.

    Triples that are in no report graph (the dataset's default graph, a named graph outside
    ``id:graph/``) are not validated; ``skipped`` receives one line for each such graph."""
    if path.is_dir():
        path = path / "chipkg.trig"
    data = read(path)
    if not isinstance(data, Dataset):
        dataset = path.parent.parent / "chipkg.trig"
        if path.parent.name == "reports" and dataset.exists():
            data += read(dataset).graph(ENTITIES_GRAPH)
        return {path.stem: data}
    entities = data.graph(ENTITIES_GRAPH)
    out: dict[str, Graph] = {}
    for g in sorted(data.graphs(), key=lambda g: str(g.identifier)):
        gid = str(g.identifier)
        if g.identifier in (ONTOLOGY_GRAPH, ENTITIES_GRAPH) or not len(g):
            continue
        if not gid.startswith(REPORT_GRAPH_PREFIX):
            if skipped is not None:
                skipped.append(_skipped_line(path, g))
            continue
        merged = Graph()
        merged += g
        merged += entities
        out[gid.rsplit("/", 1)[-1]] = merged
    return out


def _skipped_line(path: Path, g: Graph) -> str:
    where = (
        "the default graph"
        if g.identifier == Dataset().default_graph.identifier
        else f"graph <{g.identifier}>"
    )
    return (
        f"{path}: {len(g)} triple(s) in {where} are not validated (not a report graph) — "
        f"put them in a named graph <{REPORT_GRAPH_PREFIX}NAME> to validate them"
    )


def report_source_file(data: Graph) -> str | None:
    """The file name (``ckg:sourceFile``) of the one report in ``data``, to find the text to pass
    as ``report_text``; None if there is no report or more than one."""
    files = {
        str(f) for r in data.subjects(RDF.type, CKG.Report) for f in data.objects(r, CKG.sourceFile)
    }
    return files.pop() if len(files) == 1 else None


@cache
def ontology() -> Graph:
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
            raise parse_error(f, exc) from None
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


def shape_subclasses(shapes: Graph) -> list[tuple]:
    """The validation-only rdfs:subClassOf triples the shapes declare (ckgsh:ReferenceEntity):
    added to every data graph so that sh:targetClass and sh:class see them."""
    return [(s, RDFS.subClassOf, o) for s, o in shapes.subject_objects(RDFS.subClassOf)]


def text_parameters(report_text: str) -> tuple[Literal, Literal]:
    """(SHA-256 of the text, its length in code points): the values the two text shapes take."""
    digest = hashlib.sha256(report_text.encode("utf-8")).hexdigest()
    return Literal(digest), Literal(len(report_text), datatype=XSD.integer)


def activate_text_shapes(shapes: Graph, data: Graph, report_text: str) -> None:
    """Switch the checksum and text-bounds shapes on for this text (pySHACL's shapes graph)."""
    reports = set(data.subjects(RDF.type, CKG.Report))
    if len(reports) > 1:
        raise ChipkgError(
            f"the graph holds {len(reports)} reports but one report text was given",
            hint="validate one report graph at a time (see chipkg.check.validate.report_graphs)",
        )
    digest, length = text_parameters(report_text)
    shapes.remove((CHECKSUM_SHAPE, SH.deactivated, None))
    shapes.set((CHECKSUM_SHAPE, SH.hasValue, digest))
    shapes.remove((BOUNDS_SHAPE, SH.deactivated, None))
    shapes.set((BOUNDS_SHAPE, SH.maxInclusive, length))
