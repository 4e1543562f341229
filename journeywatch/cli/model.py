"""Model commands: train, classify, evaluate, evaluation-data, reclassify.

Heavy imports (torch, transformers) happen inside the commands, so
`journeywatch --help` and the other commands stay fast.
"""

from __future__ import annotations

import codecs
import contextlib
import itertools
import json
import math
import platform
import re
import shlex
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console
from rich.table import Table

from ..domain import MOMENTS, SENTIMENTS
from ..errors import ConfigError, ModelError
from .app import KEPT_AND_CARRIED_ON, app, state
from .output import print_whole_table, stdout_is_utf8

_console = Console()
# progress, warnings and skipped lines, one unwrapped line each: stdout keeps the results
_stderr = Console(stderr=True, highlight=False, markup=False, soft_wrap=True)
CLASSIFY_CHUNK = 1024  # texts classified and written at a time
MAX_LISTED = 10  # skipped lines named one by one on stderr; the rest are counted
BACKEND_HELP = ("CPU path: auto (bf16 where the CPU has it in hardware, else int8 where it has VNNI, else fp32), "
                "bf16, int8 or torch (fp32)")


def _model_dir(model: Optional[Path]) -> Path:
    from journeywatch.classifiers import DEFAULT_MODEL_DIR

    return (model or DEFAULT_MODEL_DIR).resolve()


def _backend(name: str) -> Any:
    from journeywatch.classifiers.predictor import BACKENDS

    if name not in BACKENDS:
        raise typer.BadParameter(f"{name!r}: use one of {', '.join(BACKENDS)}", param_hint="'--backend'")
    return name


def _hardware() -> str:
    import os

    import torch

    where = f"CUDA ({torch.cuda.get_device_name(0)})" if torch.cuda.is_available() else _cpu_name()
    return f"{where}, {os.cpu_count()} cores, {platform.machine()}, torch {torch.__version__}"


