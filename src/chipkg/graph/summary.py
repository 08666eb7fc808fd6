"""The build summary of a report: what was parsed, cited and extracted, as counts."""

from __future__ import annotations

from rich.table import Table

from chipkg.ingest import citations, report

SUMMARY_FIELDS = (
    ("pages", "pages"),
    ("articles", "articles"),
    ("sections", "sections"),
    ("paragraphs", "paragraphs"),
    ("passages", "passages"),
    ("markers", "markers"),
    ("footnotes", "footnotes"),
    ("sources", "unique sources"),
    ("dangling_markers", "dangling markers"),
    ("orphan_footnotes", "orphan footnotes"),
    ("warnings", "warnings"),
    ("passages_sentence_level", "passages cited in sentence"),
    ("passages_paragraph_level", "passages cited in paragraph scope"),
    ("passages_lead_level", "passages covered by article lead"),
    ("passages_uncited", "passages with no source"),
    ("entities_mentioned", "distinct entities mentioned"),
    ("claims", "claims (facts)"),
    ("claims_superseded", "claims superseded by analysts"),
    ("claims_by_analysts", "claims by analysts"),
)


def summarise(
    parsed: report.ParsedReport, cites: citations.Citations, extraction=None
) -> dict[str, int]:
    findings = list(parsed.findings) + list(cites.findings)
    claims = extraction.claims if extraction is not None else ()
    linked = {m.entity for ms in extraction.mentions.values() for m in ms} if extraction else set()
    levels = [cites.level_of(p.index) for p in parsed.passages]
    return {
        "pages": len(parsed.pages),
        "articles": len(parsed.articles),
        "sections": len(parsed.sections),
        "paragraphs": len(parsed.paragraphs),
        "passages": len(parsed.passages),
        "markers": len(parsed.markers),
        "footnotes": len(parsed.footnotes),
        "sources": len(cites.sources),
        "dangling_markers": sum(1 for m in parsed.markers if m.dangling),
        "orphan_footnotes": sum(1 for f in findings if f.kind == "orphan-footnote"),
        "warnings": sum(1 for f in findings if f.severity == "warning"),
        "passages_sentence_level": levels.count("sentence"),
        "passages_paragraph_level": levels.count("paragraph"),
        "passages_lead_level": levels.count("lead"),
        "passages_uncited": levels.count(None),
        "entities_mentioned": len(linked),
        "claims": sum(1 for c in claims if not c.superseded),
        "claims_superseded": sum(1 for c in claims if c.superseded),
        "claims_by_analysts": sum(1 for c in claims if c.made_by.startswith("analyst")),
    }


def summary_table(rows: dict[str, dict[str, int]]) -> Table:
    table = Table(title="chipkg build summary", show_lines=False)
    table.add_column("")
    for rid in rows:
        table.add_column(rid, justify="right")
    for key, label in SUMMARY_FIELDS:
        table.add_row(label, *(str(rows[rid].get(key, 0)) for rid in rows))
    return table
