"""Saving reported figures: validate everything first, then write everything or nothing."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from dutyeval.audit.services import log_action
from dutyeval.core.catalogue import Catalogue, check_set, check_value, default_catalogue, parse_value

from .models import DataElement, DataValue
from .signals import values_changed


@dataclass(frozen=True)
class Problem:
    """One problem found in input, located for the user (sheet and row are blank for web forms)."""

    field: str  # element code
    label: str  # element name
    reason: str
    severity: str = "error"
    sheet: str = ""
    row: int | None = None

    def as_dict(self) -> dict:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "field": self.field,
            "label": self.label,
            "reason": self.reason,
            "severity": self.severity,
        }


class ValidationFailed(Exception):
    def __init__(self, problems: list[Problem], warnings: list[Problem] | None = None):
        super().__init__(f"{len(problems)} problems")
        self.problems = problems
        self.warnings = warnings or []


def values_for(region, year: int) -> dict[str, Decimal]:
    rows = DataValue.objects.filter(region=region, year=year).values_list("element__code", "value")
    return {code: value for code, value in rows}


def validate(
    raw: dict[str, object],
    existing: dict[str, Decimal],
    previous: dict[str, Decimal],
    *,
    catalogue: Catalogue | None = None,
    locations: dict[str, tuple[str, int]] | None = None,
) -> tuple[dict[str, Decimal | None], list[Problem], list[Problem]]:
    """Parse and check user input. Returns (parsed values, errors, warnings).

    `existing` are the values already stored, so a part entered alone is still compared with a
    whole stored earlier. `locations` maps a code to its (sheet, row) for Excel uploads.
    """
    cat = catalogue or default_catalogue()
    locations = locations or {}
    parsed: dict[str, Decimal | None] = {}
    errors: list[Problem] = []
    warnings: list[Problem] = []

    def problem(code, reason, severity="error"):
        sheet, row = locations.get(code, ("", None))
        name = cat[code].name if code in cat else code
        return Problem(code, name, reason, severity, sheet, row)

    for code, value in raw.items():
        if code not in cat:
            errors.append(problem(code, f"未知的数据项代码“{code}”"))
            continue
        try:
            parsed[code] = parse_value(cat[code], value)
        except ValueError as exc:
            errors.append(problem(code, str(exc)))
            continue
        if parsed[code] is not None:
            errors.extend(problem(f.code, f.message) for f in check_value(cat[code], parsed[code]))
    merged = {**existing, **{k: v for k, v in parsed.items() if v is not None}}
    for k, v in parsed.items():
        if v is None:
            merged.pop(k, None)
    for f in check_set(cat, merged, previous):
        # report cross-field findings only when they concern what was just entered
        if f.code in raw or f.severity == "error" and _touches(cat, f.code, raw):
            (errors if f.severity == "error" else warnings).append(problem(f.code, f.message, f.severity))
    return parsed, errors, warnings


def _touches(cat: Catalogue, code: str, raw: dict) -> bool:
    return any(cat[c].part_of == code for c in raw if c in cat)


@transaction.atomic
def save_values(region, year: int, raw: dict[str, object], *, user, source: str, quotes=None, locations=None):
    """Validate and store figures for one region and year. All or nothing.

    Raises ValidationFailed with every problem; returns (written count, warnings).
    """
    existing = values_for(region, year)
    previous = values_for(region, year - 1)
    parsed, errors, warnings = validate(raw, existing, previous, locations=locations)
    if errors:
        raise ValidationFailed(errors, warnings)
    elements = {e.code: e for e in DataElement.objects.filter(code__in=parsed)}
    current = {
        v.element.code: v
        for v in DataValue.objects.select_for_update().filter(region=region, year=year, element__code__in=parsed)
        .select_related("element")
    }
    written = 0
    changes = {}
    for code, value in parsed.items():
        row = current.get(code)
        old = row.value if row else None
        if value is None:
            if row is not None:
                row.delete()
                changes[code] = [old, None]
                written += 1
            continue
        if row is not None and row.value == value:
            continue
        if row is None:
            row = DataValue(element=elements[code], region=region, year=year)
        row.value = value
        row.source = source
        row.author = user
        row.quote = (quotes or {}).get(code, "")
        row.save()
        changes[code] = [old, value]
        written += 1
    if changes:
        values_changed.send(sender=None, region=region, year=year)
        log_action(
            "collection.values.change",
            actor=user,
            region=region,
            data={"year": year, "source": source, "changes": changes},
        )
    return written, warnings


def sync_catalogue(catalogue: Catalogue | None = None) -> int:
    """Create or update DataElement rows from the catalogue file. Idempotent."""
    cat = catalogue or default_catalogue()
    n = 0
    for order, e in enumerate(cat.elements):
        DataElement.objects.update_or_create(
            code=e.code,
            defaults=dict(
                name=e.name,
                area=e.area,
                unit=e.unit,
                kind=e.kind,
                min_value=e.min,
                max_value=e.max,
                over_100=e.over_100,
                part_of=e.part_of or "",
                level=e.level,
                order=order,
            ),
        )
        n += 1
    return n


def import_excel(region, year: int, data: bytes, filename: str, *, user, max_bytes: int):
    """Import one uploaded template. Every problem is collected; one bad row writes nothing.

    Returns the ImportAttempt, which holds the error list for display and download.
    """
    from .excel import UploadRejected, read_upload
    from .models import ImportAttempt

    attempt = ImportAttempt(region=region, year=year, user=user, filename=filename[:255])
    try:
        parsed = read_upload(data, max_bytes=max_bytes)
    except UploadRejected as exc:
        attempt.errors = [{"sheet": "", "row": None, "field": "", "label": "", "reason": str(exc)}]
        attempt.save()
        return attempt
    errors = list(parsed.errors)
    if parsed.region_code and parsed.region_code != region.code:
        errors.append({"sheet": "填写说明", "row": 1, "field": "区域代码", "label": "",
                       "reason": f"该模板属于区域 {parsed.region_code}，不是 {region.name}（{region.code}）"})
    if parsed.year and parsed.year != year:
        errors.append({"sheet": "填写说明", "row": 3, "field": "数据年度", "label": "",
                       "reason": f"该模板的数据年度为 {parsed.year}，当前填报年度为 {year}"})
    _, problems, warnings = validate(
        parsed.values, values_for(region, year), values_for(region, year - 1), locations=parsed.locations
    )
    errors.extend(p.as_dict() for p in problems)
    attempt.warnings = [w.as_dict() for w in warnings]
    if errors:
        attempt.errors = errors
        attempt.save()
        log_action("collection.import.reject", actor=user, region=region,
                   data={"file": filename, "year": year, "errors": len(errors)})
        return attempt
    written, _ = save_values(region, year, parsed.values, user=user, source="imported", locations=parsed.locations)
    attempt.ok = True
    attempt.written = written
    attempt.save()
    return attempt