def _cpu_name() -> str:
    """'CPU (Intel(R) Xeon(R) Processor)': bf16 kernels differ between processors (AMX, AVX512-BF16), and the
    card's figures with them, by an item or two in 621 (0.841 and 0.839 accuracy on two x86_64 hosts)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as info:
            name = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), "")
    except OSError:
        name = platform.processor()
    return f"CPU ({name})" if name else "CPU"


@app.command()
def train(
    data: list[Path] = typer.Option([], "--data", help="extra JSONL files: text and moment and/or sentiment "
                                    "(labels as `evaluate` reads them); unusable lines are named on stderr"),
    seed: int = typer.Option(13, "--seed", help="random seed; the same seed and data give the same model"),
    out: Optional[Path] = typer.Option(None, "--out", help="model folder", show_default="the shipped classifiers/model"),
    epochs: int = typer.Option(2, "--epochs", min=1, metavar="N", help="passes over the sampled training pool"),
    # metavar N: "<int range>" widened the type column until --sentiment-per-epoch was cut at 80 columns
    tuned_layers: int = typer.Option(4, "--tuned-layers", min=0, max=6, metavar="N",
                                     help="top encoder layers to fine-tune"),
    sentiment_per_epoch: int = typer.Option(0, "--sentiment-per-epoch", min=0, metavar="N",
                                            help="sentiment tweets sampled per epoch (0: all)"),
    corpus: bool = typer.Option(True, "--corpus/--no-corpus", help="use the moments corpus in classifiers/data"),
    benchmarks: Optional[Path] = typer.Option(None, "--benchmarks",
                                              help="shared benchmarks folder; by default the one beside "
                                                   "the project (../shared/benchmarks)"),
    no_benchmarks: bool = typer.Option(False, "--no-benchmarks", help="train on --data and the corpus only"),
    card: bool = typer.Option(True, "--card/--no-card", help="evaluate and write the model card afterwards"),
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help="lower-layer state cache; by default hidden/ in "
                                             "~/.cache/journeywatch"),
    precision: str = typer.Option("fp32", "--precision", metavar="fp32|bf16",
                                  help="training arithmetic: fp32 (the same model on any processor) or bf16 "
                                  "(a training step about 1.8x as fast where the CPU has AMX or AVX512-BF16; the model "
                                  "then depends on the processor)"),
) -> None:
    """Fine-tune the encoder's top layers and both heads, calibrate them and save the model.

    Progress goes to stderr; stdout gets one JSON line: the model folder, the card
    written (unless --no-card) and the dev-set figures.

    Example: journeywatch train --seed 13
    """
    from journeywatch.classifiers import forget_classifiers
    from journeywatch.classifiers.data import DEFAULT_BENCHMARKS
    from journeywatch.classifiers.splits import build_training_set
    from journeywatch.classifiers.training import TrainOptions, default_cache_dir, train_model

    folder = _model_dir(out)
    # a file named by --out (or by a folder above it) was found only when the model was saved, after the training
    if in_the_way := next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None):
        raise ConfigError(f"--out {str(folder)!r}: {in_the_way} is a file, in the way where a folder is needed; "
                          "give another path")
    _check_precision(precision)
    bench = None if no_benchmarks else (benchmarks or DEFAULT_BENCHMARKS)
    if bench is not None and not bench.is_dir():  # a mistyped path trained on the rest without a word
        raise ConfigError(f"no shared benchmarks folder at {bench}: give --benchmarks DIR, or --no-benchmarks "
                          "to train on --data and the corpus only")
    with _quiet_interrupt(f"interrupted while reading the training data: no model was written to {folder}"):
        for path in data:  # what each file gives, its bad lines named (the training reader skips them quietly)
            if str(path) == "-":  # `classify` and `evaluate` read it as stdin; here it was "no such file"
                raise ConfigError("--data '-': standard input cannot be training data (training reads its files "
                                  "twice); save it to a file and give that")
            if not path.exists():
                raise ConfigError(f"--data {str(path)!r}: no such file")
            if not path.is_dir() and not path.is_file():
                raise ConfigError(f"--data {str(path)!r} is not a regular file (a pipe?); training reads it twice, "
                                  "so give a file")
            _read_rows(path, "--data ", labelled=True, markup=True)
        # its texts as `classify` reads them: HTML as its words, not the tags and entities it never sees
        dataset = build_training_set(data, benchmarks=bench, corpus=corpus, read_text=_text_read)
    _say_repeated(dataset.repeated)
    counts = dataset.counts()
    for kind in ("moment", "sentiment"):  # training goes on (one head may be all you want), but say so
        if not counts[f"train_{kind}"] and (counts["train_moment"] or counts["train_sentiment"]):
            _stderr.print(f"warning: no {kind} labels to train on: the {kind} head stays untrained "
                            f"and its {kind} predictions mean nothing")
        # one label alone trained a head that gives it to every text, and its dev figures read 1.0
        labels = {getattr(e, kind) for e in dataset.train if getattr(e, kind) and
                  (kind == "moment" or e.sentiment_trainable)}
        if len(labels) == 1:
            _stderr.print(f"warning: every {kind} label to train on is {next(iter(labels))!r}: the {kind} head "
                          "learns to give it to every text; add examples of the other labels")
    options = TrainOptions(seed=seed, epochs=epochs, tuned_layers=tuned_layers,
                           sentiment_per_epoch=sentiment_per_epoch or None,
                           cache_dir=cache_dir or default_cache_dir(), precision=precision)
    try:
        result = train_model(dataset, folder, options, log=_stderr.print)
    except KeyboardInterrupt:  # not the generic "running again carries on from there": training starts over
        _stderr.print(f"interrupted: no model was written to {folder}; the cached lower-layer states are kept, "
                        "so training again starts sooner (from the first epoch)")
        sys.exit(130)
    forget_classifiers()
    if not card:
        _stale_card(folder)
    try:
        written = {"card": str(_write_card(folder, bench, dataset))} if card else {}
    except KeyboardInterrupt:
        _stderr.print(f"interrupted: the model was saved to {folder} but its card was not written; "
                        f"`journeywatch card --model {folder}` writes it")
        sys.exit(130)
    sys.stdout.write(json.dumps({"model": str(folder), **written,
                                 **{k: round(v, 4) for k, v in result.dev.items()}}) + "\n")


def _say_repeated(repeated: list[tuple[Any, Any]]) -> None:
    """Name the --data texts left out of training for being there already with other labels (the first is kept).

    A line relabelling a text of the corpus or of an earlier line (a correction, a second annotator)
    trained nothing, and stderr said nothing of it.
    """
    def labels(example: Any) -> str:
        return ", ".join(f"{kind} {value}" for kind in KINDS if (value := getattr(example, kind)))

    for dropped, kept in repeated[:MAX_LISTED]:
        _stderr.print(f"warning: {_as_written(dropped.text)} (from {dropped.source}) is already in the training "
                      f"data (from {kept.source}) with other labels: trained as {labels(kept)}, not {labels(dropped)}")
    if len(repeated) > MAX_LISTED:
        _stderr.print(f"warning: … and {len(repeated) - MAX_LISTED} more --data texts already there with other labels")


def _stale_card(folder: Path) -> None:
    """After `train --no-card` over a model folder, the card of the model it replaced: removed, or (shipped) named.

    Left in place, a folder's MODEL_CARD.md named the old version and figures beside weights it no longer described.
    """
    from journeywatch.classifiers import DEFAULT_MODEL_DIR

    if folder == DEFAULT_MODEL_DIR.resolve():  # the project's own card is kept in git: said, not removed
        shipped = DEFAULT_MODEL_DIR.parent / "MODEL_CARD.md"
        if shipped.is_file():
            _stderr.print(f"warning: {shipped} still describes the model this replaced; `journeywatch card` "
                          "rewrites it")
        return
    old = folder / "MODEL_CARD.md"
    if old.is_file():
        old.unlink()
        _stderr.print(f"removed {old}: it described the model this replaced; "
                      f"`journeywatch card --model {shlex.quote(str(folder))}` writes one for this model")


def _check_precision(precision: str) -> None:
    """Refuse an unknown --precision; warn when bf16 would run without hardware support (slower than fp32)."""
    from journeywatch.classifiers.predictor import native_bf16
    from journeywatch.classifiers.training import PRECISIONS

    if precision not in PRECISIONS:
        raise typer.BadParameter(f"{precision!r}: use one of {', '.join(PRECISIONS)}", param_hint="'--precision'")
    if precision == "bf16" and not native_bf16():
        _stderr.print("warning: this processor has no native bf16 (AMX or AVX512-BF16); "
                      "--precision bf16 will train slower than fp32 here")


def _write_card(folder: Path, bench: Optional[Path], dataset: Any) -> Path:
    """Evaluate the model on the card's sets (those present) and write its card; returns the card's path.

    `dataset` is the training set the model was just trained on, to save rebuilding it (None: rebuild).
    """
    from journeywatch.classifiers import DEFAULT_MODEL_DIR, load_classifier
    from journeywatch.classifiers.card import render_card, write_card
    from journeywatch.classifiers.evaluation import EVALUATION_SETS, evaluate_examples, evaluation_sets

    classifier = load_classifier(folder)
    figures = {}
    sets = evaluation_sets(bench, dataset)
    if bench is not None and (missing := [name for name in EVALUATION_SETS if name not in sets]):
        # the card lost three of its four sets, and nothing said so
        _stderr.print(f"warning: not measured, their data is not in {bench}: {', '.join(missing)} "
                      "(the card leaves them out; give --benchmarks the shared benchmarks folder)")
    for name, examples in sets.items():
        _stderr.print(f"evaluating {name} ({len(examples)} texts)")
        figures[name] = evaluate_examples(classifier, examples)
    shipped = folder == DEFAULT_MODEL_DIR.resolve()
    path = DEFAULT_MODEL_DIR.parent / "MODEL_CARD.md" if shipped else folder / "MODEL_CARD.md"
    # train's moments-holdout holds the held-out lines of its --data files: the card called them the corpus's
    files = (dataset.sources.get("data_files") or []) if dataset is not None else []
    own = ["own moments corpus"] if dataset is None or dataset.sources.get("corpus", True) else []
    notes = {"moments-holdout": " and ".join([*own, "--data " + ", ".join(f"`{name}`" for name in files)])
             + ", hash-held-out 20%"} if files else None
    write_card(path, render_card(classifier.version, classifier.config, figures,
                                   f"{_hardware()}, backend {classifier.backend}", notes))
    return path


_JSON_TYPES = {bool: "true or false", int: "a number", float: "a number", list: "an array", dict: "an object"}


class _NonFinite:
    """NaN, Infinity or a number too large for a float, as read from a line: Python's json reads them, JSON has none.

    Read as floats, an `id` of NaN was written back as `"id": NaN` in classify's output,
    which jq and every strict JSON reader refuse. Kept as this marker, a field the
    commands do not use (an export's `score`) costs the line nothing.
    """

    def __init__(self, written: str) -> None:
        self.written = written

    def __repr__(self) -> str:
        return self.written


def _finite(number: str) -> float | _NonFinite:
    value = float(number)
    return value if math.isfinite(value) else _NonFinite(number)


def _holds_non_finite(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_holds_non_finite(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_non_finite(v) for v in value)
    return isinstance(value, _NonFinite)


SHOWN = 60  # characters of a value a message shows


def _as_written(value: Any) -> str:
    """A value read from a line, for a message: a string quoted, as messages quote names, anything else as JSON.

    Python's repr named `"sentiment": true` as "unknown sentiment True" and `["x"]` as
    `['x']`, spellings that are not in the file and that no search of it finds.
    A long value is cut, with its length: a post's body under `sentiment` (a CSV's
    columns shifted) was echoed whole, a 5 MB value as a 5 MB line.
    """
    if isinstance(value, str):
        return repr(value) if len(value) <= SHOWN else f"{value[:SHOWN] + '…'!r} ({len(value):,} characters)"
    text = _json_text(value)
    return text if len(text) <= SHOWN else f"{text[:SHOWN]}… ({len(text):,} characters)"


def _json_text(value: Any) -> str:
    """`value` as JSON text; NaN, Infinity and a too-large number as they were written (`_NonFinite`)."""
    if isinstance(value, _NonFinite):
        return value.written
    if isinstance(value, list):
        return "[" + ", ".join(map(_json_text, value)) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {_json_text(v)}" for k, v in value.items()) + "}"
    return json.dumps(value, ensure_ascii=False)


def _parse_line(raw: bytes, labelled: bool, markup: bool = False,
                missing: list[str] | None = None) -> dict[str, Any] | str:
    """A usable JSONL line as its row, or a short reason why it cannot be used.

    A leading byte-order mark (Excel's and PowerShell's "UTF-8") is dropped:
    otherwise the file's first line reads as "not valid JSON" and is lost.
    With `markup`, the row's text as the model is to read it (`_text_read`) is under `_READ`.
    A label given as a missing value ("None", "null", "NaN", or a bare NaN) is no label; each is
    added to `missing` as written.
    """
    from journeywatch.classifiers.data import JsonObject, disagreeing_keys

    # without its line end: a line cut off mid-string is "Unterminated string", not "Invalid control character"
    body = raw.rstrip(b"\r\n").removeprefix(codecs.BOM_UTF8)
    try:
        row = json.loads(body.decode("utf-8"), object_pairs_hook=JsonObject,
                         parse_constant=_NonFinite, parse_float=_finite)
    except UnicodeDecodeError as exc:  # where, as a JSON error says its column: one bad byte in a long line
        column = len(body[:exc.start].decode("utf-8")) + 1  # what comes before it is UTF-8
        return f"not UTF-8 text (byte 0x{body[exc.start]:02x} at column {column})"
    except json.JSONDecodeError as exc:  # where and why, as a source's bad line says it in the run summary
        return f"not valid JSON ({exc.msg.removesuffix(' at')} at column {exc.colno})"
    if not isinstance(row, dict):
        return "not a JSON object"
    used = _KEPT if labelled else ("id", "text", "source_kind")  # `id` too: results join back to rows by it
    twice = disagreeing_keys(row, used)
    if twice:  # which one is meant? json.loads kept the last, silently
        values = ", ".join(map(_as_written, row.conflicts[twice[0]]))
        return f"`{twice[0]}` is given more than once, with different values ({values})"
    if _holds_non_finite(row.get("id")):  # echoed in the output, which must stay JSON
        return (f"`id` {_as_written(row['id'])} holds NaN, Infinity or a number too large, "
                "which JSON output cannot carry")
    if "text" not in row:
        return f"no `text`{_other_case(row, ('text',))}"
    text = row["text"]
    if text is None:  # a key that is there: "no `text`" sent people looking for a misspelt key
        return "`text` is null"
    if not isinstance(text, str):
        return f"`text` is {_JSON_TYPES.get(type(text), 'of another type')}, not a string"
    if not text.strip():
        return "`text` is empty"
    if not _readable(text):
        return "`text` has only invisible characters"
    if markup:
        read = _text_read(text)
        if not _readable(read):
            return "`text` is only HTML markup, no words"
        row = dict(row)
        row[_READ] = read
    if labelled:
        from journeywatch.classifiers.data import canonical_label, is_missing_value, label_suggestion, stage_hint

        row = dict(row)
        unknown: list[str] = []
        absent: list[str] = []  # the labels given as a missing value, for the reason of a line left with none
        for kind, allowed in (("moment", MOMENTS), ("sentiment", SENTIMENTS)):
            value = row.get(kind)
            if value is None or (isinstance(value, str) and not value.strip()):  # an empty cell: no label
                row[kind] = None
                continue
            if is_missing_value(value) or isinstance(value, _NonFinite) and value.written == "NaN":
                row[kind] = None  # "None" is str(None), not the label none; NaN is json.dumps of a float nan
                absent.append(f"`{kind}` {_as_written(value)}")
                if missing is not None:
                    missing.append(_as_written(value))
                continue
            row[kind] = canonical_label(value, allowed)  # `Positive`, `Zero moment`, `ZMOT` are the labels
            if row[kind] is None:  # the spelling to use, not just "unknown"
                guess = label_suggestion(value, allowed)
                # `"moment": "positive"`: a spreadsheet's two label columns swapped (`none` alone means no sentiment)
                other = "sentiment" if kind == "moment" else "moment"
                swapped = canonical_label(value, SENTIMENTS if kind == "moment" else MOMENTS) not in (None, "none")
                hint = (swapped and f"a {other} label, under `{kind}`: are the keys swapped? ") or \
                    (kind == "moment" and stage_hint(value)) or (f"did you mean {guess!r}? " if guess else "")
                unknown.append(f"unknown {kind} {_as_written(value)} ({hint}{kind} labels are {', '.join(allowed)})")
        if row.get("moment") is None and row.get("sentiment") is None:
            if absent and not unknown:
                return (f"no `moment` or `sentiment` label ({' and '.join(absent)} "
                        f"{'are' if len(absent) > 1 else 'is'} how Python, JSON or pandas write a missing value)")
            return "; ".join(unknown) or f"no `moment` or `sentiment` label{_other_case(row, KINDS)}"
        if unknown:  # the other label is scored (and trained on) all the same: each kind is scored apart
            known = "moment" if row.get("moment") else "sentiment"
            row[_PARTLY] = f"{unknown[0]}; its {known} is used"
    return row


def _other_case(row: dict[str, Any], keys: tuple[str, ...]) -> str:
    """A note naming the line's keys that spell one of `keys` in another case, or nothing.

    A spreadsheet's export keeps its header's case: each line of {"Text": ..., "Sentiment": ...}
    was skipped as "no `text`", as if it had none.
    """
    found = [key for key in row if key != key.lower() and key.lower() in keys]
    return f" (the line has {', '.join(f'`{key}`' for key in found)}: keys are read in lower case)" if found else ""


_PARTLY = "_left_out"  # a used row's note: one of its labels was not read
_READ = "_read"  # a used row's text as the model reads it (`_text_read`)


_KEPT = ("id", "text", "moment", "sentiment", "source_kind")


def _read_rows(path: Path, flag: str, labelled: bool, markup: bool = False) -> list[tuple[int, dict[str, Any]]]:
    """The usable rows of a user's JSONL file with their line numbers, naming every skipped line on stderr."""
    return list(_usable_rows(path, flag, labelled, markup))


