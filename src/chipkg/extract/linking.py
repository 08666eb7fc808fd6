"""Entity linking over a parsed report: the names in each passage, with the countries of the
article and section headings as strong context and those earlier in the paragraph as weak context
(see entities.Linker), plus the facilities a passage describes instead of naming."""

from __future__ import annotations

from chipkg.extract.entities import Linker, Mention
from chipkg.extract.facilities import describe
from chipkg.ingest.report import ParsedReport


def link_text(
    text: str, linker: Linker, strong: set[str] = frozenset(), weak: set[str] = frozenset()
) -> list[Mention]:
    """Names in one passage, plus the facilities it describes instead of naming; a name inside a
    described facility only describes it (先进封装设施: a facility, not the technology)."""
    mentions = linker.link(text, strong, weak)
    described = describe(text, mentions, linker.entities, linker.facilities)
    mentions = [
        m for m in mentions if not any(d.start < m.end and m.start < d.end for d in described)
    ] + described
    mentions.sort(key=lambda m: (m.start, m.end, m.entity))
    return mentions


def heading_countries(report: ParsedReport, linker: Linker) -> dict[int, tuple[str, ...]]:
    """passage index → the countries its headings name, the innermost section's first, then the
    enclosing sections' and the article title's (a section titled 美国：… is about the US)."""
    countries = {e.id for e in linker.entities.values() if e.type == "Country"}

    def named(text: str) -> list[str]:
        return list(dict.fromkeys(m.entity for m in linker.link(text) if m.entity in countries))

    title_ctx = {a.index: named(a.title) for a in report.articles}
    sections = {s.start: s for s in report.sections}
    section_ctx: dict[int, list[str]] = {}
    for s in report.sections:
        inherited = section_ctx.get(s.parent, []) if s.parent is not None else []
        section_ctx[s.start] = list(dict.fromkeys(named(s.title) + inherited))
    return {
        p.index: tuple(
            dict.fromkeys(
                (section_ctx.get(p.section, []) if p.section in sections else [])
                + title_ctx.get(p.article, [])
            )
        )
        for p in report.passages
    }


def heading_context(report: ParsedReport, linker: Linker) -> dict[int, set[str]]:
    """passage index → the countries its article title and section headings name."""
    return {i: set(cs) for i, cs in heading_countries(report, linker).items()}


def link_passages(report: ParsedReport, linker: Linker) -> dict[int, tuple[Mention, ...]]:
    """Link every passage, with its headings' countries as strong context and the countries
    earlier in its paragraph as weak context."""
    countries = {e.id for e in linker.entities.values() if e.type == "Country"}
    strong = heading_context(report, linker)
    out: dict[int, tuple[Mention, ...]] = {}
    para_ctx: dict[int, set[str]] = {}
    for p in report.passages:
        mentions = link_text(p.text, linker, strong[p.index], para_ctx.get(p.paragraph, set()))
        out[p.index] = tuple(mentions)
        para_ctx.setdefault(p.paragraph, set()).update(
            m.entity for m in mentions if m.entity in countries
        )
    return out
