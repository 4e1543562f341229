"""Inference: texts in, calibrated `Prediction`s out, one encoder pass per text.

Texts are normalised like the training data, truncated at the model's token
limit, sorted by length and batched (padding is most of the cost of short
texts). On CPU the default backend runs the encoder in bfloat16 as fused
oneDNN layers (`fused.py`; pooling and heads stay fp32) where the processor
has native bf16 instructions (over twice fp32's speed here) and per-token int8
(`quantize.py`) where it does not; fp32 (`torch`) is always available, and
CUDA runs fp32 when present. Every backend gives a text the same label
whatever else is in its batch; the speed benchmark measures each against fp32
for speed and agreement.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np
import torch

from journeywatch.domain import Prediction

from .calibration import softmax
from .encoder import length_sorted_batches, load_base_encoder, load_fast_tokenizer, normalise_text, readable
from .files import ModelConfig, load_weights, read_model
from .fused import fused_bf16_layers
from .network import JourneyNet, upper_from_base
from .quantize import quantize_linears

Backend = Literal["auto", "bf16", "int8", "torch"]
BACKENDS: tuple[str, ...] = get_args(Backend)


def cpu_backend(requested: Backend) -> str:
    """The concrete CPU path for `requested`: `auto` picks the fastest one this processor runs in hardware.

    bf16 where the processor has native bf16 (it matches fp32's labels almost
    everywhere; the benchmark prints the agreement), int8 where it has VNNI
    int8 dot products, else plain fp32: without VNNI, torch's int8 product
    falls back to a reference loop some 30 times slower than fp32, and
    emulated bf16 is eight times slower.
    """
    if requested != "auto":
        return requested
    if native_bf16():
        return "bf16"
    return "int8" if native_int8() else "torch"


def native_bf16() -> bool:
    """Whether oneDNN runs bf16 products in hardware (AVX512-BF16, AMX) on this processor."""
    return torch.backends.mkldnn.is_available() and bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())


def native_int8() -> bool:
    """Whether this processor has the int8 dot products (AVX512-VNNI, AMX) that make `torch._int_mm` fast."""
    return bool(torch.cpu._is_vnni_supported() or torch.cpu._is_amx_tile_supported())


LONG_TEXT = 20_000  # characters; 256 tokens take far fewer in any text but one of very long words


# The CJK ideographs BERT's tokenizer makes a word each (BasicTokenizer._is_chinese_char): a cut before one
# is a cut between words, as a space is, so a post in Chinese (no spaces) is cut too.
_IDEOGRAPH = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002a6df\U0002a700-\U0002ceaf"
                        "\U0002f800-\U0002fa1f]")


def _starts_a_word(char: str) -> bool:
    """Whether the tokenizer starts a new word at `char`: a space, an ideograph or punctuation.

    BERT's pre-tokenizer makes each ASCII punctuation character and each Unicode
    punctuation character (category P) a word of its own, as it does an ideograph.
    """
    return (char == " " or char in _ASCII_PUNCTUATION or unicodedata.category(char).startswith("P")
            or _IDEOGRAPH.match(char) is not None)


_ASCII_PUNCTUATION = frozenset(string.punctuation)


def _prefix(text: str) -> str:
    """`text` cut between two words within `LONG_TEXT` characters (or `text` itself, when shorter or one word).

    The last place a word starts is taken, not only the last space: a pasted data URI
    or base64 blob ("data:image/png;base64,iVBO.../AAAA+...") has no space, or one near
    its start, and a 10 MB one was tokenized whole (2.3 GB) although its punctuation
    splits it into words the tokenizer reads one by one.
    """
    if len(text) <= LONG_TEXT:
        return text
    for end in range(LONG_TEXT, 0, -1):
        if _starts_a_word(text[end]):
            return text[:end]
    return text


class JourneyClassifier:
    """The shipped classifier; satisfies `journeywatch.classifiers.base.Classifier`."""

    def __init__(self, model_dir: Path, *, batch_size: int = 64, review_below: float = 0.5,
                 backend: Backend = "auto", device: str | None = None) -> None:
        self.model_dir = model_dir
        files = read_model(model_dir)  # config and weights of one model, even while `train` replaces it
        self.config: ModelConfig = files.config
        self.version: str = files.version
        self.batch_size = batch_size
        self.review_below = review_below
        self.tokenizer: Any = load_fast_tokenizer(self.config.max_tokens)
        self._unknown: int = self.tokenizer.token_to_id("[UNK]")
        base = load_base_encoder()
        upper = upper_from_base(base, self.config.tuned_layers, len(self.config.moments),
                                len(self.config.sentiments))
        load_weights(upper, model_dir, files.weights)
        net = JourneyNet(base, upper).eval()
        self.device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        self.backend: str = cpu_backend(backend) if self.device.type == "cpu" else "cuda"
        if self.backend == "int8":
            quantize_linears(net.lower)
            quantize_linears(net.upper.layers)
        elif self.backend == "bf16":  # the encoder only; pooling and heads stay fp32
            net.embeddings.to(torch.bfloat16)
            if native_bf16():  # oneDNN's fused bf16 products; elsewhere plain (emulated) bf16 layers
                net.lower = fused_bf16_layers(net.lower)
                net.upper.layers = fused_bf16_layers(net.upper.layers)
            else:
                net.lower.to(torch.bfloat16)
                net.upper.layers.to(torch.bfloat16)
        self.net = net.to(self.device)
        self._moment_bias = np.array(self.config.moment_bias, dtype=np.float32)
        self._sentiment_bias = np.array(self.config.sentiment_bias, dtype=np.float32)

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Each text's token ids, truncated at the model's limit.

        A long text is tokenized from a prefix cut at a space: the tokenizer splits
        words at spaces and normalises character by character, so a prefix that
        fills the limit gives the very ids the whole text gives. Whole, a 10 MB post
        was tokenized to millions of ids (half a gigabyte) to keep 256 of them.
        """
        clean = [normalise_text(t) if isinstance(t, str) else "" for t in texts]
        cut = [_prefix(text) for text in clean]
        ids = [encoding.ids for encoding in self.tokenizer.encode_batch(cut)]
        for i, (text, prefix) in enumerate(zip(clean, cut)):
            if prefix is not text and len(ids[i]) < self.config.max_tokens:  # long words: the prefix fell short
                ids[i] = self.tokenizer.encode(text).ids
        return ids

    def reads_nothing(self, ids: Sequence[int]) -> bool:
        """Whether a text's token ids hold no token the encoder's vocabulary knows: only [UNK] between [CLS] and [SEP].

        Emoji are not in the vocabulary, so "😡😡", "😍" and "👎👎👎" were all one input,
        [CLS] [UNK] [SEP], and got one confident answer (stimulus, positive) as if read.
        """
        return all(token == self._unknown for token in ids[1:-1])

    @torch.inference_mode()
    def logits(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Raw (moment, sentiment) logits in input order, before bias and temperature."""
        return self._logits_of(self.token_ids(texts))

    @torch.inference_mode()
    def _logits_of(self, ids: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
        moments = np.zeros((len(ids), len(self.config.moments)), dtype=np.float32)
        sentiments = np.zeros((len(ids), len(self.config.sentiments)), dtype=np.float32)
        for chunk, input_ids, mask in length_sorted_batches(ids, self.batch_size):
            m, s = self.net(input_ids.to(self.device), mask.to(self.device))
            moments[chunk] = m.float().cpu().numpy()
            sentiments[chunk] = s.float().cpu().numpy()
        return moments, sentiments

    def probabilities(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Calibrated (moment, sentiment) probabilities: bias, then temperature, then softmax."""
        return self._probabilities_of(self.token_ids(texts))

    def _probabilities_of(self, ids: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
        moments, sentiments = self._logits_of(ids)
        return (softmax((moments + self._moment_bias) / self.config.moment_temperature),
                softmax((sentiments + self._sentiment_bias) / self.config.sentiment_temperature))

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """One prediction per text, in order; an empty input gives an empty list."""
        if not texts:
            return []
        ids = self.token_ids(texts)
        moment_probs, sentiment_probs = self._probabilities_of(ids)
        out = []
        for text, text_ids, mp, sp in zip(texts, ids, moment_probs, sentiment_probs):
            m, s = int(mp.argmax()), int(sp.argmax())
            out.append(Prediction(
                moment=self.config.moments[m],
                moment_confidence=float(mp[m]),
                sentiment=self.config.sentiments[s],
                sentiment_confidence=float(sp[s]),
                moment_probs={k: round(float(v), 6) for k, v in zip(self.config.moments, mp)},
                sentiment_probs={k: round(float(v), 6) for k, v in zip(self.config.sentiments, sp)},
                # nothing to read is never a confident call, whatever the heads say
                needs_review=bool(mp[m] < self.review_below) or not (isinstance(text, str) and readable(text))
                or self.reads_nothing(text_ids),
            ))
        return out
