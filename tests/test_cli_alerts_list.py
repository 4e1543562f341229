"""`alerts list --brand` given an empty name (a script's `--brand "$BRAND"` with the variable unset)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "journeywatch"]


@pytest.mark.parametrize("empty", ["", "  "])
def test_an_empty_brand_is_a_usage_error_not_no_alerts(tmp_path: Path, empty: str) -> None:
    """It printed "No alerts in sqlite:///...", exit 0: a brand with alerts read as a quiet one."""
    database = f"sqlite:///{tmp_path / 'jw.db'}"
    made = subprocess.run([*CLI, "db", "upgrade", "--database", database], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    result = subprocess.run([*CLI, "alerts", "list", "--database", database, "--brand", empty], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == ("Error: Invalid value for '--brand': is empty; leave --brand out to list every brand's "
                             "alerts (see `journeywatch alerts list --help`)\n")
