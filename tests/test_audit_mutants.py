"""How concentrated the claims are on few sources, in each band (issue 21): the bundled report's
HHI (0.139) sits just under the moderate threshold, so swapping the bands went through the suite.
Small synthetic graphs (the helpers of tests/test_audit.py) with a chosen number of claims per
source, through the whole audit; every expected figure is worked out by hand below."""

from __future__ import annotations

import pytest

from chipkg.check.audit import render_text, run_audit
from chipkg.check.audit.model import THRESHOLDS

from .test_audit import claim, entity, make_store, passage, source


def url(i: int) -> str:
    return f"https://gov.example.org/press/{i:02d}"


def audit_of(claims_per_source: list[int], uncited: int = 0, both: int = 0) -> dict:
    """One passage per source, ``claims_per_source[i]`` claims resting on source i, ``uncited``
    claims resting on none, and ``both`` claims resting on the first two sources."""
    report, ents = "", entity("acme", "Company", "Acme") + entity("beta", "Company", "Beta")
    for i, n in enumerate(claims_per_source):
        report += source(url(i), "government") + passage(f"p{i}", i + 1, f"句子{i}。", (url(i),))
        for j in range(n):
            report += claim(f"c{i}x{j}", "acme", "funds", "beta", f"p{i}", (url(i),))
    report += passage("pu", 50, "没有出处。")
    for j in range(uncited):
        report += claim(f"u{j}", "acme", "develops", "beta", "pu")
    if both:
        report += passage("pb", 60, "两个出处。", (url(0), url(1)))
    for j in range(both):
        report += claim(f"b{j}", "beta", "funds", "acme", "pb", (url(0), url(1)))
    return run_audit(make_store(report, ents))


def test_the_thresholds_are_the_merger_guidelines_bands():
    th = THRESHOLDS["concentration"]
    assert (th["hhi_moderate"], th["hhi_high"]) == (0.15, 0.25)


@pytest.mark.parametrize(
    ("per_source", "hhi", "points", "equivalent", "reading"),
    [
        ([3], 1.0, 10000, 1.0, "highly concentrated"),
        ([2, 1, 1], 0.375, 3750, 2.67, "highly concentrated"),  # (4+1+1)/16
        ([1, 1, 1, 1], 0.25, 2500, 4.0, "highly concentrated"),  # exactly on the high band
        ([1, 1, 1, 1, 1], 0.2, 2000, 5.0, "moderately concentrated"),
        ([4, 3, 3, 3, 3, 2, 2], 0.15, 1500, 6.67, "moderately concentrated"),  # 60/400 exactly
        ([1, 1, 1, 1, 1, 1, 1], 0.1429, 1429, 7.0, "unconcentrated"),
        ([1] * 10, 0.1, 1000, 10.0, "unconcentrated"),
    ],
)
def test_each_band(per_source, hhi, points, equivalent, reading):
    conc = audit_of(per_source)["sources"]["concentration"]
    links = sum(per_source)
    assert conc["hhi"] == hhi
    assert conc["hhi_points"] == points
    assert conc["equivalent_sources"] == equivalent
    assert conc["reading"] == reading
    assert conc["claims"] == conc["claims_with_source"] == conc["claim_source_links"] == links
    assert conc["top_source"] == url(0)  # the most used; ties go to the first URL
    assert conc["top_source_claims"] == per_source[0]
    assert conc["top_source_share"] == round(per_source[0] / links, 4)
    assert conc["top5_share"] == round(sum(sorted(per_source, reverse=True)[:5]) / links, 4)
    sources = sum(1 for n in per_source if n)
    assert conc["reasoning"].startswith(
        f"HHI = sum of squared shares of the {links} claim–source links "
        f"({links} cited claims over {sources} sources); {hhi} reads as {reading} "
        "(moderate from 0.15, high from 0.25, the 1500/2500-point bands of the 2010 US merger "
        "guidelines). "
        f"The top source carries {per_source[0]} of {links} cited claims "
    )


