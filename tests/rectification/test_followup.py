"""回头看: the regions to revisit come from a verifiable draw of the draws app (frame from the ledger:
no tasks → excluded, overdue → forced, with reasons); the office records per task what it found, and a
closed task found not true opens again. Refusals write nothing."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from evidence.samples import pdf

from dutyeval.audit.models import AuditLog
from dutyeval.draws import services as draws
from dutyeval.draws.models import Draw
from dutyeval.rectification import followup, services
from dutyeval.rectification.models import EvidenceFile, Finding, FollowUpCheck, FollowUpDraw, Plan, Task
from dutyeval.rectification.services import RectificationError

TODAY = timezone.localdate()


def _task(w, region, dept, n, **kw):
    plan, _ = Plan.objects.get_or_create(cycle=w.cycle, region=region, defaults={"state": "approved"})
    f = Finding.objects.create(cycle=w.cycle, region=region, source="office", key=f"office:{n}", theme="教育投入",
                               text=f"问题{n}", state="confirmed", found_on=TODAY - timedelta(days=100))
    return Task.objects.create(plan=plan, finding=f, measures=f"措施{n}", department=dept, **kw)


@pytest.fixture
def ledger(reviewed):
    from dutyeval.departments.models import Department

    w = reviewed
    w.closed = _task(w, w.zezhou, w.edu, 1, deadline=TODAY - timedelta(days=40), state="closed", closure="accepted",
                     closed_at=timezone.now() - timedelta(days=45), closed_by=w.province_admin)
    w.late = _task(w, w.zezhou, w.fin, 2, deadline=TODAY - timedelta(days=3), state="open")
    yc = Department.objects.create(region=w.yangcheng, name="县教育局")
    w.other = _task(w, w.yangcheng, yc, 3, deadline=TODAY + timedelta(days=30), state="open")
    return w


def _drawn(w):
    fu = followup.prepare_followup_draw(w.cycle, w.province_admin)
    draws.publish_draw(fu.draw, w.province_admin)
    draws.add_public_input(fu.draw, w.province_admin, "07 21 33", "纪检组 张")
    draws.make_draw(fu.draw, w.province_admin)
    fu.draw.refresh_from_db()
    return fu


def test_the_frame_comes_from_the_ledger_and_the_draws_app_draws_it(ledger):
    w = ledger
    fu = followup.prepare_followup_draw(w.cycle, w.province_admin)
    draw = fu.draw
    assert (draw.kind, draw.state, draw.title) == ("regions", "draft", f"{w.cycle.name}整改回头看抽签")
    frame = draw.frame
    excluded = {n["code"]: n["reason"] for n in frame["exclusions"]}
    assert w.zezhou.code not in excluded and w.yangcheng.code not in excluded
    assert set(excluded.values()) == {"无整改任务"} and len(excluded) == len(frame["rows"]) - 2
    assert frame["forced"] == [{"code": w.zezhou.code, "reason": "有逾期整改任务1项"}]
    # two regions with tasks, one forced: n = max(1 forced, ⌈2/3⌉) = 1; both in 晋城市, so no strata
    assert draw.parameters["n"] == 1 and draw.parameters["strata"] is None
    assert AuditLog.objects.filter(action="rectification.followup.draw").count() == 1
    assert AuditLog.objects.filter(action="draws.draw.update", object_id=str(draw.pk)).exists()
    fu = _drawn(w)
    assert followup.drawn_codes(fu.draw) == [w.zezhou.code]
    assert followup.chosen_followups(w.late) == [fu] and followup.chosen_followups(w.other) == []


def test_not_true_reopens_a_closed_task_and_true_changes_nothing(ledger, settings, tmp_path):
    w = ledger
    fu = _drawn(w)
    check = followup.record_followup(w.closed, w.province_admin, followup=fu, verdict="false",
                                     note="现场查看，城东小学仍未开工，大班额未消除。", visited_on=TODAY - timedelta(days=1),
                                     file=(io.BytesIO(pdf()), "现场照片说明.pdf"))
    w.closed.refresh_from_db()
    assert (w.closed.state, w.closed.closure, w.closed.closed_at) == ("open", "", None)
    assert (check.reopened, check.state_before) == (True, "closed")
    (ev,) = check.files.all()
    assert ev.filename == "现场照片说明.pdf" and ev.task_id == w.closed.pk
    assert (settings.MEDIA_ROOT / "rectification" / ev.stored_name).exists()
    assert not services.has_evidence(w.closed)  # a follow-up's file is no evidence for closing the task
    reopen = AuditLog.objects.get(action="rectification.task.reopen")
    assert reopen.data["closure"] == "accepted" and "仍未开工" in reopen.data["reason"]
    ok = followup.record_followup(w.late, w.province_admin, followup=fu, verdict="true", note="进展属实。")
    w.late.refresh_from_db()
    assert (ok.reopened, w.late.state) == (False, "open")
    assert FollowUpCheck.objects.count() == 2


def _unchanged():
    return (list(Task.objects.order_by("pk").values_list("state", "closure")), FollowUpCheck.objects.count(),
            EvidenceFile.objects.count(), AuditLog.objects.filter(action__startswith="rectification.").count())


def test_refusals_write_nothing(ledger):
    w = ledger
    with pytest.raises(RectificationError, match="只有组织本次评价的督导办"):
        followup.prepare_followup_draw(w.cycle, w.county_filler)
    fu = _drawn(w)
    before = _unchanged()
    cases = [
        (w.other, w.province_admin, {"verdict": "true", "note": "x"}, "未被回头看抽签抽中"),
        (w.closed, w.county_filler, {"verdict": "false", "note": "x"}, "督导办"),
        (w.closed, w.province_admin, {"verdict": "maybe", "note": "x"}, "核查结论"),
        (w.closed, w.province_admin, {"verdict": "false", "note": "  "}, "核查情况"),
        (w.closed, w.province_admin, {"verdict": "false", "note": "x", "visited_on": str(TODAY + timedelta(days=1))},
         "不能晚于今天"),
        (w.closed, w.province_admin, {"verdict": "false", "note": "x", "visited_on": "2025-02-30"}, "不是有效日期"),
        (w.closed, w.province_admin, {"verdict": "false", "note": "x", "file": (io.BytesIO(b"MZ\x90\x00"), "a.exe")},
         "a.exe"),
    ]
    for task, user, kw, message in cases:
        with pytest.raises(RectificationError, match=message):
            followup.record_followup(task, user, followup=fu, **kw)
        assert _unchanged() == before, message
    with pytest.raises(RectificationError, match="未被回头看抽签抽中"):
        followup.record_followup(w.closed, w.province_admin, followup=None, verdict="false", note="x")


def test_an_undrawn_followup_chooses_no_one_and_a_cycle_without_tasks_has_no_followup(ledger):
    w = ledger
    fu = followup.prepare_followup_draw(w.cycle, w.province_admin)
    assert fu.draw.state == Draw.State.DRAFT and followup.chosen_followups(w.closed) == []
    Task.objects.all().delete()
    with pytest.raises(RectificationError, match="没有执行中的整改任务"):
        followup.prepare_followup_draw(w.cycle, w.province_admin)
    assert FollowUpDraw.objects.count() == 1


def test_the_pages_run_a_follow_up_and_only_the_office_records_it(ledger, client_as):
    from django.urls import reverse

    w = ledger

    def office():
        return client_as(w.province_admin)  # one test client, logged in as whoever asks last
    assert client_as(w.county_filler).post(reverse("rect-dashboard", args=[w.cycle.pk]),
                                           {"action": "followup_draw"}).status_code == 404
    r = office().post(reverse("rect-dashboard", args=[w.cycle.pk]), {"action": "followup_draw"})
    fu = FollowUpDraw.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("draws:draw", args=[fu.draw_id])
    draws.publish_draw(fu.draw, w.province_admin)
    draws.add_public_input(fu.draw, w.province_admin, "5", "监督员")
    draws.make_draw(fu.draw, w.province_admin)
    page = office().get(reverse("rect-dashboard", args=[w.cycle.pk])).content.decode()
    assert f'data-task="{w.closed.pk}"' in page and f'data-task="{w.other.pk}"' not in page  # 阳城县 not drawn
    url = reverse("rect-task", args=[w.closed.pk])
    assert 'id="followup-form"' in office().get(url).content.decode()
    body = {"action": "followup", "followup": fu.pk, "verdict": "false", "note": "现场核查，问题仍然存在。",
            "visited_on": str(TODAY)}
    # the region cannot record its own follow-up; its page shows no form
    assert client_as(w.county_filler).post(url, body).status_code == 404
    assert 'id="followup-form"' not in client_as(w.county_filler).get(url).content.decode()
    r = office().post(url, {**body, "note": ""})
    assert "请填写核查情况" in r.content.decode() and not FollowUpCheck.objects.exists()
    r = office().post(url, body, follow=True)
    assert "回头看核查已记录：不属实，整改任务已重新打开。" in r.content.decode()
    w.closed.refresh_from_db()
    assert w.closed.state == "open"
    # the region and the department see the check and the history says why the task is open again
    for user in (w.county_filler, w.edu_user):
        text = client_as(user).get(url).content.decode()
        assert "回头看核查记录" in text and "问题仍然存在" in text and "回头看不属实，整改任务重新打开" in text
