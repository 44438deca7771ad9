"""`dutyeval balance SCHOOLS.csv [--json]`: the school-balance engine on a CSV file.

Exit status: 0 computed (whatever the verdicts), 2 the file cannot be read as a school table
(missing columns, unknown level, text in a number column); every such error is listed with its
row and column so the file can be fixed in one go. Blank cells, negative figures, zero
enrolment and duplicated school codes are not file errors: they yield a verdict per county.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path

import numpy as np

from .balance import (
    BASIC_EXTRA_COLUMNS,
    LEVEL_ALIASES,
    QUALITY_INDICATORS,
    VERDICT_ZH,
    BalanceResult,
    SchoolTable,
    compute_balance,
)

REQUIRED = ("county_code", "school_code", "level", "students", *(i.code for i in QUALITY_INDICATORS))


class CsvError(ValueError):
    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def read_schools_csv(source: str | Path | io.TextIOBase) -> SchoolTable:
    """Parse a school CSV (UTF-8, BOM allowed). Raises CsvError listing every bad cell."""
    if isinstance(source, str | Path):
        with open(source, encoding="utf-8-sig", newline="") as fh:
            return read_schools_csv(io.StringIO(fh.read()))
    reader = csv.DictReader(source)
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise CsvError([f"缺少列 / missing columns: {', '.join(missing)}"])
    numeric = ["students", *(i.code for i in QUALITY_INDICATORS)]
    numeric += [c for c in BASIC_EXTRA_COLUMNS if c in header]
    errors: list[str] = []
    county, school, level, rows = [], [], [], []
    nums: dict[str, list[float]] = {c: [] for c in numeric}
    for line, rec in enumerate(reader, start=2):  # line 1 is the header
        lv = LEVEL_ALIASES.get((rec.get("level") or "").strip())
        if lv is None:
            errors.append(f"第{line}行 level：“{rec.get('level')}”不是 primary/junior/小学/初中")
        code = (rec.get("county_code") or "").strip()
        if not code:
            errors.append(f"第{line}行 county_code：为空")
        county.append(code)
        school.append((rec.get("school_code") or "").strip())
        level.append(lv or 0)
        rows.append(line)
        for c in numeric:
            text = (rec.get(c) or "").strip().replace(",", "")
            if text == "":
                nums[c].append(np.nan)
                continue
            try:
                v = float(text)
            except ValueError:
                errors.append(f"第{line}行 {c}：“{text}”不是数字")
                v = np.nan
            if not np.isfinite(v):  # "nan"/"inf" typed in a cell is not a figure
                errors.append(f"第{line}行 {c}：“{text}”不是有效数字")
            nums[c].append(v)
    if errors:
        raise CsvError(errors)
    return SchoolTable(
        county=np.array(county, dtype=str),
        school=np.array(school, dtype=str),
        level=np.array(level, dtype=np.int8),
        students=np.array(nums.pop("students")),
        resources={c: np.array(v) for c, v in nums.items()},
        rows=np.array(rows),
    )


def render_text(result: BalanceResult) -> str:
    out: list[str] = []
    names = [i.name for i in QUALITY_INDICATORS]
    for g in range(len(result)):
        rep = result.group_report(g)
        out.append(
            f"== 县（区）{rep['county_code']} {rep['level_name']}：{rep['schools']}所学校，在校生{rep['students']}人"
        )
        for ind in rep["indicators"]:
            cv = "—" if ind["cv"] is None else f"{ind['cv']:.4f}"
            value = "—" if ind["county_value"] is None else f"{ind['county_value']:.2f}"
            mark = {True: "✓", False: "✗", None: "?"}[ind["cv_pass"]]
            out.append(f"  {ind['name']}：县域值 {value}，差异系数 {cv} {mark}（≤{ind['cv_max']:.2f}）")
        comp = "—" if rep["composite_cv"] is None else f"{rep['composite_cv']:.4f}"
        out.append(f"  综合差异系数 {comp}（{rep['composite_basis']}，≤{rep['composite_max']:.2f}）")
        for s in rep["school_list"]:
            if s["status"] == "ok":
                flag = "达标" if s["meets_standard"] else "未达标"
                miss = [names[k] for k, m in enumerate(s["met"]) if not m]
                detail = f"，未达标项：{'、'.join(miss)}" if miss else ""
                out.append(f"  学校 {s['school_code']}：{s['standards_met']}/7项达标，{flag}{detail}")
            else:
                out.append(f"  学校 {s['school_code']}（第{s['row']}行）：{s['problem']}")
        out.append(f"  优质均衡资源配置：{VERDICT_ZH[int(result.quality_verdict[g])]}")
        out.append(f"  基本均衡综合差异系数：{VERDICT_ZH[int(result.basic_verdict[g])]}")
        out.extend(f"    - {r}" for r in rep["reasons"])
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dutyeval balance", description="县域义务教育校际均衡计算")
    parser.add_argument("csv", help="学校数据CSV文件 / school CSV file")
    parser.add_argument("--json", action="store_true", help="输出JSON / print JSON")
    args = parser.parse_args(argv)
    try:
        table = read_schools_csv(args.csv)
    except OSError as exc:
        print(f"{args.csv}: 无法读取文件 / cannot read: {exc}", file=sys.stderr)
        return 2
    except CsvError as exc:
        for e in exc.errors:
            print(f"{args.csv}: {e}", file=sys.stderr)
        return 2
    result = compute_balance(table)
    if args.json:
        doc = {"file": str(args.csv), "groups": [result.group_report(g) for g in range(len(result))]}
        text = json.dumps(doc, ensure_ascii=False, indent=2)
    else:
        text = render_text(result) if len(result) else "文件中没有学校记录"
    try:
        print(text)
    except BrokenPipeError:  # `| head` closed the pipe: not an error of ours
        sys.stderr.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
