"""Endnotes: bracketed markers in the text and the reference lists they point to.

* A reference list is a line ``参考文献`` / ``注释`` / ``注`` / ``尾注`` / ``References`` /
  ``Notes`` (alone on its line) followed by entries ``[n] …`` (also ``［n］``, ``【n】``), after
  an article or at the end of the report. An entry may print a title, author or publisher
  before its URL, several URLs (``; `` or a new line between them), or no URL at all; a URL
  wraps over lines anywhere. Blank lines may separate entries; the list ends at a blank line
  followed by a line that is not an entry.
* A marker is ``[n]``, a range or list in one bracket (``[3-4]``, ``[3,4]``, ``[3、4]``), or
  brackets side by side (``[13][14]``, ``[3]-[5]``). It refers to the first reference list
  after it that has each of its numbers: per-article lists and one list for the whole report
  both work, numbered through the report or from 1 in each list.

Bad input is reported, never fatal: a list that runs into text with no blank line after it, an
entry whose URL is broken, a marker whose number no list has.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from chipkg.errors import Finding
from chipkg.ingest.markers import Chosen
from chipkg.ingest.model import Footnote, Marker, ReferenceList
from chipkg.ingest.paragraphs import Para
from chipkg.ingest.text import Line, join_gap
from chipkg.ingest.urls import broken_urls, check_url

LIST_HEADINGS = ("参考文献", "注释", "注", "尾注", "References", "Notes", "Endnotes")
RE_LIST_HEADING = re.compile(r"^(?:" + "|".join(LIST_HEADINGS) + r")\s*[:：]?$", re.IGNORECASE)
RE_ENTRY = re.compile(r"^[\[［【]\s*([1-9][0-9]{0,2})\s*[\]］】]\s*(.*)$")
_GROUP = r"[\[［【]\s*[0-9]{1,3}(?:\s*[-–,，、]\s*[0-9]{1,3})*\s*[\]］】]"
RE_BRACKETS = re.compile(rf"{_GROUP}(?:\s*[-–]?\s*{_GROUP})*")
RE_URL_TOKEN = re.compile(r"(?<!\S)(?:[a-z][a-z0-9+.-]*:/+|www\.)\S+", re.IGNORECASE)
_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")
_URL_PIECE = set("/.-_%=&?#~+:")


@dataclass
class RawEntry:
    number: int
    line: Line
    parts: list[Line] = field(default_factory=list)  # the entry's lines, its first included


@dataclass
class RawList:
    heading: Line
    entries: list[RawEntry]


def _continues_url(prev: str, s: str) -> bool:
    """A line continues the URL the line before ends with: no CJK in its first token, and the
    token is the whole line or looks like a piece of a URL."""
    tail = prev.split()[-1] if prev.split() else ""
    if not RE_URL_TOKEN.match(tail) or RE_URL_TOKEN.match(s) or _CJK.search(s.split()[0]):
        return False
    first = s.split()[0]
    return len(s.split()) == 1 or any(c in _URL_PIECE for c in first)


def _runs_into_text(entry: RawEntry, s: str) -> bool:
    """A line right under an entry that already has its URL, written as prose: the list did not
    end (no blank line after it) and the text goes on."""
    has_url = any(RE_URL_TOKEN.search(p.stripped) for p in entry.parts)
    return has_url and len(_CJK.findall(s)) >= 4 and not _continues_url(entry.parts[-1].stripped, s)


def _read_list(lines: list[Line], i: int, findings: list[Finding]) -> tuple[RawList, int] | None:
    """The list whose heading is lines[i], and the index after it; None if no entry follows."""
    entries: list[RawEntry] = []
    j, blank = i + 1, False
    while j < len(lines):
        ln, s = lines[j], lines[j].stripped
        m = RE_ENTRY.match(s)
        if not s:
            blank = True
        elif m:
            entries.append(RawEntry(int(m.group(1)), ln, [ln]))
            blank = False
        elif blank or not entries:
            break  # the list ended (or the heading is no list heading)
        elif _runs_into_text(entries[-1], s):
            findings.append(
                Finding(
                    "list-runs-into-text",
                    "warning",
                    ln.no,
                    f"the reference list at line {lines[i].no} does not end after entry "
                    f"[{entries[-1].number}]: line {ln.no} is read as body text — put a blank "
                    "line or a heading between the list and the text",
                )
            )
            break
        else:
            entries[-1].parts.append(ln)
        j += 1
    if not entries:
        return None
    while j > i + 1 and not lines[j - 1].stripped:
        j -= 1
    return RawList(lines[i], entries), j


def find_reference_lists(
    lines: list[Line], findings: list[Finding]
) -> tuple[list[RawList], frozenset[int]]:
    """The reference lists of the report, and the numbers of the lines they take."""
    lists: list[RawList] = []
    taken: set[int] = set()
    i = 0
    while i < len(lines):
        if RE_LIST_HEADING.match(lines[i].stripped):
            found = _read_list(lines, i, findings)
            if found is not None:
                raw, j = found
                lists.append(raw)
                taken.update(ln.no for ln in lines[i:j])
                i = j
                continue
        i += 1
    return lists, frozenset(taken)


def _entry_text(entry: RawEntry) -> str:
    """The entry's lines joined: URL pieces glued, a new URL line after a space, prose joined as
    wrapped text."""
    m = RE_ENTRY.match(entry.parts[0].stripped)
    assert m
    joined = m.group(2)
    for ln in entry.parts[1:]:
        s = ln.stripped
        if _continues_url(joined, s):
            joined += s
        elif RE_URL_TOKEN.match(s):
            joined += " " + s
        else:
            joined += (join_gap(joined, s) if not joined.endswith(" ") else "") + s
    return joined


def _url_line(entry: RawEntry, url: str) -> int:
    head = url[:20]
    return next((ln.no for ln in entry.parts if head in ln.stripped), entry.line.no)


def make_endnote(entry: RawEntry, page: int, list_start: int, findings: list[Finding]) -> Footnote:
    """An entry as a note: its URLs (a broken one reported and kept as text), and its printed
    text besides them (title, author, publisher)."""
    joined = _entry_text(entry)
    tokens = [m.group(0).rstrip(";；，,。") for m in RE_URL_TOKEN.finditer(joined)]
    urls = [url for url in tokens if check_url(url) is None]
    for token, problem in broken_urls(joined):
        findings.append(
            Finding(
                "broken-url",
                "warning",
                _url_line(entry, token),
                f"reference [{entry.number}]: URL cannot be parsed: {problem}: {token} — fix "
                "the URL in the report text (the entry is kept as a printed reference)",
                page,
            )
        )
    text = joined
    for url in urls:
        text = text.replace(url, " ")
    text = re.sub(r"\s+", " ", text).strip(" ;；，,")
    last = entry.parts[-1]
    end = last.start + len(last.raw.rstrip())
    url_lines = tuple(_url_line(entry, u) for u in urls)
    start = entry.line.content_start
    number = entry.number
    return Footnote(
        page, number, entry.line.no, start, end, tuple(urls), url_lines, text, "endnote", list_start
    )


def make_lists(
    raw: list[RawList], line_page: dict[int, int], findings: list[Finding]
) -> list[ReferenceList]:
    out = []
    for r in raw:
        h = r.heading
        notes = [
            make_endnote(e, line_page[e.line.no], h.content_start, findings) for e in r.entries
        ]
        last = r.entries[-1].parts[-1]
        out.append(
            ReferenceList(
                h.stripped,
                h.no,
                h.content_start,
                last.start + len(last.raw.rstrip()),
                last.no,
                line_page[h.no],
                tuple(notes),
            )
        )
    return out


def bracket_numbers(printed: str) -> tuple[int, ...]:
    """[3] -> 3; [3-5], [3]-[5] -> 3, 4, 5; [3,4], [3、4], [3][4] -> 3, 4."""
    numbers: list[int] = []
    for m in re.finditer(r"([0-9]+)|([-–])", re.sub(r"[,，、\]］】\[［【\s]+", " ", printed)):
        if m.group(1):
            n = int(m.group(1))
            if numbers and numbers[-1] == -1:  # a range: from the number before to this one
                numbers.pop()
                numbers.extend(range(numbers[-1] + 1, n + 1) if numbers else [n])
            else:
                numbers.append(n)
        elif numbers:
            numbers.append(-1)
    return tuple(n for n in numbers if n > 0)


def _resolve(
    offset: int, numbers: tuple[int, ...], lists: list[ReferenceList]
) -> tuple[tuple[int, ...], list[int]]:
    """The keys of the notes a marker at ``offset`` refers to (each number in the first list
    after the marker that has it), and the numbers no list after it has."""
    refs: list[int] = []
    missing: list[int] = []
    after = [rl for rl in lists if rl.start > offset]
    for n in numbers:
        note = next((f for rl in after for f in rl.notes if f.number == n), None)
        if note is None:
            missing.append(n)
        elif note.key not in refs:
            refs.append(note.key)
    return tuple(refs), missing


def _missing_message(printed: str, missing: list[int], offset: int, lists) -> str:
    after = [rl for rl in lists if rl.start > offset]
    nums = ", ".join(str(n) for n in missing)
    if not after:
        where = "no reference list follows it" if lists else "the report has no reference list"
    else:
        rl = after[0]
        where = (
            f"the reference list at line {rl.line} has {len(rl.notes)} entries "
            f"([{rl.notes[0].number}]–[{rl.notes[-1].number}])"
        )
    return f"marker '{printed}' cites note {nums}, but {where}"


def bracket_markers(
    paras: list[Para],
    lists: list[ReferenceList],
    line_page: dict[int, int],
    line_of: dict[int, int],
    findings: list[Finding],
) -> Chosen:
    """The bracketed markers of the report, resolved to the notes of the lists after them."""
    chosen: Chosen = {}
    for p in paras:
        if p.kind == "table":
            continue
        for m in RE_BRACKETS.finditer(p.joined):
            i, j = m.span()
            numbers = bracket_numbers(m.group(0))
            if i == 0 or not numbers:
                continue
            start, end = p.offsets[i], p.offsets[j - 1] + 1
            line = line_of[start]
            page = line_page[line]
            printed = "".join(m.group(0).split())
            refs, missing = _resolve(start, numbers, lists)
            mk = Marker(page, line, start, end, printed, numbers, dangling=not refs, refs=refs)
            chosen[(id(p), i)] = (mk, j)
            if missing:
                message = _missing_message(printed, missing, start, lists)
                findings.append(Finding("dangling-marker", "warning", line, message, page))
    return chosen
