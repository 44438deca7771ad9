"""The audit log is a record: append-only, complete for admin edits and texts, labelled in Chinese.

Found in review: admin edits of data values wrote no record and triggered no rescoring; entries
could be deleted in the admin; narrative changes logged only their length.
"""

import re
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from dutyeval.audit.models import ACTION_LABELS, AppendOnly, AuditLog
from dutyeval.audit.services import log_action
from dutyeval.collection.models import DataValue
from dutyeval.evaluation import services as workflow
from dutyeval.evaluation.models import RecomputeJob

SRC = Path(__file__).resolve().parents[2] / "src" / "dutyeval"


@pytest.fixture
def superuser(world, django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.org", "Root@2021pass-long")


def test_entries_cannot_be_changed_or_deleted_through_the_orm(world):
    entry = log_action("collection.values.change", actor=world.county_filler, data={"x": 1})
    entry.data = {"x": 2}
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        AuditLog.objects.filter(pk=entry.pk).update(data={})
    with pytest.raises(AppendOnly):
        AuditLog.objects.filter(pk=entry.pk).delete()
    assert AuditLog.objects.get(pk=entry.pk).data == {"x": 1}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_update_and_delete_from_any_client(world):
    from django.db import DatabaseError, transaction

    entry = log_action("collection.values.change", actor=world.county_filler, data={"x": 1})
    for sql in ("UPDATE audit_auditlog SET data = '{}' WHERE id = %s", "DELETE FROM audit_auditlog WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [entry.pk])
    assert AuditLog.objects.filter(pk=entry.pk).exists()


def test_the_admin_offers_no_delete_or_change(world, superuser, client):
    entry = log_action("evaluation.submission.submit", actor=world.county_filler)
    client.force_login(superuser)
    url = reverse("admin:audit_auditlog_delete", args=[entry.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    changelist = client.get(reverse("admin:audit_auditlog_changelist")).content.decode()
    assert "提交自评材料" in changelist and "delete_selected" not in changelist
    assert AuditLog.objects.filter(pk=entry.pk).exists()


def test_a_user_with_records_cannot_be_deleted(world):
    from django.db.models import ProtectedError

    log_action("evaluation.submission.submit", actor=world.county_filler)
    with pytest.raises(ProtectedError):
        world.county_filler.delete()


def test_admin_edits_of_values_go_through_the_service(world, superuser, client):
    from dutyeval.collection.services import save_values

    save_values(world.zezhou, 2020, {"enrol_primary": 100}, user=world.county_filler, source="entered")
    row = DataValue.objects.get(region=world.zezhou, element__code="enrol_primary", year=2020)
    client.force_login(superuser)
    url = reverse("admin:collection_datavalue_change", args=[row.pk])
    # no reason: refused, nothing changed
    r = client.post(url, {"value": "150", "reason": ""})
    assert r.status_code == 200
    assert DataValue.objects.get(pk=row.pk).value == 100
    # an invalid value is refused by the same validation as every other path
    r = client.post(url, {"value": "-5", "reason": "核实"})
    assert r.status_code == 200 and DataValue.objects.get(pk=row.pk).value == 100
    RecomputeJob.objects.update(state="done")  # whatever the county's own save queued has run
    r = client.post(url, {"value": "150", "reason": "与统计年报核对"})
    assert r.status_code == 302
    row.refresh_from_db()
    assert row.value == 150 and row.source == "corrected"
    log = AuditLog.objects.filter(action="collection.values.correct").latest("id")
    assert log.actor == superuser and log.data["reason"] == "与统计年报核对"
    assert log.data["changes"]["enrol_primary"] == ["100.0000", "150"]
    assert RecomputeJob.objects.filter(state="queued").exists()  # the edit is rescored


def test_the_admin_cannot_move_a_submission_s_state(world, superuser, client):
    client.force_login(superuser)
    url = reverse("admin:evaluation_submission_change", args=[world.sub.pk])
    client.post(url, {"cycle": world.cycle.pk, "region": world.zezhou.pk, "state": "accepted"})
    world.sub.refresh_from_db()
    assert world.sub.state == "draft"


def test_narrative_and_note_changes_record_the_text(world):
    from dutyeval.schemes.models import Indicator

    workflow.save_narrative(world.sub, world.county_filler, "1", "第一稿")
    workflow.save_narrative(world.sub, world.county_filler, "1", "第二稿：补充了数据")
    log = AuditLog.objects.filter(action="evaluation.narrative.change").latest("id")
    assert log.data["old"] == "第一稿" and log.data["new"] == "第二稿：补充了数据"
    ind = Indicator.objects.filter(scheme=world.scheme, children__isnull=True, rule_kind="manual").first()
    workflow.save_self_scores(world.sub, world.county_filler, {ind.pk: ("1", "旧说明")})
    workflow.save_self_scores(world.sub, world.county_filler, {ind.pk: ("1", "新说明")})
    log = AuditLog.objects.filter(action="evaluation.scores.self").latest("id")
    assert log.data["notes"][ind.code] == ["旧说明", "新说明"] and log.data["changes"] == {}


def test_every_action_code_in_the_source_has_a_chinese_label():
    codes = set()
    for path in SRC.rglob("*.py"):
        codes |= set(re.findall(r'log_action\(\s*"([a-z_.]+)"', path.read_text("utf-8")))
    assert codes, "no log_action calls found"
    missing = sorted(c for c in codes if c not in ACTION_LABELS)
    assert not missing, f"action codes without a Chinese label in audit/models.py: {missing}"
    assert all(re.search(r"[\u4e00-\u9fff]", str(label)) for label in ACTION_LABELS.values())
