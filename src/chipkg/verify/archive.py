"""The source archive: WARC files in ``graph/archive/`` (ISO 28500, read and written with warcio).

Every file is written whole to a temporary file in the same folder and renamed when complete, so
a reader never sees half a file; a file broken some other way (copied in truncated) is read up to
the break and reported. File names start with a UTC timestamp, so name order is the order files
were written.

What the archive says about a URL: its captures (``response`` and ``resource`` records, with
redirects followed through the archive), and its failed attempts (``metadata`` records this
package writes when no response came: a timeout, robots.txt, a size limit). A URL is *archived*
when its latest capture ends, after redirects, in a 2xx response that is not a login page;
*failed* when it was tried and never captured (with why); *missing* when never tried.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import threading
import time
import uuid
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from chipkg.errors import ChipkgError

ARCHIVE_DIR = "archive"
FAILURE_TYPE = "application/vnd.chipkg.fetch-failure+json"
MAX_REDIRECTS = 10
# a redirect whose target looks like a sign-in page: the document is behind a login
_LOGIN = re.compile(
    r"(^|[/_.?=&-])(login|log-in|signin|sign-in|sign_in|logon|sso|auth|authenticate|"
    r"account/login|session/new|users/sign_in)([/_.?=&-]|$)",
    re.IGNORECASE,
)
_PASSWORD_INPUT = re.compile(rb"<input[^>]+type\s*=\s*[\"']?password", re.IGNORECASE)


def archive_dir(build_dir: Path) -> Path:
    """The archive folder: ``graph/archive`` beside ``graph/build``."""
    return build_dir.parent / ARCHIVE_DIR


@dataclass
class Capture:
    """One response or resource record: where it is and what it says."""

    url: str
    record_id: str
    date: str
    status: int | None  # None for a resource record (a saved file, no HTTP)
    content_type: str
    location: str | None
    file: Path
    offset: int
    size: int
    sha256: str
    order: tuple[int, int]  # (file number, record number): the order of writing


@dataclass
class Failure:
    url: str
    date: str
    reason: str
    order: tuple[int, int]


@dataclass
class SourceState:
    """What the archive holds for one URL."""

    url: str
    state: str  # archived | failed | missing
    capture: Capture | None = None  # the final capture (after redirects) when archived
    redirects: list[tuple[int, str]] = field(default_factory=list)  # (status, location) hops
    reason: str | None = None  # why it failed
    attempts: int = 0


@dataclass
class Archive:
    folder: Path
    captures: dict[str, list[Capture]] = field(default_factory=dict)
    failures: dict[str, list[Failure]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # broken files, one line each
    files: list[Path] = field(default_factory=list)

    def payload(self, capture: Capture) -> bytes:
        """The body of a captured response (HTTP headers removed, chunking undone)."""
        with capture.file.open("rb") as f:
            f.seek(capture.offset)
            for record in ArchiveIterator(f):
                return record.content_stream().read()
        raise ChipkgError("archive record not found", path=capture.file)

    def state(self, url: str) -> SourceState:
        tried = len(self.captures.get(url, [])) + len(self.failures.get(url, []))
        latest = _latest_good(self, url)
        if latest is not None:
            capture, hops = latest
            return SourceState(url, "archived", capture, hops, attempts=tried)
        reason = _why_not(self, url)
        if reason is None:
            return SourceState(url, "missing")
        return SourceState(url, "failed", reason=reason, attempts=tried)


def _follow(a: Archive, url: str, capture: Capture) -> tuple[Capture, list[tuple[int, str]], str]:
    """Follow redirects through the archive from ``capture``: the final capture, the hops, and
    '' when it ends well, or why not."""
    hops: list[tuple[int, str]] = []
    seen = {url}
    while capture.status is not None and 300 <= capture.status < 400 and capture.location:
        target = urljoin(capture.url, capture.location)
        hops.append((capture.status, target))
        if target in seen or len(hops) > MAX_REDIRECTS:
            return capture, hops, f"redirect loop or more than {MAX_REDIRECTS} redirects"
        seen.add(target)
        nxt = a.captures.get(target)
        if not nxt:
            return capture, hops, f"redirected to {target}, which is not archived"
        capture = max(nxt, key=lambda c: c.order)
    if capture.status is not None and not 200 <= capture.status < 300:
        return capture, hops, f"HTTP {capture.status}"
    if hops and _looks_like_login(a, capture):
        return capture, hops, f"redirected to a login page ({capture.url})"
    return capture, hops, ""


def _looks_like_login(a: Archive, capture: Capture) -> bool:
    return login_page(capture.url, capture.content_type, lambda: a.payload(capture))


def login_page(url: str, content_type: str, body) -> bool:  # noqa: ANN001
    """Whether a page reached through a redirect is a sign-in page: its address says so, or it
    asks for a password. ``body`` is the payload, or a function returning it."""
    parts = urlsplit(url)
    if _LOGIN.search(parts.path + "?" + parts.query):
        return True
    if "html" in content_type:
        payload = body() if callable(body) else body
        return bool(_PASSWORD_INPUT.search(payload[:200_000]))
    return False


def _latest_good(a: Archive, url: str) -> tuple[Capture, list[tuple[int, str]]] | None:
    for capture in sorted(a.captures.get(url, []), key=lambda c: c.order, reverse=True):
        final, hops, problem = _follow(a, url, capture)
        if not problem:
            return final, hops
    return None


def _why_not(a: Archive, url: str) -> str | None:
    """Why the latest attempt at ``url`` did not archive it, or None when never tried."""
    attempts: list[tuple[tuple[int, int], str]] = []
    for capture in a.captures.get(url, []):
        attempts.append((capture.order, _follow(a, url, capture)[2]))
    for failure in a.failures.get(url, []):
        attempts.append((failure.order, failure.reason))
    if not attempts:
        return None
    return max(attempts)[1]


# ---- reading


def read_archive(folder: Path) -> Archive:
    """Every record of every WARC file in ``folder`` (none when the folder does not exist)."""
    a = Archive(folder)
    if not folder.exists():
        return a
    a.files = sorted(p for p in folder.iterdir() if p.name.endswith((".warc", ".warc.gz")))
    for number, path in enumerate(a.files):
        _read_file(a, number, path)
    return a


def _read_file(a: Archive, number: int, path: Path) -> None:
    count = 0
    try:
        with path.open("rb") as f:
            it = ArchiveIterator(f, no_record_parse=False)
            for record in it:
                _add_record(a, number, count, path, it, record)
                count += 1
            check_complete(it, path, count)
    except (ArchiveLoadFailed, EOFError, zlib.error, OSError, ValueError) as exc:
        what = "not a WARC file" if count == 0 else f"broken after {count} records"
        a.problems.append(f"{path}: {what} ({type(exc).__name__}: {exc})".strip())


def _add_record(a: Archive, number: int, count: int, path: Path, it, record) -> None:  # noqa: ANN001
    kind = record.rec_type
    url = record.rec_headers.get_header("WARC-Target-URI")
    if not url or kind not in ("metadata", "response", "resource"):
        return
    body = record.content_stream().read()  # before asking the offset, which reads to the end
    check_record(record)
    offset = it.get_record_offset()
    date = record.rec_headers.get_header("WARC-Date") or ""
    if kind == "metadata":
        if record.rec_headers.get_header("Content-Type") == FAILURE_TYPE:
            info = json.loads(body.decode("utf-8"))
            a.failures.setdefault(url, []).append(
                Failure(url, date, info.get("reason", "failed"), (number, count))
            )
        return
    if kind == "response" and record.http_headers is not None:
        status = int(record.http_headers.get_statuscode() or 0)
        ctype = record.http_headers.get_header("Content-Type") or ""
        location = record.http_headers.get_header("Location")
    else:
        status, location = None, None
        ctype = record.rec_headers.get_header("Content-Type") or ""
    a.captures.setdefault(url, []).append(
        Capture(
            url=url,
            record_id=record.rec_headers.get_header("WARC-Record-ID") or "",
            date=date,
            status=status,
            content_type=ctype.split(";")[0].strip().lower() if ctype else "",
            location=location,
            file=path,
            offset=offset,
            size=len(body),
            sha256=hashlib.sha256(body).hexdigest(),
            order=(number, count),
        )
    )


def check_record(record) -> None:  # noqa: ANN001
    """Raise EOFError when a record's block ended before its Content-Length (read it first)."""
    if not str(getattr(record, "format", "warc")).startswith("warc"):
        raise ValueError("not a WARC record (an ARC file, or not an archive at all)")
    left = getattr(record.raw_stream, "limit", 0)
    if left:
        raise EOFError(f"a record ends {left} bytes early")


