"""Benchmarks on synthetic corpora that look like real ones (``chipkg bench``).

Two generators, both seeded and deterministic:

* ``synthetic_report`` makes the *parsed* form of a report (pages, articles, sections, paragraphs,
  sentences with markers, per-page footnotes with URLs) and its extraction (mentions, claims with
  amounts, dates, targets), then hands them to the real ``citations.resolve`` and
  ``build.report_graph``: the graph has exactly the shape a build gives, IRIs included, and
  validates against the shapes with no violation. Entities are the rows of
  ``ontology/entities.csv`` plus generated companies, institutes, agencies, programmes, fabs and
  technologies with Chinese and English names; sources are drawn from a Zipf (long-tailed)
  distribution over a pool of URLs on real publisher domains and made-up ones.
* ``synthetic_report_text`` makes report *text* in the bundled report's style (pages starting with
  a space, articles with rubric, title, date and authors, numbered headings, sentences with
  footnote markers, per-page numbered footnotes with URLs), to measure build throughput through
  the real parse → cite → extract → RDF pipeline.

``run`` measures, each step in a fresh subprocess where peak memory matters: build throughput,
corpus generation, loading into an on-disk Oxigraph store (``bulk_load``), SHACL validation
(per report graph, in parallel processes, ``chipkg.check.validate.validate_store``), the latency of
every library query (median of repeated runs, parameters bound), the same queries on rdflib's
in-memory graph at the smallest size, networkx analyses and the Gephi export. It prints a table
and writes docs/benchmarks.md atomically, with the machine it ran on.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

import click
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.serializers.nt import _quoteLiteral as _quote_literal
from rich.console import Console
from rich.table import Table

from chipkg.errors import ChipkgError
from chipkg.extract.amounts import DateMention, Money
from chipkg.extract.entities import Entity, Mention, load_entities
from chipkg.extract.pipeline import ExtractedClaim, Extraction
from chipkg.extract.relations import EXTRACTOR, Claim
from chipkg.graph.build import entities_graph, report_graph
from chipkg.graph.vocab import ID
from chipkg.ingest import citations
from chipkg.ingest.citations import publisher_table
from chipkg.ingest.inputs import ReportMeta
from chipkg.ingest.report import (
    Article,
    Footnote,
    Marker,
    Page,
    Paragraph,
    ParsedReport,
    Passage,
    Section,
)

err = Console(stderr=True, highlight=False)

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
QUICK_SIZES = (60,)
QUICK_TRIPLE_SIZES = (30,)
SEED = 20241223
ONTOLOGY_GRAPH = ID["graph/ontology"]
ENTITIES_GRAPH = ID["graph/entities"]

# ---------------------------------------------------------------------------------------------
# Names: Chinese and English, of realistic length
# ---------------------------------------------------------------------------------------------

_ZH_HEAD = "华芯中科汉微晶长江北方南方东方海光联合国民新锐天启星河瀚博宏图恒通云峰金桥"
_EN_HEAD = [
    "Hua",
    "Xin",
    "Zhong",
    "Ke",
    "Han",
    "Wei",
    "Jing",
    "Chang",
    "Jiang",
    "Bei",
    "Fang",
    "Nan",
    "Dong",
    "Hai",
    "Guang",
    "Lian",
    "He",
    "Guo",
    "Min",
    "Xin",
    "Rui",
    "Tian",
    "Qi",
    "Xing",
    "He",
    "Han",
    "Bo",
    "Hong",
    "Tu",
    "Heng",
    "Tong",
    "Yun",
    "Feng",
    "Jin",
    "Qiao",
]
_EN_WEST = [
    "Aster",
    "Boreal",
    "Cobalt",
    "Delta",
    "Ember",
    "Fjord",
    "Granite",
    "Helix",
    "Iris",
    "Juniper",
    "Krypton",
    "Lumen",
    "Meridian",
    "Nimbus",
    "Orion",
    "Photon",
    "Quasar",
    "Radiant",
    "Sierra",
    "Tesla",
    "Umbra",
    "Vertex",
    "Willow",
    "Xenon",
    "Yarrow",
    "Zephyr",
]
_ZH_WEST = [
    "阿斯特",
    "博瑞",
    "钴蓝",
    "德尔塔",
    "恩伯",
    "峡湾",
    "花岗",
    "螺旋",
    "艾瑞斯",
    "杜松",
    "氪星",
    "流明",
    "子午",
    "雨云",
    "猎户",
    "光子",
    "类星",
    "辐射",
    "塞拉",
    "特斯",
    "暗影",
    "顶点",
    "柳木",
    "氙气",
    "蓍草",
    "西风",
]
_KINDS = {
    # type: (Chinese suffixes, English suffixes)
    "Company": (
        ("半导体", "微电子", "集成电路", "科技股份有限公司", "存储技术", "光电"),
        (
            "Semiconductor",
            "Microelectronics",
            "Integrated Circuits",
            "Technology Co., Ltd.",
            "Memory Technologies",
            "Photonics",
        ),
    ),
    "ResearchInstitution": (
        ("集成电路研究院", "微电子研究所", "先进封装研究中心", "大学电子工程学院"),
        (
            "Institute of Integrated Circuits",
            "Institute of Microelectronics",
            "Advanced Packaging Research Centre",
            "University School of Electronic Engineering",
        ),
    ),
    "GovernmentAgency": (
        ("工业和信息化局", "科学技术厅", "商务部出口管制局", "发展和改革委员会"),
        (
            "Bureau of Industry and Information Technology",
            "Department of Science and Technology",
            "Export Control Bureau of the Ministry of Commerce",
            "Development and Reform Commission",
        ),
    ),
    "FundingProgram": (
        ("芯片产业投资基金", "先进制造专项计划", "半导体激励计划"),
        (
            "Chip Industry Investment Fund",
            "Advanced Manufacturing Programme",
            "Semiconductor Incentive Programme",
        ),
    ),
    "Fab": (
        ("12英寸晶圆厂", "先进逻辑晶圆厂", "存储芯片工厂"),
        ("300 mm Fab", "Advanced Logic Fab", "Memory Chip Plant"),
    ),
    "Technology": (
        ("纳米制程工艺", "先进封装技术", "极紫外光刻", "碳化硅功率器件", "高带宽存储"),
        (
            "nm process technology",
            "advanced packaging technology",
            "EUV lithography",
            "silicon carbide power devices",
            "high-bandwidth memory",
        ),
    ),
}
# share of generated entities by type (companies dominate, as in the real table)
_KIND_WEIGHTS = {
    "Company": 40,
    "ResearchInstitution": 10,
    "GovernmentAgency": 8,
    "FundingProgram": 6,
    "Fab": 12,
    "Technology": 24,
}


@dataclass(frozen=True)
class Rel:
    predicate: str
    subject: tuple[str, ...]  # entity types
    object: tuple[str, ...]  # entity types; () for a datatype relation
    zh: str  # the sentence's verb phrase
    weight: int


RELATIONS = (
    Rel(
        "funds",
        ("Country", "GovernmentAgency", "FundingProgram"),
        ("Company", "ResearchInstitution", "Fab", "Technology"),
        "宣布向{o}提供{m}补贴",
        18,
    ),
    Rel("investsIn", ("Company",), ("Company", "Fab"), "计划投资{m}建设{o}", 12),
    Rel("builds", ("Company",), ("Fab",), "正在建设{o}", 8),
    Rel("expands", ("Company",), ("Fab",), "宣布扩建{o}", 4),
    Rel("develops", ("Company", "ResearchInstitution"), ("Technology",), "成功研发{o}", 12),
    Rel("researches", ("ResearchInstitution",), ("Technology",), "开展{o}研究", 6),
    Rel(
        "restrictsExportOf",
        ("Country", "GovernmentAgency"),
        ("Technology",),
        "限制{o}相关产品出口",
        6,
    ),
    Rel(
        "restrictsExportTo",
        ("Country", "GovernmentAgency"),
        ("Country", "Company"),
        "禁止向{o}出口先进芯片",
        4,
    ),
    Rel(
        "addsToControlList", ("GovernmentAgency",), ("Company",), "将{o}等{n}家实体列入管制清单", 4
    ),
    Rel("partnersWith", ("Company",), ("Company", "ResearchInstitution"), "与{o}签署合作协议", 10),
    Rel("acquires", ("Company",), ("Company",), "宣布收购{o}", 3),
    Rel(
        "launches",
        ("Country", "GovernmentAgency"),
        ("FundingProgram", "Strategy", "Law"),
        "发布{o}",
        5,
    ),
    Rel(
        "setsTarget",
        ("Country", "Strategy"),
        ("Technology",),
        "提出到{y}年{o}产能提升{n}%的目标",
        4,
    ),
    Rel("createsJobs", ("Company", "Fab"), (), "预计将创造{n}个就业岗位", 4),
)

CURRENCIES = (
    ("美元", "USD", 50),
    ("欧元", "EUR", 15),
    ("元", "CNY", 15),
    ("日元", "JPY", 8),
    ("韩元", "KRW", 6),
    ("新台币", "TWD", 6),
)
FILLER = (
    "在全球半导体产业链加速重构的背景下，",
    "据业内人士分析，",
    "为应对日益激烈的国际竞争，",
    "根据最新公布的产业政策，",
    "",
    "",
)
PLAIN = (
    "这一举措被认为将深刻影响全球半导体供应链格局。",
    "业内普遍认为，该领域的竞争将在未来几年进一步加剧。",
    "多家研究机构指出，产能扩张速度仍受制于设备交付周期和人才短缺。",
    "分析人士认为，相关政策的实际效果仍有待观察。",
)
SECTION_LABELS_1 = "一二三四五六七八九十"
RUBRICS = ("政策动向", "产业观察", "企业动态", "技术前沿", "国际合作")


class World:
    """Everything reports share: entities (reference table + generated) and the source pool."""

    def __init__(self, seed: int = SEED, generated: int = 1500, sources: int = 20000) -> None:
        rng = random.Random(f"{seed}/world")
        base = load_entities()
        self.entities: dict[str, Entity] = dict(base)
        countries = sorted(e.id for e in base.values() if e.type == "Country")
        kinds = list(_KIND_WEIGHTS)
        weights = [_KIND_WEIGHTS[k] for k in kinds]
        companies: list[str] = []
        technologies: list[str] = []
        for n in range(generated):
            kind = rng.choices(kinds, weights)[0]
            zh_suffixes, en_suffixes = _KINDS[kind]
            k = rng.randrange(len(zh_suffixes))
            if rng.random() < 0.6:  # a Chinese-style name
                i, j = rng.randrange(len(_ZH_HEAD) - 1), rng.randrange(len(_ZH_HEAD) - 1)
                zh_head = _ZH_HEAD[i] + _ZH_HEAD[j]
                en_head = _EN_HEAD[i % len(_EN_HEAD)] + _EN_HEAD[j % len(_EN_HEAD)].lower()
            else:
                i = rng.randrange(len(_EN_WEST))
                zh_head, en_head = _ZH_WEST[i], _EN_WEST[i]
            if kind == "Technology":
                node = rng.choice((2, 3, 5, 7, 14, 28))
                label_zh = (
                    f"{zh_head}{node}{zh_suffixes[k]}" if k == 0 else zh_head + zh_suffixes[k]
                )
                label_en = (
                    f"{en_head} {node} {en_suffixes[k]}"
                    if k == 0
                    else (f"{en_head} {en_suffixes[k]}")
                )
            else:
                label_zh, label_en = zh_head + zh_suffixes[k], f"{en_head} {en_suffixes[k]}"
            eid = f"synth-{kind.lower()}-{n:05d}"
            country = rng.choice(countries) if kind != "Technology" else ""
            broader = ""
            if kind == "Technology" and technologies and rng.random() < 0.3:
                broader = rng.choice(technologies)
            operator: tuple[str, ...] = ()
            if kind == "Fab" and companies:
                operator = (rng.choice(companies),)
            self.entities[eid] = Entity(
                id=eid,
                type=kind,
                label_en=label_en,
                label_zh=label_zh,
                aliases=(),
                country=country,
                wikidata="",
                broader=broader,
                operator=operator,
            )
            (
                companies if kind == "Company" else technologies if kind == "Technology" else []
            ).append(eid)
        self.by_type: dict[str, list[str]] = {}
        for e in self.entities.values():
            self.by_type.setdefault(e.type, []).append(e.id)
        for ids in self.by_type.values():
            ids.sort()
        # popularity of entities: Zipf within each type (a few actors dominate the news)
        self._entity_cum = {t: _zipf_cum(len(ids), 1.0) for t, ids in self.by_type.items()}
        # the source pool: real publisher domains and made-up ones, Zipf-distributed citations
        domains = [p.domain for p in publisher_table() if not p.domain.startswith(".")]
        domains += [f"news-{w.lower()}.example.com" for w in _EN_WEST]
        self.sources: list[str] = []
        for n in range(sources):
            dom = domains[rng.randrange(len(domains))]
            year = 2020 + rng.randrange(5)
            slug = "-".join(rng.choice(_EN_WEST).lower() for _ in range(rng.randint(2, 5)))
            self.sources.append(f"https://www.{dom}/news/{year}/{slug}-{n}")
        self._source_cum = _zipf_cum(len(self.sources), 1.1)

    def entity(self, rng: random.Random, types: tuple[str, ...]) -> str:
        present = [t for t in types if self.by_type.get(t)]
        t = rng.choice(present)
        return self.by_type[t][_zipf_draw(rng, self._entity_cum[t])]

    def source(self, rng: random.Random) -> str:
        return self.sources[_zipf_draw(rng, self._source_cum)]

    def entities_graph(self):
        return entities_graph(self.entities)


def _zipf_cum(n: int, s: float) -> list[float]:
    cum, total = [], 0.0
    for r in range(1, n + 1):
        total += 1.0 / r**s
        cum.append(total)
    return cum


def _zipf_draw(rng: random.Random, cum: list[float]) -> int:
    return min(bisect.bisect_left(cum, rng.random() * cum[-1]), len(cum) - 1)


@cache
def world(seed: int = SEED) -> World:
    return World(seed)


# ---------------------------------------------------------------------------------------------
# The parsed form of a synthetic report, built through citations.resolve and build.report_graph
# ---------------------------------------------------------------------------------------------


class _Text:
    """Lines of a report file, with offsets and 1-based line numbers."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.offset = 0
        self.line = 1

    def add(self, line: str) -> tuple[int, int]:
        start, no = self.offset, self.line
        self.parts.append(line + "\n")
        self.offset += len(line) + 1
        self.line += 1
        return start, no

    def text(self) -> str:
        return "".join(self.parts)


