"""The workspace a user owns (issue 20): chipkg init, finding it from the current folder upward or
with --project, its settings, its own publisher table, and the whole path from a built wheel."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from chipkg import workspace as ws
from chipkg.cli import cli
from chipkg.graph.sparql import select
from chipkg.graph.store import open_store
from tests.conftest import FIXTURES, ROOT


def run(*args: str, cwd: Path | None = None):
    if cwd is None:
        return CliRunner().invoke(cli, list(args))
    old = Path.cwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, list(args))
    finally:
        os.chdir(old)


def assert_clean_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for frag in fragments:
        assert frag in result.stderr, result.stderr


@pytest.fixture()
def space(tmp_path: Path) -> Path:
    folder = tmp_path / "my-reports"
    r = run("init", str(folder), "--name", "Chip policy desk")
    assert r.exit_code == 0, r.output
    shutil.copy(FIXTURES / "marker_rules.txt", folder / "sources" / "good.txt")
    return folder


def test_init_makes_the_workspace_and_refuses_to_make_it_twice(tmp_path: Path):
    folder = tmp_path / "w"
    r = run("init", str(folder), "--language", "zh")
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in folder.iterdir()) == [
        "build",
        "chipkg.toml",
        "curated",
        "entities.csv",
        "publishers.csv",
        "sources",
    ]
    settings = ws.read_settings(folder / "chipkg.toml", "x")
    assert settings == ws.Settings("w", ("zh", "en"))
    # the two tables are empty tables with the bundled tables' headers
    bundled = ROOT / "ontology"
    for name in ("entities.csv", "publishers.csv"):
        header = (bundled / name).read_text(encoding="utf-8").splitlines()[0]
        assert (folder / name).read_text(encoding="utf-8") == header + "\n"
    assert oct((folder / "chipkg.toml").stat().st_mode & 0o777) == oct(0o666 & ~_umask())
    before = (folder / "chipkg.toml").read_bytes()
    again = run("init", str(folder), "--name", "other")
    assert_clean_error(again, "chipkg.toml", "is already a chipkg workspace")
    assert (folder / "chipkg.toml").read_bytes() == before


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_commands_find_the_workspace_from_a_folder_inside_it(space: Path):
    r = run("build", "--no-validate", cwd=space / "sources")
    assert r.exit_code == 0, r.output
    assert "of Chip policy desk to" in r.stdout
    assert (space / "build" / "reports" / "good.ttl").exists()
    r = run("stats", "--format", "json", cwd=space / "curated")
    assert r.exit_code == 0, r.output
    assert set(json.loads(r.stdout)) == {"good"}


def test_outside_any_workspace_is_one_clean_line(tmp_path: Path):
    r = run("build", cwd=tmp_path)
    assert_clean_error(r, "no chipkg workspace in", "chipkg init DIR", "--project DIR")


def test_project_option_names_a_workspace_or_a_project_with_graph(space: Path, tmp_path: Path):
    """--project DIR: DIR when it holds chipkg.toml, else DIR/graph (the repository's layout)."""
    assert ws.at(space).root == space and not ws.at(space).nested
    legacy = tmp_path / "old-project"
    (legacy / "graph" / "sources").mkdir(parents=True)
    shutil.copy(FIXTURES / "marker_rules.txt", legacy / "graph" / "sources" / "good.txt")
    found = ws.at(legacy)
    assert found.root == legacy / "graph" and found.nested
    assert found.settings.name == "old-project"
    assert found.gold == legacy / "tests" / "gold"
    r = run("--project", str(legacy), "build", "--no-validate")
    assert r.exit_code == 0, r.output
    assert (legacy / "graph" / "build" / "reports" / "good.ttl").exists()
    # the repository itself: graph/chipkg.toml, found from its root and from graph/sources
    repo = ws.find(ROOT / "graph" / "sources")
    assert repo.root.resolve() == (ROOT / "graph").resolve() and repo.nested
    assert repo.settings.name == "chipkg"


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ('name = "x"\nbase_iri = "https://example.org/"\n', 2, "unknown setting 'base_iri'"),
        ('languages = ["en"]\n', 1, "must list en and zh"),
        ('name = ""\n', 1, "is not a one-line name"),
        ("name = \n", None, "not valid TOML"),
    ],
)
def test_a_bad_setting_is_one_line_naming_file_and_line(space: Path, text, line, fragment):
    (space / "chipkg.toml").write_text(text, encoding="utf-8")
    r = run("--project", str(space), "build")
    where = f"chipkg.toml:{line}:" if line else "chipkg.toml"
    assert_clean_error(r, where, fragment)


