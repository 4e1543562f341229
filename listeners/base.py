"""What every listener is: something that turns a watermark into batches of mentions.

A listener yields `Batch`es. Each batch carries the watermark that is true
once it (and every batch before it) is committed, so the flow can commit
batch by batch and a run cut off half-way resumes where the last committed
batch ended. Listeners never touch the database and never import Prefect.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

from journeywatch.domain import Mention

Watermark = dict[str, Any]

# Dates a source gives that are not when the item was written, for every listener alike. One over FUTURE_SLACK
# ahead is misread (a month-first layout on day-first dates, a zone gone wrong) or an event's date; one before
# EARLIEST is a placeholder (Hugo's 0001-01-01, the Unix epoch, a bare Unix time read as the year 1763).
# Stored as given, the item sat outside every digest week and alert window.
FUTURE_SLACK = timedelta(days=1)
EARLIEST = datetime(1990, 1, 1, tzinfo=timezone.utc)


@dataclass(slots=True)
class Batch:
    mentions: list[Mention]
    watermark: Watermark
    skipped: int = 0  # items dropped as unreadable (a broken feed entry, a bad CSV row) or as a repeat in one file
    warnings: list[str] = field(default_factory=list)


class Listener(Protocol):
    name: str

    def fetch(self, watermark: Watermark | None) -> Iterator[Batch]:
        """Yield what is new since `watermark`; raise SourceError when the source cannot be read."""
        ...