def _sentence(
    w: World, rng: random.Random
) -> tuple[str, list[tuple[int, int, str]], list[tuple[str, str, str | None, dict]]]:
    """One sentence: its text, the entity mentions in it and the claims it states.

    A sentence states one relation, sometimes with a second object (两家, 三家 …), as the
    extractor would read it; a quarter of the sentences state no fact at all."""
    if rng.random() < 0.25:
        return rng.choice(PLAIN), [], []
    rel = rng.choices(RELATIONS, [r.weight for r in RELATIONS])[0]
    subj = w.entity(rng, rel.subject)
    objs = []
    if rel.object:
        for _ in range(1 + (rng.random() < 0.25)):
            o = w.entity(rng, rel.object)
            if o != subj and o not in objs:
                objs.append(o)
        if not objs:
            return rng.choice(PLAIN), [], []
    e = w.entities
    head = rng.choice(FILLER)
    subj_name = e[subj].label_zh
    obj_names = "和".join(e[o].label_zh for o in objs)
    extra: dict = {}
    money_text = ""
    if rel.predicate in ("funds", "investsIn"):
        word, code, _ = rng.choices(CURRENCIES, [c[2] for c in CURRENCIES])[0]
        yi = rng.choice((1, 2, 3, 5, 8, 10, 12, 20, 25, 39, 50, 66, 100, 150))
        money_text = f"{yi}亿{word}"
        extra["money"] = (Decimal(yi) * Decimal(100_000_000), code, money_text)
    n = rng.choice((3, 5, 12, 20, 30, 50, 140, 500, 1500, 3000))
    y = rng.choice((2025, 2027, 2030, 2035))
    body = rel.zh.format(o=obj_names, m=money_text, n=n, y=y)
    date_text = ""
    if rng.random() < 0.35:
        yr, mo = 2023 + rng.randrange(3), 1 + rng.randrange(12)
        date_text = f"{yr}年{mo}月，"
        extra["date"] = (f"{yr}-{mo:02d}", date_text)
    text = f"{date_text}{head}{subj_name}{body}。"
    mentions = []
    for eid in (subj, *objs):
        name = e[eid].label_zh
        pos = text.find(name, len(date_text) + len(head) if eid == subj else 0)
        if pos >= 0:
            mentions.append((pos, pos + len(name), eid))
    if rel.predicate == "createsJobs" or rel.predicate == "addsToControlList":
        extra["value"] = Decimal(n)
    elif rel.predicate == "setsTarget":
        extra.update(value=Decimal(n), unit="percent", target_year=y)
    claims = [(subj, rel.predicate, o, extra) for o in objs] or [(subj, rel.predicate, None, extra)]
    if "money" in extra:
        pos = text.find(money_text)
        extra["money_span"] = (pos, pos + len(money_text))
    if "date" in extra:
        extra["date_span"] = (0, len(date_text) - 1)
    return text, sorted(mentions), claims


