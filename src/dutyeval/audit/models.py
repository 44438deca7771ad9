"""The central audit log: every state change and every changed figure, with who and when."""

from __future__ import annotations

from django.conf import settings
from django.contrib.admin import display as admin_display
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnly(Exception):
    """The audit log is a record: entries are added, never changed or removed."""


class AuditLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("操作记录只能追加，不能修改")

    def delete(self):
        raise AppendOnly("操作记录只能追加，不能删除")


class AuditLog(models.Model):
    """Append-only: the model and its queryset refuse changes and deletions, and on PostgreSQL a
    trigger refuses UPDATE and DELETE from any client (migration 0002)."""

    action = models.CharField(_("操作"), max_length=64, db_index=True)  # dotted, e.g. evaluation.submission.submit
    # PROTECT: a user or region with a record is deactivated, never deleted (that would rewrite the log)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.PROTECT
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("区域"), null=True, blank=True, on_delete=models.PROTECT
    )
    object_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    object_id = models.CharField(_("对象ID"), max_length=64, blank=True)
    data = models.JSONField(_("内容"), default=dict, blank=True)
    created = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("操作记录")
        verbose_name_plural = _("操作记录")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.created:%Y-%m-%d %H:%M} {self.label}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("操作记录只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("操作记录只能追加，不能删除")

    @property
    @admin_display(description=_("操作"))
    def label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))


ACTION_LABELS = {
    "evaluation.submission.submit": _("提交自评材料"),
    "evaluation.submission.return": _("退回修改"),
    "evaluation.submission.accept": _("审核通过"),
    "evaluation.submission.city_forward": _("设区市复核报送"),
    "evaluation.submission.city_return": _("设区市复核退回"),
    "departments.department.save": _("设置部门"),
    "departments.user.create": _("开设部门账号"),
    "departments.assign": _("调整责任分工"),
    "departments.remind": _("提醒部门填报"),
    "release.outcomes.save": _("设置奖励和通报规则"),
    "release.publicity.open": _("结果公示"),
    "release.appeal.file": _("提出申诉"),
    "release.appeal.decide": _("处理申诉"),
    "release.final.publish": _("正式发布结果"),
    "release.final.reopen": _("重新打开已发布结果"),
    "evaluation.submission.allow_late": _("同意逾期提交"),
    "evaluation.cycle.draft": _("设置评价周期"),
    "evaluation.cycle.publish": _("发布评价周期"),
    "evaluation.cycle.urge": _("催报"),
    "evaluation.cover.record": _("登记报送文件"),
    "evaluation.scores.self": _("修改自评得分"),
    "evaluation.scores.review": _("评审打分"),
    "panels.policy.save": _("设置评审组规则"),
    "panels.expert.save": _("维护评审专家信息"),
    "panels.proposal.apply": _("采用评审分组方案"),
    "panels.member.add": _("增加评审组成员"),
    "panels.member.remove": _("移出评审组成员"),
    "panels.member.lead": _("指定评审组组长"),
    "panels.score.save": _("保存独立评分草稿"),
    "panels.finding.upload": _("上传否决认定材料"),
    "panels.score.sign_off": _("提交独立评分"),
    "panels.panel.reconcile": _("汇总评审组评分"),
    "panels.item.decide": _("评审组组长裁定"),
    "panels.supplement.request": _("要求补充材料"),
    "panels.supplement.answer": _("报送补充材料"),
    "evaluation.narrative.change": _("修改自评情况"),
    "collection.values.change": _("修改数据"),
    "collection.values.correct": _("督导办更正数据"),
    "collection.values.survey": _("写入满意度调查结果"),
    "surveys.import.preview": _("上传满意度调查结果（预览）"),
    "surveys.import.reject": _("满意度调查导入被拒绝"),
    "surveys.import.confirm": _("确认导入满意度调查结果"),
    "surveys.settings.update": _("修改满意度调查设置"),
    "collection.import.reject": _("Excel 导入被拒绝"),
    "accounts.password.change": _("修改本人密码"),
    "regions.load": _("导入行政区划"),
    "regions.schools.import": _("导入学校名录"),
    "reports.report.upload": _("上传自评报告"),
    "reports.report.reject": _("拒收自评报告"),
    "evidence.file.upload": _("上传佐证材料"),
    "evidence.file.delete": _("删除佐证材料"),
    "evidence.file.reject": _("拒收佐证材料"),
    "reports.figure.accept": _("采纳报告中的数据"),
    "schemes.scheme.created": _("导入评价方案"),
    "schemes.scheme.new_version": _("评价方案新版本"),
    "schemes.scheme.update": _("更新评价方案"),
    "schemes.scheme.freeze": _("冻结评价方案"),
    "documents.document.generate": _("生成公文"),
    "documents.document.publish": _("发布公文"),
    "documents.cases.choose": _("选定典型案例"),
    "draws.draw.prepare": _("生成抽签名单"),
    "draws.draw.update": _("修改抽签参数"),
    "draws.draw.publish": _("公布抽签名单和承诺值"),
    "draws.input.add": _("录入抽签现场公开输入"),
    "draws.input.refused": _("抽签后录入公开输入被拒绝"),
    "draws.draw.make": _("抽签"),
    "draws.draw.refused": _("重复抽签被拒绝"),
    "fieldwork.policy.save": _("保存实地核查设置"),
    "fieldwork.team.create": _("组建实地核查组"),
    "fieldwork.member.add": _("核查组增加成员"),
    "fieldwork.member.remove": _("核查组移除成员"),
    "fieldwork.visit.add": _("安排核查行程"),
    "fieldwork.school.add": _("确定核查学校"),
    "fieldwork.checklist.submit": _("提交学校核查表"),
    "fieldwork.checklist.refused": _("重复提交学校核查表被拒绝"),
    "fieldwork.file.upload": _("上传核查佐证材料"),
    "fieldwork.score.save": _("保存现场评分"),
    "fieldwork.finding.forward": _("核查问题转入整改清单"),
    "fieldwork.credibility.force": _("按自评可信度列为必抽地区"),
    "rectification.findings.generate": _("生成整改问题清单"),
    "rectification.finding.edit": _("修改整改问题"),
    "rectification.finding.add": _("补充整改问题"),
    "rectification.finding.withdraw": _("撤销整改问题"),
    "rectification.findings.confirm": _("确认整改问题清单"),
    "rectification.task.save": _("保存整改任务"),
    "rectification.task.delete": _("删除整改任务"),
    "rectification.plan.submit": _("报送整改方案"),
    "rectification.plan.approve": _("审核通过整改方案"),
    "rectification.plan.return": _("退回整改方案"),
    "rectification.task.open": _("整改任务开始执行"),
    "rectification.rhythm.set": _("设置整改进展报送频次"),
    "rectification.progress.report": _("报送整改进展"),
    "rectification.task.close": _("整改任务验收销号"),
    "rectification.task.send_back": _("整改任务退回"),
    "rectification.task.escalate": _("督办整改任务"),
    "rectification.task.data_check": _("按新年度数据核验整改任务"),
    "rectification.report.generate": _("生成整改情况报告"),
    "rectification.notice.generate": _("生成督办通知"),
    "rectification.bulletin.generate": _("印发整改进展通报"),
    "rectification.followup.draw": _("生成整改回头看抽签名单"),
    "rectification.followup.record": _("记录整改回头看核查"),
    "rectification.followup.visit": _("安排整改回头看实地核查"),
    "rectification.task.reopen": _("回头看不属实，整改任务重新打开"),
}
