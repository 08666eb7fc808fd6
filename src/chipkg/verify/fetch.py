"""Fetching cited URLs into the archive, politely.

* robots.txt is read once per host and obeyed (a 4xx robots.txt allows everything, an
  unreachable or 5xx one forbids everything, as RFC 9309 says); its Crawl-delay is honoured;
* one request per host at a time, with a delay between two requests to the same host; several
  hosts in parallel;
* a timeout on every request, retries with exponential back-off on timeouts, refused
  connections, 429 and 5xx (Retry-After honoured, up to a cap);
* a size limit (Content-Length checked first, then the bytes read);
* a user agent that says who we are;
* redirects followed by hand, each hop archived as its own response record.

Each URL's records are written together; every ``chunk`` URLs (and at the end, and when the run
is interrupted) the records written so far become one new WARC file (temporary file renamed).
"""

from __future__ import annotations

import http.client
import ssl
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

from chipkg import __version__
from chipkg.verify.archive import (
    MAX_REDIRECTS,
    ArchiveWriter,
    failure_record,
    login_page,
    remove_stale_temporaries,
    response_records,
)

USER_AGENT = (
    f"chipkg/{__version__} (source archive for provenance checks; "
    "+https://w3id.org/chipkg; respects robots.txt)"
)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass
class Politeness:
    delay: float = 1.0  # seconds between two requests to one host
    timeout: float = 20.0
    retries: int = 3
    backoff: float = 1.0  # first retry after this many seconds, then doubling
    max_retry_after: float = 60.0
    max_bytes: int = 25 * 1024 * 1024
    hosts_at_once: int = 4
    chunk: int = 20  # URLs per committed WARC file
    user_agent: str = USER_AGENT
    # host[:port] -> (address, port) to connect to instead of resolving the name, as curl's
    # --resolve: for a local mirror of the sources, and for tests on 127.0.0.1
    resolve: dict[str, tuple[str, int]] = field(default_factory=dict)


@dataclass
class Outcome:
    url: str
    ok: bool
    message: str  # one line: "200 text/html 12,345 bytes" or why it failed


@dataclass
class _Host:
    lock: threading.Lock = field(default_factory=threading.Lock)
    last: float = 0.0
    robots: RobotFileParser | None = None
    crawl_delay: float = 0.0


class _Fetched(Exception):
    """No response to record: why (a one-line reason)."""


