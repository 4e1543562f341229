"""Alert settings: the spike detector's knobs and where alerts are delivered."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta
from typing import Annotated
from urllib.parse import quote, unquote, urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

_DURATION = re.compile(r"^(\d+)\s*([mhdw])$")
ENV_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class MissingVariable(KeyError):
    """A `${NAME}` in a target names an environment variable that is not set."""


def expand_url(template: str, environ: Mapping[str, str] | None = None) -> str:
    """`template` with each `${NAME}` replaced by its variable, URL-encoded where it is a credential.

    A password is rarely URL-safe: `mailto://jw:${SMTP_PASSWORD}@host` with
    'p@ss#1' made a URL whose host was 'ss' and the rest a fragment (apprise
    could not load it), and 'a%20b' logged in as 'a b'. A variable in the
    user info or a query value is percent-encoded, which apprise decodes; one
    elsewhere (a host, a path of tokens, the whole URL) goes in as it is.
    """
    env = os.environ if environ is None else environ
    names = [match.group(1) for match in ENV_PLACEHOLDER.finditer(template)]
    markers = {f"jwvar{i}x": name for i, name in enumerate(names)}
    counter = iter(markers)
    marked = ENV_PLACEHOLDER.sub(lambda match: next(counter), template)
    try:
        parts = urlsplit(marked)
        encoded = parts.netloc.rpartition("@")[0] + "?" + parts.query
    except ValueError:
        encoded = ""
    out = marked
    for marker, name in markers.items():
        if name not in env:
            raise MissingVariable(name)
        value = env[name]
        out = out.replace(marker, quote(value, safe="") if marker in encoded else value, 1)
    return out


@contextmanager
def apprise_quiet() -> Iterator[None]:
    """Silence apprise while it parses a URL: its error lines quote the URL, secrets half-masked."""
    apprise_logger = logging.getLogger("apprise")
    drop = logging.Filter("-")  # matches no logger name: drops every record
    apprise_logger.addFilter(drop)
    try:
        yield
    finally:
        apprise_logger.removeFilter(drop)


def notify_url_problem(url: str) -> str | None:
    """Why apprise cannot load the notification target `url` (None when it can).

    Uses apprise's own parser, so what passes here is what delivery will
    load. The reason never quotes the URL (it may hold a password or token),
    only its scheme. A URL with a `${NAME}` whose variable is not set yet is
    checked by scheme only: delivery reports the missing variable.
    """
    from apprise import Apprise
    from apprise.manager_plugins import NotificationManager

    if "://" not in url:
        return "not a notification URL like json://host/path or mailto://user:pass@host"
    scheme = url.split("://", 1)[0].lower()
    if scheme == "file":  # journeywatch's own target (alerts/file_target.py): any file path will do
        path = url.split("://", 1)[1].split("?", 1)[0].strip()
        if not path:
            return "file:// needs a path, e.g. file://out/alerts.log"
        if path.endswith("/"):  # it made a file named like the folder
            return "a file:// target names a file to append to, not a folder: e.g. file://out/alerts.log"
        return None
    web = scheme in ("http", "https")  # apprise reads some services' own webhook URLs (Slack, Discord) as they are
    if scheme not in NotificationManager() and not web:
        return f"apprise has no {scheme}:// service (check the scheme)"
    try:
        expanded: str | None = expand_url(url)
    except MissingVariable:
        expanded = None  # loaded with a stand-in only for its options: delivery reports the missing variable
    with apprise_quiet():
        loaded = Apprise.instantiate(expanded or ENV_PLACEHOLDER.sub("x", url), suppress_exceptions=True)
    if loaded:
        return _dropped_option(url, loaded)
    if expanded is None:
        return None
    if web:
        return (f"apprise knows no service at this {scheme}:// URL; for a plain webhook write json://host/path "
                f"(or jsons://), for a service its own scheme (slack://, msteams://, ...)")
    return f"apprise cannot load this {scheme}:// URL (check its host, credentials and options)"


def _dropped_option(url: str, loaded: object) -> str | None:
    """A query value a webhook target (json://, xml://, form://) would drop without a word, named with the fix.

    apprise sends only values written `-name=` (URL parameters) or `+Name=` (headers), beside its own
    options: `json://host/hook?token=${HOOK_TOKEN}` was 'sent' with no token, and the receiver got none.
    """
    prefixes = {spec.get("prefix") for spec in (getattr(loaded, "template_kwargs", None) or {}).values()}
    if not {"-", "+"} <= prefixes:
        return None  # not a webhook that forwards query values: its options are its own
    known = set(getattr(loaded, "template_args", {}))
    for pair in urlsplit(url).query.split("&"):
        name = unquote(pair.split("=", 1)[0])  # not parse_qsl: its '+' is a space, here it marks a header
        if name and name[:1] not in prefixes and name.lower() not in known:
            return (f"apprise sends the query value {name!r} nowhere (it is no option of {url.split('://')[0]}://); "
                    f"write '-{name}=' to send it as a URL parameter, or '+{name}=' as a header")
    return None


def _loadable(url: str) -> str:
    problem = notify_url_problem(url)
    if problem:
        raise ValueError(problem)
    return url


NotifyURL = Annotated[str, AfterValidator(_loadable)]


def distinct_targets(urls: list[str]) -> list[str]:
    """Refuse a target listed twice: every notification went to it twice. Named by position, never quoted."""
    first: dict[str, int] = {}
    for index, url in enumerate(urls):
        if url in first:
            raise ValueError(f"items {first[url]} and {index} are the same target; list it once")
        first[url] = index
    return urls


DURATION_FORMS = "a whole number with a unit m, h, d or w, e.g. '30m', '1h', '2d' or '1w'"
_LONGEST = timedelta(days=3650)  # any duration longer than ten years is a slip (and beyond timedelta's range soon)


def parse_duration(value: str | int | timedelta) -> timedelta:
    """Read '15m', '1h', '2d' or '1w' as a timedelta; 0 (no unit needed) is none.

    A bare number other than 0 is refused: `window: 45` was read as 45 seconds
    and then refused as "less than 1m", and `window: 3600` silently as 1h,
    where the writer may well have meant minutes.
    """
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError(f"must be a duration: {DURATION_FORMS}")
    text = str(value).strip()
    if text.startswith("-"):
        raise ValueError(f"{value!r} is negative; give {DURATION_FORMS}, or 0 for none")
    if re.fullmatch(r"\+?\d+(\.\d*)?", text):
        if float(text) == 0:
            return timedelta(0)
        raise ValueError(f"{value!r} has no unit; give {DURATION_FORMS} (a bare number is not read as seconds)")
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"{value!r} is not a duration; give {DURATION_FORMS}")
    amount, unit = int(match.group(1)), match.group(2)
    minutes = amount * {"m": 1, "h": 60, "d": 1440, "w": 10080}[unit]
    if minutes > _LONGEST / timedelta(minutes=1):
        raise ValueError(f"{value!r} is longer than ten years; give {DURATION_FORMS}")
    return timedelta(minutes=minutes)


class AlertSettings(BaseModel):
    """The `alerts:` key. Defaults measured in benchmarks/alerts_eval.py (see its output for the trade-offs)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(default=True, description="check for spikes after each monitor run")
    window: timedelta = Field(default=timedelta(hours=1), description="counting window, e.g. 1h or 30m")
    baseline_weeks: int = Field(default=4, ge=1, le=52, description="trailing weeks the baseline is drawn from")
    min_history: timedelta = Field(default=timedelta(days=7),
                                   description="history needed before any alert may fire")
    min_count: int = Field(default=5, ge=1, description="fewest negative share-stage items that can be a spike")
    min_ratio: float = Field(default=2.0, ge=1.0, description="observed / expected at the least")
    p_value: float = Field(default=0.0008, gt=0, lt=1,
                           description="upper-tail probability at or below which a window is a spike")
    scan_windows: int = Field(default=6, ge=1, le=24,
                              description="also test the sum of up to this many consecutive windows ending at "
                                          "each window, so a spike spread over hours is seen as a whole")
    min_negative_share: float = Field(default=0.0, ge=0, le=1,
                                      description="negative share of all share-stage items at the least")
    cooldown: timedelta = Field(default=timedelta(hours=6), description="quiet time before the same brand alerts again")
    settle: timedelta = Field(default=timedelta(0),
                              description="judge a window only this long after it ends, for items that arrive late")
    notify_ended: bool = Field(default=False, description="also send a notice when a spike subsides")
    notify: list[NotifyURL] = Field(default_factory=list,
                                    description="apprise URLs, checked with apprise's parser on load; tokens may use ${ENV_VAR}")
    retries: int = Field(default=3, ge=0, le=10, description="delivery attempts after the first fails")

    _distinct_notify = field_validator("notify")(distinct_targets)

    @field_validator("window", "min_history", "cooldown", "settle", mode="before")
    @classmethod
    def _duration(cls, value: object) -> timedelta:
        """Read a duration (see `parse_duration`); a negative one is refused, since a negative
        cooldown or settle would silently act as none."""
        duration = parse_duration(value)  # type: ignore[arg-type]
        if duration < timedelta(0):
            raise ValueError(f"{value!r} is negative; give {DURATION_FORMS}, or 0 for none")
        return duration

    @field_validator("window")
    @classmethod
    def _sensible_window(cls, value: timedelta) -> timedelta:
        if value < timedelta(minutes=1) or value > timedelta(days=7):
            raise ValueError("must be from 1m to 7d, e.g. '15m', '1h' or '1d'")
        return value
