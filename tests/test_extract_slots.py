"""Round 5: names found by the slot they fill, not by a word they end with (docs/extraction.md,
"Round 5"): the word that opens a clause before what an organisation does, the items of a list
joined to an organisation before what they do together, and the short forms of a company's full
name. Every sentence is invented (none is a report's), and each rule has a sentence it must not
fire on."""

from __future__ import annotations

from pathlib import Path

import pytest

from chipkg.extract import cue_finders, kind_finders
from chipkg.extract.entities import default_linker
from chipkg.extract.linking import link_passages
from chipkg.extract.open_world import open_world
from chipkg.extract.pipeline import extract
from chipkg.ingest import citations
from chipkg.ingest.report import parse_report
from tests.test_extract_provisional import view  # one invented passage, linked


def subjects(text: str) -> list[str]:
    return [c.name for c in kind_finders.clause_subject(view(text))]


def coordinated(text: str) -> dict[str, str]:
    return {c.name: c.type for c in cue_finders.coordinated_name(view(text))}


def invented(tmp_path: Path, text: str):
    path = tmp_path / "invented.txt"
    path.write_text(f" 测试报告\n\n{text.rstrip()}1\n\n1 https://news.example.com/a\n", "utf-8")
    return parse_report(path)


def world(tmp_path: Path, text: str) -> dict[str, tuple[str, str, tuple[str, ...]]]:
    """id -> (type, country, names) of the provisional entities an invented report mints."""
    parsed = invented(tmp_path, text)
    lk = default_linker()
    w = open_world(parsed, lk, link_passages(parsed, lk))
    return {eid: (e.type, e.country, tuple(e.names)) for eid, e in w.provisional.items()}


# --- the word that opens a clause before what an organisation does ------------------------------

SUBJECTS = [
    ("青峰推出全新的AI芯片。", "青峰"),  # a verb that is only a verb
    ("2024年 5月，青峰宣布扩产。", "青峰"),  # after a date
    ("此外，青峰已斥资 3亿美元扩产。", "青峰"),  # after a connective, an adverb before the verb
    ("青峰计划投资 200亿美元建设新工厂。", "青峰"),  # a noun-verb after an adverb
    ("青峰投资 200亿美元扩产。", "青峰"),  # a noun-verb before an amount
    ("青峰在长滨新建一座工厂。", "青峰"),  # 在 + a place, then the verb
    ("Zentro Labs已完成首台设备装配。", "Zentro Labs"),  # a Latin name
    ("QMEC在 300mm平台上采用新工艺。", "QMEC"),  # capitals, 在 + a place
    ("美国青峰利用新技术实现量产。", "青峰"),  # the country glued before it is not the name
    ("青峰于 2024年 7月 26日宣布投资约 5亿美元。", "青峰"),  # a date with 于 before the verb
    ("青峰被列入实体清单。", "青峰"),  # a passive verb
    ("青峰与北川签署合作协议。", "青峰"),  # what two do together, none of them known
    ("青峰继续与北川合作。", "青峰"),  # an adverb between the name and 与
    ("QX海峰于 2024年 7月 26日宣布扩产。", "QX海峰"),  # capitals glued to Chinese
    ("青峰位于北川市的新工厂已投产。", "青峰"),  # whose plant is where
    ("1.青峰在北川市建设组装工厂。", "青峰"),  # a numbered heading
    ("青峰在北海州为其新园区举行奠基仪式。", "青峰"),  # 举行: holds a ceremony
    ("德国工业巨头青峰于 2024年 10月宣布收购美光科技。", "青峰"),  # a description before it
]

NOT_SUBJECTS = [
    "当时计划投资 200亿美元建设两座工厂。",  # a time word
    "未来随扩建增至三千个岗位。",
    "欧洲巨头并购一家氮化镓企业。",  # a description
    "希望在成本与性能平衡方面取得突破。",  # a verb of mind
    "新厂采用 22nm工艺。",  # a plant described
    "CHIPS投资正在推动多个集群的形成。",  # 投资 a noun here: no adverb, no amount
    "调查拟聚焦成熟制程芯片。",  # a common noun
    "研究人员开发出一种新材料。",  # people, not an organisation
    "该公司宣布扩产。",  # a pronoun
    "AI推动芯片需求增长。",  # capitals that are a kind of thing
    "该厂位于北川市的工业园区。",  # a plant described, not its owner
    "区域竞争与多边合作。",  # abstract nouns in a heading
    "政策制定者应与企业合作。",  # people, and a modal verb
    "国资联合增资北川。",  # a phrase with verbs inside
]


@pytest.mark.parametrize("text,name", SUBJECTS)
def test_the_word_opening_a_clause_before_what_an_organisation_does(text, name):
    assert subjects(text) == [name]


