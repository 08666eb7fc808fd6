"""Round 4: the constructions Chinese policy and business prose uses to state each relation, one
invented sentence per construction (none is a report's sentence), written from grammar, not from
a report's misses: for funds, researches, develops, investsIn, partnersWith, builds, expands and
launches; the amount each claim owns when a sentence has two; and what states no fact (negation,
rumour, hedge, condition). See docs/extraction.md, "Round 4"."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chipkg.extract.entities import default_linker
from chipkg.extract.linking import link_text
from chipkg.extract.relations import extract_relations

DOC = "us-department-of-commerce"
DOE = "us-department-of-energy"


def facts(text: str):
    linker = default_linker()
    return extract_relations(0, text, link_text(text, linker), linker.entities)


def triples(text: str) -> set[tuple[str, str, str]]:
    return {(c.subject, c.predicate, c.object) for c in facts(text)}


# (name, sentence, claims it must make, claims it must not make)
CONSTRUCTIONS = [
    # --- funds ---------------------------------------------------------------------------------
    ("funds-active", "美国商务部资助美光科技。", {(DOC, "funds", "micron")}, set()),
    (
        "funds-amount-then-dative",
        "美国商务部拨款 5亿美元给美光科技。",
        {(DOC, "funds", "micron")},
        set(),
    ),
    (
        "funds-dative-verb",
        "美国商务部将 5亿美元拨付给美光科技。",
        {(DOC, "funds", "micron")},
        set(),
    ),
    (
        "funds-benefactive-disburse",
        "美国商务部向美光科技拨付 5亿美元。",
        {(DOC, "funds", "micron")},
        set(),
    ),
    (
        "funds-benefactive-grant-noun",
        "日本经济产业省向铠侠发放 2000亿日元补助。",
        {("meti", "funds", "kioxia")},
        set(),
    ),
    (
        "funds-benefactive-award",
        "美国能源部为阿贡国家实验室提供 1亿美元赠款。",
        {(DOE, "funds", "argonne-national-laboratory")},
        set(),
    ),
    (
        "funds-benefactive-loan",
        "美国商务部向英特尔提供 30亿美元贷款。",
        {(DOC, "funds", "intel")},
        set(),
    ),
    (
        "funds-benefactive-give",
        "美国商务部给美光科技提供 3亿美元资金支持。",
        {(DOC, "funds", "micron")},
        set(),
    ),
    (
        "funds-benefactive-reward",
        "美国商务部向三星电子发放 10亿美元奖励。",
        {(DOC, "funds", "samsung-electronics")},
        set(),
    ),
    (
        "funds-hand-out-needs-money",
        "美国商务部向英特尔发放出口许可证。",
        set(),
        {(DOC, "funds", "intel")},
    ),
    (
        "funds-receiver-first",
        "美光科技获得美国商务部 61亿美元补贴。",
        {(DOC, "funds", "micron")},
        set(),
    ),
    (
        "funds-receiver-approved",
        "英特尔获批美国商务部 30亿美元资助。",
        {(DOC, "funds", "intel")},
        set(),
    ),
    (
        "funds-receiver-obtains",
        "三星电子拿到美国商务部的 47亿美元补贴。",
        {(DOC, "funds", "samsung-electronics")},
        set(),
    ),
    (
        "funds-receiver-gets-support",
        "英特尔得到美国商务部的大力支持。",
        {(DOC, "funds", "intel")},
        set(),
    ),
    (
        "funds-receiver-is-the-topic",
        "英特尔以 5亿美元收购 SkyWater后，获得美国商务部 10亿美元补贴。",
        {(DOC, "funds", "intel")},
        {(DOC, "funds", "skywater")},
    ),
    (
        "funds-receivers-joined",
        "英特尔和美光科技获得美国商务部补贴。",
        {(DOC, "funds", "intel"), (DOC, "funds", "micron")},
        set(),
    ),
    (
        "funds-receiver-from-the-giver",
        "英特尔从美国商务部获得 30亿美元资助。",
        {(DOC, "funds", "intel")},
        {("intel", "funds", DOC)},
    ),
    (
        "funds-receiver-from-giver-after",
        "英特尔获得来自美国商务部的 30亿美元资助。",
        {(DOC, "funds", "intel")},
        set(),
    ),
    (
        "funds-receiver-law-named",
        "美光科技获得《芯片与科学法案》 61亿美元补贴。",
        {("chips-and-science-act", "funds", "micron")},
        set(),
    ),
    (
        "funds-award",
        "美国国家科学基金会授予清华大学 500万美元资助。",
        {("nsf", "funds", "tsinghua-university")},
        set(),
    ),
    (
        "funds-award-of-no-money",
        "美国国家科学基金会授予清华大学荣誉称号。",
        set(),
        {("nsf", "funds", "tsinghua-university")},
    ),
    (
        "funds-amount-before-the-verb",
        "美国商务部以 30亿美元资助英特尔。",
        {(DOC, "funds", "intel")},
        set(),
    ),
    (
        "funds-money-for-support",
        "美国商务部提供 5亿美元用于支持英特尔。",
        {(DOC, "funds", "intel")},
        set(),
    ),
    (
        "funds-then-research",
        "美国国家科学基金会资助清华大学开展量子计算研究。",
        {
            ("nsf", "funds", "tsinghua-university"),
            ("tsinghua-university", "researches", "quantum-computing"),
        },
        set(),
    ),
    (
        "funds-state-aid-approved",
        "欧盟委员会批准德国对英飞凌的 9.2亿欧元补贴。",
        {("germany", "funds", "infineon")},
        set(),
    ),
    (
        "funds-aid",
        "日本政府决定向 Rapidus追加 5900亿日元援助。",
        {("japan", "funds", "rapidus")},
        set(),
    ),
    (
        "funds-dui-give",
        "日本政府对铠侠给予 2430亿日元补贴。",
        {("japan", "funds", "kioxia")},
        set(),
    ),
    (
        "funds-give-forward",
        "日本经济产业省给予铠侠 2430亿日元补贴。",
        {("meti", "funds", "kioxia")},
        set(),
    ),
    (
        "funds-incentive",
        "美国商务部向美光科技提供 61亿美元激励。",
        {(DOC, "funds", "micron")},
        set(),
    ),
    (
        "funds-receiver-according-to-a-law",
        "根据《芯片与科学法案》，英特尔将获得 85亿美元直接资金。",
        {("chips-and-science-act", "funds", "intel")},
        set(),
    ),
    (
        "funds-under-sponsorship",
        "在美国能源部的资助下，阿贡国家实验室建成新的研究设施。",
        {(DOE, "funds", "argonne-national-laboratory")},
        set(),
    ),
    (
        "funds-under-support",
        "在美国国家科学基金会支持下，清华大学开展量子计算研究。",
        {
            ("nsf", "funds", "tsinghua-university"),
            ("tsinghua-university", "researches", "quantum-computing"),
        },
        set(),
    ),
    (
        "funds-under-a-law-not-the-agency",
        "在《芯片与科学法案》资助下，美国能源部为阿贡国家实验室提供资金。",
        {
            (DOE, "funds", "argonne-national-laboratory"),
            ("chips-and-science-act", "funds", "argonne-national-laboratory"),
        },
        {("chips-and-science-act", "funds", DOE)},
    ),
    (
        "funds-agentive-you",
        "国家半导体技术中心由美国商务部出资建设。",
        {(DOC, "funds", "nstc")},
        {(DOC, "builds", "nstc")},
    ),
    (
        "funds-agentive-you-research",
        "清华大学的研究由美国国家科学基金会资助。",
        {("nsf", "funds", "tsinghua-university")},
        set(),
    ),
    (
        "funds-nominalised",
        "美国商务部对英特尔的 85亿美元资助已经到位。",
        {(DOC, "funds", "intel")},
        set(),
    ),
    (
        "funds-nominalised-relative",
        "日本经济产业省向 Rapidus发放的 5900亿日元补助将用于量产。",
        {("meti", "funds", "rapidus")},
        set(),
    ),
    (
        "funds-relative-clause",
        "美国国家科学基金会资助的国家量子虚拟实验室项目已启动。",
        {("nsf", "funds", "nqvl")},
        set(),
    ),
    (
        "funds-relative-clause-centre",
        "美国能源部资助的 MEERCAT中心聚焦低功耗AI芯片。",
        {(DOE, "funds", "meercat")},
        set(),
    ),
    (
        "funds-purpose-clause-facility",
        "美国商务部投入 1亿美元，用于国家半导体技术中心的建设。",
        {(DOC, "funds", "nstc")},
        set(),
    ),
    (
        "funds-purpose-clause-research",
        "美国能源部投入 1亿美元，用于量子计算的研发。",
        {(DOE, "researches", "quantum-computing")},
        {(DOE, "funds", "quantum-computing")},
    ),
    (
        "funds-purpose-clause-production-is-no-research",
        "日本经济产业省投入 1000亿日元，用于量产 DRAM。",
        set(),
        {("meti", "researches", "dram")},
    ),
    (
        "funds-list-of-recipients",
        "美国国家科学基金会资助清华大学、中国科学院以及比利时微电子研究中心。",
        {
            ("nsf", "funds", "tsinghua-university"),
            ("nsf", "funds", "cas"),
            ("nsf", "funds", "imec"),
        },
        set(),
    ),
    (
        "funds-benefactive-list",
        "美国商务部向英特尔、美光科技及三星电子提供补贴。",
        {
            (DOC, "funds", "intel"),
            (DOC, "funds", "micron"),
            (DOC, "funds", "samsung-electronics"),
        },
        set(),
    ),
    (
        "funds-agreement-with-amount",
        "美国商务部与英特尔达成 85亿美元的补贴协议。",
        {(DOC, "funds", "intel")},
        {(DOC, "partnersWith", "intel")},
    ),
    # --- researches / develops -----------------------------------------------------------------
    (
        "researches-carry-out",
        "阿贡国家实验室开展量子传感研究。",
        {("argonne-national-laboratory", "researches", "quantum-sensing")},
        set(),
    ),
    (
        "researches-advance",
        "阿贡国家实验室推进量子网络研究。",
        {("argonne-national-laboratory", "researches", "quantum-networking")},
        set(),
    ),
    (
        "researches-focus",
        "MEERCAT中心聚焦低功耗AI芯片的研发。",
        {("meercat", "researches", "low-power-ai-chips")},
        set(),
    ),
    (
        "researches-devoted",
        "比利时微电子研究中心致力于芯粒的研发。",
        {("imec", "researches", "chiplet")},
        set(),
    ),
    (
        "researches-tackle",
        "中国科学院重点攻关光刻技术和先进封装。",
        {("cas", "researches", "lithography"), ("cas", "researches", "advanced-packaging")},
        set(),
    ),
    (
        "researches-lay-out",
        "美国能源部布局量子计算技术。",
        {(DOE, "researches", "quantum-computing")},
        set(),
    ),
    (
        "researches-around",
        "中国科学院围绕光刻技术开展研究。",
        {("cas", "researches", "lithography")},
        set(),
    ),
    (
        "researches-in-the-field",
        "中国科学院在碳化硅领域开展研究。",
        {("cas", "researches", "sic")},
        set(),
    ),
    (
        "researches-in-a-place-is-no-field",
        "中国科学院在亚利桑那州开展研究。",
        set(),
        {("cas", "researches", "arizona")},
    ),
    (
        "researches-leads",
        "清华大学牵头量子计算研究。",
        {("tsinghua-university", "researches", "quantum-computing")},
        set(),
    ),
    (
        "researches-directions",
        "阿贡国家实验室的研究方向包括量子传感和量子网络。",
        {
            ("argonne-national-laboratory", "researches", "quantum-sensing"),
            ("argonne-national-laboratory", "researches", "quantum-networking"),
        },
        set(),
    ),
    (
        "researches-funds-research-in-a-field",
        "美国国家科学基金会将资助量子计算和量子网络领域的研究。",
        {("nsf", "researches", "quantum-computing"), ("nsf", "researches", "quantum-networking")},
        set(),
    ),
    (
        "researches-funds-another-to-research-is-not-its-own",
        "美国国家科学基金会资助清华大学开展量子计算研究。",
        {("tsinghua-university", "researches", "quantum-computing")},
        {("nsf", "researches", "quantum-computing")},
    ),
    (
        "researches-dui",
        "中国科学院对二维材料开展研究。",
        {("cas", "researches", "2d-materials")},
        set(),
    ),
    (
        "researches-more-spending-on",
        "美国能源部加大对量子计算的研发投入。",
        {(DOE, "researches", "quantum-computing")},
        set(),
    ),
    (
        "researches-undertaken-by",
        "先进封装的研究由比利时微电子研究中心负责。",
        {("imec", "researches", "advanced-packaging")},
        set(),
    ),
    (
        "develops-undertaken-by",
        "混合键合的研发工作由英特尔承担。",
        {("intel", "develops", "hybrid-bonding")},
        {("intel", "researches", "hybrid-bonding")},
    ),
    (
        "researches-list",
        "阿贡国家实验室将重点研究量子传感、量子网络及量子纠错。",
        {
            ("argonne-national-laboratory", "researches", "quantum-sensing"),
            ("argonne-national-laboratory", "researches", "quantum-networking"),
            ("argonne-national-laboratory", "researches", "quantum-error-correction"),
        },
        set(),
    ),
    (
        "researches-joint",
        "清华大学与中国科学院联合研究二维材料。",
        {
            ("tsinghua-university", "researches", "2d-materials"),
            ("cas", "researches", "2d-materials"),
            ("tsinghua-university", "partnersWith", "cas"),
        },
        set(),
    ),
    (
        "develops-company-devoted",
        "英特尔致力于先进封装的研发。",
        {("intel", "develops", "advanced-packaging")},
        {("intel", "researches", "advanced-packaging")},
    ),
    (
        "develops-company-lays-out",
        "三星电子布局 HBM3E技术。",
        {("samsung-electronics", "develops", "hbm3e")},
        set(),
    ),
    (
        "develops-company-focus-not-a-topic",
        "英特尔扩建英特尔亚利桑那州晶圆厂，主要聚焦先进制程。",
        set(),
        {("intel", "develops", "advanced-process-nodes")},
    ),
    (
        "develops-joint",
        "英特尔与比利时微电子研究中心联合研发混合键合技术。",
        {
            ("intel", "develops", "hybrid-bonding"),
            ("imec", "develops", "hybrid-bonding"),
            ("intel", "partnersWith", "imec"),
        },
        set(),
    ),
    (
        "develops-purpose-clause-company",
        "英特尔投入 1亿美元，用于先进封装的研发。",
        {("intel", "develops", "advanced-packaging"), ("intel", "investsIn", "advanced-packaging")},
        set(),
    ),
    # --- investsIn -----------------------------------------------------------------------------
    (
        "invests-benefactive",
        "台积电向台积电亚利桑那州晶圆厂追加投资 250亿美元。",
        {("tsmc", "investsIn", "tsmc-arizona")},
        set(),
    ),
    (
        "invests-dui",
        "英伟达对英特尔投资 50亿美元。",
        {("nvidia", "investsIn", "intel")},
        set(),
    ),
    (
        "invests-nominalised",
        "英伟达对英特尔的 50亿美元投资已完成。",
        {("nvidia", "investsIn", "intel")},
        set(),
    ),
    (
        "invests-leads-a-round",
        "英伟达领投 Rapidus的新一轮融资。",
        {("nvidia", "investsIn", "rapidus")},
        set(),
    ),
    (
        "invests-agentive-you",
        "英特尔新墨西哥州晶圆厂由英特尔投资建设。",
        {
            ("intel", "investsIn", "intel-new-mexico-fab"),
            ("intel", "builds", "intel-new-mexico-fab"),
        },
        set(),
    ),
    (
        "invests-spends-on-what-it-expands",
        "英特尔斥资 100亿美元扩建英特尔亚利桑那州晶圆厂。",
        {("intel", "investsIn", "intel-arizona-fab"), ("intel", "expands", "intel-arizona-fab")},
        set(),
    ),
    (
        "invests-receiver-first",
        "英特尔获得英伟达 50亿美元投资。",
        {("nvidia", "investsIn", "intel")},
        set(),
    ),
    (
        "invests-led-by",
        "Rapidus完成由英伟达领投的新一轮融资。",
        {("nvidia", "investsIn", "rapidus")},
        set(),
    ),
    # --- partnersWith --------------------------------------------------------------------------
    (
        "partners-hand-in-hand",
        "英特尔携手台积电开发先进封装。",
        {
            ("intel", "partnersWith", "tsmc"),
            ("intel", "develops", "advanced-packaging"),
            ("tsmc", "develops", "advanced-packaging"),
        },
        set(),
    ),
    (
        "partners-list-before-the-verb",
        "英特尔、台积电与三星电子成立联盟。",
        {
            ("intel", "partnersWith", "tsmc"),
            ("intel", "partnersWith", "samsung-electronics"),
            ("tsmc", "partnersWith", "samsung-electronics"),
        },
        set(),
    ),
    (
        "partners-list-with-he",
        "英特尔、台积电和三星电子成立联盟。",
        {
            ("intel", "partnersWith", "tsmc"),
            ("intel", "partnersWith", "samsung-electronics"),
            ("tsmc", "partnersWith", "samsung-electronics"),
        },
        set(),
    ),
    (
        "partners-joint-venture",
        "英特尔与台积电组建合资公司。",
        {("intel", "partnersWith", "tsmc")},
        set(),
    ),
    (
        "partners-form-an-alliance",
        "英特尔与台积电结成战略伙伴。",
        {("intel", "partnersWith", "tsmc")},
        set(),
    ),
    # --- builds / expands ----------------------------------------------------------------------
    (
        "builds-agentive-you",
        "英特尔亚利桑那州晶圆厂由英特尔建设。",
        {("intel", "builds", "intel-arizona-fab")},
        set(),
    ),
    (
        "expands-raises-capacity",
        "英特尔提升英特尔亚利桑那州晶圆厂产能。",
        {("intel", "expands", "intel-arizona-fab")},
        set(),
    ),
    # --- launches ------------------------------------------------------------------------------
    (
        "launches-agentive-you",
        "国家先进封装制造计划由美国商务部发起。",
        {(DOC, "launches", "napmp")},
        set(),
    ),
    (
        "launches-a-law-passed",
        "美国国会投票通过《芯片与科学法案》。",
        {("us-congress", "launches", "chips-and-science-act")},
        set(),
    ),
    (
        "launches-by-means-of-a-law-is-no-launch",
        "美国通过《芯片与科学法案》向英特尔提供补贴。",
        {("united-states", "funds", "intel")},
        {("united-states", "launches", "chips-and-science-act")},
    ),
    # --- what states no fact -------------------------------------------------------------------
    ("no-fact-negated", "美国商务部并未资助美光科技。", set(), {(DOC, "funds", "micron")}),
    (
        "no-fact-negated-benefactive",
        "美国商务部未向美光科技提供补贴。",
        set(),
        {(DOC, "funds", "micron")},
    ),
    (
        "no-fact-negated-receiver",
        "美光科技没有获得美国商务部的补贴。",
        set(),
        {(DOC, "funds", "micron")},
    ),
    (
        "no-fact-will-not-build",
        "英特尔不会在亚利桑那州建设新工厂。",
        set(),
        {("intel", "builds", "intel-arizona-fab")},
    ),
    (
        "no-fact-rumour",
        "据传英特尔将投资 100亿美元扩建英特尔亚利桑那州晶圆厂。",
        set(),
        {("intel", "investsIn", "intel-arizona-fab"), ("intel", "expands", "intel-arizona-fab")},
    ),
    (
        "no-fact-hedge",
        "英伟达或将对英特尔投资 50亿美元。",
        set(),
        {("nvidia", "investsIn", "intel")},
    ),
    (
        "no-fact-condition",
        "如果美国商务部资助美光科技，美光科技将扩建美光爱达荷州晶圆厂。",
        set(),
        {(DOC, "funds", "micron"), ("micron", "expands", "micron-idaho-fab")},
    ),
    (
        "fact-several-is-no-condition",
        "若干企业获得补贴，美国商务部资助美光科技。",
        {(DOC, "funds", "micron")},
        set(),
    ),
    (
        "fact-planned-with-an-actor",
        "美国商务部拟向美光科技提供 5亿美元补贴。",
        {(DOC, "funds", "micron")},
        set(),
    ),
    (
        "fact-another-verb-negated",
        "英特尔获批但尚未拨付的 57亿美元补贴来自芯片美国。",
        set(),
        set(),
    ),
    (
        "fact-not-a-future",
        "美国商务部资助美光科技，未来将扩大支持。",
        {(DOC, "funds", "micron")},
        set(),
    ),
]


@pytest.mark.parametrize(
    ("name", "text", "want", "not_want"), CONSTRUCTIONS, ids=[c[0] for c in CONSTRUCTIONS]
)
def test_construction(name, text, want, not_want):
    got = triples(text)
    assert want <= got, f"{name}: missing {want - got}, got {got}"
    assert not (not_want & got), f"{name}: should not find {not_want & got}"


# --- amounts belong to their claim: two amounts in one sentence ---------------------------------


def money_of(text: str) -> dict[tuple[str, str], tuple[Decimal, str] | None]:
    return {
        (c.predicate, c.object): (c.money.value, c.money.currency) if c.money else None
        for c in facts(text)
        if c.predicate in ("funds", "investsIn")
    }


USD = "USD"


@pytest.mark.parametrize(
    ("text", "want"),
    [
        # two recipients, each with its own verb and amount
        (
            "美国商务部向英特尔提供 85亿美元补贴、向美光科技提供 61亿美元补贴。",
            {
                ("funds", "intel"): (Decimal("8500000000"), USD),
                ("funds", "micron"): (Decimal("6100000000"), USD),
            },
        ),
        # 分别: the i-th amount is the i-th recipient's
        (
            "美国商务部向英特尔和美光科技分别提供 30亿美元和 20亿美元补贴。",
            {
                ("funds", "intel"): (Decimal("3000000000"), USD),
                ("funds", "micron"): (Decimal("2000000000"), USD),
            },
        ),
        (
            "美国商务部分别向英特尔、美光科技提供 30亿美元、20亿美元补贴。",
            {
                ("funds", "intel"): (Decimal("3000000000"), USD),
                ("funds", "micron"): (Decimal("2000000000"), USD),
            },
        ),
        # a total and a part: the total is the grant's, the part's purpose row carries none
        (
            "美国商务部向英特尔提供 85亿美元资助，其中 30亿美元用于国家半导体技术中心。",
            {("funds", "intel"): (Decimal("8500000000"), USD), ("funds", "nstc"): None},
        ),
        # an amount after the verb, and its conversion in brackets
        (
            "美国商务部拨款 50亿欧元（约 56亿美元）给英飞凌。",
            {("funds", "infineon"): (Decimal("5000000000"), "EUR")},
        ),
        # an amount before the verb
        (
            "美国商务部的 30亿美元补贴将发放给英特尔。",
            {("funds", "intel"): (Decimal("3000000000"), USD)},
        ),
        # an amount and its conversion: one amount, in the currency the text gives first
        (
            "日本经济产业省为 Rapidus提供 5900亿日元（约 39亿美元）补贴。",
            {("funds", "rapidus"): (Decimal("590000000000"), "JPY")},
        ),
        # a deal value next to a funding: the price is the deal's, the grant its own
        (
            "英特尔以 5亿美元收购 SkyWater后，获得美国商务部 10亿美元补贴。",
            {("funds", "intel"): (Decimal("1000000000"), USD)},
        ),
        # an investment and a grant in one sentence
        (
            "美国商务部为三星电子提供 64亿美元补贴，三星电子将投资 170亿美元扩建半导体超级集群。",
            {
                ("funds", "samsung-electronics"): (Decimal("6400000000"), USD),
                ("investsIn", "korea-semiconductor-mega-cluster"): (Decimal("17000000000"), USD),
            },
        ),
        # a programme's budget is not a grant's
        (
            "欧盟批准 50亿欧元的补贴计划，德国向英飞凌提供 9.2亿欧元补贴。",
            {("funds", "infineon"): (Decimal("920000000"), "EUR")},
        ),
        # the purpose clause of a payment carries the payment's amount
        (
            "美国商务部投入 1亿美元，用于国家半导体技术中心的建设。",
            {("funds", "nstc"): (Decimal("100000000"), USD)},
        ),
    ],
)
def test_each_amount_belongs_to_its_claim(text, want):
    got = money_of(text)
    for key, money in want.items():
        assert key in got, f"missing {key}: {got}"
        assert got[key] == money, f"{key}: {got[key]} != {money}"


def test_every_construction_rule_has_a_case():
    """Each construction rule (constructions.CONSTRUCTION_RULES, COMBINED_CONSTRUCTIONS) makes or
    drops a claim in one of the sentences above, under its own tag."""
    from chipkg.extract.constructions import COMBINED_CONSTRUCTIONS, CONSTRUCTION_RULES

    tags = {c.rule.split(":")[0] for _, text, _, _ in CONSTRUCTIONS for c in facts(text)}
    assert "funds/under-sponsorship" in tags
    assert {"funds/for-a-purpose", "researches/for-a-purpose", "develops/for-a-purpose"} <= tags
    names = {f.__name__ for f in CONSTRUCTION_RULES + COMBINED_CONSTRUCTIONS}
    assert names == {
        "under_sponsorship",
        "funding_round",
        "partner_of",
        "granted_sums",
        "capital_founding",
        "production_targets",
        "self_made",
        "targets_are_not_facts",
        "money_for_a_purpose",
        "whole_bought",
        "stated",
    }


def test_a_conversion_stays_with_its_amount():
    [c] = [
        c
        for c in facts("美国商务部拨款 50亿欧元（约 56亿美元）给英飞凌。")
        if c.predicate == "funds"
    ]
    assert c.money.conversion is not None
    assert (c.money.conversion.value, c.money.conversion.currency) == (Decimal("5600000000"), USD)


# --- round 5: who does it when another lets them, and more ways to say an acquisition --------------

ROUND5 = [
    # a pivotal construction: the one approved, asked or helped is the doer
    (
        "pivot-approve",
        "日本经济产业省批准英特尔在俄亥俄州建设新工厂。",
        {("intel", "builds")},
        {("meti", "builds")},
    ),
    (
        "pivot-support",
        "美国商务部支持美光科技在纽约州建设新工厂。",
        {("micron", "builds"), ("us-department-of-commerce", "funds")},
        {("us-department-of-commerce", "builds")},
    ),
    ("no-pivot", "英特尔在俄亥俄州建设新工厂。", {("intel", "builds")}, set()),
    # acquisitions: nominalised, passive; an acquisition called off states none
    ("acquires-nominal", "英伟达已完成对英特尔的收购。", {("nvidia", "acquires")}, set()),
    (
        "acquires-passive",
        "美光科技被英特尔收购。",
        {("intel", "acquires")},
        {("micron", "acquires")},
    ),
    (
        "acquires-called-off",
        "英特尔已宣布终止以 54亿美元收购美光科技。",
        set(),
        {("intel", "acquires")},
    ),
    (
        "funding-withdrawn",
        "美国商务部取消了对英特尔的拨款。",
        set(),
        {("us-department-of-commerce", "funds")},
    ),
    # a business of a company bought is not the company
    (
        "acquires-a-business",
        "英特尔宣布以 9.5亿美元收购美光科技的传感器业务。",
        set(),
        {("intel", "acquires")},
    ),
    (
        "acquires-the-company",
        "英特尔宣布以 9.5亿美元收购美光科技。",
        {("intel", "acquires")},
        set(),
    ),
    # a clause that drops its subject partners as the sentence's topic
    (
        "partners-topic",
        "英伟达宣布向英特尔投资 50亿美元，并与英特尔达成战略合作。",
        {("nvidia", "partnersWith"), ("nvidia", "investsIn")},
        {("intel", "partnersWith")},
    ),
    # a standards body publishes a standard; an agency publishing rules on a technology does not
    (
        "standard",
        "北海存储联盟（NMA）正式发布新一代 DRAM标准。",
        {("bei-hai-cun-chu-lian-meng", "develops")},
        set(),
    ),
    (
        "no-standard",
        "美国商务部发布新的 DRAM出口管制标准。",
        set(),
        {("us-department-of-commerce", "develops")},
    ),
    # a financing round: who leads, follows or joins it invests in the company that raises it
    (
        "funding-round",
        "英特尔完成 6.4亿美元 D轮融资，由英伟达领投，美光科技和三星电子跟投。",
        {("nvidia", "investsIn"), ("micron", "investsIn"), ("samsung-electronics", "investsIn")},
        {("intel", "investsIn")},
    ),
    ("funding-round-joined", "英伟达参与了英特尔本轮融资。", {("nvidia", "investsIn")}, set()),
    ("no-funding-round", "英伟达参与了英特尔的项目。", set(), {("nvidia", "investsIn")}),
    # an investment agreement signed together makes partners (not co-investors in a round)
    (
        "investment-agreement",
        "英特尔于 2022年 3月与美光科技签署投资协议。",
        {("intel", "partnersWith")},
        set(),
    ),
    # 通过收购 X: a purchase, not the means of developing what follows
    (
        "through-a-purchase",
        "英特尔此前已通过收购美光科技进入 EDA领域。",
        {("intel", "acquires")},
        {("intel", "develops")},
    ),
    # co-investors in a round are not partners
    (
        "co-investors",
        "英特尔完成 D轮融资，由英伟达与美光科技联合领投。",
        {("nvidia", "investsIn"), ("micron", "investsIn")},
        {("nvidia", "partnersWith")},
    ),
    # X是Y的(研发)合作伙伴: partners
    (
        "partner-of",
        "阿贡国家实验室是英特尔最重要的研发合作伙伴。",
        {("argonne-national-laboratory", "partnersWith")},
        set(),
    ),
    (
        "no-partner-of",
        "阿贡国家实验室是英特尔最重要的客户。",
        set(),
        {("argonne-national-laboratory", "partnersWith")},
    ),
    # 获得 GOV N: each government right before a sum funds the one that gets it
    (
        "granted-sums",
        "英特尔的扩建获得美国商务部 5亿美元和美国能源部 1亿美元。",
        {("us-department-of-commerce", "funds"), ("us-department-of-energy", "funds")},
        set(),
    ),
    ("no-granted-sum", "英特尔获得了大量订单。", set(), {("us-department-of-commerce", "funds")}),
    # 该公司 is the company the passage named before
    (
        "the-company",
        "英特尔也在扩充其组合：2025年 1月，该公司宣布收购美光科技。",
        {("intel", "acquires")},
        set(),
    ),
    # a research institute 坐落于 a place lies there
    (
        "sited",
        "阿贡国家实验室同样坐落于伊利诺伊州。",
        {("argonne-national-laboratory", "locatedIn")},
        set(),
    ),
    # jobs: a bare 岗位 after a verb that creates it; not jobs cut
    (
        "jobs-created",
        "英特尔预计，该项目将在俄亥俄州创造最多 2000个高技能工程类岗位。",
        {("intel", "createsJobs")},
        set(),
    ),
    ("jobs-cut", "英特尔削减了 2000个岗位。", set(), {("intel", "createsJobs")}),
    ("internships", "英特尔为学生提供 240个实习岗位。", set(), {("intel", "createsJobs")}),
    # a tax credit is funding; 主攻 / 专注 (without 于) say what one researches
    (
        "funds-tax-credit",
        "美国商务部为美光科技提供税收抵免。",
        {("us-department-of-commerce", "funds")},
        set(),
    ),
    (
        "researches-main",
        "阿贡国家实验室主攻量子计算。",
        {("argonne-national-laboratory", "researches")},
        set(),
    ),
    (
        "researches-focus",
        "阿贡国家实验室专注量子计算研发。",
        {("argonne-national-laboratory", "researches")},
        set(),
    ),
    # the field first, then the verb (X在Y领域亦有布局)
    (
        "researches-field-first",
        "美国能源部在人工智能领域持续发力。",
        {("us-department-of-energy", "researches")},
        set(),
    ),
    # a relative clause: the head acts, not the one who leads it
    (
        "relative-head",
        "美国能源部牵头的中心重点研究人工智能。",
        set(),
        {("us-department-of-energy", "researches")},
    ),
    # a law passed, said in the passive (由X于…正式通过)
    (
        "launch-passive",
        "《北海芯片法案》由欧盟于 2023年 7月正式通过。",
        {("european-union", "launches")},
        set(),
    ),
]


def pipeline_facts(tmp_path, text: str):
    """Claims of an invented one-page report through the whole pipeline (the plant it builds is
    minted as a provisional entity, which facts() alone does not do)."""
    from chipkg.extract.pipeline import extract
    from chipkg.ingest import citations
    from chipkg.ingest.report import parse_report

    path = tmp_path / "invented.txt"
    path.write_text(f" 测试报告\n\n{text.rstrip()}1\n\n1 https://news.example.com/a\n", "utf-8")
    parsed = parse_report(path)
    return extract(parsed, citations.resolve(parsed), default_linker()).active()


@pytest.mark.parametrize("name,text,want,not_want", ROUND5, ids=[r[0] for r in ROUND5])
def test_round5(tmp_path, name, text, want, not_want):
    got = {(c.subject, c.predicate) for c in pipeline_facts(tmp_path, text)}
    assert want <= got, got
    assert not (not_want & got), got


def test_a_title_qualified_by_words_the_table_lacks_is_another_law(tmp_path):
    """《北海芯片法案》 holds 芯片法案, a name of the table's CHIPS act, after a word the table lacks:
    another law. A year or a country before the name is still the table's law."""
    text = "欧盟于 2023年正式通过《北海芯片法案》。"
    got = {(c.subject, c.predicate, c.object) for c in pipeline_facts(tmp_path, text)}
    assert ("european-union", "launches", "bei-hai-xin-pian-fa-an") in got, got
    assert not any(o == "chips-and-science-act" for _, _, o in got), got
    # a union or another country before the name: its own law, not the United States'
    text = "《欧洲芯片法案》由欧盟于 2023年 7月正式通过。"
    got = {(c.subject, c.object) for c in pipeline_facts(tmp_path, text)}
    assert got == {("european-union", "ou-zhou-xin-pian-fa-an")}, got
    text = "美国于 2022年颁布《2022年芯片与科学法案》。"
    got = {(c.subject, c.object) for c in pipeline_facts(tmp_path, text)}
    assert ("united-states", "chips-and-science-act") in got, got


