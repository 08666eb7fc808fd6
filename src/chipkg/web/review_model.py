"""What the review page shows of one report: its passages with their paragraphs, footnotes,
sources and verification verdicts, and the claims each passage states with the analysts' reviews
(docs/curation.md).

A report's state is computed by the pipeline the build runs (parse, citations, extraction with
the curated overlay), once, and kept until one of its inputs changes (the report, its sidecar,
the overlay, the workspace's tables, the verification graph): a passage is then a dictionary
lookup and a template.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from chipkg.errors import ChipkgError
from chipkg.extract.claims import PREDICATES, Claim
from chipkg.extract.curated import (
    CURATED_COLUMNS,
    CuratedRow,
    Curation,
    claim_ref,
    read_overlay,
)
from chipkg.extract.entities import Entity, Linker, load_entities
from chipkg.extract.pipeline import (
    ExtractedClaim,
    Extraction,
    RuleClaims,
    extract_rules,
    with_overlay,
)
from chipkg.graph.build import Iris, claim_iri
from chipkg.graph.vocab import CKG
from chipkg.ingest import citations, inputs, report
from chipkg.ingest.publishers import merged_publishers
from chipkg.resources import ontology_dir
from chipkg.verify.graph import VERDICT_IRI
from chipkg.workspace import Workspace

VERIFICATION_FILE = "verification.trig"
BASE_INPUTS = 4  # the report, its sidecar and the workspace's two tables
VERDICT_NAMES = {iri: name for name, iri in VERDICT_IRI.items()}


@cache
def relation_labels() -> dict[str, dict[str, str]]:
    """predicate -> {"en": label, "zh": label}, from the ontology."""
    g = Graph().parse(ontology_dir() / "chipkg.ttl", format="turtle")
    out: dict[str, dict[str, str]] = {}
    for p in PREDICATES:
        labels = {
            o.language: str(o)
            for o in g.objects(URIRef(CKG[p]), RDFS.label)
            if isinstance(o, Literal) and o.language
        }
        out[p] = {"en": labels.get("en", p), "zh": labels.get("zh", p)}
    return out


def fold(s: str) -> str:
    """A search key: NFKC, case-folded, without white space (英特尔 = 英特尔, INTEL = intel)."""
    return "".join(c for c in unicodedata.normalize("NFKC", s).casefold() if not c.isspace())


def entity_view(e: Entity | None, eid: str = "") -> dict:
    if e is None:
        return {"id": eid, "en": eid, "zh": "", "type": "", "provisional": False}
    return {
        "id": e.id,
        "en": e.label_en or e.label_zh,
        "zh": e.label_zh or e.label_en,
        "type": e.type,
        "provisional": bool(getattr(e, "provisional", False)),
    }


@dataclass(frozen=True)
class Base:
    """A report parsed, cited and through the rules: recomputed only when the report or the
    workspace's tables change, not when the overlay does."""

    parsed: report.ParsedReport
    cites: citations.Citations
    rules: RuleClaims
    signature: tuple


@dataclass
class ReportState:
    """One report through the pipeline, with the overlay applied, and what the page needs."""

    report_id: str
    path: Path
    base: Base
    extraction: Extraction
    entities: dict[str, Entity]
    verdicts: dict[str, list[dict]]
    signature: tuple
    by_passage: dict[int, list[dict]] = field(default_factory=dict)
    mentioned: set[str] | None = None  # every entity the report mentions (search ranks them first)

    @property
    def curation(self) -> Curation | None:
        return self.extraction.curation

    @property
    def parsed(self) -> report.ParsedReport:
        return self.base.parsed

    @property
    def cites(self) -> citations.Citations:
        return self.base.cites


