"""The root exceptions, split the way users act on them.

`ConfigError`: you asked for something wrong; the message names the key.
`SourceError`: the outside world failed; retrying later may help.
"""

from __future__ import annotations


class JourneywatchError(Exception):
    """Base of every error journeywatch raises on purpose."""


class ConfigError(JourneywatchError):
    """A config file, key or value is wrong; the message names where."""


class SourceError(JourneywatchError):
    """A source could not be read (network, HTTP status, unparsable body)."""

    def __init__(self, source: str, reason: str, *, retryable: bool = True) -> None:
        super().__init__(f"source {source!r}: {reason}")
        self.source = source
        self.reason = reason
        self.retryable = retryable


class ModelError(JourneywatchError):
    """The classifier's files are missing or do not match the code."""
