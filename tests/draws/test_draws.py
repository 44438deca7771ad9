"""Draws in the web app: prepare → publish with a commitment → observers' inputs → draw once; the
record verifies with the CLI's verifier; a second draw is refused and audited; scope and roles.

Personas (tests/conftest.py): province_admin runs the 山西省 cycle; reviewer of 山西省; county_filler
of 泽州县 and other_filler of 阳城县 (both in 晋城市); outsider runs 河北省.
"""

from __future__ import annotations

import json

import pytest

from dutyeval.audit.models import ACTION_LABELS, AuditLog
from dutyeval.core import lottery
from dutyeval.core.lottery_cli import main as cli
from dutyeval.draws import services
from dutyeval.draws.models import Draw, DrawRecord, Immutable, PublicInput
from dutyeval.draws.services import DrawsError
from dutyeval.regions.models import School


@pytest.fixture
def schools(world):
    """Five schools of 泽州县 and two of 阳城县."""
    types = ["primary", "primary", "junior", "nine_year", "primary"]
    for k, t in enumerate(types, start=1):
        School.objects.create(code=f"2140525{k:03d}", name=f"泽州县第{k}学校", type=t, county=world.zezhou)
    for k in (1, 2):
        School.objects.create(code=f"2140522{k:03d}", name=f"阳城县第{k}学校", type="primary", county=world.yangcheng)


def published(world, **changes):
    draw = services.prepare_draw(world.cycle, world.province_admin, Draw.Kind.REGIONS)
    if changes:
        draw = services.update_draft(draw, world.province_admin, **({
            "title": draw.title, "n": draw.parameters["n"], "strata": draw.parameters["strata"],
            "min_per_stratum": 1, "exclusions": [], "forced": []} | changes))
    return services.publish_draw(draw, world.province_admin)


def test_the_frame_is_the_cycles_counties_in_code_order_with_their_city(world):
    draw = services.prepare_draw(world.cycle, world.province_admin, Draw.Kind.REGIONS)
    frame = draw.lottery_frame
    assert frame.columns == ("区划代码", "名称", "所属设区市")
    assert frame.codes == sorted(frame.codes) and len(frame.codes) > 100  # Shanxi has 117 county-level units
    assert ("140525", "泽州县", "晋城市") in frame.rows
    assert draw.parameters == {"n": 20, "strata": "所属设区市", "min_per_stratum": 1, "weight": None}
    assert draw.state == "draft" and not draw.commitment and not draw.secret
    assert AuditLog.objects.filter(action="draws.draw.prepare", object_id=str(draw.pk)).exists()


