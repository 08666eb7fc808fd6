"""Verification: what the last ``chipkg verify`` run found in the archived text of each cited
source (its named graph ``id:graph/verification``, in ``graph/build/verification.trig``): counts
per verdict, claims whose every source is not found, sources that support none of the claims
citing them, and every verdict with its snippet beside the claim's sentence.

The audit reads the verification graph as RDF (it does not import the verification stage)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from chipkg.check.audit.model import Data, claim_row
from chipkg.errors import ChipkgError
from chipkg.graph.sparql import select

VERDICTS = ("supported", "partial", "not-found", "unavailable")
_VERDICT_OF = {
    "https://w3id.org/chipkg/ontology#Supported": "supported",
    "https://w3id.org/chipkg/ontology#PartiallySupported": "partial",
    "https://w3id.org/chipkg/ontology#NotFoundInSource": "not-found",
    "https://w3id.org/chipkg/ontology#SourceUnavailable": "unavailable",
}
NOT_CHECKED = {
    "checked": False,
    "note": "not verified: run 'chipkg sources fetch' (or import an archive), then 'chipkg verify'",
}
_QUERY = """PREFIX ckg: <https://w3id.org/chipkg/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT ?claim ?source ?verdict ?explanation ?missing ?exact ?prefix ?suffix ?start ?end ?record
WHERE { GRAPH <https://w3id.org/chipkg/id/graph/verification> {
  ?v a ckg:Verification ; ckg:verifiedClaim ?claim ; ckg:checkedSource ?source ;
     ckg:verdict ?verdict ; ckg:explanation ?explanation .
  OPTIONAL { SELECT ?v (GROUP_CONCAT(?m; separator=",") AS ?missing)
             WHERE { ?v ckg:missingPart ?m } GROUP BY ?v }
  OPTIONAL { ?v oa:hasTarget ?t . ?t ckg:warcRecordId ?record ;
             oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact ?exact ; oa:prefix ?prefix ;
                              oa:suffix ?suffix ] ,
                            [ a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end ] } } }"""
_RUN = """PREFIX ckg: <https://w3id.org/chipkg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?started ?ended ?tool WHERE { GRAPH <https://w3id.org/chipkg/id/graph/verification> {
  ?run a ckg:VerificationRun ; prov:startedAtTime ?started ; prov:endedAtTime ?ended ;
       ckg:toolVersion ?tool } }"""


def read(path: Path | None) -> ox.Store | None:
    """The verification graph from its file, or None when there is none."""
    if path is None or not path.exists():
        return None
    st = ox.Store()
    try:
        st.load(path=str(path), format=ox.RdfFormat.TRIG)
    except (SyntaxError, ValueError, OSError) as exc:
        raise ChipkgError(
            f"cannot read the verification graph: {exc}", path=path, hint="run 'chipkg verify'"
        ) from None
    return st


def measure(d: Data, claims: list[dict], st: ox.Store | None) -> dict[str, Any]:
    if st is None:
        return dict(NOT_CHECKED)
    runs = select(st, _RUN)
    checks: dict[str, list[dict]] = defaultdict(list)
    for r in select(st, _QUERY):
        if r["claim"] in d.claims:
            checks[r["claim"]].append(_check(r))
    for cs in checks.values():
        cs.sort(key=lambda c: c["source"])
    items = []
    for c in claims:
        if checks.get(c["id"]):
            items.append({**claim_row(d, c), "checks": checks[c["id"]]})
    counts = {v: sum(1 for i in items for c in i["checks"] if c["verdict"] == v) for v in VERDICTS}
    return {
        "checked": True,
        "run": runs[0] if runs else None,
        "verdicts": counts,
        "claims_every_source_not_found": [
            i for i in items if all(c["verdict"] == "not-found" for c in i["checks"])
        ],
        "sources_supporting_none": _sources_supporting_none(items),
        "items": items,
    }


def _check(r: dict) -> dict[str, Any]:
    check = {
        "source": r["source"],
        "verdict": _VERDICT_OF.get(r["verdict"], "unavailable"),
        "missing": sorted(r["missing"].split(",")) if r["missing"] else [],
        "explanation": r["explanation"],
        "snippet": None,
    }
    if r["exact"] is not None:
        check["snippet"] = {
            "exact": r["exact"],
            "prefix": r["prefix"],
            "suffix": r["suffix"],
            "start": int(r["start"]),
            "end": int(r["end"]),
            "record_id": r["record"],
        }
    return check


def _sources_supporting_none(items: list[dict]) -> list[dict[str, Any]]:
    """Sources that were read (not unavailable) and support none of the claims citing them."""
    by_source: dict[str, list[str]] = defaultdict(list)
    for i in items:
        for c in i["checks"]:
            by_source[c["source"]].append(c["verdict"])
    rows = []
    for url, verdicts in sorted(by_source.items()):
        if "supported" in verdicts or all(v == "unavailable" for v in verdicts):
            continue
        rows.append(
            {
                "url": url,
                "claims": len(verdicts),
                "verdicts": {v: verdicts.count(v) for v in VERDICTS if v in verdicts},
            }
        )
    return rows
