"""The benchmark's runner (``chipkg bench``): every measurement of ``chipkg.bench.phases``, each in
a fresh process, for each corpus size; the results as data (``chipkg.bench.report`` turns them into
the table and docs/benchmarks.md).

Each step's result can be kept in the work folder, so that an interrupted run resumes where it
stopped (``--workdir … --resume``)."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from chipkg.bench.peers import PYSHACL_BUDGET_S, RDFLIB_TIMEOUT_S
from chipkg.bench.world import SEED
from chipkg.errors import ChipkgError

err = Console(stderr=True, highlight=False)

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
QUICK_SIZES = (60,)
QUICK_TRIPLE_SIZES = (30,)
FULL_VALIDATION_UP_TO = 100_000  # claims: larger corpora obey --validate-limit
TRIPLE_SIZES = (1_700, 17_000)  # claims: about 10^5 and 10^6 triples, validated in full


class StepTimeout(Exception):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"> {seconds:,.0f} s (timeout)")
        self.seconds = seconds


def _subprocess(name: str, timeout: float | None = None, **args) -> dict:
    """Run one measurement in a fresh process (its output streamed to stderr as it comes, so a
    long step shows its progress); its result is the last line it prints."""
    cmd = [
        sys.executable,
        "-m",
        "chipkg.bench",
        "--phase",
        name,
        *(f"{k}={v}" for k, v in args.items() if v is not None),
    ]
    try:  # the step's progress and errors go straight to our stderr
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise StepTimeout(timeout or 0) from None
    if proc.returncode != 0:
        raise ChipkgError(
            f"benchmark step {name} failed (exit {proc.returncode}); its error is printed above",
            hint="fix it, then run again with --workdir … --resume to keep the steps done",
        )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def machine() -> dict[str, str]:
    from importlib.metadata import version

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        ram = f"{pages / 2**30:.1f} GiB"
    except (ValueError, OSError):
        ram = "?"
    libs = ", ".join(f"{p} {version(p)}" for p in ("rdflib", "pyshacl", "pyoxigraph", "networkx"))
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": ram,
        "python": platform.python_version(),
        "libraries": libs,
        "os": f"{platform.system()} {platform.release()}",
    }


@dataclass
class _Run:
    """One benchmark run: where it works, how, and the step runner (cached when resuming)."""

    workdir: Path
    quick: bool
    seed: int
    resume: bool

    @property
    def articles(self) -> int:
        # quick: reports of one article (about 18 claims), for a smoke run in seconds: plain
        # pySHACL takes about 4 CPU-s on one of them (11 on a report of two articles)
        return 1 if self.quick else 8

    def step(self, name: str, where: Path | None, timeout: float | None = None, **args) -> dict:
        cache = where / f"result-{name}.json" if (self.resume and where is not None) else None
        if cache is not None and cache.exists():
            return json.loads(cache.read_text())
        before = os.getloadavg()[0]
        result = _subprocess(name, timeout=timeout, **args)
        # the machine is shared: its load (1-minute average, runnable processes) around the step
        result["load_average"] = [round(before, 2), round(os.getloadavg()[0], 2)]
        if cache is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
            cache.write_text(json.dumps(result, indent=2, sort_keys=True))
        return result

    def bundled(self, text_reports: int) -> dict:
        """The bundled report, start-up and build throughput on synthetic report texts."""
        err.print("[bold]bundled report[/]: parse, citations, extraction, RDF; then validation")
        out = {"bundled": self.step("bundled", self.workdir, repeats=1 if self.quick else 5)}
        out["startup"] = self.step("startup", self.workdir, repeats=1 if self.quick else 3)
        err.print(
            f"[bold]build throughput[/]: {text_reports} synthetic report texts, real pipeline"
        )
        out["build_text"] = self.step(
            "build-text", self.workdir, reports=2 if self.quick else text_reports, seed=self.seed
        )
        return out

    def size(self, n: int, validate_limit: int | None, analyze_timeout: float | None) -> dict:
        """Every measurement on a corpus of ``n`` claims."""
        d = self.workdir / f"claims-{n}"
        repeats = 3 if self.quick else 7
        err.print(f"[bold]{n:,} claims[/]: generating corpus in {d}")
        row = {
            "generate": self.step(
                "generate", d, claims=n, workdir=d, seed=self.seed, articles=self.articles
            )
        }
        err.print("  loading into an on-disk Oxigraph store (bulk_load)")
        row["load"] = self.step("load", d, workdir=d)
        limit = validate_limit if n > FULL_VALIDATION_UP_TO else None
        err.print(
            "  SHACL validation, per report graph, parallel"
            + (f" (first {limit})" if limit else "")
        )
        row["validate"] = self.step("validate", d, workdir=d, limit=limit)
        err.print(f"  library queries, median of {repeats}")
        row["queries"] = self.step("queries", d, workdir=d, repeats=repeats)
        err.print("  networkx analyses and Gephi export")
        try:
            row["analyze"] = self.step("analyze", d, timeout=analyze_timeout, workdir=d)
        except StepTimeout as exc:
            row["analyze"] = {"timeout_s": exc.seconds}
        return row

    def by_triples(self, n: int) -> dict:
        """A corpus of ``n`` claims, generated and validated in full."""
        d = self.workdir / f"claims-{n}"
        err.print(f"[bold]validation at {n:,} claims[/] (about {n * 59:,} triples)")
        gen = self.step("generate", d, claims=n, workdir=d, seed=self.seed, articles=self.articles)
        return {"generate": gen, "validate": self.step("validate", d, workdir=d)}

    def peers(self, claims: int) -> dict:
        """The peers at ``claims`` claims, in the same run: every library query on rdflib's
        in-memory dataset (each run with a time limit: rdflib's SPARQL engine takes minutes on
        what Oxigraph answers in milliseconds, see /work/shared/NOTES.md), and validation by
        plain pySHACL until its time budget is spent."""
        d = self.workdir / f"claims-{claims}"
        timeout = 10 if self.quick else RDFLIB_TIMEOUT_S
        err.print(f"[bold]rdflib[/]: the library queries at {claims:,} claims")
        names = len(query_names())
        rd = self.step(
            "rdflib-queries",
            d / "rdflib",
            timeout=3600 + 2 * names * 3 * timeout,
            workdir=d,
            repeats=1 if self.quick else 3,
            query_timeout=timeout,
        )
        rd["claims"] = claims
        budget = 1 if self.quick else PYSHACL_BUDGET_S  # quick: one report graph
        err.print(f"[bold]plain pySHACL[/]: validation at {claims:,} claims ({budget:,} s budget)")
        ps = self.step("pyshacl", d / "pyshacl", timeout=budget * 4 + 600, workdir=d, budget=budget)
        ps["claims"] = claims
        return {"rdflib": rd, "pyshacl": ps}


def query_names() -> list[str]:
    from chipkg.analysis import query

    return list(query.available())


def run(
    sizes: tuple[int, ...],
    workdir: Path,
    quick: bool = False,
    seed: int = SEED,
    validate_limit: int | None = None,
    text_reports: int = 20,
    triple_sizes: tuple[int, ...] = TRIPLE_SIZES,
    resume: bool = False,
    analyze_timeout: float | None = None,
    rdflib_claims: int | None = None,
) -> dict:
    """Every measurement, each in its own subprocess; returns the results as data.

    Corpora up to FULL_VALIDATION_UP_TO claims are validated in full; larger ones, when
    ``validate_limit`` is given, on their first ``validate_limit`` report graphs, and the time for
    all of them is projected (and marked so)."""
    workdir.mkdir(parents=True, exist_ok=True)
    r = _Run(workdir, quick, seed, resume)
    results: dict = {"sizes": {}, "seed": seed, "validation_by_triples": {}}
    results.update(r.bundled(text_reports))
    for n in sizes:
        results["sizes"][n] = r.size(n, validate_limit, analyze_timeout)
    for n in triple_sizes:
        results["validation_by_triples"][n] = r.by_triples(n)
    results.update(r.peers(rdflib_claims or min(sizes)))
    return results
