"""The CSV tables people edit by hand (reference entities, the curated overlay, gold sets): read
with their header checked, each row with its line number, errors naming the file and line."""

from __future__ import annotations

import csv
from pathlib import Path

from chipkg.errors import ChipkgError


def read_rows(path: Path, columns: list[str], what: str, hint: str = "") -> list[tuple[int, dict]]:
    """(line, row) for every data row of ``path``, whose header must be exactly ``columns``."""
    if not path.exists():
        raise ChipkgError(f"{what} not found", path=path)
    try:
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            if reader.fieldnames != columns:
                raise ChipkgError(
                    f"unexpected header {reader.fieldnames}",
                    path=path,
                    line=1,
                    hint=hint or "columns must be " + ",".join(columns),
                )
            return list(enumerate(reader, start=2))
    except UnicodeDecodeError as exc:
        raise ChipkgError(f"{what} is not UTF-8 text ({exc.reason})", path=path) from None
