"""What every custody command shares: the command groups, opening the ledger, recording
one event as the acting user, reading, and printing a table, so each area's commands
(custody_people.py, custody_cases.py, custody_items.py and the other cli modules) read alike."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import Connection

from ..access.policy import Caller
from ..accounts.service import Accounts
from ..custody.service import Custody, Session
from ..domain.errors import NotAllowedError, NotFoundError
from ..ledger.entry import Entry
from ..ledger_home import OpenLedger, open_home
from ..store import access_queries
from ..store.home import find_home
from .output import Options, emit, friendly_errors, options

GROUPS = {
    "user": typer.Typer(help="People who use Brady, with their roles.", no_args_is_help=True),
    "person": typer.Typer(help="People involved in cases.", no_args_is_help=True),
    "location": typer.Typer(help="Facilities, rooms, shelves and lockers.", no_args_is_help=True),
    "case": typer.Typer(help="Cases, their numbers, parties and charges.", no_args_is_help=True),
    "item": typer.Typer(help="Evidence items and every step they take.", no_args_is_help=True),
    "lab": typer.Typer(help="Lab requests and results.", no_args_is_help=True),
    "agency": typer.Typer(help="Agencies whose evidence this ledger keeps.", no_args_is_help=True),
}
user_app, person_app, location_app, case_app, item_app, lab_app, agency_app = GROUPS.values()

When = Annotated[
    str | None,
    typer.Option("--occurred-at", help="When it happened, if not now (e.g. 2024-03-06T14:30)."),
]


def operator_only(opts: Options) -> None:
    """Refuse, under `--as`, a command that reads the whole record as the operator sees it,
    rather than show a user more than their own view."""
    if opts.acting is not None:
        with friendly_errors():
            raise NotAllowedError(
                "this command shows the whole record, as the operator sees it; run it without "
                f"--as, or see {opts.acting}'s view through the web pages or the API"
            )


@contextmanager
def _open(opts: Options, writable: bool, as_user: bool = False) -> Iterator[OpenLedger]:
    """The ledger, for a command. A read under `--as` must be one shaped to that user's
    view (`as_user`); the others are the operator's."""
    if not writable and not as_user:
        operator_only(opts)
    with friendly_errors():
        led = open_home(find_home(opts.home), writable=writable)
        try:
            yield led
        finally:
            led.close()


def _record(
    ctx: typer.Context, what: Callable[[Session, str], Entry], say: Callable[[Entry], str]
) -> None:
    """Run one command as the acting user, in one transaction, and say what was recorded."""
    _record_all(ctx, lambda s, by: [what(s, by)], lambda entries: say(entries[0]))


def _record_all(
    ctx: typer.Context,
    what: Callable[[Session, str], list[Entry]],
    say: Callable[[list[Entry]], str],
) -> None:
    """The same for a command that records several entries (the first says what it is)."""
    opts = options(ctx)
    with (
        _open(opts, writable=True) as led,
        friendly_errors(),
        Custody(led).session(acting_caller(led, opts)) as s,
    ):
        entries = what(s, opts.user)
    if len(entries) == 1:
        (entry,) = entries
        data: object = {"seq": entry.seq, "kind": entry.kind, "payload": entry.payload}
        where = f"ledger entry {entry.seq}"
    else:
        data = [{"seq": e.seq, "kind": e.kind, "payload": e.payload} for e in entries]
        where = f"ledger entries {entries[0].seq}-{entries[-1].seq}" if entries else "nothing"
    emit(opts, data, f"Recorded: {say(entries)} ({where}).")


def acting_caller(led: OpenLedger, opts: Options) -> Caller | None:
    """The `--as` user as the access rules see them (roles, agency, cases); None for the
    operator's own commands."""
    if opts.acting is None:
        return None
    with led.engine.connect() as conn:
        found = access_queries.caller(conn, opts.acting, "write")
    if found is None:
        raise NotFoundError(f"{opts.acting!r} is not a Brady user", "--as")
    return found


def _read(ctx: typer.Context, what: Callable[[Any], Any]) -> Any:
    """A read of the whole record: the operator's. Under `--as` it is refused, rather than
    showing a user more than their own view (the commands that shape what they show to
    the user are read through `_read_as`)."""
    opts = options(ctx)
    with _open(opts, writable=False) as led, led.engine.connect() as conn:
        return what(conn)


def _read_as(
    ctx: typer.Context, target: str, what: Callable[[Connection, Caller | None], Any]
) -> Any:
    """A read shaped to the `--as` user's view (the operator's without it); a look at
    evidence as a user is written to the access log, as it is over HTTP."""
    opts = options(ctx)
    with _open(opts, writable=False, as_user=True) as led, friendly_errors():
        caller = acting_caller(led, opts)
        with led.engine.connect() as conn:
            seen = what(conn, caller)
        if caller is not None:
            Accounts(led.engine, led.master_key).log(
                "view", caller.user_id, target=target, outcome="ok", source="cli"
            )
        return seen


def _table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    table = Table(title=title, title_justify="left")
    for c in columns:
        table.add_column(c)
    for r in rows:
        table.add_row(*("" if v is None else str(v) for v in r))
    Console().print(table)
