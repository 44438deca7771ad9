"""A verifiable draw in a real browser: the office publishes the frame with its commitment, a reviewer
and a county see what was published, the observers' inputs are entered, the draw is made, and the
exported record verifies with `dutyeval draw verify` against the commitment noted before the draw.
Then the schools of a drawn county are drawn on the day, on a phone-sized screen."""

import json
import os

import pytest

from dutyeval.core.lottery import commitment_of
from dutyeval.core.lottery_cli import main as draw_cli
from dutyeval.draws.models import Draw
from dutyeval.regions.models import School

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("DUTYEVAL_SHOTS")  # a directory: keep screenshots of each page while developing


def shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_office_publishes_observers_enter_inputs_and_anyone_verifies(world, page, login, live_server, tmp_path,
                                                                      capsys):
    # the office prepares the counties draw: 12 counties, at least one per city, one excluded, one forced
    login("province_admin")
    page.goto(f"{live_server.url}/cycles/{world.cycle.pk}/")
    page.click("#draws-link")
    page.click("#new-regions-draw")
    page.wait_for_load_state("networkidle")
    assert "已生成抽签名单" in page.inner_text(".messages")
    page.fill("#id_n", "12")
    page.fill("#id_exclusions", "140522 上年已实地核查")
    page.fill("#id_forced", "140525 自评可信度低")
    page.click("#save-draw")
    page.wait_for_load_state("networkidle")
    assert "抽签参数已保存" in page.inner_text(".messages")
    shot(page, "draw-1-draft")
    page.once("dialog", lambda d: d.accept())
    page.click("#publish-draw")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("#draw-state") == "已公布名单"
    commitment, frame_sha = page.inner_text("#commitment").strip(), page.inner_text("#frame-sha256").strip()
    assert len(commitment) == 64 and len(frame_sha) == 64
    draw = Draw.objects.get()
    assert draw.commitment == commitment and commitment_of(draw.secret) == commitment
    shot(page, "draw-2-published")

    # a reviewer and a county see the published frame and commitment, and nothing to change
    for who in ("reviewer", "county_filler"):
        login(who)
        page.goto(f"{live_server.url}/draws/cycles/{world.cycle.pk}/")
        shot(page, f"draw-3-list-{who}")
        page.click(f"#draws a:has-text('{draw.title}')")
        assert page.inner_text("#commitment").strip() == commitment
        assert draw.secret not in page.content()
        assert page.locator("#make-draw").count() == 0 and page.locator("#input-form").count() == 0
    shot(page, "draw-3-county-sees-commitment")

    # at the draw: the observers call out their inputs, the office types them in, then draws
    login("province_admin")
    page.goto(f"{live_server.url}/draws/{draw.pk}/")
    assert page.locator("#make-draw").is_disabled()  # no draw without a public input
    for text, by in (("０７ 21 33 45", "省纪委监委驻省教育厅纪检监察组 李某"), ("骰子 3 5 6", "山西日报 记者 王某")):
        page.fill("#id_text", text)
        page.fill("#id_by", by)
        page.click("#add-input")
        page.wait_for_load_state("networkidle")
    assert page.locator("#inputs td.input-text").all_inner_texts() == ["07 21 33 45", "骰子 3 5 6"]
    shot(page, "draw-4-inputs")
    page.once("dialog", lambda d: d.accept())
    page.click("#make-draw")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("#draw-state") == "已抽签"
    assert "抽签完成" in page.inner_text(".messages")
    rows = page.locator("#result tr.how-forced, #result tr.how-stratum, #result tr.how-draw")
    assert rows.count() == 12
    assert "140525" in rows.first.inner_text() and "必抽" in rows.first.inner_text()
    assert page.locator("#make-draw").count() == 0  # drawn once: no button to draw again
    shot(page, "draw-5-drawn")

    # anyone in scope downloads the record and runs the verifier on it
    login("county_filler")
    page.goto(f"{live_server.url}/draws/{draw.pk}/")
    with page.expect_download() as dl:
        page.click("#record-json")
    path = tmp_path / "record.json"
    dl.value.save_as(path)
    record = json.loads(path.read_text(encoding="utf-8"))
    assert [i["by"] for i in record["public_inputs"]] == ["省纪委监委驻省教育厅纪检监察组 李某", "山西日报 记者 王某"]
    capsys.readouterr()
    assert draw_cli(["verify", str(path), "--commitment", commitment, "--frame-sha256", frame_sha]) == 0
    out = capsys.readouterr().out
    assert "一致" in out and "140525" in out
    record["result"][5]["code"] = "140522"  # swap in the excluded county
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    assert draw_cli(["verify", str(path)]) == 1
    assert "result[5]" in capsys.readouterr().out

    # on the day: 泽州县's schools, drawn on a phone 30 minutes before departure
    for k, kind in enumerate(["primary", "primary", "junior", "nine_year", "primary", "junior"], start=1):
        School.objects.create(code=f"2140525{k:03d}", name=f"泽州县第{k}学校", type=kind, county=world.zezhou)
    login("province_admin")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/draws/cycles/{world.cycle.pk}/")
    page.select_option("#school-county", "140525")
    page.click("#new-schools-draw")
    page.wait_for_load_state("networkidle")
    page.fill("#id_n", "3")
    page.select_option("#id_strata", "学校类型")
    page.click("#save-draw")
    page.wait_for_load_state("networkidle")
    page.once("dialog", lambda d: d.accept())
    page.click("#publish-draw")
    page.wait_for_load_state("networkidle")
    page.fill("#id_text", "6 2 4")
    page.fill("#id_by", "评估视导员 赵某")
    page.click("#add-input")
    page.wait_for_load_state("networkidle")
    page.once("dialog", lambda d: d.accept())
    page.click("#make-draw")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("#draw-state") == "已抽签"
    shot(page, "draw-6-schools-phone")
    schools = Draw.objects.get(kind="schools")
    assert {e["stratum"] for e in schools.record.record["result"]} == {"小学", "初中", "九年一贯制学校"}
