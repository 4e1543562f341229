"""Int8 linear layers whose result for a text never depends on the other texts in its batch.

torch's dynamic quantization scales the activations of a whole batch by one
number (its largest value), so the same post could get a different label
depending on what it was classified with. Here every token row gets its own
scale (and every output channel of the weight its own), and the integer
product is exact, so a text's logits are a function of that text alone. The
kernel is `torch._int_mm` (oneDNN on CPU), as fast as the dynamic path here.
"""

from __future__ import annotations

import torch
from torch import nn

_QMAX = 127.0


class PerTokenInt8Linear(nn.Module):
    """W8A8: int8 weights per output channel, int8 activations per token row, int32 accumulate."""

    def __init__(self, linear: nn.Linear) -> None:
        super().__init__()
        weight = linear.weight.detach().float()
        scale = weight.abs().amax(dim=1).clamp(min=1e-8) / _QMAX
        self.register_buffer("weight", torch.round(weight / scale[:, None]).to(torch.int8))
        self.register_buffer("weight_scale", scale)
        bias = linear.bias.detach().float() if linear.bias is not None else torch.zeros(weight.shape[0])
        self.register_buffer("bias", bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        rows = x.reshape(-1, x.shape[-1]).float()
        row_scale = torch.linalg.vector_norm(rows, ord=float("inf"), dim=1, keepdim=True).clamp_(min=1e-8) / _QMAX
        quantized = torch.round(rows / row_scale).to(torch.int8)
        out = (torch._int_mm(quantized, self.weight.t()) * row_scale).mul_(self.weight_scale).add_(self.bias)
        return out.reshape(*x.shape[:-1], out.shape[-1])


def quantize_linears(module: nn.Module) -> nn.Module:
    """Replace every `nn.Linear` inside `module` (in place) by its per-token int8 twin."""
    for name, child in module.named_children():
        if isinstance(child, nn.Linear):
            setattr(module, name, PerTokenInt8Linear(child))
        else:
            quantize_linears(child)
    return module
