"""The README's promises, checked: its two commands, its CI hook and its example query."""

from __future__ import annotations

import re

from chipkg.analysis.query import select
from tests.conftest import BUILD_OUTPUT, ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_the_two_commands_and_ci_runs_the_test_one():
    first_block = re.search(r"```sh\n(.*?)```", README, re.S).group(1)
    commands = [ln.split("#")[0].strip() for ln in first_block.splitlines() if ln.strip()]
    assert commands == ["make run", "make test"]
    assert README.index("```sh") < 20
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci, re.M)


def test_readme_example_query_gives_the_rows_it_shows(built_store):
    sparql = re.search(r"```sparql\n(.*?)```", README, re.S).group(1)
    table = README[README.index("| page | level | text |") :].split("\n\n", 1)[0]
    expected = [[c.strip() for c in row.strip("|").split("|")] for row in table.splitlines()[2:]]
    rows = select(built_store, sparql)
    assert [[str(r["page"]), r["level"], r["text"]] for r in rows] == expected


def _cells(table: str) -> list[list[str]]:
    return [
        [c.strip() for c in row.strip().strip("|").split(" | ")] for row in table.splitlines()[2:]
    ]


def test_readme_fact_examples_give_the_rows_they_show(built_store):
    """The three example questions of issue 3 (funding with sources, facilities and where,
    export-control targets) run as printed and give the rows printed under them."""
    blocks = re.findall(
        r"<!-- example: ([a-z-]+) -->\n```sparql\n(.*?)```\n\n(\|.*?)\n\n", README, re.S
    )
    assert [name for name, _, _ in blocks] == ["funding", "facilities", "export-controls"]
    for name, sparql, table in blocks:
        header = [c.strip() for c in table.splitlines()[0].strip("|").split("|")]
        got = [
            ["" if r[c] is None else str(r[c]) for c in header] for r in select(built_store, sparql)
        ]
        assert got == _cells(table), name
        assert got, name


def _timings_masked(text: str) -> str:
    """The seconds, and the workspace's name (the repository's own in the README, the test
    project's folder here), masked."""
    text = re.sub(r"report\(s\) of \S+ to", "report(s) of … to", text)
    return re.sub(r"\([0-9]+\.[0-9]+ s\)", "(… s)", text)


def test_readme_shows_what_a_fresh_build_prints(built_project):
    """The whole block under "What `make run` prints", line for line, is what building the
    bundled report prints now (it went stale once: 263 claims shown, 266 built). Only the
    seconds and the workspace's name differ; paths are the project's own (`graph/build`, as from the repository)."""
    block = README.split("## What `make run` prints", 1)[1].split("```\n", 1)[1].split("```", 1)[0]
    fresh = BUILD_OUTPUT[built_project].replace(f"{built_project}/", "")
    assert _timings_masked(block).splitlines() == _timings_masked(fresh).splitlines()


def test_readme_open_world_example_runs_as_shown(tmp_path):
    """The steps under "A report nobody has seen", in a new workspace: the provisional entities
    listed as shown, the promotion, and the funding row the text quotes."""
    import shutil

    from click.testing import CliRunner

    from chipkg.cli import cli

    section = README.split("<!-- example: open-world -->", 1)[1]
    block = section.split("```\n", 1)[1].split("```", 1)[0]
    listed = block.split("$ chipkg entities --provisional\n", 1)[1].split("$ ", 1)[0]
    promote = block.split("$ chipkg entities promote ", 1)[1].split("\n", 1)[0]
    row = section.split("now reads `", 1)[1].split("`", 1)[0]
    run = CliRunner().invoke
    assert run(cli, ["init", str(tmp_path / "ws")]).exit_code == 0
    space = tmp_path / "ws"
    shutil.copy(ROOT / "tests" / "fixtures" / "open_world" / "openworld_a.txt", space / "sources")
    project = ["--project", str(space)]
    assert run(cli, [*project, "build"]).exit_code == 0
    r = run(cli, [*project, "entities", "--provisional"])
    assert r.stdout == listed
    ident, _, label = promote.partition(" --label-en ")
    r = run(cli, [*project, "entities", "promote", ident, "--label-en", label.strip('"')])
    assert r.exit_code == 0, r.output
    assert run(cli, [*project, "build"]).exit_code == 0
    r = run(cli, [*project, "query", "funding", "--format", "csv"])
    assert any(line.startswith(row + ",") for line in r.stdout.splitlines()), r.stdout
    assert "https://news.example.com/bluebay-award" in r.stdout
