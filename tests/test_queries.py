"""Every named query runs on the built bundled graph and gives a known answer; bad queries and
parameters give clear messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from chipkg.analysis.query import available
from chipkg.cli import cli

KNOWN = {
    # name: (params, a row that must be present, as a subset of its columns)
    "stats": ({}, {"pages": 34, "footnotes": 94}),
    "sources-by-publisher-kind": ({}, {"kind": "think tank", "sources": 5}),
    "entities-by-type": ({}, {"type": "think tank"}),
    "claims-by-relation": ({}, {"relation": "funds"}),
    "funding": (
        {},
        {
            "funder": "Italy",
            "recipient": "STMicroelectronics",
            "amount": "2000000000",
            "currency": "EUR",
            "stated_conversion": "2100000000 USD",
        },
    ),
    "funding-by-funder": ({"currency": "EUR"}, {"funder": "Germany", "total": "5000000000"}),
    "funding-by-recipient": ({}, {"recipient": "STMicroelectronics", "currency": "EUR"}),
    "funding-by-country": ({}, {"country": "Italy", "currency": "EUR", "total": "2000000000"}),
    "facilities-by-country": ({}, {"country": "Japan", "facility": "TSMC Kumamoto fab (JASM)"}),
    "facilities-built": ({}, {"actor": "Samsung Electronics", "relation": "builds"}),
    "export-control-targets": (
        {},
        {
            "imposer": "U.S. Department of Commerce",
            "relation": "adds to control list",
            "target": "China",
            "count": "140",
        },
    ),
    "claims-citing-source": (
        {"source": "https://pr.tsmc.com/english/news/3169"},
        {"subject": "Germany", "relation": "funds", "object": "ESMC fab in Dresden"},
    ),
    "claims-about-entity": ({"entity": "意法半导体"}, {"subject": "Italy", "relation": "funds"}),
    "technologies-by-actor": ({}, {"actor": "Synopsys"}),
    "timeline": ({}, {"date": "2024-12-23", "what": "article"}),
    "claims-without-source": ({}, {"relation": "develops"}),
}


def run(project: Path, *args: str):
    return CliRunner().invoke(cli, ["--project", str(project), *args])


# queries over the verification graph (chipkg verify), which a plain build does not have: their
# known answers are tested where that graph is made (tests/test_verify.py)
ON_VERIFICATION = {"unsupported-claims"}


def test_every_named_query_has_a_known_answer_test():
    assert set(available()) == set(KNOWN) | ON_VERIFICATION
    for q in available().values():
        assert q.title and q.question, q.name


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_named_query_known_answer(built_project: Path, name: str):
    params, expected = KNOWN[name]
    args = ["query", name, "--format", "json"]
    for k, v in params.items():
        args += ["--param", f"{k}={v}"]
    result = run(built_project, *args)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert any(all(str(r.get(k)) == str(v) for k, v in expected.items()) for r in rows), rows[:5]


def test_labels_in_chinese(built_project: Path):
    result = run(
        built_project,
        "query",
        "claims-about-entity",
        "--param",
        "entity=STMicroelectronics",
        "--lang",
        "zh",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    want = {"subject": "意大利", "relation": "资助", "object": "意法半导体"}.items()
    assert any(want <= r.items() for r in rows), rows


def test_unknown_query_lists_the_available_ones(built_project: Path):
    result = run(built_project, "query", "fundng")
    assert result.exit_code == 2
    assert "unknown query 'fundng'" in result.stderr and "funding-by-funder" in result.stderr


def test_syntax_error_names_the_position(built_project: Path, tmp_path: Path):
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT ?x WHERE { ?x ?y }", encoding="utf-8")
    result = run(built_project, "query", str(bad))
    assert result.exit_code == 2 and "SPARQL syntax error" in result.stderr
    assert "Traceback" not in result.output


def test_missing_and_malformed_parameters(built_project: Path):
    result = run(built_project, "query", "claims-citing-source")
    assert result.exit_code == 2 and "needs --param source" in result.stderr
    result = run(built_project, "query", "claims-citing-source", "--param", "source=not a url")
    assert result.exit_code == 2 and "not an absolute http(s) IRI" in result.stderr
    result = run(built_project, "query", "stats", "--param", "x=1")
    assert result.exit_code == 2 and "has no parameter x" in result.stderr
