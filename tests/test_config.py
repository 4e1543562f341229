"""Config loading: every mistake becomes one line naming the key; env overrides; paths anchor at the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from sqlalchemy.engine import make_url

from journeywatch.errors import ConfigError
from journeywatch.flows.steps import collect_source
from journeywatch.listeners import build_listener
from journeywatch.settings import FileSource, load_config, parse_config
from journeywatch.storage import forget_engines, open_database

BRANDS = [{"name": "Acme", "query": "acme"}]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "journeywatch.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_loads(tmp_path: Path) -> None:
    from importlib import resources

    text = resources.files("journeywatch").joinpath("example.yaml").read_text(encoding="utf-8")
    config = load_config(_write(tmp_path, text))
    assert config.brands[0].name == "Acme Air"
    assert {s.kind for s in config.sources} == {"reddit", "feed", "file"}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"brands": BRANDS, "databse": "sqlite://"}, "config key 'databse': unknown key"),
        ({"brands": [{"name": "Acme"}]}, "config key 'brands[0].query': required key is missing"),
        ({"brands": []}, "config key 'brands'"),
        ({"brands": BRANDS, "alerts": {"window": "soon"}}, "config key 'alerts.window': 'soon' is not a duration"),
        ({"brands": BRANDS, "alerts": {"cooldown": -3600}}, "config key 'alerts.cooldown': -3600 is negative"),
        ({"brands": BRANDS, "alerts": {"settle": -60}}, "config key 'alerts.settle': -60 is negative"),
        ({"brands": BRANDS, "alerts": {"cooldown": "-2h"}}, "config key 'alerts.cooldown': '-2h' is negative"),
        # A bare number was read as seconds: `window: 45` was then refused as "between 1m and 7d"
        # with no word of units, and `window: 3600` passed silently as an hour.
        ({"brands": BRANDS, "alerts": {"window": 45}},
         "config key 'alerts.window': 45 has no unit; give a whole number with a unit m, h, d or w, "
         "e.g. '30m', '1h', '2d' or '1w' (a bare number is not read as seconds)"),
        ({"brands": BRANDS, "alerts": {"window": 3600}}, "config key 'alerts.window': 3600 has no unit"),
        ({"brands": BRANDS, "alerts": {"min_history": "1.5d"}},
         "config key 'alerts.min_history': '1.5d' is not a duration; give a whole number with a unit"),
        ({"brands": BRANDS, "alerts": {"window": True}}, "config key 'alerts.window': must be a duration: a whole"),
        ({"brands": BRANDS, "alerts": {"window": "0m"}}, "config key 'alerts.window': must be from 1m to 7d"),
        # Past timedelta's range this was an OverflowError traceback.
        ({"brands": BRANDS, "alerts": {"cooldown": "99999999999d"}},
         "config key 'alerts.cooldown': '99999999999d' is longer than ten years"),
        ({"brands": BRANDS, "alerts": {"settle": "1000000000d"}},
         "config key 'alerts.settle': '1000000000d' is longer"),
        # pydantic's own words ("List should have at least 1 item after validation", "Input should
        # be greater than or equal to 1") say what failed, not what the key accepts.
        ({"brands": []}, "config key 'brands': needs at least one brand, e.g. `- {name: Acme, query: acme}`"),
        ({"brands": [{"name": "", "query": "acme"}]}, "config key 'brands[0].name': must not be empty"),
        ({"brands": [{"name": "   ", "query": "acme"}]}, "config key 'brands[0].name': must not be empty"),
        ({"brands": [{"name": "Acme", "query": " "}]}, "config key 'brands[0].query': must not be empty"),
        ({"brands": BRANDS + [{"name": "Acme ", "query": "acme"}]}, "config key 'brands': each name must be unique"),
        ({"brands": BRANDS, "alerts": {"min_count": 0}}, "config key 'alerts.min_count': must be at least 1, not 0"),
        ({"brands": BRANDS, "alerts": {"baseline_weeks": 100}},
         "config key 'alerts.baseline_weeks': must be at most 52, not 100"),
        ({"brands": BRANDS, "alerts": {"p_value": 0}}, "config key 'alerts.p_value': must be more than 0, not 0"),
        ({"brands": BRANDS, "alerts": {"min_count": "five"}},
         "config key 'alerts.min_count': must be a whole number, not 'five'"),
        ({"brands": BRANDS, "alerts": {"min_count": 2.5}},
         "config key 'alerts.min_count': must be a whole number, not 2.5"),
        ({"brands": BRANDS, "alerts": {"enabled": "sometimes"}},
         "config key 'alerts.enabled': must be true or false, not 'sometimes'"),
        ({"brands": BRANDS, "classifier": {"review_below": 2}},
         "config key 'classifier.review_below': must be at most 1, not 2"),
        ({"brands": BRANDS, "classifier": {"model_dir": 5}}, "config key 'classifier.model_dir': must be a file path"),
        ({"brands": BRANDS, "sources": [{"name": "x", "kind": "file", "path": "a", "format": "xml"}]},
         "config key 'sources[0].format': must be 'auto', 'jsonl' or 'csv', not 'xml'"),
        ({"brands": BRANDS, "sources": [{"name": "x", "kind": "file", "path": "a", "delimiter": ";;"}]},
         "config key 'sources[0].delimiter': must be at most 1 character, not ';;'"),
        ({"brands": BRANDS, "sources": [{"name": "x", "kind": "feed", "url": "http://x", "backoff": "fast"}]},
         "config key 'sources[0].backoff': must be a number, not 'fast'"),
        ({"brands": BRANDS, "digest": {"timezone": "Mars/Olympus"}}, "config key 'digest.timezone': unknown timezone"),
        ({"brands": BRANDS, "sources": [{"name": "x", "kind": "feed", "url": "gopher://x"}]},
         "config key 'sources[0].url'"),
        ({"brands": BRANDS, "database": "journeywatch.db"}, "config key 'database'"),
        # A whole URL from the environment: told it "must be a database URL", not how to give one.
        ({"brands": BRANDS, "database": "${PGURL}"},
         "config key 'database': ${PGURL} cannot stand for the whole URL: ${NAME} fills in a part"),
        # A mistyped URL was quoted whole, password and all.
        ({"brands": BRANDS, "database": "postgresql:jw:S3cret@db/jw"},
         "config key 'database': must be a database URL like sqlite:///journeywatch.db or postgresql://user@"),
        # Each notification went twice to a target listed twice.
        ({"brands": BRANDS, "alerts": {"notify": ["json://h/x", "file://a.log", "json://h/x"]}},
         "config key 'alerts.notify': items 0 and 2 are the same target; list it once"),
        ({"brands": BRANDS, "digest": {"notify": ["json://h/x", "json://h/x"]}},
         "config key 'digest.notify': items 0 and 1 are the same target"),
        # `file://out/` wrote a file named `out`.
        ({"brands": BRANDS, "alerts": {"notify": ["file://out/"]}},
         "config key 'alerts.notify[0]': a file:// target names a file to append to, not a folder"),
        # A SQLite URL with no file was a database in memory: a run stored everything for nothing.
        ({"brands": BRANDS, "database": "sqlite:///"}, "config key 'database': 'sqlite:///' names no file: that is a "
                                                       "database in memory, and everything stored would be gone"),
        ({"brands": BRANDS, "database": "sqlite://"}, "config key 'database': 'sqlite://' names no file"),
        ({"brands": BRANDS, "database": "sqlite:///:memory:"}, "config key 'database': 'sqlite:///:memory:' names no"),
        ({"brands": BRANDS + BRANDS}, "config key 'brands': each name must be unique; repeated: Acme"),
        # 'Acme' and 'acme' were two brands in every report; an export's brand column matches names ignoring case.
        ({"brands": BRANDS + [{"name": "ACME", "query": "acme"}]},
         "config key 'brands': each name must be unique; repeated: ACME, Acme"),
        # A longer name failed every batch on PostgreSQL (the brand columns hold 200 characters); a line break
        # in one failed every e-mail subject.
        ({"brands": [{"name": "A" * 201, "query": "acme"}]}, "config key 'brands[0].name': must be at most 200"),
        ({"brands": [{"name": "Acme\nAir", "query": "acme"}]},
         "config key 'brands[0].name': must be one line, with no tab or other control character"),
        ({"brands": BRANDS, "sources": [{"name": "x", "path": "a.jsonl"}]},
         "config key 'sources[0].kind': required key is missing; use reddit, feed or file"),
        ({"brands": BRANDS, "sources": [{"name": "x", "kind": "twitter"}]}, "config key 'sources[0].kind': unknown kind 'twitter'"),
        ({"brands": BRANDS, "sources": [{"name": "my export", "kind": "file", "path": "a.jsonl"}]},
         "config key 'sources[0].name': use only letters, digits"),
        ({"brands": ["Acme"]}, "config key 'brands[0]': must be a mapping of keys (key: value), not text"),
        ({"brands": [{"name": 1800, "query": "tequila"}]}, "config key 'brands[0].name': must be text, not a number"),
        ({"brands": BRANDS, "digest": {"stages": {"stimulus": 5}}},
         "config key 'digest.stages': the stage for 'stimulus' must be a non-empty name"),
        ({"brands": BRANDS, "digest": {"stages": {"stimulus": ""}}},
         "config key 'digest.stages': the stage for 'stimulus' must be a non-empty name"),
        ({"brands": BRANDS, "digest": {"stages": {}}}, "config key 'digest.stages': the mapping is empty"),
        ({"brands": BRANDS, "digest": {"subject": "Digest {brnd}"}},
         "config key 'digest.subject': unknown placeholder {brnd}; use {brand} and {week}"),
        ({"brands": BRANDS, "digest": {"subject": "Digest {0}"}}, "config key 'digest.subject': unknown placeholder {0}"),
        ({"brands": BRANDS, "digest": {"subject": "{week.year}"}},
         "config key 'digest.subject': unknown placeholder {week.year}"),
        ({"brands": BRANDS, "digest": {"subject": "Digest {brand"}},
         "config key 'digest.subject': expected '}' before end of string; use {brand} and {week}"),
        ({"brands": BRANDS, "digest": {"stages": {"none": "other", "stimulus": "see"}}},
         "config key 'digest.stages': 'none' is not on the journey"),
        ({"brands": BRANDS, "digest": {"stages": ["engage", "share"]}},
         "config key 'digest.stages': must be a model name (acquisition, five, seven) or a mapping"),
    ],
)
def test_mistakes_name_the_key(data: dict, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(data)
    assert expected in str(caught.value)
    assert "S3cret" not in str(caught.value)
    assert "\n" not in str(caught.value)
    assert "dict[" not in str(caught.value) and "stages.str" not in str(caught.value)  # no union member names
    assert "Input should" not in str(caught.value) and "should have" not in str(caught.value)  # not pydantic's words


@pytest.mark.parametrize(("given", "minutes"), [("15m", 15), ("90m", 90), ("1h", 60), ("1d", 1440), ("1w", 10080),
                                                (0, 0), ("0", 0), ("0m", 0)])
def test_durations_take_a_unit(given: object, minutes: int) -> None:
    config = parse_config({"brands": BRANDS, "alerts": {"cooldown": given}})
    assert config.alerts.cooldown.total_seconds() == minutes * 60


def test_a_bad_source_is_set_aside_when_not_strict() -> None:
    data = {"brands": BRANDS, "sources": [
        {"name": "good", "kind": "file", "path": "a.jsonl"},
        {"name": "bad", "kind": "feed", "urll": "http://x"},
    ]}
    config = parse_config(data, strict=False)
    assert [s.name for s in config.sources] == ["good"]
    assert [name for name, _ in config.source_errors] == ["bad"]
    assert "sources[1].urll" in config.source_errors[0][1]


def test_a_bad_source_still_takes_its_name() -> None:
    """Two entries named alike are a mistake even when one of them is bad: the run must not list 'x' twice."""
    data = {"brands": BRANDS, "sources": [
        {"name": "x", "kind": "feed", "url": "ftp://x"},
        {"name": "x", "kind": "file", "path": "a.jsonl"},
        {"kind": "file"},  # no name: set aside under its position, taking no name
    ]}
    with pytest.raises(ConfigError, match="config key 'sources': each name must be unique; repeated: x"):
        parse_config(data, strict=False)


def test_missing_file_and_broken_yaml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found; `journeywatch init`"):
        load_config(tmp_path / "nope.yaml")
    with pytest.raises(ConfigError, match="is a directory, not a file; give the YAML config file") as raised:
        load_config(tmp_path)
    assert "not found" not in str(raised.value)
    with pytest.raises(ConfigError, match="not valid YAML at line 3, column 1: expected ',' or ']'"):
        load_config(_write(tmp_path, "brands:\n  - name: [unclosed\n"))
    with pytest.raises(ConfigError, match="must be a YAML mapping"):
        load_config(_write(tmp_path, "- just\n- a list\n"))
    with pytest.raises(ConfigError, match=r"config file '.*journeywatch.yaml' is empty; it needs at least 'brands'"):
        load_config(_write(tmp_path, "# brands to come\n"))


def test_a_database_variable_that_is_no_url_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNEYWATCH_DATABASE_URL", "journeywatch.db")
    with pytest.raises(ConfigError, match="environment variable JOURNEYWATCH_DATABASE_URL is not a database URL"):
        load_config(_write(tmp_path, "brands: [{name: Acme, query: acme}]\n"))
    monkeypatch.setenv("JOURNEYWATCH_DATABASE_URL", "sqlite://")
    with pytest.raises(ConfigError, match="environment variable JOURNEYWATCH_DATABASE_URL: 'sqlite://' names no file"):
        parse_config({"brands": BRANDS})


def test_env_overrides_database_and_paths_anchor_at_the_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNEYWATCH_DATABASE_URL", "postgresql://jw@db/jw")
    path = _write(tmp_path, """
