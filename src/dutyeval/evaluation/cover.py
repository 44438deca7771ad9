"""The submission as an official document (报送文件): 文号, date, issuing authority, approval, signed PDF.

A self-evaluation report goes up as a document of the government (e.g. 阳政办函〔2021〕174号,
"经市人民政府同意"); the office keeps its number, date and the sealed cover letter with the submission.
"""

from __future__ import annotations

import re
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dutyeval import uploads
from dutyeval.audit.services import log_action
from dutyeval.evidence.detect import PDF, Refused, detect

from .models import CoverDocument, Submission
from .rules import WorkflowError, require_editable

FOLDER = "cover_letters"
# 机关代字〔年份〕序号号: 阳政办函〔2021〕174号, 泽政发〔2021〕3号, 晋政教督〔2021〕1号
NUMBER = re.compile(r"^(?P<org>[\u4e00-\u9fff]{1,20})〔(?P<year>\d{4})〕(?P<seq>[1-9]\d{0,4})号$")
OPEN, CLOSE = "[［(（【〔", "]］)）】〕"


class CoverInvalid(WorkflowError):
    """Field → message; nothing was recorded."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("；".join(errors.values()))
        self.errors = errors


def normalize_number(text: str) -> str:
    """Typed brackets and spaces vary (〔〕 is the standard's, GB/T 9704): one form is stored."""
    text = re.sub(r"\s+", "", text or "")
    return text.translate(str.maketrans(OPEN + CLOSE, "〔" * len(OPEN) + "〕" * len(CLOSE)))


def _check(number: str, day: date | None, issuer: str) -> dict[str, str]:
    errors = {}
    m = NUMBER.match(number)
    if not number:
        errors["number"] = "请填写文号"
    elif not m:
        errors["number"] = f"文号“{number[:40]}”格式不对，应如“阳政办函〔2021〕174号”（机关代字〔年份〕序号号）"
    if day is None:
        errors["date"] = "请填写成文日期"
    elif day > timezone.localdate():
        errors["date"] = "成文日期不能晚于今天"
    elif m and abs(int(m["year"]) - day.year) > 1:
        errors["number"] = f"文号中的年份 {m['year']} 与成文日期 {day:%Y年%m月%d日} 不符"
    if not issuer:
        errors["issuer"] = "请填写发文机关，如“泽州县人民政府办公室”"
    return errors


def record_cover_document(submission: Submission, user, *, number: str, day: date | None, issuer: str,
                          approval: str = "", upload=None, filename: str = "") -> CoverDocument:
    """Record (or correct) the 报送文件 while the submission is editable. A new PDF replaces the old one."""
    require_editable(submission, user)
    number, issuer, approval = normalize_number(number), (issuer or "").strip()[:100], (approval or "").strip()[:100]
    errors = _check(number, day, issuer)
    stored = None
    if upload is not None and not errors:
        try:
            stored = uploads.store_stream(upload, FOLDER, ".pdf", max_bytes=settings.DUTYEVAL_EVIDENCE_MAX_BYTES,
                                          quota=settings.DUTYEVAL_EVIDENCE_MAX_BYTES, used=0, what="报送文件")
            if detect(stored.path) != PDF:
                raise Refused("盖章的报送文件须为 PDF（扫描件）")
        except (uploads.UploadRefused, Refused) as exc:
            if stored is not None:
                uploads.discard(FOLDER, stored.name)
            errors["file"] = str(exc)
    if errors:
        raise CoverInvalid(errors)
    try:
        with transaction.atomic():
            sub = Submission.objects.select_for_update().get(pk=submission.pk)
            require_editable(sub, user)
            cover = CoverDocument.objects.filter(submission=sub).first() or CoverDocument(submission=sub)
            before = {"number": cover.number, "date": str(cover.date) if cover.date else None,
                      "issuer": cover.issuer, "approval": cover.approval, "file": cover.filename}
            old_file = cover.stored_name
            cover.number, cover.date, cover.issuer, cover.approval, cover.recorded_by = number, day, issuer, approval, user
            if stored is not None:
                cover.filename = (filename or "报送文件.pdf").replace("/", "_")[-255:]
                cover.stored_name, cover.size, cover.sha256 = stored.name, stored.size, stored.sha256
                if old_file:
                    transaction.on_commit(lambda: uploads.discard(FOLDER, old_file))
            cover.save()
            after = {"number": number, "date": str(day), "issuer": issuer, "approval": approval, "file": cover.filename,
                     "sha256": cover.sha256}
            log_action("evaluation.cover.record", actor=user, obj=sub, region=sub.region,
                       data={"before": before, "after": after})
    except BaseException:
        if stored is not None:
            uploads.discard(FOLDER, stored.name)
        raise
    return cover


def missing_cover(sub: Submission) -> list[str]:
    cover = CoverDocument.objects.filter(submission=sub).first()
    if cover is None:
        return ["文号、成文日期、发文机关", "盖章的报送文件（PDF）"]
    return [] if cover.stored_name else ["盖章的报送文件（PDF）"]


def require_cover(sub: Submission) -> None:
    missing = missing_cover(sub)
    if missing:
        raise WorkflowError("请先在“概况”页登记报送文件：" + "、".join(missing))


def path_of(cover: CoverDocument):
    return uploads.storage_dir(FOLDER) / cover.stored_name
