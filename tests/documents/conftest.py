"""A county whose review is complete, with figures, self scores and a computed result.

泽州县 140525  submission accepted, figures 2019/2020, self scores, result computed
阳城县 140522  submission draft (its review is incomplete: no feedback report)
"""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest

FIGURES = {
    2019: {
        "edu_exp_budget": "141942.4301",
        "gen_budget_exp": "880000",
        "enrol_total": "60000",
        "per_student_budget": "23657.07",
    },
    2020: {
        "edu_exp_budget": "145433.4018",
        "gen_budget_exp": "900000",
        "enrol_total": "61000",
        "per_student_budget": "23841.54",
        "gross_enrol_preschool": "90.16",
        "public_kg_share": "49.58",
        "retention_compulsory": "97.69",
    },
}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def evaluated(world, record_history, media):
    from dutyeval.evaluation import services
    from dutyeval.evaluation.models import Narrative, Submission
    from dutyeval.evaluation.recompute import compute, store

    for year, raw in FIGURES.items():
        record_history(world.zezhou, year, raw)
    entries = {
        i.pk: (str(i.points * Decimal("0.9")), "")
        for i in services.manual_leaves(world.sub)
        if i.rule_kind == "manual"
    }
    assert services.save_self_scores(world.sub, world.county_filler, entries) == []
    Narrative.objects.create(
        submission=world.sub,
        area_code="1",
        text="县委常委会专题研究教育工作4次，建立县级领导联系学校制度。<b>不是标记</b> & 符号",
    )
    Submission.objects.filter(pk=world.sub.pk).update(state="accepted")
    store(world.cycle, compute(world.cycle))
    world.sub.refresh_from_db()
    world.other_sub.refresh_from_db()
    return world


def docx_text(data: bytes) -> tuple[list[str], list[list[list[str]]]]:
    """The paragraphs and the tables (rows of cell texts) of a .docx, read back with python-docx."""
    from docx import Document

    d = Document(io.BytesIO(data))
    paragraphs = [p.text for p in d.paragraphs]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in d.tables]
    return paragraphs, tables


def number_after(text: str, label: str) -> Decimal:
    m = re.search(re.escape(label) + r"([0-9]+(?:\.[0-9]+)?)", text)
    assert m, f"“{label}” not followed by a number in: {text[:200]}"
    return Decimal(m.group(1))
