"""The labelling guide's rules that hang on where an item was written, which its text does not show.

The model reads text only. "Battery died after a week" is `second_moment` in a
tweet asking for help, but on a review site the guide makes it a review:
"a review-site entry or a star rating is `ultimate_moment` unless it is only a
question" (then `zero_moment`). Every stored item knows its source's kind, so
the rule is applied after the model, not learnt from text that cannot carry it.
"""

from __future__ import annotations

import dataclasses

from journeywatch.domain import Prediction

REVIEW_SITE_MOMENTS = ("zero_moment", "ultimate_moment")


def for_source(prediction: Prediction, source_kind: str | None) -> Prediction:
    """`prediction` read as the guide reads an item from a `source_kind` source.

    For a review source the moment is the likelier of `zero_moment` and
    `ultimate_moment` by the model's own probabilities, which are renormalised
    over the two. The review flag stays the model's: an item it was unsure of is
    still worth a look. Other kinds pass unchanged.
    """
    if not isinstance(source_kind, str) or source_kind.strip().lower() != "review":
        return prediction
    allowed = {m: p for m, p in prediction.moment_probs.items() if m in REVIEW_SITE_MOMENTS}
    total = sum(allowed.values())
    if not allowed or total <= 0:
        return prediction
    probs = {m: round(allowed[m] / total, 6) if m in allowed else 0.0 for m in prediction.moment_probs}
    moment = max(allowed, key=lambda m: allowed[m])
    return dataclasses.replace(prediction, moment=moment, moment_confidence=probs[moment], moment_probs=probs)
