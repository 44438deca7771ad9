"""Means, quotas and the comparison with the provincial average. No database here.

The provincial average of a group is the mean over the cycle's regions that have the group, taken
with core's peer_mean (the same aggregate the scheme expressions use), not a second implementation.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from dutyeval.core.dataset import Dataset
from dutyeval.core.expr import evaluate

OVERALL = "overall"


def rounded(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def mean_of(n: int, total: Decimal, decimals: int) -> Decimal:
    return rounded(total / n, decimals)


def weighted_mean(means: dict[str, Decimal], weights: dict[str, Decimal], decimals: int) -> Decimal | None:
    """A region's overall mean over the groups it has; a group without a weight counts 1 (equal weights)."""
    used = {g: weights.get(g, Decimal(1)) for g in means}
    total_weight = sum(used.values(), Decimal(0))
    if not means or total_weight <= 0:
        return None
    return rounded(sum((means[g] * w for g, w in used.items()), Decimal(0)) / total_weight, decimals)


def under_quota(cells: dict[tuple[str, str], int], regions: list[str], quotas: dict[str, int]) -> list[dict]:
    """Each (region, group) whose sample is below its quota; a quota'd group missing from a region has n = 0."""
    out = []
    for region in regions:
        for group, quota in quotas.items():
            n = cells.get((region, group), 0)
            if quota and n < quota:
                out.append({"region": region, "group": group, "n": n, "quota": int(quota)})
    return out


def provincial_means(table: dict[str, dict[str, Decimal]], columns: list[str], decimals: int) -> dict[str, Decimal]:
    """Per column (group or OVERALL): the mean over the regions of `table` (region → column → mean) that have it."""
    regions = sorted(table)
    records = {(r, c, 0): v for r, row in table.items() for c, v in row.items()}
    ds = Dataset.from_records(regions, [0], records)
    out = {}
    for column in columns:
        result = evaluate(f"peer_mean(#{{{column}}})", ds, 0)
        if regions and result.known[0] and column in ds.values:
            # the float mean of 3-decimal figures is exact to far below 1e-9: rounding to 9 places first
            # removes the binary noise, so the half-up rounding below sees the true decimal value
            out[column] = rounded(Decimal(format(float(result.value[0]), ".9f")), decimals)
    return out


def comparison(table: dict[str, dict[str, Decimal]], weights: dict[str, Decimal], decimals: int,
               groups: list[str]) -> tuple[dict[str, dict[str, Decimal]], dict[str, Decimal]]:
    """Adds each region's OVERALL mean to `table`, returns (table, provincial means incl. OVERALL)."""
    full = {}
    for region, row in table.items():
        full[region] = dict(row)
        overall = weighted_mean(row, weights, decimals)
        if overall is not None:
            full[region][OVERALL] = overall
    return full, provincial_means(full, [*groups, OVERALL], decimals)
