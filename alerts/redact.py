"""Keeping notification secrets out of logs, stored records and output.

Target URLs carry passwords and tokens (`mailto://user:PASS@host`,
`slack://TokenA/TokenB/TokenC`). Everything journeywatch logs or stores
names a target by its redacted form, and every message text that might
quote a URL passes through `scrub` with the secrets of the targets in play.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urlsplit

import apprise

from journeywatch.redaction import MASK, masked_url, url_credentials
from journeywatch.settings.alerts import ENV_PLACEHOLDER as _ENV
from journeywatch.settings.alerts import MissingVariable, apprise_quiet
from journeywatch.settings.alerts import expand_env as expand

from .file_target import file_path

_MIN_SECRET = 4  # shorter fragments are host parts and ports, not secrets
_USERINFO = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://)[^/\s@]+@")  # scheme://user:pass@


def _is_token(segment: str) -> bool:
    """A path segment that may be a token: not a `${NAME}` placeholder nor a plain word (hook, alerts, v1)."""
    if not segment or _ENV.fullmatch(segment):
        return False
    return not (segment.isalpha() or (len(segment) <= 3 and segment.isalnum()))


def _mask_path(path: str) -> str:
    return "/".join(MASK if _is_token(segment) else segment for segment in path.split("/"))


def _generic(url: str) -> str:
    """Mask the user info, token-like path segments and secret-looking query values, by the URL's parts alone."""
    return masked_url(url, _mask_path)


def _written_options_only(shown: str, written: str) -> str:
    """`shown` (apprise's form of a target) keeping only the query options the user wrote in `written`.

    apprise spells out every option at its default (`format=html&overflow=upstream&retry=0&wait=0.5
    &optional=no&cto=15`), which buried the target the user configured in the lines that name it.
    Dropping options only removes text, so nothing secret can come back this way.
    """
    try:
        parts, keys = urlsplit(shown), {k.lower() for k, _ in parse_qsl(urlsplit(written).query, True)}
    except ValueError:
        return shown
    kept = [pair for pair in parts.query.split("&") if pair and unquote(pair.split("=", 1)[0]).lower() in keys]
    query = "&".join(kept)
    return parts._replace(query=query).geturl()


def redact(url: str) -> str:
    """A target URL safe to log and store: apprise's own privacy form when it knows the service.

    `${NAME}` placeholders are kept as written (they are not secrets); only
    literal secrets are masked.
    """
    if url.lower().startswith("file://"):  # a local file path is no secret: shown as the path it names
        return f"file://{file_path(url)}"
    if _ENV.search(url):
        return _generic(url)  # placeholders are not secrets; literal tokens beside them are masked
    try:
        with apprise_quiet():  # its "Loaded ... URL" line would come before the secrets are known
            plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
    except Exception:  # apprise may reject a URL in ways of its own: fall back to the generic form
        plugin = None
    if plugin:
        # Both passes: apprise masks service tokens, the generic pass the user, token-like path
        # segments (a webhook's path is often its token) and query values apprise keeps.
        return _generic(_written_options_only(plugin.url(privacy=True), url))
    return url.split("://", 1)[0] + "://" + MASK  # unknown to apprise: any part may be a token


def secrets_in(url: str) -> set[str]:
    """The fragments of an (expanded) target that must never be printed.

    The user name and password, secret-looking query values, and every
    path or host fragment that the redacted form leaves out (service tokens),
    each also in the half-masked forms apprise prints (`s...t`, `...cret`).
    """
    found = url_credentials(url)
    found |= {unquote(s) for s in found}
    private = unquote(redact(url))
    try:
        parts = urlsplit(url)
        located = parts.netloc + parts.path
    except ValueError:
        located = url.split("://", 1)[-1]
    for fragment in re.split(r"[/:@#]+", located):
        fragment = unquote(fragment)
        if len(fragment) >= _MIN_SECRET and fragment not in private:
            found.add(fragment)
    found = {s for s in found if s}
    partial = {f"{s[0]}...{s[-1]}" for s in found if len(s) >= _MIN_SECRET}
    return found | partial | {f"...{s[-4:]}" for s in found if len(s) >= _MIN_SECRET}


def scrub(text: str, secrets: set[str]) -> str:
    """`text` with every secret and the credentials of any URL in it masked, longest secret first."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, MASK)
    return _USERINFO.sub(rf"\1{MASK}@", text)
