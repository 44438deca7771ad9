"""Uploading and deleting evidence (佐证材料), and what a submission still lacks.

Rule for "required" (docs/workflow.md): every leaf item whose scheme entry lists evidence needs at
least one file before the submission can be submitted, except veto items (一票否决): their evidence
(an accident report, a building survey) exists only when the veto applies, and reviewers establish
it. One file may hold several of the listed documents; the list tells the county what to include.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from dutyeval import uploads
from dutyeval.audit.services import log_action
from dutyeval.evaluation.models import Submission
from dutyeval.evaluation.rules import WorkflowError, require_fillable
from dutyeval.schemes.models import Indicator

from .detect import Refused, detect
from .models import Evidence

FOLDER = "evidence"


class EvidenceRefused(WorkflowError):
    """A file refused for its content, size or the region's quota. The message is for users."""


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_filename(filename: str) -> str:
    """The user's file name without any folder part or control characters, at most 255 characters."""
    name = PurePath((filename or "").replace("\\", "/")).name
    name = _CONTROL.sub("", name).strip()
    if len(name) > 255:
        suffix = PurePath(name).suffix[:20]
        name = name[: 255 - len(suffix)] + suffix
    return name


def stored_bytes(region) -> int:
    """Bytes of evidence files a region keeps on disk, over all its submissions."""
    return Evidence.objects.filter(submission__region=region).aggregate(n=Sum("size"))["n"] or 0


def items_of(submission: Submission, indicator_id) -> Indicator:
    """A leaf item of the submission's scheme, or WorkflowError."""
    ind = Indicator.objects.filter(scheme_id=submission.cycle.scheme_id, pk=indicator_id, children__isnull=True).first()
    if ind is None:
        raise WorkflowError(_("指标不属于本方案"))
    return ind


def _locked(submission: Submission) -> Submission:
    return Submission.objects.select_for_update().select_related("region", "cycle").get(pk=submission.pk)


def upload_evidence(submission: Submission, indicator: Indicator, user, upload, filename: str,
                    note: str = "") -> Evidence:
    """Store one file for one item. `upload` is bytes or a file-like (Django's UploadedFile).

    Checked before a byte is kept: the user may edit this submission now. Read in chunks and
    stopped past the size limit or the region's quota (dutyeval.uploads), then its type is
    detected from the content. A refused file leaves nothing on disk and no record but the audit
    entry of the refusal.
    """
    indicator = items_of(submission, indicator.pk)
    require_fillable(submission, user, items=[indicator.code])
    name = clean_filename(filename)
    if not name:
        raise EvidenceRefused(_("请选择要上传的文件"))
    max_bytes = settings.DUTYEVAL_EVIDENCE_MAX_BYTES
    quota = settings.DUTYEVAL_EVIDENCE_QUOTA_BYTES
    try:
        stored = uploads.store_stream(upload, FOLDER, "", max_bytes=max_bytes, quota=quota,
                                      used=stored_bytes(submission.region), what="佐证材料")
    except uploads.UploadRefused as exc:
        raise EvidenceRefused(_("《%(f)s》：%(e)s") % {"f": name, "e": exc}) from None
    try:
        try:
            kind = detect(stored.path)
        except Refused as exc:
            log_action("evidence.file.reject", actor=user, obj=submission, region=submission.region,
                       data={"item": indicator.code, "file": name, "size": stored.size, "reason": str(exc)})
            raise EvidenceRefused(_("《%(f)s》未上传：%(e)s") % {"f": name, "e": exc}) from None
        with transaction.atomic():
            # again under the lock: the state may have changed, or another upload used the quota,
            # while this file was being read
            sub = _locked(submission)
            require_fillable(sub, user, items=[indicator.code])
            used = stored_bytes(sub.region)
            if used + stored.size > quota:
                raise EvidenceRefused(_("《%(f)s》：%(e)s") % {"f": name, "e": uploads.over_quota(used, quota, "佐证材料")})
            ev = Evidence.objects.create(
                submission=sub, indicator=indicator, filename=name, stored_name=stored.name,
                content_type=kind.content_type, size=stored.size, sha256=stored.sha256, uploaded_by=user,
                note=(note or "").strip()[:200],
            )
            log_action("evidence.file.upload", actor=user, obj=sub, region=sub.region,
                       data={"item": indicator.code, "file": name, "type": kind.content_type, "size": stored.size,
                             "sha256": stored.sha256, "evidence": ev.pk})
    except BaseException:
        uploads.discard(FOLDER, stored.name)
        raise
    return ev


@transaction.atomic
def delete_evidence(evidence: Evidence, user) -> None:
    """Remove a file while the submission is editable: the coordinator, or the item's department."""
    sub = _locked(evidence.submission)
    ev = Evidence.objects.select_related("indicator").get(pk=evidence.pk, submission=sub)
    require_fillable(sub, user, items=[ev.indicator.code])
    data = {"item": ev.indicator.code, "file": ev.filename, "size": ev.size, "sha256": ev.sha256, "evidence": ev.pk}
    stored_name = ev.stored_name
    ev.delete()
    log_action("evidence.file.delete", actor=user, obj=sub, region=sub.region, data=data)
    # the file goes once the record is gone for good; a rolled-back delete keeps both
    transaction.on_commit(lambda: uploads.discard(FOLDER, stored_name))


def path_of(evidence: Evidence):
    return uploads.storage_dir(FOLDER) / evidence.stored_name


def requires_evidence(ind: Indicator) -> bool:
    return bool(ind.evidence) and ind.rule_kind != Indicator.RuleKind.VETO


def missing_evidence(submission: Submission) -> list[str]:
    """Items that need evidence and have no file yet, as "code title", in scheme order. (What each
    one asks for is shown beside the item on the self-evaluation page.)"""
    have = set(Evidence.objects.filter(submission=submission).values_list("indicator_id", flat=True))
    leaves = Indicator.objects.filter(scheme_id=submission.cycle.scheme_id, children__isnull=True).order_by("order")
    return [f"{i.code} {i.title}" for i in leaves if requires_evidence(i) and i.pk not in have]


def require_evidence(submission: Submission) -> None:
    """Called by evaluation.services.submit_submission: refuses with the full list of what is missing."""
    missing = missing_evidence(submission)
    if missing:
        raise WorkflowError(
            _("还有 %(n)d 项指标未上传佐证材料，请在“自评打分”页各指标下上传后再提交：%(list)s")
            % {"n": len(missing), "list": "；".join(missing)}
        )


def evidence_by_item(submission: Submission) -> dict[int, list[Evidence]]:
    """Every file of a submission, grouped by item: one query for a whole page."""
    out: dict[int, list[Evidence]] = {}
    for ev in Evidence.objects.filter(submission=submission).order_by("uploaded_at", "pk"):
        out.setdefault(ev.indicator_id, []).append(ev)
    return out
