"""Uploading a report, analysing it, and accepting an extracted figure into the region's data."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from huey.contrib.djhuey import db_task

from dutyeval import uploads
from dutyeval.audit.services import log_action
from dutyeval.collection.services import ValidationFailed, YearClosed, save_values, values_for
from dutyeval.core.catalogue import UNIT_TO_YUAN, default_catalogue
from dutyeval.core.textfacts.api import IngestError, ingest_bytes
from dutyeval.core.textfacts.reader import MAX_BYTES
from dutyeval.evaluation.models import Submission
from dutyeval.evaluation.rules import WorkflowError, require_editable
from dutyeval.regions.models import Region

from .models import ReportDocument


def storage_dir() -> Path:
    return uploads.storage_dir(FOLDER)


FOLDER = "reports"
CHUNK = uploads.CHUNK


def upload_report(submission, user, upload, filename: str) -> ReportDocument:
    """Store the file under a random name and analyse it (inline, or on the huey worker).

    `upload` is bytes or a file-like (Django's UploadedFile): it is read in chunks, and reading
    stops as soon as the size passes the limit (dutyeval.uploads). Whatever is refused (too big,
    over the region's quota, not readable as a report when analysed inline) leaves no file and no
    record behind.
    """
    require_editable(submission, user)
    suffix = Path(filename).suffix.lower()
    if suffix not in (".txt", ".docx", ".pdf"):
        raise WorkflowError("只支持 .txt、.docx 和 .pdf 格式的报告")
    try:
        stored = uploads.store_stream(upload, FOLDER, suffix, max_bytes=MAX_BYTES,
                                      quota=settings.DUTYEVAL_REPORT_QUOTA_BYTES,
                                      used=stored_bytes(submission.region), what="报告")
    except uploads.UploadRefused as exc:
        raise WorkflowError(str(exc)) from None
    try:
        doc = _record_within_quota(submission, user, stored, filename)
    except BaseException:
        uploads.discard(FOLDER, stored.name)
        raise
    analyse_report(doc.pk)
    doc.refresh_from_db()
    if doc.state == ReportDocument.State.FAILED:
        # analysed inline and unreadable: refuse it like a file that is too big (the file is gone already)
        doc.delete()
        log_action("reports.report.reject", actor=user, obj=submission, region=submission.region,
                   data={"file": Path(filename).name[:255], "size": stored.size, "reason": doc.error[:500]})
        raise WorkflowError(doc.error)
    log_action("reports.report.upload", actor=user, obj=submission, region=submission.region,
               data={"file": doc.filename, "size": doc.size})
    return doc


def _record_within_quota(submission, user, stored: uploads.StoredFile, filename: str) -> ReportDocument:
    """Create the record under a lock on the region, checking again what it keeps: two uploads read
    at the same time each passed the quota against the bytes stored before either of them."""
    with transaction.atomic():
        region = Region.objects.select_for_update().get(pk=submission.region_id)
        sub = Submission.objects.select_related("region", "cycle").get(pk=submission.pk)
        require_editable(sub, user)
        used, quota = stored_bytes(region), settings.DUTYEVAL_REPORT_QUOTA_BYTES
        if used + stored.size > quota:
            raise WorkflowError(uploads.over_quota(used, quota, "报告"))
        return ReportDocument.objects.create(
            submission=sub, filename=Path(filename).name[:255], stored_name=stored.name, size=stored.size,
            sha256=stored.sha256, uploaded_by=user,
        )


def stored_bytes(region) -> int:
    """Bytes of report files a region keeps on disk (refused and failed files are not kept)."""
    total = (ReportDocument.objects.filter(submission__region=region)
             .exclude(state=ReportDocument.State.FAILED).aggregate(n=Sum("size"))["n"])
    return total or 0


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


class NeedsConfirmation(WorkflowError):
    """Adopting this figure is risky; the user confirms with the reasons in view."""

    def __init__(self, risks: list[str]):
        super().__init__("；".join(risks))
        self.risks = risks


OTHER_YEAR_WORDS = ("上年", "去年", "上一年", "前一年", "上年度", "同期")
BIG_CHANGE = Decimal("0.2")  # a replacement more than 20 % away from the stored value is worth a second look


def adoption_risks(doc: ReportDocument, index: int) -> list[str]:
    """Why adopting figure `index` may be wrong: it speaks of another year, or it moves a stored value a lot."""
    fig = doc.figures[index]
    risks = []
    text = doc.result.get("text", "")
    start = fig.get("start") or 0
    # the words just before the figure, within its clause: “上年为19.88亿元”, “比上年的…”
    before = text[max(0, start - 10):start]
    for stop in "，。；;,\n":
        before = before.rsplit(stop, 1)[-1]
    word = next((w for w in OTHER_YEAR_WORDS if w in before), None)
    if word:
        risks.append(f"原文“{before}{fig['quote']}”说的是{word}的数，不一定是本年度的数据")
    # a share of institutions mapped to a share counted by child (textfacts' share_basis warning)
    risks += [a["message"] for a in doc.anomalies
              if a["kind"] == "share_basis" and a["start"] == fig.get("start")]
    sub = doc.submission
    year = fig.get("year") or sub.cycle.year_of(fig["element"])
    stored = values_for(sub.region, year).get(fig["element"])
    new = in_element_unit(fig)
    if stored is not None and stored != 0 and abs(new - stored) / abs(stored) > BIG_CHANGE:
        el = default_catalogue()[fig["element"]]
        risks.append(f"将把{year}年“{el.name}”由 {_plain(stored)} 改为 {_plain(new)}{el.unit}，"
                     f"相差 {abs(new - stored) / abs(stored):.0%}")
    return risks


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@transaction.atomic
def accept_figure(doc: ReportDocument, index: int, user, *, confirmed: bool = False) -> str:
    """Write one extracted figure into the region's data, its source recorded as extracted.

    A figure that speaks of another year or moves a stored value by more than 20 % is adopted only
    when `confirmed`; otherwise NeedsConfirmation carries the reasons."""
    sub = doc.submission
    require_editable(sub, user)
    try:
        fig = doc.figures[index]
    except IndexError:
        raise WorkflowError("该数据不存在") from None
    if not fig.get("element"):
        raise WorkflowError("该数据未能对应到数据项，请手工填报")
    risks = adoption_risks(doc, index)
    if risks and not confirmed:
        raise NeedsConfirmation(risks)
    year = fig.get("year") or sub.cycle.year_of(fig["element"])
    try:
        save_values(sub.region, year, {fig["element"]: in_element_unit(fig)},
                    user=user, source="extracted", quotes={fig["element"]: fig["quote"]})
    except ValidationFailed as exc:
        raise WorkflowError("；".join(p.reason for p in exc.problems)) from None
    except YearClosed as exc:
        raise WorkflowError(str(exc)) from None
    doc.accepted = {**doc.accepted, str(index): fig["element"]}
    doc.save(update_fields=["accepted"])
    log_action("reports.figure.accept", actor=user, obj=doc, region=sub.region,
               data={"index": index, "element": fig["element"], "year": year, "quote": fig["quote"], "risks": risks})
    return fig["element"]


def in_element_unit(fig: dict) -> Decimal:
    """Figures come in base units (元, %, count); the catalogue keeps totals in 万元."""
    el = default_catalogue()[fig["element"]]
    return Decimal(str(fig["base_value"])) / UNIT_TO_YUAN.get(el.unit, Decimal(1))
