from axes import apps as axes_apps
from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default = True
    name = "dutyeval.accounts"
    verbose_name = _("用户与权限")
    default_auto_field = "django.db.models.BigAutoField"


class DutyAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the site's Chinese titles (see accounts/admin_site.py)."""

    default = False
    default_site = "dutyeval.accounts.admin_site.DutyAdminSite"


class AxesConfig(axes_apps.AppConfig):
    """django-axes (login lockout) under a Chinese section title in the back office."""

    default = False
    verbose_name = _("登录安全")
