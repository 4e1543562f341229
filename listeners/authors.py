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
import unicodedata

AUTHOR_KEY_ENV = "JOURNEYWATCH_AUTHOR_KEY"
FALLBACK_KEY = "journeywatch-unkeyed-fallback"  # documented; set the env var for real protection
PREFIX = "h:"
# How handles are written around the name itself: '@bob' in a tweet export, 'u/bob' in a Reddit one.
_HANDLE_MARK = re.compile(r"^(?:@|/?u/)(?=\S)", re.IGNORECASE)
# Invisible characters a copied or scraped name carries (zero-width space, non-joiner, joiner, word joiner,
# byte order mark): not part of the name, as they are not to whoever reads it.
_INVISIBLE = str.maketrans(dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff")))

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
            near = _set_as()
            hint = f" ({near} is set: rename it {AUTHOR_KEY_ENV})" if near else ""
            log.warning("%s is not set%s: author names are hashed with a fixed public key; set it to a secret",
                        AUTHOR_KEY_ENV, hint)
            _warned = True
    return FALLBACK_KEY.encode("utf-8")


def _set_as() -> str | None:
    """A variable set under a near name (JOURNEYWATCH_AUTHORKEY, JW_AUTHOR_KEY, in lower case): its name only.

    Told only that the key was not set, a user sure they had exported it ran on with the public key, and
    fixing the typo later made every author a new one for the repeat-author counts.
    """
    for name in sorted(os.environ):
        spelt = name.upper()
        if name == AUTHOR_KEY_ENV or not os.environ[name].strip():
            continue
        if ("AUTHOR" in spelt and spelt.endswith(("KEY", "SECRET"))) or (
                spelt.startswith("JOURNEYWATCH") and spelt.endswith(("KEY", "SECRET"))):
            return name
    return None


def author_name(author: str) -> str:
    """`author` as one person's name is compared and stored: NFC, without invisible characters or surrounding space.

    'bob' with a zero-width space pasted before it, or 'José' written with a combining accent (NFD, as macOS
    files and some exports give it), read as the same name but hashed to another pseudonym: one person
    counted as two authors. Plain ASCII names are as they were, so stored pseudonyms of them do not change.
    """
    if author.isascii():
        return author.strip()
    return unicodedata.normalize("NFC", author.translate(_INVISIBLE)).strip()


@functools.lru_cache(maxsize=65536)  # the same authors recur run after run
def pseudonym(author: str, key: bytes) -> str:
    """A stable, keyed stand-in for `author` (same name and key, same pseudonym).

    Case and a handle's '@' or 'u/' are not part of the name: one export writes '@Bob' where
    another, or Reddit, writes 'bob', and one person must count as one author; nor are invisible
    characters or the Unicode normalisation form (`author_name`).
    """
    name = _HANDLE_MARK.sub("", author_name(author)).lower()
    digest = hmac.new(key, name.encode("utf-8"), hashlib.sha256).hexdigest()
    return PREFIX + digest[:32]
