"""Bad input: a clear message naming file and line, a non-zero exit, no traceback, and nothing
already built is lost or half-overwritten."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset

from chipkg.cli import cli
from tests.conftest import FIXTURES


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture(scope="module")
def project_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with one good report, built (and validated) once per module."""
    project = tmp_path_factory.mktemp("good") / "project"
    (project / "graph" / "sources").mkdir(parents=True)
    shutil.copy(FIXTURES / "marker_rules.txt", project / "graph" / "sources" / "good.txt")
    result = run("--project", str(project), "build")
    assert result.exit_code == 0, result.output
    return project


@pytest.fixture()
def project(project_built: Path, tmp_path: Path) -> Path:
    """A private copy of it for each test (the store travels with its folder)."""
    project = tmp_path / "project"
    shutil.copytree(project_built, project)
    return project


def snapshot(project: Path) -> dict[str, bytes]:
    build = project / "graph" / "build"
    return {
        str(p.relative_to(build)): p.read_bytes() for p in sorted(build.rglob("*")) if p.is_file()
    }


def assert_clean_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    for frag in fragments:
        assert frag in result.stderr, result.stderr


def test_missing_file(project: Path):
    before = snapshot(project)
    result = run("--project", str(project), "build", str(project / "nope.txt"))
    assert_clean_error(result, "nope.txt", "report file not found")
    assert snapshot(project) == before


def test_not_utf8_names_the_line(project: Path):
    bad = project / "graph" / "sources" / "latin1.txt"
    bad.write_bytes("第一行\n\n".encode() + "caf\xe9".encode("latin-1") + b"\n")
    before = snapshot(project)
    result = run("--project", str(project), "build")
    assert_clean_error(result, "latin1.txt:3:", "not valid UTF-8")
    assert snapshot(project) == before  # the good report's graph was not replaced


def test_empty_file(project: Path):
    empty = project / "graph" / "sources" / "empty.txt"
    empty.write_text("  \n\n", encoding="utf-8")
    result = run("--project", str(project), "build", str(empty))
    assert_clean_error(result, "empty.txt:1:", "empty")


def test_no_footnotes_at_all(project: Path):
    result = run("--project", str(project), "build", str(FIXTURES / "no_footnotes.txt"))
    assert_clean_error(result, "no_footnotes.txt:1:", "no footnotes found")


def test_unparseable_footnote_url(project: Path):
    before = snapshot(project)
    result = run("--project", str(project), "build", str(FIXTURES / "bad_url.txt"))
    assert_clean_error(result, "bad_url.txt:7:", "footnote URL cannot be parsed", "no host name")
    assert snapshot(project) == before


def test_recoverable_problems_are_warnings_and_build_succeeds(project: Path):
    report = project / "graph" / "sources" / "dangling-and-orphan.txt"
    shutil.copy(FIXTURES / "dangling_and_orphan.txt", report)
    result = run("--project", str(project), "build", str(report))
    assert result.exit_code == 0, result.output
    assert "dangling-and-orphan.txt:7: marker-like number '3'" in result.stderr
    assert "dangling-and-orphan.txt:10: footnote 2 on page 1 is cited by no marker" in result.stderr
    assert (project / "graph" / "build" / "reports" / "dangling-and-orphan.ttl").exists()
    # building one report replaces only its own graph: the earlier one is still in the dataset
    assert (project / "graph" / "build" / "reports" / "good.ttl").exists()
    ds = Dataset()
    ds.parse(project / "graph" / "build" / "chipkg.trig", format="trig")
    names = {str(g.identifier).rsplit("/", 1)[-1] for g in ds.graphs() if len(g)}
    assert names == {"good", "dangling-and-orphan", "ontology", "entities"}


def test_bad_report_id(tmp_path: Path):
    bad = tmp_path / "Bad Name.txt"
    shutil.copy(FIXTURES / "marker_rules.txt", bad)
    result = run("--project", str(tmp_path), "build", str(bad))
    assert_clean_error(result, "cannot be used as a report id")


def test_stats_without_a_build(tmp_path: Path):
    result = run("--project", str(tmp_path), "stats")
    assert_clean_error(result, "no built graph here", "chipkg build")


def test_validate_command_on_a_build(built_project: Path):
    """(`chipkg reason` on the same build: tests/test_reason.py)"""
    import json as _json

    result = run("--project", str(built_project), "validate", "--format", "json")
    assert result.exit_code == 0, result.output
    report = _json.loads(result.stdout)["ic-landscape-2024"]
    assert report["conforms"] is True and report["counts"]["Violation"] == 0


def test_build_refuses_to_replace_a_graph_with_violations(project: Path, monkeypatch):
    from chipkg.check import validate as v

    before = snapshot(project)
    real = v.validate_reports

    def broken(items, **kw):  # a planted violation: the shapes are tested on their own
        kw.pop("cache", None)  # never remembered: the next build must see the same
        fake = v.Result(
            "Violation",
            "urn:shape",
            "sh:MinCountConstraintComponent",
            "urn:x",
            "x",
            None,
            None,
            "planted — fix it",
            None,
            None,
        )
        return {
            rid: v.ValidationReport(conforms=False, results=(*rep.results, fake))
            for rid, rep in real(items, **kw).items()
        }

    monkeypatch.setattr(v, "validate_reports", broken)
    result = run("--project", str(project), "build")
    assert result.exit_code == 1
    assert "nothing written" in result.stderr and "planted" in result.stderr
    assert snapshot(project) == before
    result = run("--project", str(project), "build", "--force")
    assert result.exit_code == 0
