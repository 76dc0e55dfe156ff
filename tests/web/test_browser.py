"""The whole flow in a real browser (Debian's Chromium, driven by Playwright): the property
clerk takes Teske's rounds in under the other case number; the suggestion appears in the
Baldwin prosecutor's queue; she accepts it and produces; defense counsel downloads the bag,
checks it and acknowledges it; the court's certificate is granted. Defense counsel asking for
another case's item by its URL is refused. Each page is saved as a screenshot
(build/screenshots/, or $BRADY_SCREENSHOTS) for people to look at.
"""

from __future__ import annotations

import hashlib
import os
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from brady.cli.admin import bootstrap_admin
from brady.cli.demo import DEMO_PASSWORD, demo_accounts, load_rust
from brady.custody.service import Custody
from brady.ledger.cli import run as verify_cli
from brady.ledger_home import OpenLedger, open_home
from brady.server import create_app

from ..conftest import served

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("BRADY_SCREENSHOTS", ROOT / "build" / "screenshots"))
TESKE = "SF24-0306-01"


def _load(ledger: OpenLedger) -> Custody:
    """The record before the trial; Teske's visit itself is left for the browser."""
    custody = Custody(ledger)
    bootstrap_admin(custody)
    load_rust(custody, lambda e: e.get("item_id") != TESKE)
    demo_accounts(custody)
    return custody


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    from brady.ledger_home import init_home

    led = init_home(tmp_path / "home")
    _load(led)
    with served(create_app(led, anchor_every=None)) as url:
        yield url
    led.close()


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


TABLET = {"width": 820, "height": 1180}


def unlabelled(page: Page) -> list[str]:
    """Form fields a screen reader could not name: every field must have a label."""
    found: list[str] = page.evaluate(
        """() => [...document.querySelectorAll(
              'input:not([type=hidden]), select, textarea')]
            .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
            .map(e => e.name || e.id || e.outerHTML.slice(0, 60))"""
    )
    return found


def sign_in(
    browser: Browser, base: str, user: str, tmp_path: Path, viewport: dict[str, int] | None = None
) -> Page:
    context = browser.new_context(
        base_url=base, accept_downloads=True, viewport=viewport or {"width": 1200, "height": 900}
    )
    page = context.new_page()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/signin"))
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    if user == "poppell":
        shot(page, "01-sign-in")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="System use notification")).to_be_visible()
    if user == "poppell":
        shot(page, "02-use-notification")
    page.get_by_role("button", name="I understand and agree").click()
    expect(page.get_by_role("heading", name="What needs you now")).to_be_visible()
    return page


def test_the_rust_flow_in_a_browser(server: str, browser: Browser, tmp_path: Path) -> None:
    clerk_takes_the_rounds_in(browser, server, tmp_path)
    prosecutor_reviews_and_produces(browser, server, tmp_path)
    counsel = counsel_checks_and_acknowledges(browser, server, tmp_path)
    court_certifies(browser, server, tmp_path)
    counsel_is_refused_elsewhere(browser, server, tmp_path, counsel)