def test_money_a_programme_brings_in_is_no_budget_of_its_own(tmp_path):
    """启动“X”计划，目标是撬动 N投资: the programme launched owns no amount; with 总预算 N it does."""
    text = "美国商务部宣布启动“北川之都”计划，目标是在五年内撬动逾 10亿美元投资。"
    [c] = [c for c in pipeline_facts(tmp_path, text) if c.predicate == "launches"]
    assert c.money is None
    text = "美国商务部宣布启动“北川之都”计划，总预算 10亿美元。"
    [c] = [c for c in pipeline_facts(tmp_path, text) if c.predicate == "launches"]
    assert c.money is not None and c.money.value == Decimal("1000000000")


def test_each_investor_in_a_round_carries_the_rounds_sum(tmp_path):
    """The gold sets put the round's amount on every investor's row (amounts go on every fact
    the sentence states them with); the claims carry it too."""
    text = "英特尔完成 6.4亿美元 D轮融资，由英伟达领投，美光科技和三星电子跟投。"
    got = {c.subject: c.money for c in pipeline_facts(tmp_path, text) if c.predicate == "investsIn"}
    assert set(got) == {"nvidia", "micron", "samsung-electronics"}
    assert {m.value for m in got.values()} == {Decimal("640000000")}


# Round 6: joint action, capital put into a company one founds, and when a year is a target
ROUND6 = [
    # who does one thing together: each is its agent, whoever the plant's name gives as operator
    (
        "joint-build-hand-in-hand",
        "英特尔携手三星，在俄亥俄州建设一座先进封装工厂。",
        {("intel", "builds"), ("samsung-electronics", "builds")},
        set(),
    ),
    (
        "joint-build-co-build",
        "英特尔与三星宣布在俄亥俄州共建青峰研发中心。",
        {("intel", "builds"), ("samsung-electronics", "builds")},
        set(),
    ),
    (
        "joint-build-passive-cooperation",
        "由英特尔与三星合作在俄亥俄州建设一座先进封装工厂。",
        {("intel", "builds"), ("samsung-electronics", "builds")},
        set(),
    ),
    (
        "joint-build-together-with",
        "英特尔将联合三星，在俄亥俄州建设青峰研发中心。",
        {("intel", "builds"), ("samsung-electronics", "builds")},
        set(),
    ),
    # two companies each building (no word of doing it together): the plant is its operator's
    (
        "each-builds-own",
        "英特尔和三星在俄亥俄州建设两座先进封装工厂。",
        {("intel", "builds")},
        {("samsung-electronics", "builds")},
    ),
    ("builds-set-up", "联邦内阁批准英特尔在俄亥俄州设立封测工厂。", {("intel", "builds")}, set()),
    # capital put into a company one founds
    (
        "founding-jointly",
        "英特尔与三星宣布共同出资 5亿美元，设立芯片企业青峰科技公司。",
        {("intel", "investsIn"), ("samsung-electronics", "investsIn")},
        set(),
    ),
    (
        "founded-by-passive",
        "青峰科技公司由英特尔与三星于 2015年合资设立，2023年在上交所上市。",
        {("intel", "investsIn"), ("samsung-electronics", "investsIn")},
        set(),
    ),
    ("founding-alone", "英特尔出资设立青峰科技公司。", {("intel", "investsIn")}, set()),
    # a project's total is no builder's own investment when several build it together; a sum
    # they say they invest together is each one's
    (
        "joint-project-total",
        "英特尔与三星宣布在俄亥俄州共建青峰研发中心，项目总投资预计超过 2.7亿美元。",
        {("intel", "builds"), ("samsung-electronics", "builds")},
        {("intel", "investsIn"), ("samsung-electronics", "investsIn")},
    ),
    (
        "joint-investment-verbal",
        "英特尔与三星签署谅解备忘录，双方将共同投资 1万亿韩元，在俄亥俄州建设青峰研发中心。",
        {("intel", "investsIn"), ("samsung-electronics", "investsIn")},
        set(),
    ),
    # 联合 before an actor allies with it; the one who allies is named in its clause
    (
        "allies-with",
        "美国商务部宣布启动芯片计划，由英特尔联合三星和美光共同推进。",
        {("intel", "partnersWith")},
        {("us-department-of-commerce", "partnersWith")},
    ),
    # a country before a description of organisations says where they are from: it does not act
    (
        "country-describes-companies",
        "英特尔与美光等 20余家日本材料和设备企业合作，重点研究先进封装。",
        {("intel", "researches"), ("intel", "partnersWith")},
        {("japan", "researches"), ("japan", "partnersWith")},
    ),
    # a maker's plan to bring a technology out by a year: a target, not a fact (setsTarget only)
    (
        "production-target",
        "英特尔计划于 2026年量产第三代碳化硅 MOSFET。",
        {("intel", "setsTarget")},
        {("intel", "develops")},
    ),
    (
        "production-target-dropped-subject",
        "英特尔在其俄亥俄州工厂建设碳化硅试产线，目标是在 2027年前后实现量产。",
        {("intel", "setsTarget")},
        set(),
    ),
    (
        "production-done",
        "英特尔于 2023年量产碳化硅芯片。",
        {("intel", "develops")},
        {("intel", "setsTarget")},
    ),
    (
        "production-of-a-thing",
        "英特尔与美光宣布在碳化硅领域开展合作，相关产品计划于 2027年推出。",
        set(),
        {("intel", "setsTarget"), ("micron", "setsTarget")},
    ),
    # a legislature passing a law (通过了 before its title); bare 通过 may be "by means of"
    ("passes-a-law", "美国国会通过了《芯片与科学法案》。", {("us-congress", "launches")}, set()),
    (
        "by-means-of-a-law",
        "美国通过《芯片与科学法案》加速产业本土化。",
        set(),
        {("united-states", "launches")},
    ),
    # what is bought is a part of Y, not Y (also after Y's Latin name, or a plant of Y's at a place)
    (
        "bought-a-part-after-brackets",
        "英飞凌宣布以 25亿美元收购美光科技（Micron）的汽车业务。",
        set(),
        {("infineon", "acquires")},
    ),
    (
        "bought-a-plant",
        "英飞凌宣布收购美光科技位于多特蒙德的晶圆厂。",
        set(),
        {("infineon", "acquires")},
    ),
    # 收购后 (after the acquisition) states none of its own
    (
        "after-the-acquisition",
        "英特尔收购后将作为美光科技的全资子公司继续运营。",
        set(),
        {("intel", "acquires")},
    ),
    # an act forbidden (禁止X收购Y) does not happen
    (
        "forbidden",
        "德国联邦政府以国家安全为由，禁止英飞凌收购美光科技。",
        set(),
        {("infineon", "acquires")},
    ),
    # a list whose first item has its abbreviation in brackets: every pair partners
    (
        "list-with-brackets",
        "英特尔（INTC）、三星和美光宣布成立伙伴关系。",
        {("intel", "partnersWith"), ("samsung-electronics", "partnersWith")},
        set(),
    ),
    (
        "bare-company-name",
        "应用材料与英特尔宣布在俄亥俄州共建材料研发中心。",
        {("applied-materials", "builds"), ("applied-materials", "partnersWith")},
        set(),
    ),
    # a country's title of the person who acts: the person launches, the country does not
    (
        "country-titles-a-person",
        "2024年 1月，美国总统拜登宣布启动《芯片与科学法案》。",
        set(),
        {("united-states", "launches")},
    ),
    # 为其 / 为两家公司: the organisations named before, not the subject; 依据《法》 is a ground
    (
        "for-it",
        "美国商务部于 2025年 1月与美光科技签署初步条款备忘录，拟依据《芯片与科学法案》为其提供最高 1亿美元资金。",
        {("us-department-of-commerce", "funds")},
        {("chips-and-science-act", "funds")},
    ),
    (
        "for-both-companies",
        "日本经济产业省认定英特尔与美光科技联合提交的投资计划，并为两家公司提供最高 700亿日元补贴。",
        {("meti", "funds")},
        set(),
    ),
    # an agency's investment in a body that is no company is funding
    (
        "agency-invests-in-a-body",
        "美国商务部向非营利机构北川研究院投资 1.2亿美元。",
        {("us-department-of-commerce", "funds")},
        {("us-department-of-commerce", "investsIn")},
    ),
    # what a product is built on, what a company made itself, designs or mainly offers: develops
    ("built-on", "英特尔于 2025年 3月发布基于碳化硅的功率模块。", {("intel", "develops")}, set()),
    (
        "self-made-its",
        "美光科技推出新平台，其自研的 HBM是该平台的核心。",
        {("micron", "develops")},
        set(),
    ),
    ("designs", "英伟达此前曾与英特尔合作设计和测试 HBM。", {("nvidia", "develops")}, set()),
    ("self-develops", "英特尔长期自研碳化硅芯片。", {("intel", "develops")}, set()),
    ("among-them", "英特尔的计划中，其中一项是碳化硅。", set(), {("intel", "develops")}),
    ("mainly-offers", "英特尔主要提供碳化硅功率器件。", {("intel", "develops")}, set()),
    # 与A、B共同投资…，在P建设…: the partners invest and build with the subject
    (
        "co-agents",
        "英特尔公告称，拟与美光科技、三星共同投资 120亿元，在俄亥俄州建设一条碳化硅产线。",
        {
            ("micron", "builds"),
            ("samsung-electronics", "builds"),
            ("micron", "investsIn"),
            ("intel", "builds"),
        },
        set(),
    ),
    # a plant a company runs at a place (在P运营…晶圆厂) is described like one it builds; a plant
    # makes things and studies none (the clause after it is the company's)
    (
        "runs-a-plant-at-a-place",
        "韩国代工企业东部高科在京畿道富川运营 8英寸晶圆厂，近年来开始开发氮化镓功率器件。",
        set(),
        {("dong-bu-gao-ke-fu-chuan-8-ying-cun-jing-yuan-chang", "researches")},
    ),
    # an agreement reached on a matter (A与B就…达成一致/共识): partners
    ("agreed-on", "英伟达与台积电就 CoWoS产能扩充达成一致。", {("nvidia", "partnersWith")}, set()),
    # the disposal construction: 将 F 的产能提升 (the plant before the verb) expands it
    ("expands-disposal", "英特尔将其青湾工厂的产能提升一倍。", {("intel", "expands")}, set()),
    ("packaging-plant-noun", "英特尔宣布在青湾新建一座封测厂。", {("intel", "builds")}, set()),
    # one plant at each of two places the table lacks: none is the operator's known plant
    (
        "each-place-unknown",
        "英特尔在青湾和北川各运营一座封装测试工厂。",
        set(),
        {("intel", "operates")},
    ),
    # a year is a target where a plan says so (计划于, 将于, 到), not where a thing was done (于)
    (
        "target-year-planned",
        "欧盟计划于 2030年将其在全球半导体产量中的份额提升至 20%。",
        {("european-union", "setsTarget")},
        set(),
    ),
    (
        "target-year-past",
        "英特尔与三星于 2025年 2月联合发布第十代闪存，堆叠层数达到 332层，接口速度较上一代提升 33%。",
        set(),
        {("intel", "setsTarget"), ("samsung-electronics", "setsTarget")},
    ),
]


