"""The report graph's store (build.TripleSetStore) and the caches the build relies on: each must
answer exactly what the plain, slower way answers."""

from __future__ import annotations

import gc
import itertools
import unicodedata

from hypothesis import given
from hypothesis import strategies as st
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from chipkg.extract.entities import default_linker, normalise
from chipkg.extract.pipeline import extract
from chipkg.graph.build import TripleSetStore, report_graph
from chipkg.ingest.citations import LEVELS, resolve
from chipkg.ingest.inputs import read_meta
from chipkg.ingest.report import parse_report
from tests.conftest import BUNDLED

EX = "urn:ex:"
SUBJECTS = [URIRef(f"{EX}s{i}") for i in range(4)]
PREDICATES = [URIRef(f"{EX}p{i}") for i in range(3)]
OBJECTS = [*SUBJECTS[:2], Literal("a"), Literal("a", lang="en"), Literal(1)]


def _sample() -> list[tuple]:
    every = itertools.product(SUBJECTS, PREDICATES, OBJECTS)
    return [t for i, t in enumerate(every) if i % 3 != 1]


def _patterns():
    absent = URIRef(f"{EX}absent")
    return itertools.product(
        [None, *SUBJECTS, absent], [None, *PREDICATES, absent], [None, *OBJECTS, absent]
    )


def _same_answers(ours: Graph, reference: Graph) -> None:
    assert len(ours) == len(reference)
    for pattern in _patterns():
        assert set(ours.triples(pattern)) == set(reference.triples(pattern)), pattern


def test_every_pattern_is_answered_as_rdflib_memory_answers_it():
    triples = _sample()
    ours = Graph(store=TripleSetStore(triples), identifier=URIRef(f"{EX}g"))
    reference = Graph()
    for t in triples:
        reference.add(t)
    assert len(ours) == len(triples)  # before any index is built
    _same_answers(ours, reference)
    # changes after the indexes exist keep them in step
    for g in (ours, reference):
        g.add((SUBJECTS[3], PREDICATES[0], Literal("new")))
        g.add((SUBJECTS[3], PREDICATES[0], Literal("new")))  # twice: still one triple
        g.remove((SUBJECTS[0], None, None))
        g.remove((None, PREDICATES[2], Literal("a")))
    _same_answers(ours, reference)
    assert (SUBJECTS[3], PREDICATES[0], Literal("new")) in ours
    assert (SUBJECTS[0], PREDICATES[0], SUBJECTS[0]) not in ours


def test_a_graph_may_be_changed_while_it_is_read():
    g = Graph(store=TripleSetStore(_sample()))
    for s, p, o in g:
        if isinstance(o, URIRef):
            g.add((o, p, s))
        else:
            g.remove((s, p, o))
    assert all(isinstance(o, URIRef) for o in g.objects())


def test_bindings_and_serialisation_work_as_on_any_graph():
    g = Graph(store=TripleSetStore(_sample()))
    g.bind("ex", EX)
    assert g.namespace_manager.store.namespace("ex") == URIRef(EX)
    assert "ex:s1" in g.serialize(format="turtle")
    assert isomorphic(Graph().parse(data=g.serialize(format="turtle"), format="turtle"), g)


def test_report_graph_standalone_and_in_a_dataset_are_the_same_graph():
    meta = read_meta(BUNDLED)
    parsed = parse_report(BUNDLED, meta.report_id)
    cites = resolve(parsed)
    extraction = extract(parsed, cites, default_linker(), None)
    standalone = report_graph(parsed, cites, meta, extraction)
    ds = Dataset()
    named = report_graph(parsed, cites, meta, extraction, ds=ds)
    assert isinstance(standalone.store, TripleSetStore)
    assert standalone.identifier == named.identifier
    assert len(standalone) == len(named) > 20_000
    assert set(standalone) == set(named) == set(ds.graph(named.identifier))


def test_the_build_leaves_the_garbage_collector_as_it_found_it(bundled):
    parsed, cites = bundled
    meta = read_meta(BUNDLED)
    assert gc.isenabled()
    report_graph(parsed, cites, meta)
    assert gc.isenabled()
    gc.disable()
    try:
        report_graph(parsed, cites, meta)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_supports_by_passage_are_those_of_a_full_scan(bundled):
    parsed, cites = bundled
    for p in parsed.passages:
        scan = [s for s in cites.supports if s.passage == p.index]
        assert cites.for_passage(p.index) == scan
        levels = {s.level for s in scan}
        assert cites.level_of(p.index) == next((lv for lv in LEVELS if lv in levels), None)


def _normalise_char_by_char(s: str) -> tuple[str, list[int]]:
    out, idx = [], []
    for i, ch in enumerate(s):
        for c in unicodedata.normalize("NFKC", ch).casefold():
            if not c.isspace():
                out.append(c)
                idx.append(i)
    return "".join(out), idx


@given(st.text())
def test_normalised_text_and_its_offsets_are_those_of_one_character_at_a_time(s):
    assert normalise(s) == _normalise_char_by_char(s)


def test_normalise_keeps_offsets_through_expansions_and_dropped_space():
    # ﬁ and ß expand to two characters, full-width letters narrow, spaces go
    assert normalise("ＳＫ 海力士 ﬁß") == ("sk海力士fiss", [0, 1, 3, 4, 5, 7, 7, 8, 8])
