"""core.fieldcheck against hand-computed cases (docs/fieldwork.md)."""

from decimal import Decimal as D

import pytest

from dutyeval.core.fieldcheck import Figure, combine, credibility, deviation, relative_deviation


def test_counts_have_no_tolerance_by_default():
    same = deviation(D(1200), D(1200))
    assert (same.difference, same.beyond) == (D(0), False)
    off = deviation(D(1200), D(1199))
    assert (off.difference, off.beyond) == (D(-1), True)
    assert off.relative == D(1) / D(1199)


def test_percent_tolerance_is_of_the_reported_figure_and_inclusive():
    # 1 % of 5000 m² is 50 m²: 5050 is within, 5050.01 is beyond
    assert not deviation(D(5000), D(5050), percent=D(1)).beyond
    assert deviation(D(5000), D("5050.01"), percent=D(1)).beyond
    assert deviation(D(5000), D(4949), percent=D(1)).beyond


def test_absolute_tolerance():
    assert not deviation(D(80), D(82), absolute=D(2)).beyond
    assert deviation(D(80), D(83), absolute=D(2)).beyond


def test_relative_deviation_is_against_the_verified_truth_and_capped():
    assert relative_deviation(D(200), D(100)) == D(1)  # doubled: off by 100 %
    assert relative_deviation(D(300), D(100)) == D(1)  # capped
    assert relative_deviation(D(90), D(100)) == D("0.1")
    assert relative_deviation(D(0), D(0)) == D(0)
    assert relative_deviation(D(5), D(0)) == D(1)


def test_negative_tolerance_refused():
    with pytest.raises(ValueError):
        deviation(D(1), D(1), absolute=D(-1))


ORDER = ["A1", "A2", "A3"]
ONLINE = {"A1": D(8), "A2": D(5), "A3": None}


def test_verified_overrides_replaces_only_items_scored_on_site():
    out = combine(ONLINE, {"A2": D(3), "A3": D(4)}, ORDER, mode="verified_overrides", falsified=5,
                  per_falsified=D(1))
    assert out.scores == {"A1": D(8), "A2": D(3), "A3": D(4)}
    assert out.sources == {"A1": "online", "A2": "onsite", "A3": "onsite"}
    assert out.deducted == D(0)  # falsified figures play no part in this mode


def test_deduct_per_falsified_takes_points_item_by_item():
    # 3 falsified × 3.5 = 10.5: A1 8 → 0, A2 5 → 2.5, A3 has no score
    out = combine(ONLINE, {"A1": D(1)}, ORDER, mode="deduct_per_falsified", falsified=3, per_falsified=D("3.5"))
    assert out.scores == {"A1": D(0), "A2": D("2.5"), "A3": None}
    assert (out.deducted, out.unabsorbed) == (D("10.5"), D(0))


def test_deduction_beyond_the_manual_points_is_reported_unabsorbed():
    out = combine(ONLINE, {}, ORDER, mode="deduct_per_falsified", falsified=4, per_falsified=D(4))
    assert out.scores == {"A1": D(0), "A2": D(0), "A3": None}
    assert (out.deducted, out.unabsorbed) == (D(13), D(3))


def test_no_falsified_figure_changes_nothing():
    out = combine(ONLINE, {}, ORDER, mode="deduct_per_falsified", falsified=0, per_falsified=D(2))
    assert out.scores == ONLINE and out.deducted == D(0)


def test_unknown_mode_and_negative_deduction_refused():
    with pytest.raises(ValueError):
        combine(ONLINE, {}, ORDER, mode="average")
    with pytest.raises(ValueError):
        combine(ONLINE, {}, ORDER, mode="deduct_per_falsified", falsified=1, per_falsified=D(-1))


def test_credibility_by_hand():
    # Ds = |92 − 84| / 100 = 0.08
    # figures: 1200 vs 1000 → 0.2 (weight 1); 50 vs 50 → 0 (weight 1); 0 vs 10 → 1 (weight 2)
    # Dv = (0.2 + 0 + 2) / 4 = 0.55 ; index = 1 − (0.08 + 0.55) / 2 = 0.685
    figs = [Figure(D(1200), D(1000)), Figure(D(50), D(50)), Figure(D(0), D(10), D(2))]
    c = credibility(D(92), D(84), D(100), figs)
    assert c.score_deviation == D("0.08")
    assert c.value_deviation == D("0.55")
    assert c.index == D("0.6850")


def test_credibility_with_one_component_only():
    assert credibility(None, D(80), D(100), [Figure(D(110), D(100))]).index == D("0.9000")
    assert credibility(D(90), D(60), D(100), []).index == D("0.7000")
    assert credibility(None, None, D(100), []).index is None


def test_credibility_is_bounded_and_weighted():
    c = credibility(D(100), D(0), D(100), [Figure(D(500), D(1))])
    assert c.index == D("0.0000")
    # scores weighted 3 : figures 1 → 1 − (3·0.1 + 1·0.5) / 4 = 0.8
    c = credibility(D(90), D(80), D(100), [Figure(D(50), D(100))], score_weight=D(3))
    assert c.index == D("0.8000")
    assert credibility(D(80), D(80), D(100), [Figure(D(7), D(7))]).index == D("1.0000")
