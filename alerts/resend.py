"""Sending again, at a later check, an alert that a target did not get.

A delivery that failed after its retries (the receiver was down, the mail
server refused the connection) was recorded and then forgotten: the alert
never arrived, even once the target was back. Each check now first looks at
the brand's recent alerts (`RESEND_FOR`) and sends each one, once more, to
every configured target whose last attempt failed for a reason a retry can
mend. A target is named by its redacted URL, as the records store it, so
a password changed in the environment is the same target.

Exactly once: before sending, the check claims the (alert, target) pair by
appending a claim record with a compare-and-set on the length of the
alert's delivery list, so two checks running at once cannot both send it;
the outcome then replaces the claim. A claim older than `CLAIM_EXPIRES` (a
check killed mid-send) no longer holds the pair, nor does one whose process,
on this machine, is gone: a check run straight after a killed one (SIGKILL,
SIGTERM, OOM) sends the alert at once, saying that a stopped check left the
send unfinished (the target may have it already), not that it failed. Permanent failures that
reached the target (a refused login, a revoked token's 401) are not sent
again: they need the config mended, and retrying a bad password can lock the
account; one that never left this machine (an unset `${NAME}`) is.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from journeywatch.settings import AlertSettings

from .alert import Alert, moment_text
from .message import late_note_html, message, unfinished_note_html
from .notify import DeliveryResult, deliver
from .redact import redact
from .state import change_deliveries, recent_alerts_since

logger = logging.getLogger("journeywatch.alerts")

RESEND_FOR = timedelta(days=3)  # an alert older than this is news no longer: it is not sent again
CLAIM_EXPIRES = timedelta(minutes=15)  # longer than one send with apprise's timeouts can take


@dataclass(frozen=True, slots=True)
class Resent:
    """One alert (or ended notice) sent again to one target at this check, and how it went."""

    alert_id: int
    brand: str
    kind: str  # "alert" or "ended"
    target: str  # redacted
    ok: bool
    error: str | None
    final: bool = False  # failed in a way no later check retries (it reached the target: a refused login, a 401)
    unfinished: bool = False  # no earlier outcome: the check sending it was stopped mid-send

    def note(self, alert: Alert, zone: str = "UTC") -> str:
        """The line `alerts check` and `run` print for it, its times in `zone` (`digest.timezone`)."""
        what = "ended notice for alert" if self.kind == "ended" else "alert"
        when = moment_text(alert.window_start, zone)
        if self.ok:
            had = "whose send a stopped check had left unfinished" if self.unfinished else "which had failed"
            return f"{self.brand}: {what} #{self.alert_id} (window from {when}) sent to {self.target}, {had}"
        head = f"{self.brand}: {what} #{self.alert_id} (window from {when}) still not delivered to {self.target}: "
        if self.final:  # said "tried again at each check" of a target that no check tries again
            return head + f"{self.error}; not tried again (mend the target in the config, and the next alert goes out)"
        until = alert.created_at + RESEND_FOR
        return head + f"{self.error} (tried again at each check until {moment_text(until, zone)})"


@dataclass(frozen=True, slots=True)
class Held:
    """A send of an alert (or ended notice) to a target that a check on another machine claimed and has not
    settled: this check leaves it until the claim lapses (`CLAIM_EXPIRES`), as it cannot see that process."""

    alert_id: int
    brand: str
    kind: str  # "alert" or "ended"
    target: str  # redacted
    host: str  # the claim's machine, as `_machine` names it
    pid: int | None
    since: datetime

    def note(self, alert: Alert, zone: str = "UTC") -> str:
        """The line `alerts check` and `run` print for it: 15 minutes of silence read as nothing pending."""
        what = "ended notice for alert" if self.kind == "ended" else "alert"
        name = claim_machine(self.host)
        where = name + (" in another PID namespace" if name != self.host and name == socket.gethostname() else "")
        who = f"a check on {where}" + (f" (pid {self.pid})" if self.pid else "")
        return (f"{self.brand}: {what} #{self.alert_id} (window from {moment_text(alert.window_start, zone)}) "
                f"to {self.target} was claimed by {who} at {moment_text(self.since, zone)}, which has not said "
                "how the send went; this machine cannot see that check, so the first check from "
                f"{moment_text(self.since + CLAIM_EXPIRES, zone)} sends it (the claim lapses after "
                f"{CLAIM_EXPIRES / timedelta(minutes=1):g} minutes), unless that check finishes first")


def held_elsewhere(deliveries: list[dict[str, Any]], kind: str, targets: list[str],
                   now: datetime) -> list[dict[str, Any]]:
    """The claims of `kind`, on targets configured now (redacted), that hold the send for a check on another
    machine (or PID namespace): fresh, and not known to be gone, as no process there can be looked up."""
    return [record for record in deliveries
            if record.get("kind") == f"{kind}-claim" and record.get("target") in targets
            and record.get("host") != _machine() and _fresh(record, now)]


def claim_record(kind: str, target: str, now: datetime) -> dict[str, Any]:
    """The record that says a check is sending `kind` to `target` (redacted) now, and which process it is."""
    return {"kind": f"{kind}-claim", "target": target, "at": now.isoformat(), "host": _machine(),
            "pid": os.getpid()}


def claim_machine(host: str) -> str:
    """The machine's name in a claim's `host` (`_machine`), without its PID namespace."""
    return host.partition(" pidns:")[0]


def _machine() -> str:
    """This machine's name, and where there are PID namespaces, this one's: the space a claim's pid is read in.

    Two containers may share a host name yet not see each other's processes: by the name alone, a claim
    made in the other looked gone, and its alert was sent twice.
    """
    try:
        return f"{socket.gethostname()} pidns:{os.stat('/proc/self/ns/pid').st_ino}"
    except OSError:
        return socket.gethostname()


def pending_targets(deliveries: list[dict[str, Any]], kind: str, targets: list[str], now: datetime) -> list[str]:
    """The redacted targets, of those configured now, that a check may send `kind` to.

    Those whose last attempt failed and can be retried, and those claimed by
    a check that never wrote an outcome (killed mid-send) once the claim is
    stale; never one a check is sending to now.
    """
    last: dict[str, dict[str, Any]] = {}
    claimed: set[str] = set()
    abandoned: set[str] = set()
    for record in deliveries:
        target = record.get("target", "")
        if record.get("kind") == kind:
            last[target] = record
        elif record.get("kind") == f"{kind}-claim":
            (claimed if _fresh(record, now) else abandoned).add(target)
    return [target for target in targets if target not in claimed and (
        _retryable(last[target]) if target in last else target in abandoned)]


def _retryable(record: dict[str, Any]) -> bool:
    """A failure a later check may mend: any but a permanent one that reached the target.

    A permanent failure with no attempt never left this machine (a `${NAME}`
    unset in cron's environment, a URL apprise could not load): trying again
    once the environment or the config is mended costs nothing and locks no
    account, unlike a refused login or a revoked token's 401.
    """
    return not record.get("ok") and (not record.get("permanent") or not record.get("attempts"))


def _fresh(record: dict[str, Any], now: datetime) -> bool:
    """A claim that may still be sending: under `CLAIM_EXPIRES` old, made by no process gone from this machine."""
    try:
        recent = now - datetime.fromisoformat(record["at"]) < CLAIM_EXPIRES
    except (KeyError, TypeError, ValueError):
        return False
    return recent and not _gone(record)


def _gone(record: dict[str, Any]) -> bool:
    """Whether the process that made a claim is known to be gone: it ran on this machine and is not running.

    A claim from another machine, or from a process this one cannot see, is not known to be gone: it holds
    the send until it expires.
    """
    pid = record.get("pid")
    if record.get("host") != _machine() or not isinstance(pid, int) or pid <= 0 or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # another user's process (PermissionError): it is running
        return False
    return False


def claim_delivery(engine: Engine, alert_id: int, kind: str, target: str, now: datetime) -> bool:
    """Claim (alert, target) for this check: False when it is no longer pending (another check has it or sent it)."""
    def claim(stored: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
        if target not in pending_targets(stored, kind, [target], now):
            return None
        return stored + [claim_record(kind, target, now)]

    return change_deliveries(engine, alert_id, claim) is not None


def settle_claims(engine: Engine, alert_id: int, kind: str, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A fresh alert's outcomes in place of the claims stored with it; returns the alert's full list."""
    targets = {record["target"] for record in records}

    def settle(stored: list[dict[str, Any]]) -> list[dict[str, Any]]:
        kept = [r for r in stored if not (r.get("kind") == f"{kind}-claim" and r.get("target") in targets)]
        return kept + records

    settled = change_deliveries(engine, alert_id, settle)
    assert settled is not None
    return settled


def settle_delivery(engine: Engine, alert_id: int, kind: str, target: str, result: dict[str, Any]) -> None:
    """Replace the claim by the outcome: a success is a record of its own (`resent`), a failure updates the last one.

    Folding a failure into the failed record keeps an alert's list short while
    its target stays down for days (a record per hourly check otherwise).
    """
    def settle(stored: list[dict[str, Any]]) -> list[dict[str, Any]]:
        kept = [r for r in stored if not (r.get("kind") == f"{kind}-claim" and r.get("target") == target)]
        earlier = [i for i, r in enumerate(kept) if r.get("kind") == kind and r.get("target") == target]
        if result["ok"] or not earlier:  # the first outcome of a send a killed check left claimed
            return kept + [{"kind": kind, **result, "resent": True}]
        last = earlier[-1]
        failed = kept[last]
        kept[last] = {**failed, **result, "attempts": failed.get("attempts", 0) + result["attempts"],
                      "first_at": failed.get("first_at") or failed.get("at")}
        return kept

    change_deliveries(engine, alert_id, settle)


def resend_failed(engine: Engine, brand: str, settings: AlertSettings, now: datetime, zone: str = "UTC",
                  held: list[tuple[Held, Alert]] | None = None) -> list[tuple[Resent, Alert]]:
    """Send the brand's recent alerts to the targets that did not get them; one try each, oldest alert first.
    Their times are written in `zone` (`digest.timezone`). The sends a check on another machine holds
    (`held_elsewhere`) are added to `held`, for the caller to say why they wait.

    A target that fails again is not tried for the brand's other alerts in
    this check: it is still down, and each try would wait for its timeout.
    """
    if not settings.notify:
        return []
    shown = {redact(template): template for template in settings.notify}
    kinds = ["alert", "ended"] if settings.notify_ended else ["alert"]
    down: set[str] = set()
    done: list[tuple[Resent, Alert]] = []
    for alert in recent_alerts_since(engine, brand, now - RESEND_FOR):
        for kind in kinds:
            if kind == "ended" and alert.status != "ended":
                continue
            for record in held_elsewhere(alert.deliveries, kind, list(shown), now) if held is not None else []:
                held.append((_held(alert, kind, record), alert))
            for target in pending_targets(alert.deliveries, kind, list(shown), now):
                if target in down or not claim_delivery(engine, alert.id, kind, target, now):
                    continue
                unfinished = _unfinished(alert.deliveries, kind, target)
                result = _send(alert, kind, target, shown[target], unfinished, zone)
                settle_delivery(engine, alert.id, kind, target, result.as_dict())
                if not result.ok:
                    down.add(target)
                final = not result.ok and not _retryable(result.as_dict())
                done.append((Resent(alert.id, brand, kind, target, result.ok, result.error, final,
                                    unfinished is not None), alert))
    return done


def _held(alert: Alert, kind: str, claim: dict[str, Any]) -> Held:
    pid = claim.get("pid")
    return Held(alert.id, alert.brand, kind, str(claim.get("target")), str(claim.get("host")),
                pid if isinstance(pid, int) else None, datetime.fromisoformat(claim["at"]))


def _unfinished(deliveries: list[dict[str, Any]], kind: str, target: str) -> str | None:
    """When a check stopped mid-send claimed `kind` for `target`, where no outcome was ever written; else None."""
    if any(d.get("kind") == kind and d.get("target") == target for d in deliveries):
        return None
    return next((d.get("at") for d in deliveries if d.get("kind") == f"{kind}-claim" and d.get("target") == target),
                None)


def _send(alert: Alert, kind: str, target: str, url: str, unfinished: str | None, zone: str) -> DeliveryResult:
    """One try, no backoff: the next check is the next retry. `unfinished`: when a stopped check claimed it."""
    first = next((d.get("first_at") or d.get("at") for d in alert.deliveries
                  if d.get("kind") == kind and d.get("target") == target), None)
    title, body, notify_type = message(alert, kind, zone)
    opening = unfinished_note_html(unfinished, zone) if unfinished else late_note_html(first, zone)
    [result] = deliver([url], title, opening + body, "html", retries=0, notify_type=notify_type)
    logger.info("alert %d sent again to %s: %s", alert.id, result.target, "ok" if result.ok else result.error)
    return result
