"""CSV and JSONL exports (review dumps, survey verbatims, another tool's export) read as mentions.

Fields: `id`, `text`, `created_at` (ISO 8601, also with a trailing UTC or GMT, RFC 2822, Twitter's, d.m.Y, Unix
seconds or milliseconds, a spreadsheet's serial day number, or the source's `date_format`; a time without a zone is
read in the source's `timezone`, UTC by default), and optional `author`, `url`, `title`, `source_kind`, `brand`
(kept by `prepare_mentions` when it names a configured brand). A CSV's
delimiter is the source's `delimiter`, else the one that splits its first line
(`,`, tab for `.tsv`, else `;`, tab or `|`), else the first of those that splits out the header.
A gzip-compressed file (`.csv.gz`) is read decompressed; a JSON array as JSON Lines, one element a line.
A folder or a pattern (`exports/*.csv`) is read file by file, under one watermark keeping each file's.
`columns` maps our field to the export's column (`{text: body}`), `created_at` may join a date column and a
time column (`[Date, Hour]`); JSONL columns may be dotted paths into nested objects (`user.name`). A row without
an id gets a hash of its text and time as identity.

The watermark is the byte offset reached plus fingerprints of the file's
opening bytes and of the bytes before that offset (of the text a gzip file holds, of a JSON array or UTF-16
file as the lines it is read as): a re-run reads only what was appended, a replaced or edited file is read from
the start (the upsert drops rows stored before). Each id is read once
per run: a repeated row is skipped, a row reusing an id with other text gets a hash added. Bad rows are skipped,
counted and described; they never cost the good ones, but a file with no good
row fails the source rather than passing for an empty one. A last line that
is still being written (no newline yet, and not a usable row: broken JSON, a
CSV row short of fields or with half a date) is left for the next run rather
than skipped, so the rest of it is not read later as a row of its own.
"""

from __future__ import annotations

import codecs
import csv
import glob
import gzip
import hashlib
import json
import os
import re
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache, partial
from pathlib import Path
from typing import IO, Any, get_args
from zoneinfo import ZoneInfo

from journeywatch.domain import Mention
from journeywatch.errors import ConfigError, SourceError
from journeywatch.lines import universal_lines
from journeywatch.settings import FileSource
from journeywatch.settings.sources import SourceKindLabel

from .base import FUTURE_SLACK, Batch, Watermark
from .dates import DateError, in_utc, parse_time, read_time  # noqa: F401 (parse_time: tests import it from here)
from .streams import JsonError, MadeFile, decoded, json_values
from .text import clean_text, plain_to_text

BATCH_SIZE = 2000
HEAD_BYTES = 4096  # how much of the file's start identifies it
MAX_WARNINGS = 20  # per batch; the rest are counted
PREAMBLE_ROWS = 20  # a CSV's header is looked for among its first rows
FIELDS = ("id", "text", "created_at", "author", "url", "title", "source_kind", "brand")
SOURCE_KINDS = frozenset(get_args(SourceKindLabel))
_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv", ".tsv": "csv"}
# The csv module refuses fields over 128 KiB by default, and after refusing one it reads on from inside
# it: a long review or an article's HTML cost its row and turned the rest of the field into thousands of
# bad rows. Exports hold such fields (JSONL reads them whole); a quote never closed still stops at this.
MAX_FIELD_CHARS = 64 * 1024 * 1024
csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD_CHARS))


# A link cell as Excel and Google Sheets export it from a sheet that made it clickable: =HYPERLINK("url", "label"),
# with ; between the arguments in a European locale. The URL is the first argument ("" is a quote inside it).
_HYPERLINK = re.compile(r'=\s*HYPERLINK\s*\(\s*"((?:[^"]|"")*)"\s*(?:[,;].*)?\)', re.IGNORECASE | re.DOTALL)


def _url_of(value: str | None) -> str | None:
    """The row's URL, with a spreadsheet's =HYPERLINK(...) formula read as the URL it links to.

    Stored as it was, the formula was the item's link in the digest and could be opened nowhere.
    """
    if value is not None and (match := _HYPERLINK.fullmatch(value)):
        return match[1].replace('""', '"').strip() or None
    return value


# An id a spreadsheet saved as a rounded number: Excel shows a long number (a post's 18-digit id) as 1.23457E+17 and
# saves it so in a CSV, or, formatted as a number, keeps 15 digits and zeros after them (1861234567890120000); a tool
# that read ids as floats writes 1.8612345678901235e+18. Rows of different posts share it: a later run's row was
# taken for the one already stored under it, and lost. (Three zeros or more: a real id ends so once in a thousand.)
_ROUNDED_ID = re.compile(r"\d(?:[.,]\d+)?[eE]\+\d{1,3}|\d{15}000+")


def _reversed_hint(columns: dict[str, str | list[str]], unknown: list[str]) -> str:
    """A hint when `columns` was written the other way round (`{body: text}`: the export's column, then ours).

    The error named the export's columns as unknown fields, leaving the reader to see that the mapping
    reads "our field: the export's column".
    """
    flipped = [f"{columns[name]}: {name}" for name in unknown
               if isinstance(columns[name], str) and columns[name] in FIELDS]
    if not flipped:
        return ""
    return f" (each entry is our field, then the export's column: write {', '.join(flipped)})"


def _flat_columns(columns: dict[str, str | list[str]]) -> dict[str, str]:
    """Each mapped field's column; a created_at joined from columns (`[Date, Hour]`) as `created_at[0]`,
    `created_at[1]`: each looked up in the header, checked and named in errors like a field of its own."""
    flat: dict[str, str] = {}
    for name, column in columns.items():
        if isinstance(column, str):
            flat[name] = column
        else:
            flat.update({f"{name}[{i}]": part for i, part in enumerate(column)})
    return flat


class RowError(ValueError):
    """Why one row cannot be used."""


_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 20


def _names_many(path: Path) -> bool:
    """Whether a source's path is a pattern (`exports/*.csv`) rather than one file's name."""
    return any(c in str(path) for c in "*?[")


def _suffix(path: Path) -> str:
    """The suffix that names the format: `.csv` for `mentions.csv.gz` too."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes[-1:] == [".gz"]:
        suffixes.pop()
    return suffixes[-1] if suffixes else ""


def _open_bytes(path: Path) -> IO[bytes]:
    """The file's bytes: decompressed for a gzip-compressed export (`.csv.gz`), told by its first bytes."""
    handle = path.open("rb")
    if handle.read(2) != _GZIP_MAGIC:
        handle.seek(0)
        return handle
    handle.close()
    return gzip.open(path, "rb")


TAIL_BYTES = 256  # how much of the file before the offset reached identifies what was read
KEPT_BYTES = 64 * 1024  # the last lines read are kept to fingerprint the bytes before a row given back


def _measure(handle: IO[bytes], mark: int) -> tuple[int, bytes]:
    """How many bytes `handle` holds, and the `TAIL_BYTES` before offset `mark` (fewer near the start): what a
    watermark's tail fingerprint was taken of. A gzip file is decompressed once to count them (offsets are the
    text's), and bytes made on the fly (UTF-16 as UTF-8, a JSON array as lines) are made once; the bytes before
    `mark` are kept on the way, so checking them costs no second pass.
    """
    first = max(0, mark - TAIL_BYTES)
    if not isinstance(handle, (gzip.GzipFile, MadeFile)):
        handle.seek(first)
        before = handle.read(mark - first)
        handle.seek(0)
        return os.fstat(handle.fileno()).st_size, before
    total = 0
    before = b""
    while chunk := handle.read(_CHUNK):
        if total < mark and total + len(chunk) > first:
            before += chunk[max(0, first - total):mark - total]
        total += len(chunk)
    handle.seek(0)
    return total, before


