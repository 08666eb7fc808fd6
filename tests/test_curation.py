"""The curated overlay (issue 20, docs/curation.md): its four actions, files as spreadsheets save
them, every bad row one line naming file, line and column, stale rows listed, and writers that
lose no row."""

from __future__ import annotations

import csv
import io
import json
import shutil
import threading
import time
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner

from chipkg.cli import cli
from chipkg.errors import ChipkgError
from chipkg.extract.curated import CURATED_COLUMNS, append_rows, read_overlay
from chipkg.extract.entities import default_linker
from chipkg.extract.pipeline import extract
from chipkg.ingest.citations import resolve
from chipkg.ingest.report import parse_report
from chipkg.tables import locked
from tests.conftest import FIXTURES, ROOT

SAMPLE = FIXTURES / "landscape_2025_sample.txt"
HEADER = ",".join(CURATED_COLUMNS)
# sentences of the sample report (quotes of the rows below)
RAPIDUS = "Rapidus与 IBM深化合作"  # rapidus partnersWith ibm
UMC = "联电（UMC）与英特尔宣布在 12nm FinFET工艺平台上开展合作"  # umc partnersWith intel
NVIDIA = "英伟达已与越南政府签署人工智能合作协议"  # nvidia partnersWith vietnam
SMIC = "麒麟 9020由中芯国际采用 N+2工艺生产"  # smic develops kirin-9020


@cache
def parsed():
    report = parse_report(SAMPLE)
    return report, resolve(report)


def curate(path: Path):
    report, cites = parsed()
    return extract(report, cites, default_linker(), path)


