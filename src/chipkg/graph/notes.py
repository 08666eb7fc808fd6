"""What the citation styles and the clause scope add to a report graph, named: the report's
citation style, endnotes and their labels, printed sources, clauses (docs/decisions.md,
"Citation styles"; docs/provenance.md, "Clause scope"). IRI paths are made from content, like
every IRI of the graph (build.py mints them under id:)."""

from __future__ import annotations

import hashlib

from chipkg.graph.vocab import CKG
from chipkg.ingest.clauses import Clause
from chipkg.ingest.model import Footnote

STYLE_IRI = {
    "page-footnotes": CKG.PageFootnotes,
    "continuous-footnotes": CKG.ContinuousFootnotes,
    "endnotes": CKG.Endnotes,
}


def note_path(rid: str, f: Footnote) -> str:
    """A footnote: page and number as printed; an endnote: its reference list (the offset of the
    list's heading) and its number, since lists restart their numbering or share a page."""
    if f.kind == "endnote":
        return f"{rid}/references/{f.list_start}/note/{f.number}"
    return f"{rid}/page/{f.page}/footnote/{f.number}"


def printed_source_path(rid: str, f: Footnote) -> str | None:
    """The source an endnote without a URL names by its printed text (a book, a report title):
    its own IRI under the report, the same for the same text; None for any other note."""
    if f.kind != "endnote" or f.urls or not f.note:
        return None
    digest = hashlib.sha1(" ".join(f.note.split()).encode("utf-8")).hexdigest()[:12]
    return f"{rid}/source/{digest}"


def note_labels(f: Footnote) -> tuple[str, str]:
    """English and Chinese labels of a note."""
    if f.kind == "endnote":
        return f"page {f.page} endnote [{f.number}]", f"第{f.page}页尾注[{f.number}]"
    return f"page {f.page} footnote {f.number}", f"第{f.page}页脚注{f.number}"


def clause_path(rid: str, clause: Clause) -> str:
    return f"{rid}/clause/{clause.start}-{clause.end}"
