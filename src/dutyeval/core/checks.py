"""Statutory checks: named, data-driven tests of the hard figures an evaluation checks.

Each check runs over every region of a Dataset at once and returns, per region, a verdict
(pass / fail / insufficient data), the figures it used and the rule in words (Chinese). The
thresholds are data (thresholds.yaml: per province/city/county prefix and per year, each with
its source and confidence), and a scheme may override them with the `threshold` parameter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import yaml

from .catalogue import default_catalogue
from .expr import Dataset

PASS, FAIL, INSUFFICIENT = 1, 0, -1
VERDICTS = {PASS: "pass", FAIL: "fail", INSUFFICIENT: "insufficient"}
VERDICTS_ZH = {PASS: "符合", FAIL: "不符合", INSUFFICIENT: "数据不足"}
LEVELS = {
    "preschool": "学前教育",
    "primary": "小学",
    "junior": "初中",
    "senior": "普通高中",
    "vocational": "中职",
}
ENROLMENT = {l: f"enrol_{l}" for l in LEVELS}  # noqa: E741
# Verdicts are given at the precision the data carry, never at float noise. Every figure is
# stored with 4 decimals (万元 amounts are exact to the yuan), so a figure can be off the exact
# requirement by less than half a unit of its last recorded digit without anyone being able to
# record it closer: 474.0002 万元 of training funds against 1.5 % of 31600.0150 万元 (474.000225)
# is short by 0.25 yuan and passes; 474.0001 is short by 1.25 yuan and fails. Each check turns
# that half unit of the figure it compares into a tolerance on its value (docs/checks.md).
RECORD_UNIT = 1e-4
HALF_UNIT = RECORD_UNIT / 2
_NOISE = 1e-12  # relative float noise (doubles carry ~1e-16), on top of the tolerance


# ">" is for rules that say 高于 (strictly above): equal within the data's precision fails
OPS = {">=": "不低于", "<=": "不高于", ">": "高于"}


class CheckError(ValueError):
    """A check that cannot run as configured (unknown name, bad parameter)."""


# ---- thresholds ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ThresholdEntry:
    value: Any
    source: str
    confidence: str
    provincial: bool
    regions: tuple[str, ...] = ()
    years: tuple[int | None, int | None] = (None, None)


@dataclass(frozen=True)
class ThresholdSpec:
    check: str
    op: str
    unit: str
    meaning: str
    entries: tuple[ThresholdEntry, ...]  # [0] is the default

    def scheme_must_state(self, level: str | None = None) -> bool:
        """True when no default applies everywhere, so a scheme must give `threshold` itself:
        the default value is null (a weakly sourced or only local figure), or, for a mapping by
        school level, the level has no default figure."""
        value = self.entries[0].value
        if value is None:
            return True
        # "both" (balance_cv, per_student_public_funds) reads the primary and the junior figure
        levels = ("primary", "junior") if level == "both" else (level,)
        return isinstance(value, Mapping) and level is not None and any(value.get(lv) is None for lv in levels)


class Thresholds:
    def __init__(self, data: Mapping[str, Mapping]):
        self.specs: dict[str, ThresholdSpec] = {}
        for check, raw in data.items():
            if raw.get("op") not in OPS:
                raise ValueError(f"thresholds.{check}.op must be one of {', '.join(OPS)}")
            base = ThresholdEntry(raw["value"], raw["source"], raw["confidence"], bool(raw.get("provincial")))
            entries = [base]
            for i, o in enumerate(raw.get("overrides") or []):
                if "value" not in o or not ("regions" in o or "years" in o):
                    raise ValueError(f"thresholds.{check}.overrides[{i}] needs value and regions or years")
                years = tuple(o.get("years") or (None, None))
                entries.append(
                    ThresholdEntry(
                        o["value"],
                        o.get("source", base.source),
                        o.get("confidence", base.confidence),
                        bool(o.get("provincial", base.provincial)),
                        tuple(str(r) for r in o.get("regions") or ()),
                        (years[0], years[1]),
                    )
                )
            self.specs[check] = ThresholdSpec(
                check, raw["op"], raw["unit"], raw.get("meaning", ""), tuple(entries)
            )

    def resolve(self, check: str, regions: np.ndarray, year: int) -> np.ndarray:
        """Index into specs[check].entries of the entry that applies to each region in `year`."""
        spec = self.specs[check]
        best = np.zeros(len(regions), np.int64)
        best_rank = np.full(len(regions), -1.0)
        for idx, e in enumerate(spec.entries):
            lo, hi = e.years
            if (lo is not None and year < lo) or (hi is not None and year > hi):
                continue
            if e.regions:
                plen = np.zeros(len(regions))
                for prefix in e.regions:
                    plen = np.maximum(plen, np.where(np.char.startswith(regions, prefix), len(prefix), 0))
                match = plen > 0
            else:
                plen, match = np.zeros(len(regions)), np.ones(len(regions), bool)
            rank = plen * 1e7 + (lo or 0) * 1e2 + idx
            take = match & (rank > best_rank)
            best[take], best_rank[take] = idx, rank[take]
        return best


@lru_cache(maxsize=1)
def default_thresholds() -> Thresholds:
    text = resources.files("dutyeval.core").joinpath("thresholds.yaml").read_text("utf-8")
    return Thresholds(yaml.safe_load(text))


# ---- results ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Figure:
    code: str
    name: str
    year: int
    value: float | None
    unit: str

    @property
    def year_label(self) -> str:
        """The year in words: 2020年 (finance) or 2020/2021学年 (school year). `year` is the dataset's year
        for the figure; storage turns it into the element's own year (evaluation.recompute)."""
        cat = default_catalogue()
        return cat[self.code].year_label(self.year) if self.code in cat else f"{self.year}年"


