"""Relative scoring (#13 B6): peer aggregates over the cycle's evaluated regions, checked against
hand-computed cases (舟山: at or above the average → full points, below it → 8 / 6 / 4 by rank)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dutyeval.core.dataset import Dataset
from dutyeval.core.expr import ExprError, evaluate, parse

YEAR = 2021


def _ds(values: dict[str, float | None], parents: dict[str, str] | None = None) -> Dataset:
    records = [(r, "x", YEAR, v) for r, v in values.items()]
    return Dataset.from_records(list(values), [YEAR], records, parents=parents)


# five counties and one town under 甲 (a child row: sum_children reads it, peers never count it)
DS = _ds({"甲": 90, "乙": 80, "丙": 80, "丁": 70, "戊": None, "甲镇": 1000}, parents={"甲镇": "甲"})


def at(expr: str, region: str, ds: Dataset = DS):
    return evaluate(expr, ds, YEAR).at(ds.index(region))


def test_mean_count_and_share_leave_out_missing_figures_and_child_rows():
    assert at("peer_mean(#{x})", "戊") == 80.0  # (90 + 80 + 80 + 70) / 4, known for everyone
    assert at("peer_count(#{x})", "甲") == 4
    assert at("peer_share(#{x} >= 80)", "丁") == 0.75


def test_rank_is_competition_rank_highest_first_and_needs_the_own_figure():
    assert [at("peer_rank(#{x})", r) for r in ("甲", "乙", "丙", "丁")] == [1, 2, 2, 4]
    assert at("peer_rank(#{x})", "戊") is None
    assert [at("peer_rank(-#{x})", r) for r in ("甲", "丁")] == [4, 1]  # lower is better


def test_rank_bands_split_the_ranked_regions_evenly():
    expr = "rank_band(#{x}, 10, 8, 6, 4)"
    assert [at(expr, r) for r in ("甲", "乙", "丙", "丁")] == [10, 8, 8, 4]
    eight = _ds({f"r{i}": 100 - i for i in range(8)})
    assert [at(expr, f"r{i}", eight) for i in range(8)] == [10, 10, 8, 8, 6, 6, 4, 4]


def test_zhoushan_rule_at_or_above_the_average_else_by_rank():
    rule = "if(#{x} >= peer_mean(#{x}), 1, rank_band(#{x}, 1, 0.8, 0.6, 0.4))"
    assert [at(rule, r) for r in ("甲", "乙", "丙", "丁")] == [1, 1, 1, 0.4]


def test_typing_and_the_dependency_flag():
    assert parse("peer_rank(#{x}) <= 3").uses_peers
    assert not parse("#{x} >= 3").uses_peers
    with pytest.raises(ExprError):
        parse("peer_share(#{x})")  # a condition, not a number
    with pytest.raises(ExprError):
        parse("rank_band(#{x}, 1)")  # at least two bands


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(-50, 50)), min_size=1, max_size=30))
def test_ranks_agree_with_a_sort(xs):
    ds = _ds({f"r{i}": x for i, x in enumerate(xs)})
    known = [x for x in xs if x is not None]
    ranks = evaluate("peer_rank(#{x})", ds, YEAR)
    mean = evaluate("peer_mean(#{x})", ds, YEAR)
    for i, x in enumerate(xs):
        got = ranks.at(i)
        if x is None:
            assert got is None
        else:
            assert got == 1 + sum(1 for y in known if y > x)
        if known:
            assert math.isclose(mean.at(i), np.mean(known))
        else:
            assert mean.at(i) is None


def test_a_scheme_with_a_peer_function_is_relative():
    from dutyeval.core.schemefile import library_paths, load_scheme

    for path in library_paths():
        assert not load_scheme(path).is_relative(), path.name  # the shipped schemes use fixed thresholds
    from dataclasses import replace

    from dutyeval.core.scheme import Rule

    scheme = load_scheme(next(p for p in library_paths() if p.stem == "shanxi-2021-county"))
    leaf = next(i for i in scheme.leaves() if i.rule.kind == "auto")
    relative_leaf = replace(leaf, rule=Rule(kind="auto", expression="peer_rank(#{edu_exp_budget}) <= 3"))

    def swap(node):
        if node is leaf:
            return relative_leaf
        return replace(node, children=tuple(swap(c) for c in node.children))

    relative = replace(scheme, indicators=tuple(swap(a) for a in scheme.indicators))
    assert relative.is_relative()
