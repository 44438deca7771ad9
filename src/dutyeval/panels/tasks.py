"""What panels add to 我的待办 (web/views/cycle.py home): a reviewer's panels, a region's 补充材料."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from .models import Panel, PanelMember, SupplementRequest


def reviewer_tasks(user, tasks: list[dict]) -> list[dict]:
    """A reviewer of a panel cycle sees one task per panel of theirs and no cycle-wide review task:
    the regions of other panels are not theirs to open."""
    seats = list(PanelMember.objects.filter(reviewer=user).select_related(
        "panel__submission__region", "panel__submission__cycle").order_by(
        "-panel__submission__cycle__year", "panel__submission__region__code"))
    panel_cycles = set(Panel.objects.filter(submission__cycle__in=[t["cycle"] for t in tasks if t.get("cycle")])
                       .values_list("submission__cycle_id", flat=True))
    out = []
    for seat in seats:
        panel, sub = seat.panel, seat.panel.submission
        if panel.decided_at:
            what, state, label, open_ = "评审完成", "accepted", "已完成", False
        elif panel.reconciled_at:
            decides = seat.decides
            what = "评分差异超过阈值的项目待组长裁定" if decides else "已汇总，等待组长裁定"
            state, label, open_ = ("submitted", "待裁定", True) if decides else ("accepted", "待裁定", False)
        elif seat.signed_off_at or not seat.scores_items:
            what, state, label, open_ = "已提交评分，等待其他成员", "accepted", "已提交", False
        elif sub.state in ("submitted", "forwarded", "accepted"):
            what, state, label, open_ = "独立评分（各项评分并填写意见后提交）", "submitted", "待评分", True
        else:
            what, state, label, open_ = "材料尚未提交，暂不能评分", "draft", "未提交", False
        out.append({"title": f"{sub.cycle.name} · {sub.region.name}", "url": reverse("panel", args=[sub.pk]),
                    "what": f"评审组{seat.get_role_display()}：{what}", "due": None, "state": state,
                    "state_label": label, "open": open_, "panel": True})
    return out + [t for t in tasks if t.get("cycle") is None or t["cycle"].pk not in panel_cycles]


def supplement_tasks(user) -> list[dict]:
    """A region's coordinator: each open request of a panel for 补充材料, with its deadline."""
    today = timezone.localdate()
    out = []
    for req in SupplementRequest.objects.filter(submission__region_id=user.region_id, state=SupplementRequest.State.OPEN
                                                ).select_related("submission__cycle", "indicator"):
        out.append({"title": req.submission.cycle.name, "url": reverse("supplement", args=[req.submission_id]),
                    "what": f"评审组要求补充材料：{req.indicator.code} {req.indicator.title}", "note": "",
                    "due": timezone.make_aware(datetime.datetime.combine(req.deadline, datetime.time(23, 59))),
                    "overdue": req.deadline < today,
                    "state": "returned", "state_label": "待补充", "open": True})
    return out
