"""The ground the statutory checks stand on: verdicts, thresholds (thresholds.yaml), the figures a
check reports, its result over every region, and the vectorised helpers the checks share.

`checks` (the first set and the registry) and `checks_duties` (the duties of issue #13) both build on
this module; neither imports the other's internals, so the two never import each other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
