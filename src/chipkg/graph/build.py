"""Turn a parsed report and its resolved citations into RDF: one named graph per report.

IRIs are minted from content (report id + character offsets, page and footnote numbers, the URL
itself for sources), never from counters or blank nodes, so a rebuild is byte-identical and a
diff between builds is meaningful.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple
from urllib.parse import quote

from pypinyin import lazy_pinyin
from rdflib import Dataset, Graph, Literal, URIRef

from chipkg import __version__
from chipkg.extract.entities import Entity
from chipkg.extract.pipeline import ExtractedClaim, Extraction
from chipkg.extract.relations import EXTRACTOR, Claim
from chipkg.graph import vocab
from chipkg.graph.notes import (
    STYLE_IRI,
    clause_path,
    note_labels,
    note_path,
    printed_source_path,
)
from chipkg.graph.triples import Triple, TripleSetStore
from chipkg.graph.vocab import ID
from chipkg.ingest.citations import Citations, Support, normalise_url
from chipkg.ingest.clauses import Clause
from chipkg.ingest.inputs import ReportMeta
from chipkg.ingest.report import Article, Footnote, ParsedReport, Passage


class _Terms:
    """A namespace whose terms are each made once. rdflib makes a new URIRef on every attribute
    access of a (Defined)Namespace, which costs more than adding the triple it is used in; an
    unknown name still raises (CKG is closed)."""

    def __init__(self, ns: Any) -> None:
        self._ns = ns
        self._items: dict[str, URIRef] = {}

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("_"):  # not a term (and _ns itself, before __init__ has run)
            raise AttributeError(name)
        term = getattr(self._ns, name)
        setattr(self, name, term)  # found in the instance dict from now on
        return term

    def __getitem__(self, name: str) -> URIRef:
        term = self._items.get(name)
        if term is None:
            term = self._items[name] = self._ns[name]
        return term


CKG = _Terms(vocab.CKG)
DCTERMS = _Terms(vocab.DCTERMS)
OA = _Terms(vocab.OA)
PROV = _Terms(vocab.PROV)
RDF = _Terms(vocab.RDF)
RDFS = _Terms(vocab.RDFS)
SDO = _Terms(vocab.SDO)
SKOS = _Terms(vocab.SKOS)
XSD = _Terms(vocab.XSD)


QUOTE_CONTEXT = 16  # characters of prefix/suffix in a TextQuoteSelector

LEVEL_IRI = {"sentence": CKG.SentenceLevel, "paragraph": CKG.ParagraphLevel, "lead": CKG.LeadLevel}
LEVEL_PROP = {
    "sentence": CKG.citedInSentence,
    "paragraph": CKG.citedInParagraph,
    "lead": CKG.citedAsLead,
}
KIND_IRI = {
    "government": CKG.GovernmentPublisher,
    "company": CKG.CompanyPublisher,
    "thinktank": CKG.ThinkTankPublisher,
    "media": CKG.MediaPublisher,
    "academic": CKG.AcademicPublisher,
    "other": CKG.OtherPublisher,
}


@dataclass(frozen=True)
class Iris:
    """IRI minting for one report. The same IRIs recur (every passage names its page, article
    and paragraph, every claim its passage): each is made once."""

    rid: str
    _minted: dict[str, URIRef] = field(default_factory=dict, init=False, repr=False, compare=False)

    def _iri(self, path: str) -> URIRef:
        iri = self._minted.get(path)
        if iri is None:
            iri = self._minted[path] = ID[path]
        return iri

    @property
    def report(self) -> URIRef:
        return self._iri(f"report/{self.rid}")

    @property
    def graph(self) -> URIRef:
        return self._iri(f"graph/{self.rid}")

    def article(self, a: Article) -> URIRef:
        return self._iri(f"{self.rid}/article/{a.start}")

    def section(self, start: int) -> URIRef:
        return self._iri(f"{self.rid}/section/{start}")

    def paragraph(self, start: int) -> URIRef:
        return self._iri(f"{self.rid}/paragraph/{start}")

    def passage(self, p: Passage) -> URIRef:
        return self._iri(f"{self.rid}/passage/{p.start}-{p.end}")

    def page(self, n: int) -> URIRef:
        return self._iri(f"{self.rid}/page/{n}")

    def footnote(self, page: int, number: int) -> URIRef:
        return self._iri(f"{self.rid}/page/{page}/footnote/{number}")

    def marker(self, start: int) -> URIRef:
        return self._iri(f"{self.rid}/marker/{start}")

    def finding(self, line: int, kind: str, message: str) -> URIRef:
        digest = hashlib.sha1(message.encode("utf-8")).hexdigest()[:10]
        return self._iri(f"{self.rid}/finding/{line}-{kind}-{digest}")


def person_iri(name: str) -> URIRef:
    return ID[f"person/{quote(name, safe='')}"]


def person_label_en(name: str) -> str:
    """Pinyin, family name first: 于杰平 -> Yu Jieping."""
    syll = lazy_pinyin(name)
    if len(syll) < 2:
        return name
    return f"{syll[0].capitalize()} {''.join(syll[1:]).capitalize()}"


@lru_cache(maxsize=1 << 16)  # sources recur, in a report and across the reports of a build
def _source(iri: str) -> URIRef:
    """A source, named by its normalised URL (citations.normalise_url)."""
    return URIRef(iri)


# Making a Literal costs several microseconds, more than adding the triple it is in. Those that
# recur (kinds, labels, section paths, rules, page and line numbers, offsets), in a report and in
# every report of a build, are made once; passage texts and quotes, each made once anyway, are
# made with Literal(...) and not kept.
@lru_cache(maxsize=1 << 16)
def _lit(value: str, lang: str | None = None) -> Literal:
    return Literal(value, lang=lang)


@lru_cache(maxsize=1 << 16, typed=True)
def _int(v: int) -> Literal:
    return Literal(v, datatype=XSD.integer)


@lru_cache(maxsize=1 << 16, typed=True)
def _offset(v: int) -> Literal:
    return Literal(v, datatype=XSD.nonNegativeInteger)


@contextmanager
def _collections_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a report's triples are made: 10^4 to 10^5
    new terms and tuples, none of them in a reference cycle, whose allocation would otherwise
    set off collections (full ones included) that can free nothing. A third of build time."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def report_graph(
    report: ParsedReport,
    cites: Citations,
    meta: ReportMeta,
    extraction: Extraction | None = None,
    ds: Dataset | None = None,
) -> Graph:
    """The report's named graph (identifier id:graph/REPORT): a standalone graph (in a
    TripleSetStore), or with ``ds`` the graph of that name in ``ds``, to which the triples are
    added."""
    iris = Iris(report.report_id)
    with _collections_paused():
        triples = report_triples(report, cites, meta, extraction)
    if ds is None:
        return Graph(store=TripleSetStore(triples), identifier=iris.graph)
    g = ds.graph(iris.graph)
    for triple in triples:
        g.add(triple)
    return g


def report_triples(
    report: ParsedReport,
    cites: Citations,
    meta: ReportMeta,
    extraction: Extraction | None = None,
) -> set[Triple]:
    """The triples of the report's named graph: the report, its pages and footnotes, the sources,
    its articles, sections and paragraphs, its passages with their selectors and citations, the
    markers, the claims, and the parser's findings."""
    iris = Iris(report.report_id)
    g: set[Triple] = set()
    lang = meta.language or "zh"
    _report_node(g, iris, report, meta, lang)
    _pages(g, iris, report, lang)
    _sources(g, cites)
    art_iri = _articles(g, iris, report, cites, lang)
    _sections(g, iris, report, art_iri, lang)
    para_iri = _paragraphs(g, iris, report, art_iri)
    _passages(g, iris, report, cites, art_iri, para_iri, lang)
    _markers(g, iris, report, cites)
    if extraction is not None:
        _claims(g, iris, report, cites, extraction)
    _findings(g, iris, report, cites)
    return g


