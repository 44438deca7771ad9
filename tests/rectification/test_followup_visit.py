"""A follow-up visit (回头看) is a field-verification visit: a fieldwork team, its schedule and recusal,
the region drawn by the follow-up draw, made through fieldwork's own services; its checklist is the
chosen tasks, and the team records an on-site result per task. Refusals write nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from dutyeval.audit.models import AuditLog
from dutyeval.fieldwork import services as fieldwork
from dutyeval.fieldwork.models import Visit
from dutyeval.rectification import followup
from dutyeval.rectification.models import FollowUpCheck, FollowUpItem
from dutyeval.rectification.services import RectificationError

from .test_followup import TODAY, _drawn, ledger  # noqa: F401  (the fixture)


@pytest.fixture
def visit_world(ledger):  # noqa: F811
    w = ledger
    w.fu = _drawn(w)  # draws 泽州县 (forced in: an overdue task)
    w.team = fieldwork.create_team(w.cycle, w.province_admin, "回头看第一组")
    fieldwork.add_member(w.team, w.province_admin, w.reviewer, "leader")
    return w


def _plan(w, **kw):
    args = {"starts": TODAY - timedelta(days=2), "ends": TODAY, "tasks": [w.closed.pk, w.late.pk], **kw}
    return followup.add_followup_visit(w.fu, w.team, w.province_admin, w.zezhou, **args)


def test_a_follow_up_visit_is_a_fieldwork_visit_with_a_checklist_of_the_chosen_tasks(visit_world):
    w = visit_world
    visit = _plan(w)
    assert isinstance(visit, Visit) and (visit.team, visit.region, visit.draw) == (w.team, w.zezhou, w.fu.draw)
    assert AuditLog.objects.filter(action="fieldwork.visit.add", object_id=str(visit.pk)).exists()
    audit = AuditLog.objects.get(action="rectification.followup.visit")
    assert audit.data["tasks"] == sorted([w.closed.pk, w.late.pk]) and audit.data["team"] == "回头看第一组"
    assert [i.task for i in followup.checklist(visit)] == [w.closed, w.late]
    assert list(followup.followup_visits(w.cycle)) == [visit]
    # the team's member records the on-site result; 不属实 on the closed task opens it again
    check = followup.record_followup(w.closed, w.reviewer, followup=None, visit=visit, verdict="false",
                                     note="现场查看，大班额仍有3个。", visited_on=TODAY)
    w.closed.refresh_from_db()
    assert (check.visit, check.followup, check.reopened, w.closed.state) == (visit, w.fu, True, "open")
    lines = followup.checklist(visit)
    assert [(i.task_id, i.result.verdict if i.result else None) for i in lines] == [(w.closed.pk, "false"),
                                                                                   (w.late.pk, None)]


def _unchanged():
    return (Visit.objects.count(), FollowUpItem.objects.count(), FollowUpCheck.objects.count(),
            list(AuditLog.objects.order_by("pk").values_list("action", flat=True)))


def test_bad_follow_up_visits_are_refused_and_write_nothing(visit_world):
    w = visit_world
    # an expert of 阳城县 on the team: same city as 泽州县, recused at the cycle's (city) recusal level
    fieldwork.add_member(w.team, w.province_admin, w.county_filler.__class__.objects.create(
        username="yc_expert", role="reviewer", region=w.yangcheng, display_name="阳城专家"), "member")
    before = _unchanged()
    cases = [
        ({"tasks": []}, "请勾选"),
        ({"tasks": [w.other.pk]}, "请勾选"),  # 阳城县's task on 泽州县's checklist
        ({"starts": TODAY, "ends": TODAY - timedelta(days=1)}, "核查日期"),
        ({"starts": None}, "核查日期"),
        ({}, "回避"),  # the 阳城县 member may not visit 泽州县 (same city)
    ]
    for kw, message in cases:
        with pytest.raises(RectificationError, match=message):
            _plan(w, **kw)
        assert _unchanged() == before, message
    with pytest.raises(RectificationError, match="督导办"):
        followup.add_followup_visit(w.fu, w.team, w.other_filler, w.zezhou, starts=TODAY, ends=TODAY,
                                    tasks=[w.closed.pk])
    with pytest.raises(RectificationError, match="未被该回头看抽签抽中"):
        followup.add_followup_visit(w.fu, w.team, w.province_admin, w.yangcheng, starts=TODAY, ends=TODAY,
                                    tasks=[w.other.pk])
    assert _unchanged() == before


def test_only_the_team_and_the_office_record_and_only_tasks_on_the_checklist(visit_world):
    w = visit_world
    visit = _plan(w, tasks=[w.late.pk])
    before = _unchanged()
    for task, user, message in ((w.late, w.county_filler, "核查组成员"), (w.late, w.edu_user, "核查组成员"),
                                (w.closed, w.reviewer, "不在本次回头看的核查清单中")):
        with pytest.raises(RectificationError, match=message):
            followup.record_followup(task, user, followup=None, visit=visit, verdict="true", note="x")
        assert _unchanged() == before
    # without the visit the team member is nobody on the task
    with pytest.raises(RectificationError, match="核查组成员"):
        followup.record_followup(w.late, w.reviewer, followup=w.fu, verdict="true", note="x")


def test_the_pages_plan_a_visit_and_the_team_fills_its_checklist(visit_world, client_as):
    w = visit_world
    dash = reverse("rect-dashboard", args=[w.cycle.pk])
    page = client_as(w.province_admin).get(dash).content.decode()
    assert 'class="followup-visit-form"' in page and "回头看第一组" in page
    body = {"action": "followup_visit", "followup": w.fu.pk, "region": w.zezhou.code, "team": w.team.pk,
            "starts": str(TODAY), "ends": str(TODAY), "tasks": [w.closed.pk]}
    assert client_as(w.county_filler).post(dash, body).status_code == 404
    r = client_as(w.province_admin).post(dash, {**body, "tasks": []}, follow=True)
    assert "请勾选泽州县需要现场核查的整改任务" in r.content.decode() and not Visit.objects.exists()
    r = client_as(w.province_admin).post(dash, body, follow=True)
    assert "已安排泽州县整改回头看：回头看第一组，核查清单1项。" in r.content.decode()
    visit = Visit.objects.get()
    url = reverse("rect-visit", args=[visit.pk])
    assert f'href="{url}"' in r.content.decode()
    # the team's page links the checklist; the checklist page is the team's and the office's only
    team_page = client_as(w.reviewer).get(reverse("fieldwork:team", args=[w.team.pk])).content.decode()
    assert f'href="{url}"' in team_page
    for user in (w.county_filler, w.edu_user, w.outsider):
        assert client_as(user).get(url).status_code == 404
    page = client_as(w.reviewer).get(url).content.decode()
    assert f'data-task="{w.closed.pk}"' in page and f'data-task="{w.late.pk}"' not in page
    form = {"action": "record", "task": w.closed.pk, "verdict": "true", "note": "", "visited_on": str(TODAY)}
    r = client_as(w.reviewer).post(url, form)
    assert "请填写核查情况" in r.content.decode() and not FollowUpCheck.objects.exists()
    assert client_as(w.reviewer).post(url, {**form, "task": w.late.pk}).status_code == 404  # not on the list
    r = client_as(w.reviewer).post(url, {**form, "note": "整改属实，新校已投入使用。"}, follow=True)
    assert "回头看核查已记录为属实" in r.content.decode() and "新校已投入使用" in r.content.decode()
    assert FollowUpCheck.objects.get().by == w.reviewer
