"""Mutation testing of the core modules, one module at a time (`make mutate [MODULE=name]`).

Each module of tools/mutate.toml gets its own work folder ``.mutate/<module>/`` holding a
pyproject.toml whose ``[tool.mutmut]`` section mutates only that module's files and runs only its
fast tests, and links to the repository's src/, tests/ and data. mutmut copies them into
``mutants/`` there, finds which of the tests call each function, and runs each mutant against
those tests only (in a forked process, so no interpreter start-up per mutant). Its results are
kept in that folder. A run names the module's mutants, so every one is tested again; ``--again``
tests only the last run's survivors and the mutants not tested yet (after adding tests).

At the end the mutants of the module's listed functions are counted by outcome and the score is
killed / (all but those not checked). ``--show`` prints each survivor's diff.

Mutation runs are CPU-heavy: the default is one worker (``--jobs``), and modules run one after
the other.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "tools" / "mutate.toml"
WORK = ROOT / ".mutate"
LINKED = ("src", "tests", "graph", "ontology", "shapes", "docs")
ALSO_COPY = ("graph/sources", "ontology", "shapes", "docs")

# mutmut's exit codes (mutmut/__main__.py, status_by_exit_code) by the name this report uses
STATUS = {1: "killed", 3: "killed", 0: "survived", 33: "no tests", 5: "no tests", 34: "skipped"}
TIMEOUT = {36, 24, -24, 152, 255}


def modules() -> dict[str, dict]:
    return tomllib.loads(TABLE.read_text(encoding="utf-8"))


def _toml_list(items: list[str]) -> str:
    return "[" + ", ".join(json.dumps(i) for i in items) + "]"


def prepare(name: str, spec: dict) -> Path:
    """The module's work folder: links to the sources and a pyproject.toml for mutmut."""
    work = WORK / name
    work.mkdir(parents=True, exist_ok=True)
    for link in LINKED:
        path = work / link
        if not path.is_symlink():
            path.symlink_to(ROOT / link)
    selection = list(spec["tests"])
    if spec.get("deselect"):
        selection += ["-k", f"not ({spec['deselect']})"]
    elif spec.get("select"):
        selection += ["-k", spec["select"]]
    section = (
        "\n[tool.mutmut]\n"
        'source_paths = ["src"]\n'
        f"only_mutate = {_toml_list(spec['files'])}\n"
        f"also_copy = {_toml_list(list(ALSO_COPY))}\n"
        f"pytest_add_cli_args_test_selection = {_toml_list(selection)}\n"
        'pytest_add_cli_args = ["-p", "no:cacheprovider"]\n'
        "use_git_change_detection = false\n"
        # workers fork from a server that never ran a test: Oxigraph's threads would not
        # survive a fork of mutmut's own process (the mutant hangs)
        'process_isolation = "forkserver"\n'
    )
    base = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    text = base + section
    target = work / "pyproject.toml"
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
    return work


def run(name: str, spec: dict, jobs: int, again: bool = False) -> int:
    work = prepare(name, spec)
    env = {
        **os.environ,
        "CI": "true",  # property tests derandomised (tests/conftest.py)
        "CHIPKG_PROPERTY_EXAMPLES": "3",  # and fewer random cases: they run once per mutant
    }
    args = [sys.executable, "-m", "mutmut", "run", "--max-children", str(jobs)]
    previous = work / "previous.json"
    if again:  # only the survivors and the mutants not tested yet, after new tests
        last = results(name, spec)
        names = last["survivors"] + last["not_checked"]
        if not names:
            print(f"== {name}: nothing left to test again", file=sys.stderr)
            return 0
        # mutmut forgets the outcome of the mutants it is not asked to run again (its results
        # are reset when the tests change): the killed ones are carried over from here
        previous.write_text(json.dumps(outcomes(name, spec), indent=1, sort_keys=True) + "\n")
        # and it records which tests call each function again only for tests it has not seen:
        # a test that changed is found anew this way
        (work / "mutants" / "mutmut-stats.json").unlink(missing_ok=True)
        args += names
    else:
        previous.unlink(missing_ok=True)
        args += patterns(spec)  # named, every mutant is tested again: no result is carried over
    print(f"== {name}: {spec['what']} ({', '.join(spec['files'])})", file=sys.stderr)
    return subprocess.run(args, cwd=work, env=env, check=False).returncode


