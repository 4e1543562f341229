"""A brand name holding an invisible character that reorders or hides text is refused, naming the character.

'Acme<U+202E>riA' passed validation: the RIGHT-TO-LEFT OVERRIDE reversed the text after the name on the
console and in the digests. Tabs and line breaks were refused already; NEL (U+0085) and the Unicode line and
paragraph separators, line breaks too, were not. Names that need a joiner (an emoji sequence, Persian) or tag
characters (a subdivision flag) still load. Each config is a YAML file read by `load_config`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from journeywatch.errors import ConfigError
from journeywatch.settings import load_config


def _load(tmp_path: Path, name: str) -> str:
    """The brand name as loaded from a config file naming one brand `name`, written with YAML's escapes
    (`"Acme\\u202EriA"`): a NEL written as it is, PyYAML reads as a line break and folds into a space."""
    path = tmp_path / "journeywatch.yaml"
    path.write_text(yaml.safe_dump({"brands": [{"name": name, "query": "acme"}]}), encoding="utf-8")
    return load_config(path).brands[0].name


@pytest.mark.parametrize(("name", "named"), [
    ("Acme\u202eriA", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("\u202aAcme", "U+202A LEFT-TO-RIGHT EMBEDDING"),
    ("Acme \u2067Air\u2069", "U+2067 RIGHT-TO-LEFT ISOLATE"),
    ("Acme\u200f", "U+200F RIGHT-TO-LEFT MARK"),
    ("\u200eAcme", "U+200E LEFT-TO-RIGHT MARK"),
    ("Ac\u200bme", "U+200B ZERO WIDTH SPACE"),
    ("\ufeffAcme", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
    ("Ac\u2060me", "U+2060 WORD JOINER"),
])
def test_an_invisible_character_is_refused_by_name(tmp_path: Path, name: str, named: str) -> None:
    with pytest.raises(ConfigError) as refused:
        _load(tmp_path, name)
    assert str(refused.value) == (f"config key 'brands[0].name': holds {named}, an invisible character that "
                                  "reorders or hides text; delete it (retype the name if the editor hides it)")


@pytest.mark.parametrize("name", ["Acme\x85Air", "Acme\u2028Air", "Acme\u2029Air", "Acme\x9bAir"])
def test_every_line_break_and_control_character_is_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(ConfigError, match=r"^config key 'brands\[0\]\.name': must be one line, with no tab or "
                                          r"other control character$"):
        _load(tmp_path, name)


@pytest.mark.parametrize("name", [
    "👩\u200d💻 Labs",  # ZWJ: woman technologist
    "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian, with a ZERO WIDTH NON-JOINER
    "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f Whisky",  # Scotland's flag: tag characters
    "مرحبا Marhaba", "שלום Shalom", "Café ❤️ 👍🏽",
])
def test_names_that_need_a_joiner_or_another_script_load(tmp_path: Path, name: str) -> None:
    assert _load(tmp_path, name) == name
