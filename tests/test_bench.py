"""The synthetic corpus generator (deterministic, shaped like a build, long-tailed sources) and
the `chipkg bench` command's table."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph

from chipkg.analysis import query
from chipkg.bench import commands, corpus, phases, report, synthetic
from chipkg.bench import run as runner
from chipkg.check import validate
from chipkg.cli import cli
from chipkg.graph.vocab import CKG, PROV, RDF


def test_same_seed_same_bytes_whatever_the_workers(tmp_path):
    """Reports made by two processes, batch by batch (small ones, so that there are several
    batches in each), are written in report order: the bytes of one process making them one by
    one."""
    a, b = tmp_path / "a", tmp_path / "b"
    info = corpus.write_corpus(150, a, workers=1, articles=1)
    assert corpus.write_corpus(150, b, workers=2, articles=1, batch=2) == info
    assert info["reports"] > 2 * 2  # more reports than two batches of two
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


def _in_process(name, timeout=None, cache=None, **args):
    """A benchmark step run in this process (not a subprocess), to keep the tests short."""
    args = {k: str(v) for k, v in args.items() if v is not None}
    return json.loads(json.dumps(commands.PHASES[name](args)))


@pytest.fixture(scope="module")
def quick(tmp_path_factory) -> tuple[str, dict]:
    """`chipkg bench --quick` into a temporary file, once: the markdown and the raw numbers."""
    out = tmp_path_factory.mktemp("bench") / "docs" / "bench.md"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(runner, "_subprocess", _in_process)
        res = CliRunner().invoke(cli, ["bench", "--quick", "--out", str(out)])
    assert res.exit_code == 0, res.output
    raw = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    return out.read_text(encoding="utf-8"), raw


def test_bench_quick_writes_every_row(quick):
    """Every measurement row, for every size, the peers, and the raw numbers next to it."""
    text, raw = quick
    table = [line for line in text.splitlines() if line.startswith("| ")]
    labels = {line.split(" | ")[0][2:] for line in table}
    expected = {
        "reports",
        "claims",
        "triples (report graphs)",
        "machine load, highest 1-min average in the steps",
        "generate corpus, all cores (s)",
        "load: bare pyoxigraph bulk_load (s)",
        "load: chipkg's bulk_load (s)",
        "load: chipkg / bare, wall time",
        "load: chipkg / bare, CPU time",
        "load: quads/s",
        "load: summary graph, materialised (s)",
        "load: summary graph triples",
        "load: store ready, all steps (s; / bare)",
        "load: peak RSS (MB)",
        "validate: report graphs checked",
        "validate: wall, checked graphs (s)",
        "validate: wall, all graphs (s)",
        "validate: claims/s",
        "validate: violations / warnings / info",
        "validate: peak RSS main / worker (MB)",
        "validate: CPU s, main + workers (claims per CPU-s)",
        "networkx: fact graph from store (s)",
        "networkx: analyses (s)",
        "Gephi export, GEXF (s)",
        "fact graph nodes / edges",
        "bundled report",
        "synthetic, 30 claims",
        "chipkg validate",
        "plain pySHACL",
    }
    assert expected <= labels, expected - labels
    for q in query.available():
        assert any(label.startswith(f"query {q}") for label in labels), q
        assert q in labels, q  # its rdflib row
    for name in phases.LOOKUPS:
        assert any(label.startswith(f"query {name}{phases.MOST_CITED}") for label in labels)
    rdflib_rows = [line for line in table if line.split(" | ")[0][2:] in query.available()]
    assert len(rdflib_rows) == len(query.available())
    # rdflib runs each query, or the row says why not (GROUP_CONCAT over an unbound value raises
    # in rdflib 7.6)
    assert all("×" in x or "| error (NotBoundError) |" in x for x in rdflib_rows), rdflib_rows
    assert "Machine:" in text and "## Targets" in text and "## Peers" in text
    sized = raw | {"sizes": {int(k): v for k, v in raw["sizes"].items()}}
    keys = {t["key"] for t in report.targets(sized)}
    assert {"load", "queries-60", "build-throughput", "validate-time"} <= keys
    row = raw["sizes"]["60"]
    assert row["validate"]["violations"] == 0 and row["load"]["bare_s"] > 0
    # the work validation costs, also when the machine is busy: the workers' CPU is counted
    assert row["validate"]["cpu_main_s"] > 0 and row["validate"]["cpu_workers_s"] >= 0
    assert row["load"]["summary_triples"] > 0 and len(row["load"]["load_average"]) == 2
    # every query answered on both stores, a paged one with its total; the totals read the
    # summary graph the load materialised: a real answer on both
    for name, q in query.available().items():
        mine = row["queries"]["queries"][name]
        # (unsupported-claims reads the verification graph, which a corpus has not)
        assert mine["rows"] > 0 or name in (*phases.LOOKUPS, "unsupported-claims"), name
        assert ("total" in mine) == q.paged, name
        theirs = raw["rdflib"]["queries"][name]
        assert theirs["rows"] == mine["rows"] or "error" in theirs, name
        assert "error" not in theirs or name.startswith("facilities-"), (name, theirs)
    assert raw["pyshacl"]["reports_checked"] >= 1 and raw["pyshacl"]["claims_per_s"] > 0


def test_bench_never_writes_the_committed_docs_unless_asked(tmp_path, monkeypatch):
    """Issue 18: `chipkg bench --quick` wrote docs/benchmarks.md of the folder it ran in."""
    from chipkg import resources

    monkeypatch.setattr(resources, "home", lambda: tmp_path / "project")
    default = commands._out_path(None, write_docs=False)
    assert default.name == "benchmarks.md" and default.parent.is_dir()
    assert not default.is_relative_to(tmp_path) and "docs" not in default.parts
    assert commands._out_path(None, write_docs=True) == tmp_path / "project/docs/benchmarks.md"
    assert commands._out_path(tmp_path / "x.md", write_docs=False) == tmp_path / "x.md"
    res = CliRunner().invoke(cli, ["bench", "--quick", "--write-docs", "--out", "x.md"])
    assert res.exit_code == 2 and "not both" in res.output


def test_bench_quick_in_a_project_leaves_its_docs_alone(tmp_path, monkeypatch, quick):
    _text, raw = quick
    ints = {k: {int(n): v for n, v in raw[k].items()} for k in ("sizes", "validation_by_triples")}
    monkeypatch.setattr(commands, "run", lambda *a, **k: json.loads(json.dumps(raw)) | ints)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "benchmarks.md").write_text("committed\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(cli, ["bench", "--quick"])
    assert res.exit_code == 0, res.output
    assert (docs / "benchmarks.md").read_text(encoding="utf-8") == "committed\n"
    assert sorted(p.name for p in docs.iterdir()) == ["benchmarks.md"]
    written = Path(res.stderr.split("wrote ", 1)[1].split(" and ")[0])
    assert written.exists() and not written.is_relative_to(tmp_path)
    shutil.rmtree(written.parent)
