"""The fact graph, trace, analyze and the Gephi/GraphML exports, on the built bundled report."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from lxml import etree

from chipkg.analysis.analyze import ACTOR_TYPES, betweenness, fact_graph, resolve_name, trace
from chipkg.analysis.export import Format, Variant, prepare, write
from chipkg.cli import cli
from chipkg.errors import ChipkgError


@pytest.fixture(scope="module")
def facts(built_store) -> nx.MultiDiGraph:
    return fact_graph(built_store)


def test_every_edge_keeps_its_provenance(facts):
    assert facts.number_of_edges() > 50
    for _, _, d in facts.edges(data=True):
        assert d["claims"] and all("/claim/" in c for c in d["claims"])
        assert d["weight"] == max(1, len(d["sources"]))
        assert d["evidence"] and all(text for text, _ in d["evidence"])


def test_names_resolve_in_both_languages_and_ambiguity_is_explained(facts):
    assert resolve_name(facts, "美国商务部") == resolve_name(facts, "U.S. Department of Commerce")
    with pytest.raises(ChipkgError, match="ambiguous"):
        resolve_name(facts, "Samsung")
    with pytest.raises(ChipkgError, match="no entity"):
        resolve_name(facts, "不存在的机构")


def test_trace_from_us_export_controls_reaches_china_with_sentence_and_source(facts):
    doc = resolve_name(facts, "美国商务部")
    paths = trace(facts, doc, "china", max_hops=2, via=("restrictsExportTo", "addsToControlList"))
    assert paths
    hop = paths[0][0]
    assert hop.predicate in ("restrictsExportTo", "addsToControlList")
    assert "140 家中国实体" in hop.text
    assert hop.sources == (
        "https://www.bis.gov/press-release/commerce-strengthens-export-controls-restrict-chinas-capability-produce-advanced",
    )


def test_trace_and_analyze_commands(built_project: Path):
    run = CliRunner().invoke
    r = run(
        cli, ["--project", str(built_project), "trace", "美国商务部", "中国", "--format", "json"]
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)[0][0]["target"] == "china"
    r = run(cli, ["--project", str(built_project), "analyze", "--format", "json"])
    assert r.exit_code == 0, r.output
    result = json.loads(r.stdout)
    assert result["edges"] > 50 and result["pagerank"] and result["communities"]
    funded = {x["entity"]: x["amounts"] for x in result["most_funded"]}
    assert funded["stmicroelectronics"] == {"EUR": "2000000000"}  # never converted to USD


def _random_digraph(seed: int) -> nx.DiGraph:
    """Nodes with no edge among linked ones (some linked both ways, a self-loop or two)."""
    import random

    rng = random.Random(seed)
    g = nx.DiGraph()
    g.add_nodes_from(f"n{i}" for i in rng.sample(range(300), 120))
    nodes = list(g)
    for _ in range(rng.randrange(1, 90)):
        g.add_edge(rng.choice(nodes[:50]), rng.choice(nodes[:50]), weight=rng.randrange(1, 4))
    return g


@pytest.mark.parametrize("seed", range(12))
def test_betweenness_equals_networkx_to_the_last_bit(facts, seed):
    """analyze's betweenness skips the searches from nodes with no edge: the same floats as
    networkx's over the whole graph, on random graphs and on the bundled report's."""
    simple = nx.DiGraph(_random_digraph(seed)) if seed else nx.DiGraph(facts)
    assert any(not simple.degree(v) for v in simple) and simple.number_of_edges()
    mine = betweenness(simple)
    assert list(mine.items()) == list(nx.betweenness_centrality(simple).items())
    assert any(mine.values())  # some node lies on a path: not all zeros by construction


def test_betweenness_of_tiny_or_fully_linked_graphs():
    for g in (nx.DiGraph(), nx.path_graph(2, nx.DiGraph), nx.path_graph(4, nx.DiGraph)):
        assert betweenness(g) == nx.betweenness_centrality(g)
    two = nx.DiGraph([("a", "b")])
    two.add_node("c")
    assert betweenness(two) == nx.betweenness_centrality(two) == {"a": 0, "b": 0, "c": 0}


XSD = Path(__file__).parent / "xsd"
GEXF_NS = "http://www.gexf.net/1.2draft"
VIZ_NS = "http://www.gexf.net/1.2draft/viz"
GRAPHML_NS = "{http://graphml.graphdrawing.org/xmlns}"
CASES = [(v, f) for v in Variant for f in Format]


def case_id(case) -> str:
    return f"{case[0]}-{case[1]}"


@pytest.fixture(scope="module")
def exports(facts, tmp_path_factory) -> dict:
    """Every variant in every format, written once: (prepared graph, file)."""
    folder = tmp_path_factory.mktemp("exports")
    written = {}
    for variant, fmt in CASES:
        g = prepare(facts, variant)
        path = folder / f"{variant}.{fmt}"
        write(g, path, fmt)
        written[(variant, fmt)] = (g, path)
    return written


def graphml_ids(path: Path) -> dict[str, str]:
    """GraphML node id → the node's own id (its ``node_id`` data)."""
    tree = etree.parse(str(path))
    key = next(
        k.get("id")
        for k in tree.iter(f"{GRAPHML_NS}key")
        if k.get("attr.name") == "node_id" and k.get("for") == "node"
    )
    return {
        n.get("id"): n.find(f"{GRAPHML_NS}data[@key='{key}']").text
        for n in tree.iter(f"{GRAPHML_NS}node")
    }


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_networkx_reads_back_every_node_edge_and_attribute(exports, tmp_path, case):
    g, path = exports[case]
    variant, fmt = case
    back = nx.read_gexf(path) if fmt is Format.GEXF else nx.read_graphml(path)
    if fmt is Format.GRAPHML:
        back = nx.relabel_nodes(back, {n: d["node_id"] for n, d in back.nodes(data=True)})
    assert set(back.nodes) == set(g.nodes) and len(g) > 0
    assert back.number_of_edges() == g.number_of_edges() > 0
    assert sorted((u, v) for u, v in back.edges()) == sorted((u, v) for u, v in g.edges())
    n, d = next(iter(sorted(g.nodes(data=True))))
    assert back.nodes[n]["type"] == d["type"]
    assert back.nodes[n]["label_zh"] == d["label_zh"]
    for _, _, e in back.edges(data=True):
        assert "predicate" in e and "weight" in e
    if variant is Variant.ACTORS:
        assert {d["type"] for _, d in g.nodes(data=True)} <= ACTOR_TYPES
    again = tmp_path / f"again.{fmt}"
    write(g, again, fmt)
    assert path.read_bytes() == again.read_bytes()  # deterministic


