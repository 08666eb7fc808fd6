"""The provenance audit (issue 6): exact findings on the bundled report, one small synthetic graph
per check that must flag something, the link check against a local HTTP server only, and the HTML
page in headless Chromium."""

from __future__ import annotations

import html.parser
import json
import os
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from chipkg.audit import probe_link, render_html, render_text, run_audit, to_json, url_key
from chipkg.cli import cli
from chipkg.errors import ChipkgError
from chipkg.store import open_store

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
    }
    assert bundled_audit["links"]["checked"] is False


def test_bundled_coverage(bundled_audit):
    cov = bundled_audit["coverage"]
    # the same numbers as the build summary (README): 89 + 56 + 187 + 164 = 496 passages
    assert cov["passages"]["total"] == 496
    assert cov["passages"]["by_level"] == {
        "sentence": 89,
        "paragraph": 56,
        "lead": 187,
        "none": 164,
    }
    assert cov["claims"]["total"] == 99
    assert cov["claims"]["cited"] == 95
    assert cov["claims"]["by_level"] == {"sentence": 68, "paragraph": 11, "lead": 16, "none": 4}
    assert len(cov["by_article"]) == 10
    assert sum(a["passages"]["total"] for a in cov["by_article"]) == 496
    assert sum(r["passages"]["total"] for r in cov["by_section"]) == 496
    assert sum(r["claims"]["total"] for r in cov["by_section"]) == 99
    # the DOE quantum roadmap article (page 27) has no footnote at all
    [unsourced] = cov["articles_without_sources"]
    assert (unsourced["number"], unsourced["page"], unsourced["passages"]) == (8, 27, 97)
    assert unsourced["title"] == "美国能源部发布《量子信息科学应用路线图》"
    uncited = [
        (c["page"], c["line"], c["subject"]["en"], c["relation"]["en"])
        for c in cov["uncited_claims"]
    ]
    assert uncited == [
        (7, 320, "Applied Materials", "develops"),
        (7, 320, "Applied Materials", "develops"),
        (7, 324, "imec", "develops"),
        (27, 1383, "U.S. Department of Energy", "launches or announces"),
    ]
    assert cov["uncited_claims"][2]["text"].startswith("IMEC在 300mm CMOS平台上制造超导量子比特")


def test_bundled_sources_and_concentration(bundled_audit):
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
    assert (src["with_claims"], src["without_claims"]) == (43, 25)
    top = src["items"][0]
    assert top["url"] == NIST_PDF
    assert (top["claims"], top["subjects"], top["objects"]) == (15, 7, 13)
    assert top["publisher"] == {
        "en": "National Institute of Standards and Technology",
        "zh": "美国国家标准与技术研究院",
    }
    csis = next(s for s in src["items"] if s["url"] == CSIS)
    assert len(csis["footnotes"]) == 16 and csis["claims"] == 0
    conc = src["concentration"]
    assert conc["top_source"] == NIST_PDF
    assert (conc["claims_with_source"], conc["claim_source_links"]) == (95, 99)
    assert conc["top_source_share"] == round(15 / 95, 4)
    assert conc["hhi"] == pytest.approx(0.0511, abs=1e-4)
    assert conc["reading"] == "unconcentrated"


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
    assert gov == [
        (2, "Germany", "funds", "TSMC", ["https://pr.tsmc.com/english/news/3169"]),
        (
            3,
            "France",
            "funds",
            "FD-SOI pilot line at CEA-Leti (FAMES)",
            ["https://www.eetimes.eu/cea-leti-discloses-details-of-e830m-pilot-line-for-europe/"],
        ),
        (
            3,
            "Netherlands",
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
    ]
    mismatch = [
        (r["page"], r["severity"], r["subject"]["en"], r["object"]["en"], r["publisher"]["en"])
        for r in fit["publisher_mismatch"]
    ]
    assert mismatch == [
        (6, "possible", "Synopsys", "AI-driven EDA", "Intel"),
        (9, "likely", "United States", "Amkor Technology", "Apple"),
    ]
    assert "also names Apple" in fit["publisher_mismatch"][1]["reasoning"]


def test_bundled_consistency_and_hygiene(bundled_audit):
    con = bundled_audit["consistency"]
    assert con["conflicts"] == []
    [rep] = con["repeated_consistent"]
    assert (rep["subject"]["en"], rep["relation"]["en"], rep["object"]["en"]) == (
        "CHIPS Program Office",
        "funds",
        "Intel",
    )
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
    assert bundled_audit["summary"]["findings"] == {
        "uncited_claims": 4,
        "articles_without_sources": 1,
        "over_cited_sources": 1,
        "government_action_weak_sources": 4,
        "publisher_mismatch": 2,
        "consistency_conflicts": 0,
        "dangling_markers": 0,
        "orphan_footnotes": 0,
        "duplicate_footnotes": 6,
        "near_duplicate_urls": 0,
        "malformed_urls": 0,
        "landing_pages": 1,
        "broken_links": None,
    }


def test_bundled_text(bundled_audit):
    text = render_text(bundled_audit)
    assert "claims      99  cited 95 (96%)" in text
    assert f"top source: 15 of 95 cited claims (16%) — {NIST_PDF}" in text
    assert "p2 footnotes 4, 6:" in text and "p4 footnotes 1, 2, 3:" in text
    assert "Germany —funds→ TSMC" in text
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
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.mark.skipif(_chromium() is None, reason="no chromium (/usr/bin/chromium or on PATH)")
def test_html_in_headless_chromium(bundled_audit, tmp_path: Path):
    page = tmp_path / "audit.html"
    page.write_text(render_html(bundled_audit), encoding="utf-8")
    base = [_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run(
        [*base, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=60
    ).stdout
    assert '<section id="summary">' in dom
    assert '<svg id="chart-levels"' in dom and '<svg id="chart-kinds"' in dom
    assert 'data-label="cited in the sentence" data-value="68"' in dom
    # the sort script ran: every sortable table was wired up, the sources table sorted by claims
    assert 'data-sortable-tables="' in dom
    n = int(dom.split('data-sortable-tables="')[1].split('"')[0])
    assert n == dom.count('class="sortable"') >= 10
    sources_table = dom.split('id="t-sources"')[1].split("</table>")[0]
    assert 'aria-sort="descending"' in sources_table
    claims_table = dom.split('id="t-claims"')[1].split("</table>")[0]
    assert claims_table.count("<tr>") == 1 + 99
    assert f'href="{NIST_PDF}"' in claims_table
    # a screenshot; CHIPKG_UPDATE_SCREENSHOT=1 writes it to docs/audit.png
    shot = tmp_path / "audit.png"
    subprocess.run(
        [*base, f"--screenshot={shot}", "--window-size=1400,1800", page.as_uri()],
        capture_output=True,
        timeout=60,
    )
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("CHIPKG_UPDATE_SCREENSHOT"):
        shutil.copy(shot, ROOT / "docs" / "audit.png")


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
