"""Generating and publishing official documents: named service functions with audit records.

generate_document()  one document (one region's self report or feedback report, or the province's
                     report or notice): content from the data, .docx, PDF, a new draft version
publish_document()   draft → published: frozen, with the SHA-256 of its files on record
choose_cases()       the office's choice of typical cases for the provincial report's annex
schedule_bulk()      every region's documents as a background job with progress
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from datetime import date
from functools import partial
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from huey.contrib.djhuey import db_task

from dutyeval.audit.services import log_action
from dutyeval.core.documents import compose
from dutyeval.core.documents.model import OfficialDoc
from dutyeval.evaluation.models import Cycle, Narrative, Submission
from dutyeval.evaluation.recompute import word
from dutyeval.regions.models import Region
from dutyeval.release.services import outcomes_by_submission

from . import pdf as pdfmod
from .content import (
    DocumentRefused,
    complete_submissions,
    confirmed_findings,
    cycle_facts,
    region_facts,
    review_complete,
    typical_cases,
)
from .models import REGIONAL_KINDS, DocumentJob, DocumentKind, GeneratedDocument, TypicalCase
from .render import render_docx

FOLDER = "documents"
__all__ = [
    "DocumentRefused",
    "generate_document",
    "publish_document",
    "choose_cases",
    "schedule_bulk",
    "compose_document",
    "file_path",
]


def file_path(relative: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relative


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def compose_document(
    cycle: Cycle, kind: str, region: Region | None = None, *, number: str = "", today: date | None = None
) -> OfficialDoc:
    """The document's content from the data as it stands, or DocumentRefused saying why not."""
    today = today or timezone.localdate()
    c = cycle_facts(cycle)
    if kind in REGIONAL_KINDS:
        if region is None:
            raise DocumentRefused(f"生成{DocumentKind(kind).label}须指定被评价区域。")
        sub = (
            Submission.objects.filter(cycle=cycle, region=region)
            .select_related("region__parent", "cycle__scheme")
            .first()
        )
        if sub is None:
            raise DocumentRefused(f"{region.name}不是本评价周期的被评价区域。")
        if kind == DocumentKind.FEEDBACK:
            if not review_complete(sub):
                raise DocumentRefused(
                    f"{region.name}的评审尚未完成（当前状态：{sub.get_state_display()}），"
                    "不能生成评价督导报告；审核通过后再生成。"
                )
            facts = region_facts(sub, with_result=True)
            facts.findings = confirmed_findings(sub)
            return compose.feedback(c, facts, today, number=number)
        return compose.self_report(c, region_facts(sub, with_result=False), today)
    if kind not in DocumentKind.values:
        raise DocumentRefused(f"未知的文种“{kind}”。")
    subs = list(complete_submissions(cycle))
    if not subs:
        raise DocumentRefused(
            f"本评价周期尚无评审完成（审核通过）的被评价区域，不能生成{DocumentKind(kind).label}。"
        )
    word(cycle, subs)  # the regions a full recompute left unworded, in one pass
    facts = [region_facts(s, with_result=True) for s in subs]
    outcomes = outcomes_by_submission(cycle)
    for sub, fact in zip(subs, facts, strict=True):
        fact.outcomes = outcomes.get(sub.pk, [])
    pending = list(
        Submission.objects.filter(cycle=cycle)
        .exclude(pk__in=[s.pk for s in subs])
        .values_list("region__name", flat=True)
    )
    if kind == DocumentKind.PROVINCIAL:
        return compose.provincial(c, facts, len(pending), typical_cases(cycle, subs), today, number=number)
    return compose.notice(c, facts, pending, today, number=number)


def _filename(doc: OfficialDoc, region: Region | None, version: int) -> str:
    stem = f"{region.code}-{region.name}-" if region else ""
    return f"{stem}{DocumentKind(doc.kind).label}-v{version}"


