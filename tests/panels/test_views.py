"""Panel pages and scope: a panel cycle's reviewer opens only their own panels' regions; nothing of the
panels reaches the evaluated region; the office assigns and adjusts through its page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dutyeval.panels import services
from dutyeval.panels.models import Expert, PanelMember


@pytest.fixture
def assigned(pw):
    services.apply_proposal(pw.cycle, pw.province_admin)
    seats = PanelMember.objects.filter(panel__submission=pw.sub).select_related("reviewer")
    pw.members = [m.reviewer for m in seats]
    pw.stranger = next(u for u in (pw.ty, pw.dt, pw.yq) if u not in pw.members)
    return pw


def test_the_office_page_proposes_and_applies(pw, client_as):
    c = client_as(pw.province_admin)
    body = c.get(reverse("panels", args=[pw.cycle.pk])).content.decode()
    assert 'id="apply-proposal"' in body and "泽州县" in body
    r = c.post(reverse("panels", args=[pw.cycle.pk]), {"action": "apply"})
    assert r.status_code == 302
    assert PanelMember.objects.filter(panel__submission=pw.sub).count() == 2
    body = c.get(reverse("panels", args=[pw.cycle.pk])).content.decode()
    assert 'id="apply-proposal"' not in body and "独立评分中（已提交 0/2）" in body


def test_the_office_adjusts_with_a_reason_on_its_page(assigned, client_as):
    pw = assigned
    c = client_as(pw.province_admin)
    url = reverse("panels", args=[pw.cycle.pk])
    c.post(url, {"action": "add", "submission": pw.sub.pk, "reviewer": pw.jc.pk, "role": "member", "reason": "x"})
    assert not PanelMember.objects.filter(reviewer=pw.jc).exists()  # 晋城市 recuses
    r = c.post(url, {"action": "add", "submission": pw.sub.pk, "reviewer": pw.stranger.pk, "role": "member",
                     "reason": "补充专家"}, follow=True)
    assert "已将" in r.content.decode()
    assert PanelMember.objects.filter(panel__submission=pw.sub, reviewer=pw.stranger).exists()


def test_only_the_office_running_the_cycle_opens_the_panels_page(assigned, client_as):
    pw = assigned
    for user in (pw.members[0], pw.reviewer, pw.county_filler, pw.outsider):
        assert client_as(user).get(reverse("panels", args=[pw.cycle.pk])).status_code == 404


def test_a_reviewer_opens_only_the_regions_of_their_panels(assigned, client_as):
    pw = assigned
    c = client_as(pw.stranger)
    for name in ("submission", "review", "panel", "scorecard"):
        assert c.get(reverse(name, args=[pw.sub.pk])).status_code == 404, name
    home = c.get(reverse("home")).content.decode()
    assert "泽州县" not in home
    c = client_as(pw.reviewer)  # in the office's reviewers but on no panel
    assert c.get(reverse("submission", args=[pw.sub.pk])).status_code == 404
    member = client_as(pw.members[0])
    assert member.get(reverse("review", args=[pw.sub.pk]))["Location"] == reverse("panel", args=[pw.sub.pk])
    assert member.get(reverse("panel", args=[pw.sub.pk])).status_code == 200
    home = member.get(reverse("home")).content.decode()
    assert f"{pw.cycle.name} · 泽州县" in home and "独立评分" in home


def test_without_panels_reviewers_keep_the_open_review(pw, client_as):
    assert client_as(pw.ty).get(reverse("review", args=[pw.sub.pk])).status_code == 200


def test_the_evaluated_region_sees_nothing_of_the_panel(assigned, client_as):
    pw = assigned
    services.save_scores(pw.sub, pw.members[0], {services.leaves(pw.sub)[0].pk: {"score": "1", "comment": "内部意见"}})
    c = client_as(pw.county_filler)
    for name in ("panel", "review"):
        assert c.get(reverse(name, args=[pw.sub.pk])).status_code == 404
    assert c.get(reverse("panel-file", args=[pw.sub.pk, 1])).status_code == 404
    for name in ("submission", "scorecard", "self-evaluation"):
        assert "内部意见" not in c.get(reverse(name, args=[pw.sub.pk])).content.decode()
    assert c.get(reverse("supplement", args=[pw.sub.pk])).status_code == 200  # its own requests (none yet)


def test_a_member_scores_and_signs_off_on_the_page(assigned, client_as):
    pw = assigned
    c = client_as(pw.members[0])
    url = reverse("panel", args=[pw.sub.pk])
    form = {"action": "save"}
    for ind in services.leaves(pw.sub):
        kind = services.item_kind(ind)
        form[f"comment-{ind.pk}"] = "核实" if kind == "manual" else ""
        if kind == "manual":
            form[f"score-{ind.pk}"] = str(ind.points)
        elif kind == "veto":
            form[f"veto-{ind.pk}"] = "no"
    assert c.post(url, form).status_code == 302
    form["action"] = "sign_off"
    r = c.post(url, form, follow=True)
    assert "评分已提交" in r.content.decode()
    assert PanelMember.objects.get(panel__submission=pw.sub, reviewer=pw.members[0]).signed_off_at


def test_the_office_keeps_expert_profiles(pw, client_as):
    c = client_as(pw.province_admin)
    assert "专家ty" in c.get(reverse("panel-experts")).content.decode()
    r = c.post(reverse("panel-experts"), {"reviewer": pw.reviewer.pk, "home": "140100", "unit": "省督导室",
                                          "specialties": ["finance", "safety"], "active": "on"})
    assert r.status_code == 302
    e = Expert.objects.get(user=pw.reviewer)
    assert e.home.code == "140100" and e.specialties == ["finance", "safety"]
    for user in (pw.reviewer, pw.county_filler):
        assert client_as(user).get(reverse("panel-experts")).status_code == 404
    client_as(pw.outsider).post(reverse("panel-experts"), {"reviewer": pw.ty.pk, "home": "130100"})
    assert Expert.objects.get(user=pw.ty).home.code == "140100"  # another province's office cannot


def test_the_overview_and_results_list_only_a_reviewers_panels(assigned, client_as):
    pw = assigned
    for name in ("cycle", "results"):
        url = reverse(name, args=[pw.cycle.pk])
        link = f'href="{reverse("submission", args=[pw.sub.pk])}'  # the job status may name a region: not a row
        assert link not in client_as(pw.stranger).get(url).content.decode(), name
        if name == "cycle":  # (results list only computed results)
            assert link in client_as(pw.members[0]).get(url).content.decode()
