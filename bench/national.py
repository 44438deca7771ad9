"""National-scale benchmark of the computation core and of `dutyeval balance`, against pandas.

    .venv/bin/python bench/national.py [--scale 0.1] [--seed N] [--repeat 3] [--skip-per-county] [--skip-scoring]

Generates (fixed seed) 2,850 counties under ~340 cities and 31 provinces, 200,000 schools,
5 years and 320 data elements (`--scale` is the fraction of that), then times in one run:
  (a) the school-balance engine for every county and level, against two pandas baselines doing
      the same: a vectorised one (groupby/transform over the whole frame, what a competent
      pandas user writes) and the older county-by-county one (groupby/apply);
  (b) every statutory check plus scheme scoring (with ranking within provinces) for every county,
      against two pandas baselines written from docs/checks.md and thresholds.yaml (not from
      core/checks.py): a vectorised one (one pivot, whole-column checks and items) and a
      county-by-county one (groupby/apply); both compare at the data's precision (half a stored
      unit), resolve thresholds from the YAML, and take the thresholds the scheme states;
  (c) end to end, as a user runs it: the national school CSV written to a temporary folder,
      then `dutyeval balance FILE --json > out.json` as a subprocess (interpreter start, imports,
      reading, computing and writing included) against `bench/pandas_balance.py FILE > out.json`
      (read_csv, vectorised coefficients and verdicts, `json.dumps`), each `--repeat` times
      (best and range reported); also with orjson in the baseline, and both without the
      per-school lists (`--no-schools`). Both outputs are checked to agree.
All results are asserted equal to the baselines'. The last line holds key=value pairs:
    ratio=<(c) our time / pandas script's> e2e_ratio_orjson= e2e_ratio_noschools=
    kernel_ratio=<(a) engine / vectorised pandas> kernel_ratio_per_county=
    scoring_ratio=<(b) engine / vectorised pandas> scoring_ratio_per_county= speedup= total_s= peak_mib=
(ratios below 1 mean we are faster).
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _gen_national import YEAR, generate, write_schools_csv  # noqa: E402

from dutyeval.core import checks as C  # noqa: E402
from dutyeval.core.balance import (  # noqa: E402
    BASIC_CV_MAX,
    MIN_MET,
    MIN_SHARE,
    QUALITY_CV_MAX,
    QUALITY_INDICATORS,
    compute_balance,
)
from dutyeval.core.expr import Binary, Bool, Call, Elem, Num, Shift, Unary, parse  # noqa: E402
from dutyeval.core.scoring import score_all, to_cents  # noqa: E402

EPS = 1e-9


# checks of a share reported or computed from its counts: reported element, numerator elements, denominator
SHARE_CHECKS = {
    "preschool_public_share": ("public_kg_share", ("enrol_preschool_public",), "enrol_preschool"),
    "preschool_affordable_coverage": (
        "affordable_kg_coverage", ("enrol_preschool_public", "enrol_preschool_affordable"), "enrol_preschool"),
    "disabled_enrolment": ("disabled_enrol_rate", ("disabled_children_enrolled",), "disabled_children"),
}
# shares over a sum of wholes, with their direction: reported rate, parts, wholes, op
DUTY_SHARES = {
    "private_compulsory_share": (
        "private_compulsory_share", ("enrol_compulsory_private",), ("enrol_primary", "enrol_junior"), "<="),
    "after_school_coverage": (
        "after_school_coverage", ("schools_after_school",), ("schools_primary", "schools_junior"), ">="),
}  # fmt: skip


# ---- (a) baseline: balance, one county and level at a time ------------------------------------


def baseline_balance(df: pd.DataFrame) -> pd.DataFrame:
    cols = [i.code for i in QUALITY_INDICATORS]

    def per_group(g: pd.DataFrame) -> pd.Series:
        lv = int(g.name[1])
        res = g[cols]
        bad = res.isna().any(axis=1) | (res < 0).any(axis=1) | g["students"].isna() | (g["students"] < 0)
        bad |= g["school_code"].duplicated(keep=False)
        use = ~bad & (g["students"] != 0)
        u = g[use]
        P = u["students"].sum()
        met = pd.Series(0, index=u.index)
        low = pd.Series(np.inf, index=u.index)
        cvs = []
        for ind in QUALITY_INDICATORS:
            x = u[ind.code] * ind.per / u["students"]
            xbar = u[ind.code].sum() * ind.per / P if P > 0 else math.nan
            sd = math.sqrt(((u["students"] / P) * (x - xbar) ** 2).sum()) if P > 0 else math.nan
            cvs.append(sd / xbar if xbar > 0 else math.nan)
            share = x / ind.standard[lv]
            met += share >= 1 - EPS
            low = np.minimum(low, share)
        below = int((~((met >= MIN_MET) & (low >= MIN_SHARE - EPS))).sum())
        if bad.any() or not use.any():
            verdict, comp = -1, math.nan
        else:
            known = [not math.isnan(c) for c in cvs]
            over = any(k and c > QUALITY_CV_MAX[lv] + EPS for k, c in zip(known, cvs, strict=True))
            verdict = 0 if below or over or not all(known) else 1
            comp = sum(cvs) / len(cvs) if all(known) else math.nan
        basic = -1 if math.isnan(comp) else int(comp <= BASIC_CV_MAX[lv] + EPS)
        return pd.Series([*cvs, comp, verdict, basic], index=[*cols, "composite", "quality", "basic"])

    return df.groupby(["county_code", "level"], sort=True).apply(per_group, include_groups=False)


def baseline_balance_vectorised(df: pd.DataFrame) -> pd.DataFrame:
    """The same as `baseline_balance`, written as a pandas user would: whole-frame operations,
    one groupby over all counties and levels, no Python per county."""
    cols = [i.code for i in QUALITY_INDICATORS]
    res, students = df[cols], df["students"]
    bad = res.isna().any(axis=1) | (res < 0).any(axis=1) | students.isna() | (students < 0)
    bad |= df.duplicated(["county_code", "level", "school_code"], keep=False)
    use = ~bad & (students != 0)
    keys = [df["county_code"], df["level"]]
    w = students.where(use, 0.0)
    P = w.groupby(keys).transform("sum")
    parts = {"bad": bad, "use": use, "w": w}
    met, shares = [], []
    for ind in QUALITY_INDICATORS:
        r = res[ind.code].where(use, 0.0)
        x = (r * ind.per / students).where(use)
        xbar = r.groupby(keys).transform("sum") * ind.per / P
        parts[f"r_{ind.code}"] = r
        parts[f"d_{ind.code}"] = (w / P * (x - xbar) ** 2).where(use, 0.0)
        share = (x / np.where(df["level"] == 0, *ind.standard)).where(use, 0.0)
        shares.append(share)
        met.append(use & (share >= 1 - EPS))
    meets = use & (pd.concat(met, axis=1).sum(axis=1) >= MIN_MET)
    meets &= pd.concat(shares, axis=1).min(axis=1) >= MIN_SHARE - EPS
    parts["below"] = use & ~meets
    g = pd.DataFrame(parts).groupby(keys, sort=True).sum()
    lv = g.index.get_level_values(1).to_numpy()
    Pg = g["w"].to_numpy()
    out = pd.DataFrame(index=g.index)
    fail = g["below"].to_numpy() > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        for ind in QUALITY_INDICATORS:
            xb = np.where(Pg > 0, g[f"r_{ind.code}"].to_numpy() * ind.per / Pg, np.nan)
            sd = np.where(Pg > 0, np.sqrt(g[f"d_{ind.code}"].to_numpy()), np.nan)
            known = np.isfinite(xb) & (xb > 0)
            cv = np.where(known, sd / xb, np.nan)
            fail |= ~known | (cv > np.array(QUALITY_CV_MAX)[lv] + EPS)
            out[ind.code] = cv
    cvs = out[cols].to_numpy()
    insufficient = (g["bad"].to_numpy() > 0) | (g["use"].to_numpy() == 0)
    out["composite"] = np.where(np.isfinite(cvs).all(axis=1) & ~insufficient, cvs.mean(axis=1), np.nan)
    out["quality"] = np.where(insufficient, -1, np.where(fail, 0, 1))
    comp = out["composite"].to_numpy()
    out["basic"] = np.where(np.isnan(comp), -1, (comp <= np.array(BASIC_CV_MAX)[lv] + EPS).astype(int))
    return out


# ---- (b) baseline: checks and scoring, one county at a time ----------------------------------
def scalar_eval(node, get, year):
    """Plain-Python evaluation for one county; None = insufficient data."""

    def fin(x):
        return x if x is not None and math.isfinite(x) else None

    def ev(n, y=year):
        return scalar_eval(n, get, y)

    if isinstance(node, Num | Bool):
        return node.value
    if isinstance(node, Elem):
        v = get(node.code, year)
        return None if math.isnan(v) else v
    if isinstance(node, Shift):
        return ev(node.operand, year + node.offset)
    if isinstance(node, Unary):
        v = ev(node.operand)
        return None if v is None else (not v if node.op == "not" else -v if node.op == "-" else v)
    if isinstance(node, Binary):
        a, b = ev(node.left), ev(node.right)
        if node.op == "and":
            return False if a is False or b is False else None if None in (a, b) else True
        if node.op == "or":
            return True if a is True or b is True else None if None in (a, b) else False
        if a is None or b is None:
            return None
        ops = {
            "+": lambda: fin(a + b),
            "-": lambda: fin(a - b),
            "*": lambda: fin(a * b),
            "/": lambda: None if b == 0 else fin(a / b),
            ">=": lambda: a >= b,
            ">": lambda: a > b,
            "<=": lambda: a <= b,
            "<": lambda: a < b,
            "==": lambda: a == b,
            "!=": lambda: a != b,
        }
        return ops[node.op]()
    assert isinstance(node, Call)
    args = node.args
    if node.name == "growth":
        a, b = ev(args[0]), ev(args[0], year - 1)
        q = None if a is None or b is None or b == 0 else fin(a / b)
        return None if q is None else fin(q - 1)
    if node.name == "sum_children":
        return None  # counties have no child regions
    if node.name == "if":
        c = ev(args[0])
        return None if c is None else ev(args[1] if c else args[2])
    if node.name == "coalesce":
        return next((v for v in map(ev, args) if v is not None), None)
    vals = [ev(a) for a in args[:1]] if node.name in ("round", "abs") else [ev(a) for a in args]
    if None in vals:
        return None
    if node.name == "abs":
        return abs(vals[0])
    if node.name == "round":
        k = 10.0 ** (args[1].value if len(args) > 1 else 0)
        t = abs(vals[0]) * k + 0.5
        sign = 1.0 if vals[0] > 0 else -1.0 if vals[0] < 0 else 0.0
        return fin(sign * math.floor(t) / k) if math.isfinite(t) else None
    return min(vals) if node.name == "min" else max(vals)


# The checks as docs/checks.md and thresholds.yaml state them, written from those two and not from
# core/checks.py: thresholds resolved here from the YAML, each comparison made on the figure the
# docs name, which may miss the requirement by half a unit of its last stored digit.
HALF = 0.00005  # values are stored with 4 decimals
NOISE = 1e-12  # relative float noise, on top of the half unit
LEVELS = ("preschool", "primary", "junior", "senior", "vocational")


def _load_thresholds() -> dict:
    text = resources.files("dutyeval.core").joinpath("thresholds.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def _threshold(spec: dict, code: str, year: int, key: str | None = None) -> float:
    """The figure for one region and year: the most specific matching override (longest region
    prefix, then latest start year, then the later entry) replaces the default; NaN = none."""
    value, best = spec["value"], (0, 0, 0)
    for k, o in enumerate(spec.get("overrides") or [], 1):
        lo, hi = o.get("years") or (None, None)
        if (lo is not None and year < lo) or (hi is not None and year > hi):
            continue
        plen = max((len(p) for p in o.get("regions") or () if code.startswith(str(p))), default=0)
        if o.get("regions") and plen == 0:
            continue
        if (plen, lo or 0, k) > best:
            value, best = o["value"], (plen, lo or 0, k)
    if key is not None and value is not None:
        value = value.get(key, spec["value"].get(key))
    return math.nan if value is None else float(value)


@functools.lru_cache(maxsize=1)
def _cached_thresholds() -> dict:
    return _load_thresholds()


def _at_least(x, need):
    """x ≥ need at the data's precision: x may fall short by half a stored unit (-1: unknown)."""
    if not (math.isfinite(x) and math.isfinite(need)):
        return -1
    return int(x >= need - HALF - NOISE * (abs(need) + 1))


