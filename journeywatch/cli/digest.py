"""`journeywatch digest`: write (and send) the weekly digest of each brand."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from ..settings import load_config
from .app import app


@app.command()
def digest(
    config: Path = typer.Option(..., "--config", "-c", help="the journeywatch YAML config"),
    brand: str = typer.Option(None, "--brand", help="only this brand (default: every brand in the config)"),
    week: str = typer.Option(
        None, "--week",
        help="ISO week YYYY-Www (this week: a partial digest, marked so; a future week is refused), or "
             "'latest': the latest finished week with data (default: last complete week)"),
    out: Path = typer.Option(Path("digests"), "--out", help="folder the .html, .md and .json files go to (an earlier run's files for the same "
                                   "brand and week are replaced)"),
    send: bool = typer.Option(True, "--send/--no-send", help="deliver to the config's digest.notify targets"),
) -> None:
    """Write each brand's weekly digest as HTML, Markdown and JSON, and print the paths.

    Example: journeywatch digest --config journeywatch.yaml --week latest --out digests
    """
    from journeywatch.reports import make_digests  # matplotlib loads only when a digest is made

    run = make_digests(load_config(config, strict=False), out, week=week, brand=brand, send=send)
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
