"""The embedded on-disk store (graph/build/store): loaded from the built TriG, queried read-only,
updated one named graph at a time, never left half written, and replaced by the TriG (with a
warning) when it is missing or stale."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from chipkg.analysis.query import select
from chipkg.cli import cli
from chipkg.errors import ChipkgError
from chipkg.graph import store
from tests.conftest import FIXTURES

G = "https://w3id.org/chipkg/id/graph/"
COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def counts(st: ox.Store) -> dict[str, int]:
    return {r["g"]: r["n"] for r in select(st, COUNTS)}


def files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def two_reports_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with two small reports, built once without validation (not the point here)."""
    project = tmp_path_factory.mktemp("two")
    sources = project / "graph" / "sources"
    sources.mkdir(parents=True)
    shutil.copy(FIXTURES / "marker_rules.txt", sources / "alpha.txt")
    shutil.copy(FIXTURES / "citation_scope.txt", sources / "beta.txt")
    result = run("--project", str(project), "build", "--no-validate")
    assert result.exit_code == 0, result.output
    assert "store: loaded" in result.stdout
    return project


@pytest.fixture()
def two_reports(two_reports_built: Path, tmp_path: Path) -> Path:
    """A private copy of it (the store travels with its folder)."""
    project = tmp_path / "project"
    shutil.copytree(two_reports_built, project)
    return project


def test_the_bundled_build_has_a_fresh_store_holding_exactly_the_trig(built_project: Path):
    build = built_project / "graph" / "build"
    status = store.store_status(build)
    assert status["present"] and status["fresh"]
    disk = store.open_store(build)
    memory = store.open_store(build / "chipkg.trig")  # a file: always loaded into memory
    assert counts(disk) == counts(memory) == status["graphs"]
    # the three graphs of the TriG, and the totals computed from them (the summary graph)
    assert set(status["graphs"]) == {
        G + "ic-landscape-2024",
        G + "ontology",
        G + "entities",
        str(store.SUMMARY_GRAPH),
    }
    # the same answers, row for row, as from the TriG loaded into memory
    q = "SELECT ?s ?o WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?o } ORDER BY ?s ?o"
    assert select(disk, q) == select(memory, q)