@pytest.mark.parametrize("text", NOT_SUBJECTS)
def test_no_organisation_where_the_clause_opens_with_no_name(text):
    assert subjects(text) == []


def test_a_name_ending_with_a_suffix_is_left_to_the_suffix_finder():
    # 青峰公司: clause_subject types it by 公司 too, but suffixed_name's candidate (with its
    # short form, below) is the one kept: the same span, the earlier finder
    from chipkg.extract import names

    v = view("青峰公司推出全新的AI芯片。")
    [kept] = [c for c in names.find_candidates(v, cue_finders.CUE_FINDERS) if c.name == "青峰公司"]
    assert kept.finder == "suffixed_name" and kept.type == "Company"


# --- the slot a verb of funding, investing or working together gives after its preposition ------

SLOTS = [
    ("意大利为青峰拨款 20亿欧元。", "青峰"),
    ("美国商务部向 Zentro提供 5亿美元。", "Zentro"),
    ("英特尔对北川的投资将支持其扩建。", "北川"),
    ("Rapidus与 QMEC深化合作。", "QMEC"),
    ("台积电宣布以 171.4亿元新台币向青峰购买其工厂。", "青峰"),  # bought from
]

SLOT_LISTS = [
    ("北海国例如与 QMEC、青峰的合作。", ["QMEC", "青峰"]),  # a list, then 的合作
    # each item as far as the list reaches (青峰凌, not 青峰), a country glued to one dropped
    ("英特尔与德国北川、青峰凌合作。", ["北川", "青峰凌"]),
]


@pytest.mark.parametrize("text,found", SLOT_LISTS)
def test_each_item_of_a_list_in_a_comitative_slot(text, found):
    assert [c.name for c in kind_finders.argument_slot(view(text))] == found


@pytest.mark.parametrize("text,name", SLOTS)
def test_the_word_in_a_verbs_slot_after_its_preposition(text, name):
    assert [c.name for c in kind_finders.argument_slot(view(text))] == [name]


@pytest.mark.parametrize(
    "text",
    [
        "与去年同期相比增长。",  # no verb of working together
        "英特尔向政府提供 5亿美元。",  # a kind, not a name
        "对半导体的投资持续增长。",  # a technology
        "美国向该公司拨款。",  # a pronoun
        "美国加强与东南亚的合作。",  # a part of the world, not an organisation
        "英特尔将继续与其他伙伴密切合作。",  # partners not named
        "该中心为本土人才提供培训。",  # people
        "中国加强与欧洲国家的合作。",  # countries described
        "英特尔与利益相关方合作。",  # stakeholders
    ],
)
def test_no_name_in_a_slot_a_kind_fills(text):
    assert kind_finders.argument_slot(view(text)) == []


# --- a list joined to an organisation before what they do together ------------------------------

LISTS = [
    ("英特尔与北川、东湖合作开发新型封装技术。", {"北川": "Company", "东湖": "Company"}),
    ("英特尔与ZETA完成首台设备的装配。", {"ZETA": "Company"}),
    ("美国商务部已与英特尔、北川和 QMEC签署拨款协议。", {"北川": "Company", "QMEC": "Company"}),
    # the word for a company the first one's name left out, then what both are doing
    ("美光科技公司和北川正在建设两座工厂。", {"北川": "Company"}),
    # the unknown items take the kind of a known item of the list, not of the agency it joins
    ("美国国家科学基金会（NSF）与青峰、英特尔公司、美光科技合作。", {"青峰": "Company"}),
]


@pytest.mark.parametrize("text,found", LISTS)
def test_the_items_of_a_list_joined_to_an_organisation(text, found):
    assert coordinated(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "英特尔与北川、东湖的工厂相距不远。",  # no verb they share after the list
        "英特尔与 AI芯片企业合作。",  # a kind, not a name
    ],
)
def test_no_list_item_without_what_they_do_together(text):
    assert coordinated(text) == {}


def test_a_list_makes_every_pair_partners(tmp_path: Path):
    parsed = invented(tmp_path, "英特尔与北川、东湖合作开发新型封装技术。")
    ex = extract(parsed, citations.resolve(parsed), default_linker())
    pairs = {(c.subject, c.object) for c in ex.active() if c.predicate == "partnersWith"}
    assert pairs == {("intel", "bei-chuan"), ("intel", "dong-hu"), ("bei-chuan", "dong-hu")}


# --- the short forms of a company's full name -----------------------------------------------------