database: sqlite:///ignored.db
brands: [{name: Acme, query: acme}]
sources:
  - {name: export, kind: file, path: exports/a.jsonl}
  - {name: feed, kind: feed, url: "file://feeds/a.xml"}
""")
    monkeypatch.chdir("/")
    config = load_config(path)
    assert config.database == "postgresql://jw@db/jw"
    file_source = config.sources[0]
    assert isinstance(file_source, FileSource)
    assert file_source.path == tmp_path / "exports" / "a.jsonl"
    assert config.sources[1].url == (tmp_path / "feeds" / "a.xml").as_uri()


def test_a_relative_sqlite_path_starts_at_the_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JOURNEYWATCH_DATABASE_URL", raising=False)
    path = _write(tmp_path, "database: sqlite:///data/jw.db\nbrands: [{name: Acme, query: acme}]\n")
    monkeypatch.chdir("/")
    assert load_config(path).database == f"sqlite:///{tmp_path / 'data' / 'jw.db'}"
    absolute = _write(tmp_path, "database: sqlite:////var/jw.db\nbrands: [{name: Acme, query: acme}]\n")
    assert load_config(absolute).database == "sqlite:////var/jw.db"


def test_every_spelling_of_a_relative_sqlite_url_starts_at_the_config_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`sqlite+pysqlite:///rel.db` opened rel.db wherever the command ran (cron: $HOME); only `sqlite:///` was anchored."""
    monkeypatch.delenv("JOURNEYWATCH_DATABASE_URL", raising=False)
    monkeypatch.chdir("/")
    for written, anchored in (
        ("sqlite+pysqlite:///data/jw.db", f"sqlite+pysqlite:///{tmp_path / 'data' / 'jw.db'}"),
        ("sqlite:///data/jw.db?timeout=60", f"sqlite:///{tmp_path / 'data' / 'jw.db'}?timeout=60"),
        ("sqlite+pysqlite:////var/jw.db", "sqlite+pysqlite:////var/jw.db"),
        ("sqlite:///file:jw.db?mode=ro&uri=true", "sqlite:///file:jw.db?mode=ro&uri=true"),
    ):
        path = _write(tmp_path, yaml.safe_dump({"database": written, "brands": BRANDS}))
        assert load_config(path).database == anchored, written


