"""Labels a clerk prints and a scanner reads back: both formats (a 2 x 1 inch thermal label,
a letter sheet of 3 x 10) carry a QR code holding `brady:item:ID` and a Code 128 barcode of
the id, decoded here by ZXing (what phone scanners use) from the PDF rendered to pixels and
from the page as Chromium draws it; the type is readable (the id at 9 pt or more on the
thermal label, nothing under 6 pt), the case number whole and the description cut at a word.
The page has a Print button and prints the labels alone; only those who keep the item may
print its label, and each print is logged.

One world for the module (SQLite), one live server and one browser."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp
from fastapi.testclient import TestClient
from PIL import Image, ImageFilter
from playwright.sync_api import Browser, Page, expect
from typer.testing import CliRunner

from brady.accounts.service import Accounts
from brady.cli.app import app as cli_app
from brady.custody.service import Custody
from brady.ledger_home import init_home
from brady.reports import labels, render
from brady.server import create_app

from ..api.conftest import PASSWORD, World
from ..conftest import served
from ..security.conftest import sign_in_page

TAG = "SF24-0306-01"
OTHER = "IA2"
NUMBER = "court D-101-CR-2023-90041"
DESCRIPTION = (
    "Twenty-four rounds of .45 Colt ammunition in a cardboard box marked Starline Brass, "
    "handed over by Troy Teske at the front counter"
)
SIZE = {"thermal": (144.0, 72.0), "sheet": (612.0, 792.0)}  # points: 2 x 1 in, Letter


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("labels") / "home"


USERS = {
    "admin": (["admin"], None),
    "clerkA": (["property_clerk"], "A"),
    "prosA": (["prosecutor"], "A"),
    "defA": (["defense_counsel"], None),
    "auditor": (["auditor"], None),
    "clerkB": (["property_clerk"], "B"),
}


@pytest.fixture(scope="module")
def world(home: Path) -> Iterator[World]:
    """Two agencies; CA1 of agency A with a court number, Teske's rounds taken in under it
    (a long description) beside three short items, one item of agency B; an inventory of
    the property room. (Not the server tests' world: its production is not needed here.)"""
    led = init_home(home)
    custody = Custody(led)
    with custody.session() as s:
        s.add_user(None, "admin", "Ada Admin", ["admin"])
    with custody.session() as s:
        s.add_agency("admin", "A", "Santa Fe County Sheriff's Office", {})
        s.add_agency("admin", "B", "Albuquerque Police", {})
        for user, (roles, agency) in USERS.items():
            if user != "admin":
                s.add_user("admin", user, f"{user} Name", roles, agency)
        s.add_location("admin", "PR", "Property room", "room")
        s.open_case("prosA", "CA1", "State v. Defendant", agency_id="A")
        s.open_case("clerkB", "CB1", "State v. Other", agency_id="B")
        s.add_case_number("prosA", "CA1", "court", "D-101-CR-2023-90041")
        for item, case, clerk in (("IA1", "CA1", "clerkA"), ("IA2", "CA1", "clerkA")):
            s.intake(
                clerk,
                item_id=item,
                category="document",
                description=f"Report {item}",
                location_id="PR",
                case_ids=[case],
            )
        s.intake(
            "clerkB",
            item_id="IB1",
            category="document",
            description="Report IB1",
            location_id="PR",
            case_ids=["CB1"],
        )
        s.intake(
            "clerkA",
            item_id=TAG,
            category="ammunition",
            description=DESCRIPTION,
            location_id="PR",
            case_ids=["CA1"],
        )
        s.start_inventory("clerkA", "INV-PR", "full", "PR")
    w = World(led, TestClient(create_app(led, anchor_every=None), base_url="https://testserver"))
    accounts = Accounts(led.engine, led.master_key)
    for user in USERS:
        accounts.set_password(user, PASSWORD, "admin")
        w.tokens[user] = accounts.create_token(user, "tests", "write", "admin")[1]
    with w.client:
        yield w
    led.close()


@pytest.fixture(scope="module")
def clerk(world: World) -> TestClient:
    """Agency A's property clerk, signed in through the pages."""
    client = TestClient(world.client.app, base_url="https://testserver")
    sign_in_page(client, "clerkA")
    return client


@pytest.fixture(scope="module")
def outsider(world: World) -> TestClient:
    """Agency B's property clerk: staff, but not of the agency that keeps the items."""
    client = TestClient(world.client.app, base_url="https://testserver")
    sign_in_page(client, "clerkB")
    return client


def decoded(image: Image.Image) -> set[tuple[str, str]]:
    return {(r.format.name, r.text) for r in zxingcpp.read_barcodes(image)}


def pdf_pages(data: bytes) -> pdfium.PdfDocument:
    assert data.startswith(b"%PDF"), data[:200]
    return pdfium.PdfDocument(data)


def rasterized(doc: pdfium.PdfDocument, index: int, dpi: int) -> Image.Image:
    image: Image.Image = doc[index].render(scale=dpi / 72).to_pil()
    return image


def font_sizes(doc: pdfium.PdfDocument, index: int) -> list[tuple[str, float]]:
    """(character, size in points) of every printed character of a page."""
    text = doc[index].get_textpage()
    out = []
    for i in range(text.count_chars()):
        ch = text.get_text_range(i, 1)
        if ch.strip():
            out.append((ch, float(pdfium.raw.FPDFText_GetFontSize(text.raw, i))))
    return out


def label_pdf(world: World, item: str, fmt: str, user: str = "clerkA") -> bytes:
    got = world.client.get(f"/api/items/{item}/label.pdf?format={fmt}", headers=world.as_(user))
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "application/pdf"
    return got.content


@pytest.mark.parametrize("fmt", ["thermal", "sheet"])
def test_the_pdf_label_scans_back_to_the_item(world: World, fmt: str) -> None:
    doc = pdf_pages(label_pdf(world, TAG, fmt))
    assert len(doc) == 1 and doc[0].get_size() == SIZE[fmt]
    want = {("QRCode", f"brady:item:{TAG}"), ("Code128", TAG)}
    # At a thermal printer's 203 dpi and a laser printer's 300 dpi.
    assert decoded(rasterized(doc, 0, 203 if fmt == "thermal" else 300)) == want
    # As a phone held over it sees it: fewer pixels, out of focus.
    sharp = rasterized(doc, 0, 300)
    if fmt == "sheet":  # the label, not the empty sheet around it
        sharp = sharp.crop((0, 0, int(sharp.width * 0.4), int(sharp.height * 0.2)))
    soft = sharp.resize((sharp.width * 2 // 3, sharp.height * 2 // 3), Image.Resampling.BILINEAR)
    assert decoded(soft.filter(ImageFilter.GaussianBlur(1.2))) == want
    lines = [ln.strip() for ln in doc[0].get_textpage().get_text_range().splitlines()]
    assert TAG in lines and NUMBER in lines  # whole, each on a line of its own
    described = " ".join(lines[lines.index(NUMBER) + 1 :])  # the rest, wrapped at words
    assert described.endswith(" …") and DESCRIPTION.startswith(described[:-2])
    assert DESCRIPTION[len(described) - 2] == " "  # cut between words


@pytest.mark.parametrize("fmt", ["thermal", "sheet"])
def test_a_label_of_another_item_does_not_scan_as_the_first(world: World, fmt: str) -> None:
    doc = pdf_pages(label_pdf(world, OTHER, fmt))
    found = decoded(rasterized(doc, 0, 300))
    assert found == {("QRCode", f"brady:item:{OTHER}"), ("Code128", OTHER)}
    assert not any(TAG in text for _, text in found)


@pytest.mark.parametrize("fmt", ["thermal", "sheet"])
def test_the_type_is_large_enough_to_read(world: World, fmt: str) -> None:
    doc = pdf_pages(label_pdf(world, TAG, fmt))
    sizes = font_sizes(doc, 0)
    assert len(sizes) > 40
    assert min(pt for _, pt in sizes) >= 6 - 0.01, sorted(sizes, key=lambda s: s[1])[:3]
    id_pt = max(pt for _, pt in sizes)  # the id is the largest type on the label
    assert id_pt >= (9 if fmt == "thermal" else 7) - 0.01
    # A long id keeps 9 pt on the thermal label, broken over lines, never cut.
    long_id = "SFCSO-2024-000123-EVIDENCE-BOX-07"
    lb = labels.fitted(long_id, long_id, ("Box",), "<svg/>", fmt=labels.THERMAL)
    assert lb.title_pt >= 9 and lb.title_wraps and lb.text_pt >= 6


def test_long_and_numeric_ids_scan_back_whole() -> None:
    """Code 128 switches to its digit-pair set inside a numeric run; the bars still read as
    the id (python-barcode's encoder, checked rather than trusted)."""
    for text in ("2024-000123", "SF24-0306-01", "a.b_c:D/9", "0000000000000001"):
        lb = labels.fitted(
            text, text, (), "<svg/>", bars_svg=labels.code128_svg(text), fmt=labels.THERMAL
        )
        doc = pdf_pages(labels_pdf([lb], labels.THERMAL))
        assert ("Code128", text) in decoded(rasterized(doc, 0, 203)), text


def labels_pdf(made: list[labels.Label], fmt: labels.Format) -> bytes:
    return render.pdf(render.html("labels.html.j2", **labels.context(made, fmt)))


def test_only_those_who_keep_the_item_print_its_label_and_it_is_logged(
    world: World, clerk: TestClient, outsider: TestClient
) -> None:
    for user in ("clerkB", "defA", "auditor"):
        got = world.client.get(f"/api/items/{TAG}/label.pdf", headers=world.as_(user))
        assert got.status_code in (403, 404), (user, got.status_code)
    bad = world.client.get(f"/api/items/{TAG}/label.pdf?format=a4", headers=world.as_("clerkA"))
    assert bad.status_code == 422
    page = clerk.get(f"/items/{TAG}/label?format=thermal")
    assert page.status_code == 200
    # The page's own style and script pass the Content Security Policy by its nonce alone.
    csp = page.headers["content-security-policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp)
    assert nonce is not None and "unsafe-inline" not in csp
    assert f"style-src 'self' 'nonce-{nonce.group(1)}'" in csp
    assert page.text.count(f'nonce="{nonce.group(1)}"') == 2
    assert " style=" not in page.text  # an attribute the policy would drop
    again = clerk.get(f"/items/{TAG}/label")
    assert nonce.group(1) not in again.headers["content-security-policy"]  # fresh each time
    assert outsider.get(f"/items/{TAG}/label").status_code in (403, 404)
    with world.led.engine.connect() as conn:
        logged = conn.exec_driver_sql(
            "SELECT user_id, detail FROM access_log WHERE action = 'label' AND target = ?",
            (f"item:{TAG}",),
        ).all()
    assert ("clerkA", "thermal") in logged and ("clerkA", "sheet") in logged
    assert ("clerkA", "thermal PDF") in logged
    assert not [u for u, _ in logged if u != "clerkA"]


def test_the_inventory_prints_its_shelf_and_items_of_the_agency(
    clerk: TestClient, outsider: TestClient
) -> None:
    page = clerk.get("/inventory/INV-PR/labels")
    assert page.status_code == 200, page.text
    assert "brady:location:PR" not in page.text  # encoded in the QR code, not printed
    for item in (TAG, "IA1", "IA2"):
        assert f'aria-label="Barcode {item}"' in page.text, item
    assert 'aria-label="Barcode PR"' in page.text and "IB1" not in page.text
    assert outsider.get("/inventory/INV-PR/labels").status_code == 404


def test_the_cli_prints_thermal_labels(world: World, home: Path, tmp_path: Path) -> None:
    out = tmp_path / "labels.pdf"
    result = CliRunner().invoke(
        cli_app,
        ["--home", str(home), "labels", "--out", str(out), "--case", "CA1", "--format", "thermal"],
    )
    assert result.exit_code == 0, result.stderr
    doc = pdf_pages(out.read_bytes())
    assert len(doc) == 3 and {doc[i].get_size() for i in range(3)} == {SIZE["thermal"]}
    found = set().union(*(decoded(rasterized(doc, i, 203)) for i in range(3)))
    assert ("Code128", TAG) in found and ("QRCode", "brady:item:IA1") in found


# -- the page, in Chromium ------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(world: World) -> Iterator[str]:
    with served(create_app(world.led, anchor_every=None)) as url:
        yield url


def signed_in(browser: Browser, base: str) -> Page:
    context = browser.new_context(base_url=base, device_scale_factor=3)
    page = context.new_page()
    page.goto("/signin")
    page.get_by_label("User name").fill("clerkA")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="I understand and agree").click()
    expect(page.get_by_role("heading", name="What needs you now")).to_be_visible()
    return page


def test_the_label_page_prints_and_scans(browser: Browser, server: str) -> None:
    page = signed_in(browser, server)
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None)
    page.goto(f"/items/{TAG}/label?format=thermal")
    button = page.get_by_role("button", name="Print")
    expect(button).to_be_visible()
    label = page.locator(".label")
    expect(label).to_have_count(1)
    box = label.bounding_box()
    assert box is not None and (round(box["width"]), round(box["height"])) == (192, 96)  # 2x1 in
    id_px = page.locator(".code").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert id_px >= 12  # 9 pt
    want = {("QRCode", f"brady:item:{TAG}"), ("Code128", TAG)}
    assert decoded(Image.open(io.BytesIO(label.screenshot()))) == want
    # The Print button opens the browser's print dialog.
    page.evaluate("window.print = () => { window.printed = true; }")
    button.click()
    assert page.evaluate("window.printed") is True
    # Printed: the labels alone, one 2 x 1 inch page.
    page.emulate_media(media="print")
    expect(page.locator(".toolbar")).to_be_hidden()
    expect(label).to_be_visible()
    printed = pdf_pages(page.pdf(prefer_css_page_size=True, print_background=True))
    assert len(printed) == 1 and printed[0].get_size() == SIZE["thermal"]
    assert decoded(rasterized(printed, 0, 203)) == want
    page.emulate_media(media="screen")
    # The other format, chosen on the page.
    page.get_by_role("link", name=re.compile("Letter-size sheet")).click()
    expect(page).to_have_url(re.compile(r"format=sheet"))
    sheet_label = page.locator(".label")
    assert decoded(Image.open(io.BytesIO(sheet_label.screenshot()))) == want
    page.emulate_media(media="print")
    printed = pdf_pages(page.pdf(prefer_css_page_size=True, print_background=True))
    assert len(printed) == 1 and printed[0].get_size() == SIZE["sheet"]
    assert decoded(rasterized(printed, 0, 300)) == want
    assert not blocked, blocked
    page.context.close()
