"""Reading a report file, and the line-level facts every rule uses: its lines with their offsets,
the display width of a line (CJK = 2 columns), and how two wrapped lines join."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from chipkg.errors import ChipkgError


@dataclass(frozen=True)
class Line:
    no: int
    start: int  # offset of the first character of the line
    raw: str

    @property
    def stripped(self) -> str:
        return self.raw.strip()

    @property
    def content_start(self) -> int:
        return self.start + (len(self.raw) - len(self.raw.lstrip()))


def read_report_text(path: Path) -> str:
    if not path.exists():
        raise ChipkgError("report file not found", path=path, hint="check the path")
    if not path.is_file():
        raise ChipkgError("not a file", path=path)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ChipkgError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at byte offset {exc.start})",
            path=path,
            line=line,
            hint="convert the file to UTF-8",
        ) from None
    if not without_bom(text).strip():
        raise ChipkgError("the report is empty", path=path, line=1)
    return text


def without_bom(text: str) -> str:
    """The text the rules read: a byte-order mark (U+FEFF, which an editor may save at the start
    of a UTF-8 file) becomes a space. Offsets do not move: the report's text keeps the BOM as its
    first code point, as Python reads the file, and its checksum is that of the file's bytes."""
    return " " + text[1:] if text.startswith("\ufeff") else text


def split_lines(text: str) -> list[Line]:
    lines, pos = [], 0
    for no, raw in enumerate(text.split("\n"), start=1):
        lines.append(Line(no, pos, raw.rstrip("\r")))
        pos += len(raw) + 1
    return lines


def line_index(lines: list[Line]) -> dict[int, int]:
    """The line number of every offset of the given lines (their line breaks included)."""
    line_of: dict[int, int] = {}
    for ln in lines:
        line_of.update(dict.fromkeys(range(ln.start, ln.start + len(ln.raw) + 1), ln.no))
    return line_of


@cache
def _char_width(c: str) -> int:
    return 2 if unicodedata.east_asian_width(c) in "WF" else 1


def display_width(s: str) -> int:
    return sum(map(_char_width, s))


def _is_ascii_word(c: str) -> bool:
    return c.isascii() and (c.isalnum() or c in "%)]}.,;:!?'\"")


def join_gap(left: str, right: str) -> str:
    """What to put between two wrapped lines: one space between Latin words, nothing otherwise."""
    if not left or not right:
        return ""
    if _is_ascii_word(left[-1]) and right[0].isascii() and right[0].isalnum():
        return " "
    return ""
