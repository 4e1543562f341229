"""The reclassify deployment whose PostgreSQL goes away part-way: Failed with one line, no SQL, no post text.

Found beside `journeywatch reclassify` on a database cut part-way (98c44f5): the deployed flow raised
SQLAlchemy's OperationalError, so the worker's log held Prefect's traceback with the INSERT and ten of its
parameter sets (stored items' texts among them), and so did the flow run's state message on the Prefect server.
The flow run is run as a worker runs it; its connection goes through a local relay, cut once the first
classifications are stored.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from journeywatch.domain import Mention
from journeywatch.storage import open_database, store_batch
from journeywatch.storage.tables import classifications
from tests.servers.relay import Relay
from tests.test_acceptpg_flow_config_error import worker_run

pytestmark = pytest.mark.postgres
SECRET_TEXT = "acme kettle private words"


def test_the_reclassify_deployment_on_a_database_lost_part_way_fails_with_one_line(
        prefect_harness: None, postgres_url: str, tmp_path: Path) -> None:
    engine = open_database(postgres_url)
    now = datetime.now(timezone.utc)
    store_batch(engine, [Mention("feed", f"m{i}", f"{SECRET_TEXT} {i}", now) for i in range(6000)], source="feed")
    relay = Relay(postgres_url)
    relayed = relay.url()
    config = tmp_path / "jw.yaml"
    config.write_text(yaml.safe_dump({"database": relayed.replace("postgresql+psycopg://", "postgresql://"),
                                      "brands": [{"name": "Acme", "query": "acme"}]}), encoding="utf-8")

    def cut_once_classifying() -> None:
        deadline = time.monotonic() + 240
        with engine.connect() as connection:
            while time.monotonic() < deadline:
                if connection.execute(select(func.count()).select_from(classifications)).scalar_one():
                    break
                connection.commit()
                time.sleep(0.05)
        relay.cut()

    cutter = threading.Thread(target=cut_once_classifying, daemon=True)
    cutter.start()
    state, output = worker_run("reclassify", config, tmp_path)
    cutter.join(timeout=10)

    assert state is not None and state.is_failed(), (state, output)
    assert state.message is not None and state.message.startswith("DatabaseUnavailable: the database at "), (
        state.message, output)
    assert "Encountered exception during execution" not in output, output
    assert SECRET_TEXT not in output and SECRET_TEXT not in state.message
    assert "INSERT" not in output and "INSERT" not in state.message
