"""Every entry of rules.yaml does what its list says, on its own example sentence (issue 13 item 4)."""

from __future__ import annotations

import re

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


def _counted_kind(word, example, entry):
    from dutyeval.core.textfacts.anomalies import kind_of

    r = ingest_text(example)
    named = [f for f in r.figures if r.text.startswith(word, f.end) or r.text.endswith(word, 0, f.start)]
    assert any(kind_of(r.text, f) == entry["kind"] for f in named), (example, [f.quote for f in named])
    # a part of another kind than its whole is not summed into it
    assert "parts_exceed_whole" not in {a.kind for a in r.anomalies}, example


def _target(word, example):
    r = ingest_text(example)
    targets = [f for f in r.figures if r.text.startswith(word, f.end)]
    assert targets and all(f.metric and f.element is None for f in targets), (
        example,
        [(f.quote, f.metric, f.element) for f in r.figures],
    )


def _place_count(word, example):
    r = ingest_text(example)
    assert [f for f in r.figures if f.kind == "count" and f.unit == word and f.quote[0].isdigit()], (
        example,
        [(f.quote, f.unit) for f in r.figures],
    )


def _share_mismatch_by(word, example):
    # the example's share disagrees with its counts; without the word nothing ties them together
    def found(text):
        return [a for a in ingest_text(text).anomalies if a.kind == "share_mismatch"]

    assert found(example), example
    assert not found(example.replace(word, "规模")), example


def _approx(word, example):
    r = ingest_text(example)
    assert [f for f in r.figures if f.quote.startswith(word) and word in f.qualifiers], (
        example,
        [(f.quote, f.qualifiers) for f in r.figures],
    )


def _difference(word, example):
    r = ingest_text(example)
    assert [f for f in r.figures if f.kind == "growth" and r.text.endswith(word, 0, f.start)], (
        example,
        [(f.quote, f.kind) for f in r.figures],
    )


def _context(kind):
    # the figure after the word is of ``kind``; with another word in its place it is not
    def check(word, example):
        def kinds(text):
            return [f.kind for f in ingest_text(text).figures]

        assert kinds(example)[-1:] == [kind], (example, kinds(example))
        assert kinds(example.replace(word, "规模"))[-1:] != [kind], example

    return check


def _idiom_after_one(word, example):
    from dutyeval.core.textfacts import figures

    def ones(text):
        return [f.quote for f in ingest_text(text).figures if f.quote == "一" + word]

    assert not ones(example), example
    # without the entry, the same sentence reads a count of one
    kept = figures._IDIOM_UNITS
    try:
        figures._IDIOM_UNITS = kept - {word}
        assert ones(example), example
    finally:
        figures._IDIOM_UNITS = kept


def _level_list(word, example):
    r = ingest_text(example)
    assert r.text.count("。" + word) == 1, example
    assert "parts_exceed_whole" in {a.kind for a in r.anomalies}, example


def _scores(word, example):
    assert len([f for f in ingest_text(example).figures if f.kind == "score"]) >= 3, example


def _metric(word, example, entry):
    r = ingest_text(example)
    assert re.search(word, r.text), (word, example)
    named = [f for f in r.figures if f.metric == entry["name"]]
    assert named, (example, [(f.quote, f.metric) for f in r.figures])
    if entry.get("element"):
        code = re.compile(re.escape(entry["element"]).replace(r"\{level\}", "[a-z]+"))
        assert any(f.element and code.fullmatch(f.element) for f in named), (
            example,
            [(f.quote, f.element) for f in named],
        )
    if entry.get("element_without_level"):
        # the same phrase with no level before it maps to the aggregate element
        assert "{level}" in entry["element"]
        plain = ingest_text(entry["example_without_level"])
        assert re.search(word, plain.text), (word, entry["example_without_level"])
        found = [(f.quote, f.element, f.qualifiers) for f in plain.figures if f.metric == entry["name"]]
        assert found and all(el == entry["element_without_level"] for _, el, _ in found), found


def _level(word, example, entry):
    r = ingest_text(example)
    assert any(entry["level"] in f.qualifiers for f in r.figures), (
        example,
        [(f.quote, f.qualifiers) for f in r.figures],
    )


def _qualifier(word, example, entry):
    r = ingest_text(example)
    assert any(entry["as"] in f.qualifiers for f in r.figures), (
        example,
        [(f.quote, f.qualifiers) for f in r.figures],
    )


def _over_100(example):
    return [a for a in ingest_text(example).anomalies if a.kind == "rate_over_100"]


def _capped_rate(word, example):
    assert _over_100(example), example


def _uncapped_rate(word, example):
    r = ingest_text(example)
    # the word is in the rate's label, so it is what lets the rate pass
    assert any(f.kind == "rate" and f.value > 100 and word in (f.label or "") for f in r.figures), example
    assert not _over_100(example), example


def _change(word, example, entry):
    r = ingest_text(example)
    direction = -1 if entry.get("down") else 1
    assert [f for f in r.figures if f.kind == "growth" and f.direction == direction], (
        example,
        [(f.quote, f.kind, f.direction) for f in r.figures],
    )


