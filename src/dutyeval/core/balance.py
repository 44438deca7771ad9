"""School-balance engine (县域义务教育均衡): per-school standards and the 校际差异系数.

Pure and vectorised: one call computes every county and school level of a table at once
(one `np.unique` to group, then `np.bincount` sums), so a national file of 200,000 schools is
a fraction of a second. Sources and formulas: shared/STANDARDS.md §1.1, §1.2, §2.

Method (§1.2, the 2012 annex reused for 优质均衡):
    X_i = resource_i / students_i (× 100 for "per hundred pupils" indicators)
    X̄   = Σ resource / Σ students            (county value, the enrolment-weighted mean)
    S   = sqrt(Σ (P_i / P) (X_i − X̄)²)       (enrolment-weighted standard deviation)
    CV  = S / X̄
Pitfall avoided on purpose: the *unweighted* CV, and averaging the seven CVs against 0.50/0.45;
优质均衡 requires every single indicator to be within its threshold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

PRIMARY, JUNIOR = 0, 1
LEVEL_NAMES = ("小学", "初中")
LEVEL_CODES = ("primary", "junior")
LEVEL_ALIASES = {"primary": PRIMARY, "小学": PRIMARY, "junior": JUNIOR, "初中": JUNIOR}

PASS, FAIL, INSUFFICIENT = 1, 0, -1
VERDICT_NAMES = {PASS: "pass", FAIL: "fail", INSUFFICIENT: "insufficient"}
VERDICT_ZH = {PASS: "达标", FAIL: "未达标", INSUFFICIENT: "数据不足，无法判定"}

# Relative tolerance for "value ≥ standard": 42 teachers per 1000 pupils × 100 is 4.2 only up to
# float rounding, and a school exactly at the standard must meet it.
_EPS = 1e-9


@dataclass(frozen=True)
class ResourceIndicator:
    code: str  # CSV column holding the school's total of the resource
    name: str
    unit: str
    per: int  # 100 = "每百名学生拥有…", 1 = "生均…"
    standard: tuple[float, float] = (0.0, 0.0)  # primary, junior (优质均衡 only)


# STANDARDS §1.1, confidence H (jianpian, Hebei text, 山西有料).
QUALITY_INDICATORS: tuple[ResourceIndicator, ...] = (
    ResourceIndicator("teachers_above_degree", "每百名学生拥有高于规定学历教师数", "人", 100, (4.2, 5.3)),
    ResourceIndicator("backbone_teachers", "每百名学生拥有县级以上骨干教师数", "人", 100, (1.0, 1.0)),
    ResourceIndicator("pe_art_teachers", "每百名学生拥有体育、艺术专任教师数", "人", 100, (0.9, 0.9)),
    ResourceIndicator("teaching_area_m2", "生均教学及辅助用房面积", "平方米", 1, (4.5, 5.8)),
    ResourceIndicator("sports_area_m2", "生均体育运动场馆面积", "平方米", 1, (7.5, 10.2)),
    ResourceIndicator("equipment_value_yuan", "生均教学仪器设备值", "元", 1, (2000.0, 2500.0)),
    ResourceIndicator("multimedia_rooms", "每百名学生拥有网络多媒体教室数", "间", 100, (2.3, 2.4)),
)
# STANDARDS §2: the eight 基本均衡 indicators (2012 暂行办法), used when the optional columns exist.
BASIC_INDICATORS: tuple[ResourceIndicator, ...] = (
    ResourceIndicator("teaching_area_m2", "生均教学及辅助用房面积", "平方米", 1),
    ResourceIndicator("sports_area_m2", "生均体育运动场馆面积", "平方米", 1),
    ResourceIndicator("equipment_value_yuan", "生均教学仪器设备值", "元", 1),
    ResourceIndicator("computers", "每百名学生拥有计算机台数", "台", 100),
    ResourceIndicator("books", "生均图书册数", "册", 1),
    ResourceIndicator("teachers", "师生比（每百名学生拥有专任教师数）", "人", 100),
    ResourceIndicator("teachers_above_degree", "每百名学生拥有高于规定学历教师数", "人", 100),
    ResourceIndicator("teachers_mid_title", "每百名学生拥有中级及以上专业技术职务教师数", "人", 100),
)
BASIC_EXTRA_COLUMNS = ("computers", "books", "teachers", "teachers_mid_title")
QUALITY_CV_MAX = (0.50, 0.45)  # every indicator, primary / junior (§1.1, H)
BASIC_CV_MAX = (0.65, 0.55)  # 综合差异系数, primary / junior (§2, H)
MIN_MET = 6  # of 7 indicators met (§1.1, H)
MIN_SHARE = 0.85  # the rest at least 85 % of the standard (§1.1, H)

SCHOOL_OK, SCHOOL_EXCLUDED, SCHOOL_INVALID = 0, 1, 2


@dataclass
class SchoolTable:
    """School records, one entry per school, as parallel arrays.

    `level` holds PRIMARY/JUNIOR; `resources` maps every column of QUALITY_INDICATORS (and,
    optionally, BASIC_EXTRA_COLUMNS) to school totals. NaN means missing. `rows` are the
    source line numbers used in messages (default 1..n).
    """

    county: np.ndarray
    school: np.ndarray
    level: np.ndarray
    students: np.ndarray
    resources: dict[str, np.ndarray]
    rows: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = len(self.county)
        self.county = np.asarray(self.county, dtype=str)
        self.school = np.asarray(self.school, dtype=str)
        self.level = np.asarray(self.level, dtype=np.int8)
        self.students = np.asarray(self.students, dtype=np.float64)
        self.resources = {k: np.asarray(v, dtype=np.float64) for k, v in self.resources.items()}
        if self.rows is None:
            self.rows = np.arange(1, n + 1)
        sizes = {len(self.school), len(self.level), len(self.students), len(self.rows)}
        sizes |= {len(v) for v in self.resources.values()}
        if sizes != {n}:
            raise ValueError("SchoolTable: all columns must have the same length")
        if n and not np.isin(self.level, (PRIMARY, JUNIOR)).all():
            raise ValueError("SchoolTable: level must be PRIMARY (0) or JUNIOR (1)")
        missing = [i.code for i in QUALITY_INDICATORS if i.code not in self.resources]
        if missing:
            raise ValueError(f"SchoolTable: missing resource columns {', '.join(missing)}")

    def __len__(self) -> int:
        return len(self.county)

    @classmethod
    def from_records(cls, records: Sequence[Mapping]) -> SchoolTable:
        """Build from dicts with the CSV column names; level may be primary/junior/小学/初中."""
        cols = [i.code for i in QUALITY_INDICATORS]
        cols += [c for c in BASIC_EXTRA_COLUMNS if records and all(c in r for r in records)]

        def num(i: int, r: Mapping, c: str) -> float:
            v = r.get(c)
            if v is None or v == "":
                return np.nan
            try:
                return float(v)
            except (TypeError, ValueError):
                raise ValueError(f"第{i + 1}条记录 {c}：“{v}”不是数字") from None

        def level(i: int, r: Mapping) -> int:
            lv = LEVEL_ALIASES.get(str(r.get("level", "")).strip())
            if lv is None:
                raise ValueError(f"第{i + 1}条记录 level：“{r.get('level')}”不是 primary/junior/小学/初中")
            return lv

        return cls(
            county=np.array([str(r["county_code"]) for r in records], dtype=str),
            school=np.array([str(r["school_code"]) for r in records], dtype=str),
            level=np.array([level(i, r) for i, r in enumerate(records)], dtype=np.int8),
            students=np.array([num(i, r, "students") for i, r in enumerate(records)]),
            resources={c: np.array([num(i, r, c) for i, r in enumerate(records)]) for c in cols},
        )


@dataclass
class BalanceResult:
    """Results for every (county, level) group and every school; arrays, NaN-free where shown.

    Group g: county[g], level[g]; cv[g, k] is NaN exactly where cv_known[g, k] is False.
    School s: group_of[s], status[s] (SCHOOL_OK/EXCLUDED/INVALID), values[s, k], met[s, k].
    """

    table: SchoolTable
    county: np.ndarray
    level: np.ndarray
    n_schools: np.ndarray
    n_used: np.ndarray
    n_invalid: np.ndarray
    n_below: np.ndarray  # used schools not meeting the per-school standard
    students: np.ndarray
    county_value: np.ndarray  # X̄ [g, 7], in display units
    sd: np.ndarray  # S [g, 7]
    cv: np.ndarray  # [g, 7]
    cv_known: np.ndarray
    cv_pass: np.ndarray
    quality_verdict: np.ndarray  # int8 PASS/FAIL/INSUFFICIENT
    basic_cv: np.ndarray  # [g, 8] when the optional columns exist, else [g, 0]
    composite: np.ndarray  # 综合差异系数 [g]
    composite_basis: str  # "basic8" or "quality7"
    basic_verdict: np.ndarray
    group_of: np.ndarray
    status: np.ndarray
    problem: np.ndarray  # object array of Chinese messages ("" when fine)
    values: np.ndarray  # [s, 7]
    met: np.ndarray  # [s, 7]
    meets: np.ndarray  # [s]
    _order: np.ndarray = field(repr=False, default=None)
    _starts: np.ndarray = field(repr=False, default=None)

    def __len__(self) -> int:
        return len(self.county)

    def schools_of(self, g: int) -> np.ndarray:
        return self._order[self._starts[g] : self._starts[g + 1]]

    def find(self, county: str, level: int | str) -> int:
        lv = LEVEL_ALIASES[level] if isinstance(level, str) else level
        hit = np.flatnonzero((self.county == county) & (self.level == lv))
        if not len(hit):
            raise KeyError(f"{county}/{LEVEL_NAMES[lv]} 不在结果中")
        return int(hit[0])

    def reasons(self, g: int) -> list[str]:
        """The verdict in words, for the page and the CLI."""
        lv = int(self.level[g])
        out: list[str] = []
        if self.n_invalid[g]:
            out.append(f"{self.n_invalid[g]}所学校数据缺失、为负数或学校代码重复，不能作出判定")
        if not self.n_used[g]:
            out.append("没有可计算的学校（在校生数均为0或数据无效）")
        if self.n_used[g] == 1:
            out.append("县域内该学段仅1所学校，校际差异系数为0")
        if self.n_below[g]:
            out.append(
                f"{self.n_below[g]}所学校未达到资源配置标准（须至少{MIN_MET}项达标、其余不低于标准的{MIN_SHARE:.0%}）"
            )
        limit = QUALITY_CV_MAX[lv]
        for k, ind in enumerate(QUALITY_INDICATORS):
            if self.cv_known[g, k] and not self.cv_pass[g, k]:
                out.append(f"{ind.name}差异系数{self.cv[g, k]:.4f}，高于{LEVEL_NAMES[lv]}标准{limit:.2f}")
            elif not self.cv_known[g, k] and self.n_used[g]:
                out.append(f"{ind.name}县域均值为0，差异系数无法计算")
        if self.quality_verdict[g] == PASS:
            out.append(f"所有学校达到资源配置标准，7项指标差异系数均不高于{limit:.2f}")
        return out

    def group_report(self, g: int, with_schools: bool = True) -> dict:
        """Plain, JSON-ready dict for one county and level (no NaN: unknown is None)."""
        return self.group_reports([g], with_schools)[0]

    def group_reports(self, groups: Sequence[int] | None = None, with_schools: bool = True) -> list[dict]:
        """`group_report(g)` for many groups at once, built column by column (no per-school Python
        arithmetic): the national file's 200,000 school records in a fraction of a second.

        Numbers are exactly what `round(float(x), n)` gives (see `_round_exact`); unknown is None.
        """
        gs = np.arange(len(self)) if groups is None else np.asarray(groups, dtype=np.int64)
        lv = self.level[gs].astype(np.int64)
        lvl = lv.tolist()
        ind_cols = []
        for k in range(len(QUALITY_INDICATORS)):
            known = self.cv_known[gs, k]
            ind_cols.append(
                (
                    _nullable(_round_exact(self.county_value[gs, k], 6)),
                    _nullable(_round_exact(self.sd[gs, k], 6)),
                    _nullable(_round_exact(self.cv[gs, k], 6)),
                    [
                        bool(p) if kn else None
                        for p, kn in zip(self.cv_pass[gs, k].tolist(), known.tolist(), strict=True)
                    ],
                )
            )
        composite = _nullable(_round_exact(self.composite[gs], 6))
        reports = []
        for j, g in enumerate(gs.tolist()):
            L = lvl[j]
            reports.append(
                {
                    "county_code": str(self.county[g]),
                    "level": LEVEL_CODES[L],
                    "level_name": LEVEL_NAMES[L],
                    "schools": int(self.n_schools[g]),
                    "schools_used": int(self.n_used[g]),
                    "schools_below_standard": int(self.n_below[g]),
                    "students": int(self.students[g]),
                    "indicators": [
                        {
                            "code": ind.code,
                            "name": ind.name,
                            "unit": ind.unit,
                            "standard": ind.standard[L],
                            "county_value": ind_cols[k][0][j],
                            "sd": ind_cols[k][1][j],
                            "cv": ind_cols[k][2][j],
                            "cv_max": QUALITY_CV_MAX[L],
                            "cv_pass": ind_cols[k][3][j],
                        }
                        for k, ind in enumerate(QUALITY_INDICATORS)
                    ],
                    "quality_verdict": VERDICT_NAMES[int(self.quality_verdict[g])],
                    "composite_cv": composite[j],
                    "composite_basis": self.composite_basis,
                    "composite_max": BASIC_CV_MAX[L],
                    "basic_verdict": VERDICT_NAMES[int(self.basic_verdict[g])],
                    "reasons": self.reasons(g),
                }
            )
        if with_schools:
            starts, stops = self._starts[gs], self._starts[gs + 1]
            spans = [self._order[a:b] for a, b in zip(starts.tolist(), stops.tolist(), strict=True)]
            idx = np.concatenate(spans) if spans else np.zeros(0, np.int64)
            lists = self._school_reports(idx)
            offs = np.concatenate([[0], np.cumsum(stops - starts)]).tolist()
            for j, rep in enumerate(reports):
                rep["school_list"] = lists[offs[j] : offs[j + 1]]
        return reports

    def school_report(self, s: int) -> dict:
        return self._school_reports(np.array([s]))[0]

    def _school_reports(self, idx: np.ndarray) -> list[dict]:
        status = self.status[idx]
        ok = status == SCHOOL_OK
        students = _nullable(self.table.students[idx].astype(np.float64))
        values = _round_exact(self.values[idx], 4).tolist()
        met = self.met[idx].tolist()
        n_met = self.met[idx].sum(axis=1).tolist()
        meets = self.meets[idx].tolist()
        for i in np.flatnonzero(~ok).tolist():  # excluded and invalid schools: no figures
            values[i] = met[i] = [None] * len(QUALITY_INDICATORS)
            n_met[i] = meets[i] = None
        names = ("ok", "excluded", "invalid")
        return [
            {
                "school_code": code,
                "row": row,
                "students": st,
                "status": names[s],
                "problem": pr,
                "values": v,
                "met": m,
                "standards_met": nm,
                "meets_standard": me,
            }
            for code, row, st, s, pr, v, m, nm, me in zip(
                self.table.school[idx].tolist(),
                self.table.rows[idx].tolist(),
                students,
                status.tolist(),
                self.problem[idx].tolist(),
                values,
                met,
                n_met,
                meets,
                strict=True,
            )
        ]


def _round_exact(x: np.ndarray, nd: int) -> np.ndarray:
    """`round(float(v), nd)` for every element, vectorised, to the last bit; non-finite kept.

    rint(x·10^nd)/10^nd is what Python's round gives whenever rint picked the right integer n:
    n and 10^nd are exact doubles, so the division is the correctly rounded n/10^nd, as Python's
    strtod of the digits is. The product's own rounding can only mislead rint next to a half
    (x·10^nd within an ulp of k + ½) or beyond 2^51: those few are redone with Python's round.
    """
    x = np.asarray(x, dtype=np.float64)
    scale = 10.0**nd
    with np.errstate(all="ignore"):
        y = x * scale
        out = np.rint(y) / scale
        near_half = np.abs(y - np.floor(y) - 0.5) <= 4 * np.spacing(np.abs(y))
    redo = np.isfinite(x) & (near_half | ~(np.abs(y) < 2.0**51))
    flat_out, flat_x = out.reshape(-1), x.reshape(-1)
    for i in np.flatnonzero(redo.reshape(-1)).tolist():
        flat_out[i] = round(float(flat_x[i]), nd)
    return np.where(np.isfinite(x), out, x)


def _nullable(x: np.ndarray) -> list:
    """A 1-D float array as a list of Python floats, None where not finite."""
    out = x.tolist()
    for i in np.flatnonzero(~np.isfinite(x)).tolist():
        out[i] = None
    return out


def _duplicates(group: np.ndarray, school: np.ndarray) -> np.ndarray:
    """True for every row whose school code occurs more than once in the same county and level.

    The same code in both levels is legitimate: a 九年一贯制 school reports its primary and its
    junior section separately.
    """
    _, school_inv = np.unique(school, return_inverse=True)
    key = group.astype(np.int64) * (int(school_inv.max(initial=0)) + 1) + school_inv
    _, inv, counts = np.unique(key, return_inverse=True, return_counts=True)
    return counts[inv] > 1


def _weighted_cv(gi, G, use, w, resource, students, per):
    """County value, weighted SD and CV of one indicator for every group (all arrays length G)."""
    P = np.bincount(gi, weights=w, minlength=G)
    R = np.bincount(gi, weights=np.where(use, resource, 0.0), minlength=G)
    with np.errstate(divide="ignore", invalid="ignore"):
        xbar = np.where(P > 0, R * per / P, np.nan)
        x = np.where(use, resource * per / np.where(use, students, 1.0), np.nan)
        dev = np.where(use, x - xbar[gi], 0.0)
        d = np.where(use, w / np.where(P > 0, P, 1.0)[gi] * dev * dev, 0.0)
        sd = np.where(P > 0, np.sqrt(np.bincount(gi, weights=d, minlength=G)), np.nan)
        known = np.isfinite(xbar) & (xbar > 0)
        cv = np.where(known, sd / np.where(known, xbar, 1.0), np.nan)
    return x, xbar, sd, cv, known


def compute_balance(table: SchoolTable) -> BalanceResult:
    """Per-school standards, per-indicator CVs and both verdicts for every county and level."""
    n = len(table)
    counties, cinv = np.unique(table.county, return_inverse=True)
    gkey = cinv.astype(np.int64) * 2 + table.level
    gkeys, gi = np.unique(gkey, return_inverse=True)
    G = len(gkeys)
    g_county, g_level = counties[gkeys // 2], (gkeys % 2).astype(np.int8)

    quality = [table.resources[i.code] for i in QUALITY_INDICATORS]
    has_basic = all(c in table.resources for c in BASIC_EXTRA_COLUMNS)
    basic = [table.resources[i.code] for i in BASIC_INDICATORS] if has_basic else []
    cols = np.column_stack(quality + basic) if n else np.zeros((0, 7 + len(basic)))
    students = table.students

    bad_figure = ~np.isfinite(cols) | (cols < 0)
    bad_students = ~np.isfinite(students) | (students < 0)
    dup = _duplicates(gi, table.school) if n else np.zeros(0, bool)
    invalid = bad_students | bad_figure.any(axis=1) | dup
    excluded = ~invalid & (students == 0)
    use = ~invalid & ~excluded
    w = np.where(use, students, 0.0)

    problem = np.full(n, "", dtype=object)
    for s in np.flatnonzero(invalid | excluded):  # only the faulty rows: a handful in practice
        problem[s] = _school_problem(table, s, bad_students[s], bad_figure[s], dup[s], excluded[s], has_basic)

    K = len(QUALITY_INDICATORS)
    values = np.full((n, K), np.nan)
    xbar = np.full((G, K), np.nan)
    sd, cv, known = xbar.copy(), xbar.copy(), np.zeros((G, K), bool)
    for k, ind in enumerate(QUALITY_INDICATORS):
        values[:, k], xbar[:, k], sd[:, k], cv[:, k], known[:, k] = _weighted_cv(
            gi, G, use, w, cols[:, k], students, ind.per
        )
    standard = np.array([i.standard for i in QUALITY_INDICATORS]).T  # [level, k]
    std_s = standard[table.level] if n else np.zeros((0, K))
    with np.errstate(invalid="ignore"):
        share = np.where(use[:, None], values / std_s, 0.0)
    met = use[:, None] & (share >= 1 - _EPS)
    meets = use & (met.sum(axis=1) >= MIN_MET) & (share.min(axis=1, initial=np.inf) >= MIN_SHARE - _EPS)

    n_schools = np.bincount(gi, minlength=G)
    n_used = np.bincount(gi, weights=use, minlength=G).astype(np.int64)
    n_invalid = np.bincount(gi, weights=invalid, minlength=G).astype(np.int64)
    n_below = np.bincount(gi, weights=use & ~meets, minlength=G).astype(np.int64)
    limit = np.array(QUALITY_CV_MAX)[g_level]
    cv_pass = known & (cv <= limit[:, None] + _EPS)
    failed = (n_below > 0) | (known & ~cv_pass).any(axis=1) | (~known).any(axis=1)
    qv = np.where(failed, FAIL, PASS)
    qv = np.where((n_invalid > 0) | (n_used == 0), INSUFFICIENT, qv).astype(np.int8)

    if has_basic:
        bcv = np.column_stack(
            [
                _weighted_cv(gi, G, use, w, cols[:, K + j], students, b.per)[3]
                for j, b in enumerate(BASIC_INDICATORS)
            ]
        )
        basis = "basic8"
    else:
        bcv, basis = np.zeros((G, 0)), "quality7"
    pool = bcv if has_basic else cv
    comp_known = np.isfinite(pool).all(axis=1) & (n_invalid == 0) & (n_used > 0)
    composite = np.where(comp_known, np.nan_to_num(pool).mean(axis=1) if G else 0.0, np.nan)
    bv = np.where(composite <= np.array(BASIC_CV_MAX)[g_level] + _EPS, PASS, FAIL)
    bv = np.where(comp_known, bv, INSUFFICIENT).astype(np.int8)

    order = np.argsort(gi, kind="stable")
    starts = np.concatenate([[0], np.cumsum(n_schools)])
    status = np.where(invalid, SCHOOL_INVALID, np.where(excluded, SCHOOL_EXCLUDED, SCHOOL_OK)).astype(np.int8)
    return BalanceResult(
        table=table,
        county=g_county,
        level=g_level,
        n_schools=n_schools,
        n_used=n_used,
        n_invalid=n_invalid,
        n_below=n_below,
        students=np.bincount(gi, weights=w, minlength=G),
        county_value=xbar,
        sd=sd,
        cv=cv,
        cv_known=known,
        cv_pass=cv_pass,
        quality_verdict=qv,
        basic_cv=bcv,
        composite=composite,
        composite_basis=basis,
        basic_verdict=bv,
        group_of=gi,
        status=status,
        problem=problem,
        values=values,
        met=met,
        meets=meets,
        _order=order,
        _starts=starts,
    )


def _school_problem(table, s, bad_students, bad_fig, dup, excluded, has_basic) -> str:
    names = [i.code for i in QUALITY_INDICATORS] + ([b.code for b in BASIC_INDICATORS] if has_basic else [])
    parts = []
    if dup:
        parts.append(f"学校代码{table.school[s]}在本县同一学段重复")
    if bad_students:
        parts.append("在校生数缺失或为负数")
    for j in np.flatnonzero(bad_fig):
        v = table.resources[names[j]][s]
        parts.append(f"{names[j]}{'缺失' if not np.isfinite(v) else '为负数'}")
    if excluded:
        parts.append("在校生数为0，不参与计算")
    return "；".join(parts)


def coefficient(students: Sequence[float], resource: Sequence[float]) -> float:
    """The §1.2 CV of one indicator for one set of schools (scalar convenience, used in docs/tests)."""
    t = SchoolTable(
        county=["x"] * len(students),
        school=[str(i) for i in range(len(students))],
        level=[PRIMARY] * len(students),
        students=students,
        resources={i.code: resource for i in QUALITY_INDICATORS},
    )
    r = compute_balance(t)
    if not r.cv_known[0, 0]:
        raise ValueError("差异系数无法计算：县域均值为0或没有有效学校")
    return float(r.cv[0, 0])
