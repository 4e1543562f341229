"""`journeywatch alerts check` and `journeywatch alerts list`: spike alerts by hand."""

from __future__ import annotations

import json
import re
import signal
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.text import Text

from ..links import safe_url
from ..settings import DATABASE_ENV, load_config, parse_duration
from .app import alerts_app, state
from .database import database_engine

if TYPE_CHECKING:
    from journeywatch.alerts import Alert
    from journeywatch.alerts.resend import Resent

console = Console(emoji=False)  # a brand or target holding ":fire:" is text, not an emoji


def _window(alert: Alert, zone: str) -> str:
    """From the spike's first window to its last flagged one: the first window alone hid a spike's length.
    In `zone` (`digest.timezone`), UTC beside it where it differs (`window_text`)."""
    from journeywatch.alerts.alert import window_text

    return window_text(alert.window_start, max(alert.window_end, alert.last_window_end), zone)


def _hours(start: datetime, end: datetime, zone: str) -> str:
    """'14:00–17:00' within a day (the alert's first line gives the date); dates too across midnight.
    In `zone`, as the first line gives the window first."""
    from journeywatch.alerts.alert import is_utc

    if not is_utc(zone):
        start, end = start.astimezone(ZoneInfo(zone)), end.astimezone(ZoneInfo(zone))
    # Over a clock change each end names its zone: '01:00–01:00' was an hour, '01:00–02:00' two.
    first, last = ((f" {start:%Z}", f" {end:%Z}") if start.tzname() != end.tzname() else ("", ""))
    if start.date() == end.date():
        return f"{start:%H:%M}{first}–{end:%H:%M}{last}"
    return f"{start:%Y-%m-%d %H:%M}{first}–{end:%Y-%m-%d %H:%M}{last}"


def _figures(alert: Alert, span: int, zone: str) -> str:
    """The count, its expectation and sources; for a spike flagged past the windows that raised it, the span's
    count first: '18 items' beside '14:00–17:00' read as the whole spike, where 27 fell in it."""
    from journeywatch.alerts.alert import expected_text, ratio_text

    against = f"{expected_text(alert.expected)} expected ({ratio_text(alert.ratio)}, p={alert.p_value:.1e})"
    sources = ", ".join(f"{name} {n}" for name, n in alert.sources.items()) or "none"
    if alert.last_window_end <= alert.window_end:
        return f"{alert.observed} items, {against}; sources: {sources}"
    raised = "the windows that raised it" if alert.windows > 1 else "the window that raised it"
    return (f"{span} items over {_hours(alert.window_start, alert.last_window_end, zone)}, {alert.observed} of "
            f"them in {_hours(alert.window_start, alert.window_end, zone)} ({raised}): {against}; "
            f"its sources: {sources}")


def _print_alerts(alerts: list[Alert], title: str, failures: bool = False, engine: Any = None,
                  zone: str = "UTC") -> None:
    """Two short lines per alert, so 80 columns hold it: who, when, status; then the figures and sources.

    A table of ten columns at 80 columns wraps every cell into fragments;
    these lines only wrap where a brand name or the source list is long.
    With `engine`, a spike's items over its whole span are counted (`span_observed`). Times are in `zone`
    (`digest.timezone`), with UTC beside the window where it differs.
    """
    from journeywatch.alerts.state import span_observed

    console.print(f"[bold]{escape(title)}[/]")
    for alert in alerts:
        outcomes = _last_outcomes(alert.deliveries, zone)
        sent = [d for (kind, _), d in outcomes.items() if kind == "alert"]
        # Every attempt is recorded, failures included: none at all means there was nowhere to send it.
        delivered = f"delivered {sum(bool(d.get('ok')) for d in sent)}/{len(sent)}" if sent else "no notify targets"
        head = f"[bold]#{alert.id}[/] {escape(alert.brand)}  {_window(alert, zone)}"
        status = f"{alert.status}, {delivered}"
        if Text.from_markup(f"{head}  {status}").cell_len <= console.width:
            console.print(f"{head}  {status}", highlight=False)
        else:  # a window in a zone, with UTC beside it, is longer: wrapped, 'delivered' began a line of its own
            console.print(head, highlight=False)
            _indented(status, 4)
        _indented(_figures(alert, span_observed(engine, alert) if engine is not None else alert.observed, zone), 4)
        for delivery in outcomes.values() if failures else []:  # "delivered 0/2" alone said not to whom or why
            if not delivery.get("ok"):
                notice = "ended notice " if delivery.get("kind") == "ended" else ""
                _indented(f"✗ {notice}not delivered to {delivery.get('target')}: {delivery.get('error')}", 4)


