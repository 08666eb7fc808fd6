"""Provenance audit: what an analyst should look at before trusting a number.

``run_audit`` reads a built graph (every report graph, or one) and returns a JSON-serialisable
dict with one section per check; ``render_text`` and ``render_html`` present it. Every check is
rule-based and shows its reasoning and thresholds, so that a flag can be argued with
(docs/audit.md documents the schema and each rule).

The steps, one module each:

* ``load`` — reading the store into ``model.Data`` (and restricting it to one article);
* ``coverage`` — passages and claims with and without a source, per article and section;
* ``sources`` — claims per source URL, concentration (top share, Herfindahl–Hirschman index) and
  possible over-citation (one document cited for many unrelated topics);
* ``fit`` — government acts resting only on media or company pages; a company newsroom cited for
  a claim about other organisations (``publishers`` matches a publisher to an entity);
* ``consistency`` — the same subject–relation–object stated with different amounts, dates or
  targets;
* ``hygiene`` — dangling markers, orphan footnotes, duplicate footnotes, near-duplicate and
  malformed URLs, URLs that point at a landing page;
* ``links`` — optional HTTP check of every source (status, redirects), stdlib only;
* ``run`` — the whole audit and its summary; ``text`` and ``page`` render it (the page from the
  Jinja2 templates in ``templates/``, its stylesheet and script in ``static/``).

Only current claims count (a claim an analyst superseded is left out), as in the named queries.
"""

from chipkg.check.audit.hygiene import url_key
from chipkg.check.audit.links import probe_link, probe_links
from chipkg.check.audit.model import SCHEMA, THRESHOLDS
from chipkg.check.audit.page import render_html
from chipkg.check.audit.run import run_audit, to_json
from chipkg.check.audit.text import render_text

__all__ = [
    "SCHEMA",
    "THRESHOLDS",
    "probe_link",
    "probe_links",
    "render_html",
    "render_text",
    "run_audit",
    "to_json",
    "url_key",
]
