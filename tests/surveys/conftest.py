"""A Zhejiang cycle beside the shared Shanxi world: the Zhejiang scheme, its office and two districts."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook


@pytest.fixture
def zj(world, django_user_model):
    from dutyeval.core.schemefile import library_paths
    from dutyeval.evaluation.models import Cycle, Submission
    from dutyeval.regions.models import Region
    from dutyeval.regions.services import load_regions
    from dutyeval.schemes.services import freeze, import_scheme_file

    load_regions(province="33")
    scheme, _ = import_scheme_file(next(p for p in library_paths() if p.stem == "zhejiang-2021-county"))
    freeze(scheme)

    class Z:
        pass

    z = Z()
    z.scheme = scheme
    z.province = Region.objects.get(code="330000")
    z.yuecheng = Region.objects.get(code="330602")  # 越城区 (seed 002)
    z.keqiao = Region.objects.get(code="330603")  # 柯桥区
    z.cycle = Cycle.objects.create(name="浙江省2021年度履职评价", scheme=scheme, year=2022, data_year=2021, root=z.province)
    z.sub = Submission.objects.create(cycle=z.cycle, region=z.yuecheng)
    z.other_sub = Submission.objects.create(cycle=z.cycle, region=z.keqiao)
    z.admin = django_user_model.objects.create(username="zj_admin", role="province_admin", region=z.province,
                                               display_name="浙江省督导办")
    z.coordinator = django_user_model.objects.create(username="zj_yuecheng", role="county_coordinator",
                                                     region=z.yuecheng, display_name="越城区联络员")
    return z


def xlsx(rows: list[list]) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# seed 002, item 20: 越城区's five groups as published (学生、教师、家长、社会群众、人大政协)
SEED = {"学生": "8.996", "教师": "8.980", "家长": "8.174", "社会群众": "8.278", "人大政协": "9.162"}


def seed_csv(region: str = "330602", n: int = 400, extra: str = "") -> bytes:
    lines = ["区域代码,调查对象,样本量,平均分"] + [f"{region},{g},{n},{m}" for g, m in SEED.items()]
    return ("\n".join(lines) + "\n" + extra).encode()
