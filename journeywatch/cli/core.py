"""`init`, `run` and `db upgrade`: the commands that set journeywatch up and run the monitor."""

from __future__ import annotations

import json
import logging
import os
import re
import shlex
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..domain import MOMENTS, SENTIMENTS
from ..errors import ConfigError
from ..settings import DATABASE_ENV, load_config
from .alerts import print_alert_notes
from .app import KEPT_AND_CARRIED_ON, app, db_app, state
from .database import database_engine, database_url
from .output import print_whole_table

console = Console(emoji=False)  # ":Coffee:" in a listing name or warning is text, not an emoji
CONFIG_OPTION = typer.Option(..., "--config", "-c", help="path to the YAML config", exists=False)


@app.command()
def init(
    path: Path = typer.Argument(Path("journeywatch.yaml"), help="where to write the example config (- prints it)"),
    force: bool = typer.Option(False, "--force", help="overwrite an existing file"),
) -> None:
    """Write a commented example config.

    Example: journeywatch init my-brand.yaml
    """
    template = resources.files("journeywatch").joinpath("example.yaml").read_text(encoding="utf-8")
    if str(path) == "-":  # as `--jsonl -` reads stdin; it wrote a file named '-' that `run --config -` could not find
        sys.stdout.write(template)
        return
    if path.is_dir():  # "already exists; pass --force" led to a second error: --force cannot write over a folder
        raise ConfigError(f"{str(path)!r} is a folder; give the config file's path, e.g. "
                          f"{str(path / 'journeywatch.yaml')!r}")
    if path.exists() and not force:
        raise ConfigError(f"{path} already exists; pass --force to overwrite it")
    path.parent.mkdir(parents=True, exist_ok=True)
    # its first line names the command to run it with: `--config journeywatch.yaml` in a file called my-brand.yaml
    path.write_text(template.replace("--config journeywatch.yaml", f"--config {shlex.quote(path.name)}", 1),
                    encoding="utf-8")
    # Unwrapped: cut at the console's width, the command broke mid-path and could not be copied whole.
    console.print(f"Wrote {escape(str(path))}. Edit the brands and sources, then: "
                  f"journeywatch run --config {escape(shlex.quote(str(path)))}", soft_wrap=True, highlight=False)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where Ctrl-C's KeyboardInterrupt would be."""


def _terminated(signum: int, frame: object) -> None:
    """End the run on SIGTERM (a cron `timeout`, `kill`, a service stop) as Ctrl-C ends it.

    Left to Python's default, SIGTERM killed the process outright once Prefect had marked the flow
    crashed: the temporary Prefect server it had started was left running for good, and a signal to
    the whole process group ended in a traceback from the server's client. As an exception the run
    unwinds: its record says 'interrupted', the server is stopped, and one line says what was kept.
    """
    raise Terminated


@contextmanager
def _run_logs_in_prefect_only() -> Iterator[None]:
    """Keep the flow's and tasks' log lines (a source's warnings, the alert check's notes) off the terminal.

    The summary printed at the end holds each of them: shown by Prefect's console handler as well, every
    warning appeared twice, once mid-run as a log line and once in the summary. The run loggers keep
    their own handler, so the lines still reach Prefect's API; a run under a worker or `serve` (not
    this command) logs to the console as before.
    """
    loggers = [logging.getLogger(name) for name in ("prefect.flow_runs", "prefect.task_runs")]
    saved = [logger.propagate for logger in loggers]
    for logger in loggers:
        logger.propagate = False
    try:
        yield
    finally:
        for logger, propagate in zip(loggers, saved):
            logger.propagate = propagate


