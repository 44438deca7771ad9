"""`/healthz`: is this app server able to serve? For load balancers, monitoring and the deploy smoke test.

No login, nothing sensitive: only ok/error per component and the size of the recompute backlog,
so a monitor can tell "the database is down" from "no worker is taking jobs" (queued jobs ageing).
Answers 200 when the database and the queue storage are reachable, 503 otherwise.
"""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

log = logging.getLogger(__name__)


def _database() -> tuple[bool, dict]:
    from dutyeval.evaluation.models import RecomputeJob

    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
        queued = RecomputeJob.objects.filter(state=RecomputeJob.State.QUEUED)
        oldest = queued.order_by("created").values_list("created", flat=True).first()
        return True, {
            "jobs_queued": queued.count(),
            "jobs_running": RecomputeJob.objects.filter(state=RecomputeJob.State.RUNNING).count(),
            "oldest_queued_seconds": None if oldest is None else int((timezone.now() - oldest).total_seconds()),
        }
    except Exception:  # reported as "error"; the details go to the log, not to an anonymous caller
        log.exception("health check: database unreachable")
        return False, {}


def _queue() -> tuple[bool, dict]:
    from huey.contrib.djhuey import HUEY

    try:
        if HUEY.immediate:
            return True, {"queue_mode": "inline"}
        return True, {"queue_mode": "worker", "queue_pending": HUEY.pending_count()}
    except Exception:
        log.exception("health check: task queue storage unreachable")
        return False, {}


@login_not_required
@never_cache
@require_GET
def healthz(request):
    db_ok, db_info = _database()
    queue_ok, queue_info = _queue()
    ok = db_ok and queue_ok
    body = {
        "status": "ok" if ok else "error",
        "database": "ok" if db_ok else "error",
        "queue": "ok" if queue_ok else "error",
        **queue_info,
        **db_info,
    }
    return JsonResponse(body, status=200 if ok else 503)
