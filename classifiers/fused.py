"""BERT layers for the bf16 CPU backend, as oneDNN matrix products with their neighbours fused in.

Plain bf16 spends a third of its time outside the matrix products: copying
each bias into the output before the product, a separate GELU pass, the
residual additions, and a bf16 softmax that is three times slower than an
fp32 one on rows of twenty-odd scores. oneDNN's fused linear (the op
PyTorch's own compiler emits on CPU) does bias, GELU and the residual
addition inside the product; the three attention projections run as one
product; attention scores are scaled, masked and normalised in fp32. Same
weights, same arithmetic up to bf16 rounding, and a text's result still
depends on that text alone (each row of a product is computed on its own).
"""

from __future__ import annotations

import torch
from torch import nn

_linear = torch.ops.mkldnn._linear_pointwise


class FusedBertLayer(nn.Module):
    """One BertLayer (eval mode) in bf16: `layer(hidden, attention_mask=additive_mask)` like the original."""

    def __init__(self, layer: nn.Module) -> None:
        super().__init__()
        attention = layer.attention.self
        self.heads = attention.num_attention_heads
        self.head_size = attention.attention_head_size
        self.scaling = self.head_size ** -0.5
        projections = (attention.query, attention.key, attention.value)
        self.register_buffer("qkv_weight", torch.cat([p.weight.detach() for p in projections]).to(torch.bfloat16))
        self.register_buffer("qkv_bias", torch.cat([p.bias.detach() for p in projections]).to(torch.bfloat16))
        self.attention_out = layer.attention.output.dense.to(torch.bfloat16)
        self.attention_norm = layer.attention.output.LayerNorm.to(torch.bfloat16)
        self.intermediate = layer.intermediate.dense.to(torch.bfloat16)
        self.output = layer.output.dense.to(torch.bfloat16)
        self.output_norm = layer.output.LayerNorm.to(torch.bfloat16)

    def forward(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        batch, length, width = hidden.shape
        rows = hidden.reshape(batch * length, width)
        qkv = _linear(rows, self.qkv_weight, self.qkv_bias, "none", [], "")
        query, key, value = qkv.view(batch, length, 3, self.heads, self.head_size).permute(2, 0, 3, 1, 4)
        scores = torch.matmul(query, key.transpose(2, 3)).float().mul_(self.scaling).add_(attention_mask)
        weights = torch.softmax(scores, dim=-1).to(torch.bfloat16)
        context = torch.matmul(weights, value).transpose(1, 2).reshape(batch * length, width)
        attended = self.attention_norm(
            _linear.binary(context, rows, self.attention_out.weight, self.attention_out.bias, "add"))
        inner = _linear(attended, self.intermediate.weight, self.intermediate.bias, "gelu", [], "none")
        out = self.output_norm(_linear.binary(inner, attended, self.output.weight, self.output.bias, "add"))
        return out.view(batch, length, width)


def fused_bf16_layers(layers: nn.ModuleList) -> nn.ModuleList:
    """The same layers as `FusedBertLayer`s (the originals' modules are converted, not copied)."""
    return nn.ModuleList(FusedBertLayer(layer) for layer in layers)
