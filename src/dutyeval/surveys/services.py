"""Survey imports: read → preview (nothing written) → confirm (written through collection, audited).

Only the office running the cycle imports. A confirmed import writes each region's group means into
the cycle's satisfaction_* figures with source 满意度调查 (collection.services.store_survey_values), and
supersedes the previous confirmed import, which is kept as history.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from dutyeval.accounts import scoping
from dutyeval.audit.services import log_action
from dutyeval.collection.services import ValidationFailed, YearClosed, store_survey_values, year_locked
from dutyeval.evaluation.models import Cycle, Submission
from dutyeval.regions.models import Region

from . import compute
from .groups import BY_CODE, GROUPS
from .models import GroupResult, SurveyImport, SurveySetting
from .reading import FileRefused, read_file

MAX_SCALE = Decimal(100)  # the satisfaction elements of the catalogue hold 0–100


class SurveyError(Exception):
    """A refused action; the message is for users."""


def setting_for(cycle: Cycle) -> SurveySetting:
    """The cycle's setting; a cycle whose scheme is Zhejiang's gets its 10-point scale by default."""
    existing = SurveySetting.objects.filter(cycle=cycle).first()
    if existing:
        return existing
    if cycle.scheme.code.startswith("zhejiang"):
        return SurveySetting(cycle=cycle, scale=Decimal(10), decimals=3, weights_note=ZHEJIANG_WEIGHTS)
    return SurveySetting(cycle=cycle)


ZHEJIANG_WEIGHTS = ("浙江省满意度调查对五类人群的权重未公开：越城区2021年自评报告的满意度总平均分为8.704，"
                    "而五类人群得分的算术平均为8.718，故实际权重不明；此处按等权计算。")


def _require_office(user, cycle: Cycle) -> None:
    if not scoping.runs_cycle(user, cycle):
        raise PermissionDenied("只有组织本次评价的督导办可以导入满意度调查结果")


def update_settings(cycle: Cycle, user, *, scale, decimals, weights: dict, quotas: dict, weights_note: str):
    _require_office(user, cycle)
    try:
        scale, decimals = Decimal(str(scale)), int(decimals)
        weights = {g: Decimal(str(w)) for g, w in weights.items() if str(w).strip() != ""}
        quotas = {g: int(q) for g, q in quotas.items() if str(q).strip() != ""}
    except (ArithmeticError, ValueError):
        raise SurveyError("满分、小数位、权重和样本量须为数字") from None
    if not Decimal(0) < scale <= MAX_SCALE:
        raise SurveyError(f"满分须在 0–{MAX_SCALE:g} 之间")
    if not 0 <= decimals <= 4:
        raise SurveyError("小数位须在 0–4 之间")
    if any(w < 0 for w in weights.values()) or any(q < 0 for q in quotas.values()):
        raise SurveyError("权重和样本量不能为负数")
    if set(weights) - BY_CODE.keys() or set(quotas) - BY_CODE.keys():
        raise SurveyError("未知的调查对象")
    setting = setting_for(cycle)
    old = {"scale": setting.scale, "decimals": setting.decimals, "weights": setting.weights, "quotas": setting.quotas}
    setting.scale, setting.decimals, setting.weights_note = scale, decimals, (weights_note or "").strip()[:2000]
    setting.weights = {g: str(w) for g, w in weights.items()}
    setting.quotas = quotas
    setting.save()
    log_action("surveys.settings.update", actor=user, obj=setting, region=cycle.root,
               data={"cycle": cycle.pk, "old": old, "new": {"scale": scale, "decimals": decimals,
                                                            "weights": setting.weights, "quotas": quotas}})
    return setting


def read_import(cycle: Cycle, user, data: bytes, filename: str) -> SurveyImport:
    """Read a file into a preview (or a rejected import listing every row error). Writes no figure."""
    _require_office(user, cycle)
    setting = setting_for(cycle)
    # the regions the cycle evaluates are those with a submission (publishing creates them all)
    regions = {s.region.code: s.region for s in Submission.objects.filter(cycle=cycle).select_related("region")}
    survey = SurveyImport(cycle=cycle, filename=(filename or "")[:255], sha256=hashlib.sha256(data).hexdigest(),
                          scale=setting.scale, uploaded_by=user)
    try:
        reading = read_file(data, filename, scale=setting.scale, regions=set(regions))
    except FileRefused as exc:
        return _reject(survey, user, [{"row": None, "reason": str(exc)}], 0)
    survey.layout, survey.rows_read = reading.layout, reading.rows_read
    if reading.errors:
        return _reject(survey, user, reading.errors, reading.rows_read)
    present = sorted({r for r, _ in reading.cells})
    survey.under_quota = compute.under_quota({k: v[0] for k, v in reading.cells.items()}, present,
                                             {g: int(q) for g, q in setting.quotas.items()})
    survey.locked_regions = _locked(cycle, [regions[c] for c in present], reading.cells)
    with transaction.atomic():
        survey.save()
        GroupResult.objects.bulk_create(
            GroupResult(survey=survey, region=regions[region], group=group, n=n, total=total,
                        mean=compute.mean_of(n, total, setting.decimals))
            for (region, group), (n, total) in sorted(reading.cells.items()))
        log_action("surveys.import.preview", actor=user, obj=survey, region=cycle.root,
                   data={"cycle": cycle.pk, "file": survey.filename, "sha256": survey.sha256,
                         "rows": survey.rows_read, "under_quota": len(survey.under_quota)})
    return survey


def _locked(cycle: Cycle, regions: list[Region], cells) -> list[dict]:
    out = []
    for region in regions:
        codes = [BY_CODE[g].element for r, g in cells if r == region.code and BY_CODE[g].element]
        years = {cycle.year_of(c) for c in codes}
        reasons = [why for y in sorted(years) if (why := year_locked(region, y, [c for c in codes
                                                                                  if cycle.year_of(c) == y]))]
        if reasons:
            out.append({"region": region.code, "name": region.name, "reason": reasons[0]})
    return out


def _reject(survey: SurveyImport, user, errors: list[dict], rows: int) -> SurveyImport:
    survey.state = SurveyImport.State.REJECTED
    survey.errors, survey.error_count = errors[: SurveyImport.MAX_ERRORS], len(errors)
    survey.rows_read = rows
    survey.save()
    log_action("surveys.import.reject", actor=user, obj=survey, region=survey.cycle.root,
               data={"cycle": survey.cycle_id, "file": survey.filename, "errors": len(errors)})
    return survey


def confirm_import(survey: SurveyImport, user, *, reason: str = "") -> SurveyImport:
    """Write a previewed import's means into the cycle's figures, all regions or none.

    Under-quota groups and regions that already submitted need the office's reason, which is kept
    with the import and in the audit log of every changed figure.
    """
    cycle = survey.cycle
    _require_office(user, cycle)
    reason = (reason or "").strip()[:2000]
    from dutyeval.release.models import Release
    from dutyeval.release.services import stage_of

    with transaction.atomic():
        survey = SurveyImport.objects.select_for_update().get(pk=survey.pk)
        if survey.state != SurveyImport.State.PREVIEW:
            raise SurveyError(f"该导入的状态为“{survey.get_state_display()}”，不能确认")
        if stage_of(cycle) == Release.Stage.FINAL:
            raise SurveyError("本次评价结果已正式发布，不能再写入调查结果")
        if survey.under_quota and not reason:
            raise SurveyError(f"有 {len(survey.under_quota)} 组样本量低于最低要求，接受导入须填写理由")
        if survey.locked_regions and not reason:
            raise SurveyError(f"有 {len(survey.locked_regions)} 个区域已提交自评材料，写入调查结果须填写理由")
        written = _write(survey, user, reason)
        previous = list(SurveyImport.objects.select_for_update()
                        .filter(cycle=cycle, state=SurveyImport.State.CONFIRMED).exclude(pk=survey.pk))
        for old in previous:
            old.state, old.superseded_by = SurveyImport.State.SUPERSEDED, survey
            old.save(update_fields=["state", "superseded_by"])
        survey.state, survey.confirmed_by, survey.confirmed_at = SurveyImport.State.CONFIRMED, user, timezone.now()
        survey.reason = reason
        survey.save(update_fields=["state", "confirmed_by", "confirmed_at", "reason"])
        log_action("surveys.import.confirm", actor=user, obj=survey, region=cycle.root,
                   data={"cycle": cycle.pk, "file": survey.filename, "written": written, "reason": reason,
                         "under_quota": survey.under_quota, "supersedes": [o.pk for o in previous]})
    return survey


def _write(survey: SurveyImport, user, reason: str) -> int:
    cycle = survey.cycle
    per_region: dict[Region, dict[int, dict[str, Decimal]]] = {}
    for result in survey.results.select_related("region"):
        element = BY_CODE[result.group].element
        if element:
            per_region.setdefault(result.region, {}).setdefault(cycle.year_of(element), {})[element] = result.mean
    written = 0
    try:
        for region, years in sorted(per_region.items(), key=lambda kv: kv[0].code):
            for year, raw in sorted(years.items()):
                written += store_survey_values(region, year, raw, user=user, reason=reason,
                                               reference=f"满意度调查导入 #{survey.pk}（{survey.filename}）")[0]
    except (YearClosed, ValidationFailed) as exc:
        problems = getattr(exc, "problems", None)
        raise SurveyError("；".join(p.reason for p in problems) if problems else str(exc)) from None
    return written


def current_import(cycle: Cycle) -> SurveyImport | None:
    return SurveyImport.objects.filter(cycle=cycle, state=SurveyImport.State.CONFIRMED).first()


def results_table(survey: SurveyImport) -> dict:
    """The import's means per region and group, each region's overall mean, the provincial means and
    every difference (region − provincial), for the pages and the export."""
    setting = setting_for(survey.cycle)
    results = list(survey.results.select_related("region"))
    groups = [g.code for g in GROUPS if any(r.group == g.code for r in results)]
    table: dict[str, dict[str, Decimal]] = {}
    names, samples = {}, {}
    for r in results:
        table.setdefault(r.region.code, {})[r.group] = compute.rounded(r.mean, setting.decimals)
        names[r.region.code] = r.region.name
        samples[(r.region.code, r.group)] = r.n
    weights = {g: Decimal(str(w)) for g, w in setting.weights.items()}
    full, provincial = compute.comparison(table, weights, setting.decimals, groups)
    rows = []
    for code in sorted(full):
        cells = []
        for g in [*groups, compute.OVERALL]:
            mean = full[code].get(g)
            diff = mean - provincial[g] if mean is not None and g in provincial else None
            cells.append({"group": g, "mean": mean, "diff": diff, "n": samples.get((code, g))})
        rows.append({"code": code, "name": names[code], "cells": cells})
    return {"groups": groups, "rows": rows, "provincial": provincial, "setting": setting}
