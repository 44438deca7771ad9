"""The specialties vocabulary is data (panels/specialties.yaml): each entry's example area title must
match it, and the shipped schemes' scored areas are covered."""

import pytest

from dutyeval.panels import specialties as spec


@pytest.mark.parametrize("entry", spec.specialties(), ids=lambda s: s.code)
def test_each_example_matches_its_specialty(entry):
    assert entry.code in spec.covering(entry.example)


def test_the_county_scheme_areas_all_have_a_specialty(world):
    areas = spec.scheme_areas(world.scheme)
    assert {"1", "2", "4", "6", "12"} <= set(areas)  # 3 (学前) has automatic items only
    assert "finance" in areas["2"][1] and "compulsory" in areas["4"][1]