def test_uncited_claims_and_claims_on_two_sources():
    # 2 claims on source 0, 1 on source 1, 2 on both, 3 on none: links 2+2=4 and 1+2=3 (7),
    # HHI = (16 + 9) / 49; top source 0 carries 4 of the 5 cited claims; 5 of 8 have a source
    conc = audit_of([2, 1], uncited=3, both=2)["sources"]["concentration"]
    assert (conc["claims"], conc["claims_with_source"], conc["claim_source_links"]) == (8, 5, 7)
    assert conc["hhi"] == round(25 / 49, 4) and conc["reading"] == "highly concentrated"
    assert (conc["top_source"], conc["top_source_claims"]) == (url(0), 4)
    assert conc["top_source_share"] == 0.8
    assert conc["top5_share"] == 1.0  # every cited claim rests on one of the top five
    assert conc["reasoning"].endswith("The top source carries 4 of 5 cited claims (80%).")


def test_no_claim_on_any_source():
    conc = audit_of([], uncited=2)["sources"]["concentration"]
    assert conc["reading"] == "no claim rests on a source"
    assert (conc["hhi"], conc["hhi_points"], conc["equivalent_sources"]) == (0, 0, 0.0)
    assert (conc["top_source"], conc["top_source_claims"], conc["top_source_share"]) == (None, 0, 0)
    assert conc["reasoning"].endswith("guidelines). ")


def test_the_text_report_says_the_band():
    text = render_text(audit_of([1, 1, 1, 1, 1]))
    assert "HHI 0.2 (2000 points, moderately concentrated" in text


# ---------------------------------------------------------------------------------------------
# Survivors of `make mutate MODULE=audit` (docs/testing.md): every figure of a source's row and
# of the over-citation rows, on graphs small enough to work out by hand.

GOV, GOV2 = "https://gov.example.org/press/01", "https://gov.example.org/press/02"
NEWS, THINK = "https://news.example.com/a", "https://think.example.org/x"
SHOP = "https://co.example.com/newsroom/item"
E = "https://w3id.org/chipkg/id/entity/"
BASE = "https://think.example.org/analysis/"


def footnote(fid: str, number: int, page: int | None, url: str) -> str:
    on_page = f" ckg:onPage s:page{page} ;" if page else ""
    return (
        f"s:{fid} a ckg:Footnote ; ckg:footnoteNumber {number} ;{on_page}"
        f" ckg:lineNumber {number * 10} ; ckg:cites <{url}> .\n"
    )


def test_every_figure_of_each_source_row():
    report = (
        source(GOV, "government", "Ministry", "gov.example.org")
        + source(GOV2, "government", domain="gov.example.org")
        + source(NEWS, "media", domain="news.example.com")
        + source(THINK, "thinktank", domain="think.example.org")
        + source(SHOP, "company", domain="co.example.com")
        + passage("p1", 1, "甲资助乙。", (GOV,))
        + passage("p2", 3, "乙研发丙。", (GOV, NEWS), level="paragraph")
        + passage("p3", 3, "甲。", (GOV,), level="lead")
        + passage("p4", 4, "丁。", (GOV2,))
        + passage("p5", 7, "全文。", (THINK,), level="lead")
        + claim("c1", "acme", "funds", "beta", "p1", (GOV,))
        + claim("c2", "beta", "develops", "widget", "p2", (GOV, NEWS), level="paragraph")
        + claim("c3", "acme", "launches", None, "p2", (NEWS,), level="paragraph")
        + claim("c4", "acme", "funds", "beta", "p4", (GOV2,))
        + footnote("fn2", 2, 5, GOV)  # a page with no passage of this source
        + footnote("fn1", 1, 1, GOV)
        + footnote("fn3", 3, None, GOV)  # printed without a page: first
        + "s:page1 a ckg:Page ; ckg:pageNumber 1 .\ns:page5 a ckg:Page ; ckg:pageNumber 5 .\n"
    )
    ents = (
        entity("acme", "Company", "Acme")
        + entity("beta", "Company", "Beta")
        + entity("widget", "Technology", "Widget")
    )
    src = run_audit(make_store(report, ents))["sources"]
    assert src["total"] == 5
    assert src["by_kind"] == {
        "government": 2, "company": 1, "thinktank": 1, "media": 1, "academic": 0, "other": 0,
    }  # fmt: skip
    assert src["claims_by_kind"] == {
        "government": 3, "company": 0, "thinktank": 0, "media": 2, "academic": 0, "other": 0,
    }  # fmt: skip
    assert (src["with_claims"], src["without_claims"]) == (3, 2)
    # most claims first; GOV and NEWS both carry two: GOV has more passages
    assert [s["url"] for s in src["items"]] == [GOV, NEWS, GOV2, THINK, SHOP]
    gov, news, _gov2, think, shop = src["items"]
    assert gov == {
        "url": GOV,
        "reports": ["synth"],
        "domain": "gov.example.org",
        "kind": "government",
        "publisher": {"en": "Ministry", "zh": None},
        "footnotes": ["pNone fn3", "p1 fn1", "p5 fn2"],
        "pages": [1, 3, 5],
        "passages": 3,
        "passages_by_level": {"sentence": 1, "paragraph": 1, "lead": 1},
        "claims": 2,
        "subjects": 2,  # acme, beta
        "objects": 2,  # beta, widget
    }
    assert (news["passages"], news["claims"], news["subjects"], news["objects"]) == (1, 2, 2, 1)
    assert news["passages_by_level"] == {"sentence": 0, "paragraph": 1, "lead": 0}
    assert (news["footnotes"], news["pages"]) == ([], [3])
    assert think["passages_by_level"] == {"sentence": 0, "paragraph": 0, "lead": 1}
    assert (think["pages"], think["claims"], think["subjects"]) == ([7], 0, 0)
    assert (shop["passages"], shop["pages"], shop["claims"]) == (0, [], 0)