def _report_node(
    g: set[Triple], iris: Iris, report: ParsedReport, meta: ReportMeta, lang: str
) -> None:
    r = iris.report
    g.add((r, RDF.type, CKG.Report))
    title = meta.title or (report.articles[0].title if report.articles else report.report_id)
    g.add((r, DCTERMS.title, _lit(title, lang)))
    g.add((r, RDFS.label, _lit(title, lang)))
    if meta.title_en:
        g.add((r, DCTERMS.title, _lit(meta.title_en, "en")))
        g.add((r, RDFS.label, _lit(meta.title_en, "en")))
    g.add((r, DCTERMS.language, Literal(lang)))
    if meta.issuer:
        g.add((r, CKG.issuer, Literal(meta.issuer)))
    if meta.issuer_note:
        g.add((r, RDFS.comment, _lit(meta.issuer_note, "en")))
    g.add((r, CKG.sha256, Literal(meta.sha256_actual)))
    g.add((r, CKG.sourceFile, Literal(report.path.name)))
    for style in report.citation_styles:
        g.add((r, CKG.citationStyle, STYLE_IRI[style]))


def _note_iri(iris: Iris, f: Footnote) -> URIRef:
    return iris._iri(note_path(iris.rid, f))


def _support_source(iris: Iris, sup: Support) -> URIRef | None:
    """The source a support names: its URL, or the printed source of an endnote with none."""
    if sup.source:
        return _source(sup.source)
    path = printed_source_path(iris.rid, sup.footnote)
    return iris._iri(path) if path else None