def overlay(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "landscape_2025_sample.csv"
    path.write_text(header + "\n" + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def row(**cells: str) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow([cells.get(c, "") for c in CURATED_COLUMNS])
    return buf.getvalue()


def smic_funds_huawei(**columns: str) -> str:
    """A row that adds "SMIC funds Huawei" on the SMIC sentence, with the columns given."""
    return row(
        action="add", quote=SMIC, subject="smic", predicate="funds", object="huawei", **columns
    )


def facts(ex) -> set[tuple]:
    return {(c.subject, c.predicate, c.object) for c in ex.active()}


def test_the_four_actions(tmp_path: Path):
    path = overlay(
        tmp_path,
        row(action="reject", quote=NVIDIA, replaces="nvidia partnersWith vietnam", analyst="li"),
        row(action="accept", quote=RAPIDUS, replaces="rapidus partnersWith ibm", analyst="li"),
        row(
            action="correct",
            quote=UMC,
            subject="umc",
            predicate="partnersWith",
            object="intel",
            date="2025",
            replaces="umc partnersWith intel",
            analyst="wang",
            time="2026-01-05T10:00:00+00:00",
        ),
        row(
            action="add",
            quote="中芯国际",
            sentence=SMIC + "。",
            subject="smic",
            predicate="partnersWith",
            object="huawei",
            analyst="wang",
        ),
    )
    plain = curate(None)
    ex = curate(path)
    assert ("nvidia", "partnersWith", "vietnam") in facts(plain)
    assert ("nvidia", "partnersWith", "vietnam") not in facts(ex)  # rejected: out of the graph
    assert not any(ec.claim.object == "vietnam" for ec in ex.claims)
    assert ("rapidus", "partnersWith", "ibm") in facts(ex)  # accepted: unchanged
    corrected = [ec for ec in ex.claims if ec.claim.subject == "umc"]
    assert [(ec.superseded, ec.made_by) for ec in corrected] == [
        (True, "chipkg-rules"),
        (False, "analyst:wang"),
    ]
    assert corrected[1].claim.date.value == "2025"
    added = [ec for ec in ex.claims if ec.claim.object == "huawei" and ec.claim.subject == "smic"]
    assert len(added) == 1 and added[0].curated_line == 5
    cur = ex.curation
    assert cur.applied == {"reject": 1, "accept": 1, "correct": 1, "add": 1}
    assert [(r.row.line, r.claim.subject) for r in cur.rejected] == [(2, "nvidia")]
    assert [(r.row.line, r.row.analyst) for r in cur.accepted] == [(3, "li")]
    assert cur.stale == ()


def spreadsheet_bytes(text: str) -> bytes:
    """As a spreadsheet saves it: byte-order mark, CRLF, ';' between fields, columns reordered."""
    lines = text.strip("\n").split("\n")
    rows = list(csv.reader(lines))
    order = list(reversed(range(len(rows[0]))))
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    for r in rows:
        w.writerow([r[i] for i in order])
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


def test_a_spreadsheet_saved_overlay_reads_the_same(tmp_path: Path):
    rows = [
        row(action="reject", quote=NVIDIA, replaces="nvidia partnersWith vietnam", note="a; b"),
        row(action="add", quote=SMIC, subject="smic", predicate="partnersWith", object="huawei"),
    ]
    plain = overlay(tmp_path, *rows)
    saved = tmp_path / "saved.csv"
    saved.write_bytes(spreadsheet_bytes(plain.read_text(encoding="utf-8")))
    assert saved.read_bytes().startswith(b"\xef\xbb\xbfnote;time;analyst;replaces")
    assert [r.cells for r in read_overlay(saved)] == [r.cells for r in read_overlay(plain)]
    assert facts(curate(saved)) == facts(curate(plain))
    # an overlay of the old form (no sentence and time columns) still reads
    old_columns = [c for c in CURATED_COLUMNS if c not in ("sentence", "time")]
    cells = dict(action="reject", quote=NVIDIA, replaces="nvidia partnersWith vietnam")
    old_row = ",".join(cells.get(c, "") for c in old_columns)
    old = overlay(tmp_path, old_row, header=",".join(old_columns))
    assert facts(curate(old)) == facts(curate(plain)) - {("smic", "partnersWith", "huawei")}


BAD_ROWS = [
    (row(action="delete", quote=NVIDIA), "column action: 'delete' is not an action"),
    (
        row(action="add", quote=SMIC, subject="smic", predicate="makes", object="kirin-9020"),
        "column predicate: unknown relation 'makes'",
    ),
    (
        row(
            action="add", quote=SMIC, subject="smic-corp", predicate="develops", object="kirin-9020"
        ),
        "column subject: unknown entity 'smic-corp'",
    ),
    (
        row(action="add", quote=SMIC, subject="smic", predicate="develops", object="kirin9020"),
        "column object: unknown entity 'kirin9020'",
    ),
    (row(action="add", quote=SMIC, subject="smic", predicate="develops"), "column object: empty"),
    (
        smic_funds_huawei(amount="12,5", currency="USD"),
        "column amount: '12,5' is not a decimal number",
    ),
    (
        smic_funds_huawei(amount="NaN", currency="USD"),
        "column amount: 'NaN' is not a decimal number",
    ),
    (
        smic_funds_huawei(amount="-5", currency="USD"),
        "column amount: '-5' is not a positive number",
    ),
    (
        smic_funds_huawei(amount="12", currency="usd"),
        "column currency: 'usd' is not a known currency",
    ),
    (
        smic_funds_huawei(amount="12"),
        "column currency: empty for amount 12",
    ),
    (
        row(
            action="add",
            quote=SMIC,
            subject="smic",
            predicate="develops",
            object="kirin-9020",
            date="2025/03",
        ),
        "column date: '2025/03' is not a date",
    ),
    (
        row(
            action="add",
            quote=SMIC,
            subject="smic",
            predicate="develops",
            object="kirin-9020",
            target_year="25",
        ),
        "column target_year: '25' is not a year",
    ),
    (
        row(
            action="add",
            quote=SMIC,
            subject="smic",
            predicate="develops",
            object="kirin-9020",
            target_year="20x4",
        ),
        "column target_year: '20x4' is not a year",
    ),
    (
        row(
            action="add",
            quote=SMIC,
            subject="smic",
            predicate="develops",
            object="kirin-9020",
            time="yesterday",
        ),
        "column time: 'yesterday' is not an ISO 8601 time",
    ),
    (row(action="reject", quote=NVIDIA), "column replaces: empty"),
    (row(action="reject", quote=""), "column quote: empty"),
    (row(action="accept", quote="2025年"), "column quote: «2025年» is in"),
]


@pytest.mark.parametrize(
    ("bad", "message"),
    BAD_ROWS,
    ids=[m.split(":")[0] + str(i) for i, (_, m) in enumerate(BAD_ROWS)],
)
def test_every_bad_row_is_one_error_naming_file_line_and_column(tmp_path: Path, bad, message):
    path = overlay(
        tmp_path, row(action="accept", quote=RAPIDUS, replaces="rapidus partnersWith ibm"), bad
    )
    with pytest.raises(ChipkgError) as err:
        curate(path)
    assert str(err.value).startswith(f"{path}:3: {message}"), str(err.value)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"action;quote;colour\nadd;x;red\n",
            ":1: unexpected header ['action', 'quote', 'colour']: column 'colour' is not a column of this table",
        ),
        (b"quote,subject\nx,y\n", ":1: unexpected header ['quote', 'subject']: no column 'action'"),
        (
            HEADER.encode("utf-16"),
            ": curated overlay is UTF-16 text — save it from the spreadsheet as 'CSV UTF-8'",
        ),
        (
            (HEADER + "\n" + row(action="add", quote="联电") + "\n").encode("gbk"),
            ":2: curated overlay is not UTF-8 text",
        ),
        (
            (HEADER + "\naccept,x" + "," * len(CURATED_COLUMNS) + "extra\n").encode(),
            ":2: 20 fields, the header names 18",
        ),
    ],
)
def test_a_file_that_is_no_overlay_is_one_error(tmp_path: Path, content: bytes, message: str):
    path = tmp_path / "landscape_2025_sample.csv"
    path.write_bytes(content)
    with pytest.raises(ChipkgError) as err:
        curate(path)
    assert str(err.value).startswith(f"{path}{message}"), str(err.value)


