"""The central audit log: every state change and every changed figure, with who and when."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditLog(models.Model):
    action = models.CharField(_("操作"), max_length=64, db_index=True)  # dotted, e.g. evaluation.submission.submit
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("区域"), null=True, blank=True, on_delete=models.SET_NULL
    )
    object_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    object_id = models.CharField(_("对象ID"), max_length=64, blank=True)
    data = models.JSONField(_("内容"), default=dict, blank=True)
    created = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("操作记录")
        verbose_name_plural = _("操作记录")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.created:%Y-%m-%d %H:%M} {self.action}"

    @property
    def label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))


ACTION_LABELS = {
    "evaluation.submission.submit": _("提交自评材料"),
    "evaluation.submission.return": _("退回修改"),
    "evaluation.submission.accept": _("审核通过"),
    "evaluation.scores.self": _("修改自评得分"),
    "evaluation.scores.review": _("评审打分"),
    "evaluation.narrative.change": _("修改自评情况"),
    "collection.values.change": _("修改数据"),
    "collection.import.reject": _("Excel 导入被拒绝"),
    "schemes.scheme.created": _("导入评价方案"),
    "schemes.scheme.new_version": _("评价方案新版本"),
    "schemes.scheme.update": _("更新评价方案"),
    "schemes.scheme.freeze": _("冻结评价方案"),
}
