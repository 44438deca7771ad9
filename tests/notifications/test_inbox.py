"""Each user's home page is a task list; state changes that concern a user reach them in-app and by e-mail."""

from datetime import timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from dutyeval.audit.models import AuditLog
from dutyeval.evaluation import services as workflow
from dutyeval.evaluation.models import Cycle
from dutyeval.evaluation.reminders import send_deadline_reminders, urge_late_regions
from dutyeval.notifications.models import Notification


def _with_mail(*users):
    for u in users:
        u.email = f"{u.username}@example.gov.cn"
        u.save(update_fields=["email"])


def test_the_county_home_is_its_task_list_with_dated_deadlines(world, client_as):
    Cycle.objects.filter(pk=world.cycle.pk).update(deadline=timezone.now() + timedelta(days=10))
    body = client_as(world.county_filler).get(reverse("home")).content.decode()
    assert "我的待办" in body and world.cycle.name in body and "填报数据、自评打分并提交自评材料" in body
    deadline = timezone.localtime(timezone.now() + timedelta(days=10))
    assert f"{deadline.year}年{deadline.month}月{deadline.day}日" in body
    assert reverse("submission", args=[world.sub.pk]) in body
    assert "数据已填 0/" in body and "项未自评打分" in body and "项缺佐证材料" in body  # how far there is to go
    assert world.other_sub.region.name not in body  # not another county's task


def test_a_submission_tells_the_office_and_a_return_tells_the_county(world, fill_all_self_scores, client_as,
                                                                     django_capture_on_commit_callbacks):
    _with_mail(world.province_admin, world.county_filler, world.outsider)
    fill_all_self_scores(world.sub, world.county_filler)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit_submission(world.sub, world.county_filler)
    note = Notification.objects.get(user=world.province_admin)
    assert note.kind == "submitted" and "泽州县已提交" in note.title
    assert not Notification.objects.filter(user=world.outsider).exists()  # Hebei's office is not told
    with django_capture_on_commit_callbacks(execute=True):
        workflow.return_submission(world.sub, world.province_admin, "请补充教师培训经费佐证材料")
    back = Notification.objects.get(user=world.county_filler)
    assert back.kind == "returned" and "请补充教师培训经费佐证材料" in back.body
    assert [m.to for m in mail.outbox] == [["province_admin@example.gov.cn"], ["county_filler@example.gov.cn"]]
    assert mail.outbox[1].subject.startswith("【履职评价】自评材料被退回")
    home = client_as(world.county_filler).get(reverse("home")).content.decode()
    assert "1 条未读" in home and "按退回意见修改后重新提交" in home and "退回原因：请补充" in home
    c = client_as(world.county_filler)
    c.post(reverse("notifications-read"))
    assert not Notification.objects.filter(user=world.county_filler, read_at__isnull=True).exists()


def test_reminders_three_days_before_and_after_the_deadline_once_a_day(world):
    Cycle.objects.filter(pk=world.cycle.pk).update(deadline=timezone.now() + timedelta(days=2))
    assert send_deadline_reminders() == 2  # 泽州县 and 阳城县, one coordinator each
    assert send_deadline_reminders() == 0  # run twice the same day: no repeat
    assert Notification.objects.get(user=world.county_filler).kind == "due_soon"
    Cycle.objects.filter(pk=world.cycle.pk).update(deadline=timezone.now() - timedelta(hours=1))
    assert send_deadline_reminders() == 2
    assert Notification.objects.filter(user=world.county_filler, kind="overdue").count() == 1
    Cycle.objects.filter(pk=world.cycle.pk).update(deadline=timezone.now() + timedelta(days=20))
    Notification.objects.all().delete()
    assert send_deadline_reminders() == 0  # far from the deadline: nothing


def test_the_office_urges_every_late_region_at_once(world, client_as, fill_all_self_scores):
    fill_all_self_scores(world.other_sub, world.other_filler)
    workflow.submit_submission(world.other_sub, world.other_filler)
    c = client_as(world.province_admin)
    r = c.post(reverse("cycle-urge", args=[world.cycle.pk]), follow=True)
    assert "尚未到自评截止时间" in r.content.decode()
    Cycle.objects.filter(pk=world.cycle.pk).update(deadline=timezone.now() - timedelta(hours=1))
    r = c.post(reverse("cycle-urge", args=[world.cycle.pk]), follow=True)
    assert "已向 1 个逾期未提交的地区发出催报" in r.content.decode()
    assert Notification.objects.get(kind="urged").user == world.county_filler  # 阳城县 had submitted
    assert AuditLog.objects.get(action="evaluation.cycle.urge").data["regions"] == ["140525"]
    assert client_as(world.county_filler).post(reverse("cycle-urge", args=[world.cycle.pk])).status_code == 404


def test_publishing_a_cycle_tells_every_evaluated_region(world):
    from datetime import date

    from dutyeval.evaluation import cycles

    draft = cycles.CycleDraft(name="新周期", scheme=world.scheme, year=2027, data_year=2026, level="county",
                              stages={"self_evaluation": (date.today(), date.today() + timedelta(days=5))})
    cycle = cycles.save_draft(world.province_admin, world.shanxi, draft)
    cycles.publish_cycle(cycle, world.province_admin)
    kinds = set(Notification.objects.filter(user__in=[world.county_filler, world.other_filler])
                .values_list("user__username", "kind"))
    assert kinds == {("county_filler", "assigned"), ("other_filler", "assigned")}


def test_urge_refuses_outside_office(world):
    import pytest

    from dutyeval.evaluation.services import WorkflowError

    Cycle.objects.filter(pk=world.cycle.pk).update(deadline=timezone.now() - timedelta(hours=1))
    world.cycle.refresh_from_db()
    with pytest.raises(WorkflowError):
        urge_late_regions(world.cycle, world.reviewer)
    assert not Notification.objects.exists()
