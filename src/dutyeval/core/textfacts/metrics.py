"""What a figure measures: metric words before it, school level, and the catalogue element.

Mapping is deliberately conservative: a figure gets an ``element`` only when an explicit metric
phrase stands right before it (or is inherited through a list such as ``初中…元、小学…元``) and
the units agree. Anything vaguer keeps ``element=None`` and is left to the person reviewing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from . import rules as R


def first_char_alternation(patterns: list[str]) -> str:
    """Join patterns that each start with a literal character, grouped by that character.

    ``生均A|生均B|公办C`` becomes ``生(?:均A|均B)|公(?:办C)``: at a position whose character
    starts no pattern the engine fails at once, and where one does it tries only that group,
    instead of all alternatives one after the other. Order within a group is kept, so the
    first-listed pattern still wins.
    """
    groups: dict[str, list[str]] = {}
    for p in patterns:
        groups.setdefault(p[0], []).append(p[1:])
    return "|".join(f"{re.escape(c)}(?:{'|'.join(rest)})" for c, rest in groups.items())


# level and qualifier words with their canonical forms (rules.yaml levels, qualifiers)
_LEVEL_CANON = {e["word"]: e["level"] for e in R.raw()["levels"]}
_QUAL_CANON = {e["word"]: e["as"] for e in R.raw()["qualifiers"]}
_LEVEL_WORDS = list(_LEVEL_CANON)
_QUAL_WORDS = list(_QUAL_CANON)
LEVEL_SUFFIX = {
    "幼儿园": "preschool",
    "小学": "primary",
    "初中": "junior",
    "高中": "senior",
    "中职": "vocational",
}


# words ending in 中 that swallow the 中 of a level word after them (rules.yaml glued_zhong)
GLUED_ZHONG = frozenset(R.words("glued_zhong"))
# levels and qualifiers never overlap, so one pass over the text finds both
_LEVEL_OR_QUAL = re.compile(first_char_alternation(_LEVEL_WORDS + _QUAL_WORDS))


@dataclass(frozen=True)
class Metric:
    name: str  # canonical Chinese name shown to users
    element: str | None  # catalogue code; "{level}" is filled from the figure's school level
    family: str  # unit family the figure must have for the element to apply: money/rate/count/score
    gross: bool = False  # a rate that may legitimately exceed 100 %
    # the element when "{level}" cannot be filled because no level is named at all: the
    # aggregate of all levels (按在校学生人数平均的… with no level before it)
    without_level: str | None = None


# metric phrases (rules.yaml metrics), in file order: the first pattern that matches at a
# position wins, so the file lists specific before generic. Every pattern starts with a literal
# character, so the joined alternation keeps the engine's first-character scan.
_METRICS: list[tuple[str, Metric]] = [
    (
        e["pattern"],
        Metric(
            e["name"],
            e.get("element"),
            e["family"],
            bool(e.get("gross", False)),
            e.get("element_without_level"),
        ),
    )
    for e in R.raw()["metrics"]
]
METRIC_RE = re.compile(first_char_alternation([p for p, _ in _METRICS]))
# metric phrases, levels and qualifiers in one pass; metrics first, so where a metric phrase and
# a level word start at the same character (在园幼儿…, 高中阶段…入学率) the longer phrase wins and
# the words inside it are picked out afterwards
_CONTEXT_RE = re.compile(first_char_alternation([p for p, _ in _METRICS] + _LEVEL_WORDS + _QUAL_WORDS))


# level and qualifier words -> (is a level, canonical form); levels win where a word is both
_WORD_KIND = {w: (False, c) for w, c in _QUAL_CANON.items()}
_WORD_KIND.update((w, (True, c)) for w, c in _LEVEL_CANON.items())
# a word that is a whole metric phrase too (在园幼儿) is taken as the metric, whose level words
# are then picked out of it like those of any metric phrase
for _w in [w for w in _WORD_KIND if METRIC_RE.fullmatch(w)]:
    del _WORD_KIND[_w]


def context_words(text: str, lo: int, hi: int, levels: list, quals: list, metrics: list) -> None:
    """Append the level, qualifier and metric words of text[lo:hi] to the three lists."""
    for m in _CONTEXT_RE.finditer(text, lo, hi):
        word = m.group()
        kind = _WORD_KIND.get(word)
        if word[0] == "中" and m.start() and text[m.start() - 1 : m.start() + 1] in GLUED_ZHONG:
            # "其中小学38所": the 中 belongs to 其中; what follows it may still be a level word
            sub = _LEVEL_OR_QUAL.match(text, m.start() + 1, m.end())
            if sub is None:
                continue
            word, kind = sub.group(), _WORD_KIND.get(sub.group())
            m = sub
        if kind is not None:
            if kind[0]:
                levels.append((*m.span(), kind[1]))
            elif word != "城区" or _urban(text, m.start()):
                quals.append((m.start(), kind[1]))
        else:
            start = m.start()
            metrics.append((start, m.end(), word))
            for sub in _LEVEL_OR_QUAL.finditer(word):
                w, s = sub.group(), start + sub.start()
                if w in _LEVEL_CANON:
                    levels.append((s, start + sub.end(), _LEVEL_CANON[w]))
                elif w != "城区" or _urban(text, s):
                    quals.append((s, _QUAL_CANON[w]))


def _urban(text: str, pos: int) -> bool:
    # "城区" only as a word of its own: X城区 is a district's name, not an urban qualifier
    before = text[pos - 1] if pos else ""
    return not ("\u4e00" <= before <= "\u9fff") or before in "主老新全在"


_METRIC_PARTS = [(re.compile(p), m) for p, m in _METRICS]


@lru_cache(maxsize=512)
def metric_of(matched: str) -> Metric:
    """Which table entry produced ``matched`` (a match of METRIC_RE)."""
    for rx, m in _METRIC_PARTS:
        if rx.fullmatch(matched):
            return m
    raise KeyError(matched)  # pragma: no cover - METRIC_RE only matches table entries


# rates that may exceed 100 % although not called 毛…率: growth, plan completion, …
_UNCAPPED = re.compile(R.alternation(R.words("uncapped_rate_words")))
_RATE_WORDS = R.words("rate_words")


def rate_label(window: str) -> str | None:
    """The "…率 / 占比 / 比例" phrase named last in ``window``, with up to 6 characters before it."""
    best, word = -1, ""
    for w in _RATE_WORDS:
        i = window.rfind(w)
        if i > best:
            best, word = i, w
    if best < 0:
        return None
    j = best
    while j > 0 and best - j < 6 and "\u4e00" <= window[j - 1] <= "\u9fff":
        j -= 1
    return window[j : best + len(word)]


def rate_is_capped(label: str | None, metric: Metric | None) -> bool:
    """True when a rate with this label can never exceed 100 % (retention, coverage, shares…)."""
    if metric is not None and metric.family == "rate":
        return not metric.gross
    if not label:
        return False
    return not _UNCAPPED.search(label)


def element_for(
    metric: Metric | None, family: str, level: str | None, catalogue, base_unit: str = ""
) -> tuple[str | None, float]:
    """Catalogue code for a figure of unit ``family`` (in ``base_unit``) measured by ``metric``
    at ``level``; None unless the units agree (127所 after 在校生 is a count of schools)."""
    if metric is None or metric.element is None:
        return None, 0.0
    if metric.family != family:
        return None, 0.0
    code = metric.element
    if "{level}" in code:
        suffix = LEVEL_SUFFIX.get(level or "")
        if suffix is not None:
            code = code.format(level=suffix)
        elif level is None and metric.without_level is not None:
            code = metric.without_level  # no level named: the aggregate of all levels
        else:
            return None, 0.0  # a level without an element of its own (义务教育 …)
    elif metric.element == "edu_exp_budget" and level in LEVEL_SUFFIX:
        code = f"edu_exp_budget_{LEVEL_SUFFIX[level]}"
    if code not in catalogue:
        return None, 0.0
    el = catalogue[code]
    if el.kind in ("count", "area") and base_unit and el.unit != base_unit:
        return None, 0.0
    return code, 0.9


# element_for results for one catalogue, kept across reports: (catalogue, {key: (code, conf)}).
# Catalogues are frozen and metrics are module-level constants, so an entry never goes stale;
# the catalogue is held here, so its id cannot be reused while the entry lives.
_ELEMENTS: tuple[object, dict[tuple, tuple[str | None, float]]] = (None, {})


def element_cache(cat) -> dict[tuple, tuple[str | None, float]]:
    """A dict for memoising ``element_for`` under ``cat`` (figures.py keys it by metric id,
    kind, level and base unit)."""
    global _ELEMENTS
    held = _ELEMENTS  # one read: another thread may swap the pair meanwhile
    if held[0] is not cat:
        held = _ELEMENTS = (cat, {})
    return held[1]
