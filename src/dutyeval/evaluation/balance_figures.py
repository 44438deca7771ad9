"""The 差异系数 of a cycle's counties as derived figures (catalogue.yaml `derived.balance`), so a scheme can
score them with the balance_cv / balance_cv_composite checks or in an expression.

Read only when the cycle's scheme uses them: the school records of a whole province are many rows."""

from __future__ import annotations

from dutyeval.core.balance import QUALITY_INDICATORS, SchoolTable, compute_balance
from dutyeval.core.catalogue import default_catalogue
from dutyeval.core.checks_duties import balance_figures
from dutyeval.regions.models import SchoolYearRecord
from dutyeval.schemes.models import Indicator

BALANCE_CHECKS = ("balance_cv", "balance_cv_composite")
CODES = tuple(e.code for e in default_catalogue().derived if e.area == "balance")
FIELDS = ("students", *(i.code for i in QUALITY_INDICATORS))


def uses_balance(scheme_id: int) -> bool:
    rules = Indicator.objects.filter(scheme_id=scheme_id).exclude(rule_kind="manual").values_list("rule", flat=True)
    return any(
        r.get("check") in BALANCE_CHECKS or any(f"{{{c}}}" in (r.get("expression") or "") for c in CODES)
        for r in rules
        if isinstance(r, dict)
    )


def cycle_balance_figures(cycle, region_ids) -> dict[str, dict[int, float]]:
    """evaluation.recompute.DERIVED_SOURCES: element code → region id → coefficient, from the counties'
    school records of the cycle's data year."""
    if not uses_balance(cycle.scheme_id):
        return {}
    rows = SchoolYearRecord.objects.filter(school__county_id__in=list(region_ids), year=cycle.data_year).values(
        "school__code", "school__county_id", "level", *FIELDS
    )
    records = [
        {"county_code": str(r["school__county_id"]), "school_code": r["school__code"], "level": r["level"],
         **{f: r[f] for f in FIELDS}}
        for r in rows
    ]  # fmt: skip
    if not records:
        return {}
    out: dict[str, dict[int, float]] = {}
    for (county_id, code), value in balance_figures(compute_balance(SchoolTable.from_records(records))).items():
        out.setdefault(code, {})[int(county_id)] = value
    return out
