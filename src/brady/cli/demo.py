"""`brady demo`: a property room with the Rust case in it, as it stood before the trial:
the evidence filed under State v. Baldwin produced to the defense and received, Teske's
rounds filed under another case number, the link Brady suggested waiting for review, and
the certificate of compliance refused until it is decided. Everything verified."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from ..accounts.permissions import Permissions
from ..accounts.service import Accounts
from ..custody.service import Custody
from ..disclosure import compliance
from ..disclosure.desk import Desk
from ..importing.importer import load_file, run_import
from ..ledger_home import init_home, open_home
from ..store.audit import audit
from ..store.home import CONFIG_NAME
from .admin import bootstrap_admin
from .output import emit, friendly_errors, options


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


DEMO_PASSWORD = "rust-demo-2024"
"""Every demo account's password: this ledger is for trying Brady, never for evidence."""

DEMO_ACCOUNTS = {
    # user: what they do, in the Rust case as the demo has it
    "poppell": "property clerk (SFCSO evidence room)",
    "hancock": "officer / detective (SFCSO)",
    "sgt": "supervisor (SFCSO)",
    "fbi-analyst": "lab analyst",
    "morrissey": "prosecutor, State v. Baldwin",
    "spiro": "defense counsel, State v. Baldwin",
    "judge": "judge, State v. Baldwin",
    "auditor": "auditor (reads everything, changes nothing)",
    "admin": "administrator (accounts, roles, assignments)",
}


def demo(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(file_okay=False)] = Path("brady-demo"),
    serve: Annotated[
        bool, typer.Option(help="Then run the server on it, with an account for each role.")
    ] = False,
    port: Annotated[int, typer.Option(help="Port for --serve.")] = 8000,
) -> None:
    """Create (or reuse) a demo ledger, record a few custody events and verify it all."""
    opts = options(ctx)
    with friendly_errors():
        fresh = not (directory / CONFIG_NAME).exists()
        # The Rust case is in New Mexico: its days and times are Mountain time.
        led = (
            init_home(directory, time_zone=DEMO_ZONE)
            if fresh
            else open_home(directory, writable=True)
        )
        custody = Custody(led)
        item_id = _record_a_few(custody, fresh)
        rust = _load_rust(custody) if fresh else None
        if rust is not None:
            demo_accounts(custody)
        report = audit(led.store, led.config.database_url, led.config.log_vkey, workers=1)
        cp = led.store.checkpoint()
        led.close()
    emit(
        opts,
        {
            "home": str(directory.resolve()),
            "entries": report.size,
            "verified": report.ok,
            "item": item_id,
            "rust": rust,
        },
        f"Demo ledger in {directory.resolve()}: {report.size} entries, "
        f"{'verified' if report.ok else 'NOT VERIFIED'}.\n"
        f"Latest checkpoint:\n{cp.note}"
        + (f"{rust}\n" if rust else "")
        + f"Try: brady --home {directory} item show {item_id}\n"
        f"     brady --home {directory} item history {item_id}\n"
        f"     brady --home {directory} compliance state-v-baldwin --today 2024-07-12\n"
        f"     brady --home {directory} links queue --case state-v-baldwin\n"
        f"     brady --home {directory} links related --case state-v-baldwin\n"
        f"     brady --home {directory} case timeline state-v-baldwin --today 2024-07-12 "
        "--out baldwin.svg\n"
        f"     brady --home {directory} verify",
    )
    if not report.ok:
        raise typer.Exit(1)
    if serve:
        _serve(directory, port)


def _record_a_few(custody: Custody, fresh: bool) -> str:
    """The demo's own custody events (on a fresh ledger, the people, shelves and case they
    need first): an item taken in and handed to the lab. Returns the item's id."""
    if fresh:
        bootstrap_admin(custody)
        with custody.session() as s:
            s.add_user("admin", "clerk", "Pat Property (demo)", ["property_clerk"])
            s.add_user("admin", "analyst", "Lee Lab (demo)", ["lab_analyst"])
            s.add_location("admin", "PR", "Property room", "room")
            s.add_location("admin", "PR-B14", "Shelf B-14", "shelf", parent_id="PR")
            s.open_case(
                "admin",
                "demo-1",
                "State v. Demo",
                numbers=[{"kind": "agency", "number": "2024-000123"}],
            )
    with custody.session() as s:
        entry = s.intake(
            "clerk",
            category="ammunition",
            description="Box of .45 Colt cartridges, live rounds",
            quantity=50,
            location_id="PR-B14",
            case_ids=["demo-1"],
            received_from="Detective (demo)",
        )
        item_id = str(entry.payload["item_id"])
        s.transfer("clerk", item_id, "analyst", reason="Examination")
        s.receive("analyst", item_id)
    return item_id