@app.command()
def run(
    config: Path = CONFIG_OPTION,
    as_json: bool = typer.Option(False, "--json", help="print the run summary as JSON"),
    strict: bool = typer.Option(False, "--strict", help="exit 2 when any source, the classification, the alert "
                                                        "check or an alert's delivery failed"),
) -> None:
    """Run the monitor once: listen to every source, store, classify, check alerts.

    Reports to the Prefect server at PREFECT_API_URL where it is set (and stops before reading
    any source when that server does not answer); unset, a temporary server starts for the run.
    JOURNEYWATCH_DASK_ADDRESS (tcp://host:8786) maps the classification over a Dask cluster;
    JOURNEYWATCH_DATABASE_URL overrides the config's database.

    Example: journeywatch run --config examples/demo/journeywatch.yaml
    """
    from ..listeners import BrandMatcher

    from ..storage import open_database

    state["interrupted"] = KEPT_AND_CARRIED_ON
    loaded = load_config(config, strict=False)
    BrandMatcher(loaded.brands)  # its warnings (a lowercase 'or'), before Prefect starts
    engine = open_database(loaded.database)
    _require_prefect_server()
    from ..flows.monitor import monitor_flow
    from ..server_guard import ending_the_run_if_the_server_dies, start_guarded_server

    from ..flows.steps import watching_classification

    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        with console.status("Collecting, storing and classifying…", spinner="dots") as spinner, \
                _run_logs_in_prefect_only(), watching_classification(_plain_progress(spinner)):
            server = start_guarded_server()  # even a SIGKILL'd run must not leave Prefect's temporary server behind
            with ending_the_run_if_the_server_dies(server, _server_lost(engine, spinner.stop)):
                summary = monitor_flow(str(config))
    except Terminated:  # Ctrl-C goes on to `main`, which says the same
        console.print("[yellow]Interrupted.[/] What was stored is kept; the next run carries on from there.")
        raise typer.Exit(143) from None
    finally:
        signal.signal(signal.SIGTERM, previous)
    failed = any(s["error"] for s in summary["sources"]) or any(
        "error" in summary[step] for step in ("classification", "alerts")) or bool(
        summary["alerts"].get("undelivered"))  # as `alerts check` exits 2: the alert is stored, no one was told
    if as_json:
        print(json.dumps(summary, indent=2, default=str))
    else:
        print_summary(summary)
        if failed and not strict:
            console.print(_exit_status_note(summary), highlight=False)
    if strict and failed:
        raise typer.Exit(2)


def _server_lost(engine: Any, stop_spinner: Callable[[], None]) -> Callable[[str], None]:
    """What a run whose temporary Prefect server died says and records before it ends (see server_guard).

    It hung for minutes while Prefect's client retried the dead server, then ended in a traceback.
    """
    from ..storage import interrupt_this_process_runs

    def last_words(how: str) -> None:
        stop_spinner()
        what = f"the temporary Prefect server this run started stopped in the middle of the run ({how})"
        try:
            interrupt_this_process_runs(engine, "monitor", what)
        except Exception:  # noqa: BLE001 - best effort: the next run then records it as interrupted
            pass
        Console(stderr=True, emoji=False).print(
            f"[bold red]Error:[/] {escape(what)}, and the run cannot go on without it, so it stopped. "
            "What was stored is kept; run the command again and it carries on from there.",
            highlight=False, soft_wrap=True)
        sys.stderr.flush()

    return last_words


def _exit_status_note(summary: dict[str, Any]) -> str:
    """What a run with a failed step says of its exit status and of what waits for the next run.

    A classifier.model_dir naming a missing folder showed "✗ classification" and exited 0: a cron job
    saw success, and nothing said that the stored items wait unclassified or that --strict exits 2.
    """
    waiting = ("; the mentions stored stay unclassified until a run's classification succeeds"
               if "error" in summary["classification"] else "")
    return (f"A step failed (✗ above): fix it and run again{waiting}. The exit status is 0 all the same; "
            "with --strict a failed step exits 2.")


PROGRESS_ENV = "JOURNEYWATCH_PROGRESS_SECONDS"  # seconds between progress lines in a log (tests set 0: every batch)


