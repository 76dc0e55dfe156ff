"""Reading attached documents: real files of each kind, made here, read back by page."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest
import weasyprint
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from PIL import Image, ImageDraw, ImageFont

from brady.linking.documents import DocumentError, Page, ocr_engine, read_pages

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def squeezed(text: str) -> str:
    """OCR may change case and spacing, never (on clean print) the characters."""
    return re.sub(r"\s+", "", text).upper()


def scan(*lines: str) -> Image.Image:
    """A clean greyscale 'scan' of the lines, about 16 pt at 300 dpi."""
    font = ImageFont.truetype(FONT, 64)
    image = Image.new("L", (2000, 140 + 110 * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    for row, line in enumerate(lines):
        draw.text((100, 80 + 110 * row), line, font=font, fill=0)
    return image


@pytest.fixture(scope="module")
def text_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("documents") / "lab-report.pdf"
    weasyprint.HTML(
        string="""<html><body>
        <p>State Crime Laboratory. Firearms examination of item 7, a revolver.</p>
        <p style="page-break-before: always">Submitted under case 2024-CR-00113
        by Detective Thell Reed.</p>
        </body></html>"""
    ).write_pdf(path)
    return path


def test_pdf_text_layer_keeps_each_page(text_pdf: Path) -> None:
    pages = read_pages(text_pdf)
    assert [(page.number, page.method) for page in pages] == [(1, "pdf-text"), (2, "pdf-text")]
    assert "Firearms examination" in pages[0].text
    assert "2024-CR-00113" not in pages[0].text
    assert "2024-CR-00113" in pages[1].text
    assert "Thell Reed" in pages[1].text


def test_limits_give_a_prefix(text_pdf: Path) -> None:
    assert [page.number for page in read_pages(text_pdf, max_pages=1)] == [1]
    [cut] = read_pages(text_pdf, max_chars=10)
    assert cut == Page(1, "State Crim", "pdf-text")


def test_truncated_pdf_is_a_document_error_naming_the_file(text_pdf: Path, tmp_path: Path) -> None:
    broken = tmp_path / "torn-report.pdf"
    broken.write_bytes(text_pdf.read_bytes()[:1500])
    with pytest.raises(DocumentError, match=r"torn-report\.pdf.*damaged"):
        read_pages(broken)


def locked_pdf() -> bytes:
    """A one-page PDF whose owner set a user password (the empty one does not open it)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        b"<< /Filter /Standard /V 1 /R 2 /P -4 /O <"
        + b"ab" * 32
        + b"> /U <"
        + b"cd" * 32
        + b"> >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    file_id = b"<00112233445566778899aabbccddeeff>"
    out += b"trailer\n<< /Size %d /Root 1 0 R /Encrypt 4 0 R /ID [%s %s] >>\n" % (
        len(objects) + 1,
        file_id,
        file_id,
    )
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def test_password_protected_pdf_is_a_document_error(tmp_path: Path) -> None:
    path = tmp_path / "sealed-report.pdf"
    path.write_bytes(locked_pdf())
    with pytest.raises(DocumentError, match=r"sealed-report\.pdf.*encrypted with a password"):
        read_pages(path)


def test_scanned_pdf_is_read_by_ocr(tmp_path: Path) -> None:
    path = tmp_path / "receipt.pdf"
    scan("Property receipt, case 2023-CR-04417", "Released to Marisol Quintero").save(
        path, resolution=300
    )
    [page] = read_pages(path, "application/pdf")
    assert (page.number, page.method) == (1, "ocr")
    assert "2023-CR-04417" in squeezed(page.text)
    assert "MARISOLQUINTERO" in squeezed(page.text)
    # Without OCR the page is still there, with the (empty) text layer it has.
    assert read_pages(path, ocr=False) == [Page(1, "", "pdf-text")]


