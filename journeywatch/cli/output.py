"""Printing what the commands show, the same way wherever a table is printed."""

from __future__ import annotations

import codecs
import sys

from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

WIDEST = 10_000  # "as wide as it likes" when measuring a table


def print_whole_table(console: Console, table: Table) -> None:
    """Print `table` no narrower than its contents: every count, figure and name whole.

    Fitted to a narrow terminal (a split pane, a phone, COLUMNS=40), Rich cut
    cells short: a count of 12345 showed as "123…" and a precision of 0.8123 as
    "0.…", and in a log (80 columns) a long source name lost its end. Wider than
    the terminal, the lines wrap on screen, but what they say stays true.
    """
    needed = Measurement.get(console, console.options.update_width(WIDEST), table).maximum
    width = console.width
    if needed <= width:
        console.print(table)
        return
    # Restored as it was, not as `width`: set to a number, the console kept that width for good, and a later
    # summary in the same process (COLUMNS=300 by then) was wrapped at the old 80 columns.
    followed = console._width  # None: the width follows the terminal and COLUMNS
    console.width = needed
    try:
        console.print(table)
    finally:
        console._width = followed


def stdout_is_utf8() -> bool:
    """Whether stdout takes any character: not so under a legacy locale, PYTHONIOENCODING=ascii or a cp1252 console."""
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    return codecs.lookup(encoding).name in ("utf-8", "utf-16", "utf-32")
