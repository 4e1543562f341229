"""`digest.subject` and the stage names of a `digest.stages` mapping refuse invisible characters, as brand names do.

'sh<U+202E>are' as a stage name, or 'Weekly <U+202E>{brand}' as the subject, loaded: the RIGHT-TO-LEFT OVERRIDE
reversed the text after it in every digest line naming the stage and in the mail subject. They are now refused
on load by the brand names' check, the error naming the key and the character; joiners (an emoji sequence, a
Persian word) still load. Each config is a YAML file read by `load_config`, written with YAML's escapes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from journeywatch.errors import ConfigError
from journeywatch.settings import load_config
from journeywatch.settings.config import Config

HIDES = "an invisible character that reorders or hides text; delete it"
FIVE = {"stimulus": "engage", "zero_moment": "engage", "first_moment": "purchase", "second_moment": "use",
        "ultimate_moment": "share"}


def _load(tmp_path: Path, digest: dict[str, Any]) -> Config:
    path = tmp_path / "journeywatch.yaml"
    path.write_text(yaml.safe_dump({"brands": [{"name": "Acme", "query": "acme"}], "digest": digest}),
                    encoding="utf-8")
    return load_config(path)


@pytest.mark.parametrize(("subject", "named"), [
    ("Weekly \u202e{brand}, {week}", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("{brand} \u2067{week}\u2069", "U+2067 RIGHT-TO-LEFT ISOLATE"),
    ("\u200f{brand}: {week}", "U+200F RIGHT-TO-LEFT MARK"),
    ("Digest\u200b {brand}", "U+200B ZERO WIDTH SPACE"),
    ("\ufeff{brand}", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
])
def test_a_subject_with_an_invisible_character_is_refused_by_name(tmp_path: Path, subject: str, named: str) -> None:
    with pytest.raises(ConfigError) as refused:
        _load(tmp_path, {"subject": subject})
    assert str(refused.value) == (f"config key 'digest.subject': holds {named}, {HIDES} (retype the subject if "
                                  "the editor hides it)")


@pytest.mark.parametrize(("moment", "stage", "named"), [
    ("ultimate_moment", "sh\u202eare", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("first_moment", "\u202abuy", "U+202A LEFT-TO-RIGHT EMBEDDING"),
    ("second_moment", "use\u200e", "U+200E LEFT-TO-RIGHT MARK"),
    ("stimulus", "en\u2060gage", "U+2060 WORD JOINER"),
])
def test_a_stage_name_with_an_invisible_character_is_refused_by_name(
    tmp_path: Path, moment: str, stage: str, named: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        _load(tmp_path, {"stages": {**FIVE, moment: stage}})
    assert str(refused.value) == (f"config key 'digest.stages': the stage for '{moment}' holds {named}, {HIDES} "
                                  "(retype the stage name if the editor hides it)")


@pytest.mark.parametrize("text", [
    "👩\u200d💻 team", "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", "مرحبا", "שלום", "Café ❤️ 👍🏽",
])
def test_joiners_and_other_scripts_still_load(tmp_path: Path, text: str) -> None:
    config = _load(tmp_path, {"subject": f"{text}: {{brand}}, {{week}}", "stages": {**FIVE, "ultimate_moment": text}})
    assert config.digest.subject == f"{text}: {{brand}}, {{week}}"
    assert config.digest.stages["ultimate_moment"] == text
