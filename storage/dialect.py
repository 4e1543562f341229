"""The few statements whose SQL differs between SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.sql.expression import literal
from sqlalchemy.types import BigInteger, Boolean, Date, String


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


class json_names(FunctionElement[Any]):  # noqa: N801 - reads like the SQL expression it renders
    """Whether a JSON column's object under the top-level key `member` has the key `key` (any text: bound).

    SQLite reads the object with json_each, so a key holding a quote or a dot needs no JSON-path escaping;
    PostgreSQL's `json -> text` is NULL where either key is missing.
    """

    type = Boolean()
    inherit_cache = True
    _traverse_internals = [*FunctionElement._traverse_internals, ("member", InternalTraversal.dp_plain_obj)]

    def __init__(self, column: ColumnElement[Any], member: str, key: str) -> None:
        if not member.isidentifier():
            raise ValueError(f"a JSON member name is a plain word, not {member!r}")
        self.member = member
        super().__init__(column, literal(key, String()))


@compiles(json_names, "sqlite")
def _json_names_sqlite(element: json_names, compiler: Any, **kw: Any) -> str:
    column, key = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"EXISTS (SELECT 1 FROM json_each({column}, '$.{element.member}') WHERE json_each.key = {key})"


@compiles(json_names, "postgresql")
def _json_names_postgresql(element: json_names, compiler: Any, **kw: Any) -> str:
    column, key = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(CAST({column} AS JSON) -> '{element.member}' -> CAST({key} AS TEXT)) IS NOT NULL"


class json_has_object(FunctionElement[Any]):  # noqa: N801 - reads like the SQL expression it renders
    """Whether a JSON column holds an object under the top-level key `member`."""

    type = Boolean()
    inherit_cache = True
    _traverse_internals = [*FunctionElement._traverse_internals, ("member", InternalTraversal.dp_plain_obj)]

    def __init__(self, column: ColumnElement[Any], member: str) -> None:
        if not member.isidentifier():
            raise ValueError(f"a JSON member name is a plain word, not {member!r}")
        self.member = member
        super().__init__(column)


@compiles(json_has_object, "sqlite")
def _json_has_object_sqlite(element: json_has_object, compiler: Any, **kw: Any) -> str:
    column = compiler.process(list(element.clauses)[0], **kw)
    return f"(json_type({column}, '$.{element.member}') = 'object')"


@compiles(json_has_object, "postgresql")
def _json_has_object_postgresql(element: json_has_object, compiler: Any, **kw: Any) -> str:
    column = compiler.process(list(element.clauses)[0], **kw)
    return f"(json_typeof(CAST({column} AS JSON) -> '{element.member}') = 'object')"

