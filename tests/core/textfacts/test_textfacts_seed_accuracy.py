"""The accuracy targets of issue 4 on the hand-annotated seeds (skipped without shared/seeds)."""

from __future__ import annotations

import pytest

from .conftest import ANNOTATIONS, load_annotation
from .test_textfacts_own_reports import bench

FILES = sorted(ANNOTATIONS.glob("*.json"))


@pytest.mark.parametrize("path", FILES, ids=[p.stem[:3] for p in FILES])
def test_seed_targets(path, seeds):
    ann = bench.amend(load_annotation(path))
    r = bench.evaluate(seeds / ann["seed"], ann, verbose=False)
    assert r["anomalies_found"] == r["anomalies"], "every annotated anomaly is found"
    assert r["false_alarms"] <= 1
    assert r["recall_hits"] / r["figures"] >= 0.95
    assert r["precision_hits"] / r["extracted"] >= 0.95


def test_overall_targets(seeds):
    totals = [0, 0, 0, 0]
    for path in FILES:
        ann = load_annotation(path)
        r = bench.evaluate(seeds / ann["seed"], ann, verbose=False)
        totals = [
            a + b
            for a, b in zip(
                totals, (r["figures"], r["recall_hits"], r["extracted"], r["precision_hits"]), strict=True
            )
        ]
    assert totals[1] / totals[0] >= 0.95 and totals[3] / totals[2] >= 0.95
