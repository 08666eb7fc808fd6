"""Many report graphs at once: batches of report graphs in a pool of worker processes
(workers.py), each batch one in-memory Oxigraph store; results merged.

What a report graph needs from elsewhere, and how each case is kept exact (as validating the
report graphs one by one with pySHACL always did):

* reference entities: the entities the report names, and everything they point at through the
  entity graph (country, broader, locatedIn, operates …), closed transitively, so every shape
  that starts at one of them sees all it would see in the whole graph. The entity graph on its
  own is validated once more (entities no report names).
* nodes several report graphs describe (sources, people, extraction runs): each report states
  them in full, and they are normally identical. When they differ, the reports that describe
  such a node are validated together as well, and the results about that node are kept from
  that joint run (e.g. two publisher kinds for one source: a maxCount violation no single report
  shows).
* a result found in several report graphs (an entity's, a shared source's) is kept once, with
  the passage that validating everything at once would have picked (the first one in reading
  order).

Memory: a batch holds about ``BATCH_QUADS`` quads (less when memory is short, memory.py); the
main process holds the results and one batch being read. A worker that dies (killed, out of
memory) stops the run with an error: a corpus is never half-validated and reported conforming."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from rdflib import Graph

from chipkg.check.validation import memory, nquads
from chipkg.check.validation.cache import ResultCache
from chipkg.check.validation.loading import (
    ENTITIES_GRAPH,
    ONTOLOGY_GRAPH,
    REPORT_GRAPH_PREFIX,
    text_parameters,
)
from chipkg.check.validation.model import Result, ValidationReport, make_report, merge_results
from chipkg.check.validation.single import one_report, plan_for
from chipkg.check.validation.workers import EntityIndex, Item, init, run_batch
from chipkg.errors import ChipkgError

BATCH_QUADS = 150_000  # about 12 report graphs: Oxigraph slows down on larger in-memory stores
BYTES_PER_QUAD = 210  # N-Quads line length of a chipkg report graph, about
Texts = Callable[[str], str | None]


class _Pool:
    """A process pool (or, with one worker, the calling process) that runs batches."""

    def __init__(self, workers: int, shapes_dir: Path | None, index: EntityIndex | None):
        self.workers = workers
        self.pending: set = set()
        self.pool = None
        if workers > 1:
            plan_for(shapes_dir)  # compiled once here: forked workers inherit it
            ctx = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
            self.pool = ProcessPoolExecutor(
                workers, mp_context=ctx, initializer=init, initargs=(shapes_dir, index)
            )
        else:
            init(shapes_dir, index)

    def submit(self, items: list[Item]) -> list:
        """Queue a batch; returns the batches finished meanwhile (a list of their outputs)."""
        if self.pool is None:
            return [run_batch(items)]
        self.pending.add(self.pool.submit(run_batch, items))
        if len(self.pending) < 2 * self.workers:
            return []
        done, self.pending = wait(self.pending, return_when=FIRST_COMPLETED)
        return [_result(f) for f in done]

    def drain(self) -> list:
        done, self.pending = wait(self.pending), set()
        return [_result(f) for f in done.done]

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


def _result(future):
    try:
        return future.result()
    except BrokenProcessPool:
        raise ChipkgError(
            "a validation worker stopped before it finished (killed, or out of memory?) — "
            "nothing is reported, the corpus is not known to conform",
            hint="free memory or use fewer workers, and validate again",
        ) from None


def _batches(items: Iterable[Item], quads: int) -> Iterator[list[Item]]:
    batch, size = [], 0
    for item in items:
        batch.append(item)
        size += len(item.lines) // BYTES_PER_QUAD
        if size >= quads:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _workers(workers: int | None) -> int:
    return max(1, min(workers or os.cpu_count() or 1, 32))


def _rid(graph: bytes) -> str:
    return graph.decode()[1:-1].rsplit("/", 1)[-1]


def _is_report(graph: bytes) -> bool:
    name = graph.decode()[1:-1]
    return name.startswith(REPORT_GRAPH_PREFIX) and name not in (
        str(ONTOLOGY_GRAPH),
        str(ENTITIES_GRAPH),
    )


def validate_runs(
    runs: Callable[[], Iterator[tuple[bytes, bytes]]],
    entities: bytes,
    *,
    texts: Texts | None = None,
    workers: int | None = None,
    shapes_dir: Path | None = None,
    progress: Callable[[int], None] | None = None,
    skipped: list[str] | None = None,
) -> ValidationReport:
    """Validate report graphs given as N-Quads runs ((graph term, lines) of each named graph;
    ``runs()`` is called once, and once more only if report graphs describe a shared node
    differently). ``entities``: the N-Quads lines of the reference-entities graph. Other graphs
    than report graphs are not validated (``skipped`` is told)."""
    workers = _workers(workers)
    e_graph = f"<{ENTITIES_GRAPH}>".encode()
    index = EntityIndex.of(entities, e_graph)
    pool = _Pool(workers, shapes_dir, index)
    described: dict[bytes, dict[str, set[str]]] = {}  # shared subject -> digest -> report ids
    parts: list[list[tuple[Result, tuple]]] = []
    done = 0

    def collect(outputs: list) -> None:
        nonlocal done
        if outputs:
            memory.check_running("the corpus")
        for batch in outputs:
            for rid, ranked, digests in batch:
                parts.append(ranked)
                for subject, digest in digests.items():
                    described.setdefault(subject, {}).setdefault(digest, set()).add(rid)
                done += 1
                if progress:
                    progress(done)

    def items() -> Iterator[Item]:
        yield Item("(entities)", e_graph, entities, closure=False)
        for graph, lines in runs():
            if not _is_report(graph):
                if skipped is not None and graph.decode()[1:-1] not in (
                    str(ONTOLOGY_GRAPH),
                    str(ENTITIES_GRAPH),
                ):
                    count = lines.count(b"\n")
                    skipped.append(f"{count} quad(s) in graph {graph.decode()}")
                continue
            rid = _rid(graph)
            text = texts(rid) if texts else None
            params = text_parameters(text) if text is not None else None
            yield Item(rid, graph, lines, params, digests=True)

    try:
        for batch in _batches(items(), memory.batch_quads(workers, BATCH_QUADS)):
            collect(pool.submit(batch))
        collect(pool.drain())
        conflicts = {n: ds for n, ds in described.items() if len(ds) > 1}
        if conflicts:
            parts.append(_joint(pool, runs, conflicts, parts))
    finally:
        pool.close()
    return merge_results(parts)


def _joint(pool: _Pool, runs, conflicts: dict, parts: list) -> list[tuple[Result, tuple]]:
    """The reports that describe a shared node differently, validated together; the results
    about those nodes from the per-report runs are replaced by the joint run's."""
    involved = {r for ds in conflicts.values() for rs in ds.values() for r in rs}
    joint = b"<urn:x-chipkg:joint>"
    lines = b"".join(
        lines.replace(b" " + graph + b" .", b" " + joint + b" .")
        for graph, lines in runs()
        if _is_report(graph) and _rid(graph) in involved
    )
    focus = frozenset(s.decode() for s in conflicts)  # subjects as captured: IRIs without <>
    for part in parts:
        part[:] = [(r, k) for r, k in part if r.focus not in focus]
    item = Item("(shared)", joint, lines, keep_focus=focus)
    outputs = pool.submit([item]) + pool.drain()
    return [x for batch in outputs for _rid, ranked, _d in batch for x in ranked]


