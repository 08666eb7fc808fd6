"""The audit: load the chosen graphs, run every measure, and assemble the JSON-serialisable
result with its summary (docs/audit.md documents the schema)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from chipkg import __version__
from chipkg.check.audit import consistency, coverage, fit, hygiene, links, sources, verification
from chipkg.check.audit.load import load, restrict_to_article
from chipkg.check.audit.model import SCHEMA, THRESHOLDS, claim_order, claim_row


def run_audit(
    store: ox.Store,
    report: str | None = None,
    article: int | None = None,
    check_links: bool = False,
    link_timeout: float = 5.0,
    link_concurrency: int = 8,
    verification_file: Path | None = None,
) -> dict[str, Any]:
    """Audit the provenance of a built graph: every report graph, only ``report``, or only one
    ``article`` of it (its number; the report may be omitted when the build holds one).
    ``verification_file`` is the verification graph (``graph/build/verification.trig``) when
    ``chipkg verify`` has run.

    Returns a JSON-serialisable dict with deterministic ordering; see docs/audit.md."""
    d = load(store, report)
    scope_article = restrict_to_article(d, article) if article is not None else None
    claims = sorted(d.claims.values(), key=lambda c: claim_order(d, c))
    sections = {
        "coverage": coverage.measure(d, claims),
        "sources": sources.measure(d, claims),
        "fit": fit.measure(d, claims),
        "consistency": consistency.measure(d, claims),
        "hygiene": hygiene.measure(d),
        "links": (
            links.measure(sorted(d.sources), link_timeout, link_concurrency)
            if check_links
            else dict(links.NOT_CHECKED)
        ),
        "verification": verification.measure(d, claims, verification.read(verification_file)),
    }
    return {
        "schema": SCHEMA,
        "generator": f"chipkg {__version__}",
        "scope": {
            "report": report,
            "article": scope_article,
            "reports": [d.reports[r] for r in sorted(d.reports)],
        },
        "thresholds": THRESHOLDS,
        "summary": _summary(sorted(d.reports), sections),
        "claims": [claim_row(d, c) for c in claims],
        **sections,
    }


def _summary(reports: list[str], s: dict[str, Any]) -> dict[str, Any]:
    """The headline figures and the number of findings of every check."""
    cov, src, hyg, lnk = s["coverage"], s["sources"], s["hygiene"], s["links"]
    ver = s["verification"]
    conc = src["concentration"]
    return {
        "reports": reports,
        "passages": cov["passages"]["total"],
        "passages_cited": cov["passages"]["cited"],
        "passages_cited_share": cov["passages"]["cited_share"],
        "claims": cov["claims"]["total"],
        "claims_cited": cov["claims"]["cited"],
        "claims_cited_share": cov["claims"]["cited_share"],
        "sources": src["total"],
        "top_source": conc["top_source"],
        "top_source_share": conc["top_source_share"],
        "hhi": conc["hhi"],
        "findings": {
            "uncited_claims": len(cov["uncited_claims"]),
            "articles_without_sources": len(cov["articles_without_sources"]),
            "over_cited_sources": len(src["over_citation"]["flagged"]),
            "government_action_weak_sources": len(s["fit"]["government_action_weak_sources"]),
            "publisher_mismatch": len(s["fit"]["publisher_mismatch"]),
            "consistency_conflicts": len(s["consistency"]["conflicts"]),
            "dangling_markers": len(hyg["dangling_markers"]),
            "orphan_footnotes": len(hyg["orphan_footnotes"]),
            "duplicate_footnotes": len(hyg["duplicate_footnotes"]),
            "near_duplicate_urls": len(hyg["near_duplicate_urls"]),
            "malformed_urls": len(hyg["malformed_urls"]),
            "landing_pages": len(hyg["landing_pages"]),
            "broken_links": (
                lnk["summary"]["broken"] + lnk["summary"]["error"] if lnk["checked"] else None
            ),
            "claims_every_source_not_found": (
                len(ver["claims_every_source_not_found"]) if ver["checked"] else None
            ),
            "sources_supporting_none": (
                len(ver["sources_supporting_none"]) if ver["checked"] else None
            ),
        },
    }


def to_json(audit: dict[str, Any]) -> str:
    return json.dumps(audit, ensure_ascii=False, indent=2) + "\n"