def test_the_preferred_language_labels_query_results(space: Path):
    assert run("--project", str(space), "build", "--no-validate").exit_code == 0
    q = "SELECT ?l WHERE { <https://w3id.org/chipkg/ontology#funds> rdfs:label ?l FILTER(lang(?l) = $lang) }"
    q = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n" + q
    r = CliRunner().invoke(cli, ["--project", str(space), "query", "-", "--format", "csv"], input=q)
    assert r.stdout.splitlines()[1:] == ["funds"]
    text = (space / "chipkg.toml").read_text(encoding="utf-8")
    (space / "chipkg.toml").write_text(text.replace('["en", "zh"]', '["zh", "en"]'), "utf-8")
    r = CliRunner().invoke(cli, ["--project", str(space), "query", "-", "--format", "csv"], input=q)
    assert r.stdout.splitlines()[1:] == ["资助"]
    r = CliRunner().invoke(
        cli, ["--project", str(space), "query", "-", "--lang", "en", "--format", "csv"], input=q
    )
    assert r.stdout.splitlines()[1:] == ["funds"]


KIND = """PREFIX ckg: <https://w3id.org/chipkg/ontology#>
SELECT ?s ?kind ?name WHERE { ?s ckg:publisherKind ?k . ?k rdfs:label ?kind FILTER(lang(?kind) = "en")
  OPTIONAL { ?s ckg:publisherName ?name FILTER(lang(?name) = "en") } }"""


def test_the_workspace_publisher_table_overrides_and_extends_the_bundled_one(space: Path):
    def kinds() -> dict[str, tuple[str, str | None]]:
        r = run("--project", str(space), "build", "--no-validate")
        assert r.exit_code == 0, r.output
        rows = select(
            open_store(space / "build"),
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n" + KIND,
        )
        return {
            re.sub(r"^https?://([^/]+).*", r"\1", row["s"]): (row["kind"], row["name"])
            for row in rows
        }

    before = kinds()
    assert before["example.gov"] == ("government", "US federal government")
    assert before["example.com"][0] == "other"
    with (space / "publishers.csv").open("a", encoding="utf-8") as f:
        f.write(
            ".gov,thinktank,Any .gov site (test),,\nexample.com,company,Example Inc,示例公司,\n"
        )
    after = kinds()
    assert after["example.gov"] == ("think tank", "Any .gov site (test)")  # same domain: override
    assert after["example.com"] == ("company", "Example Inc")  # new domain: addition
    assert after["example.org"] == before["example.org"]


def test_a_bad_row_of_the_workspace_publisher_table_names_its_line(space: Path):
    with (space / "publishers.csv").open("a", encoding="utf-8") as f:
        f.write("example.com,company,Example Inc,,\nexample.net,newspaper,Example News,,\n")
    r = run("--project", str(space), "build")
    assert_clean_error(r, "publishers.csv:3:", "unknown publisher kind 'newspaper'")
    assert not (space / "build" / "chipkg.trig").exists()


# -- from a wheel, as a user installs it ------------------------------------------------------


def _pip_failed_offline(output: str) -> bool:
    return any(
        s in output
        for s in ("No matching distribution", "Could not find a version", "NewConnectionError")
    )