def _usable_rows(path: Path, flag: str, labelled: bool,
                 markup: bool = False) -> Iterator[tuple[int, dict[str, Any]]]:
    """The usable rows of a user's JSONL file with their line numbers, as they are read.

    With `markup` (classify, evaluate), each row's text as the model reads it is under `_READ`.

    The library reader skips bad lines quietly (right for training data);
    a user scoring or tagging their own file must know what was left out,
    and a file with no usable line is an error, not an empty result: the
    skipped lines are named on stderr, and that error raised, once the
    last line is read.
    """
    stdin = str(path) == "-"
    if stdin:
        path = Path("<stdin>")  # how the messages below name it
    elif path.is_dir():
        raise ConfigError(f"{flag}{str(path)!r} is a folder; give a JSONL file, one JSON object per line")
    elif not path.exists():  # a pipe (`<(zcat posts.jsonl.gz)`) or a device is read as a file is
        raise ConfigError(f"{flag}{str(path)!r}: no such file")
    used = 0
    skipped: list[tuple[int, str]] = []
    first = b""  # the first line, when it was skipped: a whole-file JSON document shows there
    notes: list[tuple[int, str]] = []  # what stderr says of each line skipped or used in part, in line order
    partly = 0
    strange: dict[str, list[int]] = {}  # each source_kind that is no kind (as written): its lines
    missing: dict[str, None] = {}  # each label given as a missing value ("None", NaN), as written
    missing_lines = [0, 0]  # how many lines give one, and the first
    from journeywatch.classifiers.data import utf8_lines

    number = 0
    with (contextlib.nullcontext(sys.stdin.buffer) if stdin else path.open("rb")) as handle, \
            _damaged_is_an_error(path, lambda: number):
        for number, raw in enumerate(utf8_lines(handle), 1):
            found: list[str] = []
            parsed = _parse_line(raw, labelled, markup, found) if raw.strip(b" \t\r\n\xef\xbb\xbf") else None
            if found:
                missing.update(dict.fromkeys(found))
                missing_lines = [missing_lines[0] + 1, missing_lines[1] or number]
            if isinstance(parsed, dict):  # only what the commands use: an export's other fields may be large
                used += 1
                if _PARTLY in parsed:
                    notes.append((number, parsed[_PARTLY]))
                    partly += 1
                kind = parsed.get("source_kind")
                if not (kind is None or isinstance(kind, str) and not kind.strip() or _is_source_kind(kind)):
                    strange.setdefault(_as_written(kind), []).append(number)
                yield number, {key: parsed[key] for key in (*_KEPT, _READ) if key in parsed}
            elif parsed is not None:
                skipped.append((number, parsed))
                notes.append((number, f"skipped, {parsed}"))
                if len(skipped) == 1 and not used:
                    first = raw.strip(b" \t\r\n\xef\xbb\xbf")
    for number, note in notes[:MAX_LISTED]:
        _stderr.print(f"{path}:{number}: {note}")
    if len(notes) > MAX_LISTED:
        more = "lines skipped or with a label left out" if partly else "skipped lines"
        _stderr.print(f"{path}: … and {len(notes) - MAX_LISTED} more {more}")
    if skipped or partly:
        left_out = f", {partly} of them with one label left out" if partly else ""
        counts = f"{len(skipped)} of {used + len(skipped)} lines skipped, " if skipped else ""
        _stderr.print(f"{path}: {counts}{used} used{left_out}")
    _say_strange_kinds(path, strange)
    _say_missing_labels(path, missing, missing_lines)
    if not used:
        need = "`text` and a known `moment` or `sentiment`" if labelled else "a `text`"
        if not skipped:
            raise ConfigError(f"{path}: the file is empty (no line but blank ones); "
                              f"it needs one JSON object per line, each with {need}")
        raise ConfigError(f"{path}: no usable line ({len(skipped)} skipped); each line needs {need}"
                          f"{_one_document_hint(first, path)}")


