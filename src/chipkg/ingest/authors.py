"""Author lines (``（执笔：王丽沈湘）``): splitting names that run together, with the names the
report itself teaches and a table of family names (``data/surnames.txt``)."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib import resources


@cache
def _surnames() -> tuple[frozenset[str], frozenset[str]]:
    text = resources.files("chipkg").joinpath("data/surnames.txt").read_text(encoding="utf-8")
    words = [w for ln in text.splitlines() if not ln.startswith("#") for w in ln.split()]
    return frozenset(w for w in words if len(w) == 1), frozenset(w for w in words if len(w) == 2)


def split_author_names(raw: str, known: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """Split an author line whose names run together: ``王丽沈湘`` -> (王丽, 沈湘).

    Explicit separators (、，, spaces) are honoured. Otherwise each name is 2-4 characters and
    starts with a family name; names already seen on their own elsewhere (``known``) win.
    """
    parts = [p for p in re.split(r"[、，,；;\s/]+", raw) if p]
    names: list[str] = []
    single, double = _surnames()
    for part in parts:
        if not all(unicodedata.east_asian_width(c) in "WF" for c in part):
            names.append(part)
            continue
        n = len(part)
        best: list[tuple[float, list[str]] | None] = [None] * (n + 1)
        best[0] = (0.0, [])
        for i in range(n):
            if best[i] is None:
                continue
            score_i, names_i = best[i]  # type: ignore[misc]
            for length in (2, 3, 4):
                j = i + length
                if j > n:
                    break
                cand = part[i:j]
                if cand in known:
                    s = 3.0
                elif cand[:2] in double and length >= 3 or cand[0] in single:
                    s = 1.0 if length in (2, 3) else 0.2
                else:
                    continue
                if best[j] is None or score_i + s > best[j][0]:  # type: ignore[index]
                    best[j] = (score_i + s, names_i + [cand])
        names.extend(best[n][1] if best[n] else [part])
    return tuple(names)


def learn_author_names(raws: list[str]) -> frozenset[str]:
    """Names a report itself tells apart: a line with one name (（执笔：沈湘）) teaches
    ``沈湘``; a line where all but one segment is known (于杰平沈湘) then teaches the rest."""
    known = {r for r in raws if 2 <= len(r) <= 3}
    changed = True
    while changed:
        changed = False
        for r in raws:
            for name in sorted(known):
                for rest in (r.removeprefix(name), r.removesuffix(name)):
                    if (
                        rest != r
                        and 2 <= len(rest) <= 4
                        and rest not in known
                        and not any(rest.startswith(k) or rest.endswith(k) for k in known)
                    ):
                        known.add(rest)
                        changed = True
    return frozenset(known)
