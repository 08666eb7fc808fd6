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


def test_no_claim_on_any_source():
    conc = audit_of([], uncited=2)["sources"]["concentration"]
    assert conc["reading"] == "no claim rests on a source"
    assert (conc["hhi"], conc["hhi_points"], conc["equivalent_sources"]) == (0, 0, 0.0)
    assert (conc["top_source"], conc["top_source_claims"], conc["top_source_share"]) == (None, 0, 0)
    assert conc["reasoning"].endswith("guidelines). ")


def test_the_text_report_says_the_band():
    text = render_text(audit_of([1, 1, 1, 1, 1]))
    assert "HHI 0.2 (2000 points, moderately concentrated" in text
