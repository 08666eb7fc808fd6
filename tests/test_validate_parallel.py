"""Validating report graphs separately, in parallel processes, gives exactly the findings of
validating everything at once."""

from __future__ import annotations

from rdflib import Graph

from chipkg import bench, validate


def test_parallel_equals_all_at_once_on_synthetic_corpus():
    w = bench.world()
    reports = [(rid, bench.synthetic_graph(rid, w=w)[0]) for rid in bench.report_ids(2)]
    entities = w.entities_graph()
    parallel = validate.validate_corpus(lambda: iter(reports), entities, workers=2)
    merged = Graph()
    for _rid, g in reports:
        merged += g
    merged += entities
    assert parallel == validate.validate_graph(merged)
    assert parallel.results  # warnings and infos: the comparison is not vacuous
