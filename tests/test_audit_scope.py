"""The provenance audit on real report text: one article of the bundled report at a time, the
fixture reports for consistency and near-duplicate URLs (built through the CLI), the JSON schema
in docs/audit.schema.json, the command's options and its errors for bad input.

The expected sources of each article were read off the report text (the footnote each marker of
the article points at, pages 14–19 and 32), not copied from the program's output."""

from __future__ import annotations

import json
import re
import shutil
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from chipkg.check.audit import render_html, render_text, run_audit, to_json
from chipkg.cli import cli
from chipkg.errors import ChipkgError
from chipkg.graph.store import open_store

from .conftest import FIXTURES, ROOT

SCHEMA = json.loads((ROOT / "docs" / "audit.schema.json").read_text(encoding="utf-8"))

NIST_PDF = (
    "https://www.nist.gov/system/files/documents/2025/01/10/"
    "The%20CHIPS%20Program%20Office%20Vision%20for%20Success%20-%20Two%20Years%20Later.pdf"
)
ENERGY = (
    "https://www.energy.gov/science/articles/"
    "department-energy-announces-179-million-microelectronics-science-research-centers"
)
LLNL = (
    "https://www.llnl.gov/article/52226/"
    "llnl-selected-lead-next-gen-extreme-ultraviolet-lithography-research"
)
WHITEHOUSE = (
    "https://www.whitehouse.gov/briefing-room/statements-releases/2025/01/13/"
    "fact-sheet-ensuring-u-s-security-and-economic-strength-in-the-age-of-artificial-intelligence/"
)
FEDREG = (
    "https://www.federalregister.gov/public-inspection/2025-00636/"
    "framework-for-artificial-intelligence-diffusion"
)
REUTERS = (
    "https://www.reuters.com/technology/artificial-intelligence/"
    "trump-officials-discussing-tightening-curbs-nvidias-china-sales-bloomberg-2025-01-29/"
)
NVIDIA = "https://blogs.nvidia.com/blog/ai-policy/"
NL = (
    "https://www.government.nl/latest/news/2025/01/15/"
    "klever-export-controls-on-advanced-semiconductor-manufacturing-equipment-to-be-tightened"
)
USTR = (
    "https://ustr.gov/about-us/policy-offices/press-office/press-releases/2024/december/"
    "ustr-initiates-section-301-investigation-chinas-acts-policies-and-practices-related-targeting"
)
MOFCOM = "https://cacs.mofcom.gov.cn/article/flfwpt/jyjdy/cgal/202412/182868.html"
NATE = "https://news.nate.com/view/20241218n29427"
KBW = (
    "http://koreabizwire.com/"
    "korea-considers-establishing-ksmc-to-bolster-semiconductor-ecosystem/301233"
)
GAO = "https://www.gao.gov/products/gao-25-107876"


# --------------------------------------------------------------------------------------------
# A small JSON Schema validator for the keywords docs/audit.schema.json uses, so the schema is
# checked without a dependency; the `jsonschema` package, when installed, checks it as well.
# --------------------------------------------------------------------------------------------

_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}
_KNOWN = {
    "$schema", "$id", "$defs", "title", "description", "$ref", "type", "enum", "const",
    "properties", "required", "additionalProperties", "unevaluatedProperties", "items",
    "minItems", "minimum", "maximum", "exclusiveMinimum", "pattern", "anyOf",
}  # fmt: skip


def _resolve(ref: str) -> dict:
    node = SCHEMA
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def _declared(schema: dict) -> set[str]:
    """Property names a schema and the schemas it refers to declare (for unevaluatedProperties)."""
    names = set(schema.get("properties", {}))
    if "$ref" in schema:
        names |= _declared(_resolve(schema["$ref"]))
    return names


