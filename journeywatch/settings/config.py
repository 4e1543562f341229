"""The root config model and its loader.

A config is one YAML file. Every problem in it becomes a `ConfigError` whose
message names the key (`brands[0].query`) and what is wrong, so the CLI can
print one line instead of a traceback.
"""

from __future__ import annotations

import os
import types
import typing
from pathlib import Path
from urllib.parse import quote, unquote

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, TypeAdapter, ValidationError, field_validator
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from ..errors import ConfigError
from ..query import CompiledQuery, QueryError, compile_query
from .alerts import ENV_PLACEHOLDER, AlertSettings
from .classifier import ClassifierSettings
from .digest import DigestSettings
from .sources import FeedSource, FileSource, SourceSettings
from .spelling import meant
from .visible import hidden_character_problem

DATABASE_ENV = "JOURNEYWATCH_DATABASE_URL"


class Brand(BaseModel):
    # Stripped: ' Acme ' was a brand apart from 'Acme' in every stored link, and a blank name passed.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    # 200 characters: the stored brand columns' length (a longer name failed every batch on PostgreSQL). One
    # line: a line break in a name broke every e-mail subject and table it heads (NEL, U+2028 and U+2029 too).
    name: str = Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]+$",
                      description="the brand as reports name it")
    query: str = Field(min_length=1, description="boolean watch query: AND, OR, NOT, \"phrases\", (), @handles, #tags")

    @field_validator("name")
    @classmethod
    def _visible(cls, name: str) -> str:
        """Refuses invisible characters: a RIGHT-TO-LEFT OVERRIDE in a name passed and reversed the text after
        it on the console and in the digests; a zero-width space made a name that looks like another."""
        if (problem := hidden_character_problem(name, "name")) is not None:
            raise ValueError(problem)
        return name


class _DatabaseKey(BaseModel):
    """The `database` key alone, the other keys ignored: all `db upgrade` reads (see `database_from_config`)."""

    database: str = Field(default="sqlite:///journeywatch.db", description="SQLAlchemy URL; env overrides")

    @field_validator("database")
    @classmethod
    def _url_shape(cls, value: str) -> str:
        if ENV_PLACEHOLDER.fullmatch(value.strip()):  # `${PGURL}` was told it "must be a database URL"
            raise ValueError(f"{value.strip()} cannot stand for the whole URL: ${{NAME}} fills in a part (such as "
                             f"the password, URL-escaped); give the whole URL in the environment variable "
                             f"{DATABASE_ENV} instead")
        if "://" not in value:  # not quoted: it may be a URL with a password, mistyped
            raise ValueError("must be a database URL like sqlite:///journeywatch.db or "
                             "postgresql://user@host:5432/journeywatch")
        if problem := url_problem(value):
            raise ValueError(problem)
        return value


