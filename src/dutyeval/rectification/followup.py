"""回头看: the office goes back to check, on site, what the regions reported.

The regions are chosen by a verifiable draw of the draws app, made with its own services (no second
lottery): the frame is the cycle's evaluated regions, those without tasks excluded and those with
overdue tasks forced in, each with its reason, stratified by city where the regions with tasks span
several. Then, per task of a chosen region, the office records what it found (属实 / 不属实, a note, a
date, optionally a file); a closed task found not true is opened again. Every step audited.
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from dutyeval import uploads
from dutyeval.audit.services import log_action
from dutyeval.core.lottery import Note
from dutyeval.draws import services as draws
from dutyeval.draws.models import Draw
from dutyeval.fieldwork import services as fieldwork
from dutyeval.fieldwork.models import Team, Visit

from .ledger import ledger_changed
from .models import EvidenceFile, FollowUpCheck, FollowUpDraw, FollowUpItem, Task
from .rules import RectificationError, is_office
from .services import FOLDER, _notify_region, _store_files

MAX_NOTE = 2000


def _require_office(user, cycle, what: str) -> None:
    if not is_office(user, cycle):
        raise RectificationError(f"只有组织本次评价的督导办可以{what}")


def drawn_codes(draw: Draw) -> list[str]:
    record = getattr(draw, "record", None) if draw.state == Draw.State.DRAWN else None
    return [row["code"] for row in record.record.get("result", [])] if record else []


def _ledger(cycle, today: date) -> tuple[Counter, Counter]:
    tasks = Task.objects.filter(plan__cycle=cycle).exclude(state=Task.State.DRAFT).select_related("plan__region")
    total, overdue = Counter(), Counter()
    for t in tasks:
        total[t.plan.region.code] += 1
        overdue[t.plan.region.code] += t.overdue_on(today)
    return total, overdue


def prepare_followup_draw(cycle, user, today: date | None = None) -> FollowUpDraw:
    """A draft draw of the regions to revisit; the office then publishes and draws it on the draws page."""
    _require_office(user, cycle, "组织整改回头看")
    today = today or timezone.localdate()
    total, overdue = _ledger(cycle, today)
    if not total:
        raise RectificationError("本周期还没有执行中的整改任务，无法组织回头看")
    try:
        with transaction.atomic():
            draw = draws.prepare_draw(cycle, user, Draw.Kind.REGIONS)
            rows = draw.lottery_frame.rows
            exclusions = [Note(r[0], "无整改任务") for r in rows if r[0] not in total]
            forced = [Note(r[0], f"有逾期整改任务{overdue[r[0]]}项") for r in rows if overdue[r[0]]]
            cities = {r[2] for r in rows if r[0] in total}
            n = min(len(total), max(len(forced), math.ceil(len(total) / 3), 1))
            strata = draws.CITY_COLUMN if 1 < len(cities) <= n else None
            draw = draws.update_draft(draw, user, title=f"{cycle.name}整改回头看抽签", n=n, strata=strata,
                                      min_per_stratum=1, exclusions=exclusions, forced=forced)
            fu = FollowUpDraw.objects.create(cycle=cycle, draw=draw)
            log_action("rectification.followup.draw", actor=user, obj=cycle, region=cycle.root,
                       data={"draw": draw.pk, "n": n, "strata": strata, "regions": sorted(total),
                             "forced": [x.code for x in forced]})
    except draws.DrawsError as exc:
        raise RectificationError(str(exc)) from None
    return fu


def chosen_followups(task: Task) -> list[FollowUpDraw]:
    """The drawn follow-up draws of the task's cycle that chose its region."""
    code = task.plan.region.code
    return [fu for fu in FollowUpDraw.objects.filter(cycle_id=task.plan.cycle_id).select_related("draw__record")
            if code in drawn_codes(fu.draw)]


def _visit_day(value, today: date) -> date:
    if value in (None, ""):
        return today
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value).strip())
    except ValueError:
        raise RectificationError(f"核查日期“{str(value)[:20]}”不是有效日期", {"visited_on": "日期无效"}) from None
    if day > today:
        raise RectificationError("核查日期不能晚于今天", {"visited_on": "不能晚于今天"})
    return day


def add_followup_visit(fu: FollowUpDraw, team: Team, user, region, *, starts, ends, tasks) -> Visit:
    """A follow-up visit is a field-verification visit: the region, drawn by the follow-up draw, goes on
    a fieldwork team's itinerary through fieldwork's own add_visit (its dates, the draw's result and
    the team's recusal are checked there), and its checklist is the chosen tasks of that region."""
    cycle = fu.cycle
    _require_office(user, cycle, "安排整改回头看核查")
    if fu.draw.state != Draw.State.DRAWN or region is None or region.code not in drawn_codes(fu.draw):
        raise RectificationError("所选地区未被该回头看抽签抽中", {"region": "未被抽中"})
    if team is None or team.cycle_id != cycle.pk:
        raise RectificationError("请选择本评价周期的实地核查组", {"team": "请选择核查组"})
    ids = {int(t.pk if isinstance(t, Task) else t) for t in tasks or ()}
    chosen = list(Task.objects.filter(pk__in=ids, plan__cycle=cycle, plan__region=region)
                  .exclude(state=Task.State.DRAFT))
    if not chosen or len(chosen) != len(ids):
        raise RectificationError(f"请勾选{region.name}需要现场核查的整改任务", {"tasks": "请勾选整改任务"})
    try:
        with transaction.atomic():
            visit = fieldwork.add_visit(team, user, region, starts, ends, draw=fu.draw)
            FollowUpItem.objects.bulk_create([FollowUpItem(visit=visit, followup=fu, task=t) for t in chosen])
            log_action("rectification.followup.visit", actor=user, obj=visit, region=region,
                       data={"draw": fu.draw_id, "team": team.name, "starts": str(starts), "ends": str(ends),
                             "tasks": sorted(t.pk for t in chosen)})
    except fieldwork.FieldworkError as exc:
        raise RectificationError(str(exc)) from None
    return visit


