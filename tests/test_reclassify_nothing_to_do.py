"""`journeywatch reclassify` with every stored classification already the model's: the model was loaded
(some 16 s: the encoder, the weights) before it said "reclassified 0 items"."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from typer.testing import CliRunner

from journeywatch.classifiers import model_version
from journeywatch.classifiers.files import CONFIG, WEIGHTS, ModelConfig
from journeywatch.cli import app
from journeywatch.domain import Mention
from journeywatch.errors import ModelError
from journeywatch.flows.steps import classify_pending
from journeywatch.storage import open_database, store_batch
from tests.test_model_cli import KeywordClassifier

runner = CliRunner()


def _unloadable_model(folder: Path) -> Path:
    """A model folder whose config reads and whose weights cannot be loaded: loading it is an error."""
    folder.mkdir()
    (folder / CONFIG).write_text(json.dumps(ModelConfig(tuned_layers=1).to_json()), encoding="utf-8")
    (folder / WEIGHTS).write_bytes(b"not a safetensors file")
    return folder


def _database(tmp_path: Path, version: str) -> str:
    """Three stored mentions, classified with a model of `version`."""
    url = f"sqlite:///{tmp_path / 'jw.db'}"
    engine = open_database(url)
    now = datetime.now(timezone.utc)
    store_batch(engine, [Mention("files", f"m{i}", text, now) for i, text in
                         enumerate(["which one should I buy", "avoid this shop", "it broke after a week"])])
    classifier = KeywordClassifier()
    classifier.version = version
    assert classify_pending(engine, classifier, 2) == 3
    return url


def test_nothing_to_reclassify_is_said_without_loading_the_model(tmp_path: Path) -> None:
    model = _unloadable_model(tmp_path / "model")
    url = _database(tmp_path, model_version(model))
    result = runner.invoke(app, ["reclassify", "--database", url, "--model", str(model)])
    assert result.exit_code == 0, repr(result.exception)
    assert result.stdout == (f"reclassified 0 items: every stored classification is already from "
                             f"{model_version(model)}; nothing to reclassify\n")


def test_items_of_another_model_still_need_the_model_loaded(tmp_path: Path) -> None:
    model = _unloadable_model(tmp_path / "model")
    url = _database(tmp_path, "fake-1")
    result = runner.invoke(app, ["reclassify", "--database", url, "--model", str(model)])
    assert result.exit_code == 1
    assert isinstance(result.exception, ModelError) and "cannot be loaded" in str(result.exception)


def test_the_reclassify_flow_with_nothing_to_do_does_not_load_the_model(tmp_path: Path,
                                                                         prefect_harness: None) -> None:
    """The deployed flow loaded the model before it counted, as the command did: a worker spent the load on 0."""
    from journeywatch.flows.reclassify import reclassify_flow

    model = _unloadable_model(tmp_path / "model")
    url = _database(tmp_path, model_version(model))
    config = tmp_path / "journeywatch.yaml"
    config.write_text(json.dumps({"database": url, "brands": [{"name": "Acme", "query": "acme"}],
                                  "classifier": {"model_dir": str(model)}}), encoding="utf-8")
    assert reclassify_flow(str(config)) == 0