def _at_most(x, limit):
    if not (math.isfinite(x) and math.isfinite(limit)):
        return -1
    return int(x <= limit + HALF + NOISE * (abs(limit) + 1))


def _share(num, den, t, over_100_error=False):
    """num ÷ den (in %) ≥ t, judged on num (half a unit of the numerator); a numerator above the
    denominator by more than half a unit is a data error (insufficient) where the rate is not gross."""
    if not (den > 0) or not math.isfinite(num):
        return -1
    if over_100_error and num > den + HALF + NOISE * (den + 1):
        return -1
    return _at_least(num, t * den / 100)


def _rate(value, t, over_100_error):
    if over_100_error and math.isfinite(value) and value > 100 + HALF + NOISE * 101:
        return -1
    return _at_least(value, t)


def scalar_check(name: str, params: dict, code: str, get, spec: dict) -> int:
    """One check for one county in YEAR with the scheme's parameters: 1 pass, 0 fail, -1 insufficient."""
    y = YEAR
    t = params.get("threshold")

    def thr(key=None):
        if t is not None:
            return float(t[key] if isinstance(t, dict) else t)
        return _threshold(spec, code, y, key)

    if name == "two_no_decrease_total":
        cur, prev = get("edu_exp_budget", y), get("edu_exp_budget", y - 1)
        return _at_least(cur, prev * (1 + thr() / 100))
    if name == "two_no_decrease_per_student":
        level = params.get("level", "total")

        def per_student(lv, yy):  # (元 per student, half a stored unit of it)
            ps, budget, enrol = (
                ("per_student_budget", "edu_exp_budget", "enrol_total")
                if lv == "total"
                else (f"per_student_budget_{lv}", f"edu_exp_budget_{lv}", f"enrol_{lv}")
            )
            reported = get(ps, yy)
            if math.isfinite(reported):
                return reported, HALF
            b, e = get(budget, yy), get(enrol, yy)
            if e > 0 and math.isfinite(b):
                return b * 10000 / e, HALF * 10000 / e  # 0.5 元 of the 万元 total, per student
            return math.nan, math.nan

        verdicts = []
        for lv in LEVELS if level == "each" else (level,):
            (cur, tol), (prev, _) = per_student(lv, y), per_student(lv, y - 1)
            if level == "each" and math.isnan(cur) and math.isnan(prev):
                continue  # no figure at all for this level: skipped
            if math.isnan(cur) or math.isnan(prev):
                verdicts.append(-1)
                continue
            need = prev * (1 + thr() / 100)
            verdicts.append(int(cur >= need - tol - NOISE * (abs(need) + 1)))
        return 0 if 0 in verdicts else -1 if -1 in verdicts or not verdicts else 1
    if name == "teacher_pay_parity":
        return _share(get("teacher_pay_compulsory", y), get("civil_servant_pay", y), thr())
    if name == "training_funds_share":
        return _share(get("training_funds", y), get("teacher_payroll", y), thr())
    if name == "per_student_public_funds":
        vs = [_at_least(get(f"per_student_pub_{lv}", y), thr(lv)) for lv in ("primary", "junior")]
        return 0 if 0 in vs else -1 if -1 in vs else 1
    if name == "preschool_gross_enrolment":
        return _rate(get("gross_enrol_preschool", y), thr(), False)
    if name == "senior_gross_enrolment":
        return _rate(get("gross_enrol_senior", y), thr(), False)
    if name == "compulsory_retention":
        return _rate(get("retention_compulsory", y), thr(), True)
    if name in DUTY_SHARES:
        reported, parts, wholes, op = DUTY_SHARES[name]
        value, den = get(reported, y), sum(get(c, y) for c in wholes)
        if not math.isfinite(value):
            value = sum(get(c, y) for c in parts) * 100 / den if den > 0 else math.nan
        if math.isfinite(value) and value > 100 + HALF + NOISE * 101:
            return -1  # above 100 %: a data error
        return _at_most(value, thr()) if op == "<=" else _at_least(value, thr())
    if name in SHARE_CHECKS:
        reported, num, den = SHARE_CHECKS[name]
        if math.isfinite(get(reported, y)):
            return _rate(get(reported, y), thr(), True)
        return _share(sum(get(c, y) for c in num), get(den, y), thr(), True)
    if name == "large_class_share":
        big, classes = get("classes_large", y) + get("classes_super_large", y), get("classes_compulsory", y)
        return _at_most(big, thr() * classes / 100) if classes > 0 else -1
    if name == "super_large_class_share":
        return _at_most(get("classes_super_large", y), thr())
    if name == "vocational_share":
        voc, gen = get("intake_vocational", y), get("intake_senior", y)
        return _share(voc, voc + gen, thr())
    return scalar_duty_check(name, params, code, get, thr)


