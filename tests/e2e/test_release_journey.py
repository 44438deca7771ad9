"""Results in the browser: the office releases 公示 → the county appeals one item → the office
upholds it → results final → the county downloads its feedback report."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dutyeval.evaluation import services as workflow
from dutyeval.evaluation.models import ItemScore, Submission
from dutyeval.evaluation.recompute import compute, store
from dutyeval.release.models import Appeal, FinalResult, Release
from dutyeval.schemes.models import Indicator

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = None  # a directory to keep screenshots while developing


def shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_publicity_appeal_final_and_feedback_report(world, page, login, live_server, evidence_media,
                                                     fill_all_self_scores):
    w = world
    fill_all_self_scores(w.sub, w.county_filler)
    workflow.submit_submission(w.sub, w.county_filler)
    item = Indicator.objects.filter(scheme=w.scheme, children__isnull=True, rule_kind="manual").order_by("order")[0]
    workflow.save_review_scores(w.sub, w.reviewer, {item.pk: ("1", "党委会议纪要不全", "")})
    workflow.accept_submission(w.sub, w.province_admin)
    store(w.cycle, compute(w.cycle))

    # before 公示 the county sees no reviewer note and no total
    login("county_filler")
    page.goto(f"{live_server.url}/s/{w.sub.pk}/scorecard/")
    assert page.locator("#withheld").count() == 1 and "党委会议纪要不全" not in page.content()

    # the office opens 公示 with a 3-day window
    login("province_admin")
    page.goto(f"{live_server.url}/cycles/{w.cycle.pk}/release/")
    assert "未完成" in page.inner_text("#ranking")  # 阳城县 is still a draft: listed, not ranked
    page.fill("#id_appeal_days", "3")
    page.once("dialog", lambda d: d.accept())
    page.click("#open-publicity")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("#release-stage") == "结果公示"
    shot(page, "1-release-publicity")

    # the county sees its scores, then appeals the item it lost points on
    login("county_filler")
    assert "评价结果公示" in page.inner_text("#notes")
    page.goto(f"{live_server.url}/s/{w.sub.pk}/scorecard/")
    assert page.locator("#withheld").count() == 0
    page.click(".tabs a:has-text('申诉')")
    page.select_option("#id_indicator", str(item.pk))
    page.fill("#id_reason", "会议纪要已在佐证材料第2份中提供，请复核。")
    page.click("#appeal-btn")
    page.wait_for_load_state("networkidle")
    assert "已对指标" in page.inner_text(".messages")
    assert "待处理" in page.inner_text("#my-appeals")
    shot(page, "2-county-appeal")

    # the office upholds it with a new score
    login("province_admin")
    page.goto(f"{live_server.url}/cycles/{w.cycle.pk}/release/")
    appeal = Appeal.objects.get()
    row = page.locator(f"tr[data-appeal='{appeal.pk}']")
    row.locator("select[name=upheld]").select_option("yes")
    row.locator("input[name=new_score]").fill(str(item.points))
    row.locator("textarea[name=decision]").fill("佐证材料齐全，恢复满分。")
    row.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "申诉成立" in page.inner_text("#appeals")
    assert ItemScore.objects.get(submission=w.sub, indicator=item).reviewer_score == item.points
    shot(page, "3-office-upholds")

    # the window closes; the office publishes the final results
    Release.objects.filter(cycle=w.cycle).update(appeal_deadline=timezone.now() - timedelta(minutes=1))
    page.reload()
    page.once("dialog", lambda d: d.accept())
    page.click("#finalize")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("#release-stage") == "正式发布"
    final = FinalResult.objects.get(submission=w.sub)
    assert final.rank == 1 and Submission.objects.get(pk=w.sub.pk).state == "locked"
    shot(page, "4-final")

    # the office generates and publishes the feedback report; the county downloads it
    from dutyeval.documents.services import generate_document, publish_document

    gd = generate_document(w.cycle, "feedback", w.zezhou, user=w.province_admin, with_pdf=False)
    publish_document(gd, w.province_admin)
    login("county_filler")
    page.goto(f"{live_server.url}/documents/cycles/{w.cycle.pk}/")
    with page.expect_download() as dl:
        page.click(f"a[href='/documents/{gd.pk}/file.docx']")
    assert dl.value.suggested_filename.endswith(".docx")
    shot(page, "5-county-documents")