@pytest.mark.parametrize("case", [c for c in CASES if c[1] is Format.GRAPHML], ids=case_id)
def test_graphml_edge_ids_are_unique_and_each_key_declared_once(exports, case):
    """Edge ids were predicate names (16 distinct ids for 252 edges): Gephi's GraphML importer
    drops an edge whose id repeats; python-igraph refused a key declared twice (`size` as long
    and as double)."""
    g, path = exports[case]
    tree = etree.parse(str(path))
    ids = [e.get("id") for e in tree.iter(f"{GRAPHML_NS}edge")]
    assert len(ids) == len(set(ids)) == g.number_of_edges()
    keys = [(k.get("for"), k.get("attr.name")) for k in tree.iter(f"{GRAPHML_NS}key")]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_a_missing_year_is_absent_not_zero(exports, case):
    g, path = exports[case]
    years = [d.get("year") for _, _, d in g.edges(data=True)]
    assert 0 not in years
    fmt = case[1]
    back = nx.read_gexf(path) if fmt is Format.GEXF else nx.read_graphml(path)
    assert all(d.get("year", 1) != 0 for _, _, d in back.edges(data=True))
    if case[0] is Variant.FACTS:  # the bundled report dates some facts and not others
        assert any(y for y in years) and any(y is None for y in years)