@dataclass(frozen=True)
class CheckOutcome:
    """One region's result, ready for a page or a report."""

    check: str
    title: str
    verdict: str  # pass / fail / insufficient
    value: float | None
    threshold: float | None
    unit: str
    rule: str
    figures: tuple[Figure, ...]
    note: str
    source: str
    confidence: str
    op: str = ">="
    tolerance: float | None = None  # in the value's unit: half a recorded unit of the compared figure
    within_tolerance: bool = False  # passes only because the shortfall is below the data's precision

    def comparison(self) -> str:
        """The computed value against the threshold in words, e.g. 计算值1.49999992%，标准不低于1.5%."""
        if self.value is None or self.threshold is None:
            return ""
        unit = "" if self.unit in ("", "个") and self.check != "super_large_class_share" else self.unit
        word = OPS[self.op]
        text = f"计算值{fmt_value(self.value, self.threshold)}{unit}，标准{word}{_fmt(self.threshold)}{unit}"
        if self.within_tolerance:
            text += "（差额小于数据记录精度，按达到标准计）"
        return text


@dataclass
class CheckResult:
    """One check over all regions. verdict: int8 PASS/FAIL/INSUFFICIENT per region; value and
    threshold are floats, NaN where not applicable; error marks figures that are impossible."""

    name: str
    title: str
    unit: str
    verdict: np.ndarray
    value: np.ndarray
    threshold: np.ndarray
    figures: list[tuple[str, int, np.ndarray]]  # (element code, year, values per region)
    rule_template: str
    entry: np.ndarray  # index of the threshold entry per region (-1: parameter)
    spec: ThresholdSpec
    error: np.ndarray
    error_note: str = ""
    rule_args: dict[str, np.ndarray] = field(default_factory=dict)  # extra per-region {names} in the rule
    tolerance: np.ndarray | None = None  # per region, in the value's unit (NaN where not applicable)

    def at(self, i: int) -> CheckOutcome:
        cat = default_catalogue()

        def num(x: float) -> float | None:
            return None if not np.isfinite(x) else float(x)

        figs = tuple(
            Figure(c, _name(c), y, num(v[i]), cat[c].unit if c in cat else "")
            for c, y, v in self.figures
        )
        e = int(self.entry[i])
        src = self.spec.entries[e] if e >= 0 else None
        thr = num(self.threshold[i])
        v = int(self.verdict[i])
        note = self.error_note if self.error[i] else ("缺少计算所需的数据" if v == INSUFFICIENT else "")
        if v == INSUFFICIENT and not self.error[i] and src is not None and self.spec.scheme_must_state():
            if thr is None:
                note = "该项没有国家标准，评价方案须规定threshold"
        value, tol = num(self.value[i]), None
        if self.tolerance is not None:
            tol = num(self.tolerance[i])
        within = (
            v == PASS
            and value is not None
            and thr is not None
            and (value < thr if self.spec.op == ">=" else value > thr if self.spec.op == "<=" else False)
        )
        return CheckOutcome(
            check=self.name,
            title=self.title,
            verdict=VERDICTS[v],
            value=num(self.value[i]),
            threshold=thr,
            unit=self.unit,
            rule=self.rule_template.format(
                t=_fmt(thr), **{k: _fmt(num(a[i])) for k, a in self.rule_args.items()}
            ),
            figures=figs,
            note=note,
            source=src.source if src else "评价方案规定",
            confidence=src.confidence if src else "",
            op=self.spec.op,
            tolerance=tol,
            within_tolerance=bool(within),
        )

    def outcomes(self, rows: Sequence[int]) -> list[CheckOutcome]:
        """[at(i) for i in rows], equal field for field, with what every region shares worked out once
        (figure names and units, the threshold entries, each array read as a list): a store of the whole
        country asks for 57,000 outcomes, and at() one region at a time was its largest cost."""
        idx = np.asarray(rows, np.int64)
        cat = default_catalogue()
        metas = [(c, _name(c), y, cat[c].unit if c in cat else "") for c, y, _v in self.figures]
        columns = [_finite_list(v[idx]) for _c, _y, v in self.figures]
        value, thr = _finite_list(self.value[idx]), _finite_list(self.threshold[idx])
        tol = _finite_list(self.tolerance[idx]) if self.tolerance is not None else [None] * len(idx)
        verdict, entry, error = self.verdict[idx].tolist(), self.entry[idx].tolist(), self.error[idx].tolist()
        args = {k: _finite_list(a[idx]) for k, a in self.rule_args.items()}
        must_state, op = self.spec.scheme_must_state(), self.spec.op
        rules: dict[tuple, str] = {}
        out = []
        for k in range(len(idx)):
            v, e, t, val = verdict[k], entry[k], thr[k], value[k]
            src = self.spec.entries[e] if e >= 0 else None
            note = self.error_note if error[k] else ("缺少计算所需的数据" if v == INSUFFICIENT else "")
            if v == INSUFFICIENT and not error[k] and src is not None and must_state and t is None:
                note = "该项没有国家标准，评价方案须规定threshold"
            key = (_fmt(t), *(_fmt(a[k]) for a in args.values()))
            rule = rules.get(key)
            if rule is None:
                rule = rules[key] = self.rule_template.format(t=key[0], **dict(zip(args, key[1:], strict=True)))
            within = v == PASS and val is not None and t is not None and (
                val < t if op == ">=" else val > t if op == "<=" else False)  # fmt: skip
            out.append(CheckOutcome(
                check=self.name, title=self.title, verdict=VERDICTS[v], value=val, threshold=t, unit=self.unit,
                rule=rule, figures=tuple(Figure(c, n, y, col[k], u) for (c, n, y, u), col in zip(metas, columns, strict=True)),
                note=note, source=src.source if src else "评价方案规定", confidence=src.confidence if src else "",
                op=op, tolerance=tol[k], within_tolerance=bool(within),
            ))  # fmt: skip
        return out


