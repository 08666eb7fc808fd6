"""What every command shares: the consoles (data to stdout, diagnostics to stderr), the group
that turns a ChipkgError into one line and its exit code, the build folder of the project, and
the options several commands take."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import click
from rich.console import Console

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


def build_folder(ctx: click.Context, override: Path | None) -> Path:
    return override or ctx.obj["project"] / "graph" / "build"
