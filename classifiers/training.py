"""Fine-tuning the top encoder layers and both heads, on cached lower-layer states.

The lower layers stay frozen, so their output is computed once per text
(`cache.py`) and each training step runs only the tuned layers: on two CPU
cores that is the difference between minutes and hours. Moment and sentiment
examples share batches and the tuned layers; each head learns only from the
examples that carry its label. After training, the sentiment decision bias and
both temperatures are fitted on dev data the weights never saw.
"""

from __future__ import annotations

import contextlib
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from journeywatch.domain import MOMENTS, SENTIMENTS
from journeywatch.errors import ModelError

from .cache import HiddenStates, cached_hidden
from .calibration import fit_bias, fit_temperature, macro_recall
from .card import counted
from .data import Example
from .encoder import MAX_TOKENS, NUM_LAYERS, load_base_encoder, load_tokenizer
from .files import ModelConfig, save_model
from .metrics import label_report
from .network import UpperNet, upper_from_base
from .splits import ALL_SOURCES, TrainingSet

IGNORE = -100
Log = Callable[[str], None]
PRECISIONS = ("fp32", "bf16")


def default_cache_dir() -> Path:
    return Path.home() / ".cache" / "journeywatch" / "hidden"


@dataclass(slots=True)
class TrainOptions:
    """Knobs of one training run; the defaults are the shipped model's."""

    seed: int = 13
    epochs: int = 2
    tuned_layers: int = 4
    batch_size: int = 32
    lr_layers: float = 8e-5
    lr_heads: float = 2e-3
    weight_decay: float = 0.01
    class_weight_power: float = 0.5
    moment_share: float = 0.25
    sentiment_per_epoch: int | None = None
    fit_sentiment_bias: bool = True
    precision: str = "fp32"  # "bf16": autocast the forward pass (weights and optimizer stay fp32)
    cache_dir: Path | None = field(default_factory=default_cache_dir)
    threads: int = 2


@dataclass(slots=True)
class TrainResult:
    config: ModelConfig
    dev: dict[str, float]


_Item = tuple[int, int, int, int, int]  # group, row, moment, sentiment, length