@pytest.mark.parametrize("name,text,want,not_want", ROUND6, ids=[r[0] for r in ROUND6])
def test_round6(tmp_path, name, text, want, not_want):
    got = {(c.subject, c.predicate) for c in pipeline_facts(tmp_path, text)}
    assert want <= got, got
    assert not (not_want & got), got


def test_both_companies_are_funded(tmp_path):
    text = (
        "日本经济产业省认定英特尔与美光科技联合提交的投资计划，并为两家公司提供最高 700亿日元补贴。"
    )
    funded = {c.object for c in pipeline_facts(tmp_path, text) if c.predicate == "funds"}
    assert funded == {"intel", "micron"}


def test_a_plant_run_at_a_place_is_minted_and_operated(tmp_path):
    text = "韩国代工企业东部高科在京畿道富川运营 8英寸晶圆厂。"
    got = {(c.predicate, c.object) for c in pipeline_facts(tmp_path, text)}
    assert any(p == "operates" and "jing-yuan-chang" in o for p, o in got), got
    assert any(p == "locatedIn" for p, _ in got), got


def test_a_strategy_launched_carries_its_budget(tmp_path):
    claims = pipeline_facts(tmp_path, "英国政府公布了为期 10年、总额 10亿英镑的国家半导体战略。")
    [launch] = [c for c in claims if c.predicate == "launches"]
    assert launch.money is not None and launch.money.value == Decimal(1000000000)


