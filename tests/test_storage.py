"""Storage on SQLite and PostgreSQL: migrations, idempotent upserts, watermarks, trends."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, text

from journeywatch.domain import Mention, Prediction
from journeywatch.errors import ConfigError
from journeywatch.storage import (
    count_pending,
    forget_engines,
    get_watermark,
    iter_pending,
    open_database,
    pending_id_ranges,
    require_existing,
    save_predictions,
    store_batch,
    trend_counts,
)
from journeywatch.storage.database import create_database_engine, migrated_engine, upgrade
from journeywatch.storage.tables import mention_brands, mentions, metadata

T0 = datetime(2026, 11, 2, 9, 30, tzinfo=timezone.utc)  # a Monday


def _mention(i: int, brands: list[str] | None = None, days: int = 0) -> Mention:
    return Mention(source="export", external_id=f"id-{i}", text=f"post {i}",
                   created_at=T0 + timedelta(days=days), brands=brands or ["Acme"])


def _prediction(moment: str, sentiment: str) -> Prediction:
    return Prediction(moment, 0.9, sentiment, 0.8, {moment: 0.9}, {sentiment: 0.8})


def test_migrations_create_exactly_the_declared_tables(database_url: str) -> None:
    engine = open_database(database_url)
    inspector = inspect(engine)
    assert set(inspector.get_table_names()) == set(metadata.tables) | {"alembic_version"}
    for table in metadata.sorted_tables:
        assert {c["name"] for c in inspector.get_columns(table.name)} == set(table.columns.keys()), table.name


def test_storing_twice_adds_nothing_and_links_new_brands(database_url: str) -> None:
    engine = open_database(database_url)
    first = store_batch(engine, [_mention(i) for i in range(10)])
    again = store_batch(engine, [_mention(i) for i in range(10)] + [_mention(3)])
    more_brands = store_batch(engine, [_mention(0, ["Acme", "Globex"])])
    assert (first.new, first.seen) == (10, 0)
    assert (again.new, again.seen) == (0, 10)
    assert (more_brands.new, more_brands.seen) == (0, 1)
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(mentions)).scalar_one() == 10
        assert connection.execute(select(func.count()).select_from(mention_brands)).scalar_one() == 11


def test_watermark_commits_with_its_batch(database_url: str) -> None:
    engine = open_database(database_url)
    assert get_watermark(engine, "export") is None
    store_batch(engine, [_mention(1)], source="export", watermark={"offset": 1})
    store_batch(engine, [_mention(2)], source="export", watermark={"offset": 2, "etag": "x"})
    assert get_watermark(engine, "export") == {"offset": 2, "etag": "x"}


def test_times_come_back_in_utc(database_url: str) -> None:
    engine = open_database(database_url)
    local = datetime(2026, 11, 2, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    store_batch(engine, [Mention(source="s", external_id="1", text="t", created_at=local, brands=["A"])])
    with engine.connect() as connection:
        stored = connection.execute(select(mentions.c.created_at)).scalar_one()
    assert stored == datetime(2026, 11, 2, 10, 0, tzinfo=timezone.utc)


def test_pending_streams_in_batches_and_reclassify_sees_old_versions(database_url: str) -> None:
    engine = open_database(database_url)
    store_batch(engine, [_mention(i) for i in range(25)])
    batches = list(iter_pending(engine, batch_size=10))
    assert [len(b) for b in batches] == [10, 10, 5]
    for batch in batches:
        save_predictions(engine, "v1", [(p.mention_id, _prediction("none", "neutral")) for p in batch])
    assert count_pending(engine) == 0
    assert count_pending(engine, "v1") == 0
    assert count_pending(engine, "v2") == 25


def test_trend_counts_group_by_week_moment_sentiment_source(database_url: str) -> None:
    engine = open_database(database_url)
    store_batch(engine, [_mention(0, days=0), _mention(1, days=6), _mention(2, days=7), _mention(3, ["Globex"])])
    ids = [p.mention_id for batch in iter_pending(engine, 10) for p in batch]
    save_predictions(engine, "v1", [(i, _prediction("ultimate_moment", "negative")) for i in ids])
    rows = trend_counts(engine, T0 - timedelta(days=1), T0 + timedelta(days=30), brand="Acme")
    assert [(r.week, r.moment, r.sentiment, r.count) for r in rows] == [
        (date(2026, 11, 2), "ultimate_moment", "negative", 2),
        (date(2026, 11, 9), "ultimate_moment", "negative", 1),
    ]


def test_pending_id_ranges_cover_every_pending_row_once(database_url: str) -> None:
    engine = open_database(database_url)
    store_batch(engine, [_mention(i) for i in range(23)])
    ranges = pending_id_ranges(engine, per_range=10)
    assert len(ranges) == 3
    seen = [p.mention_id for lo_hi in ranges for batch in iter_pending(engine, 4, id_range=lo_hi) for p in batch]
    assert sorted(seen) == sorted(set(seen)) and len(seen) == 23


def test_a_schema_revision_journeywatch_does_not_know_is_one_error_and_left_alone(database_url: str) -> None:
    # A newer journeywatch migrated this database, or another Alembic-managed program keeps its
    # alembic_version here: Alembic's "Can't locate revision" came out of `run` as a traceback.
    engine = create_database_engine(database_url)
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'ae12cd34beef'"))
    with pytest.raises(ConfigError) as error:
        migrated_engine(database_url, "--database")
    assert "revision ae12cd34beef" in str(error.value) and "does not know" in str(error.value)
    assert str(error.value).startswith("--database: cannot open ")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "ae12cd34beef"
    engine.dispose()


def test_a_tilde_in_a_sqlite_url_given_outside_the_config_is_the_home_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No shell expands `~` inside a URL: JOURNEYWATCH_DATABASE_URL=sqlite:///~/jw/db.sqlite made a folder named '~'."""
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    with pytest.raises(ConfigError, match=f"no database at {home}/jw/db.sqlite"):
        require_existing("sqlite:///~/jw/db.sqlite", "--database")
    try:
        store_batch(open_database("sqlite:///~/jw/db.sqlite"), [_mention(1)])
    finally:
        forget_engines()
    assert (home / "jw" / "db.sqlite").is_file()
    assert list(work.iterdir()) == []
    require_existing("sqlite:///~/jw/db.sqlite", "--database")


