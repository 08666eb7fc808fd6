"""Relation rules, one invented sentence each: what a rule must find and what it must not.

None of these sentences is in the bundled report; they show the rules are written for reports of
this kind (docs/annotation-guidelines.md, "Settled cases"), not for one file."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chipkg.extract.entities import default_linker
from chipkg.extract.linking import link_text
from chipkg.extract.relations import extract_relations

CASES = [
    # plants described instead of named: the operator and the place single them out
    (
        "described-plant",
        "日本政府为英特尔在亚利桑那州的新工厂提供 10亿美元补贴。",
        {
            ("japan", "funds", "intel-arizona-fab"),
            ("intel-arizona-fab", "locatedIn", "arizona"),
            ("intel", "operates", "intel-arizona-fab"),
        },
        {("japan", "funds", "intel")},
    ),
    (
        "two-places-two-plants",
        "美光科技将在纽约州和爱达荷州的两座晶圆厂生产 DRAM芯片。",
        {
            ("micron-new-york-megafab", "locatedIn", "new-york-state"),
            ("micron-idaho-fab", "locatedIn", "idaho"),
        },
        set(),
    ),
    (
        "ambiguous-plant-is-no-fact",
        "美光科技正在扩建其工厂。",
        set(),
        {
            ("micron", "expands", "micron-idaho-fab"),
            ("micron", "expands", "micron-new-york-megafab"),
        },
    ),
    (
        "most-specific-place",
        "格罗方德在佛蒙特州伯灵顿建设新工厂。",
        {
            ("globalfoundries", "builds", "gf-vermont-fab"),
            ("gf-vermont-fab", "locatedIn", "burlington-vermont"),
        },
        {("gf-vermont-fab", "locatedIn", "vermont")},
    ),
    (
        "place-in-name",
        "熊本晶圆厂已于今年投产。",
        {("tsmc-kumamoto-fab", "locatedIn", "kumamoto")},
        set(),
    ),
    (
        "operator-in-name",
        "欧盟批准向英飞凌德累斯顿智能功率晶圆厂提供补贴。",
        {("infineon", "operates", "infineon-dresden-smart-power-fab")},
        set(),
    ),
    (
        "country-acting-is-no-place",
        "韩国建设全球最大半导体集群。",
        {("south-korea", "builds", "korea-semiconductor-mega-cluster")},
        {("korea-semiconductor-mega-cluster", "locatedIn", "south-korea")},
    ),
    # partners
    (
        "partners-pair-up",
        "欧盟与英特尔、三星电子和台积电合作推进先进封装。",
        {
            ("european-union", "partnersWith", "intel"),
            ("intel", "partnersWith", "samsung-electronics"),
            ("intel", "partnersWith", "tsmc"),
            ("samsung-electronics", "partnersWith", "tsmc"),
        },
        set(),
    ),
    (
        "partners-listed-later",
        "NSF将与其他联邦机构密切协调，包括国防部和能源部。",
        {
            ("nsf", "partnersWith", "us-department-of-defense"),
            ("nsf", "partnersWith", "us-department-of-energy"),
            ("us-department-of-defense", "partnersWith", "us-department-of-energy"),
        },
        set(),
    ),
    (
        "a-place-is-no-partner",
        "例如亚利桑那州与英特尔的合作。",
        set(),
        {("united-states", "partnersWith", "intel")},
    ),
    # who acts
    (
        "the-funder-does-not-build",
        "德国为意法半导体拨款 5亿欧元，用于在西西里岛建立工厂。",
        {
            ("germany", "funds", "stmicroelectronics"),
            ("stmicroelectronics", "builds", "st-catania-sic-fab"),
        },
        {("germany", "builds", "st-catania-sic-fab")},
    ),
    (
        "each-company",
        "商务部已与安靠和SK海力士签署拨款协议，每家公司都将在美国建设先进封装设施。",
        {
            ("amkor", "builds", "amkor-us-packaging-facility"),
            ("sk-hynix", "builds", "sk-hynix-indiana-packaging-plant"),
        },
        set(),
    ),
    (
        "a-generic-agent",
        "马来西亚与Arm公司签署协议，助力本土企业开发 AI芯片。",
        {("malaysia", "partnersWith", "arm")},
        {("arm", "develops", "ai-chips")},
    ),
    (
        "a-clause-opening-with-a-partner",
        "与 IMEC合作开发 EUV光刻技术。",
        set(),
        {("imec", "develops", "euv-lithography")},
    ),
    # what is acted on
    (
        "possessed-products",
        "这些工厂将生产英特尔的 18A技术和台积电的 N2技术。",
        {("intel", "develops", "intel-18a"), ("tsmc", "develops", "tsmc-n2")},
        {("intel", "develops", "tsmc-n2")},
    ),
    (
        "kind-then-name",
        "谷歌公司利用超导量子芯片Willow完成实验。",
        {("google", "develops", "google-willow")},
        {("google", "develops", "superconducting-qubits")},
    ),
    (
        "and-below-is-no-list",
        "应用材料公司推出支持 2nm及以下节点的布线技术。",
        {("applied-materials", "develops", "advanced-interconnect")},
        {("applied-materials", "develops", "2nm-process")},
    ),
    ("a-domain", "日本在混合键合领域持续投入。", {("japan", "investsIn", "hybrid-bonding")}, set()),
    (
        "a-target-is-not-a-fact",
        "三星电子目标在 2030年建成新的半导体集群。",
        set(),
        {("samsung-electronics", "builds", "korea-semiconductor-mega-cluster")},
    ),
    (
        "a-control-named-after-a-technology",
        "荷兰政府实施 DUV设备出口管制。",
        {("netherlands", "restrictsExportOf", "duv-lithography")},
        set(),
    ),
    (
        "restrictions-to-china",
        "美国出口管制政策限制了对华技术输出。",
        {("united-states", "restrictsExportTo", "china")},
        set(),
    ),
    ("made-by", "麒麟 9020由中芯国际生产。", {("smic", "develops", "kirin-9020")}, set()),
    (
        "verb-first",
        "通过量子传感和边缘计算，ELMIC将开展新的探索。",
        {("elmic", "researches", "quantum-sensing"), ("elmic", "researches", "edge-computing")},
        set(),
    ),
]


def facts(text: str):
    linker = default_linker()
    return extract_relations(0, text, link_text(text, linker), linker.entities)


@pytest.mark.parametrize(("name", "text", "want", "not_want"), CASES, ids=[c[0] for c in CASES])
def test_rule(name, text, want, not_want):
    got = {(c.subject, c.predicate, c.object) for c in facts(text)}
    assert want <= got, f"{name}: missing {want - got}, got {got}"
    assert not (not_want & got), f"{name}: should not find {not_want & got}"


def test_the_amount_goes_to_what_it_pays_for():
    text = "美光科技计划投资 1200亿美元，其中在纽约州建立巨型晶圆厂所需的 1000亿美元，以及 200亿美元将在爱达荷州建造一座晶圆厂。"
    claims = facts(text)
    money = {(c.predicate, c.object): c.money.value for c in claims if c.money}
    assert money[("investsIn", "micron-new-york-megafab")] == Decimal("100000000000")
    assert money[("investsIn", "micron-idaho-fab")] == Decimal("20000000000")
    # building is not paying: the amount belongs to the investment only
    assert {c.predicate for c in claims if c.money} == {"investsIn"}


@pytest.mark.parametrize(
    ("text", "owner"),
    [
        # a programme's budget is not its partners' (the sentence's amount is the programme's)
        (
            "美国国家科学基金会启动新的未来半导体计划，预算 4240万美元，英特尔与美光科技参与合作。",
            None,
        ),
        # research is not funding: the amount belongs to the funder's support
        ("美国商务部为 NAPMP提供 1.5亿美元资助，NAPMP重点研究光通信技术。", ("funds", "napmp")),
        # a launch owns the sentence's amount only when no funding verb claims it
        ("美国国家科学基金会启动 NQVL，首期资助 3200万美元。", ("funds", "nqvl")),
    ],
)
def test_an_amount_stays_with_the_claim_it_describes(text, owner):
    claims = facts(text)
    with_money = {(c.predicate, c.object) for c in claims if c.money}
    assert with_money == ({owner} if owner else set()), [
        (c.predicate, c.object, c.money) for c in claims
    ]


def test_an_amount_before_the_investment_counts_from_its_end():
    [c] = [
        c
        for c in facts("韩国对三星电子的 5万亿韩元（40亿美元）投资可以带来 80万亿韩元的收益。")
        if c.predicate == "investsIn"
    ]
    assert (c.subject, c.object, c.money.value, c.money.currency) == (
        "south-korea",
        "samsung-electronics",
        Decimal("5000000000000"),
        "KRW",
    )


# Every named rule (named_rules.NAMED_RULES, COMBINED_RULES) and every sentence pattern of
# data/relations.toml, each with an invented sentence and the claim it must make (and the rule tag
# that made it).
NAMED_CASES = {
    "control_list_additions": (
        "美国商务部新增 12 家中国实体至出口管制清单。",
        ("us-department-of-commerce", "addsToControlList", "china"),
        "addsToControlList/count",
    ),
    "jobs": ("英特尔将创造 5000个就业岗位。", ("intel", "createsJobs", None), "createsJobs/count"),
    "places_of_facilities": (
        "位于亚利桑那州的台积电亚利桑那州晶圆厂已投产。",
        ("tsmc-arizona", "locatedIn", "arizona"),
        "locatedIn/adjacent",
    ),
    "described_places": (
        "美光科技在弗吉尼亚州建设新工厂。",
        ("micron-virginia-fab", "locatedIn", "virginia"),
        "locatedIn/described",
    ),
    "investment_at_a_place": (
        "台积电在亚利桑那州追加投资。",
        ("tsmc", "investsIn", "tsmc-arizona"),
        "investsIn/at-place",
    ),
    "work_on_a_facility": (
        "位于弗吉尼亚州的美光科技工厂，将通过现代化改造提升产能。",
        ("micron", "expands", "micron-virginia-fab"),
        "expands/of-facility",
    ),
    "investment_is_a_plant": (
        "英特尔的投资是其在亚利桑那州的晶圆厂。",
        ("intel", "investsIn", "intel-arizona-fab"),
        "investsIn/is",
    ),
    "possessed_facilities": (
        "美光科技位于弗吉尼亚州的工厂开始生产。",
        ("micron", "operates", "micron-virginia-fab"),
        "operates/possessive",
    ),
    "controls_named_after_a_technology": (
        "荷兰政府实施 DUV设备出口管制。",
        ("netherlands", "restrictsExportOf", "duv-lithography"),
        "restrictsExportOf/named",
    ),
    "possessed_products": (
        "英特尔的 18A技术已经成熟。",
        ("intel", "develops", "intel-18a"),
        "develops/of",
    ),
    "used_in_own_product": (
        "华为在麒麟9020中采用新的封装技术。",
        ("huawei", "develops", "kirin-9020"),
        "develops/in",
    ),
    "operator_in_name": (
        "英飞凌德累斯顿智能功率晶圆厂投产。",
        ("infineon", "operates", "infineon-dresden-smart-power-fab"),
        "operates/in-name",
    ),
    "place_in_name": (
        "熊本晶圆厂已于今年投产。",
        ("tsmc-kumamoto-fab", "locatedIn", "kumamoto"),
        "locatedIn/in-name",
    ),
    "capacity_and_share_targets": (
        "到 2030年，台积电将在熊本晶圆厂月产 10万片。",
        ("tsmc", "setsTarget", "tsmc-kumamoto-fab"),
        "setsTarget/capacity",
    ),
    "invests_in_what_it_builds": (
        "三星电子计划投资 50亿美元，在韩国建设半导体超级集群。",
        ("samsung-electronics", "investsIn", "korea-semiconductor-mega-cluster"),
        "investsIn/builds",
    ),
    "funded_under_a_law": (
        "在《芯片和科学法案》资助下，商务部为英特尔拨款 1亿美元。",
        ("chips-and-science-act", "funds", "intel"),
        "funds/under",
    ),
    "one_place_per_facility": (
        "格罗方德在佛蒙特州伯灵顿建设新工厂。",
        ("gf-vermont-fab", "locatedIn", "burlington-vermont"),
        "locatedIn/",
    ),
    "entity_list_additions": (
        "美国商务部工业和安全局将东方芯片等 12家实体列入实体清单，其中 10家位于中国、2家位于新加坡。",
        ("bis", "addsToControlList", "singapore"),
        "addsToControlList/per-country",
    ),
    "completion_targets": (
        "英特尔预计亚利桑那州晶圆厂将于 2027年完工。",
        ("intel", "setsTarget", "intel-arizona-fab"),
        "setsTarget/completion",
    ),
    "operators_named": (
        "欧盟建设光子集成电路试验生产线，由 IMEC负责运营。",
        ("imec", "operates", "pic-pilot-line"),
        "operates/run-by",
    ),
    "facility_lies_in": (
        "熊本晶圆厂位于日本熊本。",
        ("tsmc-kumamoto-fab", "locatedIn", "kumamoto"),
        "locatedIn/lies-in",
    ),
    "funds_its_purpose": (
        "日本政府为美光科技拨款 5亿美元，用于建设其在弗吉尼亚州的工厂。",
        ("japan", "funds", "micron-virginia-fab"),
        "funds/purpose",
    ),
    # the sentence patterns of data/relations.toml
    "forward": (
        "美光科技在弗吉尼亚州建设新工厂。",
        ("micron", "builds", "micron-virginia-fab"),
        "builds/forward",
    ),
    "benefactive": (
        "日本政府为美光科技拨款 5亿美元。",
        ("japan", "funds", "micron"),
        "funds/benefactive",
    ),
    "passive": (
        "英特尔获得商务部 10亿美元资助。",
        ("us-department-of-commerce", "funds", "intel"),
        "funds/passive",
    ),
    "comitative": (
        "三星电子与台积电合作开发先进封装。",
        ("samsung-electronics", "partnersWith", "tsmc"),
        "partnersWith/comitative",
    ),
}


def test_every_named_rule_and_pattern_has_a_case():
    from chipkg.extract.named_rules import COMBINED_RULES, NAMED_RULES
    from chipkg.extract.patterns import PATTERN_FUNCTIONS

    names = {f.__name__ for f in NAMED_RULES + COMBINED_RULES} | set(PATTERN_FUNCTIONS)
    assert names == set(NAMED_CASES)


@pytest.mark.parametrize("name", sorted(NAMED_CASES))
def test_named_rule(name):
    text, want, tag = NAMED_CASES[name]
    got = {(c.subject, c.predicate, c.object): c.rule for c in facts(text)}
    assert want in got, f"{name}: missing {want}, got {got}"
    assert got[want].startswith(tag), got[want]


def test_one_place_per_facility_drops_the_less_specific():
    got = {
        (c.subject, c.predicate, c.object) for c in facts(NAMED_CASES["one_place_per_facility"][0])
    }
    assert ("gf-vermont-fab", "locatedIn", "vermont") not in got


# Trigger rules and pattern behaviours added for reports beyond the bundled one, each with an
# invented sentence: (name, sentence, claims it must make, claims it must not make).
MORE_CASES = [
    (
        "a-joint-announcement",
        "台积电与英特尔宣布，将共同开发先进封装。",
        {("tsmc", "partnersWith", "intel")},
        set(),
    ),
    (
        "a-memorandum-of-understanding",
        "三星电子与英伟达签署谅解备忘录。",
        {("samsung-electronics", "partnersWith", "nvidia")},
        set(),
    ),
    (
        "taking-part-is-no-partnership",
        "思科和软银集团参与合作。",
        set(),
        {("cisco", "partnersWith", "softbank")},
    ),
    (
        "an-amount-provided",
        "美国商务部拟向美光科技提供 6亿美元，用于扩产。",
        {("us-department-of-commerce", "funds", "micron")},
        set(),
    ),
    (
        "support-as-a-noun",
        "日本政府对台积电的支持总额达到 50亿美元。",
        {("japan", "funds", "tsmc")},
        set(),
    ),
    (
        "money-put-into-a-plant",
        "英特尔将 30亿美元投向英特尔亚利桑那州晶圆厂。",
        {("intel", "investsIn", "intel-arizona-fab")},
        set(),
    ),
    (
        "shares-subscribed",
        "美国政府认购英特尔新发行的股票。",
        {("united-states", "investsIn", "intel")},
        set(),
    ),
    (
        "a-plant-project-started",
        "英特尔启动俄亥俄州先进逻辑芯片集群建设。",
        {("intel", "builds", "ohio-advanced-logic-cluster")},
        set(),
    ),
    (
        "invested-in-a-named-plant",
        "美光科技在美光弗吉尼亚州工厂累计投资约 20亿美元。",
        {("micron", "investsIn", "micron-virginia-fab")},
        set(),
    ),
    (
        "a-withdrawal-is-no-launch",
        "美国商务部宣布撤销《芯片和科学法案》。",
        set(),
        {("us-department-of-commerce", "launches", "chips-and-science-act")},
    ),
    (
        "agents-with-a-description",
        "美国商务部与运营方 IMEC宣布，将在纽约州建设 EUV加速器。",
        {
            ("us-department-of-commerce", "builds", "euv-accelerator"),
            ("imec", "builds", "euv-accelerator"),
        },
        set(),
    ),
    (
        "the-agency-is-the-channel",
        "日本政府将通过经济产业省设立国家集成电路产业投资基金三期。",
        {("japan", "launches", "big-fund-iii")},
        {("meti", "launches", "big-fund-iii")},
    ),
    (
        "the-party-an-agreement-was-signed-with",
        "美国商务部与英特尔签署初步条款备忘录，拟提供最高 10亿美元直接资助。",
        {("us-department-of-commerce", "funds", "intel")},
        set(),
    ),
    (
        "capital-put-into-the-company-formed",
        "韩国与三星电子宣布成立合资公司 KSMC，其中三星电子注资 10亿美元。",
        {("samsung-electronics", "investsIn", "ksmc")},
        set(),
    ),
    # money put in for someone: a government funds, a company invests (为/向X投入/注资/出资)
    (
        "money-put-in-for-a-company",
        "日本政府已向台积电投入 40亿美元，用于扩大产能。",
        {("japan", "funds", "tsmc")},
        set(),
    ),
    (
        "a-company-puts-money-into-a-plant",
        "英特尔为英特尔亚利桑那州晶圆厂累计投入 300亿美元。",
        {("intel", "investsIn", "intel-arizona-fab")},
        set(),
    ),
    (
        "co-subjects-fund-together",
        "美国与日本宣布，向英特尔提供 5亿美元资助。",
        {("united-states", "funds", "intel"), ("japan", "funds", "intel")},
        set(),
    ),
    (
        "two-companies-funded",
        "日本政府向台积电和美光科技提供补贴。",
        {("japan", "funds", "tsmc"), ("japan", "funds", "micron")},
        set(),
    ),
    (
        "developed-研制",
        "谷歌将研制容错量子计算机。",
        {("google", "develops", "fault-tolerant-quantum-computing")},
        set(),
    ),
    (
        "an-agreement-signed-makes-partners",
        "英特尔与美光科技就先进封装签署最终协议，双方将成立合资公司。",
        {("intel", "partnersWith", "micron")},
        set(),
    ),
    (
        "a-grant-agreement-is-no-partnership",
        "美国商务部与英特尔签署拨款协议。",
        {("us-department-of-commerce", "funds", "intel")},
        {("us-department-of-commerce", "partnersWith", "intel")},
    ),
    (
        "a-plant-run",
        "台积电将继续全面负责运营熊本晶圆厂。",
        {("tsmc", "operates", "tsmc-kumamoto-fab")},
        set(),
    ),
    (
        "a-law-signed",
        "美国签署《芯片和科学法案》。",
        {("united-states", "launches", "chips-and-science-act")},
        set(),
    ),
    # a plant's start of production planned in the sentence is a target; one done is not
    (
        "production-year-planned",
        "美光科技计划在爱达荷州新建一座晶圆厂，并于 2027年投产。",
        {("micron", "setsTarget", "micron-idaho-fab")},
        set(),
    ),
    (
        "production-done-is-no-target",
        "美光科技计划扩大产能，美光爱达荷州晶圆厂已于 2023年投产。",
        set(),
        {("micron", "setsTarget", "micron-idaho-fab")},
    ),
    (
        "a-part-of-the-plant-is-not-the-plant",
        "美光科技计划新建美光爱达荷州晶圆厂，首个 200兆瓦集群预计于 2026年投入使用。",
        {("micron", "builds", "micron-idaho-fab")},
        {("micron", "setsTarget", "micron-idaho-fab")},
    ),
    (
        "the-plants-own-plan",
        "美光爱达荷州晶圆厂将采用台积电授权的工艺，计划于 2027年开始量产。",
        set(),
        {("tsmc", "setsTarget", "micron-idaho-fab"), ("micron", "setsTarget", "micron-idaho-fab")},
    ),
    # 该厂: the plant named again is the subject of the clauses after it, not the company
    (
        "the-plant-referred-back-makes-it",
        "英特尔位于新墨西哥州的晶圆厂重新投产，该厂将作为先进封装产线，主要生产 Willow芯片。",
        {("intel", "operates", "intel-new-mexico-fab")},
        {("intel", "develops", "google-willow")},
    ),
    (
        "a-programme-in-quotes-is-where",
        "美国商务部宣布，将在“国家先进封装制造计划”（NAPMP）下向英特尔提供 3亿美元资助。",
        {("us-department-of-commerce", "funds", "intel")},
        {("napmp", "funds", "intel")},
    ),
    # a name several countries share (联邦政府) right after one of them is that country's
    (
        "a-countrys-federal-government",
        "德国联邦政府向英飞凌提供 10亿欧元补贴。",
        {("germany", "funds", "infineon")},
        {("united-states", "funds", "infineon")},
    ),
    (
        "a-process-used-to-make-a-product",
        "AMD在该厂采用 Intel 18A量产 MI300。",
        {("amd", "develops", "intel-18a"), ("amd", "develops", "amd-mi300")},
        set(),
    ),
    (
        "an-investment-in-an-expansion",
        "美光科技宣布投资 20亿美元，扩建其美光爱达荷州晶圆厂。",
        {("micron", "investsIn", "micron-idaho-fab")},
        set(),
    ),
    (
        "a-countrys-total-is-not-the-plants",
        "英特尔在美国投资 1000亿美元，新建英特尔亚利桑那州晶圆厂。",
        {("intel", "builds", "intel-arizona-fab")},
        {("intel", "investsIn", "intel-arizona-fab")},
    ),
    (
        "for-a-universitys-plants-not-the-university",
        "美国商务部向美光科技拨款 5亿美元，用于升级清华大学的两座实验设施。",
        {("us-department-of-commerce", "funds", "micron")},
        {("us-department-of-commerce", "funds", "tsinghua-university")},
    ),
]


@pytest.mark.parametrize(
    ("name", "text", "want", "not_want"), MORE_CASES, ids=[c[0] for c in MORE_CASES]
)
def test_more_rules(name, text, want, not_want):
    got = {(c.subject, c.predicate, c.object) for c in facts(text)}
    assert want <= got, f"{name}: missing {want - got}, got {got}"
    assert not (not_want & got), f"{name}: should not find {not_want & got}"


def test_a_preposition_after_an_owner_opens_a_clause_not_a_possession():
    from chipkg.extract.context import noun_phrase

    assert noun_phrase("在纽约州的新") and noun_phrase("位于亚利桑那州的")
    assert not noun_phrase("为新") and not noun_phrase("向其")  # 英特尔为新工厂投入: pays for it


def test_a_unit_price_is_not_the_sum_invested():
    [c] = [c for c in facts("美国政府以每股 20美元认购英特尔新发行的股票，投资总额 10亿美元。")]
    assert (c.predicate, c.object, c.money.value) == ("investsIn", "intel", Decimal("1000000000"))


def test_support_after_a_grant_is_its_purpose_not_a_second_grant():
    claims = facts("日本政府为美光科技提供 3亿美元补贴，支持美光量产 DRAM。")
    assert {c.rule for c in claims if c.predicate == "funds"} == {"funds/benefactive:补贴"}


def test_every_claim_knows_where_its_words_are():
    text = "日本政府为美光科技拨款 5亿美元，用于建设其在弗吉尼亚州的工厂。"
    for c in facts(text):
        a, b = c.local_span()
        assert 0 <= a < b <= len(text), c
    funds = next(c for c in facts(text) if c.rule == "funds/benefactive:拨款")
    a, b = funds.local_span()
    assert text[a:b] == "日本政府为美光科技拨款 5亿美元"
