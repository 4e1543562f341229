"""Acceptance: a Slack webhook that cannot be reached names its host, and still none of its tokens.

Found by rehearsing the README on a machine without DNS: `alerts check` said "not delivered to
slack://****/****/****//: host **** could not be resolved", and the masked host was hooks.slack.com.
"""

from __future__ import annotations

from journeywatch.alerts.notify import _network_reason, _target_secrets
from journeywatch.alerts.redact import scrub

SLACK = "https://hooks.slack.com/services/T0H7TEAM/B0H7HOOK/h7SlackWebhookToken42"


def test_an_unresolved_slack_host_is_named() -> None:
    reason = _network_reason("HTTPSConnectionPool(host='hooks.slack.com', port=443): Max retries exceeded "
                             "(Caused by NameResolutionError(\"Failed to resolve 'hooks.slack.com' "
                             "([Errno -2] Name or service not known)\"))")
    assert scrub(reason or "", _target_secrets(SLACK)) == (
        "host hooks.slack.com could not be resolved (a mistyped host name, or no DNS here)")


def test_the_tokens_of_a_web_address_stay_masked() -> None:
    line = f"Failed to send to {SLACK}: T0H7TEAM B0H7HOOK h7SlackWebhookToken42 h...2 T...M"
    shown = scrub(line, _target_secrets(SLACK))
    for token in ("T0H7TEAM", "B0H7HOOK", "h7SlackWebhookToken42", "h...2", "T...M"):
        assert token not in shown
    assert "hooks.slack.com" in shown


def test_a_host_that_is_a_token_stays_masked() -> None:
    """In apprise's own schemes the host is often the token (`slack://T.../B.../...`, ntfy's topic)."""
    assert "T0H7TEAM" in _target_secrets("slack://T0H7TEAM/B0H7HOOK/h7SlackWebhookToken42")
