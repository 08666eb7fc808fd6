"""Footnote markers: numbers glued to the end of a phrase and followed by punctuation
(``资助1。``, ``方案23。``, ``分配1-2。``, ``工厂4-`` / ``5。``).

Which number-like strings are markers is decided per page: markers cite the footnotes printed at
the page's foot (1..n, or n..m when footnotes are numbered through the report) in increasing
order, so a dynamic programme picks the reading that covers the most footnotes, then prefers
readings glued to words over readings glued to Latin names (``FuSe2``). A strong candidate left
out is a dangling marker (warning); a weak one is a number read as part of a name (info).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from chipkg.errors import Finding
from chipkg.ingest.model import Marker, Page
from chipkg.ingest.paragraphs import Para
from chipkg.ingest.patterns import AFTER_MARKER, NAME_END, NOT_BEFORE_MARKER, RE_NUMRUN

# Scores of the marker choice: a footnote covered for the first time, covered again, and a
# candidate that is glued to a word (strong) or to a Latin name (weak).
GAIN_NEW, COST_AGAIN, BONUS_STRONG, COST_WEAK = 10.0, 5.0, 0.5, 1.0


@dataclass
class Cand:
    para: Para
    i: int  # index in para.joined
    j: int
    printed: str
    strong: bool
    page: int
    line: int
    readings: list[tuple[int, ...]] = field(default_factory=list)


def digit_splits(digits: str, allowed: int | frozenset[int]) -> list[tuple[int, ...]]:
    """All ways to read a digit run as increasing footnote numbers of the page ("23" -> (2, 3));
    ``allowed`` is the page's footnote numbers, or n for 1..n."""
    if isinstance(allowed, int):
        allowed = frozenset(range(1, allowed + 1))
    top = max(allowed, default=0)
    out: list[tuple[int, ...]] = []

    def rec(rest: str, acc: tuple[int, ...]) -> None:
        if not rest:
            out.append(acc)
            return
        for k in range(1, len(rest) + 1):
            head = rest[:k]
            if head[0] == "0":
                break
            v = int(head)
            if v > top:
                break
            if (acc and v <= acc[-1]) or v not in allowed:
                continue
            rec(rest[k:], acc + (v,))

    rec(digits, ())
    return out


def candidates(
    para: Para, text: str, line_page: dict[int, int], line_of: dict[int, int]
) -> list[Cand]:
    """Number runs in a paragraph that may be markers: glued to a word, followed by punctuation."""
    out = []
    s = para.joined
    for m in RE_NUMRUN.finditer(s):
        i, j = m.span()
        prev = s[i - 1] if i > 0 else ""
        nxt = s[j] if j < len(s) else ""
        if not prev or prev in NOT_BEFORE_MARKER or nxt and nxt not in AFTER_MARKER:
            continue
        if nxt in ",.，" and j + 1 < len(s) and s[j + 1].isdigit():
            continue  # 1,700 or 3.0
        # A number may be wrapped between lines only after a range hyphen ("4-" / "5。").
        printed_in_file = text[para.offsets[i] : para.offsets[j - 1] + 1]
        if "\n" in printed_in_file and not re.search(r"[-–]\s*\n", printed_in_file):
            continue
        strong = not (prev.isascii() and prev.isalpha()) and prev not in NAME_END
        line = line_of[para.offsets[i]]
        out.append(Cand(para, i, j, "".join(s[i:j].split()), strong, line_page[line], line))
    return out


def readings(printed: str, allowed: int | frozenset[int]) -> list[tuple[int, ...]]:
    """The footnote numbers a printed marker may stand for: a range, or a digit run split;
    ``allowed`` is the page's footnote numbers, or n for 1..n."""
    if isinstance(allowed, int):
        allowed = frozenset(range(1, allowed + 1))
    m = re.fullmatch(r"([0-9]+)[-–]([0-9]+)", printed)
    if m:
        a, b = int(m.group(1)), int(m.group(2))
        span = tuple(range(a, b + 1))
        return [span] if 1 <= a < b and set(span) <= allowed else []
    return digit_splits(printed, allowed)


