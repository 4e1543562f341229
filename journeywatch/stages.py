"""Journey stage models: roll-ups of moments into the stages a report shows.

The taxonomy's five-stage map is the default; a brand may pick another model
or give its own mapping in config (`digest.stages`).

Most stages are a plain roll-up of moments. Two kinds are not, because no
single item's label says them (shared/taxonomy.md):

* the *retention* stage ("complete" in the five-stage map, "loyalty" in the
  seven-stage one) is measured over time: authors who come back, and items of
  any moment that use loyalty language ("bought my third one", "renewed") or
  churn language ("cancelled my subscription", "switched to" another brand);
* the seven-stage model's *interest* and *consideration* both come from the
  research moment (zero_moment): items that compare options ("X vs Y",
  "worth it over", "which should I get") are consideration, the rest interest.

The cue phrases are SQL LIKE patterns over the lower-cased text, so the
digest counts them in the database, not in Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .domain import MOMENTS, Moment

# Each model maps a moment to a stage name.
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
        Moment.ZERO.value: "consideration",  # split: without comparison cues it is "interest"
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

# Every stage of each model in the order the map draws them, derived ones included.
DERIVED_STAGES: dict[str, tuple[str, ...]] = {
    "five": ("engage", "purchase", "use", "share", "complete"),
    "seven": ("awareness", "interest", "consideration", "purchase", "usage", "loyalty", "advocacy"),
    "acquisition": ("acquisition", "commitment", "keep"),
}

_RETENTION_STAGE = {"five": "complete", "seven": "loyalty"}
_COMPARISON_SPLIT = {"seven": ("interest", "consideration")}

# Lower-case LIKE patterns, kept few and broad: each costs one scan of every
# text in the weeks a digest compares. Churn wins over loyalty when an item has both. Renewing is spelt
# out: '%renew%' counted an energy brand's "renewable tariff" posts as loyal customers.
LOYALTY_PATTERNS: tuple[str, ...] = (
    "%bought my second%", "%bought my third%", "%buy again%", "%bought again%", "%order% again%",
    "%renewed%", "%renewing%", "%renew %", "%renew",
    "%still us%", "%years now%", "%loyal%", "%always buy%", "%repeat customer%", "%back for more%",
)
# The customer cancelling, not the brand: an airline's "my flight was cancelled" is no churn, and a bare
# "%cancel%" made a week of cancelled flights read as customers leaving. So is "done with the setup".
CHURN_PATTERNS: tuple[str, ...] = (
    "%i cancel%", "%i've cancel%", "%ive cancel%", "%we've cancel%", "%i'm cancel%", "%im cancel%",
    "%i am cancel%", "%cancelled it%", "%canceled it%", "%cancelling my%", "%canceling my%", "%cancel my%",
    "%cancel%subscription%", "%cancel%membership%", "%cancel%contract%", "%cancel%account%", "%cancel%policy%",
    "%never again%", "%never buying%", "%never buy from%", "%never ordering%", "%never flying%",
    "%never using%", "%won't be back%", "%wont be back%", "%not coming back%",
    "%unsubscrib%", "%m done with%", "%i am done with%", "%closed my account%", "%returned it%",
)
# Leaving for somewhere: churn for every brand but the one named next ("switched to <brand>" is its win).
MOVING_PATTERNS: tuple[str, ...] = ("%switched to ", "%switching to ", "%switch to ", "%going back to ")
COMPARISON_PATTERNS: tuple[str, ...] = (
    "% vs%", "%versus%", "%compar%", "%worth it over%", "%better than%", "%which should%", "%which one%",
    "%alternative%", "% or the %",
)


@dataclass(frozen=True, slots=True)
class StageModel:
    """One journey model: its stages left to right and how items land in them."""

    name: str
    stages: tuple[str, ...]
    moments: dict[str, str] = field(default_factory=dict)  # moment -> stage
    retention_stage: str | None = None  # measured from repeat authors and loyalty/churn language
    comparison_split: tuple[str, str] | None = None  # zero_moment without / with comparison cues

    def stage_for(self, moment: str | None, compares: bool = False) -> str | None:
        """The stage an item of `moment` lands in (None for `none` and unclassified items)."""
        if moment is None:
            return None
        if self.comparison_split and moment == Moment.ZERO.value:
            return self.comparison_split[1] if compares else self.comparison_split[0]
        return self.moments.get(moment)

    def moments_of(self, stage: str) -> tuple[str, ...]:
        """The moments that feed `stage` (empty for the retention stage)."""
        if self.comparison_split and stage in self.comparison_split:
            return (Moment.ZERO.value,)
        return tuple(m for m in MOMENTS if self.moments.get(m) == stage)


def resolve_stage_model(spec: str | dict[str, str] = "five") -> StageModel:
    """Turn the config's `digest.stages` (a model name or a moment -> stage mapping) into a model.

    A custom mapping draws its stages in the order of the journey's moments and
    has no derived stage: it says exactly where each moment goes.
    """
    if isinstance(spec, str):
        if spec not in STAGE_MODELS:
            raise ValueError(f"unknown stage model {spec!r}; use one of {sorted(STAGE_MODELS)} or a mapping")
        return StageModel(
            name=spec,
            stages=DERIVED_STAGES[spec],
            moments=dict(STAGE_MODELS[spec]),
            retention_stage=_RETENTION_STAGE.get(spec),
            comparison_split=_COMPARISON_SPLIT.get(spec),
        )
    mapping = {m: s for m, s in spec.items() if m != Moment.NONE.value}
    order = tuple(dict.fromkeys(mapping[m] for m in MOMENTS if m in mapping))
    return StageModel(name="custom", stages=order, moments=mapping)


def stage_of(moment: str, model: str | dict[str, str] = "five") -> str | None:
    """Return the stage a moment rolls up to, or None for `none`."""
    mapping = STAGE_MODELS[model] if isinstance(model, str) else model
    return mapping.get(moment)
