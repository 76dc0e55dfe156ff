"""The PDFs a clerk or a lawyer prints, read back page by page as they would read them, on
the Rust case: the certificate of compliance carries a caption with the court number and a
signature block, and never splits a date or a Bates number across lines; the chain-of-
custody report has the agency's letterhead and signature lines and no near-empty page; a
label never cuts a case number short; the worksheet for 520 items is compact, its headers
and ids whole.

Layout does not depend on the database, so these run on SQLite only, on one Rust ledger
built once for the module (they would otherwise take minutes)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from brady.cli.admin import bootstrap_admin
from brady.cli.demo import load_rust
from brady.custody.service import Custody
from brady.disclosure import compliance
from brady.disclosure.certificate import certificate_html, cite
from brady.ledger_home import init_home
from brady.reports import chain_of_custody, labels, render
from brady.store import custody_queries as q

from ..disclosure.test_rust import PRODUCING, TESKE, accept_teske, hand_over

TODAY = date(2024, 8, 1)  # after the rounds were linked, produced and received
WORKSHEET = "inv-ev-b"  # shelf B, ammunition: 520 items
MIN_LINES = 5
"""A page other than the last with fewer lines than this (besides its footer) is the
near-blank page a reader wonders about."""


def pages(data: bytes) -> list[str]:
    doc = pdfium.PdfDocument(data)
    return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]


def lines_of(page: str) -> list[str]:
    """The page's lines of text, without the footer (its title and 'Page N of M')."""
    return [ln for ln in page.splitlines() if ln.strip() and not re.search(r"Page \d+ of", ln)]


@pytest.fixture(scope="module")
def rust(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Custody]:
    """The Rust case after the dismissal: what the case held produced before the trial,
    Teske's rounds then linked, produced late and received (the certificate can be
    issued); an inventory of the ammunition shelf started."""
    tmp = tmp_path_factory.mktemp("rust")
    led = init_home(tmp / "home", None)
    custody = Custody(led)
    bootstrap_admin(custody)
    load_rust(custody, lambda e: e["do"] not in PRODUCING)
    hand_over(custody, tmp, "BALDWIN-P1", "2024-02-09T16:00:00-07:00")
    accept_teske(custody)
    hand_over(custody, tmp, "BALDWIN-P9", "2024-07-30T10:00:00-07:00")
    with custody.session() as s:
        s.start_inventory("poppell", WORKSHEET, location_id="SFCSO-EV-B")
    yield custody
    led.close()


def test_the_certificate_has_a_caption_a_signature_block_and_whole_dates(
    rust: Custody,
) -> None:
    led = rust.led
    with led.engine.connect() as conn:
        view = compliance.compute(conn, "state-v-baldwin", TODAY, led.config.zone)
    assert view is not None and view.certifiable, view and view.blockers
    citation = cite(led.store, led.config.log_vkey, "The record as it stood.", None, None)
    document = certificate_html(view, TODAY, citation)
    assert 'id="cited-checkpoint"' in document  # what brady-verify reads, kept
    text = "\n".join(pages(render.pdf(document)))
    for expected in (
        "State v. Baldwin",
        "Defendant: Alec Baldwin",
        "Court number: D-101-CR-2023-90041",
        "Agency number: none on record",
        "NEW MEXICO DISTRICT COURTS",
        "Kari Morrissey, prosecutor for the State",
        "Bar number:",
        "Date:",
    ):
        assert expected in text, expected
    # Every date and Bates number of the table is printed whole, as often as it is shown.
    shown: dict[str, int] = {}
    for u in view.units:
        for token in (u.obtained, u.due, u.bates, u.received, u.recorded):
            if token:
                shown[token] = shown.get(token, 0) + 1
    assert len(shown) > 5 and any(t.startswith("BRADY-") for t in shown)
    for token, times in shown.items():
        assert text.count(token) >= times, (token, times, text.count(token))
    split = re.compile(r"(\b\d{4}-(\d{1,2}(-\d?)?)?|BRADY-\d{0,5})$")  # cut at the line end
    assert not [ln for ln in text.splitlines() if split.search(ln.strip())]