def schema_errors(value: object, schema: dict, path: str = "$") -> list[str]:
    unknown = set(schema) - _KNOWN
    assert not unknown, f"{path}: the test validator does not know {unknown}"
    errors: list[str] = []
    if "$ref" in schema:
        errors += schema_errors(value, _resolve(schema["$ref"]), path)
    if "anyOf" in schema and all(schema_errors(value, s, path) for s in schema["anyOf"]):
        errors.append(f"{path}: matches none of anyOf")
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_TYPES[t](value) for t in types):
            return errors + [f"{path}: {value!r:.60} is not {types}"]
    if "const" in schema and value != schema["const"]:
        errors.append(f"{path}: {value!r} != {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: {value!r} not in {schema['enum']}")
    if _TYPES["number"](value):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{path}: {value} < {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(f"{path}: {value} > {schema['maximum']}")
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            errors.append(f"{path}: {value} <= {schema['exclusiveMinimum']}")
    if isinstance(value, str) and "pattern" in schema and not re.search(schema["pattern"], value):
        errors.append(f"{path}: {value!r} does not match {schema['pattern']}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            errors.append(f"{path}: fewer than {schema['minItems']} items")
        if "items" in schema:
            for i, item in enumerate(value):
                errors += schema_errors(item, schema["items"], f"{path}[{i}]")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        errors += [
            f"{path}: '{k}' is required" for k in schema.get("required", ()) if k not in value
        ]
        for k, v in value.items():
            if k in props:
                errors += schema_errors(v, props[k], f"{path}.{k}")
            elif schema.get("additionalProperties") is False:
                errors.append(f"{path}: '{k}' is not in the schema")
            elif isinstance(schema.get("additionalProperties"), dict):
                errors += schema_errors(v, schema["additionalProperties"], f"{path}.{k}")
        if schema.get("unevaluatedProperties") is False:
            extra = set(value) - _declared(schema)
            errors += [f"{path}: '{k}' is not in the schema" for k in sorted(extra)]
    return errors


def assert_valid(audit: dict) -> None:
    doc = json.loads(to_json(audit))  # what a reader of the JSON output sees
    errors = schema_errors(doc, SCHEMA)
    assert not errors, "\n".join(errors[:20])
    try:
        import jsonschema
    except ImportError:
        return
    jsonschema.Draft202012Validator(SCHEMA).validate(doc)


def test_schema_validator_rejects_what_the_schema_forbids(built_store):
    audit = json.loads(to_json(run_audit(built_store)))
    assert schema_errors(audit, SCHEMA) == []
    audit["claims"][0]["extra"] = 1  # a key the documentation does not name
    audit["fit"]["publisher_mismatch"][0].pop("severity")
    audit["sources"]["items"][0]["kind"] = "blog"
    audit["summary"]["findings"]["uncited_claims"] = -1
    audit["links"] = {"checked": True}
    assert schema_errors(audit, SCHEMA) == [
        "$.summary.findings.uncited_claims: -1 < 0",
        "$.claims[0]: 'extra' is not in the schema",
        "$.sources.items[0].kind: 'blog' not in "
        "['government', 'company', 'thinktank', 'media', 'academic', 'other']",
        "$.fit.publisher_mismatch[0]: 'severity' is required",
        "$.links: matches none of anyOf",
    ]


def test_schema_names_every_key_docs_audit_md_documents():
    """The top-level keys and the claim row are listed in docs/audit.md; the schema file must
    name the same keys, in the same order for the top level."""
    doc = (ROOT / "docs" / "audit.md").read_text(encoding="utf-8")
    table = doc.split("## JSON schema")[1].split("**Claim row**")[0]
    documented = re.findall(r"^\| `(\w+)` \|", table, flags=re.M)
    assert documented == SCHEMA["required"] == list(SCHEMA["properties"])
    claim_row = doc.split("**Claim row**")[1].split("**Coverage block**")[0]
    named = set(re.findall(r"`(\w+)`", claim_row))
    assert set(SCHEMA["$defs"]["claimRow"]["required"]) <= named


def test_bundled_json_matches_the_schema(built_store):
    assert_valid(run_audit(built_store))
    for number in range(10):
        assert_valid(run_audit(built_store, article=number))


# --------------------------------------------------------------------------------------------
# One article of the bundled report
# --------------------------------------------------------------------------------------------

# article number -> the URLs its markers point at, read off the report
ARTICLE_SOURCES = {
    1: {ENERGY, LLNL},  # p14 fn1; p15 fn1 (the ELMIC paragraph, before article 2's title)
    2: {WHITEHOUSE, FEDREG, REUTERS, NVIDIA},  # p15 fn2, fn3; p16 fn1; p17 fn1 (英伟达表示1)
    3: {NL},  # p17 fn2
    4: {USTR, MOFCOM},  # p17 fn3; p18 fn1 (举行公开听证会1, before article 5's title)
    5: {"https://sam.gov/opp/c0368342762645a794d66341be88dfba/view"},  # p18 fn2
    6: {NATE, KBW},  # p19 fn1, one footnote holding two URLs
    7: {NIST_PDF},  # p20 fn1; fn2 is explanatory text with no URL
    8: set(),  # pages 27–31: no marker, no footnote
    9: {GAO},  # p32 fn1
}


def test_each_article_rests_on_the_footnotes_its_markers_cite(built_store):
    full = run_audit(built_store)
    seen: set[str] = set()
    for number, expected in ARTICLE_SOURCES.items():
        audit = run_audit(built_store, article=number)
        assert {s["url"] for s in audit["sources"]["items"]} == expected, number
        assert audit["scope"]["article"]["number"] == number
        row = next(a for a in full["coverage"]["by_article"] if a["number"] == number)
        assert audit["coverage"]["passages"] == row["passages"]
        assert audit["coverage"]["claims"] == row["claims"]
        seen |= expected
    # the main report (article 0, pages 1–13) cites none of these 14 URLs and the other 54
    main = run_audit(built_store, article=0)
    main_urls = {s["url"] for s in main["sources"]["items"]}
    assert len(seen) == 14 and len(main_urls) == 54 and not (main_urls & seen)
    assert main_urls | seen == {s["url"] for s in full["sources"]["items"]}


def test_article_scope_details(built_store):
    # article 8 (DOE quantum roadmap, page 27): nothing cited
    a8 = run_audit(built_store, article=8)
    assert a8["scope"]["article"] == {
        "id": a8["coverage"]["by_article"][0]["article"],
        "number": 8,
        "title": "美国能源部发布《量子信息科学应用路线图》",
        "page": 27,
        "lines": [1381, 1747],  # its title line; the line before article 9's title
    }
    assert a8["coverage"]["passages"]["cited"] == 0
    assert a8["summary"]["sources"] == 0 and a8["sources"]["concentration"]["hhi"] == 0
    assert [c["line"] for c in a8["coverage"]["uncited_claims"]] == [1383, 1385]
    assert len(a8["coverage"]["articles_without_sources"]) == 1
    # article 7 (CHIPS Program Office, pages 20–26): one lead source, its explanatory footnote
    # (p20 fn2, line 1048) and the '台积电的 N4、' number (line 1061) fall inside it
    a7 = run_audit(built_store, article=7)
    assert a7["sources"]["items"][0]["footnotes"] == ["p20 fn1"]
    assert a7["coverage"]["claims"]["by_level"]["lead"] == a7["coverage"]["claims"]["total"]
    assert [(f["kind"], f["line"]) for f in a7["hygiene"]["parse_findings"]["items"]] == [
        ("text-footnote", 1048),
        ("number-not-marker", 1061),
    ]
    # the main report keeps the six duplicate footnotes and the flagged CSIS article
    a0 = run_audit(built_store, article=0)
    assert a0["summary"]["findings"]["duplicate_footnotes"] == 6
    assert a0["summary"]["findings"]["over_cited_sources"] == 1
    assert [f["line"] for f in a0["hygiene"]["parse_findings"]["items"]] == [63]
    assert "ic-landscape-2024" in render_text(a0)
    assert "<!DOCTYPE html>" in render_html(a7)


def test_article_errors(built_store):
    with pytest.raises(ChipkgError, match=r"no article 10 in report 'ic-landscape-2024'") as e:
        run_audit(built_store, article=10)
    assert "numbered 0–9" in str(e.value)
    two = ox.Store()
    for rid in ("one", "two"):
        two.add(
            ox.Quad(
                ox.NamedNode(f"https://w3id.org/chipkg/id/report/{rid}"),
                ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                ox.NamedNode("https://w3id.org/chipkg/ontology#Report"),
                ox.NamedNode(f"https://w3id.org/chipkg/id/graph/{rid}"),
            )
        )
    with pytest.raises(ChipkgError, match="an article number needs one report: .* one, two"):
        run_audit(two, article=1)
    assert run_audit(two, report="two", article=None)["summary"]["reports"] == ["two"]


# --------------------------------------------------------------------------------------------
# Fixture reports, built through the CLI
# --------------------------------------------------------------------------------------------


def build_fixture(tmp_path: Path, *names: str) -> Path:
    project = tmp_path / "project"
    (project / "graph" / "sources").mkdir(parents=True)
    for name in names:
        shutil.copy(FIXTURES / name, project / "graph" / "sources" / name)
    r = CliRunner().invoke(cli, ["--project", str(project), "build", "--no-validate"])
    assert r.exit_code == 0, r.output
    return project


def test_consistency_lists_two_amounts_side_by_side(tmp_path: Path):
    """audit_consistency.txt states TSMC's Arizona subsidy as 66亿美元 (page 1, line 5, citing
    commerce.gov) and as 50亿美元 (page 2, line 15, citing Reuters); Samsung's NRD-K investment
    is 约 20万亿韩元 in both places, under two other sources."""
    project = build_fixture(tmp_path, "audit_consistency.txt")
    audit = run_audit(open_store(project / "graph" / "build"))
    assert_valid(audit)
    [conflict] = audit["consistency"]["conflicts"]
    assert (
        conflict["subject"]["en"],
        conflict["relation"]["en"],
        conflict["object"]["en"],
        conflict["facet"],
        conflict["values"],
    ) == ("United States", "funds", "TSMC", "amount", ["5,000,000,000 USD", "6,600,000,000 USD"])
    gov = "https://www.commerce.gov/news/press-releases/2024/11/chips-incentives-award-tsmc"
    media = "https://www.reuters.com/technology/tsmc-arizona-award"
    assert [
        (s["page"], s["line"], s["stated"], s["text"], s["sources"], s["source_kinds"])
        for s in conflict["statements"]
    ] == [
        (
            1,
            5,
            "6,600,000,000 USD",
            "台积电在美国亚利桑那州获得 66亿美元资助，用于 2nm及以下先进制程量产。",
            [gov],
            {gov: "government"},
        ),
        (
            2,
            15,
            "5,000,000,000 USD",
            "台积电在美国亚利桑那州获得 50亿美元资助，用于建设先进制程晶圆厂。",
            [media],
            {media: "media"},
        ),
    ]
    assert "different amounts: 5,000,000,000 USD vs 6,600,000,000 USD" in conflict["reasoning"]
    # the same amount under different sources is consistent
    samsung = [
        (r["relation"]["en"], r["pages"])
        for r in audit["consistency"]["repeated_consistent"]
        if r["subject"]["en"] == "Samsung Electronics"
    ]
    assert ("invests in", [1, 2]) in samsung
    assert audit["summary"]["findings"]["consistency_conflicts"] == 1
    # side by side in the text and the HTML
    text = render_text(audit)
    assert "p1 l5  6,600,000,000 USD  「台积电在美国亚利桑那州获得 66亿美元资助" in text
    assert "p2 l15  5,000,000,000 USD  「台积电在美国亚利桑那州获得 50亿美元资助" in text
    page = render_html(audit)
    box = page.split('<div class="conflict" id="conflict-0">')[1].split('<div class="conflict"')[0]
    assert box.count('<div class="card">') == 2
    assert box.index(f'href="{gov}"') < box.index(f'href="{media}"')


def test_near_duplicate_urls_from_a_report(tmp_path: Path):
    """audit_near_duplicates.txt cites one commerce page four ways (as printed, over http with a
    trailing slash, with utm_ tracking parameters, with a fragment) and another with and
    without 'www.'."""
    project = build_fixture(tmp_path, "audit_near_duplicates.txt")
    audit = run_audit(open_store(project / "graph" / "build"))
    assert_valid(audit)
    hyg = audit["hygiene"]
    assert hyg["duplicate_footnotes"] == []  # no URL is printed twice on one page
    first, second = hyg["near_duplicate_urls"]
    assert first["key"] == "example.gov/news/chips-award"
    assert [(u["url"], u["normalised"], u["footnotes"]) for u in first["urls"]] == [
        (
            "http://www.example.gov/news/chips-award/",
            ["www.", "http", "trailing slash"],
            ["audit_near_duplicates p1 fn2"],
        ),
        ("https://www.example.gov/news/chips-award", ["www."], ["audit_near_duplicates p1 fn1"]),
        (
            "https://www.example.gov/news/chips-award#section-2",
            ["www.", "fragment (#section-2)"],
            ["audit_near_duplicates p2 fn2"],
        ),
        (
            "https://www.example.gov/news/chips-award?utm_source=wechat&utm_medium=social",
            ["www.", "tracking parameters (utm_medium, utm_source)"],
            ["audit_near_duplicates p2 fn1"],
        ),
    ]
    assert first["differences"] == [
        "fragment (#section-2)",
        "scheme (http/https)",
        "tracking parameters (utm_medium, utm_source)",
        "trailing slash",
    ]
    assert second["key"] == "example.gov/news/export-rule"
    assert [u["footnotes"] for u in second["urls"]] == [
        ["audit_near_duplicates p2 fn3"],
        ["audit_near_duplicates p1 fn3"],
    ]
    assert second["differences"] == ["www."]
    assert audit["summary"]["findings"]["near_duplicate_urls"] == 2
    assert "4 URLs differ only in fragment (#section-2), scheme (http/https)" in render_text(audit)


# --------------------------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------------------------


def test_command_article_and_outputs(built_project: Path, tmp_path: Path):
    run = CliRunner().invoke
    base = ["--project", str(built_project), "audit"]
    r = run(cli, [*base, "--article", "9", "--format", "json"])
    assert r.exit_code == 0, r.output
    audit = json.loads(r.stdout)
    assert audit["scope"]["article"]["number"] == 9
    assert [s["url"] for s in audit["sources"]["items"]] == [GAO]
    # -o writes exactly what stdout shows, and twice the same bytes
    out = tmp_path / "a9.json"
    r = run(cli, [*base, "--article", "9", "--format", "json", "-o", str(out)])
    assert r.exit_code == 0 and out.read_text(encoding="utf-8") == to_json(audit)
    pages = []
    for name in ("one.html", "two.html"):  # a folder that does not exist yet is made
        html_out = tmp_path / "sub" / name
        r = run(
            cli, [*base, "--report", "ic-landscape-2024", "--format", "html", "-o", str(html_out)]
        )
        assert r.exit_code == 0, r.output
        pages.append(html_out.read_bytes())
    assert pages[0] == pages[1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--article", "10"],
            "no article 10 in report 'ic-landscape-2024' — its articles are numbered 0–9",
        ),
        (["--article", "-1"], "Invalid value for '--article'"),
        (["--report", "nope"], "no report graph 'nope' in this build — reports: ic-landscape-2024"),
        (["--link-concurrency", "0"], "Invalid value for '--link-concurrency'"),
        (["--format", "pdf"], "Invalid value for '--format'"),
    ],
)
def test_command_rejects_bad_options(built_project: Path, args: list[str], message: str):
    r = CliRunner().invoke(cli, ["--project", str(built_project), "audit", *args])
    assert r.exit_code == 2
    assert message in r.output
    assert "Traceback" not in r.output