CHECKS = {
    "abstract_after": _no_figure_before,
    "slogan_after": _no_figure_before,
    "not_after": _no_figure_after,
    "counted_after_one": _count_of_one,
    "place_units": _place_count,
    "idiom_units_after_one": _idiom_after_one,
    "approx_before": _approx,
    "difference_endings": _difference,
    "money_context": _context("amount"),
    "score_context": _context("score"),
    "coefficient_context": _context("ratio"),
    "placeholder_chars": _placeholder,
    "placeholder_units": _placeholder,
    "placeholder_years": _placeholder_anywhere,
    "placeholder_doc_numbers": _placeholder_anywhere,
    "missing_number_verbs": _placeholder_anywhere,
    "missing_number_nouns": _placeholder_anywhere,
    "missing_number_units": _placeholder,
    "missing_number_followers": _placeholder_anywhere,
    "unit_typos": _unit_typo,
    "glued_zhong": _level_not_swallowed,
    "comparison_bases": _comparison_base,
    "all_parts": _all_parts,
    "complete_partitions": _all_parts,
    "whole_words": _share_mismatch_by,
    "level_list_openers": _level_list,
    "share_labels": _share_mismatch_by,
    "two_level_schools": _all_parts,
    "counted_kinds": _counted_kind,
    "score_headers": _scores,
    "target_after": _target,
    "metrics": _metric,
    "levels": _level,
    "qualifiers": _qualifier,
    "rate_words": _capped_rate,
    "uncapped_rate_words": _uncapped_rate,
    "change_verbs": _change,
}
# checks that need the whole entry (the metric's name and element, the level's canonical form)
_WITH_ENTRY = {"metrics", "levels", "qualifiers", "change_verbs", "counted_kinds"}

CASES = [(name, word, ex, i) for name in rules.raw() for i, (word, ex) in enumerate(rules.examples(name))]


def test_every_list_has_a_check():
    assert set(rules.raw()) == set(CHECKS)


@pytest.mark.parametrize(
    ("name", "word", "example", "i"), CASES, ids=[f"{n}:{w or e[:8]}" for n, w, e, _ in CASES]
)
def test_entry_does_what_its_list_says(name, word, example, i):
    if name in _WITH_ENTRY:
        CHECKS[name](word, example, rules.raw()[name][i])
    else:
        CHECKS[name](word, example)


def test_fast_path_sets_come_from_the_lists():
    from dutyeval.core.textfacts import anomalies, figures

    assert figures._ABSTRACT_FIRST == rules.first_chars(rules.words("abstract_after"))
    assert set(anomalies._PH_CHARS) == set(rules.words("placeholder_chars"))
    assert figures._PLACE_UNITS == set(rules.words("place_units"))
    assert figures._PRE_LAST == rules.last_chars(rules.words("approx_before"))
    assert figures._DIFF_ENDINGS == rules.words("difference_endings")
    assert figures._IDIOM_UNITS == set(rules.words("idiom_units_after_one"))
    assert anomalies._SCHOOL_LEVELS == {"幼儿园", "小学", "初中", "高中", "中职", "特殊教育"}
    assert all(w in figures._COUNT_UNITS.split("|") for w in rules.words("place_units"))
    assert anomalies._SHARE_LABELS == rules.words("share_labels")
    assert all(w in anomalies._SHARE_OF_WHOLE.pattern for w in rules.words("whole_words"))


def test_metric_and_level_tables_come_from_the_lists():
    from dutyeval.core.textfacts import metrics

    patterns = [e["pattern"] for e in rules.raw()["metrics"]]
    assert metrics.METRIC_RE.pattern == metrics.first_char_alternation(patterns)
    assert [m.name for _, m in metrics._METRICS] == [e["name"] for e in rules.raw()["metrics"]]
    assert metrics._LEVEL_CANON == {e["word"]: e["level"] for e in rules.raw()["levels"]}
    assert set(metrics._RATE_WORDS) == set(rules.words("rate_words"))
    from dutyeval.core.textfacts import figures

    assert figures._CHANGE_VERBS == rules.words("change_verbs")


def test_a_metric_phrase_that_is_also_a_level_word_counts_as_the_metric():
    # 在园幼儿 names the level 幼儿园 and the metric 在园幼儿数: the figure gets both
    f = ingest_text("2023年全县在园幼儿8650人").figures[0]
    assert (f.metric, f.element) == ("在园幼儿数", "enrol_preschool")
    assert "幼儿园" in f.qualifiers


@pytest.mark.parametrize(
    ("sentence", "element"),
    [
        ("全县按在校学生人数平均的一般公共预算教育支出12345元", "per_student_budget"),
        ("2022年全市按在校生人数平均的一般公共预算教育经费16520元，比上年增长3.1%", "per_student_budget"),
        ("初中按在校学生人数平均的一般公共预算教育支出18230元", "per_student_budget_junior"),
        ("全县小学按在校学生人数平均的一般公共预算教育支出11200元", "per_student_budget_primary"),
        ("普通高中按在校学生人数平均的一般公共预算教育支出21500元", "per_student_budget_senior"),
        ("幼儿园按在校学生人数平均的一般公共预算教育支出9800元", "per_student_budget_preschool"),
        # a level with no element of its own is not the aggregate of all levels
        ("义务教育按在校学生人数平均的一般公共预算教育支出15000元", None),
    ],
)
def test_per_student_budget_is_the_aggregate_only_without_a_level(sentence, element):
    figs = [f for f in ingest_text(sentence).figures if f.unit == "元"]
    assert [f.element for f in figs] == [element], [(f.quote, f.element, f.qualifiers) for f in figs]
