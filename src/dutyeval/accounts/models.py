"""Users, their role and the region they act for."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    class Role(models.TextChoices):
        PROVINCE_ADMIN = "province_admin", _("省级督导办管理员")
        COUNTY_COORDINATOR = "county_coordinator", _("县级填报联络员")
        REVIEWER = "reviewer", _("评审专家（督学）")

    role = models.CharField(_("角色"), max_length=24, choices=Role.choices, blank=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所属区域"), null=True, blank=True, on_delete=models.PROTECT
    )
    display_name = models.CharField(_("姓名"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username
