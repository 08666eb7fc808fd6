"""Text rendering: the audit as a readable summary for the terminal."""

from __future__ import annotations

from typing import Any

from chipkg.check.audit.model import qualifier_text


def short(text: str | None, n: int = 60) -> str:
    text = (text or "").replace("\n", " ")
    return text if len(text) <= n else text[: n - 1] + "…"


def triple(row: dict) -> str:
    obj = row.get("object")
    o = obj["en"] if obj else qualifier_text(row) or "—"
    return f"{row['subject']['en']} —{row['relation']['en']}→ {o}"


def render_text(audit: dict[str, Any]) -> str:
    """A readable summary of an audit for the terminal: one block per section."""
    parts = (_header, _coverage, _sources, _fit, _consistency, _hygiene, _links, _verification)
    return "\n".join(line for part in parts for line in part(audit)) + "\n"


def _header(audit: dict[str, Any]) -> list[str]:
    """The title line and the scope."""
    s = audit["summary"]
    out: list[str] = []
    add = out.append
    add(f"chipkg provenance audit — {', '.join(s['reports']) or 'no reports'}")
    art = audit["scope"].get("article")
    if art:
        add(f"  only article {art['number']} (page {art['page']}): {art['title']}")
    add("")
    return out


def _coverage(audit: dict[str, Any]) -> list[str]:
    """Passages and claims cited, by article; claims with no source."""
    cov = audit["coverage"]
    out: list[str] = []
    add = out.append
    add("coverage")
    for what in ("passages", "claims"):
        b = cov[what]
        lv = b["by_level"]
        add(
            f"  {what:<9} {b['total']:>4}  cited {b['cited']} ({b['cited_share']:.0%}): "
            f"sentence {lv['sentence']}, paragraph {lv['paragraph']}, lead {lv['lead']}; "
            f"no source {lv['none']}"
        )
    add("  by article (passages cited / total, claims cited / total):")
    for a in cov["by_article"]:
        add(
            f"    {a['number']:>2}. p{a['page'] or '?':<3} {a['passages']['cited']:>3}/"
            f"{a['passages']['total']:<3}  {a['claims']['cited']:>2}/{a['claims']['total']:<3} "
            f"{short(a['title'], 40)}"
        )
    for a in cov["articles_without_sources"]:
        add(f"  article with no source at all: {a['reasoning']} — {short(a['title'], 40)}")
    if cov["uncited_claims"]:
        add(f"  claims with no source ({len(cov['uncited_claims'])}):")
        for r in cov["uncited_claims"]:
            add(f"    p{r['page']} l{r['line']}  {triple(r)}")
            add(f"        「{short(r['text'], 70)}」")
    add("")
    return out


def _sources(audit: dict[str, Any]) -> list[str]:
    """Source kinds, concentration, the most used sources, over-citation."""
    src = audit["sources"]
    conc = src["concentration"]
    out: list[str] = []
    add = out.append
    add("sources")
    kinds = ", ".join(f"{k} {n}" for k, n in src["by_kind"].items() if n)
    add(
        f"  {src['total']} source URLs"
        + (f" ({kinds})" if kinds else "")
        + f"; {src['with_claims']} carry claims, {src['without_claims']} carry none"
    )
    if conc["top_source"]:
        add(
            f"  top source: {conc['top_source_claims']} of {conc['claims_with_source']} cited "
            f"claims ({conc['top_source_share']:.0%}) — {conc['top_source']}"
        )
    add(
        f"  HHI {conc['hhi']} ({conc['hhi_points']} points, {conc['reading']}; "
        f"≈ {conc['equivalent_sources']} equally used sources); top 5 carry "
        f"{conc['top5_share']:.0%} of cited claims"
    )
    add("  most used:")
    for it in src["items"][:8]:
        add(
            f"    {it['claims']:>3} claims {it['subjects']:>2} subj {it['objects']:>2} obj  "
            f"{it['kind']:<10} {short(it['url'], 80)}"
        )
    oc = src["over_citation"]
    add(f"  possible over-citation: {len(oc['flagged'])}")
    for r in oc["flagged"]:
        add(f"    {r['url']}")
        add(f"      {r['reasoning']}")
    add("")
    return out


