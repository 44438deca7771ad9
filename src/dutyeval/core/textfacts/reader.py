"""Turn uploaded bytes into text: .txt (UTF-8 / GB18030 / GBK / UTF-16), .docx, text .pdf.

The format is decided by the content, never by the file name alone (an upload called
``report.docx`` may be anything). Every path is bounded: the input size is capped before
anything is parsed, zip archives are inspected member by member (count, declared size,
compression ratio) before a single member is inflated, and PDFs are read page by page under
a page and character budget. Every failure is an ``IngestError`` with a Chinese message that
names the file, so the web app can show it as is and the CLI can print it.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass

MAX_BYTES = 20 * 1024 * 1024  # a self-evaluation report is tens to hundreds of KB
MAX_TEXT_CHARS = 5_000_000
MAX_ZIP_MEMBERS = 2000
MAX_ZIP_TOTAL = 60 * 1024 * 1024  # inflated size of all members together
MAX_ZIP_RATIO = 200  # XML compresses ~10x; a bomb compresses 1000x and more
MAX_PDF_PAGES = 400


class IngestError(ValueError):
    """Input that cannot be read as a report. ``str(err)`` is a message for the user."""


@dataclass(frozen=True)
class SourceText:
    text: str
    format: str  # "txt" | "docx" | "pdf"
    encoding: str | None = None


# C0 controls other than tab/newline/CR/form feed: plenty of them means binary, not text
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_NOT_CONTROL_BYTES = bytes(b for b in range(256) if not (b <= 8 or b == 11 or 14 <= b <= 31 or b == 127))


def read_bytes(data: bytes, filename: str = "") -> SourceText:
    name = filename or "上传文件"
    if not data:
        raise IngestError(f"{name}：文件为空")
    if len(data) > MAX_BYTES:
        raise IngestError(f"{name}：文件过大（{len(data) / 1048576:.1f} MB，上限 {MAX_BYTES // 1048576} MB）")
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return SourceText(_read_docx(data, name), "docx")
    if data.startswith(b"%PDF-"):
        return SourceText(_read_pdf(data, name), "pdf")
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise IngestError(f"{name}：这是旧版 Word（.doc）或 Excel 文件，请另存为 .docx 后上传")
    if data[:4] in (b"\x89PNG", b"GIF8") or data[:3] == b"\xff\xd8\xff":
        raise IngestError(f"{name}：这是图片文件，不是报告文本；请上传 .txt、.docx 或文字版 .pdf")
    text, encoding = _decode(data, name)
    return SourceText(text, "txt", encoding)


def _decode(data: bytes, name: str) -> tuple[str, str]:
    boms = (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    )
    for bom, enc in boms:
        if data.startswith(bom):
            try:
                return _check_text(data.decode(enc).lstrip("\ufeff"), name), enc
            except UnicodeDecodeError as exc:
                raise IngestError(f"{name}：文件以 {enc} 标记开头，但第 {exc.start} 字节处无法解码") from None
    if b"\x00" in data[:4096]:
        raise IngestError(f"{name}：不是文本文件（含二进制数据），请上传 .txt、.docx 或文字版 .pdf")
    # UTF-8 first: valid UTF-8 is almost never valid-looking GB18030 by accident, the reverse is not true
    # control bytes never occur inside UTF-8 or GB18030 multi-byte sequences, so counting them
    # on the bytes (one C pass) is the same test as on the text, and cheaper
    controls = len(data[:600_000].translate(None, _NOT_CONTROL_BYTES))
    if controls > max(8, min(len(data), 600_000) // 600):
        raise IngestError(f"{name}：不是文本文件（控制字符过多），请上传 .txt、.docx 或文字版 .pdf")
    for enc in ("utf-8", "gb18030"):
        try:
            return _check_text(data.decode(enc), name, controls_checked=True), enc
        except UnicodeDecodeError:
            continue
    raise IngestError(f"{name}：无法识别文件编码（既不是 UTF-8 也不是 GBK/GB18030），请另存为 UTF-8 文本")


def _check_text(text: str, name: str, controls_checked: bool = False) -> str:
    sample = "" if controls_checked else text[:200_000]
    if sample and len(_CONTROL.findall(sample)) > max(8, len(sample) // 200):
        raise IngestError(f"{name}：不是文本文件（控制字符过多），请上传 .txt、.docx 或文字版 .pdf")
    if len(text) > MAX_TEXT_CHARS:
        raise IngestError(f"{name}：文本过长（{len(text)} 字）")
    return text


def _check_zip(zf: zipfile.ZipFile, name: str) -> None:
    infos = zf.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise IngestError(f"{name}：压缩包内文件过多（{len(infos)} 个），不是正常的 Word 文档")
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        # small members may compress absurdly well (runs of spaces); only big ones matter
        if info.file_size > 1_000_000 and ratio > MAX_ZIP_RATIO:
            raise IngestError(
                f"{name}：压缩比异常（{info.filename} 压缩比 {ratio:.0f}:1），疑似压缩炸弹，已拒绝"
            )
    if total > MAX_ZIP_TOTAL:
        raise IngestError(f"{name}：解压后过大（{total / 1048576:.0f} MB），疑似压缩炸弹，已拒绝")


def _read_docx(data: bytes, name: str) -> str:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise IngestError(f"{name}：文件已损坏，无法作为 Word 文档打开（{exc}）") from None
    with zf:
        _check_zip(zf, name)
        names = set(zf.namelist())
        if "word/document.xml" not in names:
            if "xl/workbook.xml" in names:
                raise IngestError(f"{name}：这是 Excel 文件，不是报告；数据请在数据填报页面导入")
            raise IngestError(f"{name}：压缩包中没有 word/document.xml，不是 Word（.docx）文档")
    try:
        import docx
        from docx.oxml.ns import qn
    except ImportError:  # pragma: no cover - python-docx is a declared dependency
        raise IngestError("服务器未安装 python-docx，无法读取 .docx") from None
    try:
        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        # walk the body in order so tables stay where they are in the text
        for child in document.element.body.iterchildren():
            if child.tag == qn("w:p"):
                lines.append(_para_text(child, qn))
            elif child.tag == qn("w:tbl"):
                lines.extend(_table_lines(child, qn))
    except IngestError:
        raise
    except Exception as exc:  # lxml, KeyError on broken parts, ValueError …: all mean "broken file"
        raise IngestError(
            f"{name}：Word 文档内容损坏，无法解析（{type(exc).__name__}: {str(exc)[:120]}）"
        ) from None
    text = "\n".join(lines)
    if not text.strip():
        raise IngestError(f"{name}：Word 文档中没有文字")
    return _check_text(text, name)


def _para_text(p, qn) -> str:
    out = []
    for node in p.iter(qn("w:t"), qn("w:tab"), qn("w:br")):
        if node.tag == qn("w:t"):
            out.append(node.text or "")
        elif node.tag == qn("w:tab"):
            out.append("\t")
        else:
            out.append("\n")
    return "".join(out)


def _table_lines(tbl, qn) -> list[str]:
    # one line per row, cells separated by tabs: keeps a row's label next to its figures
    lines = []
    for tr in tbl.iter(qn("w:tr")):
        cells = []
        for tc in tr.iterchildren(qn("w:tc")):
            cells.append("".join(_para_text(p, qn) for p in tc.iter(qn("w:p"))).strip())
        lines.append("\t".join(cells))
    return lines


_PDF_STREAM = re.compile(rb"stream\r?\n")
MAX_PDF_INFLATED = 80 * 1024 * 1024


def _check_pdf_streams(data: bytes, name: str) -> None:
    """Refuse a PDF whose compressed streams inflate beyond MAX_PDF_INFLATED.

    pdfminer inflates every stream whole, in memory: a 20 MB file of deflated zeros would
    become gigabytes. Here each stream is inflated in bounded chunks first, and the total is
    capped, so a "PDF bomb" costs at most the cap in time and a chunk in memory.
    """
    total = 0
    for m in _PDF_STREAM.finditer(data):
        end = data.find(b"endstream", m.end())
        if end < 0:
            break
        head = data[max(0, m.start() - 300) : m.start()]
        if b"FlateDecode" not in head and b"/Fl" not in head:
            continue
        inflater = zlib.decompressobj()
        chunk = data[m.end() : end]
        try:
            while chunk and total <= MAX_PDF_INFLATED:
                total += len(inflater.decompress(chunk, 1 << 20))
                chunk = inflater.unconsumed_tail
        except zlib.error:
            continue  # a broken stream: pdfminer will report the file as damaged
        if total > MAX_PDF_INFLATED:
            raise IngestError(
                f"{name}：PDF 中的数据流解压后过大（超过 {MAX_PDF_INFLATED // 1048576} MB），疑似压缩炸弹，已拒绝"
            )


def _read_pdf(data: bytes, name: str) -> str:
    _check_pdf_streams(data, name)
    try:
        import pdfplumber
    except ImportError:  # pragma: no cover
        raise IngestError("服务器未安装 pdfplumber，无法读取 .pdf") from None
    pages: list[str] = []
    total = 0
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) > MAX_PDF_PAGES:
                raise IngestError(f"{name}：PDF 页数过多（{len(pdf.pages)} 页，上限 {MAX_PDF_PAGES} 页）")
            for page in pdf.pages:
                page_text = page.extract_text() or ""
                total += len(page_text)
                if total > MAX_TEXT_CHARS:
                    raise IngestError(f"{name}：PDF 文字过多")
                pages.append(page_text)
                page.flush_cache()
    except IngestError:
        raise
    except Exception as exc:  # pdfminer raises many unrelated types on broken files
        raise IngestError(f"{name}：PDF 文件损坏或加密，无法读取（{type(exc).__name__}）") from None
    text = "\n".join(pages)
    if not text.strip():
        raise IngestError(f"{name}：PDF 中没有可提取的文字（可能是扫描件），请上传文字版 PDF 或 Word 文档")
    return _check_text(text, name)