def _signature(space: Workspace, path: Path, report_id: str) -> tuple:
    def stamp(p: Path) -> tuple[int, int]:
        try:
            s = p.stat()
        except FileNotFoundError:
            return (0, -1)
        return (s.st_mtime_ns, s.st_size)

    files = (  # the first BASE_INPUTS are the inputs of the rules' claims
        path,
        inputs.sidecar_path(path),
        space.entities_table,
        space.publishers_table,
        space.curated_file(report_id),
        space.build / VERIFICATION_FILE,
    )
    return tuple(stamp(f) for f in files)


def read_verdicts(path: Path) -> dict[str, list[dict]]:
    """claim IRI -> its verdicts (source, verdict, explanation, quoted snippet), from the
    verification graph when there is one (chipkg verify)."""
    if not path.exists():
        return {}
    st = ox.Store()
    try:
        st.load(path=str(path), format=ox.RdfFormat.TRIG)
    except (SyntaxError, ValueError, OSError) as exc:
        raise ChipkgError(f"verification graph unreadable: {exc}", path=path) from None
    q = """PREFIX ckg: <https://w3id.org/chipkg/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT ?claim ?source ?verdict ?explanation ?exact WHERE { GRAPH ?g {
  ?v a ckg:Verification ; ckg:verifiedClaim ?claim ; ckg:checkedSource ?source ;
     ckg:verdict ?verdict ; ckg:explanation ?explanation .
  OPTIONAL { ?v oa:hasTarget/oa:hasSelector ?s . ?s a oa:TextQuoteSelector ; oa:exact ?exact } } }
ORDER BY ?claim ?source"""
    out: dict[str, list[dict]] = {}
    for row in st.query(q):
        out.setdefault(row["claim"].value, []).append(
            {
                "source": row["source"].value,
                "verdict": VERDICT_NAMES.get(row["verdict"].value, row["verdict"].value),
                "explanation": row["explanation"].value,
                "exact": row["exact"].value if row["exact"] is not None else "",
            }
        )
    return out


def compute_base(space: Workspace, path: Path, report_id: str) -> Base:
    """Parse, cite and run the rules on one report, as the build does."""
    meta = inputs.read_meta(path)
    signature = _signature(space, path, report_id)[:BASE_INPUTS]
    try:
        parsed = report.parse_report(path, meta.report_id, meta.citation_style or None)
        cites = citations.resolve(parsed, merged_publishers(space.publishers_table))
    except ChipkgError as exc:
        exc.path = exc.path or str(path)
        raise
    rules = extract_rules(parsed, Linker(load_entities(project=space)))
    return Base(parsed, cites, rules, signature)


def compute(
    space: Workspace,
    path: Path,
    report_id: str,
    base: Base | None = None,
    extraction: Extraction | None = None,
) -> ReportState:
    """One report with its overlay applied (the base reused when its inputs are unchanged; the
    extraction given when the caller has just made it from the same overlay)."""
    signature = _signature(space, path, report_id)
    if base is None or base.signature != signature[:BASE_INPUTS]:
        base = compute_base(space, path, report_id)
    if extraction is None:
        extraction = with_overlay(base.parsed, base.rules, space.curated_file(report_id))
    entities = {**base.rules.world.linker.entities, **extraction.provisional}
    verdicts = read_verdicts(space.build / VERIFICATION_FILE)
    st = ReportState(report_id, path, base, extraction, entities, verdicts, signature)
    st.by_passage = claim_views(st)
    return st


# -- claims ---------------------------------------------------------------------------------


def _money(m) -> dict | None:
    if m is None:
        return None
    conv = m.conversion
    return {
        "value": str(m.value),
        "currency": m.currency,
        "qualifier": m.qualifier,
        "conversion": f"{conv.value} {conv.currency}" if conv is not None else "",
    }


