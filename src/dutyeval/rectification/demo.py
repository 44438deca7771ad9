"""Rectification in the demo: last year's cycle answered by 晋城市's counties, so the dashboard, a plan,
tasks in every state, a data target and the rectification report have something real to show.

Everything goes through the services a user's clicks go through (findings generated from the
results, confirmed by the office, planned by the county, approved, reported, closed); only the day
the problems were found is set back to the end of last year's publicity, as it would be on record.
"""

from __future__ import annotations

import io
from datetime import timedelta

from django.utils import timezone

from dutyeval.accounts.models import User
from dutyeval.departments.models import Department
from dutyeval.evaluation.models import Cycle
from dutyeval.schemes.models import Indicator

from . import services
from .models import Finding, Plan

WALKTHROUGH = "140525"  # 泽州县: its coordinator c140525 sees the plan in every state


def _pdf() -> bytes:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument.new()
    doc.new_page(595, 842)
    buf = io.BytesIO()
    doc.save(buf)
    doc.close()
    return buf.getvalue()


def add_demo_rectification(cycle: Cycle) -> dict[str, int]:
    """Findings for the walkthrough county's city in `cycle` (finished); the walkthrough county (泽州县,
    or in another province its first county) answers them."""
    office = User.objects.filter(role=User.Role.PROVINCE_ADMIN, region=cycle.root).order_by("pk").first()
    subs = cycle.submissions.select_related("region").order_by("region__code")
    first = subs.filter(region__code=WALKTHROUGH).first() or subs.first()
    if office is None or first is None:
        return {}
    counties = [s.region for s in subs.filter(region__parent_id=first.region.parent_id)]
    services.generate_findings(cycle, office, regions=counties)
    found = cycle.stages.get(kind="publicity").ends
    Finding.objects.filter(cycle=cycle).update(found_on=found)
    plans = 0
    for region in counties:
        if Finding.objects.filter(cycle=cycle, region=region, state=Finding.State.DRAFT).exists():
            services.confirm_findings(cycle, region, office)
            plans += 1
    tasks = _answer(cycle, first.region, office)
    return {"plans": plans, "tasks": tasks}


def _lead(departments: list[Department], lead: str) -> Department:
    """The scheme's 牵头单位 of the item when the county has that department, else the first one."""
    names = [n for n in lead.replace("，", "、").split("、") if n]
    return next((d for n in names for d in departments if d.name == n or d.name.endswith(n)), departments[0])


def _answer(cycle: Cycle, region, office) -> int:
    coordinator = User.objects.filter(role=User.Role.COUNTY_COORDINATOR, region=region).first()
    departments = list(Department.objects.filter(region=region, active=True).order_by("order", "pk"))
    if coordinator is None or not departments:
        return 0
    plan = Plan.objects.get(cycle=cycle, region=region)
    today = timezone.localdate()
    leads = dict(Indicator.objects.filter(scheme=cycle.scheme).values_list("code", "department"))
    findings = list(Finding.objects.filter(cycle=cycle, region=region, state=Finding.State.CONFIRMED).order_by("order"))
    tasks = []
    for i, f in enumerate(findings):
        large = "大班额" in f.theme + f.text
        data = services.TaskInput(
            finding=f.pk, department=_lead(departments, leads.get(f.indicator_code, "")).pk,
            measures=f"针对“{f.text.split('：')[0].split('未')[0][:40]}”的问题，制定专项整改方案，明确时间表和路线图，"
                     f"{'新建、改扩建校舍，分批消除超大班额' if large else '落实经费和人员保障'}，按月调度进展。",
            # the first task fell due a month ago (the dashboard shows it overdue); the rest within the year
            deadline=today - timedelta(days=30) if i == 0 else today + timedelta(days=(60, 120, 180, 270)[i % 4]),
            target_element="classes_super_large" if large else "", target_op="le" if large else "",
            target_value="0" if large else "", target_by=today + timedelta(days=270) if large else None,
        )
        tasks.append(services.save_task(plan, coordinator, data))
    services.submit_plan(plan, coordinator)
    services.approve_plan(plan, office)
    for task in tasks[1:2]:  # one closed with evidence (验收销号)
        task.refresh_from_db()
        services.report_progress(task, coordinator, text="整改措施已全部落实，相关文件和验收材料见附件。",
                                 files=[(io.BytesIO(_pdf()), "整改验收材料.pdf")], asks_closure=True)
        services.close_task(task, office, note="材料齐全，同意销号")
    for task in tasks[2:3]:  # one in progress
        task.refresh_from_db()
        services.report_progress(task, coordinator, text="已完成前期调研，整改方案已报县政府常务会议审议。")
    return len(tasks)
