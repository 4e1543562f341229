"""The SQL schema, as SQLAlchemy Core tables.

Migrations in `migrations/versions` create exactly this; a test compares the
two so they cannot drift.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    true,
)

metadata = MetaData()

# BIGINT on PostgreSQL, but SQLite needs INTEGER for a rowid alias (autoincrement).
Id = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Store naive UTC, hand back aware UTC: SQLite keeps no zone, PostgreSQL's `timestamp` neither."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to storage; listeners must produce UTC-aware times")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=timezone.utc)


mentions = Table(
    "mentions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("source", String(200), nullable=False),
    Column("external_id", String(512), nullable=False),
    Column("source_kind", String(32), nullable=False),
    Column("title", Text),
    Column("text", Text, nullable=False),
    Column("url", Text),
    Column("author", String(256)),
    Column("parent_id", String(512)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("fetched_at", UTCDateTime, nullable=False),
    Column("lang", String(16)),
    Column("lang_supported", Boolean, nullable=False, default=True),
    Column("nsfw", Boolean, nullable=False, default=False),
    Column("stickied", Boolean, nullable=False, default=False),
    # False: written at an unknown time, `created_at` is when it was fetched (see Mention.date_known)
    Column("date_known", Boolean, nullable=False, default=True, server_default=true()),
    UniqueConstraint("source", "external_id", name="uq_mentions_source_external_id"),
    Index("ix_mentions_created_at", "created_at"),
)

# created_at and date_known are copied here so a brand's week is one index range scan, not a join over all mentions.
mention_brands = Table(
    "mention_brands",
    metadata,
    Column("mention_id", Id, ForeignKey("mentions.id", ondelete="CASCADE"), primary_key=True),
    Column("brand", String(200), primary_key=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("date_known", Boolean, nullable=False, default=True, server_default=true()),
    Index("ix_mention_brands_brand_created_at", "brand", "created_at"),
)

classifications = Table(
    "classifications",
    metadata,
    Column("mention_id", Id, ForeignKey("mentions.id", ondelete="CASCADE"), primary_key=True),
    Column("model_version", String(64), nullable=False),
    Column("moment", String(32), nullable=False),
    Column("moment_confidence", Float, nullable=False),
    Column("sentiment", String(16), nullable=False),
    Column("sentiment_confidence", Float, nullable=False),
    Column("probabilities", JSON, nullable=False),
    Column("needs_review", Boolean, nullable=False, default=False),
    Column("classified_at", UTCDateTime, nullable=False),
    Index("ix_classifications_model_version", "model_version"),
    Index("ix_classifications_moment_sentiment", "moment", "sentiment"),
)

watermarks = Table(
    "watermarks",
    metadata,
    Column("source", String(200), primary_key=True),
    Column("value", JSON, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

runs = Table(
    "runs",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("flow", String(64), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    Column("status", String(16), nullable=False),
    Column("summary", JSON),
)

source_runs = Table(
    "source_runs",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("run_id", Id, ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    Column("source", String(200), nullable=False),
    Column("status", String(16), nullable=False),
    Column("fetched", Integer, nullable=False, default=0),
    Column("new", Integer, nullable=False, default=0),
    Column("skipped", Integer, nullable=False, default=0),
    Column("error", Text),
    Column("finished_at", UTCDateTime, nullable=False),
    Index("ix_source_runs_source_finished_at", "source", "finished_at"),
)

# Alerts (issue 6): one row per spike. `window_start`/`window_end` is the window that raised it,
# `last_window_end` where its last flagged window ended (it grows while the spike goes on).
alerts = Table(
    "alerts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("brand", String(200), nullable=False),
    Column("window_start", UTCDateTime, nullable=False),
    Column("window_end", UTCDateTime, nullable=False),
    Column("last_window_end", UTCDateTime, nullable=False),
    Column("status", String(16), nullable=False),  # active, ended
    Column("observed", Integer, nullable=False),
    Column("expected", Float, nullable=False),
    Column("ratio", Float, nullable=False),
    Column("p_value", Float, nullable=False),
    Column("model", String(16), nullable=False),
    Column("windows", Integer, nullable=False),
    Column("negative_share", Float),
    Column("share_items", Integer, nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("deliveries", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("ended_at", UTCDateTime),
    Index("ix_alerts_brand_window_start", "brand", "window_start"),
)

# Per brand: every window before `checked_until` has been judged, so hourly checks neither skip nor repeat one.
alert_checks = Table(
    "alert_checks",
    metadata,
    Column("brand", String(200), primary_key=True),
    Column("checked_until", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# Per brand, one row per check that judged windows: those before `judged_until` (and from the previous row's) were
# judged at `judged_at`, a wall-clock time like mentions.fetched_at, so items fetched later count in no window.
alert_judgments = Table(
    "alert_judgments",
    metadata,
    Column("brand", String(200), primary_key=True),
    Column("judged_until", UTCDateTime, primary_key=True),
    Column("judged_at", UTCDateTime, nullable=False),
)
