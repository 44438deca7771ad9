"""Daily reminders on the task queue's scheduler (run by the huey worker; `dutyeval send_reminders` by hand)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(hour="8", minute="0"))
def daily_reminders() -> int:
    from dutyeval.evaluation.reminders import send_deadline_reminders

    return send_deadline_reminders()
