"""The server: the API and the pages assembled into one FastAPI application, which
`brady serve` runs under uvicorn.

Routes are thin: they authenticate, authorize on the case, item or file their
path names, call the same services as the CLI and shape the answer. The access
log's head is fixed on the ledger every few minutes while the server runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio.to_thread
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from . import ledger_witnesses
from .accounts.anchors import anchor_as_system
from .accounts.service import Accounts, Credential
from .api import (
    problems,
    routes_access,
    routes_accounts,
    routes_disclosure,
    routes_files,
    routes_ledger,
    routes_records,
    routes_work,
)
from .api.deps import Brady
from .api.headers import SecurityHeaders
from .api.limits import RequestLimits
from .api.strict_input import StrictInput, declare
from .custody.service import Custody
from .ledger_home import OpenLedger, open_blobs, open_home
from .linking.foresight import TALLY
from .web import errors as web_errors
from .web import pages as web_pages
from .web.render import STATIC

ANCHOR_EVERY = 300.0  # seconds
WITNESS_EVERY = 10.0
"""Seconds between offers of the newest checkpoint to the witnesses in brady.toml (only
when a witness has not cosigned it): a witness that is down is tried again this often."""
THREADS = 8
"""Route bodies running at once in one server process (anyio's default is 40). Writes to
the ledger take turns anyway, and every thread waiting for the interpreter lock delays
the one holding the ledger's write lock: measured at 200 req/s with two processes,
8 threads gave p99 10-90 ms where 40 gave 120-170 ms. Downloads stream and take a thread
only for each chunk."""
THREADS_POSTGRES = 24
"""The same on PostgreSQL, where the server processes take turns at the ledger's lock and
each process's writer records the commands queued meanwhile as one group: with 8 threads
a group held about 4 commands, and the lock's fixed costs (its round trips, the checkpoint,
the commit) were paid for every 4. Measured with two processes at 150 req/s offered
(2026-12-07): 8 threads answered 102 req/s, 16 113, 24 125, 32 105, 48 95."""
log = logging.getLogger(__name__)
HOME_VARIABLE = "BRADY_SERVE_HOME"
"""Where `brady serve --workers N` tells each worker process which ledger to open."""


def from_environment() -> FastAPI:
    """The app of one worker process of `brady serve --workers N`."""
    return create_app(open_home(Path(os.environ[HOME_VARIABLE]), writable=True))


def create_app(
    led: OpenLedger,
    *,
    anchor_every: float | None = ANCHOR_EVERY,
    witness_every: float | None = WITNESS_EVERY,
) -> FastAPI:
    open_blobs(led.config)  # an evidence store Brady may not use stops the server now, not
    # at the first upload (e.g. a bucket without object lock: the message says what to do)
    custody = Custody(led, grouped=True)
    state = Brady(
        led, custody, Accounts(led.engine, led.master_key), led.config.path / "productions"
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        postgres = custody.led.engine.dialect.name == "postgresql"
        threads = THREADS_POSTGRES if postgres else THREADS
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        tasks = []
        if anchor_every:
            tasks.append(asyncio.create_task(_anchor_loop(custody, anchor_every)))
        if witness_every and ledger_witnesses.active(led):
            tasks.append(asyncio.create_task(_witness_loop(led, witness_every)))
        yield
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await asyncio.to_thread(anchor_as_system, custody)
        _log_reading_ahead()

    app = FastAPI(
        title="Brady",
        version="1",
        summary="The record of evidence: custody, links, disclosure, on a verifiable ledger.",
        lifespan=lifespan,
        # The interactive docs pages load their scripts from a CDN; Brady serves nothing
        # fetched from elsewhere. The schema itself is at /openapi.json.
        docs_url=None,
        redoc_url=None,
    )
    app.state.brady = state
    problems.install(app, pages=web_errors.respond)
    for module in (
        routes_accounts,
        routes_records,
        routes_work,
        routes_files,
        routes_disclosure,
        routes_ledger,
        routes_access,
    ):
        app.include_router(module.router)
    app.include_router(web_pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    _guard(app, state)
    return app


def _log_reading_ahead() -> None:
    """How often this process's reading ahead of the lock held (`linking.foresight`), in
    the server's own log beside uvicorn's (`brady serve --log-level info`)."""
    if TALLY.held or TALLY.partly or TALLY.read_again:
        logging.getLogger("uvicorn.error").info(
            "Link suggestions read ahead of the ledger's lock: %d held, %d partly read again "
            "(an intake in between shared something), %d read again under it",
            TALLY.held,
            TALLY.partly,
            TALLY.read_again,
        )


def _guard(app: FastAPI, state: Brady) -> None:
    """What every request passes before a route: headers, size and time limits for those
    not signed in, text no record can hold; and the schema that states those rules."""

    def authenticate(token: str | None, cookie: str | None) -> Credential | None:
        if token is not None:
            return state.accounts.token(token)
        return None if cookie is None else state.accounts.session(cookie)

    plain_schema = app.openapi

    def schema() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = declare(plain_schema())
        return app.openapi_schema

    app.openapi = schema  # type: ignore[method-assign]
    app.add_middleware(StrictInput)  # inside the limits: reads only what they let through
    app.add_middleware(RequestLimits, authenticate=authenticate)
    app.add_middleware(SecurityHeaders)  # outermost: refusals carry the headers too


async def _anchor_loop(custody: Custody, every: float) -> None:
    while True:
        await asyncio.sleep(every)
        await asyncio.to_thread(anchor_as_system, custody)


async def _witness_loop(led: OpenLedger, every: float) -> None:
    """Offer the newest checkpoint to each witness that has not cosigned it, outside every
    write transaction: recording never waits for a witness, and one that is down is
    simply offered the newest checkpoint again on the next round (logged once, not
    every round; `brady ledger witnesses status` says what is missing)."""
    said: dict[str, str] = {}
    while True:
        try:
            for offered in await asyncio.to_thread(ledger_witnesses.offer, led):
                if said.get(offered.witness) != offered.outcome and not offered.ok:
                    log.warning("witness: %s", offered.sentence())
                said[offered.witness] = offered.outcome
        except Exception:  # the next round tries again; the server keeps serving
            log.exception("witness: offering the newest checkpoint failed")
        await asyncio.sleep(every)
