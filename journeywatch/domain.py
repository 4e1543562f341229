"""The domain types every part of journeywatch speaks.

Listeners produce `Mention`s, classifiers turn texts into `Prediction`s, and
storage keeps both. These types import nothing else of the project, so every
package may depend on them without cycles.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


class Moment(str, enum.Enum):
    """The journey moment an item speaks from (see shared/taxonomy.md)."""

    STIMULUS = "stimulus"
    ZERO = "zero_moment"
    FIRST = "first_moment"
    SECOND = "second_moment"
    ULTIMATE = "ultimate_moment"
    NONE = "none"


class Sentiment(str, enum.Enum):
    """The author's feeling about the brand the item is about."""

    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


MOMENTS: tuple[str, ...] = tuple(m.value for m in Moment)
SENTIMENTS: tuple[str, ...] = tuple(s.value for s in Sentiment)


@dataclass(slots=True)
class Mention:
    """One item somebody wrote, as a listener found it.

    `(source, external_id)` is its identity: storing the same pair twice is a
    no-op, which is what makes re-runs and crash recovery safe.
    """

    source: str
    external_id: str
    text: str
    created_at: datetime  # timezone-aware, UTC
    source_kind: str = "social"  # reddit, review, forum, news, social, file
    title: str | None = None
    url: str | None = None
    author: str | None = None  # already pseudonymised unless config asks otherwise
    parent_id: str | None = None  # for comments: the external id of the post
    lang: str | None = None
    lang_supported: bool = True
    nsfw: bool = False
    stickied: bool = False
    brands: list[str] = field(default_factory=list)
    # False: the source gave no usable date, and the fetch time stored in `created_at` may be months after it was
    # written (a feed's backlog on its first reading). Such an item is in the week it was collected, but no alert
    # window counts it: a backlog stamped into one hour is no spike.
    date_known: bool = True
    # False: `created_at` is the fetch time standing in for a date the source did not give (known or not, as
    # above). True: the source's own date, which replaces a stored stand-in of unknown date (see `storage`).
    date_given: bool = True


@dataclass(frozen=True, slots=True)
class Prediction:
    """What the classifier says of one text, with calibrated probabilities."""

    moment: str
    moment_confidence: float
    sentiment: str
    sentiment_confidence: float
    moment_probs: dict[str, float]
    sentiment_probs: dict[str, float]
    needs_review: bool = False


@dataclass(frozen=True, slots=True)
class Classification:
    """A prediction as stored for one mention, tied to the model that made it."""

    mention_id: int
    model_version: str
    prediction: Prediction