def gexf_for_the_xsd(path: Path) -> etree._ElementTree:
    """The GEXF 1.2draft XSD declares color, position, size, shape and thickness in the GEXF
    namespace, while the GEXF primer, Gephi, networkx and graphology use the viz namespace
    (http://www.gexf.net/1.2draft/viz) for them: the official XSD rejects files Gephi reads. So
    the viz elements are moved into the GEXF namespace before validating; nothing else
    changes."""
    tree = etree.parse(str(path))
    for el in tree.iter(f"{{{VIZ_NS}}}*"):
        el.tag = f"{{{GEXF_NS}}}{etree.QName(el).localname}"
    return tree


@pytest.fixture(scope="module")
def schemas() -> dict:
    return {
        Format.GRAPHML: etree.XMLSchema(etree.parse(str(XSD / "graphml" / "graphml.xsd"))),
        Format.GEXF: etree.XMLSchema(etree.parse(str(XSD / "gexf-1.2draft" / "gexf.xsd"))),
    }


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_every_export_validates_against_its_xsd(exports, schemas, case):
    _, path = exports[case]
    fmt = case[1]
    tree = gexf_for_the_xsd(path) if fmt is Format.GEXF else etree.parse(str(path))
    schema = schemas[fmt]
    assert schema.validate(tree), schema.error_log.last_error


def test_the_gexf_xsd_really_rejects_the_viz_namespace(exports, schemas):
    """Why the rewrite above is needed (and that the validation is not vacuous)."""
    _, path = exports[(Variant.FACTS, Format.GEXF)]
    assert not schemas[Format.GEXF].validate(etree.parse(str(path)))


@pytest.mark.parametrize("variant", list(Variant))
def test_igraph_reads_every_graphml_node_and_edge(exports, variant):
    igraph = pytest.importorskip("igraph")
    g, path = exports[(variant, Format.GRAPHML)]
    read = igraph.Graph.Read_GraphML(str(path))
    assert read.vcount() == g.number_of_nodes() and read.ecount() == g.number_of_edges()
    assert set(read.vs["node_id"]) == set(g.nodes)
    assert read.is_directed()
    if "year" in read.es.attributes():
        assert 0 not in read.es["year"]


def graphology(path: Path) -> dict:
    modules = Path(__file__).parent / "node" / "node_modules"
    if shutil.which("node") is None:
        pytest.skip("Node.js not installed")
    if not (modules / "graphology-gexf").exists():
        pytest.skip("graphology-gexf not installed (run: npm ci --prefix tests/node)")
    script = Path(__file__).parent / "node" / "read_gexf.js"
    proc = subprocess.run(
        ["node", str(script), str(path)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.parametrize("variant", list(Variant))
def test_graphology_reads_every_gexf_node_and_edge_as_gephi_lite_does(exports, variant):
    g, path = exports[(variant, Format.GEXF)]
    got = graphology(path)
    assert got["order"] == g.number_of_nodes() and got["size"] == g.number_of_edges()
    assert set(got["sample"]) == set(g.nodes)
    assert sorted(map(tuple, got["edges"])) == sorted((u, v) for u, v in g.edges())
    n, d = next(iter(sorted(g.nodes(data=True))))
    assert got["sample"][n]["label_zh"] == d["label_zh"]


def test_an_export_to_an_unwritable_place_is_one_line(built_project: Path, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    r = CliRunner().invoke(
        cli, ["--project", str(built_project), "export", "gephi", "-o", str(blocker / "x.gexf")]
    )
    assert r.exit_code == 2 and r.stderr.startswith("error: ") and "Traceback" not in r.output
    assert r.stderr.count("\n") == 1
    # the line names the file, says what went wrong and what to do
    assert str(blocker / "x.gexf") in r.stderr and "cannot write the export" in r.stderr
    assert "choose a file in a folder you can write to" in r.stderr


def test_overview_picture_is_a_png_of_the_largest_component(facts, tmp_path):
    from chipkg.analysis.export import render_png

    g = prepare(facts, Variant.FACTS)
    out = tmp_path / "overview.png"
    render_png(g, out, "test")
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