def synthetic_report(
    rid: str, seed: int = SEED, articles: int = 8, w: World | None = None
) -> tuple[ParsedReport, citations.Citations, Extraction, ReportMeta]:
    """A report as the parser and extractor would give it: ``articles`` articles, each with a
    rubric, title, author line, two or three numbered sections of body paragraphs of two to five
    sentences; a new page about every 12 lines; footnote markers after a third of the sentences,
    each citing one or two sources (per-page numbering) drawn from the long-tailed pool."""
    w = w or world(seed)
    rng = random.Random(f"{seed}/{rid}")
    t = _Text()
    pages: list[Page] = []
    page_no, page_first_line, page_lines = 1, 1, 0
    page_footnotes: list[tuple[int, list[str]]] = []  # (number, urls) on the current page
    markers: list[Marker] = []
    arts: list[Article] = []
    sections: list[Section] = []
    paragraphs: list[Paragraph] = []
    passages: list[Passage] = []
    mentions: dict[int, tuple[Mention, ...]] = {}
    raw_claims: list[tuple[int, tuple]] = []

    def close_page() -> None:
        nonlocal page_no, page_first_line, page_lines, page_footnotes
        fns = []
        if page_footnotes:
            t.add("")
            for number, urls in page_footnotes:
                start, line = t.offset, t.line
                url_lines = []
                t.add(f"{number} {urls[0]}")
                url_lines.append(line)
                for u in urls[1:]:
                    url_lines.append(t.add(u)[1])
                fns.append(
                    Footnote(
                        page_no, number, line, start, t.offset - 1, tuple(urls), tuple(url_lines)
                    )
                )
        pages.append(Page(page_no, page_first_line, t.line - 1, tuple(fns), ()))
        page_no += 1
        page_first_line, page_lines, page_footnotes = t.line, 0, []

    def line_break() -> None:
        nonlocal page_lines
        page_lines += 1
        if page_lines >= 12:
            close_page()

    def passage(
        kind: str,
        text: str,
        start: int,
        line: int,
        art: int,
        sec: int | None,
        para: int,
        mks: tuple[Marker, ...] = (),
    ) -> Passage:
        p = Passage(
            len(passages),
            start,
            start + len(text) + sum(len(m.printed) for m in mks),
            text,
            page_no,
            line,
            kind,
            art,
            sec,
            para,
            mks,
        )
        passages.append(p)
        return p

    def simple_paragraph(kind: str, text: str, art: int, sec: int | None) -> int:
        prefix = " " if page_lines == 0 else ""
        start, line = t.add(prefix + text)
        start += len(prefix)
        para = Paragraph(len(paragraphs), start, start + len(text), kind, page_no, line, art)
        paragraphs.append(para)
        passage(kind, text, start, line, art, sec, para.index)
        line_break()
        return para.index

    for a in range(articles):
        rubric = rng.choice(RUBRICS)
        rubric_start, _ = t.offset, t.line
        simple_paragraph("rubric", rubric, a, None)
        subj = w.entities[w.entity(rng, ("Country", "Company"))].label_zh
        title = subj + rng.choice(
            ("加大半导体产业扶持力度", "发布芯片产业新政策", "推进先进制程产能建设")
        )
        title_line, title_page = t.line, page_no
        simple_paragraph("title", title, a, None)
        authors = tuple(rng.sample(("王丽", "沈湘", "于杰平", "李明", "张伟", "陈静"), 2))
        author_line = t.line
        simple_paragraph("author", "".join(authors), a, None)
        day = dt.date(2024, 1 + rng.randrange(12), 1 + rng.randrange(28))
        arts.append(
            Article(
                a,
                rubric_start,
                0,
                title,
                title_line,
                rubric,
                day,
                authors,
                author_line,
                title_line,
                title_page,
            )
        )
        parents: dict[int, int] = {}
        for s in range(rng.randint(2, 3)):
            label = f"{SECTION_LABELS_1[s]}、"
            stitle = rng.choice(
                ("政策支持与资金投入", "产能建设进展", "技术研发动态", "出口管制与供应链")
            )
            prefix = " " if page_lines == 0 else ""
            sec_start, sec_line = t.add(prefix + label + stitle)
            sec_start += len(prefix)
            parents[1] = sec_start
            sections.append(Section(sec_start, 1, label, stitle, None, a, sec_line, page_no))
            para = Paragraph(
                len(paragraphs),
                sec_start,
                sec_start + len(label + stitle),
                "heading",
                page_no,
                sec_line,
                a,
            )
            paragraphs.append(para)
            passage("heading", label + stitle, sec_start, sec_line, a, sec_start, para.index)
            line_break()
            for _ in range(rng.randint(2, 4)):
                # a paragraph: one line of 2-5 sentences, markers after some of them
                sentences = [_sentence(w, rng) for _ in range(rng.randint(2, 5))]
                prefix = " " if page_lines == 0 else "　　"
                line_start, line_no = t.offset, t.line
                cursor = line_start + len(prefix)
                pieces = [prefix]
                para_index = len(paragraphs)
                para_start = cursor
                for text, ments, claims in sentences:
                    mks: tuple[Marker, ...] = ()
                    printed_text = text
                    if rng.random() < 0.35:
                        number = len(page_footnotes) + 1
                        urls = [w.source(rng) for _ in range(1 + (rng.random() < 0.1))]
                        urls = list(dict.fromkeys(urls))
                        page_footnotes.append((number, urls))
                        m_start = cursor + len(text) - 1  # before the full stop
                        mk = Marker(
                            page_no,
                            line_no,
                            m_start,
                            m_start + len(str(number)),
                            str(number),
                            (number,),
                        )
                        markers.append(mk)
                        mks = (mk,)
                        printed_text = text[:-1] + str(number) + text[-1]
                    p = passage("body", text, cursor, line_no, a, parents[1], para_index, mks)
                    if ments:
                        mentions[p.index] = tuple(
                            Mention(s0, e0, eid, text[s0:e0]) for s0, e0, eid in ments
                        )
                    for c in claims:
                        raw_claims.append((p.index, c))
                    pieces.append(printed_text)
                    cursor += len(printed_text)
                t.add("".join(pieces))
                paragraphs.append(
                    Paragraph(para_index, para_start, cursor, "body", page_no, line_no, a)
                )
                line_break()
    if page_lines or not pages:
        close_page()
    text = t.text()
    # article ends: the start of the next article (or the end of the text)
    arts = [
        Article(**{**a.__dict__, "end": arts[i + 1].start if i + 1 < len(arts) else len(text)})
        for i, a in enumerate(arts)
    ]
    parsed = ParsedReport(
        path=Path(f"{rid}.txt"),
        report_id=rid,
        text=text,
        line_count=t.line - 1,
        pages=tuple(pages),
        articles=tuple(arts),
        sections=tuple(sections),
        paragraphs=tuple(paragraphs),
        passages=tuple(passages),
        markers=tuple(markers),
        findings=(),
    )
    cites = citations.resolve(parsed)
    claims: list[ExtractedClaim] = []
    seen: set[tuple] = set()
    for pidx, (subj, pred, obj, extra) in raw_claims:
        key = (pidx, subj, pred, obj)
        if key in seen:
            continue
        seen.add(key)
        money = None
        if "money" in extra:
            value, code, mtext = extra["money"]
            s0, e0 = extra["money_span"]
            money = Money(s0, e0, value, code, "", mtext)
        date = None
        if "date" in extra:
            s0, e0 = extra["date_span"]
            date = DateMention(s0, e0, extra["date"][0], "month", "")
        claims.append(
            ExtractedClaim(
                Claim(
                    passage=pidx,
                    subject=subj,
                    predicate=pred,
                    object=obj,
                    rule=f"{pred}/synthetic",
                    value=extra.get("value"),
                    unit=extra.get("unit", ""),
                    money=money,
                    date=date,
                    target_year=extra.get("target_year"),
                ),
                made_by=EXTRACTOR,
            )
        )
    extraction = Extraction(tuple(claims), mentions, ())
    meta = ReportMeta(
        report_id=rid,
        path=parsed.path,
        title=f"合成报告 {rid}",
        title_en=f"Synthetic report {rid}",
        language="zh",
        issuer="chipkg bench",
        issuer_note="",
        sha256_declared="",
        sha256_actual=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )
    return parsed, cites, extraction, meta


