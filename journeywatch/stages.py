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

The cue phrases are regular expressions matched at word boundaries in the
database (SQLite's REGEXP, PostgreSQL's ~), so the digest counts them there,
not in Python.
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

# Regular expressions, matched case-insensitively and at word boundaries (\b): LIKE's '%i cancel%' read
# "my taxi cancelled on me" as churn, '%ive cancel%' "five cancelled flights" and '%still us%' "still useless"
# as loyalty. Each costs one pass over the texts a digest compares (all of a list are one expression). Kept to
# what Python and PostgreSQL both read: \b, (?:...), (?!...), \w, \S, {m,n}, and no apostrophe in [...]. An
# apostrophe stands for a straight one, a curly one or none ("I've", "I’ve", "Ive"), `{brand}` for the brand's
# names. Churn wins over loyalty when an item has both.
LOYALTY_PATTERNS: tuple[str, ...] = (
    r"\bbought (?:my|our) (?:second|third|fourth|fifth|\d+(?:st|nd|rd|th))\b",
    r"\b(?:buy|bought|order|ordered|ordering)(?: \S+){0,4} again\b",
    r"\brenew(?:ed|ing)?\b", r"\bstill us(?:e|ing)\b", r"\byears now\b", r"\bloyal\b",
    r"\balways (?:buy|order|fly|get|choose)\b", r"\brepeat customer\b", r"\bback for more\b",
)
# Not a flight, order or booking: the brand cancelling one, or a customer changing a trip, is no one leaving.
_NOT_A_BOOKING = (r"(?! (?:my|our|the|a|an|their|his|her)(?: \w+)? (?:flight|order|booking|reservation|appointment"
                  r"|trip|ticket|deliver(?:y|ie)|train|ride)s?\b)")
# The customer leaving the brand: "I cancelled", "cancelled my subscription", "never buying again", "I'm done
# with <brand>", "switched to" a brand that is not this one (for "switched to <brand>" is its win, and
# "switched to the annual plan" nobody leaving). Not "my taxi cancelled on me", nor "I'm done with the setup".
CHURN_PATTERNS: tuple[str, ...] = (
    r"(?<!\bif )\b(?:i|we)(?:'ve|'m| am| are| have| had| just| finally| already| going to| gonna)*"
    r" cancell?(?:ed|ing)?\b" + _NOT_A_BOOKING,  # "is it refundable if I cancel?" is a question
    r"\bcancell?(?:ed|ing)? (?:my|our|the|their)(?: [\w-]+){0,2} (?:subscription|membership|contract|account"
    r"|policy|plan)s?\b",
    r"(?<!they )\bcancell?ed it\b",
    r"\bnever again\b",
    r"\bnever (?:buying|buy|ordering|order|flying|fly|using|use|shopping|shop|going back)\b"
    r"(?! (?:anything|any other|anyone|anywhere) else\b)",
    r"\b(?:won't|will not|wouldn't|would not) (?:be )?(?:buy|order|fly|us|shop|renew)\w*(?: \S+){0,4} again\b",
    r"\b(?:won't|will not) be (?:back|returning|renewing)\b", r"\bnot coming back\b",
    r"\bunsubscrib(?:e|ed|ing)\b", r"\bclos(?:ed|ing) (?:my|our)(?: \w+)? account\b", r"\breturned it\b",
    r"\b(?:i'm|i am|we're|we are)(?: so| totally| officially| completely| really)? done with (?:you|them"
    r"|this (?:company|brand|app|service|bank|airline|place)|{brand})",
    r"\b(?:switch(?:ed|ing)?|going back) (?:over )?to (?!{brand}|the |a |an |my |our |annual|monthly"
    r"|yearly|\w+ mode\b)",  # "switching to night mode" is a setting
)
COMPARISON_PATTERNS: tuple[str, ...] = (
    r"\bvs\b", r"\bversus\b", r"\bcompar(?:e|ed|es|ing|ison)\b", r"\bworth it over\b", r"\bbetter than\b",
    r"\bwhich (?:should|one)\b", r"\balternatives?\b", r"\bor the\b",
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