class Fetcher:
    def __init__(self, writer: ArchiveWriter, polite: Politeness) -> None:
        self.writer = writer
        self.polite = polite
        self.hosts: dict[str, _Host] = {}
        self._hosts_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._since_commit = 0
        self.requests = 0

    # ---- one host, one request at a time

    def _host(self, netloc: str) -> _Host:
        with self._hosts_lock:
            return self.hosts.setdefault(netloc, _Host())

    def _request(self, url: str) -> tuple[str, list[tuple[str, str]], str, list, bytes]:
        """One GET under the host's lock, after the host's delay: (request line, request headers,
        status line, response headers, body). Raises _Fetched or OSError."""
        parts = urlsplit(url)
        host = self._host(parts.netloc.lower())
        with host.lock:
            wait = host.last + max(self.polite.delay, host.crawl_delay) - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                return self._exchange(parts)
            finally:
                host.last = time.monotonic()

    def _exchange(self, parts) -> tuple[str, list[tuple[str, str]], str, list, bytes]:  # noqa: ANN001
        cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        kwargs = {"context": ssl.create_default_context()} if parts.scheme == "https" else {}
        address, port = self.polite.resolve.get(parts.netloc.lower(), (parts.hostname, parts.port))
        conn = cls(address, port, timeout=self.polite.timeout, **kwargs)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = [
            ("Host", parts.netloc),
            ("User-Agent", self.polite.user_agent),
            ("Accept", "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.5"),
            ("Accept-Encoding", "identity"),
            ("Connection", "close"),
        ]
        self.requests += 1
        try:
            conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
            for k, v in headers:
                conn.putheader(k, v)
            conn.endheaders()
            resp = conn.getresponse()
            length = resp.getheader("Content-Length")
            if length and length.isdigit() and int(length) > self.polite.max_bytes:
                raise _Fetched(self._too_large(int(length)))
            body = resp.read(self.polite.max_bytes + 1)
            if len(body) > self.polite.max_bytes:
                raise _Fetched(self._too_large(None))
            status_line = f"{resp.status} {resp.reason}"
            return f"GET {path} HTTP/1.1", headers, status_line, resp.getheaders(), body
        finally:
            conn.close()

    def _too_large(self, length: int | None) -> str:
        limit = f"{self.polite.max_bytes / 1_048_576:.0f} MB"
        size = f"{length:,} bytes" if length else "more"
        return f"too large: {size} (limit {limit}, --max-bytes)"

    # ---- robots.txt

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        host = self._host(parts.netloc.lower())
        if host.robots is None:
            host.robots = self._robots(parts)
            delay = host.robots.crawl_delay(self.polite.user_agent)
            host.crawl_delay = float(delay) if delay else 0.0
        return host.robots.can_fetch(self.polite.user_agent, url)

    def _robots(self, parts) -> RobotFileParser:  # noqa: ANN001
        rp = RobotFileParser()
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        try:
            _rl, _rh, status_line, _h, body = self._request(robots_url)
            status = int(status_line.split()[0])
        except (OSError, http.client.HTTPException, _Fetched):
            status = 599
        if 200 <= status < 300:
            rp.parse(body.decode("utf-8", "replace").splitlines())
        elif 400 <= status < 500:
            rp.allow_all = True
        else:
            rp.disallow_all = True  # unreachable: assume complete disallow (RFC 9309 2.3.1.4)
        return rp

    # ---- one URL, with retries and redirects

    def fetch(self, url: str) -> Outcome:
        records: list = []
        try:
            current = url
            for _hop in range(MAX_REDIRECTS + 1):
                if not self.allowed(current):
                    raise _Fetched(f"disallowed by robots.txt ({current})")
                req_line, req_headers, status_line, headers, body = self._with_retries(current)
                records += response_records(
                    self.writer.warc, current, req_line, req_headers, status_line, headers, body
                )
                status = int(status_line.split()[0])
                location = dict((k.lower(), v) for k, v in headers).get("location")
                if 300 <= status < 400 and location:
                    current = urljoin(current, location)
                    continue
                ctype = dict((k.lower(), v) for k, v in headers).get("content-type", "")
                ok = 200 <= status < 300
                message = f"{status_line} {ctype.split(';')[0]} {len(body):,} bytes"
                if current != url:
                    message += f" (redirected to {current})"
                    if login_page(current, ctype, body):
                        ok, message = False, f"redirected to a login page ({current})"
                return self._done(url, records, Outcome(url, ok, message))
            raise _Fetched(f"more than {MAX_REDIRECTS} redirects")
        except _Fetched as why:
            records.append(failure_record(self.writer.warc, url, str(why)))
            return self._done(url, records, Outcome(url, False, str(why)))

    def _with_retries(self, url: str) -> tuple:
        attempt = 0
        while True:
            try:
                result = self._request(url)
                status = int(result[2].split()[0])
                if status not in RETRY_STATUSES or attempt >= self.polite.retries:
                    return result
                retry_after = dict((k.lower(), v) for k, v in result[3]).get("retry-after", "")
                wait = float(retry_after) if retry_after.strip().isdigit() else None
            except TimeoutError as exc:
                if attempt >= self.polite.retries:
                    raise _Fetched(
                        f"timeout after {attempt + 1} attempts ({exc or 'timed out'})"
                    ) from None
                wait = None
            except (OSError, http.client.HTTPException) as exc:
                if attempt >= self.polite.retries:
                    raise _Fetched(
                        f"no response after {attempt + 1} attempts ({type(exc).__name__}: {exc})"
                    ) from None
                wait = None
            pause = self.polite.backoff * 2**attempt if wait is None else wait
            time.sleep(min(pause, self.polite.max_retry_after))
            attempt += 1

    def _done(self, url: str, records: list, outcome: Outcome) -> Outcome:
        with self._write_lock:
            self.writer.write(records)
            self._since_commit += 1
            if self._since_commit >= self.polite.chunk:
                self.writer.commit()
                self._since_commit = 0
        return outcome


def fetch_all(
    urls: list[str],
    folder: Path,
    polite: Politeness | None = None,
    progress: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Fetch every URL (each host's URLs one after another, hosts in parallel) into new WARC
    files in ``folder``. Interrupted, it keeps what it fetched (committed) and re-raises."""
    polite = polite or Politeness()
    remove_stale_temporaries(folder)
    writer = ArchiveWriter(folder, "fetch")
    fetcher = Fetcher(writer, polite)
    by_host: dict[str, list[str]] = {}
    for u in urls:
        by_host.setdefault(urlsplit(u).netloc.lower(), []).append(u)
    outcomes: list[Outcome] = []
    stop = threading.Event()

    def run_host(host_urls: list[str]) -> None:
        for u in host_urls:
            if stop.is_set():
                return
            outcome = fetcher.fetch(u)
            outcomes.append(outcome)
            if progress is not None:
                progress(outcome)

    try:
        with ThreadPoolExecutor(max_workers=max(1, polite.hosts_at_once)) as pool:
            futures = [pool.submit(run_host, us) for _h, us in sorted(by_host.items())]
            try:
                for f in futures:
                    f.result()
            except BaseException:
                stop.set()
                raise
    finally:
        with fetcher._write_lock:
            writer.commit()
    return sorted(outcomes, key=lambda o: o.url)
