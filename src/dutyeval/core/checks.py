"""Statutory checks: named, data-driven tests of the hard figures an evaluation checks.

Each check runs over every region of a Dataset at once and returns, per region, a verdict
(pass / fail / insufficient data), the figures it used and the rule in words (Chinese). The
thresholds are data (thresholds.yaml: per province/city/county prefix and per year, each with
its source and confidence), and a scheme may override them with the `threshold` parameter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from .check_base import (  # noqa: F401 - re-exported: `core.checks` is where callers find a check's types
    _NOISE,
    ENROLMENT,
    FAIL,
    HALF_UNIT,
    INSUFFICIENT,
    LEVELS,
    OPS,
    PASS,
    RECORD_UNIT,
    VERDICTS,
    VERDICTS_ZH,
    CheckError,
    CheckOutcome,
    CheckResult,
    Figure,
    ThresholdEntry,
    Thresholds,
    ThresholdSpec,
    _compare,
    _Ctx,
    _finite_list,
    _fmt,
    _name,
    _prefer,
    _ratio,
    _ratio_tol,
    _result,
    default_thresholds,
    fmt_value,
)
from .checks_duties import DUTY_CHECKS, DUTY_PARAMS
from .expr import Dataset


def _rate_check(
    name: str, title: str, code: str, derive: Callable[[_Ctx], tuple] | None, may_exceed_100: bool
):
    def run(ctx: _Ctx, params: Mapping) -> CheckResult:
        reported = ctx.col(code)
        figures = [(code, ctx.year, reported)]
        value, tol = reported, np.full(len(ctx.ds), HALF_UNIT)
        if derive is not None:
            derived, parts, den = derive(ctx)
            value = _prefer(reported, derived)
            tol = np.where(np.isfinite(reported), HALF_UNIT, _ratio_tol(den))
            figures += [(c, ctx.year, v) for c, v in parts]
        error = None if may_exceed_100 else np.isfinite(value) & (value > 100 + tol + _NOISE * 101)
        spec = ctx.thresholds.specs[name]
        word = OPS[spec.op]
        rule = f"{spec.meaning}{word}{{t}}%"
        note = f"{spec.meaning}超过100%，数据有误（该比率不是毛率，不能超过100%）"
        return _result(ctx, name, title, params, value, figures, rule, tol, error=error, note=note)

    return run


def _share_of_enrolment(*parts: str):
    def derive(ctx: _Ctx):
        cols = [(c, ctx.col(c)) for c in (*parts, "enrol_preschool")]
        top = sum(v for c, v in cols[:-1])
        return _ratio(top, cols[-1][1]), cols, cols[-1][1]

    return derive


def _disabled(ctx: _Ctx):
    enrolled, eligible = ctx.col("disabled_children_enrolled"), ctx.col("disabled_children")
    figures = [("disabled_children_enrolled", enrolled), ("disabled_children", eligible)]
    return _ratio(enrolled, eligible), figures, eligible


# ---- the checks ------------------------------------------------------------------------------
def _two_no_decrease_total(ctx: _Ctx, params: Mapping) -> CheckResult:
    cur, prev = ctx.col("edu_exp_budget"), ctx.col("edu_exp_budget", -1)
    growth = _ratio(cur - prev, prev)
    thr, _ = ctx.threshold("two_no_decrease_total", params)
    known = np.isfinite(cur) & np.isfinite(prev)
    # compare the amounts, not the rate: a zero previous year still has a verdict; the required
    # amount is met within half a recorded unit of this year's amount
    need = prev * (1 + thr / 100)
    with np.errstate(invalid="ignore"):
        ok = cur >= need - HALF_UNIT - _NOISE * np.abs(need)
    verdict = np.where(known, np.where(ok, PASS, FAIL), INSUFFICIENT).astype(np.int8)
    rule = (f"一般公共预算教育支出逐年只增不减：{ctx.label('edu_exp_budget')}比"
            f"{ctx.label('edu_exp_budget', -1)}增长不低于{{t}}%")
    figures = [("edu_exp_budget", ctx.year, cur), ("edu_exp_budget", ctx.year - 1, prev)]
    return _result(
        ctx,
        "two_no_decrease_total",
        "一般公共预算教育支出只增不减",
        params,
        growth,
        figures,
        rule,
        _ratio_tol(prev),
        verdict=verdict,
    )


def _per_student(ctx: _Ctx, level: str, offset: int) -> tuple[np.ndarray, list, np.ndarray]:
    """Per-student spending (元), its figures, and half a recorded unit of it: of the reported
    figure, or of the 万元 total carried through ÷ enrolment."""
    y = ctx.year + offset
    # "total": all levels together, over the total enrolment (the statutory measure)
    ps, budget = ("per_student_budget", "edu_exp_budget") if level == "total" else (
        f"per_student_budget_{level}", f"edu_exp_budget_{level}")  # fmt: skip
    enrol_code = "enrol_total" if level == "total" else ENROLMENT[level]
    reported = ctx.col(ps, offset)
    total, enrol = ctx.col(budget, offset), ctx.col(enrol_code, offset)
    derived = _ratio(total, enrol, 10000.0)  # 万元 → 元
    figs = [(ps, y, reported), (budget, y, total), (enrol_code, y, enrol)]
    tol = np.where(np.isfinite(reported), HALF_UNIT, _ratio_tol(enrol, 10000.0))
    return _prefer(reported, derived), figs, tol


def _two_no_decrease_per_student(ctx: _Ctx, params: Mapping) -> CheckResult:
    """国办发〔2018〕82号 measures per-student spending over all students together (`level: total`,
    the default). Per level is a scheme's option: one level, or `each` (every level must not
    decrease; Shandong applies it by level, STANDARDS §4.1)."""
    level = params.get("level", "total")
    if level not in ("total", "each") and level not in LEVELS:
        raise CheckError(
            f"two_no_decrease_per_student: level应为total/each/{'/'.join(LEVELS)}，实为{level!r}"
        )
    levels = list(LEVELS) if level == "each" else [level]
    thr, _ = ctx.threshold("two_no_decrease_per_student", params)
    n = len(ctx.ds)
    any_fail, all_known, any_data = np.zeros(n, bool), np.ones(n, bool), np.zeros(n, bool)
    figures, growth, growth_tol = [], np.full(n, np.nan), np.full(n, np.nan)
    for lv in levels:
        cur, f_cur, tol = _per_student(ctx, lv, 0)
        prev, f_prev, _ = _per_student(ctx, lv, -1)
        figures += f_cur + f_prev
        known = np.isfinite(cur) & np.isfinite(prev)
        has = np.isfinite(cur) | np.isfinite(prev)
        # under "each", a level without any figure (no vocational school in the county) is skipped
        all_known &= known | (~has if level == "each" else False)
        any_data |= has
        need = prev * (1 + thr / 100)
        with np.errstate(invalid="ignore"):
            any_fail |= known & (cur < need - tol - _NOISE * np.abs(need))
        g = _ratio(cur - prev, prev)
        lower = np.isfinite(g) & ~(g >= growth)  # the level with the lowest growth is shown
        growth_tol = np.where(lower, _ratio(tol, prev), growth_tol)
        growth = np.where(lower, g, growth)
    verdict = np.where(any_fail, FAIL, np.where(all_known & any_data, PASS, INSUFFICIENT)).astype(np.int8)
    names = "各级各类教育合计" if level == "total" else "、".join(LEVELS[lv] for lv in levels)
    budget = "edu_exp_budget" if level == "total" else f"edu_exp_budget_{levels[0]}"
    enrol = "enrol_total" if level == "total" else ENROLMENT[levels[0]]
    rule = (
        f"按在校学生人数平均的一般公共预算教育支出（{names}）逐年只增不减：{ctx.label(budget)}"
        f"（在校生{ctx.label(enrol)}）比{ctx.label(budget, -1)}（在校生{ctx.label(enrol, -1)}）增长不低于{{t}}%"
    )
    return _result(
        ctx,
        "two_no_decrease_per_student",
        f"生均一般公共预算教育支出只增不减（{names}）",
        params,
        growth,
        figures,
        rule,
        growth_tol,
        verdict=verdict,
    )


def _teacher_pay_parity(ctx: _Ctx, params: Mapping) -> CheckResult:
    off = int(params.get("year_offset", 0))
    pay, civil = ctx.col("teacher_pay_compulsory", off), ctx.col("civil_servant_pay", off)
    y = ctx.year + off
    figures = [("teacher_pay_compulsory", y, pay), ("civil_servant_pay", y, civil)]
    rule = (
        f"{ctx.label('teacher_pay_compulsory', off)}义务教育教师年平均工资收入不低于当地公务员年平均工资收入的{{t}}%（《义务教育法》第三十一条）"
    )
    return _result(
        ctx, "teacher_pay_parity", "义务教育教师工资不低于公务员", params, _ratio(pay, civil), figures, rule,
        _ratio_tol(civil),
    )  # fmt: skip


def _training_funds_share(ctx: _Ctx, params: Mapping) -> CheckResult:
    funds, payroll = ctx.col("training_funds"), ctx.col("teacher_payroll")
    figures = [("training_funds", ctx.year, funds), ("teacher_payroll", ctx.year, payroll)]
    rule = "教师培训经费不低于教师工资总额的{t}%（省级或评价方案规定，无国家标准）"
    return _result(
        ctx,
        "training_funds_share",
        "教师培训经费占工资总额比例",
        params,
        _ratio(funds, payroll),
        figures,
        rule,
        _ratio_tol(payroll),
    )


def _per_student_public_funds(ctx: _Ctx, params: Mapping) -> CheckResult:
    level = params.get("level", "both")
    if level not in (*LEVELS, "both"):
        raise CheckError(f"per_student_public_funds: level应为{'/'.join(LEVELS)}/both，实为{level!r}")
    levels = ["primary", "junior"] if level == "both" else [level]
    verdicts, figures, thresholds = [], [], {}
    entry = None
    for lv in levels:
        v = ctx.col(f"per_student_pub_{lv}")
        thr, entry = ctx.threshold("per_student_public_funds", params, lv)
        verdicts.append(_compare(v, thr, ">=", HALF_UNIT))
        figures.append((f"per_student_pub_{lv}", ctx.year, v))
        thresholds[lv] = thr
    vs = np.array(verdicts)
    verdict = np.where((vs == FAIL).any(0), FAIL, np.where((vs == PASS).all(0), PASS, INSUFFICIENT)).astype(
        np.int8
    )
    spec = ctx.thresholds.specs["per_student_public_funds"]
    n = len(ctx.ds)
    if level == "both":  # two thresholds: both go into the rule text, none is "the" threshold
        rule = "生均一般公共预算公用经费不低于基准定额（小学{primary}元、初中{junior}元）"
        value, thr = np.full(n, np.nan), np.full(n, np.nan)
    else:
        rule = f"生均一般公共预算公用经费（{LEVELS[level]}）不低于基准定额{{t}}元"
        value, thr = figures[0][2], thresholds[level]
    return CheckResult(
        "per_student_public_funds", "生均公用经费不低于基准定额", spec.unit, verdict, value, thr,
        figures, rule, entry, spec, np.zeros(n, bool), rule_args=thresholds,
        tolerance=np.full(n, HALF_UNIT if level != "both" else np.nan),
    )  # fmt: skip


def _large_class_share(ctx: _Ctx, params: Mapping) -> CheckResult:
    large, super_large, classes = (
        ctx.col("classes_large"),
        ctx.col("classes_super_large"),
        ctx.col("classes_compulsory"),
    )
    # 大班额 in the national statistics means 56+; classes_large is the 56–65 band only
    include = bool(params.get("include_super_large", True))
    top = large + super_large if include else large
    figures = [("classes_large", ctx.year, large), ("classes_compulsory", ctx.year, classes)]
    if include:
        figures.insert(1, ("classes_super_large", ctx.year, super_large))
    band = "56人及以上" if include else "56—65人"
    rule = f"义务教育{band}大班额班级占班级总数的比例不高于{{t}}%"
    return _result(
        ctx,
        "large_class_share",
        "大班额比例",
        params,
        _ratio(top, classes),
        figures,
        rule,
        _ratio_tol(classes),
    )


def _super_large_class_share(ctx: _Ctx, params: Mapping) -> CheckResult:
    count = ctx.col("classes_super_large")
    figures = [
        ("classes_super_large", ctx.year, count),
        ("classes_compulsory", ctx.year, ctx.col("classes_compulsory")),
    ]
    rule = "义务教育66人及以上超大班额班级数不超过{t}个（全面消除超大班额）"
    return _result(ctx, "super_large_class_share", "消除超大班额", params, count, figures, rule, HALF_UNIT)


def _vocational_share(ctx: _Ctx, params: Mapping) -> CheckResult:
    voc, gen = ctx.col("intake_vocational"), ctx.col("intake_senior")
    share = _ratio(voc, voc + gen)
    figures = [("intake_vocational", ctx.year, voc), ("intake_senior", ctx.year, gen)]
    rule = "中职招生占高中阶段招生总数的比例不低于{t}%（普职招生规模大体相当）"
    tol = _ratio_tol(voc + gen)
    res = _result(ctx, "vocational_share", "职普招生比例大体相当", params, share, figures, rule, tol)
    if params.get("max") is not None:
        top = float(params["max"])
        over = np.isfinite(share) & (share > top + np.nan_to_num(tol) + _NOISE * (top + 1))
        res.verdict = np.where(over, FAIL, res.verdict).astype(np.int8)
        res.rule_template = rule.replace("不低于{t}%", f"在{{t}}%至{float(params['max']):g}%之间")
    return res



def _higher_vocational_per_student(ctx: _Ctx, params: Mapping) -> CheckResult:
    """A city's 公办普通高职高专 per-student spending against the provincial standard (seed 004 item 6)."""
    value = ctx.col("per_student_budget_higher_voc")
    figures = [("per_student_budget_higher_voc", ctx.year, value)]
    rule = "公办普通高职高专生均一般公共预算教育经费不低于省定标准{t}元"
    return _result(
        ctx, "higher_vocational_per_student", "高职高专生均经费不低于省定标准", params, value, figures, rule,
        HALF_UNIT,
    )  # fmt: skip