def test_rows_that_no_longer_fit_the_report_are_listed_as_stale(tmp_path: Path):
    path = overlay(
        tmp_path,
        row(
            action="add",
            quote="台积电在火星建厂",
            subject="tsmc",
            predicate="builds",
            object="tsmc-arizona",
        ),
        row(
            action="reject",
            quote="合作协议",
            sentence="英伟达已与越南政府签署半导体合作协议。",
            replaces="nvidia partnersWith vietnam",
        ),
        row(action="reject", quote=RAPIDUS, replaces="rapidus partnersWith intel"),
        row(
            action="correct",
            quote=RAPIDUS,
            subject="rapidus",
            predicate="partnersWith",
            object="tsmc",
            replaces="rapidus partnersWith samsung",
        ),
        row(action="add", quote=UMC, subject="umc", predicate="partnersWith", object="intel"),
    )
    ex = curate(path)
    stale = [(s.row.line, s.applied, s.reason) for s in ex.curation.stale]
    assert stale == [
        (2, False, "its quote is no longer in the report: «台积电在火星建厂»"),
        (
            3,
            False,
            "its sentence is no longer in the report: «英伟达已与越南政府签署半导体合作协议。»",
        ),
        (4, False, "no extracted claim 'rapidus partnersWith intel' in its sentence any more"),
        (5, True, "no extracted claim 'rapidus partnersWith samsung' in its sentence any more"),
        (6, False, "the rules now extract this claim themselves"),
    ]
    assert ("rapidus", "partnersWith", "tsmc") in facts(ex)  # the correction still counts
    assert ("nvidia", "partnersWith", "vietnam") in facts(ex)  # the stale rejection did nothing
    assert sum(1 for c in ex.active() if c.subject == "umc") == 1  # no duplicate