def test_saving_only_missing_classifications_counts_what_it_added(database_url: str) -> None:
    """Two monitor runs sharing a database classify the same pending rows: each said it classified them all."""
    engine = open_database(database_url)
    store_batch(engine, [_mention(i) for i in range(5)])
    ids = [p.mention_id for batch in iter_pending(engine, 10) for p in batch]
    assert save_predictions(engine, "v1", [(i, _prediction("none", "neutral")) for i in ids[:3]]) == 3
    added = save_predictions(engine, "v1", [(i, _prediction("stimulus", "positive")) for i in ids], only_missing=True)
    assert added == 2
    rows = trend_counts(engine, T0 - timedelta(days=1), T0 + timedelta(days=1))
    assert sorted((r.moment, r.count) for r in rows) == [("none", 3), ("stimulus", 2)]
    assert save_predictions(engine, "v2", [(i, _prediction("first_moment", "negative")) for i in ids]) == 5


def test_a_sqlite_file_of_another_program_is_not_migrated(tmp_path: Path) -> None:
    """`run` and `db upgrade` pointed at another program's SQLite file added journeywatch's tables beside its own."""
    import sqlite3
    from contextlib import closing

    other = tmp_path / "warehouse.db"
    with closing(sqlite3.connect(other)) as connection:
        connection.execute("CREATE TABLE orders (id INTEGER)")
        connection.commit()
    with pytest.raises(ConfigError) as error:
        migrated_engine(f"sqlite:///{other}", "--database")
    assert str(error.value) == (f"--database: {other} is not a journeywatch database (it holds orders but no "
                                "'mentions'); it is left as it is")
    with closing(sqlite3.connect(other)) as connection:
        assert [r[0] for r in connection.execute("SELECT name FROM sqlite_master")] == ["orders"]
