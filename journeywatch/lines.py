"""A byte stream's lines as Python's universal newlines end them: at a LF, a CRLF or a bare CR.

The files listener and the classifier's JSONL readers (`classify --jsonl`, `evaluate`, `train --data`)
read exports alike: an old Mac export ends its lines with a bare CR, and split on LF alone its whole file
was one line (a CSV refused, a JSONL file never read).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import IO


def universal_lines(handle: IO[bytes], encoding: str = "latin-1") -> Iterator[bytes]:
    """`handle`'s lines from where it stands, each with its end, as bytes.

    Read as Latin-1 (the default), each byte is one character and back, so a line comes back as the
    bytes it was: its length is the offset it moves by, and a line that is not UTF-8 can still be named
    as such (CR and LF are never part of a UTF-8 sequence). Any other `encoding` (a UTF-16 export) comes
    back as UTF-8. The breaks `str.splitlines()` also splits on (U+2028, U+2029, U+0085), which a JSON
    string may hold raw, end no line. A CRLF split between two reads is one line end. The stream is read
    ahead, its position past the last line handed out; the caller's handle stays open.
    """
    out = "latin-1" if encoding == "latin-1" else "utf-8"
    text = io.TextIOWrapper(handle, encoding=encoding, errors="replace", newline="")  # type: ignore[arg-type]
    try:
        for line in text:
            yield line.encode(out)
    finally:
        text.detach()
