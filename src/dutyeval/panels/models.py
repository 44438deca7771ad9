"""Review panels (评审组): the expert pool, who reviews which region, independent scores, the panel's
decisions and requests for supplementary material (补充材料). See docs/review.md.

A panel's life (enforced in services.py):

    (none)      --apply_proposal / add_member-->  scoring    the office assigns ≥ N members, one lead
    scoring     --sign_off (each member)-->       scoring    a member's scores are final, still hidden
    scoring     --last sign_off-->                reconciling  every item agreed is decided (mean);
                                                             the others wait for the lead
    reconciling --decide (lead, each item)-->     decided    every item decided and written to ItemScore

A member's scores are visible only to that member until every scoring member has signed off.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Expert(models.Model):
    """A reviewer's profile in the pool: where the expert comes from (for recusal), unit and specialties."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("评审专家"), on_delete=models.CASCADE,
                                related_name="expert")
    home = models.ForeignKey("regions.Region", verbose_name=_("所在地区"), on_delete=models.PROTECT, related_name="+",
                             help_text=_("专家工作单位所在的行政区划，用于区域回避"))
    unit = models.CharField(_("工作单位"), max_length=100, blank=True)
    specialties = models.JSONField(_("专业领域"), default=list, blank=True)  # codes of specialties.yaml
    active = models.BooleanField(_("在库"), default=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("评审专家信息")
        verbose_name_plural = _("评审专家信息")
        ordering = ["user__username"]

    def __str__(self) -> str:
        return str(self.user)


class PanelPolicy(models.Model):
    """A cycle's panel rules. Without a row, the defaults below apply."""

    class Recusal(models.TextChoices):
        COUNTY = "county", _("本县（市、区）回避")
        CITY = "city", _("本设区市回避")
        PROVINCE = "province", _("本省回避")

    cycle = models.OneToOneField("evaluation.Cycle", on_delete=models.CASCADE, related_name="panel_policy")
    minimum = models.PositiveSmallIntegerField(_("每个评审组至少人数"), default=2)
    recusal = models.CharField(_("回避范围"), max_length=8, choices=Recusal.choices, default=Recusal.CITY)
    threshold_percent = models.DecimalField(_("分差阈值（占该项分值的百分比）"), max_digits=5, decimal_places=2,
                                            default=Decimal(20))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("评审组设置")
        verbose_name_plural = _("评审组设置")


class Panel(models.Model):
    """The panel reviewing one submission."""

    submission = models.OneToOneField("evaluation.Submission", verbose_name=_("自评材料"), on_delete=models.CASCADE,
                                      related_name="panel")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    reconciled_at = models.DateTimeField(_("汇总时间"), null=True, blank=True)  # all members signed off
    decided_at = models.DateTimeField(_("评审完成时间"), null=True, blank=True)  # every item decided

    class Meta:
        verbose_name = _("评审组")
        verbose_name_plural = _("评审组")
        ordering = ["submission__region__code"]

    def __str__(self) -> str:
        return f"{self.submission.region.name}评审组"


class PanelMember(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", _("成员")
        LEAD = "lead", _("组长")  # scores like a member and decides where the members differ
        ARBITER = "arbiter", _("第三方裁定")  # does not score; decides where the members differ

    SCORING = (Role.MEMBER, Role.LEAD)
    DECIDING = (Role.LEAD, Role.ARBITER)

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="members")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("评审专家"), on_delete=models.PROTECT,
                                 related_name="panel_seats")
    role = models.CharField(_("组内角色"), max_length=8, choices=Role.choices, default=Role.MEMBER)
    signed_off_at = models.DateTimeField(_("提交评分时间"), null=True, blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("评审组成员")
        verbose_name_plural = _("评审组成员")
        ordering = ["panel", "reviewer__username"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "reviewer"], name="uniq_panel_member"),
            models.UniqueConstraint(fields=["panel"], condition=models.Q(role__in=["lead", "arbiter"]),
                                    name="one_decider_per_panel"),
        ]

    @property
    def scores_items(self) -> bool:
        return self.role in self.SCORING

    @property
    def decides(self) -> bool:
        return self.role in self.DECIDING


class PanelScore(models.Model):
    """One member's independent score of one item. `score` for manual items (and an optional override of
    an automatic one), `veto` for veto items; a veto finding carries a reason and evidence."""

    member = models.ForeignKey(PanelMember, on_delete=models.CASCADE, related_name="scores")
    indicator = models.ForeignKey("schemes.Indicator", on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("评分"), max_digits=7, decimal_places=2, null=True, blank=True)
    comment = models.TextField(_("评审意见"), blank=True, max_length=2000)
    veto = models.BooleanField(_("认定触发一票否决"), null=True, blank=True)
    cited = models.ManyToManyField("evidence.Evidence", verbose_name=_("引用的佐证材料"), blank=True, related_name="+")
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("独立评分")
        verbose_name_plural = _("独立评分")
        constraints = [models.UniqueConstraint(fields=["member", "indicator"], name="uniq_panel_score")]


class FindingFile(models.Model):
    """Evidence a reviewer brings for a veto finding (an accident report, a press article). Stored like
    佐证材料 but never shown to the evaluated region."""

    score = models.ForeignKey(PanelScore, on_delete=models.CASCADE, related_name="files")
    filename = models.CharField(_("文件名"), max_length=255)
    stored_name = models.CharField(max_length=100)  # under MEDIA_ROOT/panel_findings
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("否决认定材料")
        verbose_name_plural = _("否决认定材料")
        ordering = ["uploaded_at", "pk"]


class PanelDecision(models.Model):
    """The panel's score of one item, as written to evaluation.ItemScore."""

    class Method(models.TextChoices):
        MEAN = "mean", _("分差在阈值内，取平均分")
        AGREED = "agreed", _("认定一致")
        KEPT = "kept", _("均未调整自动计算结果")
        LEAD = "lead", _("组长裁定")

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="decisions")
    indicator = models.ForeignKey("schemes.Indicator", on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("确定方式"), max_length=8, choices=Method.choices)
    score = models.DecimalField(_("评审得分"), max_digits=7, decimal_places=2, null=True, blank=True)
    vetoed = models.BooleanField(_("认定触发一票否决"), null=True, blank=True)
    reason = models.TextField(_("裁定理由"), blank=True, max_length=2000)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("评审组结论")
        verbose_name_plural = _("评审组结论")
        constraints = [models.UniqueConstraint(fields=["panel", "indicator"], name="uniq_panel_decision")]


class SupplementRequest(models.Model):
    """A panel member asks the evaluated region for supplementary material (补充材料) on one item."""

    class State(models.TextChoices):
        OPEN = "open", _("待补充")
        ANSWERED = "answered", _("已补充")

    submission = models.ForeignKey("evaluation.Submission", on_delete=models.CASCADE, related_name="supplements")
    indicator = models.ForeignKey("schemes.Indicator", verbose_name=_("评价指标"), on_delete=models.PROTECT,
                                  related_name="+")
    note = models.TextField(_("需补充的材料"), max_length=2000)
    deadline = models.DateField(_("补充期限"))
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.OPEN)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(_("补充说明"), blank=True, max_length=2000)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    evidence = models.ForeignKey("evidence.Evidence", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")

    class Meta:
        verbose_name = _("补充材料要求")
        verbose_name_plural = _("补充材料要求")
        ordering = ["deadline", "pk"]
