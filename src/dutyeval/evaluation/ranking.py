"""Office views of a cycle's results: ranking, score distribution, grade counts and the checks that
fail most often across regions. Every aggregate is one SQL query over the typed rows, so a page
costs what it shows, not the size of the country (STYLE.md §16)."""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.db.models import Case, Count, F, Max, Q, QuerySet, Sum, When
from django.db.models.functions import Floor

from dutyeval.schemes.models import Indicator

from .models import Result, ResultItem


def cycle_results(cycle, regions) -> QuerySet[Result]:
    """The results of the regions in scope, best first, then the unranked (rank 0: review not
    complete) by code (lazy: pages slice it)."""
    return (
        Result.objects.filter(submission__cycle=cycle, submission__region__in=regions)
        .select_related("submission__region__parent")
        .order_by(Case(When(rank=0, then=1), default=0), "rank", "submission__region__code")
    )


def distribution(results: QuerySet[Result], width: int = 5) -> dict:
    """Histogram of totals in bins of `width` points."""
    counts = dict(
        results.order_by()
        .annotate(bin=Floor(F("total") / width))
        .values_list("bin")
        .annotate(n=Count("pk"))
        .values_list("bin", "n")
    )
    counts = {int(b) * width: n for b, n in counts.items()}
    if not counts:
        return {"bins": [], "counts": []}
    bins = list(range(min(counts), max(counts) + width, width))
    return {"bins": [f"{b}–{b + width}" for b in bins], "counts": [counts.get(b, 0) for b in bins]}


def grade_counts(results: QuerySet[Result], bands: list[dict]) -> list[tuple[str, int]]:
    counts = dict(results.order_by().values_list("grade").annotate(n=Count("pk")).values_list("grade", "n"))
    return [(b["name"], counts.get(b["name"], 0)) for b in bands]


def results_version(cycle) -> str:
    """Changes whenever the cycle's item rows do (every store writes new results: computed_at; a result
    removed changes the count) and whenever the set of ranked results does (a review completed or
    reopened re-ranks without writing a row; grade counts and the distribution count ranked ones)."""
    agg = Result.objects.filter(submission__cycle=cycle).aggregate(
        n=Count("pk"), at=Max("computed_at"), ranked=Count("pk", filter=Q(rank__gt=0)),
        ranked_ids=Sum("submission_id", filter=Q(rank__gt=0)),
    )  # fmt: skip
    at = agg["at"].timestamp() if agg["at"] else 0
    return f"{agg['n']}-{at}-{agg['ranked']}-{agg['ranked_ids'] or 0}"


def _scope(results: QuerySet[Result]) -> str:
    return hashlib.sha256(str(results.order_by().values("pk").query).encode()).hexdigest()[:16]


def results_summary(cycle, results: QuerySet[Result]) -> dict:
    """What the results page shows of all its results besides one page of them: grade counts and the
    distribution of totals (complete reviews only), how many are incomplete, how many in all, the checks
    failing most often. Cached per version of the cycle's results and scope of regions, so a page view
    costs one query for them, not six over every region of the country."""
    key = f"results-summary:{cycle.pk}:{results_version(cycle)}:{_scope(results)}"
    found = cache.get(key)
    if found is None:
        ranked = results.filter(rank__gt=0)
        found = {
            "grades": grade_counts(ranked, cycle.scheme.grade_bands), "distribution": distribution(ranked),
            "incomplete": results.filter(rank=0).count(), "count": results.count(),
            "failing": failing_checks(cycle, results),
        }  # fmt: skip
        cache.set(key, found, 3600)
    return found


def failing_checks(cycle, results: QuerySet[Result], top: int = 12) -> list[dict]:
    """Automatic items (expressions, checks, vetoes) ranked by how many regions fail them. Counted over
    every item row of the scope (180,000 rows for the country): remembered per scope until the cycle's
    results change, so the results page does not count them again on every view and page."""
    key = f"failing-checks:{cycle.pk}:{results_version(cycle)}:{_scope(results)}:{top}"
    found = cache.get(key)
    if found is None:
        found = _failing_checks(cycle, results, top)
        cache.set(key, found, 3600)
    return found


def _failing_checks(cycle, results: QuerySet[Result], top: int) -> list[dict]:
    autos = dict(
        Indicator.objects.filter(scheme=cycle.scheme, children__isnull=True)
        .exclude(rule_kind="manual")
        .values_list("code", "title")
    )
    counts = (
        ResultItem.objects.filter(result__in=results.order_by().values("pk"), leaf=True, code__in=list(autos))
        .filter(Q(failed=True) | Q(status="insufficient"))  # the rows the partial index holds
        .values("code")
        .annotate(
            fail=Count("pk", filter=Q(failed=True)), insufficient=Count("pk", filter=Q(status="insufficient"))
        )
        .filter(Q(fail__gt=0) | Q(insufficient__gt=0))
    )
    out = [{"code": c["code"], "title": autos[c["code"]], "fail": c["fail"], "insufficient": c["insufficient"]}
           for c in counts]  # fmt: skip
    out.sort(key=lambda x: (-x["fail"], -x["insufficient"], x["code"]))
    return out[:top]
