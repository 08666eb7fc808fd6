"""Write built graphs to disk (atomically) and open them for querying.

Layout of ``graph/build/``:

* ``reports/NAME.ttl`` — one report's named graph as Turtle (the unit that is rebuilt/replaced);
* ``chipkg.trig`` — the dataset: every report graph as a named graph, plus the ontology in
  ``id:graph/ontology``;
* ``manifest.json`` — per report: source checksum, graph IRI, triple count;
* ``store/`` — the same dataset in an embedded on-disk Oxigraph store, where queries and analyses
  run (rdflib's SPARQL engine is far slower on aggregates; see docs/decisions.md and
  docs/serving.md). A rebuilt report replaces only its own named graph there. The store also
  holds the summary graph ``id:summary`` (``chipkg.graph.summary_graph``): totals and row
  selections computed from the report graphs whenever the store changes, which the library
  queries read instead of aggregating every claim on each run.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.term import Node

from chipkg.errors import ChipkgError
from chipkg.graph import summary_graph
from chipkg.graph.summary_graph import SUMMARY_GRAPH
from chipkg.graph.vocab import ID
from chipkg.resources import ontology_dir

DATASET_FILE = "chipkg.trig"
MANIFEST_FILE = "manifest.json"
REPORTS_DIR = "reports"
ONTOLOGY_GRAPH = ID["graph/ontology"]
ENTITIES_GRAPH = ID["graph/entities"]
STORE_DIR = "store"
STATE_FILE = "CURRENT.json"
# 2: every generation holds the summary graph (a format-1 store is loaded afresh by the next build)
STORE_FORMAT = 2
# Files a later stage writes into the build folder whose named graphs the store holds next to the
# dataset's, though chipkg.trig does not (they change without a build): the verdicts of
# `chipkg verify`, so `chipkg query unsupported-claims` and `chipkg serve` see them.
SIDE_FILES = ("verification.trig",)
LOCK_FILE = ".lock"


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
    path = ontology_dir() / "chipkg.ttl"
    stat = path.stat()
    return list(_ontology_quads_of(str(path), stat.st_mtime_ns, stat.st_size))


@lru_cache(maxsize=4)
def _ontology_quads_of(path: str, mtime_ns: int, size: int) -> tuple[ox.Quad, ...]:
    """The ontology's quads, parsed once per version of the file (canonicalising its blank nodes
    is most of a small build's time; mtime and size are in the key so an edited file is read
    again)."""
    # Blank nodes (OWL lists) get canonical labels so that the output stays byte-identical.
    onto = to_canonical_graph(Graph().parse(path, format="turtle"))
    name = ox.NamedNode(str(ONTOLOGY_GRAPH))
    return tuple(ox.Quad(_ox(s), _ox(p), _ox(o), name) for s, p, o in onto)


def _report_quads(reports_dir: Path, rid: str, turtle: bytes | None = None) -> list[ox.Quad]:
    name = ox.NamedNode(str(ID[f"graph/{rid}"]))
    source = {"input": turtle} if turtle is not None else {"path": str(reports_dir / f"{rid}.ttl")}
    return [
        ox.Quad(t.subject, t.predicate, t.object, name)
        for t in ox.parse(**source, format=ox.RdfFormat.TURTLE)
    ]


def built_reports(build_dir: Path) -> list[str]:
    """Ids of the reports present in a build folder (one Turtle file each)."""
    return sorted(p.stem for p in (build_dir / REPORTS_DIR).glob("*.ttl"))


def write_outputs(
    build_dir: Path,
    built: dict[str, tuple[Graph, dict]],
    entities: Graph | None = None,
    remove: Iterable[str] = (),
) -> StoreChange:
    """Write each newly built report graph, drop the ``remove``d ones, re-assemble the dataset and
    the manifest from every report graph present, and bring the on-disk store in step (only the
    named graphs that changed are replaced).

    Everything is computed first, including the new store generation (unpublished); only then are
    files replaced, each atomically, the dataset last but one; the store generation is published
    last. A failure before that point leaves every previous output as it was."""
    reports_dir = build_dir / REPORTS_DIR
    remove = sorted(set(remove))
    present = set(built_reports(build_dir))
    unknown = [rid for rid in remove if rid not in present and rid not in built]
    if unknown:
        raise ChipkgError(
            f"no built report {', '.join(repr(r) for r in unknown)}",
            path=reports_dir,
            hint="built reports: " + (", ".join(sorted(present)) or "none"),
        )
    with _build_lock(build_dir):
        manifest = read_manifest(build_dir)
        turtles = {rid: report_turtle(graph) for rid, (graph, _info) in built.items()}
        # The ontology travels with the data, so labels of classes and publisher kinds can be
        # queried and the file is self-contained for other triple stores.
        quads = _ontology_quads()
        if entities is not None:  # reference entities, shared by all reports
            name = ox.NamedNode(str(ENTITIES_GRAPH))
            quads += [ox.Quad(_ox(s), _ox(p), _ox(o), name) for s, p, o in entities]
        keep = sorted((present | set(built)) - set(remove))
        for rid in keep:
            quads += _report_quads(reports_dir, rid, turtles.get(rid))
        quads.sort(key=_key)
        data = ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=PREFIXES)
        for rid, (_graph, info) in built.items():
            manifest[rid] = info
        manifest = {k: v for k, v in sorted(manifest.items()) if k in keep}
        text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"

        graphs = _by_graph(quads + _side_quads(build_dir))
        pending = _prepare_generation(build_dir, graphs, data)
        try:
            for rid, turtle in turtles.items():
                atomic_write(reports_dir / f"{rid}.ttl", turtle)
            atomic_write(build_dir / MANIFEST_FILE, text.encode("utf-8"))
            atomic_write(build_dir / DATASET_FILE, data)
            for rid in remove:
                (reports_dir / f"{rid}.ttl").unlink(missing_ok=True)
        except BaseException:
            pending.discard()
            raise
        return _publish(build_dir, pending)


# ---------------------------------------------------------------------------------------------
# The on-disk store: graph/build/store/
#
#   CURRENT.json   which generation is current, the dataset it was loaded from (size, mtime,
#                  sha256 of chipkg.trig) and each named graph's triple count and digest
#   gen-000007/    an Oxigraph (RocksDB) database, never written again once published
#
# A build prepares a new generation next to the current one — a hard-linked copy of it with the
# changed named graphs replaced, or a fresh load of the TriG when there is none — checks its
# triple counts, and only then replaces CURRENT.json (atomically). Readers open the generation
# CURRENT.json names, read-only; a failure at any point leaves the previous one in place.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoreChange:
    """What a build (or ``load_store``) did to the on-disk store. Graphs are named by IRI."""

    mode: str  # "created" (loaded from the TriG) | "updated" | "unchanged"
    generation: str
    added: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()
    triples: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        if self.mode == "created":
            return (
                f"store: loaded {self.triples} triples in {len(self.added)} graph(s) into "
                f"{STORE_DIR}/{self.generation} ({self.seconds:.2f} s)"
            )
        parts = [
            f"{len(v)} {k}"
            for k, v in (
                ("added", self.added),
                ("replaced", self.replaced),
                ("removed", self.removed),
            )
            if v
        ]
        changed = ", ".join(parts) if parts else "no graph changed"
        return (
            f"store: {changed}, {len(self.kept)} kept — {STORE_DIR}/{self.generation} "
            f"({self.seconds:.2f} s)"
        )


@dataclass(frozen=True)
class _Pending:
    path: Path
    state: dict
    change: StoreChange
    new: bool = True  # False: nothing changed, the current generation stays

    def discard(self) -> None:
        if self.new:
            shutil.rmtree(self.path, ignore_errors=True)


def store_dir(build_dir: Path) -> Path:
    return build_dir / STORE_DIR


def read_state(build_dir: Path) -> dict | None:
    """The store's CURRENT.json, or None when there is no usable store."""
    path = store_dir(build_dir) / STATE_FILE
    if not path.exists():
        return None
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    if not isinstance(state, dict) or state.get("format") != STORE_FORMAT:
        return None
    if not (store_dir(build_dir) / str(state.get("generation"))).is_dir():
        return None
    return state


