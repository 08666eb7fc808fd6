"""One query worker: a process that holds the store open read-only and answers one request at a
time over a pipe from the front (``engine.Pool``). Started as ``python -m chipkg.web.worker``.

A worker is disposable: the front kills it (SIGKILL) when a query outlives the timeout, or finds
it dead when the engine crashed or ran out of its memory limit, and starts another. Answers are
serialised completely before they are sent, so the front never starts a 200 it cannot finish.
"""

from __future__ import annotations

import os
import pickle
import resource
import signal
import socket
import struct
import sys

import pyoxigraph as ox

RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "text/n3": ox.RdfFormat.N3,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}
TEXT_TYPES = {"text/csv", "text/tab-separated-values", "text/turtle", "text/n3"}


class Channel:
    """Pickled messages over a socket, each preceded by its length; ``recv`` can time out.
    (The front reads the same frames from its event loop: ``frame``, ``length``, ``decode``.)"""

    HEADER = struct.Struct("!Q")

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    @classmethod
    def frame(cls, message: object) -> bytes:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        return cls.HEADER.pack(len(data)) + data

    @classmethod
    def length(cls, header: bytes) -> int:
        return cls.HEADER.unpack(header)[0]

    @staticmethod
    def decode(data: bytes) -> object:
        return pickle.loads(data)

    def send(self, message: object) -> None:
        self.sock.settimeout(None)
        self.sock.sendall(self.frame(message))

    def recv(self, timeout: float | None = None) -> object:
        """The next message; TimeoutError if none starts within ``timeout`` seconds, EOFError
        when the other side has gone."""
        self.sock.settimeout(timeout)
        header = self._exactly(self.HEADER.size)
        self.sock.settimeout(None)  # a message that has started is read to its end
        return self.decode(self._exactly(self.length(header)))

    def _exactly(self, n: int) -> bytes:
        parts, left = [], n
        while left:
            chunk = self.sock.recv(min(left, 1 << 20))
            if not chunk:
                raise EOFError
            parts.append(chunk)
            left -= len(chunk)
        return b"".join(parts)

    def close(self) -> None:
        self.sock.close()


class TooLarge(Exception):
    pass


class _Capped:
    """A binary sink that refuses to grow past ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise TooLarge
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def one_line(text: str, limit: int = 300) -> str:
    """Engine messages can span lines (a parse error lists every expected token)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def content_type(media: str) -> str:
    return f"{media}; charset=utf-8" if media in TEXT_TYPES else media


def _serialise(result: object, req: dict, limit: int) -> tuple:
    if isinstance(result, ox.QueryTriples):
        media = req["graph_format"]
        fmt = GRAPH_FORMATS.get(media or "")
    else:
        media = req["results_format"]
        fmt = RESULT_FORMATS.get(media or "")
    if fmt is None:
        kind = "graph (CONSTRUCT/DESCRIBE)" if isinstance(result, ox.QueryTriples) else "result"
        offered = GRAPH_FORMATS if isinstance(result, ox.QueryTriples) else RESULT_FORMATS
        return ("error", 406, f"no acceptable {kind} format; offered: {', '.join(offered)}")
    sink = _Capped(limit)
    result.serialize(sink, format=fmt)
    return ("ok", content_type(media), b"".join(sink.parts))


def _graph(store: ox.Store, req: dict, limit: int) -> tuple:
    name = req["graph"]
    graph = ox.DefaultGraph() if name is None else ox.NamedNode(name)
    if name is not None and not store.contains_named_graph(graph):
        return ("error", 404, f"no graph named <{name}> here")
    fmt = GRAPH_FORMATS[req["graph_format"]]
    quads = store.quads_for_pattern(None, None, None, graph)
    triples = (ox.Triple(q.subject, q.predicate, q.object) for q in quads)
    sink = _Capped(limit)
    ox.serialize(triples, sink, format=fmt)
    return ("ok", content_type(req["graph_format"]), b"".join(sink.parts))


def answer(store: ox.Store, req: dict, limit: int) -> tuple:
    """("ok", content type, body) or ("error", HTTP status, message)."""
    try:
        if req["kind"] == "graph":
            return _graph(store, req, limit)
        kwargs: dict = {"base_iri": req["base_iri"]}
        if req["default_graphs"] is not None or req["named_graphs"] is not None:
            # the protocol's dataset replaces the query's FROM / FROM NAMED (SPARQL 1.1 Protocol)
            kwargs["default_graph"] = [ox.NamedNode(g) for g in req["default_graphs"] or []]
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in req["named_graphs"] or []]
        return _serialise(store.query(req["text"], **kwargs), req, limit)
    except SyntaxError as exc:
        return ("error", 400, f"SPARQL syntax error: {one_line(str(exc))}")
    except TooLarge:
        return (
            "error",
            500,
            f"the answer is larger than this endpoint's limit of {limit // 2**20} MB; "
            "add LIMIT or narrow the query",
        )
    except (OSError, ValueError, RuntimeError) as exc:
        return ("error", 500, f"the query failed: {one_line(str(exc))}")


def _limit_memory(mb: int) -> None:
    if mb > 0:
        size = mb * 2**20
        resource.setrlimit(resource.RLIMIT_DATA, (size, size))


def _die_with_parent() -> None:
    """Linux: SIGKILL when the front dies without stopping us (kill -9 of chipkg serve)."""
    if sys.platform != "linux":
        return
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def main(argv: list[str]) -> None:
    fd, store_path, memory_mb, limit = int(argv[0]), argv[1], int(argv[2]), int(argv[3])
    _die_with_parent()
    parent = int(argv[4])
    if os.getppid() != parent:  # the front died before prctl took effect
        return
    _limit_memory(memory_mb)
    conn = Channel(socket.socket(fileno=fd))
    try:
        store = ox.Store.read_only(store_path)
    except OSError as exc:
        conn.send(("failed", str(exc)))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            req = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply = answer(store, req, limit)
        except MemoryError:
            reply = ("error", 500, "the query needed more memory than this endpoint allows")
        conn.send(reply)


if __name__ == "__main__":
    main(sys.argv[1:])
