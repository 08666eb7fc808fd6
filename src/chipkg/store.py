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
from rdflib import Dataset, Graph
from rdflib.compare import to_canonical_graph

from chipkg.errors import ChipkgError
from chipkg.resources import ontology_dir
from chipkg.vocab import ID

DATASET_FILE = "chipkg.trig"
MANIFEST_FILE = "manifest.json"
REPORTS_DIR = "reports"
ONTOLOGY_GRAPH = ID["graph/ontology"]


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


def _bind(g: Graph | Dataset) -> None:
    from chipkg.vocab import CKG, DCTERMS, OA, PROV, RDFS, SDO, SKOS, XSD

    for prefix, ns in {
        "ckg": CKG._NS,
        "id": ID,
        "oa": OA,
        "prov": PROV,
        "dcterms": DCTERMS,
        "rdfs": RDFS,
        "skos": SKOS,
        "schema": SDO,
        "xsd": XSD,
    }.items():
        g.bind(prefix, ns, override=True)


def report_turtle(g: Graph) -> bytes:
    out = Graph()
    _bind(out)
    for t in g:
        out.add(t)
    return out.serialize(format="turtle", encoding="utf-8")


def write_outputs(build_dir: Path, built: dict[str, tuple[Graph, dict]]) -> None:
    """Write each newly built report graph, then re-assemble the dataset and the manifest from
    every report graph present. Every file is replaced atomically; the dataset is written last,
    so a crash leaves the previous dataset intact."""
    reports_dir = build_dir / REPORTS_DIR
    manifest = read_manifest(build_dir)
    payloads = {rid: report_turtle(g) for rid, (g, _) in built.items()}
    for rid, data in payloads.items():
        atomic_write(reports_dir / f"{rid}.ttl", data)
        manifest[rid] = built[rid][1]
    ds = Dataset()
    _bind(ds)
    # The ontology travels with the data, so labels of classes and publisher kinds can be queried
    # and the file is self-contained for other triple stores.
    # Blank nodes (OWL lists) get canonical labels so that the output stays byte-identical.
    onto = to_canonical_graph(Graph().parse(ontology_dir() / "chipkg.ttl", format="turtle"))
    og = ds.graph(ONTOLOGY_GRAPH)
    for t in onto:
        og.add(t)
    for ttl in sorted(reports_dir.glob("*.ttl")):
        rid = ttl.stem
        gi = ds.graph(ID[f"graph/{rid}"])
        gi.parse(data=payloads[rid] if rid in payloads else ttl.read_bytes(), format="turtle")
    data = ds.serialize(format="trig", encoding="utf-8")
    manifest = {k: v for k, v in sorted(manifest.items()) if (reports_dir / f"{k}.ttl").exists()}
    atomic_write(
        build_dir / MANIFEST_FILE,
        (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode(),
    )
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
