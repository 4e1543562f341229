"""Author pseudonyms: a keyed hash, so repeat authors can be counted without storing who they are.

HMAC-SHA256 with a key from `JOURNEYWATCH_AUTHOR_KEY`. Without the key,
anyone could hash a known username and find its posts; the fixed fallback
exists so a first run works, and it warns because it offers no such protection.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import os
import re
import threading

AUTHOR_KEY_ENV = "JOURNEYWATCH_AUTHOR_KEY"
FALLBACK_KEY = "journeywatch-unkeyed-fallback"  # documented; set the env var for real protection
PREFIX = "h:"
# How handles are written around the name itself: '@bob' in a tweet export, 'u/bob' in a Reddit one.
_HANDLE_MARK = re.compile(r"^(?:@|/?u/)(?=\S)", re.IGNORECASE)

log = logging.getLogger(__name__)
_warned = False
_warn_lock = threading.Lock()  # sources are collected in threads; warn once, not once each


def quiet_author_key() -> bytes:
    """`author_key` without its warning: for a fingerprint that must not hold a name in the clear even
    when `raw_authors` stores names as given (such a run is not told to set a key)."""
    return (os.environ.get(AUTHOR_KEY_ENV) or FALLBACK_KEY).encode("utf-8")


def author_key() -> bytes:
    """The pseudonymisation key from the environment, or the documented fallback (with one warning)."""
    global _warned
    key = os.environ.get(AUTHOR_KEY_ENV)
    if key:
        return key.encode("utf-8")
    with _warn_lock:
        if not _warned:
            log.warning("%s is not set: author names are hashed with a fixed public key; set it to a secret",
                        AUTHOR_KEY_ENV)
            _warned = True
    return FALLBACK_KEY.encode("utf-8")


@functools.lru_cache(maxsize=65536)  # the same authors recur run after run
def pseudonym(author: str, key: bytes) -> str:
    """A stable, keyed stand-in for `author` (same name and key, same pseudonym).

    Case and a handle's '@' or 'u/' are not part of the name: one export writes '@Bob' where
    another, or Reddit, writes 'bob', and one person must count as one author.
    """
    name = _HANDLE_MARK.sub("", author.strip()).lower()
    digest = hmac.new(key, name.encode("utf-8"), hashlib.sha256).hexdigest()
    return PREFIX + digest[:32]
