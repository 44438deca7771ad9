"""Small real files of every accepted kind, built in memory by the libraries that write them."""

from __future__ import annotations

import io


def pdf(pages: int = 1) -> bytes:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument.new()
    for _ in range(pages):
        doc.new_page(595, 842)
    buf = io.BytesIO()
    doc.save(buf)
    doc.close()
    return buf.getvalue()


def image(fmt: str = "PNG", size=(64, 48)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, fmt)
    return buf.getvalue()


def docx() -> bytes:
    from docx import Document

    d = Document()
    d.add_paragraph("县委常委会会议纪要")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def xlsx() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["班额统计表", 45])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
