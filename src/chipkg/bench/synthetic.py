"""The parsed form of a synthetic report (``chipkg bench``): pages, articles, sections, paragraphs,
sentences with footnote markers, per-page footnotes with URLs, and its extraction (mentions, claims
with amounts, dates, targets). ``synthetic_report`` hands them to the real ``citations.resolve``;
``synthetic_graph`` to ``build.report_graph``: the graph has exactly the shape a build gives, IRIs
included, and validates against the shapes with no violation. The text is in the bundled report's
style, so the real parser reads it back (the build-throughput benchmark does). Seeded and
deterministic: the same report id and seed always give the same report."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from chipkg.bench.world import SEED, World, world
from chipkg.extract.amounts import DateMention, Money
from chipkg.extract.entities import Mention
from chipkg.extract.pipeline import ExtractedClaim, Extraction
from chipkg.extract.relations import EXTRACTOR, Claim
from chipkg.graph.build import report_graph
from chipkg.ingest import citations
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

# ---------------------------------------------------------------------------------------------
# What sentences say
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# Sentences and the report around them
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


class _Report:
    """A report being written: its text line by line, and the parsed pieces (pages, articles,
    sections, paragraphs, passages, markers) and extracted mentions and claims, as it grows."""

    def __init__(self, w: World, rng: random.Random) -> None:
        self.w, self.rng, self.t = w, rng, _Text()
        self.pages: list[Page] = []
        self.page_no, self.page_first_line, self.page_lines = 1, 1, 0
        self.page_footnotes: list[tuple[int, list[str]]] = []  # (number, urls) on this page
        self.markers: list[Marker] = []
        self.arts: list[Article] = []
        self.sections: list[Section] = []
        self.paragraphs: list[Paragraph] = []
        self.passages: list[Passage] = []
        self.mentions: dict[int, tuple[Mention, ...]] = {}
        self.raw_claims: list[tuple[int, tuple]] = []

    # -- pages -----------------------------------------------------------------------------------

    def close_page(self) -> None:
        """The page's footnotes (numbered from 1 on each page) after a blank line; a new page."""
        t = self.t
        fns = []
        if self.page_footnotes:
            t.add("")
            for number, urls in self.page_footnotes:
                start, line = t.offset, t.line
                url_lines = []
                t.add(f"{number} {urls[0]}")
                url_lines.append(line)
                for u in urls[1:]:
                    url_lines.append(t.add(u)[1])
                fns.append(
                    Footnote(
                        self.page_no,
                        number,
                        line,
                        start,
                        t.offset - 1,
                        tuple(urls),
                        tuple(url_lines),
                    )
                )
        self.pages.append(Page(self.page_no, self.page_first_line, t.line - 1, tuple(fns), ()))
        self.page_no += 1
        self.page_first_line, self.page_lines, self.page_footnotes = t.line, 0, []

    def line_break(self) -> None:
        self.page_lines += 1
        if self.page_lines >= 12:
            self.close_page()

    # -- paragraphs and passages -----------------------------------------------------------------

    def passage(
        self,
        kind: str,
        text: str,
        start: int,
        line: int,
        art: int,
        sec: int | None,
        para: int,
        mks: tuple[Marker, ...] = (),
    ) -> Passage:
        end = start + len(text) + sum(len(m.printed) for m in mks)
        p = Passage(
            len(self.passages), start, end, text, self.page_no, line, kind, art, sec, para, mks
        )
        self.passages.append(p)
        return p

    def simple_paragraph(self, kind: str, text: str, art: int, sec: int | None) -> int:
        """A one-line paragraph of one passage (rubric, title, author line)."""
        prefix = " " if self.page_lines == 0 else ""
        start, line = self.t.add(prefix + text)
        start += len(prefix)
        para = Paragraph(
            len(self.paragraphs), start, start + len(text), kind, self.page_no, line, art
        )
        self.paragraphs.append(para)
        self.passage(kind, text, start, line, art, sec, para.index)
        self.line_break()
        return para.index

    # -- articles, sections, body paragraphs -----------------------------------------------------

    def article(self, a: int) -> None:
        """Rubric, title, author line and date, then two or three numbered sections."""
        rng, w = self.rng, self.w
        rubric = rng.choice(RUBRICS)
        rubric_start = self.t.offset
        self.simple_paragraph("rubric", rubric, a, None)
        subj = w.entities[w.entity(rng, ("Country", "Company"))].label_zh
        title = subj + rng.choice(
            ("加大半导体产业扶持力度", "发布芯片产业新政策", "推进先进制程产能建设")
        )
        title_line, title_page = self.t.line, self.page_no
        self.simple_paragraph("title", title, a, None)
        authors = tuple(rng.sample(("王丽", "沈湘", "于杰平", "李明", "张伟", "陈静"), 2))
        author_line = self.t.line
        self.simple_paragraph("author", "".join(authors), a, None)
        day = dt.date(2024, 1 + rng.randrange(12), 1 + rng.randrange(28))
        self.arts.append(
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
        for s in range(rng.randint(2, 3)):
            section = self.section(a, s)
            for _ in range(rng.randint(2, 4)):
                self.body_paragraph(a, section)

    def section(self, a: int, s: int) -> int:
        """A numbered section heading (一、…); returns its start offset (the section's key)."""
        label = f"{SECTION_LABELS_1[s]}、"
        stitle = self.rng.choice(
            ("政策支持与资金投入", "产能建设进展", "技术研发动态", "出口管制与供应链")
        )
        prefix = " " if self.page_lines == 0 else ""
        sec_start, sec_line = self.t.add(prefix + label + stitle)
        sec_start += len(prefix)
        self.sections.append(Section(sec_start, 1, label, stitle, None, a, sec_line, self.page_no))
        para = Paragraph(
            len(self.paragraphs),
            sec_start,
            sec_start + len(label + stitle),
            "heading",
            self.page_no,
            sec_line,
            a,
        )
        self.paragraphs.append(para)
        self.passage("heading", label + stitle, sec_start, sec_line, a, sec_start, para.index)
        self.line_break()
        return sec_start

    def body_paragraph(self, a: int, section: int) -> None:
        """One line of 2-5 sentences, a footnote marker after about a third of them."""
        rng, t = self.rng, self.t
        sentences = [_sentence(self.w, rng) for _ in range(rng.randint(2, 5))]
        prefix = " " if self.page_lines == 0 else "　　"
        line_no = t.line
        cursor = t.offset + len(prefix)
        pieces = [prefix]
        para_index = len(self.paragraphs)
        para_start = cursor
        for text, ments, claims in sentences:
            mks: tuple[Marker, ...] = ()
            printed_text = text
            if rng.random() < 0.35:
                mk = self.marker(cursor + len(text) - 1, line_no)  # before the full stop
                mks = (mk,)
                printed_text = text[:-1] + mk.printed + text[-1]
            p = self.passage("body", text, cursor, line_no, a, section, para_index, mks)
            if ments:
                self.mentions[p.index] = tuple(
                    Mention(s0, e0, eid, text[s0:e0]) for s0, e0, eid in ments
                )
            for c in claims:
                self.raw_claims.append((p.index, c))
            pieces.append(printed_text)
            cursor += len(printed_text)
        t.add("".join(pieces))
        self.paragraphs.append(
            Paragraph(para_index, para_start, cursor, "body", self.page_no, line_no, a)
        )
        self.line_break()

    def marker(self, start: int, line_no: int) -> Marker:
        """A footnote marker at ``start``, its footnote citing one or two sources of the pool."""
        rng = self.rng
        number = len(self.page_footnotes) + 1
        urls = [self.w.source(rng) for _ in range(1 + (rng.random() < 0.1))]
        urls = list(dict.fromkeys(urls))
        self.page_footnotes.append((number, urls))
        mk = Marker(self.page_no, line_no, start, start + len(str(number)), str(number), (number,))
        self.markers.append(mk)
        return mk

    # -- the finished report ---------------------------------------------------------------------

    def parsed(self, rid: str) -> ParsedReport:
        if self.page_lines or not self.pages:
            self.close_page()
        text = self.t.text()
        arts = self.arts
        # article ends: the start of the next article (or the end of the text)
        arts = [
            Article(**{**a.__dict__, "end": arts[i + 1].start if i + 1 < len(arts) else len(text)})
            for i, a in enumerate(arts)
        ]
        return ParsedReport(
            path=Path(f"{rid}.txt"),
            report_id=rid,
            text=text,
            line_count=self.t.line - 1,
            pages=tuple(self.pages),
            articles=tuple(arts),
            sections=tuple(self.sections),
            paragraphs=tuple(self.paragraphs),
            passages=tuple(self.passages),
            markers=tuple(self.markers),
            findings=(),
        )

    def extraction(self) -> Extraction:
        """The claims the sentences state (each once per passage), as the extractor gives them."""
        claims: list[ExtractedClaim] = []
        seen: set[tuple] = set()
        for pidx, (subj, pred, obj, extra) in self.raw_claims:
            key = (pidx, subj, pred, obj)
            if key in seen:
                continue
            seen.add(key)
            claims.append(ExtractedClaim(_claim(pidx, subj, pred, obj, extra), made_by=EXTRACTOR))
        return Extraction(tuple(claims), self.mentions, ())


def _claim(pidx: int, subj: str, pred: str, obj: str | None, extra: dict) -> Claim:
    money = None
    if "money" in extra:
        value, code, mtext = extra["money"]
        s0, e0 = extra["money_span"]
        money = Money(s0, e0, value, code, "", mtext)
    date = None
    if "date" in extra:
        s0, e0 = extra["date_span"]
        date = DateMention(s0, e0, extra["date"][0], "month", "")
    return Claim(
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
    )


def synthetic_report(
    rid: str, seed: int = SEED, articles: int = 8, w: World | None = None
) -> tuple[ParsedReport, citations.Citations, Extraction, ReportMeta]:
    """A report as the parser and extractor would give it: ``articles`` articles, each with a
    rubric, title, author line, two or three numbered sections of body paragraphs of two to five
    sentences; a new page about every 12 lines; footnote markers after a third of the sentences,
    each citing one or two sources (per-page numbering) drawn from the long-tailed pool."""
    report = _Report(w or world(seed), random.Random(f"{seed}/{rid}"))
    for a in range(articles):
        report.article(a)
    parsed = report.parsed(rid)
    meta = ReportMeta(
        report_id=rid,
        path=parsed.path,
        title=f"合成报告 {rid}",
        title_en=f"Synthetic report {rid}",
        language="zh",
        issuer="chipkg bench",
        issuer_note="",
        sha256_declared="",
        sha256_actual=hashlib.sha256(parsed.text.encode("utf-8")).hexdigest(),
    )
    return parsed, citations.resolve(parsed), report.extraction(), meta


def report_ids(n: int) -> list[str]:
    return [f"synth-{i:06d}" for i in range(n)]


def synthetic_graph(rid: str, seed: int = SEED, w: World | None = None, articles: int = 8):
    """The named graph of one synthetic report (as build.report_graph makes it) and its text."""
    parsed, cites, extraction, meta = synthetic_report(rid, seed, articles, w=w)
    return report_graph(parsed, cites, meta, extraction), parsed.text, len(extraction.claims)
