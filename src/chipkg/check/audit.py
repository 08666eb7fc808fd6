"""Provenance audit: what an analyst should look at before trusting a number.

``run_audit`` reads a built graph (every report graph, or one) and returns a JSON-serialisable
dict with one section per check; ``render_text`` and ``render_html`` present it. Every check is
rule-based and shows its reasoning and thresholds, so that a flag can be argued with
(docs/audit.md documents the schema and each rule).

* coverage — passages and claims with and without a source, per article and section;
* sources — claims per source URL, concentration (top share, Herfindahl–Hirschman index) and
  possible over-citation (one document cited for many unrelated topics);
* fit — government acts resting only on media or company pages; a company newsroom cited for a
  claim about other organisations;
* consistency — the same subject–relation–object stated with different amounts, dates or targets;
* hygiene — dangling markers, orphan footnotes, duplicate footnotes, near-duplicate and malformed
  URLs, URLs that point at a landing page;
* links — optional HTTP check of every source (status, redirects), stdlib only.

Only current claims count (a claim an analyst superseded is left out), as in the named queries.
"""

from __future__ import annotations

import html
import json
import re
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pyoxigraph as ox

from chipkg import __version__
from chipkg.errors import ChipkgError
from chipkg.graph.sparql import select
from chipkg.ingest.citations import check_url

SCHEMA = "chipkg-audit/1"
CKG = "https://w3id.org/chipkg/ontology#"
GRAPH_NS = "https://w3id.org/chipkg/id/graph/"

