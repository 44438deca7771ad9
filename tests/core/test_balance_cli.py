"""The fast `dutyeval balance` (polars reader, column-wise report, orjson) against the CLI as it was.

`reference_json` below is the report code of the CLI before it was made fast (csv-module reader,
one dict per school, `json.dumps(indent=2)`), kept verbatim as the definition of the output.
"""

from __future__ import annotations

import io
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dutyeval.core.balance import (
    BASIC_CV_MAX,
    BASIC_EXTRA_COLUMNS,
    LEVEL_CODES,
    LEVEL_NAMES,
    QUALITY_CV_MAX,
    QUALITY_INDICATORS,
    VERDICT_NAMES,
    _round_exact,
    compute_balance,
)
from dutyeval.core.balance_cli import _read_columnar, _read_rows, main, read_schools_csv

CODES = [i.code for i in QUALITY_INDICATORS]
STD = {"primary": [4.2, 1.0, 0.9, 4.5, 7.5, 2000, 2.3], "junior": [5.3, 1.0, 0.9, 5.8, 10.2, 2500, 2.4]}
PER = [i.per for i in QUALITY_INDICATORS]


def reference_json(result, path) -> str:
    """The CLI's JSON before the speed work (balance.py group_report/school_report, verbatim)."""

    def f(x, nd=6):
        return None if not np.isfinite(x) else round(float(x), nd)

    def school_report(s):
        st = int(result.status[s])
        return {
            "school_code": str(result.table.school[s]),
            "row": int(result.table.rows[s]),
            "students": None
            if not np.isfinite(result.table.students[s])
            else float(result.table.students[s]),
            "status": ("ok", "excluded", "invalid")[st],
            "problem": str(result.problem[s]),
            "values": [None if st else round(float(v), 4) for v in result.values[s]],
            "met": [None if st else bool(m) for m in result.met[s]],
            "standards_met": None if st else int(result.met[s].sum()),
            "meets_standard": None if st else bool(result.meets[s]),
        }

    def group_report(g):
        lv = int(result.level[g])
        return {
            "county_code": str(result.county[g]),
            "level": LEVEL_CODES[lv],
            "level_name": LEVEL_NAMES[lv],
            "schools": int(result.n_schools[g]),
            "schools_used": int(result.n_used[g]),
            "schools_below_standard": int(result.n_below[g]),
            "students": int(result.students[g]),
            "indicators": [
                {
                    "code": ind.code,
                    "name": ind.name,
                    "unit": ind.unit,
                    "standard": ind.standard[lv],
                    "county_value": f(result.county_value[g, k]),
                    "sd": f(result.sd[g, k]),
                    "cv": f(result.cv[g, k]),
                    "cv_max": QUALITY_CV_MAX[lv],
                    "cv_pass": bool(result.cv_pass[g, k]) if result.cv_known[g, k] else None,
                }
                for k, ind in enumerate(QUALITY_INDICATORS)
            ],
            "quality_verdict": VERDICT_NAMES[int(result.quality_verdict[g])],
            "composite_cv": f(result.composite[g]),
            "composite_basis": result.composite_basis,
            "composite_max": BASIC_CV_MAX[lv],
            "basic_verdict": VERDICT_NAMES[int(result.basic_verdict[g])],
            "reasons": result.reasons(g),
            "school_list": [school_report(int(s)) for s in result.schools_of(g)],
        }

    doc = {"file": str(path), "groups": [group_report(g) for g in range(len(result))]}
    return json.dumps(doc, ensure_ascii=False, indent=2)


def canonical(text: str | bytes) -> str:
    """Same content ⇔ same canonical text (keeps key order and int/float/bool distinctions)."""
    return json.dumps(json.loads(text), ensure_ascii=False)