def _claim_view(st: ReportState, ec: ExtractedClaim, state: str, row: CuratedRow | None) -> dict:
    c: Claim = ec.claim
    p = st.parsed.passages[c.passage]
    local = c.local_span()
    analyst = ec.made_by.startswith("analyst")
    iri = str(claim_iri(Iris(st.report_id), p, c, analyst))
    words = p.text[local[0] : local[1]] if local else ""
    if analyst and row is not None:
        words = row["quote"]
    return {
        "ref": claim_ref(c),
        "iri": iri,
        "subject": entity_view(st.entities.get(c.subject), c.subject),
        "predicate": c.predicate,
        "object": entity_view(st.entities.get(c.object), c.object) if c.object else None,
        "value": "" if c.value is None else str(c.value),
        "money": _money(c.money),
        "date": c.date.value if c.date else "",
        "target_year": "" if c.target_year is None else str(c.target_year),
        "state": state,
        "by": row.analyst if row is not None else "",
        "time": row["time"] if row is not None else "",
        "line": row.line if row is not None else None,
        "rule": "" if analyst else c.rule,
        "words": words,
        "verdicts": st.verdicts.get(iri, []),
    }


def claim_views(st: ReportState) -> dict[int, list[dict]]:
    """passage -> its claims as the page shows them: extracted ones (pending, accepted, rejected,
    corrected) and the analysts' own (added, corrections)."""
    cur = st.curation
    rows = {r.line: r for r in cur.rows} if cur else {}
    reviews = {}
    for rv in cur.accepted if cur else ():
        reviews[(rv.claim.passage, claim_ref(rv.claim))] = ("accepted", rv.row)
    out: dict[int, list[dict]] = {}
    for ec in st.extraction.claims:
        c = ec.claim
        row = rows.get(ec.curated_line) if ec.curated_line else None
        if ec.made_by.startswith("analyst"):
            state = "correction" if ec.supersedes is not None else "added"
            if ec.superseded:
                state = "replaced"
        elif ec.superseded:
            state = "corrected"
        else:
            state, row = reviews.get((c.passage, claim_ref(c)), ("pending", None))
        out.setdefault(c.passage, []).append(_claim_view(st, ec, state, row))
    for rv in cur.rejected if cur else ():
        view = _claim_view(st, ExtractedClaim(rv.claim, "chipkg-rules"), "rejected", rv.row)
        out.setdefault(rv.claim.passage, []).append(view)
    for views in out.values():
        order = {"correction": 1, "added": 2}
        views.sort(key=lambda v: order.get(v["state"], 0))
    return out


# -- the workspace's reports, cached ----------------------------------------------------------


class Reviews:
    """The reports of a workspace as the page shows them, each computed once per change of its
    inputs (thread-safe: the server answers requests from a thread pool)."""

    def __init__(self, space: Workspace) -> None:
        self.space = space
        self._states: dict[str, ReportState] = {}
        self._lock = threading.Lock()

    def reports(self) -> dict[str, Path]:
        found = inputs.discover(self.space.sources)
        return {inputs.read_meta(p).report_id: p for p in found}

    def state(self, report_id: str) -> ReportState:
        paths = self.reports()
        if report_id not in paths:
            raise ChipkgError(f"no report '{report_id}' in {self.space.sources}")
        path = paths[report_id]
        with self._lock:
            st = self._states.get(report_id)
            if st is None or st.signature != _signature(self.space, path, report_id):
                base = st.base if st is not None else None
                st = self._states[report_id] = compute(self.space, path, report_id, base)
            return st

    def install(self, st: ReportState, extraction: Extraction, rows: list[dict]) -> None:
        """The report's state after a write of ``rows`` whose result ``extraction`` the writer
        has made; if another write came in between, the state is left to be recomputed."""
        with self._lock:
            signature = _signature(self.space, st.path, st.report_id)
            now = [
                dict.fromkeys(CURATED_COLUMNS, "") | r.cells
                for r in read_overlay(self.space.curated_file(st.report_id))
            ]
            if now != [dict.fromkeys(CURATED_COLUMNS, "") | r for r in rows]:
                self._states.pop(st.report_id, None)
                return
            new = compute(self.space, st.path, st.report_id, st.base, extraction)
            new.signature = signature
            self._states[st.report_id] = new

    def forget(self, report_id: str) -> None:
        with self._lock:
            self._states.pop(report_id, None)
