"""The summary graph: funding totals materialised from the report graphs whenever the store changes
(chipkg/graph/summary/*.rq), read by the aggregate library queries. The totals must equal a
live aggregate over the claims — on the bundled graph, on a synthetic corpus, with a superseded
claim, and after a report is replaced or removed — and the graph must change nothing else."""

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
from chipkg.graph import store
from chipkg.web import push
from tests.conftest import BUNDLED, FIXTURES

PREFIXES = """PREFIX ckg: <https://w3id.org/chipkg/ontology#>
PREFIX cks: <https://w3id.org/chipkg/summary#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
"""
# What the totals mean, aggregated live over the claims on every run (the library queries did this
# before the totals were materialised): per funder IRI and currency, the sum of the amounts and the
# number of current claims; per country, the same summed over its funders.
LIVE_FUNDERS = """
SELECT ?s ?currency (SUM(?value) AS ?sum) (COUNT(DISTINCT ?claim) AS ?claims) WHERE {
  VALUES ?p { ckg:funds ckg:investsIn }
  ?claim ckg:claimPredicate ?p ; ckg:claimSubject ?s ; ckg:amount ?a .
  ?a schema:value ?value ; schema:currency ?currency .
  FILTER NOT EXISTS { ?newer ckg:supersedes ?claim }
} GROUP BY ?s ?currency"""
LIVE_COUNTRIES = f"""
SELECT ?c ?currency (SUM(?sum) AS ?total) (SUM(?claims) AS ?n) WHERE {{
  {{ {LIVE_FUNDERS} }}
  {{ ?s a ckg:Country . BIND(?s AS ?c) }} UNION {{ ?s ckg:country ?c }}
}} GROUP BY ?c ?currency"""
STORED_FUNDERS = """
SELECT ?s ?currency ?sum ?claims WHERE { GRAPH <https://w3id.org/chipkg/id/summary> {
  ?t a cks:FunderTotal ; cks:funder ?s ; cks:currency ?currency ; cks:amount ?sum ;
     cks:claims ?claims } }"""
STORED_COUNTRIES = """
SELECT ?c ?currency ?total ?n WHERE { GRAPH <https://w3id.org/chipkg/id/summary> {
  ?t a cks:CountryTotal ; cks:country ?c ; cks:currency ?currency ; cks:amount ?total ;
     cks:claims ?n } }"""
# The library queries as they were, aggregating live: the new ones must give the same rows.
LIVE_LIBRARY = {
    "funding-by-funder": """
SELECT ?funder ?currency ?total ?claims WHERE {
  { SELECT ?s ?currency (SUM(?value) AS ?total) (COUNT(DISTINCT ?claim) AS ?claims) WHERE {
      VALUES ?p { ckg:funds ckg:investsIn }
      ?claim ckg:claimPredicate ?p ; ckg:claimSubject ?s ; ckg:amount ?a .
      ?a schema:value ?value ; schema:currency ?currency .
      FILTER NOT EXISTS { ?newer ckg:supersedes ?claim }
      FILTER(COALESCE(?currency = $currency, true))
    } GROUP BY ?s ?currency }
  ?s rdfs:label ?funder . FILTER(lang(?funder) = $lang)
}""",
    "funding-by-country": """
SELECT ?country ?currency (SUM(?sum) AS ?total) (SUM(?n) AS ?claims) WHERE {
  { SELECT ?s ?currency (SUM(?value) AS ?sum) (COUNT(DISTINCT ?claim) AS ?n) WHERE {
      VALUES ?p { ckg:funds ckg:investsIn }
      ?claim ckg:claimPredicate ?p ; ckg:claimSubject ?s ; ckg:amount ?a .
      ?a schema:value ?value ; schema:currency ?currency .
      FILTER NOT EXISTS { ?newer ckg:supersedes ?claim }
    } GROUP BY ?s ?currency }
  { ?s a ckg:Country . BIND(?s AS ?c) } UNION { ?s ckg:country ?c }
  ?c rdfs:label ?country . FILTER(lang(?country) = $lang)
}
GROUP BY ?country ?currency""",
}


def rows(st: ox.Store, sparql: str, params: dict | None = None, lang: str = "en") -> Counter:
    """The rows as a multiset (ORDER BY may leave ties in any order), with the URLs GROUP_CONCAT
    joins sorted: their order differs between an on-disk and an in-memory store."""

    def cell(k: str, v: object) -> str:
        return " ".join(sorted(str(v).split(" "))) if k == "sources" else str(v)

    text = sparql if "PREFIX" in sparql else PREFIXES + sparql
    return Counter(
        tuple(sorted((k, cell(k, v)) for k, v in r.items()))
        for r in query.select(st, text, params, lang)
    )


