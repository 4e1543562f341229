"""Config: one YAML file, validated by pydantic, one model per area."""

from .alerts import AlertSettings, parse_duration
from .classifier import ClassifierSettings
from .config import DATABASE_ENV, Brand, Config, compiled_queries, load_config, parse_config
from .digest import DigestSettings
from .sources import FeedSource, FileSource, RedditSource, SourceSettings

__all__ = [
    "DATABASE_ENV",
    "AlertSettings",
    "Brand",
    "ClassifierSettings",
    "Config",
    "DigestSettings",
    "FeedSource",
    "FileSource",
    "RedditSource",
    "SourceSettings",
    "compiled_queries",
    "load_config",
    "parse_config",
    "parse_duration",
]
