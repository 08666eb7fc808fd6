"""The fact graph as a networkx multigraph, and analyses over it: influence paths, centrality,
communities, funding and restriction rankings, per-country summaries.

Nodes are reference entities (type, English and Chinese labels, country). Edges are facts: one
edge per subject–predicate–object, carrying every claim that states it, the number of distinct
sources behind them, amounts in their own currency, the first date, and the claim IRIs, so the
provenance of any edge stays one lookup away.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import networkx as nx
import pyoxigraph as ox

from chipkg.analysis.query import select
from chipkg.errors import ChipkgError

ENTITY = "https://w3id.org/chipkg/id/entity/"
CKG = "https://w3id.org/chipkg/ontology#"

FACTS = """
PREFIX ckg: <https://w3id.org/chipkg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX schema: <https://schema.org/>
SELECT ?claim ?s ?p ?o ?value ?currency ?date ?text ?page ?src WHERE {
  ?claim a ckg:Claim ; ckg:claimSubject ?s ; ckg:claimPredicate ?p ; ckg:claimObject ?o ;
         ckg:statedIn ?passage .
  FILTER NOT EXISTS { ?newer ckg:supersedes ?claim }
  ?passage ckg:text ?text ; ckg:pageNumber ?page .
  OPTIONAL { ?claim ckg:amount [ schema:value ?value ; schema:currency ?currency ] }
  OPTIONAL { ?claim ckg:date ?date }
  OPTIONAL { ?claim prov:wasDerivedFrom ?src }
}
"""
NODES = """
PREFIX ckg: <https://w3id.org/chipkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?e ?type ?en ?zh ?country WHERE {
  ?e a ?class . ?class rdfs:subClassOf* ckg:Actor .
  FILTER(STRSTARTS(STR(?e), "https://w3id.org/chipkg/id/entity/"))
  BIND(STRAFTER(STR(?class), "#") AS ?type)
  OPTIONAL { ?e rdfs:label ?en FILTER(lang(?en) = "en") }
  OPTIONAL { ?e rdfs:label ?zh FILTER(lang(?zh) = "zh") }
  OPTIONAL { ?e ckg:country ?country }
}
"""
NODE_ANY = NODES.replace("?class rdfs:subClassOf* ckg:Actor .", "")
ACTOR_TYPES = {
    "Country",
    "SupranationalBody",
    "GovernmentAgency",
    "Company",
    "ResearchInstitution",
    "ThinkTank",
    "Association",
    "Person",
}


def local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1] if iri.startswith(ENTITY) else iri.rsplit("#", 1)[-1]


@dataclass(frozen=True)
class Hop:
    source: str
    target: str
    predicate: str
    text: str
    page: int
    sources: tuple[str, ...]


def fact_graph(store: ox.Store) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    for row in select(store, NODE_ANY):
        eid = local(str(row["e"]))
        g.add_node(
            eid,
            type=row["type"],
            label_en=row["en"] or eid,
            label_zh=row["zh"] or "",
            country=local(str(row["country"])) if row["country"] else "",
        )
    edges: dict[tuple[str, str, str], dict] = {}
    for row in select(store, FACTS):
        s, p, o = local(str(row["s"])), local(str(row["p"])), local(str(row["o"]))
        e = edges.setdefault(
            (s, p, o),
            {"claims": set(), "sources": set(), "amounts": set(), "dates": set(), "evidence": {}},
        )
        e["claims"].add(str(row["claim"]))
        if row["src"]:
            e["sources"].add(str(row["src"]))
        if row["value"] is not None:
            e["amounts"].add((Decimal(str(row["value"])), str(row["currency"])))
        if row["date"]:
            e["dates"].add(str(row["date"]))
        e["evidence"].setdefault(str(row["claim"]), (str(row["text"]), int(row["page"])))
    for (s, p, o), e in sorted(edges.items()):
        for n in (s, o):
            if n not in g:
                g.add_node(n, type="", label_en=n, label_zh="", country="")
        g.add_edge(
            s,
            o,
            key=p,
            predicate=p,
            claims=sorted(e["claims"]),
            sources=sorted(e["sources"]),
            weight=len(e["sources"]) or 1,
            amounts=sorted(e["amounts"]),
            date=min(e["dates"]) if e["dates"] else "",
            evidence=[e["evidence"][c] for c in sorted(e["evidence"])],
        )
    return g


def resolve_name(g: nx.MultiDiGraph, name: str) -> str:
    """An entity id from an id, an English or a Chinese label (exact, then substring)."""
    if name in g:
        return name
    exact = [
        n
        for n, d in g.nodes(data=True)
        if name.casefold() in (d["label_en"].casefold(), d["label_zh"].casefold())
    ]
    if len(exact) == 1:
        return exact[0]
    partial = exact or [
        n
        for n, d in g.nodes(data=True)
        if name.casefold() in d["label_en"].casefold() or name in d["label_zh"]
    ]
    if len(partial) == 1:
        return partial[0]
    if not partial:
        raise ChipkgError(
            f"no entity in the graph is called '{name}'",
            hint="use an entity id, or an English or Chinese label",
        )
    options = ", ".join(
        f"{n} ({g.nodes[n]['label_en']} / {g.nodes[n]['label_zh']})" for n in sorted(partial)[:10]
    )
    raise ChipkgError(f"'{name}' is ambiguous: {options}", hint="use one of these ids")


def trace(
    g: nx.MultiDiGraph,
    source: str,
    target: str | None = None,
    max_hops: int = 3,
    via: tuple[str, ...] = (),
) -> list[list[Hop]]:
    """Influence paths from ``source`` (to ``target`` if given) along fact edges, at most
    ``max_hops`` long, optionally only through the given predicates. Shortest first."""
    view = g
    if via:
        keep = [(u, v, k) for u, v, k, d in g.edges(keys=True, data=True) if d["predicate"] in via]
        view = g.edge_subgraph(keep)
    if source not in view:
        return []
    if target is not None:
        if target not in view:
            return []
        node_paths = nx.all_simple_paths(view, source, target, cutoff=max_hops)
    else:
        lengths = nx.single_source_shortest_path(view, source, cutoff=max_hops)
        node_paths = (p for n, p in lengths.items() if n != source)
    paths: list[list[Hop]] = []
    for nodes in node_paths:
        options: list[list[Hop]] = [[]]
        for u, v in zip(nodes, nodes[1:], strict=False):
            hops = []
            for _, d in view.get_edge_data(u, v).items():
                text, page = d["evidence"][0]
                hops.append(Hop(u, v, d["predicate"], text, page, tuple(d["sources"])))
            options = [o + [h] for o in options for h in hops[:1]]
        paths.extend(options)
    paths.sort(key=lambda p: (len(p), [(h.target, h.predicate) for h in p]))
    return paths


def betweenness(g: nx.DiGraph) -> dict:
    """``nx.betweenness_centrality(g)`` (normalised), the very same floats, without a
    shortest-path search from each node that has no edge: reference entities no fact names are
    most of a fact graph's nodes (three in five on the bundled report, 2,000 of 2,029 on the
    quick benchmark's), and each search costs a pass over every node. Such a node lies on no path
    and starts none, so the other nodes' sums are added up in the same order as over the whole
    graph; the scale is the whole graph's."""
    n = len(g)
    linked = [v for v in g if g.degree(v)]
    if n < 3 or len(linked) == n:
        return nx.betweenness_centrality(g)
    core = nx.DiGraph()  # not a subgraph view: a view may visit nodes in another order
    core.add_nodes_from(linked)
    core.add_edges_from(g.edges())  # each node's successors in g's order
    raw = nx.betweenness_centrality(core, normalized=False)
    scale = 1 / ((n - 1) * (n - 2))  # as networkx normalises a directed graph of n nodes
    return {v: raw[v] * scale if v in raw else 0.0 for v in g}


