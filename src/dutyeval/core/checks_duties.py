"""More statutory checks (issue #13 Part B 3–4): the figures the reports state that the first set of
checks did not read. core.checks adds them to CHECKS; thresholds, sources and confidence are in
thresholds.yaml like every other check (docs/checks.md has the table).

Most are shares: a part over a whole, or a reported rate when the region gives one. Where no
national figure was read (STANDARDS.md), thresholds.yaml has `value: null` and the scheme states it.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .balance import JUNIOR, PRIMARY, BalanceResult
from .check_base import (
    _NOISE,
    FAIL,
    HALF_UNIT,
    INSUFFICIENT,
    OPS,
    PASS,
    CheckError,
    CheckResult,
    _compare,
    _Ctx,
    _prefer,
    _ratio,
    _ratio_tol,
    _result,
)
from .dataset import Dataset

# 生均公用经费 extras (STANDARDS §4.3, H): boarding pupils +200 元 a year; rural schools with fewer
# than 100 pupils funded as 100; special schools 6000 元 a pupil. A scheme may state others.
DISBURSEMENT_DEFAULTS = {"boarding": 200.0, "floor": 100.0, "special": 6000.0}
BALANCE_LEVELS = {"primary": PRIMARY, "junior": JUNIOR}
BALANCE_NAMES = {"primary": "小学", "junior": "初中"}


def _share(name: str, title: str, parts: tuple[str, ...], wholes: tuple[str, ...], *,
           reported: str | None = None, complement: bool = False, bounded: bool = True):  # fmt: skip
    """parts ÷ wholes × 100 (or (wholes − parts) ÷ wholes with `complement`); a reported rate wins.
    A non-gross share above 100 % is a data error (数据不足 with a note), never a pass."""

    def run(ctx: _Ctx, params: Mapping) -> CheckResult:
        n = len(ctx.ds)
        pv, wv = [ctx.col(c) for c in parts], [ctx.col(c) for c in wholes]
        den = np.sum(wv, axis=0) if wv else np.full(n, np.nan)
        num = np.sum(pv, axis=0) if pv else np.full(n, np.nan)
        value = _ratio(den - num if complement else num, den)
        tol = _ratio_tol(den)
        figures = [(c, ctx.year, v) for c, v in zip((*parts, *wholes), (*pv, *wv), strict=True)]
        if reported:
            rep = ctx.col(reported)
            figures.insert(0, (reported, ctx.year, rep))
            value, tol = _prefer(rep, value), np.where(np.isfinite(rep), HALF_UNIT, tol)
        spec = ctx.thresholds.specs[name]
        error = np.isfinite(value) & (value > 100 + np.nan_to_num(tol) + _NOISE * 101) if bounded else None
        rule = f"{spec.meaning}{OPS[spec.op]}{{t}}{spec.unit}"
        note = f"{spec.meaning}超过100%，数据有误"
        return _result(ctx, name, title, params, value, figures, rule, tol, error=error, note=note)

    return run


def _three_growths(ctx: _Ctx, params: Mapping) -> CheckResult:
    """《教育法》三个增长: 教育财政拨款的增长高于财政经常性收入的增长, in percentage points."""
    edu, edu0 = ctx.col("edu_exp_budget"), ctx.col("edu_exp_budget", -1)
    rev, rev0 = ctx.col("fiscal_recurrent_revenue"), ctx.col("fiscal_recurrent_revenue", -1)
    gap = _ratio(edu - edu0, edu0) - _ratio(rev - rev0, rev0)
    figures = [("edu_exp_budget", ctx.year, edu), ("edu_exp_budget", ctx.year - 1, edu0),
               ("fiscal_recurrent_revenue", ctx.year, rev), ("fiscal_recurrent_revenue", ctx.year - 1, rev0)]  # fmt: skip
    rule = (
        f"一般公共预算教育支出增长率（{ctx.label('edu_exp_budget')}比{ctx.label('edu_exp_budget', -1)}）"
        f"高于财政经常性收入增长率（{ctx.label('fiscal_recurrent_revenue')}比"
        f"{ctx.label('fiscal_recurrent_revenue', -1)}）{{t}}个百分点以上"
    )
    # half a recorded unit of this year's education spending, in points of its growth
    return _result(ctx, "three_growths", "教育拨款增长高于财政经常性收入增长", params, gap, figures, rule,
                   _ratio_tol(edu0))  # fmt: skip


def _myopia_decrease(ctx: _Ctx, params: Mapping) -> CheckResult:
    """The myopia rate falls by at least t percentage points on the previous (school) year."""
    cur, prev = ctx.col("myopia_rate"), ctx.col("myopia_rate", -1)
    figures = [("myopia_rate", ctx.year, cur), ("myopia_rate", ctx.year - 1, prev)]
    rule = f"儿童青少年总体近视率{ctx.label('myopia_rate')}比{ctx.label('myopia_rate', -1)}下降不少于{{t}}个百分点"
    return _result(ctx, "myopia_decrease", "近视率逐年下降", params, prev - cur, figures, rule, HALF_UNIT)


def _public_funds_disbursed(ctx: _Ctx, params: Mapping) -> CheckResult:
    """What the 生均公用经费 standard requires for the county's pupils against what was paid.

    required (元) = primary × standard + junior × standard + boarding × supplement
                  + (floor × small schools − their pupils) × primary standard   (small schools funded as `floor`)
                  + special-school pupils × special standard
    The base standards are those of per_student_public_funds for the region and year, unless the scheme
    gives `primary` / `junior`. A missing component is 数据不足 (a county without boarders enters 0)."""
    std = {}
    for lv in ("primary", "junior"):
        if params.get(lv) is not None:
            std[lv] = np.full(len(ctx.ds), _num(params, lv))
        else:
            std[lv], _ = ctx.threshold("per_student_public_funds", {}, lv)
    extra = {k: _num(params, k) if params.get(k) is not None else v for k, v in DISBURSEMENT_DEFAULTS.items()}
    codes = ("pub_funds_disbursed", "enrol_primary", "enrol_junior", "enrol_boarding", "small_schools",
             "enrol_small_schools", "enrol_special_school")  # fmt: skip
    paid, primary, junior, boarding, small, small_pupils, special = (ctx.col(c) for c in codes)
    top_up = np.maximum(extra["floor"] * small - small_pupils, 0)
    required = (primary * std["primary"] + junior * std["junior"] + boarding * extra["boarding"]
                + top_up * std["primary"] + special * extra["special"])  # fmt: skip
    value = _ratio(paid * 10000, required)  # 万元 → 元, in % of the requirement
    figures = [(c, ctx.year, v) for c, v in zip(codes, (paid, primary, junior, boarding, small, small_pupils, special),
                                                 strict=True)]  # fmt: skip
    rule = (
        "义务教育学校公用经费实际拨付额不低于按基准定额应拨付额的{t}%（应拨付额按小学{primary}元、初中{junior}元，"
        f"寄宿生每生另加{extra['boarding']:g}元，不足{extra['floor']:g}人的村小学和教学点按{extra['floor']:g}人、"
        f"特殊教育学校每生{extra['special']:g}元计）"
    )
    res = _result(ctx, "public_funds_disbursed", "生均公用经费足额拨付", params, value, figures, rule,
                  _ratio(np.full(len(ctx.ds), HALF_UNIT * 10000), required))  # fmt: skip
    res.rule_args = {"primary": std["primary"], "junior": std["junior"]}
    return res


def _num(params: Mapping, key: str) -> float:
    try:
        return float(params[key])
    except (TypeError, ValueError):
        raise CheckError(f"参数{key}应为数值，实为{params[key]!r}") from None


def _balance(measure: str):
    """Inter-school 差异系数 from school records (balance_figures): `max` is the largest of the 7
    优质均衡 indicators (each must be ≤ 0.50 primary / 0.45 junior), `composite` the 综合差异系数."""
    name = "balance_cv" if measure == "max" else "balance_cv_composite"
    title = "义务教育校际差异系数" if measure == "max" else "义务教育综合差异系数"

    def run(ctx: _Ctx, params: Mapping) -> CheckResult:
        level = params.get("level", "both")
        if level not in (*BALANCE_LEVELS, "both"):
            raise CheckError(f"{name}: level应为primary/junior/both，实为{level!r}")
        levels = list(BALANCE_LEVELS) if level == "both" else [level]
        verdicts, figures, thresholds = [], [], {}
        for lv in levels:
            code = f"balance_cv_{measure}_{lv}"
            v = ctx.col(code)
            thr, entry = ctx.threshold(name, params, lv)
            verdicts.append(_compare(v, thr, "<=", HALF_UNIT))
            figures.append((code, ctx.year, v))
            thresholds[lv] = thr
        vs = np.array(verdicts)
        verdict = np.where((vs == FAIL).any(0), FAIL, np.where((vs == PASS).all(0), PASS, INSUFFICIENT))
        which = "7项指标均" if measure == "max" else ""
        if level == "both":
            rule = f"义务教育学校校际差异系数{which}不高于小学{{primary}}、初中{{junior}}"
            value = np.full(len(ctx.ds), np.nan)
            res = _result(ctx, name, title, params, value, figures, rule, np.nan, key="primary",
                          verdict=verdict.astype(np.int8))  # fmt: skip
            res.threshold = np.full(len(ctx.ds), np.nan)
        else:
            rule = f"{BALANCE_NAMES[level]}校际差异系数{which}不高于{{t}}"
            res = _result(ctx, name, title, params, figures[0][2], figures, rule, HALF_UNIT, key=level,
                          verdict=verdict.astype(np.int8))  # fmt: skip
        res.rule_args = thresholds
        return res

    return run


def balance_figures(result: BalanceResult) -> dict[tuple[str, str], float]:
    """(county code, figure code) → the coefficients a scheme scores, from compute_balance()'s result:
    the largest single-indicator CV (only when all 7 are known) and the 综合差异系数, per level."""
    out = {}
    for g in range(len(result)):
        lv = "primary" if int(result.level[g]) == PRIMARY else "junior"
        county = str(result.county[g])
        if result.cv_known[g].all():
            out[(county, f"balance_cv_max_{lv}")] = float(result.cv[g].max())
        if np.isfinite(result.composite[g]):
            out[(county, f"balance_cv_composite_{lv}")] = float(result.composite[g])
    return out


def with_balance(ds: Dataset, result: BalanceResult, year: int) -> Dataset:
    """`ds` with the balance figures of `result` added at `year` (for the regions it has)."""
    values = dict(ds.values)
    j = year - ds.first_year
    if not 0 <= j < ds.n_years:
        raise ValueError(f"{year}年不在数据集的年份范围内")
    rows = {r: i for i, r in enumerate(ds.regions.tolist())}
    for (county, code), v in balance_figures(result).items():
        if county not in rows:
            continue
        arr = values.get(code)
        if arr is None or arr is ds.values.get(code):
            arr = values[code] = (arr.copy() if arr is not None else np.full((len(ds), ds.n_years), np.nan))
        arr[rows[county], j] = v
    return Dataset(ds.regions, ds.first_year, ds.n_years, values, ds.parent, ds.year_shift)


DUTY_CHECKS = {
    "three_growths": ("教育拨款增长高于财政经常性收入增长", _three_growths),
    "edu_surcharge_use": (
        "两项教育附加用于教育",
        _share("edu_surcharge_use", "两项教育附加用于教育", ("edu_surcharge_to_edu",), ("edu_surcharge",),
               bounded=False),  # fmt: skip
    ),
    "private_compulsory_share": (
        "民办义务教育在校生占比",
        _share("private_compulsory_share", "民办义务教育在校生占比", ("enrol_compulsory_private",),
               ("enrol_primary", "enrol_junior"), reported="private_compulsory_share"),  # fmt: skip
    ),
    "after_school_coverage": (
        "课后服务覆盖率",
        _share("after_school_coverage", "课后服务覆盖率", ("schools_after_school",),
               ("schools_primary", "schools_junior"), reported="after_school_coverage"),  # fmt: skip
    ),
    "physical_health_pass_rate": (
        "学生体质健康达标率",
        _share("physical_health_pass_rate", "学生体质健康达标率", (), (), reported="physical_health_pass_rate"),
    ),
    "myopia_decrease": ("近视率逐年下降", _myopia_decrease),
    "safe_campus_rate": (
        "平安校园达标率",
        _share("safe_campus_rate", "平安校园达标率", (), (), reported="safe_campus_rate"),
    ),
    "dual_teacher_share": (
        "“双师型”教师占比",
        _share("dual_teacher_share", "“双师型”教师占比", ("teachers_voc_dual",), ("teachers_voc_specialist",)),
    ),
    "staffing_quota": (
        "在编教职工不超过核定编制",
        _share("staffing_quota", "在编教职工不超过核定编制", ("staff_in_quota_compulsory",),
               ("staff_quota_compulsory",), bounded=False),  # fmt: skip
    ),
    "kg_nonstaff_pay": (
        "公办园非在编教师工资待遇",
        _share("kg_nonstaff_pay", "公办园非在编教师工资待遇", ("kg_teacher_pay_nonstaff",),
               ("kg_teacher_pay_staff",), bounded=False),  # fmt: skip
    ),
    "kg_class_size": (
        "幼儿园班额达标率",
        _share("kg_class_size", "幼儿园班额达标率", ("kg_classes_oversize",), ("kg_classes",), complement=True),
    ),
    "senior_large_class_share": (
        "普通高中大班额比例",
        _share("senior_large_class_share", "普通高中大班额比例", ("classes_senior_large",), ("classes_senior",)),
    ),
    "public_funds_disbursed": ("生均公用经费足额拨付", _public_funds_disbursed),
    "training_funds_pub_share": (
        "学校公用经费中教师培训经费占比",
        _share("training_funds_pub_share", "学校公用经费中教师培训经费占比", ("school_training_funds",),
               ("school_pub_funds_budget",)),  # fmt: skip
    ),
    "balance_cv": ("义务教育校际差异系数", _balance("max")),
    "balance_cv_composite": ("义务教育综合差异系数", _balance("composite")),
}
DUTY_PARAMS = {
    "public_funds_disbursed": frozenset({"primary", "junior", "boarding", "floor", "special"}),
    "balance_cv": frozenset({"level"}),
    "balance_cv_composite": frozenset({"level"}),
}

