from django.core.management.base import BaseCommand

from dutyeval.evaluation.reminders import send_deadline_reminders


class Command(BaseCommand):
    help = "提醒即将截止（3 天内）和已逾期的地区（每天运行一次；重复运行不会重复提醒）"

    def handle(self, *args, **options):
        self.stdout.write(f"已发送 {send_deadline_reminders()} 条提醒")
