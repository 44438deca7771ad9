"""评价地图: the cycle's regions coloured by score, grade, one indicator or one data figure; province →
city → county (its scorecard and school balance); the trend of the chosen figure across years."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import cache_control

from dutyeval.accounts import scoping
from dutyeval.evaluation import mapdata
from dutyeval.evaluation.rules import cycle_for
from dutyeval.panels.services import visible_in_cycle
from dutyeval.regions.models import Region

GEO_NAME = re.compile(r"\d{6}(-counties)?")


def _geo_path(name: str) -> Path | None:
    path = Path(settings.GEO_DIR) / f"{name}.json"
    return path if GEO_NAME.fullmatch(name) and path.is_file() else None


def _geo(name: str) -> str | None:
    """The URL of a built boundary file (scripts/setup.sh builds them), or None when it is missing."""
    return reverse("geo", args=[name]) if _geo_path(name) else None


@login_required
@cache_control(private=True, max_age=86400)
def geo(request, name: str):
    """A boundary file: public geography, compressed on the way out by GZipMiddleware (400 KB → ~100 KB)."""
    path = _geo_path(name)
    if path is None:
        raise Http404
    return HttpResponse(path.read_bytes(), content_type="application/json")


def _place(cycle, code: str | None) -> Region:
    """The region the map shows: the cycle's root, or a city or province below it (nothing else)."""
    root = cycle.root
    if code and code != root.code:
        below = Region.objects.filter(code=code, code__startswith=root.prefix, level__in=("province", "city")).first()
        if below is not None:
            return below
    return root


def _json(value):
    """Decimals as text; a figure keeps its own digits (1210, not the column's 1210.0000)."""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}" if value.as_tuple().exponent < -2 else str(value)
    return value


@login_required
def cycle_map(request, pk: int):
    cycle = cycle_for(request.user, pk)
    if request.user.role in scoping.OWN_REGION_ROLES or not scoping.sees_cycle(request.user, cycle):
        raise Http404  # an evaluated region reads its own results on its scorecard, not on a map
    regions = visible_in_cycle(request.user, cycle, scoping.visible_regions(request.user))
    known = mapdata.metrics(cycle)
    metric = mapdata.metric_of(cycle, request.GET.get("metric", "total"), known)
    place = _place(cycle, request.GET.get("at"))
    by_city = place.level == "province" and request.GET.get("by") == "city" and not metric.categorical
    # only the place's regions are read: a province's map costs the province, not the country
    shown = mapdata.values(cycle, metric, regions.filter(code__startswith=place.prefix))
    names = dict(Region.objects.filter(code__in=list(shown)).values_list("code", "name"))
    if by_city:
        cities = dict(Region.objects.filter(parent=place, level="city").values_list("code", "name"))
        means = mapdata.city_means(shown)
        features = [{"name": c, "label": n, "value": _json(means.get(c))} for c, n in cities.items()]
        geo = _geo(place.code)
    else:
        features = [{"name": c, "label": names.get(c, c), "value": _json(v)} for c, v in shown.items()]
        geo = _geo(f"{place.code}-counties" if place.level == "province" else place.code)
    selected = request.GET.get("region")
    detail = _detail(cycle, metric, selected) if selected in shown else None
    rows = sorted(features, key=lambda f: (f["value"] is None, _sort_key(f["value"], metric, cycle)))
    return render(request, "web/map.html", {
        "cycle": cycle, "metric": metric, "metric_groups": _groups(known), "place": place, "by_city": by_city,
        "crumbs": _crumbs(cycle, place), "rows": rows, "detail": detail, "geo_missing": geo is None,
        "children": Region.objects.filter(parent=place, level__in=("province", "city")).order_by("code")
        if place.level in ("national", "province") else [],
        "map": {"geo": geo, "data": features, "categorical": metric.categorical, "unit": metric.unit,
                "label": metric.label, "grades": [b["name"] for b in cycle.scheme.grade_bands],
                "drill": "city" if by_city else "county", "metric": metric.key, "selected": selected if detail else "",
                "trend": detail["trend"] if detail else []},
    })


def _groups(metrics: list) -> list[tuple[str, list]]:
    labels = {"total": "", "grade": "", "item": "指标得分", "element": "数据"}
    groups: dict[str, list] = {}
    for m in metrics:
        groups.setdefault(labels[m.kind], []).append(m)
    return list(groups.items())


def _sort_key(value, metric, cycle):
    if metric.categorical:
        order = [b["name"] for b in cycle.scheme.grade_bands]
        return order.index(value) if value in order else len(order)
    return -Decimal(value) if value is not None else 0


def _crumbs(cycle, place: Region) -> list[Region]:
    chain, region = [], place
    while region is not None and region.code.startswith(cycle.root.prefix):
        chain.append(region)
        if region.pk == cycle.root_id:
            break
        region = region.parent
    return list(reversed(chain))


def _detail(cycle, metric, code: str) -> dict:
    region = Region.objects.get(code=code)
    sub = cycle.submissions.filter(region=region).select_related("result").first()
    result = getattr(sub, "result", None) if sub else None
    points = mapdata.trend(cycle, metric, region)
    return {
        "region": region, "submission": sub, "result": result if result and result.rank else None,
        "trend": [{"year": p["year"], "value": _json(p["value"]), "mean": _json(p["mean"])} for p in points],
    }
