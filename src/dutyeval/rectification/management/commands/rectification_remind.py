from datetime import date

from django.core.management.base import BaseCommand, CommandError

from dutyeval.rectification.ledger import fell_overdue
from dutyeval.rectification.reminders import DAYS, send_missed_reports, send_task_reminders


class Command(BaseCommand):
    help = "提醒即将到期和已逾期的整改任务（每天运行一次；同一天重复运行不会重复提醒）"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=DAYS, help=f"提前几天提醒（默认 {DAYS} 天）")
        parser.add_argument("--today", help="按哪一天计算（YYYY-MM-DD，默认今天）")

    def handle(self, *args, days, today, **options):
        if days < 0:
            raise CommandError("--days 不能为负数")
        try:
            day = date.fromisoformat(today) if today else None
        except ValueError:
            raise CommandError(f"--today “{today}”不是有效日期（应如 2025-05-31）") from None
        sent = send_task_reminders(days, day)
        self.stdout.write(f"即将到期提醒 {sent['due_soon']} 条，逾期提醒 {sent['overdue']} 条，督导办汇总 {sent['office']} 条")
        self.stdout.write(f"未按期报送整改进展提醒 {send_missed_reports(day)} 条")
        jobs = fell_overdue(day)
        if jobs:
            self.stdout.write(f"昨日到期未完成的整改任务影响以后年度评价：已请求重新计算 {jobs} 次")
