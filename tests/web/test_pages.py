"""Issue 17's walk through the pages: a form that cannot be recorded comes back with what
was typed and a message at the field; error pages keep the site's navigation; intake asks
for a category and starts in the clerk's own room; a tag is the same in any case; a scan of
a tag on no list is a warning; only people who hold evidence can be handed an item; the
giver sees what is pending and can cancel it; the history says to whom and why."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser

from brady.domain.errors import RefusedError
from brady.web import home_page

from ..api.conftest import World
from .conftest import browser_of

NAV = '<nav aria-label="Main">'


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def _selected(html: str, select_id: str) -> list[str]:
    block = html.split(f'id="{select_id}"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="([^"]*)" selected', block)


@pytest.fixture(scope="module")
def clerk(site: World) -> Iterator[TestClient]:
    yield browser_of(site, "clerkA")


def _intake(clerk: TestClient, **fields: str) -> tuple[int, str]:
    page = clerk.get("/intake", params={"tag": fields.get("item_id", "T-1")})
    form = {
        "csrf_token": _csrf(page.text),
        "category": "document",
        "description": "A report",
        "location_id": "EV",
        "quantity": "1",
        **fields,
    }
    r = clerk.post("/intake", data=form)
    return r.status_code, r.text


def test_intake_asks_for_a_category_starts_in_the_clerks_room_and_states_limits(
    site: World, clerk: TestClient
) -> None:
    html = clerk.get("/intake", params={"tag": "T-NEW"}).text
    assert _selected(html, "category") == [""] and "Choose…" in html
    assert 'id="category" name="category" required' in html
    # Agency A's room (EV, under A-HQ): not the headquarters, not the lab listed first.
    assert _selected(html, "location_id") == ["EV"]
    assert 'maxlength="2000"' in html.split('id="description"', 1)[1].split(">", 1)[0]
    quantity = html.split('id="quantity"', 1)[1].split(">", 1)[0]
    assert 'max="1000000000"' in quantity and 'min="1"' in quantity
    # Another agency's clerk does not start in agency A's room: in the one of no agency.
    other = browser_of(site, "clerkB").get("/intake", params={"tag": "T-NEW"}).text
    assert _selected(other, "location_id") == ["PR"]


def test_an_overlong_description_and_a_huge_quantity_come_back_with_what_was_typed(
    site: World, clerk: TestClient
) -> None:
    long = "Box of rounds " + "x" * 5386  # 5,400 characters
    status, html = _intake(
        clerk, item_id="T-LONG", description=long, quantity="5000000000", serial="SN 42"
    )
    assert status == 422
    assert f'value="{long}"' in html and 'value="5000000000"' in html and 'value="SN 42"' in html
    assert "Description is 5,400 characters long; it can hold at most 2,000" in html
    assert "How many can be at most 1,000,000,000; you entered 5,000,000,000" in html
    assert 'aria-invalid="true" aria-describedby="description-problem"' in html
    assert NAV in html and "pydantic" not in html and "String should" not in html
    assert _selected(html, "category") == ["document"]
    status, html = _intake(clerk, item_id="T-LONG", category="")
    assert status == 422 and "Choose the category from the list." in html
    assert site.client.get("/api/items/T-LONG", headers=site.as_("clerkA")).status_code == 404


def test_error_pages_keep_the_sites_navigation(
    site: World, clerk: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = clerk.get("/no/such/page")
    assert missing.status_code == 404 and NAV in missing.text
    assert "There is no page at this address." in missing.text
    refused = browser_of(site, "clerkB").get("/items/IA1")  # another agency's item
    assert refused.status_code == 403 and NAV in refused.text
    invalid = clerk.get("/ledger/proof", params={"seq": "-1"})
    assert invalid.status_code == 422 and NAV in invalid.text

    def conflict() -> None:
        raise RefusedError("the record refuses this")

    monkeypatch.setattr(home_page, "today_utc", conflict)
    refusal = clerk.get("/")
    assert refusal.status_code == 409 and NAV in refusal.text

    def fault() -> None:
        raise RuntimeError("a fault of Brady's own")

    monkeypatch.setattr(home_page, "today_utc", fault)
    broken = clerk.get("/")
    assert broken.status_code == 500 and NAV in broken.text
    assert "Something went wrong in Brady" in broken.text and "RuntimeError" not in broken.text
    # Nobody signed in: the same pages, without anyone's navigation.
    assert NAV not in TestClient(site.client.app, base_url="https://testserver").get("/x").text


def test_a_tag_is_the_same_item_in_any_case(site: World, clerk: TestClient) -> None:
    status, _ = _intake(clerk, item_id="WW-0001")
    assert status == 200
    again = clerk.get("/intake", params={"tag": "ww-0001"}).text
    assert "Tag ww-0001 is already taken in as WW-0001" in again
    assert 'href="/items/WW-0001"' in again
    status, html = _intake(clerk, item_id="ww-0001")
    assert status == 409 and "already exists as WW-0001" in html
    page = clerk.get("/inventory").text
    clerk.post("/inventory", data={"csrf_token": _csrf(page), "inventory_id": "INV-TAGS"})
    csrf = _csrf(clerk.get("/inventory/INV-TAGS").text)
    found = clerk.post("/inventory/INV-TAGS/scan", data={"csrf_token": csrf, "item_id": "ww-0001"})
    assert 'class="notice ok"' in found.text and "Scanned WW-0001: found, as expected" in found.text
    assert "Found (1)" in found.text and "Unexpected (0)" in found.text


def test_a_tag_on_no_record_is_a_warning_not_a_green_scanned(clerk: TestClient) -> None:
    page = clerk.get("/inventory").text
    clerk.post("/inventory", data={"csrf_token": _csrf(page), "inventory_id": "INV-UNKNOWN"})
    csrf = _csrf(clerk.get("/inventory/INV-UNKNOWN").text)
    r = clerk.post("/inventory/INV-UNKNOWN/scan", data={"csrf_token": csrf, "item_id": "NO-SUCH"})
    assert 'class="notice ok"' not in r.text and 'class="notice warn"' in r.text
    assert "NO-SUCH is not an item of your agency on the record" in r.text
    assert "unexpected" in r.text


def test_hand_over_lists_only_those_who_hold_evidence(clerk: TestClient) -> None:
    html = clerk.get("/items/IA2").text
    choices = html.split('id="to_user"', 1)[1].split("</select>")[0]
    listed = re.findall(r'<option value="([^"]+)">', choices)
    assert {"officerA", "superA", "labA", "clerkB"} <= set(listed)
    for nobody in ("defA", "defB", "judgeA", "auditor", "admin", "prosA", "brady-access-log"):
        assert nobody not in listed
    assert "clerkA" not in listed  # not the giver


def test_after_a_hand_over_the_giver_sees_it_pending_and_the_history_says_to_whom_and_why(
    clerk: TestClient,
) -> None:
    csrf = _csrf(clerk.get("/items/IA3").text)
    step = {"csrf_token": csrf, "action": "transfer", "to_user": "officerA", "reason": "For court"}
    html = clerk.post("/items/IA3/steps", data=step).text
    pending = html.split("Record a step", 1)[1].split("<h2>", 1)[0]
    assert "Waiting:" in pending and "officerA Name (officerA)" in pending
    assert "Cancel hand-over" in pending
    assert "to officerA Name (officerA); why: For court" in html.split("Custody history")[1]
    cancel = {"csrf_token": csrf, "action": "cancel_transfer", "reason": "Court date moved"}
    after = clerk.post("/items/IA3/steps", data=cancel).text
    assert "Recorded: cancel transfer" in after and "why: Court date moved" in after


def test_a_long_word_wraps_and_a_long_description_is_not_the_heading(
    site: World, clerk: TestClient, browser: Browser
) -> None:
    word = "W" * 1990
    status, _ = _intake(clerk, item_id="T-WORD", description=word)
    assert status == 200
    html = clerk.get("/items/T-WORD").text
    heading = re.search(r"<h1>(.*?)</h1>", html, re.S)
    assert heading is not None and len(heading.group(1)) < 120 and heading.group(1).endswith("…")
    assert f"<strong>Description:</strong> {word}</p>" in html
    icon = site.client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert '<link rel="icon" href="/static/favicon.svg"' in html
    css = site.client.get("/static/brady.css").text
    link = '<link rel="stylesheet" href="/static/brady.css">'
    shown = html.replace(link, f"<style>{css}</style>")  # the page as the browser lays it out
    page = browser.new_page(viewport={"width": 800, "height": 600})
    page.set_content(shown, wait_until="domcontentloaded")
    width = page.evaluate("document.documentElement.scrollWidth")
    page.close()
    assert width <= 800, f"a 1,990-character word makes the item page {width}px wide"
