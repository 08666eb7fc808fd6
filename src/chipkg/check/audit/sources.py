"""Sources: how much each source URL carries (footnotes, passages, claims, subjects, objects),
how concentrated the claims are on few sources (top share, Herfindahl–Hirschman index), and
possible over-citation (one document cited for many unrelated topics)."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from chipkg.check.audit.model import (
    KINDS,
    LEVELS,
    ORG_TYPES,
    TECH_TYPES,
    THRESHOLDS,
    Data,
    family,
    label_of,
    level_counts,
    name_of,
    share,
    types_of,
)
from chipkg.check.audit.publishers import publisher_entity


def measure(d: Data, claims: list[dict]) -> dict[str, Any]:
    claims_of: dict[str, list[dict]] = defaultdict(list)
    for c in claims:
        for u in c["sources"]:
            claims_of[u].append(c)
    passages_of: dict[str, dict[str, str]] = defaultdict(dict)  # url -> passage -> best level
    order = {lv: i for i, lv in enumerate(LEVELS)}
    for s in d.supports:
        prev = passages_of[s["source"]].get(s["passage"])
        if prev is None or order[s["level"]] < order[prev]:
            passages_of[s["source"]][s["passage"]] = s["level"]
    items = _items(d, claims_of, passages_of)
    by_kind = Counter(s["kind"] for s in items)
    claims_by_kind: Counter[str] = Counter()
    for s in items:
        claims_by_kind[s["kind"]] += s["claims"]
    return {
        "total": len(items),
        "by_kind": {k: by_kind.get(k, 0) for k in KINDS},
        "claims_by_kind": {k: claims_by_kind.get(k, 0) for k in KINDS},
        "with_claims": sum(1 for s in items if s["claims"]),
        "without_claims": sum(1 for s in items if not s["claims"]),
        "items": items,
        "concentration": _concentration(claims, items, claims_of),
        "over_citation": over_citation(d, claims_of, passages_of),
    }


def _items(
    d: Data, claims_of: dict[str, list[dict]], passages_of: dict[str, dict[str, str]]
) -> list[dict[str, Any]]:
    """One row per source URL, the most used first."""
    footnotes_of: dict[str, list[dict]] = defaultdict(list)
    for f in d.footnotes:
        if f["url"]:
            footnotes_of[f["url"]].append(f)
    items = []
    for url, src in d.sources.items():
        cs = claims_of.get(url, [])
        fns = sorted(
            footnotes_of.get(url, []), key=lambda f: (f["report"], f["page"] or 0, f["number"])
        )
        plevels = list(passages_of.get(url, {}).values())
        pages = sorted(
            {d.passages[p]["page"] for p in passages_of.get(url, {}) if p in d.passages}
            | {f["page"] for f in fns if f["page"] is not None}
        )
        items.append(
            {
                "url": url,
                "reports": sorted(src["reports"]),
                "domain": src["domain"],
                "kind": src["kind"],
                "publisher": {"en": src["publisher_en"], "zh": src["publisher_zh"]},
                "footnotes": [f"p{f['page']} fn{f['number']}" for f in fns],
                "pages": pages,
                "passages": len(plevels),
                "passages_by_level": {
                    lv: n for lv, n in level_counts(plevels).items() if lv != "none"
                },
                "claims": len(cs),
                "subjects": len({c["subject"] for c in cs}),
                "objects": len({c["object"] for c in cs if c["object"]}),
            }
        )
    items.sort(key=lambda s: (-s["claims"], -s["passages"], s["url"]))
    return items


def _concentration(
    claims: list[dict], items: list[dict], claims_of: dict[str, list[dict]]
) -> dict[str, Any]:
    """Concentration of the claims over their sources: top share, top-5 share and HHI."""
    cited = [c for c in claims if c["sources"]]
    links = sum(s["claims"] for s in items)
    hhi = sum((s["claims"] / links) ** 2 for s in items) if links else 0.0
    top = items[0] if items and items[0]["claims"] else None
    top5 = {c["id"] for s in items[:5] for c in claims_of.get(s["url"], [])}
    th = THRESHOLDS["concentration"]
    if not links:
        reading = "no claim rests on a source"
    elif hhi >= th["hhi_high"]:
        reading = "highly concentrated"
    elif hhi >= th["hhi_moderate"]:
        reading = "moderately concentrated"
    else:
        reading = "unconcentrated"
    return {
        "claims": len(claims),
        "claims_with_source": len(cited),
        "claim_source_links": links,
        "top_source": top["url"] if top else None,
        "top_source_claims": top["claims"] if top else 0,
        "top_source_share": share(top["claims"], len(cited)) if top else 0.0,
        "top5_share": share(len(top5), len(cited)),
        "hhi": round(hhi, 4),
        "hhi_points": round(hhi * 10000),
        "equivalent_sources": round(1 / hhi, 2) if hhi else 0.0,
        "reading": reading,
        "reasoning": (
            f"HHI = sum of squared shares of the {links} claim–source links "
            f"({len(cited)} cited claims over {sum(1 for s in items if s['claims'])} sources); "
            f"{round(hhi, 4)} reads as {reading} (moderate from {th['hhi_moderate']}, high from "
            f"{th['hhi_high']}, the 1500/2500-point bands of the 2010 US merger guidelines). "
            + (
                f"The top source carries {top['claims']} of {len(cited)} cited claims "
                f"({share(top['claims'], len(cited)):.0%})."
                if top
                else ""
            )
        ),
    }


def over_citation(
    d: Data, claims_of: dict[str, list[dict]], passages_of: dict[str, dict[str, str]]
) -> dict[str, Any]:
    th = THRESHOLDS["over_citation"]
    rows = [_over_citation_row(d, url, claims_of, passages_of) for url in sorted(d.sources)]
    flagged = [r for r in rows if r["flagged"]]
    flagged.sort(
        key=lambda r: (-(len(r["organisations"]) + len(r["technology_families"])), r["url"])
    )
    for r in flagged:
        del r["flagged"]
    breadth = sorted(
        (
            {
                "url": r["url"],
                "pages": len(r["pages"]),
                "organisations": len(r["organisations"]),
                "technology_families": len(r["technology_families"]),
            }
            for r in rows
            if r["passages"] or r["claims"]
        ),
        key=lambda r: (-(r["organisations"] + r["technology_families"]), -r["pages"], r["url"]),
    )
    return {
        "rule": (
            "a source is flagged when the sentences it supports (in the sentence or through "
            "paragraph scope; an article's lead source is meant to cover the whole article and is "
            "not counted) and the claims resting on it are spread over at least "
            f"{th['min_pages']} pages and name at least {th['min_organisations']} organisations "
            f"other than the publisher and at least {th['min_technology_families']} technology "
            "families (a technology's family is the top concept above it in the SKOS hierarchy: "
            "HBM → DRAM → memory → integrated circuits)"
        ),
        "thresholds": th,
        "flagged": flagged,
        "breadth": breadth[:10],
    }


def _over_citation_row(
    d: Data, url: str, claims_of: dict[str, list[dict]], passages_of: dict[str, dict[str, str]]
) -> dict[str, Any]:
    """How widely one source is cited: pages, sections, organisations and technology families
    named by the sentences it supports and the claims resting on it; flagged past the
    thresholds, with the reasoning."""
    th = THRESHOLDS["over_citation"]
    counted = set(th["levels_counted"])
    src = d.sources[url]
    publisher = publisher_entity(d, src)
    passages = sorted(p for p, lv in passages_of.get(url, {}).items() if lv in counted)
    topics: set[str] = set()
    for p in passages:
        topics |= d.mentions.get(p, set())
    for c in claims_of.get(url, []):
        if c["level"] not in counted:
            continue
        topics.add(c["subject"])
        if c["object"]:
            topics.add(c["object"])
    pages = sorted({d.passages[p]["page"] for p in passages if p in d.passages})
    sections = {d.passages[p]["section"] for p in passages if p in d.passages}
    orgs = sorted(t for t in topics if types_of(d, t) & ORG_TYPES and t != publisher)
    families = sorted({family(d, t) for t in topics if types_of(d, t) & TECH_TYPES})
    flagged = (
        len(pages) >= th["min_pages"]
        and len(orgs) >= th["min_organisations"]
        and len(families) >= th["min_technology_families"]
    )
    row = {
        "url": url,
        "kind": src["kind"],
        "publisher": {"en": src["publisher_en"], "zh": src["publisher_zh"]},
        "passages": len(passages),
        "pages": pages,
        "sections": len(sections),
        "claims": sum(1 for c in claims_of.get(url, []) if c["level"] in counted),
        "organisations": [label_of(d, o) for o in orgs],
        "technology_families": [label_of(d, f) for f in families],
        "flagged": flagged,
    }
    if flagged:
        row["reasoning"] = (
            f"cited for {len(passages)} passages on {len(pages)} pages "
            f"({', '.join(map(str, pages))}) in {len(sections)} sections; those sentences and "
            f"the claims resting on it name {len(orgs)} organisations "
            f"({', '.join(name_of(d, o) for o in orgs[:8])}{' …' if len(orgs) > 8 else ''}) and "
            f"{len(families)} technology families "
            f"({', '.join(name_of(d, f) for f in families[:8])}"
            f"{' …' if len(families) > 8 else ''}). One document rarely supports all of "
            f"these: thresholds ≥{th['min_pages']} pages, ≥{th['min_organisations']} "
            f"organisations and ≥{th['min_technology_families']} technology families. Check "
            "that the document says what each sentence claims."
        )
    return row
