"""`classify` on text the model does not read: German came back "neutral" at 0.93 with no word of the language."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

CLI = [sys.executable, "-m", "journeywatch"]
GERMAN = "Der Wasserkocher ist nach zwei Wochen kaputt. Nie wieder!"
ENGLISH = "they lost my bag at the airport and never called me back"


def test_classify_names_each_texts_language_and_flags_those_it_does_not_read(tmp_path: Path) -> None:
    result = subprocess.run([*CLI, "classify", GERMAN, ENGLISH, "Этот чайник сломался"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    german, english, russian = map(json.loads, result.stdout.splitlines())
    assert (german["lang"], german["lang_supported"], german["needs_review"]) == ("de", False, True)
    assert german["moment"] and german["sentiment"]  # still labelled: the user asked for it
    assert (english["lang"], english["lang_supported"]) == ("en", True)
    assert russian["lang_supported"] is False and russian["needs_review"] is True
    assert result.stderr.count("not in English") == 1
    assert result.stderr.startswith("2 texts not in English: labels unreliable")


def test_classify_of_english_alone_says_nothing_of_language(tmp_path: Path) -> None:
    result = subprocess.run([*CLI, "classify", ENGLISH], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["lang_supported"] is True
    assert result.stderr == ""
