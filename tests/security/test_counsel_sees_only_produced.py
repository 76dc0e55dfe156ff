"""Finding 1: defense counsel saw what was not produced to them.

After production P1 (item IA1 and one of its files), the State attaches an unproduced memo
to IA1, files IA1 under another case, records a lab result on it and moves it. Counsel's
history, item record, custody PDF, item page and home page must show none of that, and
still show what was produced (so the test fails if the views simply went empty)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pypdfium2 as pdfium

from brady.custody.files import attach
from brady.custody.service import Custody
from brady.ledger.bundle import verify_bundle
from brady.ledger.entry import parse_entry

from .conftest import World

SECRET = b"what the State did not produce"


def pdf_text(data: bytes) -> str:
    doc = pdfium.PdfDocument(data)
    return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))


def _after_production(world: World) -> dict[str, str]:
    """The State's later work on IA1; returns what must stay hidden from counsel."""
    custody = Custody(world.led)
    memo = attach(
        custody, "clerkA", "IA1", io.BytesIO(SECRET), "SECRET-undisclosed-memo.txt", "text/plain"
    )
    with custody.session() as s:
        s.add_location("admin", "VAULT9", "Vault nine", "room")
        s.file_case("clerkA", "IA1", "CA2", "The same print appears in the burglary")
        s.lab_result("labA", "LR1", "HIDDEN-FINDING prints of a third person")
        moved = s.move("clerkA", "IA1", "VAULT9")
    return {"sha": str(memo.payload["sha256"]), "moved_seq": str(moved.seq)}


def test_counsel_history_pdf_and_item_show_only_what_was_produced(world: World) -> None:
    hidden = _after_production(world)
    as_counsel = world.as_("defA")

    hist = world.client.get("/api/items/IA1/history", headers=as_counsel)
    assert hist.status_code == 200, hist.text
    seqs = [row["seq"] for row in hist.json()["items"]]
    assert world.intake_seq in seqs  # what was produced is still there
    assert int(hidden["moved_seq"]) not in seqs
    kinds = {row["kind"] for row in hist.json()["items"]}
    assert not kinds & {"lab.request", "lab.result", "item.file_case", "link.suggest"}
    assert sum(1 for row in hist.json()["items"] if row["kind"] == "file.attach") == 1

    item = world.client.get("/api/items/IA1", headers=as_counsel).json()
    assert [c["case_id"] for c in item["cases"]] == ["CA1"]
    assert [f["sha256"] for f in item["files"]] == [world.files["IA1"]]
    assert "location_id" not in item and "custodian" not in item

    pdf = world.client.get("/api/items/IA1/custody-report.pdf", headers=as_counsel)
    assert pdf.status_code == 200
    text = pdf_text(pdf.content)
    assert "IA1.txt" in text  # the produced file is named
    for leak in ("SECRET-undisclosed-memo", hidden["sha"], "CA2", "HIDDEN-FINDING", "VAULT9"):
        assert leak not in text, leak

    page = world.client.get("/items/IA1", headers=as_counsel)
    assert page.status_code == 200
    for leak in ("SECRET-undisclosed-memo", hidden["sha"], "CA2", "HIDDEN-FINDING", "VAULT9"):
        assert leak not in page.text, leak
    assert world.files["IA1"] in page.text


def test_the_state_still_sees_everything(world: World) -> None:
    """The same reads by the case's prosecutor: the filter is counsel's only."""
    hidden = _after_production(world)
    as_pros = world.as_("prosA")
    seqs = [
        r["seq"]
        for r in world.client.get("/api/items/IA1/history", headers=as_pros).json()["items"]
    ]
    assert int(hidden["moved_seq"]) in seqs
    text = pdf_text(world.client.get("/api/items/IA1/custody-report.pdf", headers=as_pros).content)
    assert "SECRET-undisclosed-memo" in text and "VAULT9" in text and "HIDDEN-FINDING" in text


def test_counsel_home_page_shows_no_count_of_what_the_state_owes(world: World) -> None:
    _after_production(world)
    home = world.client.get("/", headers=world.as_("defA"))
    assert home.status_code == 200
    assert not re.search(r"\d+ outstanding", home.text)
    pros = world.client.get("/", headers=world.as_("prosA"))
    assert re.search(r"\d+ outstanding", pros.text)  # the prosecutor's work list stays


def test_a_later_production_carries_the_item_as_produced_then(world: World) -> None:
    """The bag itself: a re-production of IA1 shows its moves up to now, but not the
    unproduced memo, the other case or the unproduced lab result."""
    hidden = _after_production(world)
    made = world.client.post(
        "/api/cases/CA1/productions",
        json={"recipient": "defA", "units": ["item:IA1"]},
        headers=world.as_("prosA"),
    )
    assert made.status_code == 201, made.text
    bag = world.client.get(
        f"/api/productions/{made.json()['production_id']}/bag", headers=world.as_("defA")
    )
    assert bag.status_code == 200, bag.text
    with zipfile.ZipFile(io.BytesIO(bag.content)) as z:
        names = z.namelist()
        record = next(n for n in names if n.endswith("_IA1.json"))
        text = z.read(record).decode()
        pdfs = [z.read(n) for n in names if n.endswith("_IA1.pdf")]
    assert hidden["moved_seq"] in text  # the move happened before this production
    for leak in ("SECRET-undisclosed-memo", hidden["sha"], "CA2", "HIDDEN-FINDING"):
        assert leak not in text, leak
    pdf = pdf_text(pdfs[0])
    for leak in ("SECRET-undisclosed-memo", hidden["sha"], "CA2", "HIDDEN-FINDING"):
        assert leak not in pdf, leak


def test_the_bag_carries_only_the_keys_of_those_who_signed_what_it_shows(
    world: World, tmp_path: Path
) -> None:
    """Finding 9's last part: a bag carried every user's key events, other counsel's too.
    Now it carries the genesis and the key events of the signers of its entries (and of
    those who registered their keys), and still verifies offline."""
    bag = world.client.get(f"/api/productions/{world.production}/bag", headers=world.as_("defA"))
    assert bag.status_code == 200, bag.text
    with zipfile.ZipFile(io.BytesIO(bag.content)) as z:
        z.extractall(tmp_path)
    ledger = next(tmp_path.rglob("data/ledger"))
    keys = [parse_entry(p.read_bytes(), int(p.stem)) for p in (ledger / "keys").glob("*.entry")]
    holders = {str(k.payload.get("holder")) for k in keys}
    signers = {
        parse_entry(p.read_bytes(), int(p.stem)).key_id
        for p in (ledger / "entries").glob("*.entry")
    }
    registered = {str(k.payload.get("key_id")) for k in keys}
    assert signers <= registered  # every signature in the bag can be checked
    assert "user:clerkA" in holders
    for other in ("user:defB", "user:clerkB", "user:judgeA", "user:auditor"):
        assert other not in holders, other
    report = verify_bundle(ledger, world.led.config.log_vkey)
    assert report.entries > 0 and report.keys == len(keys)