def _senior_schools_per_population(ctx: _Ctx, params: Mapping) -> CheckResult:
    """每{t}万常住人口至少一所普通高中 (`model: true`: 省级示范普通高中), as 万 residents per school ≤ t.

    No school at all for a resident population fails (the quotient is unbounded), when a threshold is set."""
    model = bool(params.get("model", False))
    code = "schools_senior_model" if model else "schools_senior"
    schools, population = ctx.col(code), ctx.col("resident_population")
    per_school = _ratio(population, schools, 1e-4)  # 人 → 万人 per school
    thr, _ = ctx.threshold("senior_schools_per_population", params)
    tol = _ratio_tol(schools, 1e-4)  # half a recorded unit of the population, in 万人 per school
    verdict = _compare(per_school, thr, "<=", tol)
    with np.errstate(invalid="ignore"):
        none = (schools <= 0) & (population > 0) & np.isfinite(thr)
    verdict = np.where(none, FAIL, verdict).astype(np.int8)
    kind = "省级示范普通高中" if model else "普通高中"
    figures = [(code, ctx.year, schools), ("resident_population", ctx.year, population)]
    rule = f"每{{t}}万常住人口至少拥有一所{kind}学校（常住人口÷{kind}学校数不高于{{t}}万人/所）"
    return _result(
        ctx, "senior_schools_per_population", f"按常住人口配置{kind}", params, per_school, figures, rule, tol,
        verdict=verdict,
    )  # fmt: skip