class Config(_DatabaseKey):
    model_config = ConfigDict(extra="forbid")

    raw_authors: bool = Field(default=False, description="store author names as given instead of keyed hashes")
    brands: list[Brand] = Field(min_length=1, description="what to listen for")
    sources: list[SourceSettings] = Field(default_factory=list, description="where to listen")
    classifier: ClassifierSettings = Field(default_factory=ClassifierSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    digest: DigestSettings = Field(default_factory=DigestSettings)
    # Sources whose entries failed validation: `run` reports them as failed and runs the rest.
    _source_errors: list[tuple[str, str]] = PrivateAttr(default_factory=list)

    @property
    def source_errors(self) -> list[tuple[str, str]]:
        """(source name or key, problem) for each source entry that could not be used."""
        return self._source_errors


def compiled_queries(brands: typing.Sequence[Brand]) -> list[CompiledQuery]:
    """Each brand's query compiled, or a `ConfigError` naming the first bad one's key, brand and position.

    One wording for the config loader and the brand matcher: only `run` compiled the queries, so `digest`,
    `alerts check` and `reclassify` accepted a config whose query no run could read.
    """
    compiled = []
    for index, brand in enumerate(brands):
        try:
            compiled.append(compile_query(brand.query))
        except QueryError as exc:
            raise ConfigError(f"config key 'brands[{index}].query' ({brand.name}): {exc}") from None
    return compiled


def in_memory_problem(url: str) -> str | None:
    """Why a SQLite URL that names no file is refused: it was a database in memory, gone with the process,
    so a run stored everything for nothing and the next one collected it all again."""
    scheme, separator, rest = url.partition("://")
    if separator and scheme.lower().startswith("sqlite") and rest.lstrip("/") in ("", ":memory:"):
        return (f"{url!r} names no file: that is a database in memory, and everything stored would be gone "
                "when the command ends; give a file, e.g. sqlite:///journeywatch.db")
    return None


def url_problem(url: str) -> str | None:
    """Why a database URL is refused before it is opened: a database in memory, or a URL whose port is no number.

    A password's '@' not encoded (`postgresql://jw:p@ss:word@db/jw`) makes 'ss:word@db' the host and port:
    SQLAlchemy's parser raised a bare ValueError that quoted the "port", the password's end, in a traceback;
    without a port (`jw:p@ss@db`), 'ss@db' was the host that messages named.
    Not quoted here: the URL holds a password.
    """
    if problem := in_memory_problem(url):
        return problem
    hint = ("a user name or password holding '@', ':', '/' or '#' must be URL-encoded ('@' as %40, ':' as %3A, "
            "'/' as %2F, '#' as %23), or, in the config, be given as ${NAME}")
    try:
        parsed = make_url(url)
    except ValueError:
        return f"cannot read the URL: what follows the host's ':' is not a port number; {hint}"
    except ArgumentError:
        return None  # not a URL at all: opening it says so, without quoting it
    if parsed.host and "@" in parsed.host:  # `jw:p@ss@db`: the host 'ss@db' was named in every message
        return f"cannot read the URL: its host holds an '@', the end of a password not URL-encoded; {hint}"
    return None


_SOURCE = TypeAdapter(SourceSettings)


def _check_unique_names(config: Config, set_aside: list[str]) -> None:
    """Brand and source names are identities (reports, stored items, watermarks): each once.

    `set_aside` names the source entries that failed validation: a name is taken by an entry that
    needs fixing too, or the run would list two sources under one name and fixing one would then fail.
    """
    sources = [s.name for s in config.sources] + set_aside
    # Brands ignoring case: an export's brand column and the digest's --brand match names so, and 'Acme' and
    # 'acme' would be two brands in every report.
    brands = [b.name for b in config.brands]
    for key, names, same in (("brands", brands, str.casefold), ("sources", sources, str)):
        keys = [same(n) for n in names]
        repeated = sorted({n for n, k in zip(names, keys) if keys.count(k) > 1})
        if repeated:
            raise ConfigError(f"config key '{key}': each name must be unique; repeated: {', '.join(repeated)}")


def _key_path(location: tuple[int | str, ...]) -> str:
    """Render pydantic's error location as the key a user would type."""
    out = ""
    for part in location:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("reddit", "feed", "file") and out.endswith("]"):
            continue  # the discriminated-union tag is not a key the user wrote
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


_KINDS = "use reddit, feed or file"
_PATTERNS = {  # what a field's pattern means, in words
    "name": "use only letters, digits, '-', '_' and '.' (no spaces)",
    "url": "must start with http://, https:// or file://",
    "oauth_url": "must start with http:// or https:// (Reddit's API is https://oauth.reddit.com)",
    "reddit_url": "must start with http:// or https:// (Reddit's site is https://www.reddit.com)",
}
_TYPE_WORDS = {str: "text", int: "a number", float: "a number", bool: "true or false", list: "a list",
               dict: "a mapping", type(None): "empty"}


def _shown(value: object) -> str:
    """A value the user wrote, as a YAML reader would recognise it (numbers bare, text quoted)."""
    return repr(value) if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)


