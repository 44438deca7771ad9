"""Saving reported figures: validate everything first, then write everything or nothing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction

from dutyeval.accounts import scoping
from dutyeval.audit.services import log_action
from dutyeval.core.catalogue import Catalogue, check_set, check_value, default_catalogue, parse_value
from dutyeval.regions.models import Region

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


class YearClosed(Exception):
    """Figures of this region and year may not be written by this path now. The message is for users."""


FIRST_YEAR, LAST_YEAR = 1949, 2100  # a data year outside these is a typo or an attack, never a figure


def check_year_open(region, year: int, codes=()) -> None:
    """The one rule for a region writing its own figures (STYLE.md §15: every path calls it).

    A region writes only the years its open submission collects; every year a submitted (or later)
    cycle reads, including the earlier years its checks compare against, is locked for that region
    until the submission is returned. Corrections of locked years go through `correct_values`.
    """
    # evaluation owns cycles and knows which years each reads; imported here to keep the app graph acyclic
    from dutyeval.evaluation.models import Submission

    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise YearClosed(f"年度“{year}”无效")
    subs = list(Submission.objects.filter(region=region).select_related("cycle"))
    for sub in subs:
        if not sub.editable and year in sub.cycle.years_read():
            raise YearClosed(
                f"{year}年数据已随《{sub.cycle.name}》提交（{sub.get_state_display()}），不能再修改；"
                "如需更正，请联系督导办说明理由"
            )
    open_cycles = [sub.cycle for sub in subs if sub.editable]
    if not any(year in cycle.years_collected() for cycle in open_cycles):
        raise YearClosed(f"当前没有收集{year}年数据的填报任务，不能修改该年度数据")
    # a cycle may collect finance of year N−1 beside school-year figures of year N (Cycle.element_years)
    cat = default_catalogue()
    wrong = [c for c in codes if c in cat and not any(cycle.year_of(c) == year for cycle in open_cycles)]
    if wrong:
        years = "、".join(sorted({f"{cycle.year_of(wrong[0])}年" for cycle in open_cycles}))
        raise YearClosed(f"“{cat[wrong[0]].name}”在本次评价中填报{years}数据，不是{year}年"
                         + (f"（另有 {len(wrong) - 1} 项同样）" if len(wrong) > 1 else ""))


def values_etag(region, year: int) -> str:
    """A version of one region's figures of one year, for HTTP ETag / If-Match."""
    rows = DataValue.objects.filter(region=region, year=year).order_by("element__code")
    digest = hashlib.sha256()
    for code, value in rows.values_list("element__code", "value"):
        digest.update(f"{code}={format(value.normalize(), 'f')};".encode())
    return f'"{digest.hexdigest()[:32]}"'


class StaleVersion(Exception):
    """The writer's If-Match does not match the stored figures; nothing was written."""

    def __init__(self, current: str):
        super().__init__(current)
        self.current = current


def _lock_region(region) -> None:
    # writers of one region queue here, so checking a version and writing are one step
    Region.objects.select_for_update().filter(pk=region.pk).first()


def save_values(region, year: int, raw: dict[str, object], *, user, source: str, quotes=None, locations=None,
                expected: dict[str, Decimal | None] | None = None, if_match: str | None = None,
                only: set[str] | None = None):
    """A region's own coordinator stores figures of one year (form, Excel, API, report). All or nothing.

    `expected` holds, per code, the value the writer last saw; a stored value that differs means
    someone else changed it meanwhile, and Conflict is raised with both. `if_match` is an ETag from
    `values_etag`; when the figures changed since, StaleVersion is raised. Raises ValidationFailed
    with every problem, YearClosed or PermissionDenied; returns (written count, warnings).

    A department user (责任分工) writes only the elements in `only`, the ones the coordinator
    assigned to their department; the caller must say which those are.
    """
    if not scoping.can_fill_region_data(user, region):
        raise PermissionDenied("只有本县（市、区）填报联络员或责任部门可以修改本地数据")
    if scoping.is_department_user(user) and (only is None or not set(raw) <= only):
        raise PermissionDenied("只能填报分配给本部门的数据项")
    with transaction.atomic():
        _lock_region(region)
        check_year_open(region, year, list(raw))
        if if_match is not None and if_match.strip() != "*" and if_match.strip() != values_etag(region, year):
            raise StaleVersion(values_etag(region, year))
        return _store(region, year, raw, user=user, source=source, quotes=quotes, locations=locations,
                      expected=expected, action="collection.values.change")


def correct_values(region, year: int, raw: dict[str, object], *, user, reason: str,
                   expected: dict[str, Decimal | None] | None = None):
    """The office corrects figures of a region, also of a locked year, with a reason on record."""
    if not (scoping.can_administer(user, region) or getattr(user, "is_superuser", False)):
        raise PermissionDenied("只有上级督导办管理员可以更正已提交的数据")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed([Problem("", "", "更正数据必须填写理由")])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise YearClosed(f"年度“{year}”无效")
    with transaction.atomic():
        _lock_region(region)
        return _store(region, year, raw, user=user, source=DataValue.Source.CORRECTED, expected=expected,
                      action="collection.values.correct", reason=reason[:2000])


def year_locked(region, year: int, codes=()) -> str:
    """Why the region may not write these figures itself now ("" when it may): check_year_open's answer."""
    try:
        check_year_open(region, year, codes)
    except YearClosed as exc:
        return str(exc)
    return ""


