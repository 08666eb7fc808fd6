from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

from chipkg.cli import cli
from chipkg.ingest.citations import Citations, resolve
from chipkg.ingest.report import ParsedReport, parse_report

# The suite's Java runs (HermiT and Pellet through owlready2, a few seconds each) with the
# client JIT only: a short JVM run spends much of its CPU compiling with C2 (the bundled report's
# `chipkg reason` 8.2 -> 5.9 CPU-s; test_reason + test_ontology 25 -> 19). What the reasoner
# answers does not depend on the JIT. The launcher's "Picked up JDK_JAVA_OPTIONS" note goes to
# stderr, which owlready2 reads with HermiT's output and skips (it matches none of its patterns).
# An option already set is kept.
os.environ.setdefault("JDK_JAVA_OPTIONS", "-XX:TieredStopAtLevel=1")

# CI runs the property tests derandomised: a red build must be reproducible, not a dice roll.
settings.register_profile("ci", derandomize=True, deadline=None)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def property_examples(default: int) -> int:
    """How many random cases a property test draws: ``default``, or CHIPKG_PROPERTY_EXAMPLES when
    set — more for a deeper run (`CHIPKG_PROPERTY_EXAMPLES=200 make test`), fewer under `make
    mutate`, which runs the test once per mutant. Explicit @example cases always run."""
    return int(os.environ.get("CHIPKG_PROPERTY_EXAMPLES", default))


HERE = Path(__file__).parent
ROOT = HERE.parent
FIXTURES = HERE / "fixtures" / "reports"
BUNDLED = ROOT / "graph" / "sources" / "ic-landscape-2024.txt"


def parse_fixture(name: str) -> tuple[ParsedReport, Citations]:
    report = parse_report(FIXTURES / name)
    return report, resolve(report)


@pytest.fixture(scope="session")
def bundled() -> tuple[ParsedReport, Citations]:
    report = parse_report(BUNDLED)
    return report, resolve(report)


# what `chipkg build` printed on stdout for each project built by `built_project`
BUILD_OUTPUT: dict[Path, str] = {}


@pytest.fixture(scope="session")
def built_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project folder holding the bundled report, built once through the CLI as `make run`
    builds it (its printed summary in ``BUILD_OUTPUT``)."""
    project = tmp_path_factory.mktemp("project")
    (project / "graph" / "sources").mkdir(parents=True)
    for f in (BUNDLED, BUNDLED.with_name("ic-landscape-2024.meta.toml")):
        shutil.copy(f, project / "graph" / "sources" / f.name)
    result = CliRunner().invoke(cli, ["--project", str(project), "build"])
    assert result.exit_code == 0, result.output
    BUILD_OUTPUT[project] = result.stdout
    return project


@pytest.fixture(scope="session")
def built_store(built_project: Path):
    from chipkg.graph.store import open_store

    return open_store(built_project / "graph" / "build")
