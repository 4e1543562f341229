"""Bytes made from an export as they are read: UTF-16 text as UTF-8, JSON values (an array's elements) as JSON Lines.

The file reader splits lines on the bytes LF and CR and keeps byte offsets as its watermark, so such files are
read through a form it can split. They were converted whole in memory: a 200 MB JSON array took 1 GB, a 1 GB one several. Here the
form is made a chunk at a time, and a seek back makes it again from the file's start (as `gzip` does).
"""

from __future__ import annotations

import codecs
import io
import json
import re
from collections.abc import Callable, Iterator
from typing import IO, Any

CHUNK = 1 << 18  # 256 KiB: memory is a few chunks, whatever the file's size


class _Made(io.RawIOBase):
    """The bytes `make()` yields, as a raw file that can seek (back by making them again)."""

    def __init__(self, make: Callable[[], Iterator[bytes]]) -> None:
        self._make = make
        self._chunks = make()
        self._pending = memoryview(b"")
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._pending = memoryview(chunk)
        count = min(len(buffer), len(self._pending))
        buffer[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        self._position += count
        return count

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_CUR:
            offset += self._position
        elif whence != io.SEEK_SET:
            raise io.UnsupportedOperation("bytes made on the fly have no known end to seek from")
        if offset < self._position:
            self._chunks, self._pending, self._position = self._make(), memoryview(b""), 0
        skip = bytearray(CHUNK)
        while self._position < offset and self.readinto(memoryview(skip)[:min(CHUNK, offset - self._position)]):
            pass
        return self._position


class MadeFile(io.BufferedReader):
    """A binary file whose bytes `make()` yields from the start each time it is called."""

    def __init__(self, make: Callable[[], Iterator[bytes]]) -> None:
        super().__init__(_Made(make), CHUNK)


def decoded(handle: IO[bytes], encoding: str) -> Iterator[str]:
    """`handle`'s text from its start, a chunk at a time; `UnicodeDecodeError` where it is not `encoding`."""
    handle.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)()
    while chunk := handle.read(CHUNK):
        yield decoder.decode(chunk)
    yield decoder.decode(b"", final=True)


class JsonError(ValueError):
    """Where a JSON text stops being JSON, as `json.JSONDecodeError` says it: message, line and column."""

    def __init__(self, msg: str, lineno: int, colno: int) -> None:
        super().__init__(f"{msg}: line {lineno} column {colno}")
        self.msg, self.lineno, self.colno = msg, lineno, colno


_SPACE = re.compile(r"[ \t\n\r]*")
_SPACE_OR_COMMA = re.compile(r"[ \t\n\r,]*")
_NUMBER_GOES_ON = re.compile(r"[0-9.eE+-]*")
_DECODER = json.JSONDecoder()


def _cut_short(exc: json.JSONDecodeError, buffer: str) -> bool:
    """Whether decoding failed at the buffer's end, where the next chunk may mend it (a string, a `true` or an
    object split between chunks); an error before that is the file's, and reading on would only hold more of it."""
    return exc.msg.startswith("Unterminated string") or exc.pos >= len(buffer) - 16


class _Text:
    """Text read a chunk at a time: a buffer, the place reached in it, and the lines and columns read before it."""

    def __init__(self, chunks: Iterator[str]) -> None:
        self._chunks = chunks
        self.buffer = ""
        self.at = 0
        self.ended = False
        self._lines_before = 0  # newlines in the text dropped from the buffer's front
        self._column_before = 0  # characters dropped after the last of them
        self.more()
        self.buffer = self.buffer.removeprefix("\ufeff")

    def more(self) -> bool:
        """Drop what was read and read as much again as is left (a chunk at least): False at the end.

        Doubling keeps a value far larger than a chunk from being decoded over and over, once per chunk.
        """
        dropped = self.buffer[:self.at]
        if (last := dropped.rfind("\n")) >= 0:
            self._lines_before += dropped.count("\n")
            self._column_before = len(dropped) - last - 1
        else:
            self._column_before += len(dropped)
        parts, got, wanted = [self.buffer[self.at:]], 0, max(len(self.buffer) - self.at, 1)
        while got < wanted:
            chunk = next(self._chunks, None)
            if chunk is None:
                self.ended = True
                break
            parts.append(chunk)
            got += len(chunk)
        self.buffer, self.at = "".join(parts), 0
        return got > 0

    def next_char(self, between: re.Pattern[str] = _SPACE) -> str:
        """The next character past whitespace (and what else `between` matches); "" at the end."""
        while True:
            self.at = between.match(self.buffer, self.at).end()  # type: ignore[union-attr]
            if self.at < len(self.buffer):
                return self.buffer[self.at]
            if not self.more():
                return ""

    def value(self) -> Any:
        """The JSON value starting here (past whitespace); one that may go on in the next chunk (a number) is
        read again with it."""
        self.next_char()
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buffer, self.at)
            except json.JSONDecodeError as exc:
                if self.ended or not _cut_short(exc, self.buffer):
                    raise self.error(exc.msg, exc.pos) from None
                self.more()
                continue
            goes_on = _NUMBER_GOES_ON.match(self.buffer, end).end()  # type: ignore[union-attr]
            if not self.ended and goes_on == len(self.buffer):
                self.more()  # "2" of "2.5" split between chunks was read as 2
                continue
            self.at = end
            return value

    def error(self, msg: str, pos: int) -> JsonError:
        """`JsonError` at `pos` in the buffer, with the line and column it has in the whole text."""
        before = self.buffer.rfind("\n", 0, pos)
        column = pos - before if before >= 0 else self._column_before + pos + 1
        return JsonError(msg, self._lines_before + self.buffer.count("\n", 0, pos) + 1, column)


def json_values(chunks: Iterator[str], *, array: bool) -> Iterator[Any]:
    """The elements of the JSON array the text holds (`array`), else its JSON values one after another (commas
    between them allowed, as `jq` and hand-joined files write them); `JsonError` where the text is not that."""
    text = _Text(chunks)
    if not array:
        while text.next_char(_SPACE_OR_COMMA):
            yield text.value()
        return
    if text.next_char() != "[":
        raise text.error("Expecting '['", text.at)
    text.at += 1
    if text.next_char() == "]":
        text.at += 1
    else:
        while True:
            yield text.value()
            if (after := text.next_char()) == "]":
                text.at += 1
                break
            if after != ",":
                raise text.error("Expecting ',' delimiter", text.at)
            text.at += 1
    if text.next_char():
        raise text.error("Extra data", text.at)
