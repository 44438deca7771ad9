"""The indicator expression language: parsing, errors, vectorised evaluation, properties."""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dutyeval.core.catalogue import default_catalogue
from dutyeval.core.expr import (
    BOOL,
    NUM,
    Binary,
    Bool,
    Call,
    Dataset,
    Elem,
    ExprError,
    Num,
    Ref,
    Shift,
    Unary,
    element_codes,
    evaluate,
    parse,
    to_source,
)


# Regions: a city "C" with counties K1, K2, K3; K3 has gaps. Years 2021..2023.
@pytest.fixture
def ds():
    nan = np.nan
    return Dataset(
        regions=["C", "K1", "K2", "K3"],
        first_year=2021,
        n_years=3,
        values={
            "edu_exp_budget": np.array([[nan, nan, nan], [100, 110, 99], [50, 50, 60], [80, nan, 90]], float),
            "teacher_pay_compulsory": np.array([[0, 0, 0], [9, 9, 10], [8, 8, 8], [7, 7, nan]], float),
            "civil_servant_pay": np.array([[0, 0, 0], [9, 9, 9], [9, 9, 0], [7, 7, 7]], float),
            "enrol_primary": np.array(
                [[nan, nan, nan], [1000, 1100, 1200], [300, 300, 300], [20, 20, 20]], float
            ),
        },
        parent=[-1, 0, 0, 0],
    )


# ---- parsing ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text,canonical,kind",
    [
        ("#{edu_exp_budget} >= #{edu_exp_budget}[y-1]", "#{edu_exp_budget} >= #{edu_exp_budget}[y-1]", BOOL),
        ("growth( #{ edu_exp_budget } )", "growth(#{edu_exp_budget})", NUM),
        ("#{a} / #{b}", "#{a} / #{b}", NUM),
        ("1 - (2 - 3)", "1 - (2 - 3)", NUM),
        ("(1 - 2) - 3", "1 - 2 - 3", NUM),
        ("2 * 3 + 4", "2 * 3 + 4", NUM),
        ("2 * (3 + 4)", "2 * (3 + 4)", NUM),
        ("--1", "--1", NUM),
        ("not #{a} > 1 and true or false", "not #{a} > 1 and true or false", BOOL),
        ("not (#{a} > 1 and true)", "not (#{a} > 1 and true)", BOOL),
        ("if(#{a} > 0, #{a}, 0)", "if(#{a} > 0, #{a}, 0)", NUM),
        ("round(#{a} / 3, 2)", "round(#{a} / 3, 2)", NUM),
        ("min(1, 2, #{a})", "min(1, 2, #{a})", NUM),
        ("(#{a} + 1)[y-2]", "(#{a} + 1)[y-2]", NUM),
        ("#{a}[y]", "#{a}[y]", NUM),
        ("1.5e3", "1500", NUM),
        (".5", "0.5", NUM),
        ("(#{a} > 1) == (#{b} > 2)", "(#{a} > 1) == (#{b} > 2)", BOOL),
        ("coalesce(#{a}, #{b}, 0)", "coalesce(#{a}, #{b}, 0)", NUM),
    ],
)
def test_parse_and_canonical_text(text, canonical, kind):
    e = parse(text)
    assert e.canonical() == canonical
    assert e.kind == kind


