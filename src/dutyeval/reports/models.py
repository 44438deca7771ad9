"""Uploaded self-evaluation reports and what ingestion found in them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportDocument(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("待分析")
        DONE = "done", _("已分析")
        FAILED = "failed", _("无法读取")

    submission = models.ForeignKey("evaluation.Submission", on_delete=models.CASCADE, related_name="reports")
    filename = models.CharField(_("文件名"), max_length=255)
    stored_name = models.CharField(max_length=100)  # under MEDIA_ROOT/reports, outside the web root
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created = models.DateTimeField(_("上传时间"), auto_now_add=True)
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.PENDING)
    error = models.TextField(_("错误"), blank=True)
    result = models.JSONField(_("分析结果"), default=dict, blank=True)  # textfacts Report.to_dict()
    accepted = models.JSONField(_("已采纳的数据"), default=dict, blank=True)  # figure index → element code

    class Meta:
        verbose_name = _("自评报告")
        verbose_name_plural = _("自评报告")
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.filename

    @property
    def anomalies(self) -> list[dict]:
        return self.result.get("anomalies", [])

    @property
    def figures(self) -> list[dict]:
        return self.result.get("figures", [])