def _store(
    cycle: Cycle,
    doc: OfficialDoc,
    region: Region | None,
    user,
    number: str,
    docx: bytes,
    pdf_bytes: bytes | None,
    pdf_error: str,
) -> GeneratedDocument:
    with transaction.atomic():
        # lock the cycle row: two generations of the same document get different version numbers
        Cycle.objects.select_for_update().filter(pk=cycle.pk).first()
        version = (
            GeneratedDocument.objects.filter(cycle=cycle, kind=doc.kind, region=region).aggregate(
                m=Max("version")
            )["m"]
            or 0
        ) + 1
        folder = Path(FOLDER) / str(cycle.pk) / doc.kind
        name = _filename(doc, region, version)
        file_path(str(folder)).mkdir(parents=True, exist_ok=True)
        docx_rel = str(folder / f"{name}.docx")
        file_path(docx_rel).write_bytes(docx)
        pdf_rel = ""
        if pdf_bytes is not None:
            pdf_rel = str(folder / f"{name}.pdf")
            file_path(pdf_rel).write_bytes(pdf_bytes)
        gd = GeneratedDocument.objects.create(
            cycle=cycle,
            region=region,
            kind=doc.kind,
            version=version,
            number=number,
            title=doc.title,
            content=doc.to_json(),
            docx_path=docx_rel,
            pdf_path=pdf_rel,
            docx_sha256=_sha256(docx),
            pdf_sha256=_sha256(pdf_bytes) if pdf_bytes is not None else "",
            pdf_error=pdf_error[:300],
            created_by=user if getattr(user, "pk", None) else None,
        )
        log_action(
            "documents.document.generate",
            actor=user,
            obj=gd,
            region=region or cycle.root,
            data={
                "kind": doc.kind,
                "version": version,
                "title": doc.title,
                "docx_sha256": gd.docx_sha256,
                "pdf_sha256": gd.pdf_sha256,
                "pdf_error": gd.pdf_error,
            },
        )
    return gd


def generate_document(
    cycle: Cycle,
    kind: str,
    region: Region | None = None,
    *,
    user=None,
    number: str = "",
    with_pdf: bool = True,
    today: date | None = None,
) -> GeneratedDocument:
    """Compose, render and store one document as a new draft version. Raises DocumentRefused
    before anything is written when the data does not allow the document."""
    doc = compose_document(cycle, kind, region, number=number, today=today)
    docx = render_docx(doc)
    pdf_bytes, pdf_error = None, ""
    if with_pdf:
        with tempfile.TemporaryDirectory(prefix="dutyeval-doc-") as tmp:
            src = Path(tmp) / "document.docx"
            src.write_bytes(docx)
            try:
                pdf_bytes = pdfmod.convert([src], Path(tmp) / "pdf")[0].read_bytes()
            except pdfmod.PdfUnavailable as exc:
                pdf_error = str(exc)
    return _store(
        cycle, doc, region if kind in REGIONAL_KINDS else None, user, number, docx, pdf_bytes, pdf_error
    )


@transaction.atomic
def publish_document(gd: GeneratedDocument, user) -> GeneratedDocument:
    """draft → published. The files are checked against their recorded SHA-256 first: what is
    published is exactly what was generated."""
    gd = GeneratedDocument.objects.select_for_update().get(pk=gd.pk)
    if gd.published:
        raise DocumentRefused(
            f"《{gd.title}》第{gd.version}版已于{timezone.localtime(gd.published_at):%Y-%m-%d %H:%M}"
            "发布，已发布的公文不能修改；如需更改请重新生成新版本。"
        )
    path = file_path(gd.docx_path)
    if not path.exists() or (gd.pdf_path and not file_path(gd.pdf_path).exists()):
        raise DocumentRefused("公文文件缺失，不能发布；请重新生成。")
    if _sha256(path.read_bytes()) != gd.docx_sha256:
        raise DocumentRefused("Word 文件与生成时记录的 SHA-256 不一致，不能发布；请重新生成。")
    if gd.pdf_path and _sha256(file_path(gd.pdf_path).read_bytes()) != gd.pdf_sha256:
        raise DocumentRefused("PDF 文件与生成时记录的 SHA-256 不一致，不能发布；请重新生成。")
    gd.status = GeneratedDocument.Status.PUBLISHED
    gd.published_by, gd.published_at = user, timezone.now()
    gd.save(update_fields=["status", "published_by", "published_at"])
    log_action(
        "documents.document.publish",
        actor=user,
        obj=gd,
        region=gd.region or gd.cycle.root,
        data={
            "kind": gd.kind,
            "version": gd.version,
            "title": gd.title,
            "docx_sha256": gd.docx_sha256,
            "pdf_sha256": gd.pdf_sha256,
        },
    )
    return gd


@transaction.atomic
def choose_cases(cycle: Cycle, user, narrative_ids: list[int]) -> int:
    """Replace the office's choice of typical cases; only narratives of complete regions count."""
    allowed = set(
        Narrative.objects.filter(
            pk__in=narrative_ids,
            submission__cycle=cycle,
            submission__state__in=[s.value for s in (Submission.State.ACCEPTED, Submission.State.LOCKED)],
        )
        .exclude(text="")
        .values_list("pk", flat=True)
    )
    before = set(TypicalCase.objects.filter(cycle=cycle).values_list("narrative_id", flat=True))
    if allowed == before:
        return len(allowed)  # nothing changed, nothing to record
    TypicalCase.objects.filter(cycle=cycle).exclude(narrative_id__in=allowed).delete()
    TypicalCase.objects.bulk_create(
        [TypicalCase(cycle=cycle, narrative_id=n, chosen_by=user) for n in sorted(allowed - before)]
    )
    log_action(
        "documents.cases.choose",
        actor=user,
        obj=cycle,
        region=cycle.root,
        data={"old": sorted(before), "new": sorted(allowed)},
    )
    return len(allowed)


