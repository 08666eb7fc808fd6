"""The claims to verify, read from the built graph: subject and object with every label and alias
(both scripts, from the entity table and the ontology), amounts (the original, never the stated
conversion), date and target year, the sentence, and the sources the claim rests on; and every
URL the reports cite (what ``sources fetch`` retrieves)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import pyoxigraph as ox

from chipkg.errors import ChipkgError
from chipkg.graph.sparql import select

PREFIXES = """PREFIX ckg: <https://w3id.org/chipkg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
"""
GRAPH_NS = "https://w3id.org/chipkg/id/graph/"


@dataclass
class Claim:
    iri: str
    report: str
    subject: str
    predicate: str
    object: str | None
    text: str
    page: int | None
    date: str | None = None
    target_year: int | None = None
    amounts: list[tuple[Decimal, str]] = field(default_factory=list)
    conversions: list[tuple[Decimal, str]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


@dataclass
class Claims:
    claims: list[Claim]
    names: dict[str, list[str]]  # entity IRI -> labels and aliases
    labels: dict[str, str]  # entity or relation IRI -> English label (for messages)
    printed: set[str] = field(default_factory=set)  # cited sources with no URL (ckg:PrintedSource)


def _graphs(report: str | None, store: ox.Store) -> str:
    rows = select(store, PREFIXES + "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?r a ckg:Report } }")
    graphs = sorted(r["g"] for r in rows)
    if report is not None:
        graphs = [g for g in graphs if g == GRAPH_NS + report]
        if not graphs:
            raise ChipkgError(
                f"no report graph '{report}' in this build", hint="see 'chipkg stats'"
            )
    if not graphs:
        raise ChipkgError("no report graph in this build", hint="run 'chipkg build' first")
    return "VALUES ?g { " + " ".join(f"<{g}>" for g in graphs) + " }"


def cited_urls(store: ox.Store, report: str | None = None) -> list[str]:
    """Every URL a footnote, a citation or a claim of the report graphs points at."""
    values = _graphs(report, store)
    rows = select(
        store,
        PREFIXES
        + f"""SELECT DISTINCT ?url WHERE {{ {values}
          GRAPH ?g {{ {{ ?f ckg:cites ?url }} UNION {{ ?c prov:entity ?url }}
                     UNION {{ ?claim prov:wasDerivedFrom ?url }} }}
          FILTER(isIRI(?url))
          FILTER NOT EXISTS {{ GRAPH ?pg {{ ?url a ckg:PrintedSource }} }} }}""",
    )
    return sorted(r["url"] for r in rows)


def load_claims(store: ox.Store, report: str | None = None) -> Claims:
    values = _graphs(report, store)
    claims: dict[str, Claim] = {}
    for r in select(
        store,
        PREFIXES
        + f"""SELECT ?g ?c ?s ?p ?o ?text ?page ?date ?ty WHERE {{ {values}
          GRAPH ?g {{ ?c a ckg:Claim ; ckg:claimSubject ?s ; ckg:claimPredicate ?p ;
                        ckg:statedIn ?psg .
            FILTER NOT EXISTS {{ ?newer ckg:supersedes ?c }}
            OPTIONAL {{ ?psg ckg:text ?text }} OPTIONAL {{ ?psg ckg:pageNumber ?page }}
            OPTIONAL {{ ?c ckg:claimObject ?o }} OPTIONAL {{ ?c ckg:date ?date }}
            OPTIONAL {{ ?c ckg:targetYear ?ty }} }} }}""",
    ):
        claims.setdefault(
            r["c"],
            Claim(
                r["c"],
                r["g"].removeprefix(GRAPH_NS),
                r["s"],
                r["p"],
                r["o"],
                r["text"] or "",
                int(r["page"]) if r["page"] is not None else None,
                str(r["date"]) if r["date"] is not None else None,
                int(r["ty"]) if r["ty"] is not None else None,
            ),
        )
    printed = _add_amounts_and_sources(store, values, claims)
    names, labels = _names(store, claims.values())
    ordered = sorted(claims.values(), key=lambda c: (c.report, c.page or 0, c.iri))
    return Claims(ordered, names, labels, printed)


def _add_amounts_and_sources(store: ox.Store, values: str, claims: dict[str, Claim]) -> set[str]:
    """Fill each claim's amounts and sources; return the sources that are printed (no URL)."""
    for r in select(
        store,
        PREFIXES
        + f"""SELECT ?c ?a ?v ?cur ?cv ?cc WHERE {{ {values}
          GRAPH ?g {{ ?c a ckg:Claim ; ckg:amount ?a . ?a schema:value ?v ; schema:currency ?cur .
            OPTIONAL {{ ?a ckg:statedConversion [ schema:value ?cv ; schema:currency ?cc ] }} }} }}
          ORDER BY ?c ?a""",
    ):
        claim = claims.get(r["c"])
        if claim is None:
            continue
        amount = (Decimal(str(r["v"])), r["cur"])
        if amount not in claim.amounts:
            claim.amounts.append(amount)
        if r["cv"] is not None:
            conv = (Decimal(str(r["cv"])), r["cc"])
            if conv not in claim.conversions:
                claim.conversions.append(conv)
    printed: set[str] = set()
    for r in select(
        store,
        PREFIXES
        + f"""SELECT DISTINCT ?c ?src ?printed WHERE {{ {values}
          GRAPH ?g {{ ?c a ckg:Claim ; prov:wasDerivedFrom ?src
            OPTIONAL {{ ?src a ?printed FILTER(?printed = ckg:PrintedSource) }} }} }}
          ORDER BY ?c ?src""",
    ):
        if r["c"] in claims:
            claims[r["c"]].sources.append(r["src"])
            if r["printed"] is not None:
                printed.add(r["src"])
    return printed


def _names(store: ox.Store, claims) -> tuple[dict[str, list[str]], dict[str, str]]:  # noqa: ANN001
    wanted = {c.subject for c in claims} | {c.object for c in claims if c.object}
    wanted |= {c.predicate for c in claims}
    names: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, str] = {}
    for r in select(
        store,
        PREFIXES
        + """SELECT ?e ?l ?kind WHERE {
          { ?e rdfs:label ?l BIND("label" AS ?kind) } UNION
          { ?e skos:altLabel ?l BIND("alias" AS ?kind) } }""",
    ):
        if r["e"] not in wanted:
            continue
        names[r["e"]].add(r["l"])
    for r in select(
        store, PREFIXES + """SELECT ?e ?l WHERE { ?e rdfs:label ?l FILTER(lang(?l) = "en") }"""
    ):
        if r["e"] in wanted:
            labels.setdefault(r["e"], r["l"])
    return {e: sorted(ns) for e, ns in names.items()}, labels
