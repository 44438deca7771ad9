"""The rectification report (整改情况报告, region → office) and the 督办 notice (office → region) as
official documents, Word and PDF, through the documents app's pipeline without changing it: the
content is a core.documents OfficialDoc, rendered by `documents.render.render_docx` with the shipped
GB/T 9704 templates (the self report's for the region's report, the feedback report's — red 版头 of
the office — for the notice) and converted by `documents.pdf.convert`. The files are ours
(RectDocument, MEDIA_ROOT/rectification_docs/), served by our permission-checked views.

The report follows the HZ report in seed 003: the office's notice received → 一、整改工作落实情况 with
one “（一）关于……” section per problem (the problem with its figures, then the measures numbered
1. 2. …, each with its department, deadline, progress and figures) → 二、下一步工作打算.
"""

from __future__ import annotations

import re
import tempfile
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from dutyeval.audit.services import log_action
from dutyeval.core.catalogue import year_label
from dutyeval.core.documents.compose import cn
from dutyeval.core.documents.model import OfficialDoc, Para, fmt_number
from dutyeval.documents import pdf as pdfmod
from dutyeval.documents.render import render_docx
from dutyeval.evaluation.models import Cycle

from .models import Finding, Plan, RectDocument, Task
from .rules import RectificationError, catalogue, is_coordinator, is_office, target_text

FOLDER = "rectification_docs"
REPORT_TEMPLATE, NOTICE_TEMPLATE = "self_report", "feedback"


def _office(cycle: Cycle) -> str:
    return f"{cycle.root.name}人民政府教育督导委员会办公室"


