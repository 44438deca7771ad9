"""The daily rectification reminders on the worker's scheduler (`manage.py rectification_remind` by hand)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(hour="8", minute="5"))
def daily_rectification_reminders() -> dict:
    from .ledger import fell_overdue
    from .reminders import send_missed_reports, send_task_reminders

    sent = send_task_reminders()
    sent["missed"] = send_missed_reports()
    fell_overdue()  # yesterday's deadlines change later cycles' overdue counts: request their recompute
    return sent
