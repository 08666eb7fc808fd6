"""What every part of the audit shares: the vocabulary of the graph it reads (citation levels,
publisher kinds, entity types), the thresholds of every rule, the ``Data`` the loader fills and
the measures read, and the helpers that turn a claim into a row of the audit."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

SCHEMA = "chipkg-audit/1"
CKG = "https://w3id.org/chipkg/ontology#"
GRAPH_NS = "https://w3id.org/chipkg/id/graph/"

PREFIXES = """PREFIX ckg: <https://w3id.org/chipkg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""

LEVELS = ("sentence", "paragraph", "lead", "none")
LEVEL_OF_IRI = {
    CKG + "SentenceLevel": "sentence",
    CKG + "ParagraphLevel": "paragraph",
    CKG + "LeadLevel": "lead",
}
LEVEL_LABELS = {
    "sentence": ("cited in the sentence", "句内引用"),
    "paragraph": ("cited in the paragraph scope", "段内引用范围"),
    "lead": ("article lead source", "文章导语来源"),
    "none": ("no source", "无来源"),
}
KINDS = ("government", "company", "thinktank", "media", "academic", "other")
KIND_OF_IRI = {
    CKG + "GovernmentPublisher": "government",
    CKG + "CompanyPublisher": "company",
    CKG + "ThinkTankPublisher": "thinktank",
    CKG + "MediaPublisher": "media",
    CKG + "AcademicPublisher": "academic",
    CKG + "OtherPublisher": "other",
}
KIND_LABELS = {
    "government": ("government", "政府"),
    "company": ("company", "企业"),
    "thinktank": ("think tank", "智库"),
    "media": ("media", "媒体"),
    "academic": ("academic", "学术机构"),
    "other": ("other", "其他"),
}

ORG_TYPES = frozenset(
    {
        "Organization",
        "Company",
        "ResearchInstitution",
        "ThinkTank",
        "Association",
        "GovernmentAgency",
        "SupranationalBody",
    }
)
ACTOR_TYPES = ORG_TYPES | {"Country", "Person", "Actor"}
GOVERNMENT_TYPES = frozenset({"Country", "GovernmentAgency", "SupranationalBody"})
TECH_TYPES = frozenset({"Technology", "Product"})

# The thresholds of every rule, copied into the audit so that a reader sees what was applied.
THRESHOLDS: dict[str, Any] = {
    "over_citation": {
        "min_pages": 3,
        "min_organisations": 4,
        "min_technology_families": 4,
        "levels_counted": ["sentence", "paragraph"],
    },
    "concentration": {
        "hhi_moderate": 0.15,
        "hhi_high": 0.25,
        "top_share_warning": 0.25,
    },
    "fit": {
        "government_subject_types": sorted(GOVERNMENT_TYPES),
        "government_actions": [
            "funds",
            "investsIn",
            "launches",
            "restrictsExportOf",
            "restrictsExportTo",
            "addsToControlList",
            "investigates",
        ],
        "non_primary_kinds": ["media", "company", "other"],
        "newsroom_kinds": ["company"],
    },
    "hygiene": {
        "tracking_parameters": "utm_*, fbclid, gclid, dclid, gbraid, wbraid, msclkid, mc_cid, "
        "mc_eid, yclid, igshid, _ga, _gl",
        "landing_page_max_path_segments": 2,
        "landing_page_segment": "one lower-case word of at most 12 letters (news, newsroom, en)",
    },
}


@dataclass
class Data:
    """What the audit reads from the store, indexed for the measures (filled by ``load``)."""

    reports: dict[str, dict] = field(default_factory=dict)  # report id -> info
    graph_of: dict[str, str] = field(default_factory=dict)  # graph IRI -> report id
    passages: dict[str, dict] = field(default_factory=dict)
    supports: list[dict] = field(default_factory=list)
    articles: dict[str, dict] = field(default_factory=dict)
    sections: dict[str, dict] = field(default_factory=dict)
    claims: dict[str, dict] = field(default_factory=dict)
    sources: dict[str, dict] = field(default_factory=dict)
    footnotes: list[dict] = field(default_factory=list)
    findings: list[dict] = field(default_factory=list)
    dangling: list[dict] = field(default_factory=list)
    mentions: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    labels: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    alt_labels: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    types: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    broader: dict[str, str] = field(default_factory=dict)
    part_of: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    operated_by: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


# The rows and labels the measures share


