"""The summary graph: totals and row selections materialised from the report graphs whenever the
store changes (chipkg/graph/summary/), read by the library queries. Every library query must give
exactly the rows of its live reference (tests/live_queries/: the same question computed over the
report graphs on each run) — on the bundled graph, on a synthetic corpus, after an analyst
supersedes a claim, and after a report is replaced or removed — and the summary graph kept in step
by a rebuild must equal the one computed afresh from the same graphs."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from chipkg.analysis import query
from chipkg.bench import corpus as bench
from chipkg.check import validate
from chipkg.cli import cli
from chipkg.graph import store, summary_graph
from chipkg.web import push
from tests.conftest import BUNDLED, FIXTURES

LIVE = Path(__file__).parent / "live_queries"
PREFIXES = """PREFIX ckg: <https://w3id.org/chipkg/ontology#>
PREFIX cks: <https://w3id.org/chipkg/summary#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
"""
STORED_FUNDERS = """
SELECT ?s ?currency ?sum ?claims WHERE { GRAPH <https://w3id.org/chipkg/id/summary> {
  ?t a cks:FunderTotal ; cks:funder ?s ; cks:currency ?currency ; cks:amount ?sum ;
     cks:claims ?claims } }"""
# cells that hold a set of values joined by a separator, in no particular order
SETS = {"sources": " ", "technologies": "; ", "how": ", ", "location": "; "}
SUMMARY = ox.NamedNode(str(store.SUMMARY_GRAPH))


def live(name: str) -> query.NamedQuery:
    path = LIVE / f"{name}.rq"
    return query._parse_header(name, path.read_text(encoding="utf-8"))


def rows(
    st: ox.Store, q: query.NamedQuery | str, params: dict | None = None, lang: str = "en"
) -> Counter:
    """The rows as a multiset (ORDER BY may leave ties in any order), with the cells that join a
    set of values sorted."""

    def cell(k: str, v: object) -> str:
        return "|".join(sorted(str(v).split(SETS[k]))) if k in SETS and v else str(v)

    text = q if not isinstance(q, str) or "PREFIX" in q else PREFIXES + q
    return Counter(
        tuple(sorted((k, cell(k, v)) for k, v in r.items()))
        for r in query.select(st, text, params, lang)
    )


def lookup_params(st: ox.Store) -> dict[str, dict[str, str]]:
    """A value for each lookup query: the most cited entity and source of the store."""
    out = {}
    for name, (param, sparql) in {
        "claims-about-entity": (
            "entity",
            "SELECT ?x WHERE { ?c ckg:claimSubject ?x } GROUP BY ?x ORDER BY DESC(COUNT(?c)) ?x",
        ),
        "claims-citing-source": (
            "source",
            "SELECT ?x WHERE { ?c <http://www.w3.org/ns/prov#wasDerivedFrom> ?x } "
            "GROUP BY ?x ORDER BY DESC(COUNT(?c)) ?x",
        ),
    }.items():
        first = query.select(st, PREFIXES + sparql + " LIMIT 1")
        out[name] = {param: f"<{first[0]['x']}>"}
    return out


def assert_queries_are_live(st: ox.Store, langs: tuple[str, ...] = ("en", "zh")) -> None:
    """Every library query with a live reference gives exactly its rows (all of them, unpaged)."""
    params = lookup_params(st)
    names = sorted(p.stem for p in LIVE.glob("*.rq"))
    # stats: see the manifest tests; unsupported-claims reads the verification graph (test_verify)
    assert set(names) == set(query.available()) - {"stats", "unsupported-claims"}
    for name in names:
        for lang in langs:
            got = rows(st, query.load(name), params.get(name), lang)
            assert got == rows(st, live(name), params.get(name), lang), (name, lang)
            assert got or name in ("claims-about-entity",), name  # a real answer
    eur = {"currency": str(ox.Literal("EUR"))}
    for name in ("funding-by-funder", "funding-by-recipient"):
        assert rows(st, query.load(name), eur) == rows(st, live(name), eur), name


def summary_triples(st: ox.Store) -> set[ox.Triple]:
    return {
        ox.Triple(q.subject, q.predicate, q.object)
        for q in st.quads_for_pattern(None, None, None, SUMMARY)
    }


def assert_summary_as_computed_afresh(build: Path) -> None:
    """The summary graph a build kept in step equals the one computed afresh from the same TriG."""
    kept = summary_triples(store.open_store(build))
    fresh = ox.Store()
    fresh.bulk_load(path=str(build / "chipkg.trig"), format=ox.RdfFormat.TRIG)
    summary_graph.materialise_summaries(fresh)
    assert kept == summary_triples(fresh)


def assert_stats_are_the_manifest(project: Path) -> dict:
    """`chipkg stats` gives, for every report, the summary its build computed (manifest.json)."""
    result = run("--project", str(project), "stats", "--format", "json")
    assert result.exit_code == 0, result.output
    stats = json.loads(result.stdout)
    manifest = json.loads((project / "graph/build/manifest.json").read_text(encoding="utf-8"))
    assert stats == {rid: info["summary"] for rid, info in manifest.items()}
    return stats


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


# -- the bundled graph ----------------------------------------------------------------------------


def test_the_summary_queries_are_files_and_not_library_queries():
    texts = summary_graph.summary_queries()
    assert list(texts) == list(summary_graph.SUMMARY_QUERIES)
    assert all(t.lstrip().startswith("# title:") and "CONSTRUCT" in t for t in texts.values())
    updates = summary_graph.report_summary_updates()
    assert list(updates) == list(summary_graph.REPORT_SUMMARIES)
    assert all("INSERT" in t and "$graphs" in t for t in updates.values())
    assert not set(query.available()) & {f"summary/{n}" for n in texts}
    assert "summary" not in query.available()


def test_every_library_query_equals_its_live_reference_on_the_bundled_build(
    built_store: ox.Store,
):
    assert_queries_are_live(built_store)


def test_the_headers_say_which_queries_read_materialised_totals():
    for q in query.available().values():
        reads = "cks:" in q.text
        assert bool(q.materialised) == reads, q.name
        if reads:
            assert "chipkg/graph/summary/" in q.materialised, q.name


def test_the_bundled_store_records_the_summary_graph(built_project: Path):
    build = built_project / "graph" / "build"
    state = store.read_state(build)
    entry = state["graphs"][str(store.SUMMARY_GRAPH)]
    st = store.open_store(build)
    assert entry["triples"] == len(summary_triples(st))
    assert state["summary_queries"] == summary_graph.summary_definition()
    # the TriG holds the dataset only; loaded into memory, it gets the same totals
    assert str(store.SUMMARY_GRAPH) not in (build / "chipkg.trig").read_text(encoding="utf-8")
    memory = store.open_store(build / "chipkg.trig")
    assert summary_triples(memory) == summary_triples(st)


def test_materialising_again_changes_nothing(built_project: Path):
    st = ox.Store()
    st.bulk_load(path=str(built_project / "graph/build/chipkg.trig"), format=ox.RdfFormat.TRIG)
    first = summary_graph.materialise_summaries(st)
    triples = summary_triples(st)
    second = summary_graph.materialise_summaries(st)
    assert summary_triples(st) == triples
    assert first["triples"] == second["triples"] == len(triples)
    assert first["totals"] == second["totals"] and second["totals"]["funding-by-funder"] > 10
    assert second["reports"] == 1 and set(second["steps"]) >= {"report/stats", "entities-by-type"}
    # recomputing one report's part (as a rebuild does) gives the same graph too
    graphs = summary_graph.report_graphs(st)
    summary_graph.drop_report_summaries(st, graphs)
    assert len(summary_triples(st)) < len(triples)
    summary_graph.materialise_summaries(st, changed=graphs)
    assert summary_triples(st) == triples


def test_validation_and_push_by_report_leave_the_summary_graph_out(built_store: ox.Store):
    each, _entities = validate.store_reports(built_store)
    assert [rid for rid, _g in each()] == ["ic-landscape-2024"]
    # a full push carries it (remote stores then answer the aggregates the same) …
    assert str(store.SUMMARY_GRAPH) in push.local_graphs(built_store)
    # … a push by report only the reports, and "summary" is no report
    assert push.local_graphs(built_store, ["ic-landscape-2024"]) == [
        "https://w3id.org/chipkg/id/graph/ic-landscape-2024"
    ]
    with pytest.raises(Exception, match="no built report 'summary'"):
        push.local_graphs(built_store, ["summary"])


# -- a synthetic corpus, as the benchmark loads it -----------------------------------------------


@pytest.fixture(scope="module")
def synthetic_store(tmp_path_factory: pytest.TempPathFactory) -> ox.Store:
    """A few synthetic reports, bulk-loaded into an on-disk store as ``chipkg bench`` does."""
    work = tmp_path_factory.mktemp("synthetic")
    info = bench.write_corpus(400, work, workers=1, articles=4)
    assert info["claims"] >= 400 and info["reports"] >= 2
    st = ox.Store(str(work / "store"))
    st.bulk_load(path=str(work / "corpus.nq"), format=ox.RdfFormat.N_QUADS)
    return st


def test_totals_on_a_synthetic_corpus_equal_live_aggregates(synthetic_store: ox.Store):
    done = summary_graph.materialise_summaries(synthetic_store)
    assert_queries_are_live(synthetic_store, langs=("en",))
    assert done["totals"]["funding-by-funder"] == len(rows(synthetic_store, STORED_FUNDERS)) > 20
    assert done["totals"]["funding-by-country"] > 3
    assert done["reports"] == len(summary_graph.report_graphs(synthetic_store)) >= 2


def test_a_superseded_claim_leaves_the_totals_and_the_listings(synthetic_store: ox.Store):
    """An analyst's correction supersedes a funding claim: the next run drops it everywhere."""
    claim, funder, currency, value = next(
        iter(
            synthetic_store.query(
                PREFIXES
                + """SELECT ?claim ?s ?currency ?value WHERE {
                  ?claim ckg:claimPredicate ckg:funds ; ckg:claimSubject ?s ; ckg:amount ?a .
                  ?a schema:value ?value ; schema:currency ?currency }
                ORDER BY ?claim LIMIT 1""",
                use_default_graph_as_union=True,
            )
        )
    )
    summary_graph.materialise_summaries(synthetic_store)
    before = {k: dict(k) for k in rows(synthetic_store, STORED_FUNDERS)}
    key = next(
        k for k, d in before.items() if (d["s"], d["currency"]) == (funder.value, currency.value)
    )
    listed = query.total(synthetic_store, query.load("funding"))
    synthetic_store.add(
        ox.Quad(
            ox.NamedNode("https://w3id.org/chipkg/id/claim/analyst-correction"),
            ox.NamedNode("https://w3id.org/chipkg/ontology#supersedes"),
            claim,
            ox.NamedNode("https://w3id.org/chipkg/id/graph/synth-000000"),
        )
    )
    summary_graph.materialise_summaries(synthetic_store)
    assert_queries_are_live(synthetic_store, langs=("en",))
    after = {k: dict(k) for k in rows(synthetic_store, STORED_FUNDERS)}
    assert key not in after  # that funder's total in that currency changed or is gone
    if int(before[key]["claims"]) > 1:
        changed = next(
            d for d in after.values() if (d["s"], d["currency"]) == (funder.value, currency.value)
        )
        assert int(changed["claims"]) == int(before[key]["claims"]) - 1
        assert int(changed["sum"]) == int(before[key]["sum"]) - int(value.value)
    assert query.total(synthetic_store, query.load("funding")) == listed - 1