def _cmp(value, t, op, tol):
    """value against t by op, within tol (half a recorded unit, in the value's unit): -1 unknown."""
    if not (math.isfinite(value) and math.isfinite(t)):
        return -1
    tol = (tol if math.isfinite(tol) else 0.0) + NOISE * (abs(t) + 1)
    return int(value > t + tol if op == ">" else value <= t + tol if op == "<=" else value >= t - tol)


def _pct(num, den, scale=100.0):
    return num * scale / den if den > 0 and math.isfinite(num) else math.nan


def scalar_duty_check(name: str, params: dict, code: str, get, thr) -> int:
    """The checks added with the city scheme and issue #13 (docs/checks.md), one county at a time."""
    y = YEAR
    if name == "higher_vocational_per_student":
        return _cmp(get("per_student_budget_higher_voc", y), thr(), ">=", HALF)
    if name == "senior_schools_per_population":
        schools = get("schools_senior_model" if params.get("model") else "schools_senior", y)
        pop, t = get("resident_population", y), thr()
        if schools <= 0 and pop > 0 and math.isfinite(t):
            return 0  # no school for a resident population
        return _cmp(_pct(pop, schools, 1e-4), t, "<=", _pct(HALF, schools, 1e-4))
    if name == "three_growths":
        edu, edu0 = get("edu_exp_budget", y), get("edu_exp_budget", y - 1)
        rev, rev0 = get("fiscal_recurrent_revenue", y), get("fiscal_recurrent_revenue", y - 1)
        return _cmp(_pct(edu - edu0, edu0) - _pct(rev - rev0, rev0), thr(), ">", _pct(HALF, edu0))
    if name == "myopia_decrease":
        return _cmp(get("myopia_rate", y - 1) - get("myopia_rate", y), thr(), ">=", HALF)
    if name == "public_funds_disbursed":
        spec = _cached_thresholds()["per_student_public_funds"]  # the base standards, unless the scheme's
        std = {lv: float(params[lv]) if params.get(lv) is not None else _threshold(spec, code, y, lv)
               for lv in ("primary", "junior")}  # fmt: skip
        extra = {k: float(params.get(k, v)) for k, v in DISBURSEMENT.items()}
        small = max(extra["floor"] * get("small_schools", y) - get("enrol_small_schools", y), 0)
        required = (get("enrol_primary", y) * std["primary"] + get("enrol_junior", y) * std["junior"]
                    + get("enrol_boarding", y) * extra["boarding"] + small * std["primary"]
                    + get("enrol_special_school", y) * extra["special"])  # fmt: skip
        return _cmp(_pct(get("pub_funds_disbursed", y) * 10000, required), thr(), ">=", _pct(HALF * 10000, required))
    if name in ("balance_cv", "balance_cv_composite"):
        measure = "max" if name == "balance_cv" else "composite"
        level = params.get("level", "both")
        vs = [_cmp(get(f"balance_cv_{measure}_{lv}", y), thr(lv), "<=", HALF)
              for lv in (("primary", "junior") if level == "both" else (level,))]  # fmt: skip
        return 0 if 0 in vs else -1 if -1 in vs else 1
    if name in SHARES:
        parts, wholes, reported, complement, bounded, op = SHARES[name]
        den = sum(get(c, y) for c in wholes) if wholes else math.nan
        num = sum(get(c, y) for c in parts) if parts else math.nan
        value, tol = _pct(den - num if complement else num, den), _pct(HALF, den)
        if reported and math.isfinite(get(reported, y)):
            value, tol = get(reported, y), HALF
        if bounded and math.isfinite(value) and value > 100 + (tol if math.isfinite(tol) else 0) + NOISE * 101:
            return -1  # a share above 100 %: a data error
        return _cmp(value, thr(), op, tol)
    raise KeyError(name)


