"""The `journeywatch` command. Domain errors become one red line and exit code 1."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from typing import NoReturn

# Quiet, offline defaults; set before Prefect or transformers are imported anywhere.
for _key, _value in {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TOKENIZERS_PARALLELISM": "false",
}.items():
    os.environ.setdefault(_key, _value)

from rich.console import Console  # noqa: E402
from rich.markup import escape  # noqa: E402

from sqlalchemy.exc import InterfaceError, OperationalError  # noqa: E402

from ..errors import JourneywatchError  # noqa: E402
from ..storage.database import database_problem  # noqa: E402
from . import alerts, core, digest, model  # noqa: E402,F401  (each registers its commands)
from .app import KEPT_AND_CARRIED_ON, app, plain_help_when_narrow, reflow_help, state  # noqa: E402
from .output import stdout_is_utf8  # noqa: E402

reflow_help(app)  # every command has registered itself (the imports above)
# A connection lost mid-batch also drew psycopg's own warning ('error ignored terminating <psycopg.Pipeline [BAD]>:
# the connection is lost') above the one line that says so, in some runs and not others.
logging.getLogger("psycopg").setLevel(logging.ERROR)

__all__ = ["app", "main"]


def _error(message: str) -> None:
    console = Console(stderr=True, emoji=False)  # a brand named ":fire:" is text, not an emoji
    console.print(f"[bold red]Error:[/] {escape(message)}", markup=True, highlight=False, soft_wrap=True)


def _show_what_stdout_cannot_encode_escaped() -> None:
    """On a stdout that is not UTF-8, a character it cannot encode written as `\\u2013`, as stderr writes it.

    Left strict, the window's en dash in `alerts list`, an emoji in a brand or an item's
    text, or a path given as `init café✈.yaml` ended the command in a UnicodeEncodeError
    traceback, after its work was done.
    """
    if not stdout_is_utf8() and hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="backslashreplace")


SIGPIPE_STATUS = 128 + 13  # what a shell shows for a writer whose reader closed the pipe (`yes | head -1`)


def _reader_went_away() -> NoReturn:
    """Stop quietly with status 141 when what reads our output stopped reading (`... | head -1`).

    Click turns the BrokenPipeError into a silent exit 1, which a script reads as a failed
    command; `cat big.jsonl | head -1` and other Unix tools end with 141 (SIGPIPE) instead,
    and no error line. Output still buffered would fail again as Python exits ("Exception
    ignored ... BrokenPipeError"): both streams are pointed at /dev/null first.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            os.dup2(devnull, stream.fileno())
    os.close(devnull)
    sys.exit(SIGPIPE_STATUS)


ROOT_OPTIONS = ("--debug", "--version")  # the main command's: after a command's name they are unknown


def _where_the_option_goes(exc: Exception, ctx: object) -> str:
    """For `journeywatch run ... --debug`: that --debug belongs before the command; else ''.

    The error said only "No such option: --debug (see `journeywatch run --help`)",
    and that help does not list it: it is the main command's option.
    """
    option = getattr(exc, "option_name", None)
    path = getattr(ctx, "command_path", "journeywatch")
    if option not in ROOT_OPTIONS or path == "journeywatch":
        return ""
    if option == "--version":
        return " (journeywatch --version prints the version)"
    return f" (--debug goes before the command: journeywatch --debug {path.removeprefix('journeywatch ')} ...)"


def main() -> None:
    plain_help_when_narrow()
    _show_what_stdout_cannot_encode_escaped()
    try:
        code = app(standalone_mode=False, prog_name="journeywatch")  # usage errors come here: one line
    except JourneywatchError as exc:
        if state["debug"]:
            raise
        _error(str(exc))
        sys.exit(1)
    # The database went away (or refused) part-way through a command. Not every DBAPIError: an integrity or
    # programming error is a bug, whose traceback should not be worded as the database's doing.
    except (OperationalError, InterfaceError) as exc:
        if state["debug"]:
            raise
        # Not SQLAlchemy's SQL and parameters: they held the stored items' texts, printed to stderr.
        kept = "; what was stored so far is kept" if state["interrupted"] == KEPT_AND_CARRIED_ON else ""
        _error(f"the database stopped the command part-way: {database_problem(exc)}{kept}")
        sys.exit(1)
    except OSError as exc:  # a file or folder we were told to read or write: the user can act on it
        if state["debug"] or exc.filename is None:
            raise
        if isinstance(exc, (FileExistsError, NotADirectoryError)):
            _error(f"{exc.filename}: a file is in the way where a folder is needed; give another path")
        else:
            _error(f"{exc.filename}: {exc.strerror or exc} (check the path and its permissions)")
        sys.exit(1)
    except Exception as exc:
        if state["debug"] or not hasattr(exc, "format_message") or not hasattr(exc, "exit_code"):
            raise  # not a usage error (a missing or bad option, an unknown command)
        if type(exc).__name__ != "NoArgsIsHelpError":  # that one has printed the help already
            ctx = getattr(exc, "ctx", None)
            _error(exc.format_message() + (_where_the_option_goes(exc, ctx) or
                                           (f" (see `{ctx.command_path} --help`)" if ctx else "")))
        sys.exit(exc.exit_code)
    except SystemExit as exc:
        if isinstance(exc.__context__, BrokenPipeError):
            _reader_went_away()
        raise
    except BaseException as exc:
        if type(exc).__name__ == "Abort":  # EOF at a prompt
            sys.exit(1)
        raise
    if code == 130:  # typer turns Ctrl-C into exit status 130, silently when not standalone
        _error(state["interrupted"])
    try:  # what is still buffered (a `--json` print) fails here, not in Python's own exit, when the reader left
        sys.stdout.flush()
    except BrokenPipeError:
        _reader_went_away()
    sys.exit(code if isinstance(code, int) else 0)
