"""A working day for each role, in Debian's Chromium (driven by Playwright) over the Rust
demo record, with axe-core run on every page visited: no serious or critical accessibility
violation anywhere a clerk, a prosecutor, defense counsel, a judge, an auditor or an
administrator goes in a day (issue #17).

One server and one browser for the module (scripts/test.sh gives a worker whole files);
each role signs in in a fresh browser context, as a person at their own desk would. The
days run in the order of a day at the office: the clerk's, the judge's and the auditor's
need nothing from another day; the prosecutor reviews Teske's rounds and produces them,
and defense counsel's day begins from that production (the `produced` fixture: whichever
asks first has the prosecutor work it in the browser), ending with the court's certificate.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from brady.cli.admin import bootstrap_admin
from brady.cli.demo import DEMO_PASSWORD, DEMO_ZONE, demo_accounts, load_rust
from brady.custody.service import Custody
from brady.ledger.cli import run as verify_cli
from brady.ledger_home import OpenLedger, init_home
from brady.server import create_app

from ..conftest import served
from .axe_check import assert_accessible

pytestmark = pytest.mark.slow

DESK: ViewportSize = {"width": 1366, "height": 900}
BALDWIN = "state-v-baldwin"
TESKE = "SF24-0306-01"
TABLET: ViewportSize = {"width": 820, "height": 1180}
NEW_TAG = "SF24-0712-07"
"""The tag the clerk takes in today: not on the demo record."""


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpenLedger]:
    led = init_home(tmp_path_factory.mktemp("day") / "home", time_zone=DEMO_ZONE)
    yield led
    led.close()


@pytest.fixture(scope="module")
def server(ledger: OpenLedger) -> Iterator[str]:
    """The Rust record as the demo has it (Teske's rounds taken in, the suggestion waiting
    for review), every demo account with its password, served on a free local port."""
    led = ledger
    custody = Custody(led)
    bootstrap_admin(custody)
    load_rust(custody)
    demo_accounts(custody)
    with served(create_app(led, anchor_every=None)) as url:
        yield url


SAME_FOR_ALL = {"Sign in to Brady", "System use notification"}
"""Pages every role meets alike: axe checks them once a module, not at every sign-in."""
_seen: set[str] = set()


def look(page: Page, heading: str | re.Pattern[str]) -> None:
    """The page that should be open is (its main heading), and axe finds nothing serious
    on it."""
    expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
    if isinstance(heading, str) and heading in SAME_FOR_ALL:
        if heading in _seen:
            return
        _seen.add(heading)
    assert_accessible(page)


def sign_in(browser: Browser, server: str, user: str, viewport: ViewportSize = DESK) -> Page:
    """A fresh browser context (no cookie of another role), signed in through the pages:
    the sign-in form, then the use notification every sign-in shows before anything else."""
    context = browser.new_context(base_url=server, viewport=viewport, accept_downloads=True)
    page = context.new_page()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/signin"))
    look(page, "Sign in to Brady")
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    look(page, "System use notification")
    page.get_by_role("button", name="I understand and agree").click()
    look(page, "What needs you now")
    return page


def tab_to(page: Page, name: str, *, back: bool = False, presses: int = 40) -> None:
    """Press Tab (Shift+Tab with `back`) until the element whose label or text begins with
    `name` has the keyboard focus; fail if it is not reached: it must be, by keyboard."""
    key = "Shift+Tab" if back else "Tab"
    for _ in range(presses):
        page.keyboard.press(key)
        focused: str = page.evaluate(
            """() => { const e = document.activeElement;
                 const label = e.labels && e.labels.length ? e.labels[0].innerText : '';
                 return (label || e.getAttribute('aria-label') || e.innerText || '').trim(); }"""
        )
        if focused.startswith(name):
            return
    raise AssertionError(f"{name!r} was not reached with {key} in {presses} presses")


def test_clerk_day(browser: Browser, server: str) -> None:
    """Poppell finds an item from the header, takes a new one in by keyboard alone (a
    scanner types the tag and Enter), opens its label, hands it to Detective Hancock (who
    acknowledges it at her desk), then inventories shelf A, where an unknown tag is
    scanned and warned of, and closes it."""
    clerk = sign_in(browser, server, "poppell")
    finds_from_the_header(clerk)
    takes_in_by_keyboard(clerk)
    opens_the_label(clerk)
    hands_over(browser, server, clerk)
    inventories_shelf_a(clerk)
    clerk.context.close()


def finds_from_the_header(clerk: Page) -> None:
    find = clerk.get_by_role("searchbox", name="Find an item")
    find.fill("revolver")
    find.press("Enter")
    look(clerk, "Find an item")
    expect(clerk.get_by_role("link", name="RUST-REVOLVER")).to_be_visible()


def takes_in_by_keyboard(clerk: Page) -> None:
    # Intake by keyboard only: Tab to the header's link, Enter, and the tag field waits.
    tab_to(clerk, "Intake")
    clerk.keyboard.press("Enter")
    look(clerk, "Take an item into custody")
    expect(clerk.get_by_label("Scan the item's tag")).to_be_focused()
    clerk.keyboard.type(NEW_TAG)
    clerk.keyboard.press("Enter")  # what a scanner sends after the code
    look(clerk, "Take an item into custody")
    expect(clerk.get_by_label("Tag", exact=True)).to_have_value(NEW_TAG)
    expect(clerk.get_by_label("Description")).to_be_focused()
    clerk.keyboard.type("Key ring with three keys, from the prop truck's glovebox")
    tab_to(clerk, "Category", back=True)
    clerk.keyboard.type("other")  # a closed list chooses by its first letters
    tab_to(clerk, "Case it is filed under")
    clerk.keyboard.type("rust-inv")
    tab_to(clerk, "Received from")
    clerk.keyboard.type("Det. Alexandria Hancock")
    tab_to(clerk, "Description")
    clerk.keyboard.press("Enter")  # a form is sent by Enter in any of its text fields
    expect(clerk.get_by_text(f"Taken in: {NEW_TAG}")).to_be_visible()
    look(clerk, re.compile(f"^{NEW_TAG}: Key ring"))
    expect(clerk.get_by_role("link", name="rust-inv")).to_be_visible()
    expect(clerk.get_by_text("SFCSO evidence room", exact=True)).to_be_visible()


def opens_the_label(clerk: Page) -> None:
    # The label: a new tab from the "Next" notice, opened from the keyboard.
    tab_to(clerk, "print its label")
    with clerk.context.expect_page() as opened:
        clerk.keyboard.press("Enter")
    label = opened.value
    label.wait_for_load_state()
    expect(label).to_have_url(re.compile(f"/items/{NEW_TAG}/label"))
    expect(label.get_by_text(NEW_TAG).first).to_be_visible()
    assert_accessible(label)
    label.get_by_role("link", name=re.compile("thermal", re.I)).first.click()
    expect(label).to_have_url(re.compile("format=thermal"))
    assert_accessible(label)
    label.close()


def hands_over(browser: Browser, server: str, clerk: Page) -> None:
    # Hand it over to the detective, who acknowledges it at her own desk.
    clerk.get_by_label("Hand over to").select_option("hancock")
    clerk.get_by_label("Why", exact=True).fill("Fingerprinting of the keys")
    clerk.get_by_role("button", name="Transfer").click()
    expect(clerk.get_by_text("Recorded: transfer.")).to_be_visible()
    look(clerk, re.compile(f"^{NEW_TAG}:"))
    expect(clerk.get_by_text(re.compile("^Waiting: Marissa Poppell is handing"))).to_contain_text(
        "Alexandria Hancock (hancock), who has not yet acknowledged"
    )

    officer = sign_in(browser, server, "hancock")
    waiting = officer.locator("table", has=officer.get_by_role("link", name=NEW_TAG))
    expect(waiting).to_contain_text("poppell")
    officer.get_by_role("link", name=NEW_TAG).click()
    look(officer, re.compile(f"^{NEW_TAG}:"))
    officer.get_by_role("button", name="I have received it").click()
    expect(officer.get_by_text("Recorded: receive.")).to_be_visible()
    look(officer, re.compile(f"^{NEW_TAG}:"))
    expect(officer.get_by_text("Alexandria Hancock", exact=True)).to_be_visible()
    officer.context.close()


def inventories_shelf_a(clerk: Page) -> None:
    # Inventory of the firearms shelf: the revolver is found; a tag no one took in is not.
    clerk.get_by_role("navigation", name="Main").get_by_role("link", name="Inventory").click()
    look(clerk, "Inventory")
    clerk.get_by_label("Name this inventory").fill("INV-A-DAY")
    clerk.get_by_label(re.compile("Room or shelf")).select_option("SFCSO-EV-A")
    clerk.get_by_role("button", name="Start scanning").click()
    look(clerk, re.compile("^Inventory INV-A-DAY"))
    scan = clerk.get_by_label("Scan an item's label")
    expect(scan).to_be_focused()
    clerk.keyboard.type("brady:item:RUST-REVOLVER")  # what the label's QR code holds
    clerk.keyboard.press("Enter")
    expect(clerk.get_by_text("Scanned RUST-REVOLVER: found, as expected.")).to_be_visible()
    clerk.get_by_label("Scan an item's label").focus()
    clerk.keyboard.type("NO-SUCH-TAG-42")
    clerk.keyboard.press("Enter")
    warned = clerk.get_by_role("alert").filter(has_text="NO-SUCH-TAG-42")
    expect(warned).to_contain_text("is not an item of your agency on the record")
    look(clerk, re.compile("^Inventory INV-A-DAY"))
    unexpected = clerk.locator("section.card", has_text="Unexpected (1)")
    expect(unexpected).to_contain_text("NO-SUCH-TAG-42")
    expect(clerk.locator("section.card", has_text="Found (1)")).to_contain_text("RUST-REVOLVER")
    clerk.get_by_role("button", name="Close the inventory and record the result").click()
    expect(clerk.get_by_text("Closed: the result is recorded on the ledger.")).to_be_visible()
    look(clerk, re.compile("^Inventory INV-A-DAY"))
    expect(clerk.get_by_role("heading", name=re.compile(r"^Missing \("))).to_be_visible()


def test_judge_day(browser: Browser, server: str) -> None:
    """The judge opens State v. Baldwin: what is outstanding, the timeline; the certificate
    is refused today (a suggestion waits for review) and granted as the record stood on
    20 February 2024, when the defense had received everything owed and nothing was out."""
    judge = sign_in(browser, server, "judge")
    judge.get_by_role("link", name=BALDWIN).click()
    look(judge, re.compile("State v. Baldwin"))
    refusal = judge.get_by_role("alert").filter(has_text="No certificate of compliance")
    expect(refusal).to_contain_text("SF24-0306-01")
    timeline = judge.get_by_role("img", name=f"Timeline of {BALDWIN}")
    timeline.scroll_into_view_if_needed()
    expect(timeline.locator("svg")).to_be_visible()

    judge.goto(f"/cases/{BALDWIN}/certificate")
    expect(judge).to_have_url(re.compile(f"/cases/{BALDWIN}\\?problem="))
    expect(judge.get_by_text("The certificate of compliance is refused")).to_be_visible()
    look(judge, re.compile("State v. Baldwin"))

    as_of = judge.get_by_role("textbox", name="As of", exact=True)
    as_of.fill("2024-02-20")
    judge.get_by_role("button", name="Show").click()
    expect(judge).to_have_url(re.compile("as_of=2024-02-20"))
    expect(judge.get_by_text("Nothing is outstanding")).to_be_visible()
    look(judge, re.compile("State v. Baldwin"))
    certificate = judge.request.get(f"/cases/{BALDWIN}/certificate?as_of=2024-02-20")
    assert certificate.status == 200, certificate.text()[:300]
    assert certificate.body().startswith(b"%PDF")
    judge.context.close()


def test_auditor_day(browser: Browser, server: str) -> None:
    """The auditor reads the ledger's checkpoint, opens an item (a look the access log
    keeps), and finds that look again in the access log by filtering on user and target."""
    auditor = sign_in(browser, server, "auditor")
    nav = auditor.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Access log")).to_be_visible()
    nav.get_by_role("link", name="Ledger").click()
    look(auditor, "The ledger")
    expect(auditor.locator("pre")).to_contain_text("brady.local/")

    auditor.goto("/items/RUST-CASING")
    look(auditor, re.compile("^RUST-CASING:"))

    nav.get_by_role("link", name="Access log").click()
    look(auditor, "Access log")
    auditor.get_by_label("User", exact=True).fill("auditor")
    auditor.get_by_label(re.compile(r"^What")).fill("item:RUST-CASING")
    auditor.get_by_role("button", name="Search", exact=True).click()
    expect(auditor).to_have_url(re.compile("user_id=auditor"))
    rows = auditor.locator("tbody tr")
    expect(rows.first).to_contain_text("item:RUST-CASING")
    for row in rows.all():
        expect(row).to_contain_text("auditor")
    look(auditor, "Access log")
    auditor.get_by_role("button", name="Verify the access log").click()
    expect(auditor.get_by_text("The access log is intact.")).to_be_visible()
    look(auditor, "Access log")
    nav.get_by_role("link", name="Accounts").click()  # read-only for an auditor
    look(auditor, "Accounts")
    expect(auditor.get_by_role("button", name="Add the user")).to_have_count(0)
    missing = auditor.goto("/items/NO-SUCH-ITEM")
    assert missing is not None and missing.status == 404
    expect(auditor.get_by_role("navigation", name="Main")).to_be_visible()
    assert_accessible(auditor)
    auditor.context.close()


@pytest.fixture(scope="module")
def produced(browser: Browser, server: str, ledger: OpenLedger) -> str:
    """Morrissey's morning: the suggestion waits in her queue with its reasons; she reads the
    whole record of the suggested item (a look the access log keeps as a review), accepts it
    with a reason, and produces what is owed to Alex Spiro. The production's id."""
    pros = sign_in(browser, server, "morrissey")
    queued = pros.get_by_role("link", name=TESKE).first
    expect(queued).to_be_visible()
    queued.click()
    look(pros, re.compile(f"^{TESKE}:"))
    expect(pros.get_by_text(re.compile("received from Troy Teske")).first).to_be_visible()
    expect(pros.get_by_role("heading", name="Custody history")).to_be_visible()
    expect(pros.get_by_role("heading", name="Record a step")).to_have_count(0)
    with ledger.engine.connect() as conn:
        looks = conn.exec_driver_sql(
            "SELECT action FROM access_log WHERE user_id = 'morrissey' AND target = ?",
            (f"item:{TESKE}",),
        ).all()
    assert ("review",) in looks, looks

    pros.goto(f"/cases/{BALDWIN}")
    look(pros, re.compile("State v. Baldwin"))
    review = pros.locator("section.card", has_text=TESKE).filter(has_text="waiting for review")
    expect(review).to_contain_text("Seth Kenney")
    review.get_by_label("Reason to accept").fill("Rounds from the Rust supply chain")
    review.get_by_role("button", name=re.compile("Accept")).click()
    expect(pros.get_by_text("joins this case's discovery")).to_be_visible()
    look(pros, re.compile("State v. Baldwin"))
    # Her two prosecutions and the investigation share parties: each related case is
    # decided once for Baldwin's side, and the items naming those parties follow it.
    related = pros.locator("#related ~ section.card").filter(has_text="waiting for review")
    expect(related).to_have_count(2)
    expect(related.first).to_contain_text("Halyna Hutchins")
    for _ in range(2):
        card = related.first
        card.get_by_label("Reason to accept").fill(
            "The same shooting: the parties' items bear on it"
        )
        card.get_by_role("button", name=re.compile("^Accept")).click()
        expect(pros.get_by_text(re.compile("Recorded: related cases REL-"))).to_be_visible()
        assert_accessible(pros)
    expect(related).to_have_count(0)
    pros.get_by_label(re.compile("Produce everything owed")).fill("Alex Spiro")
    pros.get_by_role("button", name="Build and record the production").click()
    said = pros.get_by_text(re.compile(r"Recorded: production (\S+) of"))
    expect(said).to_be_visible()
    found = re.search(r"production (\S+) of", said.inner_text())
    assert found is not None
    pros.context.close()
    return found.group(1)


