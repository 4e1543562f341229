"""Bounded retries with backoff for the outside world: 429 (Retry-After), 5xx, timeouts, refused connections,
and a feed URL answering a page or broken XML.

A source gets a few short attempts within a run; after that it is recorded
as failed with the reason and the run carries on with the other sources.
Waiting longer is the scheduler's job (the next run), not a blocked worker's.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

# 520 to 524: Cloudflare's own answers when the site behind it is down or slow (a third of the web's sites sit
# behind it); as transient as a 502 or 504, they failed the source at once as 'HTTP 522 from ...'.
CLOUDFLARE_STATUS = {520: "the site behind Cloudflare gave an unknown error", 521: "the site behind Cloudflare is down",
                     522: "Cloudflare timed out connecting to the site", 523: "Cloudflare cannot reach the site",
                     524: "the site behind Cloudflare timed out"}
RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504, *CLOUDFLARE_STATUS})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to retry. `attempts` counts the first try."""

    attempts: int = 4
    backoff: float = 1.0  # seconds before the 2nd attempt; doubles each time
    max_delay: float = 30.0  # cap on any single wait, Retry-After included

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        wait = self.backoff * (2 ** (attempt - 1))
        if retry_after is not None:
            wait = max(wait, retry_after)
        return min(wait, self.max_delay)

    def gave_up(self) -> str:
        """How a failure ends once every attempt is spent: 'gave up after 4 attempts' ('1 attempt' with no retries)."""
        return "gave up after 1 attempt" if self.attempts == 1 else f"gave up after {self.attempts} attempts"

    def wait_refused(self, who: str, retry_after: float | None, header: str) -> str:
        """What a failure adds when `who` asked (by `header`) for a longer wait than `max_delay` allows; else "".

        A 429 asking for an hour was given up on after a few short waits, with no word of what it asked for.
        """
        if retry_after is None or retry_after <= self.max_delay:
            return ""
        return (f"; {who} asked to wait {retry_after:.0f} s ({header}), over the source's max_delay "
                f"({self.max_delay:g} s): the next run tries again")


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """A Retry-After header (seconds or an HTTP date) as seconds from now; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


Sleep = Callable[[float], None]
default_sleep: Sleep = time.sleep
