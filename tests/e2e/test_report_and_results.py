"""Report ingestion and results, in a real browser."""

from pathlib import Path

import pytest

from dutyeval.collection.models import DataValue

pytestmark = pytest.mark.django_db(transaction=True)
SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "002_f38a59b6a3b78320.txt"


def test_county_uploads_a_report_sees_the_typo_and_accepts_a_figure(world, page, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # the seed reports 2021 figures: a cycle collecting 2021 data accepts them (a 2020 one refuses)
    type(world.cycle).objects.filter(pk=world.cycle.pk).update(data_year=2021, year=2022)
    login("county_filler")
    page.click("a.task-link")
    page.click(".tabs a:has-text('自评报告')")
    page.set_input_files("#report-file", str(SEED))
    page.click("#report-upload")
    page.wait_for_selector("#anomalies")
    assert "18.87亿万元" in page.inner_text("#anomalies")
    assert page.locator("#report-text mark.anom").count() >= 1
    row = page.locator(".fig-row", has_text="16571.07元")
    row.locator("button:has-text('采纳')").click()
    page.wait_for_load_state("networkidle")
    assert "已采纳" in page.locator(".fig-row", has_text="16571.07元").inner_text()
    v = DataValue.objects.get(region=world.zezhou, element__code="per_student_budget_primary")
    assert v.source == "extracted" and str(v.value) == "16571.0700"


def test_province_sees_ranking_and_charts(world, page, login):
    from dutyeval.evaluation.recompute import compute, store

    store(world.cycle, compute(world.cycle))
    login("province_admin")
    page.click("a.task-link")
    page.click("#results-link")
    page.wait_for_function("() => document.querySelectorAll('.chart canvas').length === 3")
    assert "泽州县" in page.inner_text("#ranking")
