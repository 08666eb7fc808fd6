"""The benchmark's measurements (``chipkg bench``), each run in a fresh process by the runner
(``python -m chipkg.bench --phase NAME KEY=VALUE …`` prints its result as one JSON line), so that
peak memory is each step's own."""

from __future__ import annotations

import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

from rdflib import Graph
from rich.console import Console

from chipkg.bench.corpus import write_corpus
from chipkg.bench.synthetic import report_ids, synthetic_report
from chipkg.bench.world import World
from chipkg.errors import ChipkgError
from chipkg.extract.entities import load_entities
from chipkg.graph.build import report_graph
from chipkg.ingest import citations

err = Console(stderr=True, highlight=False)

LOOKUPS = ("claims-about-entity", "claims-citing-source")
AGGREGATES = ("funding-by-funder", "funding-by-country")


def _children_cpu() -> float:
    """CPU seconds (user + system) of the finished child processes (pool workers are
    finished when the pool shuts down)."""
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime


def _rss_mb(children: bool = False) -> float:
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024  # kB on Linux


_PARAM_COUNTS = {
    # lookup query -> (its parameter, SPARQL giving each possible value and its claim count)
    "claims-about-entity": (
        "entity",
        """PREFIX ckg: <https://w3id.org/chipkg/ontology#>
        SELECT ?x (COUNT(DISTINCT ?c) AS ?n) WHERE {
          { ?c ckg:claimSubject ?x } UNION { ?c ckg:claimObject ?x } ?c a ckg:Claim
        } GROUP BY ?x""",
    ),
    "claims-citing-source": (
        "source",
        """PREFIX ckg: <https://w3id.org/chipkg/ontology#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?x (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c prov:wasDerivedFrom ?x ; a ckg:Claim }
        GROUP BY ?x""",
    ),
}
MOST_CITED = " (most cited)"
QUERY_BUDGET_S = 30.0
PAGE_ROWS = 100  # the first page of a paged query, as chipkg query shows it


