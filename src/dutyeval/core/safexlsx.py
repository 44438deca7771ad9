"""Opening an untrusted .xlsx without letting it expand, loop or lie its way into memory.

Every upload of a workbook (the values template, the schools list) goes through `open_workbook`:

1. the zip directory is read and each member is *inflated here, in bounded chunks*, counting the
   bytes that really come out — the sizes in the headers are the uploader's claim and are only
   compared with what we count (a forged size is refused, it never decides the budget);
2. while inflating, XML members are scanned for a DTD (billion laughs, external entities: a real
   workbook never has one) and worksheets for their number of ``<row>`` elements, so a sheet with
   a million rows is refused after its first few hundred kilobytes;
3. only then python-calamine parses the file, and its errors (or Rust panics) become `UnsafeWorkbook`.

Pure: no Django. Messages are Chinese and meant for the user.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator

MAX_MEMBERS = 1000
CHUNK = 256 * 1024


class UnsafeWorkbook(ValueError):
    """The upload is not a workbook we will parse. ``str(err)`` is a message for the user."""


_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,15}:)?row[\s>/]")
_ROW_TAIL = 24  # longer than any _ROW match, so a match cut by a chunk border is found in the next one
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def check_xlsx(data: bytes, *, max_inflated: int, max_sheet_rows: int) -> None:
    """Refuse zip bombs, forged sizes, DTDs and over-long sheets before any parser sees the file."""
    if not data.startswith(b"PK"):
        raise UnsafeWorkbook("文件不是 Excel（.xlsx）格式，请使用下载的模板")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, struct.error):
        raise UnsafeWorkbook("文件已损坏或不是 Excel（.xlsx）格式") from None
    if len(infos) > MAX_MEMBERS:
        raise UnsafeWorkbook(f"文件内部结构异常（包含 {len(infos)} 个部件），不是正常的 Excel 文件")
    if sum(i.file_size for i in infos) > max_inflated:
        raise UnsafeWorkbook(f"文件解压后过大（上限 {max_inflated // 1048576} MB），已拒绝")
    budget = max_inflated
    for info in infos:
        if info.is_dir():
            continue
        budget -= _scan_member(data, info, budget, max_sheet_rows)


def _scan_member(data: bytes, info: zipfile.ZipInfo, budget: int, max_rows: int) -> int:
    """Inflate one member in bounded chunks; returns its real size."""
    name = info.filename
    if info.flag_bits & 0x1:
        raise UnsafeWorkbook("文件已加密，请取消密码保护后再上传")
    start = _data_offset(data, info)
    raw = memoryview(data)[start: start + info.compress_size]
    if len(raw) != info.compress_size:
        raise UnsafeWorkbook("文件不完整（可能在传输中被截断），请重新上传")
    is_xml = name.endswith((".xml", ".rels", ".vml"))
    is_sheet = name.startswith("xl/worksheets/") and name.endswith(".xml")
    rows, tail, size = 0, b"", 0
    for chunk in _inflate(raw, info.compress_type, budget):
        size += len(chunk)
        if size > budget:
            raise UnsafeWorkbook("文件解压后过大，已拒绝")
        if not is_xml:
            continue
        buf = tail + chunk
        if _DTD.search(buf):
            raise UnsafeWorkbook("文件包含 XML 文档类型声明（DTD），正常的 Excel 文件没有，已拒绝")
        if is_sheet:
            cut = max(len(buf) - _ROW_TAIL, 0)
            rows += sum(1 for m in _ROW.finditer(buf) if m.start() < cut)
            if rows > max_rows:
                raise UnsafeWorkbook(_too_many_rows(max_rows))
            tail = buf[cut:]
        else:
            tail = buf[-_ROW_TAIL:]
    if is_sheet and rows + len(_ROW.findall(tail)) > max_rows:
        raise UnsafeWorkbook(_too_many_rows(max_rows))
    if size != info.file_size:
        raise UnsafeWorkbook("文件已损坏（压缩包内记录的大小与实际不符），已拒绝")
    return size


def _too_many_rows(max_rows: int) -> str:
    return f"文件中有工作表超过 {max_rows} 行，远多于模板可容纳的行数，已拒绝；请使用本系统下载的模板"


def _data_offset(data: bytes, info: zipfile.ZipInfo) -> int:
    header = data[info.header_offset: info.header_offset + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise UnsafeWorkbook("文件已损坏或不是 Excel（.xlsx）格式")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    return info.header_offset + 30 + name_len + extra_len


def _inflate(raw: memoryview, method: int, budget: int) -> Iterator[bytes]:
    if method == zipfile.ZIP_STORED:
        for i in range(0, len(raw), CHUNK):
            yield bytes(raw[i: i + CHUNK])
        return
    if method != zipfile.ZIP_DEFLATED:
        raise UnsafeWorkbook("文件使用了 Excel 不使用的压缩方式，已拒绝")
    d = zlib.decompressobj(-15)
    try:
        for i in range(0, len(raw), CHUNK):
            pending = bytes(raw[i: i + CHUNK])
            while pending:
                out = d.decompress(pending, CHUNK)
                pending = d.unconsumed_tail
                if out:
                    yield out
                if d.eof:
                    return
        out = d.flush()
        if out:
            yield out
    except zlib.error:
        raise UnsafeWorkbook("文件已损坏（压缩数据无法解开），请重新保存后上传") from None
    if not d.eof:
        raise UnsafeWorkbook("文件不完整（可能在传输中被截断），请重新上传")


def open_workbook(data: bytes, *, max_inflated: int, max_sheet_rows: int):
    """Check the file, then open it with python-calamine. Raises UnsafeWorkbook."""
    check_xlsx(data, max_inflated=max_inflated, max_sheet_rows=max_sheet_rows)
    from python_calamine import CalamineWorkbook

    return guarded(lambda: CalamineWorkbook.from_filelike(io.BytesIO(data)))


def iter_rows(wb, name: str | None = None, index: int = 0) -> Iterator[list]:
    """Rows of one sheet, one at a time; a broken sheet raises UnsafeWorkbook, mid-way if need be."""
    sheet = guarded(lambda: wb.get_sheet_by_name(name) if name is not None else wb.get_sheet_by_index(index))
    it = guarded(lambda: iter(sheet.iter_rows()))
    while True:
        row = guarded(lambda: next(it, None))
        if row is None:
            return
        yield row


def guarded(fn):
    try:
        return fn()
    except UnsafeWorkbook:
        raise
    except BaseException as exc:  # calamine errors, and pyo3's PanicException, which is a BaseException
        if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit | MemoryError):
            raise
        raise UnsafeWorkbook(f"无法读取该 Excel 文件（{type(exc).__name__}: {str(exc)[:120]}）") from None
