"""Cycles, submissions and their item scores and narratives.

Submission workflow (transition table; enforced in services.py):

    draft     --submit-->   submitted   (the region's coordinator; data and self scores lock)
    returned  --submit-->   submitted
    submitted --return-->   returned    (the office running the cycle, with a reason; unlocks)
    submitted --accept-->   accepted    (the office running the cycle)
    accepted  --lock-->     locked      (the office, when results are published)

A province cycle of counties with a city review stage (设区市复核) puts the city office in between:

    submitted --city_return-->  returned   (city office or city reviewer, with a reason)
    submitted --city_forward--> forwarded  (with an opinion and a recommended grade: CityReview)
    forwarded --return-->       returned   (the province)
    forwarded --accept-->       accepted   (the province)
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# growth and 只增不减 compare with earlier years; four years back covers every rule we ship
HISTORY_YEARS = 4


class Cycle(models.Model):
    """One evaluation round an office runs: scheme, years, evaluated regions, calendar.

    An office drafts it (草拟), then publishes it (发布): publishing freezes the scheme and creates
    every evaluated region's submission. Figures may come from different years per data element
    (finance of year N−1 beside school-year figures of year N): `element_years`.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("草拟")
        PUBLISHED = "published", _("已发布")

    class LatePolicy(models.TextChoices):
        ASK = "ask", _("逾期提交须督导办同意")
        ACCEPT = "accept", _("接受逾期提交（记录逾期）")

    name = models.CharField(_("评价名称"), max_length=200)
    scheme = models.ForeignKey("schemes.Scheme", verbose_name=_("评价方案"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("评价年度"))
    data_year = models.PositiveSmallIntegerField(_("数据年度"), help_text=_("评价所依据的统计数据年度，一般为上一年"))
    root = models.ForeignKey("regions.Region", verbose_name=_("组织单位所在区域"), on_delete=models.PROTECT)
    deadline = models.DateTimeField(_("自评截止时间"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.PUBLISHED)
    level = models.CharField(_("被评价层级"), max_length=8, default="county",
                             choices=[("city", _("设区市")), ("county", _("县（市、区）"))])
    element_years = models.JSONField(_("按数据项的数据年度"), default=dict, blank=True)  # code → year ≠ data_year
    excluded = models.JSONField(_("不参评区域"), default=list, blank=True)  # region codes, with the reason in the log
    late_policy = models.CharField(_("逾期提交"), max_length=8, choices=LatePolicy.choices, default=LatePolicy.ASK)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("评价周期")
        verbose_name_plural = _("评价周期")
        ordering = ["-year", "name"]

    def __str__(self) -> str:
        return self.name

    def year_of(self, element_code: str) -> int:
        """The year whose figure of this element the cycle collects."""
        return int(self.element_years.get(element_code, self.data_year))

    def years_collected(self) -> list[int]:
        """The years whose figures the evaluated regions report in this cycle."""
        return sorted({self.data_year, *(int(y) for y in self.element_years.values())})

    def years_read(self) -> range:
        """Every year the scoring reads, including the earlier years that checks compare against."""
        years = self.years_collected()
        return range(years[0] - HISTORY_YEARS, years[-1] + 1)

    @property
    def has_city_review(self) -> bool:
        """Counties of a province cycle pass their city office first when the calendar has 设区市复核."""
        return self.level == "county" and self.root.level == "province" and any(
            s.kind == CycleStage.Kind.CITY_REVIEW for s in self.stages.all())

    @property
    def is_past_deadline(self) -> bool:
        from django.utils import timezone

        return self.deadline is not None and timezone.now() > self.deadline


class CycleStage(models.Model):
    """The calendar of a cycle: each stage with its dates (always shown with their year)."""

    class Kind(models.TextChoices):
        NOTICE = "notice", _("印发通知")
        SELF_EVALUATION = "self_evaluation", _("自查自评与数据填报")
        CITY_REVIEW = "city_review", _("设区市复核")
        ONLINE_REVIEW = "online_review", _("网上评审")
        FIELD_VERIFICATION = "field_verification", _("实地核查")
        PUBLICITY = "publicity", _("结果公示")
        RECTIFICATION = "rectification", _("问题整改")

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="stages")
    kind = models.CharField(_("阶段"), max_length=24, choices=Kind.choices)
    starts = models.DateField(_("开始日期"))
    ends = models.DateField(_("截止日期"))

    class Meta:
        verbose_name = _("评价阶段")
        verbose_name_plural = _("评价阶段")
        ordering = ["starts", "ends"]
        constraints = [models.UniqueConstraint(fields=["cycle", "kind"], name="uniq_cycle_stage")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts:%Y-%m-%d}—{self.ends:%Y-%m-%d}"


class CityReview(models.Model):
    """The city office's review (设区市复核) of a county's submission in a province cycle: its opinion and
    recommended grade, which the province sees beside the submission. Returns are in the audit log."""

    submission = models.OneToOneField("Submission", on_delete=models.CASCADE, related_name="city_review")
    opinion = models.TextField(_("复核意见"), max_length=4000)
    recommended_grade = models.CharField(_("建议等次"), max_length=16)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("复核人"), null=True,
                                    on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(_("复核时间"))

    class Meta:
        verbose_name = _("设区市复核意见")
        verbose_name_plural = _("设区市复核意见")

    def __str__(self) -> str:
        return f"{self.submission} · {self.recommended_grade}"


class Submission(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("填报中")
        SUBMITTED = "submitted", _("已提交")
        FORWARDED = "forwarded", _("市级已复核报送")
        RETURNED = "returned", _("已退回")
        ACCEPTED = "accepted", _("已通过")
        LOCKED = "locked", _("已锁定")

    EDITABLE = (State.DRAFT, State.RETURNED)

    cycle = models.ForeignKey(Cycle, verbose_name=_("评价周期"), on_delete=models.CASCADE, related_name="submissions")
    region = models.ForeignKey("regions.Region", verbose_name=_("被评价区域"), on_delete=models.PROTECT)
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.DRAFT)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    return_reason = models.TextField(_("退回原因"), blank=True)
    late = models.BooleanField(_("逾期提交"), default=False)
    late_allowed = models.BooleanField(_("督导办同意逾期提交"), default=False)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("自评材料")
        verbose_name_plural = _("自评材料")
        constraints = [models.UniqueConstraint(fields=["cycle", "region"], name="uniq_submission")]
        ordering = ["region__code"]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.region.name}"

    @property
    def editable(self) -> bool:
        return self.state in self.EDITABLE

    @property
    def overdue(self) -> bool:
        """逾期: still being filled after the self-evaluation deadline."""
        return self.editable and self.cycle.is_past_deadline


