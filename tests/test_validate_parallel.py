"""Validating report graphs separately, in parallel processes, gives exactly the findings of
validating everything at once."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Graph
from rdflib.plugins.serializers.nquads import _nq_row

from chipkg.bench import synthetic as bench
from chipkg.check import validate
from chipkg.graph.vocab import ID, OA, XSD


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


def test_corpus_read_back_from_a_store_validates_like_the_direct_run():
    """Oxigraph stores "5"^^xsd:nonNegativeInteger as "5"^^xsd:integer (it normalises literals);
    store_reports reads such values back with the datatype the shapes require, so a corpus
    round-tripped through a store gives exactly the direct run's findings: no false
    TextPositionSelector datatype violations."""
    w = bench.world()
    reports = [(rid, bench.synthetic_graph(rid, w=w, articles=3)[0]) for rid in bench.report_ids(2)]
    entities = w.entities_graph()
    direct = validate.validate_corpus(lambda: iter(reports), entities, workers=2)
    store = ox.Store()
    nquads = "".join(_nq_row(t, ID["graph/entities"]) for t in entities)
    nquads += "".join(_nq_row(t, ID[f"graph/{rid}"]) for rid, g in reports for t in g)
    store.load(nquads.encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    stored = next(iter(store.quads_for_pattern(None, ox.NamedNode(str(OA.start)), None)))
    assert stored.object.datatype.value == str(XSD.integer)  # what makes this test necessary
    each, read_entities = validate.store_reports(store)
    assert [(rid, set(g)) for rid, g in each()] == [(rid, set(g)) for rid, g in reports]
    via_store = validate.validate_corpus(each, read_entities, workers=2)
    assert via_store.count("Violation") == 0
    assert via_store == direct


def test_store_keeps_an_invalid_offset_invalid():
    """An offset that is not a valid xsd:nonNegativeInteger is still caught through a store."""
    store = ox.Store()
    store.load(
        b"<https://x/s> <http://www.w3.org/ns/oa#start> "
        b'"-5"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger> '
        b"<https://w3id.org/chipkg/id/graph/r> .\n",
        format=ox.RdfFormat.N_QUADS,
    )
    [(_rid, g)] = list(validate.store_reports(store)[0]())
    [(_s, _p, value)] = list(g)
    assert value.datatype == XSD.nonNegativeInteger and value.ill_typed


def test_validate_reports_in_parallel_equals_one_at_a_time():
    """What `chipkg validate` and `chipkg build` run: per report, the same reports as
    validate_graph on each in turn."""
    w = bench.world()
    items = []
    for rid in bench.report_ids(2):
        g, text, _n = bench.synthetic_graph(rid, w=w, articles=2)
        data = Graph()
        data += g
        data += w.entities_graph()
        items.append((rid, data, text))
    parallel = validate.validate_reports(items, workers=2)
    assert list(parallel) == [rid for rid, _g, _t in items]
    for rid, data, text in items:
        assert parallel[rid] == validate.validate_graph(data, report_text=text)
