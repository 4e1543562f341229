"""The digest deployment's run is Failed when a delivery failed, as `journeywatch digest` exits 2.

The weekly digest's flow run only logged a warning and ended Completed: the team's Prefect
UI and its failure notifications never said that nobody got the digest.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import yaml

from journeywatch.storage import open_database
from tests.test_digest_data import BRAND, WEEK, fill, make_items

SECRET = "digtok5151"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_failed_delivery_fails_the_flow_run(prefect_harness: None, sqlite_url: str, tmp_path: Path) -> None:
    from prefect.exceptions import FailedRun

    from journeywatch.flows.digest import digest_flow

    fill(open_database(sqlite_url), make_items(weeks=2), failures=0)
    config = tmp_path / "jw.yaml"
    config.write_text(yaml.safe_dump({"database": sqlite_url, "brands": [{"name": BRAND, "query": "northwind"}],
                                      "digest": {"timezone": "UTC", "retries": 0, "notify": [
                                          f"json://127.0.0.1:{_closed_port()}/hook?-token={SECRET}"]}}),
                      encoding="utf-8")

    state = digest_flow(str(config), week=WEEK, out=str(tmp_path / "out"), return_state=True)

    assert state.is_failed(), state
    assert "1 of 1 digest deliveries failed (the files are written)" in (state.message or ""), state.message
    assert BRAND in state.message and SECRET not in state.message
    assert sorted(p.suffix for p in (tmp_path / "out").iterdir()) == [".html", ".json", ".md"]
    with pytest.raises(FailedRun):
        state.result()
