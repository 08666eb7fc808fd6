"""Coverage: passages and claims with and without a source, overall, per passage kind, per
article and per section; the claims with no source and the articles with none at all."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from chipkg.check.audit.model import Data, article_title, claim_row, level_counts, share


def measure(d: Data, claims: list[dict]) -> dict[str, Any]:
    by_kind: dict[str, list[str]] = defaultdict(list)
    for p in d.passages.values():
        by_kind[p["kind"]].append(p["level"])
    claims_by_passage: dict[str, list[dict]] = defaultdict(list)
    for c in claims:
        claims_by_passage[c["passage"]].append(c)
    art_rows = _by_article(d, claims_by_passage)
    return {
        "passages": _block([p["level"] for p in d.passages.values()]),
        "passages_by_kind": {k: _block(v) for k, v in sorted(by_kind.items())},
        "claims": _block([c["level"] for c in claims]),
        "by_article": art_rows,
        "by_section": _by_section(d, claims_by_passage),
        "uncited_claims": [claim_row(d, c) for c in claims if not c["sources"]],
        "articles_without_sources": _unsourced_articles(art_rows),
    }


def _block(levels: list[str]) -> dict[str, Any]:
    """How many of these passages or claims are cited, and at which level."""
    total = len(levels)
    cited = sum(1 for lv in levels if lv != "none")
    return {
        "total": total,
        "cited": cited,
        "uncited": total - cited,
        "cited_share": share(cited, total),
        "by_level": level_counts(levels),
    }


def _by_article(d: Data, claims_by_passage: dict[str, list[dict]]) -> list[dict[str, Any]]:
    rows = []
    for art, info in sorted(d.articles.items(), key=lambda kv: (kv[1]["report"], kv[1]["seq"])):
        ps = [p for p in d.passages.values() if p["article"] == art]
        cs = [
            c
            for iri, p in d.passages.items()
            if p["article"] == art
            for c in claims_by_passage[iri]
        ]
        rows.append(
            {
                "report": info["report"],
                "article": art,
                "number": info["seq"],
                "title": info["title"],
                "rubric": info["rubric"],
                "date": info["date"],
                "page": info["page"],
                "passages": _block([p["level"] for p in ps]),
                "claims": _block([c["level"] for c in cs]),
            }
        )
    return rows


def _section_path(d: Data, sec: str) -> str:
    """The section's heading and the headings above it: 'A › B › C'."""
    parts, seen = [], set()
    while sec and sec in d.sections and sec not in seen:
        seen.add(sec)
        parts.append(d.sections[sec]["label"])
        sec = d.sections[sec]["parent"]
    return " › ".join(reversed(parts))


def _by_section(d: Data, claims_by_passage: dict[str, list[dict]]) -> list[dict[str, Any]]:
    rows = []
    groups: dict[tuple, list[str]] = defaultdict(list)
    for iri, p in d.passages.items():
        groups[(p["report"], p["article"], p["section"])].append(iri)
    for (rid, art, sec), iris in groups.items():
        ps = [d.passages[i] for i in iris]
        cs = [c for i in iris for c in claims_by_passage[i]]
        first = min(ps, key=lambda p: p["seq"])
        rows.append(
            {
                "report": rid,
                "article": art,
                "article_title": article_title(d, art),
                "section": sec,
                "path": _section_path(d, sec) if sec else "(before the first heading)",
                "page": first["page"],
                "line": first["line"],
                "_seq": first["seq"],
                "passages": _block([p["level"] for p in ps]),
                "claims": _block([c["level"] for c in cs]),
            }
        )
    rows.sort(key=lambda r: (r["report"], r["_seq"]))
    for r in rows:
        del r["_seq"]
    return rows


def _unsourced_articles(art_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "report": a["report"],
            "article": a["article"],
            "number": a["number"],
            "title": a["title"],
            "page": a["page"],
            "passages": a["passages"]["total"],
            "claims": a["claims"]["total"],
            "reasoning": (
                f"none of the {a['passages']['total']} passages of article {a['number']} "
                f"(page {a['page']}) is covered by a footnote, a paragraph scope or a lead source"
            ),
        }
        for a in art_rows
        if a["passages"]["total"] and not a["passages"]["cited"]
    ]
