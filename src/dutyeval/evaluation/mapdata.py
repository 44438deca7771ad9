"""What the map of a cycle colours its regions by, and the trend of one region across years.

A metric is the total score (`total`), the grade (`grade`), one indicator's score (`item:<code>`)
or one data element's value (`element:<code>`). Scores and grades count only regions whose review
is complete (the official rank > 0), as everywhere else; the others are 未完成, never 0. Each metric
is one grouped query over the regions in scope, so a map costs what it shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg

from dutyeval.collection.models import DataElement, DataValue
from dutyeval.schemes.models import Indicator

from .models import Cycle, Result, ResultItem


@dataclass(frozen=True)
class Metric:
    key: str  # total | grade | item:<code> | element:<code>
    label: str
    unit: str = ""
    categorical: bool = False

    @property
    def kind(self) -> str:
        return self.key.split(":", 1)[0]

    @property
    def code(self) -> str:
        return self.key.split(":", 1)[1] if ":" in self.key else ""


def metrics(cycle: Cycle) -> list[Metric]:
    """Every metric a map of the cycle can show, in the order of the menu."""
    found = [Metric("total", "总分", "分"), Metric("grade", "等次", categorical=True)]
    leaves = Indicator.objects.filter(scheme=cycle.scheme, children__isnull=True).order_by("order")
    found += [Metric(f"item:{i.code}", f"{i.code} {i.title}", "分") for i in leaves]
    found += [Metric(f"element:{e.code}", e.name, e.unit) for e in DataElement.objects.order_by("order", "code")]
    return found


def metric_of(cycle: Cycle, key: str, known: list[Metric] | None = None) -> Metric:
    """The metric named by `key`, or the total score when the key names nothing of this cycle."""
    known = known if known is not None else metrics(cycle)
    return next((m for m in known if m.key == key), known[0])


def values(cycle: Cycle, metric: Metric, regions) -> dict[str, Decimal | str | None]:
    """Region code → value for the evaluated regions among `regions` (None: 未完成 or no data)."""
    codes = dict.fromkeys(
        cycle.submissions.filter(region__in=regions).values_list("region__code", flat=True))
    if metric.kind == "element":
        year = cycle.year_of(metric.code)
        rows = DataValue.objects.filter(element__code=metric.code, year=year, region__code__in=list(codes))
        codes.update(rows.values_list("region__code", "value"))
        return codes
    ranked = Result.objects.filter(submission__cycle=cycle, submission__region__in=regions, rank__gt=0)
    if metric.kind == "item":
        rows = ResultItem.objects.filter(result__in=ranked, code=metric.code).values_list(
            "result__submission__region__code", "score")
    else:
        rows = ranked.values_list("submission__region__code", metric.kind)
    codes.update(rows)
    return codes


def city_means(values_by_county: dict[str, Decimal | str | None]) -> dict[str, Decimal | None]:
    """City code → mean of its counties' numeric values (the counties with a value)."""
    groups: dict[str, list[Decimal]] = {}
    for code, value in values_by_county.items():
        if isinstance(value, Decimal):
            groups.setdefault(code[:4] + "00", []).append(value)
    return {city: (sum(v) / len(v)).quantize(Decimal("0.01")) for city, v in groups.items()}


def trend(cycle: Cycle, metric: Metric, region) -> list[dict]:
    """The region's value in each year on record, beside the mean of the cycle's regions that year:
    for data, the element's values by year; for scores, the region's results in this office's cycles
    of the same level (one per year), complete reviews only."""
    if metric.kind == "element":
        peers = cycle.submissions.values("region")
        mine = dict(DataValue.objects.filter(element__code=metric.code, region=region).values_list("year", "value"))
        mean = dict(DataValue.objects.filter(element__code=metric.code, region__in=peers)
                    .values("year").annotate(m=Avg("value")).values_list("year", "m"))
        return [{"year": y, "value": mine[y], "mean": _q(mean.get(y))} for y in sorted(mine)]
    if metric.kind == "grade":
        return []
    cycles = Cycle.objects.filter(root=cycle.root, level=cycle.level).order_by("year")
    rows = []
    for c in cycles:
        ranked = Result.objects.filter(submission__cycle=c, rank__gt=0)
        if metric.kind == "item":
            ranked_items = ResultItem.objects.filter(result__in=ranked, code=metric.code)
            mine = ranked_items.filter(result__submission__region=region).values_list("score", flat=True).first()
            mean = ranked_items.aggregate(m=Avg("score"))["m"]
        else:
            mine = ranked.filter(submission__region=region).values_list("total", flat=True).first()
            mean = ranked.aggregate(m=Avg("total"))["m"]
        if mine is not None:
            rows.append({"year": c.year, "value": mine, "mean": _q(mean)})
    return rows


def _q(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.01"))