def _by_source(examples: Sequence[Example]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    for i, example in enumerate(examples):
        groups.setdefault(example.source, []).append(i)
    return groups


class _Batches:
    """Pads items drawn from several cached groups into one batch."""

    def __init__(self, states: list[HiddenStates]) -> None:
        self.states = states

    def assemble(self, items: Sequence[_Item]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        width = max(item[4] for item in items)
        hidden = torch.zeros(len(items), width, self.states[0].flat.shape[1])
        mask = torch.zeros(len(items), width, dtype=torch.long)
        for r, (g, row, _, _, n) in enumerate(items):
            start = int(self.states[g].offsets[row])
            hidden[r, :n] = self.states[g].flat[start:start + n].float()
            mask[r, :n] = 1
        moments = torch.tensor([item[2] for item in items])
        sentiments = torch.tensor([item[3] for item in items])
        return hidden, mask, moments, sentiments


def _class_weights(labels: Sequence[int], n_classes: int, power: float) -> torch.Tensor:
    counts = np.bincount([y for y in labels if y >= 0], minlength=n_classes).astype(float)
    counts[counts == 0] = counts.max() if counts.max() > 0 else 1.0
    weights = (counts.max() / counts) ** power
    return torch.tensor(weights / weights.mean(), dtype=torch.float32)


def _length_batches(pool: list[_Item], batch_size: int, rng: random.Random) -> list[list[_Item]]:
    """Shuffled batches of similar length: little padding, still random across the epoch."""
    rng.shuffle(pool)
    batches = []
    chunk = batch_size * 50
    for start in range(0, len(pool), chunk):
        part = sorted(pool[start:start + chunk], key=lambda item: item[4])
        batches.extend(part[i:i + batch_size] for i in range(0, len(part), batch_size))
    rng.shuffle(batches)
    return batches


@torch.inference_mode()
def upper_logits(upper: UpperNet, states: HiddenStates, batch_size: int = 128) -> tuple[np.ndarray, np.ndarray]:
    """Moment and sentiment logits for every text in `states`, in order."""
    upper.eval()
    order = sorted(range(len(states)), key=lambda i: int(states.lengths[i]))
    moments = np.zeros((len(states), upper.moment_head.out_features), dtype=np.float32)
    sentiments = np.zeros((len(states), upper.sentiment_head.out_features), dtype=np.float32)
    for start in range(0, len(order), batch_size):
        chunk = order[start:start + batch_size]
        hidden, mask = states.batch(chunk)
        m, s = upper(hidden, mask)
        moments[chunk], sentiments[chunk] = m.numpy(), s.numpy()
    return moments, sentiments


def _label_ids(examples: Sequence[Example], kind: str) -> np.ndarray:
    labels = MOMENTS if kind == "moment" else SENTIMENTS
    return np.array([labels.index(getattr(e, kind)) for e in examples], dtype=np.int64)


def _forward_precision(precision: str) -> contextlib.AbstractContextManager[Any]:
    """The training forward pass's number format.

    fp32 gives the same model on every processor. bf16 autocasts the matrix
    products (AMX or AVX512-BF16 run a training step about 1.8x as fast;
    master weights, gradients, optimizer state and the loss stay fp32), so a
    bf16-trained model depends on the processor's kernels, not only on the
    seed and data.
    """
    if precision == "fp32":
        return contextlib.nullcontext()
    if precision == "bf16":
        return torch.autocast("cpu", dtype=torch.bfloat16)
    raise ModelError(f"precision {precision!r}: use one of {', '.join(PRECISIONS)}")


def train_model(dataset: TrainingSet, out: Path, options: TrainOptions | None = None,
                log: Log = lambda _: None) -> TrainResult:
    """Train, calibrate and save a model to `out`; reproducible for a given seed and data."""
    options = options or TrainOptions()
    _forward_precision(options.precision)  # an unknown precision fails now, not after the states are cached
    torch.set_num_threads(options.threads)
    torch.manual_seed(options.seed)
    rng = random.Random(options.seed)
    tokenizer, base = load_tokenizer(), load_base_encoder()
    upto = NUM_LAYERS - options.tuned_layers

    def hidden_for(examples: Sequence[Example], what: str) -> HiddenStates:
        log(f"lower-layer states for {len(examples)} {what} texts")
        return cached_hidden([e.text for e in examples], tokenizer, base, upto, MAX_TOKENS, options.cache_dir)

    states: list[HiddenStates] = []
    sentiment_items: list[_Item] = []
    moment_items: list[_Item] = []
    for source, indices in _by_source(dataset.train).items():
        group = hidden_for([dataset.train[i] for i in indices], source)
        for row, i in enumerate(indices):
            e = dataset.train[i]
            m = MOMENTS.index(e.moment) if e.moment else IGNORE
            s = SENTIMENTS.index(e.sentiment) if e.sentiment and e.sentiment_trainable else IGNORE
            if m != IGNORE or s != IGNORE:
                item = (len(states), row, m, s, int(group.lengths[row]))
                (moment_items if m != IGNORE else sentiment_items).append(item)
        states.append(group)
    if not moment_items and not sentiment_items:
        raise ModelError("no labelled training examples: give --data files with text and moment/sentiment")

    upper = upper_from_base(base, options.tuned_layers, len(MOMENTS), len(SENTIMENTS))
    everything = sentiment_items + moment_items
    moment_weights = _class_weights([i[2] for i in everything], len(MOMENTS), options.class_weight_power)
    sentiment_weights = _class_weights([i[3] for i in everything], len(SENTIMENTS), options.class_weight_power)

    per_epoch = len(sentiment_items)
    if options.sentiment_per_epoch is not None:
        per_epoch = min(per_epoch, options.sentiment_per_epoch)
    repeat = 1
    if per_epoch and moment_items:
        repeat = max(1, round(options.moment_share / (1 - options.moment_share) * per_epoch / len(moment_items)))
    steps_per_epoch = math.ceil((per_epoch + repeat * len(moment_items)) / options.batch_size)
    total_steps = max(1, steps_per_epoch * options.epochs)
    warmup = max(1, int(0.06 * total_steps))
    head_params = [*upper.moment_head.parameters(), *upper.sentiment_head.parameters()]
    optimizer = torch.optim.AdamW(
        [{"params": list(upper.layers.parameters()), "lr": options.lr_layers},
         {"params": head_params, "lr": options.lr_heads}],
        weight_decay=options.weight_decay,
    )
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / warmup, max(0.0, (total_steps - step) / (total_steps - warmup + 1))))
    batches = _Batches(states)
    sentiment_dev = [e for e in dataset.sentiment_dev if e.sentiment]
    moment_dev = [e for e in dataset.moment_dev if e.moment]
    sentiment_dev_states = hidden_for(sentiment_dev, "sentiment dev") if sentiment_dev else None
    moment_dev_states = hidden_for(moment_dev, "moment dev") if moment_dev else None
    log(f"training: {len(sentiment_items)} sentiment-only and {len(moment_items)} moment items; "
        f"{per_epoch} + {repeat}x{len(moment_items)} per epoch, {counted(options.epochs, 'epoch')}, "
        f"{counted(total_steps, 'step')}")

    step = 0
    for epoch in range(options.epochs):
        upper.train()
        pool = (rng.sample(sentiment_items, per_epoch) if per_epoch < len(sentiment_items) else list(sentiment_items))
        pool += moment_items * repeat
        running, count = 0.0, 0
        for batch in _length_batches(pool, options.batch_size, rng):
            hidden, mask, moments, sentiments = batches.assemble(batch)
            with _forward_precision(options.precision):
                moment_logits, sentiment_logits = upper(hidden, mask)
            moment_logits, sentiment_logits = moment_logits.float(), sentiment_logits.float()
            loss = torch.zeros(())
            if (moments != IGNORE).any():
                loss = loss + F.cross_entropy(moment_logits, moments, weight=moment_weights, ignore_index=IGNORE)
            if (sentiments != IGNORE).any():
                loss = loss + F.cross_entropy(sentiment_logits, sentiments, weight=sentiment_weights,
                                              ignore_index=IGNORE)
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(upper.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            step += 1
            running, count = running + loss.item(), count + 1
            if step % 200 == 0:
                log(f"step {step}/{total_steps} loss {running / count:.4f}")
        summary = _dev_summary(upper, sentiment_dev, sentiment_dev_states, moment_dev, moment_dev_states)
        log(f"epoch {epoch + 1}: loss {running / max(count, 1):.4f} " +
            " ".join(f"{k} {v:.4f}" for k, v in summary.items()))

    config = ModelConfig(tuned_layers=options.tuned_layers, moments=list(MOMENTS), sentiments=list(SENTIMENTS))
    dev = _dev_summary(upper, sentiment_dev, sentiment_dev_states, moment_dev, moment_dev_states)
    if sentiment_dev_states is not None:
        _, logits = upper_logits(upper, sentiment_dev_states)
        labels = _label_ids(sentiment_dev, "sentiment")
        bias = fit_bias(logits, labels) if options.fit_sentiment_bias else np.zeros(len(SENTIMENTS))
        config.sentiment_bias = [round(float(b), 4) for b in bias]
        config.sentiment_temperature = round(fit_temperature(logits + bias, labels), 4)
        dev["sentiment_dev_macro_recall_biased"] = macro_recall((logits + bias).argmax(1), labels, len(SENTIMENTS))
    if moment_dev_states is not None:
        logits, _ = upper_logits(upper, moment_dev_states)
        config.moment_temperature = round(fit_temperature(logits, _label_ids(moment_dev, "moment")), 4)
    config.training = {
        "options": {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(options).items()
                    if k not in ("cache_dir", "threads")},
        "counts": dataset.counts(),
        **({"sources": dataset.sources} if dataset.sources and dataset.sources != ALL_SOURCES else {}),
        "dev": {k: round(v, 4) for k, v in dev.items()},
    }
    save_model(upper, config, out)
    log(f"saved to {out}")
    return TrainResult(config, dev)


def _dev_summary(upper: UpperNet, sentiment_dev: Sequence[Example], sentiment_states: HiddenStates | None,
                 moment_dev: Sequence[Example], moment_states: HiddenStates | None) -> dict[str, float]:
    out: dict[str, float] = {}
    if sentiment_states is not None:
        _, logits = upper_logits(upper, sentiment_states)
        out["sentiment_dev_macro_recall"] = macro_recall(logits.argmax(1), _label_ids(sentiment_dev, "sentiment"),
                                                         len(SENTIMENTS))
    if moment_states is not None:
        logits, _ = upper_logits(upper, moment_states)
        predicted = [MOMENTS[i] for i in logits.argmax(1)]
        out["moment_dev_macro_f1"] = label_report([e.moment for e in moment_dev], predicted, MOMENTS)["macro_f1"]
    return out
