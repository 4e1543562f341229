"""Run records: what each monitor run did, source by source, for the summary and the digest's coverage."""

from __future__ import annotations

import os
import socket
from collections.abc import Collection
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Engine, insert, select, update

from .tables import runs, source_runs


def start_run(engine: Engine, flow: str) -> int:
    """Record a run as 'running', with the process and host it runs in, so a later run can tell it was killed."""
    owner = {"pid": os.getpid(), "host": socket.gethostname()}
    with engine.begin() as connection:
        result = connection.execute(
            insert(runs).values(flow=flow, started_at=datetime.now(timezone.utc), status="running", summary=owner)
        )
        return int(result.inserted_primary_key[0])


ABANDONED_AFTER = timedelta(days=1)  # no monitor run lasts this long; one on another host is taken as gone then


def _process_gone(pid: object) -> bool:
    """Whether no process `pid` runs on this host (one of another user's still counts as running)."""
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # PermissionError: it exists, another user's
        return False
    return False


def _abandoned(summary: object, started_at: datetime, now: datetime) -> bool:
    """A 'running' record whose process is gone (same host), or that is older than any run lasts."""
    owner = summary if isinstance(summary, dict) else {}
    if owner.get("host") == socket.gethostname() and _process_gone(owner.get("pid")):
        return True
    return now - started_at > ABANDONED_AFTER


def close_abandoned_runs(engine: Engine, flow: str) -> list[dict[str, Any]]:
    """Mark as 'interrupted' the runs of `flow` still recorded as 'running' whose process is gone; return them.

    A run killed outright (SIGKILL, the OOM killer, a reboot) never reaches its own `finish_run`, so its
    record said 'running' for good and nothing ever said the run had died. A run on this host is gone
    when its process is; one recorded elsewhere (or before records named their process) once it is
    older than ABANDONED_AFTER, so a live run of another config sharing the database is left alone.
    """
    now = datetime.now(timezone.utc)
    closed: list[dict[str, Any]] = []
    with engine.begin() as connection:
        rows = connection.execute(select(runs.c.id, runs.c.started_at, runs.c.summary).where(
            runs.c.flow == flow, runs.c.status == "running").order_by(runs.c.id)).all()
        for row in rows:
            if not _abandoned(row.summary, row.started_at, now):
                continue
            note = {**(row.summary if isinstance(row.summary, dict) else {}), "abandoned": "the process ended "
                    f"without finishing the run; found at {now.isoformat(timespec='seconds')}"}
            done = connection.execute(update(runs).where(runs.c.id == row.id, runs.c.status == "running")
                                      .values(status="interrupted", summary=note))
            if done.rowcount:  # a run starting at the same moment may have closed it first
                closed.append({"run_id": row.id, "started_at": row.started_at})
    return closed


def interrupt_this_process_runs(engine: Engine, flow: str, reason: str) -> int:
    """Mark as 'interrupted' this process's runs of `flow` still 'running', saying `reason`; how many.

    For a run that must end at once (its temporary Prefect server died): it never reaches its own
    `finish_run`, and left 'running' the next run would take it for one killed outright and say so.
    """
    mine = {"pid": os.getpid(), "host": socket.gethostname()}
    with engine.begin() as connection:
        rows = connection.execute(select(runs.c.id, runs.c.summary).where(
            runs.c.flow == flow, runs.c.status == "running")).all()
        closed = 0
        for row in rows:
            owner = row.summary if isinstance(row.summary, dict) else {}
            if {key: owner.get(key) for key in mine} != mine:
                continue
            closed += connection.execute(update(runs).where(runs.c.id == row.id, runs.c.status == "running").values(
                status="interrupted", finished_at=datetime.now(timezone.utc),
                summary={**owner, "interrupted": reason})).rowcount
    return closed


def record_source_result(
    engine: Engine, run_id: int, source: str, status: str, *, fetched: int = 0, new: int = 0,
    skipped: int = 0, error: str | None = None,
) -> None:
    with engine.begin() as connection:
        connection.execute(
            insert(source_runs).values(
                run_id=run_id, source=source, status=status, fetched=fetched, new=new, skipped=skipped,
                error=error, finished_at=datetime.now(timezone.utc),
            )
        )


def finish_run(engine: Engine, run_id: int, status: str, summary: dict[str, Any]) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(runs)
            .where(runs.c.id == run_id)
            .values(finished_at=datetime.now(timezone.utc), status=status, summary=summary)
        )


def source_results(engine: Engine, run_id: int) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        rows = connection.execute(select(source_runs).where(source_runs.c.run_id == run_id).order_by(source_runs.c.id))
        return [dict(r._mapping) for r in rows]


def failures_between(engine: Engine, since: datetime, until: datetime,
                     sources: Collection[str] | None = None) -> list[dict[str, Any]]:
    """Failed source fetches in a period: the digest reports them as gaps in coverage.

    `sources` keeps the failures of those sources alone (a config's own, where several share the database);
    None keeps every source's.
    """
    query = (
        select(source_runs.c.source, source_runs.c.error, source_runs.c.finished_at)
        .where(source_runs.c.status == "failed", source_runs.c.finished_at >= since, source_runs.c.finished_at < until)
        .order_by(source_runs.c.finished_at)
    )
    if sources is not None:
        query = query.where(source_runs.c.source.in_(list(sources)))
    with engine.connect() as connection:
        return [dict(r._mapping) for r in connection.execute(query)]