def patterns(spec: dict) -> list[str]:
    """mutmut mutant names to test: the listed functions, or every function of the files."""
    if spec.get("functions"):
        return list(spec["functions"])
    return [
        f"{Path(f).relative_to('src').with_suffix('').as_posix().replace('/', '.')}.*"
        for f in spec["files"]
    ]


def results(name: str, spec: dict) -> dict:
    """The module's score, counts by outcome, survivors and mutants not tested yet."""
    outcome = outcomes(name, spec)
    counts = Counter(outcome.values())
    checked = sum(n for status, n in counts.items() if status != "not checked")
    caught = counts["killed"] + counts["timeout"]
    return {
        "module": name,
        "mutants": len(outcome),
        "counts": dict(sorted(counts.items())),
        "score": round(caught / checked, 3) if checked else None,
        "survivors": sorted(m for m, s in outcome.items() if s in ("survived", "no tests")),
        "not_checked": sorted(m for m, s in outcome.items() if s == "not checked"),
    }


def outcomes(name: str, spec: dict) -> dict[str, str]:
    """Outcome of every mutant of the module's listed functions, from mutmut's .meta files; a
    mutant `--again` did not run keeps the outcome it had before (previous.json)."""
    work = WORK / name
    wanted = patterns(spec)
    previous_file = work / "previous.json"
    previous = json.loads(previous_file.read_text()) if previous_file.exists() else {}
    outcome: dict[str, str] = {}
    for file in spec["files"]:
        meta = work / "mutants" / (file + ".meta")
        if not meta.exists():
            continue
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        for mutant, code in codes.items():
            if not any(fnmatch.fnmatch(mutant, p) for p in wanted):
                continue
            if code is None:
                outcome[mutant] = previous.get(mutant, "not checked")
            elif code in TIMEOUT:
                outcome[mutant] = "timeout"
            else:
                outcome[mutant] = STATUS.get(code, "suspicious")
    return outcome


def show(name: str, mutant: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "mutmut", "show", mutant],
        cwd=WORK / name,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout


def main() -> int:
    table = modules()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("module", nargs="*", help=f"of {', '.join(table)} (default: all)")
    parser.add_argument("--jobs", type=int, default=1, help="mutants tested at once (default 1)")
    parser.add_argument("--report", action="store_true", help="only report the last results")
    parser.add_argument("--show", action="store_true", help="print each survivor's diff")
    parser.add_argument(
        "--again",
        action="store_true",
        help="test only the last run's survivors and untested mutants (after adding tests)",
    )
    opts = parser.parse_args()
    unknown = [m for m in opts.module if m not in table]
    if unknown:
        parser.error(f"unknown module {', '.join(unknown)}; known: {', '.join(table)}")
    status = 0
    for name in opts.module or list(table):
        spec = table[name]
        if not opts.report and run(name, spec, opts.jobs, opts.again) != 0:
            print(f"error: mutmut failed on {name}", file=sys.stderr)
            status = 2
            continue
        summary = results(name, spec)
        (WORK / name).mkdir(parents=True, exist_ok=True)
        (WORK / name / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
        score = "n/a" if summary["score"] is None else f"{summary['score']:.1%}"
        print(f"{name}: score {score} over {summary['mutants']} mutants {summary['counts']}")
        for mutant in summary["survivors"]:
            print(f"  survived: {mutant}")
            if opts.show:
                print(show(name, mutant))
    return status


if __name__ == "__main__":
    sys.exit(main())
