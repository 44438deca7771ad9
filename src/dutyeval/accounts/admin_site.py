"""The back office's titles, in one place (the default site every admin.py registers with)."""

from django.contrib.admin import AdminSite
from django.utils.translation import gettext_lazy as _


class DutyAdminSite(AdminSite):
    site_header = _("教育督导履职评价系统 · 后台管理")
    site_title = _("履职评价后台")
    index_title = _("后台管理")
