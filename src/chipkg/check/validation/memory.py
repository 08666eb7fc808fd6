"""Refuse work that would not fit in memory, before it starts swapping.

Validation holds data in memory in two ways: a graph file parsed with rdflib (``chipkg validate``
on a build, ``validate_graph``) costs about ``RDFLIB_BYTES_PER_FILE_BYTE`` bytes per byte of
Turtle/TriG, and a corpus (``validate_corpus``) is read in batches whose in-memory Oxigraph store
costs about ``STORE_BYTES_PER_QUAD`` per quad in each worker. Both are compared with the memory
the system says is available (``MemAvailable``; ``CHIPKG_MEMORY_LIMIT`` in bytes overrides it, for
tests and for sharing a machine); what does not fit raises ChipkgError (exit 2) before any work is
done, never a half-validated corpus reported as conforming."""

from __future__ import annotations

import os
from pathlib import Path

from chipkg.errors import ChipkgError

# measured on the bundled build (1.7 MB chipkg.trig): parsing it with rdflib took 41 bytes of
# memory per byte of TriG, parsing and validating it 54
RDFLIB_BYTES_PER_FILE_BYTE = 60
# a worker's peak RSS over the quads of its batch (10^5-claim bench: 451 MB for about 184,000
# quads with the per-report copies and shadows, Python's own 150 MB included)
STORE_BYTES_PER_QUAD = 2_000
HEADROOM = 0.8  # use at most this share of what is available


def available_bytes() -> int:
    """What the system can give without swapping (or CHIPKG_MEMORY_LIMIT)."""
    forced = os.environ.get("CHIPKG_MEMORY_LIMIT")
    if forced:
        return int(float(forced))
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):
        return 1 << 62  # unknown: do not refuse


def _gb(n: float) -> str:
    return f"{n / 2**30:.1f} GB"


def check_rdflib_parse(path: Path) -> None:
    """Refuse to parse ``path`` into rdflib when its estimated footprint does not fit."""
    need = path.stat().st_size * RDFLIB_BYTES_PER_FILE_BYTE
    have = available_bytes() * HEADROOM
    if need > have:
        raise ChipkgError(
            f"validating this file needs about {_gb(need)} of memory, {_gb(have)} is available"
            " — nothing was validated",
            path=path,
            hint="validate the corpus's N-Quads in batches (chipkg.check.validate."
            "validate_corpus with nquads_reports), or free memory",
        )


def batch_quads(workers: int, wanted: int) -> int:
    """How many quads each worker may hold at once: ``wanted``, or less when memory is short;
    refuses (ChipkgError) when not even a small batch fits."""
    have = available_bytes() * HEADROOM
    fits = int(have / (STORE_BYTES_PER_QUAD * max(1, workers) * 2))  # a batch queued + one running
    if fits < 20_000:
        raise ChipkgError(
            f"validation needs at least {_gb(20_000 * STORE_BYTES_PER_QUAD * 2 * workers)} of"
            f" memory for {workers} worker(s), {_gb(have)} is available — nothing was validated",
            hint="use fewer workers (workers=1), or free memory",
        )
    return min(wanted, fits)


def check_single(quads: int, what: str) -> None:
    """Refuse one in-memory store of ``quads`` quads (one report graph) that does not fit."""
    need = quads * STORE_BYTES_PER_QUAD
    have = available_bytes() * HEADROOM
    if need > have:
        raise ChipkgError(
            f"validating {what} ({quads:,} quads) needs about {_gb(need)} of memory, "
            f"{_gb(have)} is available — nothing was validated",
            hint="split the report graph, or free memory",
        )


FLOOR_BYTES = 256 << 20  # below this much available memory a run stops rather than swap


def check_running(what: str) -> None:
    """During a long run (results pile up in the main process): stop with an error, nothing
    reported, when the system is about to swap."""
    have = available_bytes()
    if have < FLOOR_BYTES:
        raise ChipkgError(
            f"memory ran out while validating {what} ({_gb(have)} left) — stopped, nothing is"
            " reported, the corpus is not known to conform",
            hint="validate fewer report graphs at a time (limit), or free memory",
        )
