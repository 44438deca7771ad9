"""Generated official documents, the bulk generation jobs, and the office's choice of typical cases.

GeneratedDocument workflow (transition table; enforced in services.py):

    (none)  --generate-->  draft       (a new version each time; the files are written once)
    draft   --publish-->   published   (frozen: files, content and SHA-256 never change again)

A published document is immutable: `save()` refuses to change one, and a later generation makes a
new version beside it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    SELF_REPORT = "self_report", _("自查自评报告")
    FEEDBACK = "feedback", _("评价督导报告（反馈）")
    PROVINCIAL = "provincial", _("评价报告")
    NOTICE = "notice", _("评价结果通报")


REGIONAL_KINDS = (DocumentKind.SELF_REPORT, DocumentKind.FEEDBACK)


class DocumentImmutable(Exception):
    pass


class GeneratedDocument(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    cycle = models.ForeignKey(
        "evaluation.Cycle", verbose_name=_("评价周期"), on_delete=models.CASCADE, related_name="documents"
    )
    # the evaluated region of a self report or feedback report; none for the province's documents
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("区域"), null=True, blank=True, on_delete=models.PROTECT
    )
    kind = models.CharField(_("文种"), max_length=16, choices=DocumentKind.choices)
    version = models.PositiveIntegerField(_("版本"))
    number = models.CharField(_("发文字号"), max_length=64, blank=True)
    title = models.CharField(_("标题"), max_length=300)
    content = models.JSONField(_("内容"), default=dict)  # core.documents.model.OfficialDoc.to_json()
    docx_path = models.CharField(_("Word 文件"), max_length=255)  # relative to MEDIA_ROOT
    pdf_path = models.CharField(_("PDF 文件"), max_length=255, blank=True)
    docx_sha256 = models.CharField(_("Word 文件 SHA-256"), max_length=64)
    pdf_sha256 = models.CharField(_("PDF 文件 SHA-256"), max_length=64, blank=True)
    pdf_error = models.CharField(_("PDF 未生成原因"), max_length=300, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("生成人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("公文")
        verbose_name_plural = _("公文")
        ordering = ["cycle", "kind", "region__code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "kind", "region", "version"], name="uniq_document_version"
            ),
            models.UniqueConstraint(
                fields=["cycle", "kind", "version"],
                condition=models.Q(region__isnull=True),
                name="uniq_document_version_province",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（第{self.version}版）"

    @property
    def published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = GeneratedDocument.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == self.Status.PUBLISHED:
                raise DocumentImmutable(f"{self} 已发布，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.published:
            raise DocumentImmutable(f"{self} 已发布，不能删除")
        return super().delete(*args, **kwargs)


class DocumentJob(models.Model):
    """Bulk generation of one kind for every region of a cycle, run by the task queue."""

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    cycle = models.ForeignKey("evaluation.Cycle", on_delete=models.CASCADE, related_name="document_jobs")
    kinds = models.JSONField(_("文种"), default=list)
    pdf = models.BooleanField(_("同时生成 PDF"), default=True)
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    message = models.CharField(_("说明"), max_length=300, blank=True)
    generated = models.PositiveIntegerField(_("已生成"), default=0)
    skipped = models.JSONField(_("未生成（原因）"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(_("耗时（秒）"), null=True, blank=True)

    class Meta:
        verbose_name = _("公文批量生成任务")
        verbose_name_plural = _("公文批量生成任务")
        ordering = ["-created"]


class TypicalCase(models.Model):
    """A region's narrative the office chose for the annex of typical cases (典型工作案例)."""

    cycle = models.ForeignKey("evaluation.Cycle", on_delete=models.CASCADE, related_name="typical_cases")
    narrative = models.ForeignKey(
        "evaluation.Narrative", verbose_name=_("自评叙述"), on_delete=models.CASCADE
    )
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    chosen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("典型案例")
        verbose_name_plural = _("典型案例")
        constraints = [models.UniqueConstraint(fields=["cycle", "narrative"], name="uniq_typical_case")]
