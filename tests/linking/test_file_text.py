"""Attached documents are read for linking like narratives: a PDF's text layer, a scan
through Tesseract (Debian's package, a real OCR run), the page in the reason."""

from __future__ import annotations

import io

import weasyprint
from sqlalchemy import text

from brady.custody.files import attach
from brady.custody.service import Custody
from brady.ledger.entry import parse_entry

from ..custody.test_service import check, intake
from .test_documents import scan
from .test_linking import suggestions


def file_reads(custody: Custody, item: str) -> list[dict[str, object]]:
    with custody.led.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT entry FROM ledger_entry WHERE kind = 'file.read' ORDER BY seq")
        )
        payloads = [dict(parse_entry(bytes(raw)).payload) for (raw,) in rows]
    return [p for p in payloads if p["item_id"] == item]


def test_a_pdf_names_a_party_on_its_second_page(custody: Custody) -> None:
    with custody.session() as s:
        s.add_person("pros", "p-reed", "Thell Reed")
        s.open_case("pros", "c-6", "State v. Armorer")
        s.add_party("pros", "c-6", "p-reed", "defendant")
    item = intake(custody, description="Lab report on disc")
    pdf = weasyprint.HTML(
        string="<p>Firearms examination of a revolver.</p>"
        '<p style="page-break-before: always">Test rounds were supplied by Thell Reed.</p>'
    ).write_pdf()
    attach(custody, "clerk", item, io.BytesIO(pdf), "lab-report.pdf", "application/pdf")
    why = str(suggestions(custody, item)["c-6"]["why"])
    assert "Thell Reed (page 2 of lab-report.pdf)" in why
    (read,) = file_reads(custody, item)
    assert read["reader"] == "pdf-text" and read["pages"] == 2
    # A correction re-reads the item's own fields; what the file said stays known.
    with custody.led.engine.connect() as conn:
        seq = conn.execute(
            text("SELECT intake_seq FROM item WHERE item_id = :i"), {"i": item}
        ).scalar_one()
    with custody.session() as s:
        s.correct("clerk", seq, "description", "Lab report (CD)", "Disc is a CD")
    with custody.led.engine.connect() as conn:
        kinds = conn.execute(
            text("SELECT key FROM mention_index WHERE owner_id = :i AND kind = 'person'"),
            {"i": item},
        ).all()
    assert ("thell reed",) in kinds
    check(custody)  # the rebuild from the ledger gives the same mentions


def test_a_scanned_page_is_read_by_ocr(custody: Custody) -> None:
    with custody.session() as s:
        s.open_case("pros", "c-7", "Stolen rifle")
    intake(custody, description="Rifle", serial="KT4471", case_ids=["c-7"])
    item = intake(custody, description="Pawn ticket (scanned)")
    png = io.BytesIO()
    scan("PAWN TICKET 2231", "Rifle, serial no. KT4471").save(png, "PNG", dpi=(300, 300))
    attach(custody, "clerk", item, io.BytesIO(png.getvalue()), "ticket.png", "image/png")
    (read,) = file_reads(custody, item)
    assert str(read["reader"]).startswith("ocr (tesseract")
    assert "KT4471 (page 1 of ticket.png)" in str(suggestions(custody, item)["c-7"]["why"])


def test_a_file_without_text_records_no_reading(custody: Custody) -> None:
    item = intake(custody, description="Video")
    attach(custody, "clerk", item, io.BytesIO(b"\x00\x01binary" * 100), "clip.bin", None)
    assert file_reads(custody, item) == []
    check(custody)