def _runtime_closure() -> list:
    """The installed distributions chipkg needs at run time: its declared dependencies (no extra)
    and theirs, markers evaluated for this interpreter."""
    from importlib import metadata

    from packaging.requirements import Requirement

    seen: dict[str, metadata.Distribution] = {}
    todo = [Requirement(r) for r in metadata.requires("chipkg") or []]
    while todo:
        req = todo.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        key = re.sub(r"[-_.]+", "-", req.name).lower()
        if key in seen:
            continue
        dist = metadata.distribution(req.name)
        assert dist.version in req.specifier, (req, dist.version)  # as pip would have chosen
        seen[key] = dist
        todo += [Requirement(r) for r in dist.requires or []]
    return list(seen.values())


def _link_runtime_closure(into: Path) -> None:
    """A folder of links to the top-level files and folders of chipkg's runtime dependencies, as
    installed in the test environment (their packages, compiled modules and .dist-info): a fresh
    venv that adds it to its path sees those and nothing else (no dev extra, no chipkg)."""
    into.mkdir()
    for dist in _runtime_closure():
        base = Path(dist.locate_file(""))
        for f in dist.files or []:
            top = f.parts[0]
            if top in ("..", "__pycache__") or top.endswith(".pth"):
                continue
            link = into / top
            if not link.exists() and (base / top).exists():
                link.symlink_to(base / top)


def test_from_a_built_wheel_init_build_query_review(tmp_path: Path):
    """The README's first steps with nothing but the wheel: pip install it into a fresh venv,
    chipkg init, drop a report, chipkg build, chipkg query, chipkg review (the page answers).

    The fresh venv does not download and install the dependencies again (most of this test's
    time): it sees the test environment's copies of chipkg's runtime dependencies only (and of
    theirs), linked into one folder on its path, so a module chipkg imports without declaring it
    (or only in the dev extra) still fails here; the wheel goes in with --no-deps, and `pip check`
    confirms the wheel's declared requirements are met by those copies."""
    wheels = tmp_path / "wheels"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(wheels)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if built.returncode and _pip_failed_offline(built.stdout + built.stderr):
        pytest.skip(f"cannot build the wheel offline (no hatchling): {built.stderr[-300:]}")
    assert built.returncode == 0, built.stderr
    wheel = next(wheels.glob("chipkg-*.whl"))
    with __import__("zipfile").ZipFile(wheel) as z:
        names = set(z.namelist())
    for needed in (
        "chipkg/_data/ontology/chipkg.ttl",
        "chipkg/_data/ontology/entities.csv",
        "chipkg/_data/ontology/publishers.csv",
        "chipkg/_data/shapes/claims.ttl",
        "chipkg/data/relations.toml",
        "chipkg/analysis/queries/funding.rq",
        "chipkg/web/templates/review/passage.html",
        "chipkg/web/static/review.js",
        "chipkg/web/static/review.css",
    ):
        assert needed in names, needed
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    _link_runtime_closure(tmp_path / "deps")
    (Path(site) / "chipkg-test-deps.pth").write_text(f"{tmp_path / 'deps'}\n", encoding="utf-8")

    def pip(*args: str) -> subprocess.CompletedProcess:
        # the test environment's pip, working on the fresh venv (pip --python)
        return subprocess.run(
            [sys.executable, "-m", "pip", "--python", str(python), *args],
            capture_output=True,
            text=True,
            timeout=600,
        )

    installed = pip("install", "-q", "--no-deps", "--no-index", str(wheel))
    assert installed.returncode == 0, installed.stderr
    checked = pip("check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    shown = pip("show", "chipkg").stdout
    assert f"Location: {site}" in shown, shown  # the wheel's chipkg, not the source tree's
    chipkg = str(venv / "bin" / "chipkg")
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("CHIPKG_HOME", "PYTHONPATH")}

    def sh(*args: str, cwd: Path = home) -> subprocess.CompletedProcess:
        r = subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env, timeout=600)
        assert r.returncode == 0, (args, r.stdout, r.stderr)
        return r

    where = sh(str(python), "-c", "import chipkg, sys; print(chipkg.__file__)").stdout
    assert where.startswith(site), where
    # the dev extra is out of sight: an import chipkg does not declare would fail as for a user
    probe = (
        "import importlib.util as u; print([m for m in ('pytest', 'hypothesis') if u.find_spec(m)])"
    )
    assert sh(str(python), "-c", probe).stdout.strip() == "[]"
    sh(chipkg, "init", "reports")
    space = home / "reports"
    shutil.copy(FIXTURES / "landscape_2025_sample.txt", space / "sources")
    out = sh(chipkg, "build", cwd=space).stdout
    assert "conforms (0 violations" in out
    rows = json.loads(sh(chipkg, "query", "funding", "--format", "json", cwd=space).stdout)
    assert any(r["funder"] == "Germany" and str(r["amount"]) == "920000000" for r in rows)
    _review_answers(chipkg, space, env)


