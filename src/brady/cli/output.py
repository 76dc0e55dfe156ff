"""How the command line speaks: data as JSON on request, plain sentences otherwise,
and every failure as one line on stderr with a non-zero exit."""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import psycopg
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, ProgressColumn
from sqlalchemy.exc import SQLAlchemyError

from ..domain.errors import BradyError, RefusedError, answer_for
from ..ledger.errors import LedgerError


@dataclass
class Options:
    home: Path | None
    json: bool
    user: str = "admin"
    acting: str | None = None
    """The user named with `--as` (or BRADY_USER): their commands are held to the same access
    rules as their requests over HTTP. Without it, the operator on the server runs the
    command and signs it as admin (see the README: what an operator can and cannot do)."""


def options(ctx: typer.Context) -> Options:
    opts = ctx.find_root().obj
    assert isinstance(opts, Options)
    return opts


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(code)


@contextmanager
def friendly_errors() -> Iterator[None]:
    """Turn the errors a user can cause into one clear line, with the exit code of its kind
    (the table in domain/errors.py: 1 refused by the record, 2 invalid, 3 not found,
    4 not allowed, 5 the record needs an administrator)."""
    try:
        yield
    except (BradyError, LedgerError) as exc:
        said = answer_for(exc)
        assert said is not None
        if isinstance(exc, RefusedError):
            fail(f"refused, nothing was recorded: {exc}", said.exit_code)
        fail(str(exc), said.exit_code)
    except ValueError as exc:
        fail(str(exc))
    except (sqlite3.Error, psycopg.Error) as exc:
        fail(f"the database refused the request: {str(exc).strip().splitlines()[0]}")
    except SQLAlchemyError as exc:
        orig = getattr(exc, "orig", None)
        first = str(orig or exc).strip().splitlines()[0]
        fail(f"the database refused the request: {first}")


def emit(opts: Options, data: Any, human: Callable[[], str] | str) -> None:
    if opts.json:
        typer.echo(json.dumps(data, indent=2, sort_keys=True))
    else:
        typer.echo(human() if callable(human) else human)


def write_raw(data: bytes) -> None:
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def progress_bar(quiet: bool, *columns: ProgressColumn) -> Progress:
    """A progress bar on stderr that disappears when done; off for JSON and for pipes."""
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        *columns,
        console=Console(stderr=True),
        transient=True,
        disable=quiet or not sys.stderr.isatty(),
    )
