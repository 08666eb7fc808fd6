"""Open-world entities: the finders (one invented sentence each), resolution against the table,
and the life cycle of a provisional entity: minted from two reports as one entity, described in
the graph and reported by validation as info, listed, promoted into the project's table, rebuilt
as a table entity. None of the sentences comes from a report."""

from __future__ import annotations

import hashlib
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef

from chipkg.cli import cli
from chipkg.extract import cue_finders, names
from chipkg.extract.entities import default_linker
from chipkg.extract.linking import link_text
from chipkg.extract.provisional import Candidate, mint, slug
from tests.conftest import ROOT

OPEN_WORLD = ROOT / "tests" / "fixtures" / "open_world"
CKG = "https://w3id.org/chipkg/ontology#"
ENTITY = "https://w3id.org/chipkg/id/entity/"


def view(text: str) -> names.Passage:
    lk = default_linker()
    return names.Passage(
        0,
        text,
        link_text(text, lk),
        lk.entities,
        ("united-states",),
        names.generic_words(lk.entities),
    )


# finder -> (sentence, the name it must find, its type, an alias it must give or "")
FINDER_CASES = {
    "bracketed_abbreviation": (
        "星海半导体公司（SSMC）宣布扩产。",
        "星海半导体公司",
        "Company",
        "SSMC",
    ),
    "quoted_name": (
        "欧盟启动“光子之桥”（Photon Bridge）项目。",
        "光子之桥",
        "FundingProgram",
        "Photon Bridge",
    ),
    "book_title": (
        "北海国政府发布《先进芯片产业促进条例》第 5条之 1。",
        "《先进芯片产业促进条例》第 5条之 1",
        "Law",
        "先进芯片产业促进条例第5条之1",
    ),
    "latin_name": ("Quantor Labs与英特尔合作开发新技术。", "Quantor Labs", "Company", ""),
    "person_name": ("北海州州长约翰·史密斯签署法案。", "约翰·史密斯", "Person", ""),
    "suffixed_name": ("蓝湾科技集团决定在长滨市新建一座工厂。", "蓝湾科技集团", "Company", ""),
    "government_of": ("北极星国政府批准向英特尔提供补贴。", "北极星国", "Country", ""),
    "place_after_place": ("英特尔将在纽约州格林港建设新工厂。", "格林港", "Region", ""),
    "operator_place_facility": ("美光科技格林港工厂正式投产。", "格林港", "Region", ""),
    "place_in_plant_name": ("英特尔将扩建其俄勒冈州长川工厂。", "长川", "Region", ""),
    "locative_place": ("英特尔在格林港建设研发中心。", "格林港", "Region", ""),
    "coordinated_name": ("该园区由英特尔和远山电子负责运营。", "远山电子", "Company", ""),
    "technology_variant": ("美光科技量产 2-delta DRAM。", "2-delta DRAM", "Technology", "2-delta"),
    "listed_before_kind": ("远山电子、北川材料等企业获得补贴。", "北川材料", "Company", ""),
    "numbered_plant": (
        "英特尔先进封测六厂投产。",
        "英特尔先进封测六厂",
        "PackagingFacility",
        "先进封测六厂",
    ),
    "technology_listed": ("远山集团开发倒装焊接和氮化镓技术。", "倒装焊接", "Technology", ""),
    "clause_subject": ("2025年 6月 9日，远山宣布收购北川公司。", "远山", "Company", ""),
    "argument_slot": ("北海国为远山拨款 5亿美元。", "远山", "Company", ""),
    "standard_name": ("北海存储联盟发布 NMX 2.0规范。", "NMX 2.0", "Technology", "NMX 2.0规范"),
    "led_centre": (
        "北川大学牵头的东部—西部 AI硬件中心获得资助。",
        "东部—西部 AI硬件中心",
        "ResearchCenter",
        "",
    ),
    "role_slot": ("该芯片由岚峰微代工生产。", "岚峰微", "Company", ""),
    "worked_on_technology": (
        "远山电子共同开发用于光刻设备的氢气回收技术。",
        "氢气回收技术",
        "Technology",
        "",
    ),
    "described_facility": (
        "英特尔将在纽约州建设新工厂。",
        "英特尔纽约州新工厂",
        "Fab",
        "新工厂",
    ),
}


def test_every_finder_has_a_case():
    finders = cue_finders.MARKED_FINDERS + cue_finders.CUE_FINDERS + cue_finders.DESCRIBED_FINDERS
    assert {f.__name__ for f in finders} == set(FINDER_CASES)


@pytest.mark.parametrize("finder", sorted(FINDER_CASES))
def test_finder(finder):
    text, name, etype, alias = FINDER_CASES[finder]
    fn = getattr(cue_finders, finder)
    found = {c.name: c for c in fn(view(text))}
    assert name in found, found
    assert found[name].type == etype
    if alias:
        assert alias in found[name].aliases + found[name].described_as


@pytest.mark.parametrize(
    "text",
    [
        "该公司与三家公司合作。",  # a determiner and a count: no name
        "先进封装与测试工厂投产。",  # common words only: a description
        "该州的半导体产业链不断完善。",  # 该州: not a place name
        "英特尔计划扩大产能。",  # 计划 after an actor is a verb
        "量子传感和 GPS技术受到关注。",  # short capitals: a common term
        "美国发布创新战略。",  # a two-word description is too short to name a programme
    ],
)
def test_descriptions_are_not_names(text):
    v = view(text)
    for rnd in (cue_finders.MARKED_FINDERS, cue_finders.CUE_FINDERS):
        assert names.find_candidates(v, rnd) == [], text