def test_queries_open_the_store_read_only_and_change_no_file(built_project: Path):
    build = built_project / "graph" / "build"
    before = files(build / "store")
    result = run("--project", str(built_project), "query", "stats", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr
    assert json.loads(result.stdout)[0]["passages"] > 400
    assert files(build / "store") == before


def test_rebuilding_one_report_replaces_only_its_named_graph(two_reports: Path):
    build = two_reports / "graph" / "build"
    before = store.read_state(build)
    beta_before = counts(store.open_store(build))[G + "beta"]
    # alpha's text changes; only alpha is rebuilt
    shutil.copy(FIXTURES / "sentence_across_page.txt", two_reports / "graph/sources/alpha.txt")
    result = run(
        "--project",
        str(two_reports),
        "build",
        "--no-validate",
        str(two_reports / "graph/sources/alpha.txt"),
    )
    assert result.exit_code == 0, result.output
    assert "store: 1 replaced, 3 kept" in result.stdout
    after = store.read_state(build)
    assert after["generation"] > before["generation"]
    assert after["graphs"][G + "alpha"] != before["graphs"][G + "alpha"]
    for g in (G + "beta", G + "ontology", G + "entities"):
        assert after["graphs"][g] == before["graphs"][g]
    # what the store holds is what a build from scratch of the same sources holds
    fresh = two_reports / "fresh"
    assert (
        run("--project", str(two_reports), "build", "--no-validate", "--out", str(fresh)).exit_code
        == 0
    )
    disk = store.open_store(build)
    assert counts(disk) == counts(store.open_store(fresh))
    assert counts(disk)[G + "beta"] == beta_before
    # the generation before stays for a reader that opened it just before the switch
    assert (build / "store" / before["generation"]).is_dir()


def test_an_unchanged_rebuild_keeps_the_generation(two_reports: Path):
    build = two_reports / "graph" / "build"
    before = store.read_state(build)["generation"]
    result = run("--project", str(two_reports), "build", "--no-validate")
    assert result.exit_code == 0, result.output
    assert "store: no graph changed, 4 kept" in result.stdout
    assert store.read_state(build)["generation"] == before
    assert store.store_status(build)["fresh"]  # the rewritten TriG is the same dataset


def test_removing_a_report_removes_its_graph_everywhere(two_reports: Path):
    build = two_reports / "graph" / "build"
    result = run("--project", str(two_reports), "remove", "beta")
    assert result.exit_code == 0, result.output
    assert "store: 1 removed, 3 kept" in result.stdout
    assert G + "beta" not in counts(store.open_store(build))
    assert G + "beta" not in counts(store.open_store(build / "chipkg.trig"))
    assert not (build / "reports" / "beta.ttl").exists()
    assert "beta" not in json.loads((build / "manifest.json").read_text())
    assert (two_reports / "graph/sources/beta.txt").exists()  # the source is not ours to delete
    # a full build drops a built report whose source is gone, and says so (issue 18)
    (two_reports / "graph/sources/alpha.txt").unlink()
    shutil.copy(FIXTURES / "citation_scope.txt", two_reports / "graph/sources/beta.txt")
    result = run("--project", str(two_reports), "build", "--no-validate")
    assert result.exit_code == 0
    assert "dropped report 'alpha' from the build" in result.stderr
    assert G + "alpha" not in counts(store.open_store(build))
    assert not (build / "reports" / "alpha.ttl").exists()
    assert sorted(json.loads((build / "manifest.json").read_text())) == ["beta"]


def test_removing_an_unknown_report_is_a_clean_error(two_reports: Path):
    before = files(two_reports / "graph" / "build")
    result = run("--project", str(two_reports), "remove", "gamma")
    assert result.exit_code == 2
    assert "no built report 'gamma'" in result.stderr and "alpha, beta" in result.stderr
    assert "Traceback" not in result.output
    assert files(two_reports / "graph" / "build") == before


def test_a_store_failure_leaves_every_previous_output_in_place(two_reports: Path, monkeypatch):
    build = two_reports / "graph" / "build"
    before = files(build)
    original = store._fill

    def fail_midway(target, *args):
        original(target, *args)  # the new generation is fully written …
        raise OSError(28, "No space left on device")  # … and then the disk fills up

    monkeypatch.setattr(store, "_fill", fail_midway)
    shutil.copy(FIXTURES / "sentence_across_page.txt", two_reports / "graph/sources/alpha.txt")
    result = run("--project", str(two_reports), "build", "--no-validate")
    assert result.exit_code == 2
    assert "cannot write the on-disk store" in result.stderr
    assert "No space left on device" in result.stderr and "Traceback" not in result.output
    assert files(build) == before  # no file replaced, the half-made generation removed
    st = store.open_store(build)
    assert G + "alpha" in counts(st) and G + "beta" in counts(st)


def test_a_store_older_than_the_trig_is_not_used(two_reports: Path, monkeypatch):
    """A build that wrote its files but could not publish the store (killed at that moment)."""
    build = two_reports / "graph" / "build"

    def killed(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(store, "_publish", killed)
    with pytest.raises(KeyboardInterrupt):
        store.write_outputs(build, {}, None, remove=["beta"])
    monkeypatch.undo()
    warnings: list[str] = []
    st = store.open_store(build, warn=warnings.append)
    assert G + "beta" not in counts(st)  # the new TriG, loaded into memory
    assert "older than chipkg.trig" in warnings[0] and "chipkg store load" in warnings[0]
    status = run("--project", str(two_reports), "store", "status")
    assert status.exit_code == 1 and "is OLDER than chipkg.trig" in status.stdout
    loaded = run("--project", str(two_reports), "store", "load")
    assert loaded.exit_code == 0 and "store: loaded" in loaded.stdout
    warnings.clear()
    assert G + "beta" not in counts(store.open_store(build, warn=warnings.append))
    assert warnings == []


def test_without_a_store_queries_fall_back_to_the_trig_with_a_warning(two_reports: Path):
    build = two_reports / "graph" / "build"
    shutil.rmtree(build / "store")
    result = run("--project", str(two_reports), "query", "stats", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "warning: no on-disk store in" in result.stderr
    assert "run 'chipkg store load'" in result.stderr
    reports = {r["report"].rsplit("/", 1)[-1] for r in json.loads(result.stdout)}
    assert reports == {"alpha", "beta"}
    assert run("--project", str(two_reports), "store", "status").exit_code == 1
    # a damaged state file counts as no store; the next build loads a fresh one
    (build / "store").mkdir()
    (build / "store" / "CURRENT.json").write_text("{not json")
    assert store.read_state(build) is None
    result = run("--project", str(two_reports), "build", "--no-validate")
    assert result.exit_code == 0 and "store: loaded" in result.stdout
    assert store.store_status(build)["fresh"]


def test_a_copied_build_folder_keeps_its_store(two_reports: Path, tmp_path: Path):
    copy = tmp_path / "copy"
    shutil.copytree(two_reports / "graph" / "build", copy)  # new mtimes: decided by checksum
    (copy / "chipkg.trig").touch()
    warnings: list[str] = []
    st = store.open_store(copy, warn=warnings.append)
    assert warnings == [] and G + "alpha" in counts(st)


def test_open_store_without_any_build_is_a_clean_error(tmp_path: Path):
    with pytest.raises(ChipkgError, match="no built graph here"):
        store.open_store(tmp_path)
