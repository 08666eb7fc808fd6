"""The peer comparison of the benchmark (``chipkg bench``), run in the same session as chipkg's own
figures: the library queries on rdflib's in-memory dataset, and SHACL validation by plain pySHACL
(no chipkg code around it), each on the corpus sizes they can do within a time limit."""

from __future__ import annotations

import json
import signal
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from chipkg.bench.phases import PAGE_ROWS, _bound, _named, _rss_mb, err

RDFLIB_TIMEOUT_S = 120  # per query run
PYSHACL_BUDGET_S = 600  # plain pySHACL validates report graphs until this is spent


class _Timeout(Exception):
    pass


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the pure-Python work inside the block after ``seconds`` (SIGALRM, main thread)."""

    def expire(_signum, _frame):
        raise _Timeout

    old = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _runs(run, repeats: int, timeout: float) -> dict:
    """Median of up to ``repeats`` runs of ``run`` (returning a row count), each with its time
    limit; a run past it ends the measurement as a timeout."""
    times, rows = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        try:
            with _time_limit(timeout):
                rows = run()
        except _Timeout:
            return {"timeout_s": timeout, "rows": None}
        except Exception as exc:  # the peer cannot run the query: say so, with its error
            return {"error": f"{type(exc).__name__}: {exc}"[:200], "rows": None}
        times.append(time.perf_counter() - t0)
        if sum(times) > timeout:
            break
    return {"median_ms": statistics.median(times) * 1000, "rows": rows, "runs": len(times)}


def phase_rdflib_queries(
    workdir: Path, repeats: int, names: str = "", timeout: float = RDFLIB_TIMEOUT_S
) -> dict:
    """The library queries on rdflib's in-memory dataset (default graph = union, the summary
    graph loaded too), as chipkg runs them on Oxigraph: a paged query's first page and its total,
    with the typical lookup parameters the Oxigraph run picked (params.json)."""
    from rdflib import Dataset

    from chipkg.analysis import query
    from chipkg.graph.sparql import count_query

    ds = Dataset(default_union=True)
    t0 = time.perf_counter()
    ds.parse(workdir / "corpus.nq", format="nquads")
    ds.parse(workdir / "summary.nq", format="nquads")  # the totals, as phase_load stored them
    load = time.perf_counter() - t0
    params = json.loads((workdir / "params.json").read_text())
    out = {}
    for name, q in _named(query.available(), names).items():
        bound = _bound(params[name], "typical") if name in params else None
        limit = PAGE_ROWS if q.paged else None
        text = query.render(q, bound, limit=limit)
        err.print(f"  rdflib: {name}")
        entry = _runs(lambda t=text: len(list(ds.query(t))), repeats, timeout)
        if q.paged and entry["rows"] is not None:
            counted = count_query(q, bound)
            total = _runs(lambda t=counted: len(list(ds.query(t))), repeats, timeout)
            entry["total_ms"] = total.get("median_ms")
            entry["total_timeout_s"] = total.get("timeout_s")
        out[name] = entry
    return {"load_s": load, "queries": out, "timeout_s": timeout, "rss_mb": _rss_mb()}


def _report_chunks(corpus: Path) -> Iterator[tuple[str, str]]:
    """(graph IRI, its N-Quads lines) for each named graph of a corpus whose graphs are contiguous
    (as ``write_corpus`` writes them), read line by line."""
    current, lines = None, []
    with corpus.open(encoding="utf-8") as f:
        for line in f:
            graph = line[line.rstrip().rstrip(".").rstrip().rfind("<") :].split(">", 1)[0] + ">"
            if graph != current and lines:
                yield current, "".join(lines)
                lines = []
            current = graph
            lines.append(line)
    if lines:
        yield current, "".join(lines)


def _graph(nquads: str):
    from rdflib import Dataset, Graph

    ds = Dataset()
    ds.parse(data=nquads, format="nquads")
    g = Graph()
    for s, p, o, _g in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def phase_pyshacl(workdir: Path, budget: float = PYSHACL_BUDGET_S) -> dict:
    """Plain pySHACL (as published, no chipkg code around it) on the same shapes and report
    graphs, one report graph with the reference entities and the ontology at a time, until
    ``budget`` seconds are spent; claims per second over the graphs it checked."""
    from pyshacl import validate as pyshacl_validate
    from rdflib import Graph, URIRef
    from rdflib.namespace import RDF, RDFS, SH

    from chipkg.resources import ontology_dir, shapes_dir

    shapes = Graph()
    for f in sorted(shapes_dir().glob("*.ttl")):
        shapes.parse(f, format="turtle")
    ontology = Graph().parse(ontology_dir() / "chipkg.ttl", format="turtle")
    claim = URIRef("https://w3id.org/chipkg/ontology#Claim")
    entities = Graph()
    checked = claims = violations = results = 0
    total = sum(1 for _ in (workdir / "texts").glob("*.txt"))
    spent = 0.0
    for iri, nquads in _report_chunks(workdir / "corpus.nq"):
        if not iri.startswith("<https://w3id.org/chipkg/id/graph/") or iri.endswith("/ontology>"):
            continue
        if iri.endswith("/entities>"):
            entities = _graph(nquads)
            continue
        data = _graph(nquads)
        n = sum(1 for _ in data.subjects(RDF.type, claim))
        data += entities
        data += ontology
        for sub, sup in shapes.subject_objects(RDFS.subClassOf):  # as chipkg validates
            data.add((sub, RDFS.subClassOf, sup))
        t0 = time.perf_counter()
        conforms, report, _text = pyshacl_validate(
            data,
            shacl_graph=shapes,
            inference="none",
            advanced=False,
            allow_warnings=True,
            allow_infos=True,
        )
        spent += time.perf_counter() - t0
        checked, claims = checked + 1, claims + n
        found = list(report.subjects(RDF.type, SH.ValidationResult))
        results += len(found)
        violations += sum(1 for r in found if (r, SH.resultSeverity, SH.Violation) in report)
        err.print(f"  plain pySHACL: {checked} report graph(s), {spent:,.0f} s")
        if spent > budget:
            break
    return {
        "seconds": spent,
        "reports_checked": checked,
        "reports_total": total,
        "claims_checked": claims,
        "claims_per_s": claims / spent if spent else 0.0,
        "violations": violations,
        "results": results,
        "budget_s": budget,
        "rss_mb": _rss_mb(),
    }
