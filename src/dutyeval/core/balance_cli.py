"""`dutyeval balance SCHOOLS.csv [--json]`: the school-balance engine on a CSV file.

Exit status: 0 computed (whatever the verdicts), 2 the file cannot be read as a school table
(missing columns, unknown level, text in a number column); every such error is listed with its
row and column so the file can be fixed in one go. Blank cells, negative figures, zero
enrolment and duplicated school codes are not file errors: they yield a verdict per county.

Speed (bench/national.py, 200,000 schools): the file is read columnar by polars and checked with
vectorised expressions; only a file that fails those checks is read again row by row by the
csv-module reader, which stays the authority on what a file means and on every message. The
report is built column by column and written by orjson, a few hundred groups at a time.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

import numpy as np
import orjson
import polars as pl

from .balance import (
    BASIC_EXTRA_COLUMNS,
    LEVEL_ALIASES,
    QUALITY_INDICATORS,
    VERDICT_NAMES,
    VERDICT_ZH,
    BalanceResult,
    SchoolTable,
    _round_exact,
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
        with open(source, "rb") as fh:
            data = fh.read()
    else:
        data = source.read().encode("utf-8")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for typed in (True, False):
        table = _read_columnar(data, typed)
        if table is not None:
            return table
    return _read_rows(io.StringIO(data.decode("utf-8"), newline=""))


# Characters Python's str.strip() removes but polars' strip_chars() (Unicode White_Space) keeps.
_PY_ONLY_SPACE = "\x1c\x1d\x1e\x1f"
_EDGE_SPACE = rf"^[\s{_PY_ONLY_SPACE}]|[\s{_PY_ONLY_SPACE}]$"
_TEXT = ("county_code", "school_code", "level")


def _read_columnar(data: bytes, typed: bool) -> SchoolTable | None:
    """The fast paths: the file read by polars, checked and converted by whole-column expressions.

    `typed`: numbers parsed by the CSV reader itself (the common, clean file); otherwise every
    cell is read as text, stripped and freed of thousands separators first. Returns None
    whenever the file is anything but clean (a bad cell, a ragged row, an odd header, bytes that
    are not UTF-8 …): `_read_rows` then decides and words the errors. On any file a fast path
    accepts, the row reader gives the same table (tests/core/test_balance_cli.py).
    """
    try:
        raw_header = pl.read_csv(data, n_rows=0, infer_schema=False).columns
    except Exception:  # noqa: BLE001 — any parse trouble: the row reader knows what to say
        return None
    header = [h.strip() for h in raw_header]
    if len(set(header)) != len(header) or any(c not in header for c in REQUIRED):
        return None
    if typed and header != raw_header:
        return None
    numeric = ["students", *(i.code for i in QUALITY_INDICATORS)]
    numeric += [c for c in BASIC_EXTRA_COLUMNS if c in header]
    try:
        if typed:
            df = pl.read_csv(
                data,
                columns=[*_TEXT, *numeric],
                infer_schema=False,
                schema_overrides={c: pl.Float64 for c in numeric},
            )
            nums = [pl.col(c).alias(f"_{c}") for c in numeric]
            odd = pl.any_horizontal(pl.col(*_TEXT).str.contains(_EDGE_SPACE).fill_null(False))
            df = df.select(*_TEXT, *(pl.lit("").alias(c) for c in numeric), *nums, odd.alias("_odd"))
            if df["_odd"].any():
                return None
        else:
            df = pl.read_csv(data, infer_schema=False)
            df.columns = header
            odd = pl.any_horizontal(
                pl.col(*_TEXT, *numeric).str.contains(f"[{_PY_ONLY_SPACE}]").fill_null(False)
            )
            cleaned = [pl.col(c).str.strip_chars().str.replace_all(",", "", literal=True) for c in numeric]
            df = df.select(
                *(pl.col(c).str.strip_chars() for c in _TEXT), *cleaned, odd.alias("_odd")
            ).with_columns(pl.col(c).cast(pl.Float64, strict=False).alias(f"_{c}") for c in numeric)
        df = df.with_columns(
            pl.col("level").replace_strict(LEVEL_ALIASES, default=None, return_dtype=pl.Int8)
        )
    except Exception:  # noqa: BLE001
        return None
    bad = pl.col("_odd") | pl.col("level").is_null() | pl.col("county_code").fill_null("").eq("")
    for c in numeric:
        text_c, num_c = pl.col(c).fill_null(""), pl.col(f"_{c}")
        # a non-empty cell that is not a number, or "nan"/"inf" typed in a cell
        bad = bad | ((text_c != "") & num_c.is_null()) | ~num_c.is_finite().fill_null(True)
    if df.select(bad.any()).item():
        return None
    n = df.height
    return SchoolTable(
        county=_str_array(df["county_code"]),
        school=_str_array(df["school_code"].fill_null("")),
        level=df["level"].to_numpy(),
        students=df["_students"].fill_null(np.nan).to_numpy(),
        resources={c: df[f"_{c}"].fill_null(np.nan).to_numpy() for c in numeric if c != "students"},
        rows=np.arange(2, n + 2),
    )


def _str_array(s: pl.Series) -> np.ndarray:
    """A string column as a NumPy unicode array, the engine's input.

    Codes usually all have one length (GB/T 2260: 6, 学校标识码: 10): then one joined string
    reinterpreted as UTF-32 is the array, without 200,000 Python str objects on the way.
    """
    lens = s.str.len_chars()
    width = lens.max() if len(s) else 0
    if width and lens.min() == width:
        joined = s.str.join("").item()
        return np.frombuffer(joined.encode("utf-32-le"), dtype=f"<U{width}").copy()
    return s.to_numpy().astype(str)


def _read_rows(source: io.TextIOBase) -> SchoolTable:
    """The row-by-row reader: slow, and the reference for what every cell means."""
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


CHUNK = 256  # groups per report batch: bounded memory, and the batch cost stays vectorised


def _report_chunks(result: BalanceResult, with_schools: bool):
    for start in range(0, len(result), CHUNK):
        yield result.group_reports(range(start, min(start + CHUNK, len(result))), with_schools)


def render_text(result: BalanceResult, with_schools: bool = True) -> str:
    out: list[str] = []
    names = [i.name for i in QUALITY_INDICATORS]
    for chunk in _report_chunks(result, with_schools):
        for rep in chunk:
            _render_group(out, rep, names, with_schools)
    return "\n".join(out)


def _render_group(out: list[str], rep: dict, names: list[str], with_schools: bool) -> None:
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
    for s in rep.get("school_list", ()) if with_schools else ():
        if s["status"] == "ok":
            flag = "达标" if s["meets_standard"] else "未达标"
            miss = [names[k] for k, m in enumerate(s["met"]) if not m]
            detail = f"，未达标项：{'、'.join(miss)}" if miss else ""
            out.append(f"  学校 {s['school_code']}：{s['standards_met']}/7项达标，{flag}{detail}")
        else:
            out.append(f"  学校 {s['school_code']}（第{s['row']}行）：{s['problem']}")
    out.append(f"  优质均衡资源配置：{VERDICT_ZH[_VERDICT_CODE[rep['quality_verdict']]]}")
    out.append(f"  基本均衡综合差异系数：{VERDICT_ZH[_VERDICT_CODE[rep['basic_verdict']]]}")
    out.extend(f"    - {r}" for r in rep["reasons"])


_VERDICT_CODE = {name: code for code, name in VERDICT_NAMES.items()}


def write_json(
    result: BalanceResult, name: str, out, with_schools: bool = True, indent: bool = False
) -> None:
    """The JSON document {"file", "groups"} written to the binary stream `out`, batch by batch.

    Groups are dicts from `group_reports` serialised by orjson; the 200,000 school records are
    serialised column-wise by polars (`struct.json_encode`) and spliced in as each group's
    `school_list`: the same content as `group_reports(with_schools=True)`, held equal by
    tests/core/test_balance_cli.py. Compact by default; `indent` (a terminal) for people.
    """
    if indent:
        groups = [rep for chunk in _report_chunks(result, with_schools) for rep in chunk]
        out.write(orjson.dumps({"file": name, "groups": groups}, option=orjson.OPT_INDENT_2))
        out.write(b"\n")
        return
    school_lists = _school_lists_json(result) if with_schools else None
    out.write(b'{"file":' + orjson.dumps(name) + b',"groups":[')
    sep = b""
    for start in range(0, len(result), CHUNK):
        stop = min(start + CHUNK, len(result))
        reps = result.group_reports(range(start, stop), with_schools=False)
        parts = []
        for g, rep in zip(range(start, stop), reps, strict=True):
            obj = orjson.dumps(rep)
            if school_lists is not None:
                obj = obj[:-1] + b',"school_list":[' + school_lists[g] + b"]}"
            parts.append(obj)
        out.write(sep + b",".join(parts))
        sep = b","
    out.write(b"]}\n")


def _school_lists_json(result: BalanceResult) -> list[bytes]:
    """Per group, its schools' JSON objects joined by commas (what `school_report` gives)."""
    order = result._order
    K = len(QUALITY_INDICATORS)
    ok = result.status[order] == 0
    problem = pl.repeat("", len(order), dtype=pl.String, eager=True).alias("problem")
    faulty = np.flatnonzero(result.problem[order] != "")
    if len(faulty):
        problem = problem.scatter(faulty, result.problem[order][faulty].tolist())
    met = np.where(ok[:, None], result.met[order], np.nan)
    df = pl.DataFrame(
        {
            "_g": result.group_of[order],
            "_ok": ok,
            "school_code": pl.Series(result.table.school[order], dtype=pl.String),
            "row": result.table.rows[order].astype(np.int64),
            "students": pl.Series(result.table.students[order].astype(np.float64)).fill_nan(None),
            "status": pl.Series(result.status[order].astype(np.int64)).replace_strict(
                {0: "ok", 1: "excluded", 2: "invalid"}, return_dtype=pl.String
            ),
            "problem": problem,
            "values": pl.Series(_round_exact(result.values[order], 4).reshape(-1, K)),
            "met": pl.Series(met.reshape(-1, K)),
            "standards_met": result.met[order].sum(axis=1).astype(np.int64),
            "meets_standard": result.meets[order],
        }
    )
    # excluded and invalid schools: no figures (null values, met, counts), as in school_report
    nulls_if_not_ok = [
        pl.when(pl.col("_ok")).then(pl.col(c)).otherwise(None).alias(c)
        for c in ("standards_met", "meets_standard")
    ]
    df = df.with_columns(
        pl.when(pl.col("_ok"))
        .then(pl.col("values").arr.to_list())
        .otherwise(pl.col("values").arr.to_list().list.eval(pl.element().fill_nan(None)))
        .alias("values"),
        pl.col("met").arr.to_list().list.eval(pl.element().fill_nan(None).cast(pl.Boolean)).alias("met"),
        *nulls_if_not_ok,
    )
    fields = [
        "school_code",
        "row",
        "students",
        "status",
        "problem",
        "values",
        "met",
        "standards_met",
        "meets_standard",
    ]
    per_group = (
        df.select("_g", pl.struct(fields).struct.json_encode().alias("j"))
        .group_by("_g", maintain_order=True)
        .agg(pl.col("j").str.join(","))
    )
    out = [b""] * len(result)
    for g, text in zip(per_group["_g"].to_list(), per_group["j"].to_list(), strict=True):
        out[g] = text.encode()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dutyeval balance", description="县域义务教育校际均衡计算")
    parser.add_argument("csv", help="学校数据CSV文件 / school CSV file")
    parser.add_argument("--json", action="store_true", help="输出JSON / print JSON")
    parser.add_argument(
        "--no-schools",
        dest="schools",
        action="store_false",
        help="不输出每所学校的明细（school_list）/ leave out the per-school lists",
    )
    args = parser.parse_args(argv)
    try:
        table = read_schools_csv(args.csv)
    except OSError as exc:
        print(f"{args.csv}: 无法读取文件 / cannot read: {exc}", file=sys.stderr)
        return 2
    except UnicodeDecodeError as exc:
        print(f"{args.csv}: 不是UTF-8编码的文本 / not UTF-8 text (byte {exc.start})", file=sys.stderr)
        return 2
    except CsvError as exc:
        for e in exc.errors:
            print(f"{args.csv}: {e}", file=sys.stderr)
        return 2
    result = compute_balance(table)
    try:
        if args.json:
            sys.stdout.flush()
            out = sys.stdout.buffer
            write_json(result, str(args.csv), out, args.schools, indent=sys.stdout.isatty())
            out.flush()
        else:
            print(render_text(result, args.schools) if len(result) else "文件中没有学校记录")
    except BrokenPipeError:  # `| head` closed the pipe: not an error of ours
        sys.stderr.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
