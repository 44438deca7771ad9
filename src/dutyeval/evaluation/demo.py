"""The demo province: real GB/T 2260 codes, plausible and internally consistent figures.

Everything is generated from one fixed seed, so two runs produce the same database. Totals are
drawn first and per-student figures derived from them, so 生均 = 总额 ÷ 在校生 to the yuan.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from dutyeval.accounts.models import User
from dutyeval.collection.models import DataElement, DataValue
from dutyeval.collection.services import sync_catalogue
from dutyeval.core.schemefile import library_paths
from dutyeval.regions.models import Region, School, SchoolYearRecord
from dutyeval.regions.services import load_regions
from dutyeval.schemes.models import Indicator
from dutyeval.schemes.services import freeze, import_scheme_file

from .models import Cycle, CycleStage, ItemScore, Narrative, RecomputeJob, Submission
from .recompute import compute, store, word

DEMO_PASSWORD = "Demo@2021pass"
YEARS = (2018, 2019, 2020)
LEVELS = ("preschool", "primary", "junior", "senior", "vocational")
Q4, Q2 = Decimal("0.0001"), Decimal("0.01")


class NoCounties(ValueError):
    """The province has no counties to build a demo for (71, 81, 82)."""


@dataclass
class DemoSummary:
    province: Region
    counties: int
    schools: int
    values: int
    cycle: Cycle
    logins: list[tuple[str, str, str]]


def _q(x: float | Decimal, q: Decimal) -> Decimal:
    return Decimal(str(x)).quantize(q, rounding=ROUND_HALF_UP)


def county_figures(rng: random.Random, year_index: int, base: dict) -> dict[str, Decimal]:
    """One county's figures for one year. `base` holds the county's fixed traits."""
    g = 1 + base["growth"] * year_index
    f: dict[str, Decimal] = {}
    enrol = {
        "preschool": int(base["pop"] * 0.030 * (1 - 0.02 * year_index)),
        "primary": int(base["pop"] * 0.075 * (1 + 0.005 * year_index)),
        "junior": int(base["pop"] * 0.036 * (1 + 0.01 * year_index)),
        "senior": int(base["pop"] * 0.022),
        "vocational": int(base["pop"] * 0.016),
    }
    per_student = {"preschool": 8200, "primary": 12800, "junior": 15600, "senior": 16500, "vocational": 15800}
    total_edu = Decimal(0)
    for lvl in LEVELS:
        n = max(enrol[lvl], 1)
        # a few counties let per-student spending slip in the latest year (两个只增不减 fails)
        slip = base["slip"] if (year_index == 2 and lvl in ("primary", "junior")) else 0
        ps = per_student[lvl] * base["wealth"] * g * (1 - slip) * rng.uniform(0.99, 1.01)
        total = _q(ps * n / 10000, Q4)  # 万元, exact to the yuan
        f[f"enrol_{lvl}"] = Decimal(n)
        f[f"edu_exp_budget_{lvl}"] = total
        f[f"per_student_budget_{lvl}"] = _q(total * 10000 / n, Q2)
        total_edu += total
    f["edu_exp_budget"] = _q(total_edu * Decimal(str(1.08 + 0.02 * rng.random())), Q4)
    f["gen_budget_exp"] = _q(f["edu_exp_budget"] * Decimal(str(5.5 + rng.random())), Q4)
    f["edu_exp_fiscal"] = _q(f["edu_exp_budget"] * Decimal("1.05"), Q4)
    f["gdp"] = _q(f["gen_budget_exp"] * Decimal(str(6 + 2 * rng.random())), Q4)
    f["per_student_opex_primary"] = _q(f["per_student_budget_primary"] * Decimal("0.86"), Q2)
    f["per_student_opex_junior"] = _q(f["per_student_budget_junior"] * Decimal("0.86"), Q2)
    f["per_student_pub_preschool"] = _q(620 * g, Q2)
    f["per_student_pub_primary"] = _q(rng.uniform(650, 900) * g, Q2)
    f["per_student_pub_junior"] = _q(rng.uniform(850, 1100) * g, Q2)
    f["per_student_pub_senior"] = _q(rng.uniform(1200, 1800) * g, Q2)
    f["per_student_pub_vocational"] = _q(rng.uniform(1500, 2200) * g, Q2)
    f["edu_surcharge"] = _q(f["edu_exp_budget"] * Decimal("0.06"), Q4)
    f["land_fund_edu"] = _q(f["edu_exp_budget"] * Decimal(str(0.01 + 0.02 * rng.random())), Q4)
    f["school_construction_invest"] = _q(f["edu_exp_budget"] * Decimal(str(0.05 + 0.05 * rng.random())), Q4)
    f["student_aid"] = _q(f["edu_exp_budget"] * Decimal("0.02"), Q4)
    # pre-school
    f["enrol_preschool_public"] = Decimal(int(enrol["preschool"] * base["public_kg"]))
    f["enrol_preschool_affordable"] = Decimal(int(enrol["preschool"] * (0.95 - base["public_kg"]) * rng.uniform(0.7, 1)))
    f["kindergartens"] = Decimal(max(3, enrol["preschool"] // 160))
    f["kindergartens_public"] = Decimal(int(f["kindergartens"] * Decimal(str(base["public_kg"]))))
    f["gross_enrol_preschool"] = _q(rng.uniform(86, 104), Q2)
    f["public_kg_share"] = _q(f["enrol_preschool_public"] * 100 / max(enrol["preschool"], 1), Q2)
    f["affordable_kg_coverage"] = _q(
        (f["enrol_preschool_public"] + f["enrol_preschool_affordable"]) * 100 / max(enrol["preschool"], 1), Q2
    )
    f["kg_teachers"] = Decimal(max(1, enrol["preschool"] // 14))
    # compulsory
    f["schools_primary"] = Decimal(max(2, enrol["primary"] // 420))
    f["schools_junior"] = Decimal(max(1, enrol["junior"] // 700))
    f["retention_compulsory"] = _q(rng.uniform(94.0, 99.8), Q2)
    f["disabled_children"] = Decimal(max(20, base["pop"] // 2000))
    f["disabled_children_enrolled"] = Decimal(int(f["disabled_children"] * Decimal(str(rng.uniform(0.93, 1.0)))))
    f["disabled_enrol_rate"] = _q(f["disabled_children_enrolled"] * 100 / f["disabled_children"], Q2)
    classes = (enrol["primary"] + enrol["junior"]) // 42
    f["classes_compulsory"] = Decimal(classes)
    f["classes_large"] = Decimal(int(classes * base["large"] * (1 - 0.3 * year_index)))
    f["classes_super_large"] = Decimal(int(classes * base["large"] * 0.1 * (2 - year_index)))
    f["migrant_public_rate"] = _q(rng.uniform(85, 98), Q2)
    f["dangerous_building_area"] = Decimal(int(rng.choice([0, 0, 0, 350, 1200]) * (2 - year_index)))
    # 民办义务教育 share and 课后服务 coverage (Shanxi items 4.5.1 and 10.3), drawn from their own generator
    # so that the main generator, and every other figure, stays what it was
    own = random.Random(f"{base['pop']}/{year_index}")
    compulsory = enrol["primary"] + enrol["junior"]
    private = int(compulsory * own.uniform(0.01, 0.06))
    f["enrol_compulsory_private"] = Decimal(private)
    f["private_compulsory_share"] = _q(Decimal(private) * 100 / max(compulsory, 1), Q2)
    schools = f["schools_primary"] + f["schools_junior"]
    f["schools_after_school"] = schools - (0 if own.random() < 0.85 else own.randint(1, 2))
    f["after_school_coverage"] = _q(f["schools_after_school"] * 100 / schools, Q2)
    # senior
    f["intake_senior"] = Decimal(enrol["senior"] // 3)
    f["intake_vocational"] = Decimal(int(enrol["vocational"] / 3 * rng.uniform(0.8, 1.1)))
    f["gross_enrol_senior"] = _q(rng.uniform(88, 99), Q2)
    # teachers
    teachers = (enrol["primary"] + enrol["junior"]) // 15
    f["teachers_compulsory"] = Decimal(teachers)
    f["civil_servant_pay"] = _q(base["cs_pay"] * (1 + 0.04 * year_index), Q2)
    f["teacher_pay_compulsory"] = _q(float(f["civil_servant_pay"]) * base["pay_ratio"], Q2)
    f["teacher_payroll"] = _q(f["teacher_pay_compulsory"] * teachers / 10000, Q4)
    f["training_funds"] = _q(f["teacher_payroll"] * Decimal(str(base["training"])), Q4)
    f["teacher_certified_rate"] = _q(rng.uniform(97, 100), Q2)
    f["teacher_rotation_rate"] = _q(rng.uniform(8, 18), Q2)
    f["teacher_training_hours_rate"] = _q(rng.uniform(92, 100), Q2)
    for group in ("public", "parents", "teachers", "students"):
        f[f"satisfaction_{group}"] = _q(rng.uniform(82, 96), Q2)
    return f


def county_traits(rng: random.Random) -> dict:
    return {
        "pop": rng.randint(120_000, 650_000),
        "wealth": rng.uniform(0.85, 1.25),
        "growth": rng.uniform(0.02, 0.08),
        "slip": rng.choice([0, 0, 0, 0, 0, 0, 0.06]),
        "public_kg": rng.uniform(0.42, 0.7),
        "large": rng.uniform(0.0, 0.08),
        "cs_pay": rng.uniform(78_000, 96_000),
        "pay_ratio": rng.choice([1.02, 1.05, 1.01, 0.97, 1.03]),
        "training": rng.choice([0.015, 0.018, 0.02, 0.012]),
    }


SCHOOL_NAMES = ("第一", "第二", "第三", "实验", "城关", "东关", "西关", "南街", "北街", "新区", "育才", "红星")


def build_schools(rng: random.Random, county: Region, n: int, data_years: tuple[int, ...]):
    schools, records = [], []
    for i in range(n):
        kind = rng.choices(
            [School.Type.PRIMARY, School.Type.JUNIOR, School.Type.NINE_YEAR, School.Type.KINDERGARTEN],
            [0.5, 0.2, 0.1, 0.2],
        )[0]
        label = {"primary": "小学", "junior": "初级中学", "nine_year": "学校"}.get(kind, "幼儿园")
        name = f"{county.name}{SCHOOL_NAMES[i % len(SCHOOL_NAMES)]}{label}" + (f"（{i // len(SCHOOL_NAMES) + 1}）" if i >= len(SCHOOL_NAMES) else "")
        schools.append(School(code=f"{county.code}{i + 1:04d}", name=name, type=kind, county=county))
    School.objects.bulk_create(schools)
    for s in School.objects.filter(county=county):
        levels = {"primary": ["primary"], "junior": ["junior"], "nine_year": ["primary", "junior"]}.get(s.type, [])
        for lvl in levels:
            students = rng.randint(40, 2200) if lvl == "primary" else rng.randint(60, 1800)
            q = rng.uniform(0.75, 1.6)  # school's resource level against the standard
            for y in data_years:
                std = BALANCE_STANDARD[lvl]
                records.append(
                    SchoolYearRecord(
                        school=s, year=y, level=lvl, students=students,
                        teachers_above_degree=round(students / 100 * std[0] * q * rng.uniform(0.9, 1.1)),
                        backbone_teachers=round(students / 100 * std[1] * q * rng.uniform(0.6, 1.4)),
                        pe_art_teachers=round(students / 100 * std[2] * q * rng.uniform(0.7, 1.3)),
                        teaching_area_m2=_q(students * std[3] * q * rng.uniform(0.9, 1.1), Q2),
                        sports_area_m2=_q(students * std[4] * q * rng.uniform(0.7, 1.3), Q2),
                        equipment_value_yuan=_q(students * std[5] * q * rng.uniform(0.8, 1.2), Q2),
                        multimedia_rooms=round(students / 100 * std[6] * q * rng.uniform(0.8, 1.2)),
                    )
                )
    return len(schools), records


# 优质均衡 standards (STANDARDS.md §1.1), used only to make demo schools plausible around them
BALANCE_STANDARD = {
    "primary": (4.2, 1.0, 0.9, 4.5, 7.5, 2000, 2.3),
    "junior": (5.3, 1.0, 0.9, 5.8, 10.2, 2500, 2.4),
}


@transaction.atomic
def build_demo(province_code: str = "14", seed: int = 2021, schools_per_city: int = 300) -> DemoSummary:
    rng = random.Random(seed)
    load_regions(province=province_code)
    sync_catalogue()
    province = Region.objects.get(code=f"{province_code}0000")
    counties = list(Region.objects.filter(level="county", code__startswith=province_code).order_by("code"))
    if not counties:  # 台湾省, 香港, 澳门: GB/T 2260 lists the province and nothing below it
        raise NoCounties(f"{province.name}（{province.code}）在 GB/T 2260 中没有县级行政区划，不生成演示数据")
    _wipe_demo(province)
    elements = {e.code: e for e in DataElement.objects.all()}
    values = []
    for county in counties:
        traits = county_traits(rng)
        for yi, year in enumerate(YEARS):
            for code, v in county_figures(rng, yi, traits).items():
                values.append(DataValue(element=elements[code], region=county, year=year, value=v, source="demo"))
    DataValue.objects.bulk_create(values, batch_size=5000)
    n_schools, records = 0, []
    # schools_per_city schools for the counties of each city, and as many for the counties that
    # hang directly under the province: every district of 北京/天津/上海/重庆, and the
    # 省直辖县级行政区划 of 河南, 湖北, 海南, 新疆
    parents = list(Region.objects.filter(level="city", code__startswith=province_code))
    if any(c.parent_id == province.pk for c in counties):
        parents.append(province)
    for parent in parents:
        city_counties = [c for c in counties if c.parent_id == parent.pk]
        for i, county in enumerate(city_counties):
            share = schools_per_city // len(city_counties) + (1 if i < schools_per_city % len(city_counties) else 0)
            n, recs = build_schools(rng, county, share, YEARS[-2:])
            n_schools += n
            records.extend(recs)
    SchoolYearRecord.objects.bulk_create(records, batch_size=5000)
    past = _build_past_cycle(rng, province, counties)
    cycle = _build_cycle(rng, province, counties)
    logins = _build_users(province, counties)
    for c in (past, cycle):
        t0 = time.perf_counter()
        n = store(c, compute(c))
        word(c)  # as the worker does after a full recompute: every region's words, for the demo's pages
        RecomputeJob.objects.create(cycle=c, state="done", progress=100, message=f"已计算 {n} 个县（市、区）",
                                    reason="生成演示数据", finished=timezone.now(), seconds=time.perf_counter() - t0)
    return DemoSummary(province, len(counties), n_schools, len(values), cycle, logins)


def _demo_day(offset: int) -> datetime:
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return today + timedelta(days=offset)


def _wipe_demo(province: Region) -> None:
    prefix = province.prefix
    Cycle.objects.filter(root=province).delete()
    # by a subquery on the regions, not a join: Django deletes a joined filter as "id IN (a self-join)",
    # which PostgreSQL without statistics (a test's transaction) planned as a nested loop for minutes
    regions = Region.objects.filter(code__startswith=prefix).values("pk")
    DataValue.objects.filter(region__in=regions).delete()
    schools = School.objects.filter(county__in=regions)
    SchoolYearRecord.objects.filter(school__in=schools.values("pk")).delete()
    schools.delete()
    # users are kept (and updated in _build_users): the append-only audit log refers to them


def _self_score(rng: random.Random, points) -> Decimal:
    """Counties give themselves full marks on most items and take off part of a few."""
    return _q(float(points) * (1.0 if rng.random() < 0.8 else rng.uniform(0.6, 0.95)), Q2)


def _county_scheme():
    scheme, _ = import_scheme_file(next(p for p in library_paths() if p.stem == "shanxi-2021-county"))
    freeze(scheme)
    return scheme


def _build_past_cycle(rng: random.Random, province: Region, counties: list[Region]) -> Cycle:
    """Last year's cycle, finished: every county submitted, reviewed and accepted, so results, ranks,
    the map, the trend across years and the release pages have something true to show."""
    cycle = Cycle.objects.create(
        name=f"{province.name}2020年对县级政府履行教育职责评价", scheme=_county_scheme(), year=2020,
        data_year=2019, root=province, deadline=_demo_day(-335).replace(hour=23, minute=59),
        published_at=_demo_day(-365),
    )
    CycleStage.objects.bulk_create([
        CycleStage(cycle=cycle, kind=kind, starts=_demo_day(a).date(), ends=_demo_day(b).date())
        for kind, a, b in (("notice", -365, -365), ("self_evaluation", -365, -335), ("online_review", -334, -305),
                           ("field_verification", -304, -275), ("publicity", -274, -268),
                           ("rectification", -267, -85))
    ])
    leaves = list(Indicator.objects.filter(scheme=cycle.scheme, children__isnull=True, rule_kind="manual"))
    scores = []
    for county in counties:
        sub = Submission.objects.create(
            cycle=cycle, region=county, state="accepted",
            submitted_at=_demo_day(-rng.randint(336, 345)).replace(hour=rng.randint(8, 23)),
        )
        for ind in leaves:
            own = _self_score(rng, ind.points)
            # reviewers mostly agree, and now and then take off part of a point the evidence does not carry
            reviewed = own if rng.random() < 0.8 else _q(max(0.0, float(own) - rng.uniform(0.2, 1.0)), Q2)
            scores.append(ItemScore(submission=sub, indicator=ind, self_score=own, reviewer_score=reviewed,
                                    reviewer_note="" if reviewed == own else "佐证材料不能完全支撑自评得分"))
    ItemScore.objects.bulk_create(scores, batch_size=5000)
    return cycle


def _build_cycle(rng: random.Random, province: Region, counties: list[Region]) -> Cycle:
    scheme = _county_scheme()
    # offered to the province office for a cycle of 设区市 (not frozen until a cycle uses it)
    import_scheme_file(next(p for p in library_paths() if p.stem == "shanxi-2021-city"))
    cycle = Cycle.objects.create(
        name=f"{province.name}2021年对县级政府履行教育职责评价",
        scheme=scheme,
        year=2021,
        data_year=2020,
        root=province,
        # the walkthrough must stay usable on the day it is built: the self-evaluation closes in 30 days
        deadline=_demo_day(30).replace(hour=23, minute=59),
    )
    CycleStage.objects.bulk_create([
        CycleStage(cycle=cycle, kind=kind, starts=_demo_day(a).date(), ends=_demo_day(b).date())
        for kind, a, b in (("notice", -30, -30), ("self_evaluation", -30, 30), ("online_review", 31, 60),
                           ("field_verification", 61, 90), ("publicity", 91, 97), ("rectification", 98, 280))
    ])
    leaves = list(Indicator.objects.filter(scheme=scheme, children__isnull=True, rule_kind="manual"))
    areas = list(Indicator.objects.filter(scheme=scheme, depth=1))
    states = ["draft"] * 45 + ["submitted"] * 30 + ["accepted"] * 15 + ["returned"] * 10
    scores, narratives = [], []
    for county in counties:
        state = rng.choice(states)
        sub = Submission.objects.create(
            cycle=cycle, region=county, state=state,
            submitted_at=None if state == "draft" else datetime(2021, 10, rng.randint(8, 31), rng.randint(8, 23),
                                                               rng.randint(0, 59), tzinfo=ZoneInfo("Asia/Shanghai")),
            return_reason="请补充教师培训经费的财政决算佐证材料。" if state == "returned" else "",
        )
        done = 1.0 if state != "draft" else rng.uniform(0, 0.8)
        for ind in leaves:
            if rng.random() < done:
                scores.append(ItemScore(submission=sub, indicator=ind,
                                        self_score=_self_score(rng, ind.points)))
        for area in areas:
            if rng.random() < done:
                narratives.append(Narrative(submission=sub, area_code=area.code,
                                            text=f"{county.name}认真落实{area.title}相关要求，具体情况见佐证材料。"))
    ItemScore.objects.bulk_create(scores, batch_size=5000)
    Narrative.objects.bulk_create(narratives, batch_size=5000)
    # the walkthrough county is always a fresh draft
    Submission.objects.filter(cycle=cycle, region__code="140525").update(state="draft", return_reason="")
    return cycle


def _upsert_users(users: list) -> None:
    fields = ["password", "role", "region", "display_name", "is_staff", "is_superuser", "is_active"]
    existing = {u.username: u for u in User.objects.filter(username__in=[u.username for u in users])}
    for u in users:
        if u.username in existing:
            u.pk = existing[u.username].pk
            u.is_active = True
    User.objects.bulk_update([u for u in users if u.pk], fields, batch_size=1000)
    User.objects.bulk_create([u for u in users if not u.pk], batch_size=1000)


def _build_users(province: Region, counties: list[Region]) -> list[tuple[str, str, str]]:
    hashed = make_password(DEMO_PASSWORD)  # hash once: Argon2 is slow on purpose
    users = [
        User(username="admin", is_staff=True, is_superuser=True, display_name="系统管理员", password=hashed),
        User(username="sxadmin", role="province_admin", region=province, display_name="省督导办 王主任", password=hashed),
        User(username="reviewer", role="reviewer", region=province, display_name="督学 李专家", password=hashed),
    ]
    for c in counties:
        users.append(User(username=f"c{c.code}", role="county_coordinator", region=c,
                          display_name=f"{c.name}联络员", password=hashed))
    _upsert_users(users)
    zezhou = next((c for c in counties if c.code == "140525"), counties[0])
    return [
        ("sxadmin", DEMO_PASSWORD, f"省级督导办管理员（{province.name}）"),
        ("reviewer", DEMO_PASSWORD, f"评审专家（{province.name}）"),
        (f"c{zezhou.code}", DEMO_PASSWORD, f"县级填报联络员（{zezhou.name}）"),
        ("admin", DEMO_PASSWORD, "系统管理员（后台 /admin/）"),
    ]
