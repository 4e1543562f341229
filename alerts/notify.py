"""Delivering a notification to every configured target, through apprise.

apprise already speaks email, Slack, Teams, generic JSON webhooks and many
more; this module adds what an unattended monitor needs around it: one
result per target, retries with backoff, `${ENV_VAR}` expansion so tokens
stay in the environment, and redaction so a target's secrets never reach a
log line, a stored record or the terminal. `file://` targets append to a
local file (see `file_target`).
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import apprise

from journeywatch.redaction import LogScrubber
from journeywatch.settings.alerts import MissingVariable, expand_url, notify_url_problem

from . import file_target  # importing it registers the file:// target with apprise
from .redact import redact, scrub, secrets_in

logger = logging.getLogger("journeywatch.alerts")

_FORMATS = {"html": apprise.NotifyFormat.HTML, "markdown": apprise.NotifyFormat.MARKDOWN,
            "text": apprise.NotifyFormat.TEXT}
_TYPES = {"info": apprise.NotifyType.INFO, "warning": apprise.NotifyType.WARNING,
          "success": apprise.NotifyType.SUCCESS, "failure": apprise.NotifyType.FAILURE}

# apprise schemes whose messages are emails (HTML bodies with attachments).
EMAIL_SCHEMES = frozenset({"mailto", "mailtos", "email", "ses", "sendgrid", "mailgun", "sparkpost", "smtp2go",
                           "resend", "brevo", "o365", "azure"})
# Targets that get the body as data, where no one is pinged and nothing renders: left as they are.
_DATA_SCHEMES = frozenset({"json", "jsons", "xml", "xmls", "form", "forms", "file"})
_ZWSP = "\u200b"
# A mention: '@' starting a word (@everyone, @here, @channel, <@123>, <@&456>, &lt;@123&gt;), not the '@'
# of an e-mail address or a URL path (https://mastodon.social/@user/1); and Slack's <!channel>, <!here>.
_MENTION = re.compile(r"(?<![\w/=.+-])@(?=[\w&])|(?:<|&lt;)\\?!(?=\w)")
_HTML_LINK = re.compile(r"\](?=\()")


def chat_safe(body: str, body_format: str) -> str:
    """`body` with mentions and Markdown links from quoted posts made inert, for a chat target.

    A post quoting `@everyone` (or `<@id>`, `<!channel>`) would ping a whole
    Discord or Mattermost channel when a digest or alert carrying it is
    posted; a zero-width space after the '@' (or '!') keeps the text as it
    reads and breaks the mention. An HTML body (an alert) is converted to
    Markdown by apprise, where a post's `[label](url)` would become a live,
    disguised link: a zero-width space between ']' and '(' stops that (our
    own links are `<a>` tags there; the digest's Markdown escapes posts already).
    """
    body = _MENTION.sub(lambda m: m.group() + _ZWSP, body)
    return _HTML_LINK.sub("]" + _ZWSP, body) if body_format == "html" else body


TITLE_LIMIT = 150  # characters: a subject line a mail client shows whole
# UTF-8 bytes: apprise encodes a non-ASCII subject as one unfolded quoted-printable word, three characters
# a byte, and a header line past 998 characters is refused by the mail server (RFC 5321).
TITLE_BYTES = 300
_BREAKS = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def title_line(title: str, limit: int = TITLE_LIMIT) -> str:
    """`title` as one line of at most `limit` characters, for a mail subject or a chat title.

    A title carries a brand name or the config's `digest.subject`: a line
    break in it made Python's mail library refuse the message (apprise said
    only 'Unhandled Notification Exception', after every retry), and a long
    non-ASCII one, encoded, made a header line the mail server refused
    ('500 Line too long').
    """
    line = _BREAKS.sub(" ", title).strip()
    if len(line) <= limit and len(line.encode("utf-8")) <= TITLE_BYTES:
        return line
    line = line[: limit - 1]
    while len(line.encode("utf-8")) > TITLE_BYTES - len("…".encode("utf-8")):
        line = line[:-1]
    return line.rstrip() + "…"


def is_email(url: str) -> bool:
    """A target whose messages are e-mails (an HTML body with attachments)."""
    return urlsplit(url).scheme.lower() in EMAIL_SCHEMES


def is_chat(url: str) -> bool:
    """A target that renders what it gets for people (Slack, Discord, Teams...): not e-mail, not raw data."""
    return not is_email(url) and urlsplit(url).scheme.lower() not in _DATA_SCHEMES


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """How delivery to one target went; `target` is the redacted URL, safe to show and store.

    `permanent` marks a failure no retry can mend (a URL apprise cannot load,
    an unset variable): it was not retried.
    """

    target: str
    ok: bool
    attempts: int
    error: str | None
    at: datetime
    permanent: bool = False

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["at"] = self.at.isoformat()
        return data


def _scrubbed(message: str, secrets: set[str]) -> str:
    """`message` with every known target secret masked, for the loggers that may quote a target's URL.

    apprise's own lines print credentials half-masked (`s...t`); `secrets_in`
    lists those forms too, so nothing of them gets through.
    """
    return scrub(message, secrets) if secrets else message


_scrubber = LogScrubber(_scrubbed)
for _name in ("apprise", "urllib3.connectionpool", "requests", "journeywatch.alerts"):
    logging.getLogger(_name).addFilter(_scrubber)


class _Reasons(logging.Filter):
    """Collects, during one attempt, what apprise says went wrong: its warnings and the error beneath them.

    The warnings are kept off the log: they become the delivery's reason, and
    under `run` (Prefect's console handler) each was printed beside it.

    apprise reports any SMTP failure as 'Connection error while submitting
    email' (a warning) and the server's answer, say `535 Authentication
    credentials invalid`, only in a debug line. While an attempt runs the
    apprise logger is lowered to DEBUG with this filter on it: it keeps the
    warnings and that error, and lets through only the records that would
    have been logged anyway.
    """

    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level
        self.lines: list[str] = []
        self.errors: list[str] = []

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            self.lines.append(record.getMessage())
            return False  # it is the delivery's reason, logged and returned with it: shown once, not twice
        if record.getMessage().startswith("Socket Exception: "):
            self.errors.append(record.getMessage().removeprefix("Socket Exception: "))
        return record.levelno >= self.level


# smtplib's error as apprise logs it: "(535, b'5.7.8 Authentication credentials invalid')".
_SMTP_ERROR = re.compile(r"^\((\d{3}), b?['\"](.*)['\"]\)$")
_SMTP_AUTH_CODES = frozenset({"530", "534", "535"})
# apprise ends a refused web request's warning with "error=401."; a 4xx other than these says the URL,
# its token or the payload is wrong, which no retry mends (and retrying a bad token can get it revoked).
_HTTP_ERROR = re.compile(r"error=(\d{3})\b")
_HTTP_TRANSIENT_4XX = frozenset({"408", "425", "429"})


_GENERIC = re.compile(r"^(Failed to send .* notification|An exception occured sending .* notification)\.?$")
# urllib3's words beneath apprise's "A Connection error occurred ...", as what happened and where.
_REFUSED = re.compile(r"host='([^']+)', port=(\d+)\): Failed to establish a new connection: "
                      r"\[Errno -?\d+\] Connection refused")
_UNRESOLVED = re.compile(r"Failed to resolve '([^']+)'")
_TIMED_OUT = re.compile(r"host='([^']+)', port=(\d+)\).*(?:timed out|Timeout)", re.IGNORECASE)


# apprise's SMTP failure: 'Connection error while submitting email to "host"; [Errno 111] Connection refused'.
_MAIL_HOST = re.compile(r'submitting email to "([^"]+)"; (?:\[Errno -?\d+\] )?(.*)$')
_UNKNOWN_HOST = ("Name or service not known", "nodename nor servname", "Temporary failure in name resolution",
                 "No address associated with hostname")


def _network_reason(text: str) -> str | None:
    """A refused connection, an unknown host or a timeout in a few words, instead of urllib3's
    `HTTPConnectionPool(...): Max retries exceeded with url: ... (Caused by NewConnectionError(...))`."""
    if match := _MAIL_HOST.search(text):
        host, cause = match[1], match[2]
        if "Connection refused" in cause:
            return f"connection refused by the mail server {host}: nothing listens there (check its host and port)"
        if any(words in cause for words in _UNKNOWN_HOST):
            return f"mail server {host} could not be resolved (a mistyped host name, or no DNS here)"
        if "timed out" in cause.lower():
            return f"no answer from the mail server {host} in time (timed out)"
        return None
    if match := _REFUSED.search(text):
        return f"connection refused by {match[1]}:{match[2]}: nothing listens there (is the receiver running?)"
    if match := _UNRESOLVED.search(text):
        return f"host {match[1]} could not be resolved (a mistyped host name, or no DNS here)"
    if match := _TIMED_OUT.search(text):
        return f"no answer from {match[1]}:{match[2]} in time (timed out)"
    return None


def _reason(reasons: _Reasons) -> tuple[str, bool]:
    """The failure in words, and whether it is permanent (retrying cannot mend it)."""
    for error in reasons.errors:
        match = _SMTP_ERROR.match(error)
        if match and (match[1] in _SMTP_AUTH_CODES or "authentication" in match[2].lower()):
            return (f"authentication failed: the mail server refused the user name or password "
                    f"({match[1]} {match[2]}); check the credentials in the mailto:// URL"), True
    if any("AUTH extension not supported" in error for error in reasons.errors):
        return ("the mail server offers no login (SMTP AUTH) on this connection; drop the user name and "
                "password from the mailto:// URL, or connect as the server wants (mode=starttls or mode=ssl)"), True
    lines = list(dict.fromkeys(reasons.lines))
    said = [line for line in lines if not _GENERIC.match(line)]  # apprise's closing words add nothing to a reason
    lines = said or lines
    detail = [e for e in dict.fromkeys(reasons.errors) if e not in lines]
    text = "; ".join(lines + detail) or "apprise reported a failure"
    if network := _network_reason(text):
        return network, False
    for line in lines:
        match = _HTTP_ERROR.search(line)
        if match and match[1].startswith("4") and match[1] not in _HTTP_TRANSIENT_4XX:
            return (f"{text} (the server refused the request with HTTP {match[1]}, which retrying cannot mend; "
                    f"check the target URL and its token)"), True
    return text, False


def _attempt(target: apprise.Apprise, title: str, body: str, body_format: str, notify_type: str,
             attachments: list[Path] | None) -> tuple[bool, str | None, bool]:
    """One try: (sent, why not, whether retrying is pointless)."""
    attach = apprise.AppriseAttachment([str(p) for p in attachments]) if attachments else None
    apprise_logger = logging.getLogger("apprise")
    level = apprise_logger.level
    reasons = _Reasons(apprise_logger.getEffectiveLevel())
    apprise_logger.addFilter(reasons)
    apprise_logger.setLevel(logging.DEBUG)
    try:
        ok = target.notify(body=body, title=title, body_format=_FORMATS[body_format],
                           notify_type=_TYPES.get(notify_type, apprise.NotifyType.INFO), attach=attach)
    except Exception as exc:  # a plugin raising is one more way for a target to fail; keep the others going
        return False, f"{type(exc).__name__}: {exc}", False
    finally:
        apprise_logger.setLevel(level)
        apprise_logger.removeFilter(reasons)
    if ok:
        return True, None, False
    error, permanent = _reason(reasons)
    return False, error, permanent


def _target_secrets(url: str) -> set[str]:
    """What to mask in a target's failure reasons and apprise's lines: `secrets_in`, less a web URL's host.

    Slack's and Discord's webhooks, written as handed out (`https://hooks.slack.com/services/...`), are
    redacted to apprise's `slack://****/...`; the host, left out of that form, was then masked as a token,
    and a Slack that could not be reached read 'host **** could not be resolved'. The host of an
    http(s):// address is a public DNS name, never a token.
    """
    secrets = secrets_in(url)
    try:
        parts = urlsplit(url)
        host = parts.hostname if parts.scheme.lower() in ("http", "https") else None
    except ValueError:
        return secrets
    if not host:
        return secrets
    public = {host, f"{host[0]}...{host[-1]}", f"...{host[-4:]}"}
    return {secret for secret in secrets if secret.lower() not in public}


READ_TIMEOUT = 15.0  # seconds to wait for a target's answer once the request is sent, unless its URL sets rto=


def _patient(target: apprise.Apprise, url: str) -> None:
    """Wait `READ_TIMEOUT` for an answer, not apprise's 4 s, unless the URL says (`?rto=`).

    A webhook that answered after 5 s had the alert, yet the send counted as failed: it was sent 4 times
    (retries 3) and again at every later check. A read timeout cannot tell a slow receiver from a lost
    request; waiting longer makes it rarer, at the cost of a hung target taking longer to give up on.
    """
    try:
        query = urlsplit(url).query.lower()
    except ValueError:
        return
    if any(pair.split("=", 1)[0] == "rto" for pair in query.split("&")):
        return
    for server in target:
        if isinstance(getattr(server, "socket_read_timeout", None), (int, float)):
            server.socket_read_timeout = max(server.socket_read_timeout, READ_TIMEOUT)


def deliver(
    urls: list[str],
    title: str,
    body: str,
    body_format: str = "html",
    attachments: list[Path] | None = None,
    retries: int = 3,
    *,
    notify_type: str = "info",
    backoff: float = 1.0,
    shown_as: list[str] | None = None,
) -> list[DeliveryResult]:
    """Send one notification to every target; one result per target, in order.

    A failing target is tried again up to `retries` times, waiting
    `backoff`, 2×`backoff`, 4×`backoff`... seconds between attempts; it never
    stops the other targets. A target that cannot succeed on retry (a URL
    apprise cannot load, an unset `${NAME}`) is recorded as a permanent
    failure at once, with the reason. `body_format` is "html", "markdown" or "text".
    Chat targets get the body through `chat_safe`, so a quoted post pings no one.
    The title goes as one line of at most `TITLE_LIMIT` characters and `TITLE_BYTES` bytes (`title_line`).
    Results and log lines name targets by their redacted URL only: the URL in `shown_as` at the same
    place where given, for a caller that adds to the URL it sends what the config does not say (the
    digest's `inline=yes`, which named the target in the retry warnings and not in the outcome).
    """
    if body_format not in _FORMATS:
        raise ValueError(f"body_format must be one of {sorted(_FORMATS)}, not {body_format!r}")
    title = title_line(title)
    results = []
    for template, name in zip(urls, urls if shown_as is None else shown_as, strict=True):
        shown = redact(name)
        try:
            url = expand_url(template)
        except MissingVariable as missing:
            error = f"environment variable {missing.args[0]} is not set"
            logger.info("notification to %s not sent: %s", shown, error)
            results.append(DeliveryResult(shown, False, 0, error, datetime.now(timezone.utc), permanent=True))
            continue
        secrets = _target_secrets(url)
        _scrubber.add(secrets)
        target = apprise.Apprise()
        if not target.add(file_target.apprise_file_url(url)):
            error = notify_url_problem(url) or "apprise cannot load this URL"
            logger.info("notification to %s not sent, not retried: %s", shown, error)
            results.append(DeliveryResult(shown, False, 0, error, datetime.now(timezone.utc), permanent=True))
            continue
        _patient(target, url)
        ok, error, attempts, permanent = False, None, 0, False
        text = chat_safe(body, body_format) if is_chat(url) else body
        for attempt in range(retries + 1):
            attempts = attempt + 1
            ok, error, permanent = _attempt(target, title, text, body_format, notify_type, attachments)
            if ok:
                break
            error = scrub(error or "", secrets)
            if permanent:  # wrong credentials stay wrong; more tries could lock the account
                break
            if attempt < retries:
                wait = backoff * 2**attempt
                logger.warning("notification to %s failed (attempt %d of %d): %s; retrying in %.1f s",
                               shown, attempts, retries + 1, error, wait)
                time.sleep(wait)
        # The outcome is logged quietly: it is returned, and every caller shows it (`alerts check`, `digest`,
        # `run`'s summary, the flows' run logs); as a warning it was printed a second time beside theirs.
        if ok:
            logger.info("notification sent to %s (attempt %d)", shown, attempts)
        elif permanent:
            logger.info("notification to %s failed, not retried: %s", shown, error)
        else:
            logger.info("notification to %s failed after %d attempts: %s", shown, attempts, error)
        results.append(DeliveryResult(shown, ok, attempts, None if ok else error, datetime.now(timezone.utc),
                                      permanent=permanent))
    return results
