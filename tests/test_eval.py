"""Extraction measured against the hand-annotated gold sets (tests/gold/, see
docs/annotation-guidelines.md): the bundled report and a second report of the same kind with
other entities and numbers (tests/fixtures/reports/landscape_2025_sample.txt), which shows the
rules are written for reports of this kind, not for one file.

The floors are the issue's goals (precision 0.95, recall 0.90); a change that makes extraction
worse fails here."""

from __future__ import annotations

import importlib.util
import json
from decimal import Decimal

import pytest
from click.testing import CliRunner

from chipkg.cli import cli
from tests.conftest import ROOT

GOAL_PRECISION = 0.95
GOAL_RECALL = 0.90

REPORTS = [
    # report, gold set, at least this many gold facts
    (None, ROOT / "tests" / "gold" / "ic-landscape-2024.csv", 280),
    (
        ROOT / "tests" / "fixtures" / "reports" / "landscape_2025_sample.txt",
        ROOT / "tests" / "gold" / "landscape_2025_sample.csv",
        40,
    ),
]


def _eval(report, gold, extra=()) -> dict:
    args = ["--project", str(ROOT), "eval", "--gold", str(gold), "--format", "json", *extra]
    if report is not None:
        args.insert(3, str(report))
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize(("report", "gold", "size"), REPORTS, ids=["bundled-2024", "sample-2025"])
def test_extraction_meets_the_goal(report, gold, size):
    scores = _eval(report, gold)
    assert scores["overall"]["gold"] >= size
    assert scores["overall"]["precision"] >= GOAL_PRECISION, scores["false_positives"]
    assert scores["overall"]["recall"] >= GOAL_RECALL, scores["misses"]
    # claims carry exactly their passage's sources, every stated amount is read right, and no
    # claim carries an amount that is not its own
    assert scores["source_mismatches"] == []
    assert scores["amounts"]["correct"] == scores["amounts"]["checked"] > 0
    assert scores["amounts"]["not_its_own"] == 0, scores["wrong_amounts"]


def test_every_relation_is_covered_by_the_gold_sets():
    """Each relation the ontology defines for extraction has gold facts, so its rules are
    measured, and none is extracted at zero precision."""
    seen: set[str] = set()
    for report, gold, _ in REPORTS:
        per = _eval(report, gold)["per_predicate"]
        seen |= {p for p, v in per.items() if v["gold"]}
        assert all(v["correct"] > 0 for v in per.values() if v["extracted"] >= 3), per
    from chipkg.extract.pipeline import PREDICATES

    assert seen == set(PREDICATES)


def test_eval_exits_nonzero_below_a_required_floor():
    gold = REPORTS[0][1]
    result = CliRunner().invoke(
        cli, ["--project", str(ROOT), "eval", "--gold", str(gold), "--min-recall", "0.99"]
    )
    assert result.exit_code == 1


# Reports the rules were not written for first (tests/fixtures/dev, copied from the shared
# development corpus with their gold facts and the entities they use beyond the table). Scored
# with nothing added to the entity table (open world: provisional entities matched to the gold
# entities by label), and with the report's entities added (--entities).
DEV = ROOT / "tests" / "fixtures" / "dev"
DEV_REPORTS = [("dev2", 55), ("dev3", 51)]
needs_citation_styles = pytest.mark.skipif(
    importlib.util.find_spec("chipkg.ingest.endnotes") is None,
    reason="dev-2 and dev-3 print continuous footnotes and bracketed endnotes, which the parser "
    "reads once the citation styles of issue 16 (branch ingest) are merged",
)


@needs_citation_styles
@pytest.mark.parametrize(("name", "size"), DEV_REPORTS)
def test_an_unseen_kind_of_report_meets_the_goal_with_nothing_added(name, size):
    scores = _eval(DEV / f"{name}-report.txt", ROOT / "tests" / "gold" / f"{name}-facts.csv")
    assert scores["condition"]["entities_added"] == []
    assert scores["condition"]["gold_entities_not_in_table"] > 10
    assert scores["overall"]["gold"] == size
    assert scores["overall"]["precision"] >= GOAL_PRECISION, scores["false_positives"]
    assert scores["overall"]["recall"] >= GOAL_RECALL, scores["misses"]
    assert scores["amounts"]["not_its_own"] == 0, scores["wrong_amounts"]


