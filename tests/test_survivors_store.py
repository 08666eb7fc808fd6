"""The on-disk store survives any sequence of builds, removals and reloads (issue 21).

A mutant of the next generation number (``len + 1`` instead of ``max + 1``) went through the
whole suite: on the fourth changing build the new generation took the number of the live one,
which the failed build then deleted. Here a property test drives ``write_outputs`` and
``load_store`` — what ``chipkg build``, ``chipkg remove`` and ``chipkg store load`` call — with
small report graphs over random sequences, and after every step checks what a user relies on:

* the store opens without falling back to the TriG, and holds exactly the TriG's triples;
* each report graph holds what its last build wrote, removed reports are gone everywhere;
* a changing step publishes a new, higher generation and an unchanged one keeps it;
* a reader that opened the store just before a step still reads what it opened;
* at most two generations stay on disk.

And the check before a generation is published: a generation that does not hold the triple
counts it should (a previous generation changed behind the build's back) is never published."""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, Namespace
from rdflib.namespace import RDFS

from chipkg.errors import ChipkgError
from chipkg.graph import store
from chipkg.graph.vocab import CKG, ID
from tests.conftest import property_examples

SCHEMA = Namespace("https://schema.org/")

REPORTS = ("alpha", "beta", "gamma")
COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
ONTOLOGY = str(store.ONTOLOGY_GRAPH)
SUMMARY = str(store.SUMMARY_GRAPH)


def report_graph(rid: str, version: int) -> Graph:
    """Version v of a report: v + 1 labelled things (so both its triples and its size change),
    and in odd versions a funding claim with its amount (so the store's summary graph, the
    funding totals, has something to hold)."""
    g = Graph()
    for i in range(version + 1):
        g.add((ID[f"{rid}/thing-{i}"], RDFS.label, Literal(f"{rid} version {version} #{i}")))
    if version % 2:
        claim, amount = ID[f"{rid}/claim"], ID[f"{rid}/amount"]
        g.add((claim, CKG.claimPredicate, CKG.funds))
        g.add((claim, CKG.claimSubject, ID[f"{rid}/thing-0"]))
        g.add((claim, CKG.amount, amount))
        g.add((amount, SCHEMA.value, Literal(Decimal(100 * version))))
        g.add((amount, SCHEMA.currency, Literal("USD")))
    return g


def size(version: int) -> int:
    return version + 1 + (5 if version % 2 else 0)


def iri(rid: str) -> str:
    return str(ID[f"graph/{rid}"])


def counts(st_: ox.Store) -> dict[str, int]:
    return {r["g"].value: int(r["n"].value) for r in st_.query(COUNTS)}


def generations(build: Path) -> list[str]:
    return sorted(p.name for p in (build / store.STORE_DIR).glob("gen-*") if p.is_dir())


class World:
    """A build folder and what it should hold: report id -> version of its last build."""

    def __init__(self, build: Path):
        self.build = build
        self.model: dict[str, int] = {}

    def apply(self, op: tuple) -> tuple[bool, store.StoreChange]:
        """Carry out one step; whether it should change the store, and what the store says."""
        kind = op[0]
        if kind == "build":
            built = {rid: (report_graph(rid, v), {"triples": size(v)}) for rid, v in op[1].items()}
            changed = any(self.model.get(rid) != v for rid, v in op[1].items())
            change = store.write_outputs(self.build, built)
            self.model.update(op[1])
            return changed, change
        if kind == "remove":
            rid = op[1]
            change = store.write_outputs(self.build, {}, remove=[rid])
            del self.model[rid]
            return True, change
        assert kind == "load"
        return True, store.load_store(self.build)  # a reload always writes a new generation

    def expected(self) -> dict[str, int]:
        return {iri(rid): size(v) for rid, v in self.model.items()}

    def check(self) -> None:
        warnings: list[str] = []
        disk = store.open_store(self.build, warn=warnings.append)
        assert warnings == []  # the on-disk store, not the TriG loaded instead
        held = counts(disk)
        ontology = held.pop(ONTOLOGY)
        assert ontology > 100
        summary = held.pop(SUMMARY, 0)  # funding totals: present when some report funds
        assert (summary > 0) == any(v % 2 for v in self.model.values())
        assert held == self.expected()
        # the TriG loaded into memory computes the same totals from the same graphs
        trig = counts(store.open_store(self.build / store.DATASET_FILE))
        assert trig == counts(disk)
        status = store.store_status(self.build)
        dataset = {ONTOLOGY: ontology, **self.expected()}
        assert status["fresh"] and status["graphs"] == {**dataset, **counts(disk)}
        self.triples = sum(dataset.values())
        assert len(generations(self.build)) <= 2
        reports = sorted(p.stem for p in (self.build / store.REPORTS_DIR).glob("*.ttl"))
        assert reports == sorted(self.model)
        manifest = json.loads((self.build / store.MANIFEST_FILE).read_text(encoding="utf-8"))
        assert {rid: m["triples"] for rid, m in manifest.items()} == {
            rid: size(v) for rid, v in self.model.items()
        }