def test_a_passage_cited_twice_by_one_source_counts_once_at_its_best_level():
    report = (
        source(GOV, "government")
        + passage("p1", 1, "甲资助乙。", (GOV,), level="lead")
        + "s:p1 prov:qualifiedDerivation s:p1-better .\n"
        f"s:p1-better a ckg:Citation ; prov:entity <{GOV}> ; ckg:citationLevel ckg:SentenceLevel .\n"
        + passage("p2", 2, "乙。", (GOV,), level="paragraph")
        + "s:p2 prov:qualifiedDerivation s:p2-worse .\n"
        f"s:p2-worse a ckg:Citation ; prov:entity <{GOV}> ; ckg:citationLevel ckg:LeadLevel .\n"
    )
    [gov] = run_audit(make_store(report))["sources"]["items"]
    assert gov["passages"] == 2
    assert gov["passages_by_level"] == {"sentence": 1, "paragraph": 1, "lead": 0}


def over_citation_graph() -> dict:
    """Three flagged sources and the rows around them:

    * a-wide: pages 1–4, nine organisations (co9 only as the object of a sentence-level claim;
      co10 only through a lead-level claim, not counted), four technology families, two claims
      counted;
    * b-wide: pages 1–3 (the minimum), eight organisations (no ' …') and nine families (' …');
    * d-wide: pages 1–3, four organisations and eight families (no ' …');
    * c-near: pages 1–3 and four organisations but three families: not flagged;
    * a-wide's publisher, named in its sentences, is not one of its organisations;
    * nine one-organisation sources, one of them on two pages; one source nothing rests on."""
    report = source(BASE + "a-wide", "thinktank", "Think Tank") + source(BASE + "c-near", "media")
    report += source(BASE + "b-wide", "thinktank") + source(BASE + "d-wide", "thinktank")
    ents = entity("tt", "ThinkTank", "Think Tank")
    for i in range(1, 11):
        ents += entity(f"co{i}", "Company", f"Company {i}")
        ents += entity(f"t{i}", "Technology", f"T{i}", extra=f"skos:broader e:root{i}")
        ents += entity(f"root{i}", "Technology", f"Family {i}")
    mentions = {
        "a-wide": [("co1", "co2", "t1", "tt"), ("co3", "co4", "t2"), ("co5", "co6", "t3"),
                   ("co7", "co8", "t4")],
        "b-wide": [("co1", "co2", "co3", "t1", "t2", "t3"), ("co4", "co5", "t4", "t5", "t6"),
                   ("co6", "co7", "co8", "t7", "t8", "t9")],
        "d-wide": [("co1", "t1", "t2", "t3"), ("co2", "t4", "t5", "t6"),
                   ("co3", "co4", "t7", "t8")],
        "c-near": [("co1", "t1"), ("co2", "t2"), ("co3", "co4", "t3")],
    }  # fmt: skip
    for name, passages in mentions.items():
        for i, named in enumerate(passages):
            report += passage(f"{name}{i}", i + 1, f"句{i}。", (BASE + name,), mentions=named)
    a = (BASE + "a-wide",)
    report += claim("ca1", "co1", "funds", "co9", "a-wide0", a)
    report += claim("ca2", "co10", "develops", "t1", "a-wide0", a, level="lead")
    report += claim("ca3", "co2", "launches", None, "a-wide1", a)
    for i in range(1, 10):
        near = f"https://news.example.com/n{i}"
        report += source(near, "media") + passage(
            f"n{i}", 9, f"丁{i}。", (near,), mentions=("co1",)
        )
    report += passage("n1b", 10, "丁。", ("https://news.example.com/n1",), mentions=("co1",))
    report += source("https://news.example.com/unused", "media")
    return run_audit(make_store(report, ents))["sources"]["over_citation"]


