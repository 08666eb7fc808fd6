"""Command line: the root group and the commands each pipeline stage defines; no logic of its own.

Exit codes: 0 success, 1 findings (violations, failed checks), 2 bad input or usage.
Data goes to stdout; progress and diagnostics go to stderr.
"""

from __future__ import annotations

from pathlib import Path

import click

from chipkg import __version__
from chipkg.analysis import commands as analysis_commands
from chipkg.bench.commands import bench
from chipkg.check import commands as check_commands
from chipkg.console import ChipkgGroup
from chipkg.extract import commands as extract_commands
from chipkg.graph import commands as graph_commands
from chipkg.ingest import commands as ingest_commands
from chipkg.verify import commands as verify_commands
from chipkg.web import commands as web_commands
from chipkg.workflow import build, init_cmd


@click.group(cls=ChipkgGroup)
@click.version_option(__version__, prog_name="chipkg")
@click.option(
    "--project",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The workspace: a folder holding chipkg.toml, or a project folder whose workspace is "
    "its graph/ folder. Default: the nearest workspace at or above the current folder.",
)
@click.pass_context
def cli(ctx: click.Context, project: Path | None) -> None:
    """chipkg: a knowledge graph of the semiconductor policy landscape, every fact traced to the
    sentence that states it and the URLs that sentence cites."""
    ctx.obj = {"project_option": project}


COMMANDS = (
    init_cmd,  # a workspace of one's own
    build,  # the pipeline, stage after stage
    ingest_commands.eval_citations,
    extract_commands.entities,
    extract_commands.eval_cmd,
    graph_commands.remove_cmd,
    graph_commands.store_group,
    check_commands.validate_cmd,
    check_commands.reason_cmd,
    check_commands.audit_cmd,
    verify_commands.sources_group,
    verify_commands.verify_cmd,
    analysis_commands.stats,
    analysis_commands.query_cmd,
    analysis_commands.trace_cmd,
    analysis_commands.analyze_cmd,
    analysis_commands.export_group,
    web_commands.serve_cmd,
    web_commands.push_cmd,
    web_commands.review_cmd,
    bench,
)
for command in COMMANDS:
    cli.add_command(command)


def main() -> None:
    cli(prog_name="chipkg")


if __name__ == "__main__":
    main()