@pytest.mark.parametrize(
    "text,pos,token,zh",
    [
        ("1 +", 3, "", "不完整"),
        ("#{a} >= ", 8, "", "不完整"),
        ("#a", 0, "#a", "#{代码}"),
        ("#{a} ** 2", 6, "*", "数值、数据元素或函数"),
        ("foo(1)", 0, "foo", "未知的函数"),
        ("edu_exp_budget > 1", 0, "edu_exp_budget", "#{代码}"),
        ("1 < 2 < 3", 6, "<", "不能连写"),
        ("(1 + 2", 6, "", "“)”"),
        ("1 + 2)", 5, ")", "多余"),
        ("#{a}[x-1]", 5, "x", "[y-1]"),
        ("#{a}[y-1.5]", 7, "1.5", "整数"),
        ("#{a} and true", 0, "#{a}", "真假值"),
        ("not 3", 4, "3", "真假值"),
        ("if(#{a}, 1, 2)", 3, "#{a}", "真假值"),
        ("if(true, 1, false)", 12, "false", "数值"),
        ("round(#{a}, 1.5)", 12, "1.5", "整数"),
        ("growth(1, 2)", 0, "growth", "参数"),
        ("min(1)", 0, "min", "参数"),
        ("__import__(1)", 0, "__import__", "未知的函数"),
        ("__import__('os')", 11, "'", "无法识别"),
        ("#{a}.real", 4, ".", "无法识别"),
        ("1e999", 0, "1e999", "超出范围"),
        ("年 > 1", 0, "年", "无法识别"),
        ("(" * 100 + "1" + ")" * 100, 60, "(", "嵌套过深"),
    ],
)
def test_parse_errors_name_position_and_token(text, pos, token, zh):
    with pytest.raises(ExprError) as info:
        parse(text)
    err = info.value
    assert (err.pos, err.token) == (pos, token)
    assert zh in err.zh
    assert f"位置{pos}" in str(err) and f"position {pos}" in str(err)


def test_unknown_element_code_against_the_catalogue():
    codes = {e.code for e in default_catalogue().elements}
    parse("#{edu_exp_budget} > 0", codes=codes)
    with pytest.raises(ExprError) as info:
        parse("#{edu_exp_budget} > #{no_such}", codes=codes)
    assert info.value.pos == 20 and info.value.token == "#{no_such}"


def test_references_follow_offsets_growth_and_children():
    e = parse("growth(#{a})[y-1] + sum_children(#{b}[y-1]) + #{c}")
    assert e.references == {Ref("a", -1), Ref("a", -2), Ref("b", -1, True), Ref("c", 0)}
    assert element_codes("#{x} / #{y}[y-1]") == {"x", "y"}


# ---- evaluation ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text,values",
    [  # per region C, K1, K2, K3 for 2023; None = insufficient data
        ("#{edu_exp_budget} >= #{edu_exp_budget}[y-1]", [None, False, True, None]),
        ("#{edu_exp_budget} - #{edu_exp_budget}[y-2]", [None, -1.0, 10.0, 10.0]),
        ("growth(#{edu_exp_budget})", [None, 99 / 110 - 1, 0.2, None]),
        ("growth(#{edu_exp_budget})[y-1]", [None, 0.1, 0.0, None]),
        ("#{teacher_pay_compulsory} / #{civil_servant_pay}", [None, 10 / 9, None, None]),  # K2: ÷0
        ("#{teacher_pay_compulsory} >= #{civil_servant_pay}", [True, True, True, None]),
        ("sum_children(#{enrol_primary})", [1520.0, None, None, None]),
        ("sum_children(#{edu_exp_budget})", [249.0, None, None, None]),
        ("sum_children(#{edu_exp_budget})[y-1]", [None, None, None, None]),  # K3 2022 missing
        ("sum_children(#{edu_exp_budget})[y-2]", [230.0, None, None, None]),
        ("if(#{enrol_primary} > 100, 1, 0)", [None, 1.0, 1.0, 0.0]),
        ("round(#{edu_exp_budget} / 7, 2)", [None, 14.14, 8.57, 12.86]),
        ("round(-2.5) + round(2.5) + round(0.125, 2)", [0.13] * 4),  # 四舍五入, half away from zero
        ("min(#{edu_exp_budget}, 70) + max(1, 2, 3)", [None, 73.0, 63.0, 73.0]),
        ("abs(#{edu_exp_budget}[y-1] - 100)", [None, 10.0, 50.0, None]),
        ("coalesce(#{edu_exp_budget}[y-1], -1)", [-1.0, 110.0, 50.0, -1.0]),
        ("#{no_such_element} > 0", [None] * 4),
        ("#{edu_exp_budget}[y+1] > 0", [None] * 4),  # 2024 is outside the dataset
        ("#{edu_exp_budget}[y-5] > 0", [None] * 4),
        ("1 / 0", [None] * 4),
        ("1e300 * 1e300 > 0", [None] * 4),  # overflow is not a value
    ],
)
def test_evaluate_table(ds, text, values):
    r = evaluate(text, ds, 2023)
    got = [r.at(i) for i in range(4)]
    assert [g is None for g in got] == [v is None for v in values]
    for g, v in zip(got, values, strict=True):
        assert g == pytest.approx(v) if isinstance(v, float) else g is v
    assert not np.isinf(r.value).any()
    if r.kind == NUM:
        assert (np.isnan(r.value) == ~r.known).all()