def validate_nquads(
    path: Path,
    *,
    texts: Texts | None = None,
    workers: int | None = None,
    shapes_dir: Path | None = None,
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
    skipped: list[str] | None = None,
) -> ValidationReport:
    """Validate the report graphs of an N-Quads file whose graphs are contiguous (as ``chipkg
    bench`` writes them), read in blocks, never one Python object per quad; ``limit``: only the
    first report graphs. The entities graph is ``id:graph/entities`` of the same file."""
    if not path.exists():
        raise ChipkgError("N-Quads file not found", path=path, hint="generate the corpus first")
    entities = _entities_of(path)

    def each() -> Iterator[tuple[bytes, bytes]]:
        n = 0
        for graph, lines in nquads.runs(path):
            if _is_report(graph):
                if limit is not None and n >= limit:
                    return
                n += 1
            yield graph, lines

    return validate_runs(
        each,
        entities,
        texts=texts,
        workers=workers,
        shapes_dir=shapes_dir,
        progress=progress,
        skipped=skipped,
    )


def _entities_of(path: Path) -> bytes:
    """The lines of the reference-entities graph of an N-Quads file (empty if it has none)."""
    wanted = f"<{ENTITIES_GRAPH}>".encode()
    for graph, lines in nquads.runs(path):
        if graph == wanted:
            return lines
    return b""


