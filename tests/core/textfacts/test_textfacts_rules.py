"""Every entry of rules.yaml does what its list says, on its own example sentence (issue 13 item 4)."""

from __future__ import annotations

import pytest

from dutyeval.core.textfacts import ingest_text, rules
from dutyeval.core.textfacts.normalize import fold


def _no_figure_before(word, example):
    r = ingest_text(example)
    assert not [f.quote for f in r.figures if r.text.startswith(word, f.end)], example


def _no_figure_after(word, example):
    r = ingest_text(example)
    assert not [f.quote for f in r.figures if r.text.endswith(word, 0, f.start)], example


def _count_of_one(word, example):
    r = ingest_text(example)
    assert [f for f in r.figures if f.quote == "一" + word[0] and r.text.startswith(word[1:], f.end)], example


def _placeholder(word, example):
    kinds = [(a.kind, a.quote) for a in ingest_text(example).anomalies]
    assert any(k == "placeholder" and fold(word) in q for k, q in kinds), (example, kinds)


def _placeholder_anywhere(word, example):
    assert "placeholder" in {a.kind for a in ingest_text(example).anomalies}, example


def _unit_typo(word, example):
    assert [a for a in ingest_text(example).anomalies if a.kind == "unit_typo" and word in a.quote], example


def _level_not_swallowed(word, example):
    r = ingest_text(example)
    assert r.figures and all("中小学" not in f.qualifiers for f in r.figures), example
    assert any("小学" in f.qualifiers for f in r.figures), example


def _comparison_base(word, example):
    r = ingest_text(example)
    bases = [f for f in r.figures if f.comparison_base]
    assert bases and all(f.year is None or f.year < 2030 for f in bases), example


def _all_parts(word, example):
    assert "parts_exceed_whole" in {a.kind for a in ingest_text(example).anomalies}, example


def _scores(word, example):
    assert len([f for f in ingest_text(example).figures if f.kind == "score"]) >= 3, example


CHECKS = {
    "abstract_after": _no_figure_before,
    "slogan_after": _no_figure_before,
    "not_after": _no_figure_after,
    "counted_after_one": _count_of_one,
    "placeholder_chars": _placeholder,
    "placeholder_units": _placeholder,
    "placeholder_years": _placeholder_anywhere,
    "placeholder_doc_numbers": _placeholder_anywhere,
    "missing_number_verbs": _placeholder_anywhere,
    "missing_number_nouns": _placeholder_anywhere,
    "missing_number_units": _placeholder,
    "unit_typos": _unit_typo,
    "glued_zhong": _level_not_swallowed,
    "comparison_bases": _comparison_base,
    "all_parts": _all_parts,
    "score_headers": _scores,
}

CASES = [(name, word, ex) for name in rules.raw() for word, ex in rules.examples(name)]


def test_every_list_has_a_check():
    assert set(rules.raw()) == set(CHECKS)


@pytest.mark.parametrize(("name", "word", "example"), CASES, ids=[f"{n}:{w or e[:8]}" for n, w, e in CASES])
def test_entry_does_what_its_list_says(name, word, example):
    CHECKS[name](word, example)


def test_fast_path_sets_come_from_the_lists():
    from dutyeval.core.textfacts import anomalies, figures

    assert figures._ABSTRACT_FIRST == rules.first_chars(rules.words("abstract_after"))
    assert set(anomalies._PH_CHARS) == set(rules.words("placeholder_chars"))
