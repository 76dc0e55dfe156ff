"""The defense portal (#17): each production has an index (when, to whom, the bag's hash,
Bates numbers, what each thing is, why it was owed and whether it came on time, what is
new since the last production, each file of the bag to download on its own, guarded and
logged like the bag); everything produced is listed, lab results and files included; the
home page says what is outstanding in words; counsel acknowledge a bag by choosing it in
the browser (real Chromium), which computes its hash; custody PDFs in the bag carry the
Bates number on every page and describe every step in words."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, expect

from brady.custody.service import Custody
from brady.disclosure.desk import Desk
from brady.disclosure.production import kept_zip
from brady.domain.events import PAYLOADS
from brady.reports import chain_of_custody, render
from brady.server import create_app
from brady.web.production_pages import timing

from ..api.conftest import PASSWORD, World
from ..conftest import served
from .conftest import browser_of

CHROMIUM = "/usr/bin/chromium"


def access_rows(world: World, user: str, target: str) -> list[tuple[str, str, str | None]]:
    """(action, outcome, detail) of the user's access-log records about `target`."""
    with world.led.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT action, outcome, detail FROM access_log WHERE user_id = ? AND target = ? "
            "ORDER BY seq",
            (user, target),
        ).all()
    return [(str(a), str(o), d) for a, o, d in rows]


@pytest.fixture(scope="module")
def portal(site: World) -> World:
    """CA1 on its disclosure clock (arraigned, NM rules), a lab result about IA1, the pawn
    slip linked in, a report overdue since 2024, and a second production: IA1 again, IA2
    and the lab result, new."""
    custody = Custody(site.led)
    with custody.session() as s:
        Desk(s).case_rules("prosA", "CA1", "us-nm-district", in_custody=False)
        s.arraign("prosA", "CA1", "P1", "2024-01-31")
        s.lab_result("labA", "LR1", "Two latent prints, both of Dana Delacroix")
        s.accept_link("prosA", site.suggestion, "The pawn slip names the defendant")
        s.intake(  # taken in before the arraignment and never produced: overdue
            "clerkA",
            item_id="IA5",
            category="document",
            description="Report IA5",
            location_id="PR",
            case_ids=["CA1"],
            occurred_at="2024-01-10T10:00:00-07:00",
        )
    made = site.client.post(
        "/api/cases/CA1/productions",
        json={"recipient": "defA", "units": ["item:IA1", "item:IA2", "lab:LR1"]},
        headers=site.as_("prosA"),
    )
    assert made.status_code == 201, made.text
    assert made.json()["production_id"] == "CA1-P2"
    return site


@pytest.fixture(scope="module")
def counsel(portal: World) -> TestClient:
    return browser_of(portal, "defA")


def unit_rows(html: str) -> dict[str, str]:
    """Each unit's row of a production index, by its Bates number."""
    return dict(re.findall(r'<tr id="(BRADY-\d+)">(.*?)</tr>', html, re.S))


def test_the_index_says_when_to_whom_which_bag_and_which_bates_numbers(
    portal: World, counsel: TestClient
) -> None:
    got = counsel.get(f"/productions/{portal.production}")
    assert got.status_code == 200, got.text
    assert portal.bag_sha256 in got.text
    assert "BRADY-000001 to BRADY-000002" in got.text
    assert "<strong>to</strong> defA" in got.text
    rows = unit_rows(got.text)
    assert set(rows) == {"BRADY-000001", "BRADY-000002"}
    assert "Item: " in rows["BRADY-000001"] and "Report IA1" in rows["BRADY-000001"]
    assert "File: file IA1.txt of IA1" in rows["BRADY-000002"]
    assert ("view", "ok", None) in access_rows(portal, "defA", f"production:{portal.production}")


def test_each_unit_says_why_it_was_owed_and_whether_it_came_on_time(
    counsel: TestClient,
) -> None:
    got = counsel.get("/productions/CA1-P2")
    rows = unit_rows(got.text)
    # Taken in after the arraignment: due under the continuing duty, counted from intake.
    ia1 = rows["BRADY-000003"]
    assert "Disclosure is due 10 days after the day the State obtained it (" in ia1, ia1
    due = re.search(r"on time \(due (\d{4}-\d\d-\d\d)\)", ia1)
    assert due is not None and f'by <span class="date">{due.group(1)}</span>' in ia1
    assert "Deadlines are those of" in got.text and "NMRA" in got.text  # the rule set, cited
    assert timing("2024-03-01", "2024-02-14") == ("16 days late (due 2024-02-14)", True)
    assert timing("2024-02-14", "2024-02-14") == ("on time (due 2024-02-14)", False)
    assert timing("2024-02-14", None)[0].startswith("no deadline yet")