def select_markers(
    cands: list[Cand], allowed: int | frozenset[int]
) -> list[tuple[Cand, tuple[int, ...]]]:
    """Pick which candidates on one page are markers and how to read them (module docstring)."""
    for c in cands:
        c.readings = readings(c.printed, allowed)
    # dp[last] = (score, choices)
    dp: dict[int, tuple[float, list[tuple[Cand, tuple[int, ...]]]]] = {0: (0.0, [])}
    for c in cands:
        new = dict(dp)
        for last, (score, chosen) in dp.items():
            for r in c.readings:
                if r[0] < last:
                    continue
                covered = {x for _, rr in chosen for x in rr}
                gain = sum(GAIN_NEW for x in r if x not in covered)
                gain -= sum(COST_AGAIN for x in r if x in covered)
                gain += BONUS_STRONG if c.strong else -COST_WEAK
                if gain <= 0:
                    continue
                cand = (score + gain, chosen + [(c, r)])
                key = r[-1]
                if key not in new or cand[0] > new[key][0]:
                    new[key] = cand
        dp = new
    return max(dp.values(), key=lambda t: t[0])[1]


Chosen = dict[tuple[int, int], tuple[Marker, int]]  # (id(para), i) -> (marker, end index)


def _marker(c: Cand, numbers: tuple[int, ...], refs: tuple[int, ...] = ()) -> Marker:
    start, end = c.para.offsets[c.i], c.para.offsets[c.j - 1] + 1
    return Marker(c.page, c.line, start, end, c.printed, numbers, dangling=not refs, refs=refs)


def _has(allowed: frozenset[int]) -> str:
    """How many footnotes a page has, as the dangling-marker message says it."""
    if allowed == frozenset(range(1, len(allowed) + 1)):
        return f"{len(allowed)} footnotes"
    return f"footnotes {min(allowed)}–{max(allowed)}"


def _left_out(
    c: Cand, pg: int, allowed: frozenset[int], chosen: Chosen, findings: list[Finding]
) -> None:
    """A candidate the choice left out: a dangling marker if strong, else part of a name."""
    if c.strong:
        numbers = tuple(int(x) for x in re.findall(r"[0-9]+", c.printed))
        chosen[(id(c.para), c.i)] = (_marker(c, numbers), c.j)
        findings.append(
            Finding(
                "dangling-marker",
                "warning",
                c.line,
                f"marker-like number '{c.printed}' on page {pg} has no matching footnote "
                f"(page has {_has(allowed)}; markers must appear in order)",
                pg,
            )
        )
    else:
        findings.append(
            Finding(
                "number-not-marker",
                "info",
                c.line,
                f"'{c.para.joined[max(0, c.i - 6) : c.j + 1]}' on page {pg}: the number "
                "is read as part of a name, not a footnote marker",
                pg,
            )
        )


def choose_markers(
    paras: list[Para],
    pages: list[Page],
    text: str,
    line_page: dict[int, int],
    line_of: dict[int, int],
    findings: list[Finding],
) -> Chosen:
    """The markers of the report, page by page, keyed by where they sit in their paragraph."""
    by_page: dict[int, list[Cand]] = {}
    for p in paras:
        if p.kind in ("table",):
            continue
        for c in candidates(p, text, line_page, line_of):
            by_page.setdefault(c.page, []).append(c)
    notes = {
        pg.number: {f.number: f.key for f in pg.footnotes if f.kind == "footnote"} for pg in pages
    }
    chosen: Chosen = {}
    for pg, cands in sorted(by_page.items()):
        on_page = notes.get(pg, {})
        allowed = frozenset(on_page)
        picked = select_markers(cands, allowed)
        for c, nums in picked:
            chosen[(id(c.para), c.i)] = (_marker(c, nums, tuple(on_page[n] for n in nums)), c.j)
        picked_ids = {id(c) for c, _ in picked}
        for c in cands:
            if id(c) not in picked_ids:
                _left_out(c, pg, allowed, chosen, findings)
    return chosen