def _last_outcomes(deliveries: list[dict[str, Any]], zone: str = "UTC") -> dict[tuple[str, str], dict[str, Any]]:
    """Per (kind, target), its latest outcome: a target that failed and got the alert at a later check counts
    as delivered once, not as one failure and one success (claims of a check sending it are not outcomes,
    but a send in flight is said, with the machine sending it and since when in `zone`)."""
    outcomes: dict[tuple[str, str], dict[str, Any]] = {}
    for record in deliveries:
        if record.get("kind") in ("alert", "ended"):
            outcomes[(record["kind"], str(record.get("target")))] = record
    for record in deliveries:  # a send with no outcome yet: in flight, or its check was killed ("no notify targets")
        kind = str(record.get("kind", "")).removesuffix("-claim")
        if record.get("kind") in ("alert-claim", "ended-claim"):
            outcomes.setdefault((kind, str(record.get("target"))), {
                "kind": kind, "target": record.get("target"), "ok": False,
                "error": f"being sent{_claimed_by(record, zone)}, or its check stopped before saying how it went "
                         "(a later check sends it)"})
    return outcomes


def _claimed_by(claim: dict[str, Any], zone: str) -> str:
    """' by a check on HOST since <time in zone>': a claim names its machine (claims before hosts were
    recorded: none) and its time."""
    from journeywatch.alerts.alert import moment_text
    from journeywatch.alerts.resend import claim_machine

    host = claim_machine(str(claim.get("host") or ""))
    who = f" by a check on {host}" if host else ""
    try:
        return f"{who} since {moment_text(datetime.fromisoformat(str(claim.get('at'))), zone)}"
    except ValueError:
        return who


def print_alert_notes(notes: list[str]) -> None:
    """The check's warnings and why a brand cannot alert yet, one '!' line each (`alerts check` and `run`).

    Without them "No new alerts." reads as "all quiet" when late items were
    missed or a brand had too little history to alert at all.
    """
    for note in notes:
        console.print(f"[yellow]! alerts[/]: {escape(note)}", highlight=False)


def _indented(text: str, indent: int) -> None:
    """Plain text (never markup: it may come from the internet), wrapped lines kept indented."""
    console.print(Padding(Text(text), (0, 0, 0, indent), expand=False), highlight=False)


def _linkable(alert: dict[str, Any]) -> dict[str, Any]:
    """An alert's fields with each top item's `url` null where the digest would not link it (`safe_url`: no
    absolute http(s) address): a post's `javascript:` link, printed as stored, was linked by what read the JSON."""
    for item in alert.get("top_items", []):
        item["url"] = safe_url(item.get("url"))
    return alert


def _link(url: str, indent: int) -> None:
    """A link on a line of its own, never folded: cut at 80 columns, it opened a truncated address
    when clicked and could not be copied whole (the terminal wraps a long line on screen by itself)."""
    console.print(Text(" " * indent + url), soft_wrap=True, highlight=False)


def _judged_up_to(engine, brands: list[str]) -> str:  # type: ignore[no-untyped-def]
    """" Windows judged up to <time> UTC.": a second check a minute later judges nothing new, and says so."""
    from journeywatch.alerts.state import checked_until

    judged = [until for until in (checked_until(engine, brand) for brand in brands) if until is not None]
    return f" Windows judged up to {min(judged):%Y-%m-%d %H:%M} UTC." if judged else ""


_STOPPED = ("interrupted; the alerts this check stored are kept, and the next `journeywatch alerts check` or "
            "`journeywatch run` sends any whose delivery it did not finish (a target may have had it already)")


