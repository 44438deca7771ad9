"""Synthetic national data for bench/national.py, from a fixed seed.

2,850 counties under ~340 cities under 31 provinces, 200,000 schools, 5 years, ≥ 300 data
elements (the catalogue's plus filler), at `scale` 1.0. Figures are drawn around the statutory
thresholds so every verdict occurs, with a sprinkling of the faults the engines must survive:
missing figures, zero enrolment, negative figures, duplicated school codes, one-school counties.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from dutyeval.core.balance import QUALITY_INDICATORS, SchoolTable
from dutyeval.core.catalogue import default_catalogue
from dutyeval.core.expr import Dataset
from dutyeval.core.scheme import GradeBand, Indicator, Rule, Scheme
from dutyeval.core.scoring import ManualScore

PROVINCES = [
    11,
    12,
    13,
    14,
    15,
    21,
    22,
    23,
    31,
    32,
    33,
    34,
    35,
    36,
    37,
    41,
    42,
    43,
    44,
    45,
    46,
    50,
    51,
    52,
    53,
    54,
    61,
    62,
    63,
    64,
    65,
]
FIRST_YEAR, N_YEARS, YEAR = 2019, 5, 2023
LEVELS = ("preschool", "primary", "junior", "senior", "vocational")
N_ELEMENTS = 320


@dataclass
class National:
    ds: Dataset
    counties: np.ndarray  # region codes of the counties (the scored targets)
    province_of: np.ndarray  # province code per county, for ranking within provinces
    schools: SchoolTable
    scheme: Scheme
    manual: dict


def _regions(rng, scale):
    n_cities = max(len(PROVINCES), round(340 * scale))
    n_counties = max(n_cities, round(2850 * scale))
    city_prov = np.sort(np.concatenate([np.arange(31), rng.integers(0, 31, n_cities - 31)]))
    county_city = np.sort(
        np.concatenate([np.arange(n_cities), rng.integers(0, n_cities, n_counties - n_cities)])
    )
    codes, parent = [f"{p}0000" for p in PROVINCES], [-1] * 31
    city_codes = []
    for c, p in enumerate(city_prov):
        k = int((city_prov[:c] == p).sum()) + 1
        city_codes.append(f"{PROVINCES[p]}{k:02d}00")
        codes.append(city_codes[-1])
        parent.append(int(p))
    county_codes, county_prov = [], []
    for c, city in enumerate(county_city):
        k = int((county_city[:c] == city).sum()) + 1
        county_codes.append(f"{city_codes[city][:4]}{k:02d}")
        codes.append(county_codes[-1])
        parent.append(31 + int(city))
        county_prov.append(str(PROVINCES[city_prov[city]]))
    return np.array(codes), np.array(parent), np.array(county_codes), np.array(county_prov)


# figure generators per element: centre and spread, relative to the statutory thresholds
RATES = {
    "gross_enrol_preschool": (90, 8),
    "public_kg_share": (55, 10),
    "affordable_kg_coverage": (85, 8),
    "retention_compulsory": (97, 2.5),
    "disabled_enrol_rate": (96, 2.5),
    "gross_enrol_senior": (92, 4),
}


def _values(rng, n_regions, county_rows):
    cat = default_catalogue()
    codes = [e.code for e in cat.elements] + [f"x_{k:03d}" for k in range(N_ELEMENTS - len(cat.elements))]
    n = len(county_rows)
    years = np.arange(N_YEARS)
    values: dict[str, np.ndarray] = {}

    def series(base, growth_sd=0.05, trend=0.03):
        steps = 1 + trend + rng.normal(0, growth_sd, (n, N_YEARS))
        return base[:, None] * np.cumprod(steps, axis=1)

    for code in codes:
        el = cat.by_code.get(code)
        if code in RATES:
            c, sd = RATES[code]
            v = c + rng.normal(0, sd, (n, N_YEARS))
            v = np.clip(v, 0, 130 if el.over_100 else 100.5)  # a few retention rates above 100 %
        elif el is not None and el.kind == "count":
            v = np.round(series(rng.lognormal(7, 1, n)))
        elif el is not None and el.kind == "per_student":
            v = series(rng.uniform(500, 20000, n))
        else:
            v = series(rng.lognormal(8, 1.2, n))
        values[code] = v
    # coherent figures for the checks
    pay = rng.normal(90000, 15000, n)
    values["civil_servant_pay"] = series(pay, 0.02)
    values["teacher_pay_compulsory"] = values["civil_servant_pay"] * rng.normal(1.01, 0.03, (n, N_YEARS))
    values["training_funds"] = values["teacher_payroll"] * rng.normal(0.017, 0.004, (n, N_YEARS))
    for lv, lo in (("primary", 600), ("junior", 800), ("preschool", 450)):
        values[f"per_student_pub_{lv}"] = lo * rng.normal(1.15, 0.12, (n, N_YEARS))
    values["classes_large"] = np.round(values["classes_compulsory"] * rng.uniform(0, 0.07, (n, N_YEARS)))
    values["classes_super_large"] = np.where(
        rng.random((n, N_YEARS)) < 0.85, 0, rng.integers(1, 6, (n, N_YEARS))
    )
    values["intake_vocational"] = np.round(values["intake_senior"] * rng.uniform(0.5, 1.2, (n, N_YEARS)))
    values["dangerous_building_area"] = np.where(
        rng.random((n, N_YEARS)) < 0.95, 0, rng.uniform(10, 900, (n, N_YEARS))
    )
    # 两个只增不减 per student is measured over all students together (the check's default): the
    # total enrolment is the levels' sum; half the counties report the per-student figure, the
    # others have it derived from the budget (万元) ÷ the total enrolment
    # (drawn from a child generator: the main stream, hence the schools of (a) and (c), stays as it was)
    extra = rng.spawn(1)[0]
    values["enrol_total"] = sum(values[f"enrol_{lv}"] for lv in LEVELS)
    values["per_student_budget"] = np.where(
        extra.random((n, 1)) < 0.5, values["edu_exp_budget"] * 1e4 / values["enrol_total"], np.nan
    )
    # stored as the system stores them: 4 decimals (万元 amounts exact to the yuan)
    values = {code: np.round(v, 4) for code, v in values.items()}
    _edges(extra, values, n)
    out = {}
    for code, v in values.items():
        v = np.where(rng.random(v.shape) < 0.02, np.nan, v)  # 2 % missing figures
        full = np.full((n_regions, N_YEARS), np.nan)
        full[county_rows] = v
        out[code] = full
    del years
    return out


def _edges(rng, values, n, share=0.03):
    """Plant figures exactly at a requirement, or one recorded unit (0.0001) beyond it, in about
    `share` of the counties per check: only the data's precision decides these verdicts (at the
    requirement, or short by half a unit or less, passes; a whole unit short fails)."""
    y = YEAR - FIRST_YEAR

    def plant(code, target):
        pick = rng.random(n) < share
        step = rng.integers(0, 2, n) * 1e-4  # 0: at the requirement, 1: one unit beyond it
        values[code][:, y] = np.where(pick, np.round(target - step, 4), values[code][:, y])

    plant("edu_exp_budget", values["edu_exp_budget"][:, y - 1])  # y ≥ y-1
    plant("per_student_budget", values["per_student_budget"][:, y - 1])  # where reported
    plant("teacher_pay_compulsory", values["civil_servant_pay"][:, y])  # ≥ 100 %
    plant("training_funds", np.round(values["teacher_payroll"][:, y] * 0.015, 4))  # 1.5 %, short ≤ ½ unit
    plant("gross_enrol_preschool", np.full(n, 85.0))
    plant("retention_compulsory", np.full(n, 100.0 + 1e-4))  # 100.0001 % is a data error, 100 % is not


def _schools(rng, scale, county_codes):
    n = round(200_000 * scale)
    nc = len(county_codes)
    county = county_codes[np.sort(rng.integers(0, nc, n))]
    county[:nc] = county_codes  # every county has a school; some have one only per level
    level = (rng.random(n) < 0.3).astype(np.int8)
    students = np.round(rng.lognormal(6.2, 0.9, n))
    resources = {}
    # counties differ: well-equipped and even ones pass, poor or uneven ones fail
    ci = np.searchsorted(county_codes, county)
    mu, sd = rng.uniform(-0.1, 0.45, nc)[ci], rng.uniform(0.02, 0.4, nc)[ci]
    for ind in QUALITY_INDICATORS:
        std = np.where(level == 0, ind.standard[0], ind.standard[1])
        per_pupil = std / ind.per * np.exp(rng.normal(mu, sd))
        resources[ind.code] = np.round(students * per_pupil, 2)
    students[rng.random(n) < 0.002] = 0
    bad = rng.random(n) < 0.001
    resources["sports_area_m2"][bad] = -resources["sports_area_m2"][bad]
    resources["multimedia_rooms"][rng.random(n) < 0.001] = np.nan
    school = np.array([f"S{i:08d}" for i in range(n)])
    dup = rng.integers(nc, n, max(1, n // 5000))
    school[dup] = school[dup - 1]  # neighbours: usually the same county and level
    return SchoolTable(county=county, school=school, level=level, students=students, resources=resources)


def _scheme() -> Scheme:
    def leaf(code, points, rule, kind="item"):
        return Indicator(code=code, title=f"指标{code}", points=Decimal(points), rule=rule, kind=kind)

    checks = [
        leaf("1.1", 4, Rule(kind="check", check="two_no_decrease_total")),
        # per student: all students together (the statutory default), every level, one level
        leaf("1.2.1", 4, Rule(kind="check", check="two_no_decrease_per_student")),
        leaf("1.2.2", 3, Rule(kind="check", check="two_no_decrease_per_student", params={"level": "each"})),
        leaf(
            "1.2.3", 3, Rule(kind="check", check="two_no_decrease_per_student", params={"level": "primary"})
        ),
        leaf("1.3", 4, Rule(kind="check", check="teacher_pay_parity")),
        # no national figure (thresholds.yaml value: null): the scheme states it, as it must
        leaf("1.4", 3, Rule(kind="check", check="training_funds_share", params={"threshold": 1.5})),
        leaf("1.5", 4, Rule(kind="check", check="per_student_public_funds")),
        leaf("1.6", 3, Rule(kind="check", check="preschool_gross_enrolment")),
        leaf("1.7", 3, Rule(kind="check", check="preschool_public_share")),
        leaf("1.8", 3, Rule(kind="check", check="preschool_affordable_coverage")),
        leaf("1.9", 3, Rule(kind="check", check="compulsory_retention")),
        leaf("1.10", 3, Rule(kind="check", check="disabled_enrolment")),
        leaf("1.11", 3, Rule(kind="check", check="large_class_share")),
        leaf("1.12", 2, Rule(kind="check", check="super_large_class_share")),
        leaf("1.13", 3, Rule(kind="check", check="senior_gross_enrolment")),
        leaf("1.14", 3, Rule(kind="check", check="vocational_share", params={"threshold": 45})),
    ]
    exprs = [
        "growth(#{edu_exp_budget}) >= growth(#{gen_budget_exp})",
        "#{edu_exp_budget} / #{gen_budget_exp} * 5",
        "min(#{teacher_certified_rate} / 100, 1)",
        "if(#{satisfaction_public} >= 85, 1, #{satisfaction_public} / 85)",
        "round((#{satisfaction_parents} + #{satisfaction_teachers} + #{satisfaction_students}) / 300, 2)",
        "#{teacher_training_hours_rate} >= 95 and #{teacher_rotation_rate} >= 10",
        "abs(growth(#{enrol_primary})) < 0.2",
        "coalesce(#{migrant_public_rate}, 0) / 85",
        "#{x_010} + #{x_011}[y-1] > #{x_012} * 2",
        "max(#{x_020}, #{x_021}) / (#{x_022} + #{x_023})",
        "#{student_aid}[y-1] <= #{student_aid}",
        "sum_children(#{enrol_primary}) > 0 or #{enrol_primary} > 0",
    ]
    autos = [leaf(f"2.{k}", 2, Rule(kind="auto", expression=e)) for k, e in enumerate(exprs, 1)]
    manual = [leaf(f"3.{k}", 2, Rule()) for k in range(1, 11)]
    extra = [
        leaf("4.1", 3, Rule(kind="auto", expression="#{gross_enrol_senior} >= 95"), kind="bonus"),
        leaf("4.2", 4, Rule(kind="check", check="super_large_class_share"), kind="deduction"),
        leaf("5.1", 0, Rule(kind="veto", expression="#{dangerous_building_area} > 0", cap_grade="良好")),
        leaf("5.2", 0, Rule(kind="veto", params={"manual": True}, cap_grade="合格")),
    ]
    areas = (
        Indicator(code="1", title="法定指标", children=tuple(checks)),
        Indicator(code="2", title="计算指标", children=tuple(autos)),
        Indicator(code="3", title="人工评分", children=tuple(manual)),
        *extra,
    )
    bands = (GradeBand("优秀", Decimal(90)), GradeBand("良好", Decimal(80)), GradeBand("合格", Decimal(65)))
    bands += (GradeBand("不合格", Decimal(0)),)
    return Scheme("bench", 1, "基准测试方案", "bench", "—", YEAR, "county", Decimal(100), bands, areas)


def _manual(rng, counties, scheme):
    out = {}
    manual_codes = [i.code for i in scheme.leaves() if i.rule.kind == "manual"]
    auto_codes = [i.code for i in scheme.leaves() if i.rule.kind in ("auto", "check")]
    for c in counties.tolist():
        for code in manual_codes:
            s = Decimal(int(rng.integers(0, 201))) / 100
            r = Decimal(int(rng.integers(0, 201))) / 100 if rng.random() < 0.5 else None
            out[(c, code)] = ManualScore(self_score=s, reviewer_score=r)
        if rng.random() < 0.05:
            code = auto_codes[int(rng.integers(len(auto_codes)))]
            out[(c, code)] = ManualScore(reviewer_score=Decimal("1.5"))
        out[(c, "5.2")] = ManualScore(vetoed=bool(rng.random() < 0.03))
    return out


def generate(scale: float = 1.0, seed: int = 20231) -> National:
    rng = np.random.default_rng(seed)
    codes, parent, counties, provinces = _regions(rng, scale)
    county_rows = np.arange(len(codes) - len(counties), len(codes))
    ds = Dataset(codes, FIRST_YEAR, N_YEARS, _values(rng, len(codes), county_rows), parent)
    schools = _schools(rng, scale, counties)
    scheme = _scheme()
    return National(ds, counties, provinces, schools, scheme, _manual(rng, counties, scheme))


def write_schools_csv(table: SchoolTable, path) -> None:
    """The school table as the CSV `dutyeval balance` reads (what a provincial office exports).

    Enrolment as whole numbers, levels in Chinese (小学/初中), resources with their two decimals,
    missing figures as empty cells; UTF-8 with a BOM, as Excel saves it.
    """
    import polars as pl

    students = np.where(np.isfinite(table.students), table.students, np.nan)
    df = pl.DataFrame(
        {
            "county_code": table.county,
            "school_code": table.school,
            "level": np.where(table.level == 0, "小学", "初中"),
            "students": pl.Series(students).fill_nan(None).cast(pl.Int64),
            **{c: pl.Series(v).fill_nan(None) for c, v in table.resources.items()},
        }
    )
    with open(path, "wb") as fh:
        fh.write("\ufeff".encode())
        df.write_csv(fh)
