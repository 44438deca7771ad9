"""采纳 of a share of institutions into an element counted by child asks for a second look (issue 13)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from dutyeval.collection.models import DataValue
from dutyeval.reports.services import NeedsConfirmation, accept_figure


def _stored(world):
    row = DataValue.objects.filter(region=world.zezhou, element__code="affordable_kg_coverage").first()
    return row.value if row else None


def test_the_reviewer_sees_the_warning_and_must_confirm(world, client_as, media, upload_text):
    c = client_as(world.county_filler)
    doc = upload_text(c, world, "2020年，普惠性幼儿园覆盖率：全县普惠园215所，占比65.75%。")
    i = next(i for i, f in enumerate(doc.figures) if f["element"] == "affordable_kg_coverage")
    assert [a["kind"] for a in doc.anomalies] == ["share_basis"]
    page = c.get(reverse("report", args=[doc.pk])).content.decode()
    assert "按机构数（所）计算的比例" in page
    with pytest.raises(NeedsConfirmation, match="按机构数"):
        accept_figure(doc, i, world.county_filler)
    assert _stored(world) is None
    accept_figure(doc, i, world.county_filler, confirmed=True)
    assert _stored(world) == Decimal("65.75")


def test_a_share_of_children_is_adopted_without_the_warning(world, client_as, media, upload_text):
    c = client_as(world.county_filler)
    doc = upload_text(c, world, "2020年，全县普惠性幼儿园覆盖率达到65.75%，共有普惠园215所。")
    i = next(i for i, f in enumerate(doc.figures) if f["element"] == "affordable_kg_coverage")
    accept_figure(doc, i, world.county_filler)
    assert _stored(world) == Decimal("65.75")
