"""CheckResult.outcomes (many regions at once, for the store) gives exactly what at() gives one region
at a time, for every check, on random figures with gaps, zeros and threshold overrides by region."""

from __future__ import annotations

import numpy as np
import pytest

from dutyeval.core.catalogue import default_catalogue
from dutyeval.core.checks import CHECKS, run_check
from dutyeval.core.expr import Dataset

# Shandong and Shanxi have their own thresholds for some checks; the others take the national ones
REGIONS = ["370102", "140105", "410102", "320102", "510104", "140522", "370211", "620102"] * 5
PARAMS = {  # the variants a scheme may ask for, beside the defaults
    "two_no_decrease_per_student": [{"level": "each"}, {"level": "primary"}],
    "per_student_public_funds": [{"level": "junior"}],
    "vocational_share": [{"threshold": 40, "max": 60}],
    "senior_schools_per_population": [{"threshold": 10, "model": True}],
    "balance_cv": [{"level": "primary"}],
    "public_funds_disbursed": [{"primary": 720, "boarding": 300}],
    "higher_vocational_per_student": [{"threshold": 12000}],
}


def random_dataset(seed: int) -> Dataset:
    rng = np.random.default_rng(seed)
    codes = [e.code for e in (*default_catalogue().elements, *default_catalogue().derived)]
    values = {}
    for code in codes:
        arr = rng.choice([0.0, 1.0, 55.5, 100.0, 950.0, 12000.0], size=(len(REGIONS), 3)) * rng.uniform(
            0.5, 1.5, size=(len(REGIONS), 3)
        )
        arr[rng.random(arr.shape) < 0.2] = np.nan
        arr[rng.random(arr.shape) < 0.1] = 0.0
        values[code] = arr.round(4)
    return Dataset(REGIONS, 2021, 3, values)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("name", sorted(CHECKS))
def test_outcomes_equal_at(name, seed):
    ds = random_dataset(seed)
    for params in [{}, *PARAMS.get(name, [])]:
        res = run_check(name, ds, 2023, params)
        rows = [5, 0, 3, 3, *range(len(REGIONS))]  # any order, repeats allowed
        many = res.outcomes(rows)
        assert many == [res.at(i) for i in rows]
        assert {o.verdict for o in many} - {"pass", "fail", "insufficient"} == set()


def test_the_random_figures_reach_every_verdict():
    """The comparison above means something only if the figures pass, fail and lack data."""
    ds = random_dataset(1)
    seen = {o.verdict for name in CHECKS for o in run_check(name, ds, 2023, {"threshold": 50}
            if name not in ("per_student_public_funds", "balance_cv", "balance_cv_composite") else {})
            .outcomes(range(len(REGIONS)))}  # fmt: skip
    assert seen == {"pass", "fail", "insufficient"}
