"""What every listener is: something that turns a watermark into batches of mentions.

A listener yields `Batch`es. Each batch carries the watermark that is true
once it (and every batch before it) is committed, so the flow can commit
batch by batch and a run cut off half-way resumes where the last committed
batch ended. Listeners never touch the database and never import Prefect.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from journeywatch.domain import Mention

Watermark = dict[str, Any]


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
