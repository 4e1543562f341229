"""The `monitor` flow: listen to every source, store, classify, check alerts, record the run.

It only arranges the plain steps of `flows/steps.py`; every task catches its
own failure and reports it, so one dead source never stops the others and
what was collected before a failure stays committed.
"""

from __future__ import annotations

import logging
import os
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime, timezone
from typing import Any

from prefect import State, flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.exceptions import MissingContextError
from prefect.futures import as_completed
from prefect.states import Failed
from prefect.utilities.annotations import unmapped
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DBAPIError

from journeywatch.errors import ConfigError, JourneywatchError, SourceError
from journeywatch.redaction import masked_url
from journeywatch.listeners.language import release_model as release_language_model
from journeywatch.settings import Config, SourceSettings
from journeywatch.storage import (
    DatabaseUnavailable,
    close_abandoned_runs,
    count_pending,
    database_problem,
    finish_run,
    label_counts_by_brand,
    open_database,
    pending_id_ranges,
    record_source_result,
    require_existing,
    shown_url,
    start_run,
    unclassified_by_brand,
)

from journeywatch.flows.steps import (
    SourceOutcome,
    classification_watched,
    classify_pending,
    collect_source,
    collecting_again,
    config_failed,
    load_flow_config,
    stop_collecting,
    tell_watchers,
)


def _short(exc: BaseException) -> str:
    """The failure in one line for the summary, which already names the source."""
    if isinstance(exc, SourceError):
        return exc.reason
    if isinstance(exc, DBAPIError):  # not SQLAlchemy's three lines of SQL and parameters (post text among them)
        return f"database: {database_problem(exc)}"
    text = str(exc) or type(exc).__name__
    return text if isinstance(exc, JourneywatchError) else f"{type(exc).__name__}: {text}"


@task(name="collect", cache_policy=NO_CACHE, task_run_name="collect-{settings.name}")
def collect_task(config: Config, settings: SourceSettings) -> SourceOutcome:
    """Collect one source; a failure is returned as the outcome's error, never raised."""
    from journeywatch.listeners import BrandMatcher, build_listener, prepare_mentions

    logger = get_run_logger()
    engine = open_database(config.database)
    try:
        matcher = BrandMatcher(config.brands)
        listener = build_listener(settings, brands=config.brands, alert_window=config.alerts.window)
        outcome = collect_source(engine, listener, lambda batch: prepare_mentions(batch, matcher, config.raw_authors),
                                 brands=[brand.name for brand in config.brands])  # another config's are its own
    except Exception as exc:  # a source's failure is data for the summary, not a crash
        outcome = getattr(exc, "outcome", None) or SourceOutcome(settings.name)
        outcome.error = _short(exc)
        logger.warning("source %s failed: %s", settings.name, outcome.error)
    for warning in outcome.warnings[:20]:
        logger.warning("source %s: %s", settings.name, warning)
    # A deployment's run has no summary table: this line is what `run` prints for the source.
    edited = f" ({outcome.edited} edited)" if outcome.edited else ""
    withdrawn = f", {outcome.withdrawn} withdrawn" if outcome.withdrawn else ""  # deleted or removed since stored
    logger.info("source %s: %d fetched, %d new, %d seen%s, %d skipped, %d unmatched%s", settings.name,
                outcome.fetched, outcome.new, outcome.seen, edited, outcome.skipped, outcome.unmatched, withdrawn)
    return outcome


DASK_ENV = "JOURNEYWATCH_DASK_ADDRESS"
DASK_RANGE = 5_000  # pending rows per Dask task: minutes of work, few task round-trips
DASK_WORKER_WAIT = 60  # seconds a run with pending rows waits for the scheduler's first worker


def _classifier(config: Config) -> Any:
    from journeywatch.classifiers import load_classifier  # cached per process, so per Dask worker too

    return load_classifier(
        config.classifier.model_dir,
        batch_size=config.classifier.batch_size,
        review_below=config.classifier.review_below,
    )