PREFIXES = """PREFIX ckg: <https://w3id.org/chipkg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""

LEVELS = ("sentence", "paragraph", "lead", "none")
LEVEL_OF_IRI = {
    CKG + "SentenceLevel": "sentence",
    CKG + "ParagraphLevel": "paragraph",
    CKG + "LeadLevel": "lead",
}
LEVEL_LABELS = {
    "sentence": ("cited in the sentence", "句内引用"),
    "paragraph": ("cited in the paragraph scope", "段内引用范围"),
    "lead": ("article lead source", "文章导语来源"),
    "none": ("no source", "无来源"),
}
KINDS = ("government", "company", "thinktank", "media", "academic", "other")
KIND_OF_IRI = {
    CKG + "GovernmentPublisher": "government",
    CKG + "CompanyPublisher": "company",
    CKG + "ThinkTankPublisher": "thinktank",
    CKG + "MediaPublisher": "media",
    CKG + "AcademicPublisher": "academic",
    CKG + "OtherPublisher": "other",
}
KIND_LABELS = {
    "government": ("government", "政府"),
    "company": ("company", "企业"),
    "thinktank": ("think tank", "智库"),
    "media": ("media", "媒体"),
    "academic": ("academic", "学术机构"),
    "other": ("other", "其他"),
}

ORG_TYPES = frozenset(
    {
        "Organization",
        "Company",
        "ResearchInstitution",
        "ThinkTank",
        "Association",
        "GovernmentAgency",
        "SupranationalBody",
    }
)
ACTOR_TYPES = ORG_TYPES | {"Country", "Person", "Actor"}
GOVERNMENT_TYPES = frozenset({"Country", "GovernmentAgency", "SupranationalBody"})
TECH_TYPES = frozenset({"Technology", "Product"})

# The thresholds of every rule, copied into the audit so that a reader sees what was applied.
THRESHOLDS: dict[str, Any] = {
    "over_citation": {
        "min_pages": 3,
        "min_organisations": 4,
        "min_technology_families": 4,
        "levels_counted": ["sentence", "paragraph"],
    },
    "concentration": {
        "hhi_moderate": 0.15,
        "hhi_high": 0.25,
        "top_share_warning": 0.25,
    },
    "fit": {
        "government_subject_types": sorted(GOVERNMENT_TYPES),
        "government_actions": [
            "funds",
            "investsIn",
            "launches",
            "restrictsExportOf",
            "restrictsExportTo",
            "addsToControlList",
            "investigates",
        ],
        "non_primary_kinds": ["media", "company", "other"],
        "newsroom_kinds": ["company"],
    },
    "hygiene": {
        "tracking_parameters": "utm_*, fbclid, gclid, dclid, gbraid, wbraid, msclkid, mc_cid, "
        "mc_eid, yclid, igshid, _ga, _gl",
        "landing_page_max_path_segments": 2,
        "landing_page_segment": "one lower-case word of at most 12 letters (news, newsroom, en)",
    },
}

_RE_WORD = re.compile(r"^[a-z]{1,12}$")
_TRACKING = re.compile(
    r"^(utm_[a-z0-9_]+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|yclid|igshid|_ga|_gl)$",
    re.IGNORECASE,
)


# --------------------------------------------------------------------------------------------
# Reading the graph
# --------------------------------------------------------------------------------------------


@dataclass
class _Data:
    reports: dict[str, dict] = field(default_factory=dict)  # report id -> info
    graph_of: dict[str, str] = field(default_factory=dict)  # graph IRI -> report id
    passages: dict[str, dict] = field(default_factory=dict)
    supports: list[dict] = field(default_factory=list)
    articles: dict[str, dict] = field(default_factory=dict)
    sections: dict[str, dict] = field(default_factory=dict)
    claims: dict[str, dict] = field(default_factory=dict)
    sources: dict[str, dict] = field(default_factory=dict)
    footnotes: list[dict] = field(default_factory=list)
    findings: list[dict] = field(default_factory=list)
    dangling: list[dict] = field(default_factory=list)
    mentions: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    labels: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    alt_labels: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    types: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    broader: dict[str, str] = field(default_factory=dict)
    part_of: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    operated_by: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


def _q(store: ox.Store, query: str, graphs: str, lang: str = "en") -> list[dict[str, Any]]:
    return select(store, PREFIXES + query.replace("#GRAPHS#", graphs), lang=lang)


def _fetch(store: ox.Store, d: _Data, graphs: str, query: str) -> list[dict[str, Any]]:
    """The rows of a query over the report graphs, one dict a row keyed by variable name, with
    the graph ``?g`` (selected first) replaced by ``report``, the report id."""
    return [{"report": d.graph_of[row.pop("g")], **row} for row in _q(store, query, graphs)]


def _keyed(rows: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    """Rows by the value of ``key`` (removed from each row); the first row of a key wins."""
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        out.setdefault(row.pop(key), row)
    return out


def _tail(iri: str) -> str:
    return re.split(r"[/#]", iri.rstrip("/"))[-1]


def _num(text: object) -> int | float | None:
    if text is None:
        return None
    try:
        f = float(str(text))
    except ValueError:
        return None
    return int(f) if f.is_integer() else round(f, 6)


def _load(store: ox.Store, report: str | None) -> _Data:
    d = _Data()
    rows = select(
        store,
        PREFIXES
        + """SELECT ?g ?r ?en ?zh ?file WHERE { GRAPH ?g { ?r a ckg:Report .
          OPTIONAL { ?r rdfs:label ?en FILTER(lang(?en) = "en") }
          OPTIONAL { ?r rdfs:label ?zh FILTER(lang(?zh) = "zh") }
          OPTIONAL { ?r ckg:sourceFile ?file } } } ORDER BY ?g""",
    )
    for row in rows:
        rid = row["g"][len(GRAPH_NS) :] if row["g"].startswith(GRAPH_NS) else row["g"]
        if rid in d.reports:
            continue
        d.reports[rid] = {
            "id": rid,
            "graph": row["g"],
            "title_en": row["en"],
            "title_zh": row["zh"],
            "source_file": row["file"],
        }
    if not d.reports:
        raise ChipkgError(
            "no report graph in this build (no ckg:Report in any named graph)",
            hint="build one with 'chipkg build'",
        )
    if report is not None:
        if report not in d.reports:
            raise ChipkgError(
                f"no report graph '{report}' in this build",
                hint="reports: " + (", ".join(sorted(d.reports)) or "none — run 'chipkg build'"),
            )
        d.reports = {report: d.reports[report]}
    d.graph_of = {info["graph"]: rid for rid, info in d.reports.items()}
    graphs = "VALUES ?g { " + " ".join(f"<{g}>" for g in sorted(d.graph_of)) + " }"

    for r in _fetch(
        store,
        d,
        graphs,
        """SELECT ?g ?p ?page ?line ?seq ?text ?kind ?article ?section ?section_path ?lv WHERE {
          #GRAPHS#
          GRAPH ?g { ?p a ckg:Passage ; ckg:pageNumber ?page ; ckg:sequence ?seq ;
                        ckg:inArticle ?article .
            OPTIONAL { ?p ckg:lineNumber ?line } OPTIONAL { ?p ckg:text ?text }
            OPTIONAL { ?p ckg:passageKind ?kind } OPTIONAL { ?p ckg:inSection ?section }
            OPTIONAL { ?p ckg:sectionPath ?section_path }
            OPTIONAL { ?p ckg:citationLevel ?lv } } }""",
    ):
        r["text"] = r["text"] or ""
        r["kind"] = r["kind"] or "body"
        r["level"] = LEVEL_OF_IRI.get(r.pop("lv") or "", "none")
        d.passages[r.pop("p")] = r

    d.supports = _fetch(
        store,
        d,
        graphs,
        """SELECT DISTINCT ?g ?passage ?source ?level ?footnote ?number ?page WHERE { #GRAPHS#
          GRAPH ?g { ?passage prov:qualifiedDerivation ?c . ?c prov:entity ?source ;
                        ckg:citationLevel ?level .
            OPTIONAL { ?c ckg:viaFootnote ?footnote . ?footnote ckg:footnoteNumber ?number ;
                          ckg:onPage/ckg:pageNumber ?page } } }""",
    )
    for r in d.supports:
        r["level"] = LEVEL_OF_IRI.get(r["level"], "none")

    d.articles = _keyed(
        _fetch(
            store,
            d,
            graphs,
            """SELECT ?g ?a ?seq ?page ?title ?rubric ?date WHERE { #GRAPHS#
              GRAPH ?g { ?a a ckg:Article ; ckg:sequence ?seq .
                OPTIONAL { ?a ckg:onPage/ckg:pageNumber ?page }
                OPTIONAL { ?a rdfs:label ?title } OPTIONAL { ?a ckg:rubric ?rubric }
                OPTIONAL { ?a dcterms:date ?date } } }""",
        ),
        "a",
    )

    d.sections = _keyed(
        _fetch(
            store,
            d,
            graphs,
            """SELECT ?g ?s ?label ?article ?parent ?line ?page WHERE { #GRAPHS#
              GRAPH ?g { ?s a ckg:Section ; ckg:inArticle ?article .
                OPTIONAL { ?s rdfs:label ?label } OPTIONAL { ?s ckg:inSection ?parent }
                OPTIONAL { ?s ckg:lineNumber ?line }
                OPTIONAL { ?s ckg:onPage/ckg:pageNumber ?page } } }""",
        ),
        "s",
    )
    for iri, sec in d.sections.items():
        sec["label"] = sec["label"] or _tail(iri)

    for row in _q(
        store,
        """SELECT ?g ?c ?s ?pred ?o ?p ?lv ?value ?date ?ty ?tv ?tu ?count ?who WHERE { #GRAPHS#
          GRAPH ?g { ?c a ckg:Claim ; ckg:claimSubject ?s ; ckg:claimPredicate ?pred ;
                        ckg:statedIn ?p .
            FILTER NOT EXISTS { ?newer ckg:supersedes ?c }
            OPTIONAL { ?c ckg:claimObject ?o } OPTIONAL { ?c ckg:claimValue ?value }
            OPTIONAL { ?c ckg:citationLevel ?lv } OPTIONAL { ?c ckg:date ?date }
            OPTIONAL { ?c ckg:targetYear ?ty } OPTIONAL { ?c ckg:targetValue ?tv }
            OPTIONAL { ?c ckg:targetUnit ?tu } OPTIONAL { ?c ckg:count ?count }
            OPTIONAL { ?c prov:wasAttributedTo ?who } } }""",
        graphs,
    ):
        d.claims.setdefault(
            row["c"],
            {
                "id": row["c"],
                "report": d.graph_of[row["g"]],
                "subject": row["s"],
                "predicate": row["pred"],
                "object": row["o"],
                "value": _num(row["value"]),
                "passage": row["p"],
                "level": LEVEL_OF_IRI.get(row["lv"] or "", "none"),
                "date": row["date"],
                "target_year": row["ty"],
                "target_value": _num(row["tv"]),
                "target_unit": row["tu"],
                "count": _num(row["count"]),
                "analyst": row["who"],
                "amounts": [],
                "sources": set(),
            },
        )

    for row in _q(
        store,
        """SELECT ?g ?c ?a ?value ?cur ?qual ?cv ?cc WHERE { #GRAPHS#
          GRAPH ?g { ?c a ckg:Claim ; ckg:amount ?a . ?a schema:value ?value ;
                                                          schema:currency ?cur .
            OPTIONAL { ?a ckg:amountQualifier ?qual }
            OPTIONAL { ?a ckg:statedConversion [ schema:value ?cv ; schema:currency ?cc ] } } }
          ORDER BY ?a""",
        graphs,
    ):
        claim = d.claims.get(row["c"])
        if claim is None:
            continue
        amount = {
            "value": _num(row["value"]),
            "currency": row["cur"],
            "qualifier": row["qual"],
            "conversion": (
                {"value": _num(row["cv"]), "currency": row["cc"]} if row["cv"] is not None else None
            ),
        }
        if amount not in claim["amounts"]:
            claim["amounts"].append(amount)

    for row in _q(
        store,
        """SELECT ?c ?src WHERE { #GRAPHS#
          GRAPH ?g { ?c a ckg:Claim ; prov:wasDerivedFrom ?src } }""",
        graphs,
    ):
        if row["c"] in d.claims:
            d.claims[row["c"]]["sources"].add(row["src"])

    for row in _q(
        store,
        """SELECT ?g ?src ?dom ?kind ?en ?zh WHERE { #GRAPHS#
          GRAPH ?g { ?src a ckg:Source .
            OPTIONAL { ?src ckg:domain ?dom } OPTIONAL { ?src ckg:publisherKind ?kind }
            OPTIONAL { ?src ckg:publisherName ?en FILTER(lang(?en) = "en") }
            OPTIONAL { ?src ckg:publisherName ?zh FILTER(lang(?zh) = "zh") } } }""",
        graphs,
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
    for url in sorted({s["source"] for s in d.supports} | _claim_urls(d)):
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

    d.footnotes = _fetch(
        store,
        d,
        graphs,
        """SELECT ?g ?footnote ?number ?page ?line ?url WHERE { #GRAPHS#
          GRAPH ?g { ?footnote a ckg:Footnote ; ckg:footnoteNumber ?number .
            OPTIONAL { ?footnote ckg:onPage/ckg:pageNumber ?page }
            OPTIONAL { ?footnote ckg:lineNumber ?line }
            OPTIONAL { ?footnote ckg:cites ?url } } }""",
    )
    d.findings = _fetch(
        store,
        d,
        graphs,
        """SELECT ?g ?kind (COALESCE(?sev, "info") AS ?severity) (COALESCE(?msg, "") AS ?message)
                 ?line ?page WHERE { #GRAPHS#
          GRAPH ?g { ?f a ckg:ParseFinding ; ckg:findingKind ?kind .
            OPTIONAL { ?f ckg:severity ?sev } OPTIONAL { ?f ckg:message ?msg }
            OPTIONAL { ?f ckg:lineNumber ?line } OPTIONAL { ?f ckg:onPage/ckg:pageNumber ?page }
          } }""",
    )
    d.dangling = _fetch(
        store,
        d,
        graphs,
        """SELECT ?g ?marker ?printed ?line ?page WHERE { #GRAPHS#
          GRAPH ?g { ?marker ckg:dangling true .
            OPTIONAL { ?marker ckg:printedAs ?printed } OPTIONAL { ?marker ckg:lineNumber ?line }
            OPTIONAL { ?marker ckg:onPage/ckg:pageNumber ?page } } }""",
    )

    for row in _q(
        store, """SELECT ?p ?e WHERE { #GRAPHS# GRAPH ?g { ?p ckg:mentions ?e } }""", graphs
    ):
        d.mentions[row["p"]].add(row["e"])

    # entities and relations: labels, types and hierarchy from any graph (reference entities,
    # ontology, report graphs)
    wanted = (
        {c["subject"] for c in d.claims.values()}
        | {c["object"] for c in d.claims.values() if c["object"]}
        | {c["predicate"] for c in d.claims.values()}
        | {e for es in d.mentions.values() for e in es}
    )
    for lang in ("en", "zh"):
        for row in _q(
            store,
            """SELECT ?e ?l WHERE { ?e rdfs:label ?l . FILTER(lang(?l) = $lang) }""",
            "",
            lang=lang,
        ):
            if row["e"] in wanted or _is_entity(row["e"]):
                d.labels[row["e"]].setdefault(lang, row["l"])
    for row in _q(
        store,
        """SELECT ?e ?t ?b ?part ?op ?alt WHERE {
          { ?e a ?t . FILTER(STRSTARTS(STR(?t), "https://w3id.org/chipkg/ontology#"))
            FILTER(STRSTARTS(STR(?e), "https://w3id.org/chipkg/id/entity/")) }
          UNION { ?e skos:broader ?b } UNION { ?e ckg:partOf ?part }
          UNION { ?e ckg:operatedBy ?op } UNION { ?op ckg:operates ?e }
          UNION { ?e skos:altLabel ?alt } }""",
        "",
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
    return d


def _restrict_to_article(d: _Data, number: int) -> dict[str, Any]:
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
        | _claim_urls(d)
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


def _is_entity(iri: str) -> bool:
    return iri.startswith("https://w3id.org/chipkg/id/entity/")


def _claim_urls(d: _Data) -> set[str]:
    return {u for c in d.claims.values() for u in c["sources"]}


# --------------------------------------------------------------------------------------------
# Helpers shared by the checks
# --------------------------------------------------------------------------------------------


def _label(d: _Data, iri: str | None) -> dict[str, str] | None:
    if iri is None:
        return None
    labels = d.labels.get(iri, {})
    tail = _tail(iri)
    return {"id": iri, "en": labels.get("en") or tail, "zh": labels.get("zh") or ""}


def _name(d: _Data, iri: str | None) -> str:
    lab = _label(d, iri)
    if lab is None:
        return "—"
    return f"{lab['en']} ({lab['zh']})" if lab["zh"] and lab["zh"] != lab["en"] else lab["en"]


def _types(d: _Data, iri: str | None) -> set[str]:
    return d.types.get(iri, set()) if iri else set()


def _type_name(d: _Data, iri: str) -> str:
    ts = sorted(_types(d, iri))
    return ts[0] if ts else "entity"


def _claim_row(d: _Data, c: dict) -> dict[str, Any]:
    p = d.passages.get(c["passage"], {})
    return {
        "id": c["id"],
        "report": c["report"],
        "subject": _label(d, c["subject"]),
        "relation": _label(d, c["predicate"]),
        "object": _label(d, c["object"]),
        "value": c["value"],
        "amounts": c["amounts"],
        "date": c["date"],
        "target_year": c["target_year"],
        "target_value": c["target_value"],
        "target_unit": c["target_unit"],
        "count": c["count"],
        "level": c["level"],
        "page": p.get("page"),
        "line": p.get("line"),
        "text": p.get("text", ""),
        "passage": c["passage"],
        "section": p.get("section_path"),
        "article": _article_title(d, p.get("article")),
        "sources": sorted(c["sources"]),
        "by_analyst": c["analyst"] is not None,
    }


def _article_title(d: _Data, art: str | None) -> str | None:
    if art is None or art not in d.articles:
        return None
    return d.articles[art]["title"]


def _claim_order(d: _Data, c: dict) -> tuple:
    p = d.passages.get(c["passage"], {})
    return (c["report"], p.get("seq", 0), c["predicate"], c["subject"], c["object"] or "", c["id"])


def _share(part: float, whole: float) -> float:
    return round(part / whole, 4) if whole else 0.0


def _level_counts(levels: list[str]) -> dict[str, int]:
    counts = Counter(levels)
    return {lv: counts.get(lv, 0) for lv in LEVELS}


def _family(d: _Data, tech: str) -> str:
    """The technology family: the top concept of the skos:broader hierarchy above a technology
    (HBM → DRAM → memory → integrated circuits), the technology itself if it has no broader."""
    chain = [tech]
    while chain[-1] in d.broader and d.broader[chain[-1]] not in chain and len(chain) < 50:
        chain.append(d.broader[chain[-1]])
    return chain[-1]


# --------------------------------------------------------------------------------------------
# Coverage
# --------------------------------------------------------------------------------------------


def _coverage(d: _Data, claims: list[dict]) -> dict[str, Any]:
    p_levels = [p["level"] for p in d.passages.values()]
    c_levels = [c["level"] for c in claims]
    by_kind: dict[str, list[str]] = defaultdict(list)
    for p in d.passages.values():
        by_kind[p["kind"]].append(p["level"])

    def block(levels: list[str]) -> dict[str, Any]:
        total = len(levels)
        cited = sum(1 for lv in levels if lv != "none")
        return {
            "total": total,
            "cited": cited,
            "uncited": total - cited,
            "cited_share": _share(cited, total),
            "by_level": _level_counts(levels),
        }

    claims_by_passage: dict[str, list[dict]] = defaultdict(list)
    for c in claims:
        claims_by_passage[c["passage"]].append(c)

    art_rows = []
    for art, info in sorted(d.articles.items(), key=lambda kv: (kv[1]["report"], kv[1]["seq"])):
        ps = [p for p in d.passages.values() if p["article"] == art]
        cs = [
            c
            for iri, p in d.passages.items()
            if p["article"] == art
            for c in claims_by_passage[iri]
        ]
        art_rows.append(
            {
                "report": info["report"],
                "article": art,
                "number": info["seq"],
                "title": info["title"],
                "rubric": info["rubric"],
                "date": info["date"],
                "page": info["page"],
                "passages": block([p["level"] for p in ps]),
                "claims": block([c["level"] for c in cs]),
            }
        )

    def path(sec: str) -> str:
        parts, seen = [], set()
        while sec and sec in d.sections and sec not in seen:
            seen.add(sec)
            parts.append(d.sections[sec]["label"])
            sec = d.sections[sec]["parent"]
        return " › ".join(reversed(parts))

    sec_rows = []
    groups: dict[tuple, list[str]] = defaultdict(list)
    for iri, p in d.passages.items():
        groups[(p["report"], p["article"], p["section"])].append(iri)
    for (rid, art, sec), iris in groups.items():
        ps = [d.passages[i] for i in iris]
        cs = [c for i in iris for c in claims_by_passage[i]]
        first = min(ps, key=lambda p: p["seq"])
        sec_rows.append(
            {
                "report": rid,
                "article": art,
                "article_title": _article_title(d, art),
                "section": sec,
                "path": path(sec) if sec else "(before the first heading)",
                "page": first["page"],
                "line": first["line"],
                "_seq": first["seq"],
                "passages": block([p["level"] for p in ps]),
                "claims": block([c["level"] for c in cs]),
            }
        )
    sec_rows.sort(key=lambda r: (r["report"], r["_seq"]))
    for r in sec_rows:
        del r["_seq"]

    uncited = [_claim_row(d, c) for c in claims if not c["sources"]]
    unsourced_articles = [
        {
            "report": a["report"],
            "article": a["article"],
            "number": a["number"],
            "title": a["title"],
            "page": a["page"],
            "passages": a["passages"]["total"],
            "claims": a["claims"]["total"],
            "reasoning": (
                f"none of the {a['passages']['total']} passages of article {a['number']} "
                f"(page {a['page']}) is covered by a footnote, a paragraph scope or a lead source"
            ),
        }
        for a in art_rows
        if a["passages"]["total"] and not a["passages"]["cited"]
    ]
    return {
        "passages": block(p_levels),
        "passages_by_kind": {k: block(v) for k, v in sorted(by_kind.items())},
        "claims": block(c_levels),
        "by_article": art_rows,
        "by_section": sec_rows,
        "uncited_claims": uncited,
        "articles_without_sources": unsourced_articles,
    }


# --------------------------------------------------------------------------------------------
# Sources: use, concentration, over-citation
# --------------------------------------------------------------------------------------------


def _publisher_entity(d: _Data, src: dict) -> str | None:
    """The reference entity the source's publisher names (matched on labels and aliases, with a
    parenthetical such as '(China)' removed), or None."""
    names = {_norm_name(n) for n in (src["publisher_en"], src["publisher_zh"]) if n}
    names.discard("")
    if not names:
        return None
    hits = []
    for e in sorted(d.types):
        if not (_types(d, e) & ORG_TYPES):
            continue
        own = {_norm_name(v) for v in d.labels.get(e, {}).values()} | {
            _norm_name(a) for a in d.alt_labels.get(e, ())
        }
        if names & own:
            hits.append(e)
    return hits[0] if hits else None


def _norm_name(name: str) -> str:
    name = re.sub(r"\s*[(（][^)）]*[)）]\s*$", "", name)
    return name.strip().casefold()


def _entity_names(d: _Data, e: str) -> set[str]:
    names = set(d.labels.get(e, {}).values()) | set(d.alt_labels.get(e, ()))
    return {n for n in names if len(n) >= 2}


def _belongs_to(d: _Data, e: str | None, org: str) -> str | None:
    """Why entity ``e`` counts as the organisation ``org`` or part of it, or None."""
    if e is None:
        return None
    if e == org:
        return "is the publisher"
    seen, todo = set(), [e]
    while todo:
        x = todo.pop()
        for parent in d.part_of.get(x, ()):
            if parent == org:
                return "is part of the publisher"
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    if org in d.operated_by.get(e, ()):
        return "is operated by the publisher"
    own = d.labels.get(e, {})
    for name in sorted(_entity_names(d, org)):
        for lab in own.values():
            if (
                lab != name
                and lab.casefold().startswith(name.casefold())
                and (not name.isascii() or lab[len(name) : len(name) + 1] in (" ", "-"))
            ):
                return f"is named after the publisher ('{lab}')"
    return None


def _sources(d: _Data, claims: list[dict]) -> dict[str, Any]:
    claims_of: dict[str, list[dict]] = defaultdict(list)
    for c in claims:
        for u in c["sources"]:
            claims_of[u].append(c)
    passages_of: dict[str, dict[str, str]] = defaultdict(dict)  # url -> passage -> best level
    order = {lv: i for i, lv in enumerate(LEVELS)}
    for s in d.supports:
        prev = passages_of[s["source"]].get(s["passage"])
        if prev is None or order[s["level"]] < order[prev]:
            passages_of[s["source"]][s["passage"]] = s["level"]
    footnotes_of: dict[str, list[dict]] = defaultdict(list)
    for f in d.footnotes:
        if f["url"]:
            footnotes_of[f["url"]].append(f)

    items = []
    for url, src in d.sources.items():
        cs = claims_of.get(url, [])
        fns = sorted(
            footnotes_of.get(url, []), key=lambda f: (f["report"], f["page"] or 0, f["number"])
        )
        plevels = list(passages_of.get(url, {}).values())
        pages = sorted(
            {d.passages[p]["page"] for p in passages_of.get(url, {}) if p in d.passages}
            | {f["page"] for f in fns if f["page"] is not None}
        )
        items.append(
            {
                "url": url,
                "reports": sorted(src["reports"]),
                "domain": src["domain"],
                "kind": src["kind"],
                "publisher": {"en": src["publisher_en"], "zh": src["publisher_zh"]},
                "footnotes": [f"p{f['page']} fn{f['number']}" for f in fns],
                "pages": pages,
                "passages": len(plevels),
                "passages_by_level": {
                    lv: n for lv, n in _level_counts(plevels).items() if lv != "none"
                },
                "claims": len(cs),
                "subjects": len({c["subject"] for c in cs}),
                "objects": len({c["object"] for c in cs if c["object"]}),
            }
        )
    items.sort(key=lambda s: (-s["claims"], -s["passages"], s["url"]))

    by_kind = Counter(s["kind"] for s in items)
    claims_by_kind: Counter[str] = Counter()
    for s in items:
        claims_by_kind[s["kind"]] += s["claims"]

    # concentration over claims per source
    cited = [c for c in claims if c["sources"]]
    links = sum(s["claims"] for s in items)
    hhi = sum((s["claims"] / links) ** 2 for s in items) if links else 0.0
    top = items[0] if items and items[0]["claims"] else None
    top5 = {c["id"] for s in items[:5] for c in claims_of.get(s["url"], [])}
    th = THRESHOLDS["concentration"]
    if not links:
        reading = "no claim rests on a source"
    elif hhi >= th["hhi_high"]:
        reading = "highly concentrated"
    elif hhi >= th["hhi_moderate"]:
        reading = "moderately concentrated"
    else:
        reading = "unconcentrated"
    concentration = {
        "claims": len(claims),
        "claims_with_source": len(cited),
        "claim_source_links": links,
        "top_source": top["url"] if top else None,
        "top_source_claims": top["claims"] if top else 0,
        "top_source_share": _share(top["claims"], len(cited)) if top else 0.0,
        "top5_share": _share(len(top5), len(cited)),
        "hhi": round(hhi, 4),
        "hhi_points": round(hhi * 10000),
        "equivalent_sources": round(1 / hhi, 2) if hhi else 0.0,
        "reading": reading,
        "reasoning": (
            f"HHI = sum of squared shares of the {links} claim–source links "
            f"({len(cited)} cited claims over {sum(1 for s in items if s['claims'])} sources); "
            f"{round(hhi, 4)} reads as {reading} (moderate from {th['hhi_moderate']}, high from "
            f"{th['hhi_high']}, the 1500/2500-point bands of the 2010 US merger guidelines). "
            + (
                f"The top source carries {top['claims']} of {len(cited)} cited claims "
                f"({_share(top['claims'], len(cited)):.0%})."
                if top
                else ""
            )
        ),
    }
    return {
        "total": len(items),
        "by_kind": {k: by_kind.get(k, 0) for k in KINDS},
        "claims_by_kind": {k: claims_by_kind.get(k, 0) for k in KINDS},
        "with_claims": sum(1 for s in items if s["claims"]),
        "without_claims": sum(1 for s in items if not s["claims"]),
        "items": items,
        "concentration": concentration,
        "over_citation": _over_citation(d, claims_of, passages_of),
    }


def _over_citation(
    d: _Data, claims_of: dict[str, list[dict]], passages_of: dict[str, dict[str, str]]
) -> dict[str, Any]:
    th = THRESHOLDS["over_citation"]
    counted = set(th["levels_counted"])
    rows = []
    for url in sorted(d.sources):
        src = d.sources[url]
        publisher = _publisher_entity(d, src)
        passages = sorted(p for p, lv in passages_of.get(url, {}).items() if lv in counted)
        topics: set[str] = set()
        for p in passages:
            topics |= d.mentions.get(p, set())
        for c in claims_of.get(url, []):
            if c["level"] not in counted:
                continue
            topics.add(c["subject"])
            if c["object"]:
                topics.add(c["object"])
        pages = sorted({d.passages[p]["page"] for p in passages if p in d.passages})
        sections = {d.passages[p]["section"] for p in passages if p in d.passages}
        orgs = sorted(t for t in topics if _types(d, t) & ORG_TYPES and t != publisher)
        families = sorted({_family(d, t) for t in topics if _types(d, t) & TECH_TYPES})
        flagged = (
            len(pages) >= th["min_pages"]
            and len(orgs) >= th["min_organisations"]
            and len(families) >= th["min_technology_families"]
        )
        row = {
            "url": url,
            "kind": src["kind"],
            "publisher": {"en": src["publisher_en"], "zh": src["publisher_zh"]},
            "passages": len(passages),
            "pages": pages,
            "sections": len(sections),
            "claims": sum(1 for c in claims_of.get(url, []) if c["level"] in counted),
            "organisations": [_label(d, o) for o in orgs],
            "technology_families": [_label(d, f) for f in families],
            "flagged": flagged,
        }
        if flagged:
            row["reasoning"] = (
                f"cited for {len(passages)} passages on {len(pages)} pages "
                f"({', '.join(map(str, pages))}) in {len(sections)} sections; those sentences and "
                f"the claims resting on it name {len(orgs)} organisations "
                f"({', '.join(_name(d, o) for o in orgs[:8])}{' …' if len(orgs) > 8 else ''}) and "
                f"{len(families)} technology families "
                f"({', '.join(_name(d, f) for f in families[:8])}"
                f"{' …' if len(families) > 8 else ''}). One document rarely supports all of "
                f"these: thresholds ≥{th['min_pages']} pages, ≥{th['min_organisations']} "
                f"organisations and ≥{th['min_technology_families']} technology families. Check "
                "that the document says what each sentence claims."
            )
        rows.append(row)
    flagged = [r for r in rows if r["flagged"]]
    flagged.sort(
        key=lambda r: (-(len(r["organisations"]) + len(r["technology_families"])), r["url"])
    )
    for r in flagged:
        del r["flagged"]
    breadth = sorted(
        (
            {
                "url": r["url"],
                "pages": len(r["pages"]),
                "organisations": len(r["organisations"]),
                "technology_families": len(r["technology_families"]),
            }
            for r in rows
            if r["passages"] or r["claims"]
        ),
        key=lambda r: (-(r["organisations"] + r["technology_families"]), -r["pages"], r["url"]),
    )
    return {
        "rule": (
            "a source is flagged when the sentences it supports (in the sentence or through "
            "paragraph scope; an article's lead source is meant to cover the whole article and is "
            "not counted) and the claims resting on it are spread over at least "
            f"{th['min_pages']} pages and name at least {th['min_organisations']} organisations "
            f"other than the publisher and at least {th['min_technology_families']} technology "
            "families (a technology's family is the top concept above it in the SKOS hierarchy: "
            "HBM → DRAM → memory → integrated circuits)"
        ),
        "thresholds": th,
        "flagged": flagged,
        "breadth": breadth[:10],
    }


# --------------------------------------------------------------------------------------------
# Fit between claims and their sources
# --------------------------------------------------------------------------------------------


def _fit(d: _Data, claims: list[dict]) -> dict[str, Any]:
    th = THRESHOLDS["fit"]
    actions = {CKG + a for a in th["government_actions"]}
    weak = set(th["non_primary_kinds"])
    gov_rows = []
    mismatch_rows = []
    for c in claims:
        kinds = {u: d.sources[u]["kind"] for u in c["sources"] if u in d.sources}
        stypes = _types(d, c["subject"])
        if (
            c["predicate"] in actions
            and stypes & GOVERNMENT_TYPES
            and kinds
            and set(kinds.values()) <= weak
        ):
            row = _claim_row(d, c)
            row["source_kinds"] = {u: kinds[u] for u in sorted(kinds)}
            rel = _label(d, c["predicate"])["en"]
            on = []
            for k in sorted(set(kinds.values())):
                doms = sorted({d.sources[u]["domain"] for u in kinds if kinds[u] == k})
                on.append(f"{KIND_LABELS[k][0]} pages ({', '.join(doms)})")
            row["reasoning"] = (
                f"{_name(d, c['subject'])} is a {_type_name(d, c['subject'])} and "
                f"'{rel}' is a government act, but the claim rests only on "
                + ", ".join(on)
                + "; a government page or official register would confirm it."
            )
            gov_rows.append(row)
        for u in sorted(c["sources"]):
            src = d.sources.get(u)
            if src is None or src["kind"] not in th["newsroom_kinds"]:
                continue
            pub = _publisher_entity(d, src)
            if pub is None:
                continue
            why_s = _belongs_to(d, c["subject"], pub)
            why_o = _belongs_to(d, c["object"], pub)
            if why_s or why_o:
                continue
            actors = bool(_types(d, c["subject"]) & ACTOR_TYPES) and (
                c["object"] is None or bool(_types(d, c["object"]) & ACTOR_TYPES)
            )
            named = pub in d.mentions.get(c["passage"], set())
            others = sorted(
                v for v in c["sources"] if v != u and d.sources.get(v, {}).get("kind") != "company"
            )
            row = _claim_row(d, c)
            row["source"] = u
            row["publisher"] = _label(d, pub)
            row["severity"] = "likely" if actors else "possible"
            obj = f" and object {_name(d, c['object'])}" if c["object"] else ""
            pub_name = _name(d, pub)
            if actors:
                about = (
                    f"the claim's subject {_name(d, c['subject'])}{obj} are other organisations"
                    if c["object"]
                    else f"the claim's subject {_name(d, c['subject'])} is another organisation"
                )
            else:
                about = (
                    f"neither the claim's subject {_name(d, c['subject'])} nor its object "
                    f"{_name(d, c['object'])} is {pub_name} or belongs to it"
                    if c["object"]
                    else f"the claim's subject {_name(d, c['subject'])} is not {pub_name}"
                )
            row["reasoning"] = (
                f"{u} is a newsroom page of {pub_name} ({src['domain']}, publisher kind "
                f"{KIND_LABELS[src['kind']][0]}), but {about}. "
                + (
                    f"The sentence also names {pub_name}, so the footnote may support another "
                    "part of the sentence. "
                    if named
                    else f"The sentence does not name {pub_name}. "
                )
                + (
                    f"Other sources of this claim: {', '.join(others)}."
                    if others
                    else "No other, independent source supports this claim."
                )
            )
            mismatch_rows.append(row)
    return {
        "rules": {
            "government_action_weak_sources": (
                "a claim whose subject is a "
                + "/".join(th["government_subject_types"])
                + " and whose relation is one of "
                + ", ".join(th["government_actions"])
                + " rests only on sources whose publisher kind is "
                + "/".join(th["non_primary_kinds"])
            ),
            "publisher_mismatch": (
                "a source published by a company (publisher matched to a reference entity by "
                "name or alias) is cited for a claim whose subject and object are neither that "
                "company nor belong to it (part of it, operated by it, or named after it); "
                "'likely' when subject and object are both other actors, 'possible' otherwise"
            ),
        },
        "thresholds": th,
        "government_action_weak_sources": gov_rows,
        "publisher_mismatch": mismatch_rows,
    }


# --------------------------------------------------------------------------------------------
# Consistency
# --------------------------------------------------------------------------------------------


def _amount_keys(c: dict) -> set[tuple[str, float]]:
    keys = set()
    for a in c["amounts"]:
        if a["value"] is not None:
            keys.add((a["currency"], float(a["value"])))
        conv = a.get("conversion")
        if conv and conv["value"] is not None:
            keys.add((conv["currency"], float(conv["value"])))
    return keys


def _facets(c: dict) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if c["amounts"]:
        out["amount"] = c["amounts"]
    if c["date"]:
        out["date"] = c["date"]
    if c["target_year"] is not None:
        out["target_year"] = c["target_year"]
    if c["target_value"] is not None:
        out["target_value"] = (c["target_value"], c["target_unit"])
    if c["count"] is not None:
        out["count"] = c["count"]
    if c["value"] is not None:
        out["value"] = c["value"]
    return out


def _compatible(facet: str, a: dict, b: dict) -> bool:
    if facet == "amount":
        return bool(_amount_keys(a) & _amount_keys(b))
    if facet == "date":
        x, y = str(a["date"]), str(b["date"])
        return x.startswith(y) or y.startswith(x)  # 2024-12 agrees with 2024-12-23
    return _facets(a)[facet] == _facets(b)[facet]


def _fmt_facet(facet: str, c: dict) -> str:
    f = _facets(c)[facet]
    if facet == "amount":
        return "; ".join(_fmt_amount(a) for a in f)
    if facet == "target_value":
        return f"{f[0]} {f[1] or ''}".strip()
    return str(f)


def _fmt_amount(a: dict) -> str:
    q = f"{a['qualifier']} " if a.get("qualifier") else ""
    text = f"{q}{_fmt_number(a['value'])} {a['currency']}"
    if a.get("conversion"):
        text += f" (≈ {_fmt_number(a['conversion']['value'])} {a['conversion']['currency']})"
    return text


def _fmt_number(v: float | int | None) -> str:
    if v is None:
        return "?"
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,}"


