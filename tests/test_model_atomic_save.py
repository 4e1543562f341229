"""`train --out DIR` wrote weights.safetensors and then config.json into the model folder itself: Ctrl-C or a
crash between the two left new weights beside the old config, and a worker or `reclassify` loading the model
while `train` rewrote it could read one file of each model."""

from __future__ import annotations

import json
import os
import shutil
import stat
import threading
from pathlib import Path

import pytest
import torch

from journeywatch.classifiers.encoder import load_base_encoder
from journeywatch.classifiers.files import CONFIG, WEIGHTS, ModelConfig, model_version, read_config, save_model
from journeywatch.classifiers.network import UpperNet, upper_from_base
from journeywatch.domain import MOMENTS, SENTIMENTS
from journeywatch.errors import ModelError


def _upper(seed: int) -> UpperNet:
    upper = upper_from_base(load_base_encoder(), 1, len(MOMENTS), len(SENTIMENTS))
    torch.manual_seed(seed)
    torch.nn.init.normal_(upper.moment_head.weight)
    return upper


def _config(temperature: float) -> ModelConfig:
    return ModelConfig(tuned_layers=1, moment_temperature=temperature)


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_ctrl_c_while_saving_leaves_the_old_model_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "models" / "m"
    save_model(_upper(1), _config(1.5), out)
    (out / "notes.txt").write_text("ours", encoding="utf-8")
    before, version = _files(out), model_version(out)
    new = _upper(2)  # built before the interrupt is set up: the save alone is interrupted

    def interrupted(self: ModelConfig) -> dict:
        raise KeyboardInterrupt

    monkeypatch.setattr(ModelConfig, "to_json", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_model(new, _config(2.5), out)
    monkeypatch.undo()
    assert _files(out) == before
    assert model_version(out) == version and read_config(out).moment_temperature == 1.5
    assert [path.name for path in out.parent.iterdir()] == ["m"]  # nothing half-written left beside it


def test_saving_over_a_model_replaces_both_files_and_keeps_the_rest(tmp_path: Path) -> None:
    out = tmp_path / "m"
    save_model(_upper(1), _config(1.5), out)
    (out / "notes.txt").write_text("ours", encoding="utf-8")
    out.chmod(0o750)
    old = model_version(out)
    previous = os.umask(0o022)
    try:
        save_model(_upper(2), _config(2.5), out)
    finally:
        os.umask(previous)
    assert model_version(out) != old and read_config(out).moment_temperature == 2.5
    assert (out / "notes.txt").read_text(encoding="utf-8") == "ours"
    assert stat.S_IMODE(out.stat().st_mode) == 0o750
    assert {name: stat.S_IMODE((out / name).stat().st_mode) for name in (CONFIG, WEIGHTS)} == {
        CONFIG: 0o644, WEIGHTS: 0o644}
    assert sorted(path.name for path in tmp_path.iterdir()) == ["m"]


def test_weights_that_are_not_the_configs_are_refused_in_one_line(tmp_path: Path) -> None:
    """New weights beside an old config (a folder an older journeywatch left half-written, or two files of
    two models copied by hand): loaded as one model, reported under a version neither model had."""
    from journeywatch.classifiers import JourneyClassifier

    first, second = tmp_path / "first", tmp_path / "second"
    save_model(_upper(1), _config(1.5), first)
    save_model(_upper(2), _config(2.5), second)
    shutil.copyfile(second / WEIGHTS, first / WEIGHTS)
    for load in (read_config, model_version, JourneyClassifier):
        with pytest.raises(ModelError) as error:
            load(first)
        message = str(error.value)
        assert "\n" not in message
        assert f"{first / WEIGHTS} is not the file {CONFIG} beside it was written with" in message
        assert "journeywatch train" in message


def test_a_model_read_while_it_is_saved_again_is_always_one_model(tmp_path: Path) -> None:
    out = tmp_path / "m"
    models = [(_upper(seed), _config(seed + 0.5)) for seed in (1, 2)]
    save_model(*models[0], out)
    expected = {}
    for upper, config in models:
        save_model(upper, config, tmp_path / "alone")
        expected[config.moment_temperature] = model_version(tmp_path / "alone")
    done = threading.Event()

    def saving() -> None:
        try:
            for i in range(12):
                save_model(*models[i % 2], out)
        finally:
            done.set()

    writer = threading.Thread(target=saving)
    writer.start()
    read = 0
    while not done.is_set() or not read:
        assert model_version(out) in expected.values()
        read += 1
    writer.join()
    config = json.loads((out / CONFIG).read_text(encoding="utf-8"))
    assert expected[config["moment_temperature"]] == model_version(out)
