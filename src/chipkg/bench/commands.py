"""The ``chipkg bench`` command, and the entry point of each measurement's own process
(``python -m chipkg.bench --phase NAME KEY=VALUE …``)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
import tempfile
from pathlib import Path

import click

from chipkg.bench import peers, phases
from chipkg.bench.report import markdown, print_table
from chipkg.bench.run import (
    FULL_VALIDATION_UP_TO,
    QUICK_SIZES,
    QUICK_TRIPLE_SIZES,
    TRIPLE_SIZES,
    err,
    machine,
    run,
)
from chipkg.bench.world import SEED
from chipkg.errors import ChipkgError


def _sizes(value: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(float(x)) for x in value.split(",") if x.strip())
    except ValueError:
        raise click.BadParameter(f"'{value}': give claim counts like 1e4,1e5") from None
    if not sizes or min(sizes) < 1:
        raise click.BadParameter("give at least one positive claim count")
    return sizes


DOCS = "docs/benchmarks.md"  # the committed report, in the project


@click.command("bench")
@click.option(
    "--sizes",
    default="1e4,1e5,1e6",
    show_default=True,
    help="Corpus sizes in claims, comma-separated (1e4,1e5).",
)
@click.option(
    "--triple-sizes",
    default=",".join(str(n) for n in TRIPLE_SIZES),
    show_default=True,
    help="Corpora (in claims) validated in full for the validation-by-triples table; '' for none.",
)
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Markdown report to write (atomically); the raw numbers go next to it (.json). Default: "
    "a new temporary folder (its path is printed); the committed docs are never written unless "
    f"asked (--write-docs, or --out {DOCS}).",
)
@click.option(
    "--write-docs",
    is_flag=True,
    help=f"Write the project's {DOCS} (and .json): the committed benchmark report.",
)
@click.option("--quick", is_flag=True, help="Tiny corpora (60 claims), few repeats: a smoke run.")
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where corpora and stores go (default: a temporary folder, removed after).",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Reuse the results of steps already measured in --workdir (after an interruption).",
)
@click.option(
    "--validate-limit",
    type=click.IntRange(1),
    help=f"Above {FULL_VALIDATION_UP_TO:,} claims, validate only the first N report graphs and "
    "project the time for all.",
)
@click.option("--seed", type=int, default=SEED, show_default=True)
def bench(
    sizes: str,
    triple_sizes: str,
    out_path: Path | None,
    write_docs: bool,
    quick: bool,
    workdir: Path | None,
    resume: bool,
    validate_limit: int | None,
    seed: int,
) -> None:
    """Measure build, load, validation, queries, analyses and export on synthetic corpora, with
    rdflib and plain pySHACL as peers; print a table and write it (with the machine and its load)
    to --out."""
    if resume and workdir is None:
        raise click.UsageError("--resume needs --workdir (the folder of the interrupted run)")
    if write_docs and out_path is not None:
        raise click.UsageError("give --out or --write-docs, not both")
    chosen = QUICK_SIZES if quick else _sizes(sizes)
    by_triples = QUICK_TRIPLE_SIZES if quick else (_sizes(triple_sizes) if triple_sizes else ())
    target = _out_path(out_path, write_docs)
    own = workdir is None
    work = Path(tempfile.mkdtemp(prefix="chipkg-bench-")) if own else workdir
    try:
        results = run(
            chosen,
            work,
            quick=quick,
            seed=seed,
            validate_limit=validate_limit,
            text_reports=2 if quick else 20,
            triple_sizes=by_triples,
            resume=resume,
            analyze_timeout=1800,
        )
    except ChipkgError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(exc.exit_code) from None
    finally:
        if own:
            shutil.rmtree(work, ignore_errors=True)
    _write(results, target)


def _out_path(out_path: Path | None, write_docs: bool) -> Path:
    """Where the report goes: --out, the project's docs (--write-docs), or a new temp folder."""
    from chipkg.resources import home

    if write_docs:
        return home() / DOCS
    if out_path is not None:
        return out_path
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    return Path(tempfile.mkdtemp(prefix=f"chipkg-bench-{stamp}-")) / "benchmarks.md"


def _write(results: dict, out_path: Path) -> None:
    from chipkg.graph.store import atomic_write

    results["machine"] = machine()
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    results["date"] = when
    print_table(results)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(out_path, markdown(results, when).encode("utf-8"))
    atomic_write(
        out_path.with_suffix(".json"),
        (json.dumps(results, indent=2, sort_keys=True) + "\n").encode("utf-8"),
    )
    err.print(f"wrote {out_path} and {out_path.with_suffix('.json')}")


PHASES = {
    "build-text": lambda a: phases.phase_build_text(int(a["reports"]), int(a["seed"])),
    "generate": lambda a: phases.phase_generate(
        int(a["claims"]), Path(a["workdir"]), int(a["seed"]), int(a.get("articles", 8))
    ),
    "load": lambda a: phases.phase_load(Path(a["workdir"])),
    "validate": lambda a: phases.phase_validate(
        Path(a["workdir"]),
        int(a["limit"]) if a.get("limit") else None,
        int(a["workers"]) if a.get("workers") else None,
    ),
    "queries": lambda a: phases.phase_queries(
        Path(a["workdir"]), int(a["repeats"]), a.get("names", "")
    ),
    "rdflib-queries": lambda a: peers.phase_rdflib_queries(
        Path(a["workdir"]),
        int(a["repeats"]),
        a.get("names", ""),
        float(a.get("query_timeout", peers.RDFLIB_TIMEOUT_S)),
    ),
    "pyshacl": lambda a: peers.phase_pyshacl(
        Path(a["workdir"]), float(a.get("budget", peers.PYSHACL_BUDGET_S))
    ),
    "bundled": lambda a: phases.phase_bundled(int(a["repeats"])),
    "startup": lambda a: phases.phase_startup(int(a.get("repeats", 3))),
    "analyze": lambda a: phases.phase_analyze(Path(a["workdir"])),
}


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--phase"]:
        name, args = argv[1], dict(a.split("=", 1) for a in argv[2:])
        print(json.dumps(PHASES[name](args)))
        return
    bench.main(args=argv, prog_name="chipkg bench")
