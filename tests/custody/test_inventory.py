"""Inventories: full and sampled, found / missing / unexpected, and the worksheet."""

from __future__ import annotations

import json

import pypdfium2 as pdfium
import pytest

from brady.custody.service import Custody
from brady.domain import sampling
from brady.reports import render
from brady.store import custody_queries as q

from .test_service import intake, refused


@pytest.mark.parametrize(
    ("population", "size"),
    [(0, 0), (10, 10), (100, 92), (1000, 517), (100_000, 1056), (10**7, 1067)],
)
def test_sample_size_matches_the_tables(population: int, size: int) -> None:
    assert sampling.sample_size(population) == size


def view(custody: Custody, inventory_id: str) -> dict[str, object]:
    with custody.led.engine.connect() as conn:
        v = q.inventory_view(conn, inventory_id)
        assert v is not None
        return v


def test_full_inventory(custody: Custody) -> None:
    a, b, c, out = (intake(custody) for _ in range(4))
    with custody.session() as s:
        s.checkout("clerk", out, to="Court", purpose="court", due_back="2099-01-01")
        s.start_inventory("clerk", "inv-1")
    assert view(custody, "inv-1")["expected"] == [a, b, c]  # not the checked-out one
    with custody.session() as s:
        s.scan("clerk", "inv-1", a, "PR-B14")
        s.scan("clerk", "inv-1", out)  # on the shelf, but the record says checked out
        s.scan("clerk", "inv-1", "ITM-999999")  # a label Brady never issued
    refused(custody, "already scanned", "scan", "clerk", "inv-1", a)
    with custody.session() as s:
        s.close_inventory("clerk", "inv-1")
    v = view(custody, "inv-1")
    assert (v["found"], v["missing"], v["unexpected"]) == ([a], [b, c], [out, "ITM-999999"])
    refused(custody, "is closed", "scan", "clerk", "inv-1", b)
    refused(custody, "may not run an inventory", "start_inventory", "officer", "inv-2")


def test_sampled_inventory_is_reproducible(custody: Custody) -> None:
    for k in range(40):
        intake(custody, category="firearm" if k % 2 else "document")
    with custody.session() as s:
        entry = s.start_inventory("super", "inv-s", scope="sample")
    p = entry.payload
    guns = [f"ITM-{n:06d}" for n in range(2, 41, 2)]
    expected = view(custody, "inv-s")["expected"]
    assert p["population"] == 20 and p["expected_count"] == sampling.sample_size(20)
    assert isinstance(expected, list) and set(expected) <= set(guns)
    # Anyone can redraw the sample from the seed on the ledger, and check its digest.
    assert sampling.draw(guns, p["seed"], p["expected_count"]) == expected
    assert sampling.list_digest(expected) == p["expected_sha256"]
    p = {**p, "expected": expected}
    words = "\n".join(
        page.get_textpage().get_text_range()
        for page in pdfium.PdfDocument(
            render.pdf(render.html("inventory.html.j2", inv=view(custody, "inv-s")))
        )
    )
    assert all(i in words for i in p["expected"]) and "95% confidence" in words


def test_overdue_checkouts(custody: Custody) -> None:
    late, fine = intake(custody), intake(custody)
    with custody.session() as s:
        s.checkout("clerk", late, to="FBI lab", purpose="lab", due_back="2099-01-01")
        s.checkout("clerk", fine, to="Court", purpose="court", due_back="2099-06-01")
    with custody.led.engine.connect() as conn:
        rows = q.overdue_checkouts(conn, "2099-03-01")
    assert [r["item_id"] for r in rows] == [late]
    assert json.dumps(rows)  # plain data for --json


def test_a_large_full_inventory_fits_one_entry(custody: Custody) -> None:
    """The start of an inventory records how many items it expects, not their ids: its entry
    stays under 1 KB however many there are (800 ids alone would take 8 KB; a property room's
    tens of thousands would not fit a 64 KiB entry), and the list is the projection's."""
    with custody.session() as s:
        for _ in range(800):
            s.intake("clerk", category="document", description="Report", location_id="PR")
    with custody.session() as s:
        entry = s.start_inventory("clerk", "inv-big")
    expected = view(custody, "inv-big")["expected"]
    assert entry.payload["expected_count"] == 800 == len(expected)  # type: ignore[arg-type]
    assert len(entry.raw) < 1000 < sum(len(i) for i in expected)  # type: ignore[union-attr]


def test_an_inventory_is_not_dated_before_a_step_already_recorded(custody: Custody) -> None:
    """Its expected list is the shelves as the record holds them now: dated before an
    intake already recorded, it would expect an item that was not there yet (and a view
    of the record as of that date could not hold it)."""
    intake(custody, occurred_at="2025-03-02T09:00:00Z")
    refused(
        custody,
        "cannot be dated 2025-03-01T02:00:00Z, before the last recorded step",
        "start_inventory",
        "clerk",
        "inv-old",
        occurred_at="2025-03-01T02:00:00Z",
    )
    with custody.session() as s:
        s.start_inventory("clerk", "inv-now", occurred_at="2025-03-02T10:00:00Z")
    assert len(view(custody, "inv-now")["expected"]) == 1  # type: ignore[arg-type]
