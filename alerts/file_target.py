"""The `file://` notification target: append each notification to a local file.

Registered with apprise's custom-notification decorator, so a file target
goes through the same delivery path (retries, results, redaction) as email
or a webhook. `file://out/alerts.log` is relative to the working directory
(the config loader anchors it at the config file), `file:///var/log/jw.log`
absolute. Importing this module registers it.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from apprise.conversion import convert_between
from apprise.common import NotifyFormat
from apprise.decorators import notify

_lock = threading.Lock()


def apprise_file_url(url: str) -> str:
    """`url` as apprise must be given it: apprise drops the empty host of `file:///abs`, making it relative,
    so an absolute path's first slash is written `%2F`."""
    if url.lower().startswith("file:///"):
        return "file://%2F" + url[len("file:///"):]
    return url


def file_path(url: str) -> Path:
    """The file a `file://` target names: relative to the working directory unless absolute."""
    rest = url.split("://", 1)[1].split("?", 1)[0].split("#", 1)[0]
    return Path(unquote(rest))


@notify(on="file", name="journeywatch file")
def _append(body: str, title: str, notify_type: Any, body_format: Any = None, meta: dict[str, Any] | None = None,
            *args: Any, **kwargs: Any) -> bool:
    """Append one notification, as plain text, to the target's file (parents created)."""
    url = (meta or {}).get("url", "")
    path = file_path(url)
    if str(body_format) in (NotifyFormat.HTML, "html"):
        body = convert_between(NotifyFormat.HTML, NotifyFormat.TEXT, body)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    kind = getattr(notify_type, "value", notify_type)
    entry = f"=== {stamp} [{kind}] {title}\n{body.rstrip()}\n\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _lock, path.open("a", encoding="utf-8") as handle:
            handle.write(entry)
    except OSError as exc:  # raised, apprise said only "An exception occured sending a journeywatch file notification."
        # apprise's logger, where delivery collects each attempt's reason from (alerts/notify.py).
        logging.getLogger("apprise").warning("cannot write %s: %s", exc.filename or path, exc.strerror or exc)
        return False
    return True
