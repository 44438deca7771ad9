"""Reading an uploaded survey file (CSV or .xlsx) into checked rows. No database here.

Two layouts, told apart by the header row:
  per respondent  区域代码 · 调查对象 · 得分 [· 问卷编号]
  per group       区域代码 · 调查对象 · 样本量 · 平均分   (when only the aggregate is published)
Every problem is collected with its row number (the spreadsheet's, header = row 1); the caller
imports nothing when there is one.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from dutyeval.core import safexlsx

from .groups import find_group

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 200_000  # 300 students × 100 counties × 5 groups is 150,000
MAX_INFLATED = 100 * 1024 * 1024
MAX_CELL = 200  # characters: a region code, a group, a number, a questionnaire id

COLUMNS = {
    "region": ("区域代码", "地区代码", "行政区划代码", "region", "region_code"),
    "group": ("调查对象", "人群", "人群类别", "group"),
    "score": ("得分", "分数", "score"),
    "qid": ("问卷编号", "questionnaire", "questionnaire_id"),
    "n": ("样本量", "样本数", "n"),
    "mean": ("平均分", "均分", "mean"),
}
_HEADER = {name.lower(): key for key, names in COLUMNS.items() for name in names}


class FileRefused(ValueError):
    """The file as a whole cannot be read. The message is for users."""


@dataclass
class Reading:
    layout: str = ""  # respondent | aggregate
    rows_read: int = 0
    # (region code, group code) → [n, total]; totals are exact Decimals
    cells: dict[tuple[str, str], list] = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)

    def error(self, row: int | None, reason: str) -> None:
        self.errors.append({"row": row, "reason": reason})


def read_file(data: bytes, filename: str, *, scale: Decimal, regions: set[str]) -> Reading:
    """Read and check every row. `regions` are the codes the cycle evaluates. Raises FileRefused."""
    if len(data) > MAX_BYTES:
        raise FileRefused(f"文件过大（{len(data) / 1048576:.1f} MB），上限 {MAX_BYTES // 1048576} MB")
    if not data.strip():
        raise FileRefused("文件为空")
    rows = _xlsx_rows(data) if data.startswith(b"PK") else _csv_rows(data, filename)
    out = Reading()
    columns = None
    seen_ids: set[tuple[str, str]] = set()
    for number, row in rows:
        cells = ["" if c is None else str(c).strip() for c in row]
        if not any(cells):
            continue
        if any(len(c) > MAX_CELL for c in cells):
            out.error(number, f"单元格内容过长（超过 {MAX_CELL} 个字符）")
            continue
        if columns is None:
            columns = _columns(cells)
            out.layout = "respondent" if "score" in columns else "aggregate"
            continue
        out.rows_read += 1
        if out.rows_read > MAX_ROWS:
            raise FileRefused(f"数据行超过 {MAX_ROWS} 行，请分文件导入")
        _read_row(out, number, cells, columns, scale, regions, seen_ids)
    if columns is None:
        raise FileRefused("文件中没有表头行")
    if not out.rows_read:
        raise FileRefused("文件中没有数据行")
    return out


def _columns(cells: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for i, c in enumerate(cells):
        key = _HEADER.get(c.lower().replace(" ", ""))
        if key and key not in columns:
            columns[key] = i
    if "region" not in columns or "group" not in columns:
        raise FileRefused("表头须包含“区域代码”和“调查对象”两列")
    if "score" not in columns and not {"n", "mean"} <= columns.keys():
        raise FileRefused("表头须包含“得分”列（每行一份问卷），或“样本量”和“平均分”两列（每行一类人群的汇总）")
    return columns


def _read_row(out: Reading, number: int, cells: list[str], columns: dict[str, int], scale: Decimal,
              regions: set[str], seen_ids: set) -> None:
    def cell(key):
        i = columns.get(key)
        return cells[i] if i is not None and i < len(cells) else ""

    region = cell("region").removesuffix(".0")  # a code typed as a number in Excel
    group = find_group(cell("group"))
    problems = []
    if region not in regions:
        problems.append(f"区域代码“{region}”不是本次评价的被评价区域")
    if group is None:
        problems.append(f"调查对象“{cell('group')}”无法识别（学生、教师、家长、社会群众、人大政协、校长）")
    if out.layout == "respondent":
        score = _number(cell("score"), "得分", problems)
        if score is not None and not Decimal(0) <= score <= scale:
            problems.append(f"得分 {score} 超出 0–{_plain(scale)} 分的量表")
        qid = cell("qid")
        if qid and group and (region, qid) in seen_ids:
            problems.append(f"问卷编号“{qid}”在本区域重复")
        if qid:
            seen_ids.add((region, qid))
        n, total = 1, score
    else:
        n_value = _number(cell("n"), "样本量", problems)
        mean = _number(cell("mean"), "平均分", problems)
        n = int(n_value) if n_value is not None and n_value == n_value.to_integral_value() and n_value > 0 else None
        if n_value is not None and n is None:
            problems.append(f"样本量“{cell('n')}”须为正整数")
        if mean is not None and not Decimal(0) <= mean <= scale:
            problems.append(f"平均分 {mean} 超出 0–{_plain(scale)} 分的量表")
        if group and (region, group.code) in out.cells:
            problems.append(f"{region} 的“{group.label}”重复出现")
        total = mean * n if mean is not None and n else None
    for p in problems:
        out.error(number, p)
    if problems:
        return
    acc = out.cells.setdefault((region, group.code), [0, Decimal(0)])
    acc[0] += n
    acc[1] += total


def _plain(value: Decimal) -> str:
    """10.00 → 10, 100 → 100 (not 1E+2), 7.5 → 7.5."""
    return format(value.normalize(), "f")


def _number(text: str, name: str, problems: list) -> Decimal | None:
    if text == "":
        problems.append(f"{name}为空")
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        problems.append(f"{name}“{text}”不是数字")
        return None
    if not value.is_finite():
        problems.append(f"{name}“{text}”不是数字")
        return None
    return value


def _xlsx_rows(data: bytes):
    try:
        wb = safexlsx.open_workbook(data, max_inflated=MAX_INFLATED, max_sheet_rows=MAX_ROWS + 10)
        rows = list(safexlsx.iter_rows(wb, index=0))
    except safexlsx.UnsafeWorkbook as exc:
        raise FileRefused(str(exc)) from None
    return [(i, [_xlsx_cell(c) for c in row]) for i, row in enumerate(rows, start=1)]


def _xlsx_cell(value) -> str:
    if isinstance(value, float):
        # calamine gives numbers as floats: repr is the shortest text that reads back the same value
        return repr(value).removesuffix(".0") if value.is_integer() else repr(value)
    return "" if value is None else str(value)


def _csv_rows(data: bytes, filename: str):
    if b"\x00" in data[:4096] or data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRefused("文件不是 CSV 文本或 Excel（.xlsx）文件；UTF-16 文本请另存为 UTF-8 或 Excel")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileRefused("文件编码无法识别，请另存为 UTF-8 编码的 CSV 或 Excel（.xlsx）")
    if any(len(line) > 10_000 for line in text.splitlines()):
        raise FileRefused("文件中有过长的行，不是逐行的调查数据")
    try:
        return list(enumerate(csv.reader(io.StringIO(text, newline="")), start=1))
    except csv.Error as exc:
        raise FileRefused(f"CSV 格式错误：{exc}") from None