def report_ids(n: int) -> list[str]:
    return [f"synth-{i:06d}" for i in range(n)]


def synthetic_graph(rid: str, seed: int = SEED, w: World | None = None, articles: int = 8):
    """The named graph of one synthetic report (as build.report_graph makes it) and its text."""
    parsed, cites, extraction, meta = synthetic_report(rid, seed, articles, w=w)
    return report_graph(parsed, cites, meta, extraction), parsed.text, len(extraction.claims)


# ---------------------------------------------------------------------------------------------
# Corpus on disk: N-Quads (ontology, entities, one graph per report) and the report texts
# ---------------------------------------------------------------------------------------------


class _Triples:
    """What ``build.report_graph`` needs of a dataset (``graph(iri)``, then ``add``), as a plain
    set of triples: the same triples as an rdflib graph, without its indexes (three times
    faster). report_graph only ever adds."""

    def __init__(self) -> None:
        self.triples: set = set()

    def graph(self, _identifier) -> _Triples:
        return self

    def add(self, triple) -> None:
        self.triples.add(triple)


_N3: dict = {}  # IRIs repeat across reports (entities, sources, vocabulary): written once


def _n3(term) -> str:
    out = _N3.get(term)
    if out is None:
        out = _quote_literal(term) if isinstance(term, Literal) else term.n3()
        if type(term) is URIRef and len(_N3) < 500_000:
            _N3[term] = out
    return out


def _report_nquads(rid: str, seed: int, articles: int = 8) -> tuple[str, str, int, int]:
    """One report's named graph as sorted N-Quads lines (exactly rdflib's N-Quads rows), its text,
    its claims and triples."""
    import gc

    w = world(seed)
    gc.disable()  # a report makes 10^5 small objects and no cycles: collections only cost time
    try:
        parsed, cites, extraction, meta = synthetic_report(rid, seed, articles, w=w)
        t = _Triples()
        report_graph(parsed, cites, meta, extraction, ds=t)
        g = _n3(ID[f"graph/{rid}"])
        rows = sorted(f"{_n3(s)} {_n3(p)} {_n3(o)} {g} .\n" for s, p, o in t.triples)
    finally:
        gc.enable()
    return "".join(rows), parsed.text, len(extraction.claims), len(t.triples)


def _report_batch(
    first: int, count: int, seed: int, articles: int = 8
) -> list[tuple[str, str, str, int, int]]:
    return [
        (rid, *_report_nquads(rid, seed, articles)) for rid in report_ids(first + count)[first:]
    ]


def write_corpus(
    claims: int,
    out: Path,
    seed: int = SEED,
    workers: int | None = None,
    batch: int = 8,
    articles: int = 8,
) -> dict:
    """Reports until ``claims`` claims are made; ``out/corpus.nq`` (graphs contiguous, in report
    order: byte-identical for a seed, whatever ``workers``) and ``out/texts/RID.txt``.

    Reports are made in batches in up to ``workers`` processes (default: one per core) and written
    in report order as they come back; the corpus stops at the first report that reaches
    ``claims``, so it is the same corpus as made one report at a time."""
    import multiprocessing
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    from rdflib.plugins.serializers.nquads import _nq_row

    from chipkg.resources import ontology_dir

    w = world(seed)  # made before the workers fork, so they share it
    workers = max(1, workers or os.cpu_count() or 1)
    out.mkdir(parents=True, exist_ok=True)
    texts = out / "texts"
    shutil.rmtree(texts, ignore_errors=True)
    texts.mkdir()
    tmp = out / ".corpus.nq.tmp"
    made = triples = reports = 0
    with tmp.open("w", encoding="utf-8") as f:
        onto = Graph(identifier=ONTOLOGY_GRAPH)
        onto.parse(ontology_dir() / "chipkg.ttl", format="turtle")
        for extra, name in ((onto, ONTOLOGY_GRAPH), (w.entities_graph(), ENTITIES_GRAPH)):
            g = Graph(identifier=name)
            g += extra
            f.writelines(sorted(_nq_row(t, name) for t in g if not _has_bnode(t)))

        def take(batch_rows) -> bool:
            nonlocal made, triples, reports
            for rid, rows, text, n, size in batch_rows:
                f.write(rows)
                (texts / f"{rid}.txt").write_text(text, encoding="utf-8")
                made, triples, reports = made + n, triples + size, reports + 1
                if made >= claims:
                    return True
            return False

        if workers == 1:
            first = 0
            while not take(_report_batch(first, 1, seed, articles)):
                first += 1
        else:
            ctx = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
            with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
                pending: deque = deque()
                first, done = 0, False
                while not done:
                    while len(pending) < 3 * workers:
                        pending.append(pool.submit(_report_batch, first, batch, seed, articles))
                        first += batch
                    done = take(pending.popleft().result())
                for fut in pending:
                    fut.cancel()
    os.replace(tmp, out / "corpus.nq")
    return {"reports": reports, "claims": made, "triples": triples}


def _has_bnode(t) -> bool:
    from rdflib import BNode

    return any(isinstance(x, BNode) for x in t)


# ---------------------------------------------------------------------------------------------
# Measurements, each run in a subprocess: python -m chipkg.bench.run phase NAME ARGS
# ---------------------------------------------------------------------------------------------


def _rss_mb(children: bool = False) -> float:
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024  # kB on Linux


_PARAM_COUNTS = {
    # lookup query -> (its parameter, SPARQL giving each possible value and its claim count)
    "claims-about-entity": (
        "entity",
        """PREFIX ckg: <https://w3id.org/chipkg/ontology#>
        SELECT ?x (COUNT(DISTINCT ?c) AS ?n) WHERE {
          { ?c ckg:claimSubject ?x } UNION { ?c ckg:claimObject ?x } ?c a ckg:Claim
        } GROUP BY ?x""",
    ),
    "claims-citing-source": (
        "source",
        """PREFIX ckg: <https://w3id.org/chipkg/ontology#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?x (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c prov:wasDerivedFrom ?x ; a ckg:Claim }
        GROUP BY ?x""",
    ),
}
MOST_CITED = " (most cited)"
QUERY_BUDGET_S = 30.0