def _plain_words(kind: str, ctx: dict[str, object], given: object, message: str) -> str:
    """pydantic's wording ('Input should be greater than or equal to 1') as what the key accepts."""
    bounds = {"greater_than_equal": ("at least", "ge"), "less_than_equal": ("at most", "le"),
              "greater_than": ("more than", "gt"), "less_than": ("less than", "lt")}
    if kind in bounds:
        words, key = bounds[kind]
        bound = ctx.get(key)
        return f"must be {words} {f'{bound:g}' if isinstance(bound, float) else bound}, not {_shown(given)}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"must be a whole number, not {_shown(given)}"
    if kind in ("float_parsing", "float_type"):
        return f"must be a number, not {_shown(given)}"
    if kind in ("bool_parsing", "bool_type"):
        return f"must be true or false, not {_shown(given)}"
    if kind == "literal_error":
        return f"must be {ctx.get('expected')}, not {_shown(given)}"
    if kind == "too_short":
        least = ctx.get("min_length", 1)
        if isinstance(given, str):
            return "must not be empty" if least == 1 else f"must be at least {least} characters"
        return f"must list at least {least} item{'s' * (least != 1)}"
    if kind == "too_long" or kind == "string_too_long":
        most = ctx.get("max_length")
        return f"must be at most {most} character{'s' * (most != 1)}, not {_shown(given)}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "path_type":
        return f"must be a file path (text), not {_TYPE_WORDS.get(type(given), 'something else')}"
    return message


