"""A corpus through chipkg's validator: N-Quads read as bytes per graph, batches in worker
processes, memory refused up front, nothing half-validated, nothing dropped silently."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.plugins.serializers.nquads import _nq_row

from chipkg.bench import synthetic as bench
from chipkg.check import validate
from chipkg.check.validation import corpus, nquads
from chipkg.cli import cli
from chipkg.errors import ChipkgError
from chipkg.graph.vocab import ID


def _write_corpus(tmp_path: Path, reports: list[tuple[str, Graph]], entities: Graph) -> Path:
    rows = [_nq_row(t, ID["graph/entities"]) for t in sorted(entities)]
    for rid, g in reports:
        rows += sorted(_nq_row(t, ID[f"graph/{rid}"]) for t in g)
    path = tmp_path / "corpus.nq"
    path.write_text("".join(rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def synthetic():
    w = bench.world()
    reports = [(rid, bench.synthetic_graph(rid, w=w, articles=2)[0]) for rid in bench.report_ids(3)]
    return reports, w.entities_graph()


def test_runs_cut_a_file_into_the_lines_of_each_graph_whatever_the_block(tmp_path, monkeypatch):
    lines = []
    for g, n in (("a", 5), ("bb", 1), ("c", 40), ("d", 2)):
        lines += [f'<urn:s{i}> <urn:p> "v {i} > ." <urn:{g}> .\n' for i in range(n)]
    path = tmp_path / "x.nq"
    path.write_text("".join(lines))
    for block in (7, 50, 333, 1 << 20):
        monkeypatch.setattr(nquads, "BLOCK", block)
        got = [(g.decode(), run.count(b"\n")) for g, run in nquads.runs(path)]
        assert got == [("<urn:a>", 5), ("<urn:bb>", 1), ("<urn:c>", 40), ("<urn:d>", 2)], block
    path.write_text("".join(lines) + lines[0])  # graph a again, after d
    with pytest.raises(ChipkgError, match="split in several runs"):
        list(nquads.runs(path))


def test_nquads_corpus_equals_the_rdflib_corpus_run_and_pyshacl_all_at_once(tmp_path, synthetic):
    reports, entities = synthetic
    path = _write_corpus(tmp_path, reports, entities)
    from_file = validate.validate_nquads(path, workers=2)
    from_graphs = validate.validate_corpus(lambda: iter(reports), entities, workers=1)
    assert from_file == from_graphs
    merged = Graph()
    for _rid, g in reports:
        merged += g
    merged += entities
    assert from_file == validate.validate_graph_pyshacl(merged)
    assert from_file.results  # warnings and infos: the comparison is not vacuous
    first = validate.validate_nquads(path, workers=1, limit=1)
    assert first == validate.validate_corpus(lambda: iter(reports[:1]), entities, workers=1)


def test_a_shared_node_described_differently_is_validated_jointly(tmp_path, synthetic):
    """Two reports give one source two publisher kinds: a maxCount violation no single report
    shows, found by the joint run, as validating everything at once finds it."""
    reports, entities = synthetic
    g0, g1 = Graph(), Graph()
    g0 += reports[0][1]
    g1 += reports[1][1]
    kind = URIRef("https://w3id.org/chipkg/ontology#publisherKind")
    source = sorted(g0.subjects(kind, None))[0]
    g1.add((source, kind, URIRef("https://w3id.org/chipkg/ontology#AcademicPublisher")))
    g1.add((source, URIRef("https://w3id.org/chipkg/ontology#domain"), Literal("x.example")))
    pair = [(reports[0][0], g0), (reports[1][0], g1)]
    path = _write_corpus(tmp_path, pair, entities)
    found = validate.validate_nquads(path, workers=1)
    assert any(r.focus == str(source) and r.severity == "Violation" for r in found.results)
    merged = Graph()
    merged += g0
    merged += g1
    merged += entities
    assert found == validate.validate_graph_pyshacl(merged)


def test_a_corpus_that_does_not_fit_in_memory_is_refused_before_any_work(
    tmp_path, synthetic, monkeypatch
):
    reports, entities = synthetic
    path = _write_corpus(tmp_path, reports, entities)
    monkeypatch.setenv("CHIPKG_MEMORY_LIMIT", str(5 << 20))
    with pytest.raises(ChipkgError, match="nothing was validated"):
        validate.validate_nquads(path, workers=2)
    trig = tmp_path / "chipkg.trig"
    ds = Dataset()
    for rid, g in reports:
        for t in g:
            ds.graph(ID[f"graph/{rid}"]).add(t)
    trig.write_text(ds.serialize(format="trig"), encoding="utf-8")
    monkeypatch.setenv("CHIPKG_MEMORY_LIMIT", str(trig.stat().st_size * 2))
    with pytest.raises(ChipkgError, match="nothing was validated") as exc:
        validate.report_graphs(trig)
    assert str(trig) in exc.value.format() if hasattr(exc.value, "format") else True


def test_a_run_that_runs_out_of_memory_stops_with_an_error(tmp_path, synthetic, monkeypatch):
    """Memory checked while results pile up: below the floor the run stops, never reporting a
    half-validated corpus as conforming."""
    from chipkg.check.validation import memory

    reports, entities = synthetic
    path = _write_corpus(tmp_path, reports, entities)
    monkeypatch.setattr(memory, "FLOOR_BYTES", 1 << 62)
    with pytest.raises(ChipkgError, match="nothing is reported"):
        validate.validate_nquads(path, workers=1)


def _die(items):  # a worker killed mid-batch (out of memory, kill -9)
    os._exit(9)


def test_a_worker_that_dies_stops_the_run_with_an_error_never_a_conforming_report(
    tmp_path, synthetic, monkeypatch
):
    reports, entities = synthetic
    path = _write_corpus(tmp_path, reports, entities)
    monkeypatch.setattr(corpus, "run_batch", _die)
    with pytest.raises(ChipkgError, match="nothing is reported"):
        validate.validate_nquads(path, workers=2)


def test_triples_outside_the_report_graphs_are_reported_as_not_validated(tmp_path, synthetic):
    reports, entities = synthetic
    path = _write_corpus(tmp_path, reports[:1], entities)
    with path.open("a", encoding="utf-8") as f:
        f.write("<urn:x> <urn:p> <urn:o> <urn:elsewhere> .\n")
    skipped: list[str] = []
    validate.validate_nquads(path, workers=1, skipped=skipped)
    assert skipped == ["1 quad(s) in graph <urn:elsewhere>"]


def test_chipkg_validate_warns_about_the_default_graph_of_a_trig(tmp_path, synthetic):
    reports, entities = synthetic
    build = tmp_path / "graph" / "build"
    build.mkdir(parents=True)
    ds = Dataset()
    rid, g = reports[0]
    for t in g:
        ds.graph(ID[f"graph/{rid}"]).add(t)
    for t in entities:
        ds.graph(ID["graph/entities"]).add(t)
    ds.default_graph.add((URIRef("urn:x"), URIRef("urn:p"), Literal("lost")))
    (build / "chipkg.trig").write_text(ds.serialize(format="trig"), encoding="utf-8")
    skipped: list[str] = []
    assert list(validate.report_graphs(build, skipped)) == [rid]
    assert len(skipped) == 1 and "the default graph are not validated" in skipped[0]
    result = CliRunner().invoke(cli, ["--project", str(tmp_path), "validate", "--format", "json"])
    assert "warning:" in result.stderr and "default graph are not validated" in result.stderr
    assert result.exit_code in (0, 1), result.output


def test_a_rebuild_validates_only_the_reports_whose_inputs_changed(
    tmp_path, synthetic, monkeypatch
):
    reports, entities = synthetic
    items = []
    for rid, g in reports[:2]:
        data = Graph()
        data += g
        data += entities
        items.append((rid, data, None))
    validated: list[str] = []
    real = corpus._validate_each

    def counting(todo, *args):
        validated.extend(rid for rid, _g, _t in todo)
        return real(todo, *args)

    monkeypatch.setattr(corpus, "_validate_each", counting)
    cache = validate.ResultCache(tmp_path / "validation")
    first = validate.validate_reports(items, cache=cache)
    cache.save()
    assert validated == [items[0][0], items[1][0]]
    validated.clear()
    again = validate.validate_reports(items, cache=validate.ResultCache(tmp_path / "validation"))
    assert validated == [] and again == first  # nothing changed: nothing validated
    changed = Graph()
    changed += items[1][1]
    claim = sorted(changed.subjects(URIRef("https://w3id.org/chipkg/ontology#statedIn"), None))[0]
    changed.remove((claim, URIRef("https://w3id.org/chipkg/ontology#statedIn"), None))
    items[1] = (items[1][0], changed, None)
    third = validate.validate_reports(items, cache=validate.ResultCache(tmp_path / "validation"))
    assert validated == [items[1][0]]  # only the changed report
    assert third[items[0][0]] == first[items[0][0]]
    assert third[items[1][0]] == validate.validate_reports(items[1:])[items[1][0]]
    assert not third[items[1][0]].conforms


def test_workers_of_a_killed_validation_exit_with_it(tmp_path):
    """kill -9 of a build that validates with workers: no worker runs on, orphaned."""
    import signal
    import subprocess
    import sys
    import time

    script = (
        "import os, sys, time\n"
        "from chipkg.check.validation.corpus import _Pool\n"
        "from chipkg.check.validation.workers import run_batch\n"
        "pool = _Pool(2, None, None)\n"
        "futures = [pool.pool.submit(os.getpid) for _ in range(8)]\n"
        "print(' '.join(sorted({str(f.result()) for f in futures})), flush=True)\n"
        "time.sleep(600)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=tmp_path
    )
    pids = [int(p) for p in proc.stdout.readline().split()]
    assert pids and proc.pid not in pids
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    deadline = time.monotonic() + 20
    alive = pids
    while alive and time.monotonic() < deadline:
        time.sleep(0.2)
        alive = [p for p in pids if _running(p)]
    assert not alive, f"workers still running after their parent was killed: {alive}"


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False
