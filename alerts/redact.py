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
from journeywatch.settings.alerts import apprise_quiet

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


# apprise's privacy form keeps a token's first and last character (`tgram://1...w/`, `discord://4...8/J...s/`):
# two characters of a secret, in every line that names the target.
_HALF_MASKED = re.compile(r"[^/:@?&=#\s]\.\.\.[^/:@?&=#\s]")
# Services whose topic names are the secret: anyone who knows an ntfy topic can read and post to it.
_TOPIC_SCHEMES = frozenset({"ntfy", "ntfys"})


def _mask_topics(shown: str, plugin: object) -> str:
    """`shown` with the plugin's topic names masked, for the services whose topics are secret (ntfy)."""
    topics = {str(topic) for topic in getattr(plugin, "topics", None) or []}
    try:
        parts = urlsplit(shown)
    except ValueError:
        return shown
    if parts.scheme.lower() not in _TOPIC_SCHEMES or not topics:
        return shown
    netloc = parts.netloc
    host = netloc.rsplit("@", 1)[-1]
    if host in topics:  # ntfy://topic: the cloud service, the topic written where the host goes
        netloc = netloc[: len(netloc) - len(host)] + MASK
    path = "/".join(MASK if unquote(segment) in topics else segment for segment in parts.path.split("/"))
    return parts._replace(netloc=netloc, path=path).geturl()


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
        shown = _HALF_MASKED.sub(MASK, plugin.url(privacy=True))
        return _generic(_mask_topics(_written_options_only(shown, url), plugin))
    return url.split("://", 1)[0] + "://" + MASK  # unknown to apprise: any part may be a token


def _in_address(name: str) -> str:
    """The form of a secret that is masked only where it is a user name: before an '@' (see `scrub`)."""
    return f"{name}@"


def _credentials(url: str) -> set[str]:
    """The user name, password and secret query values, each as masked everywhere or only in an address.

    A user name that is a plain word (`alerts`, `brand`) or any credential
    shorter than `_MIN_SECRET` masked everywhere cut that word out of every
    line: 'the alerts could not be...' read 'the **** could not be...', and a
    one-letter user turned 'mail server' into 'm****il server'. Those are masked
    where they name a user, before an '@'; a URL's user info is masked whole
    anyway. Passwords and tokens of any letters are masked everywhere.
    """
    try:
        parts = urlsplit(url)
        user = parts.username
    except ValueError:
        return set()
    found = set()
    for secret in url_credentials(url):
        for form in {secret, unquote(secret)}:
            weak = len(form) < _MIN_SECRET or (form == user or form == unquote(user or "")) and not _is_token(form)
            found.add(_in_address(form) if weak else form)
    return found


def secrets_in(url: str) -> set[str]:
    """The fragments of an (expanded) target that must never be printed.

    The user name and password, secret-looking query values, and every
    path or host fragment that the redacted form leaves out (service tokens),
    each also in the half-masked forms apprise prints (`s...t`, `...cret`).
    A form ending in '@' is masked only before an '@' (`_credentials`).
    """
    found = _credentials(url)
    private = unquote(redact(url))
    try:
        parts = urlsplit(url)
        located = parts.netloc.rsplit("@", 1)[-1] + parts.path  # the user info is in `found` already
    except ValueError:
        located = url.split("://", 1)[-1]
    for fragment in re.split(r"[/:@#]+", located):
        fragment = unquote(fragment)
        if len(fragment) >= _MIN_SECRET and fragment not in private:
            found.add(fragment)
    found = {s for s in found if s}
    whole = {s for s in found if not s.endswith("@") and len(s) >= _MIN_SECRET}
    partial = {f"{s[0]}...{s[-1]}" for s in whole}
    return found | partial | {f"...{s[-4:]}" for s in whole}


def scrub(text: str, secrets: set[str]) -> str:
    """`text` with every secret and the credentials of any URL in it masked, longest secret first."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret.endswith("@") and len(secret) > 1:
            text = re.sub(rf"(?<![\w.+-]){re.escape(secret[:-1])}(?=@)", MASK, text)
        elif secret:
            text = text.replace(secret, MASK)
    return _USERINFO.sub(rf"\1{MASK}@", text)