def _tail_hash(before: bytes) -> str:
    """The fingerprint of the bytes before a watermark's offset.

    The head's fingerprint missed an edit past the file's first 4 KiB: a row deleted in Excel (or in a JSON
    array, or in an export compressed again) and rows appended made the next run start mid-row, losing rows and
    reading a piece of one as a bad row. With the bytes before the offset changed, the file is read from the
    start (the rows already stored are counted as seen).
    """
    return hashlib.sha256(before).hexdigest()[:32]


@dataclass(slots=True)
class _Cursor:
    """Where the line reader stands: the byte offset after the last line handed out."""

    offset: int
    line_no: int
    bad_lines: set[int] = field(default_factory=set)
    utf8_lines: list[int] = field(default_factory=list)  # lines read as UTF-8 though a one-byte encoding was set
    stray_quotes: list[int] = field(default_factory=list)  # CSV rows read as written around a quote they never close
    last_bytes: int = 0  # length of the last line handed out, to give it back
    last_complete: bool = True  # whether that line ended in a line end (else the file ends in it, mid-write maybe)
    # The last lines handed out (KEPT_BYTES of them or more, with the bytes before the first), from offset
    # `recent_start` on: a gzip file and bytes made on the fly cannot be read back cheaply for the tail fingerprint.
    recent: deque[bytes] = field(default_factory=deque)
    recent_bytes: int = 0
    recent_start: int = 0

    def keep(self, raw: bytes) -> None:
        """Keep `raw`, the bytes before the first line (`_lines` keeps each line itself, as this does)."""
        self.recent.append(raw)
        self.recent_bytes += len(raw)
        self.forget()

    def forget(self) -> None:
        """Drop the lines kept that lie KEPT_BYTES back."""
        while self.recent_bytes - len(self.recent[0]) >= KEPT_BYTES:
            dropped = len(self.recent.popleft())
            self.recent_bytes -= dropped
            self.recent_start += dropped

    def tail(self) -> str | None:
        """The tail fingerprint at `offset`; None at the file's start, or where the bytes before it are no longer
        kept (a last row over 64 KiB given back, still being written): the next run then checks the head alone."""
        begin = self.offset - min(self.offset, TAIL_BYTES)
        if self.offset == 0 or begin < self.recent_start:
            return None
        return _tail_hash(b"".join(self.recent)[begin - self.recent_start:self.offset - self.recent_start])


def _lines(handle: IO[bytes], cursor: _Cursor, encoding: str = "utf-8") -> Iterator[str]:
    """Decoded lines, tracking the byte offset; undecodable lines are flagged, not fatal.

    Lines end at a LF, a CRLF or a bare CR (`universal_lines`), which is why `FileSource.encoding` accepts only codecs
    that write ASCII as ASCII. A LF opening the bytes after a CR the last run ended on is the end of that CRLF (a
    writer had written the CR, not yet the LF), not a blank line of its own: the lines after it keep their numbers.
    """
    recent = cursor.recent
    utf8_first = _one_byte(encoding)
    after_cr = cursor.offset > 0 and cursor.recent_bytes > 0 and recent[-1].endswith(b"\r")
    for raw in universal_lines(handle):
        if after_cr and raw == b"\n":
            after_cr = False
            cursor.offset += 1
            cursor.keep(raw)
            continue
        after_cr = False
        cursor.offset += len(raw)
        recent.append(raw)  # what `cursor.keep` does, inline: it runs for every line
        cursor.recent_bytes += len(raw)
        if cursor.recent_bytes - len(recent[0]) >= KEPT_BYTES:
            cursor.forget()
        cursor.line_no += 1
        cursor.last_bytes = len(raw)
        cursor.last_complete = raw.endswith((b"\n", b"\r"))
        try:
            line = raw.decode(encoding)
        except UnicodeDecodeError:
            cursor.bad_lines.add(cursor.line_no)
            line = raw.decode(encoding, errors="replace")
        if utf8_first and not raw.isascii():
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                cursor.bad_lines.discard(cursor.line_no)
                cursor.utf8_lines.append(cursor.line_no)
        if cursor.offset == len(raw):
            line = line.removeprefix("\ufeff")
        yield line


@lru_cache(maxsize=None)
def _one_byte(encoding: str) -> bool:
    """Whether `encoding` is a one-byte code page other than UTF-8 (latin-1, cp1252, iso-8859-15, mac-roman).

    A line in such an encoding that also reads as UTF-8 with a character past ASCII is UTF-8: "cafÃ©" is
    what a UTF-8 "café" reads as in latin-1, and no one writes that. Set by mistake (or for an export whose
    tool since moved to UTF-8), `encoding: latin-1` stored every accent as two letters, and a brand query
    for "nestlé" missed them; cp1252 skipped the lines holding a byte it leaves undefined. Multibyte
    encodings (shift_jis, gbk) overlap UTF-8 too often to be told apart so.
    """
    if codecs.lookup(encoding).name == "utf-8":
        return False
    return len(bytes(range(128, 256)).decode(encoding, errors="replace")) == 128


# Latin-1 reads bytes 0x80-0x9F as C1 control characters, which no export means: a Windows tool's "latin-1" is
# cp1252, whose “quotes”, – and € those bytes are. `encoding: latin-1` stored '\x93acme\x94 50\x80' (invisible in
# digests), where browsers (the WHATWG encoding standard) and the feed reader read the same bytes as cp1252. So
# latin-1 is read as this codec: cp1252 where it defines the byte, latin-1 for the five bytes it leaves undefined.
WINDOWS_LATIN_1 = "journeywatch-windows-latin-1"
_WINDOWS_LATIN_1_TABLE = "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(256))


class _WindowsLatin1Decoder(codecs.IncrementalDecoder):
    def decode(self, input: bytes, final: bool = False) -> str:  # noqa: A002 - codecs' signature
        return codecs.charmap_decode(input, self.errors, _WINDOWS_LATIN_1_TABLE)[0]


def _windows_latin_1(name: str) -> codecs.CodecInfo | None:
    """`WINDOWS_LATIN_1` for `codecs.lookup` (which hands search functions the name lower-cased, '-' as '_')."""
    if name != WINDOWS_LATIN_1.replace("-", "_"):
        return None
    encoding_map = codecs.charmap_build(_WINDOWS_LATIN_1_TABLE)
    return codecs.CodecInfo(name=WINDOWS_LATIN_1,
                            encode=lambda text, errors="strict": codecs.charmap_encode(text, errors, encoding_map),
                            decode=lambda data, errors="strict": codecs.charmap_decode(data, errors,
                                                                                       _WINDOWS_LATIN_1_TABLE),
                            incrementaldecoder=_WindowsLatin1Decoder)


codecs.register(_windows_latin_1)


def _decoding(encoding: str) -> str:
    """The codec a source's `encoding` is read with: latin-1 (any spelling) as `WINDOWS_LATIN_1`, others as named."""
    return WINDOWS_LATIN_1 if codecs.lookup(encoding).name == "iso8859-1" else encoding


_DELIMITERS = (",", ";", "\t", "|")


def _delimiter_of(header: str, default: str) -> str:
    """The header line's delimiter: `default`, unless `;`, tab or `|` splits it more (Excel in a European
    locale writes `;`). Quoted names are left out of the count: `"Date, time";"Text"` is split by `;`."""
    bare = re.sub(r'"[^"]*"', "", header)
    counts = {d: bare.count(d) for d in (default, *_DELIMITERS)}
    best = max(counts, key=counts.__getitem__)  # the first of equals: the default
    return best if counts[best] else default


