"""`journeywatch digest`: write (and send) the weekly digest of each brand."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from ..settings import load_config
from .app import app


def _week_problem(exc: Exception) -> str:
    """A `WeekError`'s message as a bad `--week` value's: "'2026-W60': 2026 has no ISO week 60"."""
    return str(exc).removeprefix("week ")


def _checked_week(value: str | None) -> str | None:
    """`--week`, refused before the config and the database are opened when it names no week: a bad option value,
    a usage error (exit 2), as `alerts list --since yesterday` is; it exited 1, as a config or data error does."""
    if value is not None and value.strip().lower() not in ("", "last", "latest"):
        from journeywatch.reports import WeekError, parse_week

        try:
            parse_week(value)
        except WeekError as exc:
            raise typer.BadParameter(_week_problem(exc)) from None
    return value


@app.command()
def digest(
    config: Path = typer.Option(..., "--config", "-c", help="the journeywatch YAML config"),
    brand: str = typer.Option(None, "--brand", help="only this brand (default: every brand in the config)"),
    week: str = typer.Option(
        None, "--week", callback=_checked_week,
        help="ISO week YYYY-Www (this week: a partial digest, marked so; a future week is refused), or "
             "'latest': the latest finished week with data (default: last complete week)"),
    out: Path = typer.Option(Path("digests"), "--out", help="folder the .html, .md and .json files go to (an earlier run's files for the same "
                                   "brand and week are replaced)"),
    send: bool = typer.Option(True, "--send/--no-send", help="deliver to the config's digest.notify targets"),
) -> None:
    """Write each brand's weekly digest as HTML, Markdown and JSON, and print the paths.

    Example: journeywatch digest --config journeywatch.yaml --week latest --out digests
    """
    from journeywatch.reports import WeekError, make_digests  # matplotlib loads only when a digest is made

    settings = load_config(config, strict=False)
    try:
        run = make_digests(settings, out, week=week, brand=brand, send=send)
    except WeekError as exc:  # a week not begun yet in the config's timezone
        raise typer.BadParameter(_week_problem(exc), param_hint="'--week'") from None
    console = Console(stderr=True, soft_wrap=True, emoji=False)  # a brand named ":fire:" is text, not an emoji
    if run.partial_note:  # the current week: allowed, but its figures will still grow
        console.print(f"[yellow]Warning:[/] {run.week} is not over yet. {escape(run.partial_note)}.", highlight=False)
    for path in run.paths:
        typer.echo(str(path))
    for name, where in run.empty.items():  # an empty digest is right, but should not pass unnoticed
        console.print(f"[yellow]Note:[/] no items for {escape(name)} in {run.week}; its digest says so. "
                      f"{escape(where)}.", highlight=False)
    for result in run.deliveries:
        mark = "[green]sent[/]" if result.ok else f"[red]not sent[/] ({escape(result.detail)})"
        console.print(f"{run.week}: {escape(result.brand)} digest {mark} to {escape(result.target)}", highlight=False)
    if any(not r.ok for r in run.deliveries):
        raise typer.Exit(code=2)