@contextmanager
def _build_lock(build_dir: Path) -> Iterator[None]:
    sdir = store_dir(build_dir)
    sdir.mkdir(parents=True, exist_ok=True)
    with open(sdir / LOCK_FILE, "w") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ChipkgError(
                "another chipkg command is writing this build folder",
                path=build_dir,
                hint="wait for it to finish, then run this again",
            ) from None
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _by_graph(quads: Iterable[ox.Quad]) -> dict[str, list[ox.Quad]]:
    graphs: dict[str, list[ox.Quad]] = {}
    for q in quads:
        if not isinstance(q.graph_name, ox.NamedNode):
            raise ChipkgError(
                "the dataset has triples outside any named graph",
                hint="every report, the ontology and the entities are named graphs; rebuild",
            )
        graphs.setdefault(q.graph_name.value, []).append(q)
    return graphs


def _digest(quads: list[ox.Quad]) -> str:
    triples = sorted((ox.Triple(q.subject, q.predicate, q.object) for q in quads), key=_key)
    return hashlib.sha256(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)).hexdigest()


def _graph_counts(st: ox.Store) -> dict[str, int]:
    rows = st.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {r["g"].value: int(r["n"].value) for r in rows}


def _dataset_graphs(graphs: dict) -> dict:
    """CURRENT.json's graphs without the summary graph: the ones loaded from chipkg.trig."""
    return {iri: g for iri, g in graphs.items() if iri != str(SUMMARY_GRAPH)}


