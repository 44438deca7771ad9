"""Field verification pages: who sees what, the checklist's JSON submit, the region after release."""

from __future__ import annotations

import pytest

from dutyeval.fieldwork import checklist
from dutyeval.fieldwork.models import Check, Team, TeamMember

from .conftest import values


def test_office_pages_only_for_the_office(team, fw, client_as):
    for url in (f"/fieldwork/cycles/{fw.cycle.pk}/", f"/fieldwork/cycles/{fw.cycle.pk}/credibility/"):
        assert client_as(fw.province_admin).get(url).status_code == 200
        for who in (fw.ty, fw.reviewer, fw.county_filler, fw.outsider):
            assert client_as(who).get(url).status_code == 404, (url, who)


def test_team_page_for_office_and_members_only(team, fw, client_as):
    url = f"/fieldwork/teams/{team.pk}/"
    page = client_as(fw.ty).get(url).content.decode()
    assert "泽州县第一小学" in page and "现场评分" in page and "加入核查组" not in page
    assert "加入核查组" in client_as(fw.province_admin).get(url).content.decode()
    for who in (fw.jc, fw.reviewer, fw.county_filler, fw.outsider):
        assert client_as(who).get(url).status_code == 404


def test_member_cannot_arrange_and_office_cannot_fill(team, fw, client_as):
    r = client_as(fw.ty).post(f"/fieldwork/teams/{team.pk}/", {"action": "member", "username": "jc", "role": "member"})
    assert r.status_code == 403 and not TeamMember.objects.filter(user=fw.jc).exists()
    lines = checklist.lines(fw.school, fw.cycle.data_year)
    r = client_as(fw.province_admin).post(f"/fieldwork/checks/{fw.visited.pk}/", values(lines))
    assert r.status_code == 403 and not Check.objects.exists()


def test_checklist_json_submit(team, fw, client_as):
    url = f"/fieldwork/checks/{fw.visited.pk}/"
    c = client_as(fw.ty)
    page = c.get(url).content.decode()
    assert "checklist.js" in page and 'name="students@primary"' in page
    lines = checklist.lines(fw.school, fw.cycle.data_year)
    bad = c.post(url, values(lines, **{"students@primary": "abc"}), HTTP_ACCEPT="application/json")
    assert bad.status_code == 400 and "students@primary" in bad.json()["errors"] and not Check.objects.exists()
    good = values(lines, **{"students@primary": "1180"})
    first = c.post(url, good, HTTP_ACCEPT="application/json").json()
    again = c.post(url, good, HTTP_ACCEPT="application/json").json()
    assert first == {"ok": True, "stored": True, "message": "核查表已提交"}
    assert again["ok"] is True and again["stored"] is False
    assert Check.objects.count() == len(lines)
    office = client_as(fw.province_admin).get(f"/fieldwork/cycles/{fw.cycle.pk}/").content.decode()
    assert "少报" not in office and "多报 20人" in office


def test_checklist_of_another_team_is_not_found(team, fw, client_as):
    from dutyeval.fieldwork import services

    other = services.create_team(fw.cycle, fw.province_admin, "第二核查组")
    services.add_member(other, fw.province_admin, fw.jc, "leader")
    assert client_as(fw.jc).get(f"/fieldwork/checks/{fw.visited.pk}/").status_code == 404
    lines = checklist.lines(fw.school, fw.cycle.data_year)
    assert client_as(fw.jc).post(f"/fieldwork/checks/{fw.visited.pk}/", values(lines)).status_code == 404
    assert not Check.objects.exists()


@pytest.mark.parametrize("stage", ["internal", "publicity"])
def test_region_sees_its_own_verification_only_after_release(team, fw, client_as, stage):
    from dutyeval.fieldwork import services
    from dutyeval.release.models import Release

    Release.objects.create(cycle=fw.cycle, stage=stage)
    lines = checklist.lines(fw.school, fw.cycle.data_year)
    services.submit_checklist(fw.visited, fw.ty, values(lines, **{"students@primary": "1100"}))
    r = client_as(fw.county_filler).get(f"/fieldwork/s/{fw.sub.pk}/")
    if stage == "internal":
        assert r.status_code == 404
    else:
        page = r.content.decode()
        assert r.status_code == 200 and "多报 100人" in page and "在校生数（小学）" in page
    assert client_as(fw.other_filler).get(f"/fieldwork/s/{fw.sub.pk}/").status_code == 404
    assert client_as(fw.province_admin).get(f"/fieldwork/s/{fw.sub.pk}/").status_code == 200


def test_links_from_home_and_cycle(team, fw, client_as):
    assert f"/fieldwork/teams/{team.pk}/" in client_as(fw.ty).get("/").content.decode()
    assert f"/fieldwork/cycles/{fw.cycle.pk}/" in client_as(fw.province_admin).get(f"/cycles/{fw.cycle.pk}/").content.decode()
    assert "/fieldwork/teams/" not in client_as(fw.jc).get("/").content.decode()
    assert Team.objects.count() == 1


def test_photo_upload_checked_by_content(team, fw, client_as, evidence_media):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from evidence.samples import image

    from dutyeval.fieldwork.models import FieldFile

    url = f"/fieldwork/checks/{fw.visited.pk}/"
    fake = SimpleUploadedFile("访谈记录.pdf", b"not a pdf at all")
    client_as(fw.ty).post(url, {"action": "file", "file": fake})
    assert not FieldFile.objects.exists()
    photo = SimpleUploadedFile("操场.png", image())
    assert client_as(fw.ty).post(url, {"action": "file", "file": photo}).status_code == 302
    f = FieldFile.objects.get()
    assert f.content_type == "image/png" and f.uploaded_by == fw.ty
    assert client_as(fw.province_admin).get(f"/fieldwork/files/{f.pk}/").status_code == 200
    assert client_as(fw.county_filler).get(f"/fieldwork/files/{f.pk}/").status_code == 404  # not released
    assert client_as(fw.jc).get(f"/fieldwork/files/{f.pk}/").status_code == 404
    r = client_as(fw.province_admin).post(url, {"action": "file", "file": SimpleUploadedFile("x.png", image())})
    assert r.status_code == 403 and FieldFile.objects.count() == 1
