"""A county whose review is complete, with failed checks, a reviewer's note and a department.

泽州县 140525  accepted; figures 2019/2020 (2020: 大班额 12 classes); reviewer note on the first manual
               item (1 point of its points); departments 县教育局, 县财政局 (with a user each)
阳城县 140522  draft, no result
"""

from __future__ import annotations

import pytest

FIGURES = {
    2019: {"edu_exp_budget": "141942.4301", "gen_budget_exp": "880000", "enrol_total": "60000",
           "per_student_budget": "23657.07"},
    2020: {"edu_exp_budget": "135433.4018", "gen_budget_exp": "900000", "enrol_total": "61000",
           "per_student_budget": "22202.20", "gross_enrol_preschool": "90.16", "public_kg_share": "39.58",
           "retention_compulsory": "97.69", "classes_compulsory": "800", "classes_large": "12",
           "classes_super_large": "0"},
}


@pytest.fixture
def reviewed(world, fill_all_self_scores, record_history, settings, tmp_path, django_user_model):
    from dutyeval.departments.models import Department
    from dutyeval.evaluation import services as workflow
    from dutyeval.evaluation.recompute import compute, store
    from dutyeval.schemes.models import Indicator

    settings.MEDIA_ROOT = tmp_path / "media"
    w = world
    for year, raw in FIGURES.items():
        record_history(w.zezhou, year, raw)
    fill_all_self_scores(w.sub, w.county_filler)
    workflow.submit_submission(w.sub, w.county_filler)
    w.item = Indicator.objects.filter(scheme=w.scheme, children__isnull=True, rule_kind="manual").order_by("order")[0]
    assert workflow.save_review_scores(w.sub, w.reviewer, {w.item.pk: ("1", "会议纪要不全，扣分", "")}) == []
    workflow.accept_submission(w.sub, w.province_admin)
    store(w.cycle, compute(w.cycle))
    w.edu = Department.objects.create(region=w.zezhou, name="县教育局")
    w.fin = Department.objects.create(region=w.zezhou, name="县财政局")
    w.edu_user = django_user_model.objects.create(username="zz_edu", role="department", region=w.zezhou,
                                                  department=w.edu, display_name="教育局 李")
    w.fin_user = django_user_model.objects.create(username="zz_fin", role="department", region=w.zezhou,
                                                  department=w.fin, display_name="财政局 王")
    return w