# ---- bulk generation ----------------------------------------------------------------------------

BATCH = 20  # .docx files per LibreOffice process: its start-up (~2 s) is paid once per batch


def schedule_bulk(cycle: Cycle, kinds: list[str], user=None, with_pdf: bool = True) -> DocumentJob:
    job = DocumentJob.objects.create(
        cycle=cycle, kinds=list(kinds), pdf=with_pdf, created_by=user if getattr(user, "pk", None) else None
    )
    transaction.on_commit(partial(bulk_task, job.pk))
    return job


def _targets(cycle: Cycle, kind: str) -> list[Region | None]:
    if kind in REGIONAL_KINDS:
        return [
            s.region
            for s in Submission.objects.filter(cycle=cycle).select_related("region").order_by("region__code")
        ]
    return [None]


@db_task()
def bulk_task(job_id: int) -> dict:
    job = (
        DocumentJob.objects.select_related("cycle__scheme", "cycle__root", "created_by")
        .filter(pk=job_id)
        .first()
    )
    if job is None or job.state != DocumentJob.State.QUEUED:
        return {"generated": 0}
    DocumentJob.objects.filter(pk=job.pk).update(
        state=DocumentJob.State.RUNNING, started=timezone.now(), message="读取数据"
    )
    t0 = time.perf_counter()
    try:
        generated, skipped = run_bulk(job)
    except Exception as exc:  # recorded for the page, re-raised for the worker's log
        DocumentJob.objects.filter(pk=job.pk).update(
            state=DocumentJob.State.FAILED, message=str(exc)[:300], finished=timezone.now()
        )
        raise
    seconds = time.perf_counter() - t0
    DocumentJob.objects.filter(pk=job.pk).update(
        state=DocumentJob.State.DONE,
        progress=100,
        generated=generated,
        skipped=skipped,
        finished=timezone.now(),
        seconds=seconds,
        message=f"已生成 {generated} 份公文"
        + (f"，{len(skipped)} 份未生成" if skipped else "")
        + f"，用时 {seconds:.0f} 秒",
    )
    return {"generated": generated, "skipped": len(skipped), "seconds": seconds}


def run_bulk(job: DocumentJob, progress=None) -> tuple[int, list[dict]]:
    """Every document of the job, in batches of BATCH: compose and render the .docx files, convert
    them to PDF with one LibreOffice process, store each as a new version. Memory stays one batch
    deep, documents appear as their batch completes, progress moves batch by batch."""
    cycle = job.cycle

    def report(pct: int, message: str) -> None:
        DocumentJob.objects.filter(pk=job.pk).update(progress=pct, message=message[:300])
        if progress:
            progress(pct, message)

    todo = [(kind, region) for kind in job.kinds for region in _targets(cycle, kind)]
    skipped: list[dict] = []
    generated = 0
    for start in range(0, len(todo), BATCH):
        rendered: list[tuple[OfficialDoc, Region | None, bytes]] = []
        for kind, region in todo[start : start + BATCH]:
            try:
                doc = compose_document(cycle, kind, region)
            except DocumentRefused as exc:
                skipped.append({"kind": kind, "region": region.name if region else "", "reason": str(exc)})
                continue
            rendered.append((doc, region, render_docx(doc)))
        pdfs, errors = _convert_batch([data for _doc, _region, data in rendered]) if job.pdf else ({}, {})
        for i, (doc, region, data) in enumerate(rendered):
            _store(cycle, doc, region, job.created_by, "", data, pdfs.get(i), errors.get(i, ""))
        generated += len(rendered)
        done = min(start + BATCH, len(todo))
        report(min(99, int(100 * done / len(todo))), f"已处理 {done}/{len(todo)}，生成 {generated} 份")
    return generated, skipped


def _convert_batch(docx: list[bytes]) -> tuple[dict[int, bytes], dict[int, str]]:
    """PDF of each .docx by index, or the reason there is none."""
    if not docx:
        return {}, {}
    with tempfile.TemporaryDirectory(prefix="dutyeval-bulk-") as tmp:
        paths = []
        for i, data in enumerate(docx):
            path = Path(tmp) / f"{i:05d}.docx"
            path.write_bytes(data)
            paths.append(path)
        try:
            out = pdfmod.convert(paths, Path(tmp) / "pdf")
        except pdfmod.PdfUnavailable as exc:
            return {}, dict.fromkeys(range(len(docx)), str(exc))
        return {i: p.read_bytes() for i, p in enumerate(out)}, {}
