"""Rectification (整改): findings of a cycle → the region's plan of tasks → progress → closure.

Finding (one problem of one region in one cycle; transition table, enforced in services.py):

    (none)  --generate-->  draft      from the cycle's results (failed checks, automatic items, vetoes,
                                      reviewer notes on items that lost points, other lost items),
                                      or added by the office (e.g. a field-verification difference)
    draft   --edit-->      draft      the office rewrites theme / text
    draft   --withdraw-->  withdrawn  the office drops it (regeneration never brings it back)
    draft   --confirm-->   confirmed  the office confirms the region's list; the region sees it now

Plan (one per cycle and region; the coordinator answers every confirmed finding with tasks):

    draft/returned --submit-->  submitted   every confirmed finding has at least one task
    submitted      --approve--> approved    the office; the tasks become open (整改中)
    submitted      --return-->  returned    the office, with a reason; the tasks are editable again

Task (整改任务):

    draft    --(plan approved)-->   open
    open     --report(closure)-->   pending    the region asks for 验收销号 with evidence
    pending  --send_back-->         open       the office, with a reason
    open/pending --close-->         closed     the office (验收销号): evidence required
    open/pending --check_target-->  closed     data target met in a later cycle's figures (数据达标)
    open/pending --check_target-->  (same)     not met or no figure: flagged on the task
    open/pending --escalate-->      (same)     overdue only: 督办 notice, optionally on the 约谈 list

Overdue (逾期) is derived: an open or pending task whose deadline has passed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .rules import target_text


class Rhythm(models.TextChoices):
    WEEKLY = "weekly", _("每周")
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")


class Programme(models.Model):
    """The office's settings for a cycle's rectification: the rhythm of progress reports."""

    cycle = models.OneToOneField("evaluation.Cycle", on_delete=models.CASCADE, related_name="rectification")
    rhythm = models.CharField(_("进展报送频次"), max_length=10, choices=Rhythm.choices, default=Rhythm.MONTHLY)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("整改工作设置")
        verbose_name_plural = _("整改工作设置")


class Finding(models.Model):
    class Source(models.TextChoices):
        CHECK = "check", _("法定指标核验未达标")
        AUTO = "auto", _("数据自动评分失分")
        VETO = "veto", _("触发一票否决")
        REVIEW = "review", _("评审意见")
        LOST = "lost", _("评价失分")
        OFFICE = "office", _("督导办补充")
        FIELD = "field", _("实地核查差异")

    class State(models.TextChoices):
        DRAFT = "draft", _("待确认")
        CONFIRMED = "confirmed", _("已确认")
        WITHDRAWN = "withdrawn", _("已撤销")

    cycle = models.ForeignKey("evaluation.Cycle", verbose_name=_("评价周期"), on_delete=models.CASCADE,
                              related_name="findings")
    region = models.ForeignKey("regions.Region", verbose_name=_("区域"), on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("问题来源"), max_length=8, choices=Source.choices)
    # what makes a generated finding the same one on the next run: "<source>:<indicator code>"
    key = models.CharField(_("来源标识"), max_length=80)
    indicator_code = models.CharField(_("指标编号"), max_length=32, blank=True)
    theme_code = models.CharField(_("方面编号"), max_length=32, blank=True)
    theme = models.CharField(_("问题方面"), max_length=200)
    text = models.TextField(_("问题描述"), max_length=4000)
    figures = models.JSONField(_("相关数据"), default=list, blank=True)  # [{name, year, value, unit}]
    points_lost = models.DecimalField(_("失分"), max_digits=7, decimal_places=2, null=True, blank=True)
    found_on = models.DateField(_("发现日期"), default=timezone.localdate)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.DRAFT)
    order = models.PositiveIntegerField(_("顺序"), default=0)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("整改问题")
        verbose_name_plural = _("整改问题")
        ordering = ["region__code", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["cycle", "region", "key"], name="uniq_finding_key")]

    def __str__(self) -> str:
        return f"{self.region.name} · {self.theme}"

    @property
    def figure_text(self) -> str:
        """The figures with a value, as one line: 2020年公办园在园幼儿占比 39.58%；…"""
        return "；".join(f"{x.get('year') or ''}年{x.get('name') or x.get('code')} {x['value']}{x.get('unit') or ''}"
                        for x in self.figures or [] if x.get("value") is not None)


class Plan(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("编制中")
        SUBMITTED = "submitted", _("已报送待审核")
        APPROVED = "approved", _("已审核通过")
        RETURNED = "returned", _("已退回修改")

    EDITABLE = (State.DRAFT, State.RETURNED)

    cycle = models.ForeignKey("evaluation.Cycle", verbose_name=_("评价周期"), on_delete=models.CASCADE,
                              related_name="rectification_plans")
    region = models.ForeignKey("regions.Region", verbose_name=_("区域"), on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.DRAFT)
    return_reason = models.TextField(_("退回原因"), blank=True)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        verbose_name = _("整改方案")
        verbose_name_plural = _("整改方案")
        constraints = [models.UniqueConstraint(fields=["cycle", "region"], name="uniq_rect_plan")]

    def __str__(self) -> str:
        return f"{self.region.name}整改方案"

    @property
    def editable(self) -> bool:
        return self.state in self.EDITABLE


class Task(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("方案编制中")
        OPEN = "open", _("整改中")
        PENDING = "pending", _("申请销号待验收")
        CLOSED = "closed", _("已销号")

    class Closure(models.TextChoices):
        ACCEPTED = "accepted", _("验收销号")
        DATA = "data", _("数据达标")

    class Op(models.TextChoices):
        LE = "le", "≤"
        GE = "ge", "≥"
        EQ = "eq", "="

    class Check(models.TextChoices):
        MET = "met", _("数据达标")
        UNMET = "unmet", _("数据未达标")
        MISSING = "missing", _("无新年度数据")

    LIVE = (State.OPEN, State.PENDING)

    plan = models.ForeignKey(Plan, verbose_name=_("整改方案"), on_delete=models.CASCADE, related_name="tasks")
    finding = models.ForeignKey(Finding, verbose_name=_("整改问题"), on_delete=models.PROTECT, related_name="tasks")
    measures = models.TextField(_("整改措施"), max_length=4000)
    department = models.ForeignKey("departments.Department", verbose_name=_("责任部门"), on_delete=models.PROTECT,
                                   related_name="rectification_tasks")
    deadline = models.DateField(_("整改时限"))
    target_element = models.CharField(_("目标数据项"), max_length=64, blank=True)
    target_op = models.CharField(_("比较"), max_length=2, choices=Op.choices, blank=True)
    target_value = models.DecimalField(_("目标值"), max_digits=20, decimal_places=4, null=True, blank=True)
    target_by = models.DateField(_("目标达成日期"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.DRAFT)
    closure = models.CharField(_("销号方式"), max_length=10, choices=Closure.choices, blank=True)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    sent_back_reason = models.TextField(_("退回原因"), blank=True)
    escalated_at = models.DateTimeField(_("督办时间"), null=True, blank=True)
    interview = models.BooleanField(_("列入约谈名单"), default=False)
    # the automatic check against a later cycle's figures
    checked_cycle = models.ForeignKey("evaluation.Cycle", verbose_name=_("核验周期"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    checked_year = models.PositiveSmallIntegerField(_("核验数据年度"), null=True, blank=True)
    checked_value = models.DecimalField(_("核验值"), max_digits=20, decimal_places=4, null=True, blank=True)
    check_result = models.CharField(_("核验结果"), max_length=8, choices=Check.choices, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("整改任务")
        verbose_name_plural = _("整改任务")
        ordering = ["finding__order", "finding_id", "pk"]

    def __str__(self) -> str:
        return f"{self.finding.theme}：{self.measures[:30]}"

    @property
    def region(self):
        return self.plan.region

    @property
    def has_target(self) -> bool:
        return bool(self.target_element)

    @property
    def target_label(self) -> str:
        """大班额班级数（56—65人） ≤ 0个（2022-08-31前）, or "" without a target."""
        return target_text(self)

    def overdue_on(self, day) -> bool:
        return self.state in self.LIVE and self.deadline < day

    @property
    def overdue(self) -> bool:
        return self.overdue_on(timezone.localdate())


class ProgressReport(models.Model):
    task = models.ForeignKey(Task, verbose_name=_("整改任务"), on_delete=models.CASCADE, related_name="reports")
    period = models.CharField(_("报送周期"), max_length=32)  # e.g. 2025年5月 (the programme's rhythm)
    text = models.TextField(_("进展情况"), max_length=4000)
    asks_closure = models.BooleanField(_("申请验收销号"), default=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("报送人"), null=True,
                               on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(_("报送时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("整改进展")
        verbose_name_plural = _("整改进展")
        ordering = ["created", "pk"]


class EvidenceFile(models.Model):
    """A file of a progress report or of a follow-up check (exactly one of the two)."""

    report = models.ForeignKey(ProgressReport, null=True, blank=True, on_delete=models.CASCADE, related_name="files")
    followup = models.ForeignKey("FollowUpCheck", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="files")
    filename = models.CharField(_("文件名"), max_length=255)
    stored_name = models.CharField(max_length=100)  # under MEDIA_ROOT/rectification
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("整改佐证材料")
        verbose_name_plural = _("整改佐证材料")
        constraints = [models.CheckConstraint(
            condition=models.Q(report__isnull=False, followup__isnull=True)
            | models.Q(report__isnull=True, followup__isnull=False), name="evidence_of_one_owner")]

    @property
    def task_id(self) -> int:
        return self.report.task_id if self.report_id else self.followup.task_id


class RectDocument(models.Model):
    """A generated rectification report (region → office) or 督办 notice (office → region)."""

    class Kind(models.TextChoices):
        REPORT = "report", _("整改情况报告")
        NOTICE = "notice", _("督办通知")
        BULLETIN = "bulletin", _("整改进展通报")

    cycle = models.ForeignKey("evaluation.Cycle", on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey("regions.Region", verbose_name=_("区域"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("文种"), max_length=8, choices=Kind.choices)
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.CASCADE, related_name="notices")
    version = models.PositiveIntegerField(_("版本"))
    title = models.CharField(_("标题"), max_length=300)
    content = models.JSONField(_("内容"), default=dict)  # core.documents.model.OfficialDoc.to_json()
    docx_path = models.CharField(max_length=255)  # relative to MEDIA_ROOT
    pdf_path = models.CharField(max_length=255, blank=True)
    pdf_error = models.CharField(_("PDF 未生成原因"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("整改公文")
        verbose_name_plural = _("整改公文")
        ordering = ["-created", "-pk"]


class FollowUpDraw(models.Model):
    """A draws.Draw of the regions to revisit (回头看): made by the draws app's own services, from a frame
    that excludes regions without tasks and forces in those with overdue tasks (followup.py)."""

    cycle = models.ForeignKey("evaluation.Cycle", verbose_name=_("评价周期"), on_delete=models.CASCADE,
                              related_name="followup_draws")
    draw = models.OneToOneField("draws.Draw", verbose_name=_("抽签"), on_delete=models.PROTECT, related_name="followup")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("整改回头看抽签")
        verbose_name_plural = _("整改回头看抽签")
        ordering = ["-created", "-pk"]


class FollowUpCheck(models.Model):
    """One task checked on site in a follow-up visit: is what the region reported true (属实)? A closed
    task found not true (不属实) is opened again."""

    class Verdict(models.TextChoices):
        TRUE = "true", _("属实")
        FALSE = "false", _("不属实")

    task = models.ForeignKey(Task, verbose_name=_("整改任务"), on_delete=models.CASCADE, related_name="followups")
    followup = models.ForeignKey(FollowUpDraw, verbose_name=_("回头看抽签"), on_delete=models.PROTECT,
                                 related_name="checks")
    verdict = models.CharField(_("核查结论"), max_length=5, choices=Verdict.choices)
    note = models.TextField(_("核查情况"), max_length=2000)
    visited_on = models.DateField(_("核查日期"))
    state_before = models.CharField(_("核查时任务状态"), max_length=10)
    reopened = models.BooleanField(_("重新打开任务"), default=False)
    # the follow-up visit (a fieldwork.Visit) whose checklist held the task; none when recorded on the task page
    visit = models.ForeignKey("fieldwork.Visit", verbose_name=_("核查行程"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="followup_checks")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("核查人"), null=True, on_delete=models.PROTECT,
                           related_name="+")
    created = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("整改回头看核查")
        verbose_name_plural = _("整改回头看核查")
        ordering = ["created", "pk"]


class FollowUpItem(models.Model):
    """A line of a follow-up visit's checklist: one task to check on site. The visit itself is a
    fieldwork.Visit (a field-verification team, its schedule, recusal and the draw that chose the
    region), made through the fieldwork app's own services; the result is a FollowUpCheck."""

    visit = models.ForeignKey("fieldwork.Visit", verbose_name=_("核查行程"), on_delete=models.CASCADE,
                              related_name="followup_items")
    followup = models.ForeignKey(FollowUpDraw, verbose_name=_("回头看抽签"), on_delete=models.PROTECT,
                                 related_name="items")
    task = models.ForeignKey(Task, verbose_name=_("整改任务"), on_delete=models.CASCADE, related_name="followup_items")

    class Meta:
        verbose_name = _("回头看核查清单")
        verbose_name_plural = _("回头看核查清单")
        ordering = ["visit", "task__finding__order", "task__pk"]
        constraints = [models.UniqueConstraint(fields=["visit", "task"], name="uniq_followup_item")]
