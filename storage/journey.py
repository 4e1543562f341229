"""Which stored items are customers' talk on the journey: one definition for the digest and the alerts.

A subreddit's stickied post is its moderators' (a weekly megathread, the rules, an announcement), not a
customer's. Quoted, a megathread stood as the week's share-stage talk; counted, it was share-stage talk, churn
("cancelled my subscription? post here") and its moderator a loyal repeat author; and an alert counted it in
its spike and baseline and quoted it as evidence. It is a mention of the brand, off the journey, for the
digest (`digest_queries`) and the alert check (`alerts.counts`) alike. Both need `mentions` in the FROM.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, literal
from sqlalchemy.sql.expression import ColumnElement

from .tables import classifications, mentions

# Rows that may be counted on a journey stage or quoted: no stickied (moderators') post.
NOT_STICKIED: ColumnElement[bool] = mentions.c.stickied.is_(False)


def journey_moment() -> ColumnElement[Any]:
    """The item's journey moment as it is counted: "none" for a classified stickied post (None: not classified)."""
    return case((and_(mentions.c.stickied.is_(True), classifications.c.moment.is_not(None)), literal("none")),
                else_=classifications.c.moment)


def on_moment(moment: str) -> ColumnElement[bool]:
    """Items counted at `moment` (e.g. the share stage's ultimate_moment): classified so, and not stickied."""
    return and_(classifications.c.moment == moment, NOT_STICKIED)