def _pages(g: set[Triple], iris: Iris, report: ParsedReport, lang: str) -> None:
    """Pages and the footnotes printed at their foot, each with the URLs it cites."""
    r = iris.report
    for pg in report.pages:
        pi = iris.page(pg.number)
        g.add((pi, RDF.type, CKG.Page))
        g.add((pi, CKG.pageNumber, _int(pg.number)))
        g.add((pi, CKG.inReport, r))
        g.add((pi, CKG.lineNumber, _int(pg.first_line)))
        g.add((pi, RDFS.label, _lit(f"page {pg.number}", "en")))
        g.add((pi, RDFS.label, _lit(f"第{pg.number}页", "zh")))
        for f in pg.footnotes:
            fi = _note_iri(iris, f)
            g.add((fi, RDF.type, CKG.Footnote))
            if f.kind == "endnote":
                g.add((fi, RDF.type, CKG.Endnote))
            g.add((fi, CKG.footnoteNumber, _int(f.number)))
            g.add((fi, CKG.onPage, pi))
            g.add((fi, CKG.inReport, r))
            g.add((fi, CKG.lineNumber, _int(f.line)))
            en, zh = note_labels(f)
            g.add((fi, RDFS.label, _lit(en, "en")))
            g.add((fi, RDFS.label, _lit(zh, "zh")))
            if f.note:
                g.add((fi, CKG.noteText, Literal(f.note, lang=lang)))
            for u in f.urls:
                g.add((fi, CKG.cites, _source(normalise_url(u))))
            if ps_path := printed_source_path(iris.rid, f):
                ps = iris._iri(ps_path)
                g.add((fi, CKG.cites, ps))
                g.add((ps, RDF.type, CKG.Source))
                g.add((ps, RDF.type, CKG.PrintedSource))
                g.add((ps, DCTERMS.title, Literal(" ".join(f.note.split()))))


def _sources(g: set[Triple], cites: Citations) -> None:
    for s in cites.sources:
        si = _source(s.iri)
        g.add((si, RDF.type, CKG.Source))
        g.add((si, CKG.domain, _lit(s.domain)))
        g.add((si, CKG.publisherKind, KIND_IRI[s.kind]))
        if s.publisher:
            g.add((si, CKG.publisherName, _lit(s.publisher.name_en, "en")))
            if s.publisher.name_zh:
                g.add((si, CKG.publisherName, _lit(s.publisher.name_zh, "zh")))