def _d(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _short(text: str, n: int = 36) -> str:
    head = re.split(r"[：。；]", text, maxsplit=1)[0].strip()
    return head if len(head) <= n else head[:n] + "…"


def _figures(f: Finding) -> str:
    parts = []
    for x in f.figures or []:
        if x.get("value") is None:
            continue
        unit = x.get("unit") or ""
        el = catalogue().by_code.get(x.get("code") or "")
        year = year_label(int(x["year"]), el.year_kind if el else "finance") if x.get("year") else ""
        parts.append(f"{year}{x.get('name') or x.get('code')}{fmt_number(x['value'], unit)}{unit}")
    return "；".join(parts)


def _task_lines(t: Task, today: date) -> str:
    text = t.measures.strip().rstrip("。") + "。"
    text += f"由{t.department.name}负责，整改时限为{_d(t.deadline)}。"
    if t.target_element:
        text += f"整改目标：{target_text(t)}。"
    last = t.reports.order_by("-created").first()
    if last is not None:
        text += f"{last.period}进展：{last.text.strip().rstrip('。')}。"
    if t.state == Task.State.CLOSED and t.closure == Task.Closure.DATA:
        unit = ""
        el = catalogue().by_code.get(t.target_element)
        unit = el.unit if el else ""
        text += (f"经核验，{t.checked_year}年该项数据为{fmt_number(t.checked_value, unit)}{unit}，"
                 f"达到整改目标，已按数据达标销号。")
    elif t.state == Task.State.CLOSED:
        text += f"已于{_d(timezone.localtime(t.closed_at).date())}通过验收销号。"
    elif t.overdue_on(today):
        text += f"该任务已超过整改时限，{'已被督办，' if t.escalated_at else ''}正在加紧整改。"
    elif t.state == Task.State.PENDING:
        text += "已申请验收销号，待督导办验收。"
    else:
        text += "正在按计划推进。"
    return text


def compose_report(plan: Plan, today: date) -> OfficialDoc:
    cycle, region = plan.cycle, plan.region
    findings = list(Finding.objects.filter(cycle=cycle, region=region, state=Finding.State.CONFIRMED)
                    .order_by("order", "pk"))
    tasks = {f.pk: list(plan.tasks.filter(finding=f).select_related("department").order_by("pk")) for f in findings}
    we = f"{region.name}人民政府"
    body = [
        Para("p", [f"你办对我{'县' if region.level == 'county' else '市'}{cycle.year}年履行教育职责评价"
                   f"反馈的问题收悉。{we}高度重视，对照反馈指出的{len(findings)}个问题，组织相关部门逐条逐项解剖分析，"
                   "认真研究对策，切实加以整改。现将有关情况报告如下。"]),
        Para("h1", ["一、整改工作落实情况"]),
    ]
    for n, f in enumerate(findings, start=1):
        body.append(Para("h2", [f"（{cn(n)}）关于{_short(f.text)}的问题。"]))
        problem = f"反馈问题：{f.text.strip()}"
        figs = _figures(f)
        if figs:
            problem = problem.rstrip("。") + f"（{figs}）。"
        body.append(Para("p", [problem]))
        for k, t in enumerate(tasks[f.pk], start=1):
            body.append(Para("p", [_task_lines(t, today)], lead=f"{k}."))
        if not tasks[f.pk]:
            body.append(Para("p", ["（尚未制定整改措施。）"]))
    body.append(Para("h1", ["二、下一步工作打算"]))
    live = [t for ts in tasks.values() for t in ts if t.state != Task.State.CLOSED]
    body.append(Para("p", [f"{we}将以此次评价为契机，坚持问题导向，压实部门责任，对尚未完成的整改任务实行清单管理、"
                           "挂图作战，定期调度，确保按期整改到位；对已完成的整改事项巩固成效，防止问题反弹。"]))
    for n, t in enumerate(live, start=1):
        when = "已超过整改时限，抓紧整改，尽快整改到位" if t.overdue_on(today) else f"确保{_d(t.deadline)}前整改到位"
        line = f"（{cn(n)}）{_short(t.measures, 30)}。由{t.department.name}负责，{when}"
        if t.target_element:
                    line += f"，实现{target_text(t)}"
        body.append(Para("p", [line + "。"]))
    if not live:
        body.append(Para("p", ["反馈问题已全部整改销号。"]))
    return OfficialDoc(
        kind=REPORT_TEMPLATE,
        issuer_mark=we,
        number=f"〔{today.year}〕　　号",
        title=f"{we}关于{cycle.year}年履行教育职责评价反馈问题整改情况的报告",
        addressee=f"{_office(cycle)}：",
        body=body,
        signature=we,
        date=today,
    )


def compose_notice(t: Task, today: date, note: str = "") -> OfficialDoc:
    cycle, region, f = t.plan.cycle, t.plan.region, t.finding
    office = _office(cycle)
    late = (today - t.deadline).days
    you = "你县（市、区）" if region.level == "county" else "你市"
    body = [
        Para("p", [f"{you}在{cycle.name}中反馈的“{_short(f.text, 60)}”问题，经审核的整改方案明确由{t.department.name}"
                   f"负责，整改措施为：{t.measures.strip().rstrip('。')}，整改时限为{_d(t.deadline)}。"]),
        Para("p", [f"截至{_d(today)}，该项整改任务尚未验收销号，已超过整改时限{late}天。现予督办，"
                   f"请{region.name}人民政府切实履行整改主体责任，督促{t.department.name}加快整改，"
                   f"于{_d(today + timedelta(days=15))}前将整改进展及佐证材料报送我办。"]),
    ]
    if t.interview:
        body.append(Para("p", [f"鉴于该问题整改逾期，经研究，将{region.name}人民政府列入约谈名单，约谈时间另行通知。"]))
    if note.strip():
        body.append(Para("p", [note.strip()]))
    return OfficialDoc(
        kind=NOTICE_TEMPLATE,
        issuer_mark=office,
        number=f"〔{today.year}〕　　号",
        title=f"关于督促{region.name}加快履行教育职责评价问题整改的通知",
        addressee=f"{region.name}人民政府：",
        body=body,
        signature=office,
        date=today,
    )


def file_path(relative: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relative


def _store(cycle, region, kind: str, doc: OfficialDoc, user, task=None, pdf: bool = True) -> RectDocument:
    docx = render_docx(doc)
    pdf_bytes, pdf_error = None, ""
    if pdf:
        with tempfile.TemporaryDirectory(prefix="dutyeval-rect-") as tmp:
            src = Path(tmp) / "doc.docx"
            src.write_bytes(docx)
            try:
                pdf_bytes = pdfmod.convert([src], Path(tmp) / "pdf")[0].read_bytes()
            except pdfmod.PdfUnavailable as exc:
                pdf_error = str(exc)[:300]
    with transaction.atomic():
        Cycle.objects.select_for_update().filter(pk=cycle.pk).first()
        version = (RectDocument.objects.filter(cycle=cycle, region=region, kind=kind).aggregate(m=Max("version"))["m"]
                   or 0) + 1
        folder = Path(FOLDER) / str(cycle.pk) / kind
        file_path(str(folder)).mkdir(parents=True, exist_ok=True)
        stem = f"{region.code}-{RectDocument.Kind(kind).label}-v{version}"
        docx_rel = str(folder / f"{stem}.docx")
        file_path(docx_rel).write_bytes(docx)
        pdf_rel = ""
        if pdf_bytes is not None:
            pdf_rel = str(folder / f"{stem}.pdf")
            file_path(pdf_rel).write_bytes(pdf_bytes)
        rd = RectDocument.objects.create(cycle=cycle, region=region, kind=kind, task=task, version=version,
                                         title=doc.title, content=doc.to_json(), docx_path=docx_rel, pdf_path=pdf_rel,
                                         pdf_error=pdf_error, created_by=user)
        log_action(f"rectification.{kind}.generate", actor=user, obj=rd, region=region,
                   data={"version": version, "task": task.pk if task else None, "pdf": bool(pdf_rel)})
    return rd


def generate_report(plan: Plan, user, *, pdf: bool = True, today: date | None = None) -> RectDocument:
    """A new version of the region's rectification report, by its coordinator or the office."""
    if not (is_coordinator(user, plan.region) or is_office(user, plan.cycle)):
        raise RectificationError("只有本地区填报联络员或组织评价的督导办可以生成整改情况报告")
    if not plan.tasks.exists():
        raise RectificationError("整改方案尚无任务，不能生成整改情况报告")
    doc = compose_report(plan, today or timezone.localdate())
    return _store(plan.cycle, plan.region, RectDocument.Kind.REPORT, doc, user, pdf=pdf)


def generate_notice(task: Task, user, *, note: str = "", pdf: bool = True, today: date | None = None) -> RectDocument:
    doc = compose_notice(task, today or timezone.localdate(), note)
    return _store(task.plan.cycle, task.plan.region, RectDocument.Kind.NOTICE, doc, user, task=task, pdf=pdf)