def clerk_takes_the_rounds_in(browser: Browser, server: str, tmp_path: Path) -> None:
    """Scan the tag, fill in what Teske brought, file it under the supplemental case
    (the other case number)."""
    clerk = sign_in(browser, server, "poppell", tmp_path)
    shot(clerk, "03-home-property-clerk")
    clerk.get_by_role("link", name="Intake").first.click()
    tag = clerk.get_by_label("Scan the item's tag")
    expect(tag).to_be_focused()
    tag.fill(TESKE)
    tag.press("Enter")  # what a scanner sends after the code
    expect(clerk.get_by_label("Description")).to_be_focused()
    clerk.get_by_label("Category").select_option("ammunition")
    clerk.get_by_label("How many").fill("24")
    clerk.get_by_label("Description").fill(
        ".45 Colt cartridges, assorted headstamps, some Starline Brass"
    )
    clerk.get_by_label("Case it is filed under").select_option("teske-supp")
    clerk.get_by_label("Where it is put").select_option("SFCSO-EV-F")
    clerk.get_by_label("Received from").fill("Troy Teske")
    clerk.get_by_label("Caliber (if any)").fill(".45 Colt")
    clerk.get_by_label("What happened").fill(
        "Troy Teske brought in .45 Colt rounds. He said they belonged to his friend Thell "
        "Reed and came from the batch Seth Kenney of PDQ Arm & Prop took."
    )
    photo = tmp_path / "rounds.jpg"
    photo.write_bytes(b"\xff\xd8\xff photograph of the rounds")
    clerk.get_by_label("Photographs or files").set_input_files(str(photo))
    shot(clerk, "04-intake-form")
    assert not unlabelled(clerk)
    clerk.get_by_role("button", name="Record the intake").click()
    expect(clerk.get_by_text(f"Taken in: {TESKE}")).to_be_visible()
    expect(clerk.get_by_role("cell", name="rounds.jpg", exact=True)).to_be_visible()  # in Files
    shot(clerk, "05-item-after-intake")
    assert not unlabelled(clerk)

    # An inventory of the shelf in scan mode: found, not yet seen, unexpected as you go.
    clerk.get_by_role("link", name="Inventory").first.click()
    clerk.get_by_label("Name this inventory").fill("INV-F-1")
    clerk.get_by_label(re.compile("Room or shelf")).select_option("SFCSO-EV-F")
    clerk.get_by_role("button", name="Start scanning").click()
    scan = clerk.get_by_label("Scan an item's label")
    expect(scan).to_be_focused()
    scan.fill(f"brady:item:{TESKE}")  # what the QR code on the label holds
    scan.press("Enter")
    expect(clerk.locator("section.card", has_text="Found (1)")).to_contain_text(TESKE)
    clerk.get_by_label("Scan an item's label").fill("RUST-REVOLVER")  # on shelf A
    clerk.get_by_label("Scan an item's label").press("Enter")
    expect(clerk.locator("section.card", has_text="Unexpected (1)")).to_contain_text(
        "RUST-REVOLVER"
    )
    shot(clerk, "05b-inventory-scan-mode")
    assert not unlabelled(clerk)


def prosecutor_reviews_and_produces(browser: Browser, server: str, tmp_path: Path) -> None:
    """The suggestion waits in the Baldwin prosecutor's queue, with its reasons."""
    pros = sign_in(browser, server, "morrissey", tmp_path)
    expect(pros.get_by_role("link", name=TESKE)).to_be_visible()
    shot(pros, "06-home-prosecutor")
    # Before deciding, the item's whole record: it is filed under another case, but linking
    # suggested it for hers, so she may read it (and the look is logged as a review).
    pros.get_by_role("link", name=TESKE).first.click()
    expect(pros.get_by_text("Troy Teske brought in .45 Colt rounds")).to_be_visible()
    expect(pros.get_by_role("cell", name="rounds.jpg", exact=True)).to_be_visible()
    expect(pros.get_by_role("heading", name="Custody history")).to_be_visible()
    expect(pros.get_by_role("heading", name="Record a step")).to_have_count(0)
    shot(pros, "06b-prosecutor-reviews-the-suggested-item")
    led = open_home(tmp_path / "home")
    try:
        with led.engine.connect() as conn:
            looks = conn.exec_driver_sql(
                "SELECT action FROM access_log WHERE user_id = 'morrissey' AND target = ?",
                (f"item:{TESKE}",),
            ).all()
    finally:
        led.close()
    assert ("review",) in looks, looks
    pros.goto("/cases/state-v-baldwin")
    expect(pros.get_by_text("No certificate of compliance")).to_be_visible()
    review = pros.locator("section.card", has_text=TESKE).filter(has_text="waiting for review")
    expect(review).to_contain_text("Seth Kenney")
    shot(pros, "07-case-review-queue")
    assert not unlabelled(pros)
    review.get_by_label("Reason to accept").fill("Rounds from the Rust supply chain")
    review.get_by_role("button", name=re.compile("Accept")).click()
    expect(pros.get_by_text("joins this case's discovery")).to_be_visible()
    pros.get_by_label(re.compile("Produce everything owed")).fill("Alex Spiro")
    pros.get_by_role("button", name="Build and record the production").click()
    expect(pros.get_by_text(re.compile("Recorded: production"))).to_be_visible()
    shot(pros, "08-case-after-production")