def _articles(
    g: set[Triple], iris: Iris, report: ParsedReport, cites: Citations, lang: str
) -> dict[int, URIRef]:
    """Articles with their titles, dates, authors and the sources of their lead; returns the
    IRI of each article by its index."""
    art_iri = {a.index: iris.article(a) for a in report.articles}
    lead = dict(cites.lead_markers)
    fn_of = dict(cites.marker_footnotes)
    for a in report.articles:
        ai = art_iri[a.index]
        g.add((ai, RDF.type, CKG.Article))
        g.add((ai, CKG.inReport, iris.report))
        g.add((ai, CKG.sequence, _int(a.index)))
        g.add((ai, CKG.lineNumber, _int(a.line)))
        g.add((ai, CKG.onPage, iris.page(a.page)))
        if a.title:
            g.add((ai, DCTERMS.title, _lit(a.title, lang)))
            g.add((ai, RDFS.label, _lit(a.title, lang)))
        if a.rubric:
            g.add((ai, CKG.rubric, _lit(a.rubric, lang)))
        if a.date:
            g.add((ai, DCTERMS.date, Literal(a.date.isoformat(), datatype=XSD.date)))
        for name in a.authors:
            pe = person_iri(name)
            g.add((ai, DCTERMS.creator, pe))
            g.add((pe, RDF.type, CKG.Person))
            g.add((pe, RDFS.label, _lit(name, "zh")))
            g.add((pe, RDFS.label, _lit(person_label_en(name), "en")))
        for mk in lead.get(a.index, ()):
            for f in fn_of.get(mk, ()):
                for u in f.urls:
                    g.add((ai, CKG.leadSource, _source(normalise_url(u))))
    return art_iri


def _sections(
    g: set[Triple], iris: Iris, report: ParsedReport, art_iri: dict[int, URIRef], lang: str
) -> None:
    for s in report.sections:
        si = iris.section(s.start)
        g.add((si, RDF.type, CKG.Section))
        g.add((si, CKG.sectionLabel, _lit(s.label)))
        g.add((si, CKG.sectionLevel, _int(s.level)))
        g.add((si, DCTERMS.title, _lit(s.title, lang)))
        g.add((si, RDFS.label, _lit(f"{s.label}{s.title}", lang)))
        g.add((si, CKG.inArticle, art_iri[s.article]))
        g.add((si, CKG.lineNumber, _int(s.line)))
        g.add((si, CKG.onPage, iris.page(s.page)))
        if s.parent is not None:
            g.add((si, CKG.inSection, iris.section(s.parent)))


def _paragraphs(
    g: set[Triple], iris: Iris, report: ParsedReport, art_iri: dict[int, URIRef]
) -> dict[int, URIRef]:
    para_iri = {}
    for p in report.paragraphs:
        pi = iris.paragraph(p.start)
        para_iri[p.index] = pi
        g.add((pi, RDF.type, CKG.Paragraph))
        g.add((pi, CKG.inArticle, art_iri[p.article]))
        g.add((pi, CKG.lineNumber, _int(p.line)))
        g.add((pi, CKG.onPage, iris.page(p.page)))
        g.add((pi, CKG.passageKind, _lit(p.kind)))
    return para_iri