@st.composite
def steps(draw) -> list[tuple]:
    """A first build, then builds (of one or more reports, new or rebuilt, changed or not),
    removals of a present report, and reloads; never a removal of the last report."""
    present: dict[str, int] = {}
    out = []
    first = draw(st.sampled_from(REPORTS))
    out.append(("build", {first: 0}))
    present[first] = 0
    for _ in range(draw(st.integers(1, 7))):
        choice = draw(st.sampled_from(("build", "build", "build", "remove", "load")))
        if choice == "remove" and len(present) > 1:
            rid = draw(st.sampled_from(sorted(present)))
            out.append(("remove", rid))
            del present[rid]
        elif choice == "load":
            out.append(("load",))
        else:
            rids = draw(st.lists(st.sampled_from(REPORTS), min_size=1, max_size=2, unique=True))
            built = {rid: draw(st.integers(0, 3)) for rid in rids}
            out.append(("build", built))
            present.update(built)
    return out


SIX_CHANGES = [("build", {"alpha": v % 4}) for v in range(6)]
# a removed report built again, unchanged builds of one and of several reports, a reload between
READDED = [
    ("build", {"alpha": 1}),
    ("build", {"alpha": 1, "beta": 2}),
    ("remove", "alpha"),
    ("build", {"alpha": 1}),
    ("build", {"alpha": 1, "beta": 2}),
    ("load",),
    ("remove", "beta"),
    ("build", {"gamma": 3, "alpha": 0}),
]