def _found(text: str) -> dict[str, str]:
    v = view(text)
    rounds = (cue_finders.MARKED_FINDERS, cue_finders.CUE_FINDERS, cue_finders.DESCRIBED_FINDERS)
    return {c.name: c.type for rnd in rounds for c in names.find_candidates(v, rnd)}


@pytest.mark.parametrize("verb", ["重启", "升级", "改造", "收回"])
def test_a_name_is_cut_after_its_verb(verb):
    assert _found(f"远山集团{verb}格林港工厂。") == {"远山集团": "Company", "格林港工厂": "Fab"}


# ---- names by general Chinese naming conventions (each an invented sentence)


@pytest.mark.parametrize(
    ("text", "name", "etype"),
    [
        # …电子 ends a company's name when the word ends there (a verb or 于 follows)
        ("远山电子于 2024年 3月宣布投资。", "远山电子", "Company"),
        ("远山电子位于长滨。", "远山电子", "Company"),
        # a place's legislature, and a state's or a city's government, are bodies of their own
        ("俄亥俄州议会已向英特尔投入资金。", "俄亥俄州议会", "GovernmentAgency"),
        ("俄亥俄州政府宣布向英特尔提供补贴。", "俄亥俄州政府", "GovernmentAgency"),
        ("长滨州政府宣布向英特尔提供补贴。", "长滨州政府", "GovernmentAgency"),
        # a Japanese town (…町) and a Chinese town (…镇) are places
        ("远山集团在北川县长滨町新建工厂。", "长滨町", "Region"),
        ("远山集团在长滨镇新建工厂。", "长滨镇", "Region"),
        # a name listed with an organisation before what both get or do
        ("北海部宣布向英特尔（Intel）和北川提供补贴。", "北川", "Company"),
        # 位于X的: where something is
        ("远山集团扩建其位于长滨的研发园区。", "长滨", "Region"),
        # 在 STATE X 建设: the place inside a place named by its suffix
        ("英特尔将在北川州长滨建设研发中心。", "长滨", "Region"),
        # 位于 REGION X 的 X晶圆厂: the place the plant is named for
        ("英特尔收购位于北川长滨的长滨晶圆厂。", "长滨", "Region"),
        # a quoted name ending in 中心, with a short form that keeps the head noun
        (
            "英特尔将建设“星河工艺创新及转化中心”（SRTC中心）。",
            "星河工艺创新及转化中心",
            "ResearchCenter",
        ),
        # …框架 names a strategy when a verb launches it
        ("北海国政府公布半导体产业基础强化框架。", "半导体产业基础强化框架", "Strategy"),
        # a region's name before a law the table has: the region's own law
        ("俄亥俄州州长签署《俄亥俄州芯片法案》。", "《俄亥俄州芯片法案》", "Law"),
        # the product line's word after the verb that governs it
        ("英特尔量产星河 Nova处理器。", "星河 Nova处理器", "Product"),
        ("英伟达提供最新的 GB900系统。", "GB900", "Product"),  # 最新的 is no brand
        ("上海微电子宣布扩产。", "上海微电子", "Company"),  # a name ending in a term
        # a Latin name that begins with a term the table has, called a company by the text
        ("英特尔收购氮化镓器件企业 GaN Works。", "GaN Works", "Company"),
        # a maker's name and a number before 制程: a process
        ("英特尔采用 Intel 9制程生产芯片。", "Intel 9", "Technology"),
        # 所持 (held) is no part of the plant's name
        ("远山集团出售其所持长滨晶圆厂的股份。", "长滨晶圆厂", "Fab"),
        # a ministry named by its remits listed with 、 and 和 after its place
        ("加拿大工业、贸易和就业部宣布补贴。", "加拿大工业、贸易和就业部", "GovernmentAgency"),
        ("美国工业和信息部宣布补贴。", "美国工业和信息部", "GovernmentAgency"),
        # the kind the text puts before a title gives its type
        ("北海国发布国家芯片战略《星桥》。", "《星桥》", "Strategy"),
    ],
)
def test_names_by_convention(text, name, etype):
    found = _found(text)
    assert found.get(name) == etype, found


@pytest.mark.parametrize(
    "text",
    [
        "该公司开发电力电子器件。",  # 电子 inside a word (电力电子器件) ends no name
        "北海国投资澳大利亚电子设计软件企业。",  # 电子设计: the word goes on
        "以色列政府批准向英特尔提供补贴。",  # a country's government is the country
        "英特尔计划在未来七年内投资 40亿美元。",  # a time, not a place
        "英特尔与美国政府宣布合作。",  # 政府 is no name of its own
        "英特尔引用《美国芯片法案》。",  # a country's name before the law is the law
        "英特尔与 GaN Works合作。",  # no word of the text calls it a company: left alone
        "英特尔和台积电部署新产线。",  # 和 between companies: no remits of a ministry
        "英特尔在电力电子和新能源领域投资。",  # a term of the field ending in 电子
        "该规则不适用于位于盟友之外的实体。",  # 之外: a relation to a place, no place
        "该厂是美国首批大规模先进封装设施。",  # words that describe, not a place in the name
    ],
)
def test_no_name_by_convention(text):
    found = _found(text)
    kinds = ("Company", "Region", "GovernmentAgency", "Law")
    assert not [n for n, t in found.items() if t in kinds], found


