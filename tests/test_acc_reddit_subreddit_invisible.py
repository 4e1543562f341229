"""A subreddit name pasted with an invisible character ('Coffee' copied from a web page with a zero-width space
after it) was read as written: Reddit redirected it to its search and the run said 'r/Coffee: does not exist',
a name that looks right. It is refused as a config problem naming the character, as a brand name is; the
source's entry fails alone, the others load."""

from __future__ import annotations

from pathlib import Path

import yaml

from journeywatch.settings import load_config


def test_a_subreddit_holding_an_invisible_character_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "journeywatch.yaml"
    path.write_text(yaml.safe_dump({
        "brands": [{"name": "Acme", "query": "acme"}],
        "sources": [{"name": "coffee", "kind": "reddit", "subreddits": ["Tea", "Coffee\u200b"]},
                    {"name": "fine", "kind": "reddit", "subreddits": ["Tea", "r/BuyItForLife"]}]}), encoding="utf-8")
    config = load_config(path, strict=False)  # as `journeywatch run` reads it
    assert [source.name for source in config.sources] == ["fine"]
    [(name, problem)] = config.source_errors
    assert name == "coffee"
    assert "sources[0].subreddits[1]" in problem and "U+200B ZERO WIDTH SPACE" in problem