def assert_totals_are_live(st: ox.Store) -> Counter:
    """The stored totals equal the live aggregates; returns the funder totals."""
    funders = rows(st, STORED_FUNDERS)
    live = rows(st, LIVE_FUNDERS)
    assert funders == live
    countries = rows(st, STORED_COUNTRIES)
    assert countries == rows(st, LIVE_COUNTRIES)
    for name, live_text in LIVE_LIBRARY.items():
        for lang in ("en", "zh"):
            assert rows(st, query.load(name).text, lang=lang) == rows(st, live_text, lang=lang), (
                name,
                lang,
            )
    eur = {"currency": str(ox.Literal("EUR"))}
    assert rows(st, query.load("funding-by-funder").text, eur) == rows(
        st, LIVE_LIBRARY["funding-by-funder"], eur
    )
    return funders


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


# -- the bundled graph ----------------------------------------------------------------------------


def test_the_summary_queries_are_files_and_not_library_queries():
    texts = store.summary_queries()
    assert list(texts) == list(store.SUMMARY_QUERIES)
    assert all(t.lstrip().startswith("# title:") and "CONSTRUCT" in t for t in texts.values())
    assert not set(query.available()) & {f"summary/{n}" for n in texts}
    assert "summary" not in query.available()


def test_totals_on_the_bundled_build_equal_live_aggregates(built_store: ox.Store):
    funders = assert_totals_are_live(built_store)
    assert len(funders) > 10


def test_the_bundled_store_records_the_summary_graph(built_project: Path):
    build = built_project / "graph" / "build"
    state = store.read_state(build)
    entry = state["graphs"][str(store.SUMMARY_GRAPH)]
    st = store.open_store(build)
    assert entry["triples"] == sum(
        1 for _ in st.quads_for_pattern(None, None, None, ox.NamedNode(str(store.SUMMARY_GRAPH)))
    )
    assert state["summary_queries"] == store.summary_definition()
    # the TriG holds the dataset only; loaded into memory, it gets the same totals
    assert str(store.SUMMARY_GRAPH) not in (build / "chipkg.trig").read_text(encoding="utf-8")
    memory = store.open_store(build / "chipkg.trig")
    assert rows(memory, STORED_FUNDERS) == rows(st, STORED_FUNDERS)


def test_materialising_again_changes_nothing(built_project: Path, tmp_path: Path):
    st = ox.Store()
    st.bulk_load(path=str(built_project / "graph/build/chipkg.trig"), format=ox.RdfFormat.TRIG)
    first = store.materialise_summaries(st)
    quads = set(st.quads_for_pattern(None, None, None, ox.NamedNode(first["graph"])))
    second = store.materialise_summaries(st)
    assert set(st.quads_for_pattern(None, None, None, ox.NamedNode(first["graph"]))) == quads
    assert first["triples"] == second["triples"] == len(quads)
    assert first["totals"] == second["totals"]
    assert second["totals"]["funding-by-funder"] > 10 and second["seconds"] >= 0


# -- nothing else sees the summary graph ---------------------------------------------------------

UNAFFECTED = (
    "stats",
    "entities-by-type",
    "claims-by-relation",
    "sources-by-publisher-kind",
    "funding",
    "facilities-built",
    "technologies-by-actor",
    "export-control-targets",
    "claims-without-source",
    "timeline",
)


@pytest.mark.parametrize("name", UNAFFECTED)
def test_other_library_queries_answer_the_same_without_the_summary_graph(
    built_store: ox.Store, built_project: Path, name: str
):
    bare = ox.Store()  # the dataset alone, no totals
    bare.bulk_load(path=str(built_project / "graph/build/chipkg.trig"), format=ox.RdfFormat.TRIG)
    q = query.load(name)
    assert rows(built_store, q.text) == rows(bare, q.text)


def test_lookups_answer_the_same_without_the_summary_graph(
    built_store: ox.Store, built_project: Path
):
    bare = ox.Store()
    bare.bulk_load(path=str(built_project / "graph/build/chipkg.trig"), format=ox.RdfFormat.TRIG)
    for name, params in (
        (
            "claims-about-entity",
            {"entity": "<https://w3id.org/chipkg/id/entity/stmicroelectronics>"},
        ),
        ("claims-citing-source", {"source": "<https://pr.tsmc.com/english/news/3169>"}),
    ):
        q = query.load(name)
        assert rows(built_store, q.text, params)
        assert rows(built_store, q.text, params) == rows(bare, q.text, params), name


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
    assert info["claims"] >= 400
    st = ox.Store(str(work / "store"))
    st.bulk_load(path=str(work / "corpus.nq"), format=ox.RdfFormat.N_QUADS)
    return st


def test_totals_on_a_synthetic_corpus_equal_live_aggregates(synthetic_store: ox.Store):
    done = store.materialise_summaries(synthetic_store)
    funders = assert_totals_are_live(synthetic_store)
    assert done["totals"]["funding-by-funder"] == len(funders) > 20
    assert done["totals"]["funding-by-country"] > 3


