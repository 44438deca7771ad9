"""Reading uploads: encodings, .docx (with tables), text .pdf, and every kind of bad input."""

from __future__ import annotations

import io
import time
import zipfile

import docx
import pytest

from dutyeval.core.textfacts import IngestError, ingest_bytes
from dutyeval.core.textfacts.reader import MAX_BYTES, read_bytes

from .pdfmaker import make_pdf, wrap

SNIPPET = "2021年一般公共预算教育经费18.87亿万元,比上年增长17.82%。"


@pytest.mark.parametrize(
    "encoding, prefix",
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gbk", b""), ("gb18030", b""), ("utf-16-le", b"\xff\xfe")],
)
def test_it_reads_text_in_any_usual_encoding(encoding, prefix):
    src = read_bytes(prefix + SNIPPET.encode(encoding), "r.txt")
    assert src.text == SNIPPET
    assert src.format == "txt"


def test_gb18030_only_characters_decode():
    text = "㐀县教育局报告：投入5万元"  # 㐀 is outside GBK
    assert read_bytes(text.encode("gb18030")).text == text


def test_content_decides_not_the_file_name():
    assert read_bytes(SNIPPET.encode(), "report.docx").format == "txt"


def _docx(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    if table:
        t = d.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, cell in enumerate(row):
                t.cell(r, c).text = cell
    d.add_paragraph("以上报告。")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_docx_paragraphs_and_tables_keep_their_order():
    data = _docx(
        ["一、基本情况", SNIPPET],
        [["指标", "2020年", "2021年"], ["一般公共预算教育支出（万元）", "125,300", "132,800"]],
    )
    src = read_bytes(data, "r.docx")
    assert src.format == "docx"
    assert (
        src.text.index("一、基本情况") < src.text.index("指标\t2020年\t2021年") < src.text.index("以上报告")
    )
    report = ingest_bytes(data, "r.docx")
    cells = {(f.quote, f.year, f.unit, f.element) for f in report.figures}
    assert ("132,800", 2021, "万元", "edu_exp_budget") in cells
    assert any(a.kind == "unit_typo" for a in report.anomalies)


def test_pdf_text_is_read_page_by_page():
    lines = wrap("一、基本情况\n" + SNIPPET * 3, width=30) * 30  # several pages
    src = read_bytes(make_pdf(lines), "r.pdf")
    assert src.format == "pdf"
    assert src.text.count("基本情况") == 30


def test_pdf_figure_split_by_a_line_break_is_joined():
    report = ingest_bytes(make_pdf(["全县在校学生 6", ".83万人，专任教师 4,512 人。"]), "r.pdf")
    assert ("6.83万人", 6.83) in {(f.quote, float(f.value)) for f in report.figures}


# ---- bad input: clear errors, fast ---------------------------------------------------------
def _fails_fast(data: bytes, name: str, *words: str, seconds: float = 5.0) -> str:
    start = time.monotonic()
    with pytest.raises(IngestError) as err:
        ingest_bytes(data, name)
    assert time.monotonic() - start < seconds
    msg = str(err.value)
    assert name in msg
    for w in words:
        assert w in msg
    return msg


def test_empty_file():
    _fails_fast(b"", "empty.txt", "为空")


def test_binary_junk():
    import random

    rng = random.Random(7)
    junk = bytes(rng.randrange(256) for _ in range(20000))
    _fails_fast(junk, "junk.txt")


def test_fifty_megabytes_is_refused_before_parsing():
    _fails_fast(b"a" * (50 * 1024 * 1024), "big.txt", "过大", seconds=1.0)
    assert MAX_BYTES < 50 * 1024 * 1024


def test_zip_bomb_renamed_docx_is_refused_without_inflating():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"\0" * (200 * 1024 * 1024))  # 200 MB of zeros, ~200 KB packed
    data = buf.getvalue()
    assert len(data) < 1024 * 1024
    _fails_fast(data, "bomb.docx", "压缩", seconds=2.0)


def test_many_small_members_add_up_to_a_bomb():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", "<w:document/>")
        for i in range(100):
            z.writestr(f"word/media/{i}.bin", b"\0" * (900 * 1024))
    _fails_fast(buf.getvalue(), "many.docx", "解压后过大", seconds=2.0)


def test_malformed_xml_in_docx():
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_docx(["正文"]))) as src, zipfile.ZipFile(buf, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                data = data[: len(data) // 2]  # cut in the middle of a tag
            dst.writestr(item, data)
    _fails_fast(buf.getvalue(), "broken.docx", "损坏")


def test_xml_entity_expansion_is_not_followed():
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        "<w:p><w:r><w:t>&d;&d;&d;&d;&d;</w:t></w:r></w:p></w:body></w:document>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_docx(["正文"]))) as src, zipfile.ZipFile(buf, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, bomb if item.filename == "word/document.xml" else src.read(item.filename))
    start = time.monotonic()
    try:
        ingest_bytes(buf.getvalue(), "laughs.docx")
    except IngestError:
        pass
    assert time.monotonic() - start < 5


def test_zip_that_is_not_a_word_document():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    _fails_fast(buf.getvalue(), "data.docx", "Excel")


def test_truncated_zip():
    _fails_fast(_docx(["正文"])[:300], "cut.docx")


def test_old_word_format_and_images_are_named():
    _fails_fast(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old.doc", ".doc")
    _fails_fast(b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "scan.png", "图片")


def test_broken_and_empty_pdfs():
    _fails_fast(b"%PDF-1.4\n" + b"garbage " * 100, "bad.pdf", "PDF")
    _fails_fast(make_pdf([""]), "blank.pdf", "没有可提取的文字")


def test_a_report_that_is_only_whitespace_reads_as_empty_text():
    report = ingest_bytes(b"\n\n   \n", "blank.txt")
    assert report.figures == [] and report.anomalies == []


def test_pdf_with_a_deflate_bomb_stream_is_refused():
    import zlib

    pdf = make_pdf(["正文"])
    bomb = zlib.compress(b"\0" * (200 * 1024 * 1024), 9)  # 200 MB of zeros, ~200 KB packed
    obj = (
        b"99 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(bomb)
        + bomb
        + b"\nendstream\nendobj\n"
    )
    data = pdf.replace(b"xref\n", obj + b"xref\n", 1)
    _fails_fast(data, "bomb.pdf", "解压后过大", seconds=5.0)
