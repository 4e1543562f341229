"""A command's --help wraps its docstring paragraphs whole, without the source file's line breaks.

Typer's boxed help kept the docstring's own line breaks after the first paragraph and wrapped at
80 columns on top of them: `alerts check --help` ended a line on "A SQLite", and `classify --help`
left "that" alone on a line, as a new user reading the help saw it.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

CLI = [sys.executable, "-m", "journeywatch"]


def _help(*command: str) -> list[str]:
    result = subprocess.run([*CLI, *command, "--help"], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "COLUMNS": "1000"})
    assert result.returncode == 0, result.stderr
    return [line.strip() for line in result.stdout.splitlines()]


@pytest.mark.parametrize(("command", "sentence"), [
    (("alerts", "check"), "Exits 2 when a delivery failed (the alert is stored all the same). A SQLite database "
                          "that is not there yet is an error: `journeywatch run` makes it."),
    (("classify",), "to join results back to the input. --jsonl lines that cannot be used are named on stderr"),
])
def test_a_paragraph_is_one_line_where_the_terminal_is_wide_enough(command: tuple[str, ...], sentence: str) -> None:
    lines = _help(*command)
    assert any(sentence in line for line in lines), "\n".join(lines)


def test_paragraphs_and_the_example_stay_apart() -> None:
    lines = _help("alerts", "check")
    example = lines.index("Example: journeywatch alerts check --config journeywatch.yaml")
    assert lines[example - 1] == ""  # its own paragraph, not run into the text above
    assert lines[example - 2].endswith("`journeywatch run` makes it.")