def test_a_company_and_its_short_form_are_one_entity(tmp_path: Path):
    for text in ("青峰公司推出新芯片，青峰还宣布扩产。", "青峰宣布扩产，青峰公司推出新芯片。"):
        w = world(tmp_path, text)
        assert len(w) == 1, (text, w)
        ((etype, _, forms),) = w.values()
        assert etype == "Company" and {"青峰", "青峰公司"} <= set(forms)


def test_a_country_glued_before_a_university_is_dropped_from_its_short_forms(tmp_path: Path):
    w = world(tmp_path, "瑞典北川大学开发碳化硅技术。")
    ((etype, country, forms),) = w.values()
    assert (etype, country) == ("ResearchInstitution", "sweden")
    assert set(forms) == {"瑞典北川大学", "北川大学"}


def test_a_state_body_keeps_its_country(tmp_path: Path):
    w = world(tmp_path, "北海国青峰部宣布资助。")
    assert all("青峰部" not in forms for _, _, forms in w.values()), w


def test_a_country_glued_before_a_company_is_dropped_from_its_short_forms(tmp_path: Path):
    w = world(tmp_path, "美国青峰公司利用新技术实现量产。")
    ((etype, country, forms),) = w.values()
    assert etype == "Company" and country == "united-states"
    assert {"美国青峰公司", "青峰公司", "青峰"} <= set(forms)


@pytest.mark.parametrize(
    "text,unwanted",
    [
        ("美国半导体公司宣布扩产。", "半导体"),  # what is left is a common word
        ("北海国青峰委员会宣布扩产。", "青峰"),  # not a company: no short form
    ],
)
def test_no_short_form_that_names_nothing(tmp_path: Path, text, unwanted):
    w = world(tmp_path, text)
    assert all(unwanted not in forms for _, _, forms in w.values()), w


# --- names with no cue the full table would hide: measured with a table of countries and -------
# --- technologies only (what a user's table knows of a report on new actors) ---------------------


def bare_world(tmp_path: Path, text: str) -> dict[str, str]:
    """label -> type of what an invented report mints when the table knows only countries,
    supranational bodies and technologies."""
    from chipkg.extract.entities import Linker, load_entities

    keep = ("Country", "SupranationalBody", "Technology")
    lk = Linker({k: e for k, e in load_entities().items() if e.type in keep})
    parsed = invented(tmp_path, text)
    w = open_world(parsed, lk, link_passages(parsed, lk))
    return {(e.label_zh or e.label_en): e.type for e in w.provisional.values()}


BARE = [
    # a partner list opening its clause, none of it known; a country glued to an item
    (
        "青峰与德国北川、东湖合作建设新工厂。",
        {"青峰": "Company", "北川": "Company", "东湖": "Company"},
    ),
    # 那 is no demonstrative inside a transliterated name
    ("英特尔在亚利桑那州建设工厂。", {"亚利桑那州": "Region"}),
    # a funding verb ends the name before it
    ("北海部资助亚利桑那州建设晶圆厂。", {"亚利桑那州": "Region"}),
    # a place inside a place the second round found
    ("青峰在北川州博伊西的新工厂投产。", {"北川州": "Region", "博伊西": "Region"}),
    # a region whose name holds a country's (墨西哥) and a word more
    ("北海部资助亚利桑那州和新墨西哥州建设晶圆厂。", {"新墨西哥州": "Region"}),
    # financial firms by their suffix; a group's name and a line of business is another company
    ("北川证券领投了英特尔的融资。", {"北川证券": "Company"}),
    # the kind of place before its name, and a verb of completion after it
    ("青峰于 2024年在沙特东部城市北川建成一座数据中心。", {"北川": "Region"}),
    # a place near which something is built; a village
    ("英特尔计划在波兰北川附近新建一座封装测试工厂。", {"北川": "Region"}),
    ("英特尔在北海州机场附近新建工厂。", {}),  # 机场 is no place's name
    ("力积电宣布将新厂选址于宫城县大衡村。", {"大衡村": "Region"}),
    # a government named after its leader is a body of its own, not a country
    ("约翰逊政府正在考虑进一步限制出口。", {"约翰逊政府": "GovernmentAgency"}),
    ("北极星国政府批准补贴。", {"北极星国": "Country"}),
    # common words ending like an institution, abbreviated in capitals: a name
    ("国家芯片技术中心（NCTC）成立。", {"国家芯片技术中心": "ResearchCenter"}),
    # a verb before an office word is part of the office's name
    ("北海芯片计划办公室（CPO）宣布资助。", {"北海芯片计划办公室": "GovernmentAgency"}),
    # a legislature or cabinet office after its country
    ("美国国会通过了该法案。", {"美国国会": "GovernmentAgency"}),
    ("日本参议院批准了预算。", {"日本参议院": "GovernmentAgency"}),
]