def test_command_errors_name_the_file(built_project: Path, tmp_path: Path):
    run = CliRunner().invoke
    missing = tmp_path / "nowhere"
    r = run(cli, ["audit", str(missing)])
    assert r.exit_code == 2 and f"error: {missing}: no built graph here" in r.output
    ontology = ROOT / "ontology" / "chipkg.ttl"  # a valid graph holding no report
    r = run(cli, ["audit", str(ontology)])
    assert r.exit_code == 2
    assert f"error: {ontology}: no report graph in this build" in r.output
    broken = tmp_path / "broken.trig"
    broken.write_text("this is not TriG\n", encoding="utf-8")
    r = run(cli, ["audit", str(broken)])
    assert r.exit_code == 2 and f"error: {broken}: cannot read the built graph" in r.output
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    target = blocker / "audit.html"  # its folder is a file
    r = run(cli, ["--project", str(built_project), "audit", "--format", "html", "-o", str(target)])
    assert r.exit_code == 2 and f"error: {target}: cannot write the audit" in r.output
    assert "Traceback" not in r.output


class _Ok(BaseHTTPRequestHandler):
    def do_HEAD(self) -> None:  # noqa: N802
        self.send_response(200 if self.path == "/doc" else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def test_command_checks_links_of_a_built_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A report whose footnotes point at a server on 127.0.0.1, built and audited with
    --check-links through the command line: the only network the tests use. The build accepts
    host names only, so the report names 'links.chipkg.test', which resolves to 127.0.0.1 here."""
    real_getaddrinfo = socket.getaddrinfo

    def local_only(host, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        assert host == "links.chipkg.test", f"the test tried to reach {host}"
        return real_getaddrinfo("127.0.0.1", *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", local_only)
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "*")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://links.chipkg.test:{server.server_address[1]}"
        project = tmp_path / "project"
        (project / "graph" / "sources").mkdir(parents=True)
        (project / "graph" / "sources" / "audit_links.txt").write_text(
            " 链接测试报告\n\n一、测试章节\n\n某机构发布研究报告1。该报告已经下线2。\n\n"
            f"1 {base}/doc\n2 {base}/gone\n",
            encoding="utf-8",
        )
        run = CliRunner().invoke
        r = run(cli, ["--project", str(project), "build", "--no-validate"])
        assert r.exit_code == 0, r.output
        r = run(
            cli,
            [
                "--project", str(project), "audit", "--format", "json", "--check-links",
                "--link-timeout", "3", "--link-concurrency", "2",
            ],
        )  # fmt: skip
        assert r.exit_code == 0, r.output
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    audit = json.loads(r.stdout)
    assert_valid(audit)
    links = audit["links"]
    assert (links["timeout"], links["concurrency"]) == (3.0, 2)
    assert [(x["url"], x["status"], x["outcome"]) for x in links["results"]] == [
        (f"{base}/doc", 200, "ok"),
        (f"{base}/gone", 404, "broken"),
    ]
    assert audit["summary"]["findings"]["broken_links"] == 1
