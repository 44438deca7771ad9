"""Review panels (评审组), without Django: regional recusal, the assignment proposal and the
reconciliation of independent scores. See docs/review.md.

Region codes are GB/T 2260 codes: two digits of province, two of city, two of county. A unit at a
higher level ends in zeros (140000 山西省, 140500 晋城市, 140525 泽州县).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

RECUSAL_LEVELS = ("county", "city", "province")
CENT = Decimal("0.01")


def _unit(code: str, level: str) -> str | None:
    """The code of the unit at `level` that `code` lies in, or None when `code` is above that level
    (a provincial expert belongs to no city)."""
    if level == "province":
        return code[:2]
    if level == "city":
        return None if code[2:4] == "00" else code[:4]
    return None if code[4:6] == "00" else code


def _within(code: str, region: str) -> bool:
    """`code` is `region` itself or lies below it."""
    prefix = region[:2] if region[2:] == "0000" else region[:4] if region[4:] == "00" else region
    return code.startswith(prefix)


def conflicts(home: str, region: str, level: str) -> bool:
    """Whether an expert whose home unit is `home` must not review `region` (区域回避).

    Always: an expert from the evaluated region itself or from below it (a county expert never
    reviews the city that contains it). Beyond that, at recusal level `county` nothing more; at
    `city` nobody from the same city; at `province` nobody from the same province.
    """
    if level not in RECUSAL_LEVELS:
        raise ValueError(f"unknown recusal level {level!r}")
    if _within(home, region):
        return True
    for lvl in RECUSAL_LEVELS[: RECUSAL_LEVELS.index(level) + 1]:
        unit = _unit(home, lvl)
        if unit is not None and unit == _unit(region, lvl):
            return True
    return False


@dataclass(frozen=True)
class Expert:
    key: str  # stable identity (the user name): ties are broken by it, so the proposal is deterministic
    home: str  # region code of the expert's unit
    specialties: frozenset[str] = frozenset()


@dataclass
class Proposal:
    panels: dict[str, list[str]]  # region code → expert keys, existing members first, then in pick order
    leads: dict[str, str]  # region code → the member proposed as panel lead (new panels only)
    uncovered: dict[str, list[str]]  # region code → area codes no member's specialty covers
    loads: dict[str, int]  # expert key → regions assigned, including existing panels


class Infeasible(ValueError):
    """Some regions have fewer experts left after recusal than the minimum: no proposal is possible."""

    def __init__(self, shortages: dict[str, tuple[int, int]]):
        self.shortages = shortages  # region code → (eligible experts, needed)
        super().__init__("; ".join(f"{c}: {have} eligible, {need} needed" for c, (have, need) in shortages.items()))


def propose(
    regions: Sequence[str],
    experts: Sequence[Expert],
    *,
    minimum: int,
    recusal: str,
    areas: Mapping[str, frozenset[str]] | None = None,
    existing: Mapping[str, Sequence[str]] | None = None,
    slack: int = 1,
) -> Proposal:
    """Top every region's panel up to `minimum` members. Same inputs, same proposal.

    `areas`: area code → the specialties any of which covers it (the scheme's areas reviewers score).
    `existing`: members already assigned (they count towards the minimum and the workload).

    Regions are filled most constrained first (fewest eligible experts, then code). For each seat the
    candidates are the eligible experts not yet on the panel whose workload is at most `slack` above
    the least loaded candidate; among them the one covering most of the panel's uncovered areas wins,
    then the less loaded, then the smaller key. Workload therefore never spreads by more than the slack
    allows between candidates, and specialties decide within it. Raises Infeasible (listing every short
    region) before choosing anything, and ValueError on bad settings or an existing member who conflicts.
    """
    if minimum < 1:
        raise ValueError("minimum must be at least 1")
    if recusal not in RECUSAL_LEVELS:
        raise ValueError(f"unknown recusal level {recusal!r}")
    keys = [e.key for e in experts]
    if len(set(keys)) != len(keys):
        raise ValueError("duplicate expert keys")
    areas = dict(areas or {})
    existing = {code: list(members) for code, members in (existing or {}).items()}
    by_key = {e.key: e for e in experts}
    regions = sorted(set(regions))
    eligible = {code: [e for e in experts if not conflicts(e.home, code, recusal)] for code in regions}
    for code, members in existing.items():
        for key in members:
            expert = by_key.get(key)
            if expert is not None and conflicts(expert.home, code, recusal):
                raise ValueError(f"existing member {key} conflicts with {code}")
    shortages = {code: (len(eligible[code]), minimum) for code in regions if len(eligible[code]) < minimum}
    if shortages:
        raise Infeasible(shortages)
    loads = {k: 0 for k in keys}
    leads_count = {k: 0 for k in keys}
    for members in existing.values():
        for key in members:
            loads[key] = loads.get(key, 0) + 1
    panels, leads, uncovered = {}, {}, {}
    for code in sorted(regions, key=lambda c: (len(eligible[c]), c)):
        members = list(existing.get(code, []))
        new_panel = not members
        while len(members) < minimum:
            covered = set().union(*(by_key[m].specialties for m in members if m in by_key))
            open_areas = [a for a, specs in areas.items() if not (specs & covered)]
            candidates = [e for e in eligible[code] if e.key not in members]
            floor = min(loads[e.key] for e in candidates)
            pool = [e for e in candidates if loads[e.key] <= floor + slack]

            def rank(e: Expert, open_areas=open_areas) -> tuple:
                gain = sum(1 for a in open_areas if areas[a] & e.specialties)
                return (-gain, loads[e.key], e.key)

            pick = min(pool, key=rank)
            members.append(pick.key)
            loads[pick.key] += 1
        if new_panel:
            lead = min(members, key=lambda k: (leads_count[k], k))
            leads[code] = lead
            leads_count[lead] += 1
        covered = set().union(*(by_key[m].specialties for m in members if m in by_key))
        uncovered[code] = [a for a, specs in areas.items() if not (specs & covered)]
        panels[code] = members
    return Proposal(panels={c: panels[c] for c in regions}, leads=leads, uncovered=uncovered, loads=loads)


@dataclass(frozen=True)
class Reconciled:
    """The outcome of one item: agreed (score = the mean) or referred to the panel lead."""

    agreed: bool
    score: Decimal | None = None
    spread: Decimal = Decimal(0)
    limit: Decimal = Decimal(0)
    vetoed: bool | None = None
    reasons: list[str] = field(default_factory=list)


def reconcile_scores(points: Decimal, scores: Sequence[Decimal], threshold_percent: Decimal) -> Reconciled:
    """Independent scores of one item: agreed when the largest minus the smallest is at most
    `threshold_percent` % of the item's points; the score is then their arithmetic mean rounded half
    up to 0.01. Otherwise the lead decides. (8 and 10 on a 10-point item with 20 %: spread 2 = limit
    2, agreed, 9.00; 6 and 10: spread 4 > 2, to the lead.)"""
    if not scores:
        raise ValueError("no scores to reconcile")
    spread = max(scores) - min(scores)
    limit = (Decimal(points) * Decimal(threshold_percent) / 100).quantize(CENT, ROUND_HALF_UP)
    if spread > limit:
        return Reconciled(agreed=False, spread=spread, limit=limit)
    mean = (sum(scores, Decimal(0)) / len(scores)).quantize(CENT, ROUND_HALF_UP)
    return Reconciled(agreed=True, score=mean, spread=spread, limit=limit)


def reconcile_vetoes(findings: Sequence[bool]) -> Reconciled:
    """A veto item: agreed only when every reviewer made the same finding."""
    if not findings:
        raise ValueError("no findings to reconcile")
    if len(set(findings)) == 1:
        return Reconciled(agreed=True, vetoed=findings[0])
    return Reconciled(agreed=False)


def reconcile_overrides(points: Decimal, overrides: Sequence[Decimal | None], threshold_percent: Decimal) -> Reconciled:
    """An automatic (statutory) item, where a reviewer's score overrides what the data gave: nobody
    overriding keeps the automatic result (agreed, no score); everybody overriding is reconciled like a
    manual item; some overriding and some not goes to the lead."""
    given = [s for s in overrides if s is not None]
    if not given:
        return Reconciled(agreed=True)
    if len(given) < len(overrides):
        return Reconciled(agreed=False)
    return reconcile_scores(points, given, threshold_percent)