def followup_visits(cycle):
    """The cycle's follow-up visits: fieldwork visits that carry a follow-up checklist."""
    return (Visit.objects.filter(team__cycle=cycle, followup_items__isnull=False).distinct()
            .select_related("team", "region").order_by("starts", "region__code"))


def may_see_visit(user, visit: Visit) -> bool:
    return fieldwork.may_see_team(user, visit.team)


def checklist(visit: Visit) -> list[FollowUpItem]:
    """The visit's lines, each with its task and the latest result recorded in this visit (or None)."""
    items = list(visit.followup_items.select_related("task__finding", "task__department", "task__plan__region",
                                                     "followup"))
    latest = {c.task_id: c for c in FollowUpCheck.objects.filter(visit=visit).order_by("created", "pk")}
    for item in items:
        item.result = latest.get(item.task_id)
    return items


def _may_record(user, task: Task, visit: Visit | None) -> bool:
    if is_office(user, task.plan.cycle):
        return True
    # a member of the follow-up visit's team records the on-site result of a task on its checklist
    return visit is not None and fieldwork.seat_of(user, visit.team) is not None


def record_followup(task: Task, user, *, followup: FollowUpDraw | None, verdict: str, note: str,
                    visited_on=None, file=None, today: date | None = None, visit: Visit | None = None
                    ) -> FollowUpCheck:
    """What the office (or, on a follow-up visit, its team) found on site for one task of a region the
    follow-up draw chose. 不属实 on a closed task opens it again (the region must rectify and report anew)."""
    if not _may_record(user, task, visit):
        raise RectificationError("只有组织本次评价的督导办或回头看核查组成员可以记录整改回头看核查")
    today = today or timezone.localdate()
    if visit is not None:
        item = FollowUpItem.objects.filter(visit=visit, task=task).select_related("followup").first()
        if item is None:
            raise RectificationError("该整改任务不在本次回头看的核查清单中")
        followup = item.followup
    if followup is None or followup not in chosen_followups(task):
        raise RectificationError(f"{task.plan.region.name}未被回头看抽签抽中，不能记录回头看核查")
    if task.state == Task.State.DRAFT:
        raise RectificationError("整改方案尚未审核通过，没有可核查的整改")
    if verdict not in FollowUpCheck.Verdict.values:
        raise RectificationError("请选择核查结论：属实或不属实", {"verdict": "请选择核查结论"})
    note = (note or "").strip()
    if not note or len(note) > MAX_NOTE:
        raise RectificationError(f"请填写核查情况（不超过{MAX_NOTE}字）", {"note": "请填写核查情况"})
    day = _visit_day(visited_on, today)
    stored = _store_files([file] if file and file[0] is not None else [])
    try:
        with transaction.atomic():
            t = Task.objects.select_for_update().select_related("plan__region").get(pk=task.pk)
            before = t.state
            reopen = verdict == FollowUpCheck.Verdict.FALSE and t.state == Task.State.CLOSED
            check = FollowUpCheck.objects.create(task=t, followup=followup, verdict=verdict, note=note, visit=visit,
                                                 visited_on=day, state_before=before, reopened=reopen, by=user)
            for filename, s, kind in stored:
                EvidenceFile.objects.create(followup=check, filename=filename, stored_name=s.name,
                                            content_type=kind.content_type, size=s.size, sha256=s.sha256)
            log_action("rectification.followup.record", actor=user, obj=t, region=t.plan.region,
                       data={"draw": followup.draw_id, "visit": visit.pk if visit else None, "verdict": verdict, "note": note[:500],
                             "visited_on": day.isoformat(), "state": before,
                             "files": [{"name": f, "sha256": s.sha256} for f, s, _ in stored]})
            if reopen:
                closure = t.closure
                t.state, t.closure, t.closed_at, t.closed_by = Task.State.OPEN, "", None, None
                t.save(update_fields=["state", "closure", "closed_at", "closed_by"])
                log_action("rectification.task.reopen", actor=user, obj=t, region=t.plan.region,
                           data={"before": before, "closure": closure, "reason": note[:500], "check": check.pk})
                _notify_region(t.plan.region, "returned", "回头看核查不属实，整改任务重新打开", note[:200],
                               reverse("rect-task", args=[t.pk]), t.department_id)
                ledger_changed(t.plan.cycle, t.plan.region, "回头看不属实，整改任务重新打开")
    except BaseException:
        for _, s, _ in stored:
            uploads.discard(FOLDER, s.name)
        raise
    task.refresh_from_db()
    return check
