"""Alert settings: the spike detector's knobs and where alerts are delivered."""

from __future__ import annotations

import re
from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field, field_validator

_DURATION = re.compile(r"^(\d+)\s*([mhd])$")


def parse_duration(value: str | int | timedelta) -> timedelta:
    """Read '15m', '1h', '2d' (or seconds as a number) as a timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int):
        return timedelta(seconds=value)
    match = _DURATION.match(str(value).strip())
    if not match:
        raise ValueError(f"{value!r} is not a duration like '30m', '1h' or '2d'")
    amount, unit = int(match.group(1)), match.group(2)
    return {"m": timedelta(minutes=amount), "h": timedelta(hours=amount), "d": timedelta(days=amount)}[unit]


class AlertSettings(BaseModel):
    """The `alerts:` key. Defaults measured in benchmarks/alerts_eval.py (see its output for the trade-offs)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(default=True, description="check for spikes after each monitor run")
    window: timedelta = Field(default=timedelta(hours=1), description="counting window, e.g. 1h or 30m")
    baseline_weeks: int = Field(default=4, ge=1, le=52, description="trailing weeks the baseline is drawn from")
    min_history: timedelta = Field(default=timedelta(days=7),
                                   description="history needed before any alert may fire")
    min_count: int = Field(default=5, ge=1, description="fewest negative share-stage items that can be a spike")
    min_ratio: float = Field(default=2.0, ge=1.0, description="observed / expected at the least")
    p_value: float = Field(default=0.0003, gt=0, lt=1,
                           description="upper-tail probability at or below which a window is a spike")
    scan_windows: int = Field(default=6, ge=1, le=24,
                              description="also test the sum of up to this many consecutive windows ending at "
                                          "each window, so a spike spread over hours is seen as a whole")
    min_negative_share: float = Field(default=0.0, ge=0, le=1,
                                      description="negative share of all share-stage items at the least")
    cooldown: timedelta = Field(default=timedelta(hours=6), description="quiet time before the same brand alerts again")
    settle: timedelta = Field(default=timedelta(0),
                              description="judge a window only this long after it ends, for items that arrive late")
    notify_ended: bool = Field(default=False, description="also send a notice when a spike subsides")
    notify: list[str] = Field(default_factory=list, description="apprise URLs; tokens may use ${ENV_VAR}")
    retries: int = Field(default=3, ge=0, le=10, description="delivery attempts after the first fails")

    @field_validator("window", "min_history", "cooldown", "settle", mode="before")
    @classmethod
    def _duration(cls, value: object) -> timedelta:
        return parse_duration(value)  # type: ignore[arg-type]

    @field_validator("window")
    @classmethod
    def _sensible_window(cls, value: timedelta) -> timedelta:
        if value < timedelta(minutes=1) or value > timedelta(days=7):
            raise ValueError("window must be between 1m and 7d")
        return value
