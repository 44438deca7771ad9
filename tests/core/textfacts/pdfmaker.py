"""A minimal text PDF writer for tests (no PDF library is a project dependency).

Writes one page per ~40 lines with a Type0/Identity-H font whose CIDs are the characters'
code points, plus a ToUnicode CMap, so pdfplumber extracts the exact characters back. No
glyphs are embedded: the file is for text extraction, not for viewing.
"""

from __future__ import annotations


def _hex(line: str) -> str:
    return "".join(f"{ord(c):04X}" for c in line)


def make_pdf(lines: list[str], lines_per_page: int = 40) -> bytes:
    chars = sorted({c for line in lines for c in line if ord(c) < 0x10000})
    pages = [lines[i : i + lines_per_page] for i in range(0, len(lines), lines_per_page)] or [[]]
    objects: dict[int, bytes] = {}
    font_id, cid_id, tounicode_id, desc_id = 3, 4, 5, 6
    first_page = 7
    page_ids = []
    for n, page_lines in enumerate(pages):
        page_id, content_id = first_page + 2 * n, first_page + 2 * n + 1
        page_ids.append(page_id)
        ops = ["BT", "/F1 10 Tf", "12 TL", "40 800 Td"]
        for line in page_lines:
            ops.append(f"<{_hex(line)}> Tj T*")
        ops.append("ET")
        stream = "\n".join(ops).encode("ascii")
        objects[content_id] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
        objects[page_id] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
            b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (content_id, font_id)
        )
    kids = " ".join(f"{p} 0 R" for p in page_ids).encode("ascii")
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[2] = b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % len(page_ids)
    objects[font_id] = (
        b"<< /Type /Font /Subtype /Type0 /BaseFont /TestCJK /Encoding /Identity-H "
        b"/DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>" % (cid_id, tounicode_id)
    )
    objects[cid_id] = (
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /TestCJK /CIDToGIDMap /Identity "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
        b"/FontDescriptor %d 0 R /DW 1000 >>" % desc_id
    )
    objects[desc_id] = (
        b"<< /Type /FontDescriptor /FontName /TestCJK /Flags 4 /FontBBox [0 -200 1000 900] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>"
    )
    cmap_lines = [
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
        "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange",
    ]  # fmt: skip
    for i in range(0, len(chars), 100):
        chunk = chars[i : i + 100]
        cmap_lines.append(f"{len(chunk)} beginbfchar")
        cmap_lines += [f"<{ord(c):04X}> <{ord(c):04X}>" for c in chunk]
        cmap_lines.append("endbfchar")
    cmap_lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    cmap = "\n".join(cmap_lines).encode("ascii")
    objects[tounicode_id] = b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream"

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for oid in sorted(objects):
        offsets[oid] = len(out)
        out += b"%d 0 obj\n" % oid + objects[oid] + b"\nendobj\n"
    xref = len(out)
    count = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % count
    for oid in range(1, count):
        out += b"%010d 00000 n \n" % offsets.get(oid, 0)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (count, xref)
    return bytes(out)


def wrap(text: str, width: int = 40) -> list[str]:
    """Break paragraphs into lines of ``width`` characters, as a PDF layout does."""
    lines = []
    for para in text.split("\n"):
        para = para.strip()
        while len(para) > width:
            lines.append(para[:width])
            para = para[width:]
        lines.append(para)
    return lines