def _say_strange_kinds(path: Path, strange: dict[str, list[int]]) -> None:
    """One stderr line for each `source_kind` of the file that is no kind, with how many lines give it.

    Such a line is read as a line without one: `"source_kind": "reviews"` left the review-site
    rule out of its label (and of evaluate's figures), with no word of it.
    """
    for kind, numbers in list(strange.items())[:MAX_LISTED]:
        many = len(numbers) > 1
        where = f"{len(numbers)} lines (the first line {numbers[0]})" if many else f"1 line (line {numbers[0]})"
        _stderr.print(f"{path}: source_kind {kind} on {where} is not a source kind ({', '.join(_source_kinds())}): "
                      "read as none, so the review-site rule is not applied")


def _say_missing_labels(path: Path, missing: dict[str, None], lines: list[int]) -> None:
    """One stderr line for the file's labels given as a missing value ("None", "null", "NaN"), read as no label.

    A pandas or Python export writes a missing label so: "None" was read as the label none, and scored.
    `lines` is how many lines give one, and the first.
    """
    count, first = lines
    if not count:
        return
    where = f"{count} lines (the first line {first})" if count > 1 else f"1 line (line {first})"
    _stderr.print(f"{path}: {', '.join(missing)} as a label on {where} read as no label, not as the "
                  "moment none: that is how Python, JSON or pandas write a missing value (write the label none in "
                  "lower case)")


