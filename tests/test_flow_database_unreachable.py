"""A deployment's run whose database does not answer fails with the one line that says so, not a traceback.

Found scaling out: a worker whose JOURNEYWATCH_DATABASE_URL named a PostgreSQL that was down logged Prefect's
"Encountered exception during execution" traceback through flows/monitor.py and storage/database.py before
`ConfigError: JOURNEYWATCH_DATABASE_URL: cannot open postgresql+psycopg://jw:***@...: connection failed`,
where a config error the flow meets on loading its config is that one line alone. Each flow is run as a
worker runs it: `python -m prefect.engine` on a flow run of its entrypoint. No PostgreSQL is needed: the URL
names a port where nothing listens.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.test_acceptpg_flow_config_error import worker_run

PASSWORD = "pw-4417-not-shown"


@pytest.mark.parametrize("name", ["monitor-hourly", "digest-weekly", "reclassify"])
def test_a_database_that_does_not_answer_fails_the_run_with_its_one_line(
        prefect_harness: None, name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JOURNEYWATCH_DATABASE_URL", raising=False)
    monkeypatch.delenv("JOURNEYWATCH_DASK_ADDRESS", raising=False)
    config = tmp_path / "jw.yaml"
    config.write_text(yaml.safe_dump({"database": f"postgresql://jw:{PASSWORD}@127.0.0.1:9/jw",  # nothing listens
                                      "brands": [{"name": "Acme", "query": "acme"}]}), encoding="utf-8")
    state, output = worker_run(name, config, tmp_path)

    assert state is not None and state.is_failed(), (state, output)
    assert state.message is not None and state.message.startswith(
        "ConfigError: config key 'database': cannot open postgresql+psycopg://jw:***@127.0.0.1:9/jw: connection "
        "failed"), (state.message, output)
    assert "Encountered exception during execution" not in output, output  # the traceback through our code
    assert "storage/database.py" not in output, output
    assert PASSWORD not in output and PASSWORD not in state.message