def tail(iri: str) -> str:
    return re.split(r"[/#]", iri.rstrip("/"))[-1]


def num(text: object) -> int | float | None:
    if text is None:
        return None
    try:
        f = float(str(text))
    except ValueError:
        return None
    return int(f) if f.is_integer() else round(f, 6)


def is_entity(iri: str) -> bool:
    return iri.startswith("https://w3id.org/chipkg/id/entity/")


def claim_urls(d: Data) -> set[str]:
    return {u for c in d.claims.values() for u in c["sources"]}


# --------------------------------------------------------------------------------------------
# Helpers shared by the checks
# --------------------------------------------------------------------------------------------


def label_of(d: Data, iri: str | None) -> dict[str, str] | None:
    if iri is None:
        return None
    labels = d.labels.get(iri, {})
    return {"id": iri, "en": labels.get("en") or tail(iri), "zh": labels.get("zh") or ""}


def name_of(d: Data, iri: str | None) -> str:
    lab = label_of(d, iri)
    if lab is None:
        return "—"
    return f"{lab['en']} ({lab['zh']})" if lab["zh"] and lab["zh"] != lab["en"] else lab["en"]


def types_of(d: Data, iri: str | None) -> set[str]:
    return d.types.get(iri, set()) if iri else set()


def type_name(d: Data, iri: str) -> str:
    ts = sorted(types_of(d, iri))
    return ts[0] if ts else "entity"


def claim_row(d: Data, c: dict) -> dict[str, Any]:
    p = d.passages.get(c["passage"], {})
    return {
        "id": c["id"],
        "report": c["report"],
        "subject": label_of(d, c["subject"]),
        "relation": label_of(d, c["predicate"]),
        "object": label_of(d, c["object"]),
        "value": c["value"],
        "amounts": c["amounts"],
        "date": c["date"],
        "target_year": c["target_year"],
        "target_value": c["target_value"],
        "target_unit": c["target_unit"],
        "count": c["count"],
        "level": c["level"],
        "page": p.get("page"),
        "line": p.get("line"),
        "text": p.get("text", ""),
        "passage": c["passage"],
        "section": p.get("section_path"),
        "article": article_title(d, p.get("article")),
        "sources": sorted(c["sources"]),
        "by_analyst": c["analyst"] is not None,
    }


def article_title(d: Data, art: str | None) -> str | None:
    if art is None or art not in d.articles:
        return None
    return d.articles[art]["title"]


def claim_order(d: Data, c: dict) -> tuple:
    p = d.passages.get(c["passage"], {})
    return (c["report"], p.get("seq", 0), c["predicate"], c["subject"], c["object"] or "", c["id"])


def share(part: float, whole: float) -> float:
    return round(part / whole, 4) if whole else 0.0


def level_counts(levels: list[str]) -> dict[str, int]:
    counts = Counter(levels)
    return {lv: counts.get(lv, 0) for lv in LEVELS}


def family(d: Data, tech: str) -> str:
    """The technology family: the top concept of the skos:broader hierarchy above a technology
    (HBM → DRAM → memory → integrated circuits), the technology itself if it has no broader."""
    chain = [tech]
    while chain[-1] in d.broader and d.broader[chain[-1]] not in chain and len(chain) < 50:
        chain.append(d.broader[chain[-1]])
    return chain[-1]


def fmt_amount(a: dict) -> str:
    q = f"{a['qualifier']} " if a.get("qualifier") else ""
    text = f"{q}{fmt_number(a['value'])} {a['currency']}"
    if a.get("conversion"):
        text += f" (≈ {fmt_number(a['conversion']['value'])} {a['conversion']['currency']})"
    return text


def fmt_number(v: float | int | None) -> str:
    if v is None:
        return "?"
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,}"


def qualifier_text(row: dict) -> str:
    """The amounts, date, target, count and value of a claim row, as one line."""
    bits = [fmt_amount(a) for a in row.get("amounts") or []]
    if row.get("date"):
        bits.append(str(row["date"]))
    if row.get("target_year") is not None:
        bits.append(f"by {row['target_year']}")
    if row.get("target_value") is not None:
        bits.append(f"{fmt_number(row['target_value'])} {row.get('target_unit') or ''}".strip())
    if row.get("count") is not None:
        bits.append(f"{fmt_number(row['count'])} entities")
    if row.get("value") is not None:
        bits.append(fmt_number(row["value"]))
    return ", ".join(bits)
