"""A `--week` far in the past: one line naming the first week a digest can have, not a traceback.

`--week 0001-W01` ended in 'OverflowError: date value out of range' (the eight-week trend reaches back before
the calendar's first day), and `--week 0001-W20` wrote `plain-01-1-W20.*`, a label `--week` does not read back.
No source stores an item dated before 1990 (a date before it is a placeholder), so no week before it has data.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from journeywatch.errors import ConfigError
from journeywatch.reports import parse_week
from journeywatch.storage import open_database
from tests.test_digest_cli import CLI
from tests.test_digest_data import BRAND, fill, make_items


@pytest.mark.parametrize("label", ["0001-W01", "0001-W20", "0999-W10", "1989-W52"])
def test_a_week_before_1990_is_refused_saying_why(label: str) -> None:
    with pytest.raises(ConfigError, match=rf"week '{label}' is before 1990, .*no item is stored before it"):
        parse_week(label)


def test_the_first_week_of_1990_is_a_week() -> None:
    assert parse_week("1990-W01").label == "1990-W01"


def test_the_command_says_it_in_one_line(sqlite_url: str, tmp_path: Path) -> None:
    fill(open_database(sqlite_url), make_items())
    config = tmp_path / "journeywatch.yaml"
    config.write_text(yaml.safe_dump({"database": sqlite_url, "brands": [{"name": BRAND, "query": "northwind"}]}),
                      encoding="utf-8")
    done = subprocess.run([CLI, "digest", "--config", str(config), "--week", "0001-W01", "--out",
                           str(tmp_path / "out"), "--no-send"], capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 2, done.stderr  # a --week no digest can have: a usage error
    assert done.stderr.startswith("Error: Invalid value for '--week': '0001-W01' is before 1990"), done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "out").exists()