def counsel_checks_and_acknowledges(browser: Browser, server: str, tmp_path: Path) -> Page:
    """The portal shows the production; download it, check it offline, acknowledge it."""
    counsel = sign_in(browser, server, "spiro", tmp_path)
    shot(counsel, "09-home-defense")
    counsel.get_by_role("link", name="state-v-baldwin").click()
    expect(counsel.get_by_text("produced to the defense")).to_be_visible()
    # The State's production before trial (the scenario's) is listed first, received; its
    # bag was handed over outside this server. The new one holds Teske's rounds.
    new = counsel.locator("tr", has_text="state-v-baldwin-P2")
    with counsel.expect_download() as got:
        new.get_by_role("link", name="Download the bag (zip)").click()
    bag_zip = tmp_path / "bag.zip"
    got.value.save_as(bag_zip)
    zipfile.ZipFile(bag_zip).extractall(tmp_path / "bag")
    (bag,) = (tmp_path / "bag").iterdir()
    assert verify_cli(["bundle", str(bag)]) == 0
    digest = hashlib.sha256((bag / "tagmanifest-sha256.txt").read_bytes()).hexdigest()
    shot(counsel, "10-defense-portal")
    assert not unlabelled(counsel)
    counsel.get_by_label("Received by").fill("Alex Spiro")
    counsel.get_by_label(re.compile("SHA-256 of the bag")).fill(digest)
    counsel.get_by_role("button", name="Acknowledge receipt").click()
    expect(counsel.get_by_text(re.compile("you received production"))).to_be_visible()
    shot(counsel, "11-defense-after-receipt")
    return counsel


def court_certifies(browser: Browser, server: str, tmp_path: Path) -> None:
    """Nothing is outstanding, and the certificate is granted."""
    judge = sign_in(browser, server, "judge", tmp_path, TABLET)  # a judge's tablet
    judge.goto("/cases/state-v-baldwin")
    expect(judge.get_by_text("Nothing is outstanding")).to_be_visible()
    shot(judge, "12-case-for-the-court-tablet")
    width = judge.evaluate("document.documentElement.scrollWidth")
    assert width <= TABLET["width"], f"the page is {width}px wide on an {TABLET['width']}px tablet"
    response = judge.request.get("/cases/state-v-baldwin/certificate")
    assert response.status == 200 and response.body().startswith(b"%PDF")


def counsel_is_refused_elsewhere(
    browser: Browser, server: str, tmp_path: Path, counsel: Page
) -> None:
    """Counsel asks for an item of another case by its URL: refused, and logged."""
    refused = counsel.goto("/items/RUST-GUN-2")  # an item of the investigation only
    assert refused is not None and refused.status == 403
    other = counsel.goto("/cases/teske-supp")
    assert other is not None and other.status == 403
    expect(counsel.get_by_role("heading", name="You may not see or do this")).to_be_visible()
    shot(counsel, "13-defense-refused")

    auditor = sign_in(browser, server, "auditor", tmp_path)
    auditor.goto("/access?user_id=spiro")
    expect(auditor.locator("td", has_text="case:teske-supp")).to_be_visible()
    shot(auditor, "14-access-log")
    auditor.goto("/ledger")
    shot(auditor, "15-ledger")
    auditor.get_by_label("Proof for ledger entry number").fill("3")
    auditor.get_by_role("button", name="Get the proof").click()
    expect(auditor.get_by_text("tlog_proof")).to_be_visible()