def test_a_kind_before_a_title_is_no_name_of_its_own():
    # 国家芯片战略《星桥》: the strategy is 《星桥》; the words before it only say what it is
    assert _found("加拿大发布其首部国家芯片战略《星桥》。") == {"《星桥》": "Strategy"}


def test_a_plant_named_for_a_place_inside_a_place():
    v = view("远山集团将扩建其俄勒冈州长川工厂。")
    plant = next(c for c in cue_finders.suffixed_name(v) if c.type == "Fab")
    # also called by the inner place alone, which is where it is
    assert plant.aliases == ("长川工厂",) and plant.broader_name == "长川"
    [place] = [c for c in cue_finders.place_in_plant_name(v)]
    assert place.broader == "oregon"
    # a cluster is named for a place it spans, not placed in it
    assert cue_finders.place_in_plant_name(view("英特尔在俄勒冈州长川半导体集群建厂。")) == []


@pytest.mark.parametrize(
    "text",
    [
        "蓝湾科技集团将在格林港附近建设研发中心。",
        "蓝湾科技集团将在格林港周边建设研发中心。",
        "蓝湾科技集团将在格林港机场建设研发中心。",
        "星海集团在格林港郊区新建工厂。",
        "星海集团在格林港一带新建工厂。",
    ],
)
def test_a_place_near_a_place_is_no_region_name(text):
    # 附近/周边/一带/郊区/机场 describe where around a place; they are no region's name
    assert "Region" not in _found(text).values(), _found(text)


def test_a_plant_the_table_has_is_not_minted_again():
    # Amkor has one plant in the table: 安靠X工厂 describes it, it does not name a new one
    v = view("台积电将使用安靠格林港工厂的封装服务。")
    assert all(
        c.type != "PackagingFacility" and c.type != "Fab" for c in cue_finders.suffixed_name(v)
    )


def test_stable_ids_from_normalised_names():
    assert slug("蓝湾半导体集团") == "lan-wan-ban-dao-ti-ji-tuan"
    assert slug("Ｑuantor　Labs") == slug("Quantor Labs") == "quantorlabs"


def test_a_reference_name_resolves_and_a_shared_one_is_left_unresolved():
    lk = default_linker()
    p = view("德州仪器（TI）与国务院。")
    ti = Candidate(0, 8, "德州仪器", "Company", "bracketed_abbreviation", aliases=("TI",))
    shared = Candidate(9, 12, "国务院", "GovernmentAgency", "suffixed_name")  # US and China
    res = mint({0: [ti, shared]}, {0: p}, lk)
    assert res.provisional == {}
    assert res.resolved["德州仪器"] == "texas-instruments"
    [(name, ids, passage)] = res.unresolved_at
    assert name == "国务院" and set(ids) == {"us-department-of-state", "china-state-council"}
    assert passage == 0


def test_labels_are_in_the_scripts_the_text_gives():
    lk = default_linker()
    p = view("星海半导体公司（SSMC）与北海研究院。")
    both = Candidate(
        0, 13, "星海半导体公司", "Company", "bracketed_abbreviation", aliases=("SSMC",)
    )
    one = Candidate(14, 19, "北海研究院", "ResearchInstitution", "suffixed_name")
    res = mint({0: [both, one]}, {0: p}, lk)
    a, b = res.provisional[slug("星海半导体公司")], res.provisional[slug("北海研究院")]
    assert (a.label_zh, a.label_en, a.provisional) == ("星海半导体公司", "SSMC", True)
    assert (b.label_zh, b.label_en) == ("北海研究院", "")


# ---- the life cycle: mint, merge across reports, validate, list, promote, rebuild


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "graph" / "sources").mkdir(parents=True)
    for name in ("openworld_a.txt", "openworld_b.txt"):
        shutil.copy(OPEN_WORLD / name, tmp_path / "graph" / "sources" / name)
    return tmp_path


def run(project: Path, *args: str):
    return CliRunner().invoke(cli, ["--project", str(project), *args])


def report_graph(project: Path, rid: str) -> Graph:
    return Graph().parse(project / "graph" / "build" / "reports" / f"{rid}.ttl")