@alerts_app.command("check")
def check(
    config: Path = typer.Option(..., "--config", "-c", help="path to the YAML config"),
) -> None:
    """Judge every complete window since the last check and deliver any new alert.

    The monitor does this after each run; this is the same check by hand.
    A window is never judged twice, so running it again only looks at newer ones.
    An alert a target did not get (it was down) is sent to it again, once, at
    each later check until it arrives (for 3 days; a refused login or token is
    not retried). Exits 2 when a delivery failed (the alert is stored all the same). A SQLite
    database that is not there yet is an error: `journeywatch run` makes it.

    Example: journeywatch alerts check --config journeywatch.yaml
    """
    from journeywatch.alerts import check_alerts, ended_failures, held_back
    from journeywatch.storage import open_database, require_existing

    from .core import Terminated, _terminated

    settings = load_config(config, strict=False)
    # Nothing to judge in a database that is not there: opening it made an empty one at a mistyped
    # path and said "nothing stored yet" for every brand, and `alerts list` then read that one.
    require_existing(settings.database)
    engine = open_database(settings.database)
    now = datetime.now(timezone.utc)
    notes: list[str] = []
    resent: list[Resent] = []
    ended: list[Alert] = []
    # Stopped mid-send (Ctrl-C, SIGTERM), the check said only 'interrupted', or nothing: the alerts it stored
    # are kept, and the next check sends any whose delivery it left unfinished (`alerts.resend`).
    state["interrupted"] = _STOPPED
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        fired = check_alerts(engine, settings, now=now, notes=notes, resent=resent, ended=ended)
    except Terminated:
        Console(stderr=True, emoji=False).print(f"[bold red]Error:[/] {escape(_STOPPED)}", highlight=False,
                                                soft_wrap=True)  # as `main` says it of Ctrl-C
        raise typer.Exit(143) from None
    finally:
        signal.signal(signal.SIGTERM, previous)
    if not settings.alerts.enabled:  # alerts seen by hand that never come from the hourly runs puzzle anyone
        notes.insert(0, "alerts.enabled is false: `journeywatch run` does not check; this check by hand does")
    print_alert_notes(notes + held_back(engine, settings, now))
    still_failing = any(not outcome.ok for outcome in resent)  # printed among the notes; a cron job sees the exit
    # An earlier alert's ended notice, sent by this check: a failed one went unsaid, and the exit was 0.
    ended_failed = ended_failures(ended)
    if not fired:
        console.print("No new alerts." + _judged_up_to(engine, [brand.name for brand in settings.brands]),
                      highlight=False)
        _print_ended_failures(ended_failed)
        if still_failing or ended_failed:
            raise typer.Exit(2)
        return
    _print_alerts(fired, f"{len(fired)} new alert(s)", engine=engine, zone=settings.digest.timezone)
    failed = [d for alert in fired for d in alert.deliveries if d.get("kind") in ("alert", "ended") and not d["ok"]]
    for delivery in failed:  # with notify_ended, a target that failed may fail for both notices
        notice = "ended notice " if delivery.get("kind") == "ended" else ""
        console.print(f"[red]{notice}not delivered[/] to {escape(delivery['target'])}: "
                      f"{escape(str(delivery['error']))}", highlight=False)
    _print_ended_failures(ended_failed)
    if failed or still_failing or ended_failed:  # the alerts are stored all the same; a cron job should see it
        raise typer.Exit(2)


def _print_ended_failures(failures: list[tuple[Alert, dict[str, Any]]]) -> None:
    """One line per ended notice of an earlier alert that a target did not get, naming the alert."""
    for alert, delivery in failures:
        console.print(f"[red]ended notice not delivered[/] to {escape(str(delivery['target']))}: "
                      f"{escape(str(delivery['error']))} ({escape(alert.brand)}, alert #{alert.id})", highlight=False)


def _since(value: str | None, now: datetime, zone: str = "UTC") -> datetime | None:
    """`--since`: a date or time (2026-11-18, 2026-11-18T14:00), or a duration back from now (7d, 12h).

    A date or time without an offset is one in `zone` (`digest.timezone` with --config, else UTC), as the
    list shows its times: read as UTC, '--since 2026-11-18T15:30' in Berlin dropped the spike listed
    until 16:00 there. One written with an offset ('Z', '+01:00') is that time. An hour the clocks repeat
    (01:30 on the night they go back) is its first: the list then holds more, not less.
    """
    from journeywatch.alerts.alert import is_utc

    if value is None:
        return None
    where = "UTC" if is_utc(zone) else zone
    try:
        return now - parse_duration(value.strip())
    except ValueError as exc:
        problem = str(exc)
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        if re.fullmatch(r"\d+\s*[A-Za-z]+", value.strip()):  # meant as a duration: say what is wrong with it
            raise typer.BadParameter(f"{problem}, or a date like 2026-11-18 ({where})") from None
        raise typer.BadParameter(f"{value!r} is neither a date like 2026-11-18 ({where}) nor a duration back "
                                 "from now like 7d or 12h") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc if is_utc(zone) else ZoneInfo(zone))
    return moment.astimezone(timezone.utc)


