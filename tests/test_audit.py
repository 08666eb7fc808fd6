"""The provenance audit (issue 6): exact findings on the bundled report, one small synthetic graph
per check that must flag something, the link check against a local HTTP server only, and the HTML
page in headless Chromium."""

from __future__ import annotations

import html.parser
import json
import os
import re
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from chipkg.check.audit import probe_link, render_html, render_text, run_audit, to_json, url_key
from chipkg.cli import cli
from chipkg.errors import ChipkgError
from chipkg.graph.store import open_store

from .conftest import BUNDLED, ROOT

NIST_PDF = (
    "https://www.nist.gov/system/files/documents/2025/01/10/"
    "The%20CHIPS%20Program%20Office%20Vision%20for%20Success%20-%20Two%20Years%20Later.pdf"
)
CSIS = "https://www.csis.org/analysis/double-edged-sword-semiconductor-export-controls"
EU325 = (
    "https://digital-strategy.ec.europa.eu/en/news/"
    "eu-invests-eu325-million-support-europes-semiconductor-innovation-ecosystem"
)


# --------------------------------------------------------------------------------------------
# The bundled report
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled_store(tmp_path_factory: pytest.TempPathFactory) -> ox.Store:
    """The bundled report built without SHACL validation (the audit does not need it; this keeps
    the file fast)."""
    project = tmp_path_factory.mktemp("audit-project")
    (project / "graph" / "sources").mkdir(parents=True)
    for f in (BUNDLED, BUNDLED.with_name("ic-landscape-2024.meta.toml")):
        shutil.copy(f, project / "graph" / "sources" / f.name)
    result = CliRunner().invoke(
        cli, ["--project", str(project), "build", "--no-validate", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    return open_store(project / "graph" / "build")


@pytest.fixture(scope="module")
def bundled_audit(bundled_store: ox.Store) -> dict:
    return run_audit(bundled_store)


def test_bundled_json_is_deterministic_and_serialisable(bundled_store, bundled_audit):
    text = to_json(bundled_audit)
    assert text == to_json(run_audit(bundled_store))  # byte-identical on a second run
    one = run_audit(bundled_store, report="ic-landscape-2024")
    assert one["scope"]["report"] == "ic-landscape-2024"
    assert {k: v for k, v in one.items() if k != "scope"} == {
        k: v for k, v in json.loads(text).items() if k != "scope"
    }
    assert set(bundled_audit) == {
        "schema",
        "generator",
        "scope",
        "thresholds",
        "summary",
        "claims",
        "coverage",
        "sources",
        "fit",
        "consistency",
        "hygiene",
        "links",
        "verification",
    }
    assert bundled_audit["links"]["checked"] is False


def test_bundled_coverage(bundled_audit, bundled_store):
    cov = bundled_audit["coverage"]
    # the same numbers as the build summary (README): 89 + 56 + 187 + 164 = 496 passages
    assert cov["passages"]["total"] == 496
    assert cov["passages"]["by_level"] == {
        "sentence": 89,
        "paragraph": 56,
        "lead": 187,
        "none": 164,
    }
    # claim counts come from the extractor: check them against the graph itself
    claims = _graph_claims(bundled_store)
    assert cov["claims"]["total"] == len(claims) > 250
    assert cov["claims"]["cited"] == sum(1 for c in claims.values() if c["sources"])
    levels = {"sentence": 0, "paragraph": 0, "lead": 0, "none": 0}
    for c in claims.values():
        levels[c["level"]] += 1
    assert cov["claims"]["by_level"] == levels
    assert len(cov["by_article"]) == 10
    assert sum(a["passages"]["total"] for a in cov["by_article"]) == 496
    assert sum(r["passages"]["total"] for r in cov["by_section"]) == 496
    assert sum(r["claims"]["total"] for r in cov["by_section"]) == len(claims)
    # the DOE quantum roadmap article (page 27) has no footnote at all
    [unsourced] = cov["articles_without_sources"]
    assert (unsourced["number"], unsourced["page"], unsourced["passages"]) == (8, 27, 97)
    assert unsourced["title"] == "美国能源部发布《量子信息科学应用路线图》"
    uncited = [
        (c["page"], c["line"], c["subject"]["en"], c["relation"]["en"])
        for c in cov["uncited_claims"]
    ]
    # by reading: these sentences carry no marker and no later marker of their paragraph or
    # article lead covers them (p7 l320 Applied Materials, l324 IMEC, l352 Google; p27 DOE, twice:
    # the roadmap it launches and the research it does, 在量子信息科学…领域的研究)
    assert uncited == [
        (7, 320, "Applied Materials", "develops"),
        (7, 324, "imec", "develops"),
        (7, 352, "Google", "develops"),
        (7, 352, "Google", "develops"),
        (27, 1383, "U.S. Department of Energy", "launches or announces"),
        (27, 1385, "U.S. Department of Energy", "researches"),
    ]
    assert len(uncited) == sum(1 for c in claims.values() if not c["sources"])
    assert cov["uncited_claims"][1]["text"].startswith("IMEC在 300mm CMOS平台上制造超导量子比特")


def _graph_claims(store: ox.Store) -> dict[str, dict]:
    """Every claim with its level and sources, read from the graph without the audit code."""
    rows = store.query(
        """PREFIX ckg: <https://w3id.org/chipkg/ontology#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?c ?level ?src WHERE {
          GRAPH ?g { ?c a ckg:Claim . OPTIONAL { ?c ckg:citationLevel ?level }
                     OPTIONAL { ?c prov:wasDerivedFrom ?src } } }"""
    )
    names = {"SentenceLevel": "sentence", "ParagraphLevel": "paragraph", "LeadLevel": "lead"}
    out: dict[str, dict] = {}
    for r in rows:
        c = out.setdefault(r["c"].value, {"level": "none", "sources": set()})
        if r["level"] is not None:
            c["level"] = names[r["level"].value.rsplit("#", 1)[-1]]
        if r["src"] is not None:
            c["sources"].add(r["src"].value)
    return out


def test_bundled_sources_and_concentration(bundled_audit, bundled_store):
    src = bundled_audit["sources"]
    assert src["total"] == 68
    assert src["by_kind"] == {
        "government": 29,
        "company": 19,
        "thinktank": 5,
        "media": 9,
        "academic": 5,
        "other": 1,
    }
    claims = _graph_claims(bundled_store)
    used = {u for c in claims.values() for u in c["sources"]}
    assert (src["with_claims"], src["without_claims"]) == (len(used), 68 - len(used))
    top = src["items"][0]
    assert top["url"] == NIST_PDF
    # article 7 (the CHIPS Program Office review) cites only this PDF, so it carries the most
    on_top = [c for c in claims.values() if NIST_PDF in c["sources"]]
    assert (
        top["claims"]
        == len(on_top)
        == max(sum(1 for c in claims.values() if u in c["sources"]) for u in used)
    )
    assert top["publisher"] == {
        "en": "National Institute of Standards and Technology",
        "zh": "美国国家标准与技术研究院",
    }
    # read off the report: 94 footnotes, one of them text only (p20 fn2) and one holding two URLs
    # (p19 fn1), so 94 footnote–URL pairs over 68 distinct URLs
    assert sum(len(s["footnotes"]) for s in src["items"]) == 94
    csis = next(s for s in src["items"] if s["url"] == CSIS)
    assert csis["footnotes"] == [
        "p3 fn9",
        "p4 fn1",
        "p4 fn2",
        "p4 fn3",
        "p5 fn1",
        "p9 fn3",
        "p9 fn4",
        "p9 fn7",
        "p10 fn4",
        "p10 fn5",
        "p11 fn3",
        "p11 fn4",
        "p12 fn1",
        "p12 fn2",
        "p12 fn6",
        "p13 fn1",
    ]
    assert csis["claims"] == sum(1 for c in claims.values() if CSIS in c["sources"]) > 0
    # the sentence ending '市场的依赖1。' starts on page 12, its marker is printed on page 13
    assert csis["pages"] == [3, 4, 5, 9, 10, 11, 12, 13]
    # the top source is the one URL footnote of article 7 (p20 fn1), cited nowhere else
    assert top["footnotes"] == ["p20 fn1"]
    motie = next(s for s in src["items"] if "motie.go.kr" in s["url"])
    assert motie["footnotes"] == ["p3 fn10", "p7 fn3", "p13 fn3"]  # one URL on three pages
    conc = src["concentration"]
    assert conc["top_source"] == NIST_PDF
    cited = [c for c in claims.values() if c["sources"]]
    links = sum(len(c["sources"]) for c in cited)
    assert (conc["claims_with_source"], conc["claim_source_links"]) == (len(cited), links)
    assert conc["top_source_share"] == round(len(on_top) / len(cited), 4)
    per_source = [sum(1 for c in cited if u in c["sources"]) for u in used]
    assert conc["hhi"] == pytest.approx(sum((n / links) ** 2 for n in per_source), abs=1e-4)
    assert conc["reading"] == ("unconcentrated" if conc["hhi"] < 0.15 else "moderate")


def test_bundled_over_citation(bundled_audit):
    oc = bundled_audit["sources"]["over_citation"]
    [flag] = oc["flagged"]
    assert flag["url"] == CSIS
    assert flag["pages"] == [3, 4, 5, 9, 10, 11, 12]
    assert flag["passages"] == 26
    orgs = {o["en"] for o in flag["organisations"]}
    assert {"TSMC", "NVIDIA", "Huawei", "AMD"} <= orgs and len(orgs) == 8
    assert len(flag["technology_families"]) == 8
    assert "≥3 pages" in flag["reasoning"]


def test_bundled_fit(bundled_audit):
    fit = bundled_audit["fit"]
    gov = [
        (r["page"], r["subject"]["en"], r["relation"]["en"], r["object"]["en"], r["sources"])
        for r in fit["government_action_weak_sources"]
    ]
    # government acts whose sentence cites only a company or media page (checked by reading
    # the footnotes: TSMC's newsroom, EE Times, Reuters, Intel's newsroom)
    for row in [
        (
            1,
            "U.S. Department of Commerce",
            "funds",
            "Intel fabs in Arizona",
            [
                "https://www.intel.com/content/www/us/en/newsroom/news/us-chips-act-intel-direct-funding.html"
            ],
        ),
        (2, "Germany", "funds", "ESMC fab in Dresden", ["https://pr.tsmc.com/english/news/3169"]),
        (
            3,
            "France",
            "funds",
            "FD-SOI pilot line at CEA-Leti (FAMES)",
            ["https://www.eetimes.eu/cea-leti-discloses-details-of-e830m-pilot-line-for-europe/"],
        ),
        (
            16,
            "Trump administration",
            "restricts export of",
            "NVIDIA H20",
            [
                "https://www.reuters.com/technology/artificial-intelligence/"
                "trump-officials-discussing-tightening-curbs-nvidias-china-sales-bloomberg-2025-01-29/"
            ],
        ),
    ]:
        assert row in gov, row
    # and none that rests on a government source
    assert all(
        not any(u.startswith(("https://www.bis.gov", "https://www.commerce.gov")) for u in g[4])
        for g in gov
    )
    mismatch = [
        (
            r["page"],
            r["severity"],
            r["subject"]["en"],
            (r["object"] or {}).get("en"),
            r["publisher"]["en"],
        )
        for r in fit["publisher_mismatch"]
    ]
    assert (6, "possible", "Synopsys", "AI-driven EDA", "Intel") in mismatch
    assert (9, "likely", "United States", "Amkor Technology", "Apple") in mismatch
    apple = next(r for r in fit["publisher_mismatch"] if r["publisher"]["en"] == "Apple")
    assert "also names Apple" in apple["reasoning"]


def test_bundled_consistency_and_hygiene(bundled_audit):
    con = bundled_audit["consistency"]
    assert con["conflicts"] == []
    # facts stated twice with the same amount and date are listed as consistent, not conflicts
    reps = {
        (r["subject"]["en"], r["relation"]["en"], r["object"]["en"])
        for r in con["repeated_consistent"]
    }
    assert ("CHIPS Program Office", "funds", "Intel") in reps
    assert ("TSMC Arizona fabs", "located in", "Arizona") in reps
    hyg = bundled_audit["hygiene"]
    assert hyg["dangling_markers"] == [] and hyg["orphan_footnotes"] == []
    assert hyg["parse_findings"]["by_kind"] == {"number-not-marker": 2, "text-footnote": 1}
    dups = [(r["page"], r["footnotes"], r["url"]) for r in hyg["duplicate_footnotes"]]
    assert dups == [
        (2, [4, 6], EU325),
        (4, [1, 2, 3], CSIS),
        (9, [3, 4, 7], CSIS),
        (10, [4, 5], CSIS),
        (11, [3, 4], CSIS),
        (12, [1, 2, 6], CSIS),
    ]
    assert hyg["duplicate_footnotes"][0]["lines"] == [98, 102]
    assert hyg["near_duplicate_urls"] == [] and hyg["malformed_urls"] == []
    assert [r["url"] for r in hyg["landing_pages"]] == ["https://www.apple.com/newsroom/"]
    findings = bundled_audit["summary"]["findings"]
    fit = bundled_audit["fit"]
    assert findings["government_action_weak_sources"] == len(fit["government_action_weak_sources"])
    assert findings["publisher_mismatch"] == len(fit["publisher_mismatch"])
    assert {
        k: v
        for k, v in findings.items()
        if k not in ("government_action_weak_sources", "publisher_mismatch")
    } == {
        "uncited_claims": 6,
        "articles_without_sources": 1,
        "over_cited_sources": 1,
        "consistency_conflicts": 0,
        "dangling_markers": 0,
        "orphan_footnotes": 0,
        "duplicate_footnotes": 6,
        "near_duplicate_urls": 0,
        "malformed_urls": 0,
        "landing_pages": 1,
        "broken_links": None,
        "claims_every_source_not_found": None,  # not verified
        "sources_supporting_none": None,
    }


def test_bundled_text(bundled_audit):
    text = render_text(bundled_audit)
    cov, conc = bundled_audit["coverage"]["claims"], bundled_audit["sources"]["concentration"]
    share = round(100 * conc["top_source_claims"] / conc["claims_with_source"])
    assert f"claims     {cov['total']}  cited {cov['cited']} (" in text
    assert (
        f"top source: {conc['top_source_claims']} of {conc['claims_with_source']} cited claims "
        f"({share}%) — {NIST_PDF}"
    ) in text
    assert "p2 footnotes 4, 6:" in text and "p4 footnotes 1, 2, 3:" in text
    assert "Germany —funds→ ESMC fab in Dresden" in text
    assert "links: not checked" in text


def test_unknown_report_is_a_clear_error(bundled_store):
    with pytest.raises(ChipkgError, match="no report graph 'nope'"):
        run_audit(bundled_store, report="nope")


# --------------------------------------------------------------------------------------------
# Synthetic graphs, one per check
# --------------------------------------------------------------------------------------------

PREFIXES = """
@prefix ckg: <https://w3id.org/chipkg/ontology#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix schema: <https://schema.org/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix e: <https://w3id.org/chipkg/id/entity/> .
@prefix s: <https://w3id.org/chipkg/id/synth/> .
"""

REPORT = """
<https://w3id.org/chipkg/id/report/synth> a ckg:Report ;
    rdfs:label "Synthetic report"@en , "合成报告"@zh .
s:article1 a ckg:Article ; ckg:sequence 0 ; rdfs:label "测试文章"@zh .
s:sec1 a ckg:Section ; ckg:inArticle s:article1 ; rdfs:label "一、测试"@zh .
"""

LEVEL = {
    "sentence": "ckg:SentenceLevel",
    "paragraph": "ckg:ParagraphLevel",
    "lead": "ckg:LeadLevel",
}
KIND = {
    "government": "ckg:GovernmentPublisher",
    "company": "ckg:CompanyPublisher",
    "thinktank": "ckg:ThinkTankPublisher",
    "media": "ckg:MediaPublisher",
    "academic": "ckg:AcademicPublisher",
    "other": "ckg:OtherPublisher",
}


def passage(
    pid: str,
    page: int,
    text: str,
    sources: tuple[str, ...] = (),
    level: str = "sentence",
    mentions: tuple[str, ...] = (),
) -> str:
    ttl = (
        f"s:{pid} a ckg:Passage ; ckg:pageNumber {page} ; ckg:lineNumber {page * 10} ;\n"
        f'    ckg:sequence {page * 100 + len(pid)} ; ckg:text "{text}"@zh ; '
        'ckg:passageKind "body" ;\n'
        "    ckg:inArticle s:article1 ; ckg:inSection s:sec1"
    )
    if sources:
        ttl += f" ; ckg:citationLevel {LEVEL[level]}"
    for m in mentions:
        ttl += f" ; ckg:mentions e:{m}"
    ttl += " .\n"
    for i, url in enumerate(sources):
        ttl += (
            f"s:{pid} prov:qualifiedDerivation s:{pid}-c{i} .\n"
            f"s:{pid}-c{i} a ckg:Citation ; prov:entity <{url}> ; "
            f"ckg:citationLevel {LEVEL[level]} .\n"
        )
    return ttl


def claim(
    cid: str,
    subject: str,
    predicate: str,
    obj: str | None,
    pid: str,
    sources: tuple[str, ...] = (),
    level: str = "sentence",
    extra: str = "",
) -> str:
    ttl = (
        f"s:{cid} a ckg:Claim ; ckg:claimSubject e:{subject} ; "
        f"ckg:claimPredicate ckg:{predicate} ; ckg:statedIn s:{pid}"
    )
    if obj:
        ttl += f" ; ckg:claimObject e:{obj}"
    if sources:
        ttl += f" ; ckg:citationLevel {LEVEL[level]}"
    for url in sources:
        ttl += f" ; prov:wasDerivedFrom <{url}>"
    return ttl + (f" ; {extra}" if extra else "") + " .\n"


def source(url: str, kind: str, name_en: str | None = None, domain: str = "example.org") -> str:
    ttl = f'<{url}> a ckg:Source ; ckg:domain "{domain}" ; ckg:publisherKind {KIND[kind]}'
    if name_en:
        ttl += f' ; ckg:publisherName "{name_en}"@en'
    return ttl + " .\n"


def entity(eid: str, type_: str, en: str, zh: str = "", extra: str = "") -> str:
    zh_label = f' , "{zh}"@zh' if zh else ""
    ttl = f'e:{eid} a ckg:{type_} ; rdfs:label "{en}"@en{zh_label}'
    return ttl + (f" ; {extra}" if extra else "") + " .\n"


def make_store(report_ttl: str, entities_ttl: str = "") -> ox.Store:
    data = (
        PREFIXES
        + "<https://w3id.org/chipkg/id/graph/synth> {\n"
        + REPORT
        + report_ttl
        + "}\n<https://w3id.org/chipkg/id/graph/entities> {\n"
        + entities_ttl
        + "}\n"
    )
    store = ox.Store()
    store.load(data.encode("utf-8"), format=ox.RdfFormat.TRIG)
    return store


def test_synthetic_coverage_lists_uncited_claims_per_article_and_section():
    gov = "https://gov.example.org/press/1"
    store = make_store(
        source(gov, "government")
        + passage("p1", 1, "甲资助乙。", (gov,))
        + passage("p2", 2, "丙研发丁。")
        + claim("c1", "acme", "funds", "beta", "p1", (gov,))
        + claim("c2", "beta", "develops", "widget", "p2"),
        entity("acme", "Company", "Acme")
        + entity("beta", "Company", "Beta")
        + entity("widget", "Technology", "Widget"),
    )
    cov = run_audit(store)["coverage"]
    assert cov["claims"]["cited"] == 1 and cov["claims"]["uncited"] == 1
    [un] = cov["uncited_claims"]
    assert (un["page"], un["text"], un["subject"]["en"], un["object"]["en"]) == (
        2,
        "丙研发丁。",
        "Beta",
        "Widget",
    )
    [art] = cov["by_article"]
    assert art["passages"]["by_level"] == {"sentence": 1, "paragraph": 0, "lead": 0, "none": 1}
    [sec] = cov["by_section"]
    assert sec["path"] == "一、测试" and sec["claims"]["uncited"] == 1


def test_synthetic_over_citation():
    wide = "https://thinktank.example.org/analysis/everything"
    narrow = "https://thinktank.example.org/analysis/one-thing"
    orgs = ("co1", "co2", "co3", "co4")
    techs = ("t1", "t2", "t3", "t4")
    report = source(wide, "thinktank", "Think Tank") + source(narrow, "thinktank", "Think Tank")
    for i, (org, tech) in enumerate(zip(orgs, techs, strict=True)):
        report += passage(f"w{i}", i + 1, f"句子{i}。", (wide,), mentions=(org, tech))
    report += passage("n1", 5, "窄。", (narrow,), mentions=("co1", "t1"))
    ents = "".join(entity(o, "Company", o.upper()) for o in orgs)
    for t in techs:  # each technology under its own top concept: four families
        ents += entity(t, "Technology", t.upper(), extra=f"skos:broader e:root-{t}")
        ents += entity(f"root-{t}", "Technology", f"Family {t}")
    oc = run_audit(make_store(report, ents))["sources"]["over_citation"]
    [flag] = oc["flagged"]
    assert flag["url"] == wide
    assert flag["pages"] == [1, 2, 3, 4]
    assert [f["en"] for f in flag["technology_families"]] == [
        "Family t1",
        "Family t2",
        "Family t3",
        "Family t4",
    ]
    assert "4 organisations" in flag["reasoning"] and "4 technology families" in flag["reasoning"]


def test_synthetic_government_action_on_media_only():
    media = "https://news.example.com/story"
    gov = "https://www.bmwk.example.de/press"
    store = make_store(
        source(media, "media", "News")
        + source(gov, "government", "Ministry")
        + passage("p1", 1, "德国补贴甲。", (media,))
        + passage("p2", 1, "德国补贴乙。", (media, gov))
        + claim("c1", "germany", "funds", "acme", "p1", (media,))
        + claim("c2", "germany", "funds", "beta", "p2", (media, gov))
        + claim("c3", "acme", "funds", "beta", "p1", (media,)),
        entity("germany", "Country", "Germany", "德国")
        + entity("acme", "Company", "Acme")
        + entity("beta", "Company", "Beta"),
    )
    [row] = run_audit(store)["fit"]["government_action_weak_sources"]
    assert (row["subject"]["en"], row["object"]["en"]) == ("Germany", "Acme")
    assert row["source_kinds"] == {media: "media"}
    assert "rests only on media pages (example.org)" in row["reasoning"]


def test_synthetic_company_newsroom_cited_for_others():
    news = "https://acme.example.com/news/1"
    store = make_store(
        source(news, "company", "Acme (Europe)", domain="acme.example.com")
        + passage("p1", 1, "乙与丙合作。", (news,), mentions=("beta", "gamma"))
        + claim("c1", "beta", "partnersWith", "gamma", "p1", (news,))
        + claim("c2", "beta", "develops", "widget", "p1", (news,))
        + claim("c3", "acme", "builds", "acme-fab", "p1", (news,))
        + claim("c4", "beta", "expands", "dresden", "p1", (news,)),
        entity("acme", "Company", "Acme", "阿克米")
        + entity("beta", "Company", "Beta")
        + entity("gamma", "Company", "Gamma")
        + entity("widget", "Technology", "Widget")
        + entity("acme-fab", "Fab", "Acme fab")
        + entity("dresden", "Fab", "Acme Dresden fab"),
    )
    rows = run_audit(store)["fit"]["publisher_mismatch"]
    got = [(r["subject"]["en"], r["object"]["en"], r["severity"]) for r in rows]
    assert got == [("Beta", "Widget", "possible"), ("Beta", "Gamma", "likely")]
    assert rows[1]["publisher"]["en"] == "Acme"  # '(Europe)' is dropped to match the entity
    assert "does not name Acme (阿克米)" in rows[1]["reasoning"]


def test_synthetic_consistency_conflicts_side_by_side():
    a, b = "https://a.example.org/x", "https://b.example.org/y"
    conv = 'ckg:statedConversion [ schema:value 2100000000 ; schema:currency "USD" ]'

    def money(value: int, currency: str, extra: str = "") -> str:
        return f'ckg:amount [ schema:value {value} ; schema:currency "{currency}" ; {extra} ]'

    statements = [  # claim, subject, relation, object, qualifier; passage i, page i
        ("germany", "funds", "acme", money(5000000000, "EUR")),
        ("germany", "funds", "acme", money(6000000000, "EUR")),
        ("italy", "funds", "st", money(2000000000, "EUR", conv)),
        ("italy", "funds", "st", money(2100000000, "USD")),
        ("ustr", "investigates", "china", 'ckg:date "2024-12"^^xsd:gYearMonth'),
        ("ustr", "investigates", "china", 'ckg:date "2024-12-23"^^xsd:date'),
        ("bis", "launches", "rule", 'ckg:date "2024-11-02"^^xsd:date'),
        ("bis", "launches", "rule", 'ckg:date "2024-12-23"^^xsd:date'),
    ]
    report = source(a, "government") + source(b, "media")
    for i, (subj, rel, obj, extra) in enumerate(statements, start=1):
        src = a if i % 2 else b
        report += passage(f"p{i}", i, f"第{i}句。", (src,))
        report += claim(f"c{i}", subj, rel, obj, f"p{i}", (src,), extra=extra)
    store = make_store(
        report,
        entity("germany", "Country", "Germany")
        + entity("italy", "Country", "Italy")
        + entity("acme", "Company", "Acme")
        + entity("st", "Company", "ST")
        + entity("ustr", "GovernmentAgency", "USTR")
        + entity("china", "Country", "China")
        + entity("bis", "GovernmentAgency", "BIS")
        + entity("rule", "ExportControl", "Rule"),
    )
    con = run_audit(store)["consistency"]
    got = [(c["subject"]["en"], c["facet"], c["values"]) for c in con["conflicts"]]
    assert got == [
        ("BIS", "date", ["2024-11-02", "2024-12-23"]),
        ("Germany", "amount", ["5,000,000,000 EUR", "6,000,000,000 EUR"]),
    ]
    money = con["conflicts"][1]
    assert [(st["page"], st["text"], st["sources"]) for st in money["statements"]] == [
        (1, "第1句。", [a]),
        (2, "第2句。", [b]),
    ]
    # a stated conversion and a date inside a month agree
    assert sorted(r["subject"]["en"] for r in con["repeated_consistent"]) == ["Italy", "USTR"]


def test_synthetic_hygiene():
    dup = "https://example.org/doc/1"
    https_slash = "https://www.example.org/reports/chips-2024/"
    http_tracked = "http://example.org/reports/chips-2024?utm_source=wechat&utm_medium=x#top"
    bad = "https://bad_host.example/doc-1"
    landing = "https://www.example.com/newsroom/"
    report = (
        "".join(source(u, "other") for u in (dup, https_slash, http_tracked, bad, landing))
        + "s:fn1 a ckg:Footnote ; ckg:footnoteNumber 1 ; ckg:onPage s:page2 ; ckg:lineNumber 20 ;"
        f" ckg:cites <{dup}> .\n"
        "s:fn3 a ckg:Footnote ; ckg:footnoteNumber 3 ; ckg:onPage s:page2 ; ckg:lineNumber 22 ;"
        f" ckg:cites <{dup}> .\n"
        "s:fn4 a ckg:Footnote ; ckg:footnoteNumber 1 ; ckg:onPage s:page3 ; ckg:lineNumber 30 ;"
        f" ckg:cites <{dup}> .\n"
        "s:page2 a ckg:Page ; ckg:pageNumber 2 .\ns:page3 a ckg:Page ; ckg:pageNumber 3 .\n"
        's:m1 a ckg:Marker ; ckg:printedAs "9" ; ckg:dangling true ; ckg:lineNumber 15 ;'
        " ckg:onPage s:page2 .\n"
        's:f1 a ckg:ParseFinding ; ckg:findingKind "orphan-footnote" ; ckg:severity "warning" ;'
        ' ckg:message "footnote 5 on page 2 is cited by no marker"@en ; ckg:lineNumber 24 ;'
        " ckg:onPage s:page2 .\n"
    )
    hyg = run_audit(make_store(report))["hygiene"]
    [dm] = hyg["dangling_markers"]
    assert (dm["page"], dm["line"], dm["printed"]) == (2, 15, "9")
    [orphan] = hyg["orphan_footnotes"]
    assert orphan["message"] == "footnote 5 on page 2 is cited by no marker"
    [d] = hyg["duplicate_footnotes"]  # page 3 footnote 1 is another page: not a duplicate
    assert (d["page"], d["footnotes"], d["url"], d["lines"]) == (2, [1, 3], dup, [20, 22])
    [near] = hyg["near_duplicate_urls"]
    assert [u["url"] for u in near["urls"]] == [http_tracked, https_slash]
    assert near["differences"] == [
        "fragment (#top)",
        "scheme (http/https)",
        "tracking parameters (utm_medium, utm_source)",
        "trailing slash",
        "www.",
    ]
    [mal] = hyg["malformed_urls"]
    assert mal["url"] == bad and "not a valid host name" in mal["problem"]
    assert [r["url"] for r in hyg["landing_pages"]] == [landing]


def test_url_key_normalisations():
    assert url_key("https://www.a.org/x//y/?b=2&a=1&utm_campaign=z#f") == (
        "a.org/x/y?a=1&b=2",
        [
            "www.",
            "repeated slashes",
            "trailing slash",
            "tracking parameters (utm_campaign)",
            "parameter order",
            "fragment (#f)",
        ],
    )
    assert url_key("https://a.org/")[0] == url_key("http://a.org")[0] == "a.org"


# --------------------------------------------------------------------------------------------
# Link check: only against a local server on 127.0.0.1
# --------------------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    def _reply(self, body: bool) -> None:
        if self.path == "/old":
            self.send_response(301)
            self.send_header("Location", "/ok")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path == "/nohead" and self.command == "HEAD":
            self.send_response(405)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        code = 200 if self.path in ("/ok", "/also-ok", "/nohead") else 404
        payload = b"hello" if code == 200 else b"not here"
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if body:
            self.wfile.write(payload)

    def do_GET(self) -> None:  # noqa: N802
        self._reply(True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._reply(False)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture()
def local_server(monkeypatch: pytest.MonkeyPatch):
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_link_check_against_local_server(local_server: str):
    urls = {p: f"{local_server}{p}" for p in ("/ok", "/also-ok", "/missing", "/old", "/nohead")}
    report = "".join(source(u, "other") for u in urls.values()) + passage(
        "p1", 1, "句。", tuple(urls.values())
    )
    audit = run_audit(make_store(report), check_links=True, link_timeout=3, link_concurrency=2)
    links = audit["links"]
    assert links["checked"] and links["concurrency"] == 2
    assert links["summary"] == {"ok": 3, "redirected": 1, "broken": 1, "error": 0}
    by_url = {r["url"]: r for r in links["results"]}
    assert [r["url"] for r in links["results"]] == sorted(urls.values())
    assert (by_url[urls["/ok"]]["status"], by_url[urls["/ok"]]["outcome"]) == (200, "ok")
    assert (by_url[urls["/missing"]]["status"], by_url[urls["/missing"]]["outcome"]) == (
        404,
        "broken",
    )
    old = by_url[urls["/old"]]
    assert (old["status"], old["outcome"], old["final_url"]) == (200, "redirected", urls["/ok"])
    assert old["redirects"] == [{"status": 301, "location": urls["/ok"]}]
    nohead = by_url[urls["/nohead"]]
    assert (nohead["status"], nohead["method"]) == (200, "GET")
    assert audit["summary"]["findings"]["broken_links"] == 1
    assert "broken     404" in render_text(audit)


def test_link_check_reports_connection_errors(local_server: str):
    # a port on 127.0.0.1 where nothing listens: an error, never an exception
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    port = server.server_address[1]
    server.server_close()
    result = probe_link(f"http://127.0.0.1:{port}/gone", timeout=2)
    assert result["outcome"] == "error" and result["status"] is None and result["error"]
    assert probe_link("ftp://127.0.0.1/x")["outcome"] == "error"


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------


class _Collector(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if "id" in a:
            self.ids.add(a["id"])


def test_html_is_self_contained(bundled_audit):
    page = render_html(bundled_audit)
    c = _Collector()
    c.feed(page)
    assert {"summary", "chart-levels", "chart-kinds", "t-claims", "t-sources", "t-uncited"} <= (
        c.ids
    )
    # no network: no external script, style sheet, image or font
    assert not [t for t, a in c.tags if t in ("script", "img", "iframe") and a.get("src")]
    assert not [t for t, a in c.tags if t == "link"]
    assert "@import" not in page and "url(" not in page
    hrefs = {a["href"] for t, a in c.tags if t == "a" and "src" in (a.get("class") or "")}
    assert NIST_PDF in hrefs and "https://pr.tsmc.com/english/news/3169" in hrefs
    assert "德国为台积电在德累斯顿地区的新芯片工厂提供 50亿欧元" in page


def test_html_escapes_what_the_report_says():
    """Text from a report, an entity table or a URL is data, never markup: the templates
    autoescape it, quotes included (inside attributes as well as text)."""
    hostile = "<script>alert('x')</script> & \"q\""
    url = "https://example.org/a?b=1&c='x'"
    store = make_store(
        passage("p1", 1, hostile.replace('"', '\\"'), sources=(url,))
        + claim("c1", "acme", "funds", "beta", "p1", sources=(url,))
        + source(url, "media"),
        entity("acme", "Company", "Acme <b>Corp</b>", "阿克'美")
        + entity("beta", "Company", "Beta"),
    )
    page = render_html(run_audit(store))
    assert "<script>alert" not in page and "<b>Corp" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;q&quot;" in page
    assert "Acme &lt;b&gt;Corp&lt;/b&gt;" in page and "阿克&#x27;美" in page
    assert 'href="https://example.org/a?b=1&amp;c=&#x27;x&#x27;"' in page
    c = _Collector()
    c.feed(page)
    assert [t for t, _ in c.tags].count("script") == 1  # only the page's own sorting script


def test_the_audit_package_builds_no_markup_in_python():
    """The page comes from the templates: no Python module of the audit writes HTML tags."""
    package = ROOT / "src" / "chipkg" / "check" / "audit"
    tag = re.compile(r"</?(html|body|div|table|tr|td|th|span|section|svg|a|p|h[1-6])[\s>]")
    assert not {p.name for p in package.glob("*.py") if tag.search(p.read_text("utf-8"))}
    assert (package / "templates" / "audit.html.j2").exists()


def _chromium() -> str | None:
    for candidate in (shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--no-pings",
]
# Requests Chromium makes on its own (time, component and account services) whatever page it
# shows; everything else a page asks for counts as the page fetching from the network.
BROWSER_OWN_HOSTS = {
    "clients2.google.com",
    "update.googleapis.com",
    "accounts.google.com",
    "www.google.com",  # Chromium 150 probes it at start, whatever the page
    "android.clients.google.com",  # its push-messaging check-in, now and then, whatever the page
}


class _RecordingProxy(BaseHTTPRequestHandler):
    """Stands in for the network: Chromium sends every request here, and each is refused."""

    seen: list[str]

    def _refuse(self) -> None:
        self.seen.append(f"{self.command} {self.path}")
        self.send_response(403)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_HEAD = do_POST = do_CONNECT = _refuse

    def log_message(self, *args) -> None:
        pass


def chromium_offline(url: str, profile: Path, *extra: str) -> tuple[str, list[str]]:
    """Open ``url`` in headless Chromium with no network: every request goes to a proxy on
    127.0.0.1 that refuses it. Returns stdout and the requests the page made (host or URL)."""
    seen: list[str] = []
    handler = type("Proxy", (_RecordingProxy,), {"seen": seen})
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        result = subprocess.run(
            [
                _chromium(),
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                f"--proxy-server=http://127.0.0.1:{proxy.server_address[1]}",
                "--proxy-bypass-list=<-loopback>",
                "--virtual-time-budget=3000",
                *extra,
                url,
            ],
            capture_output=True,
            text=True,
            timeout=90,
        )
    finally:
        proxy.shutdown()
        proxy.server_close()
        thread.join(timeout=5)

    def host(request: str) -> str | None:  # "GET http://host/path" or "CONNECT host:443"
        target = request.split(" ", 1)[1]
        return urlsplit(target).hostname if "://" in target else target.rsplit(":", 1)[0]

    return result.stdout, [r for r in seen if host(r) not in BROWSER_OWN_HOSTS]


needs_chromium = pytest.mark.skipif(
    _chromium() is None, reason="no chromium (/usr/bin/chromium or on PATH)"
)


@needs_chromium
def test_offline_chromium_sees_a_page_that_fetches(tmp_path: Path):
    """The control for the check below: a page with an external style sheet, image and fetch
    is caught asking for all three."""
    page = tmp_path / "control.html"
    page.write_text(
        '<!DOCTYPE html><html><head><link rel="stylesheet" href="https://fonts.example.com/a.css">'
        '</head><body><img src="http://img.example.org/pixel.png">'
        "<script>fetch('http://api.example.net/x').catch(function () {});</script></body></html>",
        encoding="utf-8",
    )
    _, requests = chromium_offline(page.as_uri(), tmp_path / "profile", "--dump-dom")
    assert sorted(requests) == [
        "CONNECT fonts.example.com:443",
        "GET http://api.example.net/x",
        "GET http://img.example.org/pixel.png",
    ]


@needs_chromium
def test_html_in_headless_chromium(bundled_audit, tmp_path: Path):
    page = tmp_path / "audit.html"
    page.write_text(render_html(bundled_audit), encoding="utf-8")
    dom, requests = chromium_offline(page.as_uri(), tmp_path / "profile", "--dump-dom")
    assert requests == []  # self-contained: the page asks the network for nothing
    assert '<section id="summary">' in dom
    assert '<svg id="chart-levels"' in dom and '<svg id="chart-kinds"' in dom
    sentence_level = bundled_audit["coverage"]["claims"]["by_level"]["sentence"]
    assert f'data-label="cited in the sentence" data-value="{sentence_level}"' in dom
    # the sort script ran: every sortable table was wired up, the sources table sorted by claims
    assert 'data-sortable-tables="' in dom
    n = int(dom.split('data-sortable-tables="')[1].split('"')[0])
    assert n == dom.count('class="sortable"') >= 10
    sources_table = dom.split('id="t-sources"')[1].split("</table>")[0]
    assert 'aria-sort="descending"' in sources_table
    claims_table = dom.split('id="t-claims"')[1].split("</table>")[0]
    assert claims_table.count("<tr>") == 1 + len(bundled_audit["claims"])
    assert f'href="{NIST_PDF}"' in claims_table
    assert "德国为台积电在德累斯顿地区的新芯片工厂提供 50亿欧元" in claims_table
    # a screenshot, also taken offline; CHIPKG_UPDATE_SCREENSHOT=1 writes it to docs/audit.png
    shot = tmp_path / "audit.png"
    _, requests = chromium_offline(
        page.as_uri(),
        tmp_path / "profile2",
        f"--screenshot={shot}",
        "--window-size=1400,1800",
        "--hide-scrollbars",
    )
    assert requests == []
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("CHIPKG_UPDATE_SCREENSHOT"):
        shutil.copy(shot, ROOT / "docs" / "audit.png")


class _Cells(html.parser.HTMLParser):
    """The text of every cell of one table, row by row, as the browser left it."""

    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id, self.inside, self.rows, self.cell = table_id, False, [], None
        self.head: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "table":
            self.inside = a.get("id") == self.table_id
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = [a.get("data-sort"), ""]
            if tag == "th":
                self.head.append(a.get("aria-sort"))

    def handle_endtag(self, tag: str) -> None:
        if self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(self.cell)
            self.cell = None
        elif tag == "table":
            self.inside = False

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell[1] += data


def _sort_key(cell: list) -> tuple:
    """The page script's key: data-sort or the text; numbers before text, text lower-cased."""
    value = cell[0] if cell[0] is not None else cell[1].strip()
    try:
        return (0, float(value), "")
    except ValueError:
        return (1, 0.0, value.lower())


@needs_chromium
@pytest.mark.parametrize(
    ("table", "column", "direction"),
    [
        ("t-claims", 0, "desc"),  # page, numbers
        ("t-claims", 1, "asc"),  # subject, text with its Chinese label
        ("t-claims", 5, "asc"),  # citation level, ordered by data-sort
        ("t-sources", 0, "asc"),  # URL
        ("t-sources", 6, "asc"),  # claims: the table opens sorted descending, one more click
    ],
)
def test_clicking_a_header_sorts_the_table(bundled_audit, tmp_path, table, column, direction):
    """audit.html#sort=TABLE:COLUMN:DIR clicks the header (once, or twice for the other
    direction) when the page opens; the rows Chromium leaves must be in that order."""
    page = tmp_path / "audit.html"
    page.write_text(render_html(bundled_audit), encoding="utf-8")
    dom, requests = chromium_offline(
        f"{page.as_uri()}#sort={table}:{column}:{direction}", tmp_path / "profile", "--dump-dom"
    )
    assert requests == []
    cells = _Cells(table)
    cells.feed(dom)
    head, *rows = cells.rows
    assert cells.head[column] == ("ascending" if direction == "asc" else "descending")
    assert [h for i, h in enumerate(cells.head) if i != column] == ["none"] * (len(head) - 1)
    keys = [_sort_key(r[column]) for r in rows]
    assert keys == sorted(keys, reverse=direction == "desc")
    assert len(set(keys)) > 1  # the column really has different values to order
    # the rows are the same rows, only reordered
    original = _Cells(table)
    original.feed(render_html(bundled_audit))
    assert sorted(map(str, rows)) == sorted(map(str, original.rows[1:]))


def test_audit_command_writes_json_and_html(built_project, tmp_path):
    import json as _json

    from click.testing import CliRunner

    from chipkg.cli import cli

    run = CliRunner().invoke
    r = run(cli, ["--project", str(built_project), "audit", "--format", "json"])
    assert r.exit_code == 0, r.output
    assert "coverage" in _json.loads(r.stdout)
    out = tmp_path / "audit.html"
    r = run(cli, ["--project", str(built_project), "audit", "--format", "html", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert out.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