# -- two reports: replacing and removing one ------------------------------------------------------


@pytest.fixture(scope="module")
def two_reports_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled report and a second one of the same kind (with funding facts of its own),
    built once per module without validation (not the point here)."""
    project = tmp_path_factory.mktemp("two-reports") / "project"
    sources = project / "graph" / "sources"
    sources.mkdir(parents=True)
    for f in (BUNDLED, BUNDLED.with_name("ic-landscape-2024.meta.toml")):
        shutil.copy(f, sources / f.name)
    shutil.copy(FIXTURES / "landscape_2025_sample.txt", sources / "sample.txt")
    result = run("--project", str(project), "build", "--no-validate")
    assert result.exit_code == 0, result.output
    return project


@pytest.fixture()
def two_reports(two_reports_built: Path, tmp_path: Path) -> Path:
    """A private copy of it for each test (the store travels with its folder)."""
    project = tmp_path / "project"
    shutil.copytree(two_reports_built, project)
    return project


def test_stats_count_each_report_in_its_own_graph(two_reports: Path):
    """Issue 18: a sub-SELECT inside GRAPH ?g is evaluated over every graph in pyoxigraph, so the
    second report was said to mention 297 entities (all the reports') instead of its own."""
    stats = assert_stats_are_the_manifest(two_reports)
    assert set(stats) == {"ic-landscape-2024", "sample"}
    assert stats["sample"]["entities_mentioned"] < stats["ic-landscape-2024"]["entities_mentioned"]
    result = run("--project", str(two_reports), "query", "stats", "--format", "json")
    named = {r["report"].rsplit("/", 1)[-1]: r for r in json.loads(result.stdout)}
    assert named["sample"]["entities_mentioned"] == stats["sample"]["entities_mentioned"]


def test_totals_follow_a_replaced_and_a_removed_report(two_reports: Path):
    build = two_reports / "graph" / "build"
    assert_queries_are_live(store.open_store(build), langs=("en",))
    first = store.read_state(build)
    summary = str(store.SUMMARY_GRAPH)

    # the sample is rewritten into a report with no funding facts: its graph is replaced
    shutil.copy(FIXTURES / "marker_rules.txt", two_reports / "graph/sources/sample.txt")
    result = run("--project", str(two_reports), "build", "--no-validate")
    assert result.exit_code == 0, result.output
    assert "store: 1 replaced, 3 kept" in result.stdout
    assert_queries_are_live(store.open_store(build), langs=("en",))
    assert_summary_as_computed_afresh(build)
    assert_stats_are_the_manifest(two_reports)
    second = store.read_state(build)
    assert second["generation"] > first["generation"]
    assert second["graphs"][summary] != first["graphs"][summary]

    # an unchanged rebuild keeps the generation and its totals
    result = run("--project", str(two_reports), "build", "--no-validate")
    assert "store: no graph changed, 4 kept" in result.stdout
    assert store.read_state(build)["graphs"] == second["graphs"]

    # removed: the summary graph is the bundled report's alone, as in a store of it alone
    result = run("--project", str(two_reports), "remove", "sample")
    assert result.exit_code == 0, result.output
    assert_queries_are_live(store.open_store(build), langs=("en",))
    assert_summary_as_computed_afresh(build)
    assert set(assert_stats_are_the_manifest(two_reports)) == {"ic-landscape-2024"}
    assert store.read_state(build)["graphs"][summary] != second["graphs"][summary]


def test_changed_summary_queries_recompute_the_totals(two_reports: Path, monkeypatch):
    build = two_reports / "graph" / "build"
    before = store.read_state(build)
    texts = summary_graph.summary_queries()
    changed = {**texts, "funding-by-country": texts["funding-by-country"] + "\n# revised\n"}
    monkeypatch.setattr(summary_graph, "summary_queries", lambda: changed)
    # a store whose totals other queries computed is not used as is …
    warnings: list[str] = []
    st = store.open_store(build, warn=warnings.append)
    assert "other summary queries" in warnings[0] and "chipkg store load" in warnings[0]
    assert_queries_are_live(st, langs=("en",))  # (the TriG in memory, with totals made now)
    # … and the next build recomputes them in a new generation, though no graph changed
    result = run("--project", str(two_reports), "build", "--no-validate")
    assert result.exit_code == 0, result.output
    after = store.read_state(build)
    assert after["generation"] > before["generation"]
    assert (
        after["summary_queries"] == summary_graph.summary_definition() != before["summary_queries"]
    )
    warnings.clear()
    assert_queries_are_live(store.open_store(build, warn=warnings.append), langs=("en",))
    assert warnings == []
    assert_summary_as_computed_afresh(build)


def test_changed_report_summaries_recompute_every_report(two_reports: Path, monkeypatch):
    """A changed per-report update is a changed definition too: every report's part is redone."""
    updates = summary_graph.report_summary_updates()
    revised = {**updates, "stats": updates["stats"].replace("cks:pages ?pages", "cks:pages 7")}
    monkeypatch.setattr(summary_graph, "report_summary_updates", lambda: revised)
    result = run("--project", str(two_reports), "build", "--no-validate")
    assert result.exit_code == 0, result.output
    result = run("--project", str(two_reports), "stats", "--format", "json")
    assert {s["pages"] for s in json.loads(result.stdout).values()} == {7}


def test_a_store_of_an_older_format_is_loaded_afresh(two_reports: Path):
    build = two_reports / "graph" / "build"
    state_file = build / "store" / "CURRENT.json"
    state = json.loads(state_file.read_text())
    state["format"] = 1
    state["graphs"].pop(str(store.SUMMARY_GRAPH))
    state_file.write_text(json.dumps(state))
    warnings: list[str] = []
    st = store.open_store(build, warn=warnings.append)
    assert "written by another version of chipkg" in warnings[0]
    assert_queries_are_live(st, langs=("en",))
    result = run("--project", str(two_reports), "build", "--no-validate")
    assert result.exit_code == 0 and "store: loaded" in result.stdout
    assert str(store.SUMMARY_GRAPH) in store.read_state(build)["graphs"]
