"""Language of a text, so items the classifier was not trained for are stored but not mis-classified.

py3langid does the identification. Only English is classified today; short
or ambiguous texts ("great phone", "lol") cannot be identified reliably, so
they keep `lang=None` and count as supported rather than being hidden.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from py3langid.langid import MODEL_FILE, LanguageIdentifier

SUPPORTED = frozenset({"en"})
MIN_CONFIDENCE = 0.5  # normalised probability below which the guess is not trusted
MIN_LETTERS = 12  # fewer letters than this: too short to tell
SAMPLE_CHARS = 320  # identification time grows with length; the opening is enough to tell

_URL = re.compile(r"https?://\S+|www\.\S+|[@#]\w+")
_LETTER = re.compile(r"[^\W\d_]")
_lock = threading.Lock()
_identifier: LanguageIdentifier | None = None


@dataclass(frozen=True, slots=True)
class Language:
    code: str | None  # ISO 639-1, or None when the text is too short or ambiguous to tell
    supported: bool


def _get_identifier() -> LanguageIdentifier:
    global _identifier
    with _lock:
        if _identifier is None:
            _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        return _identifier


def sample_for_detection(text: str) -> str:
    """The part of a text worth identifying: links, handles and hashtags removed, first few hundred characters."""
    return _URL.sub(" ", text[: SAMPLE_CHARS * 2])[:SAMPLE_CHARS]


def detect_language(text: str) -> Language:
    """The language of `text`, and whether the classifier should see it."""
    sample = sample_for_detection(text)
    if len(_LETTER.findall(sample)) < MIN_LETTERS:
        return Language(None, True)
    code, confidence = _get_identifier().classify(sample)
    if confidence < MIN_CONFIDENCE:
        return Language(None, True)
    return Language(code, code in SUPPORTED)