def _model_at(location: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The settings model whose keys sit at `location` (`('brands', 0)` is a `Brand`), to name the keys it has."""
    annotation: object = Config
    for part in location:
        while typing.get_origin(annotation) is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        origin, args = typing.get_origin(annotation), typing.get_args(annotation)
        if isinstance(part, int) and origin is list:
            annotation = args[0]
        elif origin in (typing.Union, types.UnionType):  # a source: pydantic's location names the `kind` tag
            annotation = next((member for member in args if _kind_of(member) == part), None)
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel) and part in annotation.model_fields:
            annotation = annotation.model_fields[part].annotation
        else:
            return None
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def _kind_of(model: object) -> object:
    """A source model's `kind` (`feed` for `FeedSource`), or None for anything else."""
    field = getattr(model, "model_fields", {}).get("kind")
    kinds = typing.get_args(field.annotation) if field else ()
    return kinds[0] if kinds else None


def _meant_key(location: tuple[int | str, ...]) -> str | None:
    """The key an unknown one is a misspelling of (`qeury` -> `query`), among the keys its mapping takes."""
    model = _model_at(location[:-1])
    if model is None:
        return None
    return meant(str(location[-1]), model.model_fields)


def _validation_message(exc: ValidationError, prefix: tuple[int | str, ...] = ()) -> str:
    lines = []
    errors = [(prefix + tuple(err["loc"]), err) for err in exc.errors()]
    # A misspelt required key (`qeury:`) is also a missing one: the one line says which was meant, not both.
    meant = {location: key for location, err in errors
             if err["type"] == "extra_forbidden" and (key := _meant_key(location))}
    explained = {location[:-1] + (key,) for location, key in meant.items()}
    for location, err in errors:
        kind = err["type"]
        message = err["msg"].removeprefix("Value error, ")
        given = _TYPE_WORDS.get(type(err.get("input")), "something else")
        if kind == "missing" and location in explained:
            continue
        if kind == "extra_forbidden" and location in meant:
            message = f"unknown key; did you mean '{meant[location]}'?"
        elif kind == "extra_forbidden":
            message = "unknown key (check the spelling; `journeywatch init` writes every key)"
            if len(location) == 1:
                message = message[:-1] + "; a block kept for YAML anchors goes under a key starting 'x-')"
        elif kind == "missing":
            message = "required key is missing"
        elif kind == "union_tag_not_found":
            location, message = location + ("kind",), f"required key is missing; {_KINDS}"
        elif kind == "union_tag_invalid":
            location, message = location + ("kind",), f"unknown kind {err['ctx']['tag']!r}; {_KINDS}"
        elif kind == "string_pattern_mismatch" and location[0] == "brands":
            message = "must be one line, with no tab or other control character"
        elif kind == "string_pattern_mismatch" and str(location[-1]) in _PATTERNS:
            message = _PATTERNS[str(location[-1])]  # the value is not echoed: a URL may hold a token
        elif kind in ("model_type", "dict_type", "model_attributes_type"):
            message = f"must be a mapping of keys (key: value), not {given}"
        elif kind == "list_type":
            message = f"must be a list (items on lines starting with '- ', or [a, b]), not {given}"
        elif kind == "string_type":
            message = f"must be text, not {given} (put it in quotes)"
        elif location == ("brands",) and kind == "too_short":
            message = "needs at least one brand, e.g. `- {name: Acme, query: acme}`"
        else:
            message = _plain_words(kind, err.get("ctx") or {}, err.get("input"), message)
        lines.append(f"config key '{_key_path(location)}': {message}")
    return "; ".join(lines)


def _split_sources(raw: object) -> tuple[list[object], list[tuple[str, str]]]:
    """Validate source entries one by one, so one bad entry does not stop the others."""
    if raw is None:
        return [], []
    if not isinstance(raw, list):
        raise ConfigError("config key 'sources': must be a list of sources")
    good: list[object] = []
    errors: list[tuple[str, str]] = []
    for index, entry in enumerate(raw):
        try:
            good.append(_SOURCE.validate_python(entry))
        except ValidationError as exc:
            name = entry.get("name") if isinstance(entry, dict) else None
            errors.append((str(name or f"sources[{index}]"), _validation_message(exc, ("sources", index))))
    return good, errors


def _local(path: Path, base: Path) -> Path:
    """A path from the config as an absolute one: `~` is the home directory, a relative path starts at `base`.

    `~` is not expanded by YAML or by Python's file functions: `~/exports/x.csv` was read as a folder
    named `~` beside the config, and a `sqlite:///~/jw.db` database was created in one.
    """
    path = path.expanduser()
    return path if path.is_absolute() else (base / path).resolve()


def _anchored_sqlite(url: str, base: Path) -> str:
    """A relative SQLite file path starts at `base` too (cron runs from $HOME), and `~` is the home directory.

    Read with SQLAlchemy's own URL parser, so every spelling of a SQLite URL is anchored alike: only
    `sqlite:///` was, and `sqlite+pysqlite:///rel.db` (or `SQLite:///`) opened `rel.db` in whatever
    directory the command ran from. A `file:` URI (`?uri=true`) is left as written.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        return url  # opening it says what is wrong with it
    path = parsed.database
    if parsed.get_backend_name().lower() != "sqlite" or not path or path == ":memory:" or path.startswith("file:"):
        return url
    anchored = str(_local(Path(path), base))
    return url if anchored == path else parsed.set(database=anchored).render_as_string(hide_password=False)


def _anchored_file_url(url: str, base: Path) -> str:
    """A `file://` target as an absolute path: a relative one starts at the config file (`file://out/alerts.log`)."""
    if not url.lower().startswith("file://"):
        return url
    local = _local(Path(unquote(url.split("://", 1)[1])), base)  # an absolute path stays as it is
    return "file://" + quote(str(local.resolve()), safe="/")


def _anchored_feed_file(url: str, base: Path) -> str:
    """A feed's `file://` URL with an absolute path: a relative one starts at the config file, `~` is home.

    Written as RFC 8089 and file managers write it, `file://localhost/srv/feed.xml` read `localhost` as a
    folder beside the config, and a relative path's `%20` stayed `%20` (an absolute one's was a space).
    """
    rest = url.removeprefix("file://")
    if rest.lower().startswith("localhost/"):
        rest = rest[len("localhost"):]
    local = Path(unquote(rest))
    return url if local.is_absolute() and rest == url.removeprefix("file://") else _local(local, base).as_uri()


def _resolve_paths(config: Config, base: Path) -> Config:
    """Make file paths absolute, so a config works from any directory: relative ones start at the config file.

    The database URL's SQLite path is anchored by `_database_url`.
    """
    config.alerts.notify = [_anchored_file_url(url, base) for url in config.alerts.notify]
    config.digest.notify = [_anchored_file_url(url, base) for url in config.digest.notify]
    if config.classifier.model_dir:
        config.classifier.model_dir = _local(config.classifier.model_dir, base)
    for source in config.sources:
        if isinstance(source, FileSource):
            source.path = _local(source.path, base)
        if isinstance(source, FeedSource) and source.url.startswith("file://"):
            source.url = _anchored_feed_file(source.url, base)
    return config


def _database_with_variables(url: str) -> str:
    """`${NAME}` in the database URL is the environment variable NAME, escaped for a URL (a password with '@' or '/').

    The notify URLs took `${SMTP_PASSWORD}`; written in `database`, `${PGPASSWORD}` was sent to the server as
    the password itself.
    """
    try:
        return ENV_PLACEHOLDER.sub(lambda match: quote(os.environ[match.group(1)], safe=":"), url)
    except KeyError as missing:
        raise ConfigError(f"config key 'database': environment variable {missing.args[0]} is not set") from None


def _database_url(database: str, base: Path, database_given: bool) -> str:
    """The database a command opens: JOURNEYWATCH_DATABASE_URL when set, else the `database` key with its
    `${NAME}`s filled in (unless the command names its own, `database_given`) and a relative SQLite path
    anchored at `base`, the config's folder."""
    if override := os.environ.get(DATABASE_ENV):  # overridden, the key's variables need not be set
        if "://" not in override:
            raise ConfigError(f"environment variable {DATABASE_ENV} is not a database URL like "
                              "postgresql://user@host:5432/journeywatch; fix or unset it")
        if problem := url_problem(override):
            raise ConfigError(f"environment variable {DATABASE_ENV}: {problem}")
        return override
    return _anchored_sqlite(database if database_given else _database_with_variables(database), base)


