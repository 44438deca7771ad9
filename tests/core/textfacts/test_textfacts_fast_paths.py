"""The speed-ups of the reader give what the plain form of the same step gives.

Each test compares a fast path with a slow reference written the obvious way, on random texts
made of the characters the step cares about (Hypothesis, derandomised so CI is reproducible).
"""

from __future__ import annotations

import re
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dutyeval.core.textfacts import figures as F
from dutyeval.core.textfacts import normalize as N


def _reference_to_simplified(line: str) -> str:
    """Traditional to simplified as first written: the phrases as one plain alternation, longest
    first, and the character table as a dict."""
    table, _, _, phrases, _ = N._t2s_tables()
    plain = re.compile("|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True)))
    out, last = [], 0
    for m in plain.finditer(line):
        out.append(line[last : m.start()].translate(table))
        out.append(phrases[m.group()])
        last = m.end()
    out.append(line[last:].translate(table))
    return "".join(out)


def _t2s_alphabet() -> list[str]:
    table, _, _, phrases, _ = N._t2s_tables()
    # phrases and their pieces (so prefixes of phrases, overlaps and near misses occur), the
    # characters of the table (astral ones included), and plain text around them
    pieces = sorted(phrases)[:: max(1, len(phrases) // 120)]
    pieces += [p[: len(p) // 2 + 1] for p in pieces] + [p[1:] for p in pieces]
    pieces += [chr(c) for c in sorted(table)[:: max(1, len(table) // 200)]]
    pieces += [chr(c) for c in sorted(table) if c > 0xFFFF][:10]
    return pieces + ["乾隆年間", "乾", "坤", "教育", "經費", "万元", "12", "，", "\n", " ", "𠀀"]


_PIECES = _t2s_alphabet()


@settings(max_examples=400, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=3)), max_size=40).map("".join))
def test_to_simplified_equals_the_plain_alternation_and_dict(line):
    assert N.to_simplified(line) == _reference_to_simplified(line)


def test_to_simplified_on_every_phrase_and_character():
    table, _, _, phrases, _ = N._t2s_tables()
    everything = "。".join(phrases) + "".join(chr(c) for c in sorted(table))
    assert N.to_simplified(everything) == _reference_to_simplified(everything)


# ---- the candidate scans of figures.py -------------------------------------------------------
def _reference_scans() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The two candidate patterns with their optional parts written as "(…)?", the plain form."""
    s = F._starts
    arabic = re.compile(
        r"(?P<num>[0-9](?<![0-9〔\[.前A-Za-z][0-9])[0-9]*+(?:,[0-9]{3})*(?:\.[0-9]+(?![0-9]))?)"
        r"(?:(?<=\.[0-9])|(?<=\.[0-9]{2})|(?<=\.[0-9]{3})|(?<=\.[0-9]{4})"
        rf"|(?={s(F._MAGNITUDES, F._RATE_MONEY, F._COUNT_UNITS, extra='-—~至到:、余多')}))"
        r"(?::(?P<r2>[0-9]+(?:\.[0-9]+)?))?"
        rf"(?P<a1>余|多)?(?P<mag>{F._MAGNITUDES})?(?P<a2>余|多)?"
        rf"(?P<unit>{F._RATE_MONEY}|{F._COUNT_UNITS})?"
        r"(?P<post>以上|以下|左右|以内)?"
    )
    chinese = re.compile(
        rf"(?P<num>[{F._CN}][{F._CN}]*)(?={s(F._CN_UNITS, extra='余多万亿')})"
        r"(?P<a1>余|多)?(?P<mag>万|亿)?(?P<a2>余|多)?"
        rf"(?P<unit>{F._CN_UNITS})?"
        rf"(?<![{F._CN}余多])"
        r"(?P<post>以上|以下|左右|以内)?"
    )
    return arabic, chinese


_REF_ARABIC, _REF_CHINESE = _reference_scans()


def _as_read(m: re.Match) -> tuple:
    # what _make and _ratio read of a match: its span, groups("") and the ratio's second number
    return m.span(), m.groups(""), m.group("num"), m.groupdict().get("r2"), m.end("num")


# every unit, magnitude and affix of the scans, digits and numerals, and what stops a figure
_FIGURE_PIECES = (
    F._COUNT_UNITS.split("|") + F._RATE_MONEY.split("|") + F._CN_UNITS.split("|")
    + ["亿万", "万亿", "万万", "千万", "百万", "十万", "万", "亿", "千", "元", "余", "多", "以上", "以下", "左右",
       "以内", "近", "约", "超过", "第", "〔", "〕", "[", ".", ",", ":", "、", "-", "—", "~", "至", "到", "年",
       "G", "前", "0", "1", "2", "5", "9", "12", "2021", "1,234", "3.5", "0.25", "一", "两", "十", "百", "二十",
       "〇", "零", "千元", "口", "\n", "。", "学", "生"]
)  # fmt: skip


@settings(max_examples=600, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_FIGURE_PIECES), max_size=30).map("".join))
def test_candidate_scans_match_the_plain_patterns(text):
    assert [_as_read(m) for m in F._ARABIC.finditer(text)] == [
        _as_read(m) for m in _REF_ARABIC.finditer(text)
    ]
    assert [_as_read(m) for m in F._CHINESE.finditer(text)] == [
        _as_read(m) for m in _REF_CHINESE.finditer(text)
    ]


def test_candidate_scans_match_the_plain_patterns_on_the_seeds(seeds):
    for path in sorted(seeds.glob("*.txt")):
        text = N.normalize(path.read_text("utf-8")).text
        assert [_as_read(m) for m in F._ARABIC.finditer(text)] == [
            _as_read(m) for m in _REF_ARABIC.finditer(text)
        ]
        assert [_as_read(m) for m in F._CHINESE.finditer(text)] == [
            _as_read(m) for m in _REF_CHINESE.finditer(text)
        ]


def test_candidate_scans_match_the_plain_patterns_on_every_combination():
    # number, affix, magnitude, affix, unit, bound, what follows: every combination
    for num in ("5", "3.5", "1,234", "12:30", "前5", "二十", "两", "一"):
        for a1 in ("", "余", "多"):
            for mag in ("", "万", "亿", "亿万", "千"):
                for a2 in ("", "余"):
                    for unit in ("", "元", "元元", "人", "人次", "%", "个百分点", "所", "万元"):
                        for post in ("", "以上", "口"):
                            for follow in ("", "。", "年"):
                                text = f"共{num}{a1}{mag}{a2}{unit}{post}{follow}"
                                assert [_as_read(m) for m in F._ARABIC.finditer(text)] == [
                                    _as_read(m) for m in _REF_ARABIC.finditer(text)
                                ], text
                                assert [_as_read(m) for m in F._CHINESE.finditer(text)] == [
                                    _as_read(m) for m in _REF_CHINESE.finditer(text)
                                ], text


# ---- figures.py loops that skip figures with nothing to do -----------------------------------
def _reference_propagate_list_units(figs, text):
    """_propagate_list_units as first written: every figure from the back."""
    for i in range(len(figs) - 2, -1, -1):
        f, nxt = figs[i], figs[i + 1]
        if (
            f.kind == "bare"
            and nxt.kind != "bare"
            and text[f.end : nxt.start] in F._RANGE_OR_LIST
            and not nxt.qualifiers
        ):
            if "." in f.quote and nxt.kind not in ("rate", "score", "amount"):
                continue
            factor = nxt.base_value / nxt.value if nxt.value else Decimal(1)
            figs[i] = F.Figure(f.quote, f.start, f.end, f.value, nxt.unit, f.value * factor, nxt.base_unit,
                               nxt.kind, confidence=0.8)  # fmt: skip


def _reference_comparison_bases(figs, text, ctx, cat):
    """_comparison_bases as first written: the base pattern or the list test at every figure."""
    prev = None
    for f in figs:
        fs = f.start
        m = F._BASE_BEFORE.search(text, max(0, fs - 12), fs) if fs and text[fs - 1] in F._BASE_LAST else None
        if m is None:
            if (
                prev is not None
                and text[prev.end : fs] in F._LIST_GAPS
                and f.unit == prev.unit
                and f.kind != "growth"
            ):
                F._mark_base(f, prev.year, "上年" in prev.qualifiers)
                prev = f
            else:
                prev = None
            continue
        named = m.group("a") or m.group("d")
        if named and named[0].isdigit():
            year, last_year = int(named[:4]), False
        else:
            current = ctx.year_before(m.start(), ctx.sentence_start(m.start()))
            if current is None:
                current = ctx.year_before(m.start(), ctx.para_start(m.start()))
            year, last_year = (current - 1 if current else None), True
        F._mark_base(f, year, last_year)
        prev = f
    _reference_pair_bases(figs, text, ctx)


def _reference_pair_bases(figs, text, ctx):
    """_pair_bases as first written: walks every figure from the first."""
    i, n = 0, len(figs)
    while i < n:
        if not figs[i].comparison_base:
            i += 1
            continue
        j = i + 1
        while j < n and figs[j].comparison_base and text[figs[j - 1].end : figs[j].start] in F._LIST_GAPS:
            j += 1
        run = list(range(i, j))
        s0 = ctx.sentence_start(figs[i].start)
        unit = figs[i].unit
        before = [k for k in range(i - 1, -1, -1) if figs[k].start >= s0]
        cur = [
            k
            for k in before
            if figs[k].unit == unit and not figs[k].comparison_base and figs[k].kind != "growth"
        ]
        if len(run) > 1 and len(cur) >= len(run):
            pairs = list(zip(sorted(cur[: len(run)]), run, strict=True))
        elif len(run) == 1 and cur:
            pairs = [(cur[0], i)]
        elif (
            len(run) == 1
            and j < n
            and figs[j].unit == unit
            and figs[j].kind != "growth"
            and "到" in text[figs[i].end : figs[j].start]
        ):
            pairs = [(j, i)]
        else:
            pairs = []
        for c, b in pairs:
            figs[c].base_index = b
            base, current = figs[b], figs[c]
            levels = [q for q in current.qualifiers if q in F._LEVELS]
            if levels:
                base.qualifiers[:] = [q for q in base.qualifiers if q not in F._LEVELS] + levels
            if base.year is not None and current.element:
                base.element = current.element
        i = j


def _figures_as_read(text: str) -> list[tuple]:
    return [
        tuple(getattr(f, name) for name in F.Figure.__slots__ if name != "_metric") for f in F.extract(text)
    ]


def _with_reference_loops(text: str) -> list[tuple]:
    saved = F._propagate_list_units, F._comparison_bases, F._pair_bases
    F._propagate_list_units, F._comparison_bases, F._pair_bases = (
        _reference_propagate_list_units,
        _reference_comparison_bases,
        _reference_pair_bases,
    )
    try:
        return _figures_as_read(text)
    finally:
        F._propagate_list_units, F._comparison_bases, F._pair_bases = saved


_BASE_PIECES = [
    "2022年", "全县", "小学", "初中", "、", ",", "。", ";", "一般公共预算教育支出", "生均公用经费", "在校生",
    "上年为", "比上年的", "较2021年的", "上年同期", "2020年为", "由上年的", "增加到", "分别为", "增长", "下降",
    "15", "16", "0.3", "0.2", "3.52亿元", "3.20亿元", "12.5%", "17890元", "24420元", "41235人", "20所", "人", "元",
    "和", "-", "至",
]  # fmt: skip


@settings(max_examples=500, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_BASE_PIECES), max_size=40).map("".join))
def test_figure_loops_equal_the_loops_that_visit_every_figure(text):
    assert _figures_as_read(text) == _with_reference_loops(text)


def test_figure_loops_equal_the_loops_that_visit_every_figure_on_the_seeds(seeds):
    for path in sorted(seeds.glob("*.txt")):
        text = N.normalize(path.read_text("utf-8")).text
        assert _figures_as_read(text) == _with_reference_loops(text), path.name