def test_the_whole_flow_and_the_record_verifies_with_the_cli(world, tmp_path, capsys, client_as):
    draw = services.prepare_draw(world.cycle, world.province_admin, Draw.Kind.REGIONS)
    draw = services.update_draft(
        draw, world.province_admin, title="2021年实地核查县抽签", n=12, strata="所属设区市", min_per_stratum=1,
        exclusions=services.parse_notes("140522 上年已实地核查", "排除"),
        forced=services.parse_notes("140525：自评可信度低", "必抽"))
    draw = services.publish_draw(draw, world.province_admin)
    assert draw.state == "published" and lottery.commitment_of(draw.secret) == draw.commitment
    page = client_as(world.reviewer).get(f"/draws/{draw.pk}/").content.decode()
    assert draw.commitment in page and draw.secret not in page  # the secret stays secret until the draw
    announcement = json.loads(client_as(world.county_filler).get(f"/draws/{draw.pk}/record.json").content)
    assert "secret" not in announcement and announcement["commitment"] == draw.commitment

    services.add_public_input(draw, world.province_admin, "０７ 21  33", "省纪委监委驻厅纪检组 李某")
    services.add_public_input(draw, world.province_admin, "骰子 3 5 6", "山西日报 记者 王某")
    made = services.make_draw(draw, world.province_admin)
    record = made.record
    codes = [e["code"] for e in record["result"]]
    assert record["public_inputs"][0]["text"] == "07 21 33" and record["public_inputs"][1]["by"] == "山西日报 记者 王某"
    assert codes[0] == "140525" and "140522" not in codes and len(codes) == 12
    assert record["frame_sha256"] == draw.frame_sha256 and record["secret"] == draw.secret
    assert lottery.verify(record, expect_commitment=draw.commitment, expect_frame_sha256=draw.frame_sha256) == []

    body = client_as(world.county_filler).get(f"/draws/{draw.pk}/record.json")
    assert body["Content-Type"].startswith("application/json")
    path = tmp_path / "record.json"
    path.write_bytes(body.content)
    assert cli(["verify", str(path), "--commitment", draw.commitment, "--frame-sha256", draw.frame_sha256]) == 0
    edited = json.loads(body.content)
    edited["public_inputs"][1]["text"] = "骰子 3 5 5"
    path.write_text(json.dumps(edited, ensure_ascii=False), encoding="utf-8")
    assert cli(["verify", str(path)]) == 1
    assert "seed:" in capsys.readouterr().out

    # the CSV frame reproduces the same draw offline
    csv = client_as(world.reviewer).get(f"/draws/{draw.pk}/frame.csv").content.decode("utf-8")
    assert lottery.frame_from_csv(csv).sha256 == draw.frame_sha256

    actions = list(AuditLog.objects.filter(object_type="draws.draw", object_id=str(draw.pk))
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["draws.draw.prepare", "draws.draw.update", "draws.draw.publish", "draws.input.add",
                       "draws.input.add", "draws.draw.make"]


def test_a_draw_is_made_once_a_second_attempt_is_refused_and_audited(world):
    draw = published(world)
    services.add_public_input(draw, world.province_admin, "12345", "监察 A")
    first = services.make_draw(draw, world.province_admin)
    with pytest.raises(DrawsError, match="不可更改，不能重新抽签"):
        services.make_draw(draw, world.province_admin)
    with pytest.raises(DrawsError, match="不能再录入公开输入"):
        services.add_public_input(draw, world.province_admin, "99999", "另一位")
    assert DrawRecord.objects.filter(draw=draw).count() == 1 and PublicInput.objects.filter(draw=draw).count() == 1
    first.refresh_from_db()
    assert lottery.verify(first.record) == []
    refused = AuditLog.objects.filter(object_id=str(draw.pk), action__endswith="refused").order_by("id")
    assert [a.action for a in refused] == ["draws.draw.refused", "draws.input.refused"]
    assert refused[1].data["text"] == "99999" and "不能" in refused[0].data["reason"]


def test_the_record_and_the_published_frame_cannot_change(world):
    draw = published(world)
    draw.parameters = {**draw.parameters, "n": 3}
    with pytest.raises(Immutable):
        draw.save()
    draw.refresh_from_db()
    services.add_public_input(draw, world.province_admin, "1", "A")
    made = services.make_draw(draw, world.province_admin)
    made.record_sha256 = "0" * 64
    with pytest.raises(Immutable):
        made.save()
    with pytest.raises(Immutable):
        DrawRecord.objects.filter(pk=made.pk).update(record_sha256="x")
    with pytest.raises(Immutable):
        DrawRecord.objects.all().delete()
    with pytest.raises(Immutable):
        PublicInput.objects.get(draw=draw).delete()
    draw.refresh_from_db()
    draw.title = "改名"
    with pytest.raises(Immutable):
        draw.save()


@pytest.mark.parametrize("changes,message", [
    ({"n": 200}, "少于要抽取的 200 个"),
    ({"n": 5}, "分层要求无法满足：11 层每层至少 1 个"),
    ({"exclusions": [lottery.Note(c, "上年已核查") for c in ("140502", "140521", "140522", "140524", "140525",
                                                            "140581")]}, "分层要求无法满足：“晋城市”只有 0 个"),
    ({"strata": "城市"}, "名单中没有分层列“城市”"),
    ({"forced": [lottery.Note("999999", "x")]}, "必抽的单位 999999 不在名单中"),
])
def test_bad_parameters_are_refused_and_the_draft_kept(world, changes, message):
    draw = services.prepare_draw(world.cycle, world.province_admin, Draw.Kind.REGIONS)
    before = (draw.frame, draw.parameters)
    args = {"title": draw.title, "n": 20, "strata": "所属设区市", "min_per_stratum": 1, "exclusions": [], "forced": []}
    with pytest.raises(DrawsError) as e:
        services.update_draft(draw, world.province_admin, **(args | changes))
    assert message in str(e.value)
    draw.refresh_from_db()
    assert (draw.frame, draw.parameters) == before


def test_notes_need_a_reason():
    assert services.parse_notes("140522 上年已核查\n\n140525：可信度低\n", "排除") == [
        lottery.Note("140522", "上年已核查"), lottery.Note("140525", "可信度低")]
    with pytest.raises(DrawsError, match="理由不能为空"):
        services.parse_notes("140522", "排除")


def test_no_draw_without_commitment_or_inputs(world):
    draft = services.prepare_draw(world.cycle, world.province_admin, Draw.Kind.REGIONS)
    with pytest.raises(DrawsError, match="缺少事先公布的承诺值"):
        services.make_draw(draft, world.province_admin)
    with pytest.raises(DrawsError, match="请先公布名单和承诺值"):
        services.add_public_input(draft, world.province_admin, "1", "A")
    draw = services.publish_draw(draft, world.province_admin)
    with pytest.raises(DrawsError, match="至少需要一条现场公开输入"):
        services.make_draw(draw, world.province_admin)
    with pytest.raises(DrawsError, match="请填写报出人"):
        services.add_public_input(draw, world.province_admin, "1", " ")
    with pytest.raises(DrawsError, match="请填写监督人员报出的内容"):
        services.add_public_input(draw, world.province_admin, "　", "A")
    with pytest.raises(DrawsError, match="已于 .* 公布"):
        services.publish_draw(draw, world.province_admin)
    assert not DrawRecord.objects.exists()
    assert not AuditLog.objects.filter(action="draws.draw.make").exists()


def test_only_the_office_running_the_cycle_acts(world, django_user_model):
    city = django_user_model.objects.create(username="jc", role="city_admin", region=world.zezhou.parent)
    for user in (world.reviewer, world.county_filler, world.outsider, city):
        with pytest.raises(DrawsError, match="只有组织本次评价的督导办"):
            services.prepare_draw(world.cycle, user, Draw.Kind.REGIONS)
    draw = published(world)
    for user in (world.reviewer, city):
        with pytest.raises(DrawsError):
            services.add_public_input(draw, user, "1", "A")
        with pytest.raises(DrawsError):
            services.make_draw(draw, user)


def test_school_draw_on_the_day_reuses_the_core(world, schools):
    draw = services.prepare_draw(world.cycle, world.province_admin, Draw.Kind.SCHOOLS, world.zezhou)
    assert draw.lottery_frame.columns == ("学校标识码", "学校名称", "学校类型")
    assert draw.lottery_frame.codes == [f"2140525{k:03d}" for k in range(1, 6)]
    draw = services.update_draft(draw, world.province_admin, title=draw.title, n=3, strata="学校类型", min_per_stratum=1,
                                 exclusions=[], forced=[])
    draw = services.publish_draw(draw, world.province_admin)
    services.add_public_input(draw, world.province_admin, "6 2 4", "评估视导员 赵某")
    record = services.make_draw(draw, world.province_admin).record
    kinds = {e["stratum"] for e in record["result"]}
    assert kinds == {"小学", "初中", "九年一贯制学校"} and lottery.verify(record) == []


def test_school_draw_needs_an_evaluated_county_with_schools(world, schools):
    with pytest.raises(DrawsError, match="没有学校名单"):
        services.prepare_draw(world.cycle, world.province_admin, Draw.Kind.SCHOOLS,
                              world.zezhou.parent.children.exclude(pk__in=[world.zezhou.pk, world.yangcheng.pk]).first())
    with pytest.raises(DrawsError, match="请选择本次评价的一个被评价县"):
        services.prepare_draw(world.cycle, world.province_admin, Draw.Kind.SCHOOLS, world.zezhou.parent)
    with pytest.raises(DrawsError, match="请选择本次评价的一个被评价县"):
        services.prepare_draw(world.cycle, world.province_admin, Draw.Kind.SCHOOLS, None)


# ---------------------------------------------------------------------------------------------
# Pages: scope and roles


def _flow_by_pages(client, draw_pk):
    client.post(f"/draws/{draw_pk}/publish/")
    client.post(f"/draws/{draw_pk}/inputs/", {"text": "0 7 2 1", "by": "新闻媒体 记者"})
    return client.post(f"/draws/{draw_pk}/draw/")


def test_the_office_runs_a_draw_through_the_pages(world, client_as):
    c = client_as(world.province_admin)
    r = c.post(f"/draws/cycles/{world.cycle.pk}/new/", {"kind": "regions"})
    draw = Draw.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/draws/{draw.pk}/"
    r = c.post(f"/draws/{draw.pk}/edit/", {"title": "抽签", "n": "11", "strata": "所属设区市", "min_per_stratum": "1",
                                           "exclusions": "140522 上年已核查", "forced": ""})
    assert Draw.objects.get().parameters["n"] == 11
    r = c.post(f"/draws/{draw.pk}/edit/", {"title": "抽签", "n": "3", "strata": "所属设区市", "min_per_stratum": "1"})
    assert "未保存：分层要求无法满足" in c.get(f"/draws/{draw.pk}/").content.decode()
    _flow_by_pages(c, draw.pk)
    draw.refresh_from_db()
    assert draw.state == "drawn"
    page = c.get(f"/draws/{draw.pk}/").content.decode()
    assert draw.record.record_sha256 in page and draw.secret in page and "抽签完成" in page
    r = c.post(f"/draws/{draw.pk}/draw/")
    assert "不能重新抽签" in c.get(f"/draws/{draw.pk}/").content.decode()
    assert AuditLog.objects.filter(action="draws.draw.refused").count() == 1


def test_drafts_are_the_offices_alone_and_published_draws_are_seen_in_scope(world, schools, client_as,
                                                                            django_user_model):
    regions = services.prepare_draw(world.cycle, world.province_admin, Draw.Kind.REGIONS)
    yc = services.prepare_draw(world.cycle, world.province_admin, Draw.Kind.SCHOOLS, world.yangcheng)
    city = django_user_model.objects.create(username="jc", role="city_admin", region=world.zezhou.parent)
    for user in (world.reviewer, world.county_filler, world.outsider, city):
        assert client_as(user).get(f"/draws/{regions.pk}/").status_code == 404  # a draft is not published
        assert client_as(user).get(f"/draws/{regions.pk}/frame.csv").status_code == 404
    for d in (regions, yc):
        services.publish_draw(d, world.province_admin)
    sees = {  # user → (regions draw, 阳城县 schools draw)
        world.province_admin: (200, 200), world.reviewer: (200, 200), city: (200, 200),
        world.county_filler: (200, 404), world.other_filler: (200, 200), world.outsider: (404, 404),
    }
    for user, (a, b) in sees.items():
        c = client_as(user)
        assert (c.get(f"/draws/{regions.pk}/").status_code, c.get(f"/draws/{yc.pk}/").status_code) == (a, b), user
        assert c.get(f"/draws/{yc.pk}/record.json").status_code == b
        listing = c.get(f"/draws/cycles/{world.cycle.pk}/")
        assert listing.status_code == (404 if user == world.outsider else 200)
        if listing.status_code == 200:
            assert (f"/draws/{yc.pk}/" in listing.content.decode()) == (b == 200)
    for user in (world.reviewer, world.county_filler, city):
        c = client_as(user)
        for url in ("publish", "inputs", "draw", "edit"):
            assert c.post(f"/draws/{regions.pk}/{url}/", {"text": "1", "by": "x"}).status_code == 403
        assert c.post(f"/draws/cycles/{world.cycle.pk}/new/", {"kind": "regions"}).status_code == 403
    assert client_as(world.outsider).post(f"/draws/{regions.pk}/draw/").status_code == 404
    assert not PublicInput.objects.exists() and not DrawRecord.objects.exists()


def test_every_audit_code_has_a_label():
    for code in ("draws.draw.prepare", "draws.draw.update", "draws.draw.publish", "draws.input.add",
                 "draws.input.refused", "draws.draw.make", "draws.draw.refused"):
        assert code in ACTION_LABELS
