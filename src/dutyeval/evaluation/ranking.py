"""Province-level views of a cycle's results: ranking, score distribution, grade counts and the
checks that fail most often across counties."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from dutyeval.schemes.models import Indicator

from .models import Result


def cycle_results(cycle, regions) -> list[Result]:
    return list(
        Result.objects.filter(submission__cycle=cycle, submission__region__in=regions)
        .select_related("submission__region__parent")
        .order_by("rank", "submission__region__code")
    )


def distribution(results: list[Result], width: int = 5) -> dict:
    """Histogram of totals in bins of `width` points."""
    if not results:
        return {"bins": [], "counts": []}
    lo = int(min(r.total for r in results) // width * width)
    hi = int(max(r.total for r in results) // width * width)
    bins = list(range(lo, hi + width, width))
    counts = Counter(int(r.total // width * width) for r in results)
    return {"bins": [f"{b}–{b + width}" for b in bins], "counts": [counts.get(b, 0) for b in bins]}


def grade_counts(results: list[Result], bands: list[dict]) -> list[tuple[str, int]]:
    counts = Counter(r.grade for r in results)
    return [(b["name"], counts.get(b["name"], 0)) for b in bands]


def failing_checks(cycle, results: list[Result], top: int = 12) -> list[dict]:
    """Automatic items (expressions, checks, vetoes) ranked by how many counties fail them."""
    autos = Indicator.objects.filter(scheme=cycle.scheme, children__isnull=True).exclude(rule_kind="manual")
    out = []
    for ind in autos:
        fail = insufficient = 0
        for r in results:
            item = r.items.get(ind.code)
            if not item:
                continue
            if item["status"] == "insufficient":
                insufficient += 1
            elif item["status"] == "violated" or (
                ind.rule_kind != "veto" and item["status"] == "scored" and Decimal(item["score"]) < ind.points
            ):
                fail += 1
        out.append({"code": ind.code, "title": ind.title, "fail": fail, "insufficient": insufficient})
    out.sort(key=lambda x: (-x["fail"], -x["insufficient"], x["code"]))
    return [x for x in out if x["fail"] or x["insufficient"]][:top]
