"""`journeywatch run` on a terminal: importing 300,000 rows (29,831 mentions) showed "Collecting, storing and
classifying…" alone for twelve minutes, while a log got "classified 5,000 of 29,000 (1,020/s)" lines."""

from __future__ import annotations

import itertools

import pytest

from journeywatch.cli import core


class _Spinner:
    def __init__(self) -> None:
        self.said: list[str] = []

    def update(self, status: str) -> None:
        self.said.append(status)


def test_on_a_terminal_the_spinner_says_how_far_classification_has_got_and_how_long_is_left(
        monkeypatch: pytest.MonkeyPatch) -> None:
    clock = itertools.count(100.0, 10.0)  # each reading 10 s after the last
    monkeypatch.setattr(core.time, "monotonic", lambda: next(clock))
    monkeypatch.setattr(core.sys.stderr, "isatty", lambda: True)
    spinner = _Spinner()
    watch = core._plain_progress(spinner)
    watch(500, 30_000)  # 500 in 10 s: 50/s, 29,500 left, about 10 min
    watch(30_000, 30_000)
    assert spinner.said == ["Classifying 500 of 30,000 (50/s, about 10 min left)…",
                            "Classifying 30,000 of 30,000 (1,500/s)…"]


def test_the_last_minute_is_said_in_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = itertools.count(0.0, 10.0)
    monkeypatch.setattr(core.time, "monotonic", lambda: next(clock))
    monkeypatch.setattr(core.sys.stderr, "isatty", lambda: True)
    spinner = _Spinner()
    core._plain_progress(spinner)(100, 400)  # 10/s, 300 left: 30 s
    assert spinner.said == ["Classifying 100 of 400 (10/s, about 30 s left)…"]