def test_the_custody_report_has_a_letterhead_signatures_and_no_near_blank_page(
    rust: Custody,
) -> None:
    for item, most in (("RUST-REVOLVER", 2), (TESKE, 1)):
        data = chain_of_custody.build(rust.led, item)
        assert data is not None and data["all_ok"]
        read = pages(render.pdf(render.html("chain_of_custody.html.j2", **data)))
        assert len(read) <= most, (item, len(read))
        first = lines_of(read[0])
        assert first[0].startswith("Santa Fe County Sheriff's Office"), first[:2]
        assert "chain-of-custody record" in " ".join(first[:2]), first[:2]
        text = "\n".join(read)
        assert "Prepared by (signature, printed name and title)" in text
        assert "Reviewed by (signature, printed name and title)" in text
        assert text.count("Date") >= 2
        for n, page in enumerate(read[:-1]):
            assert len(lines_of(page)) >= MIN_LINES, (item, n + 1, page)
        assert "\ufffe" not in text  # nothing split at a hyphen (ids, dates, actors)


def test_a_report_of_no_agency_names_the_ledger(tmp_path: Path) -> None:
    led = init_home(tmp_path / "home", None)
    try:
        lone = Custody(led)
        with lone.session() as s:
            s.add_user(None, "admin", "Ada Admin", ["admin"])
        with lone.session() as s:
            s.add_user("admin", "clerk", "Carl Clerk", ["property_clerk"])
            s.add_location("admin", "PR", "Property room", "room")
        with lone.session() as s:
            item = s.intake("clerk", category="other", description="Box", location_id="PR")
        data = chain_of_custody.build(led, str(item.payload["item_id"]))
        assert data is not None and data["agency"] == ""
        read = pages(render.pdf(render.html("chain_of_custody.html.j2", **data)))
        assert lines_of(read[0])[0].startswith(led.store.origin)
    finally:
        led.close()


def test_labels_print_every_case_number_whole(rust: Custody) -> None:
    with rust.led.engine.connect() as conn:
        ids = labels.case_item_ids(conn, "state-v-baldwin")
        ids += labels.case_item_ids(conn, "rust-inv")[:40]
        sheet = labels.item_labels(conn, ids)
        views = {i: q.item_view(conn, i) for i in ids}
    numbers = {i: v["cases"] for i, v in views.items() if v is not None}
    read = pages(render.pdf(render.html("labels.html.j2", **labels.context(sheet))))
    assert len(read) == -(-len(sheet) // labels.PER_SHEET)  # 30 to a sheet
    text = "\n".join(read)
    revolver = [n for c in numbers["RUST-REVOLVER"] for n in c["numbers"]]
    assert "court D-101-CR-2023-90042" in revolver  # three numbers, none cut short
    for item, cases in numbers.items():
        assert item in text.splitlines(), item  # the id on a line of its own, whole
        for n in (n for c in cases for n in c["numbers"]):
            assert n in text, (item, n)


def test_a_crowded_label_shrinks_and_shortens_the_description_not_the_numbers() -> None:
    numbers = tuple(f"court D-101-CR-2023-{n:05d}" for n in range(90041, 90047))
    description = "Contents of the armorer's prop cart (tools, cleaning kits, props) " * 3
    lb = labels.fitted("RUST-CART-021", "RUST-CART-021", (description,), "<svg/>", numbers)
    assert lb.numbers == numbers and lb.text_pt < labels.LINE_PT[0]
    assert all(len(line) < len(description) for line in lb.lines)
    assert all(line.endswith("…") for line in lb.lines)
    roomy = labels.fitted("PR-B14", "PR-B14", ("Shelf B-14", "shelf"), "<svg/>")
    assert (roomy.title_pt, roomy.text_pt) == (labels.TITLE_PT[0], labels.LINE_PT[0])


def test_the_worksheet_for_520_items_is_compact_and_whole(rust: Custody) -> None:
    with rust.led.engine.connect() as conn:
        inv = q.inventory_view(conn, WORKSHEET)
    assert inv is not None and len(inv["items"]) == 520
    read = pages(render.pdf(render.html("inventory.html.j2", inv=inv)))
    assert len(read) <= 12, len(read)
    for n, page in enumerate(read):
        if "RUST-" in page:  # every page of the list has its header, whole
            assert "Found Location Item Category Description" in page, n + 1
    words = set("\n".join(read).split())
    assert {"Found", "Location", "Item", "Category", "Description"} <= words
    missing = [i["item_id"] for i in inv["items"] if i["item_id"] not in words]
    assert not missing, missing[:5]
    assert "Counted by (signature and printed name)" in read[-1]
