import io
from decimal import Decimal

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.core.management import call_command

from dutyeval.accounts.models import User
from dutyeval.collection.models import DataValue
from dutyeval.evaluation.demo import DEMO_PASSWORD, NoCounties, build_demo
from dutyeval.evaluation.models import Submission
from dutyeval.regions.models import Region, School


def test_the_demo_builds_shanxi_consistently(db):
    s = build_demo(schools_per_city=40)
    assert s.province.name == "山西省" and s.counties == Region.objects.filter(level="county").count() > 100
    assert School.objects.count() == 40 * Region.objects.filter(level="city").count()
    states = set(Submission.objects.values_list("state", flat=True))
    assert {"draft", "submitted", "returned", "accepted"} <= states
    # per-student figures equal total ÷ enrolment to the yuan, for every county, year and level
    values = {(v.region_id, v.year, v.element.code): v.value for v in DataValue.objects.select_related("element")}
    checked = 0
    for (region, year, code), value in values.items():
        if code.startswith("per_student_budget_"):
            level = code.removeprefix("per_student_budget_")
            total = values[(region, year, f"edu_exp_budget_{level}")] * 10000
            enrol = values[(region, year, f"enrol_{level}")]
            assert abs(total / enrol - value) <= Decimal("0.01")
            checked += 1
    assert checked == s.counties * 3 * 5
    # parts never exceed their whole
    for (region, year, code), value in values.items():
        if code == "enrol_preschool_public":
            assert value <= values[(region, year, "enrol_preschool")]


def test_the_demo_is_reproducible(db):
    build_demo(schools_per_city=10)
    first = sorted(DataValue.objects.values_list("region__code", "year", "element__code", "value"))
    build_demo(schools_per_city=10)
    assert sorted(DataValue.objects.values_list("region__code", "year", "element__code", "value")) == first


def test_demo_users_have_argon2_passwords_and_the_right_scope(db):
    build_demo(schools_per_city=10)
    u = User.objects.get(username="c140525")
    assert identify_hasher(u.password).algorithm == "argon2" and u.check_password(DEMO_PASSWORD)
    assert u.role == "county_coordinator" and u.region.name == "泽州县"
    assert User.objects.get(username="sxadmin").region.code == "140000"


def test_a_municipality_gets_schools_in_every_district(db):
    s = build_demo("11", schools_per_city=32)
    districts = Region.objects.filter(level="county", code__startswith="11")
    assert s.province.code == "110000" and s.counties == districts.count() == 16
    assert s.schools == School.objects.filter(county__code__startswith="11").count() == 32
    assert all(School.objects.filter(county=d).exists() for d in districts)
    # the logins printed name the province built, not the default one
    labels = dict((name, label) for name, _password, label in s.logins)
    assert labels["sxadmin"] == "省级督导办管理员（北京市）" and labels["reviewer"] == "评审专家（北京市）"


def test_a_province_without_counties_is_skipped_with_a_message(db):
    with pytest.raises(NoCounties, match="台湾省（710000）.*没有县级行政区划"):
        build_demo("71", schools_per_city=10)
    out, err = io.StringIO(), io.StringIO()
    call_command("build_demo", "--province", "81", stdout=out, stderr=err)
    assert "没有县级行政区划" in err.getvalue() and out.getvalue() == ""
    assert not Submission.objects.exists()


def test_the_demo_has_last_years_cycle_finished_and_ranked(db):
    """Results, ranks, the map and the trend across years need a finished cycle beside the open one."""
    from dutyeval.evaluation.models import Cycle, Result

    s = build_demo(schools_per_city=10)
    past = Cycle.objects.get(root=s.province, year=2020)
    assert past.data_year == 2019 and past.scheme_id == s.cycle.scheme_id and s.cycle.year == 2021
    subs = Submission.objects.filter(cycle=past)
    assert subs.count() == s.counties and set(subs.values_list("state", flat=True)) == {"accepted"}
    ranks = sorted(Result.objects.filter(submission__cycle=past).values_list("rank", flat=True))
    assert len(ranks) == s.counties and ranks[0] == 1 and 0 not in ranks
    assert past.stages.get(kind="rectification").ends < s.cycle.stages.get(kind="self_evaluation").starts
    # the open cycle still has its walkthrough county as a fresh draft
    assert Submission.objects.get(cycle=s.cycle, region__code="140525").state == "draft"