def _default_graph_size(st: ox.Store) -> int:
    return sum(1 for _ in st.quads_for_pattern(None, None, None, ox.DefaultGraph()))


def _next_generation(sdir: Path) -> str:
    numbers = [int(p.name[4:]) for p in sdir.glob("gen-*") if p.name[4:].isdigit()]
    return f"gen-{max(numbers, default=0) + 1:06d}"


def _fill(
    target: Path,
    graphs: dict[str, list[ox.Quad]],
    wanted: dict[str, str],
    trig: bytes,
    old: dict | None,
    sdir: Path,
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...], dict]:
    """Write the generation at ``target``, summary graph included; return (added, replaced,
    removed, kept) graph IRIs and the summary graph's entry for CURRENT.json."""
    if old is None:
        st = ox.Store(str(target))
        st.bulk_load(input=trig, format=ox.RdfFormat.TRIG)
        in_trig = {g.value for g in st.named_graphs()}
        for iri in sorted(set(graphs) - in_trig):  # the side files' graphs (not in the TriG)
            st.bulk_extend(graphs[iri])
        added, replaced, removed, kept = tuple(sorted(wanted)), (), (), ()
        same = False
    else:
        had = {iri: g["sha256"] for iri, g in _dataset_graphs(old["graphs"]).items()}
        ox.Store.read_only(str(sdir / old["generation"])).backup(str(target))
        st = ox.Store(str(target))
        added = tuple(sorted(set(wanted) - set(had)))
        replaced = tuple(sorted(i for i in set(wanted) & set(had) if wanted[i] != had[i]))
        removed = tuple(sorted(set(had) - set(wanted)))
        kept = tuple(sorted(i for i in set(wanted) & set(had) if wanted[i] == had[i]))
        # totals computed by the same summary queries are kept and brought in step; others are
        # computed afresh
        same = old.get("summary_queries") == summary_graph.summary_definition()
        if same:
            # while their old content is still there
            summary_graph.drop_report_summaries(st, removed + replaced)
        for iri in removed + replaced:
            st.remove_graph(ox.NamedNode(iri))
        for iri in added + replaced:
            st.bulk_extend(graphs[iri])
    # totals from the graphs just loaded, in this generation (see _finish)
    summary = _finish(st, added + replaced if same else None)
    counts = _graph_counts(st)
    summary_quads = list(st.quads_for_pattern(None, None, None, ox.NamedNode(str(SUMMARY_GRAPH))))
    expected = {iri: len(set(qs)) for iri, qs in graphs.items()}
    if summary["triples"]:
        expected[str(SUMMARY_GRAPH)] = summary["triples"]
    stray = _default_graph_size(st)
    del st  # closes the database
    if counts != expected or stray:
        wrong = sorted(i for i in set(counts) | set(expected) if counts.get(i) != expected.get(i))
        raise ChipkgError(
            "the new store does not hold what was loaded: "
            + ", ".join(
                f"{i} has {counts.get(i, 0)} triples, expected {expected.get(i, 0)}"
                for i in wrong[:3]
            )
            + (f"; {stray} triples in the default graph" if stray else ""),
            path=target,
            hint="nothing was replaced; run 'chipkg store load' to load it afresh",
        )
    entry = {"triples": len(summary_quads), "sha256": _digest(summary_quads)}
    return added, replaced, removed, kept, entry


