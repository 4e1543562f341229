"""`run --help` says what a team's setup changes: the Prefect server it reports to, Dask and the database.

It said only "Runs under Prefect without a server (a temporary one starts for the run)", which is
wrong once PREFECT_API_URL is set, and named neither JOURNEYWATCH_DASK_ADDRESS nor
JOURNEYWATCH_DATABASE_URL.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CLI = str(Path(sys.executable).parent / "journeywatch")


def test_run_help_names_the_server_dask_and_database_variables() -> None:
    done = subprocess.run([CLI, "run", "--help"], capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, "COLUMNS": "300", "NO_COLOR": "1"})
    assert done.returncode == 0, done.stderr
    said = " ".join(done.stdout.replace("│", " ").split())
    assert "Reports to the Prefect server at PREFECT_API_URL where it is set" in said, said
    assert "unset, a temporary server starts for the run" in said
    assert "without a server" not in said
    assert "JOURNEYWATCH_DASK_ADDRESS (tcp://host:8786)" in said and "JOURNEYWATCH_DATABASE_URL" in said