def test_prosecutor_day(browser: Browser, server: str, produced: str) -> None:
    """After producing, the production's index: Bates numbers, why each unit was owed, the
    new units marked, each file listed; the case has nothing left to review."""
    pros = sign_in(browser, server, "morrissey")
    assert_accessible(pros)  # her home, the review queue emptied
    pros.goto(f"/productions/{produced}")
    look(pros, f"Production {produced}")
    units = pros.locator("#units ~ table").first
    expect(units).to_contain_text(TESKE)
    expect(units).to_contain_text("new")
    expect(pros.get_by_text(re.compile(r"[A-Z]+-\d{6}")).first).to_be_visible()  # Bates
    pros.goto(f"/cases/{BALDWIN}")
    expect(pros.locator("section.card", has_text="waiting for review")).to_have_count(0)
    pros.context.close()


def test_defense_day(browser: Browser, server: str, produced: str, tmp_path: Path) -> None:
    """Spiro opens the new production's index, downloads the bag, checks it with the bag's
    own verify.html from the folder (file://, the agency's key pasted from the ledger page
    as from a filing), acknowledges receipt with the hash his browser computes from the
    zip; a bag with one changed byte fails the same page. Another case's item and case are
    refused. The court then certifies compliance, on a tablet."""
    counsel = sign_in(browser, server, "spiro")
    counsel.get_by_role("link", name=BALDWIN).first.click()
    look(counsel, re.compile("State v. Baldwin"))
    counsel.locator(f'a[href="/productions/{produced}"]').first.click()
    look(counsel, f"Production {produced}")
    expect(counsel.locator("#units ~ table").first).to_contain_text(TESKE)
    with counsel.expect_download() as got:
        counsel.get_by_role("link", name=re.compile("Download the whole bag")).click()
    bag_zip = tmp_path / f"{produced}.zip"
    got.value.save_as(bag_zip)
    zipfile.ZipFile(bag_zip).extractall(tmp_path / "bag")
    (bag,) = (tmp_path / "bag").iterdir()
    assert verify_cli(["bundle", str(bag)]) == 0
    digest = hashlib.sha256((bag / "tagmanifest-sha256.txt").read_bytes()).hexdigest()

    counsel.goto("/ledger")
    key = counsel.locator("code").first.inner_text()  # as filed with the court
    assert len(key.split("+", 2)) == 3 and " " not in key, key
    assert _verify_page(counsel, bag, key).startswith(f"Verified: production {bag.name}")
    changed = next(p for p in (bag / "data" / "evidence").iterdir() if p.suffix == ".json")
    changed.write_bytes(changed.read_bytes().replace(b"Teske", b"Teskf", 1))
    verdict = _verify_page(counsel, bag, key)
    assert verdict.startswith("NOT verified") and changed.name in verdict, verdict

    counsel.goto(f"/productions/{produced}")
    counsel.get_by_label("Received by").fill("Alex Spiro")
    counsel.get_by_label(re.compile("Check the bag you downloaded")).set_input_files(bag_zip)
    sha = counsel.get_by_label(re.compile("SHA-256 of the bag"))
    expect(sha).to_have_value(digest)
    look(counsel, f"Production {produced}")
    counsel.get_by_role("button", name="Acknowledge receipt").click()
    expect(counsel.get_by_text(re.compile("you received production"))).to_be_visible()

    refused = counsel.goto("/items/RUST-GUN-2")  # an item of the investigation only
    assert refused is not None and refused.status == 403
    other = counsel.goto("/cases/teske-supp")
    assert other is not None and other.status == 403
    look(counsel, "You may not see or do this")
    counsel.context.close()

    judge = sign_in(browser, server, "judge", TABLET)  # a judge's tablet
    judge.goto(f"/cases/{BALDWIN}")
    expect(judge.get_by_text("Nothing is outstanding")).to_be_visible()
    look(judge, re.compile("State v. Baldwin"))
    width = judge.evaluate("document.documentElement.scrollWidth")
    assert width <= TABLET["width"], f"the page is {width}px wide on an {TABLET['width']}px tablet"
    certificate = judge.request.get(f"/cases/{BALDWIN}/certificate")
    assert certificate.status == 200 and certificate.body().startswith(b"%PDF")
    judge.context.close()


