"""Satisfaction surveys (满意度调查): the settings of a cycle's survey and each import of its results.

An import is kept for good: a newer confirmed import supersedes the previous one, which stays as history.
Per region and respondent group an import holds the sample size, the sum of scores and the mean.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SurveySetting(models.Model):
    """Per cycle: the scale, rounding, group weights and sample quotas of its survey."""

    cycle = models.OneToOneField("evaluation.Cycle", verbose_name=_("评价周期"), on_delete=models.CASCADE,
                                 related_name="survey_setting")
    scale = models.DecimalField(_("满分"), max_digits=6, decimal_places=2, default=Decimal("100"))
    decimals = models.PositiveSmallIntegerField(_("平均分保留小数位"), default=2)
    weights = models.JSONField(_("各类人群权重"), default=dict, blank=True)  # group → weight; {} = equal
    weights_note = models.TextField(_("权重说明"), blank=True)
    quotas = models.JSONField(_("各类人群最低样本量"), default=dict, blank=True)  # group → n

    class Meta:
        verbose_name = _("满意度调查设置")
        verbose_name_plural = _("满意度调查设置")

    def __str__(self) -> str:
        return f"{self.cycle} · {self.scale}分制"


class SurveyImport(models.Model):
    class State(models.TextChoices):
        PREVIEW = "preview", _("待确认")
        REJECTED = "rejected", _("已拒绝")
        CONFIRMED = "confirmed", _("已导入")
        SUPERSEDED = "superseded", _("已被新导入取代")

    cycle = models.ForeignKey("evaluation.Cycle", verbose_name=_("评价周期"), on_delete=models.CASCADE,
                              related_name="survey_imports")
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.PREVIEW)
    filename = models.CharField(_("文件名"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    layout = models.CharField(_("格式"), max_length=12)  # respondent | aggregate
    rows_read = models.PositiveIntegerField(_("读取行数"), default=0)
    errors = models.JSONField(_("错误"), default=list)  # [{row, reason}], the first MAX_ERRORS
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    under_quota = models.JSONField(_("样本量不足"), default=list)  # [{region, group, n, quota}]
    locked_regions = models.JSONField(_("已提交区域"), default=list)  # [{region, reason}]
    scale = models.DecimalField(_("满分"), max_digits=6, decimal_places=2)  # the setting when read
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(_("上传时间"), auto_now_add=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("确认人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    reason = models.TextField(_("确认理由"), blank=True)  # why an under-quota or submitted import was accepted
    superseded_by = models.ForeignKey("self", verbose_name=_("被取代于"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")

    MAX_ERRORS = 500

    class Meta:
        verbose_name = _("满意度调查导入")
        verbose_name_plural = _("满意度调查导入")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.filename} · {self.get_state_display()}"


class GroupResult(models.Model):
    """One region's one respondent group in one import."""

    survey = models.ForeignKey(SurveyImport, on_delete=models.CASCADE, related_name="results")
    region = models.ForeignKey("regions.Region", verbose_name=_("区域"), on_delete=models.PROTECT, related_name="+")
    group = models.CharField(_("调查对象"), max_length=16)
    n = models.PositiveIntegerField(_("样本量"))
    total = models.DecimalField(_("得分合计"), max_digits=16, decimal_places=4)
    mean = models.DecimalField(_("平均分"), max_digits=10, decimal_places=4)  # rounded per the setting

    class Meta:
        verbose_name = _("分组结果")
        verbose_name_plural = _("分组结果")
        ordering = ["region__code", "group"]
        constraints = [models.UniqueConstraint(fields=["survey", "region", "group"], name="uniq_survey_group")]
