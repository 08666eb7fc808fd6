"""The one exception type for problems a user can fix, and the record of recoverable findings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class ChipkgError(Exception):
    """A user-facing error: bad input, bad usage. Printed once by the CLI, never as a traceback.

    ``exit_code`` follows the CLI contract: 2 for bad input or usage.
    """

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        hint: str | None = None,
        exit_code: int = 2,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.hint = hint
        self.exit_code = exit_code

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        text = f"{where}{self.message}"
        if self.hint:
            text += f" — {self.hint}"
        return text


@dataclass(frozen=True)
class Finding:
    """A recoverable problem found while parsing (a warning or an informational note).

    ``kind`` is a stable machine key (``dangling-marker``, ``orphan-footnote`` …); ``line`` is the
    1-based line in the report file.
    """

    kind: str
    severity: str  # "warning" | "info"
    line: int
    message: str
    page: int | None = None