def _classify_items(texts: list[str] | None, jsonl: Optional[Path],
                    source_kind: str | None) -> Iterator[tuple[dict[str, Any], str]]:
    """Each text to classify, as the model reads it (`_text_read`), with what its output line echoes.

    That is its `id` and `line` for --jsonl, and the text as given (not as read: results join back to it).
    The source kind, a line's own or else `source_kind`, goes with it: the output echoes it and the
    labelling guide's review-site rule reads it (`classifiers.rules.for_source`).
    One at a time: a 200,000-line file's texts were all read (some 160 MB, ten seconds) before the first result.
    """
    given = {"source_kind": source_kind} if source_kind else {}
    for number, text in enumerate(texts or [], 1):
        problem = _argument_problem(text)
        read = "" if problem else _text_read(text)
        if not problem and not _readable(read):
            problem = "the text is only HTML markup, no words"
        if problem:  # as a blank or undecodable --jsonl text is: a label for nothing misleads
            _stderr.print(f"TEXT argument {number}: skipped, {problem}")
        else:
            yield {**given, "text": text}, read
    if jsonl is not None:
        # The row's `id` and line number (not the whole row: its other fields may be large, and
        # `text` is echoed already), so results join back to the rows even when lines were skipped.
        for number, row in _usable_rows(jsonl, "--jsonl ", labelled=False, markup=True):
            kind = row.get("source_kind")
            yield {**({"id": row["id"]} if "id" in row else {}), "line": number,
                   **({"source_kind": kind} if isinstance(kind, str) and kind.strip() else given),
                   "text": row["text"]}, row[_READ]


def _one_document_hint(first: bytes, path: Path) -> str:
    """What to do with a file that is one JSON document (an array, pretty-printed JSON), or nothing.

    Each of its lines was named "not valid JSON" or "not a JSON object", with no word
    of what the file is or how to make JSON lines of it.
    """
    name = "FILE" if str(path) == "<stdin>" else shlex.quote(str(path))
    if first.startswith(b"["):
        return (f"; this looks like one JSON array, not one object per line: "
                f"jq -c '.[]' {name} > lines.jsonl makes JSON lines of it")
    if first == b"{":
        return (f"; this looks like pretty-printed JSON, not one object per line: "
                f"jq -c '.KEY[]' {name} > lines.jsonl makes JSON lines of the objects in the array under KEY")
    return _csv_hint(first, name)


def _csv_hint(first: bytes, name: str) -> str:
    """What to do with a CSV export (a header line naming `text`), or nothing.

    Each of its lines was named "not valid JSON", with no word that the file is CSV (which the
    file source reads, so an analyst's labelled set often is) or how to make JSON lines of it.
    """
    import csv

    line = first.decode("utf-8", "replace")
    delimiter, header = max(((d, next(csv.reader([line], delimiter=d))) for d in ",;\t|"), key=lambda x: len(x[1]))
    named = next((field.strip() for field in header if field.strip().lower() == "text"), None)
    if len(header) < 2 or named is None:
        return ""
    option = "" if delimiter == "," else f', delimiter="{delimiter}"'.replace("\t", "\\t")  # inside shell quotes
    return (f"; this looks like CSV (a header naming `{named}`), not JSON lines: python3 -c 'import csv, json, sys; "
            f"[print(json.dumps({{k.strip().lower(): v for k, v in r.items()}})) for r in csv.DictReader(sys.stdin"
            f"{option})]' < {name} > lines.jsonl makes JSON lines of it")


@contextlib.contextmanager
def _damaged_is_an_error(path: Path, lines_read: Callable[[], int]) -> Iterator[None]:
    """A damaged gzip file as one line naming it (it was a traceback), and the last line read whole."""
    from journeywatch.classifiers.data import DamagedStream

    try:
        yield
    except DamagedStream as exc:
        read = lines_read()  # classify has written the results of the lines before: say where it stopped
        raise ConfigError(f"{path}: {exc}; " + (f"nothing after line {read} could be read" if read else
                                                "nothing was classified or scored")) from exc


@contextlib.contextmanager
def _quiet_interrupt(message: str) -> Iterator[None]:
    """Ctrl-C while a command reads its input or loads the model: `message` and exit 130.

    Left to `main`, it said "what was stored so far is kept, and running the command
    again carries on from there", which is untrue of a command that stores nothing.
    """
    try:
        yield
    except KeyboardInterrupt:
        _stderr.print(message)
        sys.exit(130)


