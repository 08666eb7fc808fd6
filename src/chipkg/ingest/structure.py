"""Articles, rubrics, titles, dates, authors and sections.

* The report opens with an article (the main report); a later article starts at a short,
  unpunctuated line followed by a lead: a paragraph that opens with a date
  (``据官网 2024年 12月 23日报道``, ``2025年 1月 15日，…``) or with its source, the date after it
  or none (``据日本时报报道，2024年 11月 11日，…``, ``据路透社报道，…``); or after an author line
  ``（执笔：…）``. A short line before
  such a title is the article's rubric (``政策计划``), carried to later articles until the next
  rubric.
* Sections: ``一、`` (level 1), ``（一）`` (level 2), ``1.`` (level 3, a paragraph the paragraph
  rules marked ``l3``); an inline ``1.标题。正文…`` gives a section titled up to the first 。 or ：.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from chipkg.errors import Finding
from chipkg.ingest.authors import learn_author_names, split_author_names
from chipkg.ingest.model import Article, Section
from chipkg.ingest.paragraphs import Para
from chipkg.ingest.patterns import (
    RE_ATTRIBUTED_LEAD,
    RE_AUTHOR,
    RE_DATE_LEAD,
    RE_ENUM,
    RE_L1,
    RE_L2,
    RE_L3,
    SENTENCE_END,
    TITLE_MAX_CHARS,
)


def title_like(p: Para) -> bool:
    """Short, unpunctuated body text: could be a title or a rubric."""
    t = p.joined
    return (
        p.kind == "body"
        and 0 < len(t) <= TITLE_MAX_CHARS
        and not t.endswith(tuple(SENTENCE_END + "，,：:"))
        and not any(ch in t for ch in SENTENCE_END)
        and not RE_ENUM.match(t)
    )


def date_lead(p: Para | None) -> re.Match[str] | None:
    return RE_DATE_LEAD.match(p.joined) if p is not None and p.kind == "body" else None


def article_lead(p: Para | None) -> bool:
    """Whether a paragraph reads as an article's lead: it opens with a date, or with the source
    it reports (据…报道，), the date after it or none."""
    return bool(date_lead(p)) or (
        p is not None and p.kind == "body" and bool(RE_ATTRIBUTED_LEAD.match(p.joined))
    )


def article_starts(paras: list[Para]) -> list[int]:
    """Indexes of the paragraphs that start an article; marks titles and rubrics on the way."""
    n = len(paras)
    starts: list[int] = []
    for k, p in enumerate(paras):
        nxt = paras[k + 1] if k + 1 < n else None
        nxt2 = paras[k + 2] if k + 2 < n else None
        after_author = k > 0 and paras[k - 1].kind == "author"
        if k == 0:
            starts.append(k)
            if title_like(p):
                p.kind = "title"
            continue
        if title_like(p) and nxt is not None and title_like(nxt) and article_lead(nxt2):
            p.kind, nxt.kind = "rubric", "title"
            starts.append(k)
        elif p.kind == "body" and title_like(p) and (article_lead(nxt) or after_author):
            p.kind = "title"
            starts.append(k)
        elif after_author and p.kind != "title":
            starts.append(k)
    return starts


def lead_date(lead: Para, findings: list[Finding]) -> date | None:
    """The date the paragraph after a title opens with, if it is a real date."""
    m = date_lead(lead)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        findings.append(
            Finding("bad-date", "warning", lead.first.no, f"not a valid date: {m.group(0)}")
        )
        return None


def heading_parts(p: Para) -> tuple[int, str, str, bool]:
    """(level, label, title, standalone) of a heading paragraph; ``standalone`` is False for an
    inline ``1.标题。正文…`` heading, whose paragraph goes on as body text."""
    t = p.joined
    if m := RE_L1.match(t):
        return 1, m.group(1) + "、", m.group(2).strip(), True
    if m := RE_L2.match(t):
        return 2, f"（{m.group(1)}）", m.group(2).strip(), True
    m = RE_L3.match(t)
    assert m
    rest = m.group(2)
    standalone = len(p.lines) == 1 and not any(c in rest.rstrip("。：:") for c in SENTENCE_END)
    title = rest.rstrip("。：:") if standalone else re.split(r"[。：:]", rest, maxsplit=1)[0]
    return 3, m.group(1) + ".", title.strip(), standalone


@dataclass
class Structure:
    articles: list[Article] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    para_article: list[int] = field(default_factory=list)
    para_section: list[int | None] = field(default_factory=list)


@dataclass
class _Article:
    """What one article collects while its paragraphs are read."""

    index: int
    title: str = ""
    title_line: int = 0
    date: date | None = None
    authors: tuple[str, ...] = ()
    author_line: int | None = None
    stack: list[Section] = field(default_factory=list)


def _section(p: Para, art: _Article, line_page: dict[int, int]) -> Section:
    """Open the section a heading paragraph starts; an inline l3 heading becomes body text."""
    level, label, title, standalone = heading_parts(p)
    while art.stack and art.stack[-1].level >= level:
        art.stack.pop()
    parent = art.stack[-1].start if art.stack else None
    sec = Section(
        p.offsets[0], level, label, title, parent, art.index, p.first.no, line_page[p.first.no]
    )
    art.stack.append(sec)
    if p.kind == "l3":
        p.kind = "heading" if standalone else "body"
    return sec


def _read_article(
    paras: list[Para], a: int, b: int, art: _Article, st: Structure, ctx: dict
) -> str:
    """Read paragraphs a..b of one article into ``art`` and ``st``; returns the current rubric."""
    rubric = ctx["rubric"]
    for k in range(a, b):
        p = paras[k]
        st.para_article[k] = art.index
        if p.kind == "rubric":
            rubric = p.joined
        elif p.kind == "title" and not art.title:
            art.title, art.title_line = p.joined, p.first.no
            if k + 1 < b:
                art.date = lead_date(paras[k + 1], ctx["findings"])
        elif p.kind == "author":
            m = RE_AUTHOR.match(p.joined)
            assert m
            art.authors = split_author_names(m.group(1), ctx["known_names"])
            art.author_line = p.first.no
        elif p.kind in ("heading", "l3"):
            st.sections.append(_section(p, art, ctx["line_page"]))
        st.para_section[k] = art.stack[-1].start if art.stack else None
    return rubric


def read_structure(
    paras: list[Para], line_page: dict[int, int], findings: list[Finding]
) -> Structure:
    """Articles (with rubric, title, date, authors) and their nested sections; which article and
    innermost section each paragraph is in."""
    n = len(paras)
    starts = article_starts(paras)
    st = Structure(para_article=[0] * n, para_section=[None] * n)
    known = learn_author_names(
        [m.group(1) for p in paras if p.kind == "author" and (m := RE_AUTHOR.match(p.joined))]
    )
    ctx = {"rubric": "", "findings": findings, "known_names": known, "line_page": line_page}
    for ai, (a, b) in enumerate(zip(starts, starts[1:] + [n], strict=True)):
        art = _Article(ai)
        ctx["rubric"] = _read_article(paras, a, b, art, st, ctx)
        has_rubric = any(paras[k].kind == "rubric" for k in range(a, b)) or ai > 0
        first, last = paras[a], paras[b - 1]
        st.articles.append(
            Article(
                ai,
                first.offsets[0],
                last.offsets[-1] + 1,
                art.title,
                art.title_line,
                ctx["rubric"] if has_rubric else "",
                art.date,
                art.authors,
                art.author_line,
                first.first.no,
                line_page[first.first.no],
            )
        )
    return st