def lookup_params(store) -> dict[str, dict]:
    """For each lookup query, a typical value (the one whose claim count is the median among the
    values with at least one claim; ties broken by IRI) and the most cited one, with their counts:
    the typical one measures a lookup, the most cited one its worst case."""
    out: dict[str, dict] = {}
    for name, (param, sparql) in _PARAM_COUNTS.items():
        counts = sorted(
            (int(sol["n"].value), sol["x"].value)
            for sol in store.query(sparql, use_default_graph_as_union=True)
        )
        if not counts:
            continue
        typical, top = counts[(len(counts) - 1) // 2], max(counts, key=lambda c: (c[0], c[1]))
        out[name] = {"param": param, "typical": typical[1], "typical_claims": typical[0]}
        out[name].update(most_cited=top[1], most_cited_claims=top[0], values=len(counts))
    return out


def _bound(info: dict, which: str) -> dict[str, str]:
    return {info["param"]: f"<{info[which]}>"}


def phase_build_text(reports: int, seed: int) -> dict:
    """Synthetic report texts in the bundled style through the real pipeline (parse, resolve
    citations, extract, RDF; no validation), on one core."""
    from chipkg.extract.entities import Linker
    from chipkg.extract.pipeline import extract
    from chipkg.ingest import report as report_mod

    w = World(seed, generated=0)  # names the linker knows, so the extraction rules fire
    linker = Linker(load_entities())
    tmp = Path(tempfile.mkdtemp(prefix="chipkg-bench-text-"))
    paths = []
    for rid in report_ids(reports):
        parsed, _c, _e, _m = synthetic_report(rid, seed, w=w)
        p = tmp / f"{rid}.txt"
        p.write_text(parsed.text, encoding="utf-8")
        paths.append(p)
    from chipkg.ingest.inputs import read_meta

    claims = triples = 0
    t0 = time.process_time()
    w0 = time.perf_counter()
    for p in paths:
        meta = read_meta(p)
        parsed = report_mod.parse_report(p, meta.report_id)
        cites = citations.resolve(parsed)
        extraction = extract(parsed, cites, linker, None)
        g = report_graph(parsed, cites, meta, extraction)
        claims += len(extraction.claims)
        triples += len(g)
    cpu, wall = time.process_time() - t0, time.perf_counter() - w0
    shutil.rmtree(tmp, ignore_errors=True)
    return {
        "reports": reports,
        "claims": claims,
        "triples": triples,
        "cpu_s": cpu,
        "wall_s": wall,
        "rss_mb": _rss_mb(),
    }


def phase_generate(claims: int, workdir: Path, seed: int, articles: int = 8) -> dict:
    t0 = time.perf_counter()
    info = write_corpus(claims, workdir, seed, articles=articles)
    info.update(seconds=time.perf_counter() - t0, rss_mb=_rss_mb())
    return info


def phase_load(workdir: Path) -> dict:
    import pyoxigraph as ox

    from chipkg.graph.store import atomic_write, materialise_summaries

    path = workdir / "store"
    shutil.rmtree(path, ignore_errors=True)
    t0 = time.perf_counter()
    store = ox.Store(str(path))
    store.bulk_load(path=str(workdir / "corpus.nq"), format=ox.RdfFormat.N_QUADS)
    store.flush()
    secs = time.perf_counter() - t0
    quads = len(store)
    # the totals graph every built store holds (the aggregate queries read it), as the build
    # computes it; kept as N-Quads too, for the rdflib comparison
    summary = materialise_summaries(store)
    store.flush()
    graph = ox.NamedNode(summary["graph"])
    atomic_write(
        workdir / "summary.nq",
        ox.serialize(store.quads_for_pattern(None, None, None, graph), format=ox.RdfFormat.N_QUADS),
    )
    return {
        "seconds": secs,
        "quads": quads,
        "summary_s": summary["seconds"],
        "summary_triples": summary["triples"],
        "rss_mb": _rss_mb(),
    }


def phase_validate(workdir: Path, limit: int | None, workers: int | None) -> dict:
    from chipkg.check import validate

    # read from the N-Quads file, not the store: Oxigraph normalises derived datatypes (see
    # chipkg/check/validation/terms.py), and a benchmark must not give up the check that
    # catches that; validate_nquads reads it in blocks, limited to the first ``limit`` reports
    total = sum(1 for _ in (workdir / "texts").glob("*.txt"))

    def text(rid: str) -> str | None:
        p = workdir / "texts" / f"{rid}.txt"
        return p.read_text(encoding="utf-8") if p.exists() else None

    done = [0]

    def progress(n: int) -> None:
        done[0] = n
        if n % 25 == 0:
            err.print(f"  validated {n - 1} report graph(s)")

    t0 = time.perf_counter()
    rep = validate.validate_nquads(
        workdir / "corpus.nq", texts=text, workers=workers, limit=limit, progress=progress
    )
    secs = time.perf_counter() - t0
    checked = min(total, limit) if limit is not None else total
    return {
        "seconds": secs,
        "reports_checked": checked,
        "reports_total": total,
        "projected_s": secs * total / checked if checked else 0.0,
        "violations": rep.count("Violation"),
        "warnings": rep.count("Warning"),
        "infos": rep.count("Info"),
        "rss_mb": _rss_mb(),
        "workers_rss_mb": _rss_mb(children=True),
    }


def _named(queries: dict, names: str) -> dict:
    """The queries named in ``names`` (comma-separated), or all of them if it is empty."""
    only = set(names.split(",")) if names else None
    return {k: q for k, q in queries.items() if only is None or k in only}


def phase_queries(workdir: Path, repeats: int, names: str = "") -> dict:
    """Each library query's latency on the on-disk store (median of up to ``repeats`` runs);
    ``names`` (comma-separated) restricts them, e.g. to the targets' lookups and aggregates."""
    import pyoxigraph as ox

    from chipkg.analysis import query

    store = ox.Store(str(workdir / "store"))
    t0 = time.perf_counter()
    params = lookup_params(store)
    pick_s = time.perf_counter() - t0
    (workdir / "params.json").write_text(json.dumps(params, indent=2, sort_keys=True))
    runs: list[tuple[str, query.NamedQuery, dict[str, str] | None]] = []
    for name, q in _named(query.available(), names).items():
        if name in params:
            runs.append((name, q, _bound(params[name], "typical")))
            runs.append((name + MOST_CITED, q, _bound(params[name], "most_cited")))
        else:
            runs.append((name, q, None))
    out = {}
    for label, q, bound in runs:
        times: list[float] = []
        rows = 0
        # repeated until ``repeats`` runs, or fewer when the query is slow (30 s spent)
        while len(times) < repeats and sum(times) < QUERY_BUDGET_S:
            t1 = time.perf_counter()
            rows = len(query.select(store, q, bound))
            times.append(time.perf_counter() - t1)
        out[label] = {
            "median_ms": statistics.median(times) * 1000,
            "rows": rows,
            "runs": len(times),
        }
    return {"queries": out, "params": params, "params_s": pick_s, "rss_mb": _rss_mb()}


def phase_rdflib_queries(workdir: Path, repeats: int, names: str = "") -> dict:
    """The same library queries on rdflib's in-memory dataset (default graph = union), with the
    typical lookup parameters the Oxigraph run picked (params.json)."""
    from rdflib import Dataset

    from chipkg.analysis import query

    ds = Dataset(default_union=True)
    t0 = time.perf_counter()
    ds.parse(workdir / "corpus.nq", format="nquads")
    ds.parse(workdir / "summary.nq", format="nquads")  # the totals, as phase_load stored them
    load = time.perf_counter() - t0
    params = json.loads((workdir / "params.json").read_text())
    out = {}
    for name, q in _named(query.available(), names or ",".join(LOOKUPS + AGGREGATES)).items():
        text = query.render(q, _bound(params[name], "typical") if name in params else None)
        times, rows = [], 0
        for _ in range(repeats):
            t1 = time.perf_counter()
            rows = len(list(ds.query(text)))
            times.append(time.perf_counter() - t1)
        out[name] = {"median_ms": statistics.median(times) * 1000, "rows": rows}
    return {"load_s": load, "queries": out, "rss_mb": _rss_mb()}


def phase_bundled(repeats: int) -> dict:
    """The bundled report (every report of graph/sources): parse, citations, extraction, RDF —
    what ``chipkg build --no-validate`` does before writing — timed after start-up (imports
    done), first run and median of ``repeats``; then its SHACL validation as ``chipkg validate``
    runs it (report graph + reference entities, with the text)."""
    from chipkg.check import validate
    from chipkg.extract.entities import Linker
    from chipkg.extract.pipeline import extract
    from chipkg.graph.build import entities_graph as make_entities
    from chipkg.ingest import inputs
    from chipkg.ingest import report as report_mod
    from chipkg.resources import home

    paths = inputs.discover(home() / "graph" / "sources")
    if not paths:
        raise ChipkgError("no bundled report found", path=home() / "graph" / "sources")
    times, cpu = [], []
    built = {}
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        linker = Linker(load_entities())
        for path in paths:
            meta = inputs.read_meta(path)
            parsed = report_mod.parse_report(path, meta.report_id)
            cites = citations.resolve(parsed)
            curated = home() / "graph" / "curated" / f"{meta.report_id}.csv"
            extraction = extract(parsed, cites, linker, curated)
            built[meta.report_id] = (report_graph(parsed, cites, meta, extraction), parsed.text)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    rss_build = _rss_mb()
    ents = make_entities(linker.entities)
    items = []
    for rid, (g, text) in built.items():
        data = Graph()
        data += g
        data += ents
        items.append((rid, data, text))
    t0 = time.perf_counter()
    reports = validate.validate_reports(items)
    vsecs = time.perf_counter() - t0
    return {
        "reports": len(paths),
        "triples": sum(len(g) for g, _t in built.values()),
        "first_s": times[0],
        "median_s": statistics.median(times),
        "median_cpu_s": statistics.median(cpu),
        "rss_mb": rss_build,
        "validate_s": vsecs,
        "validate_triples": sum(len(d) for _r, d, _t in items),
        "violations": sum(r.count("Violation") for r in reports.values()),
        "validate_rss_mb": _rss_mb(),
    }


def phase_startup(repeats: int = 3) -> dict:
    """Start-up of the CLI (interpreter and imports) and the whole ``chipkg build --no-validate``
    of the bundled report into a temporary folder, both as wall time of a fresh process."""
    from chipkg.resources import home

    def wall(args: list[str]) -> float:
        t0 = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True, cwd=home())
        return time.perf_counter() - t0

    exe = [sys.executable, "-c", "from chipkg.cli import main; main()"]
    with tempfile.TemporaryDirectory(prefix="chipkg-bench-build-") as tmp:
        startup = statistics.median(wall([*exe, "--version"]) for _ in range(repeats))
        build = statistics.median(
            wall([*exe, "build", "--no-validate", "--out", tmp]) for _ in range(repeats)
        )
    return {"startup_s": startup, "build_s": build}


