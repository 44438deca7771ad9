"""A region writes only the years its open submission collects; a submitted cycle's years are locked.

Found in review: after the 2020 submission was submitted, PUT /api/regions/<own>/values/2019 still
answered 200 and raised a county from 良好 to 优秀 by rewriting the baseline its checks compare with.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from dutyeval.audit.models import AuditLog
from dutyeval.collection.models import DataValue
from dutyeval.collection.services import (
    ValidationFailed,
    YearClosed,
    correct_values,
    save_values,
    values_etag,
)
from dutyeval.evaluation import services as workflow


def _value(region, code, year):
    row = DataValue.objects.filter(region=region, element__code=code, year=year).first()
    return row.value if row else None


def _submit(world, fill_all_self_scores):
    fill_all_self_scores(world.sub, world.county_filler)
    workflow.submit_submission(world.sub, world.county_filler)


def test_a_county_writes_the_year_its_open_submission_collects(world):
    save_values(world.zezhou, 2020, {"enrol_primary": 100}, user=world.county_filler, source="entered")
    assert _value(world.zezhou, "enrol_primary", 2020) == 100


@pytest.mark.parametrize("year", [2019, 2016, 2021, 2030, 1999, 0, 40000, -1])
def test_a_county_cannot_write_years_no_open_submission_collects(world, year):
    with pytest.raises(YearClosed):
        save_values(world.zezhou, year, {"enrol_primary": 100}, user=world.county_filler, source="entered")
    assert not DataValue.objects.filter(region=world.zezhou).exists()


@pytest.mark.parametrize("year", [2020, 2019, 2016])
def test_every_year_a_submitted_cycle_reads_is_locked(world, fill_all_self_scores, record_history, year):
    record_history(world.zezhou, 2019, {"enrol_primary": 90})
    _submit(world, fill_all_self_scores)
    with pytest.raises(YearClosed, match="已随"):
        save_values(world.zezhou, year, {"enrol_primary": 200}, user=world.county_filler, source="entered")
    assert _value(world.zezhou, "enrol_primary", 2019) == 90


def test_the_lock_holds_after_acceptance_and_lifts_when_returned(world, fill_all_self_scores):
    _submit(world, fill_all_self_scores)
    workflow.accept_submission(world.sub, world.province_admin)
    with pytest.raises(YearClosed):
        save_values(world.zezhou, 2020, {"enrol_primary": 200}, user=world.county_filler, source="entered")
    world.sub.refresh_from_db()
    world.sub.state = "submitted"  # an accepted submission cannot be returned; test the returned path alone
    world.sub.save()
    workflow.return_submission(world.sub, world.province_admin, "补充材料")
    save_values(world.zezhou, 2020, {"enrol_primary": 200}, user=world.county_filler, source="entered")
    assert _value(world.zezhou, "enrol_primary", 2020) == 200


def test_another_county_s_lock_does_not_touch_mine(world, fill_all_self_scores):
    _submit(world, fill_all_self_scores)
    save_values(world.yangcheng, 2020, {"enrol_primary": 7}, user=world.other_filler, source="entered")
    assert _value(world.yangcheng, "enrol_primary", 2020) == 7


def test_only_the_region_s_own_coordinator_writes_through_the_service(world):
    for user in (world.other_filler, world.province_admin, world.reviewer, world.outsider):
        with pytest.raises(PermissionDenied):
            save_values(world.zezhou, 2020, {"enrol_primary": 1}, user=user, source="entered")
    assert not DataValue.objects.filter(region=world.zezhou).exists()


def test_the_office_corrects_a_locked_year_with_a_reason_on_record(world, fill_all_self_scores, record_history):
    record_history(world.zezhou, 2019, {"enrol_primary": 90})
    _submit(world, fill_all_self_scores)
    with pytest.raises(ValidationFailed):
        correct_values(world.zezhou, 2019, {"enrol_primary": 95}, user=world.province_admin, reason="  ")
    with pytest.raises(PermissionDenied):
        correct_values(world.zezhou, 2019, {"enrol_primary": 95}, user=world.outsider, reason="核实")
    with pytest.raises(PermissionDenied):
        correct_values(world.zezhou, 2019, {"enrol_primary": 95}, user=world.county_filler, reason="核实")
    assert _value(world.zezhou, "enrol_primary", 2019) == 90
    correct_values(world.zezhou, 2019, {"enrol_primary": 95}, user=world.province_admin, reason="统计年鉴核实")
    row = DataValue.objects.get(region=world.zezhou, element__code="enrol_primary", year=2019)
    assert row.value == 95 and row.source == "corrected" and row.author == world.province_admin
    log = AuditLog.objects.filter(action="collection.values.correct").latest("id")
    assert log.data["reason"] == "统计年鉴核实" and log.data["changes"]["enrol_primary"] == ["90.0000", "95"]


def test_the_api_refuses_earlier_years_after_submission(world, fill_all_self_scores, record_history, client_as):
    record_history(world.zezhou, 2019, {"enrol_primary": 90})
    _submit(world, fill_all_self_scores)
    c = client_as(world.county_filler)
    for year in (2019, 2020, 1999, 0, 40000):
        r = c.put(f"/api/regions/140525/values/{year}", {"values": {"enrol_primary": 5000}},
                  content_type="application/json", headers={"If-Match": "*"})
        assert r.status_code == 409, (year, r.content)
        assert "年" in r.json()["detail"]
    r = c.put("/api/regions/140525/values/-1", {"values": {"enrol_primary": 5000}},
              content_type="application/json", headers={"If-Match": "*"})
    assert 400 <= r.status_code < 500
    assert _value(world.zezhou, "enrol_primary", 2019) == 90


def test_the_excel_import_refuses_a_locked_year(world, fill_all_self_scores, client_as):
    from dutyeval.collection.services import import_excel

    _submit(world, fill_all_self_scores)
    attempt = import_excel(world.zezhou, 2020, b"whatever", "t.xlsx", user=world.county_filler, max_bytes=10**6)
    assert not attempt.ok and "已随" in attempt.errors[0]["reason"]


def test_the_form_refuses_after_submission(world, fill_all_self_scores, client_as):
    _submit(world, fill_all_self_scores)
    url = reverse("data-area", args=[world.sub.pk, "compulsory"])
    r = client_as(world.county_filler).post(url, {"enrol_primary": "999", "orig-enrol_primary": ""}, follow=True)
    assert "已随" in r.content.decode()
    assert _value(world.zezhou, "enrol_primary", 2020) is None


def test_a_submitted_score_cannot_be_raised_by_rewriting_the_baseline(world, fill_all_self_scores, record_history,
                                                                      client_as):
    """The review's exploit, end to end: the score before and after the attempt is the same."""
    from dutyeval.evaluation.models import Result
    from dutyeval.evaluation.recompute import compute, store

    record_history(world.zezhou, 2019, {"edu_exp_budget": "250000", "enrol_primary": 23000})
    save_values(world.zezhou, 2020, {"edu_exp_budget": "202149.1487", "enrol_primary": 23800},
                user=world.county_filler, source="entered")
    _submit(world, fill_all_self_scores)
    store(world.cycle, compute(world.cycle))
    before = Result.objects.get(submission=world.sub).total
    c = client_as(world.county_filler)
    c.put("/api/regions/140525/values/2019", {"values": {"edu_exp_budget": "100000"}},
          content_type="application/json", headers={"If-Match": "*"})
    store(world.cycle, compute(world.cycle))
    assert Result.objects.get(submission=world.sub).total == before
    assert _value(world.zezhou, "edu_exp_budget", 2019) == Decimal("250000")


