"""`journeywatch evaluate` of lines whose labels sit under each other's key (`"moment": "positive"`).

A spreadsheet with its two label columns swapped had every line refused as "unknown moment 'positive'
(moment labels are ...)", no word that `positive` is a sentiment label, there under the wrong key.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def test_a_label_under_the_other_key_is_said_to_be_one(tmp_path: Path) -> None:
    path = tmp_path / "swapped.jsonl"
    path.write_text(json.dumps({"text": "love acme", "moment": "Positive", "sentiment": "UMOT"}) + "\n",
                    encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "journeywatch", "evaluate", str(path)], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 1
    assert "unknown moment 'Positive' (a sentiment label, under `moment`: are the keys swapped?" in result.stderr
    assert "unknown sentiment 'UMOT' (a moment label, under `sentiment`: are the keys swapped?" in result.stderr
