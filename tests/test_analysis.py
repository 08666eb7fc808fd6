"""The fact graph, trace, analyze and the Gephi/GraphML exports, on the built bundled report."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from chipkg.analysis.analyze import ACTOR_TYPES, fact_graph, resolve_name, trace
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


@pytest.mark.parametrize("variant", list(Variant))
@pytest.mark.parametrize("fmt", list(Format))
def test_exports_read_back_with_the_same_nodes_edges_and_attributes(facts, tmp_path, variant, fmt):
    g = prepare(facts, variant)
    path = tmp_path / f"out.{fmt}"
    write(g, path, fmt)
    back = nx.read_gexf(path) if fmt is Format.GEXF else nx.read_graphml(path)
    assert back.number_of_nodes() == g.number_of_nodes() > 0
    assert back.number_of_edges() == g.number_of_edges() > 0
    n, d = next(iter(sorted(g.nodes(data=True))))
    assert back.nodes[n]["type"] == d["type"]
    assert back.nodes[n]["label_zh"] == d["label_zh"]
    for _, _, e in back.edges(data=True):
        assert "predicate" in e and "weight" in e
    if variant is Variant.ACTORS:
        assert {d["type"] for _, d in g.nodes(data=True)} <= ACTOR_TYPES
    again = tmp_path / f"again.{fmt}"
    write(prepare(facts, variant), again, fmt)
    assert path.read_bytes() == again.read_bytes()


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js not installed")
def test_gexf_parses_with_graphology_gexf_as_gephi_lite_does(facts, tmp_path):
    modules = Path(__file__).parent / "node" / "node_modules"
    if not (modules / "graphology-gexf").exists():
        pytest.skip("graphology-gexf not installed (run: npm ci --prefix tests/node)")
    g = prepare(facts, Variant.FACTS)
    path = tmp_path / "facts.gexf"
    write(g, path, Format.GEXF)
    script = Path(__file__).parent / "node" / "read_gexf.js"
    proc = subprocess.run(
        ["node", str(script), str(path)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert got["order"] == g.number_of_nodes() and got["size"] == g.number_of_edges()
    n, d = next(iter(sorted(g.nodes(data=True))))
    assert got["sample"][n]["label_zh"] == d["label_zh"]


def test_overview_picture_is_a_png_of_the_largest_component(facts, tmp_path):
    from chipkg.analysis.export import render_png

    g = prepare(facts, Variant.FACTS)
    out = tmp_path / "overview.png"
    render_png(g, out, "test")
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
