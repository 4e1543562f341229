"""Alerts: spike detection on negative share-stage talk, alert state, and notification delivery.

`check_alerts` is what the monitor calls after classifying; `deliver` sends
any notification (the digest uses it too) through apprise.
"""

from .alert import Alert, EvidenceItem
from .check import check_alerts, ended_failures, held_back
from .detector import Series, Verdict, evaluate
from .notify import DeliveryResult, deliver
from .redact import redact
from .state import alert_brands, alerts_between, recent_alerts
from .tracking import OpenSpike, SpikeEvent, track

__all__ = [
    "Alert",
    "DeliveryResult",
    "EvidenceItem",
    "OpenSpike",
    "Series",
    "SpikeEvent",
    "Verdict",
    "alert_brands",
    "alerts_between",
    "check_alerts",
    "deliver",
    "ended_failures",
    "evaluate",
    "held_back",
    "recent_alerts",
    "redact",
    "track",
]