# Each random sequence costs a second or more (every step writes and checks a store): three in
# `make test` besides the three explicit ones below; CHIPKG_PROPERTY_EXAMPLES=50 for a deeper run
@settings(
    max_examples=property_examples(3),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@example(SIX_CHANGES)  # the seeded bug: the fourth changing build reused the live generation
@example([("build", {"alpha": 0}), ("build", {"beta": 0}), ("remove", "alpha"), ("load",)] * 2)
@example(READDED)
@given(steps())
def test_the_store_survives_any_sequence_of_builds_removals_and_reloads(tmp_path_factory, ops):
    world = World(tmp_path_factory.mktemp("build"))
    for op in ops:
        before = store.read_state(world.build)
        reader = None
        if before is not None:  # a reader that opened the store just before this step
            reader = store.open_store(world.build, warn=pytest.fail)
            read_before = counts(reader)
        changed, change = world.apply(op)
        after = store.read_state(world.build)
        assert after is not None
        if before is None:
            assert after["generation"] == "gen-000001"
        elif changed:
            assert after["generation"] > before["generation"], op
            assert before["generation"] in generations(world.build)
            assert counts(reader) == read_before  # still what it opened
        else:
            assert after["generation"] == before["generation"], op
        world.check()
        # what the command prints comes from the change the store reports
        assert change.generation == after["generation"]
        assert change.triples == world.triples
        mode = "created" if before is None or op[0] == "load" else "updated"
        assert change.mode == (mode if changed else "unchanged"), op
        if change.mode == "created":
            assert change.summary().startswith(f"store: loaded {world.triples} triples in ")


def test_a_generation_that_does_not_hold_its_counts_is_never_published(tmp_path):
    """The previous generation was changed behind the build's back (a SPARQL update against it):
    the next build copies it, finds a graph it kept with one triple too many, and stops with an
    error naming the graph — the current generation and every output stay as they were."""
    build = tmp_path / "build"
    store.write_outputs(build, {"alpha": (report_graph("alpha", 1), {"triples": 2})})
    store.write_outputs(build, {"beta": (report_graph("beta", 0), {"triples": 1})})
    state = store.read_state(build)
    live = build / store.STORE_DIR / state["generation"]
    tampered = ox.Store(str(live))
    tampered.add(
        ox.Quad(
            ox.NamedNode(str(ID["alpha/extra"])),
            ox.NamedNode(str(RDFS.label)),
            ox.Literal("not from any build"),
            ox.NamedNode(iri("alpha")),
        )
    )
    tampered.flush()
    del tampered
    before = {p.name: p.read_bytes() for p in build.iterdir() if p.is_file()}
    with pytest.raises(ChipkgError) as err:
        store.write_outputs(build, {"beta": (report_graph("beta", 2), {"triples": 3})})
    message = str(err.value)
    assert "the new store does not hold what was loaded" in message
    assert f"{iri('alpha')} has 8 triples, expected 7" in message
    assert iri("beta") not in message  # the graph that was replaced is right
    assert store.read_state(build)["generation"] == state["generation"]
    assert generations(build) == sorted({state["generation"], "gen-000001"})
    assert {p.name: p.read_bytes() for p in build.iterdir() if p.is_file()} == before


def test_a_stray_triple_in_the_default_graph_is_never_published(tmp_path):
    build = tmp_path / "build"
    store.write_outputs(build, {"alpha": (report_graph("alpha", 0), {"triples": 1})})
    live = build / store.STORE_DIR / store.read_state(build)["generation"]
    tampered = ox.Store(str(live))
    tampered.add(
        ox.Quad(
            ox.NamedNode(str(ID["stray"])),
            ox.NamedNode(str(RDFS.label)),
            ox.Literal("stray"),
            ox.DefaultGraph(),
        )
    )
    tampered.flush()
    del tampered
    with pytest.raises(ChipkgError, match="1 triples in the default graph"):
        store.write_outputs(build, {"alpha": (report_graph("alpha", 1), {"triples": 2})})
    assert store.read_state(build)["generation"] == "gen-000001"


def test_the_state_file_reads_as_it_is_written_for_people(tmp_path):
    """CURRENT.json is for people too (which generation, which graphs, how many triples): two-space
    indented, keys sorted, a report named in Chinese written as itself, not as \\u escapes."""
    build = tmp_path / "build"
    store.write_outputs(build, {"集成电路": (report_graph("集成电路", 1), {"triples": 2})})
    text = (build / store.STORE_DIR / store.STATE_FILE).read_text(encoding="utf-8")
    state = json.loads(text)
    assert text == json.dumps(state, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    assert "集成电路" in text and "\\u" not in text
    assert list(state) == sorted(state) and text.startswith('{\n  "dataset": {\n')


def test_a_damaged_generation_is_replaced_by_a_fresh_load(tmp_path):
    """The current generation's database files are gone (a disk clean-up, a copy that missed
    them): the next changing build cannot copy it, loads the whole dataset afresh instead, and
    says so."""
    build = tmp_path / "build"
    store.write_outputs(build, {"alpha": (report_graph("alpha", 0), {"triples": 1})})
    live = build / store.STORE_DIR / store.read_state(build)["generation"]
    for f in live.iterdir():
        f.unlink()
    change = store.write_outputs(build, {"alpha": (report_graph("alpha", 1), {"triples": 7})})
    assert (change.mode, change.generation) == ("created", "gen-000002")
    assert change.summary().startswith(f"store: loaded {change.triples} triples in 2 graph(s) ")
    warnings: list[str] = []
    assert counts(store.open_store(build, warn=warnings.append))[iri("alpha")] == 7
    assert warnings == []


def test_an_unchanged_build_that_fails_keeps_the_live_generation(tmp_path, monkeypatch):
    """Nothing changed, so the build publishes the current generation again; if writing the other
    outputs fails, that generation must not be cleaned up as if it were a new one."""
    build = tmp_path / "build"
    graph = {"alpha": (report_graph("alpha", 1), {"triples": 7})}
    store.write_outputs(build, graph)
    state = store.read_state(build)

    def full_disk(path, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "atomic_write", full_disk)
    with pytest.raises(OSError):
        store.write_outputs(build, graph)
    monkeypatch.undo()
    assert store.read_state(build) == state
    assert counts(store.open_store(build, warn=pytest.fail))[iri("alpha")] == 7


@pytest.mark.parametrize("half_written", [False, True], ids=["before", "half-written"])
def test_a_full_disk_while_writing_the_store_is_one_clear_error(
    tmp_path, monkeypatch, half_written
):
    """Writing the new generation fails (disk full), before anything was created or once part of
    it is on disk: one error naming the generation folder and what to do, and no half-written
    store left behind (nor a second error from cleaning up what was never created)."""
    build = tmp_path / "build"

    def full_disk(target, *args):
        if half_written:
            target.mkdir(parents=True)
            (target / "000001.sst").write_bytes(b"part of a table")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "_fill", full_disk)
    with pytest.raises(ChipkgError) as err:
        store.write_outputs(build, {"alpha": (report_graph("alpha", 0), {"triples": 1})})
    target = build / store.STORE_DIR / "gen-000001"
    assert str(err.value) == (
        f"{target}: cannot write the on-disk store: [Errno 28] No space left on device — "
        "nothing was replaced; free disk space or fix permissions, then build again"
    )
    assert generations(build) == [] and store.read_state(build) is None


@pytest.mark.parametrize("half_written", [False, True], ids=["before", "half-written"])
def test_an_interrupted_store_write_is_reraised_and_leaves_the_store_as_it_was(
    tmp_path, monkeypatch, half_written
):
    build = tmp_path / "build"
    store.write_outputs(build, {"alpha": (report_graph("alpha", 0), {"triples": 1})})
    state = store.read_state(build)

    def interrupted(target, *args):
        if half_written:
            target.mkdir(parents=True)
            (target / "000001.sst").write_bytes(b"part of a table")
        raise KeyboardInterrupt

    monkeypatch.setattr(store, "_fill", interrupted)
    with pytest.raises(KeyboardInterrupt):
        store.write_outputs(build, {"alpha": (report_graph("alpha", 1), {"triples": 7})})
    monkeypatch.undo()
    assert store.read_state(build) == state and generations(build) == ["gen-000001"]


def test_the_printed_time_is_the_time_the_store_step_took(tmp_path):
    """`store: … (N s)` says how long writing the generation took: more than nothing, no more
    than the whole call, for a fresh load and for an update alike."""
    import time

    build = tmp_path / "build"
    for version in (0, 1):
        t0 = time.perf_counter()
        change = store.write_outputs(
            build, {"alpha": (report_graph("alpha", version), {"triples": size(version)})}
        )
        took = time.perf_counter() - t0
        assert change.mode == ("created" if version == 0 else "updated")
        assert 0 < change.seconds <= took, (change.seconds, took)
        assert change.summary().endswith(f"({change.seconds:.2f} s)")


def test_snapshots_of_servers_no_longer_running_are_cleaned_up(tmp_path):
    """A server that was killed leaves its private snapshot (``.serve-PID``) behind: the next build
    removes it, and a leftover whose name is no process id, but keeps a running server's."""
    import subprocess
    import sys

    build = tmp_path / "build"
    store.write_outputs(build, {"alpha": (report_graph("alpha", 0), {"triples": 1})})
    sdir = build / store.STORE_DIR
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)  # fmt: skip
    dead, running, odd = (sdir / f".serve-{n}" for n in (ended.stdout.strip(), os.getpid(), "x"))
    for folder in (dead, running, odd):
        folder.mkdir()
        (folder / "CURRENT").write_text("a snapshot", encoding="utf-8")
    with store.snapshot(build) as (path, _state):  # this process serving: its own snapshot
        assert path == running
        store.write_outputs(build, {"alpha": (report_graph("alpha", 1), {"triples": 7})})
        assert sorted(p.name for p in sdir.glob(".serve-*")) == [running.name]
        assert counts(ox.Store.read_only(str(path)))[iri("alpha")] == 1  # still what it served
    assert not running.exists()


