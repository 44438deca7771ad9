"""Upgrading redoes ranks a database stored under the old order (before complete reviews only)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from dutyeval.evaluation.models import Result


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_reranks_stored_results(world):
    from django.utils import timezone

    world.sub.state = "accepted"
    world.sub.save(update_fields=["state"])
    # old order: both ranked by total, the draft first
    Result.objects.create(submission=world.other_sub, total=Decimal("90"), grade="良好", rank=1, computed_at=timezone.now())
    Result.objects.create(submission=world.sub, total=Decimal("80"), grade="良好", rank=2, computed_at=timezone.now())
    executor = MigrationExecutor(connection)
    executor.migrate([("evaluation", "0009_result_item_write_cost")])
    executor.loader.build_graph()
    executor.migrate([("evaluation", "0010_rerank_stored_results")])
    ranks = dict(Result.objects.values_list("submission__region__code", "rank"))
    assert ranks == {"140525": 1, "140522": 0}  # the accepted county ranks; the draft is 未完成
