"""Incremental validation: a report graph validated before, with the same content, the same
reference entities, shapes, ontology and report text, is not validated again.

The key of a report is a SHA-256 over what its validation reads: its graph (sorted N-Triples;
blank nodes through rdflib's canonical labelling), its report text, the shapes files, the
ontology and the validator's version. ``chipkg build`` keeps the last report of each key in
``graph/build/validation/RID.json`` and writes them only together with the build (a refused build
writes nothing). A rebuild that changes one report validates that report's graph; one that
changes the reference entities, a shape or the ontology validates every report (they all read
them)."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from rdflib import BNode, Graph
from rdflib.plugins.serializers.nt import _nt_row

from chipkg import resources
from chipkg.check.validation.model import Result, ValidationReport, make_report
from chipkg.graph.store import atomic_write

VERSION = "chipkg-validation-2"  # bump when the validator's results change for the same input


@cache
def _fixed_inputs(shapes_dir: Path) -> str:
    h = hashlib.sha256(VERSION.encode())
    for f in sorted(shapes_dir.glob("*.ttl")) + [resources.ontology_dir() / "chipkg.ttl"]:
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def graph_digest(g: Graph) -> str:
    if any(isinstance(t, BNode) for triple in g for t in triple):
        from rdflib.compare import to_canonical_graph

        g = to_canonical_graph(g)
    rows = sorted(_nt_row(t) for t in g)
    return hashlib.sha256("".join(rows).encode("utf-8")).hexdigest()


class ResultCache:
    """The last validation report of each report id, by key, in ``folder``."""

    def __init__(self, folder: Path, shapes_dir: Path | None = None) -> None:
        self.folder = folder
        self.fixed = _fixed_inputs((shapes_dir or resources.shapes_dir()).resolve())
        self.pending: dict[str, tuple[str, ValidationReport]] = {}

    def key(self, g: Graph, text: str | None) -> str:
        h = hashlib.sha256(self.fixed.encode())
        h.update(graph_digest(g).encode())
        h.update(b"\0" + (text.encode("utf-8") if text is not None else b"\1no text"))
        return h.hexdigest()

    def get(self, rid: str, key: str) -> ValidationReport | None:
        path = self.folder / f"{rid}.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if data.get("key") != key:
            return None
        try:
            return make_report(Result(**r) for r in data["results"])
        except (KeyError, TypeError):
            return None

    def put(self, rid: str, key: str, report: ValidationReport) -> None:
        self.pending[rid] = (key, report)

    def save(self) -> None:
        """Write what was validated since the last save (each file atomically)."""
        from dataclasses import asdict

        if not self.pending:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        for rid, (key, report) in sorted(self.pending.items()):
            text = json.dumps(
                {"key": key, "results": [asdict(r) for r in report.results]},
                ensure_ascii=False,
                indent=1,
                sort_keys=True,
            )
            atomic_write(self.folder / f"{rid}.json", (text + "\n").encode("utf-8"))
        self.pending.clear()