def _consistency(d: _Data, claims: list[dict]) -> dict[str, Any]:
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for c in claims:
        groups[(c["subject"], c["predicate"], c["object"])].append(c)
    conflicts = []
    repeated = []
    for (s, p, o), cs in sorted(groups.items(), key=lambda kv: tuple(x or "" for x in kv[0])):
        if len({c["passage"] for c in cs}) < 2:
            continue
        cs = sorted(cs, key=lambda c: _claim_order(d, c))
        found = False
        for facet in ("amount", "date", "target_year", "target_value", "count", "value"):
            having = [c for c in cs if facet in _facets(c)]
            clash = [
                (a, b)
                for i, a in enumerate(having)
                for b in having[i + 1 :]
                if a["passage"] != b["passage"] and not _compatible(facet, a, b)
            ]
            if not clash:
                continue
            found = True
            statements = []
            for c in having:
                row = _claim_row(d, c)
                row["stated"] = _fmt_facet(facet, c)
                row["source_kinds"] = {
                    u: d.sources[u]["kind"] for u in sorted(c["sources"]) if u in d.sources
                }
                statements.append(row)
            values = sorted({st["stated"] for st in statements})
            conflicts.append(
                {
                    "subject": _label(d, s),
                    "relation": _label(d, p),
                    "object": _label(d, o),
                    "facet": facet,
                    "values": values,
                    "statements": statements,
                    "reasoning": (
                        f"{_name(d, s)} — {_label(d, p)['en']} — {_name(d, o) if o else '(value)'} "
                        f"is stated in {len({c['passage'] for c in having})} passages with "
                        f"different {facet.replace('_', ' ')}s: {' vs '.join(values)}"
                        + (
                            " (a stated currency conversion counts as the same amount; a date "
                            "agrees with a more precise one inside it)"
                            if facet in ("amount", "date")
                            else ""
                        )
                        + "."
                    ),
                }
            )
        if not found:
            repeated.append(
                {
                    "subject": _label(d, s),
                    "relation": _label(d, p),
                    "object": _label(d, o),
                    "passages": len({c["passage"] for c in cs}),
                    "pages": sorted({d.passages[c["passage"]]["page"] for c in cs}),
                    "texts": [d.passages[c["passage"]]["text"] for c in cs],
                }
            )
    return {
        "rule": (
            "claims with the same subject, relation and object stated in different passages are "
            "compared on amount (equal in a shared currency, stated conversions included), date "
            "(equal or one inside the other), target year, target value, count and value"
        ),
        "conflicts": conflicts,
        "repeated_consistent": repeated,
    }


