"""An in-memory rdflib store for graphs that are built once and then read (a report graph)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from rdflib.store import Store
from rdflib.term import Node, URIRef

Triple = tuple[Node, Node, Node]


class TripleSetStore(Store):
    """An in-memory rdflib store for a graph that is built once and then read: a report graph.

    The triples are a plain set, so adding one is a set insertion and the size and a full scan
    need no index. The subject/predicate/object indexes that pattern lookups use are built on the
    first such lookup and kept up to date from then on. (rdflib's Memory store updates three
    indexes, and in a Dataset the per-graph bookkeeping, on every add: that was most of the time
    of a build.) Not context-aware, like rdflib's SimpleMemory."""

    def __init__(self, triples: Iterable[Triple] = ()) -> None:
        super().__init__()
        self._triples: set[Triple] = set(triples)
        # s -> p -> {o}, p -> o -> {s}, o -> s -> {p}; None until the first pattern lookup
        self._spo: dict[Node, dict[Node, set[Node]]] | None = None
        self._pos: dict[Node, dict[Node, set[Node]]] | None = None
        self._osp: dict[Node, dict[Node, set[Node]]] | None = None
        self._namespace: dict[str, URIRef] = {}
        self._prefix: dict[URIRef, str] = {}

    # ---- triples

    def add(self, triple: Triple, context: Any = None, quoted: bool = False) -> None:
        self._triples.add(triple)
        if self._spo is not None:
            self._index(triple)

    def remove(self, triple_pattern: Any, context: Any = None) -> None:
        for triple, _contexts in list(self.triples(triple_pattern)):
            self._triples.discard(triple)
            if self._spo is not None:
                self._unindex(triple)

    def triples(self, triple_pattern: Any, context: Any = None) -> Iterator[tuple[Triple, Any]]:
        """The triples matching ``triple_pattern`` (None matches anything), each with an empty
        tuple of contexts. Answers are collected before they are yielded, so the caller may
        change the graph while it iterates."""
        s, p, o = triple_pattern
        if s is None and p is None and o is None:
            found: Iterable[Triple] = list(self._triples)
        elif s is not None and p is not None and o is not None:
            found = [(s, p, o)] if (s, p, o) in self._triples else []
        else:
            found = self._lookup(s, p, o)
        for triple in found:
            yield triple, ()

    def __len__(self, context: Any = None) -> int:
        return len(self._triples)

    def _lookup(self, s: Any, p: Any, o: Any) -> list[Triple]:
        if self._spo is None:
            self._spo, self._pos, self._osp = {}, {}, {}
            for triple in self._triples:
                self._index(triple)
        assert self._pos is not None and self._osp is not None
        if s is not None:
            by_p = self._spo.get(s, {})
            if p is not None:
                return [(s, p, o_) for o_ in by_p.get(p, ())]
            if o is not None:
                return [(s, p_, o) for p_ in self._osp.get(o, {}).get(s, ())]
            return [(s, p_, o_) for p_, os in by_p.items() for o_ in os]
        if p is not None:
            by_o = self._pos.get(p, {})
            if o is not None:
                return [(s_, p, o) for s_ in by_o.get(o, ())]
            return [(s_, p, o_) for o_, ss in by_o.items() for s_ in ss]
        return [(s_, p_, o) for s_, ps in self._osp.get(o, {}).items() for p_ in ps]

    def _index(self, triple: Triple) -> None:
        assert self._spo is not None and self._pos is not None and self._osp is not None
        s, p, o = triple
        self._spo.setdefault(s, {}).setdefault(p, set()).add(o)
        self._pos.setdefault(p, {}).setdefault(o, set()).add(s)
        self._osp.setdefault(o, {}).setdefault(s, set()).add(p)

    def _unindex(self, triple: Triple) -> None:
        s, p, o = triple
        for index, a, b, c in ((self._spo, s, p, o), (self._pos, p, o, s), (self._osp, o, s, p)):
            assert index is not None
            inner = index[a]
            inner[b].discard(c)
            if not inner[b]:
                del inner[b]
                if not inner:
                    del index[a]

    # ---- namespace bindings (as rdflib's SimpleMemory keeps them)

    def bind(self, prefix: str, namespace: URIRef, override: bool = True) -> None:
        bound_namespace = self._namespace.get(prefix)
        bound_prefix = self._prefix.get(namespace)
        if bound_prefix is None and bound_namespace is not None:
            bound_prefix = self._prefix.get(bound_namespace)
        if override:
            if bound_prefix is not None:
                del self._namespace[bound_prefix]
            if bound_namespace is not None:
                del self._prefix[bound_namespace]
            self._prefix[namespace] = prefix
            self._namespace[prefix] = namespace
        else:
            namespace = bound_namespace if bound_namespace is not None else namespace
            prefix = bound_prefix if bound_prefix is not None else prefix
            self._prefix[namespace] = prefix
            self._namespace[prefix] = namespace

    def namespace(self, prefix: str) -> URIRef | None:
        return self._namespace.get(prefix)

    def prefix(self, namespace: URIRef) -> str | None:
        return self._prefix.get(namespace)

    def namespaces(self) -> Iterator[tuple[str, URIRef]]:
        yield from list(self._namespace.items())
