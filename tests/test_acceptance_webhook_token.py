"""Acceptance: a webhook token written as a plain query value is refused, with the form that sends it.

Found by rehearsing the README: `json://host/hook?token=${HOOK_TOKEN}` loaded and every alert was
"sent", but apprise forwards only `-name=` (URL parameters) and `+Name=` (headers) beside its own
options, so the receiver never got the token.
"""

from __future__ import annotations

import pytest

from journeywatch.alerts.notify import deliver
from journeywatch.errors import ConfigError
from journeywatch.settings import parse_config
from tests.servers.webhook import WebhookServer, webhook_server  # noqa: F401

BRANDS = [{"name": "Velora Bikes", "query": "velora"}]


@pytest.mark.parametrize("target", ["json://127.0.0.1:8099/hook?token=${H7_HOOK_TOKEN}",
                                    "xml://127.0.0.1:8099/hook?apikey=abc", "form://127.0.0.1:8099/f?Key=1"])
def test_a_query_value_apprise_would_drop_is_a_config_error(target: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config({"brands": BRANDS, "alerts": {"notify": [target]}})
    name = target.split("?")[1].split("=")[0]
    assert f"config key 'alerts.notify[0]': apprise sends the query value '{name}' nowhere" in str(raised.value)
    assert f"'-{name}='" in str(raised.value) and f"'+{name}='" in str(raised.value)
    assert "abc" not in str(raised.value)


def test_the_suggested_forms_reach_the_receiver(webhook_server: WebhookServer,  # noqa: F811
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("H7_HOOK_TOKEN", "h7HookToken42")
    target = (f"json://{webhook_server.host}:{webhook_server.port}/hook"
              "?-token=${H7_HOOK_TOKEN}&+X-Token=${H7_HOOK_TOKEN}&method=POST")
    config = parse_config({"brands": BRANDS, "alerts": {"notify": [target]}})
    [result] = deliver(config.alerts.notify, "title", "<p>body</p>", retries=0)
    assert result.ok and "h7HookToken42" not in result.target
    [received] = webhook_server.wait_for(1)
    assert received.path == "/hook?token=h7HookToken42"
    assert {k.lower(): v for k, v in received.headers.items()}.get("x-token") == "h7HookToken42"