@task(name="classify", cache_policy=NO_CACHE)
def classify_task(config: Config, id_range: tuple[int, int] | None = None) -> dict[str, Any]:
    """Classify what is stored but not yet classified (within `id_range`), in streamed batches."""
    logger = get_run_logger()
    try:
        if id_range is not None:  # a Dask task, perhaps on another host than the run's
            _require_database_on_this_host(config.database)
        classifier = _classifier(config)
        done = classify_pending(open_database(config.database), classifier, batch_size=512, id_range=id_range)
    except Exception as exc:
        logger.error("classification failed: %s", _short(exc))
        return {"classified": 0, "error": _short(exc)}
    logger.info("classified %d mentions with %s", done, classifier.version)
    return {"classified": done, "model_version": classifier.version}


def _require_database_on_this_host(database: str) -> None:
    """ConfigError when a Dask task's SQLite file is not on its worker's host.

    Opening it there created an empty database: the task classified nothing and
    said nothing, and the run's pending rows waited for ever.
    """
    import socket

    require_existing(database, where=f"Dask worker {socket.gethostname()} (a SQLite file is on the run's host "
                                     "only: Dask workers on other hosts need PostgreSQL)")


class DaskRun(BaseModel):
    """The run's config as the Dask subflow's parameter, recorded by Prefect without its secrets.

    Prefect stores a flow run's parameters on its server, where the UI shows them to anyone with
    access; the config itself, resolved from the environment, holds the database password and the
    tokens of feed and notify URLs. Only `database`, masked, is recorded; the Dask tasks get the
    whole config, pickled.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)
    config: Config = Field(exclude=True)
    database: str

    @classmethod
    def of(cls, config: Config) -> DaskRun:
        return cls(config=config, database=masked_url(config.database))


@flow(name="classify-distributed")
def classify_distributed_flow(run: DaskRun) -> dict[str, Any]:
    """Map classification over id ranges of the pending rows; run with a DaskTaskRunner.

    Each range's count goes to the classification watchers as it comes back (`journeywatch run`'s progress
    lines in a log): the ranges classify on the Dask workers, where this process's watchers are not.
    """
    config = run.config
    engine = open_database(config.database)
    ranges = pending_id_ranges(engine, DASK_RANGE)
    total = count_pending(engine) if classification_watched() else 0
    futures = classify_task.map(unmapped(config), ranges)
    done = 0
    for future in as_completed(list(futures)):
        done += future.result()["classified"]
        tell_watchers(done, total)
    results = [future.result() for future in futures]
    merged: dict[str, Any] = {"classified": sum(r["classified"] for r in results), "ranges": len(ranges)}
    for result in results:  # the first error, else the model version, speaks for all ranges
        merged.update({k: result[k] for k in ("error", "model_version") if k in result and k not in merged})
    if "error" in merged:
        merged.pop("model_version", None)
    return merged


def classify_everything(config: Config) -> dict[str, Any]:
    """Classify in this process, or over the Dask cluster named in $JOURNEYWATCH_DASK_ADDRESS."""
    address = os.environ.get(DASK_ENV)
    if not address:
        return classify_task(config)
    from prefect_dask import DaskTaskRunner

    # Dask workers import the tasks by module name. A deployment loads this file from its entrypoint
    # path as plain `monitor`, which no Dask worker can import; the package's copy is importable.
    from journeywatch.flows import monitor as importable

    shown = masked_url(address)  # the summary names the cluster (`run` prints it), without credentials
    try:
        _require_a_dask_worker(address, config)
        with _api_for_dask_workers():
            result = importable.classify_distributed_flow.with_options(
                task_runner=DaskTaskRunner(address=address))(importable.DaskRun.of(config))
    except Exception as exc:  # an unreachable cluster is a failed step, like a failed in-process classify
        userinfo = address.split("://", 1)[-1].rpartition("@")[0]  # Dask's own error names the address, less scheme
        problem = _short(exc).replace(f"{userinfo}@", "****@") if userinfo else _short(exc)
        error = f"Dask cluster {shown}: {problem}"
        _run_logger().error("classification failed: %s", error)
        return {"classified": 0, "error": error, "dask": shown}
    result = {**(result if "classified" in result else {"classified": 0}), "dask": shown}
    _log_dask_outcome(result, shown)
    return result


def _require_a_dask_worker(address: str, config: Config) -> None:
    """JourneywatchError when rows wait and the scheduler has had no worker for DASK_WORKER_WAIT seconds.

    A scheduler whose workers had all stopped took the tasks and held them for ever: the run said
    nothing, and the deployment's concurrency limit queued every later hourly run behind it. With
    nothing pending, the flow maps no task, and no worker is needed.
    """
    from distributed import Client

    if not count_pending(open_database(config.database)):
        return
    with Client(address, set_as_default=False) as client:  # unreachable: Dask's own error, naming the address
        try:
            client.wait_for_workers(1, timeout=DASK_WORKER_WAIT)
        except TimeoutError as exc:
            raise JourneywatchError(f"no worker is connected to the scheduler (waited {DASK_WORKER_WAIT} s): start "
                                    f"one, `dask worker {masked_url(address)}`; the rows wait for the next run") from exc


def _log_dask_outcome(result: dict[str, Any], address: str) -> None:
    """Say in the run's own log what the Dask tasks did: their lines are in the workers' logs and the subflow's."""
    logger = _run_logger()
    if "error" in result:
        logger.error("classification failed on the Dask cluster %s: %s", address, result["error"])
    else:
        logger.info("classified %d mentions in %d Dask task(s) on %s", result["classified"], result.get("ranges", 0),
                    address)


