"""Which name a misspelt one meant: the "did you mean ...?" of config keys, brands and time zones."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from zoneinfo import available_timezones

CUTOFF = 0.75  # difflib's ratio a name must reach to be offered: `batchsize` is 0.95 to `batch_size`, `shared` none


def meant(given: str, names: Iterable[str], *, cutoff: float = CUTOFF) -> str | None:
    """The one of `names` that `given` is most likely a misspelling of, as it is spelt in `names`; None when none is
    close. Letter case is no difference (`europe/berlin` means `Europe/Berlin`); two neighbouring letters swapped is
    one (difflib rates a swap in a short name low: `ulr` is 0.67 to `url`, under the cutoff).
    """
    by_folded: dict[str, str] = {}
    for name in names:
        by_folded.setdefault(name.casefold(), name)
    typed = given.casefold()
    if typed in by_folded:
        return by_folded[typed]
    swapped = [name for folded, name in by_folded.items() if transposed(typed, folded)]
    if swapped:
        return swapped[0]
    close = difflib.get_close_matches(typed, list(by_folded), n=1, cutoff=cutoff)
    return by_folded[close[0]] if close else None


def transposed(typed: str, key: str) -> bool:
    """Whether `typed` is `key` with two neighbouring letters swapped (`ulr` for `url`, `knid` for `kind`)."""
    if len(typed) != len(key) or typed == key:
        return False
    diff = [i for i, (a, b) in enumerate(zip(typed, key)) if a != b]
    if len(diff) != 2 or diff[1] != diff[0] + 1:
        return False
    return typed[diff[0]] == key[diff[1]] and typed[diff[1]] == key[diff[0]]


_OFFSET = re.compile(r"[+-]\d")


def meant_zone(value: str) -> str | None:
    """The IANA time zone a name that is none meant: `Europe/Madird` -> `Europe/Madrid`, `america/new york` ->
    `America/New_York`, a place alone (`Berlin`) -> the one zone named for it; None when none is close.

    The whole name's closeness is not enough: names share their region, so `Europe/Foo` is closest to
    `Europe/Oslo`, and an offset to a zone of another (`UTC+1` to `UTC`, `GMT+2` to `GMT+0`): the place must be
    close too, and an offset gets no guess.
    """
    if _OFFSET.search(value):
        return None
    zones = available_timezones()
    place = value.strip().rsplit("/", 1)[-1].replace(" ", "_").casefold()
    if "/" not in value:
        named = [zone for zone in zones if "/" in zone and zone.rsplit("/", 1)[-1].casefold() == place]
        if len(named) == 1:
            return named[0]
    close = meant(value.strip().replace(" ", "_"), sorted(zones))
    if close is None or meant(place, [close.rsplit("/", 1)[-1]]) is None:
        return None
    return close


def zone_hint(value: str) -> str:
    """What to say of a time zone that is none: the one meant, else what one looks like."""
    close = meant_zone(value)
    return f"did you mean {close!r}?" if close else "use an IANA name such as Europe/Berlin, America/New_York or UTC"
