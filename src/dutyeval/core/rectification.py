"""Rectification rules that need no database: data targets and the rhythm of progress reports.

A task may promise a figure (大班额班级数 ≤ 0 by 2022-08-31; 生均公用经费 ≥ 650): `target_met` says
whether a later year's value keeps the promise. Decimal throughout, never float.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

OPS = {"le": "≤", "ge": "≥", "eq": "="}


def target_met(op: str, target: Decimal, value: Decimal | None) -> bool | None:
    """True / False, or None when there is no value to judge by."""
    if value is None:
        return None
    if op == "le":
        return value <= target
    if op == "ge":
        return value >= target
    if op == "eq":
        return value == target
    raise ValueError(f"unknown comparison {op!r}")


def period_of(day: date, rhythm: str) -> str:
    """The reporting period a day falls in, as users write it: 2025年第20周 / 2025年5月 / 2025年第2季度.
    Weeks are ISO weeks (a week belongs to the year of its Thursday)."""
    if rhythm == "weekly":
        year, week, _ = day.isocalendar()
        return f"{year}年第{week}周"
    if rhythm == "quarterly":
        return f"{day.year}年第{(day.month - 1) // 3 + 1}季度"
    if rhythm == "monthly":
        return f"{day.year}年{day.month}月"
    raise ValueError(f"unknown rhythm {rhythm!r}")
