"""Chain-of-custody reports and label sheets, read back from the PDF text a clerk would see."""

from __future__ import annotations

import pypdfium2 as pdfium
from sqlalchemy import text

from brady.custody.service import Custody
from brady.reports import chain_of_custody, labels, render

from ..custody.test_service import intake
from ..store.helpers import tamper


def pdf_text(data: bytes) -> str:
    doc = pdfium.PdfDocument(data)
    return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))


def test_chain_of_custody_report(custody: Custody) -> None:
    item = intake(custody, serial="KT-88", seals=["S-1"])
    with custody.session() as s:
        s.transfer("clerk", item, "officer", reason="Court viewing")
        s.receive("officer", item)
    data = chain_of_custody.build(custody.led, item)
    assert data is not None and data["all_ok"]
    assert [st.kind for st in data["steps"]] == ["item.intake", "item.transfer", "item.receive"]
    words = pdf_text(render.pdf(render.html("chain_of_custody.html.j2", **data)))
    for expected in (
        "Chain of custody: ITM-000001",
        "Verified.",
        "Olga Officer (officer)",
        "Handed to Olga Officer",
        "KT-88",
        "S-1",
        custody.led.config.log_vkey[:20],
    ):
        assert expected in words, expected


def test_report_flags_a_forged_step(custody: Custody) -> None:
    item = intake(custody)
    with custody.session() as s:
        s.move("clerk", item, "PR")
    with custody.led.engine.connect() as conn:
        seq = conn.execute(text("SELECT max(seq) FROM item_event")).scalar_one()
    raw = custody.led.store.entry(seq).replace(b'"PR"', b'"LAB"')
    tamper(custody.led, ("UPDATE ledger_entry SET entry = :e WHERE seq = :s", {"e": raw, "s": seq}))
    data = chain_of_custody.build(custody.led, item)
    assert data is not None and not data["all_ok"]
    bad = [st for st in data["steps"] if not (st.signature_ok and st.proved)]
    assert [st.seq for st in bad] == [seq]
    assert "NOT VERIFIED" in render.html("chain_of_custody.html.j2", **data)


def test_label_sheet(custody: Custody) -> None:
    ids = [intake(custody) for _ in range(4)]
    with custody.led.engine.connect() as conn:
        sheet = labels.item_labels(conn, labels.case_item_ids(conn, "case-1"))
        sheet += labels.location_labels(conn, ["PR-B14"])
    assert [lb.code for lb in sheet] == [*ids, "PR-B14"]
    words = pdf_text(render.pdf(render.html("labels.html.j2", **labels.context(sheet))))
    assert all(i in words for i in ids) and "Shelf B-14" in words
    assert all("<svg" in lb.qr_svg for lb in sheet)
