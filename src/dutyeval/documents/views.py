"""Pages of the documents app: a cycle's documents, generation, the web view in which every figure
links to its source, downloads within scope, publication, typical cases, the results workbook."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from dutyeval.accounts import scoping
from dutyeval.core.documents.model import Fig, OfficialDoc, title_lines
from dutyeval.evaluation.models import Cycle, Narrative, Submission
from dutyeval.regions.models import Region

from . import services
from .content import COMPLETE, DocumentRefused
from .excel import results_workbook
from .models import REGIONAL_KINDS, DocumentJob, DocumentKind, GeneratedDocument, TypicalCase


def _cycle_for(user, pk: int) -> Cycle:
    """A cycle the user takes part in: its office's region is in scope, or the user's region is under it."""
    cycle = get_object_or_404(Cycle.objects.select_related("scheme", "root"), pk=pk)
    inside = user.region_id is not None and cycle.root.contains(user.region)
    # department users fill their share; the region's documents are the coordinator's and the office's
    if scoping.is_department_user(user) or not (scoping.can_view_region(user, cycle.root) or inside):
        raise Http404
    return cycle


def _office(user, cycle: Cycle) -> bool:
    return scoping.runs_cycle(user, cycle)


def can_generate(user, cycle: Cycle, kind: str, region: Region | None) -> bool:
    if kind == DocumentKind.SELF_REPORT and region is not None:
        return scoping.can_edit_region_data(user, region) or scoping.can_administer(user, region)
    return _office(user, cycle)


def can_see(user, gd: GeneratedDocument) -> bool:
    """In scope (a county its own, an office its province), and a draft only for who drafts it: the
    county its self report, the office and reviewers everything."""
    region = gd.region or gd.cycle.root
    if scoping.is_department_user(user) or not scoping.can_view_region(user, region):
        return False
    if gd.published or gd.kind == DocumentKind.SELF_REPORT:
        return True
    return scoping.sees_cycle(user, gd.cycle)


def _document_for(user, pk: int) -> GeneratedDocument:
    gd = get_object_or_404(
        GeneratedDocument.objects.select_related("cycle__root", "region", "created_by"), pk=pk
    )
    if not can_see(user, gd):
        raise Http404  # not found and not yours look the same
    return gd


@login_required
def cycle_documents(request, pk: int):
    cycle = _cycle_for(request.user, pk)
    visible = scoping.visible_regions(request.user)
    docs = [
        d
        for d in GeneratedDocument.objects.filter(cycle=cycle)
        .select_related("region", "cycle__root", "created_by")
        .order_by("kind", "region__code", "-version")
        if can_see(request.user, d)
    ]
    latest, seen = [], set()
    for d in docs:
        key = (d.kind, d.region_id)
        if key not in seen:
            seen.add(key)
            latest.append(d)
    office = _office(request.user, cycle)
    own = None
    if request.user.region_id and not office:
        own = (
            Submission.objects.filter(cycle=cycle, region_id=request.user.region_id)
            .select_related("region")
            .first()
        )
    regions = (
        Submission.objects.filter(cycle=cycle, region__in=visible)
        .select_related("region")
        .order_by("region__code")
    )
    return render(
        request,
        "documents/cycle.html",
        {
            "cycle": cycle,
            "docs": latest,
            "versions": len(docs),
            "office": office,
            "own": own,
            "can_self_report": own is not None
            and can_generate(request.user, cycle, DocumentKind.SELF_REPORT, own.region),
            "submissions": regions if office else [],
            "kinds": DocumentKind.choices,
            "job": DocumentJob.objects.filter(cycle=cycle).first() if office else None,
            "can_export": scoping.sees_cycle(request.user, cycle),
            "complete": [s.value for s in COMPLETE],
        },
    )


@login_required
@require_POST
def generate(request, pk: int):
    cycle = _cycle_for(request.user, pk)
    kind = request.POST.get("kind", "")
    if kind not in DocumentKind.values:
        messages.error(request, "请选择要生成的文种。")
        return redirect("documents:cycle", pk=pk)
    region = None
    if kind in REGIONAL_KINDS:
        code = request.POST.get("region", "").strip()
        region = Region.objects.filter(code=code).first()
        if region is None or not Submission.objects.filter(cycle=cycle, region=region).exists():
            messages.error(request, "请选择本评价周期的被评价区域。")
            return redirect("documents:cycle", pk=pk)
        scoping.require_view(request.user, region)
    if not can_generate(request.user, cycle, kind, region):
        raise Http404
    try:
        gd = services.generate_document(
            cycle, kind, region, user=request.user, number=request.POST.get("number", "").strip()[:64]
        )
    except DocumentRefused as exc:
        messages.error(request, str(exc))
        return redirect("documents:cycle", pk=pk)
    if gd.pdf_error:
        messages.warning(request, gd.pdf_error)
    messages.success(request, f"已生成《{gd.title}》第{gd.version}版（草稿）。")
    return redirect("documents:document", pk=gd.pk)


@login_required
@require_POST
def bulk(request, pk: int):
    cycle = _cycle_for(request.user, pk)
    if not _office(request.user, cycle):
        raise Http404
    kinds = [k for k in request.POST.getlist("kinds") if k in DocumentKind.values]
    if not kinds:
        messages.error(request, "请至少选择一个文种。")
        return redirect("documents:cycle", pk=pk)
    services.schedule_bulk(cycle, kinds, request.user, with_pdf=request.POST.get("pdf", "1") == "1")
    messages.success(request, "已开始批量生成，进度见下方。")
    return redirect("documents:cycle", pk=pk)


@login_required
def job_status(request, pk: int):
    cycle = _cycle_for(request.user, pk)
    if not _office(request.user, cycle):
        raise Http404
    return render(
        request,
        "documents/_job.html",
        {"cycle": cycle, "job": DocumentJob.objects.filter(cycle=cycle).first()},
    )


def describe(source: dict) -> list[tuple[str, str]]:
    """A figure's source as label/value lines (the web view's 数据来源 table)."""
    kind = source.get("kind")
    lines = []
    if kind == "value":
        lines = [
            ("数据项", f"{source.get('name')}（{source.get('element')}）"),
            ("区域", f"{source.get('region_name')}（{source.get('region')}）"),
            ("年度", f"{source.get('year')}年"),
            ("数值", f"{source.get('value')} {source.get('unit')}"),
            ("来源", source.get("origin", "")),
            ("填报人", source.get("who", "")),
            ("填报时间", source.get("when", "")),
        ]
    else:
        if source.get("indicator"):
            lines.append(("指标", f"{source['indicator']} {source.get('title', '')}"))
        if source.get("region_name"):
            lines.append(("区域", source["region_name"]))
        lines.append(("计算规则", source.get("rule", "")))
        for key, label in (
            ("explanation", "计算过程"),
            ("standard_source", "标准依据"),
            ("who", "评分人"),
            ("when", "时间"),
        ):
            if source.get(key):
                lines.append((label, source[key]))
        if source.get("regions"):
            lines.append(("涉及区域", "、".join(source["regions"])))
        if source.get("items"):
            lines.append(("涉及指标", "、".join(source["items"])))
    return [(k, str(v)) for k, v in lines if v not in (None, "")]


def _web_view(doc: OfficialDoc):
    """Number every figure once, in reading order; paragraphs and table cells refer to the numbers."""
    sources = []

    def runs(items):
        out = []
        for r in items:
            if isinstance(r, Fig):
                sources.append(
                    {
                        "n": len(sources) + 1,
                        "fig": r,
                        "lines": describe(r.source),
                        "url": r.source.get("url", ""),
                        "inputs": [{"fig": i, "lines": describe(i)} for i in r.source.get("inputs", [])],
                    }
                )
                out.append({"text": r.text, "n": len(sources)})
            else:
                out.append({"text": r})
        return out

    body = [{"kind": p.kind, "lead": p.lead, "runs": runs(p.runs)} for p in doc.body]
    annexes = []
    for a in doc.annexes:
        entry = {
            "title": a.title,
            "title_lines": title_lines(a.title),
            "body": [{"kind": p.kind, "lead": p.lead, "runs": runs(p.runs)} for p in a.body],
        }
        if a.table:
            emphasis = a.table.emphasis or [False] * len(a.table.rows)
            entry["table"] = {
                "headers": a.table.headers,
                "rows": [
                    {"cells": [runs([c]) for c in row], "bold": b}
                    for row, b in zip(a.table.rows, emphasis, strict=True)
                ],
            }
        annexes.append(entry)
    return body, annexes, sources


@login_required
def document(request, pk: int):
    gd = _document_for(request.user, pk)
    doc = OfficialDoc.from_json(gd.content)
    body, annexes, sources = _web_view(doc)
    versions = [
        d
        for d in GeneratedDocument.objects.filter(cycle=gd.cycle, kind=gd.kind, region=gd.region)
        .select_related("cycle__root", "region")
        .order_by("-version")
        if can_see(request.user, d)
    ]
    return render(
        request,
        "documents/document.html",
        {
            "gd": gd,
            "doc": doc,
            "title_lines": title_lines(doc.title),
            "body": body,
            "annexes": annexes,
            "sources": sources,
            "versions": versions,
            "can_publish": not gd.published and can_generate(request.user, gd.cycle, gd.kind, gd.region),
        },
    )


@login_required
@require_POST
def publish(request, pk: int):
    gd = _document_for(request.user, pk)
    if not can_generate(request.user, gd.cycle, gd.kind, gd.region):
        raise Http404
    try:
        services.publish_document(gd, request.user)
    except DocumentRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, f"《{gd.title}》第{gd.version}版已发布，文件已冻结（SHA-256 {gd.docx_sha256[:16]}…）。"
        )
    return redirect("documents:document", pk=pk)


def _download(gd: GeneratedDocument, relative: str, suffix: str, content_type: str):
    path = services.file_path(relative) if relative else None
    if path is None or not path.exists():
        raise Http404
    name = f"{gd.title}（第{gd.version}版）.{suffix}"
    return FileResponse(path.open("rb"), content_type=content_type, as_attachment=True, filename=name)


@login_required
def download_docx(request, pk: int):
    gd = _document_for(request.user, pk)
    return _download(
        gd, gd.docx_path, "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )


@login_required
def download_pdf(request, pk: int):
    gd = _document_for(request.user, pk)
    return _download(gd, gd.pdf_path, "pdf", "application/pdf")


@login_required
def cases(request, pk: int):
    cycle = _cycle_for(request.user, pk)
    if not _office(request.user, cycle):
        raise Http404
    if request.method == "POST":
        ids = [int(x) for x in request.POST.getlist("narrative") if x.isdigit()]
        n = services.choose_cases(cycle, request.user, ids)
        messages.success(request, f"已选定 {n} 条典型案例，生成评价报告时列入附件。")
        return redirect("documents:cases", pk=pk)
    chosen = set(TypicalCase.objects.filter(cycle=cycle).values_list("narrative_id", flat=True))
    narratives = (
        Narrative.objects.filter(
            submission__cycle=cycle,
            submission__state__in=[s.value for s in COMPLETE],
            submission__region__in=scoping.visible_regions(request.user),
        )
        .exclude(text="")
        .select_related("submission__region")
        .order_by("submission__region__code", "area_code")
    )
    return render(
        request, "documents/cases.html", {"cycle": cycle, "narratives": narratives, "chosen": chosen}
    )


@login_required
def results_xlsx(request, pk: int):
    cycle = _cycle_for(request.user, pk)
    if not scoping.sees_cycle(request.user, cycle):
        raise Http404
    data = results_workbook(cycle, scoping.visible_regions(request.user))
    resp = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = f"attachment; filename=results-{cycle.pk}.xlsx"
    return resp