def test_png_is_read_by_ocr(tmp_path: Path) -> None:
    path = tmp_path / "photo-of-note"  # no suffix, no media type: the bytes tell
    scan("Call Hollis Bramwell re 2022-CR-00871").save(path, "PNG", dpi=(300, 300))
    [page] = read_pages(path)
    assert (page.number, page.method) == (1, "ocr")
    assert "HOLLISBRAMWELL" in squeezed(page.text)
    assert "2022-CR-00871" in squeezed(page.text)
    assert read_pages(path, ocr=False) == []


def test_multi_frame_tiff_gives_a_page_per_frame(tmp_path: Path) -> None:
    path = tmp_path / "fax.tiff"
    first, second = scan("Fax cover sheet"), scan("Case 2021-CR-00042")
    first.save(path, save_all=True, append_images=[second], dpi=(300, 300))
    pages = read_pages(path, "image/tiff")
    assert [(page.number, page.method) for page in pages] == [(1, "ocr"), (2, "ocr")]
    assert "FAXCOVER" in squeezed(pages[0].text)
    assert "2021-CR-00042" in squeezed(pages[1].text)


def test_docx_paragraphs_tables_headers_and_page_breaks(tmp_path: Path) -> None:
    path = tmp_path / "statement.docx"
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "File 2020-CR-00777"
    document.add_paragraph("Statement of Odessa Kincaid, taken at the scene.")
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Case"
    table.cell(0, 1).text = "2024-CR-00113"
    table.cell(1, 0).text = "Officer"
    table.cell(1, 1).text = "Thell Reed"
    document.save(str(path))

    pages = read_pages(path, DOCX_TYPE)
    assert [(page.number, page.method) for page in pages] == [(1, "docx"), (2, "docx")]
    assert "Odessa Kincaid" in pages[0].text
    assert "File 2020-CR-00777" in pages[0].text  # the header, first seen on page 1
    assert "2024-CR-00113" in pages[1].text
    assert "Thell Reed" in pages[1].text
    assert "Odessa" not in pages[1].text


def test_docx_pages_follow_words_last_layout(tmp_path: Path) -> None:
    # Word marks where its pages fell last time it laid the document out; those marks,
    # not only hard breaks, are the pages a reader of the printout would cite.
    path = tmp_path / "long-statement.docx"
    document = docx.Document()
    document.add_paragraph("Page one text.")
    document.add_paragraph("Page two text, ").add_run("naming Ezra Pellham.")
    run = document.paragraphs[1].runs[0]
    run._r.insert(0, OxmlElement("w:lastRenderedPageBreak"))
    document.save(str(path))
    pages = read_pages(path)
    assert [page.text for page in pages] == [
        "Page one text.",
        "Page two text, naming Ezra Pellham.",
    ]


def test_docx_declared_but_not_a_zip_is_a_document_error(tmp_path: Path) -> None:
    path = tmp_path / "statement.docx"
    path.write_bytes(b"\x00\x01 this was never a Word file")
    with pytest.raises(DocumentError, match=r"statement\.docx.*not a DOCX"):
        read_pages(path, DOCX_TYPE)


def test_plain_text_is_page_one(tmp_path: Path) -> None:
    path = tmp_path / "tip.txt"
    path.write_text("Caller named José Núñez,\r\ncase 2019-CR-00315.\n", encoding="utf-8")
    assert read_pages(path) == [Page(1, "Caller named José Núñez,\ncase 2019-CR-00315.", "text")]
    assert read_pages(path, "text/plain") == read_pages(path)


def test_unknown_binary_has_no_pages(tmp_path: Path) -> None:
    path = tmp_path / "bodycam.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 8)
    assert read_pages(path, "video/mp4") == []
    assert read_pages(path) == []


def test_missing_tesseract_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "note.png"
    scan("Anything at all").save(path)
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing to run here
    assert ocr_engine() is None
    with pytest.raises(DocumentError, match=r"note\.png.*tesseract-ocr"):
        read_pages(path)


def test_ocr_engine_names_tesseract() -> None:
    engine = ocr_engine()
    assert engine is not None
    assert re.fullmatch(r"tesseract \d+\.\d+.*", engine)
