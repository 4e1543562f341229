"""A short key typed with two neighbouring letters swapped (`ulr`) names the key meant, as longer misspellings do."""

from __future__ import annotations

import pytest

from journeywatch.errors import ConfigError
from journeywatch.settings import parse_config

BRANDS = [{"name": "Zephyr", "query": "zephyr"}]


def test_a_swapped_url_key_of_a_source_names_url() -> None:
    """difflib rates 'ulr' 0.67 against 'url', under the cutoff: the line said only 'check the spelling'."""
    config = parse_config({"brands": BRANDS, "sources": [{"name": "reviews", "kind": "feed", "ulr": "http://x/f"}]},
                          strict=False)
    ((name, message),) = config.source_errors
    assert name == "reviews"
    assert "config key 'sources[0].ulr': unknown key; did you mean 'url'?" in message
    assert "'sources[0].url': required key is missing" not in message  # one line for the one mistake


@pytest.mark.parametrize(("data", "expected"), [
    ({"brands": [{"nmae": "Zephyr", "query": "zephyr"}]},
     "config key 'brands[0].nmae': unknown key; did you mean 'name'?"),
    ({"brands": BRANDS, "alerts": {"widnow": "1h"}}, "config key 'alerts.widnow': unknown key; did you mean 'window'?"),
])
def test_swapped_letters_elsewhere_name_the_key(data: dict, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(data)
    assert expected in str(caught.value)
