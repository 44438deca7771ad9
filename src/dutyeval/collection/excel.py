"""The Excel template a county downloads, fills and uploads (openpyxl out, python-calamine in)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from dutyeval.core import safexlsx
from dutyeval.core.catalogue import Catalogue, default_catalogue

META_SHEET = "填写说明"
HEADER_CODE = "代码"
HEADER_VALUE = "填报值"
_THIN = Side(style="thin", color="BFBFBF")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="DCE6F1")
_INPUT_FILL = PatternFill("solid", fgColor="FFF9DB")
# a template sheet holds one area, at most a few dozen elements; a thousand rows is already absurd
MAX_SHEET_ROWS = 1000
MAX_INFLATED = 64 * 1024 * 1024  # the real template inflates to ~100 KB


def append_text_safe(ws, values: Iterable) -> None:
    """Append a row in which no text becomes a formula.

    openpyxl turns any str starting with "=" into a formula cell, so a cell text such as
    ``=HYPERLINK(...)`` or ``=cmd|' /C calc'!A0`` taken from an upload would run when the
    workbook is opened. Marking the cell as a string keeps the text exactly as the user wrote it
    and Excel shows it without evaluating (OWASP "CSV injection"; "+", "-", "@" only matter in
    CSV, where every value is parsed again, and strings in an .xlsx are never parsed).
    """
    ws.append(list(values))
    for cell in ws[ws.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"


def build_template(
    region_code: str,
    region_name: str,
    year: int,
    current: dict[str, Decimal],
    previous: dict[str, Decimal],
    catalogue: Catalogue | None = None,
    area_years: dict[str, int] | None = None,
) -> bytes:
    """The template of one region. `current` and `previous` hold each element's value of its own
    year and the year before; `area_years` gives a 填报类别 a year other than `year` (finance of N−1)."""
    cat = catalogue or default_catalogue()
    wb = Workbook()
    meta = wb.active
    meta.title = META_SHEET
    _write_meta(meta, region_code, region_name, year)
    for area, area_name in cat.areas.items():
        ws = wb.create_sheet(area_name)
        area_year = (area_years or {}).get(area, year)
        append_text_safe(ws, [f"{region_name} {area_year}年 {area_name} 数据填报表"])
        ws["A1"].font = Font(bold=True, size=14)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=6)
        append_text_safe(ws, [HEADER_CODE, "数据项", "单位", f"{area_year}年{HEADER_VALUE}", f"{area_year - 1}年数值（参考）",
                              "说明"])
        for cell in ws[2]:
            cell.font = Font(bold=True)
            cell.fill = _HEAD_FILL
            cell.border = _BORDER
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for el in cat.in_area(area):
            hint = "可超过100%（毛率）" if el.over_100 else ("不得超过100%" if el.kind == "rate" else "")
            if el.year_kind == "school":  # the sheet's year is a finance year: say which school year is asked
                hint = "；".join(filter(None, [f"填{el.year_label(area_year)}数据", hint]))
            append_text_safe(
                ws,
                [
                    el.code,
                    el.name,
                    el.unit,
                    _num(current.get(el.code)),
                    _num(previous.get(el.code)),
                    hint,
                ],
            )
            for cell in ws[ws.max_row]:
                cell.border = _BORDER
            ws.cell(ws.max_row, 4).fill = _INPUT_FILL
        for col, width in zip(range(1, 7), (30, 40, 8, 18, 18, 22), strict=True):
            ws.column_dimensions[get_column_letter(col)].width = width
        ws.freeze_panes = "D3"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _write_meta(ws, region_code, region_name, year):
    rows = [
        ("区域代码", region_code),
        ("区域名称", region_name),
        ("数据年度", year),
        ("说明", "请在各工作表黄色“填报值”列填写数字；单位见“单位”列，金额单位为万元时保留至小数点后四位（精确到元）。"),
        ("说明", "不要修改“代码”列和工作表名称；不填写的项留空。上传时整份文件全部校验通过才会写入。"),
    ]
    for r in rows:
        append_text_safe(ws, r)
    ws.column_dimensions["A"].width = 12
    ws.column_dimensions["B"].width = 90


def _num(v):
    return None if v is None else float(v) if v != v.to_integral_value() else int(v)


@dataclass
class ParsedUpload:
    region_code: str | None = None
    year: int | None = None
    values: dict[str, object] = field(default_factory=dict)
    locations: dict[str, tuple[str, int]] = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)  # {sheet,row,field,reason}


class UploadRejected(Exception):
    """The file itself is unusable (not an Excel file, not our template)."""


def read_upload(data: bytes, *, max_bytes: int, catalogue: Catalogue | None = None) -> ParsedUpload:
    """Read a filled template. Bounded: see core/safexlsx.py; rows are read one at a time."""
    cat = catalogue or default_catalogue()
    if len(data) > max_bytes:
        raise UploadRejected(f"文件过大（{len(data) // 1024} KB），上限为 {max_bytes // 1024 // 1024} MB")
    try:
        wb = safexlsx.open_workbook(data, max_inflated=min(20 * max_bytes, MAX_INFLATED),
                                    max_sheet_rows=MAX_SHEET_ROWS)
        return _read_workbook(wb, cat)
    except safexlsx.UnsafeWorkbook as exc:
        raise UploadRejected(str(exc)) from None


def _read_workbook(wb, cat: Catalogue) -> ParsedUpload:
    out = ParsedUpload()
    if META_SHEET in wb.sheet_names:
        for n, row in enumerate(safexlsx.iter_rows(wb, META_SHEET)):
            if n >= 20:
                break
            if len(row) >= 2 and row[0] == "区域代码":
                out.region_code = short(str(row[1]).split(".")[0], 12)
            if len(row) >= 2 and row[0] == "数据年度":
                try:
                    out.year = int(float(row[1]))
                except (TypeError, ValueError, OverflowError):
                    pass
    area_names = set(cat.areas.values())
    found = False
    for name in wb.sheet_names:
        if name not in area_names:
            continue
        found = True
        _read_sheet(name, safexlsx.iter_rows(wb, name), cat, out)
    if not found:
        raise UploadRejected("文件中没有找到填报工作表，请使用本系统下载的填报模板")
    return out


def short(text: str, limit: int = 40) -> str:
    """User text quoted in an error: cut, so a 100,000-character cell stores as a few dozen."""
    return text if len(text) <= limit else f"{text[:limit]}…"


def _read_sheet(name: str, rows: Iterable[list], cat: Catalogue, out: ParsedUpload) -> None:
    rows = iter(rows)
    value_col = None
    header_row = None
    for i, r in enumerate(rows, start=1):
        if r and str(r[0]).strip() == HEADER_CODE:
            header_row = i
            header = [str(c) for c in r]
            value_col = next((j for j, h in enumerate(header) if HEADER_VALUE in h), None)
            break
        if i >= 6:
            break
    if header_row is None:
        out.errors.append({"sheet": name, "row": None, "field": "", "reason": "找不到表头（第一列应为“代码”）"})
        return
    if value_col is None:
        out.errors.append({"sheet": name, "row": header_row, "field": "", "reason": "表头中没有“填报值”列"})
        return
    for i, row in enumerate(rows, start=header_row + 1):
        code = str(row[0]).strip() if row and row[0] is not None else ""
        if not code:
            continue
        if code not in cat:
            code = short(code)
            out.errors.append({"sheet": name, "row": i, "field": code, "reason": f"未知的数据项代码“{code}”"})
            continue
        if code in out.locations:
            sheet, first = out.locations[code]
            out.errors.append(
                {"sheet": name, "row": i, "field": code, "reason": f"与工作表“{sheet}”第{first}行重复"}
            )
            continue
        value = row[value_col] if value_col < len(row) else ""
        if value is None or str(value).strip() == "":
            continue  # a blank cell leaves the stored value alone; clearing is done in the web form
        out.values[code] = value
        out.locations[code] = (name, i)


def errors_workbook(errors: list[dict], warnings: list[dict] | None = None, *, total: int | None = None) -> bytes:
    """The downloadable error list. `total` is the count of all errors when only the first were kept."""
    wb = Workbook()
    ws = wb.active
    ws.title = "错误清单"
    append_text_safe(ws, ["工作表", "行号", "数据项代码", "数据项", "级别", "原因"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEAD_FILL
    for e in [*errors, *(warnings or [])]:
        append_text_safe(
            ws,
            [
                e.get("sheet", ""),
                e.get("row"),
                e.get("field", ""),
                e.get("label", ""),
                "错误" if e.get("severity", "error") == "error" else "提示",
                e.get("reason", ""),
            ],
        )
    if total is not None and total > len(errors):
        append_text_safe(ws, ["", None, "", "", "", f"以上为前 {len(errors)} 处错误，另有 {total - len(errors)} 处错误未列出"])
    for col, width in zip("ABCDEF", (14, 8, 30, 36, 8, 70), strict=True):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
