"""Every named query runs on the built bundled graph and gives its full known answer; paged queries
page exactly; bad queries and parameters give one clear line (exit 2), never a traceback; ASK,
CONSTRUCT and DESCRIBE are answered; parameters are substituted only where SPARQL has variables."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from chipkg.analysis.query import available, load
from chipkg.cli import cli
from chipkg.graph import sparql

KNOWN = Path(__file__).parent / "known_answers"
# the parameters each lookup query is run with for its known answer
PARAMS = {
    "claims-about-entity": {"entity": "意法半导体"},
    "claims-citing-source": {"source": "https://pr.tsmc.com/english/news/3169"},
}
PAGED = sorted(n for n, q in available().items() if q.paged)


def run(project: Path, *args: str, input: str | None = None):
    return CliRunner().invoke(cli, ["--project", str(project), *args], input=input)


def query_args(name: str, *extra: str) -> list[str]:
    args = ["query", name, *extra]
    for k, v in PARAMS.get(name, {}).items():
        args += ["--param", f"{k}={v}"]
    return args


def all_rows(project: Path, name: str) -> list[dict]:
    result = run(project, *query_args(name, "--format", "json", "--limit", "0"))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# -- known answers ---------------------------------------------------------------------------------

# queries over the verification graph (chipkg verify), which a plain build does not have: their
# known answers are tested where that graph is made (tests/test_verify.py)
ON_VERIFICATION = {"unsupported-claims"}


def test_every_named_query_has_a_known_answer():
    assert {p.stem for p in KNOWN.glob("*.json")} == set(available()) - ON_VERIFICATION
    for q in available().values():
        assert q.title and q.question, q.name


@pytest.mark.parametrize("name", sorted(set(available()) - ON_VERIFICATION))
def test_named_query_known_answer(built_project: Path, name: str):
    """The whole answer, row for row and in order, as pinned in tests/known_answers/ (each checked
    against the report when it was pinned; see the README there)."""
    expected = json.loads((KNOWN / f"{name}.json").read_text(encoding="utf-8"))
    assert expected, name
    assert all_rows(built_project, name) == expected


def test_known_answers_agree_with_the_report(built_project: Path):
    """A few cells of the pinned answers, read off the report text by hand."""
    stmicro = all_rows(built_project, "claims-about-entity")
    # 意大利为意法半导体拨款 20 亿欧元（约 21亿美元）3，…工厂4-5。 (page 3; footnotes 3, 4 and 5)
    italy = next(r for r in stmicro if r["subject"] == "Italy")
    assert (italy["relation"], italy["object"], italy["page"]) == ("funds", "STMicroelectronics", 3)
    assert set(italy["sources"].split()) == {
        "https://ec.europa.eu/commission/presscorner/detail/en/ip_24_2994",
        "https://www.euronews.com/business/2024/05/31/stmicroelectronics-gets-2-billion-grant-as-eu-ramps-up-chipmaking",
        "https://www.eetimes.eu/europe-is-convincingly-pursuing-a-path-to-semiconductor-sovereignty/",
    }
    funding = all_rows(built_project, "funding")
    row = next(r for r in funding if r["funder"] == "Italy")
    assert (row["amount"], row["currency"], row["stated_conversion"]) == (
        "2000000000",
        "EUR",
        "2100000000 USD",
    )
    # the sentences of 应用材料 and IMEC on page 7 carry no marker, and their paragraph none either
    unsourced = {
        (r["subject"], r["page"]) for r in all_rows(built_project, "claims-without-source")
    }
    assert {("Applied Materials", 7), ("imec", 7)} <= unsourced
    [stats] = all_rows(built_project, "stats")
    assert (stats["pages"], stats["footnotes"], stats["articles"]) == (34, 94, 10)


def test_the_funding_answers_are_ordered_by_currency_then_amount(built_project: Path):
    for name, amount in (("funding", "amount"), ("funding-by-funder", "total")):
        rows = [r for r in all_rows(built_project, name) if r.get("currency")]
        keys = [(r["currency"], -int(r[amount])) for r in rows]
        assert keys == sorted(keys), name
    funding = all_rows(built_project, "funding")
    stated = [r["amount"] is not None for r in funding]
    assert stated == sorted(stated, reverse=True)  # claims that state no amount come last


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


# -- paging -----------------------------------------------------------------------------------------


# the keys each paged query's row selection sorts on, as they show in its rows
PAGE_KEYS = {
    "claims-about-entity": lambda r: r["page"],
    "claims-citing-source": lambda r: r["page"],
    "claims-without-source": lambda r: r["page"],
    "export-control-targets": lambda r: r["page"],
    "facilities-built": lambda r: r["page"],
    "funding": lambda r: (r["currency"] is None, r["currency"] or "", -int(r["amount"] or 0)),
    "funding-by-funder": lambda r: (r["currency"], -int(r["total"])),
    "funding-by-recipient": lambda r: (r["currency"], -int(r["total"])),
    "sources-by-publisher-kind": lambda r: (r["report"], -r["sources"]),
    "stats": lambda r: r["report"],
    "technologies-by-actor": lambda r: -r["claims"],
    "timeline": lambda r: (r["date"], r["what"]),
    "unsupported-claims": lambda r: r["page"],  # empty without a verification graph
}


@pytest.mark.parametrize("name", PAGED)
def test_pages_partition_the_whole_answer_in_key_order(built_project: Path, name: str):
    """Every row on exactly one page, the keys never going back from one page to the next, and the
    total printed with each page."""
    assert set(PAGE_KEYS) == set(PAGED)
    key = PAGE_KEYS[name]
    whole = all_rows(built_project, name)
    pages, offset = [], 0
    while True:
        args = query_args(name, "--format", "json", "--limit", "7", "--offset", str(offset))
        result = run(built_project, *args)
        assert result.exit_code == 0, result.output
        page = json.loads(result.stdout)
        if not page:
            if offset == 0:  # an empty answer (unsupported-claims before any verify)
                assert not whole and result.stderr == "0 row(s)\n"
            else:
                assert f"there are {len(whole):,}" in result.stderr
            break
        assert f"of {len(whole):,}" in result.stderr or result.stderr == f"{len(whole)} row(s)\n"
        pages.append(page)
        offset += 7
    rows = [r for page in pages for r in page]
    assert sorted(map(json.dumps, rows)) == sorted(map(json.dumps, whole))
    assert [key(r) for r in rows] == sorted(key(r) for r in rows)
    assert [key(r) for r in whole] == sorted(key(r) for r in whole)


def test_a_paged_query_prints_its_first_page_and_the_total(built_project: Path):
    assert "funding" in PAGED and "funding-by-country" not in PAGED
    n = len(all_rows(built_project, "funding"))
    assert 10 < n < 100
    result = run(built_project, "query", "funding", "--limit", "10")
    assert result.exit_code == 0, result.output
    assert f"rows 1–10 of {n}; next page: --offset 10" in result.stdout
    result = run(built_project, "query", "funding")  # a page is 100 rows: all of them here
    assert f"{n} row(s)" in result.stdout
    result = run(built_project, "query", "funding", "--offset", str(n - 6), "--format", "csv")
    assert result.stdout.count("\n") == 1 + 6 and f"rows {n - 5}–{n} of {n}" in result.stderr


def test_a_query_that_does_not_page_is_cut_by_limit_and_offset(built_project: Path):
    assert "entities-by-type" not in PAGED
    whole = all_rows(built_project, "entities-by-type")
    result = run(
        built_project,
        "query",
        "entities-by-type",
        "--format",
        "json",
        "--limit",
        "3",
        "--offset",
        "2",
    )
    assert json.loads(result.stdout) == whole[2:5]
    assert f"rows 3–5 of {len(whole)}" in result.stderr


def test_the_count_query_counts_the_row_selection_without_its_order():
    text = """PREFIX ex: <http://example.org/>