# shares of issue #13 (core/checks_duties.py, read from docs/checks.md): parts, wholes, a reported rate
# that wins, complement (wholes − parts), above 100 % a data error, op
SHARES = {
    "edu_surcharge_use": (("edu_surcharge_to_edu",), ("edu_surcharge",), None, False, False, ">="),
    "physical_health_pass_rate": ((), (), "physical_health_pass_rate", False, True, ">="),
    "safe_campus_rate": ((), (), "safe_campus_rate", False, True, ">="),
    "dual_teacher_share": (("teachers_voc_dual",), ("teachers_voc_specialist",), None, False, True, ">="),
    "staffing_quota": (("staff_in_quota_compulsory",), ("staff_quota_compulsory",), None, False, False, "<="),
    "kg_nonstaff_pay": (("kg_teacher_pay_nonstaff",), ("kg_teacher_pay_staff",), None, False, False, ">="),
    "kg_class_size": (("kg_classes_oversize",), ("kg_classes",), None, True, True, ">="),
    "senior_large_class_share": (("classes_senior_large",), ("classes_senior",), None, False, True, "<="),
    "training_funds_pub_share": (("school_training_funds",), ("school_pub_funds_budget",), None, False, True, ">="),
}  # fmt: skip
DISBURSEMENT = {"boarding": 200.0, "floor": 100.0, "special": 6000.0}  # STANDARDS §4.3


def baseline_scoring(long: pd.DataFrame, nat) -> pd.DataFrame:
    thresholds = _load_thresholds()
    names = list(thresholds)
    leaves = nat.scheme.leaves()
    bands = nat.scheme.grade_bands
    mins = [to_cents(b.min_score) for b in bands]
    asts = {i.code: parse(i.rule.expression).ast for i in leaves if i.rule.expression}

    def per_county(g: pd.DataFrame) -> pd.Series:
        code = g.name
        figures = dict(zip(zip(g["element"].astype(str), g["year"], strict=True), g["value"], strict=True))

        def get(c, y):
            return figures.get((c, y), math.nan)

        chk = {n: scalar_check(n, {}, code, get, thresholds[n]) for n in names}  # defaults, as run_all
        total, cap = 0, None
        for ind in leaves:
            r, pc = ind.rule, to_cents(ind.points)
            m = nat.manual.get((code, ind.code))
            flip = ind.kind == "deduction" or r.kind == "veto"
            frac, auto = 0.0, False
            if r.check:
                params = {k: v for k, v in r.params.items() if k != "manual"}
                v = scalar_check(r.check, params, code, get, thresholds[r.check]) if params else chk[r.check]
                frac, auto = float(v == (0 if flip else 1)), True
            elif r.expression:
                v = scalar_eval(asts[ind.code], get, YEAR)
                frac = 0.0 if v is None else (float(v) if isinstance(v, bool) else min(max(v, 0.0), 1.0))
                auto = True
            got = math.floor(frac * pc + 0.5) if auto else 0
            if r.kind == "veto":
                violated = frac > 0 if auto else False
                if m is not None and m.vetoed is not None:
                    violated = m.vetoed
                if violated:
                    c = _band(bands, r.cap_grade) if r.cap_grade else len(bands) - 1
                    cap = c if cap is None else max(cap, c)
                continue
            if m is not None and m.reviewer_score is not None:
                got = min(max(to_cents(m.reviewer_score), 0), pc)
            elif m is not None and m.self_score is not None and not auto:
                got = min(max(to_cents(m.self_score), 0), pc)
            total += -got if ind.kind == "deduction" else got
        total = max(total, 0)
        raw = next((k for k, lo in enumerate(mins) if total >= lo), len(bands) - 1)
        grade = raw if cap is None else max(raw, cap)
        return pd.Series({"total": total, "grade": grade, **chk})

    out = long.groupby("region", sort=False, observed=True).apply(per_county, include_groups=False)
    out["province"] = [r[:2] for r in out.index]
    out["rank"] = out.groupby("province")["total"].rank(method="min", ascending=False).astype(int)
    return out


# ---- (b) baseline: checks and scoring, vectorised --------------------------------------------
class _Wide:
    """County × (element, year) figures from the long table, one pivot; a missing column is NaN."""

    def __init__(self, long: pd.DataFrame):
        recent = long[long["year"] >= YEAR - 1]  # no rule of the scheme looks further back
        self.frame = recent.pivot_table(
            index="region", columns=["element", "year"], values="value", aggfunc="first", observed=True
        )
        self.index = self.frame.index.astype(str)
        self.frame.index = self.index
        self.empty = pd.Series(np.nan, index=self.index)

    def __call__(self, code: str, year: int) -> pd.Series:
        key = (code, year)
        return self.frame[key] if key in self.frame.columns else self.empty


def _threshold_frame(spec: dict, codes: pd.Index, year: int, key: str | None = None) -> pd.Series:
    """thresholds.yaml for every county: the most specific matching override wins."""

    def figure(value):
        if key is not None and value is not None:
            value = value.get(key, spec["value"].get(key))
        return math.nan if value is None else float(value)

    out = pd.Series(figure(spec["value"]), index=codes)
    best = pd.Series(0, index=codes)
    for k, o in enumerate(spec.get("overrides") or [], 1):
        lo, hi = o.get("years") or (None, None)
        if (lo is not None and year < lo) or (hi is not None and year > hi):
            continue
        plen = pd.Series(0, index=codes)
        for p in o.get("regions") or ():
            plen = plen.where(~codes.str.startswith(str(p)), np.maximum(plen, len(str(p))))
        rank = plen * 10**8 + (lo or 0) * 100 + k
        take = (rank > best) & ((plen > 0) | (not o.get("regions")))
        out, best = out.where(~take, figure(o["value"])), best.where(~take, rank)
    return out


def _verdict(ok: pd.Series, known: pd.Series) -> pd.Series:
    return pd.Series(np.where(known, np.where(ok, 1, 0), -1), index=ok.index)


def _at_least_v(x, need, tol=HALF):
    with np.errstate(invalid="ignore"):
        return _verdict(x >= need - tol - NOISE * (need.abs() + 1), x.notna() & need.notna())


