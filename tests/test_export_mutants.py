"""What a Gephi user sees in an export, on a small fact graph made by hand in the shape
analysis/analyze.py gives (issue 21: dropping the ``label`` pass-through, or the strip of the
writer's date stamp, went through the suite). Read back with ElementTree: the node and edge
labels Gephi shows, reserved attribute names renamed, every value flattened, the same bytes
whatever the day, colours and sizes in the viz namespace and in GraphML attributes."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest

from chipkg.analysis import export
from chipkg.analysis.export import Format, Variant, prepare, sanitise, write

GEXF = "{http://www.gexf.net/1.2draft}"
VIZ = "{http://www.gexf.net/1.2draft/viz}"
GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"


def facts() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    for eid, etype, en, zh, country in [
        ("united-states", "Country", "United States", "美国", ""),
        ("us-doc", "GovernmentAgency", "US Department of Commerce", "美国商务部", "united-states"),
        ("intel", "Company", "Intel", "英特尔", "united-states"),
        ("ohio-fab", "Fab", "Intel Ohio fab", "英特尔俄亥俄州工厂", "united-states"),
        ("euv", "Technology", "EUV lithography", "EUV光刻", ""),
    ]:
        g.add_node(eid, type=etype, label_en=en, label_zh=zh, country=country)

    def edge(s, p, o, sources, amounts=(), date=""):
        g.add_edge(
            s,
            o,
            key=p,
            predicate=p,
            claims=[f"claim-{s}-{p}-{i}" for i in range(len(sources))],
            sources=sorted(sources),
            weight=len(sources) or 1,
            amounts=sorted(amounts),
            date=date,
            evidence=[],
        )

    edge("us-doc", "funds", "intel", ["https://a.example/1", "https://b.example/2"],
         [("7865000000", "USD")], "2024-11-26")  # fmt: skip
    edge("intel", "builds", "ohio-fab", ["https://a.example/1"], (), "2022-01")
    edge("us-doc", "partOf", "united-states", [])
    edge("intel", "develops", "euv", ["https://c.example/3"])
    return g


def gexf_of(g: nx.MultiDiGraph, tmp_path: Path, name: str = "g.gexf") -> ET.Element:
    path = tmp_path / name
    write(g, path, Format.GEXF)
    return ET.parse(path).getroot()


def attr_titles(root: ET.Element, cls: str) -> dict[str, str]:
    """GEXF attribute id -> title for nodes or edges."""
    return {
        a.get("id"): a.get("title")
        for block in root.iter(f"{GEXF}attributes")
        if block.get("class") == cls
        for a in block.iter(f"{GEXF}attribute")
    }


def values(el: ET.Element, titles: dict[str, str]) -> dict[str, str]:
    return {titles[v.get("for")]: v.get("value") for v in el.iter(f"{GEXF}attvalue")}


def test_gexf_nodes_are_labelled_with_their_names_not_their_ids(tmp_path):
    root = gexf_of(prepare(facts(), Variant.FACTS), tmp_path)
    labels = {n.get("id"): n.get("label") for n in root.iter(f"{GEXF}node")}
    assert labels == {
        "united-states": "United States",
        "us-doc": "US Department of Commerce",
        "intel": "Intel",
        "ohio-fab": "Intel Ohio fab",
        "euv": "EUV lithography",
    }
    titles = attr_titles(root, "node")
    intel = next(n for n in root.iter(f"{GEXF}node") if n.get("id") == "intel")
    assert values(intel, titles) == {
        "type": "Company",
        "label_en": "Intel",
        "label_zh": "英特尔",
        "country": "united-states",
        "degree": "3",
        "pagerank": values(intel, titles)["pagerank"],
    }
    assert "label" not in titles.values() and "label_" not in titles.values()


def test_gexf_edges_are_labelled_with_their_predicate(tmp_path):
    root = gexf_of(prepare(facts(), Variant.FACTS), tmp_path)
    titles = attr_titles(root, "edge")
    edges = {
        (e.get("source"), e.get("target")): (e.get("label"), e.get("weight"), values(e, titles))
        for e in root.iter(f"{GEXF}edge")
    }
    label, weight, funds = edges[("us-doc", "intel")]
    assert (label, weight) == ("funds", "2.0")
    assert funds == {
        "networkx_key": "funds",
        "predicate": "funds",
        "amount": "7865000000 USD",
        "source_url": "https://a.example/1",
        "sources": "2",
        "claims": "2",
        "year": "2024",
    }
    assert edges[("intel", "ohio-fab")][0] == "builds"
    assert edges[("intel", "ohio-fab")][2]["year"] == "2022"
    assert edges[("us-doc", "united-states")][2]["source_url"] == ""


def test_the_actor_view_keeps_actors_only(tmp_path):
    root = gexf_of(prepare(facts(), Variant.ACTORS), tmp_path)
    assert sorted(n.get("id") for n in root.iter(f"{GEXF}node")) == [
        "intel",
        "united-states",
        "us-doc",
    ]


def test_the_same_graph_gives_the_same_bytes_whatever_the_day(tmp_path, monkeypatch):
    g = prepare(facts(), Variant.FACTS)
    write(g, tmp_path / "today.gexf", Format.GEXF)
    import networkx.readwrite.gexf as gexf_module

    monkeypatch.setattr(gexf_module.time, "strftime", lambda *_a: "1999-12-31")
    write(g, tmp_path / "another-day.gexf", Format.GEXF)
    today = (tmp_path / "today.gexf").read_bytes()
    assert today == (tmp_path / "another-day.gexf").read_bytes()
    assert b"lastmodifieddate" not in today
    assert b"1999-12-31" not in (tmp_path / "another-day.gexf").read_bytes()
    root = ET.fromstring(today)
    assert root.find(f"{GEXF}meta") is not None  # the rest of the header stays


def test_reserved_names_are_renamed_and_every_value_flattened(tmp_path):
    g = nx.MultiDiGraph()
    g.add_node(
        "a",
        label="A",
        pid="parent",
        start="2024",
        end="2025",
        id="x",
        tags=["one", "two"],
        meta={"k": "v", "n": 2},
        missing=None,
        score=1.5,
    )
    g.add_node("b", label=7)  # not text: kept as an attribute, not as the label
    g.add_edge("a", "b", key="k", start="2024", sources=("s1", "s2"), weight=1.0)
    h = sanitise(g)
    assert h.nodes["a"] == {
        "label": "A",
        "pid_": "parent",
        "start_": "2024",
        "end_": "2025",
        "id_": "x",
        "tags": "one; two",
        "meta": "k=v; n=2",
        "missing": "",
        "score": 1.5,
    }
    assert h.nodes["b"] == {"label_": 7}
    assert h.edges["a", "b", "k"] == {"start_": "2024", "sources": "s1; s2", "weight": 1.0}
    root = gexf_of(g, tmp_path)
    graph = root.find(f"{GEXF}graph")
    assert graph.get("mode") == "static"  # no start/end: Gephi does not make it dynamic
    for el in root.iter():
        assert el.get("pid") is None and el.get("start") is None and el.get("end") is None
    assert {n.get("id"): n.get("label") for n in root.iter(f"{GEXF}node")} == {"a": "A", "b": "b"}


def test_colours_and_sizes(tmp_path):
    g = prepare(facts(), Variant.FACTS)
    root = gexf_of(g, tmp_path)
    intel = next(n for n in root.iter(f"{GEXF}node") if n.get("id") == "intel")
    colour = intel.find(f"{VIZ}color")
    assert (colour.get("r"), colour.get("g"), colour.get("b")) == ("188", "189", "34")
    assert float(intel.find(f"{VIZ}size").get("value")) == pytest.approx(
        6 + 60 * g.nodes["intel"]["pagerank"] ** 0.5, abs=0.01
    )
    path = tmp_path / "g.graphml"
    write(g, path, Format.GRAPHML)
    groot = ET.parse(path).getroot()
    keys = {k.get("id"): k.get("attr.name") for k in groot.iter(f"{GRAPHML}key")}
    node = next(
        n
        for n in groot.iter(f"{GRAPHML}node")
        if any(d.text == "Intel" for d in n.iter(f"{GRAPHML}data"))
    )
    data = {keys[d.get("key")]: d.text for d in node.iter(f"{GRAPHML}data")}
    assert data["color"] == "#bcbd22"
    assert float(data["size"]) == pytest.approx(g.nodes["intel"]["viz"]["size"])
    assert "viz" not in keys.values()


def test_unknown_types_are_grey():
    assert export._viz("NotAType", 5)["color"] == {"r": 160, "g": 160, "b": 160, "a": 1.0}
    assert export._hex((188, 189, 34)) == "#bcbd22"


def test_claims_and_sources(tmp_path):
    g = prepare(facts(), Variant.CLAIMS_SOURCES)
    claims = sorted(n for n, d in g.nodes(data=True) if d["type"] == "Claim")
    sources = sorted(n for n, d in g.nodes(data=True) if d["type"] == "Source")
    assert sources == ["https://a.example/1", "https://b.example/2", "https://c.example/3"]
    assert len(claims) == 4 and g.nodes[claims[0]]["label"].count(" ") == 2
    # two claims of the funding edge and one of the build rest on it
    assert g.nodes["https://a.example/1"]["degree"] == 3
    assert g.nodes["https://a.example/1"]["viz"]["size"] == pytest.approx(4 + 2 * 3**0.5, abs=1e-3)
    root = gexf_of(g, tmp_path)
    labels = {n.get("id"): n.get("label") for n in root.iter(f"{GEXF}node")}
    assert labels["https://b.example/2"] == "https://b.example/2"
    assert labels["claim-us-doc-funds-0"] == "us-doc funds intel"


# ---------------------------------------------------------------------------------------------
# Survivors of `make mutate MODULE=export` (docs/testing.md): the claim–source view in full,
# PageRank over summed parallel edges, the nodes left out, and the bytes of both files.


def richer() -> nx.MultiDiGraph:
    """facts() and: a second edge between the same two nodes (summed for PageRank, and two
    claims of one pair in the claim–source view), an edge with two amounts, a node whose type is
    unknown, and a node with no edge at all."""
    g = facts()
    g.add_edge(
        "intel",
        "euv",
        key="researches",
        predicate="researches",
        claims=["claim-intel-researches-euv"],
        sources=["https://c.example/3", "https://d.example/4"],
        weight=2,
        amounts=[],
        date="",
        evidence=[],
    )
    g.add_node("mystery", type="", label_en="Mystery body", label_zh="神秘机构", country="")
    g.add_node("lonely", type="Company", label_en="Lonely Co", label_zh="孤独公司", country="")
    g.add_edge(
        "mystery",
        "intel",
        key="funds",
        predicate="funds",
        claims=["claim-mystery-funds-intel"],
        sources=["https://e.example/5"],
        weight=1,
        amounts=[("10", "EUR"), ("20", "USD")],
        date="",
        evidence=[],
    )
    return g


def test_the_claim_source_view_in_full():
    g = prepare(richer(), Variant.CLAIMS_SOURCES)
    # claims in (subject, object, predicate) order, each followed by its sources when new
    assert list(g.nodes) == [
        "claim-intel-develops-0",
        "https://c.example/3",
        "claim-intel-researches-euv",
        "https://d.example/4",
        "claim-intel-builds-0",
        "https://a.example/1",
        "claim-mystery-funds-intel",
        "https://e.example/5",
        "claim-us-doc-funds-0",
        "https://b.example/2",
        "claim-us-doc-funds-1",
    ]
    claim = g.nodes["claim-intel-researches-euv"]
    assert list(claim.items()) == [
        ("label", "intel researches euv"),
        ("type", "Claim"),
        ("label_en", ""),
        ("label_zh", ""),
        ("country", ""),
        ("degree", 2),
        ("pagerank", 0.0),
        ("viz", {"color": {"r": 255, "g": 187, "b": 120, "a": 1.0}, "size": 4}),
    ]
    source = g.nodes["https://c.example/3"]
    assert list(source.items()) == [
        ("label", "https://c.example/3"),
        ("type", "Source"),
        ("label_en", ""),
        ("label_zh", ""),
        ("country", ""),
        ("degree", 2),
        ("pagerank", 0.0),
        ("viz", {"color": {"r": 127, "g": 127, "b": 127, "a": 1.0}, "size": 6.828}),
    ]
    assert g.nodes["https://a.example/1"]["viz"]["size"] == 7.464  # 4 + 2·√3, three decimals
    edges = list(g.edges(keys=True, data=True))
    assert len(edges) == 9
    assert edges[1] == (
        "claim-intel-researches-euv",
        "https://c.example/3",
        "wasDerivedFrom",
        {
            "label": "wasDerivedFrom",
            "predicate": "wasDerivedFrom",
            "weight": 1.0,
            "amount": "",
            "source_url": "https://c.example/3",
            "sources": 1,
            "claims": 1,
        },
    )


def test_pagerank_sums_parallel_edges_and_sizes_follow_it():
    g = prepare(richer(), Variant.FACTS)
    simple = nx.DiGraph()
    for u, v, w in [
        ("us-doc", "intel", 2),
        ("intel", "ohio-fab", 1),
        ("us-doc", "united-states", 1),
        ("intel", "euv", 1 + 2),  # develops + researches
        ("mystery", "intel", 1),
    ]:
        simple.add_edge(u, v, weight=w)
    expected = nx.pagerank(simple, weight="weight")
    for n, pr in expected.items():
        assert g.nodes[n]["pagerank"] == round(pr, 6), n
        assert g.nodes[n]["viz"]["size"] == round(6 + 60 * pr**0.5, 3), n
    assert expected["euv"] != pytest.approx(nx.pagerank(nx.DiGraph(simple), weight=None)["euv"])


def test_nodes_without_edges_are_left_out_and_unknown_types_are_other():
    g = prepare(richer(), Variant.FACTS)
    assert "lonely" not in g
    assert "lonely" not in prepare(richer(), Variant.ACTORS)
    mystery = g.nodes["mystery"]
    assert mystery["type"] == "Other"
    assert mystery["viz"]["color"] == {"r": 160, "g": 160, "b": 160, "a": 1.0}
    funds = g.edges["mystery", "intel", "funds"]
    assert funds["amount"] == "10 EUR; 20 USD"
    assert "year" not in funds  # no date: no year (never a year 0)
    assert "year" not in g.edges["us-doc", "united-states", "partOf"]


@pytest.mark.parametrize("fmt", [Format.GEXF, Format.GRAPHML])
def test_files_are_indented_utf8_text(tmp_path, fmt):
    """One element a line (a diff of two exports reads line by line) and Chinese labels as UTF-8
    text, not character references."""
    g = prepare(facts(), Variant.FACTS)
    path = tmp_path / f"g.{fmt}"
    write(g, path, fmt)
    data = path.read_bytes()
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>\n")
    assert "英特尔".encode() in data and b"&#" not in data
    lines = data.decode("utf-8").splitlines()
    assert sum(1 for line in lines if line.lstrip().startswith("<node ")) == len(g)
    assert sum(1 for line in lines if line.lstrip().startswith("<edge ")) == g.number_of_edges()


def test_a_graph_without_viz_data_writes_as_graphml(tmp_path):
    g = nx.MultiDiGraph()
    g.add_node("a", label="A")
    g.add_node("b", label="B")
    g.add_edge("a", "b", key="k", weight=1.0)
    path = tmp_path / "plain.graphml"
    write(g, path, Format.GRAPHML)
    root = ET.parse(path).getroot()
    assert sorted(n.get("id") for n in root.iter(f"{GRAPHML}node")) == ["a", "b"]
    assert {k.get("attr.name") for k in root.iter(f"{GRAPHML}key")} == {
        "label",
        "node_id",
        "weight",
    }
