"""Field verification (实地核查): teams, their itinerary, the school checklists, on-site scores and the
findings where a verified figure differs from the reported one. See docs/fieldwork.md.

Workflow (enforced in services.py):

    office  --create_team / add_member / remove_member-->  team          recusal checked per visited region
    office  --add_visit (region, date, draw?)-->           visit         a county drawn by a regions draw
    office  --add_school (school, draw? | reason)-->       visited school
    member  --submit_checklist (whole list, idempotent)--> checks        differences beyond tolerance → findings
    member  --save_onsite_score-->                         on-site score (kept apart from online scores)
    office  --forward_finding-->                           rectification finding (rectification.add_finding)
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FieldPolicy(models.Model):
    """A cycle's field-verification rules. Without a row the defaults apply."""

    class Mode(models.TextChoices):
        OVERRIDES = "verified_overrides", _("现场评分替代网上评分")
        DEDUCT = "deduct_per_falsified", _("按虚报数据项扣分")

    cycle = models.OneToOneField("evaluation.Cycle", on_delete=models.CASCADE, related_name="field_policy")
    count_tolerance = models.DecimalField(_("人数、间数等计数允许误差"), max_digits=9, decimal_places=2,
                                          default=Decimal(0))
    percent_tolerance = models.DecimalField(_("面积、金额允许误差（%）"), max_digits=5, decimal_places=2,
                                            default=Decimal(1))
    mode = models.CharField(_("现场核查结果的使用方式"), max_length=24, choices=Mode.choices, default=Mode.OVERRIDES)
    per_falsified = models.DecimalField(_("每个虚报数据项扣分"), max_digits=7, decimal_places=2, default=Decimal(1))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("实地核查设置")
        verbose_name_plural = _("实地核查设置")


class Team(models.Model):
    cycle = models.ForeignKey("evaluation.Cycle", verbose_name=_("评价周期"), on_delete=models.CASCADE,
                              related_name="field_teams")
    name = models.CharField(_("核查组名称"), max_length=100)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("实地核查组")
        verbose_name_plural = _("实地核查组")
        ordering = ["cycle", "name", "pk"]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    class Role(models.TextChoices):
        LEADER = "leader", _("组长")
        MEMBER = "member", _("成员")
        OBSERVER = "observer", _("评估视导员")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("人员"), on_delete=models.PROTECT,
                             related_name="field_seats")
    role = models.CharField(_("组内角色"), max_length=8, choices=Role.choices, default=Role.MEMBER)
    added = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("核查组成员")
        verbose_name_plural = _("核查组成员")
        ordering = ["team", "role", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="uniq_field_member"),
            models.UniqueConstraint(fields=["team"], condition=models.Q(role="leader"), name="one_field_leader"),
        ]


class Visit(models.Model):
    """One region on a team's itinerary."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="visits")
    region = models.ForeignKey("regions.Region", verbose_name=_("核查地区"), on_delete=models.PROTECT, related_name="+")
    starts = models.DateField(_("开始日期"))
    ends = models.DateField(_("结束日期"))
    draw = models.ForeignKey("draws.Draw", verbose_name=_("抽签"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")  # the regions draw that picked this county, when there is one
    reason = models.CharField(_("未经抽签的理由"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("核查行程")
        verbose_name_plural = _("核查行程")
        ordering = ["starts", "region__code"]
        constraints = [models.UniqueConstraint(fields=["team", "region"], name="uniq_field_visit")]


class VisitedSchool(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="schools")
    school = models.ForeignKey("regions.School", verbose_name=_("学校"), on_delete=models.PROTECT, related_name="+")
    draw = models.ForeignKey("draws.Draw", verbose_name=_("当日抽签"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("督导办增加的理由"), max_length=500, blank=True)
    submitted_at = models.DateTimeField(_("核查表提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    note = models.TextField(_("核查说明"), blank=True, max_length=4000)

    class Meta:
        verbose_name = _("核查学校")
        verbose_name_plural = _("核查学校")
        ordering = ["visit", "school__code"]
        constraints = [models.UniqueConstraint(fields=["visit", "school"], name="uniq_visited_school")]


class Check(models.Model):
    """One data element of a visited school: the reported figure (copied when the checklist is
    submitted, so a later correction of the record does not rewrite what was verified) and the verified one."""

    school = models.ForeignKey(VisitedSchool, on_delete=models.CASCADE, related_name="checks")
    element = models.CharField(_("数据项"), max_length=40)  # a field of regions.SchoolYearRecord (checklist.py)
    level = models.CharField(_("学段"), max_length=8)
    reported = models.DecimalField(_("填报值"), max_digits=14, decimal_places=2)
    verified = models.DecimalField(_("核查值"), max_digits=14, decimal_places=2)
    beyond = models.BooleanField(_("超出允许误差"), default=False)

    class Meta:
        verbose_name = _("核查数据项")
        verbose_name_plural = _("核查数据项")
        ordering = ["school", "level", "pk"]
        constraints = [models.UniqueConstraint(fields=["school", "element", "level"], name="uniq_field_check")]

    @property
    def label(self) -> str:
        """在校生数（小学）: the figure's name as the checklist shows it."""
        from dutyeval.regions.models import SchoolYearRecord

        field = SchoolYearRecord._meta.get_field(self.element)
        return f"{field.verbose_name}（{SchoolYearRecord.Level(self.level).label}）"


class FieldFinding(models.Model):
    """A verified figure outside the tolerance (虚报/误报). Forwarded once to rectification by the office."""

    check_row = models.OneToOneField(Check, on_delete=models.CASCADE, related_name="finding")
    text = models.TextField(_("问题描述"), max_length=2000)
    rectification = models.ForeignKey("rectification.Finding", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("核查发现的问题")
        verbose_name_plural = _("核查发现的问题")
        ordering = ["check_row__school__visit__region__code", "pk"]


class OnsiteScore(models.Model):
    """A team's on-site score of one manual item of a visited region; kept apart from online scores."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="scores")
    indicator = models.ForeignKey("schemes.Indicator", on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("现场评分"), max_digits=7, decimal_places=2)
    note = models.TextField(_("评分说明"), max_length=2000)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("现场评分")
        verbose_name_plural = _("现场评分")
        constraints = [models.UniqueConstraint(fields=["visit", "indicator"], name="uniq_onsite_score")]


class FieldFile(models.Model):
    """An interview record or photo for a visited school, checked by content like 佐证材料."""

    school = models.ForeignKey(VisitedSchool, on_delete=models.CASCADE, related_name="files")
    filename = models.CharField(_("文件名"), max_length=255)
    stored_name = models.CharField(max_length=100)  # under MEDIA_ROOT/fieldwork
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("核查佐证材料")
        verbose_name_plural = _("核查佐证材料")
        ordering = ["uploaded_at", "pk"]