def phase_analyze(workdir: Path) -> dict:
    import pyoxigraph as ox

    from chipkg.analysis import analyze, export

    store = ox.Store(str(workdir / "store"))
    t0 = time.perf_counter()
    g = analyze.fact_graph(store)
    t1 = time.perf_counter()
    analyze.analyze(g)
    t2 = time.perf_counter()
    h = export.prepare(g, export.Variant.FACTS)
    export.write(h, workdir / "facts.gexf", export.Format.GEXF)
    t3 = time.perf_counter()
    return {
        "fact_graph_s": t1 - t0,
        "analyze_s": t2 - t1,
        "gexf_s": t3 - t2,
        "nodes": g.number_of_nodes(),
        "edges": g.number_of_edges(),
        "rss_mb": _rss_mb(),
    }


PHASES = {
    "build-text": lambda a: phase_build_text(int(a["reports"]), int(a["seed"])),
    "generate": lambda a: phase_generate(
        int(a["claims"]), Path(a["workdir"]), int(a["seed"]), int(a.get("articles", 8))
    ),
    "load": lambda a: phase_load(Path(a["workdir"])),
    "validate": lambda a: phase_validate(
        Path(a["workdir"]),
        int(a["limit"]) if a.get("limit") else None,
        int(a["workers"]) if a.get("workers") else None,
    ),
    "queries": lambda a: phase_queries(Path(a["workdir"]), int(a["repeats"]), a.get("names", "")),
    "rdflib-queries": lambda a: phase_rdflib_queries(
        Path(a["workdir"]), int(a["repeats"]), a.get("names", "")
    ),
    "bundled": lambda a: phase_bundled(int(a["repeats"])),
    "startup": lambda a: phase_startup(int(a.get("repeats", 3))),
    "analyze": lambda a: phase_analyze(Path(a["workdir"])),
}


class StepTimeout(Exception):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"> {seconds:,.0f} s (timeout)")
        self.seconds = seconds


def _subprocess(name: str, timeout: float | None = None, cache: Path | None = None, **args) -> dict:
    """Run one measurement in a fresh process; with ``cache``, reuse (and keep) its result file,
    so that an interrupted run resumes where it stopped (``chipkg bench --workdir … --resume``)."""
    if cache is not None and cache.exists():
        return json.loads(cache.read_text())
    cmd = [
        sys.executable,
        "-m",
        "chipkg.bench.run",
        "--phase",
        name,
        *(f"{k}={v}" for k, v in args.items() if v is not None),
    ]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise StepTimeout(timeout or 0) from None
    if proc.returncode != 0:
        raise ChipkgError(f"benchmark step {name} failed: {proc.stderr.strip()[-800:]}")
    sys.stderr.write(proc.stderr)
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps(result, indent=2, sort_keys=True))
    return result


# ---------------------------------------------------------------------------------------------
# Orchestration, table, docs/benchmarks.md
# ---------------------------------------------------------------------------------------------

LOOKUPS = ("claims-about-entity", "claims-citing-source")
AGGREGATES = ("funding-by-funder", "funding-by-country")


def machine() -> dict[str, str]:
    from importlib.metadata import version

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        ram = f"{pages / 2**30:.1f} GiB"
    except (ValueError, OSError):
        ram = "?"
    libs = ", ".join(f"{p} {version(p)}" for p in ("rdflib", "pyshacl", "pyoxigraph", "networkx"))
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": ram,
        "python": platform.python_version(),
        "libraries": libs,
        "os": f"{platform.system()} {platform.release()}",
    }


FULL_VALIDATION_UP_TO = 100_000  # claims: larger corpora obey --validate-limit
TRIPLE_SIZES = (1_700, 17_000)  # claims: about 10^5 and 10^6 triples, validated in full
RDFLIB_TIMEOUT_S = 120


def run(
    sizes: tuple[int, ...],
    workdir: Path,
    quick: bool = False,
    seed: int = SEED,
    validate_limit: int | None = None,
    text_reports: int = 20,
    triple_sizes: tuple[int, ...] = TRIPLE_SIZES,
    resume: bool = False,
    analyze_timeout: float | None = None,
    rdflib_claims: int | None = None,
) -> dict:
    """Every measurement, each in its own subprocess; returns the results as data.

    Corpora up to FULL_VALIDATION_UP_TO claims are validated in full; larger ones, when
    ``validate_limit`` is given, on their first ``validate_limit`` report graphs, and the time for
    all of them is projected (and marked so)."""

    def step(name: str, where: Path | None, timeout: float | None = None, **args) -> dict:
        cache = where / f"result-{name}.json" if (resume and where is not None) else None
        return _subprocess(name, timeout=timeout, cache=cache, **args)

    workdir.mkdir(parents=True, exist_ok=True)
    results: dict = {"sizes": {}, "seed": seed, "validation_by_triples": {}}
    err.print("[bold]bundled report[/]: parse, citations, extraction, RDF; then validation")
    results["bundled"] = step("bundled", workdir, repeats=1 if quick else 5)
    results["startup"] = step("startup", workdir, repeats=1 if quick else 3)
    articles = 2 if quick else 8  # quick: small reports, for a smoke run in seconds
    err.print(f"[bold]build throughput[/]: {text_reports} synthetic report texts, real pipeline")
    results["build_text"] = step(
        "build-text", workdir, reports=2 if quick else text_reports, seed=seed
    )
    repeats = 3 if quick else 7
    for n in sizes:
        d = workdir / f"claims-{n}"
        err.print(f"[bold]{n:,} claims[/]: generating corpus in {d}")
        row = {"generate": step("generate", d, claims=n, workdir=d, seed=seed, articles=articles)}
        err.print("  loading into an on-disk Oxigraph store (bulk_load)")
        row["load"] = step("load", d, workdir=d)
        limit = validate_limit if n > FULL_VALIDATION_UP_TO else None
        err.print(
            "  SHACL validation, per report graph, parallel"
            + (f" (first {limit})" if limit else "")
        )
        row["validate"] = step("validate", d, workdir=d, limit=limit)
        err.print(f"  library queries, median of {repeats}")
        row["queries"] = step("queries", d, workdir=d, repeats=repeats)
        err.print("  networkx analyses and Gephi export")
        try:
            row["analyze"] = step("analyze", d, timeout=analyze_timeout, workdir=d)
        except StepTimeout as exc:
            row["analyze"] = {"timeout_s": exc.seconds}
        results["sizes"][n] = row
    for n in triple_sizes:
        d = workdir / f"claims-{n}"
        err.print(f"[bold]validation at {n:,} claims[/] (about {n * 59:,} triples)")
        gen = step("generate", d, claims=n, workdir=d, seed=seed, articles=articles)
        results["validation_by_triples"][n] = {
            "generate": gen,
            "validate": step("validate", d, workdir=d),
        }
    smallest = rdflib_claims or min(sizes)
    err.print(f"[bold]rdflib[/]: the same queries at {smallest:,} claims")
    # one subprocess per query, with a time limit: rdflib's SPARQL engine takes minutes on
    # aggregates that Oxigraph answers in milliseconds (see /work/shared/NOTES.md)
    rd: dict = {"queries": {}, "load_s": 0.0, "timeout_s": RDFLIB_TIMEOUT_S}
    d = workdir / f"claims-{smallest}"
    # quick: one process for all of them (a smoke run); else one each, each with its time limit
    groups = [LOOKUPS + AGGREGATES] if quick else [(name,) for name in LOOKUPS + AGGREGATES]
    for names in groups:
        try:
            part = step(
                "rdflib-queries",
                d / "-".join(names),
                timeout=RDFLIB_TIMEOUT_S * len(names),
                workdir=d,
                repeats=1 if quick else 3,
                names=",".join(names),
            )
        except StepTimeout:
            for name in names:
                rd["queries"][name] = {"timeout_s": RDFLIB_TIMEOUT_S, "rows": None}
            continue
        rd["queries"].update(part["queries"])
        rd["load_s"] = part["load_s"]
    results["rdflib"] = rd
    results["rdflib"]["claims"] = smallest
    return results


def _fmt(x: float, digits: int = 1) -> str:
    return f"{x:,.{digits}f}"


def _ms(q: dict) -> str:
    runs = q.get("runs")
    few = f", {runs} run{'s' if runs != 1 else ''}" if runs is not None and runs < 3 else ""
    return f"{_fmt(q['median_ms'])} [{q['rows']:,} rows{few}]"


