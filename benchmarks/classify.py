"""Classifier speed and fast-path quality: naive per-item fp32 vs the shipped path.

    python benchmarks/classify.py [--n 5000] [--naive-n 5000] [--stream 0]

Paths: naive (one text at a time, fp32), fp32 in length-sorted batches,
and bf16 and per-token int8 in the same batches where the processor runs
them in hardware (`--all-backends` measures the emulated ones too: on a
processor without AVX512-BF16/AMX or VNNI they run several times slower than
fp32). The default CPU backend is whichever `cpu_backend("auto")` picks here.

Each path runs in its own subprocess, so its peak RSS is its own. Texts are
the airline tweets when the shared benchmarks are beside the project (their
sentiment labels also give the fast path's macro-F1 against fp32's), else
generated tweet-length texts. `--stream N` also stores N generated posts in
a temporary SQLite database and classifies them all through
`flows.steps.classify_pending`, reporting posts/s and peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

_SUBJECTS = ["the new phone", "my flight", "this airline", "the delivery", "their support", "the app", "my order",
             "the hotel", "this blender", "the subscription"]
_PREDICATES = ["was late again and nobody answered", "is honestly great, highly recommend",
               "arrived damaged, what do I do", "anyone know if it is worth it?", "keeps crashing after the update",
               "just got booked, excited", "is on sale this week", "lost my bag, never again"]


def generated_texts(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return [f"@user {rng.choice(_SUBJECTS)} {rng.choice(_PREDICATES)} #{rng.randint(1, 999)}" for _ in range(n)]


def benchmark_texts(n: int) -> tuple[list[str], list[str] | None, str]:
    from journeywatch.classifiers.data import airline_tweets

    tweets = airline_tweets()
    if tweets:
        chosen = tweets[:n]
        return [e.text for e in chosen], [e.sentiment or "" for e in chosen], "airline tweets"
    return generated_texts(n), None, "generated tweet-like texts"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_path(path: str, n: int, out: Path) -> None:
    """One measured path (in a subprocess): writes posts/s, peak RSS and predictions to `out`."""
    import torch

    torch.set_num_threads(int(os.environ.get("JW_THREADS", "2")))
    from journeywatch.classifiers import load_classifier

    texts, _, _ = benchmark_texts(n)
    if path == "naive":
        classifier = load_classifier(backend="torch", batch_size=1)
        classifier.predict(texts[:8])
        start = time.perf_counter()
        predictions = [p for text in texts for p in classifier.predict([text])]
    else:
        classifier = load_classifier(backend="torch" if path == "fp32-batched" else path)
        classifier.predict(texts[:64])
        start = time.perf_counter()
        predictions = classifier.predict(texts)
    seconds = time.perf_counter() - start
    out.write_text(json.dumps({
        "path": path, "n": len(texts), "seconds": seconds, "posts_per_s": len(texts) / seconds,
        "peak_rss_mb": peak_rss_mb(), "backend": classifier.backend,
        "moments": [p.moment for p in predictions], "sentiments": [p.sentiment for p in predictions],
    }))


def run_stream(n: int, out: Path) -> None:
    """Store n posts in SQLite and classify them all in streamed batches."""
    import torch

    torch.set_num_threads(int(os.environ.get("JW_THREADS", "2")))
    from datetime import datetime, timezone

    from journeywatch.classifiers import load_classifier
    from journeywatch.domain import Mention
    from journeywatch.flows.steps import classify_pending
    from journeywatch.storage import open_database, store_batch

    with tempfile.TemporaryDirectory() as folder:
        engine = open_database(f"sqlite:///{folder}/stream.db")
        now = datetime.now(timezone.utc)
        texts = generated_texts(n, seed=11)
        for start in range(0, n, 5000):
            store_batch(engine, [Mention("bench", f"b{i}", texts[i], now) for i in range(start, min(n, start + 5000))])
        del texts
        classifier = load_classifier()
        begin = time.perf_counter()
        done = classify_pending(engine, classifier, 512)
        seconds = time.perf_counter() - begin
    out.write_text(json.dumps({"path": "stream", "n": done, "seconds": seconds, "posts_per_s": done / seconds,
                               "peak_rss_mb": peak_rss_mb()}))


def _subprocess(args: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "result.json"
        subprocess.run([sys.executable, __file__, *args, "--out", str(out)], check=True)
        return json.loads(out.read_text())


def _macro_f1(truth: list[str], predicted: list[str]) -> float:
    from journeywatch.classifiers.metrics import label_report
    from journeywatch.domain import SENTIMENTS

    return float(label_report(truth, predicted, SENTIMENTS)["macro_f1"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000, help="texts for the batched paths")
    parser.add_argument("--naive-n", type=int, default=5000, help="texts for the naive per-item path")
    parser.add_argument("--stream", type=int, default=0, help="also stream this many stored posts (e.g. 100000)")
    parser.add_argument("--all-backends", action="store_true",
                        help="also measure bf16 / int8 where this processor only emulates them")
    parser.add_argument("--path", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.path == "stream":
        return run_stream(args.n, args.out)
    if args.path:
        return run_path(args.path, args.n, args.out)

    texts, labels, what = benchmark_texts(args.n)
    print(f"{len(texts)} {what}; mean {sum(len(t.split()) for t in texts) / len(texts):.1f} words; "
          f"{os.cpu_count()} CPUs; threads {os.environ.get('JW_THREADS', '2')}")
    naive = _subprocess(["--path", "naive", "--n", str(args.naive_n)])
    fp32 = _subprocess(["--path", "fp32-batched", "--n", str(args.n)])
    from journeywatch.classifiers.predictor import cpu_backend, native_bf16, native_int8

    in_hardware = {"bf16": native_bf16(), "int8": native_int8()}
    chosen = [b for b, native in in_hardware.items() if native or args.all_backends]
    fast = [_subprocess(["--path", backend, "--n", str(args.n)]) for backend in chosen]
    print(f"default CPU backend here: {cpu_backend('auto')}"
          + "".join(f"; {b} is emulated here (not measured; --all-backends)"
                    for b, native in in_hardware.items() if not native and b not in chosen))
    for r in (naive, fp32, *fast):
        print(f"{r['path']:>13} ({r['backend']}): {r['n']} texts, {r['posts_per_s']:8.1f} posts/s, "
              f"{r['posts_per_s'] / naive['posts_per_s']:5.1f}x naive, peak RSS {r['peak_rss_mb']:.0f} MB")
    for r in fast:
        agree_m = sum(a == b for a, b in zip(fp32["moments"], r["moments"])) / len(texts)
        agree_s = sum(a == b for a, b in zip(fp32["sentiments"], r["sentiments"])) / len(texts)
        print(f"{r['path']} vs fp32 agreement: moment {agree_m:.4f}, sentiment {agree_s:.4f} (n={len(texts)})")
        if labels:
            print(f"  sentiment macro-F1 vs labels: fp32 {_macro_f1(labels, fp32['sentiments']):.4f}, "
                  f"{r['path']} {_macro_f1(labels, r['sentiments']):.4f}")
    if args.stream:
        s = _subprocess(["--path", "stream", "--n", str(args.stream)])
        print(f"stream: {s['n']} stored posts in {s['seconds']:.0f} s, {s['posts_per_s']:.1f} posts/s, "
              f"peak RSS {s['peak_rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
