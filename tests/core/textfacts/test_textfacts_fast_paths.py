"""The speed-ups of the reader give what the plain form of the same step gives.

Each test compares a fast path with a slow reference written the obvious way, on random texts
made of the characters the step cares about (Hypothesis, derandomised so CI is reproducible).
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