def _passages(
    g: set[Triple],
    iris: Iris,
    report: ParsedReport,
    cites: Citations,
    art_iri: dict[int, URIRef],
    para_iri: dict[int, URIRef],
    lang: str,
) -> None:
    """Each passage: where it sits, its Web Annotation selectors, and its citations."""
    sec_by_start = {s.start: s for s in report.sections}
    by_passage: dict[int, list[Support]] = {}
    for sup in cites.supports:
        by_passage.setdefault(sup.passage, []).append(sup)
    for p in report.passages:
        pi = iris.passage(p)
        g.add((pi, RDF.type, CKG.Passage))
        g.add((pi, OA.hasSource, iris.report))
        g.add((pi, CKG.text, Literal(p.text, lang=lang)))
        g.add((pi, CKG.passageKind, _lit(p.kind)))
        g.add((pi, CKG.sequence, _int(p.index)))
        g.add((pi, CKG.lineNumber, _int(p.line)))
        g.add((pi, CKG.pageNumber, _int(p.page)))
        g.add((pi, CKG.onPage, iris.page(p.page)))
        g.add((pi, CKG.inArticle, art_iri[p.article]))
        g.add((pi, CKG.inParagraph, para_iri[p.paragraph]))
        if p.section is not None:
            g.add((pi, CKG.inSection, iris.section(p.section)))
            g.add((pi, CKG.sectionPath, _lit(_section_path(p.section, sec_by_start), lang)))
        _selectors(g, pi, report.text, p.start, p.end, quote=True)
        _passage_citations(g, iris, pi, by_passage.get(p.index, []))
        for clause in cites.clauses_of(p.index):
            _clause(g, iris, pi, clause, cites, report.text)


def _clause(
    g: set[Triple], iris: Iris, pi: URIRef, clause: Clause, cites: Citations, text: str
) -> None:
    """A clause of a sentence that a marker splits: its span, the markers that close it, and its
    own sources (docs/provenance.md, "Clause scope")."""
    ci = iris._iri(clause_path(iris.rid, clause))
    g.add((ci, RDF.type, CKG.Clause))
    g.add((ci, CKG.clauseOf, pi))
    _selectors(g, ci, text, clause.start, clause.end, quote=False)
    for mk in clause.markers:
        g.add((ci, CKG.endsAtMarker, iris.marker(mk.start)))
    for sup in cites.clause_supports(clause):
        if (src := _support_source(iris, sup)) is not None:
            g.add((ci, CKG.citedInClause, src))


def _selectors(g: set[Triple], node: URIRef, text: str, start: int, end: int, quote: bool) -> None:
    """A TextPositionSelector (and with ``quote`` a TextQuoteSelector) for text[start:end]."""
    pos = URIRef(f"{node}#position")
    g.add((node, OA.hasSelector, pos))
    g.add((pos, RDF.type, OA.TextPositionSelector))
    g.add((pos, OA.start, _offset(start)))
    g.add((pos, OA.end, _offset(end)))
    if not quote:
        return
    qs = URIRef(f"{node}#quote")
    g.add((node, OA.hasSelector, qs))
    g.add((qs, RDF.type, OA.TextQuoteSelector))
    g.add((qs, OA.exact, Literal(text[start:end])))
    g.add((qs, OA.prefix, Literal(text[max(0, start - QUOTE_CONTEXT) : start])))
    g.add((qs, OA.suffix, Literal(text[end : end + QUOTE_CONTEXT])))


def _passage_citations(g: set[Triple], iris: Iris, pi: URIRef, sups: list[Support]) -> None:
    if sups:
        g.add((pi, CKG.citationLevel, LEVEL_IRI[sups[0].level]))
    for sup in sups:
        # the n-th URL of the footnote (footnotes may cite two URLs): content-derived, short
        f = sup.footnote
        urls = [normalise_url(u) for u in f.urls]
        nth = urls.index(sup.source) if sup.source else 0
        note = f"r{f.list_start}-n{f.number}" if f.kind == "endnote" else f"p{f.page}-f{f.number}"
        ci = URIRef(f"{pi}/citation/{sup.level}/{note}-u{nth + 1}")
        g.add((pi, PROV.qualifiedDerivation, ci))
        g.add((ci, RDF.type, CKG.Citation))
        g.add((ci, CKG.citationLevel, LEVEL_IRI[sup.level]))
        g.add((ci, CKG.viaFootnote, _note_iri(iris, f)))
        g.add((ci, CKG.viaMarker, iris.marker(sup.marker.start)))
        if (src := _support_source(iris, sup)) is not None:
            g.add((ci, PROV.entity, src))
            g.add((pi, LEVEL_PROP[sup.level], src))


