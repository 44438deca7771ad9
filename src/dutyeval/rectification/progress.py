"""The dashboard's progress over time: each task's status at every month's end (core.rectification),
dated from the audit trail — the day the task opened (rectification.task.open), and each closure
(rectification.task.close, a data check that closed it) with the reopening that ended it
(rectification.task.reopen) — so a task reopened by a follow-up visit counts as closed in the months
it was closed, and as open again after."""

from __future__ import annotations

from collections import defaultdict

from django.utils import timezone

from dutyeval.audit.models import AuditLog
from dutyeval.core.rectification import progress_by_month

from .models import Task

EVENTS = ("rectification.task.open", "rectification.task.close", "rectification.task.data_check",
          "rectification.task.reopen")


def _day(moment):
    return timezone.localtime(moment).date() if moment else None


def _histories(tasks) -> tuple[dict, dict]:
    """Task pk → the day it opened; task pk → [(closed on, reopened on or None), …] from the audit trail."""
    opened: dict[int, object] = {}
    spans: dict[int, list] = defaultdict(list)
    rows = (AuditLog.objects.filter(action__in=EVENTS, object_type="rectification.task",
                                    object_id__in=[str(t.pk) for t in tasks])
            .order_by("created", "id").values_list("object_id", "action", "created", "data"))
    for pk, action, created, data in rows:
        pk, day = int(pk), _day(created)
        if action == "rectification.task.open":
            opened.setdefault(pk, day)
        elif action == "rectification.task.reopen":
            if spans[pk] and spans[pk][-1][1] is None:
                spans[pk][-1] = (spans[pk][-1][0], day)
        elif action == "rectification.task.close" or (data or {}).get("after") == Task.State.CLOSED:
            spans[pk].append((day, None))
    return opened, spans


def monthly_progress(tasks, today) -> list[dict]:
    live = [t for t in tasks if t.state != Task.State.DRAFT]
    opened, spans = _histories(live)

    def closed(t):
        # the history when the trail has one; a task closed without it (older data) by its closing time
        return spans[t.pk] if spans.get(t.pk) else _day(t.closed_at)

    return progress_by_month(
        [(opened.get(t.pk) or _day(t.plan.decided_at) or _day(t.created), t.deadline, closed(t)) for t in live],
        today)


class Tally:
    """Status counts of a group of tasks on a day: open (on time), overdue, pending, closed on time / late."""

    def __init__(self):
        self.total = self.open = self.overdue = self.pending = self.closed = self.closed_late = self.draft = 0

    def add(self, t: Task, today) -> None:
        self.total += 1
        if t.state == Task.State.DRAFT:
            self.draft += 1
        elif t.state == Task.State.CLOSED:
            self.closed += 1
            if t.closed_at and timezone.localtime(t.closed_at).date() > t.deadline:
                self.closed_late += 1
        elif t.overdue_on(today):
            self.overdue += 1
        elif t.state == Task.State.PENDING:
            self.pending += 1
        else:
            self.open += 1


def tally(tasks, key, today) -> list[tuple[str, Tally]]:
    groups: dict[str, Tally] = defaultdict(Tally)
    for t in tasks:
        groups[key(t)].add(t, today)
    return sorted(groups.items())
