"""The world synthetic reports share (``chipkg bench``): entities — the rows of
``ontology/entities.csv`` plus generated companies, institutes, agencies, programmes, fabs and
technologies with Chinese and English names of realistic length — and a pool of source URLs on real
publisher domains and made-up ones. Entities and sources are drawn from Zipf (long-tailed)
distributions: a few actors and a few sources dominate the news. Seeded and deterministic."""

from __future__ import annotations

import bisect
import random
from functools import cache

from chipkg.extract.entities import Entity, load_entities
from chipkg.graph.build import entities_graph
from chipkg.graph.vocab import ID
from chipkg.ingest.citations import publisher_table

SEED = 20241223
ONTOLOGY_GRAPH = ID["graph/ontology"]
ENTITIES_GRAPH = ID["graph/entities"]

# ---------------------------------------------------------------------------------------------
# Names: Chinese and English, of realistic length
# ---------------------------------------------------------------------------------------------

_ZH_HEAD = "华芯中科汉微晶长江北方南方东方海光联合国民新锐天启星河瀚博宏图恒通云峰金桥"
_EN_HEAD = [
    "Hua",
    "Xin",
    "Zhong",
    "Ke",
    "Han",
    "Wei",
    "Jing",
    "Chang",
    "Jiang",
    "Bei",
    "Fang",
    "Nan",
    "Dong",
    "Hai",
    "Guang",
    "Lian",
    "He",
    "Guo",
    "Min",
    "Xin",
    "Rui",
    "Tian",
    "Qi",
    "Xing",
    "He",
    "Han",
    "Bo",
    "Hong",
    "Tu",
    "Heng",
    "Tong",
    "Yun",
    "Feng",
    "Jin",
    "Qiao",
]
_EN_WEST = [
    "Aster",
    "Boreal",
    "Cobalt",
    "Delta",
    "Ember",
    "Fjord",
    "Granite",
    "Helix",
    "Iris",
    "Juniper",
    "Krypton",
    "Lumen",
    "Meridian",
    "Nimbus",
    "Orion",
    "Photon",
    "Quasar",
    "Radiant",
    "Sierra",
    "Tesla",
    "Umbra",
    "Vertex",
    "Willow",
    "Xenon",
    "Yarrow",
    "Zephyr",
]
_ZH_WEST = [
    "阿斯特",
    "博瑞",
    "钴蓝",
    "德尔塔",
    "恩伯",
    "峡湾",
    "花岗",
    "螺旋",
    "艾瑞斯",
    "杜松",
    "氪星",
    "流明",
    "子午",
    "雨云",
    "猎户",
    "光子",
    "类星",
    "辐射",
    "塞拉",
    "特斯",
    "暗影",
    "顶点",
    "柳木",
    "氙气",
    "蓍草",
    "西风",
]
_KINDS = {
    # type: (Chinese suffixes, English suffixes)
    "Company": (
        ("半导体", "微电子", "集成电路", "科技股份有限公司", "存储技术", "光电"),
        (
            "Semiconductor",
            "Microelectronics",
            "Integrated Circuits",
            "Technology Co., Ltd.",
            "Memory Technologies",
            "Photonics",
        ),
    ),
    "ResearchInstitution": (
        ("集成电路研究院", "微电子研究所", "先进封装研究中心", "大学电子工程学院"),
        (
            "Institute of Integrated Circuits",
            "Institute of Microelectronics",
            "Advanced Packaging Research Centre",
            "University School of Electronic Engineering",
        ),
    ),
    "GovernmentAgency": (
        ("工业和信息化局", "科学技术厅", "商务部出口管制局", "发展和改革委员会"),
        (
            "Bureau of Industry and Information Technology",
            "Department of Science and Technology",
            "Export Control Bureau of the Ministry of Commerce",
            "Development and Reform Commission",
        ),
    ),
    "FundingProgram": (
        ("芯片产业投资基金", "先进制造专项计划", "半导体激励计划"),
        (
            "Chip Industry Investment Fund",
            "Advanced Manufacturing Programme",
            "Semiconductor Incentive Programme",
        ),
    ),
    "Fab": (
        ("12英寸晶圆厂", "先进逻辑晶圆厂", "存储芯片工厂"),
        ("300 mm Fab", "Advanced Logic Fab", "Memory Chip Plant"),
    ),
    "Technology": (
        ("纳米制程工艺", "先进封装技术", "极紫外光刻", "碳化硅功率器件", "高带宽存储"),
        (
            "nm process technology",
            "advanced packaging technology",
            "EUV lithography",
            "silicon carbide power devices",
            "high-bandwidth memory",
        ),
    ),
}
# share of generated entities by type (companies dominate, as in the real table)
_KIND_WEIGHTS = {
    "Company": 40,
    "ResearchInstitution": 10,
    "GovernmentAgency": 8,
    "FundingProgram": 6,
    "Fab": 12,
    "Technology": 24,
}


