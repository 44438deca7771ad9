"""The office's periodic rectification bulletin (整改进展通报; 菏泽's “周调度、月通报”): where every
region stands on a day — tasks, closed, open, overdue, the closure rate — with the overdue tasks named
and the regions that must catch up told so, as an official document (red 版头 of the office, Word and
PDF) through the same pipeline as the 督办 notice. Counts are read on the day it is issued."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from dutyeval.core.documents.compose import cn
from dutyeval.core.documents.model import Annex, OfficialDoc, Para, Table

from .documents import NOTICE_TEMPLATE, _d, _office, _short, _store
from .models import RectDocument, Task
from .progress import Tally, tally
from .rules import RectificationError, is_office


def _rate(t: Tally) -> str:
    if not t.total:
        return "—"
    return f"{(Decimal(100) * t.closed / t.total).quantize(Decimal('0.1'))}%"


def compose_bulletin(cycle, tasks: list[Task], today: date) -> OfficialDoc:
    """`tasks`: the cycle's tasks of approved plans, with plan.region and department loaded."""
    by_region = tally(tasks, lambda t: t.plan.region.name, today)
    total = dict(tally(tasks, lambda t: "all", today)).get("all", Tally())
    overdue = sorted((t for t in tasks if t.overdue_on(today)), key=lambda t: (t.plan.region.code, t.deadline))
    unit = "县（市、区）" if cycle.level == "county" else "市"
    body = [
        Para("p", [f"根据{cycle.name}问题整改工作安排，现将截至{_d(today)}各{unit}整改进展情况通报如下。"]),
        Para("h1", ["一、总体进展"]),
        Para("p", [f"{len(by_region)}个{unit}共制定整改任务{total.total}项，已验收销号{total.closed}项"
                   f"（其中逾期销号{total.closed_late}项），尚未销号{total.total - total.closed}项，"
                   f"其中已超过整改时限{total.overdue}项、已申请验收{total.pending}项，总体销号率{_rate(total)}。"
                   "各地进展见附件。"]),
        Para("h1", ["二、逾期未完成的整改任务"]),
    ]
    if not overdue:
        body.append(Para("p", ["截至通报之日，没有超过整改时限未销号的任务。"]))
    for n, t in enumerate(overdue, start=1):
        late = (today - t.deadline).days
        body.append(Para("p", [f"（{cn(n)}）{t.plan.region.name}：{_short(t.finding.text, 40)}。由{t.department.name}负责，"
                               f"整改时限{_d(t.deadline)}，已逾期{late}天{'，已督办' if t.escalated_at else ''}。"]))
    body.append(Para("h1", ["三、工作要求"]))
    late_regions = sorted({t.plan.region.name for t in overdue})
    ask = (f"请{'、'.join(late_regions)}人民政府对逾期任务逐项分析原因，压实责任部门，"
           f"于{_d(today + timedelta(days=15))}前报送整改进展和佐证材料；逾期仍未整改到位的，将予以督办直至约谈。"
           if late_regions else "")
    body.append(Para("p", ["各地要坚持问题导向，对照整改方案按期推进，按规定频次报送整改进展，"
                           "已销号的任务要巩固成效、防止反弹。" + ask]))
    # the feedback template's six columns (12, 60, 15, 19, 19, 31 mm; the three counts centred)
    rows = [[str(n), name, str(t.total), str(t.closed), f"{t.total - t.closed}（{t.overdue}）", _rate(t)]
            for n, (name, t) in enumerate(by_region, start=1)]
    table = Table(headers=["序号", "地区", "任务数", "已销号", "未销号（逾期）", "销号率"], rows=rows,
                  widths_mm=[12, 60, 15, 19, 19, 31])
    return OfficialDoc(
        kind=NOTICE_TEMPLATE, issuer_mark=_office(cycle), number=f"〔{today.year}〕　　号",
        title=f"关于{cycle.year}年履行教育职责评价问题整改进展情况的通报（截至{today.month}月{today.day}日）",
        addressee=f"各{unit}人民政府：", body=body, signature=_office(cycle), date=today,
        annexes=[Annex(title=f"各{unit}整改进展情况表", table=table)],
    )


def generate_bulletin(cycle, user, *, pdf: bool = True, today: date | None = None) -> RectDocument:
    """A new version of the cycle's bulletin, by the office running it (audited by `_store`)."""
    if not is_office(user, cycle):
        raise RectificationError("只有组织评价的督导办可以印发整改进展通报")
    tasks = list(Task.objects.filter(plan__cycle=cycle).exclude(state=Task.State.DRAFT)
                 .select_related("plan__region", "finding", "department"))
    if not tasks:
        raise RectificationError("尚无审核通过的整改任务，不能印发整改进展通报")
    doc = compose_bulletin(cycle, tasks, today or timezone.localdate())
    return _store(cycle, cycle.root, RectDocument.Kind.BULLETIN, doc, user, pdf=pdf)
