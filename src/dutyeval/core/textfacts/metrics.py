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


_LEVEL_LIST = "中小学|幼儿园|学前|在园幼儿|小学|初中|普通高中|普高|高中阶段|高中|中职|职高|中等职业|义务教育|义务段|特殊教育|特教"
_LEVEL_CANON = {
    "中小学": "中小学",
    "幼儿园": "幼儿园", "学前": "幼儿园", "在园幼儿": "幼儿园", "小学": "小学", "初中": "初中",
    "普通高中": "高中", "普高": "高中", "高中": "高中", "高中阶段": "高中阶段", "中职": "中职", "职高": "中职",
    "中等职业": "中职", "义务教育": "义务教育", "义务段": "义务教育", "特殊教育": "特殊教育", "特教": "特殊教育",
}  # fmt: skip
LEVEL_SUFFIX = {
    "幼儿园": "preschool",
    "小学": "primary",
    "初中": "junior",
    "高中": "senior",
    "中职": "vocational",
}
_OTHER_CANON = {"城市": "城区", "城镇": "城区", "乡村": "农村"}


# words ending in 中 that swallow the 中 of a level word after them (rules.yaml glued_zhong)
GLUED_ZHONG = frozenset(R.words("glued_zhong"))
_QUAL_LIST = "生均|城区|城市|城镇|农村|乡村|公办|民办|普惠性"
# levels and qualifiers never overlap, so one pass over the text finds both
_LEVEL_OR_QUAL = re.compile(first_char_alternation(_LEVEL_LIST.split("|") + _QUAL_LIST.split("|")))


@dataclass(frozen=True)
class Metric:
    name: str  # canonical Chinese name shown to users
    element: str | None  # catalogue code; "{level}" is filled from the figure's school level
    family: str  # unit family the figure must have for the element to apply: money/rate/count/score
    gross: bool = False  # a rate that may legitimately exceed 100 %


