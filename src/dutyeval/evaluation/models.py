"""Cycles, submissions and their item scores and narratives.

Submission workflow (transition table; enforced in services.py):

    draft     --submit-->   submitted   (county coordinator; data and self scores lock)
    returned  --submit-->   submitted
    submitted --return-->   returned    (province admin, with a reason; unlocks)
    submitted --accept-->   accepted    (province admin)
    accepted  --lock-->     locked      (province admin, when results are published)
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# growth and 只增不减 compare with earlier years; four years back covers every rule we ship
HISTORY_YEARS = 4


class Cycle(models.Model):
    name = models.CharField(_("评价名称"), max_length=200)
    scheme = models.ForeignKey("schemes.Scheme", verbose_name=_("评价方案"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("评价年度"))
    data_year = models.PositiveSmallIntegerField(_("数据年度"), help_text=_("评价所依据的统计数据年度，一般为上一年"))
    root = models.ForeignKey("regions.Region", verbose_name=_("组织单位所在区域"), on_delete=models.PROTECT)
    deadline = models.DateTimeField(_("自评截止时间"), null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("评价周期")
        verbose_name_plural = _("评价周期")
        ordering = ["-year", "name"]

    def __str__(self) -> str:
        return self.name

    def years_collected(self) -> range:
        """The years whose figures the evaluated regions report in this cycle."""
        return range(self.data_year, self.data_year + 1)

    def years_read(self) -> range:
        """Every year the scoring reads, including the earlier years that checks compare against."""
        return range(self.data_year - HISTORY_YEARS, self.data_year + 1)


class Submission(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("填报中")
        SUBMITTED = "submitted", _("已提交")
        RETURNED = "returned", _("已退回")
        ACCEPTED = "accepted", _("已通过")
        LOCKED = "locked", _("已锁定")

    EDITABLE = (State.DRAFT, State.RETURNED)

    cycle = models.ForeignKey(Cycle, verbose_name=_("评价周期"), on_delete=models.CASCADE, related_name="submissions")
    region = models.ForeignKey("regions.Region", verbose_name=_("被评价区域"), on_delete=models.PROTECT)
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.DRAFT)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    return_reason = models.TextField(_("退回原因"), blank=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("自评材料")
        verbose_name_plural = _("自评材料")
        constraints = [models.UniqueConstraint(fields=["cycle", "region"], name="uniq_submission")]
        ordering = ["region__code"]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.region.name}"

    @property
    def editable(self) -> bool:
        return self.state in self.EDITABLE


class ItemScore(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="scores")
    indicator = models.ForeignKey("schemes.Indicator", on_delete=models.CASCADE)
    self_score = models.DecimalField(_("自评得分"), max_digits=7, decimal_places=2, null=True, blank=True)
    self_note = models.TextField(_("自评说明"), blank=True)
    reviewer_score = models.DecimalField(_("评审得分"), max_digits=7, decimal_places=2, null=True, blank=True)
    reviewer_note = models.TextField(_("评审意见"), blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    vetoed = models.BooleanField(_("认定触发一票否决"), null=True, blank=True)  # veto items only

    class Meta:
        verbose_name = _("指标得分")
        verbose_name_plural = _("指标得分")
        constraints = [models.UniqueConstraint(fields=["submission", "indicator"], name="uniq_item_score")]


class Narrative(models.Model):
    """The short self-evaluation text per area (一级指标)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="narratives")
    area_code = models.CharField(_("一级指标编号"), max_length=32)
    text = models.TextField(_("自评情况"), blank=True, max_length=5000)

    class Meta:
        verbose_name = _("自评叙述")
        verbose_name_plural = _("自评叙述")
        constraints = [models.UniqueConstraint(fields=["submission", "area_code"], name="uniq_narrative")]


class Result(models.Model):
    """The computed score of one submission: total, grade, rank and every item with its explanation."""

    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="result")
    total = models.DecimalField(_("总分"), max_digits=7, decimal_places=2)
    grade = models.CharField(_("等次"), max_length=16)
    grade_before_veto = models.CharField(_("否决前等次"), max_length=16)
    rank = models.PositiveIntegerField(_("排名"))
    vetoes = models.JSONField(_("一票否决"), default=list)
    insufficient = models.PositiveIntegerField(_("数据不足项"), default=0)
    items = models.JSONField(_("各项得分"), default=dict)  # indicator code → score, status, who, rule, figures …
    computed_at = models.DateTimeField(_("计算时间"), auto_now=True)

    class Meta:
        verbose_name = _("评价结果")
        verbose_name_plural = _("评价结果")


class RecomputeJob(models.Model):
    """A recomputation of a cycle's scores, run by the task queue; the page polls its progress."""

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("计算中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="jobs")
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    message = models.CharField(_("说明"), max_length=200, blank=True)
    reason = models.CharField(_("触发原因"), max_length=200, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(_("耗时（秒）"), null=True, blank=True)

    class Meta:
        verbose_name = _("重新计算任务")
        verbose_name_plural = _("重新计算任务")
        ordering = ["-created"]
        # one waiting and one running job per cycle: requests coalesce into the waiting one, and two
        # workers never write the same cycle's results at once (the database enforces both)
        constraints = [
            models.UniqueConstraint(fields=["cycle"], condition=models.Q(state="queued"), name="one_queued_per_cycle"),
            models.UniqueConstraint(fields=["cycle"], condition=models.Q(state="running"), name="one_running_per_cycle"),
        ]