def _feeds_with_variables(config: Config, strict: bool) -> None:
    """`${NAME}` in a feed URL is the environment variable NAME, URL-encoded, as in notify and database URLs.

    A private feed's token (`?token=...`, `https://user:pass@host/feed`) had no place but the config file:
    `${FEED_TOKEN}` was fetched as written. A variable that is not set fails that source alone (or, with
    `strict`, the config), and commands that read no source do not need it.
    """
    kept = []
    for source in config.sources:
        if isinstance(source, FeedSource) and ENV_PLACEHOLDER.search(source.url):
            try:
                source._secrets = tuple(os.environ[name] for name in ENV_PLACEHOLDER.findall(source.url))
                source.url = ENV_PLACEHOLDER.sub(lambda match: quote(os.environ[match.group(1)], safe=""), source.url)
            except KeyError as missing:
                problem = (f"config key 'url' of source '{source.name}': "
                           f"environment variable {missing.args[0]} is not set")
                if strict:
                    raise ConfigError(problem) from None
                config._source_errors.append((source.name, problem))
                continue
        kept.append(source)
    config.sources = kept


def _feed_brands(config: Config, strict: bool) -> None:
    """A feed's `brand` must be one of the config's brands (any case): a misspelt one would store nothing for it.

    It is the brand every entry of the feed is about: an app's reviews ("Crashes every time") and a brand's own
    forum rarely name it, and were dropped as matching no brand's query.
    """
    known = {brand.name.casefold() for brand in config.brands}
    kept = []
    for source in config.sources:
        if isinstance(source, FeedSource) and source.brand is not None and source.brand.casefold() not in known:
            names = ", ".join(repr(brand.name) for brand in config.brands)
            problem = (f"config key 'brand' of source '{source.name}': {source.brand!r} is not one of the "
                       f"config's brands ({names})")
            if strict:
                raise ConfigError(problem)
            config._source_errors.append((source.name, problem))
            continue
        kept.append(source)
    config.sources = kept


def _is_extension(key: object) -> bool:
    """A top-level `x-...` key holds only YAML anchors (`x-file: &file {kind: file, format: jsonl}`), as in Docker
    Compose: every other unknown key is refused as a typo, so a block of shared source settings had no place."""
    return isinstance(key, str) and key.lower().startswith("x-")


