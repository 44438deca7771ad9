"""The pure rules of review panels: recusal, the assignment proposal, reconciliation (core/panels.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dutyeval.core import panels as core

D = Decimal


@pytest.mark.parametrize(("home", "region", "level", "conflict"), [
    ("140525", "140525", "county", True),  # the evaluated county itself
    ("140522", "140525", "county", False),  # a neighbour in the same city: only county recusal
    ("140522", "140525", "city", True),  # same city 晋城
    ("140500", "140525", "city", True),  # the city's own office
    ("140500", "140525", "county", False),
    ("140105", "140525", "city", False),  # 太原: another city
    ("140105", "140525", "province", True),
    ("140000", "140525", "city", False),  # a provincial expert belongs to no city
    ("140000", "140525", "province", True),
    ("140525", "140500", "county", True),  # a county expert never reviews the city containing it
    ("130102", "140525", "province", False),
])
def test_recusal(home, region, level, conflict):
    assert core.conflicts(home, region, level) is conflict


def test_an_unknown_recusal_level_is_an_error():
    with pytest.raises(ValueError):
        core.conflicts("140105", "140525", "town")


def E(key, home, *specs):
    return core.Expert(key, home, frozenset(specs))


POOL = [E("a", "140105", "finance"), E("b", "140202", "preschool"), E("c", "140311", "teachers"),
        E("d", "140522", "finance", "teachers"), E("e", "140000", "compulsory")]
AREAS = {"2": frozenset({"finance"}), "3": frozenset({"preschool"}), "6": frozenset({"teachers"})}


def test_the_proposal_respects_recusal_balances_and_covers():
    p = core.propose(["140525", "140522", "140105"], POOL, minimum=2, recusal="city", areas=AREAS)
    for region, members in p.panels.items():
        assert len(members) == 2
        assert all(not core.conflicts(next(e.home for e in POOL if e.key == k), region, "city") for k in members)
        assert p.leads[region] in members
    assert max(p.loads.values()) - min(p.loads.values()) <= 2
    assert "d" not in p.panels["140525"] and "d" not in p.panels["140522"]  # d is from 晋城


def test_the_proposal_is_deterministic_whatever_the_input_order():
    one = core.propose(["140525", "140522", "140105"], POOL, minimum=2, recusal="city", areas=AREAS)
    two = core.propose(["140105", "140522", "140525"], list(reversed(POOL)), minimum=2, recusal="city",
                       areas=dict(reversed(AREAS.items())))
    assert one.panels == two.panels and one.leads == two.leads


def test_existing_members_are_kept_and_topped_up():
    p = core.propose(["140525"], POOL, minimum=3, recusal="city", areas=AREAS, existing={"140525": ["e"]})
    assert p.panels["140525"][0] == "e" and len(p.panels["140525"]) == 3
    assert p.leads == {}  # an existing panel keeps its lead


def test_an_infeasible_pool_names_every_short_region():
    with pytest.raises(core.Infeasible) as exc:
        core.propose(["140525", "140522", "140105"], POOL[:2], minimum=2, recusal="province")
    assert set(exc.value.shortages) == {"140525", "140522", "140105"}
    assert exc.value.shortages["140525"] == (0, 2)


def test_an_existing_member_who_must_recuse_is_refused():
    with pytest.raises(ValueError):
        core.propose(["140525"], POOL, minimum=2, recusal="city", existing={"140525": ["d"]})


# -- property: over random pools, recusal is never violated, the minimum is met when feasible, and an
#    infeasible pool is a clear error naming exactly the short regions

CITIES = ["1401", "1402", "1405", "1301"]
codes = st.builds(lambda city, county: city + county, st.sampled_from(CITIES), st.sampled_from(["00", "02", "05", "22"]))
SPECS = ["finance", "preschool", "teachers", "compulsory"]
experts = st.lists(st.tuples(codes, st.sets(st.sampled_from(SPECS), max_size=2)), max_size=9).map(
    lambda rows: [core.Expert(f"x{i:02d}", home, frozenset(s)) for i, (home, s) in enumerate(rows)])
regions = st.sets(codes.filter(lambda c: not c.endswith("00")), min_size=1, max_size=6)


@settings(max_examples=300, deadline=None)
@given(pool=experts, targets=regions, minimum=st.integers(1, 3), recusal=st.sampled_from(core.RECUSAL_LEVELS))
def test_property_recusal_never_violated_and_minimum_met_when_feasible(pool, targets, minimum, recusal):
    homes = {e.key: e.home for e in pool}
    eligible = {r: sum(1 for e in pool if not core.conflicts(e.home, r, recusal)) for r in targets}
    feasible = all(n >= minimum for n in eligible.values())
    try:
        p = core.propose(sorted(targets), pool, minimum=minimum, recusal=recusal, areas={"x": frozenset({"finance"})})
    except core.Infeasible as exc:
        assert not feasible
        assert set(exc.shortages) == {r for r, n in eligible.items() if n < minimum}
        assert str(exc)  # a message, naming the regions
        return
    assert feasible
    assert set(p.panels) == set(targets)
    for region, members in p.panels.items():
        assert len(members) == minimum == len(set(members))
        assert not any(core.conflicts(homes[k], region, recusal) for k in members)
        assert p.leads[region] in members
    again = core.propose(sorted(targets, reverse=True), list(reversed(pool)), minimum=minimum, recusal=recusal,
                         areas={"x": frozenset({"finance"})})
    assert again.panels == p.panels


# -- reconciliation, by hand

@pytest.mark.parametrize(("points", "scores", "agreed", "score"), [
    (D(10), [D(8), D(10)], True, D("9.00")),  # differ 2 = 20 % of 10: not above the threshold → mean
    (D(10), [D(6), D(10)], False, None),  # differ 4 > 2: the lead decides
    (D(10), [D("8.01"), D(10)], True, D("9.01")),  # 9.005 rounds half up
    (D(3), [D("2.5"), D(3), D("2.4")], True, D("2.63")),  # limit 0.60; mean 2.633…
    (D(3), [D("2.3"), D(3)], False, None),  # differ 0.70 > 0.60
    (D(4), [D(4)], True, D("4.00")),
])
def test_reconcile_scores(points, scores, agreed, score):
    out = core.reconcile_scores(points, scores, D(20))
    assert out.agreed is agreed and out.score == score


def test_reconcile_vetoes_and_overrides():
    assert core.reconcile_vetoes([True, True]).vetoed is True
    assert core.reconcile_vetoes([True, False]).agreed is False
    assert core.reconcile_overrides(D(10), [None, None], D(20)) == core.Reconciled(agreed=True)
    assert core.reconcile_overrides(D(10), [D(5), None], D(20)).agreed is False
    assert core.reconcile_overrides(D(10), [D(5), D(6)], D(20)).score == D("5.50")