def _review_answers(chipkg: str, space: Path, env: dict) -> None:
    """chipkg review in the workspace: its first line names the address; the page answers with
    the report's first passage to review; SIGTERM stops it."""
    proc = subprocess.Popen(
        [chipkg, "review", "--port", "0"],
        cwd=space,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = proc.stdout.readline()
        m = re.search(r"on (http://127\.0\.0\.1:\d+/)", first)
        assert m, (first, proc.stderr.read() if proc.poll() is not None else "")
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(m.group(1), timeout=30) as r:
                    page, where = r.read().decode(), r.url
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert where.startswith(m.group(1) + "r/landscape_2025_sample/")
        assert 'id="sentence"' in page and "/static/review.js" in page
    finally:
        proc.terminate()
        assert proc.wait(timeout=30) in (0, -15)


def test_the_workspace_entity_table_overrides_and_extends_the_bundled_one(space: Path):
    """Saved by a spreadsheet (BOM, CRLF, ';'): a bundled id overridden, a new entity added and
    linked in the report."""
    header = ws.ENTITIES_HEADER.strip().replace(",", ";")
    rows = [
        "intel;Company;Intel Corp. (test);英特尔公司;英特尔;united-states;;;;override",
        "example-agency;GovernmentAgency;Example Agency;示例机构;示例署;;;;;new",
    ]
    text = "\ufeff" + "\r\n".join([header, *rows]) + "\r\n"
    (space / "entities.csv").write_bytes(text.encode("utf-8"))
    from chipkg.extract.entities import load_entities

    table = load_entities(project=ws.at(space))
    assert table["intel"].label_en == "Intel Corp. (test)" and "example-agency" in table
    r = run("--project", str(space), "build", "--no-validate")
    assert r.exit_code == 0, r.output
    trig = (space / "build" / "chipkg.trig").read_text(encoding="utf-8")
    assert '"Intel Corp. (test)"@en' in trig and '"Example Agency"@en' in trig


def test_promote_writes_the_workspace_table_in_the_dialect_it_was_saved_in(tmp_path: Path):
    """chipkg entities promote appends to the workspace's entities.csv under its lock, keeping a
    spreadsheet's byte-order mark, CRLF and ';'."""
    folder = tmp_path / "w"
    assert run("init", str(folder)).exit_code == 0
    shutil.copy(FIXTURES / "landscape_2025_sample.txt", folder / "sources")
    header = ws.ENTITIES_HEADER.strip().replace(",", ";")
    (folder / "entities.csv").write_bytes(("\ufeff" + header + "\r\n").encode("utf-8"))
    r = run("entities", "promote", "mate70", "--label-zh", "Mate 70手机", cwd=folder)
    assert r.exit_code == 0, r.output
    raw = (folder / "entities.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfid;type;label_en") and raw.count(b"\r\n") == 2
    assert b"\r\nmate70;Product;Mate 70;Mate 70\xe6\x89\x8b\xe6\x9c\xba;" in raw
