"""Source settings: one model per listener kind, told apart by `kind`."""

from __future__ import annotations

import codecs
import string
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, HttpUrl, PrivateAttr, ValidationInfo, field_validator

from .spelling import zone_hint
from .visible import hidden_character_problem

_ASCII = string.printable  # letters, digits, punctuation, \t \n \r and friends


def _reads_ascii_as_ascii(encoding: str) -> bool:
    try:
        return _ASCII.encode("ascii").decode(encoding) == _ASCII
    except (UnicodeDecodeError, ValueError):
        return False


SourceKindLabel = Literal["reddit", "review", "forum", "news", "social", "file"]


class _Source(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_.-]+$",
                      description="unique name; identity of stored items and of the watermark")
    enabled: bool = Field(default=True, description="false skips the source without deleting its data")


class _Remote(_Source):
    retries: int = Field(default=3, ge=0, le=10,
                         description="extra attempts after a 429, 5xx, timeout or refused connection, for a feed "
                                     "after an HTML page, broken XML or an empty body in its place, and for Reddit "
                                     "after an answer that is not JSON (an HTML page)")
    backoff: float = Field(default=1.0, ge=0, le=60, description="seconds before the first retry; doubles each time")
    max_delay: float = Field(default=30.0, ge=0, le=600, description="longest single wait, Retry-After included")


def _visible_subreddit(name: str) -> str:
    """Refuses invisible characters: 'Coffee' pasted with a zero-width space was asked of Reddit as written, and
    the run said 'r/Coffee: does not exist' of a name that looks right."""
    if (problem := hidden_character_problem(name, "subreddit name")) is not None:
        raise ValueError(problem)
    return name


class RedditSource(_Remote):
    kind: Literal["reddit"]
    subreddits: list[Annotated[str, AfterValidator(_visible_subreddit)]] = Field(default_factory=list,
                                  description="subreddits to read; empty means site-wide search")
    comments: bool = Field(default=True, description="also collect comments of matched submissions; false: "
                                                      "no comments at all")
    subreddit_comments: bool = Field(default=True,
                                     description="also read each listed subreddit's new comments and keep those "
                                                 "naming a brand under posts that do not (one more listing per "
                                                 "subreddit per run; needs comments)")
    search: bool = Field(default=True, description="search each brand's terms, not only /new")
    limit: int = Field(default=500, ge=1, le=1000, description="most items per listing per run")
    replace_more_limit: int = Field(default=8, ge=0, le=64,
                                    description="'load more comments' expansions per submission")
    oauth_url: str = Field(default="https://oauth.reddit.com", pattern=r"^https?://",
                           description="API base, for proxies and tests")
    reddit_url: str = Field(default="https://www.reddit.com", pattern=r"^https?://",
                            description="site base, for proxies and tests")
    timeout: float = Field(default=16.0, gt=0, le=300, description="seconds before a request gives up")

    @field_validator("oauth_url", "reddit_url", mode="before")
    @classmethod
    def _api_url_without_surrounding_space(cls, value: object) -> object:
        """The URL without the spaces or line end pasted around it, as a feed's `url`.

        Without a scheme ('oauth.reddit.com') the pattern refuses it: joined with an API path it lost its host,
        and the source failed "Invalid URL 'r/travel/new'", naming neither the key nor the URL.
        """
        return value.strip() if isinstance(value, str) else value


class FeedSource(_Remote):
    kind: Literal["feed"]
    url: str = Field(pattern=r"^(https?|file)://", description="http(s):// or file:// URL of an RSS/Atom feed")
    source_kind: SourceKindLabel = Field(default="news", description="what the feed holds")
    timeout: float = Field(default=20.0, gt=0, le=300, description="seconds before a fetch gives up")
    max_bytes: int = Field(default=32 * 1024 * 1024, ge=1024, description="largest feed body accepted")
    brand: str | None = Field(default=None, description="a configured brand every entry is about (your app's "
                                                        "reviews, your own forum), stored for it besides the brands "
                                                        "its words name")
    # The values `${NAME}`s in `url` stood for (set when the config loads): secrets wherever they stand in the
    # URL, so messages mask them in its path too, where no rule of the URL's parts does.
    _secrets: tuple[str, ...] = PrivateAttr(default=())

    @property
    def secrets(self) -> tuple[str, ...]:
        return self._secrets

    @field_validator("url", mode="before")
    @classmethod
    def _without_surrounding_space(cls, value: object) -> object:
        """The URL without the spaces or line end pasted around it, as a browser's address bar drops them.

        Kept, a trailing space was fetched as `feed.xml%20` (a 404 naming a URL that looked right), a leading
        one was refused as not starting with http://, and a block scalar's line end was an invalid URL.
        """
        return value.strip() if isinstance(value, str) else value


