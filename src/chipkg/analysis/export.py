"""Exports that open cleanly in Gephi (GEXF 1.2) and other graph tools (GraphML).

networkx's writers reject lists and None, write dicts as Python text, and treat a few attribute
names specially (``pid`` marks Gephi hierarchies; ``start``/``end`` make the graph dynamic), so
every attribute is flattened to a string or number under a safe name before writing. Colours by
entity type and sizes by PageRank go in the viz namespace, so the file looks meaningful the
moment it opens.
"""

from __future__ import annotations

import hashlib
import io
import re
from enum import StrEnum
from pathlib import Path

import networkx as nx

from chipkg.analysis.analyze import ACTOR_TYPES
from chipkg.errors import ChipkgError
from chipkg.graph.store import atomic_write

RESERVED = {"pid", "start", "end", "id", "label"}

TYPE_COLOURS = {
    # actors: warm; policies: violet; facilities: green; technologies: blue; sources: grey
    "Country": (214, 39, 40),
    "SupranationalBody": (227, 119, 194),
    "GovernmentAgency": (255, 127, 14),
    "Company": (188, 189, 34),
    "ResearchInstitution": (140, 86, 75),
    "ThinkTank": (247, 182, 210),
    "Association": (219, 219, 141),
    "Person": (196, 156, 148),
    "Law": (148, 103, 189),
    "FundingProgram": (197, 176, 213),
    "ExportControl": (123, 65, 173),
    "TradeInvestigation": (165, 81, 148),
    "Strategy": (206, 219, 156),
    "Fab": (44, 160, 44),
    "PackagingFacility": (152, 223, 138),
    "ResearchCenter": (23, 190, 207),
    "PilotLine": (158, 218, 229),
    "IndustrialCluster": (99, 121, 57),
    "Region": (127, 127, 127),
    "Technology": (31, 119, 180),
    "Product": (174, 199, 232),
    "Claim": (255, 187, 120),
    "Source": (127, 127, 127),
}


class Variant(StrEnum):
    FACTS = "facts"
    ACTORS = "actors"
    CLAIMS_SOURCES = "claims-sources"


class Format(StrEnum):
    GEXF = "gexf"
    GRAPHML = "graphml"


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def prepare(g: nx.MultiDiGraph, variant: Variant) -> nx.MultiDiGraph:
    """A copy of the fact graph (or of its actor or claim–source view) with flat, safe
    attributes and viz data."""
    if variant is Variant.CLAIMS_SOURCES:
        return _claims_sources(g)
    keep = [
        n for n, d in g.nodes(data=True) if variant is Variant.FACTS or d["type"] in ACTOR_TYPES
    ]
    sub = g.subgraph(keep)
    active = [n for n in sub if sub.degree(n) > 0]
    sub = sub.subgraph(active)
    pagerank = _pagerank(sub)
    out = nx.MultiDiGraph()
    for n, d in sorted(sub.nodes(data=True)):
        pr = pagerank.get(n, 0.0)
        out.add_node(
            n,
            label=d["label_en"],
            type=d["type"] or "Other",
            label_en=d["label_en"],
            label_zh=d["label_zh"],
            country=d["country"],
            degree=sub.degree(n),
            pagerank=round(pr, 6),
            viz=_viz(d["type"], 6 + 60 * pr**0.5),
        )
    for u, v, k, d in sorted(sub.edges(keys=True, data=True), key=lambda e: e[:3]):
        amounts = "; ".join(f"{value} {cur}" for value, cur in d["amounts"])
        attrs = {
            "label": k,
            "predicate": d["predicate"],
            "weight": float(d["weight"]),
            "amount": amounts,
            "source_url": d["sources"][0] if d["sources"] else "",
            "sources": len(d["sources"]),
            "claims": len(d["claims"]),
        }
        if d["date"][:4].isdigit():  # no date: no year (never a year 0)
            attrs["year"] = int(d["date"][:4])
        out.add_edge(u, v, key=k, **attrs)
    return out


