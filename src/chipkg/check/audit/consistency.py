"""Consistency: the same subject–relation–object stated in different passages with different
amounts, dates, target years, target values, counts or values."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from chipkg.check.audit.model import Data, claim_order, claim_row, fmt_amount, label_of, name_of


def _amount_keys(c: dict) -> set[tuple[str, float]]:
    keys = set()
    for a in c["amounts"]:
        if a["value"] is not None:
            keys.add((a["currency"], float(a["value"])))
        conv = a.get("conversion")
        if conv and conv["value"] is not None:
            keys.add((conv["currency"], float(conv["value"])))
    return keys


def _facets(c: dict) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if c["amounts"]:
        out["amount"] = c["amounts"]
    if c["date"]:
        out["date"] = c["date"]
    if c["target_year"] is not None:
        out["target_year"] = c["target_year"]
    if c["target_value"] is not None:
        out["target_value"] = (c["target_value"], c["target_unit"])
    if c["count"] is not None:
        out["count"] = c["count"]
    if c["value"] is not None:
        out["value"] = c["value"]
    return out


def _compatible(facet: str, a: dict, b: dict) -> bool:
    if facet == "amount":
        return bool(_amount_keys(a) & _amount_keys(b))
    if facet == "date":
        x, y = str(a["date"]), str(b["date"])
        return x.startswith(y) or y.startswith(x)  # 2024-12 agrees with 2024-12-23
    return _facets(a)[facet] == _facets(b)[facet]


def _fmt_facet(facet: str, c: dict) -> str:
    f = _facets(c)[facet]
    if facet == "amount":
        return "; ".join(fmt_amount(a) for a in f)
    if facet == "target_value":
        return f"{f[0]} {f[1] or ''}".strip()
    return str(f)


def measure(d: Data, claims: list[dict]) -> dict[str, Any]:
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for c in claims:
        groups[(c["subject"], c["predicate"], c["object"])].append(c)
    conflicts = []
    repeated = []
    for (s, p, o), cs in sorted(groups.items(), key=lambda kv: tuple(x or "" for x in kv[0])):
        if len({c["passage"] for c in cs}) < 2:
            continue
        cs = sorted(cs, key=lambda c: claim_order(d, c))
        found = False
        for facet in ("amount", "date", "target_year", "target_value", "count", "value"):
            having = [c for c in cs if facet in _facets(c)]
            clash = [
                (a, b)
                for i, a in enumerate(having)
                for b in having[i + 1 :]
                if a["passage"] != b["passage"] and not _compatible(facet, a, b)
            ]
            if not clash:
                continue
            found = True
            statements = []
            for c in having:
                row = claim_row(d, c)
                row["stated"] = _fmt_facet(facet, c)
                row["source_kinds"] = {
                    u: d.sources[u]["kind"] for u in sorted(c["sources"]) if u in d.sources
                }
                statements.append(row)
            values = sorted({st["stated"] for st in statements})
            conflicts.append(
                {
                    "subject": label_of(d, s),
                    "relation": label_of(d, p),
                    "object": label_of(d, o),
                    "facet": facet,
                    "values": values,
                    "statements": statements,
                    "reasoning": (
                        f"{name_of(d, s)} — {label_of(d, p)['en']} — "
                        f"{name_of(d, o) if o else '(value)'} "
                        f"is stated in {len({c['passage'] for c in having})} passages with "
                        f"different {facet.replace('_', ' ')}s: {' vs '.join(values)}"
                        + (
                            " (a stated currency conversion counts as the same amount; a date "
                            "agrees with a more precise one inside it)"
                            if facet in ("amount", "date")
                            else ""
                        )
                        + "."
                    ),
                }
            )
        if not found:
            repeated.append(
                {
                    "subject": label_of(d, s),
                    "relation": label_of(d, p),
                    "object": label_of(d, o),
                    "passages": len({c["passage"] for c in cs}),
                    "pages": sorted({d.passages[c["passage"]]["page"] for c in cs}),
                    "texts": [d.passages[c["passage"]]["text"] for c in cs],
                }
            )
    return {
        "rule": (
            "claims with the same subject, relation and object stated in different passages are "
            "compared on amount (equal in a shared currency, stated conversions included), date "
            "(equal or one inside the other), target year, target value, count and value"
        ),
        "conflicts": conflicts,
        "repeated_consistent": repeated,
    }
