"""Screenshots of each role's main pages, for the README and for people deciding whether
Brady suits them: the Rust demo record on a temporary ledger, served on a free local port,
photographed in Debian's Chromium (1366x900, and the court's case page at tablet width).

    .venv/bin/python scripts/screens.py            # into docs/screens/
    .venv/bin/python scripts/screens.py --out DIR

A page is one line of SHOTS; a page that needs a state the demo lacks gets it in
`_prepare`. docs/screens/README.md is written from SHOTS, so the list and the pictures
never disagree. Nothing is downloaded: Chromium is the system's, fonts are the system's.
"""

from __future__ import annotations

import argparse
import io
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import uvicorn
from PIL import Image
from playwright.sync_api import Browser, FloatRect, Page, ViewportSize, sync_playwright

from brady.accounts.service import NEVER_EXPIRES, Accounts
from brady.cli.admin import bootstrap_admin
from brady.cli.demo import DEMO_PASSWORD, DEMO_ZONE, demo_accounts, load_rust
from brady.custody.service import Custody
from brady.ledger_home import init_home
from brady.server import create_app

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
DESK = (1366, 900)
TABLET = (820, 1180)
MOST_BYTES = 300_000
"""A picture above this is reduced to 256 colours (a page is mostly flat colour: the
text stays sharp) so that the repository stays small."""
TALLEST = 4000
"""Full-page pictures are cut at this height: the top of a long page tells its story."""
INVENTORY = "INV-A-2024"
PRODUCTION = "state-v-baldwin-P1"
"""The State's production to Baldwin's defense, in the demo record."""
INTEGRATION = "poppell"
"""The account whose page shows API tokens (_prepare issues them)."""


@dataclass(frozen=True)
class Shot:
    name: str
    """The file's name, without .png; the order of SHOTS is the README's."""
    user: str | None
    """Who is signed in (None: nobody, the sign-in page)."""
    path: str
    caption: str
    viewport: tuple[int, int] = DESK
    full_page: bool = True


SHOTS = [
    Shot("01-sign-in", None, "/signin", "Sign-in page: the same answer for any failure."),
    Shot(
        "02-use-notification",
        "poppell",
        "/banner",
        "The system use notification, accepted at every sign-in.",
        full_page=False,
    ),
    # The property clerk (poppell).
    Shot("10-clerk-home", "poppell", "/", "Property clerk's home: hand-overs and overdue items."),
    Shot("11-clerk-intake-scan", "poppell", "/intake", "Intake, step 1: scan the tag."),
    Shot(
        "12-clerk-intake-form",
        "poppell",
        "/intake?tag=SF24-0712-07",
        "Intake, step 2: what it is, where it goes, files; limits stated by each field.",
    ),
    Shot("13-clerk-search", "poppell", "/items?q=colt", "Finding items from the header's box."),
    Shot(
        "14-clerk-item",
        "poppell",
        "/items/RUST-REVOLVER",
        "An item: who has it, the next custody step, files, lab work, its history.",
    ),
    Shot("15-clerk-label", "poppell", "/items/RUST-REVOLVER/label", "An item's printable label."),
    Shot("16-clerk-inventories", "poppell", "/inventory", "Starting an inventory."),
    Shot(
        "17-clerk-inventory-scanning",
        "poppell",
        f"/inventory/{INVENTORY}",
        "An inventory in scan mode: found, not seen yet, unexpected.",
    ),
    # The prosecutor (morrissey).
    Shot("20-prosecutor-home", "morrissey", "/", "Prosecutor's home: link suggestions to review."),
    Shot(
        "21-prosecutor-case",
        "morrissey",
        "/cases/state-v-baldwin",
        "A case for its prosecutor: disclosure owed, the review queue, productions, timeline.",
    ),
    Shot(
        "22-prosecutor-suggested-item",
        "morrissey",
        "/items/SF24-0306-01",
        "An item filed under another case, read before deciding a suggestion.",
    ),
    Shot(
        "23-prosecutor-production",
        "morrissey",
        f"/productions/{PRODUCTION}",
        "A production's index for the prosecutor who made it: each thing handed over, why it "
        "was owed, whether it was on time, and the defense's receipt.",
    ),
    # Defense counsel (spiro).
    Shot("30-defense-home", "spiro", "/", "Defense counsel's home: their cases."),
    Shot(
        "31-defense-case",
        "spiro",
        "/cases/state-v-baldwin",
        "The defense portal: what was produced, and how to check a bag.",
    ),
    Shot(
        "32-defense-production",
        "spiro",
        f"/productions/{PRODUCTION}",
        "The index of a production as defense counsel reads it: what was received, why each "
        "thing was owed, and when.",
    ),
    # The court (judge).
    Shot("40-judge-case", "judge", "/cases/state-v-baldwin", "A case for the court."),
    Shot(
        "41-judge-case-tablet",
        "judge",
        "/cases/state-v-baldwin",
        "The same case on a judge's tablet (820 px wide).",
        viewport=TABLET,
    ),
    # The auditor: last, so that the access log holds the others' visits.
    Shot("50-auditor-ledger", "auditor", "/ledger", "The ledger: checkpoint, key, proofs."),
    Shot(
        "51-auditor-access-log",
        "auditor",
        "/access?user_id=spiro",
        "The access log, filtered to one person.",
    ),
    # The administrator.
    Shot("60-admin-home", "admin", "/", "Administrator's home: accounts."),
    Shot(
        "61-admin-users",
        "admin",
        "/admin/users",
        "Every account: roles, whether it can sign in, last sign-in; adding a user.",
    ),
    Shot(
        "62-admin-user",
        "admin",
        f"/admin/users/{INTEGRATION}",
        "One account: roles, password, lock, its API tokens with when each expires, its cases.",
    ),
]


