"""`journeywatch init`: the config it writes says only what the settings accept."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import get_args

from journeywatch.settings import load_config
from journeywatch.settings.sources import SourceKindLabel

CLI = [sys.executable, "-m", "journeywatch"]
REPO = Path(__file__).resolve().parents[1]


def _written_config(tmp_path: Path) -> str:
    result = subprocess.run([*CLI, "init", "journeywatch.yaml"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return (tmp_path / "journeywatch.yaml").read_text(encoding="utf-8")


def test_each_source_kind_comment_lists_every_value_the_settings_accept(tmp_path: Path) -> None:
    """The feed's comment named four of the six: `reddit` and `file` looked refused, and are not."""
    accepted = set(get_args(SourceKindLabel))
    comments = [line.split("#")[-1] for line in _written_config(tmp_path).splitlines()
                if re.match(r"\s*(# )?source_kind:", line)]
    assert comments, "the template shows no source_kind"
    for comment in comments:
        listed = re.sub(r"\(default: \w+\)", "", comment).split(":")[-1]  # after "a row's when it gives none:"
        named = set(re.findall(r"[a-z]+", listed))
        assert accepted <= named and named - accepted <= {"or"}, comment


def test_the_written_config_loads_with_every_commented_key_switched_on(tmp_path: Path) -> None:
    """Each `# key: value` the template offers is a key the settings know, with a value they accept."""
    text = _written_config(tmp_path)
    switched = re.sub(r"^(\s*)# ([a-z_]+: )", r"\1\2", text, flags=re.MULTILINE)
    (tmp_path / "exports").mkdir()
    (tmp_path / "switched.yaml").write_text(switched, encoding="utf-8")
    config = load_config(tmp_path / "switched.yaml")
    kinds = {source.name: getattr(source, "source_kind", None) for source in config.sources}
    assert kinds == {"travel": None, "acme-reviews": "review", "export": "file"}
    for value in get_args(SourceKindLabel):  # what the comment says is accepted is accepted
        (tmp_path / "kind.yaml").write_text(switched.replace("source_kind: review", f"source_kind: {value}"),
                                            encoding="utf-8")
        assert load_config(tmp_path / "kind.yaml").sources[1].source_kind == value


def test_init_given_a_folder_names_the_file_to_give(tmp_path: Path) -> None:
    """A folder was "already exists; pass --force", and with --force "Is a directory": two errors, no answer."""
    for extra in ([], ["--force"]):
        result = subprocess.run([*CLI, "init", str(tmp_path), *extra], cwd=tmp_path, capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 1
        assert result.stderr == (f"Error: {str(tmp_path)!r} is a folder; give the config file's path, e.g. "
                                 f"{str(tmp_path / 'journeywatch.yaml')!r}\n")
    assert list(tmp_path.iterdir()) == []


def test_init_prints_the_run_command_whole_on_one_line(tmp_path: Path) -> None:
    """Wrapped at the terminal's width, the command to copy broke mid-path (and a space in it split it)."""
    path = tmp_path / "a rather long folder name for the brand team" / "acme air.yaml"
    result = subprocess.run([*CLI, "init", str(path)], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "COLUMNS": "40"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith(f"then: journeywatch run --config '{path}'\n"), result.stdout
    assert result.stdout.count("\n") == 1


def test_init_dash_prints_the_config(tmp_path: Path) -> None:
    """`init -` wrote a file named '-', and then said to run `journeywatch run --config -`, which finds none."""
    result = subprocess.run([*CLI, "init", "-"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (REPO / "journeywatch" / "example.yaml").read_text(encoding="utf-8")
    assert list(tmp_path.iterdir()) == []


def test_init_names_the_written_file_in_its_first_line(tmp_path: Path) -> None:
    """Written as my-brand.yaml, its header said to run `journeywatch run --config journeywatch.yaml`."""
    result = subprocess.run([*CLI, "init", "my brand.yaml"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    first = (tmp_path / "my brand.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert "`journeywatch run --config 'my brand.yaml'`" in first, first
    assert load_config(tmp_path / "my brand.yaml").brands
