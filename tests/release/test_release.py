"""Release stages, 公示 and appeals, outcomes: a county sees nothing of the review before 公示 and
only its own after; ranks cover complete reviews only; appeals within the window, once per item."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from dutyeval.audit.models import AuditLog
from dutyeval.evaluation import services as workflow
from dutyeval.evaluation.models import ItemScore, Result, Submission
from dutyeval.evaluation.recompute import compute, store
from dutyeval.evaluation.rules import WorkflowError
from dutyeval.release import services
from dutyeval.release.models import Appeal, FinalResult, Release
from dutyeval.release.ranking import apply_outcomes, official_rows
from dutyeval.schemes.models import Indicator


@pytest.fixture
def reviewed(world, fill_all_self_scores):
    """泽州县 accepted with a reviewer's note on its first manual item; 阳城县 still a draft."""
    w = world
    fill_all_self_scores(w.sub, w.county_filler)
    workflow.submit_submission(w.sub, w.county_filler)
    w.item = Indicator.objects.filter(scheme=w.scheme, children__isnull=True, rule_kind="manual").order_by("order")[0]
    assert workflow.save_review_scores(w.sub, w.reviewer, {w.item.pk: ("1", "会议纪要不全，扣分", "")}) == []
    workflow.accept_submission(w.sub, w.province_admin)
    store(w.cycle, compute(w.cycle))
    return w


def _close_window(cycle):
    Release.objects.filter(cycle=cycle).update(appeal_deadline=timezone.now() - timedelta(minutes=1))


def test_county_sees_no_review_before_publicity_and_its_own_after(reviewed, client_as):
    w = reviewed
    url = reverse("scorecard", args=[w.sub.pk])
    page = client_as(w.county_filler).get(url).content.decode()
    assert "会议纪要不全" not in page and 'id="withheld"' in page and 'id="official-rank"' in page
    assert client_as(w.county_filler).get(reverse("appeals", args=[w.sub.pk])).status_code == 404
    assert client_as(w.county_filler).get(reverse("results", args=[w.cycle.pk])).status_code == 404
    office = client_as(w.province_admin).get(url).content.decode()
    assert 'id="withheld"' not in office  # offices see everything at every stage
    services.open_publicity(w.cycle, w.province_admin, 5)
    page = client_as(w.county_filler).get(url).content.decode()
    assert 'id="withheld"' not in page
    assert client_as(w.county_filler).get(reverse("appeals", args=[w.sub.pk])).status_code == 200
    # never another region's
    assert client_as(w.county_filler).get(reverse("scorecard", args=[w.other_sub.pk])).status_code == 404


def test_ranking_excludes_incomplete_regions_and_never_calls_them_failing(reviewed):
    w = reviewed
    rows = official_rows(w.cycle)
    by_code = {r.region.code: r for r in rows}
    assert by_code["140525"].rank == 1 and by_code["140525"].grade
    assert by_code["140522"].rank is None and by_code["140522"].grade == "" and not by_code["140522"].complete


def test_a_capped_region_ranks_by_its_capped_grade(reviewed, fill_all_self_scores):
    w = reviewed
    fill_all_self_scores(w.other_sub, w.other_filler)
    workflow.submit_submission(w.other_sub, w.other_filler)
    workflow.accept_submission(w.other_sub, w.province_admin)
    store(w.cycle, compute(w.cycle))
    a, b = Result.objects.get(submission=w.sub), Result.objects.get(submission=w.other_sub)
    # 泽州 has the higher total but a veto caps it at 不合格: 阳城 ranks first
    Result.objects.filter(pk=a.pk).update(total=Decimal("95"), grade="不合格", grade_before_veto="优秀",
                                          vetoes=["发生重大安全责任事故"])
    Result.objects.filter(pk=b.pk).update(total=Decimal("81"), grade="良好", grade_before_veto="良好")
    rows = apply_outcomes(official_rows(w.cycle), services.release_of(w.cycle))
    assert [r.region.code for r in rows] == ["140522", "140525"] and [r.rank for r in rows] == [1, 2]
    assert "约谈" in rows[1].outcomes