def test_etag_changes_with_the_figures(world):
    empty = values_etag(world.zezhou, 2020)
    save_values(world.zezhou, 2020, {"enrol_primary": 100}, user=world.county_filler, source="entered")
    first = values_etag(world.zezhou, 2020)
    save_values(world.zezhou, 2020, {"enrol_primary": 101}, user=world.county_filler, source="entered")
    assert len({empty, first, values_etag(world.zezhou, 2020)}) == 3


def test_the_office_correction_page(world, fill_all_self_scores, record_history, client_as):
    record_history(world.zezhou, 2019, {"enrol_primary": 90})
    _submit(world, fill_all_self_scores)
    url = reverse("data-correct", args=[world.sub.pk])
    # the county and a province admin elsewhere cannot open it
    assert client_as(world.county_filler).get(url).status_code == 403
    assert client_as(world.outsider).get(url).status_code == 404
    c = client_as(world.province_admin)
    assert "数据更正" in c.get(reverse("submission", args=[world.sub.pk])).content.decode()
    r = c.post(url, {"element": "enrol_primary", "year": "2019", "value": "95", "reason": ""})
    assert r.status_code == 200 and "必须填写理由" in r.content.decode()
    assert _value(world.zezhou, "enrol_primary", 2019) == 90
    r = c.post(url, {"element": "enrol_primary", "year": "1990", "value": "95", "reason": "核实"})
    assert "年度" in r.content.decode() and _value(world.zezhou, "enrol_primary", 2019) == 90
    r = c.post(url, {"element": "enrol_primary", "year": "2019", "value": "95", "reason": "统计年报核实"}, follow=True)
    body = r.content.decode()
    assert "已更正 2019年“小学在校生数”" in body and "统计年报核实" in body
    assert _value(world.zezhou, "enrol_primary", 2019) == 95