def test_a_leftover_generation_that_cannot_be_removed_does_not_stop_the_build(
    tmp_path, monkeypatch
):
    """Clean-up is best effort: a generation folder another program holds open (or with a file
    the user may not delete) stays behind, and the build still publishes its new generation."""
    import shutil

    build = tmp_path / "build"
    store.write_outputs(build, {"alpha": (report_graph("alpha", 0), {"triples": 1})})
    store.write_outputs(build, {"alpha": (report_graph("alpha", 1), {"triples": 7})})
    real_rmdir = os.rmdir

    def refuse(path, *args, **kwargs):
        if str(path).endswith("gen-000001"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_rmdir(path, *args, **kwargs)

    monkeypatch.setattr(shutil.os, "rmdir", refuse)
    change = store.write_outputs(build, {"alpha": (report_graph("alpha", 2), {"triples": 3})})
    monkeypatch.undo()
    assert (build / store.STORE_DIR / "gen-000001").is_dir()  # left behind
    assert change.generation == "gen-000003"
    assert store.read_state(build)["generation"] == "gen-000003"
    assert counts(store.open_store(build, warn=pytest.fail))[iri("alpha")] == 3


def test_a_side_file_is_part_of_what_the_published_store_is_fresh_against(tmp_path):
    """`chipkg verify` writes verification.trig next to the TriG and loads it into the store: the
    published state records it, so the store is fresh with it and stale once it changes (queries
    then warn and read the files instead of a store that no longer matches them)."""
    build = tmp_path / "build"
    store.write_outputs(build, {"alpha": (report_graph("alpha", 1), {"triples": size(1)})})
    side = build / store.SIDE_FILES[0]
    verdicts = str(ID["graph/verification"])
    side.write_text(f'<{verdicts}> {{ <{ID["alpha/claim"]}> <{RDFS.comment}> "supported" . }}\n')
    change = store.load_store(build, fresh=False)
    assert change.added == (verdicts,)
    assert store.store_status(build)["fresh"]
    assert counts(store.open_store(build, warn=pytest.fail))[verdicts] == 1
    side.write_text(f'<{verdicts}> {{ <{ID["alpha/claim"]}> <{RDFS.comment}> "refuted" . }}\n')
    assert not store.store_status(build)["fresh"]
    warnings: list[str] = []
    store.open_store(build, warn=warnings.append)
    assert warnings  # not the published generation, which holds the old verdicts


# --- survivors of the full store run of 8 December (docs/testing.md) ----------------------------


def test_a_changing_build_that_fails_leaves_no_new_generation_behind(tmp_path, monkeypatch):
    """Writing the other outputs fails after the new generation was prepared: the new generation is
    removed at once (not left for the next build's clean-up), the live one and its state stay."""
    build = tmp_path / "build"
    store.write_outputs(build, {"alpha": (report_graph("alpha", 0), {"triples": 1})})
    state = store.read_state(build)

    def full_disk(path, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "atomic_write", full_disk)
    with pytest.raises(OSError):
        store.write_outputs(build, {"alpha": (report_graph("alpha", 1), {"triples": 7})})
    monkeypatch.undo()
    assert generations(build) == [state["generation"]]
    assert store.read_state(build) == state


def test_stray_entries_in_the_store_folder_do_not_break_a_build(tmp_path):
    """Things a user or another tool left in the store folder: a file named like a server's
    private copy, a folder named like a generation that is not one. The build goes on, numbers
    its generation past the real ones and removes neither the live store nor the stray file."""
    build = tmp_path / "build"
    store.write_outputs(build, {"alpha": (report_graph("alpha", 0), {"triples": 1})})
    sdir = build / store.STORE_DIR
    (sdir / ".serve-999999999").write_text("not a folder")
    (sdir / "gen-x00009").mkdir()
    change = store.write_outputs(build, {"alpha": (report_graph("alpha", 1), {"triples": 7})})
    assert change.generation == "gen-000002"
    assert counts(store.open_store(build, warn=pytest.fail))[iri("alpha")] == 7
    assert (sdir / ".serve-999999999").read_text() == "not a folder"


def test_generation_numbers_go_on_past_six_digits_of_history(tmp_path):
    """The next generation is one past the highest on disk, read from all its digits; a folder
    named like a generation that is none does not count (nor stop the count)."""
    sdir = tmp_path / "store"
    (sdir / "gen-123456").mkdir(parents=True)
    (sdir / "gen-000007").mkdir()
    assert store._next_generation(sdir) == "gen-123457"
    (sdir / "gen-x00009").mkdir()
    assert store._next_generation(sdir) == "gen-123457"


@pytest.mark.parametrize(
    "text",
    ["[]", '{"format": "chipkg-store/0", "generation": "gen-000001", "graphs": {}}'],
    ids=["not-an-object", "another-format"],
)
def test_a_state_file_of_another_shape_or_format_is_no_store(tmp_path, text):
    """CURRENT.json that is not a state object, or one written by another store format: no usable
    store (the next build loads afresh), never a crash or a store read with the wrong layout."""
    build = tmp_path / "build"
    store.write_outputs(build, {"alpha": (report_graph("alpha", 0), {"triples": 1})})
    (build / store.STORE_DIR / store.STATE_FILE).write_text(text, encoding="utf-8")
    assert store.read_state(build) is None