class World:
    """Everything reports share: entities (reference table + generated) and the source pool."""

    def __init__(self, seed: int = SEED, generated: int = 1500, sources: int = 20000) -> None:
        rng = random.Random(f"{seed}/world")
        base = load_entities()
        self.entities: dict[str, Entity] = dict(base)
        countries = sorted(e.id for e in base.values() if e.type == "Country")
        kinds = list(_KIND_WEIGHTS)
        weights = [_KIND_WEIGHTS[k] for k in kinds]
        companies: list[str] = []
        technologies: list[str] = []
        for n in range(generated):
            kind = rng.choices(kinds, weights)[0]
            zh_suffixes, en_suffixes = _KINDS[kind]
            k = rng.randrange(len(zh_suffixes))
            if rng.random() < 0.6:  # a Chinese-style name
                i, j = rng.randrange(len(_ZH_HEAD) - 1), rng.randrange(len(_ZH_HEAD) - 1)
                zh_head = _ZH_HEAD[i] + _ZH_HEAD[j]
                en_head = _EN_HEAD[i % len(_EN_HEAD)] + _EN_HEAD[j % len(_EN_HEAD)].lower()
            else:
                i = rng.randrange(len(_EN_WEST))
                zh_head, en_head = _ZH_WEST[i], _EN_WEST[i]
            if kind == "Technology":
                node = rng.choice((2, 3, 5, 7, 14, 28))
                label_zh = (
                    f"{zh_head}{node}{zh_suffixes[k]}" if k == 0 else zh_head + zh_suffixes[k]
                )
                label_en = (
                    f"{en_head} {node} {en_suffixes[k]}"
                    if k == 0
                    else (f"{en_head} {en_suffixes[k]}")
                )
            else:
                label_zh, label_en = zh_head + zh_suffixes[k], f"{en_head} {en_suffixes[k]}"
            eid = f"synth-{kind.lower()}-{n:05d}"
            country = rng.choice(countries) if kind != "Technology" else ""
            broader = ""
            if kind == "Technology" and technologies and rng.random() < 0.3:
                broader = rng.choice(technologies)
            operator: tuple[str, ...] = ()
            if kind == "Fab" and companies:
                operator = (rng.choice(companies),)
            self.entities[eid] = Entity(
                id=eid,
                type=kind,
                label_en=label_en,
                label_zh=label_zh,
                aliases=(),
                country=country,
                wikidata="",
                broader=broader,
                operator=operator,
            )
            (
                companies if kind == "Company" else technologies if kind == "Technology" else []
            ).append(eid)
        self.by_type: dict[str, list[str]] = {}
        for e in self.entities.values():
            self.by_type.setdefault(e.type, []).append(e.id)
        for ids in self.by_type.values():
            ids.sort()
        # popularity of entities: Zipf within each type (a few actors dominate the news)
        self._entity_cum = {t: _zipf_cum(len(ids), 1.0) for t, ids in self.by_type.items()}
        # the source pool: real publisher domains and made-up ones, Zipf-distributed citations
        domains = [p.domain for p in publisher_table() if not p.domain.startswith(".")]
        domains += [f"news-{w.lower()}.example.com" for w in _EN_WEST]
        self.sources: list[str] = []
        for n in range(sources):
            dom = domains[rng.randrange(len(domains))]
            year = 2020 + rng.randrange(5)
            slug = "-".join(rng.choice(_EN_WEST).lower() for _ in range(rng.randint(2, 5)))
            self.sources.append(f"https://www.{dom}/news/{year}/{slug}-{n}")
        self._source_cum = _zipf_cum(len(self.sources), 1.1)

    def entity(self, rng: random.Random, types: tuple[str, ...]) -> str:
        present = [t for t in types if self.by_type.get(t)]
        t = rng.choice(present)
        return self.by_type[t][_zipf_draw(rng, self._entity_cum[t])]

    def source(self, rng: random.Random) -> str:
        return self.sources[_zipf_draw(rng, self._source_cum)]

    def entities_graph(self):
        return entities_graph(self.entities)


def _zipf_cum(n: int, s: float) -> list[float]:
    cum, total = [], 0.0
    for r in range(1, n + 1):
        total += 1.0 / r**s
        cum.append(total)
    return cum


def _zipf_draw(rng: random.Random, cum: list[float]) -> int:
    return min(bisect.bisect_left(cum, rng.random() * cum[-1]), len(cum) - 1)


@cache
def world(seed: int = SEED) -> World:
    return World(seed)
