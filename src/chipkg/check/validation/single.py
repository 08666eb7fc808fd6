"""Validate one data graph (one report graph plus the reference entities): the compiled checks
on an in-memory Oxigraph store, pySHACL for the shapes the compiler leaves (see compiler.py),
and ``validate_graph_pyshacl``, pySHACL alone: the oracle the tests compare with."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from chipkg import resources
from chipkg.check.validation import memory
from chipkg.check.validation.compiler import Plan, compile_shapes
from chipkg.check.validation.context import Context, Finding
from chipkg.check.validation.engine import add_graph, deactivated_copy, evaluate
from chipkg.check.validation.loading import load_shapes, text_parameters
from chipkg.check.validation.model import Result, ValidationReport, make_report
from chipkg.check.validation.oracle import run_pyshacl, working_graph
from chipkg.errors import ChipkgError
from chipkg.graph.vocab import CKG, RDF

DATA_GRAPH = ox.NamedNode("urn:x-chipkg:data")


@lru_cache(maxsize=8)
def _plan(shapes_dir: Path) -> tuple[Graph, Plan]:
    shapes = load_shapes(shapes_dir)
    return shapes, compile_shapes(shapes)


def plan_for(shapes_dir: Path | None) -> tuple[Graph, Plan]:
    """The shapes of ``shapes_dir`` (default: the project's) and their compiled plan."""
    return _plan((shapes_dir or resources.shapes_dir()).resolve())


def one_report(data: Graph, report_text: str | None) -> None:
    """A report text belongs to one report: refuse a graph that holds several."""
    if report_text is None:
        return
    reports = set(data.subjects(RDF.type, CKG.Report))
    if len(reports) > 1:
        raise ChipkgError(
            f"the graph holds {len(reports)} reports but one report text was given",
            hint="validate one report graph at a time (see chipkg.check.validate.report_graphs)",
        )


def findings_of(
    work: Graph, report_text: str | None, shapes: Graph, plan: Plan | None = None
) -> list[Finding]:
    """The findings of the compiled checks and of the pySHACL fallback on a data graph as it is
    (nothing added), for any shapes graph (``plan``: its compiled form, when at hand)."""
    plan = plan if plan is not None else compile_shapes(shapes)
    memory.check_single(len(work), "one report graph")
    store = ox.Store()
    add_graph(store, DATA_GRAPH, work)
    params = {DATA_GRAPH.value: text_parameters(report_text)} if report_text is not None else None
    found = evaluate(plan, store, params).get(DATA_GRAPH.value, [])
    if plan.fallback:
        found += run_pyshacl(work, deactivated_copy(shapes, plan.compiled))
    return found


def ranked_results(
    data: Graph, report_text: str | None, shapes_dir: Path | None
) -> list[tuple[Result, tuple]]:
    shapes, plan = plan_for(shapes_dir)
    one_report(data, report_text)
    work = working_graph(data, shapes)
    ctx = Context(work, shapes)
    return [ctx.ranked(f) for f in findings_of(work, report_text, shapes, plan)]


def validate_graph(
    data: Graph, *, report_text: str | None = None, shapes_dir: Path | None = None
) -> ValidationReport:
    """Validate one report graph plus the reference entities (an rdflib in-memory graph).

    ``report_text`` is the report file's text as read (for the text-bounds and checksum shapes);
    ``shapes_dir`` defaults to the project's shapes/. The input graph is not modified.
    """
    return make_report(r for r, _rank in ranked_results(data, report_text, shapes_dir))


def validate_graph_pyshacl(
    data: Graph, *, report_text: str | None = None, shapes_dir: Path | None = None
) -> ValidationReport:
    """The same validation by pySHACL alone, every shape: the oracle of the tests."""
    shapes = load_shapes(shapes_dir)
    work = working_graph(data, shapes)
    ctx = Context(work, shapes)
    found = run_pyshacl(work, shapes, report_text)
    return make_report(ctx.ranked(f)[0] for f in found)