def _finish(st: ox.Store, changed: Iterable[str] | None = None) -> dict:
    """What every new generation gets once its graphs are in: the summary graph (all of it, or
    the parts of the ``changed`` report graphs and the global totals). An incremental generation
    is then compacted (the writes of one rebuild after another leave many small files); a fresh
    one is not: a bulk load writes compacted files already, and compacting them again (all the
    data rewritten: 52 s at 10^5 claims) buys the library queries, which read little, about 18%
    (measured at 10^4 and 10^5 claims)."""
    summary = summary_graph.materialise_summaries(st, changed)
    t0 = time.perf_counter()
    st.flush()
    if changed is not None:
        st.optimize()
    summary["compaction_seconds"] = time.perf_counter() - t0
    return summary


def load_file(target: Path, source: Path, fmt: ox.RdfFormat = ox.RdfFormat.N_QUADS) -> dict:
    """Load a dataset file into a new on-disk store at ``target`` as a build makes a fresh
    generation (``chipkg bench`` times it against a bare bulk load): bulk load, then the summary
    graph (``_finish``). Returns the seconds of each step (and the CPU seconds of
    the bulk load), the quads loaded and the summary's figures."""
    shutil.rmtree(target, ignore_errors=True)
    t0, c0 = time.perf_counter(), time.process_time()
    st = ox.Store(str(target))
    st.bulk_load(path=str(source), format=fmt)
    st.flush()
    loaded, loaded_cpu = time.perf_counter() - t0, time.process_time() - c0
    quads = len(st)
    summary = _finish(st)
    del st  # closes the database
    return {
        "bulk_load_seconds": loaded,
        "bulk_load_cpu_seconds": loaded_cpu,
        "quads": quads,
        "summary_seconds": summary["seconds"],
        "compaction_seconds": summary["compaction_seconds"],
        "summary_triples": summary["triples"],
        "summary_steps": summary["steps"],
        "seconds": time.perf_counter() - t0,
    }


def _prepare_generation(
    build_dir: Path, graphs: dict[str, list[ox.Quad]], trig: bytes, fresh: bool = False
) -> _Pending:
    started = time.perf_counter()
    sdir = store_dir(build_dir)
    sdir.mkdir(parents=True, exist_ok=True)
    _collect_garbage(sdir, read_state(build_dir))
    old = None if fresh else read_state(build_dir)
    digests = {iri: _digest(qs) for iri, qs in sorted(graphs.items())}
    state = {
        "format": STORE_FORMAT,
        "graphs": {
            iri: {"triples": len(set(graphs[iri])), "sha256": d} for iri, d in digests.items()
        },
    }
    # the summary queries' own digest: a changed definition recomputes the totals
    definition = summary_graph.summary_definition()
    state["summary_queries"] = definition
    total = sum(g["triples"] for g in state["graphs"].values())
    summary_iri = str(SUMMARY_GRAPH)
    if (
        old is not None
        and _dataset_graphs(old["graphs"]) == state["graphs"]
        and old.get("summary_queries") == definition
    ):
        generation = old["generation"]
        change = StoreChange("unchanged", generation, kept=tuple(digests), triples=total)
        if summary_iri in old["graphs"]:
            state["graphs"][summary_iri] = old["graphs"][summary_iri]
        return _Pending(sdir / generation, {**state, "generation": generation}, change, new=False)
    generation = _next_generation(sdir)
    target = sdir / generation
    try:
        try:
            added, replaced, removed, kept, summary = _fill(
                target, graphs, digests, trig, old, sdir
            )
        except OSError:
            if old is None:
                raise
            # the previous generation cannot be read: start again from the dataset
            shutil.rmtree(target, ignore_errors=True)
            old = None
            added, replaced, removed, kept, summary = _fill(
                target, graphs, digests, trig, None, sdir
            )
    except OSError as exc:
        shutil.rmtree(target, ignore_errors=True)
        raise ChipkgError(
            f"cannot write the on-disk store: {exc}",
            path=target,
            hint="nothing was replaced; free disk space or fix permissions, then build again",
        ) from None
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    mode = "created" if old is None else "updated"
    change = StoreChange(
        mode, generation, added, replaced, removed, kept, total, time.perf_counter() - started
    )
    if summary["triples"]:  # an empty graph is no graph: listed only when it holds totals
        state["graphs"][summary_iri] = summary
    return _Pending(target, {**state, "generation": generation}, change)


