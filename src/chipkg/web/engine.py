"""A pool of query worker processes (``chipkg.web.worker``), each with the store open read-only,
where a query that outlives its time is really stopped: its process is killed and replaced.

Why processes and not threads: Oxigraph cannot interrupt a running query (its server's
``--timeout-s`` only stops waiting; the evaluation goes on, a core busy for minutes), and a parser
stack overflow or an allocation failure ends the whole process. A worker per query in flight makes
each of these cost one worker, never the endpoint.

* At most ``workers`` queries run at once; further requests wait for a free worker, at most
  ``timeout_s``, then get 503 with ``Retry-After``. Nothing grows per request.
* A query still running after ``timeout_s`` is answered 503 and its worker killed (SIGKILL) at
  once; a new worker starts in the background.
* A worker that dies (crash, memory limit) is reported as 500 and replaced.
"""

from __future__ import annotations

import os
import queue
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from chipkg.errors import ChipkgError
from chipkg.web.worker import Channel


@dataclass(frozen=True)
class Limits:
    workers: int = 2
    timeout_s: float = 30.0
    memory_mb: int = 2048  # per worker (RLIMIT_DATA); 0 = none
    result_mb: int = 512  # largest answer a worker will serialise


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def error(cls, status: int, message: str, *headers: tuple[str, str]) -> Answer:
        return cls(status, "text/plain; charset=utf-8", (message + "\n").encode(), headers)


@dataclass(eq=False)
class _Worker:
    proc: subprocess.Popen
    conn: Channel


@dataclass
class Stats:
    answered: int = 0
    cancelled: int = 0
    crashed: int = 0
    busy: int = 0
    started: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, name: str) -> None:
        with self.lock:
            setattr(self, name, getattr(self, name) + 1)


class Pool:
    def __init__(self, store_path: Path, limits: Limits, startup_s: float = 30.0) -> None:
        self.store_path = store_path
        self.limits = limits
        self.stats = Stats()
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._live: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._startup_s = startup_s
        # Workers are started by one long-lived thread: Linux's parent-death signal, which stops a
        # worker when the front dies, fires when the *thread* that started it ends.
        self._wanted: queue.Queue[int] = queue.Queue()
        self._failures: queue.Queue[ChipkgError] = queue.Queue()
        self._launcher = threading.Thread(
            target=self._launch_loop, name="chipkg-worker-start", daemon=True
        )
        self._launcher.start()
        for _ in range(limits.workers):
            self._wanted.put(0)
        deadline = time.monotonic() + startup_s + 5
        while self._idle.qsize() < limits.workers:
            try:
                failure = self._failures.get(timeout=0.05)
            except queue.Empty:
                if time.monotonic() > deadline:
                    failure = ChipkgError("the query workers did not start in time")
                else:
                    continue
            self.close()
            raise failure

    # -- workers ---------------------------------------------------------------------------------
    def _launch(self) -> _Worker:
        ours, theirs = socket.socketpair()
        cmd = [
            sys.executable,
            "-m",
            "chipkg.web.worker",
            str(theirs.fileno()),
            str(self.store_path),
            str(self.limits.memory_mb),
            str(self.limits.result_mb * 2**20),
            str(os.getpid()),
        ]
        proc = subprocess.Popen(
            cmd, pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, close_fds=True
        )
        theirs.close()
        worker = _Worker(proc, Channel(ours))
        with self._lock:
            self._live.add(worker)
        self.stats.count("started")
        return worker

    def _await_ready(self, w: _Worker) -> None:
        try:
            msg = w.conn.recv(self._startup_s)
        except TimeoutError:
            self._kill(w)
            raise ChipkgError("a query worker did not start in time") from None
        except (EOFError, OSError):
            msg = ("failed", f"it exited with status {w.proc.wait()}")
        if msg[0] != "ready":
            self._kill(w)
            raise ChipkgError(f"a query worker could not open the store: {msg[1]}")

    def _kill(self, w: _Worker) -> None:
        if w.proc.poll() is None:
            w.proc.kill()
        w.proc.wait()
        w.conn.close()
        with self._lock:
            self._live.discard(w)

    def _launch_loop(self) -> None:
        while True:
            attempt = self._wanted.get()
            if self._closed or attempt < 0:
                return
            try:
                new = self._launch()
                self._await_ready(new)
            except (ChipkgError, OSError) as exc:
                failure = exc if isinstance(exc, ChipkgError) else ChipkgError(str(exc))
                self._failures.put(failure)
                if 0 < attempt < 5:  # a replacement: try again, backing off
                    time.sleep(0.5 * 2**attempt)
                    self._wanted.put(attempt + 1)
                continue
            if self._closed:
                self._kill(new)
                return
            self._idle.put(new)

    def _replace(self, w: _Worker) -> None:
        """Kill ``w`` now; its successor starts in the background."""
        self._kill(w)
        self._wanted.put(1)

    # -- requests --------------------------------------------------------------------------------
    def run(self, request: dict) -> Answer:
        limits = self.limits
        try:
            w = self._idle.get(timeout=limits.timeout_s)
        except queue.Empty:
            self.stats.count("busy")
            return Answer.error(
                503,
                f"all {limits.workers} query workers stayed busy for {limits.timeout_s:g} s; "
                "try again later",
                ("Retry-After", "5"),
            )
        try:
            w.conn.send(request)
            try:
                reply = w.conn.recv(limits.timeout_s)
            except TimeoutError:
                self._replace(w)
                self.stats.count("cancelled")
                return Answer.error(
                    503,
                    f"the query was stopped after {limits.timeout_s:g} s, this endpoint's time "
                    "limit; narrow it or add LIMIT",
                )
        except (EOFError, OSError):
            code = w.proc.wait()
            self._replace(w)
            self.stats.count("crashed")
            why = f"signal {-code}" if code < 0 else f"status {code}"
            return Answer.error(
                500,
                f"the query engine stopped on this query ({why}: a crash or its memory limit "
                f"of {limits.memory_mb} MB); it was restarted",
            )
        self._idle.put(w)
        self.stats.count("answered")
        if reply[0] == "ok":
            return Answer(200, reply[1], reply[2])
        return Answer.error(reply[1], reply[2])

    def close(self) -> None:
        self._closed = True
        self._wanted.put(-1)
        with self._lock:
            live = list(self._live)
        for w in live:
            self._kill(w)

    def pids(self) -> list[int]:
        with self._lock:
            return sorted(w.proc.pid for w in self._live)