def _fit(audit: dict[str, Any]) -> list[str]:
    """Government acts on weak sources; newsrooms cited for others."""
    fit = audit["fit"]
    out: list[str] = []
    add = out.append
    add("fit")
    rows = fit["government_action_weak_sources"]
    add(f"  government acts resting only on media/company pages: {len(rows)}")
    for r in rows:
        add(f"    p{r['page']}  {triple(r)}")
        add(f"      {r['reasoning']}")
    rows = fit["publisher_mismatch"]
    add(f"  company newsroom cited for a claim about others: {len(rows)}")
    for r in rows:
        add(f"    p{r['page']}  [{r['severity']}] {triple(r)}")
        add(f"      {r['reasoning']}")
    add("")
    return out


def _consistency(audit: dict[str, Any]) -> list[str]:
    """Conflicting statements of one fact."""
    out: list[str] = []
    add = out.append
    con = audit["consistency"]
    add("consistency")
    add(
        f"  conflicts: {len(con['conflicts'])}; the same fact repeated consistently: "
        f"{len(con['repeated_consistent'])}"
    )
    for c in con["conflicts"]:
        add(f"    {c['reasoning']}")
        for st in c["statements"]:
            add(
                f"      p{st['page']} l{st['line']}  {st['stated']}  「{short(st['text'], 50)}」 "
                + " ".join(st["sources"])
            )
    add("")
    return out


def _hygiene(audit: dict[str, Any]) -> list[str]:
    """Markers, footnotes and URLs that need fixing."""
    hyg = audit["hygiene"]
    out: list[str] = []
    add = out.append
    add("hygiene")
    add(
        f"  dangling markers {len(hyg['dangling_markers'])}, orphan footnotes "
        f"{len(hyg['orphan_footnotes'])}, parse findings "
        + (", ".join(f"{k} {n}" for k, n in hyg["parse_findings"]["by_kind"].items()) or "none")
    )
    for r in hyg["dangling_markers"] + hyg["orphan_footnotes"]:
        add(f"    {r['report']} p{r['page']} l{r['line']}: {r['message']}")
    add(
        "  duplicate footnotes (same URL, several numbers on one page): "
        f"{len(hyg['duplicate_footnotes'])}"
    )
    for r in hyg["duplicate_footnotes"]:
        add(
            f"    p{r['page']} footnotes {', '.join(map(str, r['footnotes']))}: "
            f"{short(r['url'], 80)}"
        )
    add(f"  near-duplicate URLs: {len(hyg['near_duplicate_urls'])}")
    for r in hyg["near_duplicate_urls"]:
        add(f"    {r['reasoning']}")
        for u in r["urls"]:
            add(f"      {u['url']}")
    add(f"  malformed URLs: {len(hyg['malformed_urls'])}")
    for r in hyg["malformed_urls"]:
        add(f"    {r['url']}: {r['problem']}")
    add(f"  landing pages instead of documents: {len(hyg['landing_pages'])}")
    for r in hyg["landing_pages"]:
        add(f"    {r['url']}")
    add("")
    return out


def _links(audit: dict[str, Any]) -> list[str]:
    """Link status, when links were checked."""
    out: list[str] = []
    add = out.append
    links = audit["links"]
    if links.get("checked"):
        sm = links["summary"]
        add(
            f"links: ok {sm['ok']}, redirected {sm['redirected']}, broken {sm['broken']}, "
            f"error {sm['error']}"
        )
        for r in links["results"]:
            if r["outcome"] != "ok":
                extra = f" → {r['final_url']}" if r["outcome"] == "redirected" else ""
                add(f"  {r['outcome']:<10} {r['status'] or r['error']}  {r['url']}{extra}")
    else:
        add("links: not checked (--check-links)")
    return out


def _verification(audit: dict[str, Any]) -> list[str]:
    """Verdicts per (claim, source) from the last verification run."""
    ver = audit["verification"]
    if not ver["checked"]:
        return ["", f"verification: {ver['note']}"]
    out = ["", "verification: " + ", ".join(f"{k} {n}" for k, n in ver["verdicts"].items())]
    rows = ver["claims_every_source_not_found"]
    out.append(f"  claims whose every source is silent: {len(rows)}")
    out += [f"    p{r['page']}  {triple(r)}" for r in rows]
    rows = ver["sources_supporting_none"]
    out.append(f"  sources supporting none of the claims citing them: {len(rows)}")
    out += [f"    {r['url']}" for r in rows]
    return out