def test_three_valued_logic(ds):
    # K3's pay in 2023 is missing: the comparison is unknown
    unknown = "#{teacher_pay_compulsory} >= #{civil_servant_pay}"
    table = {
        f"({unknown}) and false": False,
        f"({unknown}) and true": None,
        f"({unknown}) or true": True,
        f"({unknown}) or false": None,
        f"not ({unknown})": None,
    }
    for text, want in table.items():
        assert evaluate(text, ds, 2023).at(3) == want, text


def test_from_records_with_a_missing_year_and_decimals():
    from decimal import Decimal

    d = Dataset.from_records(
        ["P", "A"],
        [2020, 2022],  # 2021 missing from the series: a NaN column, not a shifted one
        {("A", "x", 2020): Decimal("1.5"), ("A", "x", 2022): 3, ("A", "x", 2021): None},
        parents={"A": "P"},
    )
    assert d.n_years == 3 and list(d.parent) == [-1, 0]
    assert evaluate("#{x}[y-2] * 2", d, 2022).at(1) == 3.0
    assert evaluate("#{x}[y-1]", d, 2022).at(1) is None
    assert evaluate("sum_children(#{x})", d, 2022).at(0) == 3.0


def test_dataset_rejects_wrong_shapes():
    with pytest.raises(ValueError, match="shape"):
        Dataset(["a"], 2020, 2, {"x": np.zeros((2, 2))})


def test_parse_is_cached_and_evaluation_does_not_mutate_the_dataset(ds):
    before = ds.values["edu_exp_budget"].copy()
    assert parse("growth(#{edu_exp_budget})") is parse("growth(#{edu_exp_budget})")
    evaluate("growth(#{edu_exp_budget})", ds, 2023)
    np.testing.assert_array_equal(before, ds.values["edu_exp_budget"])


# ---- properties ------------------------------------------------------------------------------
CODES = ("a", "b", "c")
TOKENS = ["#{a}", "#{b}", "1", "0", "2.5", "(", ")", "[y-1]", "[y+1]", "[", "]", "y", ",", "+", "-", "*", "/"]
TOKENS += [
    ">=",
    ">",
    "<",
    "==",
    "!=",
    "and",
    "or",
    "not",
    "true",
    "false",
    "if(",
    "min(",
    "growth(",
    "round(",
]
TOKENS += ["sum_children(", "coalesce(", "abs(", "max(", "#{", "}", "#", "%", "'", ".", "x"]


@given(st.text(max_size=80))
@settings(max_examples=400)
def test_arbitrary_text_parses_or_raises_expr_error(text):
    try:
        e = parse(text)
    except ExprError as err:
        assert 0 <= err.pos <= len(text)
    else:
        assert e.kind in (NUM, BOOL)


@given(st.lists(st.sampled_from(TOKENS), max_size=25).map(" ".join))
@settings(max_examples=600)
def test_token_soup_parses_or_raises_expr_error_and_round_trips(text):
    try:
        e = parse(text)
    except ExprError as err:
        assert 0 <= err.pos <= len(text)
        return
    again = parse(e.canonical())
    assert again.ast == e.ast and again.kind == e.kind


num_leaf = st.one_of(
    st.builds(Num, st.integers(0, 1000).map(float)),
    st.builds(Num, st.floats(0, 1e6, allow_nan=False)),
    st.builds(Elem, st.sampled_from(CODES)),
)
bool_leaf = st.builds(Bool, st.booleans())


