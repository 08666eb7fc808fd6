"""Extraction building blocks: numbers, money, dates, entity linking, the curated overlay."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from chipkg.cli import cli
from chipkg.extract.amounts import (
    cn_number,
    find_dates,
    find_durations,
    find_money,
    find_target_years,
    to_cn_number,
)
from chipkg.extract.entities import Entity, Linker, default_linker
from tests.conftest import BUNDLED, FIXTURES


@given(st.integers(0, 9999))
def test_chinese_numerals_round_trip(n):
    assert cn_number(to_cn_number(n)) == n


@pytest.mark.parametrize(
    ("text", "value", "currency", "qualifier"),
    [
        ("计划总拨款 527亿美元，", "52700000000", "USD", ""),
        ("每个项目最高获 1.5亿美元资助", "150000000", "USD", ""),
        ("总投入超过 85亿美元", "8500000000", "USD", "over"),
        ("计划投资约 20万亿韩元建设", "20000000000000", "KRW", "approximately"),
        ("投资了近 3 亿美元用于", "300000000", "USD", "nearly"),
        ("合计 1.79亿美元资金支持", "179000000", "USD", "total"),
        ("首期资助 3200万美元", "32000000", "USD", ""),
        ("高达二十亿日元", "2000000000", "JPY", "up to"),
        ("拨款三千万英镑", "30000000", "GBP", ""),
        ("提供总额 9.4亿澳元的支持", "940000000", "AUD", "total"),
        ("以 5亿加元收购", "500000000", "CAD", ""),
        ("投资 100亿台币", "10000000000", "TWD", ""),
        ("投资 8亿瑞士法郎", "800000000", "CHF", ""),
        ("约 50亿沙特里亚尔", "5000000000", "SAR", "approximately"),
    ],
)
def test_money(text, value, currency, qualifier):
    [m] = find_money(text)
    assert (m.value, m.currency, m.qualifier) == (Decimal(value), currency, qualifier)


@pytest.mark.parametrize("text", ["投资 5亿里亚尔", "投资 5亿迪拉姆", "投资 5亿里拉"])
def test_a_currency_name_several_countries_share_is_not_guessed(text):
    assert find_money(text) == []


def test_a_stated_conversion_is_a_second_amount_not_a_rate():
    [m] = find_money("德国提供 50亿欧元（约 56亿美元）补贴")
    assert (m.value, m.currency) == (Decimal("5000000000"), "EUR")
    assert (m.conversion.value, m.conversion.currency, m.conversion.qualifier) == (
        Decimal("5600000000"),
        "USD",
        "approximately",
    )


def test_dates_targets_and_durations():
    assert [d.value for d in find_dates("据官网 2024年 12月 23日报道")] == ["2024-12-23"]
    assert [(d.value, d.part) for d in find_dates("2025年初，台积电")] == [("2025", "early")]
    assert [d.value for d in find_dates("2024年 12月，CPO与")] == ["2024-12"]
    assert [y for _, y in find_target_years("计划到 2027年实现")] == [2027]
    assert [y for _, y in find_target_years("到 2030年，美国")] == [2030]
    assert [d for _, d in find_durations("提供为期四年合计")] == ["P4Y"]


def tiny_linker() -> Linker:
    def e(eid, etype, en, zh, aliases=(), country=""):
        return Entity(eid, etype, en, zh, tuple(aliases), country, "", "")

    ents = [
        e("united-states", "Country", "United States", "美国"),
        e("china", "Country", "China", "中国"),
        e("sk-hynix", "Company", "SK hynix", "SK海力士", ["SK hynix"], "south-korea"),
        e("south-korea", "Country", "South Korea", "韩国"),
        e("eu", "SupranationalBody", "European Union", "欧盟", ["EU"]),
        e("euv", "Technology", "EUV lithography", "EUV光刻", ["EUV"]),
        e("high-na-euv", "Technology", "High-NA EUV", "高NA EUV"),
        e(
            "us-doc",
            "GovernmentAgency",
            "US Department of Commerce",
            "美国商务部",
            ["商务部"],
            "united-states",
        ),
        e(
            "mofcom",
            "GovernmentAgency",
            "Ministry of Commerce of China",
            "中国商务部",
            ["商务部"],
            "china",
        ),
    ]
    return Linker({x.id: x for x in ents})


def test_linking_normalises_spaces_width_and_case_and_prefers_the_longest_name():
    lk = tiny_linker()
    got = [(m.surface, m.entity) for m in lk.link("ＳＫ 海力士与 sk hynix 采用高 NA EUV 设备")]
    assert got == [
        ("ＳＫ 海力士", "sk-hynix"),
        ("sk hynix", "sk-hynix"),
        ("高 NA EUV", "high-na-euv"),
    ]


def test_latin_names_respect_word_boundaries():
    lk = tiny_linker()
    assert [m.entity for m in lk.link("EUV光刻与EU政策")] == ["euv", "eu"]
    assert [m.entity for m in lk.link("EUVL")] == []


def test_shared_names_are_resolved_by_context():
    lk = tiny_linker()
    # a section about the US outweighs a country named as the object
    assert [m.entity for m in lk.link("商务部新增中国实体", {"united-states"})] == [
        "us-doc",
        "china",
    ]
    # an unambiguous organisation in the same passage gives its country
    assert [m.entity for m in lk.link("中国商务部回应，商务部表示")] == ["mofcom", "mofcom"]
    # a country mentioned nearby decides when nothing stronger does
    assert [m.entity for m in lk.link("商务部表示", set(), {"china"})] == ["mofcom"]


def test_the_reference_table_is_complete_and_consistent():
    linker = default_linker()
    assert len(linker.entities) >= 150
    for e in linker.entities.values():
        assert e.label_en and e.label_zh
    # every name is linked back to its own entity (or a more specific one sharing it)
    for e in linker.entities.values():
        assert any(m.entity for m in linker.link(e.label_zh)), e.id


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "graph" / "sources").mkdir(parents=True)
    (tmp_path / "graph" / "curated").mkdir(parents=True)
    shutil.copy(BUNDLED, tmp_path / "graph" / "sources" / BUNDLED.name)
    return tmp_path


CURATED_HEADER = (
    "action,quote,subject,predicate,object,value,amount,currency,qualifier,"
    "conversion_amount,conversion_currency,date,target_year,replaces,analyst,note\n"
)


def test_curated_quote_that_does_not_exist_is_listed_as_stale_naming_the_line(project: Path):
    """A quote the report no longer has (the report was edited) is a stale row: a warning naming
    the file and line, the row not applied, the build done (issue 20)."""
    (project / "graph" / "curated" / "ic-landscape-2024.csv").write_text(
        CURATED_HEADER + "add,台积电在火星建厂,tsmc,builds,tsmc-arizona,,,,,,,,,,alice,\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["--project", str(project), "build", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "ic-landscape-2024.csv:2: stale add row (not applied)" in result.stderr
    assert "its quote is no longer in the report: «台积电在火星建厂»" in result.stderr
    summary = json.loads(result.stdout)["ic-landscape-2024"]
    assert summary["claims_by_analysts"] == 0


def test_curated_correction_supersedes_without_deleting(project: Path, tmp_path: Path):
    from chipkg.analysis.query import select
    from chipkg.graph.store import open_store

    (project / "graph" / "curated" / "ic-landscape-2024.csv").write_text(
        CURATED_HEADER
        + "correct,台积电在美国亚利桑那州获得 66亿美元资助,us-department-of-commerce,funds,tsmc,,"
        "6600000000,USD,,,,,,united-states funds tsmc,alice,the award is made by DOC\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["--project", str(project), "build", "--format", "json"])
    assert result.exit_code == 0, result.output
    st = open_store(project / "graph" / "build")
    rows = select(
        st,
        """
        PREFIX ckg: <https://w3id.org/chipkg/ontology#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?new ?old ?s ?who (COUNT(?src) AS ?n) WHERE {
          ?new ckg:supersedes ?old ; ckg:claimSubject ?s ; prov:wasAttributedTo ?w ;
               prov:wasDerivedFrom ?src .
          ?w <http://www.w3.org/2000/01/rdf-schema#label> ?who . FILTER(lang(?who) = "en")
          ?old a ckg:Claim .
        } GROUP BY ?new ?old ?s ?who""",
    )
    assert len(rows) == 1
    assert rows[0]["s"].endswith("entity/us-department-of-commerce") and rows[0]["who"] == "alice"
    assert rows[0]["n"] == 1  # the passage's own source (the commerce.gov TSMC award)
    # the superseded claim is kept, but its direct triple is not asserted
    ask = select(
        st,
        """
        PREFIX ckg: <https://w3id.org/chipkg/ontology#>
        PREFIX id: <https://w3id.org/chipkg/id/entity/>
        SELECT ?x WHERE { id:united-states ckg:funds id:tsmc . BIND(1 AS ?x) }""",
    )
    assert ask == []


def test_unknown_organisation_candidates_are_listed(tmp_path: Path):
    import json

    text = (
        (FIXTURES / "marker_rules.txt")
        .read_text(encoding="utf-8")
        .replace("多家企业在新的工艺平台上", "星海半导体公司与 Quantum Forge Labs在新的工艺平台上")
    )
    report = tmp_path / "unknown_orgs.txt"
    report.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["entities", "--unknown", "--format", "json", str(report)])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert set(rows) == {"星海半导体公司", "Quantum Forge Labs"}
    assert rows["星海半导体公司"][0]["line"] == 9


# ---- rule data files: a bad entry is one error naming the file and line


def _bad_copy(tmp_path: Path, name: str, old: str, new: str) -> Path:
    from chipkg.extract.ruledata import data_path

    text = data_path(name).read_text(encoding="utf-8")
    assert old in text
    bad = tmp_path / name
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    return bad


def _line_of(path: Path, fragment: str) -> int:
    return next(
        i
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if fragment in line
    )


@pytest.mark.parametrize(
    ("old", "new", "fragment", "message"),
    [
        ('predicate = "acquires"', 'predicate = "acquire"', 'predicate = "acquire"', "'acquire'"),
        ('pattern = "passive"', 'pattern = "pasive"', '"pasive"', "'pasive'"),
        ('subject = ["company"]', 'subject = ["compnay"]', '"compnay"', "compnay"),
        ("max_gap = 10", 'max_gap = "10"', 'max_gap = "10"', "must be an integer"),
        ('context = "领域|方面"', 'context = "领域|(方面"', '"领域|(方面"', "regular expression"),
        ('window = "sentence"', 'windw = "sentence"', "windw", "unknown key 'windw'"),
    ],
)
def test_a_bad_relation_rule_names_its_line(tmp_path, old, new, fragment, message):
    from chipkg.errors import ChipkgError
    from chipkg.extract.rules import load_rules

    bad = _bad_copy(tmp_path, "relations.toml", old, new)
    with pytest.raises(ChipkgError) as err:
        load_rules(bad)
    assert str(err.value).startswith(f"{bad}:{_line_of(bad, fragment)}: "), str(err.value)
    assert message in str(err.value)


def test_a_rule_without_triggers_names_its_header_line(tmp_path):
    from chipkg.errors import ChipkgError
    from chipkg.extract.rules import load_rules

    bad = _bad_copy(tmp_path, "relations.toml", 'triggers = ["收购", "并购"]\n', "")
    with pytest.raises(ChipkgError, match="has no 'triggers'") as err:
        load_rules(bad)
    line = int(str(err.value).split(":")[1])
    assert bad.read_text(encoding="utf-8").splitlines()[line - 1] == "[[rule]]"
    assert 'predicate = "acquires"' in bad.read_text(encoding="utf-8").splitlines()[line]


def test_bad_currency_and_cue_entries_name_their_lines(tmp_path):
    from chipkg.errors import ChipkgError
    from chipkg.extract.amounts import load_currencies, load_qualifiers
    from chipkg.extract.cues import load_cues

    bad = _bad_copy(tmp_path, "amounts.toml", 'code = "EUR"', 'code = "euro"')
    with pytest.raises(ChipkgError, match="ISO 4217") as err:
        load_currencies(bad)
    line = _line_of(bad, "euro")
    assert str(err.value).startswith(f"{bad}:{line}: ")
    bad = _bad_copy(tmp_path, "amounts.toml", 'means = "nearly"', 'means = "almost"')
    with pytest.raises(ChipkgError, match="almost"):
        load_qualifiers(bad)
    bad = _bad_copy(
        tmp_path, "entity_cues.toml", 'kinds = ["PackagingFacility"]', 'kinds = ["Plant"]'
    )
    with pytest.raises(ChipkgError, match="'Plant'") as err:
        load_cues(bad)
    assert str(err.value).startswith(f"{bad}:{_line_of(bad, 'Plant')}: ")
    bad = tmp_path / "broken.toml"
    bad.write_text('[[currency]]\nword = "美元"\ncode = \n', encoding="utf-8")
    with pytest.raises(ChipkgError, match="not valid TOML") as err:
        load_currencies(bad)
    assert str(err.value).startswith(f"{bad}:3: ")


def test_the_packaged_rule_data_loads():
    from chipkg.extract.amounts import load_currencies
    from chipkg.extract.cues import load_cues
    from chipkg.extract.rules import load_rules

    assert len(load_rules()) >= 40
    assert load_currencies()["美元"] == "USD"
    assert any(n.noun == "晶圆厂" for n in load_cues().facility_nouns)


def test_a_curated_claim_spans_its_quote(project: Path):
    from chipkg.extract.entities import Linker, load_entities
    from chipkg.extract.pipeline import extract
    from chipkg.ingest import citations, report

    curated = project / "graph" / "curated" / "ic-landscape-2024.csv"
    curated.write_text(
        CURATED_HEADER + "add,台积电在美国亚利桑那州获得 66亿美元资助,us-department-of-commerce,"
        "funds,tsmc,,,,,,,,,,alice,\n",
        encoding="utf-8",
    )
    path = project / "graph" / "sources" / "ic-landscape-2024.txt"
    parsed = report.parse_report(path, "ic-landscape-2024")
    ex = extract(parsed, citations.resolve(parsed), Linker(load_entities()), curated)
    [c] = [ec.claim for ec in ex.claims if ec.made_by == "analyst:alice"]
    a, b = c.span
    assert parsed.text[a:b].replace("\n", "") == "台积电在美国亚利桑那州获得 66亿美元资助"