class FileSource(_Source):
    kind: Literal["file"]
    path: Path = Field(description="CSV, JSONL or JSON export (also .gz), a folder of them, or a pattern such as "
                                   "exports/*.csv; relative paths start at the config file")
    format: Literal["auto", "jsonl", "csv"] = Field(default="auto", description="auto: by file suffix")
    source_kind: SourceKindLabel = Field(default="file", description="default when a row has none")
    columns: dict[str, str | list[str]] = Field(
        default_factory=dict,
        description="our field (id, text, created_at, author, url, title, source_kind, brand) -> the export's "
                    "column, e.g. {text: body, created_at: date}; created_at may join a date and a time column "
                    "with a space: created_at: [Date, Hour]",
    )
    encoding: str = Field(default="utf-8", description="the file's text encoding, e.g. utf-8, latin-1, cp1252")
    delimiter: str | None = Field(default=None, min_length=1, max_length=1,
                                  description="a CSV's delimiter when reading it off the header guesses wrong")
    date_format: str | None = Field(default=None, description="strptime format of created_at, e.g. '%m/%d/%Y %H:%M'")
    timezone: str = Field(default="UTC", description="IANA zone of times written without one, e.g. Europe/Berlin "
                                                     "(an offset, Z or Unix time in the file keeps its own)")

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str, info: ValidationInfo) -> str:
        """A zone name checked on load: a typo would otherwise fail every row, or the run, later."""
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"source '{info.data.get('name', '?')}': unknown timezone {value!r}; "
                             f"{zone_hint(value)}") from None
        return value

    @field_validator("columns", mode="before")
    @classmethod
    def _column_names(cls, value: object, info: ValidationInfo) -> object:
        """Each field's column name; a list joins columns into one value: a date and its time in two columns
        (Brand24's Date and Hour), where the date alone stored every row of a day at 00:00. Only a time is
        written so. Checked here, before the types: a union's two failures said 'columns.id.str' and
        'columns.id.list[str]'."""
        if not isinstance(value, dict):
            return value
        source = info.data.get("name", "?")
        for field, column in value.items():
            if isinstance(column, list) and field != "created_at":
                raise ValueError(f"source '{source}': columns: {field} is read from one column; only created_at "
                                 "may join several (created_at: [Date, Hour])")
            if isinstance(column, list) and (not column or not all(isinstance(c, str) and c.strip() for c in column)):
                raise ValueError(f"source '{source}': columns: created_at {column!r} must name its columns, e.g. "
                                 "created_at: [Date, Hour]")
            if column is None or (isinstance(column, str) and not column.strip()):  # `author:` left empty, or ""
                raise ValueError(f"source '{source}': columns: {field} names no column; write the export's "
                                 f"column after '{field}:', or leave {field} out")
            if not isinstance(column, (str, list)):
                raise ValueError(f"source '{source}': columns: {field} must be a column's name, not {column!r} (put "
                                 "it in quotes)")
        return {field: column[0] if isinstance(column, list) and len(column) == 1 else column
                for field, column in value.items()}

    @field_validator("date_format")
    @classmethod
    def _usable_date_format(cls, value: str | None, info: ValidationInfo) -> str | None:
        """A format that can read back a date it wrote: one with no directive, or a bad one, matches nothing."""
        if value is None:
            return value
        sample = datetime(2026, 11, 23, 14, 5, 9, tzinfo=timezone.utc)
        try:
            datetime.strptime(sample.strftime(value), value)
            if "%" not in value:
                raise ValueError
        except ValueError:
            raise ValueError(f"source '{info.data.get('name', '?')}': date_format {value!r} is not a strptime "
                             "format that reads dates, e.g. '%m/%d/%Y %H:%M' or '%d/%m/%Y'") from None
        return value

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str, info: ValidationInfo) -> str:
        """A codec Python knows that writes ASCII as ASCII: files are split into lines on the byte b"\\n"."""
        source = info.data.get("name", "?")
        try:
            codec = codecs.lookup(value)
        except LookupError:
            raise ValueError(f"source '{source}': unknown encoding {value!r}; use a Python codec name such as "
                             "utf-8, latin-1 or cp1252") from None
        if not getattr(codec, "_is_text_encoding", True) or not _reads_ascii_as_ascii(value):
            raise ValueError(f"source '{source}': encoding {value!r} is not supported (lines must end in the byte "
                             "\\n, as in utf-8, latin-1 or cp1252); convert the file to UTF-8")
        return value


SourceSettings = Annotated[RedditSource | FeedSource | FileSource, Field(discriminator="kind")]