SELECT ?x ?label WHERE {
  { SELECT ?x (COUNT(?y) AS ?n) WHERE {
      ?x ex:p ?y . { SELECT ?y WHERE { ?y ex:q ?z } ORDER BY ?z LIMIT 5 }
    } GROUP BY ?x ORDER BY DESC(?n) ?x $page }
  OPTIONAL { ?x ex:label ?label }
}"""
    counted = sparql.count_query(text)
    assert counted.startswith("PREFIX ex: <http://example.org/>\nSELECT (COUNT(*) AS ?total)")
    assert "GROUP BY ?x" in counted and "ORDER BY ?z LIMIT 5" in counted  # the inner ones stay
    assert "DESC(?n)" not in counted and "$page" not in counted and "label" not in counted
    st = ox.Store()
    st.update(
        "PREFIX ex: <http://example.org/> INSERT DATA { "
        + " ".join(f"ex:a{i % 3} ex:p ex:b{i} . ex:b{i} ex:q {i} ." for i in range(9))
        + " }"
    )
    assert sparql.total(st, text) == 3
    assert len(sparql.select(st, text, limit=2)) == 2
    assert len(sparql.select(st, text)) == 3
    assert sparql.count_query("SELECT * WHERE { ?s ?p ?o }") is None


# -- parameters and $names --------------------------------------------------------------------------


def test_names_are_substituted_outside_strings_iris_and_comments_only():
    q = load("entities-by-type")
    text = (
        "SELECT ?x WHERE { # $lang here is a comment\n BIND(\"$lang, '$lang' and $5\" AS ?x) "
        "FILTER(?x != <http://example.org/$lang>) FILTER(lang(?y) = $lang) }"
    )
    rendered = sparql.render(text, lang="zh")
    assert "\"$lang, '$lang' and $5\"" in rendered and "<http://example.org/$lang>" in rendered
    assert "# $lang here is a comment" in rendered and 'lang(?y) = "zh"' in rendered
    assert '"""$lang"""' in sparql.render('SELECT * WHERE { BIND("""$lang""" AS ?x) }')
    # an undeclared $name is an ordinary SPARQL variable; a declared one left unset is unbound
    assert "$other" in sparql.render("SELECT $other WHERE { }")
    assert "?_unset_currency" in sparql.render(load("funding-by-funder"))
    assert q.text.count("$lang") == sparql.render(q).count('"en"')


def test_a_users_query_keeps_dollar_signs_in_its_strings(built_project: Path, tmp_path: Path):
    path = tmp_path / "prices.rq"
    path.write_text('SELECT ?x WHERE { BIND("costs $lang and $5" AS ?x) }', encoding="utf-8")
    result = run(built_project, "query", str(path), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"x": "costs $lang and $5"}]


@pytest.mark.parametrize(
    "value", ["https://example.org/a>b", 'https://example.org/a"b', "https://example.org/{x}"]
)
def test_an_iri_parameter_that_is_no_iri_is_refused_in_one_line(built_project: Path, value: str):
    result = run(built_project, "query", "claims-citing-source", "--param", f"source={value}")
    assert result.exit_code == 2
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert result.stderr.count("\n") == 1 and "is not a valid IRI" in result.stderr


def test_a_literal_parameter_is_escaped(built_project: Path):
    for value in ('EU"R', "EUR>", "a\\b"):
        result = run(
            built_project,
            "query",
            "funding-by-funder",
            "--param",
            f"currency={value}",
            "--format",
            "json",
        )
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout) == []
    result = run(
        built_project, "query", "funding-by-funder", "--param", "currency=EUR", "--format", "json"
    )
    assert {r["currency"] for r in json.loads(result.stdout)} == {"EUR"}


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


# -- ASK, CONSTRUCT, DESCRIBE -----------------------------------------------------------------------

CONSTRUCT = """PREFIX ckg: <https://w3id.org/chipkg/ontology#>
CONSTRUCT { ?r a ckg:Report } WHERE { ?r a ckg:Report }"""


def test_ask_prints_true_or_false(built_project: Path):
    for text, answer in (
        ("PREFIX ckg: <https://w3id.org/chipkg/ontology#> ASK { ?r a ckg:Report }", "true"),
        ("ASK { <http://example.org/none> ?p ?o }", "false"),
    ):
        result = run(built_project, "query", "-", input=text)
        assert result.exit_code == 0 and result.stdout == f"{answer}\n", result.output
        result = run(built_project, "query", "-", "--format", "json", input=text)
        assert json.loads(result.stdout) is (answer == "true")


def test_construct_and_describe_print_turtle_or_n_triples(built_project: Path):
    result = run(built_project, "query", "-", input=CONSTRUCT)
    assert result.exit_code == 0, result.output
    triples = list(ox.parse(input=result.stdout.encode(), format=ox.RdfFormat.TURTLE))
    assert [str(t.subject) for t in triples] == [
        "<https://w3id.org/chipkg/id/report/ic-landscape-2024>"
    ]
    result = run(built_project, "query", "-", "--format", "nt", input=CONSTRUCT)
    assert result.stdout.count("\n") == 1 and result.stdout.endswith(" .\n")
    result = run(
        built_project, "query", "-", input="DESCRIBE <https://w3id.org/chipkg/id/entity/tsmc>"
    )
    assert result.exit_code == 0, result.output
    described = list(ox.parse(input=result.stdout.encode(), format=ox.RdfFormat.TURTLE))
    assert len(described) > 5 and {str(t.subject) for t in described} == {
        "<https://w3id.org/chipkg/id/entity/tsmc>"
    }


@pytest.mark.parametrize(
    ("text", "fmt", "message"),
    [
        (CONSTRUCT, "json", "a CONSTRUCT or DESCRIBE query gives triples"),
        (CONSTRUCT, "csv", "a CONSTRUCT or DESCRIBE query gives triples"),
        ("ASK { ?s ?p ?o }", "turtle", "an ASK query answers true or false"),
        ("SELECT * WHERE { ?s ?p ?o } LIMIT 1", "nt", "a SELECT query gives rows"),
    ],
)
def test_a_format_that_does_not_fit_the_answer_is_one_line(built_project: Path, text, fmt, message):
    result = run(built_project, "query", "-", "--format", fmt, input=text)
    assert result.exit_code == 2 and message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output


def test_no_header_comment_reads_like_an_update_to_sparqlwrapper():
    """SPARQLWrapper strips only every other comment line and then takes the first SPARQL keyword it
    finds anywhere as the query type: a comment saying 'adds' made a named query an ADD update."""
    keywords = re.compile(r"insert|delete|create|clear|drop|load|copy|move|add", re.I)
    for q in available().values():
        comments = [line for line in q.text.splitlines() if line.lstrip().startswith("#")]
        assert not [c for c in comments if keywords.search(c)], q.name


def test_an_entity_with_no_label_in_the_language_shows_the_one_the_text_gives(tmp_path: Path):
    """A provisional entity named only in Chinese is not a blank cell under --lang en."""
    import shutil

    sources = tmp_path / "graph" / "sources"
    sources.mkdir(parents=True)
    shutil.copy(Path(__file__).parent / "fixtures" / "open_world" / "openworld_a.txt", sources)
    assert run(tmp_path, "build", "--no-validate").exit_code == 0
    result = run(tmp_path, "query", "funding", "--lang", "en", "--format", "json")
    rows = json.loads(result.stdout)
    assert {r["funder"] for r in rows} == {"U.S. Department of Commerce"}  # its English label
    assert "蓝湾半导体集团" in {r["recipient"] for r in rows}
    assert all(r["recipient"] for r in rows), rows
    result = run(
        tmp_path,
        "query",
        "claims-about-entity",
        "--param",
        "entity=蓝湾半导体集团",
        "--format",
        "json",
    )
    rows = json.loads(result.stdout)
    assert len(rows) == 5 and all("蓝湾半导体集团" in (r["subject"], r["object"]) for r in rows)
