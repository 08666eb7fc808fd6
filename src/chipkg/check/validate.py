"""SHACL validation of report graphs against shapes/*.ttl (the package chipkg.check.validation).

The steps, one module each:

* ``loading``: graph files, the report graphs of a build, the shapes, the ontology;
* ``compiler`` (with ``prebinding``): every constraint of every shape as a set-at-a-time SPARQL
  query (or a distinct-values query and a Python test);
* ``engine`` (with ``terms``): those queries over an Oxigraph store whose named graphs are whole
  data graphs, findings grouped by graph;
* ``oracle``: pySHACL, the reference every test compares with and the fallback for shapes the
  compiler does not take;
* ``context`` and ``model``: results with what an analyst needs (label, passage, page, message);
* ``single``: one data graph; ``workers`` and ``corpus``: batches of report graphs in parallel
  processes; ``nquads``: N-Quads files cut per graph as bytes; ``memory``: refuse what does not
  fit; ``readers``: report graphs as rdflib graphs from a dataset, a store or N-Quads.

This module keeps the names callers use (``chipkg.check.validate.validate_graph`` …).
See docs/validation.md for the shapes, the design and the figures.
"""

from __future__ import annotations

from chipkg.check.validation.cache import ResultCache
from chipkg.check.validation.context import compact, render_path
from chipkg.check.validation.corpus import (
    validate_corpus,
    validate_nquads,
    validate_reports,
    validate_runs,
)
from chipkg.check.validation.loading import (
    ENTITIES_GRAPH,
    ONTOLOGY_GRAPH,
    load_graph,
    load_shapes,
    report_graphs,
    report_source_file,
)
from chipkg.check.validation.model import (
    CKGSH,
    PREFIXES,
    SEVERITIES,
    Result,
    ValidationReport,
    group_results,
    merge_results,
    to_json,
)
from chipkg.check.validation.readers import (
    dataset_reports,
    entity_closure,
    nquads_reports,
    store_reports,
)
from chipkg.check.validation.single import validate_graph, validate_graph_pyshacl

__all__ = [
    "CKGSH",
    "ENTITIES_GRAPH",
    "ONTOLOGY_GRAPH",
    "PREFIXES",
    "SEVERITIES",
    "Result",
    "ResultCache",
    "ValidationReport",
    "compact",
    "dataset_reports",
    "entity_closure",
    "group_results",
    "load_graph",
    "load_shapes",
    "merge_results",
    "nquads_reports",
    "render_path",
    "report_graphs",
    "report_source_file",
    "store_reports",
    "to_json",
    "validate_corpus",
    "validate_graph",
    "validate_graph_pyshacl",
    "validate_nquads",
    "validate_reports",
    "validate_runs",
]
