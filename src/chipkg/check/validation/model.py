"""What validation returns: one Result per finding, a ValidationReport per validated graph, and
the JSON form of a report (docs/validation.md). No RDF work happens here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from rdflib.namespace import SH

from chipkg.graph.vocab import CKG, DCTERMS, OA, PROV, RDF, RDFS, SDO, SKOS, XSD

CKGSH = "https://w3id.org/chipkg/shapes#"
SEVERITIES = ("Violation", "Warning", "Info")
PREFIXES = {
    "ckg": str(CKG._NS),
    "ckgsh": CKGSH,
    "sh": str(SH),
    "prov": str(PROV),
    "oa": str(OA),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "schema": str(SDO),
}


@dataclass(frozen=True)
class Result:
    """One validation result, with the context an analyst needs to act on it."""

    severity: str  # "Violation" | "Warning" | "Info"
    shape: str  # IRI of the shape that produced it (a named node or property shape)
    component: str  # e.g. "sh:MinCountConstraintComponent"
    focus: str  # IRI (or _:id) of the focus node
    focus_label: str
    path: str | None  # SPARQL property path, prefixed (see PREFIXES), or None
    value: str | None  # offending value: IRI or lexical form
    message: str  # what is wrong — what to do
    passage_text: str | None
    page: int | None

    def key(self) -> tuple[str, str, str | None, str, str | None]:
        """Stable identity: (focus, shape, path, component, value) — never the message."""
        return (self.focus, self.shape, self.path, self.component, self.value)


@dataclass(frozen=True)
class ValidationReport:
    conforms: bool  # no result of severity Violation
    results: tuple[Result, ...]

    def count(self, severity: str) -> int:
        return sum(1 for r in self.results if r.severity == severity)


def _sort_key(r: Result) -> tuple:
    return (
        SEVERITIES.index(r.severity),
        r.shape,
        r.focus,
        r.path or "",
        r.value or "",
        r.component,
        r.message,
        r.passage_text or "",
    )


def make_report(results: Iterable[Result]) -> ValidationReport:
    """Results sorted (severity, shape, focus, path, value): deterministic output."""
    ordered = sorted(results, key=_sort_key)
    return ValidationReport(
        conforms=not any(r.severity == "Violation" for r in ordered), results=tuple(ordered)
    )


def merge_results(parts: Iterable[list[tuple[Result, tuple]]]) -> ValidationReport:
    """One report from the results of several runs: each result once (by severity and stable
    key), with the passage of the lowest rank."""
    best: dict[tuple, tuple[Result, tuple]] = {}
    for part in parts:
        for result, rank in part:
            key = (result.severity, *result.key())
            if key not in best or rank < best[key][1]:
                best[key] = (result, rank)
    return make_report(r for r, _ in best.values())


def group_results(report: ValidationReport) -> dict[tuple[str, str], list[Result]]:
    """Results grouped by (severity, shape), Violations first, then by shape IRI."""
    groups: dict[tuple[str, str], list[Result]] = {}
    for r in report.results:  # already sorted by severity, shape
        groups.setdefault((r.severity, r.shape), []).append(r)
    return groups


def to_json(report: ValidationReport) -> dict:
    """The report as JSON-ready data (schema in docs/validation.md)."""
    return {
        "conforms": report.conforms,
        "counts": {s: report.count(s) for s in SEVERITIES},
        "prefixes": dict(PREFIXES),
        "results": [asdict(r) for r in report.results],
    }