@cache
def num_expr(depth: int):
    if depth == 0:
        return num_leaf
    n, b = num_expr(depth - 1), bool_expr(depth - 1)
    return st.one_of(
        num_leaf,
        st.builds(Binary, st.sampled_from(["+", "-", "*", "/"]), n, n),
        st.builds(Unary, st.just("-"), n),
        st.builds(Shift, n, st.integers(-2, 1)),
        st.builds(lambda a: Call("growth", (a,)), n),
        st.builds(lambda a: Call("sum_children", (a,)), n),
        st.builds(lambda a: Call("abs", (a,)), n),
        st.builds(lambda a, k: Call("round", (a, Num(float(k)))), n, st.integers(0, 3)),
        st.builds(lambda f, a, c: Call(f, (a, c)), st.sampled_from(["min", "max", "coalesce"]), n, n),
        st.builds(lambda c, a, e: Call("if", (c, a, e)), b, n, n),
    )


@cache
def bool_expr(depth: int):
    if depth == 0:
        return bool_leaf
    n, b = num_expr(depth - 1), bool_expr(depth - 1)
    return st.one_of(
        bool_leaf,
        st.builds(Binary, st.sampled_from([">=", ">", "<=", "<", "==", "!="]), n, n),
        st.builds(Binary, st.sampled_from(["and", "or"]), b, b),
        st.builds(Unary, st.just("not"), b),
        st.builds(lambda c, a, e: Call("if", (c, a, e)), b, b, b),
        st.builds(Shift, b, st.integers(-1, 0)),
    )


any_expr = st.one_of(num_expr(4), bool_expr(4))


@given(any_expr)
@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
def test_ast_round_trips_through_source(node):
    e = parse(to_source(node))
    assert e.ast == node


def _ref_eval(node, data, parent, i, year):
    """Scalar reference: one region, one year, plain Python floats, None = unknown."""

    def ev(n, y):
        return _ref_eval(n, data, parent, i, y)

    def fin(x):
        return x if x is not None and math.isfinite(x) else None

    match node:
        case Num(value=v) | Bool(value=v):
            return v
        case Elem(code=c):
            return data.get((c, i, year))
        case Shift(operand=o, offset=k):
            return ev(o, year + k)
        case Unary(op="not", operand=o):
            v = ev(o, year)
            return None if v is None else not v
        case Unary(op="-", operand=o):
            v = ev(o, year)
            return None if v is None else -v
        case Binary(op="and", left=a, right=b):
            x, z = ev(a, year), ev(b, year)
            return False if x is False or z is False else None if None in (x, z) else True
        case Binary(op="or", left=a, right=b):
            x, z = ev(a, year), ev(b, year)
            return True if x is True or z is True else None if None in (x, z) else False
        case Binary(op=op, left=a, right=b):
            x, z = ev(a, year), ev(b, year)
            if x is None or z is None:
                return None
            if op == "/":
                return None if z == 0 else fin(x / z)
            ops = {
                "+": lambda: x + z,
                "-": lambda: x - z,
                "*": lambda: x * z,
                ">=": lambda: x >= z,
                ">": lambda: x > z,
                "<=": lambda: x <= z,
                "<": lambda: x < z,
                "==": lambda: x == z,
                "!=": lambda: x != z,
            }
            r = ops[op]()
            return fin(r) if op in "+-*" else r
        case Call(name="growth", args=(a,)):
            x, z = ev(a, year), ev(a, year - 1)
            if x is None or z is None or z == 0:
                return None
            q = fin(x / z)
            return None if q is None else fin(q - 1)
        case Call(name="sum_children", args=(a,)):
            kids = [j for j in range(len(parent)) if parent[j] == i]
            vals = [_ref_eval(a, data, parent, j, year) for j in kids]
            if not kids or None in vals:
                return None
            s = 0.0
            for v in vals:
                s += v
            return fin(s)
        case Call(name="if", args=(c, a, b)):
            cv = ev(c, year)
            return None if cv is None else ev(a if cv else b, year)
        case Call(name="coalesce", args=args):
            return next((v for v in (ev(x, year) for x in args) if v is not None), None)
        case Call(name="abs", args=(a,)):
            v = ev(a, year)
            return None if v is None else abs(v)
        case Call(name="round", args=(a, Num(value=k))):
            v = ev(a, year)
            if v is None:
                return None
            t = abs(v) * 10.0**k + 0.5
            if not math.isfinite(t):
                return None
            sign = 1.0 if v > 0 else -1.0 if v < 0 else 0.0
            return fin(sign * math.floor(t) / 10.0**k)
        case Call(name="min" | "max" as f, args=args):
            vals = [ev(x, year) for x in args]
            return None if None in vals else (min if f == "min" else max)(vals)
    raise AssertionError(node)


