"""The tree shows the pipeline: stages import only the stages before them, no import cycles, no
module or function so long that it hides its steps.

Stages, in the order data flows (docs/architecture.md):

    base (errors, resources, tables, workspace, console)
      → ingest → extract → graph → check → analysis → web → bench
      → workflow, cli (assemble the stages; may import any of them)

A module may import ``chipkg.<stage>`` only when that stage comes at or before its own.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "chipkg"

BASE = ("errors", "resources", "tables", "workspace", "console", "__init__")
STAGES = ("ingest", "extract", "graph", "check", "verify", "analysis", "web", "bench")
TOP = ("workflow", "cli")
ORDER = {name: 0 for name in BASE} | {s: i + 1 for i, s in enumerate(STAGES)}
ORDER |= {name: len(STAGES) + 1 for name in TOP}

MAX_MODULE_LINES = 800
MAX_FUNCTION_LINES = 80

# Long pieces allowed, each with its reason. Keep this list short; an entry goes when its piece is
# split. (Entries marked "issue 14" are being split as part of the layout work.)
LONG_MODULES: dict[str, str] = {}
LONG_FUNCTIONS: dict[str, str] = {}


def modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "__pycache__" not in p.parts)


def stage_of(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def imported_stages(path: Path) -> set[tuple[str, int]]:
    """(stage, line) for every chipkg import in the module, top-level or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "chipkg":
                names = [f"chipkg.{a.name}" for a in node.names]
            elif node.module.startswith("chipkg."):
                names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names if a.name.startswith("chipkg.")]
        for name in names:
            found.add((name.split(".")[1], node.lineno))
    return found


def test_every_module_belongs_to_a_known_stage():
    unknown = {stage_of(p) for p in modules()} - set(ORDER)
    assert not unknown, f"modules outside the known stages: {unknown} — add them to ORDER"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_imports_flow_down_the_pipeline(path: Path):
    own = ORDER[stage_of(path)]
    upward = [
        f"line {line}: imports chipkg.{stage}"
        for stage, line in sorted(imported_stages(path))
        if stage in ORDER and ORDER[stage] > own
    ]
    assert not upward, f"{path.relative_to(SRC)} imports a later stage: {upward}"


def test_no_import_cycles_between_modules():
    graph: dict[str, set[str]] = {}
    names = {".".join(p.relative_to(SRC).with_suffix("").parts): p for p in modules()}
    for name, path in names.items():
        deps = set()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:  # top-level imports only
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.startswith("chipkg")
            ):
                base = node.module.removeprefix("chipkg").lstrip(".")
                for alias in node.names:
                    full = f"{base}.{alias.name}" if base else alias.name
                    deps.add(full if full in names else base)
        graph[name] = {d for d in deps if d in names and d != name}
    state: dict[str, int] = {}

    def visit(n: str, trail: list[str]) -> None:
        state[n] = 1
        for d in sorted(graph[n]):
            if state.get(d) == 1:
                raise AssertionError("import cycle: " + " → ".join([*trail, n, d]))
            if d not in state:
                visit(d, [*trail, n])
        state[n] = 2

    for n in sorted(graph):
        if n not in state:
            visit(n, [])


def long_pieces() -> tuple[dict[str, int], dict[str, int]]:
    mods, funcs = {}, {}
    for path in modules():
        rel = str(path.relative_to(SRC))
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > MAX_MODULE_LINES:
            mods[rel] = text.count("\n")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    funcs[f"{rel}:{node.name}"] = length
    return mods, funcs


def test_no_module_or_function_too_long_unless_listed_with_a_reason():
    mods, funcs = long_pieces()
    assert set(mods) <= set(LONG_MODULES), {m: mods[m] for m in set(mods) - set(LONG_MODULES)}
    assert set(funcs) <= set(LONG_FUNCTIONS), {
        f: funcs[f] for f in set(funcs) - set(LONG_FUNCTIONS)
    }


def test_the_exception_lists_name_only_pieces_that_are_still_long():
    mods, funcs = long_pieces()
    assert set(LONG_MODULES) <= set(mods), f"split already, drop: {set(LONG_MODULES) - set(mods)}"
    assert set(LONG_FUNCTIONS) <= set(funcs), f"split already: {set(LONG_FUNCTIONS) - set(funcs)}"
