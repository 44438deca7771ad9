"""Evidence in a real browser: a county uploads a PDF beside an item, a reviewer sees it beside the item."""

import pytest
from evidence.samples import pdf

from dutyeval.evaluation import services as workflow
from dutyeval.evidence.models import Evidence
from dutyeval.evidence.services import requires_evidence
from dutyeval.schemes.models import Indicator

pytestmark = pytest.mark.django_db(transaction=True)


def test_county_uploads_a_pdf_and_the_reviewer_sees_it(world, page, login, live_server, evidence_media,
                                                       fill_all_self_scores):
    item = next(i for i in Indicator.objects.filter(scheme=world.scheme, children__isnull=True).order_by("order")
                if requires_evidence(i))
    login("county_filler")
    page.goto(f"{live_server.url}/s/{world.sub.pk}/self/")
    cell = page.locator(f"#evidence-{item.pk}")
    assert "尚未上传佐证材料" in cell.inner_text()
    page.fill(f"input[name=score-{item.pk}]", "1")  # typed, not saved: the upload must not lose it
    cell.locator("input[type=file]").set_input_files(
        {"name": "县委常委会会议纪要.pdf", "mimeType": "application/pdf", "buffer": pdf()})
    cell.locator("button.ev-up").click()
    page.wait_for_selector(f"#evidence-{item.pk} .ev-name")
    assert "已上传《县委常委会会议纪要.pdf》" in page.locator(f"#evidence-{item.pk}").inner_text()
    assert page.input_value(f"input[name=score-{item.pk}]") == "1"
    ev = Evidence.objects.get()
    assert ev.content_type == "application/pdf" and ev.indicator_id == item.pk

    fill_all_self_scores(world.sub, world.county_filler)
    workflow.submit_submission(world.sub, world.county_filler)
    login("reviewer")
    page.goto(f"{live_server.url}/s/{world.sub.pk}/review/")
    row = page.locator("#review tr", has=page.locator(f"#evidence-{item.pk}"))
    assert "县委常委会会议纪要.pdf" in row.inner_text()
    r = page.request.get(f"{live_server.url}/evidence/{ev.pk}/preview/")
    assert r.status == 200 and r.headers["content-type"] == "application/pdf"
