"""Loading from the store: one SPARQL query per kind of thing the audit reads (reports, passages,
citations, articles, sections, claims and their amounts and sources, sources, footnotes, parse
findings, dangling markers, mentions, and the labels, types and hierarchy of entities), each
into the ``Data`` the measures share; then, for ``--article``, the restriction to one article."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox

from chipkg.check.audit.model import (
    CKG,
    GRAPH_NS,
    KIND_OF_IRI,
    LEVEL_OF_IRI,
    PREFIXES,
    Data,
    claim_urls,
    is_entity,
    num,
    tail,
)
from chipkg.errors import ChipkgError
from chipkg.graph.sparql import select


def load(store: ox.Store, report: str | None) -> Data:
    """Everything the audit reads from a built store: every report graph, or only ``report``."""
    d = Data()
    d.reports = _reports(store, report)
    d.graph_of = {info["graph"]: rid for rid, info in d.reports.items()}
    q = _Reader(store, d, "VALUES ?g { " + " ".join(f"<{g}>" for g in sorted(d.graph_of)) + " }")
    _passages(q)
    _supports(q)
    _articles_and_sections(q)
    _claims(q)
    _amounts(q)
    _claim_sources(q)
    _sources(q)
    _footnotes_and_findings(q)
    _mentions(q)
    _entities(q)
    return d


@dataclass
class _Reader:
    """Runs the audit's queries over the chosen report graphs (``#GRAPHS#`` in a query)."""

    store: ox.Store
    d: Data
    graphs: str

    def rows(self, query: str, lang: str = "en", graphs: bool = True) -> list[dict[str, Any]]:
        where = self.graphs if graphs else ""
        return select(self.store, PREFIXES + query.replace("#GRAPHS#", where), lang=lang)

    def fetch(self, query: str) -> list[dict[str, Any]]:
        """The rows of a query over the report graphs, one dict a row keyed by variable name,
        with the graph ``?g`` (selected first) replaced by ``report``, the report id."""
        return [{"report": self.d.graph_of[row.pop("g")], **row} for row in self.rows(query)]