def _distinct(names: list[str]) -> list[str]:
    """A header's names with each repeat numbered ("Author", "Author (2)"): read as a row's keys, the last
    column of a name stood for it, and a mapped `Author` or `Date` read an empty column next to the full one."""
    taken = set(names)
    seen: dict[str, int] = {}
    distinct = []
    for name in names:
        seen[name] = count = seen.get(name, 0) + 1
        while count > 1 and f"{name} ({count})" in taken:
            count += 1
        distinct.append(name if count == 1 else f"{name} ({count})")
        taken.add(distinct[-1])
    return distinct


def _utf16_codec(start: bytes) -> str | None:
    """The UTF-16 codec a file's opening bytes are in: told by a byte-order mark, or without one by ASCII written as
    UTF-16 (a zero byte after, or before, each character); None for other files.

    Without a mark, a UTF-16 file's zero bytes were read as text and the file refused as one whose lines end in a
    bare CR (Excel's "CSV (Macintosh)").
    """
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    pairs = start[:min(len(start), 128) // 2 * 2]
    for codec, zeros, text in (("utf-16-le", pairs[1::2], pairs[0::2]), ("utf-16-be", pairs[0::2], pairs[1::2])):
        if len(pairs) >= 8 and not zeros.strip(b"\x00") and b"\x00" not in text:
            return codec
    return None


def _unclosed_quote(line: str, delimiter: str) -> int | None:
    """Where the quote opening a field of `line` stands when the line does not close it (its field runs on into the
    next lines), else None: fields read as the csv module reads them, a quote inside an unquoted field as text."""
    at = 0
    while at < len(line):
        if line[at] == '"':
            close = at + 1
            while (close := line.find('"', close)) >= 0 and line.startswith('"', close + 1):
                close += 2  # "" is a quote in the field
            if close < 0:
                return at
            at = close + 1  # what follows the closing quote up to the delimiter is the field's too
        at = line.find(delimiter, at)
        if at < 0:
            return None
        at += 1
    return None


def _stray_quotes(lines: list[int]) -> str:
    """The warning for CSV rows read as written around a quote that opens a field and is never closed in the row."""
    where = f"line {lines[0]}" if len(lines) == 1 else f"{len(lines)} rows (lines {', '.join(map(str, lines[:5]))}" + (
        f" and {len(lines) - 5} more)" if len(lines) > 5 else ")")
    return (f"{where}: a '\"' opens a field that its row never closes (a stray quote in the export?); read as written, "
            "the quote kept in its field, and the lines after it as rows of their own")


def _spans_lines(start: bytes) -> bool:
    """Whether a JSONL file's first line is the opening of an object written over several lines (`{` alone)."""
    first = start.removeprefix(codecs.BOM_UTF8).lstrip().splitlines()  # at a LF, a CRLF or a bare CR
    return len(first) >= 2 and first[0].strip() == b"{"


def _json_line(line: str) -> Any:
    """One JSON Lines record; an object followed by a comma is read as the object.

    A JSON array's elements pasted one per line, or an exporter that writes `{...},` lines, left a
    comma after each object: every row was 'not valid JSON (Extra data)'.
    """
    try:
        return json.loads(line)
    except json.JSONDecodeError:
        stripped = line.rstrip()
        if stripped.endswith("}") or not stripped.endswith(","):
            raise
        try:
            row = json.loads(stripped[:-1])
        except json.JSONDecodeError:
            pass
        else:
            if isinstance(row, dict):
                return row
        raise


def _rows_inside(row: dict[str, Any]) -> str:
    """A hint for a JSON document whose rows sit in a list under a key (`{"data": [{...}, ...], "meta": ...}`).

    Read as one row it has no text; the fix is to extract the list, which `columns` cannot do.
    """
    for key, value in row.items():
        if isinstance(value, list) and value and all(isinstance(item, dict) for item in value[:10]):
            path = f".{key}" if key.isidentifier() else f".[{json.dumps(key)}]"
            return (f"; {key!r} holds a list of {len(value)} objects: if those are the rows, extract them, "
                    f"e.g. jq -c '{path}[]'")
    return ""


def _text_or_none(value: Any) -> str | None:
    if value is None:
        return None
    text = clean_text(str(value)).strip()
    return text or None


MAX_ID_CHARS = 512  # the mentions.external_id column's length


def _stored_id(identity: str) -> str:
    """`identity` as stored: as it is when it fits the column, else a hash of all of it.

    Cut to its first 512 characters, two long ids sharing them (article URLs with long query strings) were
    one id: the later row was taken for an edit of the earlier one, whose text it replaced.
    """
    if len(identity) <= MAX_ID_CHARS:
        return identity
    return "sha256:" + hashlib.sha256(identity.encode()).hexdigest()


class _Identities:
    """The ids handed out in one fetch, so that each row's identity is stored once and counted once.

    The store keeps one row per id: a row repeated in the export (the same id and text, as a tool
    that exports overlapping date ranges into one file writes) was counted as fetched and then as
    neither new nor seen, and a row sharing its id with a row of other text (an id column that is
    not unique, such as a report's "Query Id") was lost. A repeat is now skipped with the line it
    repeats; a row of other text keeps the id with a hash of its text added, and is stored.
    """

    def __init__(self, row_at: Callable[[int], str]) -> None:
        self._seen: dict[str, tuple[bytes, int]] = {}  # id -> (digest of title and text, line)
        self._row_at = row_at  # "row ending at line 7", or "element 7" of a JSON array

    def check(self, mention: Mention, line_no: int) -> str | None:
        """None for a row to keep (re-identified in place when its id is taken), else why it is skipped."""
        digest = hashlib.sha256(f"{mention.title or ''}\x1f{mention.text}".encode()).digest()[:16]
        identity = mention.external_id
        earlier = self._seen.get(identity)
        if earlier is not None and earlier[0] == digest:
            return f"{self._row_at(line_no)}: repeats the {self._row_at(earlier[1])} (same id and text); read once"
        if earlier is not None:
            mention.external_id = f"{identity[:MAX_ID_CHARS - 33]}~{digest.hex()}"  # "~" and 32 hex digits: fits
            if mention.external_id in self._seen:
                return (f"{self._row_at(line_no)}: repeats the {self._row_at(self._seen[mention.external_id][1])} "
                        "(same id and text); read once")
            self._seen[mention.external_id] = (digest, line_no)
            return None
        self._seen[identity] = (digest, line_no)
        return None


class FileListener:
    """One CSV or JSONL export."""

    def __init__(self, settings: FileSource, *, batch_size: int = BATCH_SIZE, one_file: bool = False) -> None:
        self.name = settings.name
        self.settings = settings
        # one_file: a file a folder or a pattern named, read as itself even when its name holds "[" or "*"
        path = settings.path  # a pattern, unless a file has that very name ("export [1].csv")
        self._many = not one_file and (path.is_dir() or (_names_many(path) and not path.is_file()))
        self.format = settings.format if self._many else self._format_of(settings)  # a folder's: each file's
        self._mapped = _flat_columns(settings.columns)
        self._time_parts = [f for f in self._mapped if f.startswith("created_at[")]  # a date and a time column
        self._configured = {f: f for f in FIELDS if f != "created_at" or not self._time_parts} | self._mapped
        self.columns = dict(self._configured)  # a CSV's header may spell them in another case: see _columns_in
        unknown = sorted(set(settings.columns) - set(FIELDS))
        if unknown:
            raise ConfigError(f"config key 'columns' of source '{self.name}': unknown field(s) {unknown}; "
                              f"fields are {list(FIELDS)}{_reversed_hint(settings.columns, unknown)}")
        self._batch_size = batch_size
        self._header_wide = False  # a CSV row as wide as its header was read in this fetch: see _shifted
        self._unit = "line"  # what a row's number counts: lines, or a JSON array's elements
        self._latest = datetime.now(timezone.utc) + FUTURE_SLACK  # a later date is a misread one; set per fetch
        self._delimiter = "\t" if _suffix(settings.path) == ".tsv" else ","  # the header's, once read
        self._encoding = ""
        self._use_encoding(settings.encoding)
        self._zone = timezone.utc if settings.timezone == "UTC" else ZoneInfo(settings.timezone)  # of naive times
        self._keys_seen: set[str] = set()  # a JSONL row's keys met so far, and by their case-folded form:
        self._keys_by_folded: dict[str, list[str]] = {}  # see _learn_keys
        self._alias: dict[str, str] = {}  # a column -> the one key spelling it in another case

    def _use_encoding(self, encoding: str) -> None:
        """Decode with `encoding` from now on; the words for a line it cannot decode follow it."""
        if _decoding(encoding) == self._encoding:
            return
        self._encoding = _decoding(encoding)
        utf8 = codecs.lookup(encoding).name == "utf-8"
        self._not_valid = "not valid UTF-8" if utf8 else f"not valid {encoding}"  # a bad line's warning
        # said with the first such line: the usual cause is an export in a Windows code page
        self._encoding_hint = (" (an export from Excel or a Windows tool is often not UTF-8: set the source's "
                               "encoding, e.g. encoding: cp1252)") if utf8 else ""

    @staticmethod
    def _format_of(settings: FileSource) -> str:
        if settings.format != "auto":
            return settings.format
        fmt = _FORMATS.get(_suffix(settings.path))
        if fmt is None and _suffix(settings.path) in (".xlsx", ".xls", ".xlsm", ".ods", ".zip"):
            raise ConfigError(f"config key 'path' of source '{settings.name}': {settings.path.name!r} is a workbook or "
                              "an archive; save the sheet as CSV UTF-8 (or unzip the export) and name that file")
        if fmt is None:
            raise ConfigError(f"config key 'format' of source '{settings.name}': cannot tell the format of "
                              f"{settings.path.name!r} from its suffix; set format: csv or jsonl")
        return fmt

    # --- the watermark -------------------------------------------------------------------------

    def _reading(self) -> str:
        """A fingerprint of the settings that decide how rows read: the ones a skipped row's warning says to set.

        Rows skipped as undecodable or with an unreadable date lay behind the watermark: once the user set the
        `encoding` or `date_format` the warning asked for, they were never read. With these changed, the file is
        read from the start; the rows stored before are counted as seen.
        """
        settings = self.settings
        reading = [settings.encoding, settings.delimiter, settings.date_format, settings.format]
        return hashlib.sha256(json.dumps(reading).encode()).hexdigest()[:16]

    @staticmethod
    def _head_hash(handle: IO[bytes], length: int) -> str:
        handle.seek(0)
        digest = hashlib.sha256(handle.read(length)).hexdigest()
        handle.seek(0)
        return digest

    def _resume_point(self, handle: IO[bytes], watermark: Watermark | None, size: int,
                      before: bytes) -> tuple[int, int, int, int]:
        """(byte offset, line, rows done, fingerprinted length): where to continue; the start for another file.
        `before`: the bytes before the watermark's offset, as `_measure` kept them."""
        if watermark:
            head_len = int(watermark.get("head_len", 0))
            offset = int(watermark.get("offset", 0))
            if (0 < head_len <= size and offset <= size and watermark.get("head") == self._head_hash(handle, head_len)
                    and watermark.get("tail") in (None, _tail_hash(before))
                    and watermark.get("reading") in (None, self._reading())):
                return offset, int(watermark.get("line", 0)), int(watermark.get("rows", 0)), head_len
        return 0, 0, 0, min(size, HEAD_BYTES)

    # --- rows to mentions ----------------------------------------------------------------------

    def _learn_keys(self, row: dict[str, Any]) -> None:
        """Take in the keys of a JSONL `row` not met before: a column no key has exactly, but one key has but for
        case, is read from that key (`_alias`), as a CSV header's `ID`, `Text`, `URL` are (`_columns_in`).

        A JSON Lines export with those keys had its ids hashed from the text (an edited post stored again), its
        author and link dropped, without a word. A name two keys share but for case is not guessed.
        """
        if row.keys() <= self._keys_seen:
            return
        for key in row.keys() - self._keys_seen:
            self._keys_seen.add(key)
            self._keys_by_folded.setdefault(key.casefold(), []).append(key)
        self._alias = {column: same[0] for column in self.columns.values() if column not in self._keys_seen
                       and len(same := self._keys_by_folded.get(column.casefold(), [])) == 1}

    def _get(self, row: dict[str, Any], name: str) -> Any:
        column = self.columns[name]
        if column in row or self.format == "csv":
            return row.get(column)
        if (key := self._alias.get(column)) is not None and key in row:
            return row[key]
        value: Any = row
        for part in column.split("."):
            if not isinstance(value, dict):
                return None
            value = value.get(part)
        return value

    def _joined(self, row: dict[str, Any]) -> str:
        """The date and time columns' values, joined with a space (an empty one left out): `2026-11-20 14:05`;
        "" for a CSV row that ends before one of them (a line break in a field that is not quoted)."""
        if self.format == "csv" and any(self.columns[part] not in row for part in self._time_parts):
            return ""
        values = (self._get(row, part) for part in self._time_parts)
        return " ".join(text for value in values if value is not None and (text := str(value).strip()))

    def _scalar(self, row: dict[str, Any], name: str) -> Any:
        """A field's value, or `RowError` when a JSONL row holds an object or a list there.

        Turned into text, `{"body": "..."}` would be stored and classified as Python's
        `{'body': '...'}`; the fix is to map the field inside it (`text: message.body`). An optional
        field the config does not map (`author` read by its own name) is simply absent then: the
        export's `author` object is not what was asked for.
        """
        value = self._get(row, name)
        if not isinstance(value, (dict, list)):
            return value
        if name not in ("id", "text", "created_at") and name not in self.settings.columns:
            return None
        if isinstance(value, dict):
            inside = f"{self.columns[name]}.{next(iter(value))}" if value else f"{self.columns[name]}.FIELD"
            raise RowError(f"{name} ({self.columns[name]!r}) is a JSON object, not text; map the field inside it "
                           f"in the source's columns, e.g. {name}: {inside}")
        raise RowError(f"{name} ({self.columns[name]!r}) is a JSON list, not text")

    def mention_of_row(self, row: dict[str, Any]) -> Mention:
        """The Mention for one row, or `RowError` saying what is wrong with it."""
        # An export's text is what people typed ("I <3 Acme <sigh>"): read as HTML, "<sigh>" vanished as a tag.
        # One holding real markup (a closing tag, <br>, a link: an article's body) is read as HTML.
        text = plain_to_text(_text_or_none(self._scalar(row, "text")))
        title = plain_to_text(_text_or_none(self._scalar(row, "title"))) or None
        # A headline or a video's title with no body (a news hit, a YouTube mention) was skipped as 'no text';
        # as in a feed or on Reddit, the title stands in.
        text = text or title or ""
        if not text:
            raise RowError(f"no text ({self._empty(row, 'text')})")
        # an object: {"$date": ...} of mongoexport says where to look
        value = self._joined(row) if self._time_parts else self._scalar(row, "created_at")
        try:
            written = read_time(value, self.settings.date_format)
        except DateError as exc:
            if value is None or value == "":
                raise RowError(f"no created_at ({self._empty(row, 'created_at')})") from None
            raise RowError(f"{exc} (in {self._where_is('created_at')})") from None
        created = in_utc(written, self._zone)
        if created > self._latest:
            hint = " (date_format reads months as days?)" if self.settings.date_format else " (a zone gone wrong?)"
            raise RowError(f"created_at {value!r} is {created:%Y-%m-%d %H:%M} UTC, over a day ahead{hint}")
        identity = _text_or_none(self._scalar(row, "id"))
        if identity is None or _ROUNDED_ID.fullmatch(identity):  # identified as a row without an id is
            # by the time as written (read as UTC, as before `timezone` was set): a changed timezone, and the file
            # read again, would otherwise store every row without an id a second time
            as_written = in_utc(written).isoformat()
            identity = "sha256:" + hashlib.sha256(f"{as_written}\x1f{text}".encode()).hexdigest()
        kind = (_text_or_none(self._scalar(row, "source_kind")) or "").casefold()  # an export's "Review", "NEWS"
        brand = _text_or_none(self._scalar(row, "brand"))
        return Mention(
            source=self.name,
            external_id=_stored_id(identity),
            text=text,
            created_at=created,
            source_kind=kind if kind in SOURCE_KINDS else self.settings.source_kind,
            title=title,
            url=_url_of(_text_or_none(self._scalar(row, "url"))),
            author=_text_or_none(self._scalar(row, "author")),
            brands=[brand] if brand else [],  # prepare_mentions keeps it when it names a configured brand
        )

    def _where_is(self, name: str) -> str:
        """The export's column (a JSON key) a field is read from, in words: a row's warning names it, since the
        config's field and the export's column rarely share a name ('no created_at' for a column called 'Date')."""
        what = "column" if self.format == "csv" else "key"
        if name == "created_at" and self._time_parts:
            return f"{what}s " + " and ".join(repr(self.columns[part]) for part in self._time_parts)
        return f"{what} {self.columns[name]!r}"

    def _empty(self, row: dict[str, Any], name: str) -> str:
        """Why a row has no value for a field: its column is empty, the row ends before it (CSV), or (JSON) the
        row lacks the key."""
        if name == "created_at" and self._time_parts:  # the first column missing or empty
            name = next((p for p in self._time_parts if self._get(row, p) in (None, "")), self._time_parts[0])
        if self.format != "csv" and not self._present(row, self.columns[name]):
            return f"no key {self.columns[name]!r}"
        if self.format == "csv" and self.columns[name] not in row:  # said to be empty, the column was not there
            return (f"the row ends before {self._where_is(name)}: {len(row)} fields where the header has more (a line "
                    "break in a field that is not quoted?)")
        return f"{self._where_is(name)} is empty"

    # --- reading -------------------------------------------------------------------------------

    def _csv_header(self, handle: IO[bytes]) -> tuple[list[str], int, int]:
        """The header row, the byte offset where the data starts and the header's line number.

        The header is the first row holding every needed column, among the first `PREAMBLE_ROWS`:
        a report export (Brandwatch's) opens with rows naming the report and its dates. Its delimiter
        is the one guessed from the first line, else the first of the others that splits a row into
        the needed columns: a title line above the header ("Acme Air mentions", "Report: Acme, Inc.")
        says nothing of the header's own delimiter, and the source failed for a `;` or tab header.
        """
        self.columns = dict(self._configured)
        first = next(_lines(handle, _Cursor(0, 0), self._encoding), "")
        guessed = _delimiter_of(first, "\t" if self._dialect() is csv.excel_tab else ",")
        order = [self.settings.delimiter] if self.settings.delimiter else list(dict.fromkeys([guessed, *_DELIMITERS]))
        needed = dict.fromkeys(["text", *(self._time_parts or ["created_at"]), *self._mapped])  # required, mapped
        best: list[str] | None = None  # the row with most needed columns, named when none has them all
        best_found = -1
        for delimiter in order:
            handle.seek(0)
            found, row, count = self._header_by(handle, delimiter, needed)
            if found is not None:
                self._delimiter = delimiter
                return found
            if row is not None and count > best_found:
                best, best_found, self._delimiter = row, count, delimiter
        if best is None:
            return [], 0, 0
        self._check_columns([f for f in needed if f not in self._columns_in(best)], best)
        raise AssertionError("unreachable: `best` lacks a needed column, so the check raised")

    def _header_by(self, handle: IO[bytes], delimiter: str,
                   needed: dict[str, None]) -> tuple[tuple[list[str], int, int] | None, list[str] | None, int]:
        """The header split by `delimiter` (as `_csv_header` returns it), else None with the row holding most
        needed columns and how many it holds."""
        cursor = _Cursor(0, 0)
        rows = csv.reader(_lines(handle, cursor, self._encoding), dialect=self._dialect(), delimiter=delimiter)
        best: list[str] | None = None
        best_found = -1
        try:
            for _ in range(PREAMBLE_ROWS):
                header = _distinct([name.strip() for name in next(rows)])  # Excel keeps a typed "Body " as it is
                columns = self._columns_in(header)
                found = sum(f in columns for f in needed)
                if found == len(needed):
                    self.columns = {**self._configured, **columns}
                    return (header, cursor.offset, cursor.line_no), header, found
                if found > best_found and any(header):  # a blank line, or a lone byte-order mark, names nothing
                    best, best_found = header, found
        except StopIteration:
            pass
        except csv.Error as exc:
            raise SourceError(self.name, f"the CSV header is unreadable ({exc})", retryable=False) from None
        return None, best, best_found

    def _columns_in(self, header: list[str]) -> dict[str, str]:
        """Each field's column in a CSV header: the configured name, else the one name equal to it but for case.

        Exports capitalise their columns as they like ("Text", "Date", "URL"): without a mapping, a file
        with `Text` failed the source as having no column for text, and its `Author` and `URL` were never read.
        """
        by_folded: dict[str, list[str]] = {}
        for name in header:
            by_folded.setdefault(name.casefold(), []).append(name)
        found = {}
        for name, wanted in self._configured.items():
            if wanted in header:
                found[name] = wanted
            elif len(same := by_folded.get(wanted.casefold(), [])) == 1:
                found[name] = same[0]
        return found

    def _repeated_columns(self, header: list[str]) -> list[str]:
        """A note for each column the config reads whose name the header repeats: which one is read, how to read
        the other."""
        notes = []
        for name, column in self.columns.items():
            if column in header and f"{column} (2)" in header:
                notes.append(f"the header names {column!r} more than once: {name} reads the first; map "
                             f"{name}: {column} (2) for the second")
        return notes

    def _check_columns(self, missing: list[str], has: list[str]) -> None:
        """A `ConfigError` naming the source and each field whose column the file lacks, with what it has.

        A mapped column that is not there would otherwise read as empty in every row: ids quietly
        replaced by hashes, authors or titles quietly dropped.
        """
        if missing:
            pairs = ", ".join(f"{f} -> {self.columns[f]!r}" for f in missing)
            # a name the encoding could not decode ('Gr\ufffd\ufffde' for cp1252's 'Größe') is the file's encoding
            undecoded = (f" (names {self._not_valid}: set the source's encoding, e.g. encoding: cp1252)"
                         if any("\ufffd" in name for name in has) else "")
            raise ConfigError(f"config key 'columns' of source '{self.name}': the file has no column for "
                              f"{pairs}; its columns are {has}{undecoded}")

    def _dialect(self) -> type[csv.Dialect]:
        return csv.excel_tab if _suffix(self.settings.path) == ".tsv" else csv.excel

    def _records(self, handle: IO[bytes], cursor: _Cursor, header: list[str]) -> Iterator[tuple[dict[str, Any] | None, str | None]]:
        """(row, None) for each readable record, (None, why) for each unreadable one."""
        if self.format == "csv":
            yield from self._csv_records(handle, cursor, header)
            return
        for line in _lines(handle, cursor, self._encoding):
            if cursor.line_no in cursor.bad_lines:
                yield None, self._undecodable(cursor.line_no)
                continue
            if not line.strip():
                continue
            try:  # without its line end, where a line cut short is "Unterminated string" at its own column
                row = _json_line(line.rstrip("\r\n"))
            except json.JSONDecodeError as exc:
                if not line.endswith(("\n", "\r")):  # a last line still being written: leave it for the next run
                    cursor.offset -= cursor.last_bytes
                    cursor.line_no -= 1
                    return
                why = f"{exc.msg.removesuffix(' at')} at column {exc.colno}"
                yield None, f"line {cursor.line_no}: not valid JSON ({why})"
                continue
            if not isinstance(row, dict):
                yield None, f"{self._unit} {cursor.line_no}: not a JSON object"
                continue
            self._learn_keys(row)
            yield row, None

    def _shared_ids(self, rows: list[str]) -> str:
        """The warning for rows whose id an earlier row of other text had: stored, but the id column is suspect."""
        where = ", ".join(rows[:5]) + (f" and {len(rows) - 5} more" if len(rows) > 5 else "")
        rows_shared = "1 row shared its id" if len(rows) == 1 else f"{len(rows)} rows shared their id"
        return (f"{rows_shared} ({self.columns['id']!r}) with an earlier row of other text "
                f"({where}); each is stored under that id and a hash of its text (is the column unique?)")

    def _rounded_id(self, row: dict[str, Any]) -> str | None:
        """The row's id when it is a number a spreadsheet rounded (`1.23457E+17`), else None."""
        identity = _text_or_none(self._scalar(row, "id"))
        return identity if identity is not None and _ROUNDED_ID.fullmatch(identity) else None

    def _rounded_ids(self, ids: list[str]) -> str:
        """The warning for rows whose id is a number a spreadsheet rounded: stored, identified by text and time."""
        rows = "1 row's id" if len(ids) == 1 else f"{len(ids)} rows' ids"
        numbers = "is a number" if len(ids) == 1 else "are numbers"
        return (f"{rows} ({self.columns['id']!r}, e.g. {ids[0]!r}) {numbers} rounded by a spreadsheet, shared by "
                "different posts: each is identified by its text and time instead (format the id column as text "
                "before saving the sheet to keep the ids)")

    def _utf8_lines(self, lines: list[int]) -> str:
        """The warning for lines that read as UTF-8 in a file whose source names a one-byte encoding."""
        which = f"line {lines[0]}" if len(lines) == 1 else f"{len(lines)} lines (the first line {lines[0]})"
        return (f"{which} read as UTF-8, not {self.settings.encoding} as the source's encoding says; if the "
                "whole export is UTF-8, remove encoding from the source")

    def _row_at(self, number: int) -> str:
        """Where a row is, for warnings: the line its record ends on, or its place in a JSON array."""
        return f"row ending at line {number}" if self._unit == "line" else f"{self._unit} {number}"

    def _json_as_lines(self, handle: IO[bytes], *, array: bool) -> Iterator[bytes]:
        """The JSON array's elements (`array`), else the JSON values one after another in the file, as JSON Lines.

        Exports saved as .json are often one array (`[{...}, {...}]`, indented or not), and `jq '.[]'` without -c
        writes each object over many lines: they were refused, or every line was a bad row. Each value is written
        in a fixed form, one per line: a longer array written over the file keeps the offsets of the values already
        read, so a rerun reads the new ones only, as for JSON Lines; warnings name a value by its place. ASCII (\\u
        escapes) reads back the same in every encoding the source may name.
        """
        what = "the JSON array" if array else "the JSON values"
        try:
            for value in json_values(decoded(handle, self._encoding), array=array):
                yield json.dumps(value).encode("ascii") + b"\n"
        except UnicodeDecodeError:
            raise SourceError(self.name, f"{what} is {self._not_valid}{self._encoding_hint}", retryable=False) from None
        except JsonError as exc:
            raise SourceError(self.name, f"{what} is not valid JSON ({exc.msg}: line {exc.lineno} column "
                              f"{exc.colno}); a file still being written is read next run", retryable=False) from None

    def _utf16_as_utf8(self, handle: IO[bytes], codec: str) -> Iterator[bytes]:
        """A UTF-16 file (Meltwater's export, Excel's "Unicode Text": tab-separated) as UTF-8.

        Lines are split on the bytes LF and CR, which UTF-16 does not write alone: such files were refused.
        The same text gives the same UTF-8, so a longer file written over it is read from where it stopped.
        """
        try:
            for text in decoded(handle, codec):
                yield text.encode("utf-8")
        except UnicodeDecodeError as exc:
            raise SourceError(self.name, f"the UTF-16 file is cut short or damaged ({exc.reason}); a file still "
                              "being written is read next run", retryable=False) from None

    def _values_of(self, handle: IO[bytes], mark: int) -> tuple[MadeFile, int, bytes] | None:
        """The JSON values one after another in the file (each may span lines) as JSON Lines, measured as `_measure`
        does; None where the file is not that: it is left to the line reader, which says which lines are bad."""
        values = MadeFile(partial(self._json_as_lines, handle, array=False))
        try:
            return values, *_measure(values, mark)
        except SourceError:
            handle.seek(0)
            return None

    def _csv_records(self, handle: IO[bytes], cursor: _Cursor,
                     header: list[str]) -> Iterator[tuple[dict[str, Any] | None, str | None]]:
        """`_records` for a CSV: each record, checked; the rows a stray quote took in are read as rows."""
        recent: list[str] = []  # the lines of the record being read
        self._header_wide = False  # whether a row as wide as the header was read: the file writes no trailing delimiter

        def tracked() -> Iterator[str]:
            for line in _lines(handle, cursor, self._encoding):
                recent.append(line)
                yield line

        reader = csv.reader(tracked(), dialect=self._dialect(), delimiter=self._delimiter)
        while True:
            first_line, start = cursor.line_no + 1, cursor.offset
            recent.clear()
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield None, f"line {first_line}: unreadable CSV ({exc})"
                continue
            # A record's last line without a quote did not close its field: the quote ran on to the end of the file.
            # Nor did one closing where no field ends: a stray quote's run stops at the next quote in the file, the
            # one opening a later row's quoted field (`3,"acme three",...`), and that row was lost in this one.
            last_taken = len(recent) > 1 and (cursor.last_complete and '"' not in recent[-1]
                                              or not self._quotes_close(recent))
            swallowed = self._rows_taken_in(recent[1:], header, first_line, last_taken) if len(recent) > 1 else None
            if swallowed is None and not cursor.last_complete and not self._usable(values, header):
                # the file ends mid-row, one still being written: read it whole next run, as JSONL does
                cursor.offset, cursor.line_no = start, first_line - 1
                return
            if swallowed is None:
                yield from self._csv_record(values, header, first_line, cursor)
                continue
            as_written = self._as_written(recent[0], header) if first_line not in cursor.bad_lines else None
            if as_written is not None:
                cursor.stray_quotes.append(first_line)
                yield from self._csv_record(as_written, header, first_line, cursor, last_line=first_line)
            else:
                yield None, (f"line {first_line}: a quote opened in this row runs on to line {cursor.line_no}, taking "
                             f"in lines that read as rows (a stray '\"' in the export?); this row is skipped, the lines "
                             "after it are read as rows")
            for inner_last, inner_values in swallowed:
                yield from self._csv_record(inner_values, header, inner_last, cursor, last_line=inner_last)

    def _quotes_close(self, lines: list[str]) -> bool:
        """Whether each quoted field of a record's `lines` closes where a field ends: at a delimiter or a line end."""
        try:
            for _ in csv.reader(lines, dialect=self._dialect(), delimiter=self._delimiter, strict=True):
                pass
        except csv.Error:
            return False
        return True

    def _as_written(self, line: str, header: list[str]) -> list[str] | None:
        """The fields of a CSV `line` whose quote opening a field is never closed in it, read with that quote as
        text (`2,"12 inch screen,2026-11-20`: the text '"12 inch screen'), when they make a usable row; else None.

        Such a row was skipped, or stored with the rows after it as its text, or the next row lost in it.
        """
        at = _unclosed_quote(line.rstrip("\r\n"), self._delimiter)
        if at is None:
            return None
        mark = next((c for c in "\ue000\ue001\ue002\ue003" if c not in line), None)  # a private-use character
        if mark is None:
            return None
        values = next(csv.reader([line[:at] + mark + line[at + 1:]], dialect=self._dialect(),
                                 delimiter=self._delimiter), [])
        values = [value.replace(mark, '"') for value in values]
        return values if self._usable(values, header) else None

    def _rows_taken_in(self, lines: list[str], header: list[str], line_no: int,
                       last_taken: bool = False) -> list[tuple[int, list[str]]] | None:
        """The records in the lines after a record's first, when a stray quote made them one field of it.

        A `"` opening a field that the export did not quote (`2,"12 inch screen,2026-11-20`) makes the csv
        module read on to the next quote, as one field: the rows between were stored as one row's text, or
        lost. A field spanning lines is taken for such a run when one of its lines but the last reads as a whole,
        usable row; a review's paragraphs do not. With `last_taken` its last line is one it took in like the
        others: no quote closed it (the file ended inside it: a stray quote in the last row but one lost the last
        row, unsaid), or the quote that did stands where no field ends (a later row's quoted field opening, whose
        row was lost). Returns (line, fields) for each record, else None.
        """
        number = line_no

        def counted() -> Iterator[str]:
            nonlocal number
            for line in lines:
                number += 1
                yield line

        records: list[tuple[int, list[str]]] = []
        reader = csv.reader(counted(), dialect=self._dialect(), delimiter=self._delimiter)
        try:
            for values in reader:
                records.append((number, values))  # multi-line records name their last line: near enough
        except csv.Error:
            return None
        # the last line closes the field, and reads as a row in a review's paragraphs too ('... 2,3",2026-11-20')
        taken_in = records if last_taken else records[:-1]
        if any(len(values) == len(header) and self._usable(values, header) for _, values in taken_in):
            return records
        return None

    def _csv_record(self, values: list[str], header: list[str], first_line: int, cursor: _Cursor,
                    last_line: int | None = None) -> Iterator[tuple[dict[str, Any] | None, str | None]]:
        """One CSV record as a row, or why it is unreadable; nothing for an empty one. `last_line`: the record's
        last line, where it is not the last line read (the rows a stray quote took in)."""
        last_line = cursor.line_no if last_line is None else last_line
        if any(first_line <= n <= last_line for n in cursor.bad_lines):
            yield None, self._undecodable(first_line)
        elif self._shifted(values, header):  # fields past the header shift the rest
            empty = ", the last empty" if not values[-1].strip() else ""
            yield None, (f"line {first_line}: {len(values)} fields where the header has {len(header)}{empty} "
                         f"(a {self._delimiter!r} in a field that is not quoted?)")
        elif values and values[0].strip().removeprefix("\ufeff") == header[0] and _distinct(
                [v.strip().removeprefix("\ufeff") for v in values]) == header:
            return  # the header again: exports joined end to end (cat a.csv b.csv) repeat it; it is no row
        elif any(v.strip() for v in values):  # not a blank line, nor a spreadsheet's empty row: ",,,,"
            self._header_wide = self._header_wide or len(values) == len(header)
            yield dict(zip(header, values)), None

    def _shifted(self, values: list[str], header: list[str]) -> bool:
        """Whether a record holds more fields than the header because a value's unquoted delimiter split it.

        Empty fields past the header are a trailing delimiter (`1,Acme,2026-11-01,`), read as the header's
        fields; but a stray delimiter in a row whose last field is empty gives the same shape, and read as
        the header's fields that row was a bad date (' world' from "hello, world") or a text cut short. It
        is taken for shifted when its first fields are not a usable row, or when the file's rows so far
        were as wide as its header.
        """
        extra = values[len(header):]
        if not extra:
            return False
        return any(v.strip() for v in extra) or self._header_wide or not self._usable(values[:len(header)], header)

    def _undecodable(self, line_no: int) -> str:
        """The warning for a line the encoding cannot decode; the first this listener reports says what to set."""
        hint, self._encoding_hint = self._encoding_hint, ""
        return f"line {line_no}: {self._not_valid}{hint}"

    def _usable(self, values: list[str], header: list[str]) -> bool:
        """Whether a CSV record is a whole, usable row: a row cut off mid-write lacks fields or holds half a date."""
        if len(values) < len(header):
            return False
        try:
            self.mention_of_row(dict(zip(header, values)))
        except RowError:
            return False
        return True

    def _check_start(self, start: bytes) -> None:
        """`SourceError` for files this reader cannot split into rows, said in words rather than as bad rows."""
        if start.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):  # a zip (.xlsx, .zip) or an OLE file (.xls)
            raise SourceError(self.name, "the file is an Excel workbook or a zip archive, not CSV or JSON Lines; save "
                              "the sheet as CSV UTF-8 (or unzip the export)", retryable=False)

    def _present(self, row: dict[str, Any], column: str) -> bool:
        """Whether a JSONL row has `column` (a key, in any case, or a dotted path), even with a null value."""
        if column in row or self._alias.get(column, "") in row:
            return True
        value: Any = row
        for part in column.split("."):
            if not isinstance(value, dict) or part not in value:
                return False
            value = value[part]
        return True

    def fetch(self, watermark: Watermark | None) -> Iterator[Batch]:
        """Yield what was appended since `watermark` (all of it for a new or replaced file), in batches.

        Nothing is yielded until a row is usable: when every row read is bad the source fails
        (`SourceError`) with the counts and the first reasons, and its watermark stays, so the rows are
        read again once the config or the file is fixed. Read from the start, a JSONL file must show
        every mapped column in its first batch of rows (CSV: in its header), or `ConfigError`.
        """
        path = self.settings.path
        if self._many or path.is_dir():
            yield from self._fetch_many(watermark)
            return
        try:
            handle = _open_bytes(path)
        except FileNotFoundError:
            raise SourceError(self.name, f"file {str(path)!r} not found", retryable=False) from None
        except OSError as exc:
            raise SourceError(self.name, f"cannot read {str(path)!r}: {exc.strerror or exc}", retryable=False) from exc
        try:
            yield from self._read(handle, watermark)
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:  # what was read before it is committed
            raise SourceError(self.name, f"the gzip file {path.name!r} is cut short or damaged ({exc}); a file "
                              "still being compressed is read next run") from None

    def _files(self) -> list[Path]:
        """The files a folder or a pattern names, by name: date-stamped exports in the order they were written."""
        path = self.settings.path
        if path.is_dir():
            found = [f for f in path.iterdir() if not f.name.startswith(".")
                     and (self.settings.format != "auto" or _suffix(f) in _FORMATS)]
        elif self._many:
            found = [Path(name) for name in glob.glob(str(path), recursive=True)]
        else:
            raise SourceError(self.name, f"folder {str(path)!r} not found", retryable=False)
        return sorted(f for f in found if f.is_file() and not f.name.startswith("~$"))  # Excel's lock file

    def _fetch_many(self, watermark: Watermark | None) -> Iterator[Batch]:
        """`fetch` for a folder of exports or a pattern (`exports/*.csv`): each file read as its own source would
        be, under one watermark holding each file's. A file that fails is a warning naming it; the others are
        read, and it is tried again next run. The source fails only when every file with something new fails.

        A folder where a tool drops one export a day was refused ('a file source reads one file').
        """
        files = self._files()
        before = dict((watermark or {}).get("files", {}))
        present = {str(f) for f in files}
        marks = {name: mark for name, mark in before.items() if name in present}  # files gone are forgotten
        failures: list[Exception] = []
        where = str(self.settings.path)
        notes: list[str] = [] if files else [f"folder {where!r} holds no export yet" if self.settings.path.is_dir()
                                             else f"no file matches {where!r} yet"]
        read_any = False
        for path in files:
            one = FileListener(self.settings.model_copy(update={"path": path}), batch_size=self._batch_size,
                               one_file=True)
            try:
                for batch in one.fetch(marks.get(str(path))):
                    marks[str(path)] = batch.watermark
                    read_any = True
                    yield Batch(batch.mentions, {"files": dict(marks)}, skipped=batch.skipped,
                                warnings=notes + [f"{path.name}: {w}" for w in batch.warnings])
                    notes = []
            except SourceError as exc:
                failures.append(SourceError(self.name, f"{path.name}: {exc.reason}", retryable=exc.retryable))
                notes.append(f"{path.name}: {exc.reason}; read again next run")
            except ConfigError as exc:
                failures.append(ConfigError(f"{exc} (in {path.name})"))
                notes.append(f"{path.name}: {exc}; read again next run")
        if failures and not read_any:
            raise failures[0] if len(failures) == 1 else SourceError(
                self.name, f"all {len(failures)} files with something new failed: " + "; ".join(notes[:3]),
                retryable=False)
        if notes or marks != before:
            yield Batch([], {"files": marks}, warnings=notes)

    def _read(self, handle: IO[bytes], watermark: Watermark | None) -> Iterator[Batch]:
        """`fetch`, once the file is open."""
        self._unit = "line"
        self._latest = datetime.now(timezone.utc) + FUTURE_SLACK
        mark = int((watermark or {}).get("offset", 0))  # where the last run stopped: see _resume_point
        with handle:
            size, before = _measure(handle, mark)
            start = handle.read(HEAD_BYTES)
            utf16 = _utf16_codec(start)
            if utf16:
                handle = MadeFile(partial(self._utf16_as_utf8, handle, utf16))
                size, before = _measure(handle, mark)  # made once through: a damaged file fails here, before any row
                start = handle.read(HEAD_BYTES)
            self._check_start(start)
            handle.seek(0)
            # A UTF-8 byte-order mark (Excel's "CSV UTF-8") says what the file is: read in the source's cp1252, the
            # mark became 'ï»¿' in the first column's name (an id column not found, ids silently hashed) and every
            # accent mojibake ('cafÃ©'), as when the tool that once wrote cp1252 now writes UTF-8.
            self._use_encoding("utf-8" if utf16 or start.startswith(codecs.BOM_UTF8) else self.settings.encoding)
            if self.format == "jsonl" and start.removeprefix(codecs.BOM_UTF8).lstrip().startswith(b"["):
                self._unit = "element"
                handle = MadeFile(partial(self._json_as_lines, handle, array=True))
                size, before = _measure(handle, mark)  # an array not valid JSON fails here, before any row
            elif self.format == "jsonl" and _spans_lines(start) and (values := self._values_of(handle, mark)):
                self._unit = "object"
                handle, size, before = values
            offset, line_no, rows, head_len = self._resume_point(handle, watermark, size, before)
            if offset >= size and offset > 0:
                return
            # The fingerprint grows with the file: one first read holding only its header kept a fingerprint of the
            # header alone, so a replacement with the same header was read from the old offset, its rows skipped.
            head_len = min(size, HEAD_BYTES)
            head = self._head_hash(handle, head_len)
            header, data_start, header_line = self._csv_header(handle) if self.format == "csv" else ([], 0, 0)
            notes = self._repeated_columns(header) if offset == 0 else []  # said on the file's first reading
            if offset == 0:
                offset, line_no = data_start, header_line
            handle.seek(max(0, offset - TAIL_BYTES))
            cursor = _Cursor(offset, line_no, recent_start=handle.tell())
            cursor.keep(handle.read(offset - handle.tell()))  # the bytes before the first line, for its tail
            batch: list[Mention] = []
            warnings: list[str] = []
            skipped = 0
            read = good = 0  # rows read and usable in this fetch
            flushed_at: int | None = None
            # JSONL has no header: from the file's start, the mapped columns must turn up in the first batch
            unseen = dict(self._mapped) if self.format == "jsonl" and offset == data_start else {}
            first_keys: list[str] = []
            first_row: dict[str, Any] = {}
            identities = _Identities(self._row_at)
            shared: list[str] = []  # rows whose id an earlier row of other text had, since the last batch
            rounded: list[str] = []  # rows whose id is a rounded number (1.23457E+17), since the last batch

            def flush() -> Batch:
                nonlocal batch, warnings, skipped, flushed_at, unseen
                if unseen and first_keys:
                    self._check_columns(list(unseen), first_keys)
                if skipped > len(warnings):
                    warnings.append(f"{skipped - len(warnings)} more rows skipped")
                if shared:
                    warnings.append(self._shared_ids(shared))
                    shared.clear()
                if rounded:
                    warnings.append(self._rounded_ids(rounded))
                    rounded.clear()
                if cursor.utf8_lines:
                    warnings.append(self._utf8_lines(cursor.utf8_lines))
                    cursor.utf8_lines.clear()
                if cursor.stray_quotes:
                    warnings.append(_stray_quotes(cursor.stray_quotes))
                    cursor.stray_quotes.clear()
                warnings.extend(notes)
                notes.clear()
                mark = {"head": head, "head_len": head_len, "offset": cursor.offset, "line": cursor.line_no,
                        "rows": rows, "reading": self._reading()}
                if (tail := cursor.tail()) is not None:
                    mark["tail"] = tail
                out = Batch(batch, mark, skipped=skipped, warnings=warnings)
                batch, warnings, skipped, flushed_at, unseen = [], [], 0, cursor.offset, {}
                return out

            for row, problem in self._records(handle, cursor, header):
                rows += 1
                read += 1
                if row is not None:
                    first_keys = first_keys or list(row)
                    first_row = first_row or row
                    if unseen:
                        unseen = {f: c for f, c in unseen.items() if not self._present(row, c)}
                    try:
                        mention = self.mention_of_row(row)
                    except RowError as exc:
                        problem = f"{self._row_at(cursor.line_no)}: {exc}"
                    else:
                        taken = mention.external_id
                        problem = identities.check(mention, cursor.line_no)
                        if problem is None:
                            batch.append(mention)
                            good += 1
                            if mention.external_id != taken:
                                shared.append(f"{self._unit} {cursor.line_no}")
                            if taken.startswith("sha256:") and (value := self._rounded_id(row)) is not None:
                                rounded.append(value)
                if problem is not None:
                    skipped += 1
                    if len(warnings) < MAX_WARNINGS:
                        warnings.append(problem)
                if good and len(batch) + skipped >= self._batch_size:
                    yield flush()
            if read and not good:
                if unseen and first_keys:
                    self._check_columns(list(unseen), first_keys)
                # a JSONL file has no header to compare `columns` with: say what its rows hold instead
                keys = (f" (its rows' keys are {first_keys}{_rows_inside(first_row)})"
                        if self.format == "jsonl" and first_keys else "")
                rows_read = "the 1 row read was" if read == 1 else f"all {read} rows read were"
                json_like = start.removeprefix(codecs.BOM_UTF8).lstrip().startswith((b"{", b"["))
                if self.format == "jsonl" and not first_keys and not json_like:
                    keys += " and format (no line holds a JSON object: is it CSV? format: csv)"
                raise SourceError(self.name, f"{rows_read} skipped, nothing stored ({'; '.join(warnings[:3])}); "
                                  f"check the file and the source's columns{keys} and encoding", retryable=False)
            if flushed_at is None or cursor.offset != flushed_at:
                yield flush()  # the tail, or an empty batch that records a first look at an empty file
