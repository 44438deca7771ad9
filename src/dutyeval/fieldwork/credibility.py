"""The credibility of each region's self-evaluation (验证法): core.fieldcheck.credibility over the region's
self scores against its final scores (the items it scored itself) and its reported against its verified
figures. Formula in docs/fieldwork.md."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from dutyeval.audit.services import log_action
from dutyeval.core.fieldcheck import Credibility, Figure, credibility
from dutyeval.draws.models import Draw
from dutyeval.evaluation.models import Cycle, ItemScore, ResultItem, Submission
from dutyeval.regions.models import Region
from dutyeval.schemes.models import Indicator

from .models import Check
from .services import FieldworkError, _require_office


@dataclass(frozen=True)
class Row:
    region: Region
    self_total: Decimal | None
    final_total: Decimal | None
    full_marks: Decimal
    result: Credibility


def rows(cycle: Cycle) -> list[Row]:
    """Every evaluated region with something to compare, lowest index first (None last)."""
    points = dict(Indicator.objects.filter(scheme_id=cycle.scheme_id).values_list("pk", "points"))
    code_of = dict(Indicator.objects.filter(scheme_id=cycle.scheme_id).values_list("pk", "code"))
    subs = list(Submission.objects.filter(cycle=cycle).select_related("region").order_by("region__code"))
    selfs: dict[int, dict[str, tuple[Decimal, Decimal]]] = {}
    for sub_id, ind, s in ItemScore.objects.filter(submission__cycle=cycle, self_score__isnull=False) \
            .values_list("submission_id", "indicator_id", "self_score"):
        selfs.setdefault(sub_id, {})[code_of[ind]] = (s, points.get(ind, Decimal(0)))
    finals: dict[int, dict[str, Decimal]] = {}
    for sub_id, code, score in ResultItem.objects.filter(result__submission__cycle=cycle, leaf=True,
                                                          score__isnull=False) \
            .values_list("result__submission_id", "code", "score"):
        finals.setdefault(sub_id, {})[code] = score
    figures: dict[int, list[Figure]] = {}
    for region_id, reported, verified in Check.objects.filter(school__visit__team__cycle=cycle) \
            .values_list("school__visit__region_id", "reported", "verified"):
        figures.setdefault(region_id, []).append(Figure(reported, verified))
    out = []
    for sub in subs:
        mine, final = selfs.get(sub.pk, {}), finals.get(sub.pk, {})
        both = [c for c in mine if c in final]  # the items the region scored itself and that have a final score
        self_total = sum((mine[c][0] for c in both), Decimal(0)) if both else None
        final_total = sum((final[c] for c in both), Decimal(0)) if both else None
        full = sum((mine[c][1] for c in both), Decimal(0))
        figs = figures.get(sub.region_id, [])
        if not both and not figs:
            continue
        out.append(Row(sub.region, self_total, final_total, full, credibility(self_total, final_total, full, figs)))
    out.sort(key=lambda r: (r.result.index is None, r.result.index or 0, r.region.code))
    return out


@transaction.atomic
def force_into_draw(draw: Draw, user, regions: list[Region], reason: str) -> Draw:
    """Add regions with a low index to a draft regions draw (of the next cycle) as forced inclusions, each
    with the reason; the draw's own update keeps every check of the frame."""
    from dutyeval.core.lottery import Note
    from dutyeval.draws import services as draws

    _require_office(user, draw.cycle)
    reason = (reason or "").strip()
    if not reason or len(reason) > 200:
        raise FieldworkError("请写明列为必抽的理由（不超过 200 字）")
    if draw.kind != Draw.Kind.REGIONS or draw.state != Draw.State.DRAFT:
        raise FieldworkError("只能加入尚未公布的实地核查地区抽签")
    if not regions:
        raise FieldworkError("请选择地区")
    frame = draw.frame
    forced = {n["code"]: n["reason"] for n in frame.get("forced", [])}
    for r in regions:
        forced.setdefault(r.code, reason)
    params = draw.parameters
    try:
        draw = draws.update_draft(
            draw, user, title=draw.title, n=params["n"], strata=params.get("strata"),
            min_per_stratum=params.get("min_per_stratum", 1),
            exclusions=[Note(n["code"], n["reason"]) for n in frame.get("exclusions", [])],
            forced=[Note(c, t) for c, t in sorted(forced.items())])
    except draws.DrawsError as exc:
        raise FieldworkError(str(exc)) from None
    log_action("fieldwork.credibility.force", actor=user, obj=draw, region=draw.cycle.root,
               data={"regions": [r.code for r in regions], "reason": reason})
    return draw
