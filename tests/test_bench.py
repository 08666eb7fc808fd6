"""The synthetic corpus generator (deterministic, shaped like a build, long-tailed sources) and
the `chipkg bench` command's table."""

from __future__ import annotations

import json
from collections import Counter

import pyoxigraph as ox
from click.testing import CliRunner
from rdflib import Graph

from chipkg.analysis import query
from chipkg.bench import corpus, phases, report, synthetic
from chipkg.bench import run as runner
from chipkg.check import validate
from chipkg.cli import cli
from chipkg.graph.vocab import CKG, PROV, RDF


def test_same_seed_same_bytes_whatever_the_workers(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    info = corpus.write_corpus(150, a, workers=1)
    assert corpus.write_corpus(150, b, workers=2) == info
    assert (a / "corpus.nq").read_bytes() == (b / "corpus.nq").read_bytes()
    assert (a / "corpus.nq").stat().st_size > 100_000
    assert sorted(p.name for p in (b / "texts").iterdir()) == [
        f"{rid}.txt" for rid in synthetic.report_ids(info["reports"])
    ]


def test_fast_writer_gives_the_graph_report_graph_builds(tmp_path):
    """write_corpus skips rdflib's graph (a plain set of triples): the same triples, in N-Quads."""
    corpus.write_corpus(1, tmp_path, workers=1, articles=2)
    each, _entities = validate.nquads_reports(tmp_path / "corpus.nq")
    [(rid, read)] = list(each())
    built, text, _n = synthetic.synthetic_graph(rid, articles=2)
    assert set(read) == set(built)
    assert (tmp_path / "texts" / f"{rid}.txt").read_text(encoding="utf-8") == text


def test_synthetic_report_validates_without_violations():
    w = synthetic.world()
    g, text, claims = synthetic.synthetic_graph("synth-000000", w=w)
    assert claims > 100
    data = Graph()
    data += g
    data += w.entities_graph()
    report = validate.validate_graph(data, report_text=text)
    assert report.count("Violation") == 0, [r.shape for r in report.results][:5]


def test_sources_are_long_tailed():
    w = synthetic.world()
    g, _text, _n = synthetic.synthetic_graph("synth-000001", w=w)
    cited = Counter(o for _s, _p, o in g.triples((None, PROV.wasDerivedFrom, None)))
    counts = sorted(cited.values(), reverse=True)
    assert counts[0] >= 4 * counts[len(counts) // 2]  # a head of popular sources …
    assert sum(1 for c in counts if c == 1) >= len(counts) // 3  # … and a long tail


def test_lookup_parameters_are_typical_and_most_cited(tmp_path):
    corpus.write_corpus(400, tmp_path, workers=1, articles=2)
    store = ox.Store()
    store.load(path=str(tmp_path / "corpus.nq"), format=ox.RdfFormat.N_QUADS)
    params = phases.lookup_params(store)
    data = Graph()
    for _rid, g in validate.nquads_reports(tmp_path / "corpus.nq")[0]():
        data += g
    about: Counter = Counter()
    for claim in set(data.subjects(RDF.type, CKG.Claim)):
        for e in set(data.objects(claim, CKG.claimSubject)) | set(
            data.objects(claim, CKG.claimObject)
        ):
            about[str(e)] += 1
    counts = sorted((n, e) for e, n in about.items() if n)
    p = params["claims-about-entity"]
    assert (p["typical_claims"], p["typical"]) == counts[(len(counts) - 1) // 2]
    assert p["most_cited_claims"] == counts[-1][0] > p["typical_claims"]
    s = params["claims-citing-source"]
    assert s["most_cited_claims"] > s["typical_claims"] >= 1


def test_rdflib_timeout_is_printed_as_such():
    results = {
        "sizes": {10: {"queries": {"queries": {"stats": {"median_ms": 2.0, "rows": 1}}}}},
        "rdflib": {"claims": 10, "queries": {"stats": {"timeout_s": 120, "rows": None}}},
    }
    [_head, row] = report.rdflib_rows(results)
    assert row == ("stats", "2.0", "> 120 s (timeout)", "> 60,000×")
    assert "inf" not in " ".join(row)


def test_bench_quick_writes_every_row(tmp_path, monkeypatch):
    """`chipkg bench --quick` into a temporary file: every measurement row, for every size, and
    the raw numbers next to it. (Phases run in this process here, to keep the test short.)"""

    def in_process(name, timeout=None, cache=None, **args):
        args = {k: str(v) for k, v in args.items() if v is not None}
        return json.loads(json.dumps(phases.PHASES[name](args)))

    monkeypatch.setattr(runner, "_subprocess", in_process)
    out = tmp_path / "docs" / "bench.md"
    res = CliRunner().invoke(cli, ["bench", "--quick", "--out", str(out)])
    assert res.exit_code == 0, res.output
    text = out.read_text(encoding="utf-8")
    raw = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    table = [line for line in text.splitlines() if line.startswith("| ")]
    labels = {line.split(" | ")[0][2:] for line in table}
    queries = {f"query {q}" for q in query.available()}
    expected = {
        "reports",
        "claims",
        "triples (report graphs)",
        "generate corpus, all cores (s)",
        "load: bulk_load into on-disk store (s)",
        "load: quads/s",
        "load: peak RSS (MB)",
        "validate: report graphs checked",
        "validate: wall, checked graphs (s)",
        "validate: wall, all graphs (s)",
        "validate: violations / warnings / info",
        "validate: peak RSS main / worker (MB)",
        "networkx: fact graph from store (s)",
        "networkx: analyses (s)",
        "Gephi export, GEXF (s)",
        "fact graph nodes / edges",
        "bundled report",
        "synthetic, 30 claims",
    }
    assert expected <= labels
    for q in queries:
        assert any(label.startswith(q) for label in labels), q
    for name in phases.LOOKUPS:
        assert any(label.startswith(f"query {name}{phases.MOST_CITED}") for label in labels)
    rdflib_rows = [
        line for line in table if line.split(" | ")[0][2:] in phases.LOOKUPS + phases.AGGREGATES
    ]
    assert len(rdflib_rows) == 4 and all("×" in line for line in rdflib_rows)
    assert "Machine:" in text and "## Targets" in text
    assert len(report.targets(raw | {"sizes": {int(k): v for k, v in raw["sizes"].items()}})) == 8
    assert raw["sizes"]["60"]["validate"]["violations"] == 0
    # the aggregates read the totals graph the load materialised: a real answer, on both stores
    for name in phases.AGGREGATES:
        assert raw["sizes"]["60"]["queries"]["queries"][name]["rows"] > 0, name
        assert raw["rdflib"]["queries"][name]["rows"] > 0, name
