"""The network: frozen lower encoder layers, fine-tuned top layers, two heads.

`UpperNet` is what training optimises (top layers + heads, fed cached lower
states); `JourneyNet` is the whole thing from token ids to logits, which
inference runs, quantizes or exports. Both share the same modules, so a
trained `UpperNet` drops into a `JourneyNet` without copying.
"""

from __future__ import annotations

import copy

import torch
from torch import nn

from .encoder import HIDDEN, NUM_LAYERS, mean_pool, run_layers, run_lower


class UpperNet(nn.Module):
    """Top encoder layers and the moment and sentiment heads, over one pooled vector."""

    def __init__(self, layers: nn.ModuleList, n_moments: int, n_sentiments: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.layers = layers
        self.dropout = nn.Dropout(dropout)
        self.moment_head = nn.Linear(HIDDEN, n_moments)
        self.sentiment_head = nn.Linear(HIDDEN, n_sentiments)

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        # pooled and heads in the heads' precision (fp32) even when the layers run in bf16
        dtype = self.moment_head.weight.dtype
        pooled = self.dropout(mean_pool(run_layers(self.layers, hidden, mask).to(dtype), mask))
        return self.moment_head(pooled), self.sentiment_head(pooled)


def upper_from_base(base: nn.Module, tuned_layers: int, n_moments: int, n_sentiments: int) -> UpperNet:
    """A trainable copy of the base encoder's top `tuned_layers` layers with fresh heads."""
    layers = nn.ModuleList(copy.deepcopy(base.encoder.layer[NUM_LAYERS - tuned_layers:]))
    for parameter in layers.parameters():
        parameter.requires_grad_(True)
    return UpperNet(layers, n_moments, n_sentiments)


class JourneyNet(nn.Module):
    """Token ids -> (moment logits, sentiment logits): one encoder pass for both heads."""

    def __init__(self, base: nn.Module, upper: UpperNet) -> None:
        super().__init__()
        self.embeddings = base.embeddings
        self.lower = nn.ModuleList(base.encoder.layer[:NUM_LAYERS - len(upper.layers)])
        self.upper = upper

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        hidden = self.embeddings(input_ids=input_ids, token_type_ids=torch.zeros_like(input_ids))
        hidden = run_layers(self.lower, hidden, attention_mask)
        return self.upper(hidden, attention_mask)


__all__ = ["JourneyNet", "UpperNet", "run_lower", "upper_from_base"]
