"""A panel world on top of the shared one (tests/conftest.py):

    山西省 140000 ── province_admin, reviewer (no expert profile: not in the pool)
      太原市 140100 ── expert ty (finance, teachers)
      大同市 140200 ── expert dt (a county of 大同; preschool, compulsory)
      阳泉市 140300 ── expert yq (a county of 阳泉; governance, safety)
      晋城市 140500 ── expert jc (晋城市 itself: recuses from 泽州县 and 阳城县 at city level)
        泽州县 140525 (submitted)   阳城县 140522 (draft)
"""

from __future__ import annotations

import pytest


@pytest.fixture
def pw(world, fill_all_self_scores, django_user_model, persona_password):
    from django.contrib.auth.hashers import make_password

    from dutyeval.evaluation import services
    from dutyeval.panels.models import Expert
    from dutyeval.regions.models import Region

    w = world
    w.cycle.state = "published"
    w.cycle.save(update_fields=["state"])
    fill_all_self_scores(w.sub, w.county_filler)
    services.submit_submission(w.sub, w.county_filler)
    w.sub.refresh_from_db()

    def county_of(city):
        return Region.objects.filter(code__startswith=city[:4], level="county").order_by("code").first()

    def expert(username, home, *specs):
        u = django_user_model.objects.create(username=username, role="reviewer", region=w.shanxi,
                                             password=make_password(persona_password), display_name=f"专家{username}")
        Expert.objects.create(user=u, home=home, unit=f"{home.name}教育局", specialties=list(specs))
        return u

    w.ty = expert("ty", Region.objects.get(code="140100"), "finance", "teachers")
    w.dt = expert("dt", county_of("140200"), "preschool", "compulsory")
    w.yq = expert("yq", county_of("140300"), "governance", "safety")
    w.jc = expert("jc", Region.objects.get(code="140500"), "finance")
    return w


@pytest.fixture
def manual_items(pw):
    from dutyeval.panels.services import item_kind, leaves

    return [i for i in leaves(pw.sub) if item_kind(i) == "manual"]


@pytest.fixture
def score_all():
    """A member's full draft: every manual item `score` (or a callable of the item), vetoes not found."""
    from dutyeval.panels import services

    def fill(sub, user, score=None, overrides=None):
        entries = {}
        for ind in services.leaves(sub):
            kind = services.item_kind(ind)
            if kind == "manual":
                value = (overrides or {}).get(ind.code, score if score is not None else ind.points)
                entries[ind.pk] = {"score": str(value), "comment": f"{ind.code}核实"}
            elif kind == "veto":
                entries[ind.pk] = {"veto": "no", "comment": ""}
        assert services.save_scores(sub, user, entries) == []

    return fill
