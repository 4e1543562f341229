"""A run after one stopped mid-classification (Ctrl-C, SIGKILL) said "Classified 28295 new mentions" under brand
tables saying "0 new": they were stored by the stopped run, not new."""

from __future__ import annotations

from journeywatch.cli.core import _classified_line


def test_mentions_an_earlier_run_stored_are_not_called_new() -> None:
    line = _classified_line(28295, 0, "jw-1", new=0)
    assert "new" not in line
    assert line.startswith("Classified 28,295 mentions with jw-1")
    assert "stored by an earlier run" in line


def test_new_and_earlier_ones_together_say_both() -> None:
    line = _classified_line(110, 0, "jw-1", new=100)
    assert line.startswith("Classified 110 mentions with jw-1")
    assert "this run's new ones" in line and "stored by an earlier run" in line


def test_only_new_ones_keep_the_line_as_it_was() -> None:
    assert _classified_line(12, 0, "jw-1", new=12) == "Classified 12 new mentions with jw-1."
    assert _classified_line(9, 0, "jw-1", new=12) == "Classified 9 new mentions with jw-1."  # 3 in another language
