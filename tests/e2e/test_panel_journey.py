"""The panel review in a real browser: the office assigns two recused experts from the proposal, a member
asks the county for 补充材料 and the county answers, both members score independently and differ on one
item, the lead decides it with a reason, and the office sees the decided score on the scorecard."""

import datetime
import os

import pytest
from evidence.samples import pdf

from dutyeval.evaluation import services as evaluation
from dutyeval.evaluation.models import ItemScore
from dutyeval.panels import services
from dutyeval.panels.models import Expert, PanelMember
from dutyeval.regions.models import Region

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("DUTYEVAL_SHOTS")  # a directory: keep a screenshot of each page while developing


def shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def fill_scores(page, sub, differ: dict[str, str]):
    for ind in services.leaves(sub):
        kind = services.item_kind(ind)
        if kind == "manual":
            page.fill(f"input[name=score-{ind.pk}]", differ.get(ind.code, str(ind.points)))
            page.fill(f"textarea[name=comment-{ind.pk}]", f"{ind.code}：佐证材料与自评一致")
        elif kind == "veto":
            page.select_option(f"select[name=veto-{ind.pk}]", "no")


def test_panel_review_journey(world, page, login, live_server, evidence_media, fill_all_self_scores,
                              persona_password, django_user_model):
    from django.contrib.auth.hashers import make_password

    fill_all_self_scores(world.sub, world.county_filler)
    evaluation.submit_submission(world.sub, world.county_filler)
    for username, name, home, specs in (
        ("zj_wang", "王督学", "140100", ["finance", "teachers"]),
        ("zj_li", "李督学", "140200", ["compulsory", "preschool"]),
        ("zj_zhao", "赵督学", "140500", ["governance"]),  # 晋城市: recuses from its counties
    ):
        u = django_user_model.objects.create(username=username, role="reviewer", region=world.shanxi,
                                             password=make_password(persona_password), display_name=name)
        Expert.objects.create(user=u, home=Region.objects.get(code=home), unit="教育督导室", specialties=specs)

    # the office looks at the proposal and applies it
    login("province_admin")
    page.goto(f"{live_server.url}/cycles/{world.cycle.pk}/")
    page.click("#panels-link")
    assert "泽州县" in page.inner_text("#panels")
    shot(page, "1-panels-proposal")
    page.click("#apply-proposal")
    page.wait_for_load_state("networkidle")
    assert "已按分组方案安排评审组" in page.inner_text(".messages")
    row = page.locator("tr.panel-row[data-region='泽州县']")
    assert "王督学" in row.inner_text() and "李督学" in row.inner_text() and "赵督学" not in row.inner_text()
    shot(page, "2-panels-assigned")
    page.goto(f"{live_server.url}/panels/experts/")
    shot(page, "3-experts")
    lead = PanelMember.objects.get(panel__submission=world.sub, role="lead").reviewer.username
    other = "zj_li" if lead == "zj_wang" else "zj_wang"
    items = [i for i in services.leaves(world.sub) if services.item_kind(i) == "manual"]
    differ_item, agree_item = items[1], items[0]  # 1.2 and 1.1, 3 points each

    # the non-lead member asks for 补充材料 on one item, then scores: 1.2 low, 1.1 within the threshold
    login(other)
    page.click("a.task-link:has-text('泽州县')")
    assert page.url.endswith(f"/s/{world.sub.pk}/panel/")
    page.select_option("#supplement-form select[name=indicator]", str(agree_item.pk))
    page.fill("#supplement-form input[name=note]", "请补充2020年县委常委会研究教育工作的会议纪要")
    page.fill("#supplement-form input[name=deadline]", (datetime.date.today() + datetime.timedelta(days=3)).isoformat())
    page.click("#request-supplement")
    page.wait_for_load_state("networkidle")
    fill_scores(page, world.sub, {differ_item.code: "1.8", agree_item.code: "2.4"})
    page.click("#save-scores")
    page.wait_for_load_state("networkidle")
    shot(page, "4-member-scoring")
    fill_scores(page, world.sub, {differ_item.code: "1.8", agree_item.code: "2.4"})
    page.click("#sign-off")
    page.wait_for_load_state("networkidle")
    assert "评分已提交" in page.inner_text(".messages")
    shot(page, "5-member-signed-off")

    # the county sees the request and answers it with a file
    login("county_filler")
    assert "评审组要求补充材料" in page.inner_text("#tasks")
    page.goto(f"{live_server.url}/s/{world.sub.pk}/")
    page.click("#supplement-notice a")
    page.fill("textarea[name=answer]", "已上传会议纪要")
    page.set_input_files("input[name=file]", {"name": "会议纪要.pdf", "mimeType": "application/pdf", "buffer": pdf()})
    page.click("#supplements button")
    page.wait_for_load_state("networkidle")
    assert "已补充" in page.inner_text("#supplements")
    shot(page, "6-county-supplement")
    assert page.request.get(f"{live_server.url}/s/{world.sub.pk}/panel/").status == 404

    # the lead scores in full; blind until now, then both sets of scores appear
    login(lead)
    page.goto(f"{live_server.url}/s/{world.sub.pk}/panel/")
    assert "请补充2020年县委常委会" in page.inner_text("#scores")  # the request and its answer beside the item
    assert "1.8" not in page.inner_text("#scores")  # the other member's scores stay hidden
    fill_scores(page, world.sub, {})
    page.click("#sign-off")
    page.wait_for_load_state("networkidle")
    cmp_row = page.locator(f"#comparison tr[data-code='{agree_item.code}']")
    assert "2.70" in cmp_row.inner_text()  # 2.4 and 3 differ by 20 %: the mean
    pending = page.locator(f"#comparison tr[data-code='{differ_item.code}']")
    assert "待裁定" in pending.inner_text()
    pending.locator("input[name=score]").fill("2.5")
    pending.locator("input[name=reason]").fill("会议纪要齐全，履职考核机制尚未建立，酌情扣分")
    pending.locator("button").click()
    page.wait_for_load_state("networkidle")
    assert "评审完成" in page.inner_text("#panel-state")
    shot(page, "7-lead-decided")
    assert ItemScore.objects.get(submission=world.sub, indicator=differ_item).reviewer_score == 2.5

    # the office sees the decided score on the scorecard
    login("province_admin")
    page.goto(f"{live_server.url}/s/{world.sub.pk}/scorecard/")
    card = page.locator(f"#scorecard tr[data-code='{differ_item.code}']").inner_text()
    assert "2.50" in card
    assert "2.70" in page.locator(f"#scorecard tr[data-code='{agree_item.code}']").inner_text()
    shot(page, "8-office-scorecard")
    page.goto(f"{live_server.url}/s/{world.sub.pk}/panel/")
    shot(page, "9-office-panel")
