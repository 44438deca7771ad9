"""The store builds item rows a leaf at a time across regions (SchemeScores.leaf_column, cards) and
writes them as COPY lines checked once per row. Both must give exactly what the per-region
scorecard gives and what per-value COPY escaping gives: every shipped scheme, figures with holes,
manual scores with vetoes and comments that need escaping."""

from __future__ import annotations

import random
from decimal import Decimal

import numpy as np
import pytest

from dutyeval.core.expr import Dataset
from dutyeval.core.schemefile import library_paths, load_scheme
from dutyeval.core.scoring import ManualScore, score_all
from dutyeval.evaluation.demo import county_figures, county_traits
from dutyeval.evaluation.recompute import SUBTOTAL_REST, _copy_line, _copy_text, _item_rows, _leaf_rows

YEARS = range(2016, 2021)
COMMENTS = ("", "核实无误", "第一行\n第二行", "制表\t符", "反斜杠\\N", '引号"与\\')


def _dataset(n: int, holes: float, seed: int) -> Dataset:
    """n counties under one city (row 0), demo figures for five years, a share `holes` knocked out."""
    rng = random.Random(seed)
    regions = ["140500"] + [f"1405{k:02d}" for k in range(1, n + 1)]
    records = {}
    for code in regions[1:]:
        traits = county_traits(rng)
        for k, year in enumerate(YEARS):
            for element, value in county_figures(rng, k, traits).items():
                if rng.random() >= holes:
                    records[(code, element, year)] = value
    return Dataset.from_records(regions, YEARS, records, {r: "140500" for r in regions[1:]})


def _manual(scheme, targets, seed: int) -> dict:
    rng = random.Random(seed)
    out = {}
    for leaf in scheme.leaves():
        for region in targets:
            if rng.random() < 0.6:
                own = (leaf.points * Decimal(str(rng.uniform(0, 1.1)))).quantize(Decimal("0.01"))
                out[(region, leaf.code)] = ManualScore(
                    self_score=rng.choice([None, own]),
                    reviewer_score=rng.choice([None, None, own * Decimal("0.9")]),
                    vetoed=rng.choice([None, True, False]),
                    comment=rng.choice(COMMENTS),
                )
    return out


def _scored(path, holes: float, seed: int):
    scheme = load_scheme(path)
    ds = _dataset(12, holes, seed)
    targets = ds.regions[1:].tolist()
    return score_all(scheme, ds, 2020, _manual(scheme, targets, seed), targets=targets)


@pytest.mark.parametrize("holes", [0.0, 0.3])
@pytest.mark.parametrize("path", library_paths(), ids=lambda p: p.stem)
def test_column_rows_equal_the_per_region_scorecards(path, holes):
    scores = _scored(path, holes, seed=11)
    shift = {"edu_exp_budget": 1}  # one element collected for another year: figures show the stored year
    kinds = {ind.code: ind.rule.kind for ind in scores.leaves}
    cards = scores.cards()
    columns = [_leaf_rows(scores, j, shift) for j in range(len(scores.leaves))]
    statuses = set()
    for n, region in enumerate(scores.regions.tolist()):
        card = scores.scorecard(region)
        want = _item_rows(card, kinds, shift)
        got = [column[n] for column in columns]
        got += [(c, False, cards.subtotals[c][n], cards.subtotals[c][n], *SUBTOTAL_REST) for c in cards.subtotals]
        # repr: Decimal("-0.00") and Decimal("0.00") are equal but are not the same text
        assert [tuple(map(repr, r)) for r in got] == [tuple(map(repr, r)) for r in want]
        head = (card.total, card.grade, card.grade_before_veto, card.rank, list(card.vetoes), card.insufficient)
        assert (cards.total[n], cards.grade[n], cards.grade_before_veto[n], cards.rank[n], cards.vetoes[n],
                cards.insufficient[n]) == head  # fmt: skip
        statuses |= {it.status for it in card.items}
    if holes:  # the cases that make the wording branch: data missing, vetoes found
        assert "insufficient" in statuses
        assert "violated" in statuses or not any(ind.rule.kind == "veto" for ind in scores.leaves)


def test_copy_lines_equal_per_value_escaping():
    scores = _scored(next(p for p in library_paths() if p.stem == "shanxi-2021-county"), 0.3, seed=5)
    rows = [(7, *row) for j in range(len(scores.leaves)) for row in _leaf_rows(scores, j, {})]
    escaped = 0
    for row in rows:
        want = "\t".join(map(_copy_text, row))
        assert _copy_line(row) == want
        escaped += "\\\\" in want or "\\n" in want or "\\t" in want
    assert escaped  # comments with breaks, tabs and backslashes took the careful path


def test_copy_line_of_odd_rows_falls_back_to_per_value_escaping():
    odd = (1, "1.1", True, Decimal("-0.00"), Decimal("-0.00"), "scored", "auto", False, None, "", "规则", "说明",
           np.float64(0.1), None, None, "", "", "", "[]")  # fmt: skip
    assert _copy_line(odd) == "\t".join(map(_copy_text, odd))
    assert _copy_line(odd).split("\t")[14] == "\\N"  # a None unit is NULL, as before
