"""The whole bundled report, end to end. Every expected value here was checked by reading
graph/sources/ic-landscape-2024.txt page by page."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from urllib.parse import urlsplit

R = "1-2"  # for readability below
# page -> markers as printed, in order (pages absent here have no markers and no footnotes)
EXPECTED_MARKERS = {
    1: ["1", "2", "3", "4"],
    2: ["1", "2", "3", "4", "5", "6", "7"],  # "NSF FuSe2）" is a name, not marker 2
    3: [R, "3", "4-5", "6", "7", "8", "9", "10", "11"],  # "工厂4-" / blank / "5。"
    4: ["1", "2", "3", "4"],
    5: ["1", "23", "4", "5", "6", "7"],  # "解决方案23。" cites footnotes 2 and 3
    6: ["1", "2", "3", "4", "5", "6", "7"],
    7: ["1", "2", "3", "4"],
    8: ["1", "2", "3", "4"],
    9: ["1", "2", "3", "4", "5", "6", "7"],
    10: ["1", "2", "3", "4", "5"],
    11: ["1", "2", "3", "4", "5", "6", "7", "8"],
    12: ["1", "2", "3", "4", "5", "6"],
    13: ["1", "2", "3", "4", "5", "6"],
    14: ["1"],
    15: ["1", "2", "3"],
    16: ["1"],
    17: ["1", "2", "3"],
    18: ["1", "2"],
    19: ["1"],
    20: ["1", "2"],
    32: ["1"],
}
EXPECTED_FOOTNOTES = {
    p: max(int(x) for m in ms for x in re.findall(r"\d+", m) if int(x) < 12)
    for p, ms in EXPECTED_MARKERS.items()
}
EXPECTED_FOOTNOTES[5] = 7


def test_pages_footnotes_and_markers_per_page(bundled):
    report, cites = bundled
    assert len(report.pages) == 34
    got_markers = {}
    for m in report.markers:
        got_markers.setdefault(m.page, []).append(m.printed)
    assert got_markers == EXPECTED_MARKERS
    got_fns = Counter(f.page for f in report.footnotes)
    assert dict(got_fns) == EXPECTED_FOOTNOTES
    assert sum(got_fns.values()) == 94
    # every footnote is used exactly by the markers of its own page, in order
    for mk, fns in cites.marker_footnotes:
        assert all(f.page == mk.page for f in fns)
        assert [f.number for f in fns] == list(mk.numbers)
    assert not [m for m in report.markers if m.dangling]
    warnings = [f for f in list(report.findings) + list(cites.findings) if f.severity == "warning"]
    assert warnings == []
    kinds = Counter(f.kind for f in list(report.findings) + list(cites.findings))
    # the only notes: FuSe2 and "N4、" read as names, and the explanatory footnote on page 20
    assert kinds == {"number-not-marker": 2, "text-footnote": 1}


def url_of(cites, page: int, printed: str) -> list[str]:
    mk, fns = next(
        (m, f) for m, f in cites.marker_footnotes if m.page == page and m.printed == printed
    )
    return [u for f in fns for u in f.urls]


def test_tricky_markers_resolve_to_the_right_urls(bundled):
    _, cites = bundled
    assert url_of(cites, 1, "1") == [
        "https://www.commerce.gov/news/press-releases/2024/07/"
        "biden-harris-administration-invest-16-billion-establish-and-accelerate"
    ]
    assert url_of(cites, 3, "1-2") == [
        "https://www.csis.org/analysis/imec-world-leading-cooperative-research-center-microelectronics",
        "https://www.defense.gov/News/Releases/Release/Article/3942126/"
        "dod-german-ministry-of-defence-enter-into-security-of-supply-arrangement/",
    ]
    assert url_of(cites, 3, "4-5") == [
        "https://www.euronews.com/business/2024/05/31/"
        "stmicroelectronics-gets-2-billion-grant-as-eu-ramps-up-chipmaking",
        "https://www.eetimes.eu/europe-is-convincingly-pursuing-a-path-to-semiconductor-sovereignty/",
    ]
    motie = (
        "http://english.motie.go.kr/en/pc/pressreleases/bbs/bbsView.do?bbs_seq_n=1642"
        "&bbs_cd_n=2&currentPage=9&search_key_n=&search_val_v=&cate_n="
    )
    assert url_of(cites, 3, "10") == [motie]
    assert url_of(cites, 7, "3") == [motie]
    assert url_of(cites, 5, "23") == [
        "https://research.samsung.com/news/Samsung-Electronics-Hosts-Samsung-AI-Forum-2024",
        "https://www.chosun.com/english/industry-en/2024/11/06/LNZGR35HJJD4DMR67EMQYICDIE/",
    ]
    assert url_of(cites, 7, "1")[0].endswith(
        "4d79f57caff7dcda96f679541a9be6f8&chksm=ebabc9cf0ae7b84749e010fa4d9e8c8ffc01dbe4a47ecc3b"
        "fb0fb38d98ea7e02a339c052f9fd&scene=27"
    )
    assert url_of(cites, 19, "1") == [
        "https://news.nate.com/view/20241218n29427",
        "http://koreabizwire.com/korea-considers-establishing-ksmc-to-bolster-semiconductor-ecosystem/301233",
    ]
    assert url_of(cites, 20, "1") == [
        "https://www.nist.gov/system/files/documents/2025/01/10/"
        "The%20CHIPS%20Program%20Office%20Vision%20for%20Success%20-%20Two%20Years%20Later.pdf"
    ]
    assert url_of(cites, 20, "2") == []  # explanatory footnote: no URL


def test_every_source_is_a_well_formed_url_without_wrap_artefacts(bundled):
    report, cites = bundled
    assert len(cites.sources) == 68
    for s in cites.sources:
        parts = urlsplit(s.iri)
        assert parts.scheme in ("http", "https") and parts.hostname, s.iri
        assert not re.search(r"\s", s.iri), s.iri
        assert s.kind in ("government", "company", "thinktank", "media", "academic", "other")
    # every bare URL after a footnote block echoes a footnote on its page
    for page in report.pages:
        urls = {u for f in page.footnotes for u in f.urls}
        assert all(e.url in urls for e in page.echoes)
    assert sum(len(p.echoes) for p in report.pages) == 5


def test_articles(bundled):
    report, _ = bundled
    got = [(a.title, a.rubric, a.date, a.authors) for a in report.articles]
    assert got == [
        ("2024 年集成电路领域态势", "", None, ()),
        (
            "美国能源部宣布投资 1.79亿美元建设三个微电子科学研究中心",
            "政策计划",
            date(2024, 12, 23),
            ("沈湘", "王丽"),
        ),
        ("美国拜登政府公布人工智能出口管制新规", "政策计划", date(2025, 1, 13), ("沈湘",)),
        ("荷兰将扩大先进半导体制造设备出口管制范围", "政策计划", date(2025, 1, 15), ("沈湘",)),
        ("美国政府对中国成熟芯片展开 301调查", "政策计划", date(2024, 12, 23), ("沈湘",)),
        (
            "美国 DARPA启动鲁棒量子传感器项目征集",
            "政策计划",
            date(2024, 12, 24),
            ("于杰平", "沈湘"),
        ),
        ("韩国拟投资 139亿美元组建新晶圆代工厂 KSMC", "政策计划", date(2024, 12, 18), ("沈湘",)),
        (
            "美商务部发布“芯片法案”实施成果与未来规划",
            "产业洞察",
            date(2025, 1, 10),
            ("王丽", "沈湘"),
        ),
        (
            "美国能源部发布《量子信息科学应用路线图》",
            "产业洞察",
            date(2024, 12, 20),
            ("于杰平", "王丽"),
        ),
        (
            "美国政府问责局发布《科技聚焦：量子传感器》报告",
            "产业洞察",
            date(2025, 1, 7),
            ("沈湘", "于杰平"),
        ),
    ]


def test_sections_of_the_main_report(bundled):
    report, _ = bundled
    main = [s for s in report.sections if s.article == 0]
    assert [s.label + s.title for s in main if s.level == 1] == [
        "一、全球政策态势分析",
        "二、全球技术态势分析",
        "三、全球产业态势分析",
        "四、行业洞察与研判",
    ]
    assert sum(1 for s in main if s.level == 2) == 15
    # "8.25亿美元" at a line start is a number, "2.3D晶体管" is heading 2
    titles = [s.title for s in main if s.level == 3]
    assert "3D晶体管与混合工艺技术加速" in titles
    assert not any(t.startswith("25亿") for t in titles)


def passage(report, prefix: str):
    return next(p for p in report.passages if p.text.startswith(prefix))


def test_citation_levels_on_real_passages(bundled):
    report, cites = bundled

    def support(prefix):
        p = passage(report, prefix)
        return cites.level_of(p.index), sorted({s.source for s in cites.for_passage(p.index)})

    # the example of the issue: the fact comes before the comment that carries the marker
    assert support("SK海力士发布全球首款 321层") == (
        "paragraph",
        [
            "https://news.skhynix.com.cn/sk-hynix-starts-mass-production-of-world-first-321-high-nand/"
        ],
    )
    # a sentence across a page break is cited by the marker on the next page
    assert support("中国则在混合键合和 3D堆叠") == (
        "sentence",
        ["https://www.csis.org/analysis/double-edged-sword-semiconductor-export-controls"],
    )
    p = passage(report, "中国则在混合键合和 3D堆叠")
    assert p.text.endswith("希望在成本与性能平衡方面获得突破。") and p.page == 11
    # the CHIPS article summarises one document: its lead covers pages without footnotes
    nist = "https://www.nist.gov/system/files/documents/2025/01/10/The%20CHIPS%20Program%20Office%20Vision%20for%20Success%20-%20Two%20Years%20Later.pdf"
    assert support("英特尔计划在 2030年末前投资900亿美元") == ("lead", [nist])
    # the quantum roadmap article cites nothing: its passages have no source, which is information
    assert support("路线图基于科学文献") == (None, [])
    # the main report has no lead: a comment after the last marker of a paragraph stays uncited
    assert support("EUV技术不仅将提升先进节点的量产能力") == (None, [])


def test_display_text_is_clean(bundled):
    report, _ = bundled
    p = passage(report, "意大利为意法半导体拨款")
    assert (
        p.text
        == "意大利为意法半导体拨款 20 亿欧元（约 21亿美元），用于在西西里岛建立碳化硅（SiC）功率器件集成芯片工厂。"
    )
    q = passage(report, "美光科技位于弗吉尼亚州")
    assert "1-alpha DRAM技术" in q.text
    for p in report.passages:
        assert "\n" not in p.text and "  " not in p.text
