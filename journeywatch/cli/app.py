"""The Typer application every command module registers on."""

from __future__ import annotations

import shutil
from typing import Any

import typer

app = typer.Typer(
    name="journeywatch",
    help="Listen to what people write about a brand and map it onto the customer journey.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True)
alerts_app = typer.Typer(help="Negative share-stage spike alerts.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(alerts_app, name="alerts")

# What `main` says of a Ctrl-C that no command handled itself: only a command that stores as it goes
# (run, reclassify) may promise that what it did is kept and that running it again carries on.
KEPT_AND_CARRIED_ON = "interrupted; what was stored so far is kept, and running the command again carries on from there"
state: dict[str, Any] = {"debug": False, "interrupted": "interrupted"}


def _print_version(given: bool) -> None:
    """`--version`: the installed package's version, for a bug report or a deployment check; then exit."""
    if given:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"journeywatch {version('journeywatch')}")
        except PackageNotFoundError:  # run from a source tree that was never installed
            typer.echo("journeywatch (not installed: no version recorded)")
        raise typer.Exit()


@app.callback()
def _options(
    debug: bool = typer.Option(False, "--debug", help="show tracebacks instead of one-line errors"),
    _version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                  help="print journeywatch's version and exit"),
) -> None:
    state["debug"] = debug


RICH_HELP_COLUMNS = 80  # the narrowest terminal every command's boxed help fits uncut


def plain_help_when_narrow() -> None:
    """Below 80 columns (a split pane, a phone), `--help` in click's plain layout, which wraps.

    Typer's boxed help cuts what does not fit: at 40 columns `alerts list --help`
    showed "--databa…" and "JOURNEYW…", the very names a reader came for.
    """
    if shutil.get_terminal_size().columns < RICH_HELP_COLUMNS:
        app.rich_markup_mode = None


def reflow_help(typer_app: typer.Typer) -> None:
    """Join the single line breaks of each command's docstring paragraphs, so `--help` wraps them whole.

    Typer's boxed help keeps a docstring's line breaks after its first paragraph and wraps
    at the terminal's width on top of them: `alerts check --help` at 80 columns ended a
    line on "A SQLite" alone, and `classify --help` put "that" on a line of its own.
    Paragraphs (blank-line separated) stay apart; click's plain layout joins lines itself.
    """
    import inspect

    for info in typer_app.registered_commands:
        doc = info.help if info.help is not None else inspect.getdoc(info.callback)
        if doc:
            info.help = "\n\n".join(" ".join(line.strip() for line in paragraph.splitlines())
                                    for paragraph in inspect.cleandoc(doc).split("\n\n"))
    for group in typer_app.registered_groups:
        if group.typer_instance is not None:
            reflow_help(group.typer_instance)
