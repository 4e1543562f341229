"""Cached hidden states of the frozen lower encoder layers.

Fine-tuning only the top layers means the lower ones give the same output
every epoch; computing them once (fp16, variable length, on disk) turns a
multi-hour CPU job into minutes. The cache key covers the texts, the layer
and the token limit, so a changed corpus never reads stale states.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from .encoder import length_sorted_batches, run_layers, run_lower


@dataclass(slots=True)
class HiddenStates:
    """Per-text token states, concatenated: text i is flat[offsets[i]:offsets[i]+lengths[i]]."""

    flat: torch.Tensor  # (total_tokens, hidden) fp16
    offsets: torch.Tensor  # (n,) int64
    lengths: torch.Tensor  # (n,) int64

    def __len__(self) -> int:
        return int(self.lengths.shape[0])

    def batch(self, indices: Sequence[int]) -> tuple[torch.Tensor, torch.Tensor]:
        """Padded fp32 (B, L, H) states and their (B, L) mask for these texts."""
        lens = [int(self.lengths[i]) for i in indices]
        width = max(lens)
        hidden = torch.zeros(len(indices), width, self.flat.shape[1])
        mask = torch.zeros(len(indices), width, dtype=torch.long)
        for row, (i, n) in enumerate(zip(indices, lens)):
            start = int(self.offsets[i])
            hidden[row, :n] = self.flat[start:start + n].float()
            mask[row, :n] = 1
        return hidden, mask


def cache_key(texts: Sequence[str], upto: int, max_tokens: int) -> str:
    digest = hashlib.sha256(f"{upto}:{max_tokens}".encode())
    for text in texts:
        digest.update(text.encode("utf-8", "replace") + b"\x00")
    return digest.hexdigest()[:20]


@torch.inference_mode()
def compute_hidden(
    texts: Sequence[str],
    tokenizer: Any,
    model: Any,
    upto: int,
    max_tokens: int,
    batch_size: int = 64,
    progress: Callable[[int], None] | None = None,
) -> HiddenStates:
    """Run the frozen lower layers over `texts` in length-sorted batches."""
    ids = tokenizer(list(texts), truncation=True, max_length=max_tokens)["input_ids"]
    lengths = torch.tensor([len(x) for x in ids], dtype=torch.long)
    offsets = torch.zeros(len(ids), dtype=torch.long)
    if len(ids):
        offsets[1:] = torch.cumsum(lengths, 0)[:-1]
    flat = torch.zeros(int(lengths.sum()), model.config.hidden_size, dtype=torch.float16)
    done = 0
    for chunk, input_ids, mask in length_sorted_batches(ids, batch_size):
        hidden = run_lower(model, input_ids, mask, upto)
        for row, i in enumerate(chunk):
            o, n = int(offsets[i]), len(ids[i])
            flat[o:o + n] = hidden[row, :n].half()
        done += len(chunk)
        if progress:
            progress(done)
    return HiddenStates(flat, offsets, lengths)


def _load(path: Path) -> HiddenStates:
    data = torch.load(path)
    return HiddenStates(data["flat"], data["offsets"], data["lengths"])


@torch.inference_mode()
def advance(states: HiddenStates, layers: Any, batch_size: int = 128) -> HiddenStates:
    """Run further frozen layers over cached states (layer k's cache from layer j's, j < k)."""
    flat = torch.zeros_like(states.flat)
    order = sorted(range(len(states)), key=lambda i: int(states.lengths[i]))
    for start in range(0, len(order), batch_size):
        chunk = order[start:start + batch_size]
        hidden, mask = states.batch(chunk)
        hidden = run_layers(layers, hidden, mask)
        for row, i in enumerate(chunk):
            o, n = int(states.offsets[i]), int(states.lengths[i])
            flat[o:o + n] = hidden[row, :n].half()
    return HiddenStates(flat, states.offsets, states.lengths)


def cached_hidden(
    texts: Sequence[str],
    tokenizer: Any,
    model: Any,
    upto: int,
    max_tokens: int,
    cache_dir: Path | None,
    progress: Callable[[int], None] | None = None,
) -> HiddenStates:
    """`compute_hidden`, read from / written to `cache_dir` when one is given."""
    path = cache_dir / f"hidden-{cache_key(texts, upto, max_tokens)}.pt" if cache_dir else None
    if path is not None and path.is_file():
        return _load(path)
    below = [(k, cache_dir / f"hidden-{cache_key(texts, k, max_tokens)}.pt") for k in range(upto - 1, 0, -1)
             ] if cache_dir else []
    found = next(((k, p) for k, p in below if p.is_file()), None)
    if found is not None:  # cheaper: run only the missing layers over a cached lower layer
        states = advance(_load(found[1]), model.encoder.layer[found[0]:upto])
    else:
        states = compute_hidden(texts, tokenizer, model, upto, max_tokens, progress=progress)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        torch.save({"flat": states.flat, "offsets": states.offsets, "lengths": states.lengths}, tmp)
        tmp.replace(path)
    return states
