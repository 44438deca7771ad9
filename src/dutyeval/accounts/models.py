"""Users, their role and the region they act for."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    class Role(models.TextChoices):
        NATIONAL_ADMIN = "national_admin", _("国家督导办管理员")
        PROVINCE_ADMIN = "province_admin", _("省级督导办管理员")
        CITY_ADMIN = "city_admin", _("市级督导办管理员")
        CITY_REVIEWER = "city_reviewer", _("市级复核人员")
        REVIEWER = "reviewer", _("评审专家（督学）")
        COUNTY_COORDINATOR = "county_coordinator", _("填报联络员")
        DEPARTMENT = "department", _("部门填报人员")

    role = models.CharField(_("角色"), max_length=24, choices=Role.choices, blank=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所属区域"), null=True, blank=True, on_delete=models.PROTECT
    )
    display_name = models.CharField(_("姓名"), max_length=64, blank=True)
    # department users (责任分工) fill only what their region's coordinator assigned to this department
    department = models.ForeignKey(
        "departments.Department", verbose_name=_("所属部门"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="users",
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username