def demo_accounts(custody: Custody) -> None:
    """Demo sign-ins: a judge and an auditor join the Rust cast; each role gets a password,
    and the Baldwin prosecutor, defense counsel and judge are assigned to the case."""
    with custody.session() as s:
        s.add_user("admin", "judge", "Judge Mary Marlowe Sommer", ["judge"])
        s.add_user("admin", "auditor", "Riley Auditor (fictional)", ["auditor"])
        p = Permissions(s)
        p.assign("admin", "state-v-baldwin", "morrissey", "prosecutor")
        p.assign("admin", "state-v-baldwin", "carmack-altwies", "prosecutor")
        p.assign("admin", "state-v-baldwin", "spiro", "defense_counsel")
        p.assign("admin", "state-v-baldwin", "judge", "judge")
    accounts = Accounts(custody.led.engine, custody.led.master_key)
    for user in DEMO_ACCOUNTS:
        accounts.set_password(user, DEMO_PASSWORD, "admin", "demo")


def _serve(directory: Path, port: int) -> None:
    import uvicorn

    from ..server import create_app

    led = open_home(directory, writable=True)
    lines = "\n".join(f"  {user:<12} {role}" for user, role in DEMO_ACCOUNTS.items())
    typer.echo(
        f"\nBrady is serving the demo at http://127.0.0.1:{port}/ (Ctrl-C stops it).\n"
        f"Demo accounts, each with the password {DEMO_PASSWORD!r}:\n{lines}\n"
        f"API schema (OpenAPI): http://127.0.0.1:{port}/openapi.json"
    )
    uvicorn.run(create_app(led), host="127.0.0.1", port=port, log_level="warning")


DEMO_ZONE = "America/Denver"
RUST = Path(__file__).resolve().parents[3] / "examples" / "rust" / "scenario.yaml"


def load_rust(custody: Custody, keep: Callable[[dict[str, Any]], bool] | None = None) -> None:
    """The Rust scenario as it stood before the trial (events before July 2024, and of
    those only what `keep` keeps: the State's production to Baldwin's defense and its
    receipt are events `disclosure.produce` and `disclosure.receipt`), New Mexico's rule set
    adopted, Baldwin's case under it. The demo and the tests that replay the case start
    from here."""
    data = load_file(RUST)
    data["events"] = [
        e for e in data["events"] if str(e.get("at", "")) < "2024-07" and (keep is None or keep(e))
    ]
    run_import(custody, data, "admin")
    with custody.session() as s:
        desk = Desk(s)
        desk.adopt_rules(
            "admin",
            "us-nm-district",
            {"initial.days": 10, "continuing.days": 7},
            "NMRA 5-501(A) as the demo office reads it; office policy: 7 days",
            "Demo: First Judicial District cases",
        )
        desk.case_rules("morrissey", "state-v-baldwin", "us-nm-district")


def _load_rust(custody: Custody) -> str | None:
    """The Rust case for the demo; returns what the demo says about it (None outside a
    source checkout, where the scenario file is not at hand)."""
    if not RUST.is_file():
        return None
    load_rust(custody)
    with custody.led.engine.connect() as conn:
        view = compliance.compute(
            conn, "state-v-baldwin", date(2024, 7, 12), custody.led.config.zone
        )
    assert view is not None
    return _told(view)


def _told(view: compliance.Compliance) -> str:
    """What had been produced to Baldwin's defense by the dismissal, and what was outstanding."""
    produced = [u for u in view.units if u.production_id is not None]
    handed = sorted(
        {f"{u.production_id} of {u.produced}, received {u.received or 'not yet'}" for u in produced}
    )
    before = (
        f"Produced to Baldwin's defense before the trial: {len(produced)} of the "
        f"{len(view.units)} things in the case's discovery ({'; '.join(handed)}; "
        "dates illustrative)."
        if produced
        else "Nothing had been produced to Baldwin's defense."
    )
    waiting = "\n".join(f"  - {b}" for b in view.blockers)
    after = (
        f"Outstanding, so State v. Baldwin has no certificate of compliance:\n{waiting}"
        if view.blockers
        else "Nothing was outstanding."
    )
    return (
        "The Rust case is loaded as it stood on 2024-07-12, the day of the dismissal.\n"
        f"{before}\n{after}"
    )
