"""In-app notifications: what changed that concerns a user (assigned, returned, accepted, due, overdue)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Kind(models.TextChoices):
        ASSIGNED = "assigned", _("新任务")
        SUBMITTED = "submitted", _("待审核")
        FORWARDED = "forwarded", _("设区市已复核")
        RETURNED = "returned", _("被退回")
        ACCEPTED = "accepted", _("已通过")
        LATE_ALLOWED = "late_allowed", _("同意逾期提交")
        DUE_SOON = "due_soon", _("即将截止")
        OVERDUE = "overdue", _("已逾期")
        URGED = "urged", _("催报")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE,
                             related_name="notifications")
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=200, blank=True)
    # one reminder of a kind per object and day: the daily job may run twice without repeating itself
    dedupe_key = models.CharField(max_length=100, blank=True)
    created = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]
        constraints = [
            models.UniqueConstraint(fields=["user", "dedupe_key"], condition=~models.Q(dedupe_key=""),
                                    name="one_reminder_per_key"),
        ]

    def __str__(self) -> str:
        return self.title