def test_outcomes_follow_the_cycles_rules(reviewed):
    w = reviewed
    grade = Result.objects.get(submission=w.sub).grade
    services.save_outcome_rules(w.cycle, w.province_admin, award_top_n=1, award_grade=grade,
                                award_amount=Decimal("300000"), praise_grades=[], criticize_grades=[grade],
                                interview_on_veto=True)
    rows = apply_outcomes(official_rows(w.cycle), services.release_of(w.cycle))
    zezhou = next(r for r in rows if r.region.code == "140525")
    assert zezhou.outcomes == ["奖励（300,000.00元）", "通报批评"]
    services.save_outcome_rules(w.cycle, w.province_admin, award_top_n=0, award_grade=grade,
                                award_amount=Decimal(0), praise_grades=[grade], criticize_grades=[],
                                interview_on_veto=True)
    rows = apply_outcomes(official_rows(w.cycle), services.release_of(w.cycle))
    assert next(r for r in rows if r.region.code == "140525").outcomes == ["通报表扬"]
    with pytest.raises(WorkflowError, match="不是本方案的等次"):
        services.save_outcome_rules(w.cycle, w.province_admin, award_top_n=1, award_grade="特优",
                                    award_amount=Decimal(0), praise_grades=[], criticize_grades=[],
                                    interview_on_veto=False)


def test_appeal_flow_upheld_recomputes_and_final_freezes(reviewed):
    w = reviewed
    services.open_publicity(w.cycle, w.province_admin, 3)
    before = Result.objects.get(submission=w.sub).total
    appeal = services.file_appeal(w.sub, w.county_filler, w.item, "会议纪要已于附件补齐，请复核")
    assert appeal.score_before == Decimal("1.00")
    with pytest.raises(WorkflowError, match="已申诉过"):
        services.file_appeal(w.sub, w.county_filler, w.item, "再次申诉同一项")
    with pytest.raises(WorkflowError, match="申诉期"):
        services.finalize(w.cycle, w.province_admin)  # the window is open
    _close_window(w.cycle)
    with pytest.raises(WorkflowError, match="1 件申诉未处理"):
        services.finalize(w.cycle, w.province_admin)
    Release.objects.filter(cycle=w.cycle).update(appeal_deadline=timezone.now() + timedelta(days=1))
    with pytest.raises(WorkflowError, match="改判得分"):
        services.decide_appeal(appeal, w.province_admin, upheld=True, new_score="", decision="成立")
    services.decide_appeal(appeal, w.province_admin, upheld=True, new_score=str(w.item.points),
                           decision="补充材料齐全，恢复满分")
    assert ItemScore.objects.get(submission=w.sub, indicator=w.item).reviewer_score == w.item.points
    with pytest.raises(WorkflowError, match="申诉期"):
        services.finalize(w.cycle, w.province_admin)  # the window is still open
    _close_window(w.cycle)
    with pytest.raises(WorkflowError, match="申诉期已于"):
        services.file_appeal(w.sub, w.county_filler, w.item, "期限之后的申诉")
    rel = services.finalize(w.cycle, w.province_admin)
    assert rel.stage == "final" and rel.version == 1
    final = FinalResult.objects.get(submission=w.sub)
    assert final.total == before + (w.item.points - Decimal("1")) and final.rank == 1
    assert FinalResult.objects.get(submission=w.other_sub).rank is None
    assert Submission.objects.get(pk=w.sub.pk).state == "locked"
    # editing after final publication: refused, nothing changed
    with pytest.raises(WorkflowError):
        workflow.save_review_scores(w.sub, w.reviewer, {w.item.pk: ("0", "改", "")})
    with pytest.raises(WorkflowError):
        services.decide_appeal(appeal, w.province_admin, upheld=False, decision="改")
    assert ItemScore.objects.get(submission=w.sub, indicator=w.item).reviewer_score == w.item.points
    actions = set(AuditLog.objects.values_list("action", flat=True))
    assert {"release.publicity.open", "release.appeal.file", "release.appeal.decide", "release.final.publish"} <= actions


def test_a_new_version_only_by_a_recorded_decision(reviewed):
    w = reviewed
    services.open_publicity(w.cycle, w.province_admin, 1)
    _close_window(w.cycle)
    services.finalize(w.cycle, w.province_admin)
    with pytest.raises(WorkflowError, match="理由"):
        services.reopen(w.cycle, w.province_admin, "")
    services.reopen(w.cycle, w.province_admin, "省教育督导委员会决定更正泽州县数据")
    rel = services.finalize(w.cycle, w.province_admin)
    assert rel.version == 2 and FinalResult.objects.filter(version=2).count() == 2
    assert FinalResult.objects.filter(version=1).count() == 2  # the first publication is kept


