"""责任分工: the coordinator keeps the departments, their accounts and who fills what; a department user
sees and fills only what is assigned to it; the coordinator alone submits."""

import pytest
from django.urls import reverse

from dutyeval.audit.models import AuditLog
from dutyeval.collection.models import DataValue
from dutyeval.collection.services import save_values
from dutyeval.departments import services
from dutyeval.departments.models import Assignment, Department
from dutyeval.evaluation import services as workflow
from dutyeval.evaluation.rules import WorkflowError
from dutyeval.notifications.models import Notification
from dutyeval.schemes.models import Indicator

PW = "Dept@2021pass!"


@pytest.fixture
def finance(world):
    """泽州县's 县财政局 with an account, assigned the first manual item and two finance elements."""
    w = world
    w.czj = services.save_department(w.sub, w.county_filler, "县财政局")
    w.jyj = services.save_department(w.sub, w.county_filler, "县教育局")
    w.czj_user = services.create_department_user(w.sub, w.county_filler, w.czj, username="zz_czj",
                                                 display_name="王会计", password=PW)
    leaves = list(Indicator.objects.filter(scheme=w.scheme, children__isnull=True, rule_kind="manual").order_by("order"))
    w.mine, w.theirs = leaves[0], leaves[1]
    services.save_assignments(w.sub, w.county_filler, {
        ("item", w.mine.code): w.czj.pk, ("item", w.theirs.code): w.jyj.pk,
        ("element", "edu_exp_budget"): w.czj.pk, ("element", "gen_budget_exp"): w.czj.pk,
        ("element", "enrol_primary"): w.jyj.pk,
    })
    return w


def test_scheme_lead_departments_are_offered_and_assigned_by_default(world):
    w = world
    names = services.scheme_department_names(w.sub)
    assert names and len(names) == len(set(names))
    assert services.lead_names("县财政局、县教育局") == ["县财政局", "县教育局"]
    added = services.add_scheme_departments(w.sub, w.county_filler)
    assert added == len(names) and services.add_scheme_departments(w.sub, w.county_filler) == 0
    made = services.assign_defaults(w.sub, w.county_filler)
    assert made > 0
    # every item whose lead department is listed went to its first-named department
    for ind in Indicator.objects.filter(scheme=w.scheme, children__isnull=True).exclude(department=""):
        a = Assignment.objects.get(submission=w.sub, kind="item", code=ind.code)
        assert a.department.name == services.lead_names(ind.department)[0]
    finance_el = Assignment.objects.get(submission=w.sub, kind="element", code="edu_exp_budget")
    assert "财政" in finance_el.department.name
    assert AuditLog.objects.filter(action="departments.assign", data__defaults=True).exists()


def test_department_user_fills_only_its_own_elements_and_items(finance):
    w = finance
    year = w.cycle.year_of("edu_exp_budget")
    save_values(w.zezhou, year, {"edu_exp_budget": "1000"}, user=w.czj_user, source="entered",
                only={"edu_exp_budget", "gen_budget_exp"})
    assert DataValue.objects.get(region=w.zezhou, element__code="edu_exp_budget").author == w.czj_user
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):  # another department's element
        save_values(w.zezhou, w.cycle.year_of("enrol_primary"), {"enrol_primary": "9"}, user=w.czj_user,
                    source="entered", only={"edu_exp_budget"})
    with pytest.raises(PermissionDenied):  # a caller that forgets to say what is assigned
        save_values(w.zezhou, year, {"edu_exp_budget": "1"}, user=w.czj_user, source="entered")
    assert workflow.save_self_scores(w.sub, w.czj_user, {w.mine.pk: ("1", "财政局自评")}) == []
    from django.http import Http404

    with pytest.raises(Http404):
        workflow.save_self_scores(w.sub, w.czj_user, {w.theirs.pk: ("1", "")})
    with pytest.raises(WorkflowError):
        workflow.submit_submission(w.sub, w.czj_user)


