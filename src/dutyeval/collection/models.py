"""Data elements (the catalogue, in the database) and the values regions report for them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DataElement(models.Model):
    """Mirror of core/catalogue.yaml, kept in sync by `manage.py sync_catalogue` (run by migrate)."""

    code = models.SlugField(_("代码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    area = models.CharField(_("填报类别"), max_length=32)
    unit = models.CharField(_("单位"), max_length=16)
    kind = models.CharField(_("类型"), max_length=16)
    min_value = models.DecimalField(_("最小值"), max_digits=20, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField(_("最大值"), max_digits=20, decimal_places=4, null=True, blank=True)
    over_100 = models.BooleanField(_("可超过100%（毛率）"), default=False)
    part_of = models.CharField(_("所属总数"), max_length=64, blank=True)
    level = models.CharField(_("学段"), max_length=16, blank=True)
    order = models.PositiveIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("数据元素")
        verbose_name_plural = _("数据元素")
        ordering = ["order"]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）"


class DataValue(models.Model):
    class Source(models.TextChoices):
        ENTERED = "entered", _("网页填报")
        IMPORTED = "imported", _("Excel导入")
        COMPUTED = "computed", _("系统计算")
        EXTRACTED = "extracted", _("报告提取")
        CORRECTED = "corrected", _("督导办更正")
        DEMO = "demo", _("演示数据")
        SURVEY = "survey", _("满意度调查")

    element = models.ForeignKey(DataElement, verbose_name=_("数据元素"), on_delete=models.PROTECT, related_name="values")
    region = models.ForeignKey("regions.Region", verbose_name=_("区域"), on_delete=models.PROTECT, related_name="values")
    year = models.PositiveSmallIntegerField(_("年度"))
    value = models.DecimalField(_("数值"), max_digits=20, decimal_places=4)
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices, default=Source.ENTERED)
    quote = models.TextField(_("原文摘录"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填报人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("数据值")
        verbose_name_plural = _("数据值")
        constraints = [models.UniqueConstraint(fields=["element", "region", "year"], name="uniq_value")]
        indexes = [models.Index(fields=["region", "year"])]

    def __str__(self) -> str:
        return f"{self.region_id}/{self.year}/{self.element_id}={self.value}"


class ImportAttempt(models.Model):
    """Each Excel upload, kept so its error list can be downloaded and audited."""

    region = models.ForeignKey("regions.Region", on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField(_("年度"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    filename = models.CharField(_("文件名"), max_length=255)
    ok = models.BooleanField(_("成功"), default=False)
    written = models.PositiveIntegerField(_("写入条数"), default=0)
    # only the first MAX_STORED_ERRORS are kept (a bad file can have a million); error_count has them all
    errors = models.JSONField(_("错误"), default=list)  # [{sheet,row,field,label,reason,severity}]
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    warnings = models.JSONField(_("提示"), default=list)
    created = models.DateTimeField(auto_now_add=True)

    MAX_STORED_ERRORS = 1000
    MAX_TEXT = 200  # characters per stored field: user text quoted in a reason is cut

    class Meta:
        verbose_name = _("导入记录")
        verbose_name_plural = _("导入记录")
        ordering = ["-created"]

    def set_errors(self, errors) -> None:
        """Keep the first MAX_STORED_ERRORS errors (each field cut to MAX_TEXT) and count them all."""
        kept, total = [], 0
        for e in errors:
            total += 1
            if len(kept) < self.MAX_STORED_ERRORS:
                kept.append({k: v[: self.MAX_TEXT] if isinstance(v, str) else v for k, v in e.items()})
        self.errors, self.error_count = kept, total

    @property
    def errors_truncated(self) -> bool:
        return self.error_count > len(self.errors)

    def save(self, *args, **kwargs):
        # a path that assigns .errors directly still gets the cap and the count
        if self.error_count < len(self.errors) or len(self.errors) > self.MAX_STORED_ERRORS:
            self.set_errors(list(self.errors))
        self.warnings = self.warnings[: self.MAX_STORED_ERRORS]
        super().save(*args, **kwargs)
