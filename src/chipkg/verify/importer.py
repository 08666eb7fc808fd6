"""Adding archives made elsewhere: a WARC file (a browser's Webrecorder export, ``wget
--warc-file``, another crawler), a folder of WARC files, or a folder of saved pages with a
``urls.csv`` of ``url,file``.

The whole input is read and checked before anything is written: a file that is not a WARC, or
one cut short, is refused with one line naming it and nothing is added. The records kept are the
responses and saved resources of documents (HTML, PDF, text) and of redirects; page furniture
(images, scripts, style sheets, fonts) is left out. They become one new WARC file in the archive
(temporary file, then rename), with their record ids, dates and HTTP headers as they were.
"""

from __future__ import annotations

import csv
import io
import mimetypes
import zlib
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

from chipkg.errors import ChipkgError
from chipkg.verify.archive import ArchiveWriter, check_complete, check_record, resource_record

DOCUMENT_TYPES = ("text/html", "application/xhtml+xml", "application/pdf", "text/plain")
SAVED_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".pdf": "application/pdf",
    ".txt": "text/plain",
    ".xhtml": "application/xhtml+xml",
}


def import_path(path: Path, folder: Path) -> tuple[int, Path | None]:
    """Import a WARC file or a folder into the archive ``folder``: (records added, new file)."""
    if not path.exists():
        raise ChipkgError("no such file or folder", path=path)
    if path.is_dir():
        if (path / "urls.csv").exists():
            return _import_saved(path, folder)
        warcs = sorted(p for p in path.iterdir() if p.name.endswith((".warc", ".warc.gz")))
        if not warcs:
            raise ChipkgError(
                "no WARC file and no urls.csv in this folder",
                path=path,
                hint="give a .warc/.warc.gz file, or a folder of saved pages with urls.csv",
            )
        records = [r for p in warcs for r in _read_warc(p)]
        return _write(records, folder, path.name)
    return _write(_read_warc(path), folder, path.name)


def _read_warc(path: Path) -> list[tuple[ArcWarcRecord, bytes]]:
    """Every kept record of a WARC file with its payload; refuses a broken file whole."""
    kept = []
    count = 0
    try:
        with path.open("rb") as f:
            it = ArchiveIterator(f)
            for record in it:
                count += 1
                body = record.content_stream().read()
                check_record(record)
                if _keep(record):
                    kept.append((record, body))
            check_complete(it, path, count)
    except (ArchiveLoadFailed, EOFError, zlib.error, OSError, ValueError) as exc:
        what = (
            "not a WARC file"
            if count <= 1
            else f"the WARC file is cut short after {count - 1} records"
        )
        raise ChipkgError(
            f"{what} ({type(exc).__name__})",
            path=path,
            hint="nothing was imported; export or download it again",
        ) from None
    if count == 0:
        raise ChipkgError(
            "not a WARC file (no record in it)", path=path, hint="nothing was imported"
        )
    return kept


def _keep(record: ArcWarcRecord) -> bool:
    if record.rec_type not in ("response", "resource"):
        return False
    url = (record.rec_headers.get_header("WARC-Target-URI") or "").lower()
    if not url.startswith(("http://", "https://")):
        return False  # a crawler's own log or manifest (wget's metadata:// resources)
    if record.rec_type == "response" and record.http_headers is not None:
        status = int(record.http_headers.get_statuscode() or 0)
        if 300 <= status < 400:
            return True
        ctype = record.http_headers.get_header("Content-Type") or ""
    else:
        ctype = record.rec_headers.get_header("Content-Type") or ""
    return ctype.split(";")[0].strip().lower() in DOCUMENT_TYPES


def _write(
    records: list[tuple[ArcWarcRecord, bytes]], folder: Path, label: str
) -> tuple[int, Path | None]:
    if not records:
        return 0, None
    writer = ArchiveWriter(folder, f"import-{label}")
    try:
        for record, body in records:
            new = writer.warc.create_warc_record(
                record.rec_headers.get_header("WARC-Target-URI"),
                record.rec_type,
                payload=io.BytesIO(body),
                length=len(body),
                warc_content_type=record.rec_headers.get_header("Content-Type") or "",
                warc_headers_dict={
                    k: v
                    for k, v in record.rec_headers.headers
                    if k in ("WARC-Record-ID", "WARC-Date", "WARC-Concurrent-To")
                },
                http_headers=_plain_headers(record),
            )
            writer.write([new])
        return len(records), writer.commit()
    except BaseException:
        writer.discard()
        raise


def _plain_headers(record: ArcWarcRecord):  # noqa: ANN202
    """The HTTP headers, without the transfer/content encodings the payload no longer has."""
    h = record.http_headers
    if h is None or record.rec_type != "response":
        return None
    h.headers = [
        (k, v) for k, v in h.headers if k.lower() not in ("transfer-encoding", "content-encoding")
    ]
    return h


def _import_saved(folder_in: Path, folder: Path) -> tuple[int, Path | None]:
    table = folder_in / "urls.csv"
    rows: list[tuple[str, str, bytes]] = []
    with table.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        for line, row in enumerate(reader, start=1):
            if line == 1 and [c.strip().lower() for c in row] == ["url", "file"]:
                continue
            if not row or all(not c.strip() for c in row):
                continue
            if len(row) != 2 or not row[0].strip().lower().startswith(("http://", "https://")):
                raise ChipkgError(
                    "expected two columns: an http(s) URL and a file name",
                    path=table,
                    line=line,
                    hint="nothing was imported",
                )
            url, name = row[0].strip(), row[1].strip()
            file = folder_in / name
            if not file.is_file():
                raise ChipkgError(
                    f"no file '{name}' beside urls.csv",
                    path=table,
                    line=line,
                    hint="nothing was imported",
                )
            ctype = SAVED_TYPES.get(file.suffix.lower()) or mimetypes.guess_type(name)[0] or ""
            if ctype not in DOCUMENT_TYPES:
                raise ChipkgError(
                    f"'{name}' is not a saved page (.html, .pdf or .txt)",
                    path=table,
                    line=line,
                    hint="nothing was imported",
                )
            rows.append((url, ctype, file.read_bytes()))
    if not rows:
        return 0, None
    writer = ArchiveWriter(folder, f"import-{folder_in.name}")
    try:
        writer.write(resource_record(writer.warc, url, ctype, body) for url, ctype, body in rows)
        return len(rows), writer.commit()
    except BaseException:
        writer.discard()
        raise
