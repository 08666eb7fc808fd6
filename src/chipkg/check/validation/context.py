"""What an analyst needs next to a finding: the focus node's label, the passage and page it comes
from, the result path as a SPARQL property path, and the shape's message.

The lookups run on a *view* of the validated data: an rdflib graph (one report, the fixtures) or
``OxView``, one named graph of an Oxigraph store (a corpus), which answers the same few calls
(``value``, ``objects``, ``subjects``, ``in``) with index lookups."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from chipkg.check.validation.model import PREFIXES, Result
from chipkg.graph.vocab import CKG, DCTERMS, OA, PROV, RDF, RDFS, SDO

_TEXT_PREVIEW = 80


@dataclass(frozen=True)
class Finding:
    """A result as an engine found it, before its context is looked up."""

    focus: Node
    shape: Node
    component: URIRef
    path: str | None  # rendered (render_path)
    value: Node | None
    severity: str  # "Violation" | "Warning" | "Info"
    message: str


def compact(node: Node) -> str:
    """An IRI as prefix:local when a known prefix covers it, else the IRI itself."""
    s = str(node)
    for prefix, ns in PREFIXES.items():
        if s.startswith(ns) and s[len(ns) :].replace("-", "_").replace(".", "_").isidentifier():
            return f"{prefix}:{s[len(ns) :]}"
    return s if isinstance(node, BNode) else f"<{s}>"


def render_path(g: Graph, path: Node) -> str:
    """A SHACL path as a SPARQL 1.1 property path (prefixed names, see PREFIXES)."""
    if isinstance(path, URIRef):
        return compact(path)
    if (path, RDF.first, None) in g:
        return "/".join(_path_part(g, p) for p in Collection(g, path))
    inverse = g.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _path_part(g, inverse)
    alternatives = g.value(path, SH.alternativePath)
    if alternatives is not None:
        return "|".join(_path_part(g, p) for p in Collection(g, alternatives))
    for prop, op in (
        (SH.zeroOrMorePath, "*"),
        (SH.oneOrMorePath, "+"),
        (SH.zeroOrOnePath, "?"),
    ):
        inner = g.value(path, prop)
        if inner is not None:
            return _path_part(g, inner) + op
    return str(path)


def _path_part(g: Graph, p: Node) -> str:
    text = render_path(g, p)
    return text if isinstance(p, URIRef) or text.startswith("^") else f"({text})"


def lang_pick(values: Iterable[Node]) -> str | None:
    """English first, then Chinese, then untagged, then any: the text to show."""
    lits = [v for v in values if isinstance(v, Literal)]
    for lang in ("en", "zh", None):
        for v in sorted(lits, key=str):
            if v.language == lang:
                return str(v)
    return str(sorted(lits, key=str)[0]) if lits else None


def _preview(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _TEXT_PREVIEW else text[: _TEXT_PREVIEW - 1] + "…"


def node_id(node: Node) -> str:
    return f"_:{node}" if isinstance(node, BNode) else str(node)


def _int(node: Node | None) -> int | None:
    try:
        return int(node) if node is not None else None
    except (TypeError, ValueError):
        return None


class OxView:
    """One named graph of a pyoxigraph Store, read like an rdflib graph (the calls Context
    makes), with terms converted to rdflib's."""

    def __init__(self, store, graph) -> None:
        self.store = store
        self.graph = graph
        self._seen: dict = {}  # (s, p, o) pattern -> terms: findings ask about the same nodes

    def _quads(self, s, p, o) -> Iterator:
        from chipkg.check.validation.terms import to_ox

        return self.store.quads_for_pattern(
            None if s is None else to_ox(s),
            None if p is None else to_ox(p),
            None if o is None else to_ox(o),
            self.graph,
        )

    def objects(self, subject: Node, predicate: Node) -> Iterator[Node]:
        key = (subject, predicate, None)
        if key not in self._seen:
            from chipkg.check.validation.terms import to_rdflib

            self._seen[key] = [to_rdflib(q.object) for q in self._quads(*key)]
        return iter(self._seen[key])

    def subjects(self, predicate: Node, object: Node) -> Iterator[Node]:  # noqa: A002
        key = (None, predicate, object)
        if key not in self._seen:
            from chipkg.check.validation.terms import to_rdflib

            self._seen[key] = [to_rdflib(q.subject) for q in self._quads(*key)]
        return iter(self._seen[key])

    def value(self, subject=None, predicate=None, object=None):  # noqa: A002
        found = (
            self.objects(subject, predicate)
            if subject is not None
            else self.subjects(predicate, object)
        )
        return next(iter(found), None)

    def __contains__(self, triple) -> bool:
        return next(iter(self._quads(*triple)), None) is not None


