"""`journeywatch alerts check` and `journeywatch alerts list`: spike alerts by hand."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..errors import ConfigError
from ..settings import DATABASE_ENV, load_config
from .app import alerts_app

console = Console()


def _engine(config: Path | None, database: str | None):  # type: ignore[no-untyped-def]
    from journeywatch.storage import open_database

    url = database or (load_config(config, strict=False).database if config else os.environ.get(DATABASE_ENV))
    if not url:
        raise ConfigError(f"give --config or --database (or set {DATABASE_ENV})")
    return open_database(url)


def _table(alerts: list, title: str) -> Table:  # type: ignore[type-arg]
    table = Table(title=title, title_justify="left")
    for column, justify in (("id", "right"), ("brand", "left"), ("window (UTC)", "left"), ("observed", "right"),
                            ("expected", "right"), ("ratio", "right"), ("p", "right"), ("sources", "left"),
                            ("status", "left"), ("delivered", "left")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for alert in alerts:
        sent = [d for d in alert.deliveries if d.get("kind") == "alert"]
        delivered = f"{sum(d['ok'] for d in sent)}/{len(sent)}" if sent else "-"
        table.add_row(
            str(alert.id), escape(alert.brand),
            f"{alert.window_start:%Y-%m-%d %H:%M}–{alert.window_end:%H:%M}",
            str(alert.observed), f"{alert.expected:.2g}",
            ">1000×" if alert.ratio >= 1000 else f"{alert.ratio:.1f}×", f"{alert.p_value:.1e}",
            escape(", ".join(f"{name} {n}" for name, n in alert.sources.items())),
            alert.status, delivered,
        )
    return table


@alerts_app.command("check")
def check(
    config: Path = typer.Option(..., "--config", "-c", help="path to the YAML config"),
) -> None:
    """Judge every complete window since the last check and deliver any new alert.

    The monitor does this after each run; this is the same check by hand.
    A window is never judged twice, so running it again only looks at newer ones.

    Example: journeywatch alerts check --config journeywatch.yaml
    """
    from journeywatch.alerts import check_alerts
    from journeywatch.storage import open_database

    settings = load_config(config, strict=False)
    fired = check_alerts(open_database(settings.database), settings)
    if not fired:
        console.print("No new alerts.")
        return
    console.print(_table(fired, f"{len(fired)} new alert(s)"))
    for alert in fired:
        for delivery in alert.deliveries:
            if not delivery["ok"]:
                console.print(f"[red]not delivered[/] to {escape(delivery['target'])}: "
                              f"{escape(str(delivery['error']))}", highlight=False)


@alerts_app.command("list")
def list_alerts(
    config: Path = typer.Option(None, "--config", "-c", help="take the database URL from this config"),
    database: str = typer.Option(None, "--database", help=f"database URL (or set {DATABASE_ENV})"),
    brand: str = typer.Option(None, "--brand", help="only this brand"),
    limit: int = typer.Option(20, "--limit", min=1, max=1000, help="how many, newest first"),
    evidence: bool = typer.Option(False, "--evidence", help="also print each alert's top items and links"),
) -> None:
    """Show recent alerts, newest first, with their figures and delivery status.

    Example: journeywatch alerts list --config journeywatch.yaml --brand "Northwind Air"
    """
    from journeywatch.alerts import recent_alerts

    alerts = recent_alerts(_engine(config, database), limit=limit, brand=brand)
    if not alerts:
        console.print("No alerts yet.")
        return
    console.print(_table(alerts, "Recent alerts"))
    if evidence:
        for alert in alerts:
            console.print(f"\n[bold]#{alert.id} {escape(alert.brand)}[/] {alert.window_start:%Y-%m-%d %H:%M} UTC")
            for item in alert.top_items:
                console.print(f"  • {escape(item.text[:200])} ({escape(item.source)}) {escape(item.url or '')}",
                              highlight=False)