def _share_v(num, den, t, over_100_error=False):
    ok_den = den > 0
    v = _at_least_v(num, t * den.where(ok_den) / 100)
    if over_100_error:
        v = v.where(~(num > den + HALF + NOISE * (den.abs() + 1)), -1)
    return v


def _rate_v(value, t, over_100_error):
    v = _at_least_v(value, t)
    return v.where(~(value > 100 + HALF + NOISE * 101), -1) if over_100_error else v


FRAME_CHECKS = frozenset({
    "two_no_decrease_total", "two_no_decrease_per_student", "teacher_pay_parity", "training_funds_share",
    "per_student_public_funds", "preschool_gross_enrolment", "senior_gross_enrolment", "compulsory_retention",
    "large_class_share", "super_large_class_share", "vocational_share", *SHARE_CHECKS, *DUTY_SHARES, *SHARES,
    "higher_vocational_per_student", "senior_schools_per_population", "three_growths", "myopia_decrease",
    "public_funds_disbursed", "balance_cv", "balance_cv_composite",
})  # fmt: skip


def frame_check(name: str, params: dict, get: _Wide, spec: dict) -> pd.Series:
    """`scalar_check` over every county at once."""
    y, idx = YEAR, get.index
    t = params.get("threshold")

    def thr(key=None):
        if t is not None:
            return pd.Series(float(t[key] if isinstance(t, dict) else t), index=idx)
        return _threshold_frame(spec, idx, y, key)

    if name == "two_no_decrease_total":
        return _at_least_v(get("edu_exp_budget", y), get("edu_exp_budget", y - 1) * (1 + thr() / 100))
    if name == "two_no_decrease_per_student":
        level = params.get("level", "total")

        def per_student(lv, yy):
            ps, budget, enrol = (
                ("per_student_budget", "edu_exp_budget", "enrol_total")
                if lv == "total"
                else (f"per_student_budget_{lv}", f"edu_exp_budget_{lv}", f"enrol_{lv}")
            )
            reported, e = get(ps, yy), get(enrol, yy).where(lambda s: s > 0)
            value = reported.fillna(get(budget, yy) * 10000 / e)
            return value, (HALF * 10000 / e).where(reported.isna(), HALF)

        each = []
        for lv in LEVELS if level == "each" else (level,):
            (cur, tol), (prev, _) = per_student(lv, y), per_student(lv, y - 1)
            v = _at_least_v(cur, prev * (1 + thr() / 100), tol)
            each.append(v.where(cur.notna() | prev.notna() | (level != "each"), 2))  # 2: skipped
        vs = pd.concat(each, axis=1)
        insufficient = (vs == -1).any(axis=1) | (vs == 2).all(axis=1)
        return pd.Series(np.where((vs == 0).any(axis=1), 0, np.where(insufficient, -1, 1)), index=idx)
    if name == "teacher_pay_parity":
        return _share_v(get("teacher_pay_compulsory", y), get("civil_servant_pay", y), thr())
    if name == "training_funds_share":
        return _share_v(get("training_funds", y), get("teacher_payroll", y), thr())
    if name == "per_student_public_funds":
        vs = pd.concat(
            [_at_least_v(get(f"per_student_pub_{lv}", y), thr(lv)) for lv in ("primary", "junior")], axis=1
        )
        return pd.Series(
            np.where((vs == 0).any(axis=1), 0, np.where((vs == -1).any(axis=1), -1, 1)), index=idx
        )
    if name == "preschool_gross_enrolment":
        return _rate_v(get("gross_enrol_preschool", y), thr(), False)
    if name == "senior_gross_enrolment":
        return _rate_v(get("gross_enrol_senior", y), thr(), False)
    if name == "compulsory_retention":
        return _rate_v(get("retention_compulsory", y), thr(), True)
    if name in DUTY_SHARES:
        reported, parts, wholes, op = DUTY_SHARES[name]
        den = sum(get(c, y) for c in wholes)
        value = get(reported, y).fillna(sum(get(c, y) for c in parts) * 100 / den.where(den > 0))
        limit = thr()
        with np.errstate(invalid="ignore"):
            ok = value <= limit + HALF + NOISE * (limit.abs() + 1) if op == "<=" else \
                value >= limit - HALF - NOISE * (limit.abs() + 1)
        return _verdict(ok, value.notna() & limit.notna()).where(~(value > 100 + HALF + NOISE * 101), -1)
    if name in SHARE_CHECKS:
        reported, num, den = SHARE_CHECKS[name]
        rep = get(reported, y)
        derived = _share_v(sum(get(c, y) for c in num), get(den, y), thr(), True)
        return _rate_v(rep, thr(), True).where(rep.notna(), derived)
    if name == "large_class_share":
        big, classes = get("classes_large", y) + get("classes_super_large", y), get("classes_compulsory", y)
        limit = thr() * classes.where(classes > 0) / 100
        return _verdict(big <= limit + HALF + NOISE * (limit.abs() + 1), big.notna() & limit.notna())
    if name == "super_large_class_share":
        count, limit = get("classes_super_large", y), thr()
        return _verdict(count <= limit + HALF + NOISE * (limit.abs() + 1), count.notna() & limit.notna())
    if name == "vocational_share":
        voc, gen = get("intake_vocational", y), get("intake_senior", y)
        return _share_v(voc, voc + gen, thr())
    return frame_duty_check(name, params, get, thr)


def _cmp_v(value: pd.Series, t: pd.Series, op: str, tol) -> pd.Series:
    """`_cmp` over every county."""
    tol = (tol.fillna(0.0) if isinstance(tol, pd.Series) else tol) + NOISE * (t.abs() + 1)
    with np.errstate(invalid="ignore"):
        ok = value > t + tol if op == ">" else value <= t + tol if op == "<=" else value >= t - tol
    return _verdict(ok, value.notna() & t.notna())


def _pct_v(num, den: pd.Series, scale: float = 100.0) -> pd.Series:
    return num * scale / den.where(den > 0)