values = st.one_of(
    st.none(),
    st.just(0.0),
    st.integers(-5, 5).map(float),
    st.floats(-1e6, 1e6, allow_nan=False),
    st.sampled_from([1e300, -1e300, 1e-300]),
)


@st.composite
def datasets(draw):
    n = draw(st.integers(1, 5))
    parent = draw(st.lists(st.integers(-1, n - 1), min_size=n, max_size=n))
    cube = {c: draw(st.lists(values, min_size=3 * n, max_size=3 * n)) for c in CODES}
    data = {
        (c, i, 2020 + y): v
        for c, vs in cube.items()
        for i in range(n)
        for y in range(3)
        if (v := vs[3 * i + y]) is not None
    }
    arrays = {
        c: np.array([[np.nan if v is None else v for v in vs[3 * i : 3 * i + 3]] for i in range(n)])
        for c, vs in cube.items()
    }
    return Dataset([f"r{i}" for i in range(n)], 2020, 3, arrays, parent), data, parent


@given(any_expr, datasets())
@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
def test_vectorised_result_equals_scalar_reference(node, d):
    ds, data, parent = d
    result = parse(to_source(node)).evaluate(ds, 2022)
    for i in range(len(ds)):
        want = _ref_eval(node, data, parent, i, 2022)
        got = result.at(i)
        assert (got is None) == (want is None), (to_source(node), i, got, want)
        if want is not None:
            assert got == want or (isinstance(want, float) and math.isclose(got, want, rel_tol=0, abs_tol=0))
    assert not np.isinf(result.value).any()


# ---- prev(x): each element's own previous data year -------------------------------------------
def test_prev_is_the_previous_year_and_prints_as_an_offset():
    assert parse("prev(#{a})").ast == parse("#{a}[y-1]").ast
    assert parse("prev(prev(#{a}))").canonical() == "#{a}[y-1][y-1]"
    assert parse("#{a} >= prev(#{a})").canonical() == "#{a} >= #{a}[y-1]"
    assert parse("prev(#{a} > 1)").kind == BOOL


@pytest.mark.parametrize(
    "text,pos,token", [("prev()", 0, "prev"), ("prev(#{a}, 1)", 0, "prev"), ("prev #{a}", 5, "#{a}")]
)
def test_prev_takes_one_argument(text, pos, token):
    with pytest.raises(ExprError) as err:
        parse(text)
    assert (err.value.pos, err.value.token) == (pos, token)


def test_prev_reads_the_previous_column_whatever_year_each_element_belongs_to(ds):
    # the dataset lines each element up with its own previous year: finance collected for the year
    # before the school year is stored at the data year, so prev() is finance Y−1 and school year
    # (Y−1)/Y alike; year_shift only changes what the years are called
    shifted = Dataset(ds.regions, ds.first_year, ds.n_years, ds.values, ds.parent, {"edu_exp_budget": 1})
    for d in (ds, shifted):
        got = parse("prev(#{edu_exp_budget})").evaluate(d, 2023)
        assert [got.at(i) for i in range(4)] == [None, 110, 50, None]
    assert shifted.year_of("edu_exp_budget", 2023) == 2022 and shifted.year_of("enrol_primary", 2023) == 2023


@given(any_expr, datasets())
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_prev_of_any_expression_equals_it_shifted_back_a_year(node, d):
    ds, data, parent = d
    text = to_source(node)
    e = parse(f"prev({text})")
    assert e.canonical() == parse(f"({text})[y-1]").canonical()
    result = e.evaluate(ds, 2022)
    for i in range(len(ds)):
        want = _ref_eval(node, data, parent, i, 2021)
        got = result.at(i)
        assert (got is None) == (want is None), (text, i, got, want)
        if want is not None:
            assert got == want
