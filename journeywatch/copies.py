"""Telling copies of one post apart from posts that only look alike.

A spike or a bad week is often one post pasted by many (a PSA, a retweet, a
bot), each copy ending in its own link, @handle or #hashtag: listed as
written, the digest's quotes and an alert's evidence were one text five times
over. Both compare posts by `copy_key`.
"""

from __future__ import annotations

import re

_DECORATION = re.compile(r"(?:https?://|www\.)\S+|[@#]\w+")  # what copies of one post differ by


def copy_key(text: str) -> str:
    """The words of a post without its links, @handles, #hashtags, emoji, punctuation and case.

    A post that is nothing but decoration is compared as written.
    """
    words = re.findall(r"\w+", _DECORATION.sub(" ", text).lower())
    return " ".join(words) or " ".join(text.split()).lower()