def analyze(g: nx.MultiDiGraph) -> dict:
    simple = nx.DiGraph()
    simple.add_nodes_from(g.nodes)
    for u, v, d in g.edges(data=True):
        w = simple[u][v]["weight"] + d["weight"] if simple.has_edge(u, v) else d["weight"]
        simple.add_edge(u, v, weight=w)
    pagerank = nx.pagerank(simple, weight="weight") if len(simple) else {}
    between = betweenness(simple) if len(simple) else {}
    undirected = simple.to_undirected()
    communities = (
        nx.community.louvain_communities(undirected, weight="weight", seed=42)
        if undirected.number_of_edges()
        else []
    )
    funded: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    restricted: dict[str, int] = defaultdict(int)
    for _u, v, d in g.edges(data=True):
        if d["predicate"] in ("funds", "investsIn"):
            for value, cur in d["amounts"]:
                funded[v][cur] += value
        if d["predicate"] in (
            "restrictsExportOf",
            "restrictsExportTo",
            "addsToControlList",
            "investigates",
        ):
            restricted[v] += len(d["claims"])
    countries: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for n, d in g.nodes(data=True):
        c = d["country"] or (n if d["type"] == "Country" else "")
        if c:
            countries[c]["entities"] += 1
            countries[c]["facts_as_subject"] += g.out_degree(n)
            countries[c]["facts_as_object"] += g.in_degree(n)

    def label(n: str) -> str:
        return g.nodes[n]["label_en"]

    top = sorted(pagerank, key=lambda n: (-pagerank[n], n))
    return {
        "nodes": g.number_of_nodes(),
        "edges": g.number_of_edges(),
        "pagerank": [
            {"entity": n, "label": label(n), "score": round(pagerank[n], 5)} for n in top[:15]
        ],
        "betweenness": [
            {"entity": n, "label": label(n), "score": round(between[n], 5)}
            for n in sorted(between, key=lambda n: (-between[n], n))[:15]
        ],
        "communities": [
            sorted(c) for c in sorted(communities, key=lambda c: (-len(c), sorted(c))) if len(c) > 1
        ],
        "most_funded": [
            {
                "entity": n,
                "label": label(n),
                "amounts": {cur: str(v) for cur, v in sorted(funded[n].items())},
            }
            for n in sorted(funded, key=lambda n: (-len(funded[n]), -max(funded[n].values()), n))
        ][:15],
        "most_restricted": [
            {"entity": n, "label": label(n), "claims": restricted[n]}
            for n in sorted(restricted, key=lambda n: (-restricted[n], n))[:15]
        ],
        "countries": {c: dict(v) for c, v in sorted(countries.items())},
    }