# --------------------------------------------------------------------------------------------
# Hygiene
# --------------------------------------------------------------------------------------------


def url_key(url: str) -> tuple[str, list[str]]:
    """A comparison key for near-duplicate URLs, and what was normalised away to reach it:
    scheme, a leading www., repeated or trailing slashes, tracking parameters, parameter order,
    the fragment. Host case and default ports are already normalised by the build."""
    parts = urlsplit(url)
    notes: list[str] = []
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
        notes.append("www.")
    if parts.port:
        host = f"{host}:{parts.port}"
    if parts.scheme.lower() == "http":
        notes.append("http")
    path = parts.path
    if "//" in path:
        path = re.sub(r"/{2,}", "/", path)
        notes.append("repeated slashes")
    if path.endswith("/"):
        path = path.rstrip("/")
        if parts.path not in ("", "/"):
            notes.append("trailing slash")
    params = parse_qsl(parts.query, keep_blank_values=True)
    tracking = sorted({k for k, _ in params if _TRACKING.match(k)})
    if tracking:
        notes.append("tracking parameters (" + ", ".join(tracking) + ")")
    kept = [(k, v) for k, v in params if not _TRACKING.match(k)]
    if kept != sorted(kept):
        notes.append("parameter order")
    query = "&".join(f"{k}={v}" for k, v in sorted(kept))
    if parts.fragment:
        notes.append("fragment (#" + parts.fragment + ")")
    return f"{host}{path}" + (f"?{query}" if query else ""), notes


