"""HTML rendering: the audit as one self-contained page, from the Jinja2 templates in
``templates/`` (one per section of the page, the shared pieces in ``macros.html.j2``) with the
stylesheet and the table-sorting script from ``static/`` inlined.

Autoescaping is on. Every ``{{ value }}`` is escaped as :func:`html.escape` escapes it (``'``
becomes ``&#x27;``), through the environment's ``finalize``; markup built by a macro or a
``{% set %}`` block is already safe and passes as it is. Chart geometry and number formats are
computed here, in Python, so that the templates only place values."""

from __future__ import annotations

import html
import json
from functools import cache
from importlib.resources import files
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from chipkg.check.audit.model import KIND_LABELS, KINDS, LEVEL_LABELS, LEVELS, qualifier_text

LEVEL_COLOURS = {
    "sentence": "#1a7f37",
    "paragraph": "#4c8eda",
    "lead": "#bf8700",
    "none": "#cf222e",
}
KIND_COLOURS = {
    "government": "#0969da",
    "company": "#8250df",
    "thinktank": "#bf3989",
    "media": "#bc4c00",
    "academic": "#1a7f37",
    "other": "#6e7781",
}

# The summary's table of findings: key in summary.findings, label, Chinese label, anchor.
FINDING_ROWS = [
    ("uncited_claims", "claims with no source", "无来源断言", "#uncited"),
    (
        "articles_without_sources",
        "articles with no source at all",
        "完全无来源的文章",
        "#unsourced-articles",
    ),
    ("over_cited_sources", "sources possibly over-cited", "疑似过度引用", "#over-citation"),
    (
        "government_action_weak_sources",
        "government acts on media/company pages only",
        "政府行为仅有媒体或企业来源",
        "#gov-weak",
    ),
    ("publisher_mismatch", "company newsroom cited for others", "来源发布者不符", "#mismatch"),
    ("consistency_conflicts", "conflicting amounts or dates", "数值或日期冲突", "#consistency"),
    ("dangling_markers", "dangling markers", "悬空标记", "#hygiene"),
    ("orphan_footnotes", "orphan footnotes", "孤立脚注", "#hygiene"),
    ("duplicate_footnotes", "duplicate footnotes", "重复脚注", "#dup-footnotes"),
    ("near_duplicate_urls", "near-duplicate URLs", "近似重复网址", "#near-dup"),
    ("malformed_urls", "malformed URLs", "格式错误网址", "#malformed"),
    ("landing_pages", "landing pages instead of documents", "非具体文档的网址", "#landing"),
    ("broken_links", "broken links", "失效链接", "#links"),
    (
        "claims_every_source_not_found",
        "claims no cited source mentions",
        "来源均未提及的断言",
        "#not-found",
    ),
    (
        "sources_supporting_none",
        "sources supporting none of their claims",
        "未支持断言的来源",
        "#supporting-none",
    ),
]


def render_html(audit: dict[str, Any]) -> str:
    """The audit as one self-contained HTML file: summary and charts, then sortable tables."""
    src = audit["sources"]
    return (
        _environment()
        .get_template("audit.html.j2")
        .render(
            audit=audit,
            sources={it["url"]: it for it in src["items"]},
            cards=_cards(audit),
            findings=[
                (audit["summary"]["findings"].get(key), en, zh, anchor)
                for key, en, zh, anchor in FINDING_ROWS
            ],
            level_chart=_bars(
                [
                    (*LEVEL_LABELS[k], audit["coverage"]["claims"]["by_level"][k], LEVEL_COLOURS[k])
                    for k in LEVELS
                ]
            ),
            kind_chart=_bars(
                [(*KIND_LABELS[k], src["by_kind"][k], KIND_COLOURS[k]) for k in KINDS]
            ),
            thresholds_json=json.dumps(audit["thresholds"], ensure_ascii=False, indent=2),
        )
    )


def _cards(audit: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The summary cards: (value, label, line under it)."""
    s = audit["summary"]
    src = audit["sources"]
    conc = src["concentration"]
    return [
        (
            f"{s['claims_cited']}/{s['claims']}",
            "claims with a source · 有来源的断言",
            f"{s['claims_cited_share']:.0%}",
        ),
        (
            f"{s['passages_cited']}/{s['passages']}",
            "passages with a source · 有来源的语段",
            f"{s['passages_cited_share']:.0%}",
        ),
        (str(s["sources"]), "source URLs · 来源网址", f"{src['with_claims']} carry claims"),
        (
            f"{conc['top_source_share']:.0%}",
            "cited claims on the top source · 最大来源占比",
            f"{conc['top_source_claims']} claims",
        ),
        (
            f"{conc['hhi']:.3f}",
            "HHI over claims per source · 集中度",
            f"{conc['reading']}, ≈{conc['equivalent_sources']} sources",
        ),
    ]


def _bars(rows: list[tuple[str, str, int, str]]) -> dict[str, Any]:
    """Geometry of a horizontal bar chart; rows are (label, Chinese label, value, colour)."""
    width, label_w, bar_w, row_h = 430, 200, 180, 30
    top = max((v for *_, v, _c in rows), default=0) or 1
    bars = []
    for i, (label, zh, value, colour) in enumerate(rows):
        w = max(round(bar_w * value / top) if value else 0, 1)
        bars.append(
            {"label": label, "zh": zh, "value": value, "colour": colour, "y": 5 + i * row_h, "w": w}
        )
    return {"width": width, "height": row_h * len(rows) + 10, "label_w": label_w, "bars": bars}


def _escape(value: object) -> Markup:
    """Escape a value for the page as html.escape does; markup passes unchanged."""
    if hasattr(value, "__html__"):
        return Markup(value)
    return Markup(html.escape("" if value is None else str(value), quote=True))


def _static(name: str) -> Markup:
    """A stylesheet or script from ``static/``, inlined as it is (our own file, not data)."""
    return Markup(files("chipkg.check.audit").joinpath("static", name).read_text("utf-8"))


def _domain(url: str, sources: dict[str, dict]) -> str:
    return sources.get(url, {}).get("domain") or urlsplit(url).hostname or url


def _count_class(n: int | None) -> str:
    return "muted" if n is None else ("ok" if n == 0 else "flag")


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("chipkg.check.audit", "templates"),
        autoescape=True,
        finalize=_escape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(
        static=_static,
        LEVELS=LEVELS,
        LEVEL_LABELS=LEVEL_LABELS,
        KIND_LABELS=KIND_LABELS,
    )
    env.filters.update(
        pct=lambda v: f"{v:.0%}",
        qualifier=qualifier_text,
        domain=_domain,
        count_class=_count_class,
        joined=lambda items, sep: sep.join(map(str, items)),
    )
    return env
