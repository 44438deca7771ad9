"""Administrative regions (GB/T 2260) and schools."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    class Level(models.TextChoices):
        NATIONAL = "national", _("国家级")
        PROVINCE = "province", _("省级")
        CITY = "city", _("市级")
        COUNTY = "county", _("县级")

    code = models.CharField(_("行政区划代码"), max_length=6, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("层级"), max_length=8, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    revision = models.CharField(_("代码版本"), max_length=8, blank=True, help_text=_("GB/T 2260 修订版本"))

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def prefix(self) -> str:
        """Code prefix shared by this region and everything below it (GB/T 2260 is hierarchical)."""
        return {"national": "", "province": self.code[:2], "city": self.code[:4]}.get(self.level, self.code)

    def contains(self, other: Region) -> bool:
        return other.code.startswith(self.prefix)

    @property
    def full_name(self) -> str:
        names, node = [], self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return "".join(reversed(names))


class School(models.Model):
    class Type(models.TextChoices):
        PRIMARY = "primary", _("小学")
        JUNIOR = "junior", _("初中")
        NINE_YEAR = "nine_year", _("九年一贯制学校")
        COMPLETE_SECONDARY = "complete_secondary", _("完全中学")
        KINDERGARTEN = "kindergarten", _("幼儿园")

    code = models.CharField(_("学校标识码"), max_length=20, unique=True)
    name = models.CharField(_("学校名称"), max_length=100)
    type = models.CharField(_("学校类型"), max_length=20, choices=Type.choices)
    county = models.ForeignKey(Region, verbose_name=_("所属县（市、区）"), on_delete=models.PROTECT, related_name="schools")

    class Meta:
        verbose_name = _("学校")
        verbose_name_plural = _("学校")
        ordering = ["county__code", "code"]

    def __str__(self) -> str:
        return self.name


class SchoolYearRecord(models.Model):
    """One school's resource figures for one year and level: the wide table the balance engine reads."""

    class Level(models.TextChoices):
        PRIMARY = "primary", _("小学")
        JUNIOR = "junior", _("初中")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="records")
    year = models.PositiveSmallIntegerField(_("年度"))
    level = models.CharField(_("学段"), max_length=8, choices=Level.choices)
    students = models.PositiveIntegerField(_("在校生数"))
    teachers_above_degree = models.PositiveIntegerField(_("高于规定学历教师数"), default=0)
    backbone_teachers = models.PositiveIntegerField(_("县级以上骨干教师数"), default=0)
    pe_art_teachers = models.PositiveIntegerField(_("体育艺术专任教师数"), default=0)
    teaching_area_m2 = models.DecimalField(_("教学及辅助用房面积（平方米）"), max_digits=12, decimal_places=2, default=0)
    sports_area_m2 = models.DecimalField(_("体育运动场馆面积（平方米）"), max_digits=12, decimal_places=2, default=0)
    equipment_value_yuan = models.DecimalField(_("教学仪器设备值（元）"), max_digits=14, decimal_places=2, default=0)
    multimedia_rooms = models.PositiveIntegerField(_("网络多媒体教室数"), default=0)

    class Meta:
        verbose_name = _("学校年度资源数据")
        verbose_name_plural = _("学校年度资源数据")
        constraints = [models.UniqueConstraint(fields=["school", "year", "level"], name="uniq_school_year_level")]