# order matters: the first pattern that matches at a position wins, so specific before generic.
# Every pattern starts with a literal character: the joined alternation then gets the regex
# engine's first-character scan and runs one pass over the whole text in well under a millisecond.
_METRICS: list[tuple[str, Metric]] = [
    (
        r"生均(?:一般)?公共(?:财政)?预算教育事业费(?:支出)?",
        Metric("生均一般公共预算教育事业费", "per_student_opex_{level}", "money"),
    ),
    (r"公办园生均公用经费", Metric("公办园生均公用经费", "per_student_pub_preschool", "money")),
    (
        r"生均(?:一般)?(?:公共)?(?:财政)?(?:预算)?公用经费(?:支出)?",
        Metric("生均公用经费", "per_student_pub_{level}", "money"),
    ),
    (
        r"生均(?:一般)?公共(?:财政)?预算教育(?:经费|支出)",
        Metric("生均一般公共预算教育支出", "per_student_budget_{level}", "money"),
    ),
    (
        r"按在校(?:学)?生人数平均的一般公共预算教育(?:经费|支出)",
        Metric("生均一般公共预算教育支出", "per_student_budget_{level}", "money"),
    ),
    (
        r"公共(?:财政)?预算教育(?:经费|支出)(?:投入)?",
        Metric("一般公共预算教育支出", "edu_exp_budget", "money"),
    ),
    (r"财政性教育经费", Metric("国家财政性教育经费", "edu_exp_fiscal", "money")),
    (r"一般公共预算支出", Metric("一般公共预算支出", "gen_budget_exp", "money")),
    (r"教育费附加", Metric("教育费附加", "edu_surcharge", "money")),
    (r"教育附加", Metric("教育费附加", "edu_surcharge", "money")),
    (r"土地出让(?:收益|收入)", Metric("土地出让收益计提教育资金", "land_fund_edu", "money")),
    (r"培训(?:经费|费)", Metric("教师培训经费", "training_funds", "money")),
    (r"资助资金", Metric("学生资助资金", "student_aid", "money")),
    (r"毛入园率", Metric("学前三年毛入园率", "gross_enrol_preschool", "rate", gross=True)),
    (r"学前(?:三年|教育)?入园率", Metric("学前三年毛入园率", "gross_enrol_preschool", "rate", gross=True)),
    (r"高中阶段(?:教育)?毛?入学率", Metric("高中阶段毛入学率", "gross_enrol_senior", "rate", gross=True)),
    (r"毛入学率", Metric("毛入学率", None, "rate", gross=True)),
    (
        r"公办(?:幼儿)?园在园幼儿(?:数)?(?:占比|比例|覆盖率)",
        Metric("公办园在园幼儿占比", "public_kg_share", "rate"),
    ),
    (
        r"普惠性(?:幼儿园|学前教育资源)[\u4e00-\u9fff]{0,8}?(?:覆盖率|占比|比例)",
        Metric("普惠性幼儿园覆盖率", "affordable_kg_coverage", "rate"),
    ),
    (r"义务教育巩固率", Metric("九年义务教育巩固率", "retention_compulsory", "rate")),
    (r"巩固率", Metric("巩固率", None, "rate")),
    (
        r"残疾儿童(?:少年)?(?:义务教育)?入学率",
        Metric("残疾儿童少年义务教育入学率", "disabled_enrol_rate", "rate"),
    ),
    (r"持证上岗率", Metric("专任教师持证上岗率", "teacher_certified_rate", "rate")),
    (r"交流轮岗(?:比例|比率)", Metric("教师交流轮岗比例", "teacher_rotation_rate", "rate")),
    (
        r"随迁子女[\u4e00-\u9fff]{0,8}公办学校就读(?:比例|比率)",
        Metric("随迁子女在公办学校就读比例", "migrant_public_rate", "rate"),
    ),
    (r"校际差异系数", Metric("校际差异系数", None, "ratio")),
    (r"差异系数", Metric("校际差异系数", None, "ratio")),
    (r"职普比", Metric("职普比", None, "ratio")),
    (r"普职比", Metric("职普比", None, "ratio")),
    (r"满意度", Metric("满意度", None, "score")),
    (r"在园幼儿", Metric("在园幼儿数", "enrol_preschool", "count")),
    (r"在校(?:学)?生", Metric("在校生数", "enrol_{level}", "count")),
    (r"专任教师", Metric("专任教师数", None, "count")),
    (r"年均工资", Metric("平均工资收入", None, "money")),
    (r"年平均工资", Metric("平均工资收入", None, "money")),
    (r"平均工资", Metric("平均工资收入", None, "money")),
    (r"D级危房", Metric("中小学D级危房面积", "dangerous_building_area", "area")),
    (r"超大班额", Metric("超大班额", None, "count")),
    (r"大班额", Metric("大班额", None, "count")),
]
METRIC_RE = re.compile(first_char_alternation([p for p, _ in _METRICS]))
# metric phrases, levels and qualifiers in one pass; metrics first, so where a metric phrase and
# a level word start at the same character (在园幼儿…, 高中阶段…入学率) the longer phrase wins and
# the words inside it are picked out afterwards
_CONTEXT_RE = re.compile(
    first_char_alternation([p for p, _ in _METRICS] + _LEVEL_LIST.split("|") + _QUAL_LIST.split("|"))
)
_QUAL_SET = frozenset(_QUAL_LIST.split("|"))


# level and qualifier words -> (is a level, canonical form); levels win where a word is both
_WORD_KIND = {w: (False, _OTHER_CANON.get(w, w)) for w in _QUAL_SET}
_WORD_KIND.update((w, (True, c)) for w, c in _LEVEL_CANON.items())


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
                    quals.append((s, _OTHER_CANON.get(w, w)))


def _urban(text: str, pos: int) -> bool:
    # "城区" only as a word of its own: 越城区 is a district's name, not an urban qualifier
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
_UNCAPPED = re.compile(r"毛|增长|增幅|增速|完成率|执行率|入园率|高中阶段|超出|高出|利用率|达成率|回报率|倍")


_RATE_WORDS = ("率", "占比", "比例", "比重", "覆盖面")


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
        if suffix is None:
            return None, 0.0
        code = code.format(level=suffix)
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
