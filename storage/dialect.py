"""The few statements whose SQL differs between SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import BigInteger, Date


def insert_for(connection: Connection, table: Table) -> Any:
    """An INSERT that supports ON CONFLICT on this connection's dialect."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    if connection.dialect.name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"journeywatch supports SQLite and PostgreSQL, not {connection.dialect.name}")


class week_start(FunctionElement[Any]):  # noqa: N801 - reads like the SQL function it renders
    """The Monday (UTC date) that starts the ISO week of a timestamp."""

    type = Date()
    inherit_cache = True

    def __init__(self, column: ColumnElement[Any]) -> None:
        super().__init__(column)


@compiles(week_start, "sqlite")
def _week_start_sqlite(element: week_start, compiler: Any, **kw: Any) -> str:
    arg = compiler.process(list(element.clauses)[0], **kw)
    # 'weekday 0' moves forward to Sunday (or stays on one); six days back is that week's Monday.
    return f"date({arg}, 'weekday 0', '-6 days')"


@compiles(week_start, "postgresql")
def _week_start_postgresql(element: week_start, compiler: Any, **kw: Any) -> str:
    arg = compiler.process(list(element.clauses)[0], **kw)
    return f"CAST(date_trunc('week', {arg}) AS DATE)"


class epoch_bucket(FunctionElement[Any]):  # noqa: N801 - reads like the SQL expression it renders
    """floor((seconds since the epoch - offset) / window seconds) of a naive-UTC timestamp column.

    `offset` (seconds, under a day either way) moves the grid's start off the epoch: day windows from local midnight.
    """

    type = BigInteger()
    inherit_cache = True
    # Rendered as literals, so part of the cache key: two grids in one process must not share a compiled query.
    _traverse_internals = [*FunctionElement._traverse_internals,
                           ("seconds", InternalTraversal.dp_plain_obj), ("offset", InternalTraversal.dp_plain_obj)]

    def __init__(self, column: ColumnElement[Any], seconds: int, offset: int = 0) -> None:
        self.seconds = int(seconds)
        self.offset = int(offset)
        super().__init__(column)


@compiles(epoch_bucket, "sqlite")
def _bucket_sqlite(element: epoch_bucket, compiler: Any, **kw: Any) -> str:
    arg = compiler.process(list(element.clauses)[0], **kw)
    # Whole seconds only: SQLite rounds fractions to milliseconds, so 14:59:59.9999 would become 15:00.
    # Timestamps before the epoch plus `offset` would truncate towards zero; no stored item is from 1970.
    return f"((CAST(strftime('%s', substr({arg}, 1, 19)) AS INTEGER) - ({element.offset})) / {element.seconds})"


@compiles(epoch_bucket, "postgresql")
def _bucket_postgresql(element: epoch_bucket, compiler: Any, **kw: Any) -> str:
    arg = compiler.process(list(element.clauses)[0], **kw)
    # A timestamp without time zone gives its nominal seconds since 1970-01-01 00:00: naive UTC in, UTC out.
    return f"CAST(FLOOR((EXTRACT(EPOCH FROM {arg}) - ({element.offset})) / {element.seconds}) AS BIGINT)"
