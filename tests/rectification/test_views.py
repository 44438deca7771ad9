"""Pages and scope: a department sees only its own tasks, a county only its own region's, the office all of
its cycle's; outside the scope 404. Bad input on the pages shows the Chinese message and writes nothing."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from dutyeval.rectification import services
from dutyeval.rectification.models import Finding, Plan, Task
from dutyeval.rectification.services import TaskInput

TODAY = timezone.localdate()


def _two_tasks(w):
    """泽州县: one task for 县教育局, one for 县财政局, approved. 阳城县: a finding and a task of its own."""
    services.generate_findings(w.cycle, w.province_admin)
    plan = services.confirm_findings(w.cycle, w.zezhou, w.province_admin)
    fs = list(Finding.objects.filter(cycle=w.cycle, region=w.zezhou).order_by("order"))
    edu = services.save_task(plan, w.county_filler, TaskInput(fs[0].pk, "教育局措施", w.edu.pk,
                                                              str(TODAY + timedelta(days=30))))
    for f in fs[1:]:
        fin = services.save_task(plan, w.county_filler, TaskInput(f.pk, "财政局措施", w.fin.pk,
                                                                  str(TODAY + timedelta(days=30))))
    services.submit_plan(plan, w.county_filler)
    services.approve_plan(plan, w.province_admin)
    from dutyeval.departments.models import Department

    dept = Department.objects.create(region=w.yangcheng, name="县教育局")
    f = Finding.objects.create(cycle=w.cycle, region=w.yangcheng, source="office", key="office:1", theme="教育投入",
                               text="阳城的问题", state="confirmed")
    other_plan = Plan.objects.create(cycle=w.cycle, region=w.yangcheng, state="approved")
    other = Task.objects.create(plan=other_plan, finding=f, measures="阳城措施", department=dept,
                                deadline=TODAY + timedelta(days=5), state="open")
    return plan, edu, fin, other


def test_each_role_sees_its_own_tasks(reviewed, client_as):
    w = reviewed
    plan, edu, fin, other = _two_tasks(w)
    assert set(services.visible_tasks(w.edu_user)) == {edu}
    assert set(services.visible_tasks(w.fin_user)) == set(plan.tasks.exclude(pk=edu.pk))
    assert set(services.visible_tasks(w.county_filler)) == set(plan.tasks.all())
    assert set(services.visible_tasks(w.province_admin)) == {*plan.tasks.all(), other}
    assert not services.visible_tasks(w.outsider).exists()

    c = client_as(w.edu_user)
    assert c.get(reverse("rect-task", args=[edu.pk])).status_code == 200
    assert c.get(reverse("rect-task", args=[fin.pk])).status_code == 404  # another department's
    assert c.get(reverse("rect-task", args=[other.pk])).status_code == 404  # another county's
    page = c.get(reverse("rect-region", args=[w.sub.pk])).content.decode()
    assert "教育局措施" in page and "财政局措施" not in page
    assert "教育局措施" in c.get(reverse("rect-mine")).content.decode()

    c = client_as(w.county_filler)
    assert c.get(reverse("rect-task", args=[fin.pk])).status_code == 200
    assert c.get(reverse("rect-task", args=[other.pk])).status_code == 404
    assert c.get(reverse("rect-region", args=[w.other_sub.pk])).status_code == 404
    assert c.get(reverse("rect-dashboard", args=[w.cycle.pk])).status_code == 404

    c = client_as(w.province_admin)
    page = c.get(reverse("rect-dashboard", args=[w.cycle.pk])).content.decode()
    assert "泽州县" in page and "阳城县" in page and 'id="by-theme"' in page
    assert c.get(reverse("rect-task", args=[other.pk])).status_code == 200
    c = client_as(w.outsider)
    assert c.get(reverse("rect-dashboard", args=[w.cycle.pk])).status_code == 404
    assert c.get(reverse("rect-task", args=[edu.pk])).status_code == 404


def test_a_county_sees_its_findings_only_once_confirmed(reviewed, client_as):
    w = reviewed
    services.generate_findings(w.cycle, w.province_admin)
    url = reverse("rect-region", args=[w.sub.pk])
    assert "未实现逐年只增不减" not in client_as(w.county_filler).get(url).content.decode()
    assert "未实现逐年只增不减" in client_as(w.province_admin).get(url).content.decode()
    services.confirm_findings(w.cycle, w.zezhou, w.province_admin)
    assert "未实现逐年只增不减" in client_as(w.county_filler).get(url).content.decode()


def test_bad_input_on_the_page_shows_the_message_and_writes_nothing(reviewed, client_as):
    w = reviewed
    services.generate_findings(w.cycle, w.province_admin)
    services.confirm_findings(w.cycle, w.zezhou, w.province_admin)
    f = Finding.objects.filter(cycle=w.cycle, region=w.zezhou).first()
    c = client_as(w.county_filler)
    r = c.post(reverse("rect-region", args=[w.sub.pk]), {
        "action": "save_task", "finding": f.pk, "measures": "措施", "department": "", "deadline": ""}, follow=True)
    page = r.content.decode()
    assert "请选择责任部门" in page and "请填写整改时限" in page and 'value="措施"' not in page
    assert "措施</textarea>" in page  # what was typed stays in the form
    assert not Task.objects.exists()
    # the office's action is not the county's
    r = c.post(reverse("rect-dashboard", args=[w.cycle.pk]), {"action": "generate"})
    assert r.status_code == 404


def test_the_dashboard_charts_progress_by_month_within_the_viewers_scope(reviewed, client_as):
    import io

    from evidence.samples import pdf

    w = reviewed
    plan, edu, fin, other = _two_tasks(w)
    n = plan.tasks.count()
    edu.refresh_from_db()
    services.report_progress(edu, w.edu_user, text="已完成", files=[(io.BytesIO(pdf()), "验收.pdf")])
    services.close_task(edu, w.province_admin)  # before its deadline: on time
    month = f"{TODAY.year}-{TODAY.month:02d}"
    r = client_as(w.province_admin).get(reverse("rect-dashboard", args=[w.cycle.pk]))
    assert r.context["progress"] == [{"month": month, "open": n, "overdue": 0, "closed_on_time": 1, "closed_late": 0}]
    html = r.content.decode()
    assert 'id="progress-chart"' in html and "progress.js" in html and "echarts.min.js" in html
    # n − 1 of 泽州县's still open + 阳城县's one; the dashboard is the offices' page, not a county's
    assert client_as(w.county_filler).get(reverse("rect-dashboard", args=[w.cycle.pk])).status_code == 404