def lookup_params(store) -> dict[str, dict]:
    """For each lookup query, a typical value (the one whose claim count is the median among the
    values with at least one claim; ties broken by IRI) and the most cited one, with their counts:
    the typical one measures a lookup, the most cited one its worst case."""
    out: dict[str, dict] = {}
    for name, (param, sparql) in _PARAM_COUNTS.items():
        counts = sorted(
            (int(sol["n"].value), sol["x"].value)
            for sol in store.query(sparql, use_default_graph_as_union=True)
        )
        if not counts:
            continue
        typical, top = counts[(len(counts) - 1) // 2], max(counts, key=lambda c: (c[0], c[1]))
        out[name] = {"param": param, "typical": typical[1], "typical_claims": typical[0]}
        out[name].update(most_cited=top[1], most_cited_claims=top[0], values=len(counts))
    return out


def _bound(info: dict, which: str) -> dict[str, str]:
    return {info["param"]: f"<{info[which]}>"}


def phase_build_text(reports: int, seed: int) -> dict:
    """Synthetic report texts in the bundled style through the real pipeline (parse, resolve
    citations, extract, RDF; no validation), on one core."""
    from chipkg.extract.entities import Linker
    from chipkg.extract.pipeline import extract
    from chipkg.ingest import report as report_mod

    w = World(seed, generated=0)  # names the linker knows, so the extraction rules fire
    linker = Linker(load_entities())
    tmp = Path(tempfile.mkdtemp(prefix="chipkg-bench-text-"))
    paths = []
    for rid in report_ids(reports):
        parsed, _c, _e, _m = synthetic_report(rid, seed, w=w)
        p = tmp / f"{rid}.txt"
        p.write_text(parsed.text, encoding="utf-8")
        paths.append(p)
    from chipkg.ingest.inputs import read_meta

    claims = triples = 0
    t0 = time.process_time()
    w0 = time.perf_counter()
    for p in paths:
        meta = read_meta(p)
        parsed = report_mod.parse_report(p, meta.report_id)
        cites = citations.resolve(parsed)
        extraction = extract(parsed, cites, linker, None)
        g = report_graph(parsed, cites, meta, extraction)
        claims += len(extraction.claims)
        triples += len(g)
    cpu, wall = time.process_time() - t0, time.perf_counter() - w0
    shutil.rmtree(tmp, ignore_errors=True)
    return {
        "reports": reports,
        "claims": claims,
        "triples": triples,
        "cpu_s": cpu,
        "wall_s": wall,
        "rss_mb": _rss_mb(),
    }


def phase_generate(claims: int, workdir: Path, seed: int, articles: int = 8) -> dict:
    t0 = time.perf_counter()
    info = write_corpus(claims, workdir, seed, articles=articles)
    info.update(seconds=time.perf_counter() - t0, rss_mb=_rss_mb())
    return info


def _read_through(path: Path) -> None:
    """Read a file once, so that the loads timed after it all find it in the page cache."""
    with path.open("rb") as f:
        while f.read(1 << 24):
            pass


def phase_load(workdir: Path) -> dict:
    """The corpus loaded twice in the same run: by a bare pyoxigraph ``bulk_load`` into a store of
    its own (removed after), and as chipkg makes a fresh store generation
    (``chipkg.graph.store.load_file``: the same bulk load, then the summary graph).
    Wall and CPU time of each: on a shared machine the wall time of the first and of the second
    load differ with what else runs; the CPU time much less. The summary graph is kept as
    N-Quads too, for the rdflib comparison."""
    import pyoxigraph as ox

    from chipkg.graph import store as store_mod
    from chipkg.graph.store import atomic_write

    corpus = workdir / "corpus.nq"
    _read_through(corpus)
    bare = workdir / "store-bare"
    shutil.rmtree(bare, ignore_errors=True)
    t0, c0 = time.perf_counter(), time.process_time()
    st = ox.Store(str(bare))
    st.bulk_load(path=str(corpus), format=ox.RdfFormat.N_QUADS)
    st.flush()
    bare_s, bare_cpu = time.perf_counter() - t0, time.process_time() - c0
    del st
    shutil.rmtree(bare, ignore_errors=True)
    mine = store_mod.load_file(workdir / "store", corpus, ox.RdfFormat.N_QUADS)
    st = ox.Store.read_only(str(workdir / "store"))
    graph = ox.NamedNode(str(store_mod.SUMMARY_GRAPH))
    atomic_write(
        workdir / "summary.nq",
        ox.serialize(st.quads_for_pattern(None, None, None, graph), format=ox.RdfFormat.N_QUADS),
    )
    return {
        "bare_s": bare_s,
        "bare_cpu_s": bare_cpu,
        "seconds": mine["bulk_load_seconds"],
        "cpu_s": mine["bulk_load_cpu_seconds"],
        "quads": mine["quads"],
        "summary_s": mine["summary_seconds"],
        "summary_triples": mine["summary_triples"],
        "summary_steps_cpu_s": mine["summary_steps"],
        "compaction_s": mine["compaction_seconds"],
        "total_s": mine["seconds"],
        "rss_mb": _rss_mb(),
    }


def phase_validate(workdir: Path, limit: int | None, workers: int | None) -> dict:
    from chipkg.check import validate

    # read from the N-Quads file, not the store: Oxigraph normalises derived datatypes (see
    # chipkg/check/validation/terms.py), and a benchmark must not give up the check that
    # catches that; validate_nquads reads it in blocks, limited to the first ``limit`` reports
    total = sum(1 for _ in (workdir / "texts").glob("*.txt"))

    def text(rid: str) -> str | None:
        p = workdir / "texts" / f"{rid}.txt"
        return p.read_text(encoding="utf-8") if p.exists() else None

    done = [0]

    def progress(n: int) -> None:
        done[0] = n
        if n % 25 == 0:
            err.print(f"  validated {n - 1} report graph(s)")

    t0, cpu0, kids0 = time.perf_counter(), time.process_time(), _children_cpu()
    rep = validate.validate_nquads(
        workdir / "corpus.nq", texts=text, workers=workers, limit=limit, progress=progress
    )
    secs = time.perf_counter() - t0
    cpu_main, cpu_workers = time.process_time() - cpu0, _children_cpu() - kids0
    checked = min(total, limit) if limit is not None else total
    return {
        "seconds": secs,
        "reports_checked": checked,
        "reports_total": total,
        "projected_s": secs * total / checked if checked else 0.0,
        "violations": rep.count("Violation"),
        "warnings": rep.count("Warning"),
        "infos": rep.count("Info"),
        "rss_mb": _rss_mb(),
        "workers_rss_mb": _rss_mb(children=True),
        # CPU seconds, so that a run on a busy machine still says what the work costs
        "cpu_main_s": cpu_main,
        "cpu_workers_s": cpu_workers,
    }


def _named(queries: dict, names: str) -> dict:
    """The queries named in ``names`` (comma-separated), or all of them if it is empty."""
    only = set(names.split(",")) if names else None
    return {k: q for k, q in queries.items() if only is None or k in only}


def _timed(f, repeats: int) -> tuple[list[float], object]:
    """Run ``f`` until ``repeats`` runs, or fewer when it is slow (QUERY_BUDGET_S spent)."""
    times: list[float] = []
    out = None
    while len(times) < repeats and sum(times) < QUERY_BUDGET_S:
        t0 = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t0)
    return times, out


