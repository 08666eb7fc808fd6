"""The summary graph ``id:summary``: what the library queries read instead of aggregating every
claim on each run. Two parts, both computed from the report graphs whenever the store changes:

* each report graph's own part (``summary/report/NAME.ru``, SPARQL updates): its statistics, its
  sources per publisher kind, and the row selections of the large listing queries with the keys
  they sort by — computed for the report graphs a rebuild adds or replaces, dropped for the ones it
  removes or replaces (``drop_report_summaries``, while their old content is still there);
* the global totals (``summary/NAME.rq``, SPARQL CONSTRUCTs over the union of the graphs, typed
  ``cks:Total``): funding per funder, country and recipient, claims per relation, entities per
  class, technologies per actor, facilities — recomputed on every change — and the reports'
  numbers in the order of their ids (``cks:ordinal``).

The summary graph is not a report graph (it is outside ``id:graph/``, so validation and ``push
--report`` never take it for one) and not in chipkg.trig.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable
from importlib import resources

import pyoxigraph as ox

from chipkg.graph.sparql import render as render_params
from chipkg.graph.vocab import ID

SUMMARY_GRAPH = ID["summary"]
SUMMARY_VOCAB = "https://w3id.org/chipkg/summary#"
# chipkg/graph/summary/NAME.rq, the global totals, run in this order (a later one may read an
# earlier one's totals)
SUMMARY_QUERIES = (
    "funding-by-funder",
    "funding-by-country",
    "funding-by-recipient",
    "claims-by-relation",
    "entities-by-type",
    "technologies-by-actor",
    "facilities-by-country",
)
# chipkg/graph/summary/report/NAME.ru, each report graph's own part of the summary graph
REPORT_SUMMARIES = (
    "stats",
    "publisher-kinds",
    "unsourced",
    "export-controls",
    "facilities-built",
    "funding",
    "timeline",
)
CKG_NS = "https://w3id.org/chipkg/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def summary_queries() -> dict[str, str]:
    """The SPARQL CONSTRUCT queries that compute the global totals of the summary graph, by name,
    in the order they run (``chipkg/graph/summary/NAME.rq``)."""
    folder = resources.files("chipkg.graph").joinpath("summary")
    return {n: folder.joinpath(f"{n}.rq").read_text(encoding="utf-8") for n in SUMMARY_QUERIES}


def report_summary_updates() -> dict[str, str]:
    """The SPARQL updates that compute each report graph's own part of the summary graph, by name
    (``chipkg/graph/summary/report/NAME.ru``); ``$graphs`` in them restricts the report graphs."""
    folder = resources.files("chipkg.graph").joinpath("summary", "report")
    return {n: folder.joinpath(f"{n}.ru").read_text(encoding="utf-8") for n in REPORT_SUMMARIES}


def summary_definition() -> str:
    """A digest of the summary queries and updates: totals computed by other ones are not used."""
    texts = {**summary_queries(), **{f"report/{n}": t for n, t in report_summary_updates().items()}}
    return hashlib.sha256("\n".join(f"{n}\n{t}" for n, t in texts.items()).encode()).hexdigest()


def _values(graphs: Iterable[str] | None) -> str:
    """``$graphs`` of a summary update: the report graphs it is restricted to (None: all)."""
    if graphs is None:
        return ""
    return "VALUES ?g { " + " ".join(f"<{g}>" for g in sorted(graphs)) + " }"


def report_graphs(st: ox.Store) -> list[str]:
    """The report graphs of a store: the named graphs that hold a ckg:Report."""
    rows = st.query(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?r a <{CKG_NS}Report> }} }}")
    return sorted(r["g"].value for r in rows)


def drop_report_summaries(st: ox.Store, graphs: Iterable[str]) -> None:
    """Remove what the summary graph holds about these report graphs; call it *before* they are
    removed or replaced, while they still hold what it was computed from: the triples about their
    own nodes (claims, the report) and the nodes that name their report (cks:report)."""
    graphs = list(graphs)
    if not graphs:
        return
    values = _values(graphs)
    st.update(
        f"""DELETE {{ GRAPH <{SUMMARY_GRAPH}> {{ ?x ?p ?o }} }}
        WHERE {{ {values} GRAPH ?g {{ ?x a ?type }} GRAPH <{SUMMARY_GRAPH}> {{ ?x ?p ?o }} }};
        DELETE {{ GRAPH <{SUMMARY_GRAPH}> {{ ?n ?p ?o }} }}
        WHERE {{ {values} GRAPH ?g {{ ?r a <{CKG_NS}Report> }}
                 GRAPH <{SUMMARY_GRAPH}> {{ ?n <{SUMMARY_VOCAB}report> ?r ; ?p ?o }} }}"""
    )


def _drop_totals(st: ox.Store) -> None:
    """Remove the global totals (every node typed cks:Total) from the summary graph."""
    st.update(
        f"""DELETE {{ GRAPH <{SUMMARY_GRAPH}> {{ ?t ?p ?o }} }}
        WHERE {{ GRAPH <{SUMMARY_GRAPH}> {{ ?t a <{SUMMARY_VOCAB}Total> ; ?p ?o }} }}"""
    )


def _number_reports(st: ox.Store) -> None:
    """``?report cks:ordinal n`` for every report, numbered in the order of their IRIs (report
    ids): the paged per-report queries sort by it, an inline number, instead of by IRI (which
    would read every report's IRI text). Renumbered on every change, as a report added in the
    middle moves the ones after it."""
    graph = ox.NamedNode(str(SUMMARY_GRAPH))
    ordinal = ox.NamedNode(f"{SUMMARY_VOCAB}ordinal")
    st.update(f"DELETE WHERE {{ GRAPH <{SUMMARY_GRAPH}> {{ ?r <{ordinal.value}> ?n }} }}")
    reports = sorted(
        r["r"].value
        for r in st.query(f"SELECT DISTINCT ?r WHERE {{ GRAPH ?g {{ ?r a <{CKG_NS}Report> }} }}")
    )
    integer = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    st.extend(
        ox.Quad(ox.NamedNode(r), ordinal, ox.Literal(str(n), datatype=integer), graph)
        for n, r in enumerate(reports, 1)
    )


def materialise_summaries(st: ox.Store, changed: Iterable[str] | None = None) -> dict:
    """(Re)compute the summary graph ``id:summary`` of a writable store from what it holds now.

    Two parts. Each report graph's own part (``report_summary_updates``: its statistics, its
    sources per publisher kind, and the row selections of the large listing queries) is computed
    from that graph alone. The global totals (``summary_queries``: funding per funder, country and
    recipient, claims per relation, entities per class, technologies per actor, facilities) are
    computed over the union of the graphs, a later query reading an earlier one's totals.

    ``changed=None`` recomputes everything. Otherwise only the parts of the ``changed`` report
    graphs (added or replaced) are computed, the caller having dropped the parts of the replaced
    and removed ones first (``drop_report_summaries``); the global totals are always recomputed.
    Returns ``{"graph", "triples", "totals": {name: nodes}, "reports",
    "seconds", "steps": {name: CPU seconds}}``."""
    started = time.perf_counter()
    steps: dict[str, float] = {}
    graph = ox.NamedNode(str(SUMMARY_GRAPH))
    if changed is None:
        st.remove_graph(graph)
        targets: list[str] | None = None
    else:
        targets = sorted(set(changed))
    if targets is None or targets:
        graphs = _values(targets)
        for name, text in report_summary_updates().items():
            t0 = time.process_time()
            st.update(render_params(text, {"graphs": graphs}))
            steps[f"report/{name}"] = time.process_time() - t0
    _drop_totals(st)
    t0 = time.process_time()
    _number_reports(st)
    steps["report-order"] = time.process_time() - t0
    rdf_type = ox.NamedNode(RDF_TYPE)
    totals: dict[str, int] = {}
    for name, text in summary_queries().items():
        t0 = time.process_time()
        quads = [
            ox.Quad(t.subject, t.predicate, t.object, graph)
            for t in st.query(text, use_default_graph_as_union=True)
        ]
        st.extend(quads)
        totals[name] = len({q.subject for q in quads if q.predicate == rdf_type})
        steps[name] = time.process_time() - t0
    size = st.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{SUMMARY_GRAPH}> {{ ?s ?p ?o }} }}")
    return {
        "graph": str(SUMMARY_GRAPH),
        "triples": int(next(iter(size))["n"].value),
        "totals": totals,
        "reports": len(targets) if targets is not None else len(report_graphs(st)),
        "seconds": time.perf_counter() - started,
        "steps": steps,
    }
