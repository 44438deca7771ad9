"""Bridge from stored school-year records to the pure balance engine (core/balance.py)."""

from __future__ import annotations

from dutyeval.core.balance import QUALITY_INDICATORS, SchoolTable, compute_balance

from .models import SchoolYearRecord

FIELDS = ("students", *(i.code for i in QUALITY_INDICATORS))


def balance_records(region_prefix: str, year: int) -> list[dict]:
    """One grouped query for every school of a county (or of a whole province by prefix)."""
    rows = SchoolYearRecord.objects.filter(school__county__code__startswith=region_prefix, year=year).values(
        "school__code", "school__name", "school__county__code", "level", *FIELDS
    )
    return [
        {
            "county_code": r["school__county__code"],
            "school_code": r["school__code"],
            "school_name": r["school__name"],
            "level": r["level"],
            **{f: r[f] for f in FIELDS},
        }
        for r in rows
    ]


def county_balance(region, year: int) -> list[dict]:
    """Reports per school level (primary, junior) for one county, with school names attached."""
    records = balance_records(region.code, year)
    if not records:
        return []
    names = {r["school_code"]: r["school_name"] for r in records}
    result = compute_balance(SchoolTable.from_records(records))
    reports = []
    for g in range(len(result)):
        report = result.group_report(g)
        for school in report["school_list"]:
            school["name"] = names.get(school["school_code"], "")
        report["school_list"].sort(key=lambda s: (s["meets_standard"] is not False, s["school_code"]))
        reports.append(report)
    return sorted(reports, key=lambda r: r["level"] != "primary")
