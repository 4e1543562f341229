"""Runs started at the same time on one database (a cron overlap, two Prefect workers), in real processes.

What two overlapping monitor runs share is the database: each must leave it as one run would, and each
must finish. These tests start real processes on a real SQLite file and a real PostgreSQL schema.
"""

from __future__ import annotations

import multiprocessing
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, inspect, select

from journeywatch.storage import open_database
from journeywatch.storage.database import create_database_engine, migrated_engine, upgrade
from journeywatch.storage.tables import alert_judgments, metadata
from tests.alerts_demo import demo_config, load_demo
from tests.servers.webhook import WebhookServer, webhook_server  # noqa: F401
from tests.test_alerts_check import AFTER_DEMO

PROCESSES = 3
ROUNDS = 3  # each round a fresh schema: the race is lost often, not always, without the fix
WAIT = 120  # seconds any one process may take before the test gives up on it


def _open(url: str, barrier: Any, results: Any) -> None:
    barrier.wait(timeout=WAIT)  # every process opens the database at the same moment
    try:
        engine = migrated_engine(url, "test")
        engine.dispose()
        results.put("ok")
    except Exception as exc:  # the test shows what each process said
        results.put(f"{type(exc).__name__}: {exc}")


def _at_once(target: Any, *args: Any) -> list[Any]:
    """What each of PROCESSES forked processes running `target(*args, barrier, results)` put on `results`."""
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(PROCESSES), context.Queue()
    processes = [context.Process(target=target, args=(*args, barrier, results)) for _ in range(PROCESSES)]
    for process in processes:
        process.start()
    try:
        return [results.get(timeout=WAIT) for _ in processes]
    finally:
        for process in processes:
            process.join(timeout=WAIT)
            if process.is_alive():
                process.kill()


def _empty(url: str) -> None:
    """Drop every journeywatch table (and Alembic's) so the next round opens a fresh database."""
    engine = create_database_engine(url)
    with engine.begin() as connection:
        metadata.drop_all(connection)
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    engine.dispose()


@pytest.mark.parametrize("start", [None, "0003"], ids=["fresh", "older-schema"])
def test_processes_opening_one_database_at_once_all_migrate_it(database_url: str, start: str | None) -> None:
    """Two workers' first runs (or an overlapping cron run after an upgrade) opened the database at once: each
    created the tables, and all but one ended 'cannot open ...: table mentions already exists' (SQLite) or
    '... duplicate key value violates unique constraint "pg_type_typname_nsp_index"' (PostgreSQL)."""
    for _ in range(ROUNDS):
        _empty(database_url)
        if start:
            engine = create_database_engine(database_url)
            upgrade(engine, start)
            engine.dispose()
        assert _at_once(_open, database_url) == ["ok"] * PROCESSES
        engine = open_database(database_url)
        assert set(inspect(engine).get_table_names()) >= set(metadata.tables)
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all() == ["0004"]
            assert connection.execute(select(func.count()).select_from(alert_judgments)).scalar_one() == 0


def _check(url: str, config: Any, now: Any, barrier: Any, results: Any) -> None:
    from journeywatch.alerts import check_alerts

    engine = create_database_engine(url)  # not the parent's pooled connections, which fork copied
    barrier.wait(timeout=WAIT)
    try:
        results.put([alert.id for alert in check_alerts(engine, config, now=now)])
    except Exception as exc:
        results.put(f"{type(exc).__name__}: {exc}")
    finally:
        engine.dispose()


def test_alert_checks_at_once_store_and_deliver_one_alert(
    database_url: str, webhook_server: WebhookServer, tmp_path: Path,  # noqa: F811
) -> None:
    """Two monitor runs' alert checks at the same moment: the spike is stored once and each target gets it once,
    as is an alert sent again to a target that was down (each check first resends what failed)."""
    from journeywatch.alerts import recent_alerts

    hook = f"json://{webhook_server.host}:{webhook_server.port}/hook"
    config = demo_config(database_url, [f"file://{tmp_path}/alerts.log", hook])
    config.alerts.retries = 0
    engine = open_database(database_url)
    load_demo(engine, config)
    webhook_server.fail_next(1, status=503)  # down for the check that raises it

    fired = _at_once(_check, database_url, config, AFTER_DEMO)
    assert all(isinstance(ids, list) for ids in fired), fired
    [stored] = recent_alerts(engine)
    assert sorted(alert_id for ids in fired for alert_id in ids) == [stored.id]  # one check raised it
    assert (tmp_path / "alerts.log").read_text(encoding="utf-8").count("journeywatch alert:") == 1
    assert webhook_server.attempts == 1 and webhook_server.requests == []

    # The checks' resends rarely overlap this tightly (each is milliseconds); this is the outcome, the claim's
    # compare-and-set (alerts.resend) is what makes it so when they do.
    later = _at_once(_check, database_url, config, AFTER_DEMO + timedelta(hours=1))
    assert later == [[]] * PROCESSES
    assert len(webhook_server.wait_for(1)) == 1
    assert webhook_server.attempts == 2  # sent again by one check only
    [stored] = recent_alerts(engine)
    assert [(d["kind"], d["ok"]) for d in stored.deliveries] == [("alert", True), ("alert", False), ("alert", True)]


@pytest.mark.postgres
def test_runs_classifying_at_once_on_postgresql_share_the_pending_rows(postgres_url: str) -> None:
    """Two runs classifying at once (two configs' hourly runs sharing a database, an overlapping cron run) each
    classified every pending row: the second's work was thrown away (its saves kept the first's rows) and the
    heavy step took twice the CPU. Each batch is now claimed; a stream skips the rows another holds."""
    from journeywatch.storage import iter_pending, save_predictions, store_batch
    from tests.test_storage import _mention, _prediction

    url = postgres_url + "%20-clock_timeout%3D10000"  # a lock this test waits for fails it in 10 s, never hangs
    engine = migrated_engine(url, "test")
    store_batch(engine, [_mention(i) for i in range(6)])
    first, second = iter_pending(engine, 3), iter_pending(engine, 3)
    try:
        mine = [p.mention_id for p in next(first)]
        theirs = [p.mention_id for p in next(second)]  # while `first` classifies its batch
        assert len(mine) == len(theirs) == 3 and not set(mine) & set(theirs)
        # Saving goes through while the batch is held (the classifications' foreign key does not wait for it).
        assert save_predictions(engine, "v1", [(i, _prediction("none", "neutral")) for i in mine],
                                only_missing=True) == 3
        assert list(first) == []  # the rest is the other stream's
        second.close()  # its process died before saving: its rows are let go and wait for the next run
        assert [p.mention_id for batch in iter_pending(engine, 3) for p in batch] == theirs
    finally:
        first.close()  # a failed assertion leaves no lock for the schema's DROP to wait on
        second.close()
        engine.dispose()