CHECKS: dict[str, tuple[str, Callable[[_Ctx, Mapping], CheckResult]]] = {
    "two_no_decrease_total": ("一般公共预算教育支出只增不减", _two_no_decrease_total),
    "two_no_decrease_per_student": ("生均一般公共预算教育支出只增不减", _two_no_decrease_per_student),
    "teacher_pay_parity": ("义务教育教师工资不低于公务员", _teacher_pay_parity),
    "training_funds_share": ("教师培训经费占工资总额比例", _training_funds_share),
    "per_student_public_funds": ("生均公用经费不低于基准定额", _per_student_public_funds),
    "preschool_gross_enrolment": (
        "学前三年毛入园率",
        _rate_check("preschool_gross_enrolment", "学前三年毛入园率", "gross_enrol_preschool", None, True),
    ),
    "preschool_public_share": (
        "公办园在园幼儿占比",
        _rate_check(
            "preschool_public_share",
            "公办园在园幼儿占比",
            "public_kg_share",
            _share_of_enrolment("enrol_preschool_public"),
            False,
        ),  # fmt: skip
    ),
    "preschool_affordable_coverage": (
        "普惠性幼儿园覆盖率",
        _rate_check(
            "preschool_affordable_coverage",
            "普惠性幼儿园覆盖率",
            "affordable_kg_coverage",
            _share_of_enrolment("enrol_preschool_public", "enrol_preschool_affordable"),
            False,
        ),  # fmt: skip
    ),
    "compulsory_retention": (
        "九年义务教育巩固率",
        _rate_check("compulsory_retention", "九年义务教育巩固率", "retention_compulsory", None, False),
    ),
    "disabled_enrolment": (
        "残疾儿童少年入学率",
        _rate_check("disabled_enrolment", "残疾儿童少年入学率", "disabled_enrol_rate", _disabled, False),
    ),
    "large_class_share": ("大班额比例", _large_class_share),
    "super_large_class_share": ("消除超大班额", _super_large_class_share),
    "senior_gross_enrolment": (
        "高中阶段毛入学率",
        _rate_check("senior_gross_enrolment", "高中阶段毛入学率", "gross_enrol_senior", None, True),
    ),
    "vocational_share": ("职普招生比例大体相当", _vocational_share),
    "higher_vocational_per_student": ("高职高专生均经费不低于省定标准", _higher_vocational_per_student),
    "senior_schools_per_population": ("按常住人口配置普通高中", _senior_schools_per_population),
}

