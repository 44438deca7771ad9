"""Verifiable draws (抽签) of a cycle: the counties to visit, on the day the schools of a county.

Workflow (transition table; enforced in services.py, by the office running the cycle):

    (new)      --prepare-->   draft       frame generated from the cycle's regions / the county's schools
    draft      --update-->    draft       n, strata, exclusions and forced inclusions with reasons
    draft      --publish-->   published   the system draws a secret, stores it, publishes only its
                                          SHA-256 (the commitment) with the frame; the frame freezes
    published  --add_input--> published   observers' public inputs, each with who called it out
    published  --draw-->      drawn       once: the record (core.lottery) is written and never changes
    drawn      --draw-->      refused     and the attempt is in the audit log

The record is a DrawRecord row: append-only like the audit log (the model refuses updates and
deletes; on PostgreSQL a trigger refuses them from any client, migration 0002), one per draw
(a unique key, so two simultaneous draws cannot both be written).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dutyeval.core import lottery


class Immutable(Exception):
    """A published frame, a commitment or a draw record cannot change."""


class Draw(models.Model):
    class Kind(models.TextChoices):
        REGIONS = "regions", _("实地核查地区抽签")
        SCHOOLS = "schools", _("当日学校抽签")

    class State(models.TextChoices):
        DRAFT = "draft", _("草拟")
        PUBLISHED = "published", _("已公布名单")
        DRAWN = "drawn", _("已抽签")

    cycle = models.ForeignKey("evaluation.Cycle", verbose_name=_("评价周期"), on_delete=models.PROTECT,
                              related_name="draws")
    kind = models.CharField(_("抽签类型"), max_length=12, choices=Kind.choices)
    county = models.ForeignKey("regions.Region", verbose_name=_("实地核查的县（市、区）"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")  # schools draws only
    title = models.CharField(_("抽签名称"), max_length=200)
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.DRAFT)
    frame = models.JSONField(_("抽签名单"), default=dict)  # core.lottery.Frame.to_json()
    parameters = models.JSONField(_("抽签参数"), default=dict)  # core.lottery.Parameters.to_json()
    frame_sha256 = models.CharField(_("名单哈希"), max_length=64, blank=True)
    commitment = models.CharField(_("承诺值"), max_length=64, blank=True)
    # never shown before the draw; revealed in the record
    secret = models.CharField(_("秘密值"), max_length=128, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True,
                                   on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("公布人"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)

    FROZEN = ("cycle_id", "kind", "county_id", "frame", "parameters", "frame_sha256", "commitment", "secret")

    class Meta:
        verbose_name = _("抽签")
        verbose_name_plural = _("抽签")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if not self._state.adding:
            before = Draw.objects.filter(pk=self.pk).values("state", *self.FROZEN).first()
            if before and before["state"] == self.State.DRAWN:
                raise Immutable("抽签已完成，记录不可更改")
            if before and before["state"] != self.State.DRAFT and any(
                    before[f] != getattr(self, f) for f in self.FROZEN):
                raise Immutable("名单和承诺值已公布，不可更改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.state != self.State.DRAFT:
            raise Immutable("已公布的抽签不能删除")
        return super().delete(*args, **kwargs)

    @property
    def lottery_frame(self) -> lottery.Frame:
        return lottery.Frame.from_json(self.frame)

    @property
    def lottery_parameters(self) -> lottery.Parameters:
        return lottery.Parameters.from_json(self.parameters)

    @property
    def region(self):
        """The region whose scope the draw belongs to: the county of a schools draw, else the cycle's root."""
        return self.county or self.cycle.root


class PublicInput(models.Model):
    """One text an observer called out at the draw (numbers, dice, a lottery's closing figure)."""

    draw = models.ForeignKey(Draw, on_delete=models.PROTECT, related_name="inputs")
    order = models.PositiveSmallIntegerField(_("顺序"))
    text = models.CharField(_("公开输入"), max_length=200)
    by = models.CharField(_("报出人"), max_length=100, help_text=_("监督人员的姓名和单位，如：省纪委监委驻厅纪检组 李某"))
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True,
                                   on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("现场公开输入")
        verbose_name_plural = _("现场公开输入")
        ordering = ["draw", "order"]
        constraints = [models.UniqueConstraint(fields=["draw", "order"], name="uniq_draw_input_order")]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise Immutable("公开输入录入后不可更改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise Immutable("公开输入录入后不可删除")


class DrawRecordQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise Immutable("抽签记录不可更改")

    def delete(self):
        raise Immutable("抽签记录不可删除")


class DrawRecord(models.Model):
    """The draw as made: core.lottery's record, verbatim. Written once, never changed."""

    draw = models.OneToOneField(Draw, on_delete=models.PROTECT, related_name="record")
    record = models.JSONField(_("抽签记录"))
    record_sha256 = models.CharField(_("记录哈希"), max_length=64)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("抽签操作人"), null=True,
                                 on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField(_("抽签时间"))

    objects = DrawRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("抽签记录")
        verbose_name_plural = _("抽签记录")

    def __str__(self) -> str:
        return f"{self.draw} {self.record_sha256[:12]}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise Immutable("抽签记录不可更改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise Immutable("抽签记录不可删除")
