"""The results map in a real browser: the boundaries load from our own static files (no internet), the
regions are coloured, a click on a city opens it and a click on a county shows its trend (#11 item 6)."""

from __future__ import annotations

import pytest

from dutyeval.evaluation import services as workflow
from dutyeval.evaluation.recompute import compute, store

SHOTS = None  # a directory to keep screenshots in while looking at the page


@pytest.fixture
def reviewed(world, fill_all_self_scores, record_history):
    for year, value in ((2018, "1000"), (2019, "1100"), (2020, "1210")):
        record_history(world.zezhou, year, {"edu_exp_budget": value})
    fill_all_self_scores(world.sub, world.county_filler)
    workflow.submit_submission(world.sub, world.county_filler)
    workflow.accept_submission(world.sub, world.province_admin)
    store(world.cycle, compute(world.cycle))
    return world


def _click_at(page, lng: float, lat: float) -> None:
    """A real mouse click where the map draws a point (ECharts converts degrees to pixels)."""
    x, y = page.evaluate(
        "([lng, lat]) => echarts.getInstanceByDom(document.getElementById('map'))"
        ".convertToPixel({seriesIndex: 0}, [lng, lat])", [lng, lat])
    box = page.locator("#map canvas").first.bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)


def test_office_drills_from_the_province_to_a_county_and_its_trend(reviewed, page, live_server, login):
    w = reviewed
    login(w.province_admin.username)
    geo = []
    page.on("response", lambda r: geo.append(r.status) if "/geo/" in r.url else None)
    page.goto(f"{live_server.url}/cycles/{w.cycle.pk}/map/?by=city")
    page.wait_for_function("() => { const c = window.echarts && echarts.getInstanceByDom(document.getElementById('map'));"
                           " return c && c.getOption().series[0].data.length > 0; }")
    assert geo == [200]
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/map-province.png")
    _click_at(page, 112.85, 35.62)  # inside 晋城市
    page.wait_for_url("**at=140500**")
    page.wait_for_function("() => { const c = window.echarts && echarts.getInstanceByDom(document.getElementById('map'));"
                           " return c && c.getOption().series[0].data.length > 0; }")
    assert "晋城市" in page.locator("#map-crumbs").inner_text()
    page.select_option("#id_metric", "element:edu_exp_budget")
    page.click("#map-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => { const c = window.echarts && echarts.getInstanceByDom(document.getElementById('map'));"
                           " return c && c.getOption().series[0].data.length > 0; }")
    _click_at(page, 112.899, 35.617)  # 泽州县
    page.wait_for_url("**region=140525**")
    assert page.locator("#detail h2").inner_text() == "泽州县"
    assert page.locator("#trend-table tr").count() == 4  # header + 2018, 2019, 2020
    assert "1210" in page.locator("#trend-table").inner_text()
    if SHOTS:
        page.wait_for_timeout(1500)  # the charts' entry animation
        page.screenshot(path=f"{SHOTS}/map-county.png", full_page=True)
    page.click("#detail a:has-text('评分表')")
    page.wait_for_load_state("networkidle")
    assert f"/s/{w.sub.pk}/scorecard/" in page.url