def _verify_page(page: Page, bag: Path, key: str) -> str:
    """The bag's verify.html, opened from its folder as counsel would: the verdict."""
    checker = page.context.new_page()
    checker.goto((bag / "verify.html").as_uri())
    assert_accessible(checker)
    checker.set_input_files("#folder", str(bag))
    checker.fill("#key", key)
    checker.click("#check")
    checker.wait_for_selector("#verdict.ok, #verdict.bad", timeout=20_000)
    verdict = checker.inner_text("#verdict")
    checker.close()
    return verdict


def test_admin_day(browser: Browser, server: str) -> None:
    """The administrator adds a new defense lawyer, assigns her State v. Baldwin, issues an
    API token for her firm's case software and revokes it; she signs in and sees the case."""
    admin = sign_in(browser, server, "admin")
    admin.get_by_role("navigation", name="Main").get_by_role("link", name="Administration").click()
    look(admin, "Accounts")
    admin.get_by_label(re.compile("^User name")).fill("okafor")
    admin.get_by_label("Full name").fill("Adaeze Okafor")
    admin.get_by_label(re.compile("defense counsel", re.I)).check()
    admin.get_by_label(re.compile("^First password")).fill("okafor-first-2026")
    admin.get_by_role("button", name="Add the user").click()
    look(admin, re.compile("Adaeze Okafor"))
    admin.get_by_label("Assign a case").select_option(BALDWIN)
    admin.get_by_label("Works it as").select_option("defense_counsel")
    admin.get_by_role("button", name="Assign the case").click()
    expect(admin.locator("#cases ~ *").filter(has_text=BALDWIN).first).to_be_visible()
    admin.get_by_label(re.compile("^What the token is for")).fill("Firm case software")
    admin.get_by_label("Scope").select_option("read")
    admin.get_by_role("button", name="Issue a token").click()
    token = admin.get_by_label(re.compile("The token for")).input_value()
    look(admin, re.compile("Adaeze Okafor"))
    me = admin.request.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status == 200 and me.json()["cases"] == {BALDWIN: "defense_counsel"}, me.text()
    admin.get_by_role("button", name=re.compile("^Revoke")).click()
    look(admin, re.compile("Adaeze Okafor"))
    gone = admin.request.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert gone.status == 401, gone.text()
    admin.context.close()

    lawyer = browser.new_context(base_url=server, viewport=DESK).new_page()
    lawyer.goto("/signin")
    lawyer.get_by_label("User name").fill("okafor")
    lawyer.get_by_label("Password").fill("okafor-first-2026")
    lawyer.get_by_role("button", name="Sign in").click()
    lawyer.get_by_role("button", name="I understand and agree").click()
    expect(lawyer.get_by_role("link", name=BALDWIN).first).to_be_visible()
    lawyer.context.close()