def test_department_pages_show_only_the_assigned_share(finance, client_as):
    w = finance
    c = client_as(w.czj_user)
    sub = w.sub.pk
    page = c.get(reverse("submission", args=[sub])).content.decode()
    assert "县财政局的分工任务" in page and w.mine.title in page and w.theirs.title not in page
    assert "id_cover_file" not in page and "submit-btn" not in page
    finance_page = c.get(reverse("data-area", args=[sub, "finance"])).content.decode()
    assert 'name="edu_exp_budget"' in finance_page and 'name="edu_exp_fiscal"' not in finance_page
    assert c.get(reverse("data-area", args=[sub, "compulsory"])).status_code == 404  # nothing of its own there
    scoring = c.get(reverse("self-evaluation", args=[sub])).content.decode()
    assert f'name="score-{w.mine.pk}"' in scoring and f'name="score-{w.theirs.pk}"' not in scoring
    for name in ("scorecard", "data-excel", "report-upload", "departments", "balance"):
        assert c.get(reverse(name, args=[sub])).status_code == 404, name
    assert c.get(reverse("evidence-item", args=[sub, w.theirs.pk])).status_code == 404
    assert c.get(reverse("submission", args=[w.other_sub.pk])).status_code == 404  # another county
    # a posted field of another department is ignored, its own one saved
    r = c.post(reverse("data-area", args=[sub, "finance"]),
               {"edu_exp_budget": "2000", "orig-edu_exp_budget": "", "edu_exp_fiscal": "5"})
    assert r.status_code == 302
    assert not DataValue.objects.filter(element__code="edu_exp_fiscal").exists()
    assert DataValue.objects.get(element__code="edu_exp_budget").value == 2000


def test_department_users_are_told_what_they_were_given(finance):
    w = finance
    services.save_assignments(w.sub, w.county_filler, {("element", "edu_exp_fiscal"): w.czj.pk})
    note = Notification.objects.filter(user=w.czj_user, kind="assigned").latest("created")
    assert "1 项分给县财政局：国家财政性教育经费" in note.body


def test_progress_per_department_and_reminder(finance):
    w = finance
    rows = {p.department.name if p.department else None: p for p in services.progress(w.sub)}
    czj = rows["县财政局"]
    assert (czj.items, czj.items_done, czj.elements, czj.elements_done, czj.users) == (1, 0, 2, 0, 1)
    assert rows[None].items > 0  # the rest stays with the coordinator
    assert services.remind(w.sub, w.county_filler, w.czj) == 1
    note = Notification.objects.get(user=w.czj_user, kind="urged")
    assert "1 项指标、2 项数据未完成" in note.body
    with pytest.raises(WorkflowError, match="还没有账号"):
        services.remind(w.sub, w.county_filler, w.jyj)
    workflow.save_self_scores(w.sub, w.czj_user, {w.mine.pk: (str(w.mine.points), "")})
    row = next(p for p in services.progress(w.sub) if p.department == w.czj)
    assert row.items_done == (1 if not w.mine.evidence else 0)


@pytest.mark.parametrize("name, message", [("", "部门名称"), ("县" * 65, "64"), ("县财政局", "已有")])
def test_bad_department_names_are_refused(finance, name, message):
    with pytest.raises(WorkflowError, match=message):
        services.save_department(finance.sub, finance.county_filler, name)


@pytest.mark.parametrize("username, password, message", [
    ("a", PW, "用户名"), ("zz_czj", PW, "已被使用"), ("new_user", "123", "密码"), ("bad name", PW, "用户名"),
])
def test_bad_accounts_are_refused(finance, username, password, message):
    w = finance
    with pytest.raises(WorkflowError, match=message):
        services.create_department_user(w.sub, w.county_filler, w.czj, username=username, display_name="",
                                        password=password)


def test_only_the_coordinator_manages_departments(finance):
    w = finance
    for user in (w.czj_user, w.province_admin, w.other_filler):
        with pytest.raises(WorkflowError):
            services.save_department(w.sub, user, "县人社局")
        with pytest.raises(WorkflowError):
            services.save_assignments(w.sub, user, {("item", w.mine.code): None})
    other = Department.objects.create(region=w.yangcheng, name="阳城县财政局")
    with pytest.raises(WorkflowError):  # a department of another county
        services.save_assignments(w.sub, w.county_filler, {("item", w.mine.code): other.pk})
    with pytest.raises(WorkflowError):  # not an item of the scheme
        services.save_assignments(w.sub, w.county_filler, {("item", "99.9"): w.czj.pk})


def test_departments_page_keeps_typed_name_on_error_and_saves_assignments(finance, client_as):
    w = finance
    c = client_as(w.county_filler)
    url = reverse("departments", args=[w.sub.pk])
    page = c.post(url, {"action": "add", "name": "县财政局"}).content.decode()
    assert "已有名为“县财政局”的部门" in page and 'value="县财政局"' in page
    r = c.post(url, {"action": "assign", f"a-item-{w.theirs.code}": str(w.czj.pk)})
    assert r.status_code == 302
    assert Assignment.objects.get(submission=w.sub, kind="item", code=w.theirs.code).department == w.czj
    page = c.get(url).content.decode()
    assert f'name="a-item-{w.theirs.code}"' in page and "各部门进度" in page
    assert client_as(w.province_admin).post(url, {"action": "add", "name": "县人社局"}).status_code == 404
