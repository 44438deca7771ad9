"""采纳 asks for a second look when the figure speaks of another year or moves a stored value by > 20 %."""

from decimal import Decimal

import pytest
from django.urls import reverse

from dutyeval.audit.models import AuditLog
from dutyeval.collection.models import DataValue
from dutyeval.collection.services import save_values
from dutyeval.reports.services import NeedsConfirmation, accept_figure


def _index(doc, element):
    return next(i for i, f in enumerate(doc.figures) if f["element"] == element)


def _stored(world, element):
    row = DataValue.objects.filter(region=world.zezhou, element__code=element, year=2020).first()
    return row.value if row else None


def test_a_value_more_than_twenty_percent_away_needs_confirmation(world, client_as, media, upload_text):
    save_values(
        world.zezhou,
        2020,
        {"per_student_budget_primary": "10000"},
        user=world.county_filler,
        source="entered",
    )
    c = client_as(world.county_filler)
    doc = upload_text(c, world, "2020年，全县小学生均一般公共预算教育支出13660.70元，比上年增长4.22%。")
    i = _index(doc, "per_student_budget_primary")
    with pytest.raises(NeedsConfirmation, match="相差 37%"):
        accept_figure(doc, i, world.county_filler)
    assert _stored(world, "per_student_budget_primary") == Decimal("10000")
    # through the page: the warning, then 仍然采纳
    r = c.post(reverse("report-accept", args=[doc.pk, i]), follow=True)
    body = r.content.decode()
    assert "请确认后再采纳" in body and "仍然采纳" in body
    assert _stored(world, "per_student_budget_primary") == Decimal("10000")
    c.post(reverse("report-accept", args=[doc.pk, i]), {"confirmed": "1"})
    assert _stored(world, "per_student_budget_primary") == Decimal("13660.70")
    assert AuditLog.objects.get(action="reports.figure.accept").data["risks"]


def test_a_close_value_is_adopted_at_once(world, client_as, media, upload_text):
    save_values(
        world.zezhou,
        2020,
        {"per_student_budget_primary": "13000"},
        user=world.county_filler,
        source="entered",
    )
    c = client_as(world.county_filler)
    doc = upload_text(c, world, "2020年，全县小学生均一般公共预算教育支出13660.70元，比上年增长4.22%。")
    accept_figure(doc, _index(doc, "per_student_budget_primary"), world.county_filler)
    assert _stored(world, "per_student_budget_primary") == Decimal("13660.70")


@pytest.mark.parametrize("phrase", ["上年为", "去年为", "比上年的"])
def test_a_figure_introduced_as_last_year_s_needs_confirmation(world, client_as, media, phrase, upload_text):
    c = client_as(world.county_filler)
    doc = upload_text(c, world, f"2020年，全县小学生均一般公共预算教育支出{phrase}12000.50元。")
    mapped = [i for i, f in enumerate(doc.figures) if f["element"] == "per_student_budget_primary"]
    # the reader maps the last year's figure to the element (with the year before), so the
    # warning is what keeps it from being adopted as this year's: no phrasing may skip the check
    assert len(mapped) == 1, (phrase, doc.figures)
    assert doc.figures[mapped[0]]["year"] == 2019, doc.figures[mapped[0]]
    with pytest.raises(NeedsConfirmation, match=phrase[:2]):
        accept_figure(doc, mapped[0], world.county_filler)
    assert _stored(world, "per_student_budget_primary") is None
