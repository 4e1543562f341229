"""Digest settings: when the weekly digest is made, its stage model, its targets."""

from __future__ import annotations

from string import Formatter
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..domain import MOMENTS, Moment
from ..stages import STAGE_MODELS
from .alerts import NotifyURL, distinct_targets
from .spelling import zone_hint
from .visible import hidden_character_problem


_KIND_WORDS = {list: "a list", int: "a number", float: "a number", bool: "true or false", type(None): "empty"}


class DigestSettings(BaseModel):
    """What the weekly digest shows and where it goes (`digest:` in the config)."""

    model_config = ConfigDict(extra="forbid")

    timezone: str = Field(default="UTC", description="IANA zone for weeks, the Monday 08:00 schedule and where "
                                                     "day-long alert windows start")
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

    _distinct_notify = field_validator("notify")(distinct_targets)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r}; {zone_hint(value)}") from exc
        return value

    @field_validator("subject")
    @classmethod
    def _visible_subject(cls, value: str) -> str:
        """Refuses invisible characters, as in a brand name: a RIGHT-TO-LEFT OVERRIDE reversed the rest of every
        mail subject and chat title."""
        if (problem := hidden_character_problem(value, "subject")) is not None:
            raise ValueError(problem)
        return value

    @field_validator("subject")
    @classmethod
    def _known_placeholders(cls, value: str) -> str:
        """Check the subject's placeholders on load: filled in only when the digest is sent, a typo
        (`{brnd}`, a lone `{`) would otherwise end the command in a traceback after the files are written."""
        hint = "use {brand} and {week} (write {{ or }} for a literal brace)"
        try:
            fields = [name for _, name, _, _ in Formatter().parse(value) if name is not None]
        except ValueError as exc:
            raise ValueError(f"{exc}; {hint}") from None
        unknown = [name for name in fields if name not in ("brand", "week")]
        if unknown:
            raise ValueError(f"unknown placeholder {{{unknown[0]}}}; {hint}")
        return value

    @field_validator("stages", mode="before")
    @classmethod
    def _known_stages(cls, value: object) -> str | dict[str, str]:
        """Check the model name or mapping before pydantic's union does.

        Left to the union, a wrong value gets one message per member, under
        keys nobody wrote ('digest.stages.str', 'digest.stages.dict[str,str]');
        and an empty mapping, an empty stage name or `none: x` (never drawn:
        `none` is off the journey) would pass and give a digest with blank or
        missing stages.
        """
        if isinstance(value, str):
            if value not in STAGE_MODELS:
                raise ValueError(f"unknown stage model {value!r}; use one of {sorted(STAGE_MODELS)} or a mapping")
            return value
        if not isinstance(value, dict):
            raise ValueError(f"must be a model name ({', '.join(sorted(STAGE_MODELS))}) or a mapping "
                             f"moment: stage name, not {_KIND_WORDS.get(type(value), 'something else')}")
        journey = [m for m in MOMENTS if m != Moment.NONE.value]
        unknown = [str(m) for m in value if m not in MOMENTS]
        if unknown:
            raise ValueError(f"unknown moments {unknown}; moments are {journey}")
        if Moment.NONE.value in value:
            raise ValueError("'none' is not on the journey and is never drawn; leave it out of the mapping")
        if not value:
            raise ValueError(f"the mapping is empty; map at least one moment to a stage, "
                             f"e.g. {{ultimate_moment: share}}, or use one of {sorted(STAGE_MODELS)}")
        for moment, stage in value.items():
            if not isinstance(stage, str) or not stage.strip():
                raise ValueError(f"the stage for {moment!r} must be a non-empty name, e.g. {moment}: share")
            # 'sh<U+202E>are' reversed the text after the stage's name in every digest line naming it.
            if (problem := hidden_character_problem(stage, "stage name")) is not None:
                raise ValueError(f"the stage for {moment!r} {problem}")
        return {moment: stage.strip() for moment, stage in value.items()}
