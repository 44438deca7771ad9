"""The speed-ups of the reader give what the plain form of the same step gives.

Each test compares a fast path with a slow reference written the obvious way, on random texts
made of the characters the step cares about (Hypothesis, derandomised so CI is reproducible).
"""

from __future__ import annotations

import re

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