def _dataset_fingerprint(build_dir: Path) -> dict:
    path = dataset_path(build_dir)
    stat = path.stat()
    return {
        "file": DATASET_FILE,
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
    }


def _side_fingerprint(build_dir: Path) -> dict[str, str]:
    """The sha256 of each side file present (see SIDE_FILES)."""
    return {
        name: hashlib.sha256((build_dir / name).read_bytes()).hexdigest()
        for name in SIDE_FILES
        if (build_dir / name).is_file()
    }


def _side_quads(build_dir: Path) -> list[ox.Quad]:
    """The quads of the side files present; a damaged one is an error naming it."""
    quads: list[ox.Quad] = []
    for name in SIDE_FILES:
        path = build_dir / name
        if not path.is_file():
            continue
        try:
            quads += [q for q in ox.parse(path=str(path), format=ox.RdfFormat.TRIG)]
        except (SyntaxError, ValueError) as exc:
            raise ChipkgError(
                f"cannot read {name}: {exc}",
                path=path,
                hint="delete it and run the command "
                "that writes it again (for verification.trig: 'chipkg verify')",
            ) from None
    return quads


def _publish(build_dir: Path, pending: _Pending) -> StoreChange:
    state = {**pending.state, "dataset": _dataset_fingerprint(build_dir)}
    if side := _side_fingerprint(build_dir):
        state["side_files"] = side
    text = json.dumps(state, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    sdir = store_dir(build_dir)
    atomic_write(sdir / STATE_FILE, text.encode("utf-8"))
    _collect_garbage(sdir, state)
    return pending.change


def _collect_garbage(sdir: Path, state: dict | None) -> None:
    """Remove generations other than the current one and the one before it (a reader that opened
    it just before the switch may still be using it), and snapshots of servers no longer running."""
    gens = sorted(p for p in sdir.glob("gen-*") if p.is_dir())
    current = state["generation"] if state else None
    keep = {current}
    older = [p.name for p in gens if current and p.name < current]
    if older:
        keep.add(older[-1])
    for p in gens:  # under the build lock, so a newer one is left over from a failed build
        if p.name not in keep:
            shutil.rmtree(p, ignore_errors=True)
    for p in sdir.glob(".serve-*"):
        pid = p.name.rsplit("-", 1)[-1]
        if not pid.isdigit() or not _alive(int(pid)):
            shutil.rmtree(p, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def load_store(build_dir: Path, fresh: bool = True) -> StoreChange:
    """(Re)create the on-disk store from the built dataset ``chipkg.trig`` and the side files in a
    new generation; with ``fresh=False`` only the named graphs that changed are replaced (how
    ``chipkg verify`` brings its verdicts in)."""
    path = dataset_path(build_dir)
    if not path.exists():
        raise ChipkgError("no built graph here", path=path, hint="run 'chipkg build' first")
    with _build_lock(build_dir):
        trig = path.read_bytes()
        try:
            quads = list(ox.parse(input=trig, format=ox.RdfFormat.TRIG))
        except SyntaxError as exc:
            raise ChipkgError(
                f"cannot read the built graph: {exc}", path=path, hint="rebuild with 'chipkg build'"
            ) from None
        graphs = _by_graph(quads + _side_quads(build_dir))
        pending = _prepare_generation(build_dir, graphs, trig, fresh=fresh)
        return _publish(build_dir, pending)


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


def store_status(build_dir: Path) -> dict:
    """Where the store is, which generation is current, whether it matches chipkg.trig."""
    state = read_state(build_dir)
    if state is None:
        return {"store": str(store_dir(build_dir)), "present": False, "fresh": False}
    return {
        "store": str(store_dir(build_dir)),
        "present": True,
        "generation": state["generation"],
        "fresh": _is_fresh(build_dir, state),
        "graphs": {iri: g["triples"] for iri, g in state["graphs"].items()},
        "triples": sum(g["triples"] for g in state["graphs"].values()),
    }


def _is_fresh(build_dir: Path, state: dict) -> bool:
    """True when the store was loaded from the chipkg.trig now on disk. Size and mtime decide
    quickly; when they differ (a copied folder) the checksum decides."""
    path = dataset_path(build_dir)
    if not path.exists():
        return False
    want = state.get("dataset", {})
    stat = path.stat()
    if stat.st_size != want.get("size"):
        return False
    if state.get("side_files", {}) != _side_fingerprint(build_dir):
        return False
    if stat.st_mtime_ns == want.get("mtime_ns"):
        return True
    return hashlib.sha256(path.read_bytes()).hexdigest() == want.get("sha256")


def _warn(message: str) -> None:
    sys.stderr.write(f"warning: {message}\n")


def open_store(path: Path, warn: Callable[[str], None] | None = None) -> ox.Store:
    """Open the built graph for querying.

    A build folder opens its on-disk store (``store/``, read-only). When that is missing or older
    than ``chipkg.trig``, a warning says so and the TriG is loaded into memory instead. A ``.trig``
    dataset or ``.ttl`` graph file is always loaded into memory."""
    warn = warn or _warn
    if path.is_dir() and path.name == STORE_DIR and (path / STATE_FILE).exists():
        path = path.parent
    if path.is_dir():
        state = read_state(path)
        if state is not None and _is_fresh(path, state):
            if state.get("summary_queries") != summary_graph.summary_definition():
                problem = (
                    f"the totals in the on-disk store in {store_dir(path)} were computed by "
                    "other summary queries than this chipkg's"
                )
            else:
                try:
                    return ox.Store.read_only(str(store_dir(path) / state["generation"]))
                except OSError as exc:
                    problem = f"the on-disk store cannot be opened ({exc})"
        elif state is not None:
            problem = f"the on-disk store in {store_dir(path)} is older than {DATASET_FILE}"
        elif (store_dir(path) / STATE_FILE).exists():
            problem = (
                f"the on-disk store in {store_dir(path)} was written by another version of "
                "chipkg, or its state file is damaged"
            )
        else:
            problem = f"no on-disk store in {store_dir(path)}"
        if dataset_path(path).exists():
            warn(
                f"{problem}; loading {dataset_path(path)} into memory instead — "
                "run 'chipkg store load' to (re)create the store"
            )
        st = _load_in_memory(dataset_path(path), _side_quads(path))
        return st
    if not path.exists():
        raise ChipkgError("no built graph here", path=path, hint="run 'chipkg build' first")
    return _load_in_memory(path)


def _load_in_memory(path: Path, side: list[ox.Quad] | None = None) -> ox.Store:
    if not path.exists():
        raise ChipkgError("no built graph here", path=path, hint="run 'chipkg build' first")
    fmt = ox.RdfFormat.TRIG if path.suffix == ".trig" else ox.RdfFormat.TURTLE
    st = ox.Store()
    try:
        st.bulk_load(path=str(path), format=fmt)
        st.bulk_extend(side or [])
    except (SyntaxError, ValueError, OSError) as exc:
        raise ChipkgError(
            f"cannot read the built graph: {exc}", path=path, hint="rebuild with 'chipkg build'"
        ) from None
    summary_graph.materialise_summaries(st)  # as the on-disk store has them
    return st


@contextmanager
def snapshot(build_dir: Path) -> Iterator[tuple[Path, dict]]:
    """A private hard-linked copy of the current generation, for a long-running reader (the
    server): later builds may remove the generation it was taken from. Removed on exit."""
    state = read_state(build_dir)
    if state is None:
        raise ChipkgError(
            "no on-disk store here",
            path=store_dir(build_dir),
            hint="run 'chipkg build' (or 'chipkg store load') first",
        )
    if not _is_fresh(build_dir, state):
        raise ChipkgError(
            f"the on-disk store is older than {DATASET_FILE}",
            path=store_dir(build_dir),
            hint="run 'chipkg store load' to load it afresh",
        )
    target = store_dir(build_dir) / f".serve-{os.getpid()}"
    shutil.rmtree(target, ignore_errors=True)
    try:
        ox.Store.read_only(str(store_dir(build_dir) / state["generation"])).backup(str(target))
    except OSError as exc:
        shutil.rmtree(target, ignore_errors=True)
        raise ChipkgError(
            f"cannot copy the on-disk store: {exc}", path=target, hint="run 'chipkg store load'"
        ) from None
    try:
        yield target, state
    finally:
        shutil.rmtree(target, ignore_errors=True)