def frame_duty_check(name: str, params: dict, get: _Wide, thr) -> pd.Series:
    """`scalar_duty_check` over every county at once."""
    y, idx = YEAR, get.index
    if name == "higher_vocational_per_student":
        return _cmp_v(get("per_student_budget_higher_voc", y), thr(), ">=", HALF)
    if name == "senior_schools_per_population":
        schools = get("schools_senior_model" if params.get("model") else "schools_senior", y)
        pop, t = get("resident_population", y), thr()
        v = _cmp_v(_pct_v(pop, schools, 1e-4), t, "<=", _pct_v(HALF, schools, 1e-4))
        return v.where(~((schools <= 0) & (pop > 0) & t.notna()), 0)
    if name == "three_growths":
        edu, edu0 = get("edu_exp_budget", y), get("edu_exp_budget", y - 1)
        rev, rev0 = get("fiscal_recurrent_revenue", y), get("fiscal_recurrent_revenue", y - 1)
        return _cmp_v(_pct_v(edu - edu0, edu0) - _pct_v(rev - rev0, rev0), thr(), ">", _pct_v(HALF, edu0))
    if name == "myopia_decrease":
        return _cmp_v(get("myopia_rate", y - 1) - get("myopia_rate", y), thr(), ">=", HALF)
    if name == "public_funds_disbursed":
        spec = _cached_thresholds()["per_student_public_funds"]
        std = {lv: pd.Series(float(params[lv]), index=idx) if params.get(lv) is not None
               else _threshold_frame(spec, idx, y, lv) for lv in ("primary", "junior")}  # fmt: skip
        extra = {k: float(params.get(k, v)) for k, v in DISBURSEMENT.items()}
        small = (extra["floor"] * get("small_schools", y) - get("enrol_small_schools", y)).clip(lower=0)
        required = (get("enrol_primary", y) * std["primary"] + get("enrol_junior", y) * std["junior"]
                    + get("enrol_boarding", y) * extra["boarding"] + small * std["primary"]
                    + get("enrol_special_school", y) * extra["special"])  # fmt: skip
        paid = get("pub_funds_disbursed", y)
        return _cmp_v(_pct_v(paid * 10000, required), thr(), ">=", _pct_v(HALF * 10000, required))
    if name in ("balance_cv", "balance_cv_composite"):
        measure = "max" if name == "balance_cv" else "composite"
        level = params.get("level", "both")
        vs = pd.concat([_cmp_v(get(f"balance_cv_{measure}_{lv}", y), thr(lv), "<=", HALF)
                        for lv in (("primary", "junior") if level == "both" else (level,))], axis=1)  # fmt: skip
        return pd.Series(np.where((vs == 0).any(axis=1), 0, np.where((vs == -1).any(axis=1), -1, 1)), index=idx)
    if name in SHARES:
        parts, wholes, reported, complement, bounded, op = SHARES[name]
        den = sum(get(c, y) for c in wholes) if wholes else get.empty
        num = sum(get(c, y) for c in parts) if parts else get.empty
        value, tol = _pct_v(den - num if complement else num, den), _pct_v(HALF, den)
        if reported:
            rep = get(reported, y)
            value, tol = rep.fillna(value), tol.where(rep.isna(), HALF)
        v = _cmp_v(value, thr(), op, tol)
        if bounded:
            v = v.where(~(value > 100 + tol.fillna(0.0) + NOISE * 101), -1)
        return v
    raise KeyError(name)


_COMPARE = {
    ">=": np.greater_equal,
    ">": np.greater,
    "<=": np.less_equal,
    "<": np.less,
    "==": np.equal,
    "!=": np.not_equal,
}
_ARITH = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide}


def _is_bool(node) -> bool:
    if isinstance(node, Bool):
        return True
    if isinstance(node, Binary):
        return node.op in _COMPARE or node.op in ("and", "or")
    if isinstance(node, Unary):
        return node.op == "not"
    if isinstance(node, Call) and node.name == "if":
        return _is_bool(node.args[1])
    return False


def frame_eval(node, get: _Wide, year: int) -> pd.Series:
    """An expression over every county: floats (true/false as 1.0/0.0), NaN = insufficient data."""

    def ev(n, y=year):
        return frame_eval(n, get, y)

    def finite(s):
        return s.where(np.isfinite(s))

    idx = get.index
    if isinstance(node, Num | Bool):
        return pd.Series(float(node.value), index=idx)
    if isinstance(node, Elem):
        return get(node.code, year)
    if isinstance(node, Shift):
        return ev(node.operand, year + node.offset)
    if isinstance(node, Unary):
        v = ev(node.operand)
        return 1.0 - v if node.op == "not" else -v if node.op == "-" else v
    if isinstance(node, Binary):
        a, b = ev(node.left), ev(node.right)
        unknown = a.isna() | b.isna()
        if node.op in ("and", "or"):
            decided = 0.0 if node.op == "and" else 1.0
            hit = (a == decided) | (b == decided)
            return pd.Series(np.where(hit, decided, np.where(unknown, np.nan, 1.0 - decided)), index=idx)
        if node.op in _COMPARE:
            return _COMPARE[node.op](a, b).astype(float).where(~unknown)
        if node.op == "/":
            b = b.where(b != 0)
        with np.errstate(all="ignore"):
            return finite(_ARITH[node.op](a, b))
    assert isinstance(node, Call)
    args = node.args
    if node.name == "growth":
        prev = ev(args[0], year - 1)
        with np.errstate(all="ignore"):
            return finite(finite(ev(args[0]) / prev.where(prev != 0)) - 1)
    if node.name == "sum_children":
        return pd.Series(np.nan, index=idx)  # counties have no child regions
    if node.name == "if":
        c = ev(args[0])
        return ev(args[1]).where(c != 0, ev(args[2])).where(c.notna())
    if node.name == "coalesce":
        out = ev(args[0])
        for a in args[1:]:
            out = out.fillna(ev(a))
        return out
    if node.name == "abs":
        return ev(args[0]).abs()
    if node.name == "round":
        x, k = ev(args[0]), 10.0 ** (args[1].value if len(args) > 1 else 0)
        return finite(np.sign(x) * np.floor(x.abs() * k + 0.5) / k)
    vals = [ev(a) for a in args]
    out = vals[0]
    for v in vals[1:]:
        out = np.minimum(out, v) if node.name == "min" else np.maximum(out, v)  # NaN propagates
    return out