def _prepare(custody: Custody) -> None:
    """What the demo record lacks for the pictures: an inventory of the firearms shelf
    under way, with an item found and a tag no one took in; API tokens of the clerk's
    integrations (one at the default life, one that never expires, one expired, one
    revoked)."""
    with custody.session() as s:
        s.start_inventory("poppell", INVENTORY, "full", "SFCSO-EV-A")
        s.scan("poppell", INVENTORY, "RUST-REVOLVER")
        s.scan("poppell", INVENTORY, "NO-SUCH-TAG-42")
    led = custody.led
    accounts = Accounts(led.engine, led.master_key)
    zone = led.config.zone
    accounts.create_token(INTEGRATION, "Records system nightly export", "read", "admin", zone=zone)
    accounts.create_token(
        INTEGRATION, "Evidence locker kiosk", "write", "admin", expires=NEVER_EXPIRES, zone=zone
    )
    then = datetime.now(UTC) - timedelta(days=120)
    earlier = Accounts(led.engine, led.master_key, clock=lambda: then)
    earlier.create_token(INTEGRATION, "Lab portal pilot", "read", "admin", expires=30, zone=zone)
    old, _ = earlier.create_token(
        INTEGRATION, "Barcode scanner (lost)", "write", "admin", expires=365, zone=zone
    )
    accounts.revoke_token(old, "admin")


@contextmanager
def serving(home: Path) -> Iterator[str]:
    """The demo record on a fresh ledger at `home`, served on a free local port."""
    led = init_home(home, time_zone=DEMO_ZONE)
    custody = Custody(led)
    bootstrap_admin(custody)
    load_rust(custody)
    demo_accounts(custody)
    _prepare(custody)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(
        create_app(led, anchor_every=None), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        led.close()


def signed_in(browser: Browser, base: str, user: str, size: tuple[int, int]) -> Page:
    """A fresh context signed in as `user`, stopped at the use notification."""
    viewport: ViewportSize = {"width": size[0], "height": size[1]}
    context = browser.new_context(base_url=base, viewport=viewport)
    page = context.new_page()
    page.goto("/signin")
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="System use notification").wait_for()
    return page


def save(page: Page, shot: Shot, out: Path) -> Path:
    """The page as a PNG, cut at TALLEST and reduced in colours if it is still big."""
    height = page.evaluate("document.documentElement.scrollHeight") if shot.full_page else 0
    clip: FloatRect | None = None
    if shot.full_page and height > TALLEST:
        clip = {"x": 0, "y": 0, "width": shot.viewport[0], "height": TALLEST}
    png = page.screenshot(full_page=shot.full_page, clip=clip)
    if len(png) > MOST_BYTES:
        buffer = io.BytesIO()
        Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=256).save(
            buffer, format="PNG", optimize=True
        )
        png = buffer.getvalue()
    target = out / f"{shot.name}.png"
    target.write_bytes(png)
    return target


def take(browser: Browser, base: str, out: Path) -> list[Path]:
    """Every shot of SHOTS; one signed-in context per user and viewport, in SHOTS' order."""
    pages: dict[tuple[str | None, tuple[int, int]], Page] = {}
    saved = []
    for shot in SHOTS:
        key = (shot.user, shot.viewport)
        if key not in pages:
            if shot.user is None:
                size: ViewportSize = {"width": shot.viewport[0], "height": shot.viewport[1]}
                pages[key] = browser.new_context(base_url=base, viewport=size).new_page()
            else:
                page = signed_in(browser, base, shot.user, shot.viewport)
                if shot.path == "/banner":
                    saved.append(save(page, shot, out))
                page.get_by_role("button", name="I understand and agree").click()
                page.get_by_role("heading", level=1).first.wait_for()
                pages[key] = page
                if shot.path == "/banner":
                    continue
        page = pages[key]
        page.goto(shot.path)
        page.wait_for_load_state("networkidle")
        saved.append(save(page, shot, out))
    return saved


def readme(out: Path) -> None:
    lines = [
        "# Screens",
        "",
        "Each role's main pages on the Rust demo record (`brady demo`), at 1366x900 unless "
        "said otherwise. Made by `scripts/screens.py`; run it again after changing a page.",
        "",
        *[f"- [{s.name}]({s.name}.png): {s.caption}" for s in SHOTS],
        "",
    ]
    (out / "README.md").write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screens")
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as tmp,
        serving(Path(tmp) / "home") as base,
        sync_playwright() as p,
    ):
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"],
        )
        saved = take(browser, base, out)
        browser.close()
    readme(out)
    for path in saved:
        print(
            f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
            f"{path.stat().st_size // 1000} KB"
        )


if __name__ == "__main__":
    main()
