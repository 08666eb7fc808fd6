"""What every command shares: the consoles (data to stdout, diagnostics to stderr), the group
that turns a ChipkgError into one line and its exit code, the workspace and its build folder,
and the options several commands take."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import click
from rich.console import Console

from chipkg import workspace as ws
from chipkg.errors import ChipkgError

err = Console(stderr=True, highlight=False)
out = Console(highlight=False, soft_wrap=True)


def warn(message: str) -> None:
    """Diagnostics are plain single lines on stderr (no wrapping), easy to grep and to test."""
    click.echo(f"warning: {message}", err=True)


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


class ChipkgGroup(click.Group):
    """Turns a ChipkgError anywhere below into one clean line and its exit code."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ChipkgError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)


# options several commands share
graph_argument = click.argument("graph", required=False, type=click.Path(path_type=Path))
text_or_json = click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)


def workspace(ctx: click.Context) -> ws.Workspace:
    """The workspace of this command: --project DIR, else the nearest one at or above the
    current folder (found once, when a command first asks)."""
    root = ctx.find_root()
    obj = root.obj = root.obj if root.obj is not None else {}
    if "workspace" not in obj:
        chosen = obj.get("project_option")
        obj["workspace"] = ws.at(chosen) if chosen is not None else ws.find(Path.cwd())
    return obj["workspace"]


def label_language(ctx: click.Context) -> str:
    """The workspace's preferred label language; English when the command reads a build named
    outside any workspace (``--graph FILE``) and none is found."""
    try:
        return workspace(ctx).settings.label_language
    except ChipkgError as exc:
        if "no chipkg workspace" in exc.message:
            return ws.LANGUAGES[0]
        raise


def build_folder(ctx: click.Context, override: Path | None) -> Path:
    return override or workspace(ctx).build