@app.command()
def classify(
    ctx: typer.Context,
    texts: list[str] = typer.Argument(None, help="texts to classify"),
    jsonl: Optional[Path] = typer.Option(None, "--jsonl",
                                         help="JSONL file with a `text` field per line (- reads stdin)"),
    source_kind: Optional[str] = typer.Option(
        None, "--source-kind", help="where the texts were written (reddit, review, forum, news, social, file), "
        "for lines without their own `source_kind`: on a review site a text is a review or a question",
        show_default="none"),
    model: Optional[Path] = typer.Option(None, "--model", help="model folder", show_default="the shipped model"),
    backend: str = typer.Option("auto", "--backend",
                                help=BACKEND_HELP),
) -> None:
    """Print one JSON line per text: moment, sentiment, their confidences, needs_review, lang.

    The model reads English only: a text in another language (`lang_supported`
    false) is still labelled, but with needs_review true, and stderr says how many.

    A --jsonl line's result also carries that line's `id` (when it has one) and its
    `line` number in the file, to join results back to the input. --jsonl lines that
    cannot be used are named on stderr; a file with none usable is an error.

    A text holding HTML markup (a closing tag, <br>, a link) is classified as its
    words, as the pipeline reads an export's text; a `<` in plain text stays.

    A line's `source_kind` (or --source-kind) is echoed; `review` applies the labelling
    guide's rule that a review-site entry is ultimate_moment unless it only asks a
    question (zero_moment), as the pipeline does for a review source's items.

    Example: journeywatch classify "PSA: never fly with them, they lost my bag"
    """
    from journeywatch.classifiers import load_classifier
    from journeywatch.classifiers.rules import for_source
    from journeywatch.listeners.language import detect_languages

    if not texts and jsonl is None:  # a usage error (exit 2), as `evaluate` without its FILE is; it exited 1
        ctx.fail("nothing to classify: give TEXT arguments or --jsonl FILE")
    chosen = _backend(backend)  # before the file: a typo here once came after every skipped line's note
    items = _classify_items(texts, jsonl, _source_kind(source_kind))
    with _quiet_interrupt("interrupted before any text was classified; nothing was written"):
        chunk = _next_chunk(items)  # a file with no usable line is an error before the model loads
        if not chunk:  # every TEXT given was skipped (a --jsonl with no usable line raised its own error)
            n = len(texts or [])
            which = "the TEXT argument was" if n == 1 else "both TEXT arguments were" if n == 2 else \
                f"all {n} TEXT arguments were"
            raise ConfigError(f"nothing to classify: {which} skipped (see above)")
        classifier = load_classifier(_model_dir(model), backend=chosen)
    # In chunks, each written as it is done: a long file's results stream into a pipe (and survive
    # Ctrl-C) instead of all arriving at the end; a bar on stderr when that is a terminal and the
    # results go elsewhere (lines scrolling past are progress enough, and would cut through a bar).
    show = len(chunk) == CLASSIFY_CHUNK and not sys.stdout.isatty()
    written, last, foreign = 0, "", 0  # for what Ctrl-C and the closing note say
    try:
        with _progress_bar("classifying", None, show=show) as advance:
            while chunk:
                chunk_texts = [text for _, text in chunk]
                for (key, _), p, language in zip(chunk, classifier.predict(chunk_texts),
                                                 detect_languages(chunk_texts)):
                    p = for_source(p, key.get("source_kind"))
                    sys.stdout.write(_json_line({
                        **key, "moment": p.moment, "moment_confidence": round(p.moment_confidence, 4),
                        "sentiment": p.sentiment, "sentiment_confidence": round(p.sentiment_confidence, 4),
                        "needs_review": p.needs_review or not language.supported,
                        "lang": language.code, "lang_supported": language.supported,
                        "model_version": classifier.version,
                    }))
                    written, last = written + 1, f", the last for input line {key['line']}" if "line" in key else ""
                    foreign += not language.supported
                sys.stdout.flush()
                advance(len(chunk))
                try:
                    chunk = _next_chunk(items)
                except ConfigError as exc:  # a gzip file damaged part way: say how far the results go
                    raise ConfigError(f"{exc} ({written} result{'' if written == 1 else 's'} written{last})") from exc
    except KeyboardInterrupt:
        # The generic message ("what was stored so far is kept ... carries on from there") is untrue here.
        _stderr.print(f"interrupted: {written} result{'' if written == 1 else 's'} written{last}; "
                      "nothing else was classified")
        sys.exit(130)
    if foreign:
        _stderr.print(_not_english_note(foreign))


def _not_english_note(count: int) -> str:
    """What stderr says once of texts in a language the model does not read.

    Their labels are still given (a user asked for them) but marked `needs_review`; `run` stores such
    items unclassified. A German complaint came back "neutral" at 0.93 with no word that the model
    reads English only.
    """
    return (f"{count} text{'' if count == 1 else 's'} not in English: labels unreliable (the model reads English "
            "only; such lines have \"lang_supported\": false and \"needs_review\": true)")


def _source_kind(name: str | None) -> str | None:
    """`--source-kind` as given, once it is one of the kinds a source has (any letter case).

    Anything else was echoed on every line and applied nothing: `--source-kind reviews`
    left the review-site rule out, silently.
    """
    if name is not None and not _is_source_kind(name):
        raise typer.BadParameter(f"{name!r}: use one of {', '.join(_source_kinds())}", param_hint="'--source-kind'")
    return name


def _source_kinds() -> tuple[str, ...]:
    """The kinds a source can have, as the settings name them (imported here: the settings are not light)."""
    from typing import get_args

    from journeywatch.settings.sources import SourceKindLabel

    return get_args(SourceKindLabel)


def _is_source_kind(value: Any) -> bool:
    """Whether `value` names a kind of source in any letter case, as `rules.for_source` reads it."""
    return isinstance(value, str) and value.strip().lower() in _source_kinds()


def _next_chunk(items: Iterator[tuple[dict[str, Any], str]]) -> list[tuple[dict[str, Any], str]]:
    """The next CLASSIFY_CHUNK items, fewer at the end; none when all are done."""
    return list(itertools.islice(items, CLASSIFY_CHUNK))


