"""The demo's rectification: last year's cycle answered by 晋城市's counties, built through the services."""

import io

from django.core.management import call_command
from django.utils import timezone

from dutyeval.audit.models import AuditLog
from dutyeval.rectification.models import EvidenceFile, Finding, Plan, Task


def test_build_demo_leaves_last_years_problems_planned_in_every_state(db):
    out = io.StringIO()
    call_command("build_demo", "--schools-per-city", "10", stdout=out)
    assert "last year's with 6 rectification plans" in out.getvalue()
    plans = Plan.objects.filter(cycle__year=2020)
    assert plans.count() == 6 and set(plans.values_list("region__parent__code", flat=True)) == {"140500"}
    walk = plans.get(region__code="140525")
    assert walk.state == Plan.State.APPROVED
    assert set(Finding.objects.filter(cycle__year=2020).values_list("state", flat=True)) == {"confirmed"}
    tasks = Task.objects.filter(plan=walk)
    # every confirmed problem of 泽州县 is answered, in the states the dashboard tells apart
    assert tasks.count() == Finding.objects.filter(cycle__year=2020, region__code="140525").count()
    today = timezone.localdate()
    closed = tasks.get(state=Task.State.CLOSED)
    assert EvidenceFile.objects.filter(report__task=closed).exists()
    assert tasks.filter(deadline__lt=today).exclude(state=Task.State.CLOSED).count() == 1  # overdue
    assert tasks.filter(target_element="classes_super_large", target_value=0).exists()
    # through the services: each step audited
    actions = set(AuditLog.objects.values_list("action", flat=True))
    assert {"rectification.findings.confirm", "rectification.plan.submit", "rectification.task.close"} <= actions
