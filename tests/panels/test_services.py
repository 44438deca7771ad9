"""Panels through their services: assignment and adjustment, blind scoring, reconciliation, the lead's
decision written to ItemScore, veto findings, 补充材料."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from evidence.samples import pdf

from dutyeval.audit.models import AuditLog
from dutyeval.evaluation import services as evaluation
from dutyeval.evaluation.models import ItemScore
from dutyeval.evaluation.rules import WorkflowError
from dutyeval.notifications.models import Notification
from dutyeval.panels import services
from dutyeval.panels.models import Panel, PanelDecision, PanelMember, SupplementRequest


def members(sub, role=None):
    qs = PanelMember.objects.filter(panel__submission=sub).select_related("reviewer").order_by("reviewer__username")
    return [m.reviewer for m in qs if role is None or m.role == role]


def test_the_proposal_gives_every_region_two_recused_experts_and_a_lead(pw):
    services.apply_proposal(pw.cycle, pw.province_admin)
    for sub in (pw.sub, pw.other_sub):
        team = members(sub)
        assert len(team) == 2 and pw.jc not in team  # 晋城市's expert recuses from its own counties
        assert len(members(sub, "lead")) == 1
    loads = [PanelMember.objects.filter(reviewer=u).count() for u in (pw.ty, pw.dt, pw.yq)]
    assert sum(loads) == 4 and max(loads) - min(loads) <= 1  # balanced
    log = AuditLog.objects.get(action="panels.proposal.apply")
    assert log.data["policy"]["recusal"] == "city" and set(log.data["panels"]) == {"140525", "140522"}
    assert Notification.objects.filter(user__in=members(pw.sub), kind="assigned").count() == 2


def test_the_same_inputs_give_the_same_proposal(pw):
    assert services.propose(pw.cycle).panels == services.propose(pw.cycle).panels


def test_an_infeasible_pool_is_refused_with_the_regions_named(pw):
    services.save_policy(pw.cycle, pw.province_admin, minimum=2, recusal="province", threshold_percent="20")
    with pytest.raises(WorkflowError, match="泽州县可选专家 0 人"):
        services.apply_proposal(pw.cycle, pw.province_admin)
    assert not Panel.objects.exists()


def test_only_the_office_running_the_cycle_assigns(pw):
    for user in (pw.reviewer, pw.county_filler, pw.outsider, pw.ty):
        with pytest.raises(WorkflowError):
            services.apply_proposal(pw.cycle, user)


def test_adjustments_need_a_reason_and_never_break_recusal(pw):
    services.apply_proposal(pw.cycle, pw.province_admin)
    with pytest.raises(WorkflowError, match="须回避"):
        services.add_member(pw.sub, pw.province_admin, pw.jc, "member", "补充财务专家")
    outsider = next(u for u in (pw.ty, pw.dt, pw.yq) if u not in members(pw.sub))
    with pytest.raises(WorkflowError, match="理由"):
        services.add_member(pw.sub, pw.province_admin, outsider, "member", "  ")
    services.add_member(pw.sub, pw.province_admin, outsider, "member", "补充经费领域专家")
    member = PanelMember.objects.get(panel__submission=pw.sub, reviewer=outsider)
    services.set_lead(member, pw.province_admin, "熟悉经费保障")
    assert members(pw.sub, "lead") == [outsider]
    services.remove_member(member, pw.province_admin, "工作冲突")
    assert outsider not in members(pw.sub)
    reasons = [log.data["reason"] for log in AuditLog.objects.filter(action__startswith="panels.member.").order_by("pk")]
    assert reasons == ["补充经费领域专家", "熟悉经费保障", "工作冲突"]


def test_recusal_cannot_be_tightened_under_existing_panels(pw):
    services.apply_proposal(pw.cycle, pw.province_admin)
    with pytest.raises(WorkflowError, match="须回避"):
        services.save_policy(pw.cycle, pw.province_admin, minimum=2, recusal="province", threshold_percent="20")


@pytest.fixture
def panel(pw):
    services.apply_proposal(pw.cycle, pw.province_admin)
    a, b = members(pw.sub)
    pw.lead = members(pw.sub, "lead")[0]
    pw.a, pw.b = a, b
    return Panel.objects.get(submission=pw.sub)


def test_a_cycle_with_panels_closes_the_open_review_to_reviewers(pw, panel, manual_items):
    item = manual_items[0]
    for user in (pw.reviewer, pw.a):  # unassigned, and assigned (who scores on the panel page)
        with pytest.raises(WorkflowError):
            evaluation.save_review_scores(pw.sub, user, {item.pk: ("1", "", "")})
    assert evaluation.save_review_scores(pw.sub, pw.province_admin, {item.pk: ("1", "督导办更正", "")}) == []


def test_two_members_agree_within_the_threshold_and_differ_beyond_it(pw, panel, manual_items, score_all):
    one, two = manual_items[0], manual_items[1]  # 1.1 and 1.2, 3 points each: the threshold is 0.60
    assert one.points == two.points == Decimal(3)
    score_all(pw.sub, pw.a, overrides={one.code: "2.4", two.code: "1.8"})
    score_all(pw.sub, pw.b)
    services.sign_off(pw.sub, pw.a)
    panel.refresh_from_db()
    assert panel.reconciled_at is None and not PanelDecision.objects.exists()
    services.sign_off(pw.sub, pw.b)
    panel.refresh_from_db()
    assert panel.reconciled_at and panel.decided_at is None
    # 2.4 and 3: differ 0.60 = 20 % of 3, not above → the mean 2.70
    d = PanelDecision.objects.get(panel=panel, indicator=one)
    assert (d.method, d.score) == ("mean", Decimal("2.70"))
    row = ItemScore.objects.get(submission=pw.sub, indicator=one)
    assert row.reviewer_score == Decimal("2.70") and "取平均分 2.70" in row.reviewer_note
    # 1.8 and 3: differ 1.20 > 0.60 → the lead decides; nothing written yet
    assert [i.code for i in services.pending_items(panel)] == [two.code]
    assert ItemScore.objects.get(submission=pw.sub, indicator=two).reviewer_score is None
    assert Notification.objects.filter(user=pw.lead, title__startswith="待裁定").exists()
    non_lead = pw.a if pw.lead == pw.b else pw.b
    with pytest.raises(WorkflowError):
        services.decide(pw.sub, non_lead, two, score="2.5", reason="x")
    with pytest.raises(WorkflowError, match="理由"):
        services.decide(pw.sub, pw.lead, two, score="2.5", reason="")
    services.decide(pw.sub, pw.lead, two, score="2.5", reason="会议记录齐全，但考核机制未落实")
    row = ItemScore.objects.get(submission=pw.sub, indicator=two)
    assert row.reviewer_score == Decimal("2.50") and row.reviewer == pw.lead
    assert row.reviewer_note == "组长裁定：会议记录齐全，但考核机制未落实"
    panel.refresh_from_db()
    assert panel.decided_at is not None
    log = AuditLog.objects.filter(action="evaluation.scores.review").order_by("-pk").first()
    assert log.data["panel"] == panel.pk and two.code in log.data["changes"]
    assert "考核机制" in AuditLog.objects.get(action="panels.item.decide").data["reason"]


def test_scores_are_blind_until_everyone_signed_off(pw, panel, score_all, client_as):
    from django.urls import reverse

    score_all(pw.sub, pw.a)
    services.save_scores(pw.sub, pw.a, {services.leaves(pw.sub)[0].pk: {"score": "1", "comment": "甲专家的秘密意见"}})
    services.sign_off(pw.sub, pw.a)
    url = reverse("panel", args=[pw.sub.pk])
    assert "甲专家的秘密意见" not in client_as(pw.b).get(url).content.decode()
    assert "甲专家的秘密意见" not in client_as(pw.province_admin).get(url).content.decode()
    score_all(pw.sub, pw.b)
    services.sign_off(pw.sub, pw.b)
    assert "甲专家的秘密意见" in client_as(pw.b).get(url).content.decode()


def test_sign_off_needs_every_manual_item_with_a_comment_and_then_freezes(pw, panel, manual_items):
    with pytest.raises(WorkflowError, match="须评分并填写评审意见"):
        services.sign_off(pw.sub, pw.a)
    item = manual_items[0]
    assert services.save_scores(pw.sub, pw.a, {item.pk: {"score": "99", "comment": "x"}})  # out of range: an error


def test_a_veto_finding_needs_a_reason_and_evidence(pw, panel, score_all, evidence_media):
    veto = next(i for i in services.leaves(pw.sub) if services.item_kind(i) == "veto")
    score_all(pw.sub, pw.a)
    services.save_scores(pw.sub, pw.a, {veto.pk: {"veto": "yes", "comment": ""}})
    with pytest.raises(WorkflowError) as exc:
        services.sign_off(pw.sub, pw.a)
    assert "须写明理由" in str(exc.value) and "须有证据" in str(exc.value)
    services.save_scores(pw.sub, pw.a, {veto.pk: {"veto": "yes", "comment": "经核实存在重大安全责任事故"}})
    services.attach_finding_file(pw.sub, pw.a, veto, pdf(), "事故通报.pdf")
    services.sign_off(pw.sub, pw.a)  # now complete
    score_all(pw.sub, pw.b)
    services.sign_off(pw.sub, pw.b)
    panel.refresh_from_db()
    assert veto in services.pending_items(panel)  # the members differ on the finding
    services.decide(pw.sub, pw.lead, veto, veto="yes", reason="事故通报属实")
    assert ItemScore.objects.get(submission=pw.sub, indicator=veto).vetoed is True


def test_overriding_an_automatic_result_needs_a_note(pw, panel, score_all):
    auto = next(i for i in services.leaves(pw.sub) if services.item_kind(i) == "auto")
    score_all(pw.sub, pw.a)
    services.save_scores(pw.sub, pw.a, {auto.pk: {"score": "0", "comment": ""}})
    with pytest.raises(WorkflowError, match="调整自动计算结果须填写说明"):
        services.sign_off(pw.sub, pw.a)


def test_a_member_asks_for_supplementary_material_and_the_county_answers(pw, panel, evidence_media, client_as):
    from django.urls import reverse

    item = services.leaves(pw.sub)[0]
    due = datetime.date.today() + datetime.timedelta(days=5)
    with pytest.raises(WorkflowError):
        services.request_supplement(pw.sub, pw.a, item, "", due)
    req = services.request_supplement(pw.sub, pw.a, item, "请补充2020年党委常委会会议纪要", due)
    assert Notification.objects.filter(user=pw.county_filler, title__contains=item.code).exists()
    home = client_as(pw.county_filler).get(reverse("home")).content.decode()
    assert "评审组要求补充材料" in home
    page = client_as(pw.county_filler).get(reverse("submission", args=[pw.sub.pk])).content.decode()
    assert 'id="supplement-notice"' in page
    with pytest.raises(WorkflowError):
        services.answer_supplement(req, pw.other_filler, "x")
    services.answer_supplement(req, pw.county_filler, "已上传会议纪要", pdf(), "会议纪要.pdf")
    req.refresh_from_db()
    assert req.state == SupplementRequest.State.ANSWERED and req.evidence.note == "补充材料"
    assert req.evidence.submission == pw.sub and req.evidence.indicator == item
    assert Notification.objects.filter(user=pw.a, title__contains="已补充材料").exists()