def test_what_is_new_since_the_last_production_is_marked(counsel: TestClient) -> None:
    rows = unit_rows(counsel.get("/productions/CA1-P2").text)
    assert set(rows) == {"BRADY-000003", "BRADY-000004", "BRADY-000005"}
    again = [b for b, row in rows.items() if "also in" in row]
    new = [b for b, row in rows.items() if '<span class="tag good">new</span>' in row]
    assert again == ["BRADY-000003"] and 'href="/productions/CA1-P1"' in rows["BRADY-000003"]
    assert sorted(new) == ["BRADY-000004", "BRADY-000005"]
    assert "Lab result: lab result LR1" in " ".join(rows[b] for b in new)
    first = unit_rows(counsel.get("/productions/CA1-P1").text)
    assert all('tag good">new' in row for row in first.values())  # the first: all new


def test_a_file_of_the_bag_downloads_on_its_own_and_is_logged(
    portal: World, counsel: TestClient
) -> None:
    index = counsel.get(f"/productions/{portal.production}").text
    name = "data/evidence/BRADY-000002_IA1.txt"
    assert f'href="/productions/{portal.production}/files/{name}"' in index
    got = counsel.get(f"/productions/{portal.production}/files/{name}")
    assert got.status_code == 200, got.text
    assert got.content == b"contents of IA1's file"
    assert got.headers["content-disposition"].startswith("attachment;")
    manifest = counsel.get(f"/productions/{portal.production}/files/tagmanifest-sha256.txt")
    assert manifest.status_code == 200 and b"manifest-sha256.txt" in manifest.content
    logged = access_rows(portal, "defA", f"production:{portal.production}")
    assert ("download", "ok", name) in logged
    assert ("download", "ok", "tagmanifest-sha256.txt") in logged


def test_a_name_that_is_not_in_the_bag_is_not_served(counsel: TestClient) -> None:
    for name in ("data/evidence/nothing.txt", "..%2F..%2Fbrady.toml", "%2Fetc%2Fpasswd"):
        assert counsel.get(f"/productions/CA1-P1/files/{name}").status_code == 404, name


def test_another_cases_counsel_is_refused_the_index_and_the_files(portal: World) -> None:
    other = browser_of(portal, "defB")
    target = f"production:{portal.production}"
    assert other.get(f"/productions/{portal.production}").status_code == 403
    got = other.get(f"/productions/{portal.production}/files/data/evidence/BRADY-000002_IA1.txt")
    assert got.status_code == 403 and b"contents of IA1" not in got.content
    assert [a for a, o, _ in access_rows(portal, "defB", target)] == ["denied", "denied"]
    # The court reads the index but downloads nothing, as with the whole bag.
    judge = browser_of(portal, "judgeA")
    index = judge.get(f"/productions/{portal.production}")
    assert index.status_code == 200 and "/files/" not in index.text
    assert judge.get(f"/productions/{portal.production}/files/bagit.txt").status_code == 403
    assert (
        browser_of(portal, "auditor")
        .get(f"/productions/{portal.production}/files/bagit.txt")
        .status_code
        == 200
    )


def test_everything_produced_is_listed_to_counsel_lab_results_and_files_included(
    counsel: TestClient,
) -> None:
    page = counsel.get("/cases/CA1").text
    section = page[page.index("Items produced to you") : page.index('id="productions"')]
    assert "Lab result: lab result LR1 (State crime lab)" in section
    assert "File: file IA1.txt of IA1" in section
    assert "Report IA1" in section and "Report IA2" in section
    for unproduced in ("Pawn slip", "IA3", "IA5"):
        assert unproduced not in section, unproduced
    assert 'href="/productions/CA1-P2#BRADY-000005"' in section


def test_the_case_page_sums_up_each_production_and_links_its_index(
    counsel: TestClient,
) -> None:
    page = counsel.get("/cases/CA1").text
    section = page[page.index('id="productions"') :]
    assert 'href="/productions/CA1-P1"' in section and 'href="/productions/CA1-P2"' in section
    assert "2 things: BRADY-000001 to BRADY-000002" in section
    assert "3 things: BRADY-000003 to BRADY-000005" in section
    assert section.count('<script src="/static/receipt.js"') == 1
    assert 'class="receipt" data-expected=' in section


def test_the_home_page_says_what_is_outstanding_in_words(portal: World) -> None:
    home = browser_of(portal, "defA").get("/").text
    # Counsel learn why the case is not complete without the State's list or its count
    # (COUNSEL_SEES): their own receipts to give, and that nothing is certified.
    assert "2 productions await your receipt; the State has not certified" in home, home
    assert "not yet produced" not in home and "owed to you are" not in home
    assert 'href="/cases/CA1#productions"' in home
    pros = browser_of(portal, "prosA").get("/").text
    assert re.search(
        r"\d+ outstanding</span> 3 not yet produced \(1 overdue; the earliest was due 2024-02-14\)",
        pros,
    ), pros
    assert "; 2 productions without counsel&#39;s receipt." in pros


