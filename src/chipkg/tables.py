"""The CSV tables people edit by hand (reference entities, the curated overlay, gold sets): read
with their header checked, each row with its line number, errors naming the file and line.

Files saved by a spreadsheet are read as they come: UTF-8 with or without a byte-order mark, CRLF
or LF line ends, and ``,``, ``;`` or tab between fields (the separator is the one that splits the
header into the table's column names). A file is rewritten in the dialect it was read in, through
a temporary file and a rename, under a lock (``update_table``), so that two writers at once lose
no row.
"""

from __future__ import annotations

import csv
import fcntl
import io
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from chipkg.errors import ChipkgError

SEPARATORS = (",", ";", "\t")
SAVE_AS = "save it from the spreadsheet as 'CSV UTF-8'"


@dataclass
class Table:
    """A table as read: its header, its rows (line, row), and the dialect to write it back in."""

    columns: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    separator: str = ","
    bom: bool = False
    newline: str = "\n"


def _text(path: Path, what: str) -> str:
    if not path.exists():
        raise ChipkgError(f"{what} not found", path=path)
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ChipkgError(f"{what} is UTF-16 text", path=path, hint=SAVE_AS)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ChipkgError(
            f"{what} is not UTF-8 text ({exc.reason})", path=path, line=line, hint=SAVE_AS
        ) from None


def _separator(first_line: str, known: set[str]) -> str:
    """The separator that splits the header line into the most known column names."""

    def score(sep: str) -> int:
        cells = next(csv.reader([first_line], delimiter=sep), [])
        return sum(1 for c in cells if c.strip() in known)

    return max(SEPARATORS, key=score)  # ties keep the comma


def read_table(
    path: Path,
    required: Sequence[str],
    what: str,
    optional: Sequence[str] = (),
    hint: str = "",
) -> Table:
    """Every data row of ``path`` (blank rows skipped), whose header must name every column of
    ``required``, may name those of ``optional``, in any order, and nothing else. Each row maps
    every required and optional column to its text (missing optional columns to "")."""
    text = _text(path, what)
    bom = text.startswith("\ufeff")
    text = text.removeprefix("\ufeff")
    newline = "\r\n" if "\r\n" in text.split("\n", 1)[0] + "\n" else "\n"
    known = [*required, *optional]
    sep = _separator(text.split("\n", 1)[0].rstrip("\r"), set(known))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    header = [c.strip() for c in next(reader, [])]
    _check_header(path, header, required, known, hint)
    table = Table(header, separator=sep, bom=bom, newline=newline)
    last = reader.line_num
    try:
        for record in reader:
            line, last = last + 1, reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(record) > len(header) and any(c.strip() for c in record[len(header) :]):
                raise ChipkgError(
                    f"{len(record)} fields, the header names {len(header)}",
                    path=path,
                    line=line,
                    hint="quote a value that holds the separator, or drop the extra fields",
                )
            cells = dict(zip(header, [*record, *[""] * (len(header) - len(record))], strict=False))
            table.rows.append((line, {c: cells.get(c, "") for c in known}))
    except csv.Error as exc:
        raise ChipkgError(f"not readable as CSV ({exc})", path=path, line=reader.line_num) from None
    return table


def _check_header(
    path: Path, header: list[str], required: Sequence[str], known: list[str], hint: str
) -> None:
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c not in known]
    twice = sorted({c for c in header if header.count(c) > 1})
    if missing or unknown or twice:
        what = (
            f"column {unknown[0]!r} is not a column of this table"
            if unknown
            else f"column {twice[0]!r} is named twice"
            if twice
            else f"no column {missing[0]!r}"
        )
        raise ChipkgError(
            f"unexpected header {header}: {what}",
            path=path,
            line=1,
            hint=hint or "columns must be " + ",".join(known),
        )


def read_rows(path: Path, columns: list[str], what: str, hint: str = "") -> list[tuple[int, dict]]:
    """(line, row) for every data row of ``path``, whose header must be exactly ``columns`` (in
    that order: tables that are appended to keep their column order)."""
    table = read_table(path, columns, what, hint=hint)
    if table.columns != list(columns):
        raise ChipkgError(
            f"unexpected header {table.columns}",
            path=path,
            line=1,
            hint=hint or "columns must be " + ",".join(columns),
        )
    return table.rows


def render_table(table: Table, rows: Sequence[dict[str, str]]) -> str:
    """The table's text in its own dialect (separator, line ends, byte-order mark)."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=table.separator, lineterminator=table.newline)
    writer.writerow(table.columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in table.columns])
    return ("\ufeff" if table.bom else "") + buf.getvalue()


def write_text_atomic(path: Path, text: str, check: Callable[[Path], object] | None = None) -> None:
    """Write ``text`` through a temporary file in the same folder and a rename (the file keeps
    its permissions); ``check(temporary file)`` may refuse it by raising, leaving ``path`` as it
    was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask()
        os.chmod(tmp, mode)
        if check is not None:
            check(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """An exclusive lock for writers of ``path`` (a lock file beside it), across threads and
    processes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = path.parent / f".{path.name}.lock"
    with lock.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def update_table(
    path: Path,
    columns: Sequence[str],
    what: str,
    change: Callable[[list[dict[str, str]]], list[dict[str, str]]],
    required: Sequence[str] = (),
    check: Callable[[Path], object] | None = None,
) -> list[dict[str, str]]:
    """Read the table (or start it with ``columns``), let ``change`` turn its rows into the new
    rows, and write them back atomically, all under the table's lock; returns the new rows. A
    file with fewer columns gains the missing ones at the end; its dialect is kept. ``check``
    sees the new file before it replaces the old one (see write_text_atomic)."""
    with locked(path):
        if path.exists() and path.stat().st_size:
            table = read_table(path, required or columns, what, optional=columns)
            table.columns += [c for c in columns if c not in table.columns]
            rows = [row for _, row in table.rows]
        else:
            table, rows = Table(list(columns)), []
        rows = change(rows)
        write_text_atomic(path, render_table(table, rows), check)
        return rows