def generated_csv(path, n_counties=120, seed=11, basic=False, thousands=False):
    """A province-like file with every fault the engine handles, figures with 2 decimals."""
    rng = np.random.default_rng(seed)
    header = ["county_code", "school_code", "level", "students", *CODES]
    if basic:
        header += list(BASIC_EXTRA_COLUMNS)
    lines = [",".join(header)]
    row = 0
    for c in range(n_counties):
        county = f"{340100 + c:06d}"
        quality = rng.uniform(0.7, 1.5)
        for _ in range(int(rng.integers(1, 25))):
            lv = "primary" if rng.random() < 0.7 else "junior"
            students = int(rng.lognormal(6, 0.9))
            figs = [
                students / p * sd * quality * rng.uniform(0.6, 1.5)
                for p, sd in zip(PER, STD[lv], strict=True)
            ]
            cells = [f"{v:.2f}" for v in figs]
            u = rng.random()
            if u < 0.01:
                students = 0
            elif u < 0.02:
                cells[4] = f"-{cells[4]}"
            elif u < 0.03:
                cells[6] = ""
            code = f"S{row:07d}" if rng.random() > 0.01 else f"S{max(row - 1, 0):07d}"  # duplicates
            level = {"primary": "小学", "junior": "初中"}[lv] if rng.random() < 0.5 else lv
            extra = [f"{rng.uniform(0, 500):.0f}" for _ in BASIC_EXTRA_COLUMNS] if basic else []
            if thousands and rng.random() < 0.1:
                cells[5] = f'"{float(cells[5]):,.2f}"'
            lines.append(",".join([county, code, level, str(students), *cells, *extra]))
            row += 1
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_cli(args, capsysbinary) -> bytes:
    assert main(args) == 0
    return capsysbinary.readouterr().out


@pytest.mark.parametrize("basic", [False, True])
def test_json_output_is_the_same_as_before(tmp_path, capsysbinary, basic):
    path = generated_csv(tmp_path / "schools.csv", basic=basic)
    new = run_cli([str(path), "--json"], capsysbinary)
    old = reference_json(compute_balance(_read_rows(io.StringIO(path.read_text("utf-8-sig")))), path)
    assert canonical(new) == canonical(old)
    doc = json.loads(new)
    statuses = {s["status"] for g in doc["groups"] for s in g["school_list"]}
    assert statuses == {"ok", "excluded", "invalid"}  # the file does exercise every case


def test_no_schools_flag_drops_only_the_school_lists(tmp_path, capsysbinary):
    path = generated_csv(tmp_path / "schools.csv", n_counties=30)
    full = json.loads(run_cli([str(path), "--json"], capsysbinary))
    short = json.loads(run_cli([str(path), "--json", "--no-schools"], capsysbinary))
    for g in full["groups"]:
        del g["school_list"]
    assert short == full
    text = run_cli([str(path), "--no-schools"], capsysbinary).decode()
    assert "== 县（区）" in text and "学校 S" not in text


def test_worked_example_still_gives_05153(tmp_path, capsysbinary):
    students, books = [45, 37, 89, 76, 55], [279, 137, 935, 160, 402]
    lines = ["county_code,school_code,level,students," + ",".join(CODES)]
    lines += [
        f"340207,s{i},小学,{p}," + ",".join([str(b)] * 7)
        for i, (p, b) in enumerate(zip(students, books, strict=True))
    ]
    path = tmp_path / "w.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    (grp,) = json.loads(run_cli([str(path), "--json"], capsysbinary))["groups"]
    assert {round(i["cv"], 4) for i in grp["indicators"]} == {0.5153}


@pytest.mark.parametrize("basic,thousands", [(False, False), (True, False), (False, True)])
def test_fast_reader_gives_the_row_readers_table(tmp_path, basic, thousands):
    path = generated_csv(tmp_path / "s.csv", n_counties=40, basic=basic, thousands=thousands)
    fast = read_schools_csv(path)
    slow = _read_rows(io.StringIO(path.read_text("utf-8-sig")))
    for name in ("county", "school", "level", "students", "rows"):
        a, b = getattr(fast, name), getattr(slow, name)
        assert a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), name
    assert fast.resources.keys() == slow.resources.keys()
    for c in fast.resources:
        assert np.array_equal(fast.resources[c], slow.resources[c], equal_nan=True), c


