"""Looking for each claim's evidence in each source it cites.

The parts of a claim are its subject and object (any label or alias), its amount (the original,
not the report's stated conversion), its date and its target year. In a source's text each part
is found wherever it occurs; the best window is the stretch of at most ``WINDOW`` characters
holding the most parts (then the shortest). Verdict per (claim, source):

* **supported** — every part of the claim in one window;
* **partial** — the subject or the object is there, but some part is missing from the window
  (each missing part is named, and whether it is absent from the source or only far away);
* **not found** — neither subject nor object appears in the source;
* **source unavailable** — not archived, its fetch failed, or it has no text.

The snippet is the best window widened to sentence boundaries, with its character offsets in the
archived text.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

from chipkg.verify.archive import Archive
from chipkg.verify.claims import Claim, Claims
from chipkg.verify.notation import (
    Span,
    date_matches,
    find_amounts,
    find_dates,
    find_names,
    find_years,
    same_amount,
)
from chipkg.verify.text import SourceText, text_of

WINDOW = 400  # characters: parts further apart are not "stated together"
CONTEXT = 32  # characters of prefix and suffix kept with a quote
MAX_SNIPPET = 600
VERDICTS = ("supported", "partial", "not-found", "unavailable")
_SENTENCE_END = ".!?。！？\n"


@dataclass
class Snippet:
    exact: str
    prefix: str
    suffix: str
    start: int
    end: int


@dataclass
class Source:
    """A cited URL as the archive has it, with its text."""

    url: str
    state: str  # archived | failed | missing | no-text | printed
    reason: str | None = None
    final_url: str | None = None
    record_id: str | None = None
    captured: str | None = None
    text: SourceText | None = None


@dataclass
class Verdict:
    claim: str
    source: str
    verdict: str
    found: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    explanation: str = ""
    snippet: Snippet | None = None


@dataclass
class _Part:
    kind: str  # subject | object | amount | date | target year
    what: str  # "subject TSMC"
    tried: str  # what was looked for
    spans: list[Span]
    note: str = ""  # e.g. only the report's stated conversion appears


PRINTED = "a printed source with no URL (a book, a report's title): check it by hand"


def open_source(
    archive: Archive, url: str, cache_dir: Path | None, printed: set[str] | frozenset = frozenset()
) -> Source:
    if url in printed:  # its IRI is the report's own, not a page anyone can fetch
        return Source(url, "printed", PRINTED)
    st = archive.state(url)
    if st.state == "missing":
        return Source(url, "missing", "not archived — run 'chipkg sources fetch' or import it")
    if st.state == "failed" or st.capture is None:
        return Source(url, "failed", f"fetch failed: {st.reason}")
    text = text_of(archive.payload(st.capture), st.capture.content_type, cache_dir)
    source = Source(
        url, "archived", None, st.capture.url, st.capture.record_id, st.capture.date, text
    )
    if text.problem:
        source.state, source.reason = "no-text", f"no text: {text.problem}"
    return source


def verify(claims: Claims, sources: dict[str, Source]) -> list[Verdict]:
    """A verdict for every (claim, cited source) pair, in claim order then URL order."""
    finder = _Finder(claims.names, claims.labels)
    out = []
    for claim in claims.claims:
        for url in claim.sources:
            out.append(finder.judge(claim, sources[url]))
    return out


class _Finder:
    def __init__(self, names: dict[str, list[str]], labels: dict[str, str]) -> None:
        self.names = names
        self.labels = labels
        self._amounts: Callable = cache(find_amounts)
        self._dates: Callable = cache(find_dates)
        self._names: Callable = cache(lambda text, e: find_names(text, self.names.get(e, [])))

    def label(self, iri: str) -> str:
        return self.labels.get(iri) or iri.rstrip("/").rsplit("/", 1)[-1]

    def parts(self, claim: Claim, text: str) -> list[_Part]:
        parts = []
        for kind, e in (("subject", claim.subject), ("object", claim.object)):
            if e is None:
                continue
            tried = ", ".join(self.names.get(e, [])) or self.label(e)
            parts.append(_Part(kind, f"{kind} {self.label(e)}", tried, self._names(text, e)))
        if claim.amounts:
            parts.append(self._amount_part(claim, text))
        if claim.date:
            spans = [d for d in self._dates(text) if date_matches(d.value, claim.date)]
            parts.append(_Part("date", f"date {claim.date}", claim.date, spans))
        if claim.target_year is not None:
            y = claim.target_year
            parts.append(_Part("target year", f"target year {y}", str(y), find_years(text, y)))
        return parts

    def _amount_part(self, claim: Claim, text: str) -> _Part:
        amounts = self._amounts(text)
        spans: list[Span] = [
            a
            for a in amounts
            if not a.conversion
            and any(a.currency == cur and same_amount(a.value, v) for v, cur in claim.amounts)
        ]
        what = " or ".join(_money(v, c) for v, c in claim.amounts)
        note = ""
        if not spans and claim.conversions:
            conv = [
                a
                for a in amounts
                if any(a.currency == c and same_amount(a.value, v) for v, c in claim.conversions)
            ]
            if conv:
                note = (
                    f"only the report's stated conversion ({conv[0].text}) appears, which is "
                    "not the original amount"
                )
        return _Part("amount", f"amount {what}", what, spans, note)

    def judge(self, claim: Claim, source: Source) -> Verdict:
        if source.state != "archived" or source.text is None:
            return Verdict(claim.iri, source.url, "unavailable", explanation=source.reason or "")
        text = source.text.text
        parts = self.parts(claim, text)
        chosen = _best_window(parts)
        inside = [p for p in parts if p.kind in chosen]
        missing = [p for p in parts if p.kind not in chosen]
        snippet = _snippet(text, list(chosen.values())) if chosen else None
        entities = [p for p in parts if p.kind in ("subject", "object")]
        if not missing:
            verdict = "supported"
        elif not any(p.spans for p in entities):
            verdict, snippet = "not-found", None
        else:
            verdict = "partial"
        return Verdict(
            claim.iri,
            source.url,
            verdict,
            [p.kind for p in inside],
            [p.kind for p in missing],
            _explain(verdict, inside, missing),
            snippet,
        )


def _money(value: Decimal, currency: str) -> str:
    v = value.normalize()
    return (
        f"{v:,f} {currency}".replace(".0 ", " ") if v == v.to_integral() else f"{v:,f} {currency}"
    )


def _distance(a: Span, b: Span) -> int:
    return max(0, b.start - a.end, a.start - b.end)


def _nearest(spans: list[Span], starts: list[int], anchor: Span) -> Span:
    i = bisect.bisect_left(starts, anchor.start)
    near = [spans[j] for j in (i - 1, i, i + 1) if 0 <= j < len(spans)]
    return min(near, key=lambda s: (_distance(s, anchor), s.start))


def _best_window(parts: list[_Part]) -> dict[str, Span]:
    """The parts stated together: for each occurrence of any part, the nearest occurrence of each
    other part, kept while the whole stays within WINDOW; the most parts, then the shortest."""
    found = [p for p in parts if p.spans]
    index = {p.kind: (p.spans, [s.start for s in p.spans]) for p in found}
    best: tuple[tuple[int, int, int], dict[str, Span]] = ((0, 0, 0), {})
    for part in found:
        for anchor in part.spans[:500]:
            chosen = {part.kind: anchor}
            others = sorted(
                ((k, _nearest(*index[k], anchor)) for k in index if k != part.kind),
                key=lambda ks: _distance(ks[1], anchor),
            )
            for kind, span in others:
                lo = min(s.start for s in [*chosen.values(), span])
                hi = max(s.end for s in [*chosen.values(), span])
                if hi - lo <= WINDOW:
                    chosen[kind] = span
            lo = min(s.start for s in chosen.values())
            hi = max(s.end for s in chosen.values())
            score = (len(chosen), -(hi - lo), -lo)
            if score > best[0]:
                best = (score, chosen)
    return best[1]


def _snippet(text: str, spans: list[Span]) -> Snippet:
    lo = min(s.start for s in spans)
    hi = max(s.end for s in spans)
    start = lo
    while start > 0 and lo - start < 200 and text[start - 1] not in _SENTENCE_END:
        start -= 1
    end = hi
    while end < len(text) and end - hi < 200 and text[end - 1] not in _SENTENCE_END:
        end += 1
    while start < lo and text[start].isspace():
        start += 1
    while end > hi and text[end - 1].isspace():
        end -= 1
    if end - start > MAX_SNIPPET:
        start = max(start, lo - (MAX_SNIPPET - (hi - lo)) // 2)
        end = min(end, start + max(MAX_SNIPPET, hi - lo))
    return Snippet(
        text[start:end],
        text[max(0, start - CONTEXT) : start],
        text[end : end + CONTEXT],
        start,
        end,
    )


def _explain(verdict: str, inside: list[_Part], missing: list[_Part]) -> str:
    have = ", ".join(p.what for p in inside)
    if verdict == "supported":
        return f"stated together in the source: {have}"
    reasons = []
    for p in missing:
        if p.spans:
            reasons.append(f"{p.what} appears in the source but not within {WINDOW} characters")
        else:
            reasons.append(f"{p.what} not in the source (looked for: {p.tried})")
        if p.note:
            reasons[-1] += f"; {p.note}"
    if verdict == "not-found":
        return "; ".join(reasons)
    return f"found {have}; missing: " + "; ".join(reasons)