@pytest.mark.parametrize("text,found", BARE)
def test_names_with_a_bare_table(tmp_path: Path, text, found):
    got = bare_world(tmp_path, text)
    assert {k: v for k, v in got.items() if k in found} == found, got


def test_a_description_abbreviated_in_mixed_case_is_no_institution(tmp_path: Path):
    # 先进光刻中心 would be a name abbreviated as ALC; with High-NA it stays a description
    got = bare_world(tmp_path, "北海国采用先进光刻中心（High-NA）方案。")
    assert "先进光刻中心" not in got, got


def test_a_plant_described_by_count_is_called_without_it(tmp_path: Path):
    """新建一座半导体封装测试工厂: the words that describe it are 半导体封装测试工厂, not 一座…."""
    from chipkg.extract.entities import Linker, load_entities

    keep = ("Country", "SupranationalBody", "Technology")
    lk = Linker({k: e for k, e in load_entities().items() if e.type in (*keep, "Company")})
    parsed = invented(tmp_path, "英特尔计划在波兰北川附近新建一座半导体封装测试工厂。")
    w = open_world(parsed, lk, link_passages(parsed, lk))
    [plant] = [e for e in w.provisional.values() if e.type == "PackagingFacility"]
    assert plant.described_as == ("半导体封装测试工厂",)


def test_a_verb_of_building_together_is_no_part_of_a_plant_name(tmp_path: Path):
    got = bare_world(tmp_path, "青峰与北川控股宣布在北海县大衡村合建晶圆厂。")
    assert not any("合建" in label for label in got), got


# --- a standard named in Latin; 以 inside a name ----------------------------------------------------


@pytest.mark.parametrize(
    "text,name,aliases",
    [
        ("北海存储联盟发布 NMX 2.0规范。", "NMX 2.0", {"NMX 2.0规范"}),
        ("北海联盟正式发布 HBX4标准（JESD999-1）。", "HBX4", {"HBX4标准", "JESD999-1"}),
    ],
)
def test_a_standard_named_in_latin(text, name, aliases):
    [c] = kind_finders.standard_name(view(text))
    assert (c.name, c.type) == (name, "Technology") and aliases <= set(c.aliases)


def test_a_standard_for_a_technology_the_table_has_is_no_name():
    assert kind_finders.standard_name(view("北海联盟发布新一代 DRAM标准。")) == []


def test_a_standard_is_developed_by_the_body_that_publishes_it(tmp_path: Path):
    parsed = invented(tmp_path, "北海存储联盟（NMA）正式发布 HBX4标准（JESD999-1）。")
    ex = extract(parsed, citations.resolve(parsed), default_linker())
    got = {(c.subject, c.predicate, c.object) for c in ex.active()}
    assert ("bei-hai-cun-chu-lian-meng", "develops", "hbx4") in got, got


def test_yi_is_no_verb_inside_a_name(tmp_path: Path):
    # 以 (by means of) is no verb that ends a name's stem: 超以太网联盟, not 太网联盟
    got = bare_world(tmp_path, "超以太网联盟（UEC）于 2025年发布新规范。")
    assert "超以太网联盟" in got, got


def test_a_groups_line_of_business_is_another_company(tmp_path: Path):
    """三星证券 is a company of its own (the table has 三星 for Samsung Electronics); 英特尔公司 is
    Intel."""
    got = world(tmp_path, "本轮由三星证券领投。")
    assert [forms[0] for _, _, forms in got.values()] == ["三星证券"], got
    assert world(tmp_path, "英特尔公司宣布扩产。") == {}


def test_a_country_glued_before_a_region_is_dropped_from_its_short_forms(tmp_path: Path):
    w = world(tmp_path, "远山科技在越南北江省的工厂预计 2026年投产。")
    [(etype, country, forms)] = [v for v in w.values() if v[0] == "Region"]
    assert (etype, country) == ("Region", "vietnam")
    assert "北江省" in forms


def test_a_name_opening_a_list_with_an_organisation_is_one(tmp_path: Path):
    # 岚峰、远山科技（YS）、英特尔和美光宣布…: the list's first word, before the known names
    w = world(tmp_path, "2024年 9月，岚峰、远山科技（YS）、英特尔和美光宣布成立伙伴关系。")
    assert any("岚峰" in forms for _, _, forms in w.values()), w


def test_a_company_named_without_its_word_for_company_is_the_table_s(tmp_path: Path):
    # 应用材料 is the table's 应用材料公司: linked to it, not minted again
    text = "2024年 9月，应用材料与亚利桑那州立大学（ASU）宣布共建材料研发中心。"
    assert not any("应用材料" in forms for _, _, forms in world(tmp_path, text).values())