def _keyed(rows: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    """Rows by the value of ``key`` (removed from each row); the first row of a key wins."""
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        out.setdefault(row.pop(key), row)
    return out


def _reports(store: ox.Store, report: str | None) -> dict[str, dict]:
    """The report graphs of the build (every one, or only ``report``), by report id."""
    rows = select(
        store,
        PREFIXES
        + """SELECT ?g ?r ?en ?zh ?file WHERE { GRAPH ?g { ?r a ckg:Report .
          OPTIONAL { ?r rdfs:label ?en FILTER(lang(?en) = "en") }
          OPTIONAL { ?r rdfs:label ?zh FILTER(lang(?zh) = "zh") }
          OPTIONAL { ?r ckg:sourceFile ?file } } } ORDER BY ?g""",
    )
    reports: dict[str, dict] = {}
    for row in rows:
        rid = row["g"][len(GRAPH_NS) :] if row["g"].startswith(GRAPH_NS) else row["g"]
        if rid in reports:
            continue
        reports[rid] = {
            "id": rid,
            "graph": row["g"],
            "title_en": row["en"],
            "title_zh": row["zh"],
            "source_file": row["file"],
        }
    if not reports:
        raise ChipkgError(
            "no report graph in this build (no ckg:Report in any named graph)",
            hint="build one with 'chipkg build'",
        )
    if report is None:
        return reports
    if report not in reports:
        raise ChipkgError(
            f"no report graph '{report}' in this build",
            hint="reports: " + (", ".join(sorted(reports)) or "none — run 'chipkg build'"),
        )
    return {report: reports[report]}


def _passages(q: _Reader) -> None:
    for r in q.fetch(
        """SELECT ?g ?p ?page ?line ?seq ?text ?kind ?article ?section ?section_path ?lv WHERE {
          #GRAPHS#
          GRAPH ?g { ?p a ckg:Passage ; ckg:pageNumber ?page ; ckg:sequence ?seq ;
                        ckg:inArticle ?article .
            OPTIONAL { ?p ckg:lineNumber ?line } OPTIONAL { ?p ckg:text ?text }
            OPTIONAL { ?p ckg:passageKind ?kind } OPTIONAL { ?p ckg:inSection ?section }
            OPTIONAL { ?p ckg:sectionPath ?section_path }
            OPTIONAL { ?p ckg:citationLevel ?lv } } }"""
    ):
        r["text"] = r["text"] or ""
        r["kind"] = r["kind"] or "body"
        r["level"] = LEVEL_OF_IRI.get(r.pop("lv") or "", "none")
        q.d.passages[r.pop("p")] = r


def _supports(q: _Reader) -> None:
    """Which source each passage rests on, at which citation level, through which footnote."""
    q.d.supports = q.fetch(
        """SELECT DISTINCT ?g ?passage ?source ?level ?footnote ?number ?page WHERE { #GRAPHS#
          GRAPH ?g { ?passage prov:qualifiedDerivation ?c . ?c prov:entity ?source ;
                        ckg:citationLevel ?level .
            OPTIONAL { ?c ckg:viaFootnote ?footnote . ?footnote ckg:footnoteNumber ?number ;
                          ckg:onPage/ckg:pageNumber ?page } } }"""
    )
    for r in q.d.supports:
        r["level"] = LEVEL_OF_IRI.get(r["level"], "none")


def _articles_and_sections(q: _Reader) -> None:
    q.d.articles = _keyed(
        q.fetch(
            """SELECT ?g ?a ?seq ?page ?title ?rubric ?date WHERE { #GRAPHS#
              GRAPH ?g { ?a a ckg:Article ; ckg:sequence ?seq .
                OPTIONAL { ?a ckg:onPage/ckg:pageNumber ?page }
                OPTIONAL { ?a rdfs:label ?title } OPTIONAL { ?a ckg:rubric ?rubric }
                OPTIONAL { ?a dcterms:date ?date } } }"""
        ),
        "a",
    )
    q.d.sections = _keyed(
        q.fetch(
            """SELECT ?g ?s ?label ?article ?parent ?line ?page WHERE { #GRAPHS#
              GRAPH ?g { ?s a ckg:Section ; ckg:inArticle ?article .
                OPTIONAL { ?s rdfs:label ?label } OPTIONAL { ?s ckg:inSection ?parent }
                OPTIONAL { ?s ckg:lineNumber ?line }
                OPTIONAL { ?s ckg:onPage/ckg:pageNumber ?page } } }"""
        ),
        "s",
    )
    for iri, sec in q.d.sections.items():
        sec["label"] = sec["label"] or tail(iri)


def _claims(q: _Reader) -> None:
    """The current claims (none an analyst superseded) with their facets."""
    for row in q.rows(
        """SELECT ?g ?c ?s ?pred ?o ?p ?lv ?value ?date ?ty ?tv ?tu ?count ?who WHERE { #GRAPHS#
          GRAPH ?g { ?c a ckg:Claim ; ckg:claimSubject ?s ; ckg:claimPredicate ?pred ;
                        ckg:statedIn ?p .
            FILTER NOT EXISTS { ?newer ckg:supersedes ?c }
            OPTIONAL { ?c ckg:claimObject ?o } OPTIONAL { ?c ckg:claimValue ?value }
            OPTIONAL { ?c ckg:citationLevel ?lv } OPTIONAL { ?c ckg:date ?date }
            OPTIONAL { ?c ckg:targetYear ?ty } OPTIONAL { ?c ckg:targetValue ?tv }
            OPTIONAL { ?c ckg:targetUnit ?tu } OPTIONAL { ?c ckg:count ?count }
            OPTIONAL { ?c prov:wasAttributedTo ?who } } }"""
    ):
        q.d.claims.setdefault(
            row["c"],
            {
                "id": row["c"],
                "report": q.d.graph_of[row["g"]],
                "subject": row["s"],
                "predicate": row["pred"],
                "object": row["o"],
                "value": num(row["value"]),
                "passage": row["p"],
                "level": LEVEL_OF_IRI.get(row["lv"] or "", "none"),
                "date": row["date"],
                "target_year": row["ty"],
                "target_value": num(row["tv"]),
                "target_unit": row["tu"],
                "count": num(row["count"]),
                "analyst": row["who"],
                "amounts": [],
                "sources": set(),
            },
        )


def _amounts(q: _Reader) -> None:
    for row in q.rows(
        """SELECT ?g ?c ?a ?value ?cur ?qual ?cv ?cc WHERE { #GRAPHS#
          GRAPH ?g { ?c a ckg:Claim ; ckg:amount ?a . ?a schema:value ?value ;
                                                          schema:currency ?cur .
            OPTIONAL { ?a ckg:amountQualifier ?qual }
            OPTIONAL { ?a ckg:statedConversion [ schema:value ?cv ; schema:currency ?cc ] } } }
          ORDER BY ?a"""
    ):
        claim = q.d.claims.get(row["c"])
        if claim is None:
            continue
        amount = {
            "value": num(row["value"]),
            "currency": row["cur"],
            "qualifier": row["qual"],
            "conversion": (
                {"value": num(row["cv"]), "currency": row["cc"]} if row["cv"] is not None else None
            ),
        }
        if amount not in claim["amounts"]:
            claim["amounts"].append(amount)


def _claim_sources(q: _Reader) -> None:
    for row in q.rows(
        """SELECT ?c ?src WHERE { #GRAPHS#
          GRAPH ?g { ?c a ckg:Claim ; prov:wasDerivedFrom ?src } }"""
    ):
        if row["c"] in q.d.claims:
            q.d.claims[row["c"]]["sources"].add(row["src"])


def _sources(q: _Reader) -> None:
    d = q.d
    for row in q.rows(
        """SELECT ?g ?src ?dom ?kind ?en ?zh WHERE { #GRAPHS#
          GRAPH ?g { ?src a ckg:Source .
            OPTIONAL { ?src ckg:domain ?dom } OPTIONAL { ?src ckg:publisherKind ?kind }
            OPTIONAL { ?src ckg:publisherName ?en FILTER(lang(?en) = "en") }
            OPTIONAL { ?src ckg:publisherName ?zh FILTER(lang(?zh) = "zh") } } }"""
    ):
        src = d.sources.setdefault(
            row["src"],
            {
                "url": row["src"],
                "domain": row["dom"] or (urlsplit(row["src"]).hostname or ""),
                "kind": KIND_OF_IRI.get(row["kind"] or "", "other"),
                "publisher_en": row["en"],
                "publisher_zh": row["zh"],
                "reports": set(),
            },
        )
        src["reports"].add(d.graph_of[row["g"]])
    # a URL a passage or claim rests on is a source even if its ckg:Source typing is missing
    for url in sorted({s["source"] for s in d.supports} | claim_urls(d)):
        d.sources.setdefault(
            url,
            {
                "url": url,
                "domain": urlsplit(url).hostname or "",
                "kind": "other",
                "publisher_en": None,
                "publisher_zh": None,
                "reports": set(),
            },
        )


def _footnotes_and_findings(q: _Reader) -> None:
    q.d.footnotes = q.fetch(
        """SELECT ?g ?footnote ?number ?page ?line ?url WHERE { #GRAPHS#
          GRAPH ?g { ?footnote a ckg:Footnote ; ckg:footnoteNumber ?number .
            OPTIONAL { ?footnote ckg:onPage/ckg:pageNumber ?page }
            OPTIONAL { ?footnote ckg:lineNumber ?line }
            OPTIONAL { ?footnote ckg:cites ?url } } }"""
    )
    q.d.findings = q.fetch(
        """SELECT ?g ?kind (COALESCE(?sev, "info") AS ?severity) (COALESCE(?msg, "") AS ?message)
                 ?line ?page WHERE { #GRAPHS#
          GRAPH ?g { ?f a ckg:ParseFinding ; ckg:findingKind ?kind .
            OPTIONAL { ?f ckg:severity ?sev } OPTIONAL { ?f ckg:message ?msg }
            OPTIONAL { ?f ckg:lineNumber ?line } OPTIONAL { ?f ckg:onPage/ckg:pageNumber ?page }
          } }"""
    )
    q.d.dangling = q.fetch(
        """SELECT ?g ?marker ?printed ?line ?page WHERE { #GRAPHS#
          GRAPH ?g { ?marker ckg:dangling true .
            OPTIONAL { ?marker ckg:printedAs ?printed } OPTIONAL { ?marker ckg:lineNumber ?line }
            OPTIONAL { ?marker ckg:onPage/ckg:pageNumber ?page } } }"""
    )


def _mentions(q: _Reader) -> None:
    for row in q.rows("""SELECT ?p ?e WHERE { #GRAPHS# GRAPH ?g { ?p ckg:mentions ?e } }"""):
        q.d.mentions[row["p"]].add(row["e"])


def _entities(q: _Reader) -> None:
    """Labels, types and hierarchy of entities and relations, from any graph (reference entities,
    ontology, report graphs)."""
    d = q.d
    wanted = (
        {c["subject"] for c in d.claims.values()}
        | {c["object"] for c in d.claims.values() if c["object"]}
        | {c["predicate"] for c in d.claims.values()}
        | {e for es in d.mentions.values() for e in es}
    )
    for lang in ("en", "zh"):
        for row in q.rows(
            """SELECT ?e ?l WHERE { ?e rdfs:label ?l . FILTER(lang(?l) = $lang) }""",
            lang=lang,
            graphs=False,
        ):
            if row["e"] in wanted or is_entity(row["e"]):
                d.labels[row["e"]].setdefault(lang, row["l"])
    for row in q.rows(
        """SELECT ?e ?t ?b ?part ?op ?alt WHERE {
          { ?e a ?t . FILTER(STRSTARTS(STR(?t), "https://w3id.org/chipkg/ontology#"))
            FILTER(STRSTARTS(STR(?e), "https://w3id.org/chipkg/id/entity/")) }
          UNION { ?e skos:broader ?b } UNION { ?e ckg:partOf ?part }
          UNION { ?e ckg:operatedBy ?op } UNION { ?op ckg:operates ?e }
          UNION { ?e skos:altLabel ?alt } }""",
        graphs=False,
    ):
        e = row["e"]
        if row["t"]:
            d.types[e].add(row["t"][len(CKG) :])
        if row["b"]:
            d.broader.setdefault(e, row["b"])
        if row["part"]:
            d.part_of[e].add(row["part"])
        if row["op"]:
            d.operated_by[e].add(row["op"])
        if row["alt"]:
            d.alt_labels[e].add(row["alt"])


def restrict_to_article(d: Data, number: int) -> dict[str, Any]:
    """Keep only what belongs to one article (its number in the report, 0 = the main report):
    its passages and sections, the claims stated in them, the citations of those passages and
    the footnotes and sources they use. Footnotes no passage uses, parse findings and dangling
    markers are kept when their line lies between the article's first line and the next
    article's. Returns the article's scope entry."""
    if len(d.reports) != 1:
        raise ChipkgError(
            "an article number needs one report: this build holds " + ", ".join(sorted(d.reports)),
            hint="name the report too (--report ID)",
        )
    [rid] = d.reports
    arts = sorted(d.articles.items(), key=lambda kv: kv[1]["seq"])
    found = [iri for iri, a in arts if a["seq"] == number]
    if not found:
        numbers = [a["seq"] for _, a in arts]
        raise ChipkgError(
            f"no article {number} in report '{rid}'",
            hint="its articles are numbered "
            + (f"{min(numbers)}–{max(numbers)}" if numbers else "(none)")
            + " (0 is the main report; see 'chipkg audit' coverage by article)",
        )
    [art] = found
    first_line = {
        a: min(
            (p["line"] for p in d.passages.values() if p["article"] == a and p["line"]),
            default=None,
        )
        for a, _ in arts
    }
    start = first_line[art] or 0
    later = [ln for a, ln in first_line.items() if ln is not None and ln > start and a != art]
    end = min(later) if later else None

    def inside(line: int | None) -> bool:
        return line is not None and line >= start and (end is None or line < end)

    cited_anywhere = {s["footnote"] for s in d.supports if s["footnote"]}
    d.passages = {iri: p for iri, p in d.passages.items() if p["article"] == art}
    d.supports = [s for s in d.supports if s["passage"] in d.passages]
    d.claims = {iri: c for iri, c in d.claims.items() if c["passage"] in d.passages}
    d.articles = {art: d.articles[art]}
    d.sections = {iri: s for iri, s in d.sections.items() if s["article"] == art}
    used = {s["footnote"] for s in d.supports if s["footnote"]}
    d.footnotes = [
        f
        for f in d.footnotes
        if f["footnote"] in used or (f["footnote"] not in cited_anywhere and inside(f["line"]))
    ]
    d.findings = [f for f in d.findings if inside(f["line"])]
    d.dangling = [m for m in d.dangling if inside(m["line"])]
    urls = (
        {s["source"] for s in d.supports}
        | claim_urls(d)
        | {f["url"] for f in d.footnotes if f["url"]}
    )
    d.sources = {u: src for u, src in d.sources.items() if u in urls}
    info = d.articles[art]
    return {
        "id": art,
        "number": number,
        "title": info["title"],
        "page": info["page"],
        "lines": [start, end - 1 if end else None],
    }