def _pagerank(g: nx.MultiDiGraph) -> dict[str, float]:
    simple = nx.DiGraph()
    simple.add_nodes_from(g)
    for u, v, d in g.edges(data=True):
        w = d.get("weight", 1)
        simple.add_edge(u, v, weight=simple[u][v]["weight"] + w if simple.has_edge(u, v) else w)
    return nx.pagerank(simple, weight="weight") if len(simple) else {}


def _viz(etype: str, size: float) -> dict:
    r, g_, b = TYPE_COLOURS.get(etype, (160, 160, 160))
    return {"color": {"r": r, "g": g_, "b": b, "a": 1.0}, "size": float(round(size, 3))}


def _claims_sources(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Bipartite: claim nodes linked to the source documents they rest on."""
    out = nx.MultiDiGraph()
    for u, v, d in sorted(g.edges(data=True), key=lambda e: (e[0], e[1], e[2]["predicate"])):
        for claim in d["claims"]:
            out.add_node(
                claim,
                label=f"{u} {d['predicate']} {v}",
                type="Claim",
                label_en="",
                label_zh="",
                country="",
                degree=0,
                pagerank=0.0,
                viz=_viz("Claim", 4),
            )
            for src in d["sources"]:
                if src not in out:
                    out.add_node(
                        src,
                        label=src,
                        type="Source",
                        label_en="",
                        label_zh="",
                        country="",
                        degree=0,
                        pagerank=0.0,
                        viz=_viz("Source", 6),
                    )
                out.add_edge(
                    claim,
                    src,
                    key="wasDerivedFrom",
                    label="wasDerivedFrom",
                    predicate="wasDerivedFrom",
                    weight=1.0,
                    amount="",
                    source_url=src,
                    sources=1,
                    claims=1,
                )
    for n in out:
        out.nodes[n]["degree"] = out.degree(n)
        if out.nodes[n]["type"] == "Source":
            out.nodes[n]["viz"]["size"] = float(round(4 + 2 * out.degree(n) ** 0.5, 3))
    return out


def sanitise(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Flatten values the writers cannot hold and rename reserved attribute names."""

    def clean(attrs: dict) -> dict:
        out = {}
        for k, v in attrs.items():
            if k == "viz" or (k == "label" and isinstance(v, str)):
                out[k] = v
                continue
            key = f"{k}_" if k in RESERVED else k
            if v is None:
                v = ""
            elif isinstance(v, list | tuple | set):
                v = "; ".join(map(str, v))
            elif isinstance(v, dict):
                v = "; ".join(f"{a}={b}" for a, b in v.items())
            out[key] = v
        return out

    nodes = [(n, clean(d)) for n, d in g.nodes(data=True)]
    edges = [(u, v, k, clean(d)) for u, v, k, d in g.edges(keys=True, data=True)]
    _one_type([d for _, d in nodes])
    _one_type([e[3] for e in edges])
    h = nx.MultiDiGraph()
    for n, d in nodes:
        h.add_node(n, **d)
    for u, v, k, d in edges:
        h.add_edge(u, v, key=k, **d)
    return h


def _one_type(records: list[dict]) -> None:
    """Give each attribute one type across all records (the writers declare one key per name and
    type: a `size` that is 4 on one node and 4.5 on another became two `size` keys, long and
    double, which python-igraph refuses). Integers among floats become floats; anything mixed
    with text becomes text."""
    kinds: dict[str, set[type]] = {}
    for d in records:
        for k, v in d.items():
            if k != "viz":
                kinds.setdefault(k, set()).add(type(v))
    for k, types in kinds.items():
        if len(types) < 2:
            continue
        cast = float if types <= {int, float} else str
        for d in records:
            if k in d:
                d[k] = cast(d[k])


def write(g: nx.MultiDiGraph, path: Path, fmt: Format) -> None:
    h = sanitise(g)
    buf = io.BytesIO()
    if fmt is Format.GEXF:
        nx.write_gexf(h, buf, encoding="utf-8", prettyprint=True, version="1.2draft")
        # the writer stamps today's date: drop it so the same graph gives the same bytes; and
        # it writes <graph name="">, which the GEXF 1.2draft schema does not allow
        data = re.sub(rb' lastmodifieddate="[0-9-]+"', b"", buf.getvalue())
        data = re.sub(rb'(<graph [^>]*?) name="[^"]*"', rb"\1", data, count=1)
        buf = io.BytesIO(data)
    else:
        # the ElementTree writer, not write_graphml: that one switches to lxml when lxml is
        # installed (trafilatura brings it), and the two write different bytes
        nx.write_graphml_xml(_for_graphml(h), buf, encoding="utf-8", prettyprint=True)
    try:
        atomic_write(path, buf.getvalue())
    except OSError as exc:
        raise ChipkgError(
            f"cannot write the export: {exc.strerror or exc}",
            path=path,
            hint="choose a file in a folder you can write to",
        ) from None


_NMTOKEN = re.compile(r"[\w.:\-\u00B7\u0300-\u036F\u203F-\u2040]+")


def _graphml_id(node: str) -> str:
    """GraphML ids are XML name tokens: a URL or IRI (claim and source nodes) is not one, so it
    gets a stable id made from its text; the original stays in the ``node_id`` attribute."""
    if _NMTOKEN.fullmatch(node):
        return node
    return "n" + hashlib.sha1(node.encode("utf-8")).hexdigest()[:16]


def _for_graphml(h: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """GraphML's shape of the graph: viz data as plain ``color``/``size`` attributes, node ids
    that are name tokens, and edge ids unique in the file (``e0``, ``e1`` … in edge order; the
    predicate is in ``predicate`` and ``label``). Repeated edge ids break the XSD's
    ``edge_id_unique`` and make Gephi drop edges."""
    ids = {n: _graphml_id(n) for n in h}
    if len(set(ids.values())) != len(ids):  # pragma: no cover — a 64-bit hash collision
        raise ChipkgError("two nodes would get the same GraphML id")
    out = nx.MultiDiGraph()
    for n, d in h.nodes(data=True):
        d = dict(d)
        viz = d.pop("viz", None)
        if viz:
            c = viz["color"]
            d["color"] = _hex((c["r"], c["g"], c["b"]))
            d["size"] = viz["size"]
        out.add_node(ids[n], node_id=n, **d)
    for i, (u, v, _k, d) in enumerate(h.edges(keys=True, data=True)):
        out.add_edge(ids[u], ids[v], key=f"e{i}", **d)
    return out


def render_png(g: nx.MultiDiGraph, path: Path, title: str, labels: int = 25) -> None:
    """An overview picture of a prepared graph: nodes coloured by type and sized by PageRank,
    the best connected ones labelled (English labels: no CJK font is assumed on the machine)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    whole = nx.Graph(g)
    giant = max(nx.connected_components(whole), key=lambda c: (len(c), sorted(c)))
    simple = whole.subgraph(giant)
    pos = nx.kamada_kawai_layout(simple)
    fig, ax = plt.subplots(figsize=(12, 9), dpi=110)
    nodes = sorted((n, d) for n, d in g.nodes(data=True) if n in giant)
    title += f" — largest connected part: {len(giant)} of {len(whole)} nodes"
    colours = [_hex(TYPE_COLOURS.get(d["type"], (160, 160, 160))) for _, d in nodes]
    sizes = [40 + 3000 * d["pagerank"] for _, d in nodes]
    nx.draw_networkx_edges(simple, pos, ax=ax, alpha=0.25, width=0.8)
    nx.draw_networkx_nodes(
        simple,
        pos,
        nodelist=[n for n, _ in nodes],
        node_color=colours,
        node_size=sizes,
        ax=ax,
        linewidths=0.5,
        edgecolors="white",
    )
    top = sorted(nodes, key=lambda nd: (-simple.degree(nd[0]), -nd[1]["pagerank"], nd[0]))[:labels]
    nx.draw_networkx_labels(
        simple, pos, labels={n: d["label_en"] for n, d in top}, ax=ax, font_size=8
    )
    present = sorted({d["type"] for _, d in nodes})
    handles = [
        plt.Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markersize=8,
            color=_hex(TYPE_COLOURS.get(t, (160, 160, 160))),
            label=t,
        )
        for t in present
    ]
    ax.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False
    )
    ax.set_title(title)
    ax.axis("off")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    atomic_write(path, buf.getvalue())
