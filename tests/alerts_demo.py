"""Load the demo dataset into a database with its answer-key labels (no classifier, no Prefect).

Shared by the alert tests: the demo holds exactly one injected spike, so it is
the end-to-end check that the detector finds it once and nothing else.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine, select

from journeywatch.domain import Prediction
from journeywatch.flows.steps import collect_source
from journeywatch.listeners import BrandMatcher, build_listener, prepare_mentions
from journeywatch.settings import Config, load_config
from journeywatch.storage import save_predictions
from journeywatch.storage.tables import mentions

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo"


def demo_config(database: str, notify: list[str] | None = None) -> Config:
    config = load_config(DEMO / "journeywatch.yaml")
    config.database = database
    config.alerts.notify = list(notify or [])
    return config


def load_demo(engine: Engine, config: Config) -> int:
    """Collect every demo source and classify each item with its label from labels.jsonl."""
    matcher = BrandMatcher(config.brands)
    for source in config.sources:
        listener = build_listener(source, brands=config.brands)
        collect_source(engine, listener, lambda batch: prepare_mentions(batch, matcher, config.raw_authors))
    labels = {}
    for line in (DEMO / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            labels[(row["source"], row["id"])] = row
    with engine.connect() as connection:
        stored = connection.execute(select(mentions.c.id, mentions.c.source, mentions.c.external_id)).all()
    items = []
    for mention_id, source, external_id in stored:
        label = labels[(source, external_id)]
        items.append((mention_id, Prediction(label["moment"], 0.9, label["sentiment"], 0.9,
                                             {label["moment"]: 0.9}, {label["sentiment"]: 0.9})))
    return save_predictions(engine, "answer-key", items)
