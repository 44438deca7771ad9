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


def period_bounds(day: date, rhythm: str) -> tuple[date, date]:
    """The first and last day of the reporting period `day` falls in (same rules as period_of)."""
    if rhythm == "weekly":
        start = date.fromordinal(day.toordinal() - day.weekday())
        return start, date.fromordinal(start.toordinal() + 6)
    if rhythm not in ("monthly", "quarterly"):
        raise ValueError(f"unknown rhythm {rhythm!r}")
    first = day.month if rhythm == "monthly" else (day.month - 1) // 3 * 3 + 1
    start = date(day.year, first, 1)
    months = 1 if rhythm == "monthly" else 3
    nxt = date(day.year + (first + months > 12), (first + months - 1) % 12 + 1, 1)
    return start, date.fromordinal(nxt.toordinal() - 1)


def previous_period(day: date, rhythm: str) -> tuple[str, date, date]:
    """The period before the one `day` falls in: its label (period_of), first and last day. A progress
    report was due in it; the reminder for a missed one goes out in the period after."""
    start, _ = period_bounds(day, rhythm)
    last = date.fromordinal(start.toordinal() - 1)
    first, _ = period_bounds(last, rhythm)
    return period_of(last, rhythm), first, last


def month_ends(first: date, today: date, limit: int = 36) -> list[date]:
    """The last day of each month from `first`'s month to `today`'s (today itself for the current month),
    at most `limit` months, the latest kept."""
    out, y, m = [], first.year, first.month
    while (y, m) <= (today.year, today.month):
        nxt = date(y + (m == 12), m % 12 + 1, 1)
        out.append(min(date.fromordinal(nxt.toordinal() - 1), today))
        y, m = nxt.year, nxt.month
    return out[-limit:]


STATUSES = ("open", "overdue", "closed_on_time", "closed_late")


def _closure_on(day: date, closed) -> date | None:
    """The closure in force at the end of `day`: `closed` is a date, None, or the task's history as
    [(closed on, reopened on or None), …] — a task closed and reopened by a follow-up check was closed
    between the two days only."""
    if closed is None or isinstance(closed, date):
        return closed if closed is not None and closed <= day else None
    current = None
    for on, reopened in closed:
        if on <= day and (reopened is None or reopened > day):
            current = on
    return current


def status_on(day: date, opened: date, deadline: date, closed) -> str | None:
    """A task's status at the end of `day`: None before it opened; closed on time / late while a closure
    is in force; else overdue after its deadline, open before. `closed`: see _closure_on."""
    if opened > day:
        return None
    on = _closure_on(day, closed)
    if on is not None:
        return "closed_on_time" if on <= deadline else "closed_late"
    return "overdue" if deadline < day else "open"


def progress_by_month(tasks, today: date) -> list[dict]:
    """[{month: "2025-05", open, overdue, closed_on_time, closed_late}] at each month's end, for tasks
    given as (opened, deadline, closed), `closed` a date, None or the closure history (_closure_on), so a
    task reopened later counts as closed in the months it was closed."""
    tasks = list(tasks)
    if not tasks:
        return []
    out = []
    for end in month_ends(min(t[0] for t in tasks), today):
        row = dict.fromkeys(STATUSES, 0)
        for opened, deadline, closed in tasks:
            s = status_on(end, opened, deadline, closed)
            if s:
                row[s] += 1
        out.append({"month": f"{end.year}-{end.month:02d}", **row})
    return out
