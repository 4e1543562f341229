"""The `reclassify` deployment on a config that names no `classifier.model_dir` (the shipped model, the default).

Found running prefect.yaml's deployments as README's "Flows and scaling out" says: `prefect deployment run
reclassify/reclassify` on a config without a `classifier:` section ended Failed with
"TypeError: unsupported operand type(s) for /: 'NoneType' and 'str'" and two tracebacks in the worker's log
(the flow counted the stale items by `model_version(None)`), where `journeywatch reclassify` on the same
config said "reclassified 0 items". The flow run here is run as a worker runs it.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from journeywatch.classifiers import DEFAULT_MODEL_DIR, model_version
from journeywatch.domain import Mention
from journeywatch.flows.steps import classify_pending
from journeywatch.storage import open_database, store_batch
from tests.test_acceptpg_flow_config_error import worker_run
from tests.test_model_cli import KeywordClassifier


def test_the_reclassify_deployment_with_the_shipped_model_counts_and_completes(prefect_harness: None,
                                                                               tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'jw.db'}"
    engine = open_database(url)
    now = datetime.now(timezone.utc)
    store_batch(engine, [Mention("files", f"m{i}", f"acme is fine {i}", now) for i in range(3)])
    classifier = KeywordClassifier()
    classifier.version = model_version(DEFAULT_MODEL_DIR)  # classified by the shipped model: nothing to redo
    assert classify_pending(engine, classifier, 2) == 3
    config = tmp_path / "jw.yaml"
    config.write_text(json.dumps({"database": url, "brands": [{"name": "Acme", "query": "acme"}]}), encoding="utf-8")

    state, output = worker_run("reclassify", config, tmp_path)

    assert state is not None and state.is_completed(), (state, output)
    assert "Traceback" not in output, output
    assert f"reclassified 0 items: every stored classification is already from {classifier.version}" in output
