"""The synthetic corpus generator: deterministic, shaped like a build, long-tailed sources."""

from __future__ import annotations

from collections import Counter

from rdflib import Graph

from chipkg import bench, validate
from chipkg.vocab import PROV


def test_same_seed_same_bytes(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    bench.write_corpus(150, a)
    bench.write_corpus(150, b)
    assert (a / "corpus.nq").read_bytes() == (b / "corpus.nq").read_bytes()
    assert (a / "corpus.nq").stat().st_size > 100_000


def test_synthetic_report_validates_without_violations():
    w = bench.world()
    g, text, claims = bench.synthetic_graph("synth-000000", w=w)
    assert claims > 100
    data = Graph()
    data += g
    data += w.entities_graph()
    report = validate.validate_graph(data, report_text=text)
    assert report.count("Violation") == 0, [r.shape for r in report.results][:5]


def test_sources_are_long_tailed():
    w = bench.world()
    g, _text, _n = bench.synthetic_graph("synth-000001", w=w)
    cited = Counter(o for _s, _p, o in g.triples((None, PROV.wasDerivedFrom, None)))
    counts = sorted(cited.values(), reverse=True)
    assert counts[0] >= 4 * counts[len(counts) // 2]  # a head of popular sources …
    assert sum(1 for c in counts if c == 1) >= len(counts) // 3  # … and a long tail