def _hygiene(d: _Data) -> dict[str, Any]:
    dangling = sorted(
        (
            {
                "report": m["report"],
                "page": m["page"],
                "line": m["line"],
                "printed": m["printed"],
                "message": f"marker '{m['printed']}' on page {m['page']} resolves to no footnote",
            }
            for m in d.dangling
        ),
        key=lambda r: (r["report"], r["line"] or 0),
    )
    # the parser also records dangling markers as findings; keep findings not already listed
    listed = {(r["report"], r["line"]) for r in dangling}
    for f in d.findings:
        if f["kind"] == "dangling-marker" and (f["report"], f["line"]) not in listed:
            dangling.append(
                {
                    "report": f["report"],
                    "page": f["page"],
                    "line": f["line"],
                    "printed": None,
                    "message": f["message"],
                }
            )
    orphans = sorted(
        (
            {"report": f["report"], "page": f["page"], "line": f["line"], "message": f["message"]}
            for f in d.findings
            if f["kind"] == "orphan-footnote"
        ),
        key=lambda r: (r["report"], r["line"] or 0),
    )
    findings = sorted(
        d.findings, key=lambda f: (f["report"], f["line"] or 0, f["kind"], f["message"])
    )

    dup: dict[tuple, list[dict]] = defaultdict(list)
    for f in d.footnotes:
        if f["url"]:
            dup[(f["report"], f["page"], f["url"])].append(f)
    duplicates = []
    for (rid, page, url), fns in sorted(
        dup.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0, kv[0][2])
    ):
        numbers = sorted({f["number"] for f in fns})
        if len(numbers) < 2:
            continue
        duplicates.append(
            {
                "report": rid,
                "page": page,
                "url": url,
                "footnotes": numbers,
                "lines": sorted({f["line"] for f in fns if f["line"]}),
                "reasoning": (
                    f"page {page} cites the same URL under footnotes "
                    + ", ".join(map(str, numbers))
                    + ": one footnote would do; check that each marker meant this document"
                ),
            }
        )

    urls = sorted(set(d.sources) | {f["url"] for f in d.footnotes if f["url"]})
    cited_by: dict[str, list[str]] = defaultdict(list)  # url -> "report pN fnM", in page order
    for f in sorted(d.footnotes, key=lambda f: (f["report"], f["page"] or 0, f["number"])):
        if f["url"]:
            cited_by[f["url"]].append(f"{f['report']} p{f['page']} fn{f['number']}")
    by_key: dict[str, list[tuple[str, list[str]]]] = defaultdict(list)
    for u in urls:
        key, notes = url_key(u)
        by_key[key].append((u, notes))
    near = []
    for key, members in sorted(by_key.items()):
        if len(members) < 2:
            continue
        all_notes = [set(n) for _, n in members]
        differ = sorted(set().union(*all_notes) - set.intersection(*all_notes))
        if "http" in differ:
            differ[differ.index("http")] = "scheme (http/https)"
        near.append(
            {
                "key": key,
                "urls": [{"url": u, "normalised": n, "footnotes": cited_by[u]} for u, n in members],
                "differences": differ,
                "reasoning": f"{len(members)} URLs differ only in "
                + (", ".join(differ) or "normalisation")
                + ": probably one document cited under several addresses",
            }
        )

    malformed = [
        {"url": u, "problem": problem, "footnotes": cited_by[u]}
        for u in urls
        if (problem := check_url(u))
    ]

    landing = []
    max_seg = THRESHOLDS["hygiene"]["landing_page_max_path_segments"]
    for u in urls:
        parts = urlsplit(u)
        segments = [s for s in parts.path.split("/") if s]
        if (
            len(segments) <= max_seg
            and all(_RE_WORD.match(s) for s in segments)
            and not parts.query
            and parts.scheme in ("http", "https")
        ):
            shown = "/" + "/".join(segments) + ("/" if segments else "")
            landing.append(
                {
                    "url": u,
                    "reasoning": (
                        f"the path '{shown}' is "
                        + ("empty" if not segments else "only generic words")
                        + " and there is no query: it points at a home page or a site section "
                        "(a newsroom index), not a document, and what it shows changes over time"
                    ),
                }
            )

    return {
        "dangling_markers": dangling,
        "orphan_footnotes": orphans,
        "parse_findings": {
            "by_kind": dict(sorted(Counter(f["kind"] for f in findings).items())),
            "by_severity": dict(sorted(Counter(f["severity"] for f in findings).items())),
            "items": findings,
        },
        "duplicate_footnotes": duplicates,
        "near_duplicate_urls": near,
        "malformed_urls": malformed,
        "landing_pages": landing,
    }


# --------------------------------------------------------------------------------------------
# Links (optional, network)
# --------------------------------------------------------------------------------------------


class _RedirectRecorder(urllib.request.HTTPRedirectHandler):
    def __init__(self) -> None:
        self.hops: list[dict[str, Any]] = []

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001
        self.hops.append({"status": code, "location": newurl})
        return super().redirect_request(req, fp, code, msg, headers, newurl)


USER_AGENT = f"chipkg-audit/{__version__} (provenance link check)"


def probe_link(url: str, timeout: float = 5.0) -> dict[str, Any]:
    """HTTP status and redirect chain of one URL: HEAD first, GET when the server refuses HEAD.
    Never raises; network problems are reported in ``error``."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return {
            "url": url,
            "status": None,
            "final_url": None,
            "redirects": [],
            "error": "not an http(s) URL with a host",
            "method": None,
            "outcome": "error",
        }
    last: dict[str, Any] = {}
    for method in ("HEAD", "GET"):
        recorder = _RedirectRecorder()
        opener = urllib.request.build_opener(recorder)
        req = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})
        try:
            with opener.open(req, timeout=timeout) as resp:
                status, final = resp.status, resp.geturl()
            error = None
        except urllib.error.HTTPError as exc:
            status, final, error = exc.code, exc.geturl() or url, None
            exc.close()
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            status, final, error = None, None, f"{type(reason).__name__}: {reason}"
        last = {
            "url": url,
            "status": status,
            "final_url": final,
            "redirects": recorder.hops,
            "error": error,
            "method": method,
        }
        if status not in (405, 501):  # HEAD not allowed: try GET
            break
    status = last["status"]
    if status is None:
        outcome = "error"
    elif status >= 400:
        outcome = "broken"
    elif last["redirects"] or (last["final_url"] and last["final_url"] != url):
        outcome = "redirected"
    else:
        outcome = "ok"
    last["outcome"] = outcome
    return last


def probe_links(urls: list[str], timeout: float = 5.0, concurrency: int = 8) -> list[dict]:
    """Check every URL with at most ``concurrency`` requests in flight; results in URL order."""
    urls = sorted(set(urls))
    if not urls:
        return []
    with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(urls)))) as pool:
        results = list(pool.map(lambda u: probe_link(u, timeout), urls))
    return sorted(results, key=lambda r: r["url"])


# --------------------------------------------------------------------------------------------
# The audit
# --------------------------------------------------------------------------------------------


def run_audit(
    store: ox.Store,
    report: str | None = None,
    article: int | None = None,
    check_links: bool = False,
    link_timeout: float = 5.0,
    link_concurrency: int = 8,
) -> dict[str, Any]:
    """Audit the provenance of a built graph: every report graph, only ``report``, or only one
    ``article`` of it (its number; the report may be omitted when the build holds one).

    Returns a JSON-serialisable dict with deterministic ordering; see docs/audit.md."""
    d = _load(store, report)
    scope_article = _restrict_to_article(d, article) if article is not None else None
    claims = sorted(d.claims.values(), key=lambda c: _claim_order(d, c))
    coverage = _coverage(d, claims)
    sources = _sources(d, claims)
    fit = _fit(d, claims)
    consistency = _consistency(d, claims)
    hygiene = _hygiene(d)
    if check_links:
        results = probe_links(sorted(d.sources), timeout=link_timeout, concurrency=link_concurrency)
        outcomes = Counter(r["outcome"] for r in results)
        links: dict[str, Any] = {
            "checked": True,
            "timeout": link_timeout,
            "concurrency": link_concurrency,
            "summary": {k: outcomes.get(k, 0) for k in ("ok", "redirected", "broken", "error")},
            "results": results,
        }
    else:
        links = {"checked": False, "note": "not checked: run with check_links (--check-links)"}
    conc = sources["concentration"]
    summary = {
        "reports": sorted(d.reports),
        "passages": coverage["passages"]["total"],
        "passages_cited": coverage["passages"]["cited"],
        "passages_cited_share": coverage["passages"]["cited_share"],
        "claims": coverage["claims"]["total"],
        "claims_cited": coverage["claims"]["cited"],
        "claims_cited_share": coverage["claims"]["cited_share"],
        "sources": sources["total"],
        "top_source": conc["top_source"],
        "top_source_share": conc["top_source_share"],
        "hhi": conc["hhi"],
        "findings": {
            "uncited_claims": len(coverage["uncited_claims"]),
            "articles_without_sources": len(coverage["articles_without_sources"]),
            "over_cited_sources": len(sources["over_citation"]["flagged"]),
            "government_action_weak_sources": len(fit["government_action_weak_sources"]),
            "publisher_mismatch": len(fit["publisher_mismatch"]),
            "consistency_conflicts": len(consistency["conflicts"]),
            "dangling_markers": len(hygiene["dangling_markers"]),
            "orphan_footnotes": len(hygiene["orphan_footnotes"]),
            "duplicate_footnotes": len(hygiene["duplicate_footnotes"]),
            "near_duplicate_urls": len(hygiene["near_duplicate_urls"]),
            "malformed_urls": len(hygiene["malformed_urls"]),
            "landing_pages": len(hygiene["landing_pages"]),
            "broken_links": (
                links["summary"]["broken"] + links["summary"]["error"] if check_links else None
            ),
        },
    }
    return {
        "schema": SCHEMA,
        "generator": f"chipkg {__version__}",
        "scope": {
            "report": report,
            "article": scope_article,
            "reports": [d.reports[r] for r in sorted(d.reports)],
        },
        "thresholds": THRESHOLDS,
        "summary": summary,
        "claims": [_claim_row(d, c) for c in claims],
        "coverage": coverage,
        "sources": sources,
        "fit": fit,
        "consistency": consistency,
        "hygiene": hygiene,
        "links": links,
    }


def to_json(audit: dict[str, Any]) -> str:
    return json.dumps(audit, ensure_ascii=False, indent=2) + "\n"


# --------------------------------------------------------------------------------------------
# Text rendering
# --------------------------------------------------------------------------------------------


def _short(text: str | None, n: int = 60) -> str:
    text = (text or "").replace("\n", " ")
    return text if len(text) <= n else text[: n - 1] + "…"


def _triple(row: dict) -> str:
    obj = row.get("object")
    o = obj["en"] if obj else _qualifier_text(row) or "—"
    return f"{row['subject']['en']} —{row['relation']['en']}→ {o}"


def _qualifier_text(row: dict) -> str:
    bits = [_fmt_amount(a) for a in row.get("amounts") or []]
    if row.get("date"):
        bits.append(str(row["date"]))
    if row.get("target_year") is not None:
        bits.append(f"by {row['target_year']}")
    if row.get("target_value") is not None:
        bits.append(f"{_fmt_number(row['target_value'])} {row.get('target_unit') or ''}".strip())
    if row.get("count") is not None:
        bits.append(f"{_fmt_number(row['count'])} entities")
    if row.get("value") is not None:
        bits.append(_fmt_number(row["value"]))
    return ", ".join(bits)


def render_text(audit: dict[str, Any]) -> str:
    """A readable summary of an audit for the terminal."""
    s = audit["summary"]
    cov = audit["coverage"]
    src = audit["sources"]
    conc = src["concentration"]
    fit = audit["fit"]
    hyg = audit["hygiene"]
    out: list[str] = []
    add = out.append
    add(f"chipkg provenance audit — {', '.join(s['reports']) or 'no reports'}")
    art = audit["scope"].get("article")
    if art:
        add(f"  only article {art['number']} (page {art['page']}): {art['title']}")
    add("")
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
            f"{_short(a['title'], 40)}"
        )
    for a in cov["articles_without_sources"]:
        add(f"  article with no source at all: {a['reasoning']} — {_short(a['title'], 40)}")
    if cov["uncited_claims"]:
        add(f"  claims with no source ({len(cov['uncited_claims'])}):")
        for r in cov["uncited_claims"]:
            add(f"    p{r['page']} l{r['line']}  {_triple(r)}")
            add(f"        「{_short(r['text'], 70)}」")
    add("")
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
            f"{it['kind']:<10} {_short(it['url'], 80)}"
        )
    oc = src["over_citation"]
    add(f"  possible over-citation: {len(oc['flagged'])}")
    for r in oc["flagged"]:
        add(f"    {r['url']}")
        add(f"      {r['reasoning']}")
    add("")
    add("fit")
    rows = fit["government_action_weak_sources"]
    add(f"  government acts resting only on media/company pages: {len(rows)}")
    for r in rows:
        add(f"    p{r['page']}  {_triple(r)}")
        add(f"      {r['reasoning']}")
    rows = fit["publisher_mismatch"]
    add(f"  company newsroom cited for a claim about others: {len(rows)}")
    for r in rows:
        add(f"    p{r['page']}  [{r['severity']}] {_triple(r)}")
        add(f"      {r['reasoning']}")
    add("")
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
                f"      p{st['page']} l{st['line']}  {st['stated']}  「{_short(st['text'], 50)}」 "
                + " ".join(st["sources"])
            )
    add("")
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
            f"{_short(r['url'], 80)}"
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
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------------
# HTML rendering: one self-contained file
# --------------------------------------------------------------------------------------------

_CSS = """
:root { --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --bg:#f6f8fa; --accent:#0969da;
        --warn:#9a6700; --bad:#cf222e; --good:#1a7f37; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC",
       "WenQuanYi Micro Hei", "PingFang SC", "Microsoft YaHei", sans-serif; color: var(--fg);
       margin: 0 auto; max-width: 1360px; padding: 20px 28px 60px; font-size: 14px;
       line-height: 1.45; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 19px; margin: 34px 0 8px;
  border-bottom: 1px solid var(--line); padding-bottom: 4px; } h3 { font-size: 15px;
  margin: 20px 0 6px; }