def _api_for_dask_workers() -> AbstractContextManager[Any]:
    """Settings that name the Prefect API this run reports to, for the task runs on the Dask workers.

    The workers get the run's settings with each task. Without PREFECT_API_URL (`journeywatch run`
    on a temporary server) those named no API, and each Dask worker started a temporary server of
    its own for its task runs: their logs went there, and the server lived as long as the worker.
    """
    from prefect.context import FlowRunContext
    from prefect.settings import PREFECT_API_URL, temporary_settings

    run = FlowRunContext.get()
    if PREFECT_API_URL.value() or run is None:
        return nullcontext()
    return temporary_settings(updates={PREFECT_API_URL: str(run.client.api_url).rstrip("/")})  # the temporary server


def _run_logger() -> Any:
    """The task's run logger, or a plain one where the task's function is called outside a run."""
    try:
        return get_run_logger()
    except MissingContextError:
        return logging.getLogger("journeywatch.flows")


def _undelivered(alert: Any, delivery: dict[str, Any]) -> str:
    """'<target>: <why>', naming the alert for an ended notice: with notify_ended a dead target failed both
    notices, and the summary printed two identical '✗ alert not delivered' lines."""
    line = f"{delivery['target']}: {delivery['error']}"
    return line + (f" (ended notice for {alert.brand} alert #{alert.id})" if delivery.get("kind") == "ended" else "")


