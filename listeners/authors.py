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
import threading

AUTHOR_KEY_ENV = "JOURNEYWATCH_AUTHOR_KEY"
FALLBACK_KEY = "journeywatch-unkeyed-fallback"  # documented; set the env var for real protection
PREFIX = "h:"

log = logging.getLogger(__name__)
_warned = False
_warn_lock = threading.Lock()  # sources are collected in threads; warn once, not once each


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
    """A stable, keyed stand-in for `author` (same name and key, same pseudonym)."""
    digest = hmac.new(key, author.strip().lower().encode("utf-8"), hashlib.sha256).hexdigest()
    return PREFIX + digest[:32]