# parameters each check accepts (a typo in a scheme must not silently fall back to a default)
PARAMS: dict[str, frozenset[str]] = {name: frozenset({"threshold"}) for name in CHECKS}
PARAMS["two_no_decrease_per_student"] |= {"level"}
PARAMS["per_student_public_funds"] |= {"level"}
PARAMS["teacher_pay_parity"] |= {"year_offset"}
PARAMS["large_class_share"] |= {"include_super_large"}
PARAMS["vocational_share"] |= {"max"}
PARAMS["senior_schools_per_population"] |= {"model"}

# the checks of issue #13 Part B 3–4 (checks_duties), with their own parameters
CHECKS.update(DUTY_CHECKS)
for _check in DUTY_CHECKS:
    PARAMS[_check] = frozenset({"threshold"}) | DUTY_PARAMS.get(_check, frozenset())


def check_names() -> list[str]:
    return list(CHECKS)


def run_check(
    name: str,
    ds: Dataset,
    year: int,
    params: Mapping | None = None,
    thresholds: Thresholds | None = None,
) -> CheckResult:
    """Run one named check for `year` over every region of `ds`."""
    if name not in CHECKS:
        raise CheckError(f"未知的检查项“{name}”；可用：{', '.join(CHECKS)}")
    unknown = set(params or {}) - PARAMS[name]
    if unknown:
        raise CheckError(
            f"{name}: 未知的参数{'、'.join(sorted(unknown))}；可用：{'、'.join(sorted(PARAMS[name]))}"
        )
    ctx = _Ctx(ds, year, thresholds or default_thresholds())
    return CHECKS[name][1](ctx, dict(params or {}))


def run_all(ds: Dataset, year: int, thresholds: Thresholds | None = None) -> dict[str, CheckResult]:
    """Every check with its default parameters."""
    return {name: run_check(name, ds, year, None, thresholds) for name in CHECKS}