@needs_citation_styles
@pytest.mark.parametrize(("name", "size"), DEV_REPORTS)
def test_with_the_reports_entities_added_recall_is_near_complete(name, size):
    gold = ROOT / "tests" / "gold"
    args = ["--entities", str(gold / f"{name}-entities.csv")]
    scores = _eval(DEV / f"{name}-report.txt", gold / f"{name}-facts.csv", args)
    assert scores["condition"]["gold_entities_not_in_table"] == 0
    assert scores["overall"]["recall"] >= 0.95, scores["misses"]
    # dev-3: three claims the text states that the gold set leaves out (a cluster's place in its
    # name, twice, and a campus's country) keep precision at 0.944
    assert scores["overall"]["precision"] >= 0.94, scores["false_positives"]


def _citations():
    class NoSources:
        def for_passage(self, index):
            return []

    return NoSources()


def _gold(subject, predicate, obj, amount=None):
    from chipkg.extract.evaluate import GoldFact

    return GoldFact(
        "g1", 2, 0, subject, predicate, obj, "", amount, "USD" if amount else "", frozenset()
    )


def test_a_provisional_entity_stands_for_the_gold_entity_whose_name_it_has():
    from chipkg.extract.claims import Claim
    from chipkg.extract.entities import Entity
    from chipkg.extract.evaluate import evaluate
    from chipkg.extract.pipeline import EXTRACTOR, ExtractedClaim, Extraction

    minted = Entity("lan-wan", "Company", "", "蓝湾 集团", (), "", "", "", provisional=True)
    other = Entity("xi-hai", "Company", "", "西海集团", (), "", "", "", provisional=True)
    claims = (
        ExtractedClaim(Claim(0, "intel", "partnersWith", "lan-wan", "r"), EXTRACTOR),
        ExtractedClaim(Claim(0, "intel", "partnersWith", "xi-hai", "r"), EXTRACTOR),
    )
    ex = Extraction(claims, {}, (), {"lan-wan": minted, "xi-hai": other})
    open_gold = {"bluebay": ("Bluebay Group", "蓝湾集团")}  # width and spaces normalised
    scores = evaluate([_gold("intel", "partnersWith", "bluebay")], ex, _citations(), open_gold)
    assert scores.provisional_matched == {"lan-wan": "bluebay"}
    assert scores.totals == (1, 2, 1)  # the unmatched provisional claim is a false positive
    # a closed-world gold set (no entity list) leaves claims on provisional entities unscored
    closed = evaluate([_gold("intel", "partnersWith", "bluebay")], ex, _citations(), None)
    assert closed.totals == (1, 0, 0) and len(closed.unscored) == 2


def test_an_amount_that_is_not_the_facts_own_counts_as_wrong():
    from chipkg.extract.amounts import Money
    from chipkg.extract.claims import Claim
    from chipkg.extract.evaluate import evaluate
    from chipkg.extract.pipeline import EXTRACTOR, ExtractedClaim, Extraction

    money = Money(0, 0, Decimal("42400000"), "USD", "", "")
    ex = Extraction(
        (ExtractedClaim(Claim(0, "intel", "partnersWith", "micron", "r", money=money), EXTRACTOR),),
        {},
        (),
    )
    scores = evaluate([_gold("intel", "partnersWith", "micron")], ex, _citations())
    assert scores.totals == (1, 1, 0) and len(scores.wrong_amounts) == 1
    right = evaluate(
        [_gold("intel", "partnersWith", "micron", Decimal("42400000"))], ex, _citations()
    )
    assert right.totals == (1, 1, 1)
