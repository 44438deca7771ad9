"""Uploading a report, analysing it, and accepting an extracted figure into the region's data."""

from __future__ import annotations

import hashlib
import io
import uuid
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from huey.contrib.djhuey import db_task

from dutyeval.audit.services import log_action
from dutyeval.collection.services import ValidationFailed, YearClosed, save_values, values_for
from dutyeval.core.catalogue import UNIT_TO_YUAN, default_catalogue
from dutyeval.core.textfacts.api import IngestError, ingest_bytes
from dutyeval.core.textfacts.reader import MAX_BYTES
from dutyeval.evaluation.services import WorkflowError, require_editable

from .models import ReportDocument


def storage_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "reports"
    path.mkdir(parents=True, exist_ok=True)
    return path


CHUNK = 1024 * 1024


def upload_report(submission, user, upload, filename: str) -> ReportDocument:
    """Store the file under a random name and analyse it (inline, or on the huey worker).

    `upload` is bytes or a file-like (Django's UploadedFile): it is read in chunks, and reading
    stops as soon as the size passes the limit. Whatever is refused (too big, over the region's
    quota, not readable as a report when analysed inline) leaves no file and no record behind.
    """
    require_editable(submission, user)
    suffix = Path(filename).suffix.lower()
    if suffix not in (".txt", ".docx", ".pdf"):
        raise WorkflowError("只支持 .txt、.docx 和 .pdf 格式的报告")
    stream = io.BytesIO(upload) if isinstance(upload, bytes | bytearray) else upload
    declared = getattr(stream, "size", None) or 0
    if declared > MAX_BYTES:
        raise WorkflowError(_too_big(declared))
    quota = settings.DUTYEVAL_REPORT_QUOTA_BYTES
    used = stored_bytes(submission.region)
    if used + declared > quota:
        raise WorkflowError(_over_quota(used, quota))
    stored = f"{uuid.uuid4().hex}{suffix}"
    path = storage_dir() / stored
    digest, size = hashlib.sha256(), 0
    try:
        with path.open("wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > MAX_BYTES:
                    raise WorkflowError(_too_big(size, more=True))
                if used + size > quota:
                    raise WorkflowError(_over_quota(used, quota))
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    doc = ReportDocument.objects.create(
        submission=submission, filename=Path(filename).name[:255], stored_name=stored, size=size,
        sha256=digest.hexdigest(), uploaded_by=user,
    )
    analyse_report(doc.pk)
    doc.refresh_from_db()
    if doc.state == ReportDocument.State.FAILED:
        # analysed inline and unreadable: refuse it like a file that is too big (the file is gone already)
        doc.delete()
        log_action("reports.report.reject", actor=user, obj=submission, region=submission.region,
                   data={"file": Path(filename).name[:255], "size": size, "reason": doc.error[:500]})
        raise WorkflowError(doc.error)
    log_action("reports.report.upload", actor=user, obj=submission, region=submission.region,
               data={"file": doc.filename, "size": doc.size})
    return doc


def stored_bytes(region) -> int:
    """Bytes of report files a region keeps on disk (refused and failed files are not kept)."""
    total = (ReportDocument.objects.filter(submission__region=region)
             .exclude(state=ReportDocument.State.FAILED).aggregate(n=Sum("size"))["n"])
    return total or 0


def _too_big(size: int, more: bool = False) -> str:
    shown = f"超过 {MAX_BYTES // 1048576} MB" if more else f"{size / 1048576:.1f} MB"
    return f"文件过大（{shown}），上限 {MAX_BYTES // 1048576} MB"


def _over_quota(used: int, quota: int) -> str:
    return (f"本地区已保存的报告共 {used / 1048576:.1f} MB，再上传将超过存储配额（{quota // 1048576} MB）；"
            "请删除不再需要的报告或联系督导办")


@db_task()
def analyse_report(doc_id: int) -> dict:
    doc = ReportDocument.objects.select_related("submission__region", "submission__cycle").get(pk=doc_id)
    path = storage_dir() / doc.stored_name
    data = path.read_bytes()
    year = doc.submission.cycle.data_year
    try:
        report = ingest_bytes(data, doc.filename, values_for(doc.submission.region, year), year=year)
    except IngestError as exc:
        doc.state, doc.error = ReportDocument.State.FAILED, str(exc)
        doc.save(update_fields=["state", "error"])
        path.unlink(missing_ok=True)  # a file that is not a readable report is not kept
        return {"ok": False}
    doc.result = report.to_dict()
    doc.state = ReportDocument.State.DONE
    doc.save(update_fields=["result", "state"])
    return {"ok": True, "figures": len(doc.figures), "anomalies": len(doc.anomalies)}


@transaction.atomic
def accept_figure(doc: ReportDocument, index: int, user) -> str:
    """Write one extracted figure into the region's data, its source recorded as extracted."""
    sub = doc.submission
    require_editable(sub, user)
    try:
        fig = doc.figures[index]
    except IndexError:
        raise WorkflowError("该数据不存在") from None
    if not fig.get("element"):
        raise WorkflowError("该数据未能对应到数据项，请手工填报")
    year = fig.get("year") or sub.cycle.data_year
    try:
        save_values(sub.region, year, {fig["element"]: in_element_unit(fig)},
                    user=user, source="extracted", quotes={fig["element"]: fig["quote"]})
    except ValidationFailed as exc:
        raise WorkflowError("；".join(p.reason for p in exc.problems)) from None
    except YearClosed as exc:
        raise WorkflowError(str(exc)) from None
    doc.accepted = {**doc.accepted, str(index): fig["element"]}
    doc.save(update_fields=["accepted"])
    return fig["element"]


def in_element_unit(fig: dict) -> Decimal:
    """Figures come in base units (元, %, count); the catalogue keeps totals in 万元."""
    el = default_catalogue()[fig["element"]]
    return Decimal(str(fig["base_value"])) / UNIT_TO_YUAN.get(el.unit, Decimal(1))