@task(name="check-alerts", cache_policy=NO_CACHE)
def alerts_task(config: Config) -> dict[str, Any]:
    """Check alerts; the summary carries the fired alerts, where they went, and the check's notes.

    The notes (late items, brands that cannot alert yet) are what tells
    "all quiet" from "could not alert"; `run` prints them.
    """
    notes: list[str] = []
    try:
        from journeywatch.alerts import check_alerts, ended_failures, held_back

        engine = open_database(config.database)
        now = datetime.now(timezone.utc)
        resent: list[Any] = []
        ended: list[Any] = []
        fired = check_alerts(engine, config, now=now, notes=notes, resent=resent, ended=ended)
        notes += held_back(engine, config, now)
    except Exception as exc:
        _run_logger().error("alert check failed: %s", _short(exc))
        return {"fired": [], "error": _short(exc), "notes": notes}
    logger = _run_logger()  # `run` prints all of this in its summary; a worker's run has these log lines
    for note in notes:
        logger.warning("alerts: %s", note)
    outcomes = [d for alert in fired for d in alert.deliveries if d.get("kind") in ("alert", "ended")]  # no claims
    ended_sent = [d for alert in ended for d in alert.deliveries if d.get("kind") == "ended"]
    # An earlier alert sent again that failed again is undelivered too: `--strict` exits 2 for it, as `alerts check`;
    # so is an earlier alert's ended notice that this check sent.
    undelivered = [_undelivered(alert, d) for alert in fired for d in alert.deliveries
                   if d.get("kind") in ("alert", "ended") and not d["ok"]] + [
        f"{r.target}: {r.error} (alert #{r.alert_id}, sent again)" for r in resent if not r.ok] + [
        _undelivered(alert, d) for alert, d in ended_failures(ended)]
    delivered = sorted({d["target"] for d in outcomes + ended_sent if d["ok"]} | {r.target for r in resent if r.ok})
    zone = config.digest.timezone  # the alerts' times as their readers live them (`run` prints these lines)
    for alert in fired:
        logger.warning("ALERT %s", alert.summary_line(zone))
    for line in undelivered:
        logger.error("alert not delivered to %s", line)
    return {"fired": [alert.summary_line(zone) for alert in fired], "delivered": delivered, "undelivered": undelivered,
            "notes": notes}


def _brand_summary(config: Config, outcomes: list[SourceOutcome]) -> dict[str, Any]:
    engine = open_database(config.database)
    names = [brand.name for brand in config.brands]
    counts = label_counts_by_brand(engine, names)
    unclassified = unclassified_by_brand(engine, names)
    summary = {}
    for name in names:
        # From what this run's own inserts added: a time window over the table also counted what another
        # run storing at the same time added (another config's, or an overlapping cron run of this one).
        hits = sum(outcome.brand_hits[name] for outcome in outcomes)
        new = sum(outcome.brand_new[name] for outcome in outcomes)
        summary[name] = {
            "new": new,
            "seen": max(hits - new, 0),
            "counts": [[moment, sentiment, n] for (moment, sentiment), n in sorted(counts[name].items())],
            "unclassified": unclassified[name],  # stored, but in no count: another language, or pending
        }
    return summary


def run_monitor(config: Config) -> dict[str, Any]:
    """Run the monitor once under the current flow run and return its summary (JSON-ready)."""
    engine = open_database(config.database)
    try:
        abandoned = close_abandoned_runs(engine, "monitor")  # killed outright: their records still said 'running'
        run_id = start_run(engine, "monitor")
    except DBAPIError as error:
        raise _unavailable(engine, error) from error
    for run in abandoned:
        _run_logger().warning("monitor run %s (started %s) never finished: its process was killed or lost its "
                              "database", run["run_id"],
                              f"{run['started_at']:%Y-%m-%d %H:%M} UTC")
    collecting_again()
    try:
        return _monitor(config, engine, run_id, abandoned)
    except BaseException as error:  # Ctrl-C or a crash: the record says so instead of 'running' forever
        stop_collecting()  # the sources' threads end after their batch in hand, not at the source's end
        try:
            finish_run(engine, run_id, "interrupted", {})
        except DBAPIError:
            pass  # the database itself is what failed: the record cannot be written, and the error says why
        if isinstance(error, DBAPIError):
            raise _unavailable(engine, error) from error
        raise


def _unavailable(engine: Any, error: DBAPIError) -> DatabaseUnavailable:
    """One line for a database that cannot take the run's records (gone, locked, read-only), each once a traceback.

    Not "refused": after a lost connection that read as a permissions problem.
    """
    shown = shown_url(engine.url)
    return DatabaseUnavailable(f"the database at {shown} could not take the run's records: {database_problem(error)}")


