"""Keeping notification secrets out of logs, stored records and output.

Target URLs carry passwords and tokens (`mailto://user:PASS@host`,
`slack://TokenA/TokenB/TokenC`). Everything journeywatch logs or stores
names a target by its redacted form, and every message text that might
quote a URL passes through `scrub` with the secrets of the targets in play.
"""

from __future__ import annotations

import os
import re
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import apprise

MASK = "****"
_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_SECRET_KEYS = re.compile(r"(pass|secret|token|key|auth|sig|code|cred|webhook)", re.IGNORECASE)
_MIN_SECRET = 4  # shorter fragments are host parts and ports, not secrets


class MissingVariable(KeyError):
    """A `${NAME}` in a target names an environment variable that is not set."""


def expand(url: str, environ: dict[str, str] | None = None) -> str:
    """Replace `${NAME}` with the environment variable NAME, so tokens can stay out of config files."""
    env = os.environ if environ is None else environ

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in env:
            raise MissingVariable(name)
        return env[name]

    return _ENV.sub(value, url)


def _mask_path(path: str) -> str:
    """Mask path segments that may be tokens; keep `${NAME}` placeholders and short words (hook, api)."""
    segments = []
    for segment in path.split("/"):
        plain = _ENV.fullmatch(segment) or (len(segment) < 6 and segment.isalpha())
        segments.append(segment if plain or not segment else MASK)
    return "/".join(segments)


def _generic(url: str, mask_path: bool = True) -> str:
    """Mask the password, token-like path segments and secret-looking query values, by the URL's parts alone."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            userinfo, host = netloc.rsplit("@", 1)
            user = userinfo.split(":", 1)[0]
            netloc = f"{user}:{MASK}@{host}" if ":" in userinfo else f"{MASK}@{host}"
        query = "&".join(
            f"{quote(k)}={MASK if _SECRET_KEYS.search(k) else quote(v)}"
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
        )
        path = _mask_path(parts.path) if mask_path else parts.path
        out = f"{parts.scheme}://{netloc}{path}"
        return f"{out}?{query}" if query else out
    except ValueError:
        return url.split("://", 1)[0] + "://" + MASK


def redact(url: str) -> str:
    """A target URL safe to log and store: apprise's own privacy form when it knows the service.

    `${NAME}` placeholders are kept as written (they are not secrets); only
    literal secrets are masked.
    """
    if url.lower().startswith("file://"):
        return _generic(url, mask_path=False)  # a local file path is no secret
    if _ENV.search(url):
        return _generic(url)  # placeholders are not secrets; literal tokens beside them are masked
    try:
        plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
    except Exception:  # apprise may reject a URL in ways of its own: fall back to the generic form
        plugin = None
    if plugin:
        # Both passes: apprise masks service tokens, the generic pass query values apprise keeps.
        return _generic(plugin.url(privacy=True), mask_path=False)
    return url.split("://", 1)[0] + "://" + MASK  # unknown to apprise: any part may be a token


def secrets_in(url: str) -> set[str]:
    """The fragments of an (expanded) target that must never be printed.

    The password, secret-looking query values, and every path or host
    fragment that apprise's privacy form leaves out (service tokens).
    """
    found: set[str] = set()
    try:
        parts = urlsplit(url)
        if parts.password:
            found.add(parts.password)
            found.add(unquote(parts.password))
        for key, value in parse_qsl(parts.query, keep_blank_values=True):
            if _SECRET_KEYS.search(key) and value:
                found.add(value)
    except ValueError:
        pass
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
    return {s for s in found if s}


def scrub(text: str, secrets: set[str]) -> str:
    """`text` with every secret replaced by the mask, longest first (one may contain another)."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, MASK)
    return text