class Context:
    """Looks up, for a finding, its focus label, passage and page in the validated data."""

    def __init__(self, data, shapes: Graph) -> None:
        self.g = data
        self.shapes = shapes
        self._labels: dict = {}  # the same entities and passages recur across findings
        self._types: dict = {}

    def ranked(self, f: Finding) -> tuple[Result, tuple]:
        """The result and a rank of the passage chosen for it: when the same result comes from
        several report graphs, the merge keeps the one whose passage validating them all at once
        would have chosen (see _first_passage)."""
        passage = self.passage_of(f.focus, f.shape, f.path, f.value)
        rank = (
            (0, _int(self.g.value(passage, CKG.sequence)) or 0, str(passage))
            if passage is not None
            else (1, 0, "")
        )
        return Result(
            severity=f.severity,
            shape=str(f.shape),
            component=compact(f.component),
            focus=node_id(f.focus),
            focus_label=self.label(f.focus),
            path=f.path,
            value=node_id(f.value) if f.value is not None else None,
            message=f.message,
            passage_text=self.text_of(passage),
            page=self.page_of(f.focus, passage),
        ), rank

    def text_of(self, passage: Node | None) -> str | None:
        text = self.g.value(passage, CKG.text) if passage is not None else None
        return str(text) if text is not None else None

    def types(self, node: Node) -> set[Node]:
        found = self._types.get(node)
        if found is None:
            found = self._types[node] = set(self.g.objects(node, RDF.type))
        return found

    def label(self, node: Node, depth: int = 0) -> str:
        key = (node, depth)
        found = self._labels.get(key)
        if found is None:
            found = self._labels[key] = self._label(node, depth)
        return found

    def _label(self, node: Node, depth: int) -> str:
        g = self.g
        if isinstance(node, Literal):
            return str(node)
        picked = lang_pick(g.objects(node, RDFS.label)) or lang_pick(g.objects(node, DCTERMS.title))
        if picked:
            return picked
        if depth < 2:
            found = self._described(node, depth)
            if found is not None:
                return found
        return node_id(node)

    def _described(self, node: Node, depth: int) -> str | None:
        g = self.g
        types = self.types(node)
        if CKG.Claim in types:
            s = g.value(node, CKG.claimSubject)
            p = g.value(node, CKG.claimPredicate)
            o = g.value(node, CKG.claimObject) or g.value(node, CKG.claimValue)
            parts = [
                self.label(s, depth + 1) if s is not None else "?",
                compact(p) if p is not None else "?",
                self.label(o, depth + 1) if o is not None else "?",
            ]
            return "claim: " + " ".join(parts)
        if CKG.Passage in types and g.value(node, CKG.text) is not None:
            return _preview(str(g.value(node, CKG.text)))
        owner = g.value(predicate=OA.hasSelector, object=node) or g.value(
            predicate=PROV.qualifiedDerivation, object=node
        )
        if owner is not None:
            kind = "citation" if CKG.Citation in types else "selector"
            return f"{kind} of {self.label(owner, depth + 1)}"
        if CKG.MonetaryAmount in types:
            value, currency = g.value(node, SDO.value), g.value(node, SDO.currency)
            return f"amount {value if value is not None else '?'} {currency or '?'}"
        return None

    def passage_of(self, focus: Node, shape: Node, path: str | None, value: Node | None):
        g = self.g
        types = self.types(focus)
        if CKG.Passage in types:
            return focus
        if CKG.Claim in types:
            return g.value(focus, CKG.statedIn)
        if CKG.Marker in types:
            return g.value(focus, CKG.inPassage)
        for prop in (OA.hasSelector, PROV.qualifiedDerivation):
            owner = g.value(predicate=prop, object=focus)
            if owner is not None:
                return owner if CKG.Passage in self.types(owner) else g.value(owner, CKG.inPassage)
        if CKG.MonetaryAmount in types:
            return self._amount_passage(focus)
        if CKG.Source in types:
            return self._first_passage(
                p
                for c in g.subjects(PROV.entity, focus)
                for p in g.subjects(PROV.qualifiedDerivation, c)
            )
        return self._entity_passage(focus, shape, path, value)

    def _amount_passage(self, focus: Node):
        g = self.g
        amount, seen = focus, set()
        while amount not in seen:  # up the chain of stated conversions to the claim
            seen.add(amount)
            claim = g.value(predicate=CKG.amount, object=amount)
            if claim is not None:
                return g.value(claim, CKG.statedIn)
            amount = g.value(predicate=CKG.statedConversion, object=amount) or amount
        return None

    def _entity_passage(self, focus: Node, shape: Node, path: str | None, value: Node | None):
        """An entity: the passage of a claim that states the relation the result is about,
        otherwise the first passage that mentions it, so that an analyst can recognise it."""
        g = self.g
        predicate = _path_predicate(path) or self.shapes.value(shape, SH.targetSubjectsOf)
        claims = [
            c
            for c in g.subjects(CKG.claimSubject, focus)
            if predicate is None or (c, CKG.claimPredicate, predicate) in g
        ]
        if value is not None and claims:
            matching = [
                c
                for c in claims
                if (c, CKG.claimObject, value) in g or (c, CKG.claimValue, value) in g
            ]
            claims = matching or claims
        if claims:
            return self._first_passage(g.value(c, CKG.statedIn) for c in claims)
        return self._first_passage(g.subjects(CKG.mentions, focus))

    def _first_passage(self, passages: Iterable[Node | None]):
        found = [p for p in passages if p is not None]
        if not found:
            return None
        return min(found, key=lambda p: (_int(self.g.value(p, CKG.sequence)) or 0, str(p)))

    def page_of(self, focus: Node, passage: Node | None) -> int | None:
        g = self.g
        for node in (passage, focus):
            if node is None:
                continue
            page = g.value(node, CKG.onPage)
            for number in (
                g.value(node, CKG.pageNumber),
                g.value(page, CKG.pageNumber) if page is not None else None,
            ):
                if number is not None and _int(number) is not None:
                    return _int(number)
        return None


def _path_predicate(path: str | None) -> URIRef | None:
    """The predicate of a rendered one-step path (``ckg:funds`` or ``<iri>``), else None."""
    if not path:
        return None
    if path.startswith("<") and path.endswith(">") and ">" not in path[1:-1]:
        return URIRef(path[1:-1])
    prefix, sep, local = path.partition(":")
    if sep and prefix in PREFIXES and local.replace("-", "_").replace(".", "_").isidentifier():
        return URIRef(PREFIXES[prefix] + local)
    return None
