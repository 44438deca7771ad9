"""The one place field verification reaches into the result pipeline (evaluation.recompute.compute):
the manual scores, adjusted by the cycle's FieldPolicy through core.fieldcheck.combine. A cycle without
on-site scores or findings gets its scores back unchanged."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from dutyeval.core.fieldcheck import combine
from dutyeval.core.scoring import ManualScore

from .models import FieldFinding, FieldPolicy, OnsiteScore
from .services import manual_items, policy_of


def apply_field_verification(cycle, scores: dict[tuple[str, str], ManualScore]) -> dict[tuple[str, str], ManualScore]:
    onsite: dict[str, dict[str, Decimal]] = {}
    for region, code, score in OnsiteScore.objects.filter(visit__team__cycle=cycle) \
            .values_list("visit__region__code", "indicator__code", "score"):
        onsite.setdefault(region, {})[code] = score
    falsified: dict[str, int] = {}
    for region in FieldFinding.objects.filter(check_row__school__visit__team__cycle=cycle) \
            .values_list("check_row__school__visit__region__code", flat=True):
        falsified[region] = falsified.get(region, 0) + 1
    if not onsite and not falsified:
        return scores
    policy = policy_of(cycle)
    if policy.mode == FieldPolicy.Mode.OVERRIDES and not onsite:
        return scores
    order = [i.code for i in manual_items(cycle)]
    regions = {r for r, _c in scores} & (set(onsite) | set(falsified))
    out = dict(scores)
    for region in regions:
        def effective(code, region=region):
            m = scores.get((region, code))
            if m is None:
                return None
            return m.reviewer_score if m.reviewer_score is not None else m.self_score
        online = {c: effective(c) for c in order}
        combined = combine(online, onsite.get(region, {}), order, mode=policy.mode,
                           falsified=falsified.get(region, 0), per_falsified=policy.per_falsified)
        for code in order:
            if combined.scores[code] == online[code] and combined.sources.get(code) != "onsite":
                continue
            base = scores.get((region, code)) or ManualScore()
            out[(region, code)] = replace(base, reviewer_score=combined.scores[code])
    return out
