"""The classifier on small data: training through the CLI, loading, predicting.

A tiny model (one tuned layer, a few dozen hand-written examples) is trained
once per test session; the shipped model is exercised where it is present.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch
import typer
from typer.testing import CliRunner

from journeywatch.cli import app
from journeywatch.classifiers import JourneyClassifier, forget_classifiers, load_classifier
from journeywatch.classifiers.encoder import load_base_encoder, load_tokenizer, run_layers, run_lower
from journeywatch.classifiers.files import DEFAULT_MODEL_DIR, read_config
from journeywatch.classifiers.predictor import native_bf16
from journeywatch.domain import MOMENTS, SENTIMENTS
from journeywatch.errors import ModelError

pytestmark = pytest.mark.slow

# Hand-written, six per moment, with their sentiment; enough for a head to learn the cues.
TINY = [
    ("Just saw the new ad for the Aurora phone on TV, looks slick", "stimulus", "positive"),
    ("That billboard for FreshBox meal kits is everywhere now", "stimulus", "neutral"),
    ("My friend told me about this new coffee subscription today", "stimulus", "neutral"),
    ("My old kettle broke this morning so I need a new one", "stimulus", "negative"),
    ("The new Zenbank advert is so annoying, they play it every break", "stimulus", "negative"),
    ("Loved the launch video for the new Trailrunner shoes", "stimulus", "positive"),
    ("Which laptop should I buy, the Vero 13 or the Kite Air?", "zero_moment", "neutral"),
    ("Is the Solis vacuum worth it over the cheaper model?", "zero_moment", "neutral"),
    ("Any recommendations for a reliable web host for a small blog?", "zero_moment", "neutral"),
    ("Thinking about buying the Orbit headphones, anyone tried them?", "zero_moment", "neutral"),
    ("Comparing prices for the Nimbus mattress before I decide", "zero_moment", "neutral"),
    ("Reading reviews of the Atlas car seat, which one is safest?", "zero_moment", "neutral"),
    ("Checkout keeps failing when I try to pay for my order", "first_moment", "negative"),
    ("Just ordered the Orbit headphones, delivery on Friday", "first_moment", "positive"),
    ("Unboxed my new reader today, the screen looks amazing", "first_moment", "positive"),
    ("The box arrived damaged and half the parts were missing", "first_moment", "negative"),
    ("Tried to book a flight for an hour and the site timed out", "first_moment", "negative"),
    ("The cashier was lovely and the store was easy to shop in", "first_moment", "positive"),
    ("Three weeks in and the router still drops every hour", "second_moment", "negative"),
    ("Support never answered my ticket about the broken charger", "second_moment", "negative"),
    ("Still waiting for my refund after returning the blender", "second_moment", "negative"),
    ("Six months later the battery still lasts two full days", "second_moment", "positive"),
    ("Renewed my gym membership for another year", "second_moment", "neutral"),
    ("The app crashes every time I open my saved playlists, help", "second_moment", "negative"),
    ("PSA: do not fly with them, they lost my bag and will not pay", "ultimate_moment", "negative"),
    ("Highly recommend this dentist to anyone nervous about visits", "ultimate_moment", "positive"),
    ("Five stars, best pizza in town, you have to try it", "ultimate_moment", "positive"),
    ("Avoid this landlord company at all costs, total scam", "ultimate_moment", "negative"),
    ("Review: solid blender, quiet and strong, would buy again", "ultimate_moment", "positive"),
    ("Never again, tell everyone to stay away from that garage", "ultimate_moment", "negative"),
    ("Shares of the carmaker rose two percent this morning", "none", "neutral"),
    ("Follow for follow, giveaway link in my bio", "none", "neutral"),
    ("We are hiring a warehouse assistant, apply today", "none", "neutral"),
    ("The weather is lovely today, going for a walk", "none", "positive"),
    ("Quarterly results will be announced next Tuesday", "none", "neutral"),
    ("Use my referral code for ten percent off", "none", "neutral"),
]


def write_tiny(path: Path) -> Path:
    path.write_text("".join(json.dumps({"text": t, "moment": m, "sentiment": s}) + "\n" for t, m, s in TINY),
                    encoding="utf-8")
    return path


def train_tiny(root: Path, out: Path, seed: int = 13, card: bool = False, extra: tuple[str, ...] = ()) -> Path:
    """`journeywatch train` on the tiny data only (no corpus, no benchmarks); `extra`: more train options."""
    args = ["train", "--data", str(write_tiny(root / "tiny.jsonl")), "--no-benchmarks", "--no-corpus",
            "--epochs", "30", "--tuned-layers", "1", "--seed", str(seed), "--out", str(out),
            "--cache-dir", str(root / "cache"), "--card" if card else "--no-card", *extra]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output + repr(result.exception)
    return out


_TINY_MODELS: dict[str, Path] = {}


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One tiny trained model per session (shared by the CLI tests that import this fixture)."""
    if "model" not in _TINY_MODELS:
        root = tmp_path_factory.mktemp("tiny")
        _TINY_MODELS["model"] = train_tiny(root, root / "model", card=True)
    return _TINY_MODELS["model"]


