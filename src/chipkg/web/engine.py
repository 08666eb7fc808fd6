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

Requests are served from the web server's event loop (``run`` is a coroutine: no thread waits on
a worker); workers are started, awaited and reaped by one long-lived thread.
"""

from __future__ import annotations

import asyncio
import os
import queue
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

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
    log: IO[bytes]  # its stderr

    def last_words(self) -> str:
        """The last line the worker wrote to stderr (why it died), or ''."""
        try:
            self.log.seek(0)
            lines = self.log.read()[-4096:].decode("utf-8", "replace").strip().splitlines()
        except (OSError, ValueError):
            return ""
        return lines[-1][:200] if lines else ""


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

    def summary(self) -> str:
        return (
            f"{self.answered} queries answered, {self.cancelled} stopped at the time limit, "
            f"{self.crashed} ended by a worker crash, {self.busy} turned away busy"
        )


_STOP = object()


def _exit_code(proc: subprocess.Popen, wait_s: float = 2.0) -> int | None:
    """How a worker that closed its end ended (it is exiting: give it a moment)."""
    try:
        return proc.wait(wait_s)
    except subprocess.TimeoutExpired:
        return None


class Pool:
    def __init__(self, store_path: Path, limits: Limits, startup_s: float = 30.0) -> None:
        self.store_path = store_path
        self.limits = limits
        self.stats = Stats()
        self._live: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._startup_s = startup_s
        self._loop: asyncio.AbstractEventLoop | None = None
        self._idle: asyncio.Queue[_Worker] | None = None
        self._ready: list[_Worker] = []  # started before the event loop attached
        self._ready_changed = threading.Condition(self._lock)
        # Workers are started by one long-lived thread: Linux's parent-death signal, which stops a
        # worker when the front dies, fires when the *thread* that started it ends.
        self._jobs: queue.Queue = queue.Queue()
        self._failure: ChipkgError | None = None
        self._launcher = threading.Thread(target=self._launch_loop, name="chipkg-workers")
        self._launcher.daemon = True
        self._launcher.start()
        for _ in range(limits.workers):
            self._jobs.put(0)
        self._await_first(time.monotonic() + startup_s + 5)

    def _await_first(self, deadline: float) -> None:
        with self._ready_changed:
            while len(self._ready) < self.limits.workers and self._failure is None:
                left = deadline - time.monotonic()
                if left <= 0:
                    self._failure = ChipkgError("the query workers did not start in time")
                    break
                self._ready_changed.wait(left)
            failure = self._failure
        if failure is not None:
            self.close()
            raise failure

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Serve requests from ``loop`` (called from inside it, once it runs)."""
        with self._lock:
            self._loop = loop
            self._idle = asyncio.Queue()
            for w in self._ready:
                self._idle.put_nowait(w)
            self._ready.clear()

    # -- workers (the launcher thread) -----------------------------------------------------------
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
        log = tempfile.TemporaryFile()  # noqa: SIM115 — lives as long as the worker
        proc = subprocess.Popen(
            cmd,
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
            close_fds=True,
        )
        theirs.close()
        worker = _Worker(proc, Channel(ours), log)
        with self._lock:
            self._live.add(worker)
        self.stats.count("started")
        return worker

    def _await_ready(self, w: _Worker) -> None:
        try:
            msg = w.conn.recv(self._startup_s)
        except TimeoutError:
            msg = ("failed", "it did not start in time")
        except (EOFError, OSError):
            code = w.proc.wait()
            said = w.last_words()
            msg = ("failed", f"it exited with status {code}" + (f" ({said})" if said else ""))
        if msg[0] != "ready":
            self._reap(w)
            raise ChipkgError(
                f"a query worker could not open the store: {msg[1]}",
                hint="check the store with 'chipkg store status', and that --memory is not "
                "too small",
            )
        w.conn.sock.setblocking(False)

    def _reap(self, w: _Worker) -> None:
        if w.proc.poll() is None:
            w.proc.kill()
        w.proc.wait()
        w.conn.close()
        w.log.close()
        with self._lock:
            self._live.discard(w)

    def _launch_loop(self) -> None:
        while True:
            job = self._jobs.get()
            if job is _STOP:
                return
            if isinstance(job, _Worker):  # killed: reap it, start its successor
                self._reap(job)
                job = 1
            if self._closed:
                continue
            try:
                new = self._launch()
                self._await_ready(new)
            except (ChipkgError, OSError) as exc:
                failure = exc if isinstance(exc, ChipkgError) else ChipkgError(str(exc))
                with self._ready_changed:
                    if self._loop is None:  # at start: the pool fails
                        self._failure = failure
                        self._ready_changed.notify_all()
                        continue
                time.sleep(min(30.0, 0.5 * 2**job))  # later: try again, backing off
                self._jobs.put(job + 1)
                continue
            self._hand_over(new)

    def _hand_over(self, w: _Worker) -> None:
        with self._ready_changed:
            if self._closed:
                pass
            elif self._loop is None:
                self._ready.append(w)
                self._ready_changed.notify_all()
                return
            else:
                self._loop.call_soon_threadsafe(self._idle.put_nowait, w)
                return
        self._reap(w)

    def _replace(self, w: _Worker) -> None:
        """Kill ``w`` now (the query stops this instant); the launcher reaps it and starts its
        successor."""
        if w.proc.poll() is None:
            w.proc.kill()
        with self._lock:
            self._live.discard(w)
        self._jobs.put(w)

    # -- requests (the event loop) ---------------------------------------------------------------
    async def run(self, request: dict) -> Answer:
        limits, loop = self.limits, asyncio.get_running_loop()
        try:
            w = await asyncio.wait_for(self._idle.get(), limits.timeout_s)
        except TimeoutError:
            self.stats.count("busy")
            return Answer.error(
                503,
                f"all {limits.workers} query workers stayed busy for {limits.timeout_s:g} s; "
                "try again later",
                ("Retry-After", "5"),
            )
        try:
            await loop.sock_sendall(w.conn.sock, w.conn.frame(request))
            reply = await asyncio.wait_for(self._receive(w), limits.timeout_s)
        except TimeoutError:
            self._replace(w)
            self.stats.count("cancelled")
            return Answer.error(
                503,
                f"the query was stopped after {limits.timeout_s:g} s, this endpoint's time "
                "limit; narrow it or add LIMIT",
            )
        except (EOFError, OSError):
            code = await loop.run_in_executor(None, _exit_code, w.proc)
            self._replace(w)
            self.stats.count("crashed")
            why = "no exit" if code is None else f"signal {-code}" if code < 0 else f"status {code}"
            said = w.last_words()
            return Answer.error(
                500,
                f"the query engine stopped on this query ({why}"
                + (f": {said}" if said else "")
                + f"; its memory limit is {limits.memory_mb} MB); it was restarted",
            )
        self._idle.put_nowait(w)
        self.stats.count("answered")
        if reply[0] == "ok":
            return Answer(200, reply[1], reply[2])
        return Answer.error(reply[1], reply[2])

    async def _receive(self, w: _Worker) -> tuple:
        loop = asyncio.get_running_loop()
        header = await self._exactly(loop, w.conn.sock, Channel.HEADER.size)
        return Channel.decode(await self._exactly(loop, w.conn.sock, Channel.length(header)))

    @staticmethod
    async def _exactly(loop: asyncio.AbstractEventLoop, sock: socket.socket, n: int) -> bytes:
        parts, left = [], n
        while left:
            chunk = await loop.sock_recv(sock, min(left, 1 << 20))
            if not chunk:
                raise EOFError
            parts.append(chunk)
            left -= len(chunk)
        return b"".join(parts)

    def close(self) -> None:
        self._closed = True
        with self._lock:
            live = list(self._live)
        for w in live:
            if w.proc.poll() is None:
                w.proc.kill()
            w.proc.wait()
            w.conn.close()
            w.log.close()
        with self._lock:
            self._live.clear()
        self._jobs.put(_STOP)

    def pids(self) -> list[int]:
        with self._lock:
            return sorted(w.proc.pid for w in self._live)
