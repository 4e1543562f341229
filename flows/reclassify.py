"""The `reclassify` flow: after a model change, re-tag what an older model classified.

The work is `reclassify_stored`, a plain function the CLI and tests call; the
flow only loads the config and wraps it, so Prefect adds logging and retries.
"""

from __future__ import annotations

from collections.abc import Callable

from prefect import State, flow, get_run_logger
from sqlalchemy import Engine
from sqlalchemy.exc import InterfaceError, OperationalError

from journeywatch.classifiers.base import Classifier
from journeywatch.errors import ConfigError
from journeywatch.flows.steps import classify_pending, config_failed, load_flow_config


def reclassify_stored(engine: Engine, classifier: Classifier, batch_size: int = 256,
                      progress: Callable[[int], None] | None = None) -> int:
    """Classify every stored item whose model version is not `classifier.version`; returns how many."""
    return classify_pending(engine, classifier, batch_size, model_version=classifier.version, progress=progress)


@flow(name="reclassify")
def reclassify_flow(config_path: str) -> int | State:
    """Load the config, open its database and the configured classifier, reclassify what is stale."""
    from journeywatch.classifiers import load_classifier, model_version
    from journeywatch.storage import (
        DatabaseUnavailable, count_pending, database_problem, open_database, require_existing, shown_url)

    try:
        config = load_flow_config(config_path)
        require_existing(config.database)  # a mistyped path: an error, not an empty database and "0 reclassified"
        engine = open_database(config.database)  # a database that does not answer: its one line too
    except ConfigError as error:  # its one line, not a traceback, in the worker's log
        return config_failed(error)
    try:
        # counted before the model is loaded (the encoder and weights, seconds), which nothing may need
        if not count_pending(engine, version := model_version(config.classifier.model_dir)):
            get_run_logger().info("reclassified 0 items: every stored classification is already from %s", version)
            return 0
        classifier = load_classifier(config.classifier.model_dir, batch_size=config.classifier.batch_size,
                                     review_below=config.classifier.review_below)
        done = reclassify_stored(engine, classifier, config.classifier.batch_size)
    # Gone away part-way: one line, not SQLAlchemy's SQL with the items' texts. Not every DBAPIError: an
    # integrity or programming error is a bug, and keeps its traceback (as in the CLI, b5aa1f5).
    except (OperationalError, InterfaceError) as error:
        return config_failed(DatabaseUnavailable(
            f"the database at {shown_url(engine.url)} stopped the reclassification part-way: "
            f"{database_problem(error)}; the batches stored are kept, and the next run re-tags the rest"))
    get_run_logger().info("reclassified %d items with %s", done, classifier.version)
    return done


if __name__ == "__main__":  # pragma: no cover - run as a script: python -m journeywatch.flows.reclassify CONFIG
    import sys

    reclassify_flow(sys.argv[1])
