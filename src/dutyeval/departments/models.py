"""A region's departments (责任分工) and what of a submission each of them fills.

A county or city government splits the scheme among its departments (教育局, 财政局, 人社局, 编办 …):
each item (指标) and each data element (数据项) of a submission is assigned to one department, whose
users see and fill only that; the region's coordinator sees everything and alone submits.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Department(models.Model):
    region = models.ForeignKey("regions.Region", verbose_name=_("所属区域"), on_delete=models.PROTECT,
                               related_name="departments")
    name = models.CharField(_("部门名称"), max_length=64)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["region__code", "order", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="uniq_department_name")]

    def __str__(self) -> str:
        return self.name


class Assignment(models.Model):
    class Kind(models.TextChoices):
        ITEM = "item", _("评价指标")
        ELEMENT = "element", _("数据项")

    submission = models.ForeignKey("evaluation.Submission", on_delete=models.CASCADE, related_name="assignments")
    kind = models.CharField(_("类别"), max_length=8, choices=Kind.choices)
    code = models.CharField(_("编号"), max_length=64)  # indicator code or data element code
    department = models.ForeignKey(Department, verbose_name=_("责任部门"), on_delete=models.PROTECT,
                                   related_name="assignments")

    class Meta:
        verbose_name = _("任务分工")
        verbose_name_plural = _("任务分工")
        constraints = [models.UniqueConstraint(fields=["submission", "kind", "code"], name="uniq_assignment")]

    def __str__(self) -> str:
        return f"{self.code} → {self.department}"
