"""`journeywatch evaluate labels.csv`: a CSV export (the file source reads CSV) was named line by line as
"not valid JSON", with no word that it is CSV or how to make JSON lines of it, as a JSON array gets.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def _evaluate(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "journeywatch", "evaluate", str(path)], capture_output=True,
                          text=True, timeout=300)


def test_a_csv_file_is_said_to_be_csv_with_a_command_that_converts_it(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text('Text;moment;sentiment\n"love acme";ultimate_moment;positive\n', encoding="utf-8")
    result = _evaluate(path)
    assert result.returncode == 1 and not result.stdout
    assert "this looks like CSV (a header naming `Text`), not JSON lines" in result.stderr
    assert "csv.DictReader" in result.stderr and "Traceback" not in result.stderr


def test_a_file_of_broken_json_gets_no_csv_hint(tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text('{"text": "love acme", "sentiment": "positive"\n', encoding="utf-8")
    result = _evaluate(path)
    assert result.returncode == 1 and "CSV" not in result.stderr