class ItemScore(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="scores")
    indicator = models.ForeignKey("schemes.Indicator", on_delete=models.CASCADE)
    self_score = models.DecimalField(_("自评得分"), max_digits=7, decimal_places=2, null=True, blank=True)
    self_note = models.TextField(_("自评说明"), blank=True)
    reviewer_score = models.DecimalField(_("评审得分"), max_digits=7, decimal_places=2, null=True, blank=True)
    reviewer_note = models.TextField(_("评审意见"), blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    vetoed = models.BooleanField(_("认定触发一票否决"), null=True, blank=True)  # veto items only

    class Meta:
        verbose_name = _("指标得分")
        verbose_name_plural = _("指标得分")
        constraints = [models.UniqueConstraint(fields=["submission", "indicator"], name="uniq_item_score")]


class Narrative(models.Model):
    """The short self-evaluation text per area (一级指标)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="narratives")
    area_code = models.CharField(_("一级指标编号"), max_length=32)
    text = models.TextField(_("自评情况"), blank=True, max_length=5000)

    class Meta:
        verbose_name = _("自评叙述")
        verbose_name_plural = _("自评叙述")
        constraints = [models.UniqueConstraint(fields=["submission", "area_code"], name="uniq_narrative")]


class Result(models.Model):
    """The computed score of one submission: total, grade, rank and every item with its explanation."""

    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="result")
    total = models.DecimalField(_("总分"), max_digits=7, decimal_places=2)
    grade = models.CharField(_("等次"), max_length=16)
    grade_before_veto = models.CharField(_("否决前等次"), max_length=16)
    rank = models.PositiveIntegerField(_("排名"))
    vetoes = models.JSONField(_("一票否决"), default=list)
    insufficient = models.PositiveIntegerField(_("数据不足项"), default=0)
    # False: a full recompute stored the numbers only (scores, statuses, failures); the words (rule,
    # explanation, figures, the check's value and threshold) are written when the region is first read
    # (recompute.worded), so a national recompute does not word 185,000 items nobody may open
    worded = models.BooleanField(_("已生成说明"), default=True)
    computed_at = models.DateTimeField(_("计算时间"), auto_now=True)

    class Meta:
        verbose_name = _("评价结果")
        verbose_name_plural = _("评价结果")
        indexes = [models.Index(fields=["rank"], name="result_rank")]


class ResultItem(models.Model):
    """One indicator of one result, typed so that readers take only what they show: the results page
    counts failing checks in SQL, a scorecard reads its own region's rows. Inner indicators carry the
    core's own subtotal (leaf=False), so nobody re-adds leaves by code prefix."""

    # Written only by recompute.store(), which deletes a result's rows before the result and writes
    # the new ones in the same transaction; Django still cascades a deleted result to its rows. No
    # database FK (its deferred check of 185,000 rows at commit cost more than the rest of the commit)
    # and no index of its own (uniq_result_item starts with result_id and serves every lookup by it).
    result = models.ForeignKey(
        Result, on_delete=models.CASCADE, related_name="rows", db_constraint=False, db_index=False
    )
    code = models.CharField(_("指标编号"), max_length=32)
    leaf = models.BooleanField(default=True)
    score = models.DecimalField(_("得分"), max_digits=8, decimal_places=2)
    contribution = models.DecimalField(_("计入总分"), max_digits=8, decimal_places=2)
    status = models.CharField(max_length=12, blank=True)  # core.scoring.STATUS; "" for subtotals
    who = models.CharField(max_length=10, blank=True)  # core.scoring.WHO
    # not met: a veto violated, or an automatic item scored below its points (read by failing_checks)
    failed = models.BooleanField(default=False)
    auto_score = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    auto_verdict = models.CharField(max_length=12, blank=True)
    rule = models.TextField(blank=True)
    explanation = models.TextField(blank=True)
    value = models.FloatField(null=True, blank=True)
    threshold = models.FloatField(null=True, blank=True)
    unit = models.CharField(max_length=32, blank=True)
    comparison = models.TextField(blank=True)
    source = models.TextField(blank=True)
    confidence = models.CharField(max_length=4, blank=True)
    figures = models.JSONField(default=list, blank=True)  # [{code, name, year, value, unit}]

    class Meta:
        verbose_name = _("评价结果明细")
        verbose_name_plural = _("评价结果明细")
        constraints = [models.UniqueConstraint(fields=["result", "code"], name="uniq_result_item")]
        # only the rows failing_checks counts (failed or insufficient: a few in a hundred), so writing the
        # 185,000 rows of a national recompute does not maintain an index entry for each of them
        indexes = [models.Index(fields=["code"], name="result_item_failing",
                                condition=models.Q(failed=True) | models.Q(status="insufficient"))]  # fmt: skip

    def as_json(self) -> dict:
        return {
            "score": str(self.score), "contribution": str(self.contribution), "status": self.status,
            "who": self.who, "rule": self.rule, "explanation": self.explanation,
            "auto_score": None if self.auto_score is None else str(self.auto_score),
            "auto_verdict": self.auto_verdict, "value": self.value, "threshold": self.threshold,
            "unit": self.unit, "comparison": self.comparison, "source": self.source,
            "confidence": self.confidence, "figures": self.figures,
        }  # fmt: skip


class RecomputeJob(models.Model):
    """A recomputation of a cycle's scores, run by the task queue; the page polls its progress."""

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("计算中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="jobs")
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    message = models.CharField(_("说明"), max_length=200, blank=True)
    reason = models.CharField(_("触发原因"), max_length=200, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(_("耗时（秒）"), null=True, blank=True)
    # what to recompute: the whole cycle, or only these evaluated regions (and then the cycle's ranks);
    # requests that join a waiting job add their region, or widen it to the whole cycle
    full = models.BooleanField(_("全部重新计算"), default=True)
    regions = models.JSONField(_("需重新计算的区域"), default=list, blank=True)

    class Meta:
        verbose_name = _("重新计算任务")
        verbose_name_plural = _("重新计算任务")
        ordering = ["-created"]
        # one waiting and one running job per cycle: requests coalesce into the waiting one, and two
        # workers never write the same cycle's results at once (the database enforces both)
        constraints = [
            models.UniqueConstraint(fields=["cycle"], condition=models.Q(state="queued"), name="one_queued_per_cycle"),
            models.UniqueConstraint(fields=["cycle"], condition=models.Q(state="running"), name="one_running_per_cycle"),
        ]


class CoverDocument(models.Model):
    """The submission as an official document (报送文件): 文号, date, issuing authority, the
    government's approval, and the signed and sealed cover letter as a PDF."""

    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="cover")
    number = models.CharField(_("文号"), max_length=64)  # e.g. 阳政办函〔2021〕174号
    date = models.DateField(_("成文日期"))
    issuer = models.CharField(_("发文机关"), max_length=100)
    approval = models.CharField(_("审批说明"), max_length=100, blank=True)  # e.g. 经市人民政府同意
    filename = models.CharField(_("盖章文件"), max_length=255, blank=True)
    stored_name = models.CharField(max_length=100, blank=True)  # under MEDIA_ROOT/cover_letters
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"), auto_now=True)

    class Meta:
        verbose_name = _("报送文件")
        verbose_name_plural = _("报送文件")

    def __str__(self) -> str:
        return self.number
