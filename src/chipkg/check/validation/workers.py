"""One batch of data graphs validated in one process: the report graphs (N-Quads lines), each
completed with the reference entities it needs, the ontology and the shapes' subclass triples,
loaded into one in-memory Oxigraph store (one named graph each), checked by the compiled plan,
and turned into results with their context. corpus.py feeds batches to a pool of these."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal

from chipkg.check.validation import nquads, terms
from chipkg.check.validation.context import Context, OxView
from chipkg.check.validation.engine import deactivated_copy, evaluate, store_graph
from chipkg.check.validation.loading import ontology, shape_subclasses
from chipkg.check.validation.model import Result
from chipkg.check.validation.oracle import run_pyshacl, working_graph
from chipkg.check.validation.single import plan_for
from chipkg.graph.vocab import ID, RDF, RDFS, SKOS

ENTITY_PREFIX = str(ID["entity/"])
REPORT_PREFIX = str(ID["report/"])
_ENTITY_IRI = re.compile(rb"<" + re.escape(ENTITY_PREFIX.encode()) + rb"[^>]*>")


@dataclass(frozen=True)
class Item:
    """One data graph to validate."""

    rid: str
    graph: bytes  # its name, an N-Quads term (b"<iri>")
    lines: bytes  # its quads
    params: tuple[Literal, Literal] | None = None  # (sha256, length) of its report text
    keep_focus: frozenset[str] | None = None  # only results about these nodes (joint runs)
    closure: bool = True  # add the reference entities it names (False: the graph has them)
    digests: bool = False  # return the digests of the shared subjects it describes


@dataclass
class EntityIndex:
    """The reference-entities graph, cut per entity: its lines and the entities it links to."""

    lines: dict[bytes, bytes]
    links: dict[bytes, tuple[bytes, ...]]

    @classmethod
    def of(cls, lines: bytes, graph: bytes) -> EntityIndex:
        """From the N-Quads lines of the entities graph (named ``graph``), without a parser:
        subject, predicate and object are cut at the first two spaces and before the graph."""
        from chipkg.graph.vocab import CKG

        link_free = {
            f"<{p}>".encode() for p in (RDFS.label, SKOS.altLabel, CKG.wikidata, RDF.type)
        } | {f"<{SKOS.inScheme}>".encode()}
        entity = b"<" + ENTITY_PREFIX.encode()
        suffix = b" " + graph + b" ."
        by_subject: dict[bytes, list[bytes]] = {}
        links: dict[bytes, set[bytes]] = {}
        for line in lines.splitlines():
            line = line.rstrip()
            if not line.startswith(b"<") or not line.endswith(suffix):
                continue
            s_end = line.index(b" ")
            p_end = line.index(b" ", s_end + 1)
            subject, predicate = line[:s_end], line[s_end + 1 : p_end]
            obj = line[p_end + 1 : -len(suffix)]
            by_subject.setdefault(subject, []).append(
                line[: -len(suffix)] + b" " + nquads.PLACEHOLDER + b" .\n"
            )
            if predicate not in link_free and obj.startswith(entity) and obj.endswith(b">"):
                links.setdefault(subject, set()).add(obj)
        return cls(
            {k: b"".join(sorted(v)) for k, v in by_subject.items()},
            {k: tuple(sorted(v)) for k, v in links.items()},
        )

    def closure(self, seeds) -> list[bytes]:
        """The entities named in ``seeds`` and every entity they reach (sorted)."""
        todo = [s for s in set(seeds) if s in self.lines or s in self.links]
        seen = set(todo)
        while todo:
            for o in self.links.get(todo.pop(), ()):
                if o not in seen:
                    seen.add(o)
                    todo.append(o)
        return sorted(seen)


_STATE: dict = {}


def _exit_with_parent() -> None:
    """A worker whose parent is gone (a build killed with kill -9: no shutdown reaches the pool)
    exits within a second instead of running on, orphaned, with its memory."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="chipkg-parent-watch", daemon=True).start()


def init(shapes_dir: Path | None, index: EntityIndex | None) -> None:
    """Worker start: the shapes and their plan, the entity index, the ontology lines."""
    if multiprocessing.parent_process() is not None:  # a pool worker, not the calling process
        _exit_with_parent()
    shapes, plan = plan_for(shapes_dir)
    extra = Graph()
    extra += ontology()
    for t in shape_subclasses(shapes):
        extra.add(t)
    template = nquads.graph_lines(extra, nquads.PLACEHOLDER)
    _STATE.update(
        shapes=shapes,
        plan=plan,
        index=index,
        template=template + terms.shadow_nquads(template),
    )


def run_batch(items: list[Item]) -> list[tuple[str, list[tuple[Result, tuple]], dict]]:
    """Validate a batch: per item, (rid, ranked results, digests of shared subjects)."""
    store = ox.Store()
    parts = []
    for item in items:
        data = item.lines
        if item.closure and _STATE["index"] is not None:
            ents = _STATE["index"].closure(_ENTITY_IRI.findall(data))
            data += b"".join(_STATE["index"].lines.get(e, b"") for e in ents).replace(
                nquads.PLACEHOLDER, item.graph
            )
        template = _STATE["template"].replace(nquads.PLACEHOLDER, item.graph)
        parts += [data, terms.shadow_nquads(data), template]
    store.load(b"".join(parts), format=ox.RdfFormat.N_QUADS)
    del parts
    params = {i.graph.decode()[1:-1]: i.params for i in items if i.params is not None}
    found = evaluate(_STATE["plan"], store, params)
    out = []
    for item in items:
        name = item.graph.decode()[1:-1]
        findings = found.get(name, []) + _fallback(store, name, item)
        ctx = Context(OxView(store, ox.NamedNode(name)), _STATE["shapes"])
        ranked = [ctx.ranked(f) for f in findings]
        if item.keep_focus is not None:
            ranked = [(r, k) for r, k in ranked if r.focus in item.keep_focus]
        out.append((item.rid, ranked, shared_digests(item) if item.digests else {}))
    return out


def _fallback(store: ox.Store, name: str, item: Item) -> list:
    """pySHACL on this graph for the shapes the compiler left (none for the project's)."""
    plan, shapes = _STATE["plan"], _STATE["shapes"]
    if not plan.fallback:
        return []
    data = store_graph(store, ox.NamedNode(name))
    for s, p, o in list(data.triples((None, None, None))):
        if str(p).startswith(terms.SHADOW_PREDICATE):
            data.remove((s, p, o))
    work = working_graph(data, shapes)
    return run_pyshacl(work, deactivated_copy(shapes, plan.compiled))


def shared_digests(item: Item) -> dict[bytes, str]:
    """Subject -> digest of its triples, for the subjects other report graphs may describe too
    (not minted from this report's id, not the report, not a reference entity, not blank)."""
    own = [
        str(ID[f"{item.rid}/"]).encode(),
        (REPORT_PREFIX + item.rid + ">").encode(),
        ENTITY_PREFIX.encode(),
    ]
    pattern = re.compile(
        rb"\n<(?!"
        + b"|".join(re.escape(o) for o in own)
        + rb")([^>]*)> ([^\n]*) "
        + re.escape(item.graph)
        + rb" \.(?=\r?\n)"
    )
    by_subject: dict[bytes, list[bytes]] = {}
    for subject, rest in pattern.findall(b"\n" + item.lines):
        by_subject.setdefault(subject, []).append(rest)
    return {s: hashlib.sha1(b"\n".join(sorted(v))).hexdigest() for s, v in by_subject.items()}
