"""Citation accuracy of a parsed report against a citation key (``citations.jsonl``).

The key has one JSON object per printed note: ``note`` (its number), ``page`` (the page of its
marker), ``urls`` (the URLs it prints, wraps rejoined) and ``marker_sentence`` (the marker-free
text of the sentence that carries its marker). A note is right when the passage with that text
cites, at sentence level, every URL of the note (a note with no URL: the note itself). A URL (or
URL-less note) that a passage cites at sentence level but that the key does not give for that
sentence is an extra. Accuracy is right notes / notes; a perfect score also has no extra.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from chipkg.errors import ChipkgError
from chipkg.ingest.citations import Citations
from chipkg.ingest.model import ParsedReport
from chipkg.ingest.urls import normalise_url


@dataclass(frozen=True)
class KeyNote:
    """One line of the citation key."""

    line: int  # line in the key file
    note: int
    page: int
    urls: tuple[str, ...]  # normalised
    sentence: str


@dataclass(frozen=True)
class Miss:
    note: int
    line: int  # line of the report where the sentence starts (0: no such passage)
    problem: str


@dataclass(frozen=True)
class Extra:
    line: int
    cited: str  # a URL, or "note N" for a URL-less note
    sentence: str


@dataclass
class Accuracy:
    notes: int = 0
    right: int = 0
    misses: list[Miss] = field(default_factory=list)
    extras: list[Extra] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.right / self.notes if self.notes else 1.0

    @property
    def perfect(self) -> bool:
        return self.right == self.notes and not self.extras

    def as_dict(self) -> dict:
        return {
            "notes": self.notes,
            "right": self.right,
            "accuracy": round(self.accuracy, 4),
            "extras": [e.__dict__ for e in self.extras],
            "misses": [m.__dict__ for m in self.misses],
        }


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _key_note(path: Path, line: int, raw: str) -> KeyNote:
    try:
        d = json.loads(raw)
        return KeyNote(
            line,
            int(d["note"]),
            int(d.get("page", 0)),
            tuple(normalise_url(u) for u in d["urls"]),
            str(d["marker_sentence"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise ChipkgError(
            f"not a citation key line ({type(exc).__name__}: {exc})",
            path=path,
            line=line,
            hint='each line is {"note": N, "page": P, "urls": [...], "marker_sentence": "..."}',
        ) from None


def read_key(path: Path) -> list[KeyNote]:
    if not path.is_file():
        raise ChipkgError("citation key not found", path=path)
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ChipkgError(f"citation key is not UTF-8 text ({exc.reason})", path=path) from None
    notes = [_key_note(path, i, ln) for i, ln in enumerate(raw.splitlines(), 1) if ln.strip()]
    if not notes:
        raise ChipkgError("the citation key is empty", path=path, line=1)
    return notes


def _cited(report: ParsedReport, cites: Citations) -> dict[str, tuple[int, set[str]]]:
    """For each passage text: its line, and what it cites at sentence level (URLs, and
    ``note N`` for each URL-less note)."""
    by_text: dict[str, tuple[int, set[str]]] = {}
    for p in report.passages:
        cited = by_text.setdefault(_norm(p.text), (p.line, set()))[1]
        for s in cites.for_passage(p.index):
            if s.level != "sentence":
                continue
            web = [normalise_url(u) for u in s.footnote.urls]
            cited.add(s.source if s.source in web else f"note {s.footnote.number}")
    return by_text


def score(report: ParsedReport, cites: Citations, key: list[KeyNote]) -> Accuracy:
    cited = _cited(report, cites)
    expected: dict[str, set[str]] = {}
    result = Accuracy(notes=len(key))
    for k in key:
        want = set(k.urls) or {f"note {k.note}"}
        sentence = _norm(k.sentence)
        expected.setdefault(sentence, set()).update(want)
        if sentence not in cited:
            result.misses.append(Miss(k.note, 0, f"no passage reads « {k.sentence[:40]}… »"))
            continue
        line, has = cited[sentence]
        missing = sorted(want - has)
        if missing:
            result.misses.append(Miss(k.note, line, "not cited: " + ", ".join(missing)))
        else:
            result.right += 1
    for sentence, (line, has) in cited.items():
        for item in sorted(has - expected.get(sentence, set())):
            result.extras.append(Extra(line, item, sentence[:40]))
    result.extras.sort(key=lambda e: (e.line, e.cited))
    return result
