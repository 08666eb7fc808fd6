"""The inputs people really produce (issue 18, the build side): a report saved with a byte-order
mark, a footnote URL with a mistyped scheme, a report deleted from graph/sources, two copies of
one report. Each test failed before its fix."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from chipkg.cli import cli
from chipkg.ingest.report import parse_report
from tests.conftest import FIXTURES


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "graph" / "sources").mkdir(parents=True)
    return tmp_path


def add(project: Path, fixture: str, name: str | None = None, data: bytes | None = None) -> Path:
    path = project / "graph" / "sources" / (name or fixture)
    path.write_bytes(data if data is not None else (FIXTURES / fixture).read_bytes())
    return path


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_report_saved_with_a_bom_builds_and_validates(project: Path):
    data = "\ufeff".encode() + (FIXTURES / "marker_rules.txt").read_bytes()
    path = add(project, "marker_rules.txt", "bom.txt", data)
    sha = hashlib.sha256(data).hexdigest()
    path.with_name("bom.meta.toml").write_bytes(
        '\ufefftitle = "BOM"\n'.encode() + f'sha256 = "{sha}"\n'.encode()
    )
    result = run("--project", str(project), "build")
    assert result.exit_code == 0, result.output
    assert "validated bom: conforms (0 violations" in result.output
    assert "does not match" not in result.output  # the sidecar's checksum is the file's
    result = run("--project", str(project), "validate")
    assert result.exit_code == 0, result.output
    # offsets count the BOM as the first code point, as Python reads the file
    report = parse_report(path)
    text = path.read_text(encoding="utf-8")
    assert report.text == text and text[0] == "\ufeff"
    p = report.passages[-1]
    assert text[p.start : p.end].startswith("意大利为意法半导体拨款")
    assert report.articles[0].title == "标记规则测试报告"


def test_a_footnote_url_with_a_mistyped_scheme_is_a_warning_with_its_line(project: Path):
    text = (FIXTURES / "dangling_and_orphan.txt").read_text(encoding="utf-8")
    text = text.replace("3。", "2。").replace(
        "2 https://www.example.eu/news/quantum-gravimeter", "2 htps:/www.example.eu/news/quantum"
    )
    add(project, "x", "typo.txt", text.encode())
    result = run("--project", str(project), "build")
    assert result.exit_code == 0, result.output
    line = text.splitlines().index("2 htps:/www.example.eu/news/quantum") + 1
    assert f"typo.txt:{line}: footnote 2: 'htps:/www.example.eu/news/quantum'" in result.output
    assert "scheme 'htps' is not http or https" in result.output
    report = parse_report(project / "graph" / "sources" / "typo.txt")
    assert [(f.kind, f.line) for f in report.findings if f.kind == "broken-url"] == [
        ("broken-url", line)
    ]
    assert report.footnotes[1].urls == ()


def test_a_footnote_url_missing_its_colon_is_named_so(project: Path):
    text = (FIXTURES / "dangling_and_orphan.txt").read_text(encoding="utf-8")
    text = text.replace("2 https://www.example.eu/news/", "2 https//www.example.eu/news/")
    path = add(project, "x", "colon.txt", text.encode())
    report = parse_report(path)
    assert any("no ':' after the scheme" in f.message for f in report.findings)


def test_two_copies_of_one_report_are_refused_and_nothing_is_written(project: Path):
    add(project, "marker_rules.txt", "a.txt")
    assert run("--project", str(project), "build", "--no-validate").exit_code == 0
    before = files(project / "graph" / "build")
    add(project, "marker_rules.txt", "a-copy.txt")
    result = run("--project", str(project), "build", "--no-validate")
    assert result.exit_code == 2
    assert "the same text as" in result.output
    assert "a-copy.txt" in result.output and "sources/a.txt" in result.output
    assert "every total would count it twice" in result.output
    assert "Traceback" not in result.output
    assert files(project / "graph" / "build") == before


def test_a_copy_of_a_report_already_built_is_refused(project: Path, tmp_path_factory):
    add(project, "marker_rules.txt", "a.txt")
    assert run("--project", str(project), "build", "--no-validate").exit_code == 0
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "b.txt"
    shutil.copy(FIXTURES / "marker_rules.txt", elsewhere)
    result = run("--project", str(project), "build", "--no-validate", str(elsewhere))
    assert result.exit_code == 2
    assert "the same text as report 'a', already in the build" in result.output
    assert "chipkg remove a" in result.output


def test_two_reports_with_one_id_are_refused(project: Path, tmp_path_factory):
    one = tmp_path_factory.mktemp("one") / "same.txt"
    two = tmp_path_factory.mktemp("two") / "same.txt"
    shutil.copy(FIXTURES / "marker_rules.txt", one)
    shutil.copy(FIXTURES / "citation_scope.txt", two)
    result = run("--project", str(project), "build", "--no-validate", str(one), str(two))
    assert result.exit_code == 2
    assert "two reports named 'same'" in result.output


def test_a_report_removed_from_the_sources_is_dropped_from_the_build(project: Path):
    add(project, "marker_rules.txt", "a.txt")
    add(project, "citation_scope.txt", "b.txt")
    assert run("--project", str(project), "build", "--no-validate").exit_code == 0
    (project / "graph" / "sources" / "b.txt").unlink()
    result = run("--project", str(project), "build", "--no-validate")
    assert result.exit_code == 0, result.output
    assert "dropped report 'b' from the build" in result.output
    build = project / "graph" / "build"
    assert sorted(json.loads((build / "manifest.json").read_text())) == ["a"]
    assert not (build / "reports" / "b.ttl").exists()
    assert "/graph/b>" not in (build / "chipkg.trig").read_text(encoding="utf-8")
    # building one named report leaves the others alone
    add(project, "citation_scope.txt", "b.txt")
    assert run("--project", str(project), "build", "--no-validate").exit_code == 0
    result = run(
        "--project", str(project), "build", "--no-validate", str(build.parent / "sources/a.txt")
    )
    assert result.exit_code == 0
    assert sorted(json.loads((build / "manifest.json").read_text())) == ["a", "b"]
