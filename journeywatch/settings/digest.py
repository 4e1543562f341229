"""Digest settings: when the weekly digest is made, its stage model, its targets."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..domain import MOMENTS
from ..stages import STAGE_MODELS
from .alerts import NotifyURL


class DigestSettings(BaseModel):
    """What the weekly digest shows and where it goes (`digest:` in the config)."""

    model_config = ConfigDict(extra="forbid")

    timezone: str = Field(default="UTC", description="IANA zone for weeks and the Monday 08:00 schedule")
    stages: str | dict[str, str] = Field(
        default="five",
        description="'five', 'seven', 'acquisition', or a mapping moment -> stage name",
    )
    notify: list[NotifyURL] = Field(default_factory=list, description="apprise URLs the digest is sent to")
    quotes_per_stage: int = Field(default=2, ge=0, le=5, description="representative quotes per stage")
    top_negative: int = Field(default=5, ge=0, le=20, description="most negative share-stage items listed")
    terms_per_stage: int = Field(default=5, ge=0, le=20, description="emerging terms and pain points per stage")
    retries: int = Field(default=3, ge=0, le=10, description="delivery attempts after the first fails")
    subject: str = Field(default="journeywatch digest: {brand}, {week}",
                         description="email subject / chat title; {brand} and {week} are filled in")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r}") from exc
        return value

    @field_validator("stages")
    @classmethod
    def _known_stages(cls, value: str | dict[str, str]) -> str | dict[str, str]:
        if isinstance(value, str) and value not in STAGE_MODELS:
            raise ValueError(f"unknown stage model {value!r}; use one of {sorted(STAGE_MODELS)} or a mapping")
        if isinstance(value, dict):
            unknown = set(value) - set(MOMENTS)
            if unknown:
                raise ValueError(f"unknown moments {sorted(unknown)}; moments are {list(MOMENTS)}")
        return value