def _none_found(engine, brand: str | None, since: datetime | None,  # type: ignore[no-untyped-def]
                zone: str = "UTC") -> str:
    """What was searched, and which brands do have alerts there: "No alerts yet." hid a wrong brand or database."""
    from journeywatch.alerts import alert_brands
    from journeywatch.alerts.alert import moment_text

    from journeywatch.storage import shown_url

    where = shown_url(engine.url)
    text = f"No alerts in {where}" + (f" for {brand!r}" if brand else "")
    text += f" since {moment_text(since, zone)}" if since else ""
    if brand or since:
        stored = alert_brands(engine)
        text += ("; brands with alerts there: " + ", ".join(f"{b} ({n})" for b, n in stored.items())
                 if stored else "; no brand has alerts there yet")
    return text + "."


@alerts_app.command("list")
def list_alerts(
    config: Path = typer.Option(None, "--config", "-c", help="take the database URL from this config"),
    database: str = typer.Option(None, "--database", help=f"database URL (or set {DATABASE_ENV})"),
    brand: str = typer.Option(None, "--brand", help="only this brand (any letter case)"),
    since: str = typer.Option(None, "--since", help="only alerts still flagged at or after a date or time "
                                                     "(2026-11-18, 2026-11-18T14:00) or this long ago (7d, "
                                                     "12h), begun earlier or not; a date is in the config's "
                                                     "digest.timezone with --config (as the list shows times), "
                                                     "else UTC, unless it gives an offset (Z, +01:00); an "
                                                     "hour the clocks repeat is read as its first"),
    limit: int = typer.Option(20, "--limit", help="how many, newest first (1 to 1000)"),
    evidence: bool = typer.Option(False, "--evidence", help="also print each alert's top items and links"),
    as_json: bool = typer.Option(False, "--json", help="print the alerts as a JSON list, evidence included"),
) -> None:
    """Show recent alerts, newest first, with their figures and delivery status.

    Example: journeywatch alerts list --config journeywatch.yaml --brand "Northwind Air" --since 7d
    """
    from journeywatch.alerts import alert_brands, recent_alerts
    from journeywatch.alerts.message import BIDI_CONTROLS
    from journeywatch.alerts.state import span_observed

    if not 1 <= limit <= 1000:  # typer's range check answered in pydantic's words ("Input should be ...")
        raise typer.BadParameter(f"must be from 1 to 1000, not {limit}", param_hint="'--limit'")
    if brand is not None and not brand.strip():  # `--brand "$BRAND"`, unset: "No alerts", as if none were stored
        raise typer.BadParameter("is empty; leave --brand out to list every brand's alerts", param_hint="'--brand'")
    brand = brand.strip() if brand else None  # ' Acme ' pasted from a list is Acme, with a config or without
    settings = load_config(config, strict=False) if config else None
    zone = settings.digest.timezone if settings else "UTC"  # where the reader lives; stored times are UTC
    start = _since(since, datetime.now(timezone.utc), zone)
    if settings and brand:  # a typo would otherwise read as "No alerts yet."
        from journeywatch.reports.digests import select_brands

        [brand] = select_brands(settings, brand)
    engine, _ = database_engine(config, database)
    if brand and not config:  # no config to match against: the stored names, in any letter case
        stored = list(alert_brands(engine))
        brand = next((b for b in stored if b == brand), None) or next(
            (b for b in stored if b.casefold() == brand.casefold()), brand)
    alerts = recent_alerts(engine, limit=limit, brand=brand, since=start)
    if as_json:  # `observed` is the raising window(s)' count; `span_observed` the whole span's (`_figures`)
        print(json.dumps([{**_linkable(alert.as_dict()), "span_observed": span_observed(engine, alert)}
                          for alert in alerts],
                         indent=2,
                         default=lambda value: value.isoformat() if isinstance(value, datetime) else str(value)))
        return
    if not alerts:
        console.print(escape(_none_found(engine, brand, start, zone)), highlight=False, soft_wrap=True)  # URL whole
        return
    _print_alerts(alerts, "Recent alerts", failures=True, engine=engine, zone=zone)
    if evidence:
        from journeywatch.alerts.alert import moment_text

        for alert in alerts:
            console.print(f"\n[bold]#{alert.id} {escape(alert.brand)}[/] {moment_text(alert.window_start, zone)}",
                          highlight=False)
            for item in alert.top_items:
                _indented(f"• {BIDI_CONTROLS.sub('', item.text)[:200]} ({item.source})", 2)
                if item.url:
                    _link(item.url, 4)