def parse_config(data: object, base: Path | None = None, *, strict: bool = True,
                 database_given: bool = False) -> Config:
    """Validate already-loaded YAML data; `base` anchors relative paths.

    With `strict=False` a bad source entry is kept aside in `config.source_errors`
    instead of failing the whole config: a monitor run reports it and collects
    from the other sources. `database_given`: the command names its database
    itself (`--database`), so the key's `${NAME}`s need not be set.
    """
    if not isinstance(data, dict):
        raise ConfigError("config: the file must be a YAML mapping with keys like 'brands' and 'sources'")
    data = {key: value for key, value in data.items() if not _is_extension(key)}
    sources, source_errors = _split_sources(data.get("sources"))
    if source_errors and strict:
        raise ConfigError("; ".join(message for _, message in source_errors))
    try:
        config = Config.model_validate({**data, "sources": sources})
    except ValidationError as exc:
        raise ConfigError(_validation_message(exc)) from None
    _check_unique_names(config, [name for name, _ in source_errors if not name.startswith("sources[")])  # named ones
    compiled_queries(config.brands)
    config._source_errors = source_errors
    _feeds_with_variables(config, strict)
    _feed_brands(config, strict)
    config.database = _database_url(config.database, base or Path.cwd(), database_given)
    return _resolve_paths(config, base or Path.cwd())


class _DuplicateKey(yaml.MarkedYAMLError):
    pass


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a key written twice in one mapping.

    PyYAML keeps the last of them without a word: a second `alerts:` block
    dropped the first one's `notify` targets, and no alert was sent.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[object, object]:
        seen: dict[object, yaml.Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":  # `<<: *base`: its keys may be overridden
                continue
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            if isinstance(key, (str, int, float, bool)) and key in seen:
                first = seen[key].start_mark.line + 1
                raise _DuplicateKey(problem=f"key {key!r} appears twice in one mapping (first at line {first}); "
                                            "the second would silently replace the first, so merge them",
                                    problem_mark=key_node.start_mark)
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


def load_config(path: str | Path, *, strict: bool = True, database_given: bool = False) -> Config:
    """Read, validate and return the config at `path` (see `parse_config` for `strict` and `database_given`)."""
    path = Path(path)
    return parse_config(_read_yaml(path), path.parent.resolve(), strict=strict, database_given=database_given)


def database_from_config(path: str | Path, *, database_given: bool = False) -> str:
    """The database URL of the config at `path`, as `load_config(path).database`, reading no other key.

    For `db upgrade`: a notify URL the alerts settings refuse, or a bad brand, stopped a schema upgrade
    that needs none of them.
    """
    path = Path(path)
    try:
        key = _DatabaseKey.model_validate(_read_yaml(path))
    except ValidationError as exc:
        raise ConfigError(_validation_message(exc)) from None
    return _database_url(key.database, path.parent.resolve(), database_given)


def _read_yaml(path: Path) -> dict[object, object]:
    """The config file's YAML mapping, or a `ConfigError` saying why the file cannot be one."""
    if path.is_dir():
        # "not found" would send the user looking for a file that is plainly there.
        example = path / "journeywatch.yaml"
        raise ConfigError(f"config {str(path)!r} is a directory, not a file; give the YAML config file "
                          f"inside it, e.g. {str(example)!r}")
    if not path.is_file():
        raise ConfigError(f"config file {str(path)!r} not found; `journeywatch init` writes an example")
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)  # noqa: S506 (a safe loader)
    except UnicodeDecodeError:  # said "not valid YAML: unreadable text" of a file saved as UTF-16 or Latin-1
        raise ConfigError(f"config file {str(path)!r} is not UTF-8 text; save it as UTF-8") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "unreadable text"
        if "'\\t'" in problem:  # PyYAML: "found character '\t' that cannot start any token"
            problem += " (YAML indents with spaces, never tabs)"
        raise ConfigError(f"config file {str(path)!r} is not valid YAML{where}: {problem}") from None
    if data is None:
        raise ConfigError(f"config file {str(path)!r} is empty; it needs at least 'brands' "
                          "(`journeywatch init` writes an example)")
    if not isinstance(data, dict):
        raise ConfigError(f"config file {str(path)!r} must be a YAML mapping with keys like 'brands' and 'sources'")
    return data
