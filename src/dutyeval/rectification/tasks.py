"""The daily rectification reminders on the worker's scheduler (`manage.py rectification_remind` by hand)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(hour="8", minute="5"))
def daily_rectification_reminders() -> dict:
    from .reminders import send_task_reminders

    return send_task_reminders()
