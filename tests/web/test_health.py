import json

import pytest


@pytest.mark.django_db
def test_healthz_answers_without_login_and_reveals_nothing(client):
    from dutyeval.evaluation.models import RecomputeJob

    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp["Content-Type"] == "application/json"
    assert "no-cache" in resp["Cache-Control"] or "max-age=0" in resp["Cache-Control"]
    body = json.loads(resp.content)
    assert body["status"] == "ok" and body["database"] == "ok" and body["queue"] == "ok"
    assert body["jobs_queued"] == RecomputeJob.objects.filter(state="queued").count()
    assert set(body) <= {"status", "database", "queue", "queue_mode", "queue_pending", "jobs_queued",
                         "jobs_running", "oldest_queued_seconds"}


@pytest.mark.django_db
def test_healthz_is_get_only(client):
    assert client.post("/healthz").status_code == 405


def test_healthz_reports_503_when_the_database_is_down(client, monkeypatch):
    from dutyeval.web.views import health

    monkeypatch.setattr(health, "_database", lambda: (False, {}))
    resp = client.get("/healthz")
    assert resp.status_code == 503
    assert json.loads(resp.content) == {"status": "error", "database": "error", "queue": "ok", "queue_mode": "inline"}