def test_the_lead_investor_carries_what_it_puts_in(tmp_path):
    text = "青峰公司完成 1.4亿美元 B轮融资，英特尔出资 1亿美元领投，三星和美光跟投。"
    sums = {
        c.subject: c.money.value
        for c in pipeline_facts(tmp_path, text)
        if c.predicate == "investsIn"
    }
    assert sums == {
        "intel": Decimal(100000000),
        "samsung-electronics": Decimal(140000000),
        "micron": Decimal(140000000),
    }


def test_investors_listed_after_a_round_without_whose_they_are(tmp_path):
    text = "青峰公司宣布完成 9000万欧元的 A轮首次交割，投资方包括英特尔和三星集团旗下的美光科技。"
    investors = {c.subject for c in pipeline_facts(tmp_path, text) if c.predicate == "investsIn"}
    assert investors == {"intel", "micron"}


def test_investors_listed_after_the_round(tmp_path):
    claims = pipeline_facts(
        tmp_path, "青峰公司获得 1.2亿美元 C轮融资，投资者包括英特尔、三星和美光。"
    )
    got = {(c.subject, c.predicate, c.object) for c in claims if c.predicate == "investsIn"}
    assert {s for s, _, _ in got} == {"intel", "samsung-electronics", "micron"}, got
    assert all(o != "intel" for _, _, o in got)  # 投资者 is who invests, not a verb


def test_founders_carry_the_sum_they_put_in(tmp_path):
    claims = pipeline_facts(
        tmp_path, "英特尔与三星宣布共同出资 5亿美元，设立芯片企业青峰科技公司。"
    )
    sums = {c.subject: c.money.value for c in claims if c.predicate == "investsIn"}
    assert sums == {"intel": Decimal(500000000), "samsung-electronics": Decimal(500000000)}