def _plain_progress(spinner: Any = None) -> Callable[[int, int], None]:
    """A watcher that writes "classified 5,000 of 29,000 (1,020/s)" to stderr when that is not a terminal.

    In a log a long run was silent (29,000 items, six minutes, not a line; the spinner shows on a terminal
    only). Once it has taken $JOURNEYWATCH_PROGRESS_SECONDS (30 by default), a line then, every as many
    seconds or tenth of the total after, and at the end; no bar is drawn. A shorter one prints nothing
    (`run --json 2>&1` stays JSON). On a terminal the `spinner` (a rich Status) says it instead, batch by
    batch, with the time left: "Classifying 5,000 of 29,831 (30/s, about 14 min left)…" (it said
    "Collecting, storing and classifying…" alone for the twelve minutes of a 300,000-row import).
    """
    if sys.stderr.isatty():
        return _spinner_progress(spinner) if spinner is not None else (lambda done, total: None)
    try:
        every = float(os.environ.get(PROGRESS_ENV) or 30)
    except ValueError:  # a typo in a cron line is no reason to stop the run
        every = 30.0
    started = time.monotonic()
    said = {"at": started, "done": 0, "lines": 0}

    def watch(done: int, total: int) -> None:
        now = time.monotonic()
        tenth = max(total // 10, 1)
        if not said["lines"] and now - started < every:  # a short classification stays as quiet as it was
            return
        if said["lines"] and now - said["at"] < every and done // tenth == said["done"] // tenth and done < total:
            return
        rate = done / max(now - started, 1e-3)
        # Not print(): the flow's log_prints sends prints to Prefect's log, which `run` keeps off the terminal.
        sys.stderr.write(f"classified {done:,} of {total:,} ({rate:,.0f}/s)\n")
        sys.stderr.flush()
        said.update(at=now, done=done, lines=said["lines"] + 1)

    return watch


def _spinner_progress(spinner: Any) -> Callable[[int, int], None]:
    """A watcher that puts how far classification has got, and about how long is left, in the run's spinner."""
    started = time.monotonic()

    def watch(done: int, total: int) -> None:
        rate = done / max(time.monotonic() - started, 1e-3)
        left = (total - done) / rate if rate and done < total else 0
        eta = (f", about {round(left / 60):,} min left" if left >= 90 else f", about {max(round(left), 1)} s left"
               if left else "")
        spinner.update(f"Classifying {done:,} of {total:,} ({rate:,.0f}/s{eta})…")

    return watch


def _table_caption(left_out: dict[str, int]) -> str:
    """What the brand's table counts, and the stored mentions it cannot (no label to count them under)."""
    caption = "all stored mentions, by moment and sentiment"
    reasons = [f"{left_out[key]:,} {words}" for key, words in (
        ("language", "in a language the classifier does not read"),
        ("pending", "not classified yet (the next run classifies them)")) if left_out.get(key)]
    return caption + ("; not counted: " + ", ".join(reasons) if reasons else "")


def _require_prefect_server() -> None:
    """ConfigError when PREFECT_API_URL names a Prefect server that does not answer.

    A profile or variable left pointing at a team's server (`prefect config set PREFECT_API_URL=...`) that
    is down or unreachable from here ended the run in three chained tracebacks from Prefect's client,
    after the sources had been read. Without the setting the run starts a temporary server of its own.
    """
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    if not url:
        return
    with get_client(sync_client=True) as client:
        problem = client.api_healthcheck()
    if problem is not None:
        shown = re.sub(r"//[^/@]*@", "//", url)  # no user name or password
        reason = str(problem).strip().splitlines()[0] if str(problem).strip() else type(problem).__name__
        raise ConfigError(f"PREFECT_API_URL: the Prefect server at {shown} does not answer ({reason}); start it, "
                          "or unset PREFECT_API_URL (`prefect config unset PREFECT_API_URL`) so that the run "
                          "starts a temporary one")


def _classified_line(count: int, edited: int, model: str, where: str = "", new: int | None = None) -> str:
    """The summary's line for the classification: 'new' only when no item was read edited.

    An item read again with another title or text is classified again: a run that read one edited
    review and nothing new said "Classified 1 new mention". How many of `count` were edited is not
    known here (an edited item in a language the classifier does not read is not classified), so the
    line gives the run's edited count beside it. `where`: " on the Dask cluster ..." when it ran there.
    `new`: the mentions the run's sources stored new. More classified than that were stored by an earlier
    run that did not classify them (stopped mid-classification, or its classification failed): the run
    after a stopped import said "Classified 28295 new mentions" below brand tables saying "0 new".
    """
    mentions = f"mention{'' if count == 1 else 's'}"
    if not edited and new is not None and count > new:
        earlier = "stored by an earlier run that did not classify them (stopped, or its classification failed)"
        return (f"Classified {count:,} {mentions} with {model}{where}: "
                + (earlier if not new else f"this run's new ones and mentions {earlier}") + ".")
    if not edited:
        return f"Classified {count:,} new {mentions} with {model}{where}."
    return f"Classified {count:,} {mentions} with {model}{where} (new or edited: {edited:,} edited this run)."


def _on_dask(classification: dict[str, Any]) -> str:
    """' on the Dask cluster tcp://host:8786 in 3 tasks' for a classification mapped over Dask, else ''.

    Only Prefect's log said that the classification ran on the cluster (JOURNEYWATCH_DASK_ADDRESS),
    not the summary on a terminal. The address comes masked (no credentials).
    """
    if not classification.get("dask"):
        return ""
    tasks = classification.get("ranges", 0)
    return f" on the Dask cluster {classification['dask']} in {tasks} task{'' if tasks == 1 else 's'}"


def _count(number: int) -> str:
    """A count as the tables show it, with thousands separators: 300,000 fetched read at a glance where 300000
    had its zeros counted (the summary's JSON keeps numbers)."""
    return f"{number:,}"


def print_summary(summary: dict[str, Any]) -> None:
    """Per brand: moment × sentiment counts, new vs already seen; then the sources and their failures."""
    for brand, figures in summary["brands"].items():
        counts = {(m, s): n for m, s, n in figures["counts"]}
        left_out = figures.get("unclassified", {})
        if not counts and not figures["new"] and not figures["seen"] and not any(left_out.values()):
            # a table of zeros hides the point
            # Not "no stored item matches its query": items are matched to brands as they are collected, so
            # a brand added to the config later has none of what was stored before, matching or not.
            # A brand in the config from the start whose query matched none of what was read is pointed at its
            # query: told only how brands added later miss earlier items, a too narrow query went unnoticed.
            read = sum(source.get("fetched", 0) for source in summary["sources"])
            matched_none = f": its query matched none of the {read:,} items read this run" if read else ""
            console.print(f"[bold]{escape(brand)}[/]: 0 new, 0 already seen; nothing stored for it yet{matched_none} "
                          "(items are matched to brands as they are collected; those collected before it was added "
                          "are not)", highlight=False)
            continue
        # The counts cover everything stored, not this run alone: a second run with nothing new shows them too.
        table = Table(title=f"{escape(brand)}: {figures['new']:,} new, {figures['seen']:,} already seen this run",
                      caption=_table_caption(left_out), title_justify="left", caption_justify="left")
        table.add_column("moment")
        for sentiment in SENTIMENTS:
            table.add_column(sentiment, justify="right")
        table.add_column("total", justify="right", style="bold")
        for moment in MOMENTS:
            row = [counts.get((moment, s), 0) for s in SENTIMENTS]
            table.add_row(moment, *map(_count, row), _count(sum(row)))
        totals = [sum(counts.get((m, s), 0) for m in MOMENTS) for s in SENTIMENTS]
        table.add_row("all", *map(_count, totals), _count(sum(totals)), style="bold")
        print_whole_table(console, table)

    for run in summary.get("abandoned", []):
        console.print(f"[yellow]! run {run['run_id']}[/] (started {run['started_at'][:16].replace('T', ' ')} UTC) "
                      "never finished: its process was killed (SIGKILL, the OOM killer, a reboot) or lost its database "
                      "before it could record its end; it is recorded as interrupted. What it stored is kept, and this "
                      "run carried on from there.", highlight=False)
    disabled = summary.get("disabled", [])
    if not summary["sources"]:
        console.print(f"[yellow]No source was read:[/] {'every source is disabled' if disabled else 'the config lists none'}"
                      "; add one under 'sources' or set `enabled: true` on it", highlight=False)
    elif disabled:
        console.print(f"Disabled (skipped): {escape(', '.join(disabled))}", highlight=False)
    sources = Table(title="Sources", title_justify="left")
    # edited: of the seen, those read with another title or text (taken, and classified again). withdrawn:
    # stored items read again deleted or removed (Reddit), blanked; in no other column, shown when a source had
    # one (always under --json), so the usual table keeps its width at 80 columns.
    figures = ["fetched", "new", "seen", "edited", "skipped", "unmatched"]
    if any(s.get("withdrawn") for s in summary["sources"]):
        figures.append("withdrawn")
    for column in ("source", "status", *figures):
        sources.add_column(column, justify="left" if column in ("source", "status") else "right")
    for s in summary["sources"]:
        status = "[red]failed[/]" if s["error"] else "[green]ok[/]"
        sources.add_row(escape(s["source"]), status, *(_count(s.get(k) or 0) for k in figures))
    if summary["sources"]:  # a table of headings alone under "No source was read" looked like a failed listing
        print_whole_table(console, sources)
    for s in summary["sources"]:
        for warning in s.get("warnings", []):
            console.print(f"[yellow]! {escape(s['source'])}[/]: {escape(warning)}")
        if s.get("more_warnings"):
            console.print(f"[yellow]! {escape(s['source'])}[/]: and {s['more_warnings']:,} more warning(s) like these "
                          "(skipped rows and entries are counted under 'skipped')", highlight=False)
        if s["error"]:
            console.print(f"[red]✗ {escape(s['source'])}[/]: {escape(s['error'])}")
    classification = summary["classification"]
    if "error" in classification:
        console.print(f"[red]✗ classification[/]: {escape(classification['error'])}")
    else:
        model = classification.get("model_version", "the current model")
        edited = sum(s.get("edited") or 0 for s in summary["sources"])
        console.print(_classified_line(classification["classified"], edited, escape(model),
                                       escape(_on_dask(classification)),
                                       new=sum(s.get("new") or 0 for s in summary["sources"])))
    alerts = summary["alerts"]
    print_alert_notes(alerts.get("notes", []))
    if "error" in alerts:
        console.print(f"[red]✗ alerts[/]: {escape(alerts['error'])}")
    elif alerts.get("off"):
        console.print("Alerts are off (alerts.enabled: false).")
    elif not alerts["fired"]:
        console.print("No new alerts.")
    for line in alerts["fired"]:
        console.print(f"[bold red]ALERT[/] {escape(line)}")
    for target in alerts.get("delivered", []):
        console.print(f"alerts sent to {escape(target)}", highlight=False)
    for line in alerts.get("undelivered", []):
        console.print(f"[red]✗ alert not delivered[/] to {escape(line)}", highlight=False)


@db_app.command("upgrade")
def db_upgrade(
    config: Path = typer.Option(None, "--config", "-c", help="take the database URL from this config"),
    database: str = typer.Option(None, "--database", help=f"database URL (or set {DATABASE_ENV})"),
) -> None:
    """Apply the schema migrations (journeywatch also does this on first use); of a config, only `database` is read.

    Example: journeywatch db upgrade --database postgresql://jw@db:5432/journeywatch
    """
    from journeywatch.storage.database import migrated_engine, recorded_revision, shown_url

    url, where, _ = database_url(config, database, must_exist=False, whole_config=False)
    before = recorded_revision(url)
    engine = migrated_engine(url, where)
    after = recorded_revision(url)
    shown = escape(shown_url(engine.url))
    if before == after:
        said = f"Database at {shown} is up to date (schema revision {after})."
    elif before is None:
        said = f"Database at {shown}: created journeywatch's tables (schema revision {after})."
    else:
        said = f"Database at {shown} upgraded from schema revision {before} to {after}."
    console.print(said, soft_wrap=True)
