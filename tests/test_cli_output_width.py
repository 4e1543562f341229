"""A table wider than the terminal is printed whole without pinning the console's width."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from rich.table import Table

from journeywatch.cli.output import print_whole_table


def test_a_wide_table_leaves_the_console_following_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """The width was set back as a number: the console kept 80 columns for good, and a later summary in the
    same process (COLUMNS=300 by then) wrapped a brand's one-line note at 80."""
    monkeypatch.delenv("COLUMNS", raising=False)
    console = Console(file=io.StringIO())  # not a terminal: 80 columns, until COLUMNS says otherwise
    table = Table(*[f"column {i}" for i in range(12)])
    table.add_row(*[str(10 ** 6 * i) for i in range(12)])
    print_whole_table(console, table)
    assert max(len(line) for line in console.file.getvalue().splitlines()) > 80  # printed whole, wider than 80
    monkeypatch.setenv("COLUMNS", "300")
    assert console.width == 300