def _validate_cells(v: dict) -> dict[str, str]:
    partial = v["reports_checked"] < v["reports_total"]
    return {
        "checked": f"{v['reports_checked']:,} of {v['reports_total']:,}",
        "wall": _fmt(v["seconds"]),
        "all": (f"{_fmt(v['projected_s'])} (projected)" if partial else _fmt(v["seconds"])),
        "findings": f"{v['violations']} / {v['warnings']:,} / {v['infos']:,}",
        "rss": f"{v['rss_mb']:,.0f} / {v['workers_rss_mb']:,.0f}",
    }


def rows(results: dict) -> list[tuple[str, ...]]:
    """The table: one row per measurement, one column per size."""
    sizes = sorted(results["sizes"], key=int)
    s = [results["sizes"][n] for n in sizes]
    out: list[tuple[str, ...]] = [("measurement", *(f"{int(n):,} claims" for n in sizes))]

    def row(label: str, f) -> None:
        out.append((label, *(f(r) for r in s)))

    def analyzed(key: str, f):
        def cell(r: dict) -> str:
            a = r["analyze"]
            return f"> {a['timeout_s']:,.0f} s (timeout)" if "timeout_s" in a else f(a)

        return cell

    row("reports", lambda r: f"{r['generate']['reports']:,}")
    row("claims", lambda r: f"{r['generate']['claims']:,}")
    row("triples (report graphs)", lambda r: f"{r['generate']['triples']:,}")
    row("generate corpus, all cores (s)", lambda r: _fmt(r["generate"]["seconds"]))
    row("load: bulk_load into on-disk store (s)", lambda r: _fmt(r["load"]["seconds"], 2))
    row("load: quads/s", lambda r: f"{r['load']['quads'] / max(r['load']['seconds'], 1e-9):,.0f}")
    row(
        "load: summary totals, materialised (s)",
        lambda r: _fmt(r["load"]["summary_s"], 2) if "summary_s" in r["load"] else "–",
    )
    row("load: peak RSS (MB)", lambda r: _fmt(r["load"]["rss_mb"], 0))
    row("validate: report graphs checked", lambda r: _validate_cells(r["validate"])["checked"])
    row("validate: wall, checked graphs (s)", lambda r: _validate_cells(r["validate"])["wall"])
    row("validate: wall, all graphs (s)", lambda r: _validate_cells(r["validate"])["all"])
    row(
        "validate: violations / warnings / info",
        lambda r: _validate_cells(r["validate"])["findings"],
    )
    row("validate: peak RSS main / worker (MB)", lambda r: _validate_cells(r["validate"])["rss"])
    names = sorted({n for r in s for n in r["queries"]["queries"]})
    for name in names:
        base = name.removesuffix(MOST_CITED)
        tag = " (lookup)" if base in LOOKUPS else " (aggregate)" if base in AGGREGATES else ""
        row(
            f"query {name}{tag} (ms)",
            lambda r, n=name: (
                _ms(r["queries"]["queries"][n]) if n in r["queries"]["queries"] else ""
            ),
        )
    row(
        "networkx: fact graph from store (s)",
        analyzed("fact_graph_s", lambda a: _fmt(a["fact_graph_s"], 2)),
    )
    row("networkx: analyses (s)", analyzed("analyze_s", lambda a: _fmt(a["analyze_s"], 2)))
    row("Gephi export, GEXF (s)", analyzed("gexf_s", lambda a: _fmt(a["gexf_s"], 2)))
    row(
        "fact graph nodes / edges",
        analyzed("nodes", lambda a: f"{a['nodes']:,} / {a['edges']:,}"),
    )
    return out


def triples_rows(results: dict) -> list[tuple[str, ...]]:
    """Validation of whole corpora by size in triples (every report graph checked)."""
    out: list[tuple[str, ...]] = [
        (
            "corpus",
            "reports",
            "claims",
            "triples",
            "wall (s)",
            "violations / warnings / info",
            "peak RSS main / worker (MB)",
        )
    ]
    b = results["bundled"]
    out.append(
        (
            "bundled report",
            f"{b['reports']}",
            "",
            f"{b['validate_triples']:,}",
            _fmt(b["validate_s"]),
            f"{b['violations']} / – / –",
            f"{b['validate_rss_mb']:,.0f} / –",
        )
    )
    for n, r in sorted(results["validation_by_triples"].items(), key=lambda kv: int(kv[0])):
        g, v = r["generate"], _validate_cells(r["validate"])
        out.append(
            (
                f"synthetic, {int(n):,} claims",
                f"{g['reports']:,}",
                f"{g['claims']:,}",
                f"{g['triples']:,}",
                v["all"],
                v["findings"],
                v["rss"],
            )
        )
    return out


def rdflib_rows(results: dict) -> list[tuple[str, ...]]:
    rd = results["rdflib"]
    ox_q = results["sizes"][rd["claims"]]["queries"]["queries"]
    out = [("query", "Oxigraph (ms)", "rdflib (ms)", "rdflib / Oxigraph")]
    for name in sorted(rd["queries"]):
        a, q = ox_q[name]["median_ms"], rd["queries"][name]
        if "timeout_s" in q:
            t = q["timeout_s"]
            out.append((name, _fmt(a), f"> {t:,.0f} s (timeout)", f"> {t * 1000 / a:,.0f}×"))
        else:
            b = q["median_ms"]
            out.append((name, _fmt(a), _fmt(b), f"{b / max(a, 1e-6):,.0f}×"))
    return out


# why a target is missed, by target (written from the measurements in docs/benchmarks.json)
WHY_MISSED: dict[str, str] = {
    "bundled-build": "the time includes loading the entity table and building the linker "
    "(about a tenth of it); the rest is parsing, citation resolution and extraction in pure "
    "Python (report.py, extract/), which this benchmark does not change.",
    "build-throughput": "the real pipeline (parse, citations, extraction, RDF with rdflib) runs "
    "at a few hundred claims per CPU-second; rdflib's Graph.add (indexes kept for every triple) "
    "and extraction dominate a profile. Reaching 2,000 claims/s needs work in build.py and "
    "extract/ (e.g. collecting triples in a set and serialising directly, as the benchmark's "
    "corpus writer does, which made that path three times faster).",
    "validate-time": "pySHACL's own evaluation of the node and property shapes dominates. "
    "validate.py now runs each SPARQL constraint once for all focus nodes and sh:or of classes "
    "by type lookup (fast paths proved equal to plain pySHACL by tests/test_validate_fast.py): "
    "one report graph (about 11,000 triples with the entities it names) takes about 1.4 s alone, "
    "but the corpus run measured about 1.5 s of wall time per report graph with 2 workers, "
    "because the main process (reading the N-Quads, computing each graph's entity closure, "
    "merging results) shares the 2 cores with them. Time grows linearly with the number of "
    "report graphs: 10^6 claims (about 5,200 report graphs) would take about 2.2 h here, about "
    "13x over; more cores divide it. No check was dropped to get closer.",
    "validate-memory": "each worker holds one report graph at a time; the main process holds the "
    "entity graph and the results.",
}


def targets(results: dict) -> list[dict]:
    """Each target of the benchmark issue: what was measured against it, met or not, by how
    much."""
    out: list[dict] = []
    largest = max(results["sizes"], key=int)
    big = results["sizes"][largest]
    at = f"at {int(largest):,} claims"

    def add(key: str, what: str, value: float, limit: float, unit: str, higher=False) -> None:
        met = value >= limit if higher else value <= limit
        if met:
            by = (
                f"met ({value / limit:.1f}× the target)"
                if higher
                else (f"met ({limit / max(value, 1e-9):.1f}× under)")
            )
        else:
            by = (
                f"MISSED by {limit / max(value, 1e-9):.1f}×"
                if higher
                else f"MISSED by {value / limit:.1f}× ({value - limit:,.1f} {unit} over)"
            )
        out.append(
            {
                "key": key,
                "target": what,
                "measured": f"{value:,.{0 if value >= 100 else 2}f} {unit}",
                "verdict": by,
                "met": met,
            }
        )

    b = results["bundled"]
    add(
        "bundled-build",
        "bundled report builds (parse, extract, RDF) in < 1 s after start-up",
        b["median_s"],
        1.0,
        "s",
    )
    bt = results["build_text"]
    add(
        "build-throughput",
        "build throughput ≥ 2,000 claims/s on one core",
        bt["claims"] / max(bt["cpu_s"], 1e-9),
        2000,
        "claims/s",
        higher=True,
    )
    qs = big["queries"]["queries"]
    for name in LOOKUPS:
        add(
            f"lookup-{name}",
            f"{name} (typical value) < 50 ms median {at}",
            qs[name]["median_ms"],
            50,
            "ms",
        )
    for name in AGGREGATES:
        add(f"aggregate-{name}", f"{name} < 500 ms median {at}", qs[name]["median_ms"], 500, "ms")
    v = big["validate"]
    add(
        "validate-time",
        f"validation of all report graphs < 10 min {at}"
        + (" (projected)" if v["reports_checked"] < v["reports_total"] else ""),
        v["projected_s"],
        600,
        "s",
    )
    workers = os.cpu_count() or 1
    peak = (v["rss_mb"] + workers * v["workers_rss_mb"]) / 1024
    add(
        "validate-memory",
        f"validation peak memory < 8 GB {at} (main + {workers} workers)",
        peak,
        8.0,
        "GB",
    )
    return out