def store_survey_values(region, year: int, raw: dict[str, object], *, user, reference: str, reason: str = ""):
    """The office stores figures derived from a satisfaction survey it ran (the surveys app).

    The survey is the office's, not the region's, so this is an office path like `correct_values`, with
    its own source (满意度调查) and `reference` (the import) on record. A year the region has already
    submitted changes only with a reason, exactly as a correction would (docs/surveys.md).
    """
    if not (scoping.can_administer(user, region) or getattr(user, "is_superuser", False)):
        raise PermissionDenied("只有督导办管理员可以写入满意度调查结果")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise YearClosed(f"年度“{year}”无效")
    reason = (reason or "").strip()
    with transaction.atomic():
        _lock_region(region)
        locked = year_locked(region, year, list(raw))
        if locked and not reason:
            raise YearClosed(f"{region.name}：{locked}（写入调查结果须填写理由）")
        return _store(region, year, raw, user=user, source=DataValue.Source.SURVEY,
                      action="collection.values.survey", reason=f"{reference}；{reason}"[:2000] if reason else reference)


@dataclass(frozen=True)
class ConflictItem:
    code: str
    label: str
    expected: Decimal | None  # what the writer saw
    current: Decimal | None  # what is stored now
    author: str
    updated: object


class Conflict(Exception):
    """Another session changed these figures after the writer loaded them; nothing was written."""

    def __init__(self, items: list[ConflictItem]):
        super().__init__(f"{len(items)} conflicts")
        self.items = items


def _store(region, year, raw, *, user, source, action, quotes=None, locations=None, expected=None, reason=""):
    existing = values_for(region, year)
    previous = values_for(region, year - 1)
    parsed, errors, warnings = validate(raw, existing, previous, locations=locations)
    if errors:
        raise ValidationFailed(errors, warnings)
    elements = {e.code: e for e in DataElement.objects.filter(code__in=parsed)}
    current = {
        v.element.code: v
        # no row locks needed: callers hold the region lock (_lock_region) for the whole write
        for v in DataValue.objects.filter(region=region, year=year, element__code__in=parsed)
        .select_related("element", "author")
    }
    if expected is not None:
        _raise_conflicts(parsed, expected, current, elements)
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
        data = {"year": year, "source": source, "changes": changes}
        if reason:
            data["reason"] = reason
        log_action(action, actor=user, region=region, data=data)
    return written, warnings


def _raise_conflicts(parsed, expected, current, elements) -> None:
    items = []
    for code, value in parsed.items():
        if code not in expected:
            continue
        row = current.get(code)
        stored = row.value if row else None
        seen = expected[code]
        if stored != seen and stored != value:  # someone else changed it, to something other than ours
            items.append(ConflictItem(code, elements[code].name if code in elements else code, seen, stored,
                                      str(row.author) if row and row.author else "", row.updated if row else None))
    if items:
        raise Conflict(items)


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


def import_excel(region, year: int, data: bytes, filename: str, *, user, max_bytes: int, year_of=None):
    """Import one uploaded template. Every problem is collected; one bad row writes nothing.

    `year` is the cycle's data year (recorded in the template); `year_of(code)` gives an element's own
    year where a cycle collects some kinds of data for another year. Returns the ImportAttempt,
    which holds the error list for display and download.
    """
    from .excel import UploadRejected, read_upload
    from .models import ImportAttempt

    year_of = year_of or (lambda code: year)
    attempt = ImportAttempt(region=region, year=year, user=user, filename=filename[:255])
    try:
        check_year_open(region, year)
    except YearClosed as exc:
        return _reject(attempt, [_problem(str(exc))], user, filename)
    try:
        parsed = read_upload(data, max_bytes=max_bytes)
    except UploadRejected as exc:
        return _reject(attempt, [_problem(str(exc))], user, filename)
    errors = list(parsed.errors)
    if parsed.region_code and parsed.region_code != region.code:
        errors.append({"sheet": "填写说明", "row": 1, "field": "区域代码", "label": "",
                       "reason": f"该模板属于区域 {parsed.region_code}，不是 {region.name}（{region.code}）"})
    if parsed.year and parsed.year != year:
        errors.append({"sheet": "填写说明", "row": 3, "field": "数据年度", "label": "",
                       "reason": f"该模板的数据年度为 {parsed.year}，当前填报年度为 {year}"})
    by_year: dict[int, dict] = {}
    for code, value in parsed.values.items():
        by_year.setdefault(year_of(code) if code in default_catalogue() else year, {})[code] = value
    warnings = []
    for y, values in sorted(by_year.items()):
        _, problems, warns = validate(values, values_for(region, y), values_for(region, y - 1),
                                      locations=parsed.locations)
        errors.extend(p.as_dict() for p in problems)
        warnings.extend(w.as_dict() for w in warns)
    attempt.warnings = warnings
    if errors:
        return _reject(attempt, errors, user, filename)
    try:
        with transaction.atomic():  # every year of the file, or none
            written = sum(save_values(region, y, values, user=user, source="imported", locations=parsed.locations)[0]
                          for y, values in sorted(by_year.items()))
    except (ValidationFailed, YearClosed) as exc:  # changed since the check above: still all or nothing
        problems = getattr(exc, "problems", None)
        return _reject(attempt, [p.as_dict() for p in problems] if problems else [_problem(str(exc))], user, filename)
    attempt.ok = True
    attempt.written = written
    attempt.save()
    return attempt


def _problem(reason: str) -> dict:
    return {"sheet": "", "row": None, "field": "", "label": "", "reason": reason}


def _reject(attempt, errors: list[dict], user, filename: str):
    attempt.errors = errors
    attempt.save()
    log_action("collection.import.reject", actor=user, region=attempt.region,
               data={"file": filename, "year": attempt.year, "errors": len(errors)})
    return attempt
