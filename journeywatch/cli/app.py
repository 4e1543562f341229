"""The Typer application every command module registers on."""

from __future__ import annotations

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

state = {"debug": False}


@app.callback()
def _options(debug: bool = typer.Option(False, "--debug", help="show tracebacks instead of one-line errors")) -> None:
    state["debug"] = debug