def test_a_superseded_claim_leaves_the_totals(synthetic_store: ox.Store):
    """An analyst's correction supersedes a funding claim: the totals drop it on the next run."""
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
    store.materialise_summaries(synthetic_store)
    before = {k: dict(k) for k in rows(synthetic_store, STORED_FUNDERS)}
    key = next(
        k for k, d in before.items() if (d["s"], d["currency"]) == (funder.value, currency.value)
    )
    synthetic_store.add(
        ox.Quad(
            ox.NamedNode("https://w3id.org/chipkg/id/claim/analyst-correction"),
            ox.NamedNode("https://w3id.org/chipkg/ontology#supersedes"),
            claim,
            ox.NamedNode("https://w3id.org/chipkg/id/graph/synth-000000"),
        )
    )
    store.materialise_summaries(synthetic_store)
    after = {k: dict(k) for k in assert_totals_are_live(synthetic_store)}
    assert key not in after  # that funder's total in that currency changed or is gone
    if int(before[key]["claims"]) > 1:
        changed = next(
            d for d in after.values() if (d["s"], d["currency"]) == (funder.value, currency.value)
        )
        assert int(changed["claims"]) == int(before[key]["claims"]) - 1
        assert int(changed["sum"]) == int(before[key]["sum"]) - int(value.value)


# -- replacing and removing a report -------------------------------------------------------------


@pytest.fixture()
def two_reports(tmp_path: Path) -> Path:
    """The bundled report and a second one of the same kind (with funding facts of its own)."""
    project = tmp_path / "project"
    sources = project / "graph" / "sources"
    sources.mkdir(parents=True)
    for f in (BUNDLED, BUNDLED.with_name("ic-landscape-2024.meta.toml")):
        shutil.copy(f, sources / f.name)
    shutil.copy(FIXTURES / "landscape_2025_sample.txt", sources / "sample.txt")
    result = run("--project", str(project), "build", "--no-validate")
    assert result.exit_code == 0, result.output
    return project


def test_totals_follow_a_replaced_and_a_removed_report(two_reports: Path):
    build = two_reports / "graph" / "build"
    both = assert_totals_are_live(store.open_store(build))
    first = store.read_state(build)

    # the sample is rewritten into a report with no funding facts: its graph is replaced
    shutil.copy(FIXTURES / "marker_rules.txt", two_reports / "graph/sources/sample.txt")
    result = run("--project", str(two_reports), "build", "--no-validate")
    assert result.exit_code == 0, result.output
    assert "store: 1 replaced, 3 kept" in result.stdout
    replaced = assert_totals_are_live(store.open_store(build))
    assert replaced != both
    second = store.read_state(build)
    assert second["generation"] > first["generation"]
    summary = str(store.SUMMARY_GRAPH)
    assert second["graphs"][summary] != first["graphs"][summary]

    # an unchanged rebuild keeps the generation and its totals
    result = run("--project", str(two_reports), "build", "--no-validate")
    assert "store: no graph changed, 4 kept" in result.stdout
    assert store.read_state(build)["graphs"] == second["graphs"]

    # removed: the totals are the bundled report's alone, as in a store of it alone
    result = run("--project", str(two_reports), "remove", "sample")
    assert result.exit_code == 0, result.output
    alone = assert_totals_are_live(store.open_store(build))
    bundled_only = ox.Store()
    bundled_only.bulk_load(path=str(build / "chipkg.trig"), format=ox.RdfFormat.TRIG)
    store.materialise_summaries(bundled_only)
    assert alone == rows(bundled_only, STORED_FUNDERS)
    assert store.read_state(build)["graphs"][summary] == second["graphs"][summary]


def test_changed_summary_queries_recompute_the_totals(two_reports: Path, monkeypatch):
    build = two_reports / "graph" / "build"
    before = store.read_state(build)
    texts = store.summary_queries()
    changed = {**texts, "funding-by-country": texts["funding-by-country"] + "\n# revised\n"}
    monkeypatch.setattr(store, "summary_queries", lambda: changed)
    # a store whose totals other queries computed is not used as is …
    warnings: list[str] = []
    st = store.open_store(build, warn=warnings.append)
    assert "other summary queries" in warnings[0] and "chipkg store load" in warnings[0]
    assert_totals_are_live(st)  # (the TriG in memory, with totals made now)
    # … and the next build recomputes them in a new generation, though no graph changed
    result = run("--project", str(two_reports), "build", "--no-validate")
    assert result.exit_code == 0, result.output
    after = store.read_state(build)
    assert after["generation"] > before["generation"]
    assert after["summary_queries"] == store.summary_definition() != before["summary_queries"]
    warnings.clear()
    assert_totals_are_live(store.open_store(build, warn=warnings.append))
    assert warnings == []


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
    assert_totals_are_live(st)
    result = run("--project", str(two_reports), "build", "--no-validate")
    assert result.exit_code == 0 and "store: loaded" in result.stdout
    assert str(store.SUMMARY_GRAPH) in store.read_state(build)["graphs"]