def _markers(g: set[Triple], iris: Iris, report: ParsedReport, cites: Citations) -> None:
    fn_of = dict(cites.marker_footnotes)
    passage_of_marker = {mk.start: p for p in report.passages for mk in p.markers}
    for mk in report.markers:
        mi = iris.marker(mk.start)
        g.add((mi, RDF.type, CKG.Marker))
        g.add((mi, CKG.printedAs, _lit(mk.printed)))
        g.add((mi, CKG.onPage, iris.page(mk.page)))
        g.add((mi, CKG.lineNumber, _int(mk.line)))
        _selectors(g, mi, report.text, mk.start, mk.end, quote=False)
        if mk.start in passage_of_marker:
            g.add((mi, CKG.inPassage, iris.passage(passage_of_marker[mk.start])))
        if mk.dangling:
            g.add((mi, CKG.dangling, Literal(True)))
        for f in fn_of.get(mk, ()):
            g.add((mi, CKG.refersTo, _note_iri(iris, f)))


def _findings(g: set[Triple], iris: Iris, report: ParsedReport, cites: Citations) -> None:
    """The parser's and the citation stage's findings: nothing is silently dropped."""
    for f in list(report.findings) + list(cites.findings):
        fi = iris.finding(f.line, f.kind, f.message)
        g.add((fi, RDF.type, CKG.ParseFinding))
        g.add((fi, CKG.findingKind, _lit(f.kind)))
        g.add((fi, CKG.severity, _lit(f.severity)))
        g.add((fi, CKG.message, _lit(f.message, "en")))
        g.add((fi, CKG.inReport, iris.report))
        if f.line:
            g.add((fi, CKG.lineNumber, _int(f.line)))
        if f.page:
            g.add((fi, CKG.onPage, iris.page(f.page)))


def _section_path(start: int, sections: dict) -> str:
    chain = []
    cur = sections.get(start)
    while cur is not None:
        chain.append(f"{cur.label}{cur.title}")
        cur = sections.get(cur.parent) if cur.parent is not None else None
    return " › ".join(reversed(chain))


# --------------------------------------------------------------------------------------------
# Reference entities and claims
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=1 << 16)  # entities recur, in every report of a build
def entity_iri(eid: str) -> URIRef:
    return ID[f"entity/{eid}"]


def _is_cjk(s: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in s)


def entities_graph(entities: dict[str, Entity]) -> Graph:
    """The reference entities as RDF (named graph id:graph/entities): types, labels in both
    languages, aliases, country, Wikidata ID, and for technologies the SKOS hierarchy."""
    g = Graph()
    for e in entities.values():
        ei = entity_iri(e.id)
        g.add((ei, RDF.type, CKG[e.type]))
        g.add((ei, RDFS.label, Literal(e.label_en, lang="en")))
        g.add((ei, RDFS.label, Literal(e.label_zh, lang="zh")))
        for alias in e.aliases:
            g.add((ei, SKOS.altLabel, Literal(alias, lang="zh" if _is_cjk(alias) else "en")))
        if e.country and e.type != "Region":  # a region's country is where it is located
            g.add((ei, CKG.country, entity_iri(e.country)))
        if e.wikidata:
            g.add((ei, CKG.wikidata, Literal(e.wikidata)))
        if e.type in ("Technology", "Product"):
            g.add((ei, SKOS.inScheme, CKG.TechnologyScheme))
            if e.broader:
                g.add((ei, SKOS.broader, entity_iri(e.broader)))
        elif e.type == "Region" or (e.is_facility and e.broader):
            g.add((ei, CKG.locatedIn, entity_iri(e.broader or e.country)))
        for op in e.operator:
            g.add((entity_iri(op), CKG.operates, ei))
    return g