def test_the_build_lists_stale_rows_and_drops_rejected_claims(tmp_path: Path):
    space = tmp_path / "w"
    assert CliRunner().invoke(cli, ["init", str(space)]).exit_code == 0
    shutil.copy(SAMPLE, space / "sources")
    overlay(
        space / "curated",
        row(action="reject", quote=NVIDIA, replaces="nvidia partnersWith vietnam", analyst="li"),
        row(action="accept", quote="这句话已经删掉了", replaces="rapidus partnersWith ibm"),
    )
    r = CliRunner().invoke(cli, ["--project", str(space), "build", "--format", "json"])
    assert r.exit_code == 0, r.output
    assert (
        f"warning: {space / 'curated' / 'landscape_2025_sample.csv'}:3: stale accept row (not "
        "applied): its quote is no longer in the report: «这句话已经删掉了» — fix or delete the row"
    ) in r.stderr
    ttl = (space / "build" / "reports" / "landscape_2025_sample.ttl").read_text(encoding="utf-8")
    assert "entity/nvidia" not in ttl or "partnersWith/nvidia" not in ttl
    assert json.loads(r.stdout)["landscape_2025_sample"]["claims"] == len(curate(None).active()) - 1


def test_writers_at_once_lose_no_row(tmp_path: Path):
    """Appends take the overlay's lock: a writer that comes while another holds it waits, then
    adds its row to what the other wrote; 8 threads × 5 rows all land."""
    path = tmp_path / "curated" / "r.csv"
    rows = [
        dict(action="accept", quote=f"q{t}-{i}", replaces="a b c")
        for t in range(8)
        for i in range(5)
    ]
    threads = [
        threading.Thread(
            target=lambda t=t: [append_rows(path, [r]) for r in rows[t * 5 : t * 5 + 5]]
        )
        for t in range(8)
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(r["quote"] for r in (r.cells for r in read_overlay(path))) == sorted(
        r["quote"] for r in rows
    )
    # held lock: the writer waits until it is released
    done = threading.Event()
    with locked(path):
        th = threading.Thread(
            target=lambda: (append_rows(path, [dict(action="accept", quote="late")]), done.set())
        )
        th.start()
        time.sleep(0.3)
        assert not done.is_set()
        assert "late" not in path.read_text(encoding="utf-8")
    th.join(timeout=10)
    assert done.is_set() and path.read_text(encoding="utf-8").count("\n") == 42
    assert not list(path.parent.glob(".r.csv.*[!k]"))  # no temporary file left behind


def test_an_append_keeps_the_spreadsheet_dialect(tmp_path: Path):
    path = tmp_path / "r.csv"
    path.write_bytes(
        spreadsheet_bytes(HEADER + "\n" + row(action="accept", quote="a", replaces="x y z"))
    )
    append_rows(path, [dict(action="reject", quote="b；c", replaces="x y w", note='say "no"')])
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfnote;time;") and raw.count(b"\r\n") == 3
    assert [r.cells["quote"] for r in read_overlay(path)] == ["a", "b；c"]


def test_the_schema_describes_the_columns():
    schema = json.loads((ROOT / "docs" / "curation.schema.json").read_text(encoding="utf-8"))
    assert list(schema["properties"]) == CURATED_COLUMNS
    assert schema["properties"]["action"]["enum"] == ["add", "correct", "reject", "accept"]


def test_the_documented_example_applies_and_fits_the_schema(tmp_path: Path):
    import jsonschema

    doc = (ROOT / "docs" / "curation.md").read_text(encoding="utf-8")
    example = doc.split("```csv\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "landscape_2025_sample.csv"
    path.write_text(example, encoding="utf-8")
    ex = curate(path)
    assert ex.curation.applied == {"reject": 1, "correct": 1, "add": 1, "accept": 1}
    assert ex.curation.stale == ()
    india = [c for c in ex.active() if (c.subject, c.object) == ("india", "micron-sanand-atmp")]
    assert len(india) == 1 and india[0].money.qualifier == "total"
    target = [c for c in ex.active() if c.predicate == "setsTarget" and c.subject == "tsmc"]
    assert [(c.object, c.target_year) for c in target] == [("tsmc-arizona-fab-2", 2028)]
    schema = json.loads((ROOT / "docs" / "curation.schema.json").read_text(encoding="utf-8"))
    for r in read_overlay(path):
        jsonschema.validate({k: v for k, v in r.cells.items()}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"action": "reject", "quote": "x", "replaces": ""}, schema)