def _md_table(t: list[tuple[str, ...]]) -> str:
    head, *body = t
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r) + " |" for r in body]
    return "\n".join(lines)


def markdown(results: dict, when: str | None = None) -> str:
    m = results.get("machine") or machine()
    bt, b, st = results["build_text"], results["bundled"], results["startup"]
    when = when or dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    tg = targets(results)
    target_rows = [("target", "measured", "verdict")] + [
        (t["target"], t["measured"], t["verdict"]) for t in tg
    ]
    why = [
        f"- **{t['target']}**: {WHY_MISSED[t['key']]}"
        for t in tg
        if not t["met"] and t["key"] in WHY_MISSED
    ]
    rd = results["rdflib"]
    return (
        "\n".join(
            [
                "# Benchmarks",
                "",
                f"Run {when} with `chipkg bench` (seed {results['seed']}); raw numbers in "
                "`benchmarks.json`.",
                "",
                f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram']} RAM, {m['os']}; "
                f"Python {m['python']}; {m['libraries']}.",
                "",
                "## Targets",
                "",
                _md_table(target_rows),
                "",
                *(["Why the missed targets are missed:", "", *why, ""] if why else []),
                "## Bundled report",
                "",
                f"Parse, citations, extraction and RDF of {b['reports']} report(s) "
                f"({b['triples']:,} triples), timed in-process after start-up: first run "
                f"{b['first_s']:.2f} s, median {b['median_s']:.2f} s "
                f"(CPU {b['median_cpu_s']:.2f} s), loading the entity table included. "
                "`chipkg build --no-validate` as a fresh "
                f"process takes {st['build_s']:.2f} s wall, of which start-up (interpreter and "
                f"imports, `chipkg --version`) is {st['startup_s']:.2f} s; the rest also writes "
                "the TriG, Turtle and N-Quads files and loads the store.",
                "",
                "## Build throughput (real pipeline: parse, citations, extraction, RDF; one core)",
                "",
                f"{bt['reports']} synthetic report texts in the bundled report's style: "
                f"{bt['claims']:,} claims, {bt['triples']:,} triples in {bt['cpu_s']:.2f} s CPU — "
                f"**{bt['claims'] / max(bt['cpu_s'], 1e-9):,.0f} claims/s**, "
                f"{bt['reports'] / max(bt['cpu_s'], 1e-9):,.2f} reports/s, "
                f"{bt['triples'] / max(bt['cpu_s'], 1e-9):,.0f} triples/s; peak RSS "
                f"{bt['rss_mb']:,.0f} MB.",
                "",
                "## Corpus sizes",
                "",
                "Synthetic corpora (`chipkg.bench.run.synthetic_report` through the real "
                "`citations.resolve` and `build.report_graph`). Lookup queries are run with a "
                "typical value (the entity or source whose claim count is the median among those "
                "with at least one claim) and, marked *most cited*, with the most cited one. "
                "Queries are the median of up to 7 runs (fewer when a query takes more than "
                f"{QUERY_BUDGET_S:.0f} s in all). Validation: report graphs in parallel "
                f"processes ({m['cores']} workers); corpora over {FULL_VALIDATION_UP_TO:,} "
                "claims are validated on their first report graphs only and the time for all "
                "of them projected linearly (marked *projected*).",
                "",
                _md_table(rows(results)),
                "",
                "## Validation by corpus size in triples",
                "",
                "Every report graph checked, all shapes, with the report texts.",
                "",
                _md_table(triples_rows(results)),
                "",
                f"## The same queries on rdflib's in-memory graph ({rd['claims']:,} claims)",
                "",
                f"rdflib parsed the corpus in {rd['load_s']:.1f} s; each query has "
                f"{rd['timeout_s']:,.0f} s.",
                "",
                _md_table(rdflib_rows(results)),
            ]
        ).rstrip()
        + "\n"
    )


def print_table(results: dict) -> None:
    out = Console(highlight=False)
    tg = [("target", "measured", "verdict")] + [
        (t["target"], t["measured"], t["verdict"]) for t in targets(results)
    ]
    for t, title in (
        (rows(results), "chipkg bench"),
        (triples_rows(results), "validation by corpus size"),
        (rdflib_rows(results), "rdflib vs Oxigraph"),
        (tg, "targets"),
    ):
        table = Table(title=title)
        for i, h in enumerate(t[0]):
            table.add_column(h, justify="left" if i == 0 else "right")
        for r in t[1:]:
            table.add_row(*r)
        out.print(table)


def _sizes(value: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(float(x)) for x in value.split(",") if x.strip())
    except ValueError:
        raise click.BadParameter(f"'{value}': give claim counts like 1e4,1e5") from None
    if not sizes or min(sizes) < 1:
        raise click.BadParameter("give at least one positive claim count")
    return sizes


@click.command("bench")
@click.option(
    "--sizes",
    default="1e4,1e5,1e6",
    show_default=True,
    help="Corpus sizes in claims, comma-separated (1e4,1e5).",
)
@click.option(
    "--triple-sizes",
    default=",".join(str(n) for n in TRIPLE_SIZES),
    show_default=True,
    help="Corpora (in claims) validated in full for the validation-by-triples table; '' for none.",
)
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("docs/benchmarks.md"),
    show_default=True,
    help="Markdown report to write (atomically); the raw numbers go next to it (.json).",
)
@click.option("--quick", is_flag=True, help="Tiny corpora (300 claims), few repeats: a smoke run.")
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where corpora and stores go (default: a temporary folder, removed after).",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Reuse the results of steps already measured in --workdir (after an interruption).",
)
@click.option(
    "--validate-limit",
    type=click.IntRange(1),
    help=f"Above {FULL_VALIDATION_UP_TO:,} claims, validate only the first N report graphs and "
    "project the time for all.",
)
@click.option("--seed", type=int, default=SEED, show_default=True)
def bench(
    sizes: str,
    triple_sizes: str,
    out_path: Path,
    quick: bool,
    workdir: Path | None,
    resume: bool,
    validate_limit: int | None,
    seed: int,
) -> None:
    """Measure build, load, validation, queries, analyses and export on synthetic corpora;
    print a table and write it (with the machine) to --out."""
    from chipkg.graph.store import atomic_write

    if resume and workdir is None:
        raise click.UsageError("--resume needs --workdir (the folder of the interrupted run)")
    chosen = QUICK_SIZES if quick else _sizes(sizes)
    by_triples = QUICK_TRIPLE_SIZES if quick else (_sizes(triple_sizes) if triple_sizes else ())
    own = workdir is None
    work = Path(tempfile.mkdtemp(prefix="chipkg-bench-")) if own else workdir
    try:
        results = run(
            chosen,
            work,
            quick=quick,
            seed=seed,
            validate_limit=validate_limit,
            text_reports=2 if quick else 20,
            triple_sizes=by_triples,
            resume=resume,
            analyze_timeout=600,
        )
    except ChipkgError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(exc.exit_code) from None
    finally:
        if own:
            shutil.rmtree(work, ignore_errors=True)
    results["machine"] = machine()
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    results["date"] = when
    print_table(results)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(out_path, markdown(results, when).encode("utf-8"))
    atomic_write(
        out_path.with_suffix(".json"),
        (json.dumps(results, indent=2, sort_keys=True) + "\n").encode("utf-8"),
    )
    err.print(f"wrote {out_path} and {out_path.with_suffix('.json')}")


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--phase"]:
        name, args = argv[1], dict(a.split("=", 1) for a in argv[2:])
        print(json.dumps(PHASES[name](args)))
        return
    bench.main(args=argv, prog_name="chipkg bench")


if __name__ == "__main__":
    main()