def test_provisional_entity_life_cycle(project: Path):
    company = URIRef(ENTITY + "lan-wan-ban-dao-ti-ji-tuan")
    provisional = URIRef(CKG + "provisional")
    # mint: both reports name the company; one IRI, described in each report's graph
    result = run(project, "build")
    assert result.exit_code == 0, result.output
    assert "conforms" in result.output and "info" in result.output
    for rid in ("openworld_a", "openworld_b"):
        g = report_graph(project, rid)
        assert (company, provisional, Literal(True)) in g
        assert (company, URIRef(CKG + "mintedFrom"), None) in g
        assert {
            str(o) for o in g.objects(company, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))
        } == {"蓝湾半导体集团"}
    # validation reports it as info, never a violation
    result = run(project, "validate", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "ProvisionalEntity-review" in result.output
    # list: one entity, mentioned in both reports
    result = run(project, "entities", "--provisional", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["provisional"]
    row = rows["lan-wan-ban-dao-ti-ji-tuan"]
    assert row["reports"] == ["openworld_a", "openworld_b"] and row["mentions"] >= 3
    assert row["claims"] >= 3 and row["type"] == "Company"
    assert {"quantorlabs", "ge-lin-gang"} <= set(rows)
    # a name two table entities share is listed, not guessed
    [left] = json.loads(result.stdout)["unresolved"]
    assert left["name"] == "国务院" and left["file"] == "openworld_b.txt"
    assert set(left["ids"]) == {"us-department-of-state", "china-state-council"}
    # promote with an English label: a row in the project's table
    result = run(
        project,
        "entities",
        "promote",
        "lan-wan-ban-dao-ti-ji-tuan",
        "--label-en",
        "Bluebay Semiconductor Group",
    )
    assert result.exit_code == 0, result.output
    table = (project / "graph" / "entities.csv").read_text(encoding="utf-8")
    assert "lan-wan-ban-dao-ti-ji-tuan,Company,Bluebay Semiconductor Group,蓝湾半导体集团" in table
    # rebuild: a table entity now (no provisional flag), in the entities graph with both labels
    result = run(project, "build")
    assert result.exit_code == 0, result.output
    g = report_graph(project, "openworld_a")
    assert (company, provisional, None) not in g
    assert (None, URIRef(CKG + "claimSubject"), company) in g
    trig = (project / "graph" / "build" / "chipkg.trig").read_text(encoding="utf-8")
    assert '"Bluebay Semiconductor Group"@en' in trig
    rows = json.loads(run(project, "entities", "--provisional", "--format", "json").stdout)
    rows = rows["provisional"]
    assert "lan-wan-ban-dao-ti-ji-tuan" not in rows and "quantorlabs" in rows


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-entity"], "'no-such-entity' is not a provisional entity"),
        (["quantorlabs", "quantorlabs"], "'quantorlabs' is named twice"),
        (["quantorlabs", "--type", "Laboratory"], "unknown entity type 'Laboratory'"),
        (["quantorlabs", "--country", "atlantis"], "unknown country 'atlantis'"),
        (
            ["quantorlabs", "lan-wan-ban-dao-ti-ji-tuan", "--type", "Company"],
            "one entity at a time",
        ),
    ],
)
def test_a_bad_promotion_is_one_line_and_leaves_the_table_alone(project: Path, args, message):
    table = project / "graph" / "entities.csv"
    assert run(project, "entities", "promote", "ge-lin-gang").exit_code == 0
    before = hashlib.sha256(table.read_bytes()).hexdigest()
    result = run(project, "entities", "promote", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert hashlib.sha256(table.read_bytes()).hexdigest() == before


def test_promoting_an_id_already_in_the_table_is_a_duplicate(project: Path):
    assert run(project, "entities", "promote", "quantorlabs").exit_code == 0
    result = run(project, "entities", "promote", "quantorlabs")
    assert result.exit_code == 2 and "duplicate id" in result.stderr


def test_the_project_table_extends_and_overrides_the_bundled_one(tmp_path: Path):
    from chipkg.extract.entities import load_entities, project_entities_path

    path = project_entities_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text(
        "id,type,label_en,label_zh,aliases,country,wikidata,broader,operator,note\n"
        "intel,Company,Intel Corporation,英特尔公司,英特尔,united-states,,,,override\n"
        "bluebay,Company,Bluebay,蓝湾,,united-states,,,,new\n",
        encoding="utf-8",
    )
    table = load_entities(project=tmp_path)
    assert table["intel"].label_en == "Intel Corporation" and "bluebay" in table
    assert list(table).index("intel") < list(table).index("bluebay")  # an override keeps its place


def test_a_bad_row_of_the_project_table_names_its_line(tmp_path: Path):
    from chipkg.errors import ChipkgError
    from chipkg.extract.entities import load_entities, project_entities_path

    path = project_entities_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text(
        "id,type,label_en,label_zh,aliases,country,wikidata,broader,operator,note\n"
        "bluebay,Company,Bluebay,蓝湾,,atlantis,,,,\n",
        encoding="utf-8",
    )
    with pytest.raises(ChipkgError) as err:
        load_entities(project=tmp_path)
    assert str(err.value).startswith(f"{path}:2: ") and "atlantis" in str(err.value)


def test_the_words_of_an_unnamed_plant_are_linked_only_where_it_was_minted(project: Path):
    from chipkg.extract.entities import Linker, load_entities
    from chipkg.extract.pipeline import extract
    from chipkg.ingest import citations, report

    path = project / "graph" / "sources" / "openworld_a.txt"
    parsed = report.parse_report(path, "openworld_a")
    ex = extract(parsed, citations.resolve(parsed), Linker(load_entities()))
    plant = "lan-wan-ban-dao-ti-ji-tuan-ge-lin-gang-xin-gong-chang"
    assert ex.provisional[plant].described_as == ("新工厂",)
    where = [i for i, ms in ex.provisional_mentions.items() if any(m.entity == plant for m in ms)]
    # the heading 一、美国：新企业与新工厂 says 新工厂 too, of no plant in particular
    assert [parsed.passages[i].kind for i in where] == ["body"]
    assert ("lan-wan-ban-dao-ti-ji-tuan", "builds", plant) in {
        (c.subject, c.predicate, c.object) for c in ex.active()
    }


def test_claim_spans_point_into_the_report_text(project: Path):
    from chipkg.extract.entities import Linker, load_entities
    from chipkg.extract.pipeline import extract
    from chipkg.ingest import citations, report

    path = project / "graph" / "sources" / "openworld_a.txt"
    parsed = report.parse_report(path, "openworld_a")
    ex = extract(parsed, citations.resolve(parsed), Linker(load_entities()))
    funds = next(c for c in ex.active() if c.rule == "funds/benefactive:资助")
    a, b = funds.span
    # from the funder to the amount, across the line break the text has there
    assert parsed.text[a:b].replace("\n", "") == "美国商务部宣布向蓝湾半导体集团提供 3亿美元资助"
    assert funds.money.value == Decimal("300000000")
    for c in ex.active():
        assert c.span is not None and parsed.passages[c.passage].start <= c.span[0] < c.span[1]


def _world(tmp_path: Path, text: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    """The provisional entities an invented one-page report mints: id -> (type, all names)."""
    from chipkg.extract.linking import link_passages
    from chipkg.extract.open_world import open_world
    from chipkg.ingest.report import parse_report

    path = tmp_path / "invented.txt"
    path.write_text(f" 测试报告\n\n{text.rstrip()}1\n\n1 https://news.example.com/a\n", "utf-8")
    parsed = parse_report(path)
    lk = default_linker()
    world = open_world(parsed, lk, link_passages(parsed, lk))
    return {eid: (e.type, tuple(e.names)) for eid, e in world.provisional.items()}


def test_a_plant_its_owner_has_at_a_place(tmp_path: Path):
    # 其位于 PLACE 的工厂: named by its owner and the place (found in earlier rounds)
    minted = _world(tmp_path, "远山集团将在其位于北海州长滨町的工厂量产芯片。")
    plant = next(v for v in minted.values() if v[0] == "Fab")
    assert "远山集团长滨町工厂" in plant[1] and "长滨町工厂" in plant[1]
    # a plant the table has is not minted again
    minted = _world(tmp_path, "台积电将在其位于亚利桑那州的工厂生产芯片。")
    assert not [v for v in minted.values() if v[0] == "Fab"]


# ---- round 4b: conventions of report prose for names the table lacks (invented sentences)


@pytest.mark.parametrize(
    ("text", "name", "etype"),
    [
        # STATE X（Latin）: a place glued after a state's name, with its own Latin name
        ("远山集团在北川邦长滨（Nagahama）建设封装工厂。", "长滨", "Region"),
        ("远山集团在北川邦长滨（Nagahama）建设封装工厂。", "北川邦", "Region"),
        # a one-character name with a place's suffix after a whole state's name
        ("远山集团扩建其位于北川州贝城的工厂。", "贝城", "Region"),
        # …郡 is a county
        ("远山集团扩建其位于北川郡长滨的晶圆厂。", "北川郡", "Region"),
        # a Latin name right after the word that says what it is
        ("英特尔收购芯片制造商 QX Semiconductors。", "QX Semiconductors", "Company"),
        ("远山集团收购私营 AI实验室 Nova AI。", "Nova AI", "Company"),
        ("英特尔在北川州建设其第二座晶圆厂 NFAB3。", "NFAB3", "Fab"),
        # a kind word inside the stem of a bracketed name describes it
        ("远山集团将股权出售给私募投资机构北湖资本（North Lake）。", "北湖资本", "Company"),
        # …中心 marked by an abbreviation or a Latin name is a centre
        ("北川大学牵头的东部先进原型中心（EAPC）获得资助。", "东部先进原型中心", "ResearchCenter"),
        ("NOVA中心致力于氮化镓研发。", "NOVA中心", "ResearchCenter"),
        # a technology's name with its abbreviation, by its last word
        ("远山集团推出现场可编程逻辑阵列（FPLA）产品。", "现场可编程逻辑阵列", "Technology"),
        # 那 inside a place the linker found does not end the stem
        ("该中心由亚利桑那州立大学牵头。", "亚利桑那州立大学", "ResearchInstitution"),
        # a group's acronym before a subsidiary's name
        ("北海部向 YS Nova CSS发放贷款。", "YS Nova CSS", "Company"),
        # a region's own policy by title, the years it runs in brackets
        (
            "俄亥俄州政府发布《俄亥俄州半导体政策（2023年至 2028年）》。",
            "《俄亥俄州半导体政策（2023年至 2028年）》",
            "Strategy",
        ),
        # an organisation opening its clause, joined to a known one before what both do
        ("据报道，远山半导体与英特尔签署代工协议。", "远山半导体", "Company"),
        # a Latin name with a colon
        ("英伟达收购 Nova:ai。", "Nova:ai", "Company"),
        # …立法 after a quoted name
        ("北川州州长签署“绿色晶圆”（Green Wafer）立法。", "绿色晶圆", "Law"),
        # 位于 STATE X，: the place inside a state at the end of its clause
        ("该项目位于北川州长滨，总投资 10亿美元。", "长滨", "Region"),
        # …学院 is an institute; …控股 a company where the word ends
        ("北川理工学院牵头该中心。", "北川理工学院", "ResearchInstitution"),
        ("远山控股宣布投资。", "远山控股", "Company"),
        # …科技, …化学, …电机 end a company's name where the word ends
        ("远山科技宣布收购北川公司。", "远山科技", "Company"),
        ("北川化学宣布扩产。", "北川化学", "Company"),
        ("远山电机于 2024年投资。", "远山电机", "Company"),
        # the description before a company's name is no part of it; a ministry's remits are
        ("美国功率器件企业远山科技宣布扩产。", "远山科技", "Company"),
        ("加拿大企业、旅游和就业部宣布补贴。", "加拿大企业、旅游和就业部", "GovernmentAgency"),
        # a national body (国家…局) and a body of a region the table lacks (…省…厅, …州议会)
        ("国家市场监督管理总局对远山公司开展调查。", "国家市场监督管理总局", "GovernmentAgency"),
        ("北川省工业和信息化厅发布通知。", "北川省工业和信息化厅", "GovernmentAgency"),
        ("北川州议会通过法案。", "北川州议会", "GovernmentAgency"),
        # a cabinet after its country; a Latin name joined by &; a company after its country
        ("2024年，印度联邦内阁批准该方案。", "印度联邦内阁", "GovernmentAgency"),
        ("该轮融资由 Q&R领投。", "Q&R", "Company"),
        # a name joined by 与 to a company before where both build together
        ("北海国批准英特尔与远山在北川州合资建设封测工厂。", "远山", "Company"),
        ("远山公司携手英国 Nova-SiC晶圆公司建厂。", "Nova-SiC晶圆公司", "Company"),
        # the plant a company's name, a description and a number name; a university in a list
        ("台积电晶圆十二厂扩产。", "台积电晶圆十二厂", "Fab"),
        ("北川大学、南湖理工等高校参与研究。", "南湖理工", "ResearchInstitution"),
        # a technology listed after one the table has, before the shared head
        ("远山集团开发氮化镓和倒装焊接技术。", "倒装焊接", "Technology"),
    ],
)
def test_names_by_convention_4b(text, name, etype):
    found = _found(text)
    assert found.get(name) == etype, found


@pytest.mark.parametrize(
    ("text", "not_found"),
    [
        # a country before a body's name is no region holding a place
        ("英国基础设施银行（UKIB）等机构跟投。", "基础设施银行"),
        # a share after a Latin name is no model number
        ("远山集团将 Quantor 51%的股权出售给北湖资本。", "Quantor 51"),
        # …公司 right before a company's name describes it
        ("英特尔与韩国电子公司三星电子合作。", "韩国电子公司"),
        # who is joined to a company is not always a company
        ("双方与英特尔签署协议。", "双方"),
        ("政府与英特尔签署协议。", "政府"),
        # whole places and places inside a state are no names of their own
        ("在全美设立 8个区域创新中心。", "全美"),
        ("支持州内大学开展半导体研究。", "州内大学"),
        # …立法 needs a quoted name or a launching verb
        ("国会正在推动半导体立法。", "半导体立法"),
        ("该公司的技术位于行业前列，", "行业前列"),  # 位于 X, without a state: no place
        # terms ending in 科技/化学 and a verb before a name are no part of a company's name
        ("该国发展前沿科技。", "前沿科技"),
        ("该部门要求远山科技整改。", "要求远山科技"),
        ("该公司研究电化学。", "电化学"),
        # 国家 before a common word, a restaurant (餐厅): no body
        ("国家大局已定。", "国家大局"),
        ("该餐厅开业。", "该餐厅"),
        # 与X在… without a joint verb after: no partner named
        ("英特尔与北川在该领域处于领先。", "北川"),
        # 联邦 before 内阁 is no region; a centre's generic description is no name
        ("同日，联邦内阁还批准该方案。", "联邦内阁"),
        ("由北川大学牵头的区域创新中心获得资助。", "区域创新中心"),
        # a time, a title or an adverb before 宣布 names no one
        ("近日宣布扩产。", "近日"),
        ("2024年，州长宣布补贴。", "州长"),
        ("英特尔表示，正式宣布扩产。", "正式"),
        # common words listed before 等 name nothing
        ("设备、材料等企业获得补贴。", "材料"),
        # a plant's number without its owner's name before it: no name
        ("该园区的先进封测六厂投产。", "先进封测六厂"),
        # a modifier or an abstract noun listed with a technology is none
        ("该公司推动 3D晶体管与混合工艺。", "混合"),
        ("EDA工具的智能化与数字孪生技术结合。", "智能化"),
        # a verb ends the stem of a name (携手)
        ("远山公司携手北川晶圆公司建厂。", "远山公司携手北川晶圆公司"),
    ],
)
def test_no_name_by_convention_4b(text, not_found):
    assert not_found not in _found(text), _found(text)


def test_a_company_short_latin_name_is_an_alias_unless_the_table_has_it():
    v = view("英特尔收购芯片制造商 QXT Semiconductors。")
    [c] = [c for c in cue_finders.latin_name(v) if c.name == "QXT Semiconductors"]
    assert c.aliases == ("QXT",)
    v = view("英飞凌收购氮化镓器件企业 GaN Systems。")  # GaN is a technology the table has
    assert all("GaN" not in c.aliases for c in cue_finders.latin_name(v))


def test_the_place_of_a_bracketed_place_inside_a_state(tmp_path: Path):
    minted = _world(tmp_path, "远山集团在北川邦长滨（Nagahama）建设封装工厂。")
    place = next(v for v in minted.values() if "长滨" in v[1])
    assert place[0] == "Region" and "Nagahama" in place[1]
    assert any(v[1][0] == "北川邦" for v in minted.values())


def test_a_located_plant_keeps_what_it_makes_and_is_not_an_owners_plant_abroad(tmp_path: Path):
    # 意法半导体 has one plant in the table, in Italy: the one at a new US place is another
    minted = _world(tmp_path, "意法半导体将扩建其位于北川州贝城的碳化硅晶圆工厂。")
    plant = next(v for v in minted.values() if v[0] == "Fab")
    assert "贝城碳化硅晶圆工厂" in plant[1], plant


def test_a_described_plant_placed_by_the_next_clause(tmp_path: Path):
    text = "北海国批准由远山集团与北川电子合资建设的封装测试工厂，项目位于北川州长滨。"
    minted = _world(tmp_path, text)
    plant = next(v for v in minted.values() if v[0] in ("Fab", "PackagingFacility"))
    assert "长滨封装测试工厂" in plant[1], plant


def test_eval_matches_a_plant_by_its_name_before_the_words_that_describe_it():
    from dataclasses import replace as _replace

    from chipkg.extract.evaluate import match_provisional

    lk = default_linker()
    base = next(e for e in lk.entities.values() if e.is_facility)
    e = _replace(
        base,
        id="x",
        label_zh="远山长滨封装测试工厂",
        label_en="",
        aliases=("长滨封装测试工厂",),
        described_as=("封装测试工厂",),
        provisional=True,
    )
    gold = {"a": ("长滨封装测试工厂", "封装测试工厂"), "b": ("北川封装测试工厂", "封装测试工厂")}
    assert match_provisional({"x": e}, gold) == {"x": "a"}


def test_a_phase_of_a_named_plant_is_that_plant(tmp_path: Path):
    # Fab 12i第三期项目: the third phase of Fab 12i, no plant of its own
    minted = _world(tmp_path, "北川电子为 Fab 77x第三期项目累计投资 50亿美元。")
    assert [v for v in minted.values() if v[0] == "Fab"] == [("Fab", ("Fab 77x",))], minted


def test_a_name_listed_with_one_the_second_round_found(tmp_path: Path):
    # 远山集团 is found by its suffix (second round); 北川 listed with it, in the third
    minted = _world(tmp_path, "北海国批准远山集团与北川在长滨州合资建设封测工厂。")
    assert minted.get("bei-chuan") == ("Company", ("北川",)), minted


@pytest.mark.parametrize(
    "text,name,etype,described",
    [
        # a centre or a line the sentence builds: described like a plant (round 6)
        (
            "英特尔将在纽约州建设一座工程中心。",
            "英特尔纽约州工程中心",
            "ResearchCenter",
            "工程中心",
        ),
        ("英特尔将在纽约州建设研发中心。", "英特尔纽约州研发中心", "ResearchCenter", "研发中心"),
        ("英特尔将在纽约州建设一条量产线。", "英特尔纽约州量产线", "Fab", "量产线"),
        # what it makes is part of its description (a technology the table knows)
        (
            "英特尔将在纽约州建设 12英寸集成电路生产线。",
            "英特尔纽约州12英寸集成电路生产线",
            "Fab",
            "12英寸集成电路生产线",
        ),
        (
            "英特尔在纽约州建设玻璃基板研发线。",
            "英特尔纽约州玻璃基板研发线",
            "PilotLine",
            "玻璃基板研发线",
        ),
    ],
)
def test_described_centres_and_lines(text, name, etype, described):
    found = {c.name: c for c in cue_finders.described_facility(view(text))}
    assert name in found, found
    assert found[name].type == etype
    assert described in found[name].described_as


def test_a_centre_noun_does_not_refer_back_to_a_known_centre():
    # 研发中心 describes a new centre; unlike 工厂 it never links to one the table has
    from chipkg.extract.facilities import _heads

    pattern, _ = _heads()
    assert pattern.search("工厂") and not pattern.fullmatch("研发中心")


@pytest.mark.parametrize(
    "text,name",
    [
        # what is developed, made or studied says more than a technology the table knows
        ("英特尔主要生产硅基氮化镓功率器件。", "硅基氮化镓功率器件"),  # two glued into one
        ("英特尔还与多家车企合作开发碳化硅 MOSFET模块。", "碳化硅 MOSFET模块"),
        ("远山电子正在研发下一代氢气回收技术。", "氢气回收技术"),  # 下一代 only describes it
        ("远山电子主要生产离子注入设备。", "离子注入设备"),  # equipment is a technology's kind
        # a kind word followed by 的 modifies what comes after it
        ("远山电子共同开发用于 EUV设备的氢气回收技术。", "氢气回收技术"),
    ],
)
def test_technologies_worked_on(text, name):
    found = {c.name: c.type for c in cue_finders.worked_on_technology(view(text))}
    assert found.get(name) == "Technology", found


@pytest.mark.parametrize(
    "text",
    [
        "英特尔正在研发碳化硅技术。",  # the table's technology and its kind word
        "英特尔正在研发先进 EUV技术。",  # a common word before it adds no name
        "英特尔正式发布代号为远山的大型计算系统。",  # the name it is given is the name
        "SK海力士发布全球首款 321层 4D NAND闪存。",  # the table's product, described
        "英特尔与美光共同开发汽车芯片和功率器件。",  # listed, not glued into one
        "美国发布鲁棒量子传感器（RoQS）项目征集。",  # a programme's name
        "欧洲构建涵盖制造、设计及研发的全栈生态系统。",  # 研发的: a modifier, no verb
    ],
)
def test_no_technology_worked_on(text):
    assert cue_finders.worked_on_technology(view(text)) == []


def test_a_latin_term_before_a_kind_of_technology_is_no_company():
    found = {c.name: c.type for c in cue_finders.latin_name(view("英特尔开发 MOSFET模块。"))}
    assert "MOSFET" not in found, found


@pytest.mark.parametrize(
    "text,name",
    [
        ("岚峰微于 2024年被北川集团收购。", "岚峰微"),  # the patient of a passive
        ("北川集团旗下的岚峰微推出了新款 MCU。", "岚峰微"),  # a subsidiary
        ("该项目由岚峰微承建。", "岚峰微"),  # the agent of a passive
        ("Lumetra完成融资，投资者包括远山创投和北川资本。", "北川资本"),  # investors listed
    ],
)
def test_organisations_by_role(text, name):
    found = {c.name: c.type for c in cue_finders.role_slot(view(text))}
    assert found.get(name) == "Company", found


@pytest.mark.parametrize(
    "text",
    [
        "该芯片由台积电代工生产。",  # a name the table knows
        "该项目由政府主导建设。",  # a common word
        "新工厂的碳化硅器件已进入量产。",  # a description, not an owner
    ],
)
def test_no_organisation_by_role(text):
    v = view(text)
    assert cue_finders.role_slot(v) == []


def test_a_company_named_for_what_it_makes():
    # 集成电路 is a technology the table knows; 远山集成电路 opening the clause is a company
    v = view("作为全球第二大晶圆代工厂，远山集成电路计划在新加坡新建一座 12英寸晶圆厂。")
    assert {c.name for c in cue_finders.clause_subject(v)} == {"远山集成电路"}
    assert cue_finders.clause_subject(view("先进集成电路计划在新加坡新建晶圆厂。")) == []


def test_the_partner_of_an_agreement_reached():
    v = view("东岳电子已与岚峰微达成 HBM供货协议。")
    assert "岚峰微" in {c.name for c in cue_finders.argument_slot(v)}


def test_a_latin_term_after_a_technology_is_no_company():
    v = view("岚峰微电子推出首款车规级碳化硅 MOSFET。")
    assert "MOSFET" not in {c.name for c in cue_finders.latin_name(v)}


@pytest.mark.parametrize(
    "text",
    [
        "该计划由大学牵头实施。",  # a kind word alone names no one
        "美国商务部对进口半导体启动调查。",  # goods, not an organisation
    ],
)
def test_slots_that_name_no_one(text):
    v = view(text)
    assert cue_finders.argument_slot(v) == [] and cue_finders.role_slot(v) == []


@pytest.mark.parametrize(
    "text",
    ["青湾州与远山科技签署谅解备忘录，支持其在当地建设研发中心。", "远山科技将在本地新建工厂。"],
)
def test_here_is_no_place_name(text):
    # 当地/本地 refer back to a place named before: never a place of their own
    found = [c for f in cue_finders.FINDERS for c in f(view(text))]
    assert not any(c.name in ("当地", "本地") or c.name.startswith("当地") for c in found), found


def test_a_model_number_with_a_hyphen_is_a_product():
    found = {
        c.name: c.type for c in cue_finders.latin_name(view("岚峰微电子推出 AI加速芯片 LF-9。"))
    }
    assert found.get("LF-9") == "Product", found


def test_a_name_starts_after_the_word_that_reports_a_rumour():
    found = {c.name for c in cue_finders.suffixed_name(view("市场传言远山科技将在青湾建厂。"))}
    assert found == {"远山科技"}, found


def test_a_line_first_in_the_country_is_described_without_the_count():
    # 国内首条: a count with its scope, not part of what the line is called
    [c] = cue_finders.described_facility(
        view("英特尔于 2017年在纽约州建成国内首条 8英寸碳化硅量产线。")
    )
    assert c.described_as == ("8英寸碳化硅量产线",)


@pytest.mark.parametrize(
    "finder,text,name,etype",
    [
        # a name typed by the word it ends with, where no verb the cues know follows it
        ("clause_subject", "岚峰微电子完成对远山科技的收购。", "岚峰微电子", "Company"),
        ("argument_slot", "欧盟委员会宣布对岚峰微电子展开反补贴调查。", "岚峰微电子", "Company"),
        # a name after a title, before what the person does
        ("person_name", "2024年 1月，北海国总统卢拉宣布启动新工业政策。", "卢拉", "Person"),
        # a quoted name after the word for its kind
        ("quoted_name", "北海国宣布启动新工业政策“新工业北海”。", "新工业北海", "Strategy"),
        # a brand in lower case after the word for a company; a chip's name after 芯片
        ("latin_name", "英特尔宣布收购瑞士定位芯片企业 u-blox。", "u-blox", "Company"),
        ("latin_name", "Meta发布第二代自研推理芯片 MTIA。", "MTIA", "Product"),
    ],
)
def test_names_by_the_words_around_them(finder, text, name, etype):
    found = {c.name: c.type for c in getattr(cue_finders, finder)(view(text))}
    assert found.get(name) == etype, found


@pytest.mark.parametrize(
    "text,name",
    [
        # a legal name is whole as written: verbs, kind words and the group's mark inside it
        (
            "北川由北海市建设投资控股（集团）有限公司与英特尔合资设立。",
            "北海市建设投资控股（集团）有限公司",
        ),
        ("青峰新凯来技术有限公司首次发布刻蚀设备。", "青峰新凯来技术有限公司"),
    ],
)
def test_legal_names(text, name):
    assert name in {c.name for c in cue_finders.suffixed_name(view(text))}


def test_a_legal_name_s_short_forms_drop_the_form_and_the_line_of_business(tmp_path):
    from tests.test_extract_slots import world

    w = world(tmp_path, "新凯来技术有限公司首次发布刻蚀设备。")
    [forms] = [f for t, _, f in w.values() if t == "Company"]
    assert {"新凯来技术", "新凯来"} <= set(forms), forms


def test_a_plant_its_clause_s_company_has_is_that_company_s(tmp_path):
    # 其 in the second clause stands for that clause's company, not the sentence's first
    from tests.test_extract_constructions import pipeline_facts

    text = "根据分工，英特尔负责生产碳化硅晶圆，美光科技则在其位于长野县松本市的工厂生产功率器件。"
    ops = {c.subject for c in pipeline_facts(tmp_path, text) if c.predicate == "operates"}
    assert ops == {"micron"}