def validate_corpus(
    reports: Callable[[], Iterable[tuple[str, Graph]]],
    entities: Graph,
    *,
    texts: Texts | None = None,
    workers: int | None = None,
    shapes_dir: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> ValidationReport:
    """Validate many report graphs (rdflib graphs, ``reports()`` gives (report id, graph)
    lazily) with the reference entities, in batches in up to ``workers`` processes, and merge
    the results into one report. ``texts(report id)`` gives a report's text or None;
    ``progress(n)`` is called after each finished graph."""

    def runs() -> Iterator[tuple[bytes, bytes]]:
        for rid, g in reports():
            graph = f"<{REPORT_GRAPH_PREFIX}{rid}>".encode()
            yield graph, nquads.graph_lines(g, graph)

    lines = nquads.graph_lines(entities, f"<{ENTITIES_GRAPH}>".encode())
    return validate_runs(
        runs, lines, texts=texts, workers=workers, shapes_dir=shapes_dir, progress=progress
    )


def validate_reports(
    items: Iterable[tuple[str, Graph, str | None]],
    *,
    workers: int | None = None,
    shapes_dir: Path | None = None,
    cache: ResultCache | None = None,
) -> dict[str, ValidationReport]:
    """Each (report id, graph, report text) validated on its own (the graph holds everything it
    needs: the report graph and the reference entities), in batches: the same per-report
    reports, in input order, as ``validate_graph`` on each in turn. ``chipkg validate`` and
    ``chipkg build`` use this. With ``cache``, a report whose inputs are unchanged since it was
    last validated is not validated again (cache.py)."""
    items = list(items)
    for _rid, g, text in items:
        one_report(g, text)
    known: dict[str, ValidationReport] = {}
    keys: dict[str, str] = {}
    if cache is not None:
        for rid, g, text in items:
            keys[rid] = cache.key(g, text)
            hit = cache.get(rid, keys[rid])
            if hit is not None:
                known[rid] = hit
    fresh = _validate_each([x for x in items if x[0] not in known], workers, shapes_dir)
    if cache is not None:
        for rid, report in fresh.items():
            cache.put(rid, keys[rid], report)
    reports = known | fresh
    return {rid: reports[rid] for rid, _g, _t in items}


def _validate_each(items: list, workers: int | None, shapes_dir: Path | None) -> dict:
    if not items:
        return {}
    jobs = [
        Item(
            rid,
            f"<urn:x-chipkg:report:{i}>".encode(),
            nquads.graph_lines(g, f"<urn:x-chipkg:report:{i}>".encode()),
            text_parameters(text) if text is not None else None,
            closure=False,
        )
        for i, (rid, g, text) in enumerate(items)
    ]
    workers = min(_workers(workers), max(1, len(jobs) // 4))
    pool = _Pool(workers, shapes_dir, None)
    found: dict[str, list] = {}
    try:
        quads = memory.batch_quads(workers, BATCH_QUADS)
        outputs = []
        for batch in _batches(jobs, quads):
            outputs += pool.submit(batch)
        outputs += pool.drain()
    finally:
        pool.close()
    for batch in outputs:
        for rid, ranked, _d in batch:
            found[rid] = ranked
    return {rid: make_report(r for r, _k in found.get(rid, [])) for rid, _g, _t in items}