def _finite_list(a: np.ndarray) -> list[float | None]:
    """The array as Python floats, None where not finite (NaN, ±inf)."""
    return [x if ok else None for x, ok in zip(a.astype(float).tolist(), np.isfinite(a).tolist(), strict=True)]


def _name(code: str) -> str:
    cat = default_catalogue()
    return cat[code].name if code in cat else code


def _fmt(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x:g}" if abs(x) < 1e6 else f"{x:.0f}"


def fmt_value(x: float, threshold: float | None = None) -> str:
    """A computed value to 4 decimals, or to 9 significant digits where 4 decimals would make
    it look equal to the threshold it misses (1.49999992 against 1.5)."""
    text = f"{x:.4f}".rstrip("0").rstrip(".")
    if threshold is not None and x != threshold and round(x, 4) == round(threshold, 4):
        text = f"{x:.9g}"
    return "0" if text == "-0" else text


# ---- machinery -------------------------------------------------------------------------------
@dataclass
class _Ctx:
    ds: Dataset
    year: int
    thresholds: Thresholds

    def col(self, code: str, offset: int = 0) -> np.ndarray:
        return self.ds.column(code, self.year + offset)

    def label(self, code: str, offset: int = 0) -> str:
        """The year of `code` read at `offset` in words (2019年, 2020/2021学年): each element has its own."""
        year = self.ds.year_of(code, self.year + offset)
        cat = default_catalogue()
        return cat[code].year_label(year) if code in cat else f"{year}年"

    def threshold(self, check: str, params: Mapping, key: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Per-region threshold and entry index; a `threshold` parameter wins over the file."""
        n = len(self.ds)
        if params.get("threshold") is not None:
            t = params["threshold"]
            t = t[key] if isinstance(t, Mapping) and key else t
            try:
                return np.full(n, float(t)), np.full(n, -1, np.int64)
            except (TypeError, ValueError):
                raise CheckError(f"{check}: 参数threshold应为数值，实为{t!r}") from None
        spec = self.thresholds.specs[check]
        idx = self.thresholds.resolve(check, self.ds.regions, self.year)
        if key is None:
            values = [e.value for e in spec.entries]
        else:  # an override that omits a level keeps the default entry's figure for it
            base = spec.entries[0].value.get(key)
            if base is None:
                raise CheckError(f"{check}: 没有“{key}”的法定标准，请在评价方案参数中给出threshold")
            values = [e.value.get(key, base) for e in spec.entries]
        return np.asarray(values, float)[idx], idx


def _compare(value: np.ndarray, threshold: np.ndarray, op: str, tol: np.ndarray | float) -> np.ndarray:
    """PASS where `value` meets `threshold` within `tol` (the data's precision, see HALF_UNIT)."""
    known = np.isfinite(value) & np.isfinite(threshold)
    tol = np.nan_to_num(tol) + _NOISE * (np.abs(threshold) + 1)
    with np.errstate(invalid="ignore"):
        if op == ">":
            ok = value > threshold + tol
        else:
            ok = value >= threshold - tol if op == ">=" else value <= threshold + tol
    return np.where(known, np.where(ok, PASS, FAIL), INSUFFICIENT).astype(np.int8)


def _ratio_tol(den: np.ndarray, scale: float = 100.0) -> np.ndarray:
    """Half a recorded unit of the numerator of num × scale ÷ den, in the ratio's unit."""
    return _ratio(np.full(np.shape(den), HALF_UNIT), den, scale)


def _ratio(num: np.ndarray, den: np.ndarray, scale: float = 100.0) -> np.ndarray:
    with np.errstate(all="ignore"):
        r = num * scale / np.where(den > 0, den, np.nan)
    return np.where(np.isfinite(r), r, np.nan)


def _prefer(reported: np.ndarray, derived: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(reported), reported, derived)


def _result(
    ctx, name, title, params, value, figures, rule, tol, *, key=None, verdict=None, error=None, note=""
):
    spec = ctx.thresholds.specs[name]
    thr, entry = ctx.threshold(name, params, key)
    tol = np.broadcast_to(np.asarray(tol, float), np.shape(value)).copy()
    v = _compare(value, thr, spec.op, tol) if verdict is None else verdict
    error = np.zeros(len(ctx.ds), bool) if error is None else error
    v = np.where(error, INSUFFICIENT, v).astype(np.int8)
    return CheckResult(
        name,
        title,
        spec.unit,
        v,
        np.where(error, np.nan, value),
        thr,
        figures,
        rule,
        entry,
        spec,
        error,
        note,
        tolerance=tol,
    )


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

# The checks of issue #13 Part B 3–4 live in checks_duties, which needs the helpers above and adds itself
# to CHECKS and PARAMS when it runs; importing it here makes them present whichever module loads first.
from . import checks_duties  # noqa: E402, F401


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
