"""Uploading a report, analysing it, and accepting an extracted figure into the region's data."""

from __future__ import annotations

import hashlib
import uuid
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
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


def upload_report(submission, user, data: bytes, filename: str) -> ReportDocument:
    """Store the file under a random name and analyse it (inline, or on the huey worker)."""
    require_editable(submission, user)
    if len(data) > MAX_BYTES:
        raise WorkflowError(f"文件过大（{len(data) // 1048576} MB），上限 {MAX_BYTES // 1048576} MB")
    suffix = Path(filename).suffix.lower()
    if suffix not in (".txt", ".docx", ".pdf"):
        raise WorkflowError("只支持 .txt、.docx 和 .pdf 格式的报告")
    stored = f"{uuid.uuid4().hex}{suffix}"
    (storage_dir() / stored).write_bytes(data)
    doc = ReportDocument.objects.create(
        submission=submission, filename=Path(filename).name[:255], stored_name=stored, size=len(data),
        sha256=hashlib.sha256(data).hexdigest(), uploaded_by=user,
    )
    log_action("reports.report.upload", actor=user, obj=submission, region=submission.region,
               data={"file": doc.filename, "size": doc.size})
    analyse_report(doc.pk)
    doc.refresh_from_db()
    return doc


@db_task()
def analyse_report(doc_id: int) -> dict:
    doc = ReportDocument.objects.select_related("submission__region", "submission__cycle").get(pk=doc_id)
    data = (storage_dir() / doc.stored_name).read_bytes()
    year = doc.submission.cycle.data_year
    try:
        report = ingest_bytes(data, doc.filename, values_for(doc.submission.region, year), year=year)
    except IngestError as exc:
        doc.state, doc.error = ReportDocument.State.FAILED, str(exc)
        doc.save(update_fields=["state", "error"])
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