def claim_iri(iris: Iris, p: Passage, c: Claim, analyst: bool) -> URIRef:
    obj = c.object or f"{c.value}"
    tail = "/analyst" if analyst else ""
    return ID[f"{iris.rid}/claim/{p.start}-{p.end}/{c.predicate}/{c.subject}/{obj}{tail}"]


def _money(g: set[Triple], node: URIRef, m) -> None:
    g.add((node, RDF.type, CKG.MonetaryAmount))
    g.add((node, SDO.value, Literal(m.value, datatype=XSD.decimal)))
    g.add((node, SDO.currency, _lit(m.currency)))
    if m.qualifier:
        g.add((node, CKG.amountQualifier, _lit(m.qualifier)))


def _claims(
    g: set[Triple], iris: Iris, report: ParsedReport, cites: Citations, extraction: Extraction
) -> None:
    """The entities each passage mentions, the extraction activity, each claim (with its asserted
    triple unless superseded) and the analysts' corrections that supersede extracted claims."""
    for p in report.passages:
        for m in extraction.mentions.get(p.index, ()):
            g.add((iris.passage(p), CKG.mentions, entity_iri(m.entity)))
    activity = ID[f"extraction/{EXTRACTOR}-{__version__}"]
    g.add((activity, RDF.type, CKG.Extraction))
    g.add((activity, CKG.extractorVersion, Literal(f"{EXTRACTOR} {__version__}")))
    g.add((activity, RDFS.label, Literal(f"{EXTRACTOR} {__version__}", lang="en")))
    by_index = {p.index: p for p in report.passages}
    made: dict[tuple, URIRef] = {}
    for ec in extraction.claims:
        c = ec.claim
        analyst = ec.made_by.startswith("analyst")
        ci = claim_iri(iris, by_index[c.passage], c, analyst)
        made[(c.passage, c.subject, c.predicate, c.object, c.value, analyst)] = ci
        _claim(g, iris, ci, by_index[c.passage], ec)
        _claim_provenance(g, iris, ci, ec, cites, activity)
    for ec in extraction.claims:
        if ec.supersedes is not None:
            o, c = ec.supersedes, ec.claim
            old = made.get((o.passage, o.subject, o.predicate, o.object, o.value, False))
            new = made[(c.passage, c.subject, c.predicate, c.object, c.value, True)]
            if old is not None:
                g.add((new, CKG.supersedes, old))


def _claim(g: set[Triple], iris: Iris, ci: URIRef, p: Passage, ec: ExtractedClaim) -> None:
    """The claim node: subject, predicate, object or value, amount, dates; and the plain triple
    it asserts, unless an analyst superseded it."""
    c = ec.claim
    s, pred = entity_iri(c.subject), CKG[c.predicate]
    g.add((ci, RDF.type, CKG.Claim))
    g.add((ci, CKG.claimSubject, s))
    g.add((ci, CKG.claimPredicate, pred))
    g.add((ci, CKG.statedIn, iris.passage(p)))
    if c.object:
        o = entity_iri(c.object)
        g.add((ci, CKG.claimObject, o))
        if not ec.superseded:
            g.add((s, pred, o))
    if c.value is not None:
        lit = Literal(c.value, datatype=XSD.decimal)
        if c.predicate == "createsJobs":
            g.add((ci, CKG.claimValue, lit))
            if not ec.superseded:
                g.add((s, pred, lit))
        elif c.predicate == "addsToControlList":
            g.add((ci, CKG.count, lit))
        else:
            g.add((ci, CKG.targetValue, lit))
    if c.unit and c.predicate == "setsTarget":
        g.add((ci, CKG.targetUnit, _lit(c.unit)))
    if c.money is not None:
        amount = URIRef(f"{ci}#amount")
        g.add((ci, CKG.amount, amount))
        _money(g, amount, c.money)
        if c.money.conversion is not None:
            conv = URIRef(f"{ci}#conversion")
            g.add((amount, CKG.statedConversion, conv))
            _money(g, conv, c.money.conversion)
    if c.date is not None:
        dt = {"day": XSD.date, "month": XSD.gYearMonth, "year": XSD.gYear}[c.date.precision]
        g.add((ci, CKG.date, Literal(c.date.value, datatype=dt)))
    if c.target_year is not None:
        g.add((ci, CKG.targetYear, _int(c.target_year)))
    if c.duration:
        g.add((ci, CKG.duration, _lit(c.duration)))
    for e in ec.provisional:
        _provisional_entity(g, iris, e)


