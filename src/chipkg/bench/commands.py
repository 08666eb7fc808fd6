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

from chipkg.bench.phases import PHASES
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
    default=Path("docs/benchmarks.md"),
    show_default=True,
    help="Markdown report to write (atomically); the raw numbers go next to it (.json).",
)
@click.option("--quick", is_flag=True, help="Tiny corpora (300 claims), few repeats: a smoke run.")
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
    out_path: Path,
    quick: bool,
    workdir: Path | None,
    resume: bool,
    validate_limit: int | None,
    seed: int,
) -> None:
    """Measure build, load, validation, queries, analyses and export on synthetic corpora;
    print a table and write it (with the machine) to --out."""
    from chipkg.graph.store import atomic_write

    if resume and workdir is None:
        raise click.UsageError("--resume needs --workdir (the folder of the interrupted run)")
    chosen = QUICK_SIZES if quick else _sizes(sizes)
    by_triples = QUICK_TRIPLE_SIZES if quick else (_sizes(triple_sizes) if triple_sizes else ())
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
            analyze_timeout=600,
        )
    except ChipkgError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(exc.exit_code) from None
    finally:
        if own:
            shutil.rmtree(work, ignore_errors=True)
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


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--phase"]:
        name, args = argv[1], dict(a.split("=", 1) for a in argv[2:])
        print(json.dumps(PHASES[name](args)))
        return
    bench.main(args=argv, prog_name="chipkg bench")
