"""N-Quads as bytes: a file cut into the runs of lines of each named graph without parsing a line
in Python (a corpus of 10^6 claims is about 13 GB), and the lines of a graph for an rdflib one.

``runs`` reads fixed-size blocks and finds where each graph's run of lines ends by exponential and
binary search on the graph name at the end of a line: a few dozen probes per graph, whatever its
size. The file must hold each named graph's quads together (as ``chipkg bench`` writes them)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from rdflib.plugins.serializers.nquads import _nq_row

from chipkg.errors import ChipkgError

BLOCK = 32 << 20
PLACEHOLDER = b"<urn:x-chipkg:graph>"


def _graph_of_line(buf: bytes, start: int, end: int) -> bytes:
    """The graph term of the quad on buf[start:end] (the last <…> before the final ' .')."""
    close = buf.rfind(b">", start, end)
    return buf[buf.rfind(b"<", start, close) : close + 1]


def _graph_at(buf: bytes, x: int) -> tuple[bytes, int, int] | None:
    """(graph, line start, line end) of the line holding byte x; None past the last full line."""
    start = buf.rfind(b"\n", 0, x) + 1
    end = buf.find(b"\n", x)
    if end == -1:
        return None
    return _graph_of_line(buf, start, end), start, end


def _run_end(buf: bytes, pos: int, eof: bool) -> tuple[bytes, int] | None:
    """(graph, end) of the run of lines of one graph starting at ``pos``; None when the run may
    go on past the buffer."""
    first = _graph_at(buf, pos)
    if first is None:
        return None
    g, _s, lo = first  # lo: end of a line of g
    step = 1 << 14
    hi = None
    while True:
        probe = lo + step
        if probe >= len(buf):
            last = buf.rfind(b"\n", 0, len(buf) - 1 if buf.endswith(b"\n") else len(buf))
            at = _graph_at(buf, last + 1) if last + 1 < len(buf) else None
            if at is not None and at[0] == g:
                if not eof:
                    return None
                return g, at[2] + 1
            if at is None:
                if not eof:
                    return None
                return g, len(buf)
            hi = at[1]
            break
        at = _graph_at(buf, probe)
        if at is None:
            if not eof:
                return None
            break
        if at[0] == g:
            lo = at[2]
            step *= 2
        else:
            hi = at[1]
            break
    if hi is None:
        return g, len(buf)
    while lo + 1 < hi:  # lo: end of a line of g; hi: start of a line of another graph
        at = _graph_at(buf, (lo + 1 + hi) // 2)
        if at[0] == g:
            lo = at[2]
        else:
            hi = at[1]
    return g, hi


def _homogeneous(buf: bytes, start: int, end: int, g: bytes) -> bool:
    """Every line of buf[start:end] is in graph g (the search assumed it; a graph that comes
    back later breaks that assumption)."""
    lines = buf.count(b"\n", start, end)
    ends = buf.count(b" " + g + b" .\n", start, end) + buf.count(b" " + g + b" .\r\n", start, end)
    return lines == ends


def runs(path: Path) -> Iterator[tuple[bytes, bytes]]:
    """(graph term, its lines) for each run of lines of one graph, in file order. A graph whose
    lines are split in several runs is refused (ChipkgError)."""
    seen: set[bytes] = set()
    with path.open("rb") as f:
        buf, eof = b"", False
        while not eof:
            chunk = f.read(BLOCK)
            eof = not chunk
            buf += chunk
            pos = 0
            while pos < len(buf):
                found = _run_end(buf, pos, eof)
                if found is None:
                    break
                g, end = found
                if g in seen or not _homogeneous(buf, pos, end, g):
                    raise ChipkgError(
                        f"graph {g.decode()} is split in several runs of lines",
                        path=path,
                        hint="write each named graph's quads together (sort by graph)",
                    )
                seen.add(g)
                yield g, buf[pos:end]
                pos = end
            buf = buf[pos:]


def graph_lines(triples: Iterable[tuple], graph: bytes) -> bytes:
    """rdflib triples as N-Quads lines in ``graph`` (a term like b"<iri>")."""
    from rdflib import URIRef

    name = URIRef(graph.decode()[1:-1])
    return "".join(_nq_row(t, name) for t in triples).encode("utf-8")
