"""Acceptance: the config mistakes a user makes, as the command line reports them.

Written from a rehearsal of the README by someone new to the project: a typo in a key gave, per brand,
both "'query': required key is missing" and "'qeury': unknown key", so three brands made six messages
in one line and none said which key was meant.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from journeywatch.errors import ConfigError
from journeywatch.settings import parse_config

BRANDS = [{"name": "Velora Bikes", "query": "velora"}]


@pytest.mark.parametrize(("data", "expected"), [
    ({"brands": [{"name": "Velora Bikes", "qeury": "velora"}]},
     "config key 'brands[0].qeury': unknown key; did you mean 'query'?"),
    ({"brands": BRANDS, "alerts": {"notfy": []}}, "config key 'alerts.notfy': unknown key; did you mean 'notify'?"),
    ({"brands": BRANDS, "source": []}, "config key 'source': unknown key; did you mean 'sources'?"),
    ({"brands": BRANDS, "sources": [{"name": "r", "kind": "feed", "urll": "https://x.example/f"}]},
     "config key 'sources[0].urll': unknown key; did you mean 'url'?"),
    ({"brands": BRANDS, "sources": [{"name": "e", "kind": "file", "path": "e.csv", "colums": {"id": "Id"}}]},
     "config key 'sources[0].colums': unknown key; did you mean 'columns'?"),
    ({"brands": BRANDS, "classifier": {"batchsize": 8}},
     "config key 'classifier.batchsize': unknown key; did you mean 'batch_size'?"),
    ({"brands": BRANDS, "alerts": {"min-count": 3}},
     "config key 'alerts.min-count': unknown key; did you mean 'min_count'?"),
    ({"brands": BRANDS, "digest": {"stage": "five"}}, "config key 'digest.stage': unknown key; did you mean 'stages'?"),
])
def test_a_misspelt_key_names_the_key_meant(data: dict[str, object], expected: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config(data)
    assert str(raised.value) == expected


def test_a_key_like_none_keeps_the_general_hint() -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config({"brands": BRANDS, "shared": {}})
    assert "did you mean" not in str(raised.value)
    assert "unknown key (check the spelling" in str(raised.value)


def test_run_with_a_misspelt_query_says_so_once_per_brand(tmp_path: Path) -> None:
    """Through the command line, as a user meets it: one message per brand, not a 'missing' one beside it."""
    config = tmp_path / "brands.yaml"
    config.write_text("database: sqlite:///jw.db\nbrands:\n"
                      "  - {name: Velora Bikes, qeury: velora}\n"
                      "  - {name: Quillbrew, qeury: quillbrew}\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "journeywatch", "run", "--config", str(config)],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 1
    assert "required key is missing" not in done.stderr
    assert done.stderr.count("did you mean 'query'?") == 2
    assert not (tmp_path / "jw.db").exists()


@pytest.mark.parametrize(("zone", "meant"), [
    ("Europe/Madird", "Europe/Madrid"),
    ("europe/berlin", "Europe/Berlin"),
    ("America/New York", "America/New_York"),
    ("Eurpoe/Paris", "Europe/Paris"),
    ("Berlin", "Europe/Berlin"),  # a city alone, as a zone's last part names it
])
def test_a_misspelt_timezone_names_the_zone_meant(zone: str, meant: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config({"brands": BRANDS, "digest": {"timezone": zone}})
    assert str(raised.value) == f"config key 'digest.timezone': unknown timezone {zone!r}; did you mean {meant!r}?"
    with pytest.raises(ConfigError) as raised:
        parse_config({"brands": BRANDS, "sources": [{"name": "e", "kind": "file", "path": "e.csv", "timezone": zone}]})
    assert str(raised.value) == (f"config key 'sources[0].timezone': source 'e': unknown timezone {zone!r}; "
                                 f"did you mean {meant!r}?")


@pytest.mark.parametrize("zone", ["Mars/Olympus", "Europe/Foo", "UTC+1", "GMT+2"])
def test_a_timezone_like_none_is_not_given_a_guess(zone: str) -> None:
    # 'UTC+1' is closest to 'UTC', 'GMT+2' to 'GMT+0', 'Europe/Foo' to 'Europe/Oslo' by the whole name: wrong guesses
    with pytest.raises(ConfigError) as raised:
        parse_config({"brands": BRANDS, "digest": {"timezone": zone}})
    assert "did you mean" not in str(raised.value)
    assert str(raised.value).startswith(f"config key 'digest.timezone': unknown timezone {zone!r}")
