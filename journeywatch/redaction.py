"""Masking the secrets a URL carries, for every message, log line and stored value that names one.

Feed URLs (`https://user:pass@host/feed?token=...`) and notification targets
(`mailto://user:PASS@host`, `json://host/hook?apikey=...`) both hold
credentials in their user info and in query values whose names say so. The
listeners and the alerts mask them alike, with what is here.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Collection
from urllib.parse import parse_qsl, quote, urlsplit

MASK = "****"
# Query names whose values are credentials: ?token=, ?api_key=, ?password=, ?pwd=, ?session=, ?jwt=...
SECRET_QUERY_KEY = re.compile(r"pass|pwd|secret|token|key|auth|sig|code|cred|session|webhook|jwt|private",
                              re.IGNORECASE)


def masked_url(url: str, mask_path: Callable[[str], str] = lambda path: path) -> str:
    """`url` with its user info and secret query values masked (and its path through `mask_path`).

    The host and the other parts stay, so a message still says which feed or target it is;
    a URL that cannot even be split shows no more than its scheme.
    """
    try:
        parts = urlsplit(url)
        netloc = f"{MASK}@{parts.netloc.rsplit('@', 1)[1]}" if "@" in parts.netloc else parts.netloc
        query = "&".join(f"{quote(k)}={MASK if SECRET_QUERY_KEY.search(k) else quote(v)}"
                         for k, v in parse_qsl(parts.query, keep_blank_values=True))
    except ValueError:
        return url.split("://", 1)[0] + "://" + MASK
    out = f"{parts.scheme}://{netloc}{mask_path(parts.path)}"
    return f"{out}?{query}" if query else out


def url_credentials(url: str) -> set[str]:
    """The user name, password and secret query values written in `url` (empty for one that cannot be split)."""
    try:
        parts = urlsplit(url)
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        found = {parts.username, parts.password}
    except ValueError:
        return set()
    found |= {value for key, value in pairs if SECRET_QUERY_KEY.search(key)}
    return {s for s in found if s}


def without_values(text: str, secrets: Collection[str]) -> str:
    """`text` with each of `secrets` (values known to be secret, say those of a URL's `${NAME}`s) masked, as
    written and URL-encoded, wherever it stands: a token in a URL's path is masked by no rule of the URL's parts.

    Values under four characters are left, as `_hide` leaves them: masking every '1' would garble the message.
    """
    forms = {form for secret in secrets if len(secret) >= 4 for form in (secret, quote(secret, safe=""))}
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, MASK)
    return text


class LogScrubber(logging.Filter):
    """Rewrites the records of a library's logger that may quote a secret, through `clean(message, secrets)`.

    The secrets are learnt as they are met (`add`): those of the URLs about to be used, which the
    library then logs as written (apprise's delivery lines, httpx's request lines).
    """

    def __init__(self, clean: Callable[[str, set[str]], str]) -> None:
        super().__init__()
        self.clean = clean
        self.secrets: set[str] = set()
        self.lock = threading.Lock()

    def add(self, secrets: Collection[str]) -> None:
        with self.lock:
            self.secrets.update(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.clean(message, self.secrets)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
