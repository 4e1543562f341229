"""The weekly digest flow: Monday 08:00 in the config's timezone (see prefect.yaml).

Thin Prefect wrappers over `journeywatch.reports`: one task builds, writes and
delivers all brands (a handful of rows of work, so one task, not one per
brand); retries cover a database that is briefly unreachable. The config is
read by the flow, before that task, and a config error in the task is not
retried: it is the same two minutes later.
"""

from __future__ import annotations

import socket
from typing import Any

from prefect import State, flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.states import Failed

from journeywatch.errors import ConfigError
from journeywatch.flows.steps import config_failed, load_flow_config
from journeywatch.reports import DigestRun, make_digests
from journeywatch.settings import Config
from journeywatch.storage import open_database, require_existing


def _worth_retrying(task: Any, task_run: Any, state: State) -> bool:
    """Retry what may pass (a database briefly away), not a config error (no database file, an unknown week)."""
    try:
        state.result()
    except ConfigError:
        return False
    except Exception:
        return True
    return True


@task(retries=2, retry_delay_seconds=[30, 120], retry_condition_fn=_worth_retrying, cache_policy=NO_CACHE)
def make_digests_task(config: Config, week: str | None, out: str) -> DigestRun:
    return make_digests(config, out, week=week)


@flow(name="digest")
def digest_flow(config_path: str, week: str | None = None, out: str = "digests") -> list[str] | State:
    """Write every brand's digest for `week` (default: the last complete week) and send it; returns the paths.

    A delivery that failed makes the run Failed (its message names each), with the files written all the same.
    """
    try:
        config = load_flow_config(config_path)
        require_existing(config.database)  # only reads: a missing SQLite file is not created here
        open_database(config.database)  # a database that does not answer: its one line too (the engine is kept)
    except ConfigError as error:  # its one line, not a traceback, in the worker's log
        return config_failed(error)
    run = make_digests_task(config, week, out)
    logger = get_run_logger()
    if run.partial_note:
        logger.warning("%s is not over yet. %s.", run.week, run.partial_note)
    host = socket.gethostname()  # a relative `out` is in the checkout of whichever worker ran this
    for path in run.paths:
        logger.info("wrote %s on %s", path.resolve(), host)
    failed = [r for r in run.deliveries if not r.ok]
    for result in failed:
        logger.warning("%s digest not delivered to %s: %s", result.brand, result.target, result.detail)
    paths = [str(p) for p in run.paths]
    if failed:  # as `journeywatch digest` exits 2: the run is Failed, so Prefect's notifications and the UI say so
        return Failed(message=f"{len(failed)} of {len(run.deliveries)} digest deliveries failed (the files are "
                              f"written): " + "; ".join(f"{r.brand} to {r.target}: {r.detail}" for r in failed))
    return paths


if __name__ == "__main__":
    import sys

    digest_flow(*sys.argv[1:2], week=sys.argv[2] if len(sys.argv) > 2 else None)
