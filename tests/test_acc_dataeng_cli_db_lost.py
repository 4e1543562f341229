"""`journeywatch reclassify` whose PostgreSQL goes away part-way: one line, exit 1, no SQL and no post text.

Found cutting the connection to PostgreSQL 768 items into `journeywatch reclassify --config ...` (1,200 stored
feed items): 94 lines on stderr, two tracebacks and SQLAlchemy's INSERT with ten of its parameter sets, the
items' texts among them, where README says errors print one line. The command is run as a user runs it, its
connection through a local relay that the test cuts once the first classifications are stored.
"""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from journeywatch.domain import Mention
from journeywatch.storage import open_database, store_batch
from journeywatch.storage.tables import classifications
from tests.servers.relay import Relay

pytestmark = pytest.mark.postgres
SECRET_TEXT = "acme kettle private words"


def test_reclassify_on_a_database_lost_part_way_says_so_in_one_line(postgres_url: str) -> None:
    engine = open_database(postgres_url)
    now = datetime.now(timezone.utc)
    store_batch(engine, [Mention("feed", f"m{i}", f"{SECRET_TEXT} {i}", now) for i in range(6000)], source="feed")
    relay = Relay(postgres_url)
    relayed = relay.url()
    command = subprocess.Popen([sys.executable, "-m", "journeywatch", "reclassify", "--database", relayed],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 240
    with engine.connect() as connection:
        while not connection.execute(select(func.count()).select_from(classifications)).scalar_one():
            assert command.poll() is None and time.monotonic() < deadline, command.communicate()
            time.sleep(0.05)
            connection.commit()
    relay.cut()
    out, err = command.communicate(timeout=120)

    assert command.returncode == 1, (out, err)
    assert "Traceback" not in err and SECRET_TEXT not in err and "INSERT" not in err, err
    assert err.startswith("Error: ") and len(err.strip().splitlines()) == 1, err
    assert "server closed the connection" in err or "Connection refused" in err, err