def check_complete(it: ArchiveIterator, path: Path, count: int) -> None:
    """Raise EOFError when bytes follow the last record read: the file was cut in the middle
    of a record (warcio stops quietly at a truncated gzip member)."""
    end = it.get_record_offset() + it.get_record_length() if count else 0
    size = path.stat().st_size
    if end < size and path.read_bytes()[end:].strip(b"\r\n\x00"):
        raise EOFError(f"{size - end} bytes after record {count} are not a whole record")


# ---- writing


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def warc_date() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class ArchiveWriter:
    """Writes WARC records into ``folder``; ``commit`` makes what was written so far one new
    file (temporary file renamed), so an interruption loses at most the uncommitted records and
    never leaves half a file under a WARC name."""

    def __init__(self, folder: Path, label: str) -> None:
        self.folder = folder
        self.label = re.sub(r"[^A-Za-z0-9_.-]+", "-", label)[:60] or "records"
        self._file: io.BufferedWriter | None = None
        self._tmp: Path | None = None
        self._writer: WARCWriter | None = None
        self.written: list[Path] = []
        self._lock = threading.RLock()  # fetch threads make records while another commits

    def _open(self) -> WARCWriter:
        with self._lock:
            return self._open_locked()

    def _open_locked(self) -> WARCWriter:
        if self._writer is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._tmp = self.folder / f".{_stamp()}-{self.label}.{os.getpid()}.tmp"
            self._file = self._tmp.open("wb")
            self._writer = WARCWriter(self._file, gzip=True)
        return self._writer

    def write(self, records: Iterable) -> None:  # noqa: ANN001
        with self._lock:
            writer = self._open_locked()
            for record in records:
                writer.write_record(record)

    @property
    def warc(self) -> WARCWriter:
        return self._open()

    def commit(self) -> Path | None:
        with self._lock:
            return self._commit_locked()

    def _commit_locked(self) -> Path | None:
        if self._writer is None or self._file is None or self._tmp is None:
            return None
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        final = self.folder / f"{_stamp()}-{self.label}.warc.gz"
        os.replace(self._tmp, final)
        self.written.append(final)
        self._writer = self._file = self._tmp = None
        return final

    def discard(self) -> None:
        if self._file is not None:
            self._file.close()
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)
        self._writer = self._file = self._tmp = None