@contextlib.contextmanager
def _progress_bar(what: str, total: int | None, show: bool = True) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr when stderr is a terminal; yields `advance(n)`.

    `total` None: not known (classify reads as it goes), the bar counts what is done.
    In a log or a pipe, with `total` known, plain lines as `run` writes them ("classified 5,000 of
    100,000 (310/s)", `core._plain_progress`): an `evaluate` of 100,000 lines into a log said nothing
    on stderr for its 19 minutes.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from .core import _plain_progress

    watch = _plain_progress() if show and total is not None and not _stderr.is_terminal else None
    done = [0]
    with Progress(TextColumn(what), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=_stderr,
                  disable=not (show and _stderr.is_terminal), transient=True,
                  redirect_stdout=False, redirect_stderr=False) as progress:  # stdout is the results' own
        task = progress.add_task(what, total=total)

        def advance(n: int) -> None:
            progress.advance(task, n)
            if watch is not None:
                done[0] += n
                watch(done[0], total or 0)

        yield advance


def _argument_problem(text: str) -> str | None:
    """Why a TEXT argument cannot be classified, or None.

    Bytes that are not UTF-8 reach Python as lone surrogates (the tokenizer
    refused them with a TypeError); --jsonl skips such lines, so this does too.
    """
    try:
        text.encode("utf-8", "surrogateescape").decode("utf-8")
    except UnicodeError:
        return "not UTF-8 text"
    if not text.strip():
        return "the text is empty"
    return None if _readable(text) else "the text has only invisible characters"


def _readable(text: str) -> bool:
    from journeywatch.classifiers.encoder import readable

    return readable(text)


def _text_read(text: str) -> str:
    """`text` as the pipeline reads an export's text before classifying it (the files listener's `plain_to_text`).

    Text holding real markup (a closing tag, a <br>, a link: a body exported as HTML) is read as
    HTML: "<p>Love my <b>Kindle</b>!</p>" was given to the model as written and labelled none,
    where its words are ultimate_moment. A `<` in plain text is a character ("price < 5 quid",
    "I <3 it <sigh>"), kept; entities are decoded and runs of whitespace made one space, as stored.
    """
    from journeywatch.listeners.text import plain_to_text

    return plain_to_text(text)


# Written escaped: lone surrogates, and the line breaks other than \n that str.splitlines() and many
# JSON-lines readers split on (U+0085, U+2028, U+2029; json.dumps escapes the ones below U+0020).
_ESCAPED = re.compile("[\ud800-\udfff\x85\u2028\u2029]")


def _json_line(row: dict[str, Any]) -> str:
    """`row` as one JSON line, readable (not ASCII-escaped), always valid UTF-8 and one line by any reader.

    A lone surrogate (a JSON `\\ud83d` escape with no pair) stays the same
    escape, so the text echoed is the text given; written raw it cannot be encoded.
    A U+2028 in a text written raw split the line for Python's splitlines().
    On a stdout that is not UTF-8 (a legacy locale, PYTHONIOENCODING=ascii) every
    character past ASCII is escaped: written raw, the first one ended the output
    in a UnicodeEncodeError traceback, and replaced it would change the text.
    """
    line = json.dumps(row, ensure_ascii=not stdout_is_utf8())
    return _ESCAPED.sub(lambda m: f"\\u{ord(m.group()):04x}", line) + "\n"


_SHORT = {"zero_moment": "ZMOT", "first_moment": "FMOT", "second_moment": "SMOT", "ultimate_moment": "UMOT"}


def _print_report(kind: str, report: dict[str, Any]) -> None:
    _console.print(f"[bold]{kind}[/]  n={report['n']}  accuracy={report['accuracy']:.4f}  "
                   f"macro-F1={report['macro_f1']:.4f}  macro-recall={report['macro_recall']:.4f}")
    table = Table("label", "precision", "recall", "F1", "support", "predicted")
    for label, v in report["per_label"].items():
        table.add_row(label, f"{v['precision']:.4f}", f"{v['recall']:.4f}", f"{v['f1']:.4f}", str(v["support"]),
                      str(v["predicted"]))
    print_whole_table(_console, table)
    labels = report["confusion"]["labels"]
    # the taxonomy's abbreviations keep six columns in 80 (cut to 10 letters, zero_momen and first_mome read badly)
    confusion = Table("true \\ predicted", *[_SHORT.get(label, label[:10]) for label in labels],
                      title=f"{kind} confusion")
    for label, row in zip(labels, report["confusion"]["rows"]):
        confusion.add_row(label, *[str(x) for x in row])
    print_whole_table(_console, confusion)


@app.command()
def evaluate(
    file: Path = typer.Argument(..., help="JSONL with `text` and optional `moment` / `sentiment` / "
                                "`source_kind` per line (- reads stdin)"),
    as_json: bool = typer.Option(False, "--json", help="print one JSON object instead of tables"),
    model: Optional[Path] = typer.Option(None, "--model", help="model folder", show_default="the shipped model"),
    backend: str = typer.Option("auto", "--backend",
                                help=BACKEND_HELP),
) -> None:
    """Score the model on labelled texts: n, accuracy, macro-F1, macro recall, per label, confusion.

    Moments and sentiment are scored apart, each on the lines that carry its label.
    A line's `source_kind` is read as `classify` reads it (review: the review-site rule).
    Per-label figures and the confusion matrix cover the labels in the file or in
    the predictions (taxonomy order); macro-F1 averages F1 over those labels and
    macro-recall averages recall over the labels in the file (scikit-learn's
    f1_score(average="macro") and balanced_accuracy_score); a precision or recall
    with nothing to divide (a label never predicted, or never in the file) is 0.
    --json prints {"moment": ..., "sentiment": ..., "model_version": ...}, each with
    n, accuracy, macro_f1, macro_recall, per_label (precision, recall, f1, support,
    predicted) and confusion; a kind no line is labelled with has n 0, null figures
    and no labels.

    Labels are the taxonomy's, in any case, with spaces or hyphens for underscores,
    its ZMOT/FMOT/SMOT/UMOT or full names ("Zero Moment of Truth"); an empty label
    is no label, and so are "None", "null" and "NaN" (a missing value as Python,
    JSON or pandas write it; stderr says on how many lines), not the label none. Lines without `text`, with no known label or giving a label twice
    as two different labels (two spellings of one label agree) are named on stderr
    and left out of the figures; a line with one unknown label is named too, and
    scored for its other label. UTF-16 and gzip files are read as such. A text holding
    HTML markup is scored as its words, as `classify` reads it.

    Example: journeywatch evaluate /tmp/eval/airline.jsonl --json
    """
    from journeywatch.classifiers import load_classifier
    from journeywatch.classifiers.data import examples_from_rows
    from journeywatch.classifiers.evaluation import evaluate_examples

    chosen = _backend(backend)  # before the file, as in `classify`
    with _quiet_interrupt("interrupted before any text was scored; nothing was written"):
        examples = examples_from_rows([{**row, "text": row[_READ]}  # as the pipeline reads it: HTML as its words
                                       for _, row in _read_rows(file, "", labelled=True, markup=True)],
                                      file.stem or "stdin")
        classifier = load_classifier(_model_dir(model), backend=chosen)
    try:
        with _progress_bar("evaluating", len(examples), show=len(examples) > CLASSIFY_CHUNK) as advance:
            reports = evaluate_examples(classifier, examples, progress=advance)
    except KeyboardInterrupt:  # not the generic "what was stored so far is kept": nothing is
        _stderr.print(f"interrupted: nothing was scored ({len(examples)} texts); nothing was written")
        sys.exit(130)
    if as_json:
        sys.stdout.write(json.dumps({**{kind: reports.get(kind, _unmeasured()) for kind in KINDS},
                                     "model_version": classifier.version}) + "\n")
        return
    _console.print(f"model {classifier.version}, file {'<stdin>' if str(file) == '-' else file}",
                   highlight=False, markup=False)
    for kind in KINDS:
        if kind in reports:
            _print_report(kind, reports[kind])
        else:
            _console.print(f"[bold]{kind}[/]  n=0: no line has a {kind} label", highlight=False)


KINDS = ("moment", "sentiment")


def _unmeasured() -> dict[str, Any]:
    """The --json report of a kind no line is labelled with: n 0, no figures (null, not a 0 that reads as measured).

    The key is there all the same: a script reading `report["sentiment"]["n"]` of a
    moments-only file met a KeyError.
    """
    return {"n": 0, "accuracy": None, "macro_f1": None, "macro_recall": None, "per_label": {},
            "confusion": {"labels": [], "rows": []}}


@app.command()
def card(
    model: Optional[Path] = typer.Option(None, "--model", help="model folder", show_default="the shipped model"),
    benchmarks: Optional[Path] = typer.Option(None, "--benchmarks", help="shared benchmarks folder",
                                              show_default="../shared/benchmarks"),
) -> None:
    """Evaluate a trained model on the card's sets and rewrite its card.

    For when how the model runs changed (backend, calibration) but its weights did not.

    Example: journeywatch card --model classifiers/model
    """
    from journeywatch.classifiers.data import DEFAULT_BENCHMARKS

    folder = benchmarks or DEFAULT_BENCHMARKS
    if not folder.is_dir():  # a mistyped path wrote a card of the corpus holdout alone, without a word
        raise ConfigError(f"no shared benchmarks folder at {folder}: give --benchmarks DIR "
                          "(the card's sets are read from it)")
    try:
        path = _write_card(_model_dir(model), folder, None)
    except KeyboardInterrupt:  # the card is written at the end: nothing is kept, nothing carries on
        _stderr.print("interrupted: the card was not rewritten")
        sys.exit(130)
    _console.print(f"model card: {path}", highlight=False, markup=False)


@app.command("evaluation-data")
def evaluation_data(
    out: Path = typer.Argument(..., help="folder to write the evaluation JSONL files into (outside the repo)"),
    benchmarks: Optional[Path] = typer.Option(None, "--benchmarks", help="shared benchmarks folder",
                                              show_default="../shared/benchmarks"),
) -> None:
    """Write the model card's evaluation sets as JSONL for `journeywatch evaluate`.

    Example: journeywatch evaluation-data /tmp/jw-eval && journeywatch evaluate /tmp/jw-eval/airline.jsonl
    """
    from journeywatch.classifiers.data import DEFAULT_BENCHMARKS
    from journeywatch.classifiers.evaluation import EVALUATION_SETS, evaluation_sets, write_eval_file

    _refuse_the_checkout(out)
    folder = benchmarks or DEFAULT_BENCHMARKS
    sets = evaluation_sets(folder)
    if not sets:
        raise ModelError("no evaluation data found: is the shared benchmarks folder beside the project?")
    for name, examples in sets.items():
        write_eval_file(examples, out / f"{name}.jsonl")
        _console.print(f"{out / f'{name}.jsonl'}: {len(examples)} texts", highlight=False)
    if missing := [name for name in EVALUATION_SETS if name not in sets]:  # it wrote 1 of 4 and said nothing
        _stderr.print(f"warning: not written, their data is not in {folder}: {', '.join(missing)} "
                      "(give --benchmarks the shared benchmarks folder)")


def _refuse_the_checkout(out: Path) -> None:
    """Refuse an OUT_DIR inside the project's source checkout.

    The sets are third-party benchmark texts, read from the shared folder and never
    copied into the project; `evaluation-data eval` from the repository root put
    some 3.7 MB of them where the next `git add` took them in.
    """
    from journeywatch.classifiers.data import PACKAGE_DIR

    checkout = PACKAGE_DIR.parent
    if not (checkout / "pyproject.toml").is_file():  # an installed package: no checkout to keep clean
        return
    if out.resolve().is_relative_to(checkout):
        raise ConfigError(f"{str(out)!r} is inside the project checkout ({checkout}); the evaluation sets are "
                          "benchmark texts that stay out of it: give a folder elsewhere (e.g. /tmp/jw-eval)")


@app.command()
def reclassify(
    config: Optional[Path] = typer.Option(None, "--config", help="journeywatch config file (YAML): its database "
                                          "and classifier settings"),
    database: Optional[str] = typer.Option(None, "--database", help="database URL, instead of the config's "
                                           "(or set JOURNEYWATCH_DATABASE_URL)"),
    model: Optional[Path] = typer.Option(None, "--model", help="model folder", show_default="config's or shipped"),
) -> None:
    """Re-tag stored items that an older (or no) model classified, with a progress bar on a terminal.

    A SQLite database that is not there is an error naming its path (nothing has
    been stored there to re-tag), and no empty database is created in its place.

    Example: journeywatch reclassify --config journeywatch.yaml
    """
    from journeywatch.flows.reclassify import reclassify_stored
    from journeywatch.settings.classifier import ClassifierSettings
    from journeywatch.storage import count_pending

    from rich.markup import escape

    from .core import Terminated, _terminated
    from .database import database_engine

    state["interrupted"] = KEPT_AND_CARRIED_ON  # each batch is stored as it is done
    engine, settings = database_engine(config, database)
    options = settings.classifier if settings else ClassifierSettings()
    from journeywatch.classifiers import load_classifier, model_version

    folder = _model_dir(model or options.model_dir)
    # counted before the model is loaded (the encoder and its weights, seconds), which nothing may need; a
    # folder with no model is its one line here
    total = count_pending(engine, version := model_version(folder))
    if not total:
        _console.print(f"reclassified 0 items: every stored classification is already from {version}; "
                       "nothing to reclassify", highlight=False, soft_wrap=True)
        return
    classifier = load_classifier(folder, batch_size=options.batch_size, review_below=options.review_below)
    # SIGTERM (a cron `timeout`, a service stop) ended it with exit 143 and not a word, where Ctrl-C said
    # what was kept: it is ended as Ctrl-C ends it, and says the same
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        # The bar of classify and evaluate: on a terminal only (a cron log got a drawn bar line, "0/0 -:--:--")
        with _progress_bar("reclassifying", total) as advance:
            counted = [0]

            def progressed(done: int) -> None:  # told how many so far, the bar advances by the difference
                advance(done - counted[0])
                counted[0] = done

            done = reclassify_stored(engine, classifier, options.batch_size, progress=progressed)
    except Terminated:
        Console(stderr=True, emoji=False).print(f"[bold red]Error:[/] {escape(KEPT_AND_CARRIED_ON)}",
                                                highlight=False, soft_wrap=True)  # as `main` says it of Ctrl-C
        raise typer.Exit(143) from None
    finally:
        signal.signal(signal.SIGTERM, previous)
    _console.print(f"reclassified {done} items with {classifier.version}", highlight=False)