def test_train_writes_weights_config_and_card(tiny_model: Path) -> None:
    config = read_config(tiny_model)
    assert config.tuned_layers == 1
    assert config.moments == list(MOMENTS) and config.sentiments == list(SENTIMENTS)
    assert config.moment_temperature > 0 and config.sentiment_temperature > 0
    assert config.training["options"]["seed"] == 13
    card = (tiny_model / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert load_classifier(tiny_model).version in card
    assert "| moments-holdout | moment |" in card
    size = sum(p.stat().st_size for p in tiny_model.iterdir())
    assert size < 20_000_000


def test_card_names_the_data_the_model_was_trained_on(tiny_model: Path) -> None:
    # The Data section was fixed prose: the card of a model trained on --data alone named the project's corpus,
    # the real posts and SemEval, and said its figures were "measured with the shipped model".
    card = (tiny_model / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "- Moments: `--data` files (`tiny.jsonl`). Training examples with a moment label:" in card
    assert "- Sentiment: the `--data` files. Training examples with a sentiment label:" in card
    assert "SemEval" not in card and "moments-*.jsonl" not in card and "TweetEval val" not in card
    assert "Measured with this model on " in card and "shipped model" not in card
    assert read_config(tiny_model).training["sources"] == {
        "corpus": False, "data_files": ["tiny.jsonl"], "real_posts": False, "semeval": False, "tweeteval_val": False}


def test_training_is_reproducible_with_a_seed(tiny_model: Path, tmp_path: Path) -> None:
    again = train_tiny(tmp_path, tmp_path / "again", seed=13)
    other = train_tiny(tmp_path, tmp_path / "other", seed=14)
    first = (tiny_model / "weights.safetensors").read_bytes()
    assert (again / "weights.safetensors").read_bytes() == first
    assert (other / "weights.safetensors").read_bytes() != first


def test_train_in_bf16_learns_and_says_so_in_config_and_card(tiny_model: Path, tmp_path: Path) -> None:
    # Training ran in fp32 only, on a Xeon whose AMX runs a bf16 training step ~1.8x as fast (147 vs 264 ms,
    # two cores). --precision bf16 autocasts the forward pass; fp32 stays the default (and the same bytes).
    bf16 = train_tiny(tmp_path, tmp_path / "bf16", card=True, extra=("--precision", "bf16"))
    assert read_config(bf16).training["options"]["precision"] == "bf16"
    assert read_config(tiny_model).training["options"]["precision"] == "fp32"
    assert (bf16 / "weights.safetensors").read_bytes() != (tiny_model / "weights.safetensors").read_bytes()
    card = (bf16 / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert ("`journeywatch train --seed 13 --data tiny.jsonl --no-corpus --no-benchmarks --epochs 30 --tuned-layers 1 "
            "--precision bf16`") in card
    assert "the weights depend on the processor's kernels" in card
    assert "bfloat16 (autocast" not in (tiny_model / "MODEL_CARD.md").read_text(encoding="utf-8")
    predictions = load_classifier(bf16, backend="torch").predict([t for t, _, _ in TINY])
    assert sum(p.moment == m for p, (_, m, _) in zip(predictions, TINY)) / len(TINY) >= 0.6


def test_train_refuses_an_unknown_precision(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["train", "--precision", "fp16", "--out", str(tmp_path / "m")],
                                standalone_mode=False)
    assert isinstance(result.exception, typer.BadParameter) and result.exception.exit_code == 2  # a usage error
    assert result.exception.format_message() == "Invalid value for '--precision': 'fp16': use one of fp32, bf16"
    assert not (tmp_path / "m").exists()


def test_tiny_model_learns_its_training_moments(tiny_model: Path) -> None:
    classifier = load_classifier(tiny_model, backend="torch")
    predictions = classifier.predict([t for t, _, _ in TINY])
    moment_hits = sum(p.moment == m for p, (_, m, _) in zip(predictions, TINY))
    sentiment_hits = sum(p.sentiment == s for p, (_, _, s) in zip(predictions, TINY))
    # chance is 1/6 and 1/3; a head that learned nothing stays near it
    assert moment_hits / len(TINY) >= 0.6
    assert sentiment_hits / len(TINY) >= 0.5


def test_predictions_are_calibrated_distributions_in_input_order(tiny_model: Path) -> None:
    classifier = load_classifier(tiny_model, review_below=0.5)
    texts = ["Which phone should I get?", "", "word " * 5000, "PSA: avoid them", "Which phone should I get?"]
    predictions = classifier.predict(texts)
    assert len(predictions) == len(texts)
    assert predictions[0] == predictions[4]
    for p in predictions:
        assert p.moment in MOMENTS and p.sentiment in SENTIMENTS
        assert math.isclose(sum(p.moment_probs.values()), 1.0, abs_tol=1e-4)
        assert math.isclose(sum(p.sentiment_probs.values()), 1.0, abs_tol=1e-4)
        assert p.moment_confidence == pytest.approx(max(p.moment_probs.values()), abs=1e-5)
        assert p.sentiment == max(p.sentiment_probs, key=p.sentiment_probs.__getitem__)
    assert predictions[1].needs_review  # an empty text is never a confident call
    assert max(len(ids) for ids in classifier.token_ids(texts)) == 256
    assert classifier.predict([]) == []


def test_review_flag_follows_the_threshold(tiny_model: Path) -> None:
    texts = [t for t, _, _ in TINY[:12]]
    never = load_classifier(tiny_model, review_below=0.0).predict(texts)
    always = load_classifier(tiny_model, review_below=1.0).predict(texts)
    assert not any(p.needs_review for p in never)
    assert all(p.needs_review for p in always)


def test_load_classifier_is_cached_and_versioned(tiny_model: Path) -> None:
    first = load_classifier(tiny_model)
    assert load_classifier(tiny_model) is first
    assert first.version.startswith("jw-0.1.0+")
    forget_classifiers()
    assert load_classifier(tiny_model) is not first


def test_missing_model_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="journeywatch train"):
        load_classifier(tmp_path / "nothing-here")


def test_a_damaged_model_folder_is_a_model_error(tiny_model: Path, tmp_path: Path) -> None:
    # A garbage weights file, weights of another shape or a config that is not an object ended in tracebacks.
    import shutil

    for name, damage in [("weights.safetensors", b"garbage"), ("config.json", b"[1, 2]")]:
        model = shutil.copytree(tiny_model, tmp_path / name)
        (model / name).write_bytes(damage)
        with pytest.raises(ModelError, match=name.replace(".", r"\.")):
            load_classifier(model)
    model = shutil.copytree(tiny_model, tmp_path / "shape")
    config = json.loads((model / "config.json").read_text(encoding="utf-8"))
    (model / "config.json").write_text(json.dumps({**config, "moments": config["moments"][:3]}), encoding="utf-8")
    with pytest.raises(ModelError, match="size mismatch"):
        load_classifier(model)


def test_split_encoder_matches_the_full_model() -> None:
    tokenizer, model = load_tokenizer(), load_base_encoder()
    batch = tokenizer(["a short one", "a somewhat longer sentence about a broken kettle"], padding=True,
                      return_tensors="pt")
    with torch.inference_mode():
        full = model(**batch).last_hidden_state
        split = run_layers(model.encoder.layer[4:], run_lower(model, batch["input_ids"], batch["attention_mask"], 4),
                           batch["attention_mask"])
    keep = batch["attention_mask"].bool()
    assert torch.allclose(full[keep], split[keep], atol=1e-4)


@pytest.mark.skipif(not (DEFAULT_MODEL_DIR / "weights.safetensors").is_file(), reason="no shipped model yet")
def test_shipped_model_loads_and_is_small() -> None:
    classifier = load_classifier()
    [p] = classifier.predict(["Is the Model 3 worth it over the Ioniq 6?"])
    assert p.moment in MOMENTS
    size = sum(p.stat().st_size for p in DEFAULT_MODEL_DIR.iterdir() if p.is_file())
    assert size < 20_000_000


def test_cached_states_are_reused_and_deeper_caches_derive_from_lower_ones(tmp_path: Path) -> None:
    from journeywatch.classifiers.cache import cached_hidden, compute_hidden

    tokenizer, model = load_tokenizer(), load_base_encoder()
    texts = ["the kettle broke", "which laptop should I buy for school this year", ""]
    lower = cached_hidden(texts, tokenizer, model, 4, 256, tmp_path)
    assert len(list(tmp_path.glob("hidden-*.pt"))) == 1
    again = cached_hidden(texts, tokenizer, model, 4, 256, tmp_path)
    assert torch.equal(lower.flat, again.flat)
    derived = cached_hidden(texts, tokenizer, model, 5, 256, tmp_path)  # from the layer-4 cache
    direct = compute_hidden(texts, tokenizer, model, 5, 256)
    assert torch.equal(derived.lengths, direct.lengths)
    assert torch.allclose(derived.flat.float(), direct.flat.float(), atol=0.05)
    assert len(list(tmp_path.glob("hidden-*.pt"))) == 2


MIXED = ["Is the Model 3 worth it over the Ioniq 6?", "ok", "never flying with them again, 4 hours on the tarmac",
         "Unboxed my new kettle this morning and it already leaks from the base, contacted support, waiting " * 6,
         "@northwind thanks for the upgrade!!! 😍", ""]


@pytest.mark.parametrize(("backend", "tolerance"), [("torch", 1e-4), ("bf16", 2e-2), ("int8", 1e-3)])
def test_a_text_gets_the_same_result_alone_or_in_any_batch(tiny_model: Path, backend: str, tolerance: float) -> None:
    """Only rounding may differ (bf16 keeps 8 bits of mantissa); torch's dynamic int8 failed this."""
    classifier = load_classifier(tiny_model, backend=backend)
    alone = [classifier.logits([text]) for text in MIXED]
    together = classifier.logits(MIXED + [t.upper() for t in MIXED])
    for i, pair in enumerate(alone):
        for one, batched in zip(pair, together):
            assert abs(one[0] - batched[i]).max() <= tolerance


@pytest.mark.parametrize("backend", ["bf16", "int8"])
def test_fast_backends_stay_close_to_fp32(tiny_model: Path, backend: str) -> None:
    texts = [t for t, _, _ in TINY]
    reference = load_classifier(tiny_model, backend="torch").probabilities(texts)
    fast = load_classifier(tiny_model, backend=backend).probabilities(texts)
    for ref, got in zip(reference, fast):
        assert abs(ref - got).max() < 0.1
        assert (ref.argmax(1) == got.argmax(1)).mean() >= 0.9


def test_per_token_int8_linear_tracks_fp32_and_keeps_rows_independent() -> None:
    from journeywatch.classifiers.quantize import PerTokenInt8Linear

    torch.manual_seed(0)
    linear = torch.nn.Linear(64, 32)
    quantized = PerTokenInt8Linear(linear)
    x = torch.randn(5, 7, 64)
    x[1] *= 50  # one loud item must not coarsen the others' quantization
    with torch.inference_mode():
        exact, approx = linear(x), quantized(x)
        assert torch.allclose(approx, exact, rtol=0.05, atol=0.05 * exact.abs().max().item())
        assert torch.equal(quantized(x[:1]), approx[:1])


def test_card_command_rewrites_the_card_from_a_fresh_evaluation(tiny_model: Path, tmp_path: Path) -> None:
    import shutil

    model = shutil.copytree(tiny_model, tmp_path / "model")
    (model / "MODEL_CARD.md").write_text("stale", encoding="utf-8")
    (tmp_path / "no-benchmarks").mkdir()
    result = CliRunner().invoke(app, ["card", "--model", str(model), "--benchmarks", str(tmp_path / "no-benchmarks")])
    assert result.exit_code == 0, result.output + repr(result.exception)
    card = (model / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert load_classifier(model).version in card
    assert "| moments-holdout | moment |" in card and "tweeteval-test" not in card


@pytest.mark.skipif(not native_bf16(), reason="this processor has no hardware bf16 (AVX512-BF16 or AMX): "
                    "oneDNN's fused bf16 products, and so the fused layer, are not used here")
def test_fused_bf16_layer_tracks_the_bert_layer_it_replaces() -> None:
    from journeywatch.classifiers.encoder import additive_mask
    from journeywatch.classifiers.fused import FusedBertLayer

    layer = load_base_encoder().encoder.layer[3]
    torch.manual_seed(0)
    hidden = torch.randn(3, 9, 384)
    mask = torch.ones(3, 9, dtype=torch.long)
    mask[1, 5:] = 0  # padding must still be ignored
    with torch.inference_mode():
        exact = run_layers([layer], hidden, mask)
        fused = FusedBertLayer(layer)(hidden.bfloat16(), additive_mask(mask, torch.bfloat16)).float()
    keep = mask.bool()
    scale = exact[keep].abs().max().item()
    assert (fused[keep] - exact[keep]).abs().max().item() < 0.03 * scale


def test_fast_tokenizer_gives_the_transformers_ids_and_truncates() -> None:
    from journeywatch.classifiers.encoder import load_fast_tokenizer

    texts = ["Is the Model 3 worth it over the Ioniq 6?", "@user thanks!!! 😍 http", "", "waiting " * 400]
    expected = load_tokenizer()(texts, truncation=True, max_length=256)["input_ids"]
    assert [e.ids for e in load_fast_tokenizer(256).encode_batch(texts)] == expected
    assert len(expected[-1]) == 256


def test_normalise_text_joins_escaped_surrogate_pairs_and_replaces_lone_ones() -> None:
    from journeywatch.classifiers.encoder import load_fast_tokenizer, normalise_text

    # A written-out "\ud83d\ude00" became two lone surrogates, which the tokenizer refused with a TypeError.
    assert normalise_text("love it \\ud83d\\ude00") == "love it \U0001f600"
    assert normalise_text("lone \ud83d here") == "lone \ufffd here"
    assert normalise_text("caf\udce9") == "caf\ufffd"
    assert normalise_text("plain 😀 text") == "plain 😀 text"
    texts = [normalise_text(t) for t in ("lone \ud83d here", "x \\ud83d y")]
    assert len(load_fast_tokenizer(256).encode_batch(texts)) == 2


def test_a_text_with_nothing_to_read_is_always_flagged_for_review(tiny_model: Path) -> None:
    from journeywatch.classifiers.encoder import readable

    assert not readable("\u200b \u0000\u200e") and not readable("\\u0020") and readable("ok \u200b")
    flagged = load_classifier(tiny_model, review_below=0.0).predict(["\u200b", "Which laptop should I buy?"])
    assert [p.needs_review for p in flagged] == [True, False]


def test_a_text_of_emoji_only_is_flagged_for_review(tiny_model: Path) -> None:
    # Every emoji is one [UNK] to the encoder: "😡😡" and "😍" were the same input and got one confident answer.
    classifier = load_classifier(tiny_model, review_below=0.0)
    texts = ["😡😡", "😍", "👎 👎 👎", "😡 Which laptop should I buy?"]
    assert [classifier.reads_nothing(ids) for ids in classifier.token_ids(texts)] == [True, True, True, False]
    assert [p.needs_review for p in classifier.predict(texts)] == [True, True, True, False]


def _lengths_tokenized(classifier: JourneyClassifier, texts: list[str], whole: list[list[int]]) -> list[int]:
    """The lengths of the strings `classifier.token_ids(texts)` gave its tokenizer, having checked it returned `whole`."""
    tokenizer, seen = classifier.tokenizer, []

    class Recording:  # the Rust tokenizer takes no attributes: a stand-in that notes what it was given
        def encode_batch(self, batch: list[str]) -> list:
            seen.extend(len(t) for t in batch)
            return tokenizer.encode_batch(batch)

        def encode(self, text: str) -> object:
            seen.append(len(text))
            return tokenizer.encode(text)

    classifier.tokenizer = Recording()
    try:
        assert classifier.token_ids(texts) == whole
    finally:
        classifier.tokenizer = tokenizer
    return seen


def test_a_huge_text_gets_the_ids_the_whole_text_gives(tiny_model: Path) -> None:
    # A 10 MB post was tokenized whole (millions of ids, half a gigabyte) to keep 256; it is now cut first,
    # where that cannot change the ids.
    from journeywatch.classifiers.encoder import normalise_text

    classifier = load_classifier(tiny_model, backend="torch")
    texts = ["the flight was late again " * 40_000,  # cut at a space
             ("x" * 150 + " ") * 1_000,  # words too long for a token each: the prefix falls short, read whole
             "丢了我的行李" * 10_000,  # no space: cut before an ideograph (a word each)
             "ありがとう" * 10_000,  # kana are no words of their own: read whole
             "short one"]
    whole = [classifier.tokenizer.encode(normalise_text(t)).ids for t in texts]
    seen = _lengths_tokenized(classifier, texts, whole)
    assert [len(ids) for ids in whole[:3]] == [classifier.config.max_tokens] * 3
    assert seen[0] <= 20_000 and seen[2] <= 20_000  # cut, not tokenized whole (1,040,000 and 60,000 characters)


def test_a_huge_text_without_spaces_is_cut_at_its_punctuation(tiny_model: Path) -> None:
    # A 10 MB data URI pasted in a post has no space (or one near its start): it was tokenized whole (2.3 GB of
    # memory) to keep 256 ids, though its punctuation ("/", "+", "," or "。") starts a word as a space does.
    from journeywatch.classifiers.encoder import normalise_text

    classifier = load_classifier(tiny_model, backend="torch")
    blob = "iVBORw0KGgo/AAAANSUhEUg+AAAA" * 5_000
    texts = ["data:image/png;base64," + blob, "look at this: data:image/png;base64," + blob, "ab,cd。" * 30_000]
    whole = [classifier.tokenizer.encode(normalise_text(t)).ids for t in texts]
    seen = _lengths_tokenized(classifier, texts, whole)
    assert [len(ids) for ids in whole] == [classifier.config.max_tokens] * 3
    assert max(seen) <= 20_000  # cut, not tokenized whole (140,000 to 180,000 characters)
