"""What a file really is, from its bytes: the name and the browser's Content-Type are claims.

Accepted: PDF, PNG, JPEG, Word (.docx) and Excel (.xlsx). Everything else is refused with a Chinese
message for the user: HTML, SVG, scripts and executables (no known signature), legacy .doc/.xls
(OLE2: may carry macros, and every office suite saves .docx/.xlsx), macro-enabled OOXML, encrypted
or broken files. A PDF named .png is a PDF: the stored type is the detected one.

Each accepted kind is also opened by a real parser, so a file that only starts right (junk after
``%PDF-``, a truncated PNG) is refused: PDFium (Chrome's PDF engine) for PDF, Pillow for images, and
for OOXML the zip guard of `core.safexlsx` (members inflated in bounded chunks, forged sizes, DTDs)
before [Content_Types].xml is read. Pure: no Django.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

from dutyeval.core.safexlsx import UnsafeWorkbook, check_xlsx


@dataclass(frozen=True)
class Kind:
    content_type: str
    suffix: str
    label: str
    previewable: bool  # shown inline in the page (PDF and images); the others are downloaded


PDF = Kind("application/pdf", ".pdf", "PDF", True)
PNG = Kind("image/png", ".png", "PNG 图片", True)
JPEG = Kind("image/jpeg", ".jpg", "JPEG 图片", True)
DOCX = Kind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", "Word 文档", False)
XLSX = Kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", "Excel 表格", False)
KINDS = {k.content_type: k for k in (PDF, PNG, JPEG, DOCX, XLSX)}

ACCEPT = ".pdf,.docx,.xlsx,.jpg,.jpeg,.png"  # for <input accept>: a hint to the file picker, checked here
MAX_PIXELS = 80_000_000  # a scanned A3 page at 600 dpi is ~70 MP; more is a decompression bomb
MAX_INFLATED = 300 * 1024 * 1024
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# main part content types in [Content_Types].xml
_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
_MACRO = re.compile(rb"macroEnabled", re.IGNORECASE)
_OVERRIDE = re.compile(rb"<Override\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(rb'(PartName|ContentType)\s*=\s*"([^"]*)"')

NOT_ACCEPTED = "只接受 PDF、Word（.docx）、Excel（.xlsx）和 JPEG/PNG 图片，该文件的内容不属于其中任何一种"


class Refused(ValueError):
    """The file is not one we accept. ``str(err)`` is a message for the user."""


def detect(path: Path, *, max_inflated: int = MAX_INFLATED) -> Kind:
    """The kind of the file at `path`, checked by content; raises Refused."""
    with path.open("rb") as f:
        head = f.read(16)
    if not head:
        raise Refused("文件是空的")
    if head.startswith(b"%PDF-"):
        _check_pdf(path)
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        _check_image(path, "PNG")
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        _check_image(path, "JPEG")
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        return _check_ooxml(path, max_inflated)
    if head.startswith(OLE2):
        raise Refused("不接受旧版 Word/Excel 格式（.doc/.xls）：请另存为 .docx、.xlsx 或 PDF 后上传")
    raise Refused(NOT_ACCEPTED)


def _check_pdf(path: Path) -> None:
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise Refused("PDF 文件已加密，请取消密码保护后再上传") from None
        raise Refused("PDF 文件已损坏，无法打开") from None
    try:
        if len(doc) < 1:
            raise Refused("PDF 文件没有页面")
    finally:
        doc.close()


def _check_image(path: Path, expected: str) -> None:
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                if img.format != expected:
                    raise Refused(NOT_ACCEPTED)
                if img.width * img.height > MAX_PIXELS:
                    raise Refused(f"图片像素过多（{img.width}×{img.height}），请缩小后再上传")
                img.verify()
    except Refused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Refused("图片像素过多，请缩小后再上传") from None
    except Exception:  # Pillow raises many kinds for broken files (OSError, SyntaxError, ValueError …)
        raise Refused(f"{expected} 图片已损坏，无法打开") from None


def _check_ooxml(path: Path, max_inflated: int) -> Kind:
    data = path.read_bytes()  # bounded by the upload size limit
    try:
        # the workbook guard inflates every member in bounded chunks; it fits any OOXML package
        check_xlsx(data, max_inflated=max_inflated, max_sheet_rows=10**9)
    except UnsafeWorkbook as exc:
        # its messages name Excel; here the file may be a Word document
        raise Refused(str(exc).replace("Excel（.xlsx）", "Word/Excel").replace("Excel ", "Office ")) from None
    zf = zipfile.ZipFile(io.BytesIO(data))
    names = set(zf.namelist())
    if "[Content_Types].xml" not in names:
        raise Refused("压缩文件不是 Word（.docx）或 Excel（.xlsx）文档：" + NOT_ACCEPTED)
    types = zf.read("[Content_Types].xml")  # inflated and size-checked above
    if _MACRO.search(types) or any(n.lower().endswith("vbaproject.bin") for n in names):
        raise Refused("文档包含宏，不接受：请另存为不含宏的 .docx 或 .xlsx 后上传")
    for tag in _OVERRIDE.findall(types):
        attrs = {k.decode(): v.decode("utf-8", "replace") for k, v in _ATTR.findall(tag)}
        kind = _MAIN.get(attrs.get("ContentType", ""))
        if kind is not None:
            if attrs.get("PartName", "").lstrip("/") not in names:
                raise Refused("文档不完整（缺少正文部分），无法打开")
            return kind
    raise Refused("压缩文件不是 Word（.docx）或 Excel（.xlsx）文档：" + NOT_ACCEPTED)
