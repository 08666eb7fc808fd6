"""The text of an archived source, the text evidence is quoted from.

HTML goes through trafilatura (main content, with the page's title and date in a metadata header
so that they can be quoted too); its bytes are decoded first with the charset the server or the
page declares (WHATWG label mapping: ``gb2312``/``gbk`` are decoded as GB18030, ``shift_jis`` as
Windows-31J), else with charset-normalizer's guess. PDF goes through pypdf, page texts joined by
a blank line; an encrypted PDF that needs a password, or one with no text layer (a scan), has no
text and says so. Offsets of snippets are character offsets into the text returned here, which
is cached in ``graph/archive/text/`` by the payload's SHA-256 and the extractors' versions.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from chipkg.graph.store import atomic_write

EXTRACTORS = f"trafilatura {version('trafilatura')}; pypdf {version('pypdf')}"
_WHATWG = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "chinese": "gb18030",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "ms_kanji": "cp932",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "big5": "big5hkscs",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.I)


@dataclass(frozen=True)
class SourceText:
    text: str
    method: str  # "html" | "pdf" | "text" | "none"
    problem: str | None = None  # why there is no text
    sha256: str = ""  # of the text (snippet offsets refer to it)


def text_of(payload: bytes, content_type: str, cache: Path | None = None) -> SourceText:
    """The text of a payload, from the cache when it was extracted before."""
    key = hashlib.sha256(payload + b"\0" + content_type.encode() + EXTRACTORS.encode())
    path = cache / f"{key.hexdigest()}.json" if cache is not None else None
    if path is not None and path.exists():
        data = json.loads(path.read_text(encoding="utf-8"))
        return SourceText(data["text"], data["method"], data["problem"], data["sha256"])
    result = _extract(payload, content_type)
    result = SourceText(
        result.text,
        result.method,
        result.problem,
        hashlib.sha256(result.text.encode("utf-8")).hexdigest(),
    )
    if path is not None:
        data = {"extractors": EXTRACTORS, **result.__dict__}
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, json.dumps(data, ensure_ascii=False).encode("utf-8"))
    return result


def _extract(payload: bytes, content_type: str) -> SourceText:
    ctype = content_type.split(";")[0].strip().lower()
    if payload.startswith(b"%PDF-") or ctype == "application/pdf":
        return pdf_text(payload)
    if "html" in ctype or payload.lstrip()[:200].lower().startswith((b"<!doctype", b"<html")):
        return html_text(payload, content_type)
    if ctype.startswith("text/"):
        text = decode(payload, content_type)
        return SourceText(text, "text", None if text.strip() else "empty text")
    return SourceText("", "none", f"no text extractor for content type '{ctype or 'unknown'}'")


def decode(payload: bytes, content_type: str = "") -> str:
    """Bytes to text: the declared charset (HTTP header, then <meta>), else a guess."""
    declared = None
    m = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_:.-]+)", content_type, re.I)
    if m:
        declared = m.group(1)
    else:
        m2 = _META_CHARSET.search(payload[:4096])
        if m2:
            declared = m2.group(1).decode("ascii", "replace")
    if declared:
        codec = _WHATWG.get(declared.lower(), declared.lower())
        try:
            return payload.decode(codec)
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(payload).best()
        return str(best) if best is not None else payload.decode("utf-8", "replace")


def html_text(payload: bytes, content_type: str = "") -> SourceText:
    import trafilatura

    markup = decode(payload, content_type)
    text = trafilatura.extract(
        markup,
        output_format="txt",
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        favor_recall=True,
        deduplicate=False,
    )
    if not text or not text.strip():
        text = trafilatura.html2txt(markup) or ""
    if not text.strip():
        return SourceText("", "html", "the page has no text (empty, or built by a script)")
    return SourceText(text, "html")


def pdf_text(payload: bytes) -> SourceText:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(payload))
        if reader.is_encrypted and not reader.decrypt(""):
            return SourceText("", "pdf", "encrypted PDF: it needs a password, no text")
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if "decrypt" in reason.lower() or "password" in reason.lower():
            return SourceText("", "pdf", "encrypted PDF: it needs a password, no text")
        return SourceText("", "pdf", f"unreadable PDF ({reason})")
    text = "\n\n".join(p.strip() for p in pages)
    if not text.strip():
        return SourceText("", "pdf", f"no text layer in {len(pages)} page(s): a scanned PDF?")
    return SourceText(text, "pdf")
