"""The monitor's steps as plain functions: collect one source, classify what is pending.

They join listeners, storage and the classifier, which may not import each
other; Prefect tasks in `monitor.py` wrap them and add retries and logging,
and tests call them directly.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from journeywatch.classifiers.base import Classifier
from journeywatch.classifiers.rules import for_source
from journeywatch.listeners.base import Listener
from journeywatch.listeners.language import detect_languages
from journeywatch.domain import Mention
from journeywatch.errors import ConfigError, JourneywatchError
from journeywatch.settings import Config, load_config
from journeywatch.storage import (
    count_pending,
    get_watermark,
    iter_pending,
    save_predictions,
    store_batch,
    stored_with_other_text,
)
from journeywatch.storage.mentions import wordless

Prepare = Callable[[list[Mention]], list[Mention]]


def load_flow_config(config_path: str) -> Config:
    """The config a flow run was given; an empty path says that JOURNEYWATCH_CONFIG was unset at deploy time.

    prefect.yaml fills each deployment's `config_path` from $JOURNEYWATCH_CONFIG when
    `prefect deploy` runs, and an unset variable becomes '' without a word: every
    scheduled run then failed with "config '.' is a directory", far from the cause.
    """
    if not config_path.strip():
        raise ConfigError("this flow run has no config path: JOURNEYWATCH_CONFIG was not set when `prefect deploy` "
                          "ran; export it (the config's absolute path) and run `prefect --no-prompt deploy --all` "
                          "again")
    return load_config(config_path, strict=False)


def config_failed(error: JourneywatchError) -> Any:
    """A flow run's Failed state for a config error (or a database lost mid-run), returned instead of raised.

    Raised, the error showed in the worker's log as Prefect's traceback through the config loader
    ("Encountered exception during execution"), before the one line that says what to fix (a `${VAR}`
    not set, say). Returned, the run is Failed with that line as its message, and a flow called in
    a process still raises the ConfigError itself. Without its cause: the worker's engine logs the
    error it ends with, and a database that does not answer drew psycopg's and SQLAlchemy's frames
    under the line that already says why ('connection failed: ... Connection refused'). The message names
    the error's kind: 'ConfigError: ...', or 'DatabaseUnavailable: ...' for a database gone away mid-run.
    """
    from prefect.states import Failed  # here: the steps themselves run without Prefect

    error.__cause__, error.__suppress_context__ = None, True
    kind = "ConfigError" if isinstance(error, ConfigError) else type(error).__name__
    return Failed(message=f"{kind}: {error}", data=error.with_traceback(None))


@dataclass(slots=True)
class SourceOutcome:
    """What one source gave in one run; `error` is set when it failed part-way or at once."""

    source: str
    fetched: int = 0
    new: int = 0
    seen: int = 0
    edited: int = 0  # stored items read with another title or text (seen, or unmatched now), classified again
    skipped: int = 0
    unmatched: int = 0
    # Stored items read again deleted or removed (a Reddit stand-in) and blanked; in no other count, fetched
    # included: one such item was "fetched, unmatched and edited" at once. A stand-in that blanks nothing (never
    # stored, or blanked already) is counted nowhere, as a revisit's deleted comments are not.
    withdrawn: int = 0
    brand_hits: Counter[str] = field(default_factory=Counter)  # kept items per brand, new or seen
    brand_new: Counter[str] = field(default_factory=Counter)  # of those, the ones this run linked to the brand first
    warnings: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def status(self) -> str:
        return "failed" if self.error else "ok"


_stopping = threading.Event()


def stop_collecting() -> None:
    """Tell every `collect_source` of this process to end after the batch in hand (the run was interrupted).

    Ctrl-C reached the run's main thread only: a source's thread read on, and the command ended when the
    source did (a 300,000-row export read to its end, 12 s after the run was recorded as interrupted).
    """
    _stopping.set()


def collecting_again() -> None:
    """Undo `stop_collecting`: a run starting in this process collects in full."""
    _stopping.clear()


def collect_source(engine: Engine, listener: Listener, prepare: Prepare,
                   brands: Collection[str] | None = None) -> SourceOutcome:
    """Fetch what is new from one source and commit it batch by batch with its watermark.

    Every batch is committed with the watermark that covers it, so when the
    source fails half-way, or the run is stopped (`stop_collecting`: it ends
    after the batch in hand), what was collected stays and the next run resumes
    after it. Exceptions from the source are raised to the caller after the
    committed batches are counted in `outcome` (attached as `.outcome`).
    `brands`: the names `prepare` matches against (the config's), the only brands
    whose links an edited item's new text re-judges (None: every brand).
    """
    outcome = SourceOutcome(listener.name)
    try:
        for batch in listener.fetch(get_watermark(engine, listener.name)):
            kept = prepare(batch.mentions)
            result = store_batch(engine, kept, source=listener.name, watermark=batch.watermark, judged=brands,
                                 no_longer_matched=_edited_out_of_every_brand(engine, batch.mentions, kept))
            # Stand-ins name no brand, so `prepare` drops them: the dropped ones are counted, none twice.
            standins = sum(map(wordless, batch.mentions)) - sum(map(wordless, kept))
            outcome.fetched += len(batch.mentions) - standins
            outcome.unmatched += len(batch.mentions) - len(kept) - standins
            # An item listed twice in one batch is stored once (and counted as neither new nor seen):
            # counted twice here, a first run into an empty database said "2 already seen" for a brand.
            once = {mention.external_id: mention for mention in reversed(kept)}.values()
            outcome.brand_hits.update(brand for mention in once for brand in mention.brands)
            outcome.brand_new.update(result.linked)
            outcome.new += result.new
            outcome.seen += result.seen
            outcome.edited += result.edited
            outcome.withdrawn += result.withdrawn
            outcome.skipped += batch.skipped
            outcome.warnings.extend(batch.warnings)
            if _stopping.is_set():  # stored with the watermark that covers it: the next run reads on from here
                break
    except Exception as exc:
        exc.outcome = outcome  # type: ignore[attr-defined]
        raise
    return outcome


def _edited_out_of_every_brand(engine: Engine, fetched: list[Mention], kept: list[Mention]) -> list[Mention]:
    """The fetched items `prepare` dropped that are stored: edited so that they name none of the brands now.

    Dropped unseen, such an item kept its first text and its brand link ("Acme lost my bag" edited into
    "Globex lost my bag" stayed in Acme's counts). Their language is identified here, as `prepare` does
    for what it keeps (the text taken may be in another), and only for them: most dropped items are new.
    """
    taken = {(mention.source, mention.external_id) for mention in kept}
    dropped = [mention for mention in fetched if (mention.source, mention.external_id) not in taken]
    edited = stored_with_other_text(engine, dropped) if dropped else []
    texts = [f"{m.title}\n{m.text}" if m.title else m.text for m in edited]
    for mention, language in zip(edited, detect_languages(texts) if edited else []):
        mention.lang, mention.lang_supported = language.code, language.supported
    return edited


ProgressWatcher = Callable[[int, int], None]  # (classified so far, how many were pending)
_watchers: list[ProgressWatcher] = []


@contextmanager
def watching_classification(watcher: ProgressWatcher) -> Iterator[None]:
    """Tell `watcher` how far `classify_pending` has got, batch by batch, while inside this block.

    The monitor flow's classify task takes no callback of its own (Prefect passes what it is given
    around as task inputs), and `journeywatch run` wants to say how far a long classification is: in
    a log, 29,000 pending items took six minutes without a line. Only calls in this process are seen.
    """
    _watchers.append(watcher)
    try:
        yield
    finally:
        _watchers.remove(watcher)


def classify_pending(
    engine: Engine,
    classifier: Classifier,
    batch_size: int = 256,
    model_version: str | None = None,
    progress: Callable[[int], None] | None = None,
    id_range: tuple[int, int] | None = None,
) -> int:
    """Classify every stored mention that has no classification (or, given a version, another model's).

    Streams in batches, so memory stays flat however many rows wait.
    Returns how many were classified.
    """
    # One id range of a classification mapped over Dask says nothing: the flow that mapped the ranges tells the
    # watchers of the whole (`tell_watchers`); a range on an in-process worker said "classified 8 of 8".
    watchers = list(_watchers) if id_range is None else []
    total = count_pending(engine, model_version) if watchers else 0
    done = 0
    for pending in iter_pending(engine, batch_size, model_version, id_range):
        predicted = classifier.predict([p.text for p in pending])
        predictions = [for_source(p, item.source_kind) for p, item in zip(predicted, pending)]  # the guide's rule
        # Each saved only if its item still has the text read (one edited meanwhile waits, uncounted, for the next).
        done += save_predictions(engine, classifier.version, list(zip(pending, predictions)),
                                 only_missing=model_version is None)  # a concurrent run may have done them
        if progress:
            progress(done)
        for watcher in watchers:
            watcher(done, max(total, done))
    return done


def classification_watched() -> bool:
    """Whether a watcher is registered here, so that counting the pending rows for it is worth a query."""
    return bool(_watchers)


def tell_watchers(done: int, total: int) -> None:
    """Tell the watchers how far a classification done elsewhere (Dask tasks) has got: `done` of `total`."""
    for watcher in list(_watchers):
        watcher(done, max(total, done))
