"""A field-verification world on top of the shared one (tests/conftest.py):

    山西省 140000 ── province_admin (the office), reviewer
      太原市 140100 ── expert ty (leader), expert ty2 (observer)
      晋城市 140500 ── expert jc (晋城市 itself: may not visit 泽州县 at the default city recusal)
        泽州县 140525: drawn by the regions draw (forced in); one primary school, drawn on the day
        阳城县 140522: one school, not drawn
"""

from __future__ import annotations

from decimal import Decimal

import pytest


@pytest.fixture
def fw(world, django_user_model, persona_password):
    from django.contrib.auth.hashers import make_password

    from dutyeval.draws import services as draws
    from dutyeval.panels.models import Expert
    from dutyeval.regions.models import Region, School, SchoolYearRecord

    w = world

    def expert(username, home):
        u = django_user_model.objects.create(username=username, role="reviewer", region=w.shanxi,
                                             password=make_password(persona_password), display_name=f"专家{username}")
        Expert.objects.create(user=u, home=home, unit=f"{home.name}教育局")
        return u

    w.ty = expert("ty", Region.objects.get(code="140100"))
    w.ty2 = expert("ty2", Region.objects.get(code="140100"))
    w.jc = expert("jc", Region.objects.get(code="140500"))
    w.school = School.objects.create(code="2140525001", name="泽州县第一小学", type="primary", county=w.zezhou)
    w.other_school = School.objects.create(code="2140522001", name="阳城县第一小学", type="primary", county=w.yangcheng)
    for s in (w.school, w.other_school):
        SchoolYearRecord.objects.create(
            school=s, year=w.cycle.data_year, level="primary", students=1200, teachers_above_degree=60,
            backbone_teachers=12, pe_art_teachers=8, teaching_area_m2=Decimal("5000"), sports_area_m2=Decimal("3000"),
            equipment_value_yuan=Decimal("2000000"), multimedia_rooms=30)
    office = w.province_admin
    d = draws.prepare_draw(w.cycle, office, "regions")
    d = draws.update_draft(d, office, title="实地核查县抽签", n=3, strata=None, min_per_stratum=1, exclusions=[],
                           forced=draws.parse_notes("140525 自评可信度低", "必抽"))
    d = draws.publish_draw(d, office)
    draws.add_public_input(d, office, "07 21 33", "纪检组 李某")
    draws.make_draw(d, office)
    w.region_draw = d
    s = draws.publish_draw(draws.prepare_draw(w.cycle, office, "schools", w.zezhou), office)
    draws.add_public_input(s, office, "5", "纪检组 李某")
    draws.make_draw(s, office)
    w.school_draw = s
    return w


@pytest.fixture
def team(fw):
    """A team with leader ty and observer ty2, visiting 泽州县 (drawn) and its drawn school."""
    from datetime import date

    from dutyeval.fieldwork import services

    office = fw.province_admin
    t = services.create_team(fw.cycle, office, "第一核查组")
    services.add_member(t, office, fw.ty, "leader")
    services.add_member(t, office, fw.ty2, "observer")
    fw.visit = services.add_visit(t, office, fw.zezhou, date(2021, 10, 11), date(2021, 10, 12), draw=fw.region_draw)
    fw.visited = services.add_drawn_schools(fw.visit, office, fw.school_draw)[0]
    return t


def values(fw_lines, **changes):
    """A full checklist: every line at its reported value, then `changes` (field@level → text)."""
    out = {line.key: str(line.reported) for line in fw_lines}
    out.update(changes)
    return out