.zh { color: var(--muted); font-weight: normal; margin-left: .35em; }
.muted { color: var(--muted); } .small { font-size: 12px; }
nav a { margin-right: 14px; }
a { color: var(--accent); text-decoration: none; } a:hover { text-decoration: underline; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 14px 0; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; min-width: 170px;
        background: #fff; }
.card .v { font-size: 24px; font-weight: 600; } .card .l { color: var(--muted); font-size: 12px; }
.grid { display: grid; grid-template-columns: 1fr 1fr 1fr; gap: 18px; align-items: start; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: 10px; }
figcaption { font-weight: 600; margin-bottom: 6px; }
.wrap { overflow-x: auto; margin: 6px 0 10px; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { border: 1px solid var(--line); padding: 4px 7px; vertical-align: top; text-align: left; }
th { background: var(--bg); position: sticky; top: 0; cursor: pointer; user-select: none;
     white-space: nowrap; }
th[aria-sort="ascending"]::after { content: " ▲"; color: var(--accent); }
th[aria-sort="descending"]::after { content: " ▼"; color: var(--accent); }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.text { min-width: 280px; max-width: 520px; }
td.url { word-break: break-all; min-width: 180px; max-width: 420px; }
td.reason { min-width: 260px; max-width: 460px; overflow-wrap: anywhere; }
.lv { display: inline-block; border-radius: 10px; padding: 0 7px; font-size: 12px;
      color: #fff; white-space: nowrap; }
.lv-sentence { background: #1a7f37; } .lv-paragraph { background: #4c8eda; }
.lv-lead { background: #bf8700; } .lv-none { background: #cf222e; }
.flag { color: var(--bad); font-weight: 600; } .ok { color: var(--good); font-weight: 600; }
.reason { color: #3d444d; font-size: 13px; overflow-wrap: anywhere; }
details > summary { cursor: pointer; color: var(--accent); margin: 6px 0; }
.side { display: grid; grid-template-columns: 1fr 1fr; gap: 10px; }
pre { background: var(--bg); padding: 10px; overflow: auto; font-size: 12px; }
"""

_JS = """
(function () {
  function key(cell) {
    var v = cell.getAttribute('data-sort');
    if (v === null) { v = cell.textContent.trim(); }
    var n = parseFloat(v);
    return (v !== '' && !isNaN(n) && isFinite(v)) ? n : v.toLowerCase();
  }
  function sortBy(table, col, dir) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a.cells[col]), y = key(b.cells[col]), r;
      if (typeof x === typeof y) { r = x < y ? -1 : (x > y ? 1 : 0); }
      else { r = typeof x === 'number' ? -1 : 1; }
      return dir === 'asc' ? r : -r;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
      th.setAttribute('aria-sort', i === col ? (dir === 'asc' ? 'ascending' : 'descending')
                                             : 'none');
    });
  }
  var tables = document.querySelectorAll('table.sortable');
  Array.prototype.forEach.call(tables, function (t) {
    Array.prototype.forEach.call(t.tHead.rows[0].cells, function (th, i) {
      th.tabIndex = 0;
      th.title = 'click to sort';
      function go() {
        sortBy(t, i, th.getAttribute('aria-sort') === 'ascending' ? 'desc' : 'asc');
      }
      th.addEventListener('click', go);
      th.addEventListener('keydown', function (e) { if (e.key === 'Enter') { go(); } });
    });
    var d = t.getAttribute('data-sort-default');
    if (d) { var p = d.split(':'); sortBy(t, parseInt(p[0], 10), p[1]); }
  });
  // audit.html#sort=TABLE:COLUMN:asc|desc opens with that table sorted, by clicking its header
  function sortFromHash() {
    var m = /^#sort=([A-Za-z0-9_-]+):([0-9]+):(asc|desc)$/.exec(location.hash);
    var t = m && document.getElementById(m[1]);
    var th = t && t.classList.contains('sortable') && t.tHead.rows[0].cells[parseInt(m[2], 10)];
    if (!th) { return; }
    var want = m[3] === 'asc' ? 'ascending' : 'descending';
    for (var i = 0; i < 2 && th.getAttribute('aria-sort') !== want; i++) { th.click(); }
    t.scrollIntoView();
  }
  sortFromHash();
  window.addEventListener('hashchange', sortFromHash);
  document.body.setAttribute('data-sortable-tables', String(tables.length));
})();
"""

_LEVEL_COLOURS = {
    "sentence": "#1a7f37",
    "paragraph": "#4c8eda",
    "lead": "#bf8700",
    "none": "#cf222e",
}
_KIND_COLOURS = {
    "government": "#0969da",
    "company": "#8250df",
    "thinktank": "#bf3989",
    "media": "#bc4c00",
    "academic": "#1a7f37",
    "other": "#6e7781",
}


def _e(x: object) -> str:
    return html.escape("" if x is None else str(x), quote=True)


def _bar_chart(chart_id: str, title: str, rows: list[tuple[str, str, int, str]]) -> str:
    """An inline SVG horizontal bar chart; rows are (label, Chinese label, value, colour)."""
    width, label_w, bar_w, row_h = 430, 200, 180, 30
    top = max((v for *_, v, _c in rows), default=0) or 1
    height = row_h * len(rows) + 10
    parts = [
        f'<svg id="{_e(chart_id)}" class="chart" role="img" xmlns="http://www.w3.org/2000/svg" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f"<title>{_e(title)}</title>",
    ]
    for i, (label, zh, value, colour) in enumerate(rows):
        y = 5 + i * row_h
        w = round(bar_w * value / top) if value else 0
        parts.append(
            f'<g class="bar" data-label="{_e(label)}" data-value="{value}">'
            f'<text x="{label_w - 8}" y="{y + 13}" text-anchor="end" font-size="12">{_e(label)}'
            f'</text><text x="{label_w - 8}" y="{y + 25}" text-anchor="end" font-size="10" '
            f'fill="#59636e">{_e(zh)}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{max(w, 1)}" height="18" rx="3" '
            f'fill="{colour}"><title>{_e(label)}: {value}</title></rect>'
            f'<text x="{label_w + max(w, 1) + 6}" y="{y + 18}" font-size="12">{value}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _ent_html(lab: dict | None) -> str:
    if not lab:
        return '<span class="muted">—</span>'
    zh = (
        f'<span class="zh">{_e(lab["zh"])}</span>'
        if lab.get("zh") and lab["zh"] != lab["en"]
        else ""
    )
    return f"{_e(lab['en'])}{zh}"


def _level_html(level: str) -> str:
    en, zh = LEVEL_LABELS.get(level, (level, ""))
    order = LEVELS.index(level) if level in LEVELS else 9
    return (
        f'<td data-sort="{order}"><span class="lv lv-{_e(level)}" title="{_e(zh)}">'
        f"{_e(en)}</span></td>"
    )


def _src_links(urls: list[str], sources: dict[str, dict]) -> str:
    if not urls:
        return '<span class="flag">no source</span>'
    out = []
    for u in urls:
        dom = sources.get(u, {}).get("domain") or urlsplit(u).hostname or u
        kind = sources.get(u, {}).get("kind", "")
        out.append(
            f'<a class="src" href="{_e(u)}" title="{_e(u)}" rel="noreferrer">{_e(dom)}</a>'
            + (f' <span class="muted small">{_e(kind)}</span>' if kind else "")
        )
    return "<br>".join(out)


def _url_cell(url: str) -> str:
    return f'<td class="url"><a class="src" href="{_e(url)}" rel="noreferrer">{_e(url)}</a></td>'


def _claim_cells(r: dict, sources: dict[str, dict]) -> str:
    return (
        f'<td class="n">{_e(r["page"])}</td>'
        f"<td>{_ent_html(r['subject'])}</td><td>{_ent_html(r['relation'])}</td>"
        f"<td>{_ent_html(r['object'])}</td><td>{_e(_qualifier_text(r))}</td>"
        + _level_html(r["level"])
        + f'<td class="text" lang="zh">{_e(r["text"])}</td>'
        f"<td>{_src_links(r['sources'], sources)}</td>"
    )


_CLAIM_HEAD = (
    '<th class="n">page</th><th>subject 主语</th><th>relation 关系</th><th>object 宾语</th>'
    "<th>amount / date</th><th>citation level</th><th>sentence 原文</th><th>sources 来源</th>"
)


def _table(table_id: str, head: str, rows: list[str], default: str | None = None) -> str:
    if not rows:
        return '<p class="ok">none found</p>'
    dflt = f' data-sort-default="{_e(default)}"' if default else ""
    return (
        f'<div class="wrap"><table id="{_e(table_id)}" class="sortable"{dflt}><thead><tr>{head}'
        f"</tr></thead><tbody>{''.join(f'<tr>{r}</tr>' for r in rows)}</tbody></table></div>"
    )


def _count_class(n: int | None) -> str:
    return "muted" if n is None else ("ok" if n == 0 else "flag")


def render_html(audit: dict[str, Any]) -> str:
    """The audit as one self-contained HTML file: summary and charts, then sortable tables."""
    s = audit["summary"]
    cov = audit["coverage"]
    src = audit["sources"]
    conc = src["concentration"]
    fit = audit["fit"]
    con = audit["consistency"]
    hyg = audit["hygiene"]
    links = audit["links"]
    sources = {it["url"]: it for it in src["items"]}
    reports = audit["scope"]["reports"]
    h: list[str] = []
    add = h.append
    title = "chipkg provenance audit"
    add(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)} — {_e(', '.join(s['reports']))}</title><style>{_CSS}</style>"
        "</head><body>"
    )
    add('<header><h1>Provenance audit<span class="zh">来源审计</span></h1>')
    for r in reports:
        add(
            f'<div class="muted">{_e(r["title_en"] or r["id"])}<span class="zh">'
            f"{_e(r['title_zh'] or '')}</span> · report <code>{_e(r['id'])}</code>"
            + (f" · {_e(r['source_file'])}" if r.get("source_file") else "")
            + "</div>"
        )
    art = audit["scope"].get("article")
    if art:
        add(
            f'<div class="muted">only article {art["number"]} (page {_e(art["page"])}): '
            f'<span lang="zh">{_e(art["title"])}</span></div>'
        )
    add(
        '<nav class="small"><a href="#summary">summary</a><a href="#claims">claims</a>'
        '<a href="#coverage">coverage</a><a href="#sources">sources</a><a href="#fit">fit</a>'
        '<a href="#consistency">consistency</a><a href="#hygiene">hygiene</a>'
        '<a href="#links">links</a></nav></header>'
    )

    # ---- summary
    add('<section id="summary"><h2>Summary<span class="zh">概览</span></h2><div class="cards">')
    cards = [
        (
            f"{s['claims_cited']}/{s['claims']}",
            "claims with a source · 有来源的断言",
            f"{s['claims_cited_share']:.0%}",
        ),
        (
            f"{s['passages_cited']}/{s['passages']}",
            "passages with a source · 有来源的语段",
            f"{s['passages_cited_share']:.0%}",
        ),
        (str(s["sources"]), "source URLs · 来源网址", f"{src['with_claims']} carry claims"),
        (
            f"{conc['top_source_share']:.0%}",
            "cited claims on the top source · 最大来源占比",
            f"{conc['top_source_claims']} claims",
        ),
        (
            f"{conc['hhi']:.3f}",
            "HHI over claims per source · 集中度",
            f"{conc['reading']}, ≈{conc['equivalent_sources']} sources",
        ),
    ]
    for v, label, sub in cards:
        add(
            f'<div class="card"><div class="v">{_e(v)}</div><div class="l">{_e(label)}</div>'
            f'<div class="small">{_e(sub)}</div></div>'
        )
    add("</div>")
    f = s["findings"]
    finding_rows = [
        ("uncited_claims", "claims with no source", "无来源断言", "#uncited"),
        (
            "articles_without_sources",
            "articles with no source at all",
            "完全无来源的文章",
            "#unsourced-articles",
        ),
        ("over_cited_sources", "sources possibly over-cited", "疑似过度引用", "#over-citation"),
        (
            "government_action_weak_sources",
            "government acts on media/company pages only",
            "政府行为仅有媒体或企业来源",
            "#gov-weak",
        ),
        ("publisher_mismatch", "company newsroom cited for others", "来源发布者不符", "#mismatch"),
        ("consistency_conflicts", "conflicting amounts or dates", "数值或日期冲突", "#consistency"),
        ("dangling_markers", "dangling markers", "悬空标记", "#hygiene"),
        ("orphan_footnotes", "orphan footnotes", "孤立脚注", "#hygiene"),
        ("duplicate_footnotes", "duplicate footnotes", "重复脚注", "#dup-footnotes"),
        ("near_duplicate_urls", "near-duplicate URLs", "近似重复网址", "#near-dup"),
        ("malformed_urls", "malformed URLs", "格式错误网址", "#malformed"),
        ("landing_pages", "landing pages instead of documents", "非具体文档的网址", "#landing"),
        ("broken_links", "broken links", "失效链接", "#links"),
    ]
    add(
        '<div class="grid"><div><table id="t-findings"><thead><tr><th>check 检查</th>'
        '<th class="n">findings</th></tr></thead><tbody>'
    )
    for key, en, zh, anchor in finding_rows:
        n = f.get(key)
        add(
            f'<tr><td><a href="{anchor}">{_e(en)}</a><span class="zh">{_e(zh)}</span></td>'
            f'<td class="n {_count_class(n)}">{"not run" if n is None else n}</td></tr>'
        )
    add("</tbody></table></div>")
    lv = cov["claims"]["by_level"]
    add(
        '<figure><figcaption>Claims by citation level<span class="zh">断言引用层级</span>'
        "</figcaption>"
    )
    add(
        _bar_chart(
            "chart-levels",
            "Claims by citation level",
            [(LEVEL_LABELS[k][0], LEVEL_LABELS[k][1], lv[k], _LEVEL_COLOURS[k]) for k in LEVELS],
        )
    )
    add("</figure>")
    add(
        '<figure><figcaption>Sources by publisher kind<span class="zh">来源发布者类型</span>'
        "</figcaption>"
    )
    add(
        _bar_chart(
            "chart-kinds",
            "Sources by publisher kind",
            [
                (KIND_LABELS[k][0], KIND_LABELS[k][1], src["by_kind"][k], _KIND_COLOURS[k])
                for k in KINDS
            ],
        )
    )
    add(
        '<div class="small muted">claims resting on each kind: '
        + ", ".join(f"{KIND_LABELS[k][0]} {n}" for k, n in src["claims_by_kind"].items())
        + "</div></figure></div></section>"
    )

    # ---- claims
    add(
        '<section id="claims"><h2>Claims<span class="zh">断言</span></h2>'
        f'<p class="muted">{len(audit["claims"])} current claims, each with the sentence that '
        "states it and the URLs that sentence cites. Click a column header to sort.</p>"
    )
    add(_table("t-claims", _CLAIM_HEAD, [_claim_cells(r, sources) for r in audit["claims"]]))
    add("</section>")

    # ---- coverage
    add('<section id="coverage"><h2>Coverage<span class="zh">来源覆盖</span></h2>')
    add(
        '<h3 id="unsourced-articles">Articles with no source at all'
        '<span class="zh">完全无来源的文章</span></h3>'
    )
    rows = [
        f'<td class="n">{a["number"]}</td><td lang="zh">{_e(a["title"])}</td>'
        f'<td class="n">{_e(a["page"])}</td><td class="n">{a["passages"]}</td>'
        f'<td class="n">{a["claims"]}</td><td class="reason">{_e(a["reasoning"])}</td>'
        for a in cov["articles_without_sources"]
    ]
    add(
        _table(
            "t-unsourced-articles",
            '<th class="n">#</th><th>article 文章</th><th class="n">page</th>'
            '<th class="n">passages</th><th class="n">claims</th><th>reasoning</th>',
            rows,
        )
    )
    add('<h3 id="uncited">Claims with no source<span class="zh">无来源断言</span></h3>')
    add(_table("t-uncited", _CLAIM_HEAD, [_claim_cells(r, sources) for r in cov["uncited_claims"]]))

    def cov_cells(b: dict) -> str:
        lvs = b["by_level"]
        return (
            f'<td class="n">{b["total"]}</td><td class="n">{lvs["sentence"]}</td>'
            f'<td class="n">{lvs["paragraph"]}</td><td class="n">{lvs["lead"]}</td>'
            f'<td class="n">{lvs["none"]}</td>'
            f'<td class="n" data-sort="{b["cited_share"]}">{b["cited_share"]:.0%}</td>'
        )

    cov_head = (
        '<th class="n">passages</th><th class="n">sentence</th><th class="n">paragraph</th>'
        '<th class="n">lead</th><th class="n">none</th><th class="n">cited</th>'
        '<th class="n">claims</th><th class="n">cited</th><th class="n">no source</th>'
    )
    add('<h3>By article<span class="zh">按文章</span></h3>')
    rows = [
        f'<td class="n">{a["number"]}</td><td lang="zh">{_e(a["title"])}'
        + (
            f'<div class="muted small">{_e(a["rubric"])} {_e(a["date"] or "")}</div>'
            if a["rubric"]
            else ""
        )
        + f'</td><td class="n">{_e(a["page"])}</td>'
        + cov_cells(a["passages"])
        + f'<td class="n">{a["claims"]["total"]}</td><td class="n">{a["claims"]["cited"]}</td>'
        f'<td class="n">{a["claims"]["uncited"]}</td>'
        for a in cov["by_article"]
    ]
    add(
        _table(
            "t-articles",
            '<th class="n">#</th><th>article 文章</th><th class="n">page</th>' + cov_head,
            rows,
        )
    )
    add(
        '<h3>By section<span class="zh">按章节</span></h3><details><summary>'
        f"{len(cov['by_section'])} sections</summary>"
    )
    rows = [
        f'<td lang="zh">{_e(r["path"])}<div class="muted small">{_e(r["article_title"])}</div>'
        f'</td><td class="n">{_e(r["page"])}</td>'
        + cov_cells(r["passages"])
        + f'<td class="n">{r["claims"]["total"]}</td><td class="n">{r["claims"]["cited"]}</td>'
        f'<td class="n">{r["claims"]["uncited"]}</td>'
        for r in cov["by_section"]
    ]
    add(_table("t-sections", '<th>section 章节</th><th class="n">page</th>' + cov_head, rows))
    add("</details></section>")

    # ---- sources
    add('<section id="sources"><h2>Sources<span class="zh">来源</span></h2>')
    add(f'<p class="reason">{_e(conc["reasoning"])}</p>')
    rows = []
    for it in src["items"]:
        pub = it["publisher"]
        rows.append(
            _url_cell(it["url"]) + f"<td>{_e(it['domain'])}</td>"
            f'<td>{_e(KIND_LABELS[it["kind"]][0])}<span class="zh">'
            f"{_e(KIND_LABELS[it['kind']][1])}</span></td>"
            f'<td>{_e(pub["en"] or "")}<span class="zh">{_e(pub["zh"] or "")}</span></td>'
            f'<td class="n">{len(it["footnotes"])}</td><td class="n">{it["passages"]}</td>'
            f'<td class="n">{it["claims"]}</td><td class="n">{it["subjects"]}</td>'
            f'<td class="n">{it["objects"]}</td>'
        )
    add(
        _table(
            "t-sources",
            "<th>URL</th><th>domain</th><th>publisher kind</th><th>publisher 发布者</th>"
            '<th class="n">footnotes</th><th class="n">passages</th><th class="n">claims</th>'
            '<th class="n">subjects</th><th class="n">objects</th>',
            rows,
            default="6:desc",
        )
    )
    oc = src["over_citation"]
    add(
        f'<h3 id="over-citation">Possible over-citation<span class="zh">疑似过度引用</span></h3>'
        f'<p class="muted small">Rule: {_e(oc["rule"])}.</p>'
    )
    rows = [
        _url_cell(r["url"])
        + f'<td class="n">{len(r["pages"])}</td><td class="n">{r["passages"]}</td>'
        f"<td>{'; '.join(_ent_html(o) for o in r['organisations'])}</td>"
        f"<td>{'; '.join(_ent_html(t) for t in r['technology_families'])}</td>"
        f'<td class="reason">{_e(r["reasoning"])}</td>'
        for r in oc["flagged"]
    ]
    add(
        _table(
            "t-over-citation",
            '<th>source</th><th class="n">pages</th>'
            '<th class="n">passages</th><th>organisations</th><th>technology families</th>'
            "<th>reasoning</th>",
            rows,
        )
    )
    add("</section>")

    # ---- fit
    add(
        '<section id="fit"><h2>Fit of sources to claims<span class="zh">来源与断言的匹配</span>'
        "</h2>"
    )
    add(
        '<h3 id="gov-weak">Government acts resting only on media or company pages'
        '<span class="zh">政府行为仅有媒体或企业来源</span></h3>'
        f'<p class="muted small">Rule: {_e(fit["rules"]["government_action_weak_sources"])}.</p>'
    )
    add(
        _table(
            "t-gov-weak",
            _CLAIM_HEAD + "<th>reasoning</th>",
            [
                _claim_cells(r, sources) + f'<td class="reason">{_e(r["reasoning"])}</td>'
                for r in fit["government_action_weak_sources"]
            ],
        )
    )
    add(
        '<h3 id="mismatch">Company newsroom cited for a claim about others'
        '<span class="zh">企业新闻稿被用于其他机构的断言</span></h3>'
        f'<p class="muted small">Rule: {_e(fit["rules"]["publisher_mismatch"])}.</p>'
    )
    add(
        _table(
            "t-mismatch",
            "<th>severity</th>" + _CLAIM_HEAD + "<th>reasoning</th>",
            [
                f'<td class="flag">{_e(r["severity"])}</td>'
                + _claim_cells(r, sources)
                + f'<td class="reason">{_e(r["reasoning"])}</td>'
                for r in fit["publisher_mismatch"]
            ],
        )
    )
    add("</section>")

    # ---- consistency
    add(
        '<section id="consistency"><h2>Consistency<span class="zh">一致性</span></h2>'
        f'<p class="muted small">Rule: {_e(con["rule"])}.</p>'
    )
    if not con["conflicts"]:
        add('<p class="ok">no conflicting statements</p>')
    for i, c in enumerate(con["conflicts"]):
        add(
            f'<div class="conflict" id="conflict-{i}"><p class="reason">{_e(c["reasoning"])}</p>'
            '<div class="side">'
        )
        for st in c["statements"]:
            add(
                f'<div class="card"><div class="v small">{_e(st["stated"])}</div>'
                f'<div class="small muted">page {_e(st["page"])}, line {_e(st["line"])}</div>'
                f'<div lang="zh">{_e(st["text"])}</div>'
                f'<div class="small">{_src_links(st["sources"], sources)}</div></div>'
            )
        add("</div></div>")
    if con["repeated_consistent"]:
        add('<h3>Stated more than once, consistently<span class="zh">多处一致表述</span></h3>')
        rows = [
            f"<td>{_ent_html(r['subject'])}</td><td>{_ent_html(r['relation'])}</td>"
            f'<td>{_ent_html(r["object"])}</td><td class="n">{r["passages"]}</td>'
            f'<td lang="zh">{"<br>".join(_e(t) for t in r["texts"])}</td>'
            for r in con["repeated_consistent"]
        ]
        add(
            _table(
                "t-repeated",
                "<th>subject</th><th>relation</th><th>object</th>"
                '<th class="n">passages</th><th>sentences</th>',
                rows,
            )
        )
    add("</section>")

    # ---- hygiene
    add('<section id="hygiene"><h2>Citation hygiene<span class="zh">引用规范</span></h2>')
    add(
        f'<p>Dangling markers: <b class="{_count_class(len(hyg["dangling_markers"]))}">'
        f'{len(hyg["dangling_markers"])}</b> · orphan footnotes: <b class="'
        f'{_count_class(len(hyg["orphan_footnotes"]))}">{len(hyg["orphan_footnotes"])}</b></p>'
    )
    rows = [
        f'<td>{_e(r["report"])}</td><td class="n">{_e(r["page"])}</td>'
        f'<td class="n">{_e(r["line"])}</td><td>{_e(r["message"])}</td>'
        for r in hyg["dangling_markers"] + hyg["orphan_footnotes"]
    ]
    if rows:
        add(
            _table(
                "t-dangling",
                '<th>report</th><th class="n">page</th><th class="n">line</th><th>finding</th>',
                rows,
            )
        )
    add('<h3 id="dup-footnotes">Duplicate footnotes<span class="zh">重复脚注</span></h3>')
    rows = [
        f'<td class="n">{_e(r["page"])}</td><td>{_e(", ".join(map(str, r["footnotes"])))}</td>'
        + _url_cell(r["url"])
        + f'<td class="reason">{_e(r["reasoning"])}</td>'
        for r in hyg["duplicate_footnotes"]
    ]
    add(
        _table(
            "t-dup-footnotes",
            '<th class="n">page</th><th>footnotes</th><th>URL</th><th>reasoning</th>',
            rows,
        )
    )
    add('<h3 id="near-dup">Near-duplicate URLs<span class="zh">近似重复网址</span></h3>')
    rows = [
        f'<td class="url">{"<br>".join(_e(u["url"]) for u in r["urls"])}</td>'
        f'<td>{_e(", ".join(r["differences"]))}</td><td class="reason">{_e(r["reasoning"])}</td>'
        for r in hyg["near_duplicate_urls"]
    ]
    add(_table("t-near-dup", "<th>URLs</th><th>differ in</th><th>reasoning</th>", rows))
    add('<h3 id="malformed">Malformed URLs<span class="zh">格式错误网址</span></h3>')
    rows = [
        f'<td class="url">{_e(r["url"])}</td><td>{_e(r["problem"])}</td>'
        f"<td>{_e(', '.join(r['footnotes']))}</td>"
        for r in hyg["malformed_urls"]
    ]
    add(_table("t-malformed", "<th>URL</th><th>problem</th><th>footnotes</th>", rows))
    add(
        '<h3 id="landing">Landing pages instead of documents<span class="zh">非具体文档的网址'
        "</span></h3>"
    )
    rows = [
        _url_cell(r["url"]) + f'<td class="reason">{_e(r["reasoning"])}</td>'
        for r in hyg["landing_pages"]
    ]
    add(_table("t-landing", "<th>URL</th><th>reasoning</th>", rows))
    pf = hyg["parse_findings"]
    add('<h3>Parse findings<span class="zh">解析记录</span></h3>')
    rows = [
        f'<td>{_e(x["kind"])}</td><td>{_e(x["severity"])}</td><td class="n">{_e(x["page"])}</td>'
        f'<td class="n">{_e(x["line"])}</td><td lang="zh">{_e(x["message"])}</td>'
        for x in pf["items"]
    ]
    add(
        _table(
            "t-parse-findings",
            '<th>kind</th><th>severity</th><th class="n">page</th>'
            '<th class="n">line</th><th>message</th>',
            rows,
        )
    )
    add("</section>")

    # ---- links
    add('<section id="links"><h2>Links<span class="zh">链接检查</span></h2>')
    if links.get("checked"):
        sm = links["summary"]
        add(
            f"<p>ok {sm['ok']} · redirected {sm['redirected']} · "
            f'<span class="{_count_class(sm["broken"])}">broken {sm["broken"]}</span> · '
            f'<span class="{_count_class(sm["error"])}">error {sm["error"]}</span> '
            f'<span class="muted small">(timeout {links["timeout"]} s, '
            f"{links['concurrency']} at a time)</span></p>"
        )
        rows = [
            _url_cell(r["url"]) + f'<td class="{"ok" if r["outcome"] == "ok" else "flag"}">'
            f'{_e(r["outcome"])}</td><td class="n">{_e(r["status"] or "")}</td>'
            f'<td class="url">{_e(r["final_url"] if r["final_url"] != r["url"] else "")}</td>'
            f"<td>{_e(r['error'] or '')}</td>"
            for r in links["results"]
        ]
        add(
            _table(
                "t-links",
                '<th>URL</th><th>outcome</th><th class="n">status</th>'
                "<th>redirected to</th><th>error</th>",
                rows,
            )
        )
    else:
        add(f'<p class="muted">{_e(links.get("note", "not checked"))}</p>')
    add("</section>")
    add(
        '<footer class="small muted"><details><summary>thresholds applied</summary><pre>'
        + _e(json.dumps(audit["thresholds"], ensure_ascii=False, indent=2))
        + f"</pre></details>{_e(audit['generator'])} · schema {_e(audit['schema'])}</footer>"
    )
    add(f"<script>{_JS}</script></body></html>")
    return "\n".join(h) + "\n"
