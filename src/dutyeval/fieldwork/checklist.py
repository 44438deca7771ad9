"""What a team verifies at a school: the school-level figures the county reported (regions.SchoolYearRecord,
the rows the balance engine reads) for the cycle's data year, one line per level the school reports."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from dutyeval.regions.models import SchoolYearRecord

# (field, unit, kind): counts are compared by an absolute tolerance, measures by a percentage
ELEMENTS = (
    ("students", "人", "count"),
    ("teachers_above_degree", "人", "count"),
    ("backbone_teachers", "人", "count"),
    ("pe_art_teachers", "人", "count"),
    ("multimedia_rooms", "间", "count"),
    ("teaching_area_m2", "平方米", "measure"),
    ("sports_area_m2", "平方米", "measure"),
    ("equipment_value_yuan", "元", "measure"),
)
KIND = {f: k for f, _u, k in ELEMENTS}
UNIT = {f: u for f, u, _k in ELEMENTS}


@dataclass(frozen=True)
class Line:
    key: str  # "<field>@<level>": the form field's name
    element: str
    level: str
    level_label: str
    label: str
    unit: str
    kind: str
    reported: Decimal


def lines(school, year: int) -> list[Line]:
    out = []
    for rec in SchoolYearRecord.objects.filter(school=school, year=year).order_by("level"):
        for field, unit, kind in ELEMENTS:
            label = str(SchoolYearRecord._meta.get_field(field).verbose_name)
            out.append(Line(f"{field}@{rec.level}", field, rec.level, rec.get_level_display(), label, unit, kind,
                            Decimal(getattr(rec, field))))
    return out


def label_of(element: str) -> str:
    return str(SchoolYearRecord._meta.get_field(element).verbose_name)