def phase_queries(workdir: Path, repeats: int, names: str = "", page: int = PAGE_ROWS) -> dict:
    """Each library query on the on-disk store, as ``chipkg query`` runs it: a paged query's
    first page (``page`` rows) and its total, another query whole; median of up to ``repeats``
    runs each. ``names`` (comma-separated) restricts the queries."""
    import pyoxigraph as ox

    from chipkg.analysis import query

    store = ox.Store.read_only(str(workdir / "store"))
    t0 = time.perf_counter()
    params = lookup_params(store)
    pick_s = time.perf_counter() - t0
    (workdir / "params.json").write_text(json.dumps(params, indent=2, sort_keys=True))
    runs: list[tuple[str, query.NamedQuery, dict[str, str] | None]] = []
    for name, q in _named(query.available(), names).items():
        if name in params:
            runs.append((name, q, _bound(params[name], "typical")))
            runs.append((name + MOST_CITED, q, _bound(params[name], "most_cited")))
        else:
            runs.append((name, q, None))
    out = {}
    for label, q, bound in runs:
        limit = page if q.paged else None
        times, rows = _timed(partial(query.select, store, q, bound, limit=limit), repeats)
        entry = {"median_ms": statistics.median(times) * 1000, "rows": len(rows)}
        entry["runs"] = len(times)
        if q.paged:
            totals, total = _timed(partial(query.total, store, q, bound), repeats)
            entry.update(total_ms=statistics.median(totals) * 1000, total=total, paged=True)
        out[label] = entry
    return {"queries": out, "params": params, "params_s": pick_s, "rss_mb": _rss_mb()}


def phase_bundled(repeats: int) -> dict:
    """The bundled report (every report of graph/sources): parse, citations, extraction, RDF —
    what ``chipkg build --no-validate`` does before writing — timed after start-up (imports
    done), first run and median of ``repeats``; then its SHACL validation as ``chipkg validate``
    runs it (report graph + reference entities, with the text)."""
    from chipkg.check import validate
    from chipkg.extract.entities import Linker
    from chipkg.extract.pipeline import extract
    from chipkg.graph.build import entities_graph as make_entities
    from chipkg.ingest import inputs
    from chipkg.ingest import report as report_mod
    from chipkg.resources import home

    paths = inputs.discover(home() / "graph" / "sources")
    if not paths:
        raise ChipkgError("no bundled report found", path=home() / "graph" / "sources")
    times, cpu = [], []
    built = {}
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        linker = Linker(load_entities())
        for path in paths:
            meta = inputs.read_meta(path)
            parsed = report_mod.parse_report(path, meta.report_id)
            cites = citations.resolve(parsed)
            curated = home() / "graph" / "curated" / f"{meta.report_id}.csv"
            extraction = extract(parsed, cites, linker, curated)
            built[meta.report_id] = (report_graph(parsed, cites, meta, extraction), parsed.text)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    rss_build = _rss_mb()
    ents = make_entities(linker.entities)
    items = []
    for rid, (g, text) in built.items():
        data = Graph()
        data += g
        data += ents
        items.append((rid, data, text))
    t0 = time.perf_counter()
    reports = validate.validate_reports(items)
    vsecs = time.perf_counter() - t0
    return {
        "reports": len(paths),
        "triples": sum(len(g) for g, _t in built.values()),
        "first_s": times[0],
        "median_s": statistics.median(times),
        "median_cpu_s": statistics.median(cpu),
        "rss_mb": rss_build,
        "validate_s": vsecs,
        "validate_triples": sum(len(d) for _r, d, _t in items),
        "violations": sum(r.count("Violation") for r in reports.values()),
        "validate_rss_mb": _rss_mb(),
    }


def phase_startup(repeats: int = 3) -> dict:
    """Start-up of the CLI (interpreter and imports) and the whole ``chipkg build --no-validate``
    of the bundled report into a temporary folder, both as wall time of a fresh process."""
    from chipkg.resources import home

    def wall(args: list[str]) -> float:
        t0 = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True, cwd=home())
        return time.perf_counter() - t0

    exe = [sys.executable, "-c", "from chipkg.cli import main; main()"]
    with tempfile.TemporaryDirectory(prefix="chipkg-bench-build-") as tmp:
        startup = statistics.median(wall([*exe, "--version"]) for _ in range(repeats))
        build = statistics.median(
            wall([*exe, "build", "--no-validate", "--out", tmp]) for _ in range(repeats)
        )
    return {"startup_s": startup, "build_s": build}


def phase_analyze(workdir: Path) -> dict:
    import pyoxigraph as ox

    from chipkg.analysis import analyze, export

    store = ox.Store(str(workdir / "store"))
    t0 = time.perf_counter()
    g = analyze.fact_graph(store)
    t1 = time.perf_counter()
    analyze.analyze(g)
    t2 = time.perf_counter()
    h = export.prepare(g, export.Variant.FACTS)
    export.write(h, workdir / "facts.gexf", export.Format.GEXF)
    t3 = time.perf_counter()
    return {
        "fact_graph_s": t1 - t0,
        "analyze_s": t2 - t1,
        "gexf_s": t3 - t2,
        "nodes": g.number_of_nodes(),
        "edges": g.number_of_edges(),
        "rss_mb": _rss_mb(),
    }
