"""Field verification (实地核查), without Django: whether a verified figure differs from the reported
one beyond the tolerance, how on-site scores combine with the online panel's, and the credibility
index of a region's self-evaluation (验证法). See docs/fieldwork.md.

All numbers are Decimal; nothing here rounds except where a result is stated to be rounded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

ZERO, ONE, HUNDRED = Decimal(0), Decimal(1), Decimal(100)
INDEX_PLACES = Decimal("0.0001")
MODES = ("verified_overrides", "deduct_per_falsified")


# ---------------------------------------------------------------------------------------------
# One figure


@dataclass(frozen=True)
class Deviation:
    difference: Decimal  # verified − reported
    relative: Decimal  # |difference| / |verified|, capped at 1 (see relative_deviation)
    beyond: bool  # outside the tolerance: a finding


def relative_deviation(reported: Decimal, verified: Decimal) -> Decimal:
    """|verified − reported| / |verified|, capped at 1. The verified figure is the truth, so a county
    that doubled its classrooms is off by 1 (100 %), not 0.5. A true zero reported as anything else
    is off by 1; zero reported as zero by 0."""
    diff = abs(verified - reported)
    if verified == 0:
        return ZERO if diff == 0 else ONE
    return min(ONE, diff / abs(verified))


def deviation(reported: Decimal, verified: Decimal, *, absolute: Decimal = ZERO,
              percent: Decimal | None = None) -> Deviation:
    """Compare one figure. `absolute`: the allowed difference in the figure's own unit (counts: 0).
    `percent`: the allowed difference as a percentage of the reported figure (areas, money: 1);
    when given it replaces `absolute`. A difference exactly at the tolerance is within it."""
    if absolute < 0 or (percent is not None and percent < 0):
        raise ValueError("tolerance cannot be negative")
    diff = verified - reported
    allowed = abs(reported) * percent / HUNDRED if percent is not None else absolute
    return Deviation(diff, relative_deviation(reported, verified), abs(diff) > allowed)


# ---------------------------------------------------------------------------------------------
# On-site and online scores


@dataclass(frozen=True)
class Combined:
    scores: dict[str, Decimal | None]  # item code → the score the result uses
    deducted: Decimal = ZERO  # points taken off the items (deduct_per_falsified)
    unabsorbed: Decimal = ZERO  # deduction left over once every item was at zero
    sources: dict[str, str] = field(default_factory=dict)  # item code → "onsite" / "online"


def combine(online: Mapping[str, Decimal | None], onsite: Mapping[str, Decimal], order: Sequence[str], *,
            mode: str, falsified: int = 0, per_falsified: Decimal = ZERO) -> Combined:
    """The manual items' scores after field verification.

    verified_overrides: an item the team scored on site takes the on-site score; the others keep the
      online score. `falsified` plays no part.
    deduct_per_falsified: the online scores stand (on-site scores are kept for the record) and
      falsified × per_falsified points come off the items in `order`, each down to zero at most, so
      the total falls by exactly that much unless the manual items run out (`unabsorbed`).
    """
    if mode not in MODES:
        raise ValueError(f"unknown combination mode {mode!r}")
    if falsified < 0 or per_falsified < 0:
        raise ValueError("a deduction cannot be negative")
    scores = {code: online.get(code) for code in order}
    sources = {code: "online" for code in order}
    if mode == "verified_overrides":
        for code in order:
            if code in onsite:
                scores[code], sources[code] = onsite[code], "onsite"
        return Combined(scores, sources=sources)
    left = per_falsified * falsified
    for code in order:
        if left <= 0:
            break
        have = scores[code]
        if have is None or have <= 0:
            continue
        take = min(have, left)
        scores[code], left = have - take, left - take
    return Combined(scores, per_falsified * falsified - left, left, sources)


# ---------------------------------------------------------------------------------------------
# Credibility index


@dataclass(frozen=True)
class Figure:
    reported: Decimal
    verified: Decimal
    weight: Decimal = ONE


@dataclass(frozen=True)
class Credibility:
    index: Decimal | None  # 0..1, 4 places; None when there is nothing to compare
    score_deviation: Decimal | None  # |self − final| / full marks, capped at 1
    value_deviation: Decimal | None  # weighted mean relative deviation of the verified figures
    figures: int


def credibility(self_total: Decimal | None, final_total: Decimal | None, full_marks: Decimal,
                figures: Sequence[Figure], *, score_weight: Decimal = ONE, value_weight: Decimal = ONE) -> Credibility:
    """index = 1 − (ws·Ds + wv·Dv) / (ws + wv), bounded to 0..1 and rounded to 4 places, where

        Ds = min(1, |self total − final total| / full marks)
        Dv = Σ wᵢ·min(1, |verifiedᵢ − reportedᵢ| / |verifiedᵢ|) / Σ wᵢ     (relative_deviation)

    A component without data (no self or final total; no verified figure) drops out with its weight;
    with neither the index is None (not 1: nothing was checked)."""
    ds = None
    if self_total is not None and final_total is not None and full_marks > 0:
        ds = min(ONE, abs(self_total - final_total) / full_marks)
    dv = None
    total_weight = sum((f.weight for f in figures), ZERO)
    if figures and total_weight > 0:
        dv = sum((f.weight * relative_deviation(f.reported, f.verified) for f in figures), ZERO) / total_weight
    parts = [(w, d) for w, d in ((score_weight, ds), (value_weight, dv)) if d is not None and w > 0]
    if not parts:
        return Credibility(None, ds, dv, len(figures))
    mean = sum((w * d for w, d in parts), ZERO) / sum((w for w, _d in parts), ZERO)
    index = min(ONE, max(ZERO, ONE - mean)).quantize(INDEX_PLACES)
    return Credibility(index, ds, dv, len(figures))
