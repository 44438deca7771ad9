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

from .models import EvidenceFile, FollowUpCheck, FollowUpDraw, Task
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


def record_followup(task: Task, user, *, followup: FollowUpDraw | None, verdict: str, note: str,
                    visited_on=None, file=None, today: date | None = None) -> FollowUpCheck:
    """What the office found on site for one task of a region the follow-up draw chose. 不属实 on a
    closed task opens it again (the region must rectify and report anew)."""
    _require_office(user, task.plan.cycle, "记录整改回头看核查")
    today = today or timezone.localdate()
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
            check = FollowUpCheck.objects.create(task=t, followup=followup, verdict=verdict, note=note,
                                                 visited_on=day, state_before=before, reopened=reopen, by=user)
            for filename, s, kind in stored:
                EvidenceFile.objects.create(followup=check, filename=filename, stored_name=s.name,
                                            content_type=kind.content_type, size=s.size, sha256=s.sha256)
            log_action("rectification.followup.record", actor=user, obj=t, region=t.plan.region,
                       data={"draw": followup.draw_id, "verdict": verdict, "note": note[:500],
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
    except BaseException:
        for _, s, _ in stored:
            uploads.discard(FOLDER, s.name)
        raise
    task.refresh_from_db()
    return check
