"""A school checklist on a phone (390×844): the team leader types a verified figure that differs from the
reported one, loses the connection and submits (the page keeps the draft), comes back online, reloads
and finds the draft restored from localStorage, submits; the office finds the difference among the
field findings."""

import os

import pytest
from fieldwork.conftest import fw, team  # noqa: F401 (fixtures)

from dutyeval.fieldwork import checklist
from dutyeval.fieldwork.models import Check, FieldFinding

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("DUTYEVAL_SHOTS")  # a directory to keep screenshots of each page
PHONE = {"width": 390, "height": 844}


def shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_checklist_on_a_phone_survives_a_dropped_connection(fw, team, page, login, live_server):  # noqa: F811
    url = live_server.url
    page.set_viewport_size(PHONE)
    login("ty")
    page.goto(f"{url}/")
    page.click("#field-teams a")
    page.click(".checklist-link")
    assert page.url.endswith(f"/fieldwork/checks/{fw.visited.pk}/")
    lines = checklist.lines(fw.school, fw.cycle.data_year)
    for line in lines:
        page.fill(f'input[name="{line.key}"]', f"{line.reported.normalize():f}")
    page.fill('input[name="students@primary"]', "1150")  # 50 pupils fewer than reported
    assert "未提交草稿" in page.inner_text("#draft-status")
    # no sideways scrolling on the phone
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "fieldwork-1-draft")

    page.context.set_offline(True)
    page.click("#submit-checklist")
    page.wait_for_function("document.getElementById('draft-status').classList.contains('offline')")
    assert "保存在本机，未丢失" in page.inner_text("#draft-status")
    shot(page, "fieldwork-2-offline")
    assert not Check.objects.exists()

    page.context.set_offline(False)
    page.reload()
    assert page.input_value('input[name="students@primary"]') == "1150"
    assert page.input_value('input[name="teaching_area_m2@primary"]') == "5000"
    assert "已从本机恢复" in page.inner_text("#draft-status")
    page.click("#submit-checklist")
    page.wait_for_selector("#draft-status.done")
    assert "已于" in page.inner_text("#draft-status") and page.locator(".fw-line.beyond").count() == 1
    assert page.evaluate(f"localStorage.getItem('fieldwork-draft-{fw.visited.pk}-{fw.ty.pk}')") is None
    shot(page, "fieldwork-3-submitted")
    assert Check.objects.get(element="students").verified == 1150
    assert FieldFinding.objects.count() == 1

    login("province_admin")
    page.goto(f"{url}/cycles/{fw.cycle.pk}/")
    page.click("#fieldwork-link")
    finding = page.inner_text("#findings")
    assert "泽州县第一小学" in finding and "多报 50人" in finding
    shot(page, "fieldwork-4-office-findings")

    # the credibility list: no self scores yet, so only the figures count —
    # Dv = (50 / 1150) / 8 figures = 0.005435 → index 1 − 0.005435 = 0.9946
    page.set_viewport_size({"width": 1366, "height": 900})
    page.click("#credibility-link")
    row = page.inner_text("#credibility")
    assert "泽州县" in row and "0.9946" in row and "阳城县" not in row
    shot(page, "fieldwork-5-credibility")
    page.goto(f"{url}/fieldwork/teams/{team.pk}/")
    assert "评估视导员" in page.inner_text("#members")
    shot(page, "fieldwork-6-team")