ODD_CELLS = [
    " 5",
    "5 ",
    "+5",
    "1e3",
    ".5",
    "5.",
    "1_000",
    "nan",
    "inf",
    "-inf",
    "0x10",
    "1e",
    "--5",
    "١٢٣",
    "５",
    "5\t",
    "  ",
    "-0",
    "+.5",
    "1e400",
    "\x1c5",
    '"1,234.5"',
    "1,2,3",
    "",
]


@pytest.mark.parametrize("cell", ODD_CELLS)
def test_odd_cells_mean_what_the_row_reader_says(tmp_path, cell):
    head = "county_code,school_code,level,students," + ",".join(CODES)
    good = ",".join(["1"] * 7)
    path = tmp_path / "o.csv"
    path.write_text(
        f"{head}\n340101,a,primary,{cell},{good}\n 340101 ,b, 初中 ,100,{good}\n", encoding="utf-8"
    )
    try:
        expected = _read_rows(io.StringIO(path.read_text("utf-8")))
    except ValueError as exc:
        expected = exc
    if isinstance(expected, ValueError):
        with pytest.raises(type(expected), match=str(expected)[:20]):
            read_schools_csv(path)
        assert (
            _read_columnar(path.read_bytes(), True) is None
            and _read_columnar(path.read_bytes(), False) is None
        )
        return
    got = read_schools_csv(path)
    assert list(got.county) == list(expected.county) and list(got.school) == list(expected.school)
    assert np.array_equal(got.students, expected.students, equal_nan=True)


def test_every_error_message_is_kept(tmp_path, capsys):
    head = "county_code,school_code,level,students," + ",".join(CODES)
    good = ",".join(["1"] * 7)
    path = tmp_path / "e.csv"
    path.write_text(
        f"{head}\n340101,a,高中,100,{good}\n,b,primary,many,{good}\n340101,c,primary,nan,{good}\n",
        encoding="utf-8",
    )
    assert main([str(path), "--json"]) == 2
    err = capsys.readouterr().err
    for msg in [
        "第2行 level：“高中”",
        "第3行 county_code：为空",
        "第3行 students：“many”不是数字",
        "第4行 students：“nan”不是有效数字",
    ]:
        assert msg in err


def test_a_file_that_is_not_utf8_is_a_message_not_a_traceback(tmp_path, capsys):
    path = tmp_path / "gbk.csv"
    path.write_bytes(
        ("county_code,school_code,level,students," + ",".join(CODES) + "\n340101,甲,小学,1").encode("gbk")
    )
    assert main([str(path), "--json"]) == 2
    assert "UTF-8" in capsys.readouterr().err


def test_header_only_file_gives_no_groups(tmp_path, capsysbinary):
    path = tmp_path / "h.csv"
    path.write_text("county_code,school_code,level,students," + ",".join(CODES) + "\n", encoding="utf-8")
    assert json.loads(run_cli([str(path), "--json"], capsysbinary))["groups"] == []


# ---- rounding: the vectorised round is Python's round, to the bit ------------------------------
@given(
    st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=50), st.sampled_from([4, 6])
)
@settings(max_examples=300)
def test_round_exact_is_pythons_round(xs, nd):
    got = _round_exact(np.array(xs), nd).tolist()
    for x, g in zip(xs, got, strict=True):
        if math.isfinite(x):
            assert g == round(x, nd) and math.copysign(1, g) == math.copysign(1, round(x, nd))
        else:
            assert g == x or (math.isnan(g) and math.isnan(x))


@given(st.integers(-(10**9), 10**9), st.sampled_from([4, 6]), st.integers(-3, 3))
def test_round_exact_near_ties(k, nd, ulps):
    # k + ½ in the last kept decimal, nudged by a few ulps: where x·10^nd rounds the wrong way
    x = (k + 0.5) / 10**nd
    for _ in range(abs(ulps)):
        x = np.nextafter(x, math.copysign(math.inf, ulps))
    assert _round_exact(np.array([x]), nd)[0] == round(float(x), nd)
