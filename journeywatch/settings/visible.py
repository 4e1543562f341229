"""Config text shown to readers (brand names, stage names, the digest subject) holds no invisible character that
reorders or hides text: one check, one message, for every key that needs it."""

from __future__ import annotations

import unicodedata

# Format characters (Unicode category Cf) such text may hold: the joiners of an emoji ('👩\u200d💻') or a Persian
# word (ZWNJ), and the tag characters that spell a subdivision flag (England's, Scotland's).
_ALLOWED_FORMAT_CHARACTERS = frozenset("\u200c\u200d") | frozenset(map(chr, range(0xE0020, 0xE0080)))


def hidden_character(text: str) -> str | None:
    """The first invisible character in `text` that can reorder or hide text: a bidi mark, embedding, override
    or isolate, a zero-width space, a byte-order mark (any format character but the joiners and tags)."""
    for char in text:
        if unicodedata.category(char) == "Cf" and char not in _ALLOWED_FORMAT_CHARACTERS:
            return char
    return None


def hidden_character_problem(text: str, what: str) -> str | None:
    """Why `text` (a `what`: 'name', 'subject') is refused, naming the character; None where it holds none.

    A RIGHT-TO-LEFT OVERRIDE reversed the text after it on the console, in the digests and in mail subjects;
    a zero-width space made a name that looks like another."""
    char = hidden_character(text)
    if char is None:
        return None
    named = f"U+{ord(char):04X} {unicodedata.name(char, 'FORMAT CHARACTER')}"
    return (f"holds {named}, an invisible character that reorders or hides text; delete it "
            f"(retype the {what} if the editor hides it)")
