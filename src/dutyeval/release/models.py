"""Releasing a cycle's results: internal while reviews run, then 公示 with appeals, then final.

    internal  --open_publicity-->  publicity   each evaluated region sees its own scores and may appeal
                                               per item until the deadline
    publicity --finalize-->        final       appeals decided, window closed; results frozen as
                                               FinalResult rows of this version; submissions locked
    final     --reopen-->          publicity   only by a recorded decision (reason); version + 1
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Release(models.Model):
    class Stage(models.TextChoices):
        INTERNAL = "internal", _("内部评审")
        PUBLICITY = "publicity", _("结果公示")
        FINAL = "final", _("正式发布")

    cycle = models.OneToOneField("evaluation.Cycle", on_delete=models.CASCADE, related_name="release")
    stage = models.CharField(_("发布阶段"), max_length=12, choices=Stage.choices, default=Stage.INTERNAL)
    version = models.PositiveSmallIntegerField(_("版本"), default=0)  # 1 at the first final publication
    appeal_days = models.PositiveSmallIntegerField(_("申诉期（天）"), default=5)
    publicity_at = models.DateTimeField(_("公示时间"), null=True, blank=True)
    appeal_deadline = models.DateTimeField(_("申诉截止时间"), null=True, blank=True)
    final_at = models.DateTimeField(_("正式发布时间"), null=True, blank=True)
    # outcomes (奖励、通报): per cycle, e.g. Jiangxi's 前三名 30万元 within 优秀
    award_top_n = models.PositiveSmallIntegerField(_("奖励名额"), default=3)
    award_grade = models.CharField(_("奖励须达到的等次"), max_length=16, default="优秀")
    award_amount = models.DecimalField(_("奖励金额（元）"), max_digits=12, decimal_places=2, default=Decimal("0"))
    praise_grades = models.JSONField(_("通报表扬的等次"), default=list, blank=True)  # e.g. ["优秀"]
    criticize_grades = models.JSONField(_("通报批评的等次"), default=list, blank=True)  # e.g. ["不合格"]
    interview_on_veto = models.BooleanField(_("触发一票否决的约谈"), default=True)

    class Meta:
        verbose_name = _("结果发布")
        verbose_name_plural = _("结果发布")

    def __str__(self) -> str:
        return f"{self.cycle} · {self.get_stage_display()}"


class Appeal(models.Model):
    """申诉: one per item and region and version, with reason and evidence, decided by the office."""

    class State(models.TextChoices):
        OPEN = "open", _("待处理")
        UPHELD = "upheld", _("申诉成立")
        REJECTED = "rejected", _("申诉不成立")

    submission = models.ForeignKey("evaluation.Submission", on_delete=models.CASCADE, related_name="appeals")
    indicator = models.ForeignKey("schemes.Indicator", verbose_name=_("指标"), on_delete=models.PROTECT)
    version = models.PositiveSmallIntegerField(default=0)
    reason = models.TextField(_("申诉理由"), max_length=4000)
    filename = models.CharField(_("佐证材料"), max_length=255, blank=True)
    stored_name = models.CharField(max_length=100, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    score_before = models.DecimalField(_("原得分"), max_digits=7, decimal_places=2, null=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.OPEN)
    new_score = models.DecimalField(_("改判得分"), max_digits=7, decimal_places=2, null=True, blank=True)
    decision = models.TextField(_("处理意见"), blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(_("申诉时间"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("申诉")
        verbose_name_plural = _("申诉")
        ordering = ["filed_at"]
        constraints = [models.UniqueConstraint(fields=["submission", "indicator", "version"], name="one_appeal_per_item")]


class FinalResult(models.Model):
    """The published result of one region in one version: what every published page and document
    reads once a cycle is final (later recomputations never change it)."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="final_results")
    version = models.PositiveSmallIntegerField()
    submission = models.ForeignKey("evaluation.Submission", on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(max_length=6)
    region_name = models.CharField(max_length=64)
    total = models.DecimalField(max_digits=7, decimal_places=2, null=True)
    grade = models.CharField(max_length=16, blank=True)  # after veto caps
    grade_before_veto = models.CharField(max_length=16, blank=True)
    rank = models.PositiveIntegerField(null=True)  # None: review not complete (未完成)
    vetoes = models.JSONField(default=list)
    outcomes = models.JSONField(default=list)  # e.g. ["奖励（300000.00元）", "通报表扬"]

    class Meta:
        verbose_name = _("正式发布结果")
        verbose_name_plural = _("正式发布结果")
        ordering = ["version", "rank", "region_code"]
        constraints = [models.UniqueConstraint(fields=["release", "version", "submission"], name="uniq_final_result")]
