"""Evaluation schemes (评价方案) as versioned data; see docs/schemes.md for the YAML format."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Scheme(models.Model):
    code = models.SlugField(_("方案代码"), max_length=64)
    version = models.PositiveIntegerField(_("版本"), default=1)
    title = models.CharField(_("方案名称"), max_length=200)
    issuer = models.CharField(_("印发机关"), max_length=100, blank=True)
    doc_number = models.CharField(_("文号"), max_length=64, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    level = models.CharField(_("评价对象层级"), max_length=8)
    total_points = models.DecimalField(_("总分"), max_digits=7, decimal_places=2, default=Decimal(100))
    grade_bands = models.JSONField(_("等次划分"), default=list)
    source = models.TextField(_("来源"), blank=True)
    notes = models.TextField(_("说明"), blank=True)
    definition = models.JSONField(_("方案定义"), default=dict)  # canonical dict, round-trips to the YAML
    fingerprint = models.CharField(_("内容指纹"), max_length=64)
    frozen_at = models.DateTimeField(_("冻结时间"), null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("评价方案")
        verbose_name_plural = _("评价方案")
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="uniq_scheme_version")]

    def __str__(self) -> str:
        return f"{self.title}（第{self.version}版）"

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    def to_core(self):
        from dutyeval.core.schemefile import parse_scheme

        return parse_scheme(self.definition, f"{self.code} v{self.version}")


class Indicator(models.Model):
    class RuleKind(models.TextChoices):
        MANUAL = "manual", _("人工评分")
        AUTO = "auto", _("数据自动计算")
        CHECK = "check", _("法定指标核验")
        VETO = "veto", _("一票否决")

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="indicators")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    code = models.CharField(_("指标编号"), max_length=32)
    depth = models.PositiveSmallIntegerField(_("层级"))
    order = models.PositiveIntegerField(_("顺序"))
    title = models.CharField(_("指标"), max_length=300)
    points = models.DecimalField(_("分值"), max_digits=7, decimal_places=2, default=Decimal(0))
    kind = models.CharField(_("类别"), max_length=12, default="item")
    rule_kind = models.CharField(_("评分方式"), max_length=8, choices=RuleKind.choices, default=RuleKind.MANUAL)
    rule = models.JSONField(_("评分规则"), default=dict)
    evidence = models.JSONField(_("佐证材料"), default=list)
    department = models.CharField(_("牵头单位"), max_length=100, blank=True)
    assumed = models.BooleanField(_("分值为推定"), default=False)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("评价指标")
        verbose_name_plural = _("评价指标")
        ordering = ["scheme", "order"]
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="uniq_indicator_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def is_leaf(self) -> bool:
        return not self.children.exists()
