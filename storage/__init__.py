"""Storage: SQLAlchemy Core tables, Alembic migrations, idempotent upserts, watermarks, trends.

The same code and migrations serve SQLite (default, WAL) and PostgreSQL.
"""

from .classifications import (
    PendingText,
    count_pending,
    iter_pending,
    pending_id_ranges,
    save_predictions,
    text_for_classifier,
)
from .database import (
    DatabaseUnavailable,
    create_database_engine,
    database_problem,
    forget_engines,
    normalise_url,
    open_database,
    require_existing,
    shown_url,
    upgrade,
)
from .mentions import StoreResult, get_watermark, insert_mentions, set_watermark, store_batch, stored_with_other_text
from .runs import (
    close_abandoned_runs,
    failures_between,
    finish_run,
    interrupt_this_process_runs,
    record_source_result,
    source_results,
    start_run,
)
from .trends import TrendRow, label_counts_by_brand, trend_counts, unclassified_by_brand

__all__ = [
    "DatabaseUnavailable",
    "PendingText",
    "StoreResult",
    "TrendRow",
    "close_abandoned_runs",
    "count_pending",
    "create_database_engine",
    "database_problem",
    "failures_between",
    "finish_run",
    "forget_engines",
    "get_watermark",
    "insert_mentions",
    "interrupt_this_process_runs",
    "iter_pending",
    "label_counts_by_brand",
    "normalise_url",
    "open_database",
    "require_existing",
    "pending_id_ranges",
    "record_source_result",
    "save_predictions",
    "set_watermark",
    "shown_url",
    "source_results",
    "start_run",
    "store_batch",
    "stored_with_other_text",
    "text_for_classifier",
    "trend_counts",
    "unclassified_by_brand",
]
