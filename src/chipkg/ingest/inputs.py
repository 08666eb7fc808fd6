"""Find the reports to build and read their metadata sidecars.

A report is a UTF-8 text file ``NAME.txt``; beside it, ``NAME.meta.toml`` records its title,
language, issuing body, the SHA-256 of the exact bytes the offsets refer to, and optionally the
citation style to read it with (``citation_style = "endnotes"``; by default it is detected).
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from chipkg.errors import ChipkgError
from chipkg.ingest.model import CITATION_STYLES

RE_REPORT_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,80}$")


@dataclass(frozen=True)
class ReportMeta:
    report_id: str
    path: Path
    title: str
    title_en: str
    language: str
    issuer: str
    issuer_note: str
    sha256_declared: str
    sha256_actual: str
    citation_style: str = ""  # forced by the sidecar; "" = detect

    @property
    def checksum_ok(self) -> bool:
        return not self.sha256_declared or self.sha256_declared == self.sha256_actual


def _read_sidecar(side: Path) -> dict:
    try:
        return tomllib.loads(side.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise ChipkgError(
            f"metadata sidecar is not valid TOML: {exc}",
            path=side,
            line=line,
            hint="fix the sidecar or delete it",
        ) from None


def _style(side: Path, data: dict) -> str:
    """The citation style the sidecar forces (``citation_style = "endnotes"``), or ""."""
    style = data.get("citation_style", "")
    if style == "" or style in CITATION_STYLES:
        return style
    text = side.read_text(encoding="utf-8-sig")
    line = next(
        (i for i, ln in enumerate(text.splitlines(), 1) if ln.strip().startswith("citation_style")),
        None,
    )
    raise ChipkgError(
        f"unknown citation_style {style!r}",
        path=side,
        line=line,
        hint=f"use one of {', '.join(CITATION_STYLES)}, or delete the line to detect the style",
    )


def forced_style(report: Path) -> str | None:
    """The citation style the report's sidecar forces, or None (detect it)."""
    side = sidecar_path(report)
    if not side.is_file():
        return None
    return _style(side, _read_sidecar(side)) or None


def sidecar_path(report: Path) -> Path:
    return report.with_name(report.stem + ".meta.toml")


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_meta(report: Path) -> ReportMeta:
    report_id = report.stem
    if not RE_REPORT_ID.match(report_id):
        raise ChipkgError(
            f"report file name '{report.name}' cannot be used as a report id",
            path=report,
            hint="use lower-case letters, digits, '-' and '_' (e.g. ic-landscape-2024.txt)",
        )
    data: dict = {}
    side = sidecar_path(report)
    if side.exists():
        data = _read_sidecar(side)
    actual = sha256_of(report) if report.exists() else ""
    return ReportMeta(
        report_id=report_id,
        path=report,
        title=str(data.get("title", "")),
        title_en=str(data.get("title_en", "")),
        language=str(data.get("language", "zh")),
        issuer=str(data.get("issuer", "")),
        issuer_note=str(data.get("issuer_note", "")),
        sha256_declared=str(data.get("sha256", "")),
        sha256_actual=actual,
        citation_style=_style(side, data) if data else "",
    )


def discover(sources_dir: Path) -> list[Path]:
    if not sources_dir.is_dir():
        raise ChipkgError(
            "folder of reports not found",
            path=sources_dir,
            hint=f"pass report files, or create {sources_dir.name}/ and put reports in it",
        )
    found = sorted(p for p in sources_dir.glob("*.txt") if p.is_file())
    if not found:
        raise ChipkgError(
            "no reports (*.txt) found",
            path=sources_dir,
            hint="put a report's text (NAME.txt, UTF-8) in this folder",
        )
    return found