def baseline_scoring_vectorised(long: pd.DataFrame, nat, scheme_only: bool = False) -> pd.DataFrame:
    """`baseline_scoring` as a pandas user writes it: one pivot to a wide county × (element, year)
    frame, every check and every item as whole-column operations, ranking by a groupby.
    scheme_only: compute only the checks the scheme's items read (as the application's recompute
    does), not every check (as run_all, which this file compares with)."""
    thresholds = _load_thresholds()
    get = _Wide(long)
    idx = get.index
    leaves = nat.scheme.leaves()
    bands = nat.scheme.grade_bands
    # every check this baseline implements; a scheme item on another one fails loudly below (out[r.check])
    wanted = FRAME_CHECKS
    if scheme_only:
        wanted = {i.rule.check for i in leaves if i.rule.check and not set(i.rule.params or {}) - {"manual"}}
    out = pd.DataFrame(
        {n: frame_check(n, {}, get, s) for n, s in thresholds.items() if n in wanted}, index=idx
    )
    manual = pd.DataFrame(
        [(r, c, m.self_score, m.reviewer_score, m.vetoed) for (r, c), m in nat.manual.items()],
        columns=["region", "code", "self", "reviewer", "vetoed"],
    )

    def manual_col(col, code):
        s = manual.loc[(manual["code"] == code) & manual[col].notna()].set_index("region")[col]
        return s.reindex(idx)

    def manual_cents(col, code, pc):
        return manual_col(col, code).map(to_cents, na_action="ignore").astype(float).clip(0, pc)

    total = pd.Series(0, index=idx)
    cap = pd.Series(-1, index=idx)
    for ind in leaves:
        r, pc = ind.rule, to_cents(ind.points)
        flip = ind.kind == "deduction" or r.kind == "veto"
        auto = bool(r.check or r.expression)
        if r.check:
            params = {k: v for k, v in r.params.items() if k != "manual"}
            v = frame_check(r.check, params, get, thresholds[r.check]) if params else out[r.check]
            frac = (v == (0 if flip else 1)).astype(float)
        elif r.expression:
            v = frame_eval(parse(r.expression).ast, get, YEAR)
            frac = v.fillna(0.0) if _is_bool(parse(r.expression).ast) else v.clip(0.0, 1.0).fillna(0.0)
        else:
            frac = pd.Series(0.0, index=idx)
        got = np.floor(frac * pc + 0.5).astype(np.int64) if auto else pd.Series(0, index=idx)
        if r.kind == "veto":
            vetoed = manual_col("vetoed", ind.code)
            violated = vetoed.astype("boolean").fillna(frac > 0 if auto else False).astype(bool)
            band = _band(bands, r.cap_grade) if r.cap_grade else len(bands) - 1
            cap = cap.where(~violated, np.maximum(cap, band))
            continue
        cents = manual_cents("reviewer", ind.code, pc)
        if not auto:
            cents = cents.fillna(manual_cents("self", ind.code, pc))
        got = cents.fillna(got).astype(np.int64)
        total += -got if ind.kind == "deduction" else got
    total = total.clip(lower=0)
    mins = np.array([to_cents(b.min_score) for b in bands])
    raw = np.minimum((total.to_numpy()[:, None] < mins[None, :]).sum(axis=1), len(bands) - 1)
    out["total"] = total
    out["grade"] = np.maximum(raw, cap.to_numpy())
    out["province"] = idx.str[:2]
    out["rank"] = out.groupby("province")["total"].rank(method="min", ascending=False).astype(int)
    return out


def _nbytes(ds, sch) -> float:
    arrays = [*ds.values.values(), sch.students, *sch.resources.values(), sch.county, sch.school]
    return sum(a.nbytes for a in arrays) / 2**20


def _band(bands, name):
    return next(k for k, b in enumerate(bands) if b.name == name)


def _assert_balance_equal(bal, base: pd.DataFrame) -> None:
    assert len(base) == len(bal), (len(base), len(bal))
    assert (base.index.get_level_values(0).to_numpy() == bal.county).all()
    cv_base = base[[i.code for i in QUALITY_INDICATORS]].to_numpy(float)
    ok_rows = bal.quality_verdict != -1
    np.testing.assert_allclose(bal.cv[ok_rows], cv_base[ok_rows], rtol=1e-9, atol=1e-12)
    assert (base["quality"].to_numpy() == bal.quality_verdict).all()
    assert (base["basic"].to_numpy() == bal.basic_verdict).all()
    np.testing.assert_allclose(bal.composite, base["composite"].to_numpy(float), rtol=1e-9)


def _assert_scoring_equal(results, scores, base: pd.DataFrame, rows, counties) -> None:
    for name, res in results.items():
        diff = np.flatnonzero(res.verdict[rows] != base[name].to_numpy())
        assert not len(diff), (name, len(diff), counties[diff[:5]].tolist())
    for ours, col in ((scores.total_cents, "total"), (scores.grade_index, "grade"), (scores.rank, "rank")):
        diff = np.flatnonzero(ours != base[col].to_numpy())
        assert not len(diff), (col, len(diff), counties[diff[:5]].tolist())


