"""Run records: what each monitor run did, source by source, for the summary and the digest's coverage."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Engine, insert, select, update

from .tables import runs, source_runs


def start_run(engine: Engine, flow: str) -> int:
    with engine.begin() as connection:
        result = connection.execute(
            insert(runs).values(flow=flow, started_at=datetime.now(timezone.utc), status="running")
        )
        return int(result.inserted_primary_key[0])


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


def failures_between(engine: Engine, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """Failed source fetches in a period: the digest reports them as gaps in coverage."""
    query = (
        select(source_runs.c.source, source_runs.c.error, source_runs.c.finished_at)
        .where(source_runs.c.status == "failed", source_runs.c.finished_at >= since, source_runs.c.finished_at < until)
        .order_by(source_runs.c.finished_at)
    )
    with engine.connect() as connection:
        return [dict(r._mapping) for r in connection.execute(query)]