def test_a_tilde_is_the_home_directory_in_every_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`~/exports/x.csv` was a folder named '~' beside the config (and a sqlite:///~/ database was made in one)."""
    home, configs = tmp_path / "home", tmp_path / "configs"
    (home / "exports").mkdir(parents=True)
    (home / "exports" / "m.jsonl").write_text(json.dumps({"id": 1, "text": "acme", "created_at": 1793000000}) + "\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("JOURNEYWATCH_DATABASE_URL", raising=False)
    configs.mkdir()
    config = load_config(_write(configs, yaml.safe_dump({
        "database": "sqlite:///~/jw.db", "brands": BRANDS,
        "sources": [{"name": "export", "kind": "file", "path": "~/exports/m.jsonl"},
                    {"name": "feed", "kind": "feed", "url": "file://~/feeds/a.rss"}],
        "alerts": {"notify": ["file://~/alerts.log"]},
    })))
    assert config.database == f"sqlite:///{home}/jw.db"
    assert [getattr(s, "path", None) or s.url for s in config.sources] == [home / "exports" / "m.jsonl",
                                                                           (home / "feeds" / "a.rss").as_uri()]
    assert config.alerts.notify == [f"file://{home}/alerts.log"]
    try:
        outcome = collect_source(open_database(config.database), build_listener(config.sources[0]), lambda ms: ms)
    finally:
        forget_engines()
    assert outcome.new == 1 and (home / "jw.db").is_file() and not (configs / "~").exists()


def test_file_targets_and_model_dir_start_at_the_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from journeywatch.alerts.notify import deliver

    folder = tmp_path / "my brand"  # a space, so the URL must be quoted
    folder.mkdir()
    path = folder / "journeywatch.yaml"
    path.write_text("brands: [{name: Acme, query: acme}]\n"
                    "classifier: {model_dir: models/mine}\n"
                    f"alerts: {{notify: ['file://out/alerts.log', 'file://{tmp_path}/abs/alerts.log']}}\n"
                    "digest: {notify: ['file://out/digest.log']}\n", encoding="utf-8")
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # cron runs from $HOME
    config = load_config(path)
    assert config.classifier.model_dir == folder / "models" / "mine"
    for target, written in ((config.alerts.notify[0], folder / "out" / "alerts.log"),
                            (config.alerts.notify[1], tmp_path / "abs" / "alerts.log"),
                            (config.digest.notify[0], folder / "out" / "digest.log")):
        [result] = deliver([target], "title", "body")
        assert result.ok
        assert result.target == f"file://{written}"  # shown as the path it is
        assert "body" in written.read_text(encoding="utf-8")
    assert not (elsewhere / "out").exists() and not (elsewhere / "tmp").exists()


def test_a_key_written_twice_is_named_not_silently_dropped(tmp_path: Path) -> None:
    # YAML's loader kept the second `alerts:` block only: the first one's notify targets were gone.
    text = "brands:\n  - {name: Acme, query: acme}\nalerts:\n  notify: ['file://a.log']\nalerts:\n  cooldown: 2h\n"
    with pytest.raises(ConfigError) as caught:
        load_config(_write(tmp_path, text))
    assert str(caught.value).endswith("is not valid YAML at line 5, column 1: key 'alerts' appears twice in one "
                                      "mapping (first at line 3); the second would silently replace the first, "
                                      "so merge them")
    merged = ("brands: [{name: Acme, query: acme}]\ndigest: &d {timezone: UTC}\n"
              "alerts: {<<: {window: 2h}, window: 3h}\n")  # a merge key overridden is no duplicate
    assert load_config(_write(tmp_path, merged)).alerts.window.total_seconds() == 3 * 3600


def test_the_example_config_names_every_key_with_its_default(tmp_path: Path) -> None:
    # The unknown-key error says "`journeywatch init` writes every key", but the example left out
    # nine alert keys (min_history, settle, ...), five digest keys and the sources' tuning keys.
    from importlib import resources

    from journeywatch.settings import AlertSettings, ClassifierSettings, Config, DigestSettings
    from journeywatch.settings.sources import FeedSource, FileSource, RedditSource

    text = resources.files("journeywatch").joinpath("example.yaml").read_text(encoding="utf-8")
    for model in (Config, AlertSettings, DigestSettings, ClassifierSettings, FileSource, FeedSource, RedditSource):
        missing = [name for name in model.model_fields if f"{name}:" not in text]
        assert not missing, f"example.yaml does not name {model.__name__}'s {missing}"
    config = load_config(_write(tmp_path, text))
    assert config.alerts == AlertSettings() and config.digest == DigestSettings()


def test_a_tab_indent_and_a_file_not_in_utf8_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"at line 3, column 1: found character '\\t' that cannot start any token "
                                          r"\(YAML indents with spaces, never tabs\)"):
        load_config(_write(tmp_path, "brands: [{name: Acme, query: acme}]\nalerts:\n\twindow: 1h\n"))
    path = tmp_path / "latin.yaml"
    path.write_bytes("brands: [{name: Café, query: cafe}]\n".encode("utf-16"))
    with pytest.raises(ConfigError, match=r"config file '.*latin.yaml' is not UTF-8 text; save it as UTF-8$"):
        load_config(path)


def test_top_level_x_keys_hold_yaml_anchors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A block of shared source settings had no place: every top-level key but the config's own was refused."""
    monkeypatch.delenv("JOURNEYWATCH_DATABASE_URL", raising=False)
    path = _write(tmp_path, """
x-file: &file {kind: file, format: jsonl, source_kind: social}
brands: [{name: Acme, query: acme}]
sources:
  - {<<: *file, name: one, path: one.jsonl}
  - {<<: *file, name: two, path: two.jsonl, format: csv}
""")
    config = load_config(path)
    assert [(s.name, s.kind, s.format, s.source_kind) for s in config.sources] == [  # type: ignore[union-attr]
        ("one", "file", "jsonl", "social"), ("two", "file", "csv", "social")]
    with pytest.raises(ConfigError, match="config key 'defaults': unknown key .*under a key starting 'x-'"):
        load_config(_write(tmp_path, "defaults: &d {kind: file}\nbrands: [{name: Acme, query: acme}]\n"))


def test_variables_in_the_database_url_come_from_the_environment(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """`${PGPASSWORD}` in `database` was sent to the server as the password itself (notify URLs expanded theirs)."""
    monkeypatch.delenv("JOURNEYWATCH_DATABASE_URL", raising=False)
    monkeypatch.setenv("JW_TEST_DB_PASSWORD", "s3cr@t/pw:1")
    monkeypatch.setenv("JW_TEST_DB_HOST", "db.example.org:6543")
    path = _write(tmp_path, "database: postgresql://jw:${JW_TEST_DB_PASSWORD}@${JW_TEST_DB_HOST}/jw\n"
                            "brands: [{name: Acme, query: acme}]\n")
    url = make_url(load_config(path).database)
    assert (url.password, url.host, url.port, url.database) == ("s3cr@t/pw:1", "db.example.org", 6543, "jw")
    monkeypatch.delenv("JW_TEST_DB_PASSWORD")
    with pytest.raises(ConfigError, match="^config key 'database': environment variable JW_TEST_DB_PASSWORD is not"):
        load_config(path)
    monkeypatch.setenv("JOURNEYWATCH_DATABASE_URL", "postgresql://jw@other/jw")  # overridden: not needed
    assert load_config(path).database == "postgresql://jw@other/jw"


def test_a_notify_password_from_the_environment_is_checked_as_delivery_sends_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The config check put `${SMTP_PASSWORD}` into the URL raw: 'p@ss#1/x' broke it and the config was refused,
    though delivery encodes it and sends fine."""
    monkeypatch.setenv("JW_TEST_SMTP_PASSWORD", "p@ss#1/x")
    path = _write(tmp_path, "brands: [{name: Acme, query: acme}]\n"
                            "alerts: {notify: ['mailto://jw:${JW_TEST_SMTP_PASSWORD}@example.org']}\n")
    assert load_config(path).alerts.notify == ["mailto://jw:${JW_TEST_SMTP_PASSWORD}@example.org"]
