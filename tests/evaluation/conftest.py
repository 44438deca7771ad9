"""Fixtures of the evaluation tests."""

from __future__ import annotations

import random

import pytest

from dutyeval.collection.models import DataElement, DataValue
from dutyeval.evaluation.demo import county_figures, county_traits
from dutyeval.evaluation.models import Submission
from dutyeval.evaluation.recompute import compute, store
from dutyeval.regions.models import Region
from dutyeval.schemes.models import Indicator

# 晋城市's counties beside the world's two: enough regions for ranks to move
EXTRA = ("140502", "140521", "140524", "140581")


@pytest.fixture
def cycle_world(world, django_user_model):
    """Six counties with the demo's figures for five years, a full recompute stored, three of them submitted
    so that reviewers may score them."""
    for code in EXTRA:
        Submission.objects.create(cycle=world.cycle, region=Region.objects.get(code=code))
    subs = list(
        Submission.objects.filter(cycle=world.cycle).select_related("region").order_by("region__code")
    )
    elements = {e.code: e for e in DataElement.objects.all()}
    rng = random.Random(7)
    rows = []
    for sub in subs:
        traits = county_traits(rng)
        for k, year in enumerate(range(2016, 2021)):
            for code, value in county_figures(rng, k, traits).items():
                if code in elements:
                    rows.append(
                        DataValue(
                            element=elements[code],
                            region=sub.region,
                            year=year,
                            value=value,
                            source="imported",
                        )
                    )
    DataValue.objects.bulk_create(rows)
    Submission.objects.filter(pk__in=[s.pk for s in subs[::2]]).update(state="submitted")
    world.subs = list(
        Submission.objects.filter(cycle=world.cycle).select_related("region").order_by("region__code")
    )
    world.coordinators = {
        s.region_id: django_user_model.objects.create(username=f"c{s.region.code}", role="county_coordinator",
                                                      region=s.region)
        for s in world.subs
    }  # fmt: skip
    world.leaves = list(
        Indicator.objects.filter(scheme=world.scheme, children__isnull=True).order_by("order")
    )
    world.elements = sorted(elements)
    store(world.cycle, compute(world.cycle))
    return world