def _monitor(config: Config, engine: Any, run_id: int, abandoned: list[dict[str, Any]]) -> dict[str, Any]:
    sources = [s for s in config.sources if s.enabled]
    futures = [collect_task.submit(config, settings) for settings in sources]
    outcomes: list[SourceOutcome] = [future.result() for future in futures]
    release_language_model()  # collecting is over: the classifier loads next, and the two made the run's peak
    for name, problem in config.source_errors:
        outcomes.append(SourceOutcome(name, error=f"bad config: {problem}"))
    for outcome in outcomes:
        record_source_result(
            engine, run_id, outcome.source, outcome.status, fetched=outcome.fetched, new=outcome.new,
            skipped=outcome.skipped, error=outcome.error,
        )
    classification = classify_everything(config)
    alerts = alerts_task(config) if config.alerts.enabled else {"fired": [], "off": True}
    summary = {
        "run_id": run_id,
        "abandoned": [{"run_id": run["run_id"], "started_at": run["started_at"].isoformat()} for run in abandoned],
        "disabled": [s.name for s in config.sources if not s.enabled],
        "sources": [
            {"source": o.source, "status": o.status, "fetched": o.fetched, "new": o.new, "seen": o.seen,
             "edited": o.edited, "skipped": o.skipped, "unmatched": o.unmatched, "withdrawn": o.withdrawn,
             "error": o.error, "warnings": o.warnings[:5],
             "more_warnings": max(len(o.warnings) - 5, 0)}
            for o in outcomes
        ],
        "classification": classification,
        "alerts": alerts,
        "brands": _brand_summary(config, outcomes),
    }
    failed = any(o.error for o in outcomes) or "error" in classification or "error" in alerts
    finish_run(engine, run_id, "partial" if failed else "ok", summary)
    return summary


def failed_steps(summary: dict[str, Any]) -> list[str]:
    """Each failed step of a run's summary in one line: a source, the classification, the alert check, a delivery.

    What `journeywatch run --strict` exits 2 for, and what a strict flow run ends Failed for.
    """
    failed = [f"source {s['source']}: {s['error']}" for s in summary["sources"] if s["error"]]
    if "error" in summary["classification"]:
        failed.append(f"classification: {summary['classification']['error']}")
    if "error" in summary["alerts"]:
        failed.append(f"alert check: {summary['alerts']['error']}")
    failed += [f"alert not delivered to {line}" for line in summary["alerts"].get("undelivered", [])]
    return failed


@flow(name="monitor", log_prints=True)
def monitor_flow(config_path: str, strict: bool = False) -> dict[str, Any] | State:
    """Listen, store, classify and check alerts for the brands in `config_path` (hourly in prefect.yaml).

    With `strict` (prefect.yaml's deployments set it), a failed step makes the run Failed, its message
    naming each, as `journeywatch run --strict` exits 2: the run ended Completed, and only an ERROR line
    said otherwise, so Prefect's UI and automations never told the team. It is Failed once all is done:
    what was collected is stored and classified, the alerts checked and the run recorded all the same.
    """
    from journeywatch.listeners import BrandMatcher

    try:
        config = load_flow_config(config_path)
        BrandMatcher(config.brands)  # its warnings (a lowercase 'or') once, before any source is read
        open_database(config.database)  # a database that does not answer: its one line too (the engine is kept)
    except ConfigError as error:  # its one line, not a traceback, in the worker's log
        return config_failed(error)
    try:
        summary = run_monitor(config)
    except DatabaseUnavailable as error:  # gone away mid-run: its one line too, not our frames and psycopg's
        return config_failed(error)
    failed = failed_steps(summary)
    if strict and failed:
        return Failed(message=f"monitor run {summary['run_id']}: {len(failed)} step(s) failed (what was collected "
                              "is stored and the run recorded): " + "; ".join(failed))
    return summary


if __name__ == "__main__":  # a plain script run needs no Prefect server
    import sys

    print(monitor_flow(sys.argv[1] if len(sys.argv) > 1 else "journeywatch.yaml"))
