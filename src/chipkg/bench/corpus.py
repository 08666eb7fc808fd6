"""A synthetic corpus on disk (``chipkg bench``): ``corpus.nq`` — the ontology, the entities and
one named graph per report, graphs contiguous, in report order — and ``texts/RID.txt``. Reports are
made in parallel processes and written in report order: the same seed gives the same bytes whatever
the number of workers."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.plugins.serializers.nt import _quoteLiteral as _quote_literal

from chipkg.bench.synthetic import report_ids, synthetic_report
from chipkg.bench.world import ENTITIES_GRAPH, ONTOLOGY_GRAPH, SEED, world
from chipkg.graph.build import report_graph
from chipkg.graph.vocab import ID


class _Triples:
    """What ``build.report_graph`` needs of a dataset (``graph(iri)``, then ``add``), as a plain
    set of triples: the same triples as an rdflib graph, without its indexes (three times
    faster). report_graph only ever adds."""

    def __init__(self) -> None:
        self.triples: set = set()

    def graph(self, _identifier) -> _Triples:
        return self

    def add(self, triple) -> None:
        self.triples.add(triple)


_N3: dict = {}  # IRIs repeat across reports (entities, sources, vocabulary): written once


def _n3(term) -> str:
    out = _N3.get(term)
    if out is None:
        out = _quote_literal(term) if isinstance(term, Literal) else term.n3()
        if type(term) is URIRef and len(_N3) < 500_000:
            _N3[term] = out
    return out


def _report_nquads(rid: str, seed: int, articles: int = 8) -> tuple[str, str, int, int]:
    """One report's named graph as sorted N-Quads lines (exactly rdflib's N-Quads rows), its text,
    its claims and triples."""
    import gc

    w = world(seed)
    gc.disable()  # a report makes 10^5 small objects and no cycles: collections only cost time
    try:
        parsed, cites, extraction, meta = synthetic_report(rid, seed, articles, w=w)
        t = _Triples()
        report_graph(parsed, cites, meta, extraction, ds=t)
        g = _n3(ID[f"graph/{rid}"])
        rows = sorted(f"{_n3(s)} {_n3(p)} {_n3(o)} {g} .\n" for s, p, o in t.triples)
    finally:
        gc.enable()
    return "".join(rows), parsed.text, len(extraction.claims), len(t.triples)


def _report_batch(
    first: int, count: int, seed: int, articles: int = 8
) -> list[tuple[str, str, str, int, int]]:
    return [
        (rid, *_report_nquads(rid, seed, articles)) for rid in report_ids(first + count)[first:]
    ]


def write_corpus(
    claims: int,
    out: Path,
    seed: int = SEED,
    workers: int | None = None,
    batch: int = 8,
    articles: int = 8,
) -> dict:
    """Reports until ``claims`` claims are made; ``out/corpus.nq`` (graphs contiguous, in report
    order: byte-identical for a seed, whatever ``workers``) and ``out/texts/RID.txt``.

    Reports are made in batches in up to ``workers`` processes (default: one per core) and written
    in report order as they come back; the corpus stops at the first report that reaches
    ``claims``, so it is the same corpus as made one report at a time."""
    import multiprocessing
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    from rdflib.plugins.serializers.nquads import _nq_row

    from chipkg.resources import ontology_dir

    w = world(seed)  # made before the workers fork, so they share it
    workers = max(1, workers or os.cpu_count() or 1)
    out.mkdir(parents=True, exist_ok=True)
    texts = out / "texts"
    shutil.rmtree(texts, ignore_errors=True)
    texts.mkdir()
    tmp = out / ".corpus.nq.tmp"
    made = triples = reports = 0
    with tmp.open("w", encoding="utf-8") as f:
        onto = Graph(identifier=ONTOLOGY_GRAPH)
        onto.parse(ontology_dir() / "chipkg.ttl", format="turtle")
        for extra, name in ((onto, ONTOLOGY_GRAPH), (w.entities_graph(), ENTITIES_GRAPH)):
            g = Graph(identifier=name)
            g += extra
            f.writelines(sorted(_nq_row(t, name) for t in g if not _has_bnode(t)))

        def take(batch_rows) -> bool:
            nonlocal made, triples, reports
            for rid, rows, text, n, size in batch_rows:
                f.write(rows)
                (texts / f"{rid}.txt").write_text(text, encoding="utf-8")
                made, triples, reports = made + n, triples + size, reports + 1
                if made >= claims:
                    return True
            return False

        if workers == 1:
            first = 0
            while not take(_report_batch(first, 1, seed, articles)):
                first += 1
        else:
            ctx = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
            with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
                pending: deque = deque()
                first, done = 0, False
                while not done:
                    while len(pending) < 3 * workers:
                        pending.append(pool.submit(_report_batch, first, batch, seed, articles))
                        first += batch
                    done = take(pending.popleft().result())
                for fut in pending:
                    fut.cancel()
    os.replace(tmp, out / "corpus.nq")
    return {"reports": reports, "claims": made, "triples": triples}


def _has_bnode(t) -> bool:
    from rdflib import BNode

    return any(isinstance(x, BNode) for x in t)