def test_over_citation_rows_in_full():
    oc = over_citation_graph()
    # most organisations and families first: 17, 13, 12
    assert [r["url"] for r in oc["flagged"]] == [BASE + n for n in ("b-wide", "a-wide", "d-wide")]
    b, a, d = oc["flagged"]
    assert {k: v for k, v in a.items() if k != "reasoning"} == {
        "url": BASE + "a-wide",
        "kind": "thinktank",
        "publisher": {"en": "Think Tank", "zh": None},
        "passages": 4,
        "pages": [1, 2, 3, 4],
        "sections": 1,
        "claims": 2,  # the lead-level claim is not counted
        "organisations": [
            {"id": f"{E}co{i}", "en": f"Company {i}", "zh": ""} for i in range(1, 10)
        ],
        "technology_families": [
            {"id": f"{E}root{i}", "en": f"Family {i}", "zh": ""} for i in (1, 2, 3, 4)
        ],
    }
    assert a["reasoning"] == (
        "cited for 4 passages on 4 pages (1, 2, 3, 4) in 1 sections; those sentences and the "
        "claims resting on it name 9 organisations (Company 1, Company 2, Company 3, Company 4, "
        "Company 5, Company 6, Company 7, Company 8 …) and 4 technology families (Family 1, "
        "Family 2, Family 3, Family 4). One document rarely supports all of these: thresholds "
        "≥3 pages, ≥4 organisations and ≥4 technology families. Check that the document says "
        "what each sentence claims."
    )
    assert b["reasoning"].startswith(
        "cited for 3 passages on 3 pages (1, 2, 3) in 1 sections; those sentences and the claims "
        "resting on it name 8 organisations (Company 1, Company 2, Company 3, Company 4, Company "
        "5, Company 6, Company 7, Company 8) and 9 technology families (Family 1, Family 2, Family "
        "3, Family 4, Family 5, Family 6, Family 7, Family 8 …). One document"
    )
    assert d["reasoning"].startswith(
        "cited for 3 passages on 3 pages (1, 2, 3) in 1 sections; those sentences and the claims "
        "resting on it name 4 organisations (Company 1, Company 2, Company 3, Company 4) and 8 "
        "technology families (Family 1, Family 2, Family 3, Family 4, Family 5, Family 6, Family "
        "7, Family 8). One document"
    )
    assert oc["thresholds"] == THRESHOLDS["over_citation"]
    assert oc["rule"] == (
        "a source is flagged when the sentences it supports (in the sentence or through "
        "paragraph scope; an article's lead source is meant to cover the whole article and is "
        "not counted) and the claims resting on it are spread over at least 3 pages and name at "
        "least 4 organisations other than the publisher and at least 4 technology families (a "
        "technology's family is the top concept above it in the SKOS hierarchy: HBM → DRAM → "
        "memory → integrated circuits)"
    )
    breadth = [(r["url"].rsplit("/", 1)[1], r["pages"], r["organisations"],
                r["technology_families"]) for r in oc["breadth"]]  # fmt: skip
    assert breadth == [
        ("b-wide", 3, 8, 9),
        ("a-wide", 4, 9, 4),
        ("d-wide", 3, 4, 8),
        ("c-near", 3, 4, 3),
        ("n1", 2, 1, 0),  # two pages before one
        *((f"n{i}", 1, 1, 0) for i in range(2, 7)),  # the first ten only
    ]