def test_a_typed_hash_acknowledges_from_the_index_and_comes_back_to_it(
    portal: World, counsel: TestClient
) -> None:
    index = counsel.get(f"/productions/{portal.production}").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', index)
    assert csrf is not None and "Acknowledge receipt" in index
    sent = counsel.post(
        f"/productions/{portal.production}/receipt",
        data={
            "csrf_token": csrf.group(1),
            "received_by": "defA Name",
            "bag_sha256": portal.bag_sha256.upper(),
            "then": "production",
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert sent.headers["location"].startswith(f"/productions/{portal.production}?said=")
    after = counsel.get(sent.headers["location"]).text
    assert "you received production" in after and "Acknowledge receipt" not in after


@pytest.fixture(scope="module")
def live(portal: World) -> Iterator[str]:
    """The same record served over HTTP by uvicorn, for a real browser."""
    with served(create_app(portal.led, anchor_every=None)) as url:
        yield url


def test_counsel_acknowledge_a_bag_by_choosing_it_in_the_browser(
    portal: World, live: str, tmp_path: Path, browser: Browser
) -> None:
    bag = kept_zip(portal.led.config.path / "productions", "CA1-P2")
    with portal.led.engine.connect() as conn:
        expected = conn.exec_driver_sql(
            "SELECT bag_sha256 FROM production WHERE production_id = 'CA1-P2'"
        ).scalar_one()
    wrong = tmp_path / "tagmanifest-sha256.txt"
    wrong.write_text("0" * 64 + "  manifest-sha256.txt\n")
    page = browser.new_context(base_url=live).new_page()
    page.goto("/signin")
    page.get_by_label("User name").fill("defA")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="I understand and agree").click()
    page.goto("/productions/CA1-P2")
    pick = page.get_by_label(re.compile("Check the bag you downloaded"))
    field = page.get_by_label(re.compile("SHA-256 of the bag"))
    pick.set_input_files(str(wrong))  # a tag manifest, but not this bag's
    expect(page.get_by_text(re.compile("does NOT match"))).to_be_visible()
    pick.set_input_files(str(bag))  # the zip as downloaded
    expect(field).to_have_value(expected)
    expect(page.get_by_text(re.compile("It matches the hash the State"))).to_be_visible()
    page.get_by_label("Received by").fill("defA Name")
    page.get_by_role("button", name="Acknowledge receipt").click()
    expect(page.get_by_text("Recorded: you received production CA1-P2.")).to_be_visible()
    page.context.close()
    with portal.led.engine.connect() as conn:
        received = conn.exec_driver_sql(
            "SELECT bag_sha256 FROM receipt WHERE production_id = 'CA1-P2'"
        ).scalar_one()
    assert received == expected


def pdf_pages(data: bytes) -> list[str]:
    doc = pdfium.PdfDocument(data)
    try:
        return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()


def test_custody_pdfs_in_the_bag_carry_their_bates_number_on_every_page(portal: World) -> None:
    folder = portal.led.config.path / "productions" / "CA1-P2" / "data" / "custody"
    pdfs = sorted(folder.glob("*.pdf"))
    assert [p.name for p in pdfs] == ["BRADY-000003_IA1.pdf", "BRADY-000004_IA2.pdf"]
    for pdf in pdfs:
        bates = pdf.name.split("_")[0]
        pages = pdf_pages(pdf.read_bytes())
        assert pages and all(bates in page for page in pages), (pdf.name, pages)
    report = chain_of_custody.build(portal.led, "IA1", bates="BRADY-000003")
    assert report is not None
    html = render.html("chain_of_custody.html.j2", **report)
    assert '@bottom-right { content: "BRADY-000003' in html
    plain = chain_of_custody.build(portal.led, "IA1")
    assert plain is not None
    unstamped = render.pdf(render.html("chain_of_custody.html.j2", **plain))
    assert "BRADY" not in "".join(pdf_pages(unstamped))  # outside a production: no stamp
    with pytest.raises(ValueError, match="not a Bates number"):
        chain_of_custody.build(portal.led, "IA1", bates='X"; } body { color: red')


def test_every_kind_of_event_is_described_in_words_never_by_its_code() -> None:
    for kind in PAYLOADS:
        said = chain_of_custody.describe(kind, {}, {})
        assert said != chain_of_custody.UNDESCRIBED and kind not in said, (kind, said)
    assert chain_of_custody.describe("some.future_kind", {}, {}) == chain_of_custody.UNDESCRIBED