def _timed(cmd: list[str], out: Path, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        with open(out, "wb") as fh:
            t = time.perf_counter()
            subprocess.run(cmd, stdout=fh, check=True)
            times.append(time.perf_counter() - t)
    return times


def _close(a, b, unit: float) -> bool:
    """Same figure, allowing one unit in the last printed decimal (np.round in the baseline
    rounds ties by x·10ⁿ, Python's round by the exact value) and the summation order."""
    if a is None or b is None:
        return a is b
    return abs(a - b) <= unit * 1.0001 + 1e-9 * abs(a)


def _assert_docs_agree(ours: dict, theirs: dict) -> None:
    assert len(ours["groups"]) == len(theirs["groups"])
    for go, gt in zip(ours["groups"], theirs["groups"], strict=True):
        for k in ("county_code", "level", "schools", "schools_used", "schools_below_standard", "students"):
            assert go[k] == gt[k], (k, go[k], gt[k])
        assert (go["quality_verdict"], go["basic_verdict"]) == (gt["quality_verdict"], gt["basic_verdict"])
        assert _close(go["composite_cv"], gt["composite_cv"], 1e-6)
        for io_, it in zip(go["indicators"], gt["indicators"], strict=True):
            assert io_["code"] == it["code"] and io_["standard"] == it["standard"]
            assert io_["cv_pass"] == it["cv_pass"]
            for k in ("county_value", "sd", "cv"):
                assert _close(io_[k], it[k], 1e-6), (go["county_code"], k, io_[k], it[k])
        if "school_list" in gt:
            for so, st in zip(go["school_list"], gt["school_list"], strict=True):
                for k in (
                    "school_code",
                    "row",
                    "students",
                    "status",
                    "met",
                    "standards_met",
                    "meets_standard",
                ):
                    assert so[k] == st[k], (k, so[k], st[k])
                assert all(_close(a, b, 1e-4) for a, b in zip(so["values"], st["values"], strict=True))


def end_to_end(schools, repeat: int) -> dict[str, tuple[float, float]]:
    """(c): best-of-`repeat` wall time of our CLI and of the pandas script, per variant."""
    here = Path(__file__).resolve().parent
    ours = shutil.which("dutyeval", path=str(Path(sys.executable).parent)) or "dutyeval"
    script = str(here / "pandas_balance.py")
    results = {}
    with tempfile.TemporaryDirectory(prefix="dutyeval-bench-") as tmp:
        csv = Path(tmp) / "schools.csv"
        write_schools_csv(schools, csv)
        size = csv.stat().st_size / 2**20
        variants = {
            "full": ([], []),
            "full_orjson": (None, ["--orjson"]),
            "noschools": (["--no-schools"], ["--no-schools"]),
        }
        for name, (our_flags, base_flags) in variants.items():
            out_ours, out_base = Path(tmp) / "ours.json", Path(tmp) / "base.json"
            t_ours = results["full"][2] if our_flags is None else None
            if t_ours is None:
                t_ours = _timed([ours, "balance", str(csv), "--json", *our_flags], out_ours, repeat)
            t_base = _timed([sys.executable, script, str(csv), *base_flags], out_base, repeat)
            if our_flags is None:  # same output as "full": compare against the kept copy
                out_ours = Path(tmp) / "ours_full.json"
            mine, theirs = json.loads(out_ours.read_bytes()), json.loads(out_base.read_bytes())
            _assert_docs_agree(mine, theirs)
            if name == "full":
                shutil.copy(out_ours, Path(tmp) / "ours_full.json")
            results[name] = (min(t_ours), min(t_base), t_ours, t_base)
            mb = out_ours.stat().st_size / 2**20
            print(
                f"(c) {name}: {size:.0f} MB CSV → {mb:.0f} MB JSON; dutyeval balance {_span(t_ours)}, "
                f"pandas script {_span(t_base)}, agree; ratio {min(t_ours) / min(t_base):.3f}"
            )
    return results


def _span(times: list[float]) -> str:
    if len(times) == 1:
        return f"{times[0]:.2f} s"
    return (
        f"{min(times):.2f} s (range {min(times):.2f}–{max(times):.2f}, median {statistics.median(times):.2f})"
    )


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=20231)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each end-to-end command")
    ap.add_argument(
        "--skip-per-county", action="store_true", help="skip the slow groupby/apply baselines of (a) and (b)"
    )
    ap.add_argument("--skip-scoring", action="store_true", help="skip (b), checks and scoring")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    nat = generate(args.scale, args.seed)
    ds = nat.ds
    n_cities = int((np.char.endswith(ds.regions, "00") & ~np.char.endswith(ds.regions, "0000")).sum())
    print(
        f"data: {len(nat.counties)} counties, {n_cities} cities, 31 provinces, {len(nat.schools)} schools, "
        f"{ds.n_years} years, {len(ds.values)} elements, {len(nat.scheme.leaves())} scheme items "
        f"(generated in {time.perf_counter() - t0:.2f} s)"
    )
    # baseline inputs: a school DataFrame and a long (region, element, year, value) table
    sch = nat.schools
    school_df = pd.DataFrame(
        {
            "county_code": sch.county,
            "school_code": sch.school,
            "level": sch.level,
            "students": sch.students,
            **sch.resources,
        }
    )
    rows = np.flatnonzero(np.isin(ds.regions, nat.counties))
    codes = list(ds.values)
    cube = np.stack([ds.values[c][rows] for c in codes])  # [element, county, year]
    e_idx, r_idx, y_idx = np.nonzero(np.isfinite(cube))
    long = pd.DataFrame(
        {
            "region": pd.Categorical.from_codes(r_idx, categories=ds.regions[rows].tolist()),
            "element": pd.Categorical.from_codes(e_idx, categories=codes),
            "year": y_idx + ds.first_year,
            "value": cube[e_idx, r_idx, y_idx],
        }
    )
    del cube, e_idx, r_idx, y_idx

    # (a) balance
    t = time.perf_counter()
    bal = compute_balance(sch)
    eng_a = time.perf_counter() - t
    t = time.perf_counter()
    base_vec = baseline_balance_vectorised(school_df)
    base_a = time.perf_counter() - t
    _assert_balance_equal(bal, base_vec)
    base_apply = math.nan
    if not args.skip_per_county:
        t = time.perf_counter()
        base_bal = baseline_balance(school_df)
        base_apply = time.perf_counter() - t
        _assert_balance_equal(bal, base_bal)
    counts = {
        v: int((bal.quality_verdict == k).sum()) for k, v in ((1, "pass"), (0, "fail"), (-1, "insufficient"))
    }
    print(
        f"(a) balance, {len(bal)} county-levels: engine {eng_a:.3f} s, vectorised pandas {base_a:.3f} s, "
        f"county-by-county pandas {base_apply:.2f} s, all agree; 优质均衡 {counts}"
    )

    # (b) checks and scoring
    eng_b = base_b = base_b_apply = math.nan
    if not args.skip_scoring:
        t = time.perf_counter()
        results = C.run_all(ds, YEAR)
        scores = score_all(
            nat.scheme, ds, YEAR, nat.manual, nat.counties.tolist(), rank_groups=nat.province_of
        )
        eng_b = time.perf_counter() - t
        t = time.perf_counter()
        base_vec_sc = baseline_scoring_vectorised(long, nat).loc[nat.counties]
        base_b = time.perf_counter() - t
        _assert_scoring_equal(results, scores, base_vec_sc, rows, nat.counties)
        if not args.skip_per_county:
            t = time.perf_counter()
            base_sc = baseline_scoring(long, nat).loc[nat.counties]
            base_b_apply = time.perf_counter() - t
            _assert_scoring_equal(results, scores, base_sc, rows, nat.counties)
        grades = np.bincount(scores.grade_index, minlength=len(nat.scheme.grade_bands)).tolist()
        print(
            f"(b) {len(results)} checks + scoring of {len(scores)} counties: engine {eng_b:.3f} s, "
            f"vectorised pandas {base_b:.3f} s, county-by-county pandas {base_b_apply:.2f} s, "
            f"all agree; grades {grades}"
        )

    # the engine's own allocations, measured apart so tracing does not slow the timed runs
    tracemalloc.start()
    compute_balance(sch)
    if not args.skip_scoring:
        C.run_all(ds, YEAR)
        score_all(nat.scheme, ds, YEAR, nat.manual, nat.counties.tolist(), rank_groups=nat.province_of)
    engine_peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    print(
        f"engine peak allocations (tracemalloc): {engine_peak:.0f} MiB; input dataset {_nbytes(ds, sch):.0f} MiB"
    )

    # (c) end to end, as the user runs it
    e2e = end_to_end(nat.schools, args.repeat)

    total = eng_a + (0 if args.skip_scoring else eng_b)
    speedup = (base_a + (0 if args.skip_scoring else base_b)) / total
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux; whole process
    print(
        f"speed-up: balance {base_a / eng_a:.1f}x over vectorised pandas, {base_apply / eng_a:.1f}x over "
        f"county-by-county pandas; checks+scoring {base_b / eng_b:.1f}x over vectorised pandas, "
        f"{base_b_apply / eng_b:.1f}x over county-by-county pandas"
    )
    print(
        f"ratio={e2e['full'][0] / e2e['full'][1]:.3f} "
        f"e2e_ratio_orjson={e2e['full'][0] / e2e['full_orjson'][1]:.3f} "
        f"e2e_ratio_noschools={e2e['noschools'][0] / e2e['noschools'][1]:.3f} "
        f"e2e_s={e2e['full'][0]:.2f} e2e_baseline_s={e2e['full'][1]:.2f} "
        f"kernel_ratio={eng_a / base_a:.3f} kernel_ratio_per_county={eng_a / base_apply:.4f} "
        f"scoring_ratio={eng_b / base_b:.3f} scoring_ratio_per_county={eng_b / base_b_apply:.4f} "
        f"speedup={speedup:.1f} total_s={total:.3f} peak_mib={peak:.0f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
