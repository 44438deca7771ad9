"""Findings from sources other than the results' own rows: another module's differences handed over
through add_finding (idempotent by key), and the review panel members' comments on items that lost points."""

from __future__ import annotations

import pytest

from dutyeval.audit.models import AuditLog
from dutyeval.rectification import services
from dutyeval.rectification.models import Finding
from dutyeval.rectification.services import RectificationError

FIG = [{"name": "大班额班级数（56—65人）", "year": 2020, "value": 12, "unit": "个"}]


def _add(w, user=None, **kw):
    args = {"theme": "实地核查数据不实", "text": "城关二小实际大班额12个，上报0个。", "source": "field",
            "key": "diff-41", "figures": FIG, **kw}
    return services.add_finding(w.cycle, w.zezhou, user or w.province_admin, **args)


def test_a_field_difference_becomes_one_finding_however_often_it_is_handed_over(reviewed):
    w = reviewed
    f = _add(w)
    assert (f.source, f.key, f.state, f.get_source_display()) == ("field", "field:diff-41", "draft", "实地核查差异")
    assert f.figures == [{"code": None, "name": "大班额班级数（56—65人）", "year": 2020, "value": "12", "unit": "个"}]
    assert "2020年大班额班级数（56—65人） 12个" in f.figure_text
    audits = AuditLog.objects.filter(action="rectification.finding.add").count()
    assert _add(w, text="再次转入").pk == f.pk  # same key: the same finding, unchanged, nothing audited
    assert Finding.objects.get(pk=f.pk).text == "城关二小实际大班额12个，上报0个。"
    assert AuditLog.objects.filter(action="rectification.finding.add").count() == audits
    services.withdraw_finding(f, w.province_admin)
    assert _add(w).state == "withdrawn"  # the office's decision stands
    assert _add(w, key="diff-42").pk != f.pk
    # the office's own additions are still numbered, as before
    typed = services.add_finding(w.cycle, w.zezhou, w.province_admin, theme="督导发现", text="食堂管理不规范。")
    assert typed.key == "office:1" and typed.source == "office"


@pytest.mark.parametrize("kw, message", [
    ({"figures": [{"year": 2020, "value": 3}]}, "须有名称和数值"),
    ({"figures": [{"name": "x"}]}, "须有名称和数值"),
    ({"source": "check"}, "不能手工补充"),
    ({"key": "k" * 61}, "不能超过60"),
    ({"text": "  "}, "请填写问题描述"),
])
def test_bad_hand_over_is_refused_and_writes_nothing(reviewed, kw, message):
    w = reviewed
    before = (Finding.objects.count(), AuditLog.objects.count())
    with pytest.raises(RectificationError, match=message):
        _add(w, **kw)
    assert (Finding.objects.count(), AuditLog.objects.count()) == before


def test_only_the_office_running_the_cycle_hands_findings_over(reviewed):
    w = reviewed
    for user in (w.county_filler, w.reviewer, w.outsider, w.fin_user):
        with pytest.raises(RectificationError):
            _add(w, user=user)
    assert not Finding.objects.exists()


def test_panel_members_comments_make_the_review_finding(reviewed, django_user_model):
    from dutyeval.panels.models import Panel, PanelMember, PanelScore

    w = reviewed
    panel = Panel.objects.create(submission=w.sub)
    for name, comment in (("exp_a", "会议纪要缺少研究教育工作的议题"), ("exp_b", "会议纪要缺少研究教育工作的议题"),
                          ("exp_c", "未见年度专题研究记录")):
        member = PanelMember.objects.create(panel=panel, reviewer=django_user_model.objects.create(
            username=name, role="reviewer", region=w.shanxi))
        PanelScore.objects.create(member=member, indicator=w.item, score=1, comment=comment)
    services.generate_findings(w.cycle, w.province_admin)
    f = Finding.objects.get(cycle=w.cycle, region=w.zezhou, key=f"review:{w.item.code}")
    # each distinct comment once; the panel's procedural note is not the problem
    assert "会议纪要缺少研究教育工作的议题；未见年度专题研究记录" in f.text
    assert f.text.count("会议纪要缺少") == 1 and "评审组" not in f.text


def test_a_task_target_is_a_reported_figure_not_a_derived_one(reviewed):
    from dutyeval.rectification.models import Task
    from dutyeval.rectification.services import TaskInput

    w = reviewed
    services.generate_findings(w.cycle, w.province_admin)
    plan = services.confirm_findings(w.cycle, w.zezhou, w.province_admin)
    f = Finding.objects.filter(cycle=w.cycle, region=w.zezhou).first()
    with pytest.raises(RectificationError, match="不在数据目录中") as exc:
        services.save_task(plan, w.county_filler, TaskInput(
            f.pk, "措施", w.edu.pk, "2099-01-01", target_element="rectification_overdue", target_op="le",
            target_value="0", target_by="2099-01-01"))
    assert set(exc.value.errors) == {"target_element"} and not Task.objects.exists()
