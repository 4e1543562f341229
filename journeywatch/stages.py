"""Journey stage models: roll-ups of moments into the stages a report shows.

The taxonomy's five-stage map is the default; a brand may pick another model
or give its own mapping in config (`digest.stages`).
"""

from __future__ import annotations

from .domain import Moment

# Each model maps a moment to a stage name; stage order is the dict's value order.
STAGE_MODELS: dict[str, dict[str, str]] = {
    "five": {
        Moment.STIMULUS.value: "engage",
        Moment.ZERO.value: "engage",
        Moment.FIRST.value: "purchase",
        Moment.SECOND.value: "use",
        Moment.ULTIMATE.value: "share",
    },
    "seven": {
        Moment.STIMULUS.value: "awareness",
        Moment.ZERO.value: "consideration",
        Moment.FIRST.value: "purchase",
        Moment.SECOND.value: "usage",
        Moment.ULTIMATE.value: "advocacy",
    },
    "acquisition": {
        Moment.STIMULUS.value: "acquisition",
        Moment.ZERO.value: "acquisition",
        Moment.FIRST.value: "commitment",
        Moment.SECOND.value: "keep",
        Moment.ULTIMATE.value: "keep",
    },
}

# Stages with no moment of their own, measured over time instead (repeat authors,
# loyalty or churn language), in the position they take on the map.
DERIVED_STAGES: dict[str, tuple[str, ...]] = {
    "five": ("engage", "purchase", "use", "share", "complete"),
    "seven": ("awareness", "interest", "consideration", "purchase", "usage", "loyalty", "advocacy"),
    "acquisition": ("acquisition", "commitment", "keep"),
}


def stage_of(moment: str, model: str | dict[str, str] = "five") -> str | None:
    """Return the stage a moment rolls up to, or None for `none`."""
    mapping = STAGE_MODELS[model] if isinstance(model, str) else model
    return mapping.get(moment)