def _provisional_entity(g: set[Triple], iris: Iris, e: Entity) -> None:
    """A provisional entity a claim uses, described in the report's graph (the same IRI from two
    reports is one entity): its type, the labels the text gives (one script, or both where the
    text states both), aliases, country, where it is, ckg:provisional true and the passages it
    was minted from."""
    ei = entity_iri(e.id)
    g.add((ei, RDF.type, CKG[e.type]))
    g.add((ei, CKG.provisional, Literal(True)))
    for label, lang in ((e.label_en, "en"), (e.label_zh, "zh")):
        if label:
            g.add((ei, RDFS.label, Literal(label, lang=lang)))
    for alias in (*e.aliases, *e.described_as):
        g.add((ei, SKOS.altLabel, Literal(alias, lang="zh" if _is_cjk(alias) else "en")))
    if e.country and e.type not in ("Region", "Country"):
        g.add((ei, CKG.country, entity_iri(e.country)))
    if e.type in ("Technology", "Product"):
        g.add((ei, SKOS.inScheme, CKG.TechnologyScheme))
    elif e.broader and (e.type == "Region" or e.is_facility):
        g.add((ei, CKG.locatedIn, entity_iri(e.broader)))
    elif e.type == "Region" and e.country:
        g.add((ei, CKG.locatedIn, entity_iri(e.country)))
    for start, end in e.minted_from:
        g.add((ei, CKG.mintedFrom, iris.passage(_Span(start, end))))


class _Span(NamedTuple):
    """A passage's offsets, all that Iris.passage reads."""

    start: int
    end: int


def _claim_provenance(
    g: set[Triple], iris: Iris, ci: URIRef, ec, cites: Citations, activity: URIRef
) -> None:
    """Exactly the sources of the claim's passage, at the passage's level (prov:wasDerivedFrom),
    and of its clause (ckg:clauseSource); and who made it: the extraction rule, or the analyst of
    the curated overlay."""
    c = ec.claim
    level = cites.level_of(c.passage)
    if level:
        g.add((ci, CKG.citationLevel, LEVEL_IRI[level]))
    for sup in cites.for_passage(c.passage):
        if (src := _support_source(iris, sup)) is not None:
            g.add((ci, PROV.wasDerivedFrom, src))
    # clause scope: the sources of the clause the claim rests on (its sentence's where no marker
    # splits the sentence or the claim's span is unknown) — docs/provenance.md, "Clause scope"
    clause = cites.clause_at(c.passage, c.span)
    if clause is not None:
        g.add((ci, CKG.statedInClause, iris._iri(clause_path(iris.rid, clause))))
    for sup in cites.claim_supports(c.passage, c.span):
        if (src := _support_source(iris, sup)) is not None:
            g.add((ci, CKG.clauseSource, src))
    if ec.made_by.startswith("analyst"):
        who = ec.made_by.split(":", 1)[1]
        g.add((ci, PROV.wasAttributedTo, person_iri(who)))
        g.add((person_iri(who), RDF.type, CKG.Person))
        # an analyst's name as given, in both label languages (names are not translated)
        g.add((person_iri(who), RDFS.label, Literal(who, lang="en")))
        g.add((person_iri(who), RDFS.label, Literal(who, lang="zh")))
        g.add((ci, RDFS.comment, Literal(f"curated overlay line {ec.curated_line}", lang="en")))
    else:
        g.add((ci, PROV.wasGeneratedBy, activity))
        g.add((ci, CKG.extractionRule, _lit(c.rule)))
