"""The verdicts as RDF: one Web Annotation per (claim, source) in the named graph
``id:graph/verification``, with a ``prov:Activity`` for the run.

Each annotation (``ckg:Verification``, an ``oa:Annotation`` motivated by ``oa:assessing``) has
the claim as its body and, when there is evidence, a target that is the snippet in the archived
source: an ``oa:SpecificResource`` whose source is the cited URL, with a TextQuoteSelector and a
TextPositionSelector into the archived text, and an ``oa:TimeState`` naming the WARC record
(``oa:cachedSource``) and its capture time. Everything is deterministic except the run's start
and end times (``prov:startedAtTime``/``prov:endedAtTime``), which is why the graph is written
to its own file, ``graph/build/verification.trig``, and not into ``chipkg.trig``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph as ox

from chipkg import __version__
from chipkg.graph.store import PREFIXES, atomic_write
from chipkg.verify.verdict import Source, Verdict

CKG = "https://w3id.org/chipkg/ontology#"
OA = "http://www.w3.org/ns/oa#"
PROV = "http://www.w3.org/ns/prov#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
ID = "https://w3id.org/chipkg/id/"
VERIFICATION_GRAPH = ID + "graph/verification"
VERIFICATION_FILE = "verification.trig"
VERDICT_IRI = {
    "supported": CKG + "Supported",
    "partial": CKG + "PartiallySupported",
    "not-found": CKG + "NotFoundInSource",
    "unavailable": CKG + "SourceUnavailable",
}


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _lit(value: object, datatype: str | None = None, lang: str | None = None) -> ox.Literal:
    if lang:
        return ox.Literal(str(value), language=lang)
    if datatype:
        return ox.Literal(str(value), datatype=_n(XSD + datatype))
    return ox.Literal(str(value))


def annotation_iri(claim: str, source: str) -> str:
    digest = hashlib.sha256(f"{claim}\n{source}".encode()).hexdigest()[:20]
    return f"{ID}verification/{digest}"


def verification_quads(
    verdicts: list[Verdict], sources: dict[str, Source], started: str, ended: str
) -> list[ox.Quad]:
    g = _n(VERIFICATION_GRAPH)
    run = _n(ID + "verification/run")
    quads: list[ox.Quad] = []

    def add(s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal) -> None:
        quads.append(ox.Quad(s, _n(p), o, g))

    add(run, RDF_TYPE, _n(CKG + "VerificationRun"))
    add(run, RDF_TYPE, _n(PROV + "Activity"))
    add(run, RDFS + "label", _lit("verification of claims against their sources", lang="en"))
    add(run, RDFS + "label", _lit("断言与来源核查", lang="zh"))
    add(run, PROV + "startedAtTime", _lit(started, "dateTime"))
    add(run, PROV + "endedAtTime", _lit(ended, "dateTime"))
    add(run, CKG + "toolVersion", _lit(f"chipkg {__version__}"))
    for v in verdicts:
        a = _n(annotation_iri(v.claim, v.source))
        add(a, RDF_TYPE, _n(CKG + "Verification"))
        add(a, RDF_TYPE, _n(OA + "Annotation"))
        add(a, OA + "motivatedBy", _n(OA + "assessing"))
        add(a, OA + "hasBody", _n(v.claim))
        add(a, CKG + "verifiedClaim", _n(v.claim))
        add(a, CKG + "checkedSource", _n(v.source))
        add(a, CKG + "verdict", _n(VERDICT_IRI[v.verdict]))
        add(a, CKG + "explanation", _lit(v.explanation, lang="en"))
        add(a, PROV + "wasGeneratedBy", run)
        for part in v.found:
            add(a, CKG + "foundPart", _lit(part))
        for part in v.missing:
            add(a, CKG + "missingPart", _lit(part))
        if v.snippet is not None:
            quads += _target(a, v, sources[v.source], g)
    return quads


def _target(a: ox.NamedNode, v: Verdict, src: Source, g: ox.NamedNode) -> list[ox.Quad]:
    base = a.value
    t, q, p, st = (_n(f"{base}/{x}") for x in ("target", "quote", "position", "state"))
    s = v.snippet
    assert s is not None and src.text is not None
    triples = [
        (a, OA + "hasTarget", t),
        (t, RDF_TYPE, _n(OA + "SpecificResource")),
        (t, OA + "hasSource", _n(src.final_url or v.source)),
        (t, OA + "hasSelector", q),
        (q, RDF_TYPE, _n(OA + "TextQuoteSelector")),
        (q, OA + "exact", _lit(s.exact)),
        (q, OA + "prefix", _lit(s.prefix)),
        (q, OA + "suffix", _lit(s.suffix)),
        (t, OA + "hasSelector", p),
        (p, RDF_TYPE, _n(OA + "TextPositionSelector")),
        (p, OA + "start", _lit(s.start, "nonNegativeInteger")),
        (p, OA + "end", _lit(s.end, "nonNegativeInteger")),
        (t, OA + "hasState", st),
        (st, RDF_TYPE, _n(OA + "TimeState")),
        (st, OA + "cachedSource", _n((src.record_id or "").strip("<>"))),
        (st, OA + "sourceDate", _lit(src.captured, "dateTime")),
        (t, CKG + "warcRecordId", _lit(src.record_id)),
        (t, CKG + "archivedTextDigest", _lit(src.text.sha256)),
    ]
    return [ox.Quad(x, _n(pred) if isinstance(pred, str) else pred, o, g) for x, pred, o in triples]


def write_verification(build_dir: Path, quads: list[ox.Quad]) -> Path:
    path = build_dir / VERIFICATION_FILE
    ordered = sorted(quads, key=lambda q: (str(q.subject), str(q.predicate), str(q.object)))
    data = ox.serialize(ordered, format=ox.RdfFormat.TRIG, prefixes=PREFIXES)
    atomic_write(path, data)
    return path
