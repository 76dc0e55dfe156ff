"""Finding an item from any page: by tag in any case, a word of its description, or a case
(its id, a number, a party's name), among the items the person may see, and nothing of
another agency's. Through the pages and the API (one listing, one access rule)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from brady.custody.service import Custody

from ..api.conftest import World
from .conftest import browser_of


def _found(client: TestClient, q: str) -> list[str]:
    page = client.get("/items", params={"q": q})
    assert page.status_code == 200, page.text
    return re.findall(r'<td><a href="/items/([^"]+)">', page.text)


def test_an_item_is_found_by_tag_word_case_or_party(site: World) -> None:
    with Custody(site.led).session() as s:
        s.intake(
            "clerkA",
            item_id="IA-SERIAL",
            category="firearm",
            description="Revolver, blued",
            serial="PT-880417",
            location_id="EV-1",
            case_ids=["CA1"],
        )
    clerk = browser_of(site, "clerkA")
    assert 'role="search"' in clerk.get("/").text  # the box is on every page
    assert _found(clerk, "ia-serial") == ["IA-SERIAL"]
    assert _found(clerk, "BLUED") == ["IA-SERIAL"]
    assert _found(clerk, "pt-880417") == ["IA-SERIAL"]
    by_case = set(_found(clerk, "ca1"))
    by_party = set(_found(clerk, "delacroix"))  # CA1's defendant
    assert {"IA1", "IA2", "IA-SERIAL"} <= by_case and by_case == by_party
    assert "IA3" not in by_case  # the burglary's item is not CA1's
    nothing = clerk.get("/items", params={"q": "no such thing 100%_"})
    assert "Nothing you may see matches" in nothing.text
    # Another agency's clerk finds none of agency A's items, whatever the words.
    other = browser_of(site, "clerkB")
    assert _found(other, "IA-SERIAL") == [] and _found(other, "report") == ["IB1"]
    # The API answers the same, and says how many.
    api = site.client.get("/api/items", params={"q": "blued"}, headers=site.as_("clerkA"))
    assert api.status_code == 200 and [i["item_id"] for i in api.json()["items"]] == ["IA-SERIAL"]
    too_long = site.client.get("/api/items", params={"q": "x" * 101}, headers=site.as_("clerkA"))
    assert too_long.status_code == 422