@pytest.mark.parametrize("stage_action, message", [
    (lambda w: None, "只能在结果公示期间申诉"),  # internal
])
def test_appeals_outside_publicity_are_refused(reviewed, stage_action, message):
    w = reviewed
    stage_action(w)
    with pytest.raises(WorkflowError, match=message):
        services.file_appeal(w.sub, w.county_filler, w.item, "理由写得很清楚")
    assert not Appeal.objects.exists()


def test_only_the_office_releases_and_only_the_coordinator_appeals(reviewed):
    w = reviewed
    for user in (w.reviewer, w.county_filler, w.outsider):
        with pytest.raises(WorkflowError):
            services.open_publicity(w.cycle, user, 5)
    services.open_publicity(w.cycle, w.province_admin, 5)
    for user in (w.reviewer, w.province_admin, w.other_filler):
        with pytest.raises(WorkflowError):
            services.file_appeal(w.sub, user, w.item, "不是本地区的人")
    with pytest.raises(WorkflowError, match="理由"):
        services.file_appeal(w.sub, w.county_filler, w.item, "短")
    with pytest.raises(WorkflowError, match="评审未完成"):
        services.file_appeal(w.other_sub, w.other_filler, w.item, "还没审完也想申诉")


def test_release_page_for_the_office(reviewed, client_as):
    w = reviewed
    c = client_as(w.province_admin)
    url = reverse("release", args=[w.cycle.pk])
    page = c.get(url).content.decode()
    assert "未完成" in page and 'id="open-publicity"' in page
    c.post(url, {"action": "publicity", "appeal_days": "abc"})
    assert "申诉期须为整数" in c.get(url).content.decode()
    assert services.current_release(w.cycle).stage == "internal"
    c.post(url, {"action": "publicity", "appeal_days": "5"})
    assert Release.objects.get(cycle=w.cycle).stage == "publicity"
    assert client_as(w.county_filler).post(url, {"action": "final"}).status_code == 404


def test_stored_ranks_are_the_official_ones(reviewed, fill_all_self_scores):
    """The results page, the exports and the documents read Result.rank: it must say the same as the
    official ranking (complete reviews only, capped grade first)."""
    from dutyeval.evaluation.recompute import rerank

    w = reviewed
    assert Result.objects.get(submission=w.other_sub).rank == 0  # a draft: 未完成
    fill_all_self_scores(w.other_sub, w.other_filler)
    workflow.submit_submission(w.other_sub, w.other_filler)
    workflow.accept_submission(w.other_sub, w.province_admin)  # accepting re-ranks
    store(w.cycle, compute(w.cycle))
    Result.objects.filter(submission=w.sub).update(total=Decimal("95"), grade="不合格", vetoes=["x"])
    Result.objects.filter(submission=w.other_sub).update(total=Decimal("81"), grade="良好")
    rerank(w.cycle)
    stored = {r.submission.region.code: r.rank for r in Result.objects.select_related("submission__region")}
    official = {r.region.code: r.rank for r in official_rows(w.cycle)}
    assert stored == official == {"140522": 1, "140525": 2}


def test_the_published_list_puts_the_unranked_last(reviewed):
    w = reviewed
    services.open_publicity(w.cycle, w.province_admin, 1)
    _close_window(w.cycle)
    services.finalize(w.cycle, w.province_admin)
    assert [r.region_code for r in services.final_rows(w.cycle)] == ["140525", "140522"]


def test_the_appraisal_export_carries_the_outcomes(reviewed):
    import io

    from openpyxl import load_workbook

    from dutyeval.documents.excel import HEADERS, results_workbook
    from dutyeval.regions.models import Region

    w = reviewed
    grade = Result.objects.get(submission=w.sub).grade
    services.save_outcome_rules(w.cycle, w.province_admin, award_top_n=1, award_grade=grade,
                                award_amount=Decimal("300000"), praise_grades=[], criticize_grades=[],
                                interview_on_veto=True)
    ws = load_workbook(io.BytesIO(results_workbook(w.cycle, Region.objects.all()))).active
    rows = {r[1]: dict(zip(HEADERS, r, strict=True)) for r in ws.iter_rows(min_row=4, values_only=True)}
    assert rows["140525"]["奖励与通报"] == "奖励（300,000.00元）" and rows["140525"]["排名"] == 1
    assert rows["140522"]["等次"] == "未完成" and not rows["140522"]["奖励与通报"]