def remove_stale_temporaries(folder: Path, older_than: float = 3600.0) -> None:
    """Temporary files a killed run left behind (never read as WARC)."""
    if not folder.exists():
        return
    for p in folder.glob(".*.tmp"):
        if time.time() - p.stat().st_mtime > older_than:
            p.unlink(missing_ok=True)


def failure_record(writer: WARCWriter, url: str, reason: str) -> object:
    payload = json.dumps({"url": url, "reason": reason}, ensure_ascii=False).encode("utf-8")
    return writer.create_warc_record(
        url,
        "metadata",
        payload=io.BytesIO(payload),
        length=len(payload),
        warc_content_type=FAILURE_TYPE,
        warc_headers_dict={"WARC-Date": warc_date()},
    )


def response_records(
    writer: WARCWriter,
    url: str,
    request_line: str,
    request_headers: list[tuple[str, str]],
    status_line: str,
    headers: list[tuple[str, str]],
    body: bytes,
) -> list:
    """A response record and its request record (linked by WARC-Concurrent-To)."""
    date = warc_date()
    kept = [(k, v) for k, v in headers if k.lower() not in ("transfer-encoding",)]
    response = writer.create_warc_record(
        url,
        "response",
        payload=io.BytesIO(body),
        length=len(body),
        http_headers=StatusAndHeaders(status_line, kept, protocol="HTTP/1.1"),
        warc_headers_dict={"WARC-Date": date},
    )
    request = writer.create_warc_record(
        url,
        "request",
        payload=io.BytesIO(b""),
        length=0,
        http_headers=StatusAndHeaders(request_line, request_headers, is_http_request=True),
        warc_headers_dict={
            "WARC-Date": date,
            "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID"),
        },
    )
    return [response, request]


def resource_record(writer: WARCWriter, url: str, content_type: str, body: bytes) -> object:
    """A saved file (no HTTP exchange) as a WARC resource record."""
    return writer.create_warc_record(
        url,
        "resource",
        payload=io.BytesIO(body),
        length=len(body),
        warc_content_type=content_type,
        warc_headers_dict={
            "WARC-Date": warc_date(),
            "WARC-Record-ID": f"<urn:uuid:{uuid.uuid4()}>",
        },
    )
