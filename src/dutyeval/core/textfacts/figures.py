"""Every quantity in a normalised report: amounts, rates, changes, counts, ratios, scores.

One compiled pattern finds the candidates (C speed); a short Python pass per candidate drops
non-figures (years, ordinals, document numbers, slogans such as 两个维护), reads value, unit,
kind, year and qualifiers, links each change (比上年增长…) to the figure it changes, and maps
the figure to a catalogue element when a metric phrase says so.
"""

from __future__ import annotations

import re
import string
from bisect import bisect_left
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter

from dutyeval.core.catalogue import default_catalogue

from . import metrics as M
from . import rules as R
from .context import Context
from .numbers import MAGNITUDE, parse_number
from .tables import column_cells, table_cells

_CN = "零〇一二两三四五六七八九十百千"
_COUNT_UNITS = (
    "人次|平方米|平方公里|平米|㎡|个百分点|百分点|学时|课时|公顷|公里|千米|万册|生/千人|批次|"
    "所|个|名|人|套|册|间|台|家|项|条|份|位|次|件|场|班|节|天|轨|部|张|辆|本|批|支|篇|门|户|座|栋|处|块|亩|吨|对|倍|分"
    "|米|度|乡|镇|" + "|".join(R.words("place_units"))
)
# Both patterns start with a plain character class, so the regex engine skips ahead to the
# next digit in C; prefixes such as 近/约/超过 are looked up behind the match in Python.
# [0-9], not \d: a range test is much cheaper than a Unicode category test per character,
# and full-width digits were folded to ASCII already.
# The digit run is possessive ([0-9]*+): a run that fails as a whole (2021年) is not retried
# with fewer digits, which could only end before another digit, where no unit or decimal can
# follow. (The one exception, a lookbehind reaching a "." before the run, is a candidate
# _make rejects anyway.) The retries were a fifth of the scan.
# After the first digit, a look-behind turns away in C what _make would turn away in Python
# (a digit after 〔 [ . 前 or a Latin letter: 〔2021〕1号, G20, 1.2.3), and a start inside a run of
# digits, which fails whenever the run from its first digit failed: the rest of the pattern
# sees the same characters after the run (2021年 was tried at 2, 0, 2 and 1).
_MAGNITUDES = "亿万|万亿|万万|千万|百万|十万|万|亿|千(?=元)"
# the doubled 元元 and %% are typos (flagged by anomalies); the figure keeps the unit as written
_RATE_MONEY = "%%|%|‰|元元|元"
_CN_UNITS = "万元|亿元|元|所|名|人次|人|家|套|台|间|册|位|座|栋|处|个|项|对|支|场|部|辆|次|批|乡|镇"


def _starts(*alternations: str, extra: str = "") -> str:
    """Character class of the first characters of the alternations' words (and ``extra``):
    the look-ahead that lets a number pass only where a unit, magnitude or list can follow.
    Built from the unit lists, so a unit added there is never shut out by a stale class."""
    chars = {w[0] for alt in alternations for w in alt.split("|")} | set(extra)
    return "[" + re.escape("".join(sorted(chars))) + "]"


# Optional parts are written "(?P<unit>…|)" and "[余多]?", not "(?P<unit>…)?": the engine runs an
# optional group through its general repeat machinery at every candidate, an empty last branch
# or a one-character repeat much more cheaply (the scan is a quarter faster). The match is the
# same (the empty branch is tried last, as "?" tries "nothing" last), and so are the groups as
# _make reads them: groups("") gives "" for a group that matched nothing or did not take part.
# Of the two tests after the number, the unit look-ahead comes first: most candidates pass it,
# and the decimal look-behinds are then not tried.
_ARABIC = re.compile(
    r"(?P<num>[0-9](?<![0-9〔\[.前A-Za-z][0-9])[0-9]*+(?:,[0-9]{3})*(?:\.[0-9]+(?![0-9])|))"
    # something that can follow a quantity, or a decimal: years and plain integers fail here, in C
    rf"(?:(?={_starts(_MAGNITUDES, _RATE_MONEY, _COUNT_UNITS, extra='-—~至到:、余多')})"
    r"|(?<=\.[0-9])|(?<=\.[0-9]{2})|(?<=\.[0-9]{3})|(?<=\.[0-9]{4}))"
    r"(?::(?P<r2>[0-9]+(?:\.[0-9]+)?)|)"
    rf"(?P<a1>[余多]?)(?P<mag>{_MAGNITUDES}|)(?P<a2>[余多]?)"
    rf"(?P<unit>{_RATE_MONEY}|{_COUNT_UNITS}|)"
    r"(?P<post>以上|以下|左右|以内|)"
)
_CHINESE = re.compile(
    # the look-ahead turns away the many numerals in plain words (一是, 统一) at once
    rf"(?P<num>[{_CN}][{_CN}]*)(?={_starts(_CN_UNITS, extra='余多万亿')})"
    r"(?P<a1>[余多]?)(?P<mag>[万亿]?)(?P<a2>[余多]?)"
    rf"(?P<unit>{_CN_UNITS}|)"
    rf"(?<![{_CN}余多])"
    r"(?P<post>以上|以下|左右|以内|)"
)
# approximation words (将近, 约, 超过 …) and the context words of money, scores and
# coefficients: rules.yaml; the last-character set is derived from the list
_PRE = re.compile("(?:" + R.alternation(R.words("approx_before")) + ")$")
_PRE_LAST = R.last_chars(R.words("approx_before"))
_NOT_BEFORE = frozenset("〔[.前" + string.ascii_letters)
_MONEY_CONTEXT = re.compile(R.alternation(R.words("money_context")))
_SCORE_CONTEXT = re.compile(R.alternation(R.words("score_context")))
_COEF_CONTEXT = re.compile(R.alternation(R.words("coefficient_context")))
# a change: verb (possibly with 了/为) right before the figure, after the last comma
_CHANGE_VERBS = R.words("change_verbs")  # rules.yaml
# str.endswith with a tuple runs in C: cheaper than a "$"-anchored regex search per figure
_CHANGE_ENDINGS = tuple(v + s for v in _CHANGE_VERBS for s in ("", "了", "为", "达", "约"))
# a difference from another figure: "农村小学初中分别高100元"
_DIFF_ENDINGS = R.words("difference_endings")  # rules.yaml
# last characters of the endings: a set test rules most clauses out before endswith runs
_CHANGE_LAST = frozenset(e[-1] for e in _CHANGE_ENDINGS)
_DIFF_LAST = frozenset(e[-1] for e in _DIFF_ENDINGS)
_ENDING_LAST = _CHANGE_LAST | _DIFF_LAST
_BY_CHANGE = re.compile(r"(?:年均|平均|累计|共|分别)?(?:增加|减少|增长|下降)了?$|年均增长|年均增加")
_COMPARISON_VALUE = re.compile(r"(?:比|较|同比)(?:上年|去年|上一年|(?:19|20)[0-9]{2}年)?(?:的|同期的?)?$")
_COMPARED = re.compile(r"(?:比|较|同比|环比)[^,]{0,12}$")
_DOWN = re.compile(R.alternation([e["word"] for e in R.raw()["change_verbs"] if e.get("down")]))
# Chinese numerals that are slogans rather than counts ("两个只增不减"), and counts of
# abstract things ("5个方面"): word lists in rules.yaml, fast-path first characters derived
_SLOGAN_AFTER = re.compile(R.alternation(R.words("slogan_after")))
_ABSTRACT_AFTER = re.compile(R.alternation(R.words("abstract_after")))
_ABSTRACT_FIRST = R.first_chars(R.words("abstract_after"))
# 一 before these is a count ("辖33个村，一个居委会"), not an idiom
_COUNTED_AFTER_ONE = tuple(R.words("counted_after_one"))
_NOT_AFTER = tuple(R.words("not_after"))
# a target stated beside the region's value ("低于自治区50%的目标") is not the element's value
_TARGET_AFTER = tuple(R.words("target_after"))
_APPROX = (
    "将近",
    "接近",
    "近",
    "约",
    "大约",
    "超过",
    "超",
    "逾",
    "不足",
    "不到",
    "余",
    "多",
    "以上",
    "以下",
    "左右",
    "以内",
)


@dataclass(eq=False, slots=True)
class Figure:
    quote: str
    start: int
    end: int
    value: Decimal
    unit: str
    base_value: Decimal
    base_unit: str
    kind: str  # amount | rate | growth | count | ratio | area | score
    year: int | None = None
    qualifiers: list[str] = field(default_factory=list)
    metric: str | None = None
    element: str | None = None
    confidence: float = 0.9
    refers_to: int | None = None  # index of the figure a growth figure changes
    label: str | None = None  # rate label such as 巩固率 (for the >100 % check)
    capped: bool = False  # a rate that may never exceed 100 %
    direction: int = 0  # -1 for a decrease (下降, 减少 …), +1 for an increase, 0 otherwise
    comparison_base: bool = False  # the value compared with (上年为…, 比2021年的…), not the current one
    base_index: int | None = None  # for a current value: index of its comparison base
    _metric: M.Metric | None = field(default=None, repr=False)

    @property
    def family(self) -> str:
        return _family(self.kind, self.base_unit)


def _family(kind: str, base_unit: str) -> str:
    if kind == "amount":
        return "money"
    return kind


def extract(text: str, catalogue=None) -> list[Figure]:
    cat = catalogue or default_catalogue()
    ctx = Context(text)
    make = _make
    figs = [f for m in _ARABIC.finditer(text) if (f := make(m, text, False)) is not None]
    chinese = [f for m in _CHINESE.finditer(text) if (f := make(m, text, True)) is not None]
    table = _table_cells(text, figs) if "\t" in text else []
    if "\n" in text:
        table += _column_cells(text)
    if table:
        cells = {f.start for f in table}
        figs = [f for f in figs if f.start not in cells]
    if chinese or table:
        figs = sorted(figs + chinese + table, key=_BY_START)
    _propagate_list_units(figs, text)
    ctx.scan_windows([f.start for f in figs])
    _annotate(figs, text, ctx, cat)
    return figs


def _table_cells(text: str, found: list[Figure]) -> list[Figure]:
    """Bare numbers in table cells whose row label names the unit (see tables.py)."""
    taken = {f.start for f in found if f.kind != "bare"}
    out = []
    for start, end, value, unit, year in table_cells(text):
        if start in taken:
            continue
        plain = unit[-1] if unit in ("万元", "亿元") else unit
        kind, base_unit, factor = _UNIT_INFO.get(plain) or ("count", unit, _ONE)
        if unit in ("万元", "亿元"):
            factor = MAGNITUDE[unit[0]]
        base = value * factor
        out.append(
            Figure(text[start:end], start, end, value, unit, base, base_unit, kind, year, [], confidence=0.8)
        )
    return out


_SCORE_HEADERS = R.words("score_headers")


def _column_cells(text: str) -> list[Figure]:
    """Scores of a flattened table column (see tables.column_cells)."""
    return [
        Figure(text[s:e], s, e, v, "", v, "", "score", confidence=0.7)
        for s, e, v in column_cells(text, _SCORE_HEADERS)
    ]


def _make(m: re.Match, text: str, chinese: bool) -> Figure | None:
    start, end = m.span()
    # groups(""): unmatched groups come back as "" (no "or" per group)
    if chinese:
        num, a1, mag, a2, unit, post = m.groups("")
        r2 = ""
    else:
        num, r2, a1, mag, a2, unit, post = m.groups("")
    quals: list[str] = []
    if start and text[start - 1] in _PRE_LAST:
        pre = _PRE.search(text, max(0, start - 2), start)
        if pre:
            start = pre.start()
            quals.append(pre.group())
    if post:
        quals.append(post)
        end -= len(post)  # 以上/以下 bound the figure but are not part of it
    counted = False
    if chinese and num == "一" and (unit in _IDIOM_UNITS or text.startswith("一", end)):
        if not text.startswith(_COUNTED_AFTER_ONE, m.start() + 1):
            return None  # _reject_chinese's idiom test, before any slicing: most 一 are idioms
        counted = True
    before = text[start - 8 if start > 8 else 0 : start]
    # 〔2021〕1号, G20, H5, 1.2.3 …: one set test on the character before (the tests below only
    # reject, so their order does not matter)
    if before[-1:] in _NOT_BEFORE:
        return None
    if before.endswith(_NOT_AFTER):
        return None
    # ordinals (第155次, 第70次、71次) and document numbers are not quantities
    if "第" in before and before.rstrip("0123456789、,和及至-次届期号").endswith("第"):
        return None
    after = text[end : end + 4]
    if unit and after[:1] in _ABSTRACT_FIRST and _ABSTRACT_AFTER.match(after):
        return None
    # (the cheap test first: most figures have no 《 or “ anywhere near)
    if (
        "“" in before or text.find("《", start - 40 if start > 40 else 0, start) >= 0
    ) and _in_title_or_slogan(text, start, end):
        return None
    if r2:
        return _ratio(m, text, start, end, quals)
    approx = a1 or a2
    if approx:
        quals.append(approx)
    # the regex admits only well-formed numbers, so Decimal() cannot fail on the Arabic branch
    value = parse_number(num) if chinese or "," in num else Decimal(num)
    if value is None:
        return None
    conf = 0.9
    if chinese:
        if unit in ("万元", "亿元"):
            mag, unit = unit[0], "元"
        if not counted and _reject_chinese(num, value, approx, unit, mag, before, after):
            return None
        conf = 0.7
    if unit == "人" and after[:1] == "口":  # "每10万人口": the figure is 10万 (people)
        end -= 1
        unit = ""
        if not mag:
            return None
    if not unit:
        if mag:
            return _magnitude_only(text, value, mag, quals, start, end)
        # bare numbers survive only as decimals (scores, coefficients) or list items "15、16人"
        if "." in num or text.startswith(_RANGE_OR_LIST, end):
            return Figure(
                text[start:end], start, end, value, "", value, "", "bare", qualifiers=quals, confidence=0.6
            )
        return None
    if unit == "分" and text[end : end + 1] in "钟别类配批期校管层段级担工享解析布散摊设":
        return None
    if unit in _PLACE_UNITS and not mag and len(num) == 4 and num[:2] in ("19", "20"):
        return None  # "2021县域…", a year with its 年 dropped, not 2021 counties
    info = _UNIT_INFO.get(unit)
    if info is None:
        base_unit, kind = unit, "count"
        base = value * MAGNITUDE[mag] if mag else value
    else:
        kind, base_unit, factor = info
        if mag:
            factor = factor * MAGNITUDE[mag]
        base = value if factor is _ONE else value * factor
    # positional arguments: quote, start, end, value, unit, base_value, base_unit, kind, year,
    # qualifiers, metric, element, confidence
    return Figure(
        text[start:end], start, end, value, mag + unit, base, base_unit, kind, None, quals, None, None, conf
    )


def _ratio(m, text, start, end, quals) -> Figure | None:
    a, b = m.group("num"), m.group("r2")
    # "11:21" is a time of day, not a ratio
    if "." not in a + b and len(b) == 2 and int(a.replace(",", "")) < 24:
        return None
    r1, r2 = Decimal(a.replace(",", "")), Decimal(b)
    if r2 == 0:
        return None
    end = m.end("r2")
    value = r1 if r2 == 1 else (r1 / r2).quantize(Decimal("0.0001")).normalize()
    return Figure(text[start:end], start, end, value, ":", value, ":", "ratio", qualifiers=quals)


# places counted with a digit ("等5市", "3县2区", as "2乡2镇"); a redacted name "X县" has no digit
_PLACE_UNITS = frozenset(R.words("place_units"))
_IDIOM_UNITS = frozenset(R.words("idiom_units_after_one"))  # rules.yaml


def _reject_chinese(num: str, value: Decimal, approx, unit: str, mag: str, before: str, after: str) -> bool:
    if not unit and not mag:
        return True
    if len(num) > 1 and not any(c in "十百千" for c in num):
        return True  # 二〇二一 (a year), 唯一一个 (a word boundary the regex cannot see)
    if num in ("百", "千") and not approx:
        return True  # 百名青年教师, 千生颂党恩: names of campaigns
    if before.endswith(
        ("“", '"', "第", "每", "唯", "统", "之", "万", "意", "他", "等")
    ) or _SLOGAN_AFTER.match(after):
        return True
    if value == 1 and (unit in _IDIOM_UNITS or after[:1] == "一"):
        return True  # 一人一策, 一个都不能少, 一支队伍, 一对一: idioms far more often than counts
    if unit in ("个", "项") and "、" in before:
        return True  # "学生、时间、质量、资金五个保障": a numeral summing up a list of slogans
    return False


def _in_title_or_slogan(text: str, start: int, end: int) -> bool:
    """Inside 《…》 (a document title) or a short “…” slogan such as “五个100%”."""
    lo = max(0, start - 40)
    opened = text.rfind("《", lo, start)
    if opened >= 0 and text.rfind("》", opened, start) < 0 and "》" in text[end : end + 40]:
        return True
    q = text.rfind("“", max(0, start - 4), start)
    return q >= 0 and "”" in text[end : end + 4] and text.rfind("”", q, start) < 0


def _magnitude_only(text, value, mag, quals, start, end) -> Figure | None:
    # "总投资N亿", "专项资金N万": money by context; "每10万人口" is caught elsewhere
    window = text[max(0, start - 12) : start]
    base = value * MAGNITUDE[mag]
    if not _MONEY_CONTEXT.search(window):
        # "人口80万", "每10万人口": a count of people or things, unit written as 万
        return Figure(
            text[start:end], start, end, value, mag, base, "", "count", qualifiers=quals, confidence=0.6
        )
    return Figure(
        text[start:end], start, end, value, mag, base, "元", "amount", qualifiers=quals, confidence=0.8
    )


_ONE = Decimal(1)
# unit as written -> (kind, base unit, factor to the base unit); anything else is a count
_UNIT_INFO: dict[str, tuple[str, str, Decimal]] = {
    "元": ("amount", "元", _ONE),
    "元元": ("amount", "元", _ONE),
    "%": ("rate", "%", _ONE),
    "%%": ("rate", "%", _ONE),
    "‰": ("rate", "%", Decimal("0.1")),
    "个百分点": ("growth", "个百分点", _ONE),
    "百分点": ("growth", "个百分点", _ONE),
    "平方米": ("area", "平方米", _ONE),
    "平米": ("area", "平方米", _ONE),
    "㎡": ("area", "平方米", _ONE),
    "平方公里": ("area", "平方公里", _ONE),
    "公顷": ("area", "公顷", _ONE),
    "亩": ("area", "亩", _ONE),
    "分": ("score", "分", _ONE),
    "倍": ("ratio", "倍", _ONE),
    "生/千人": ("ratio", "生/千人", _ONE),
    "万册": ("count", "册", Decimal(10000)),
}


_BY_START = attrgetter("start")
_RANGE_OR_LIST = ("、", "-", "—", "~", "至", "到", "－", "–", "——")


def _propagate_list_units(figs: list[Figure], text: str) -> None:
    """Coefficients "0.3、0.2" stay bare, but "15、16人" gives 15 the unit 人 of its list."""
    last = len(figs) - 1
    # from the back, so "15、16、17人" passes 人 on from 17 to 16 to 15 (only figs[i] changes
    # at step i, so the bare ones can be listed first)
    for i in reversed([i for i, f in enumerate(figs) if f.kind == "bare" and i < last]):
        f, nxt = figs[i], figs[i + 1]
        if nxt.kind != "bare" and text[f.end : nxt.start] in _RANGE_OR_LIST and not nxt.qualifiers:
            if "." in f.quote and nxt.kind not in ("rate", "score", "amount"):
                continue
            unit = nxt.unit
            factor = nxt.base_value / nxt.value if nxt.value else Decimal(1)
            figs[i] = Figure(f.quote, f.start, f.end, f.value, unit, f.value * factor, nxt.base_unit, nxt.kind,
                             confidence=0.8)  # fmt: skip


def _annotate(figs: list[Figure], text: str, ctx: Context, cat) -> None:
    """Year, qualifiers, change detection, metric/element, and bare-number triage.

    The hot loop of the package (hundreds of figures per report): context lookups are inlined
    bisects on the lists Context prepared, not method calls.
    """
    keep = [True] * len(figs)
    prev_end = -1
    prev: Figure | None = None
    prev_level: str | None = None  # the school level given to ``prev``
    level_pos, levels = ctx.level_pos, ctx.levels
    metric_pos, metrics, qual_pos, quals = ctx.metric_pos, ctx.metrics, ctx.qual_pos, ctx.quals
    para_year: dict[int, int | None] = {}
    elements = M.element_cache(cat)
    year_pos, years, paras = ctx.year_pos, ctx.years, ctx.paras
    forced = _respective_levels(figs, text, ctx) if "分别" in text else {}
    for i, (f, s0) in enumerate(zip(figs, ctx.figure_sentences, strict=True)):
        fs = f.start
        lo = fs - 40
        if s0 > lo:
            lo = s0
        if prev_end > lo:
            lo = prev_end
        window = text[lo:fs]
        # the clause is the window after its last "," or ":"; its last character is the
        # window's, so the clause itself is cut out only when that character may end a change
        last = window[-1:]
        if last in _ENDING_LAST:
            c1, c2 = window.rfind(","), window.rfind(":")
            clause = window[(c1 if c1 > c2 else c2) + 1 :]
        else:
            clause = None  # (and last, possibly "," or ":", is in neither ending set)
        # (prev_end is prev.end, or -1 before the first figure; the gap text[prev_end:fs] is
        # cut out only where it is compared)
        same_sentence = prev_end > s0
        inherit = same_sentence and fs - prev_end <= 8 and prev.kind != "growth"  # type: ignore[union-attr]
        kind = f.kind
        # a change: 比上年增长8.62%, 同比下降0.1%, 增加0.09亿元 (but not 提高到95%, 新增10所)
        if kind in _CHANGEABLE and last in _CHANGE_LAST and clause.endswith(_CHANGE_ENDINGS):  # type: ignore[union-attr]
            if kind in ("rate", "ratio") or _COMPARED.search(clause) or _BY_CHANGE.search(clause[-8:]):
                kind = "growth"
        elif kind in _CHANGEABLE and last in _DIFF_LAST and clause.endswith(_DIFF_ENDINGS):  # type: ignore[union-attr]
            kind = "growth"
        elif (
            same_sentence
            and prev.kind == "growth"  # type: ignore[union-attr]
            and f.unit == prev.unit  # type: ignore[union-attr]
            and text[prev_end:fs] in ("、", ",", "和")
        ):
            kind = "growth"  # 分别增长8.62%、12.02%
        if kind == "growth" or f.unit in ("个百分点", "百分点"):
            kind = f.kind = "growth"
            inherit = False  # a change takes level and metric from the figure it changes (_link_changes)
            if clause is None:
                c1, c2 = window.rfind(","), window.rfind(":")
                clause = window[(c1 if c1 > c2 else c2) + 1 :]
            f.direction = -1 if _DOWN.search(clause) else 1
            if f.direction < 0:
                f.qualifiers.append("下降")
        # the school level named last before the figure, after the previous figure
        level = None
        j = bisect_left(level_pos, fs) - 1
        while j >= 0 and levels[j][0] >= lo:
            if levels[j][1] <= fs:
                level = levels[j][2]
                break
            j -= 1
        if level is None and inherit and f.base_unit == prev.base_unit:  # type: ignore[union-attr]
            # (the only level word among prev's qualifiers is the one this loop gave it);
            # "初中20所，在校生41235人" is a new item: another unit never borrows the level
            level = prev_level
        if i in forced:
            level = forced[i]
        if level:
            f.qualifiers.append(level)
        k = bisect_left(qual_pos, fs)
        if k:
            q_lo = s0 if s0 > fs - 60 else fs - 60
            if qual_pos[k - 1] >= q_lo:
                for _, q in quals[bisect_left(qual_pos, q_lo, 0, k) : k]:
                    if q not in f.qualifiers:
                        f.qualifiers.append(q)
        if f.year is None:
            # the last year named in the sentence before the figure, else in the paragraph
            j = bisect_left(year_pos, fs) - 1
            if j >= 0 and year_pos[j] >= s0:
                f.year = ctx.year_before(fs, s0)
            if f.year is None:
                year = para_year.get(s0, -1)
                if year == -1:
                    # Context.year_before(s0, paragraph start), inlined: once per sentence
                    year = None
                    if j >= 0:
                        p0 = paras[bisect_left(paras, fs) - 1] + 1
                        y = bisect_left(year_pos, s0, 0, j + 1) - 1
                        while y >= 0 and year_pos[y] >= p0:
                            p, yy = years[y]
                            if p == 0 or text[p - 1] not in "比较于":
                                year = yy
                                break
                            y -= 1
                    para_year[s0] = year
                f.year = year
        metric = None
        j = bisect_left(metric_pos, fs) - 1
        while j >= 0 and metrics[j][0] >= lo:
            if metrics[j][1] <= fs:
                metric = M.metric_of(metrics[j][2])
                break
            j -= 1
        if metric is None and inherit:
            metric = prev._metric  # type: ignore[union-attr]
        if metric is None and level and (kind == "amount" or kind == "rate"):
            # "…事业费支出方面:小学A元,同比增长G%;初中B元": one metric, listed by level
            metric = ctx.metric_before(fs, lo)
        if kind == "bare":
            keep[i] = _triage_bare(f, window, metric)
            if not keep[i] and inherit and prev.kind in ("score", "ratio") and "." in f.quote:  # type: ignore[union-attr]
                if text[prev_end:fs] == "、":
                    f.kind, f.confidence, keep[i] = prev.kind, prev.confidence, True  # type: ignore[union-attr]
        elif kind == "rate":
            f.label = (
                metric.name if metric is not None and metric.family == "rate" else None
            ) or M.rate_label(window)
            if f.label is None and inherit and prev.kind == "rate":  # type: ignore[union-attr]
                f.label, metric = prev.label, prev._metric  # type: ignore[union-attr]
            f.capped = M.rate_is_capped(f.label, metric)
        f._metric = metric
        if f.kind != "growth":
            if metric is not None:
                f.metric = metric.name
                if metric.element is not None and not text.startswith(_TARGET_AFTER, f.end):
                    # a few dozen (metric, kind, level, unit) combinations in all (metrics are
                    # module-level constants, so their ids are stable)
                    key = (id(metric), f.kind, level, f.base_unit)
                    found = elements.get(key)
                    if found is None:
                        found = elements[key] = M.element_for(metric, f.family, level, cat, f.base_unit)
                    code, conf = found
                    if code:
                        f.element = code
                        f.confidence = round(min(f.confidence, conf), 2)
            elif f.label:
                f.metric = f.label
        if keep[i]:
            prev_end, prev, prev_level = f.end, f, level
    figs[:] = [f for f, k in zip(figs, keep, strict=True) if k]
    _comparison_bases(figs, text, ctx, cat)
    _link_changes(figs, text, ctx)


_CHANGEABLE = frozenset(("rate", "amount", "count", "ratio"))
_LEVELS = frozenset(M.LEVEL_SUFFIX) | {"义务教育", "特殊教育", "中小学", "高中阶段"}


def _triage_bare(f: Figure, window: str, metric) -> bool:
    if "." not in f.quote:
        return False
    if _SCORE_CONTEXT.search(window) or (metric is not None and metric.family == "score"):
        f.kind, f.confidence = "score", 0.7
        return True
    if _COEF_CONTEXT.search(window) or (metric is not None and metric.family == "ratio"):
        f.kind, f.confidence = "ratio", 0.7
        return True
    return False


def _link_changes(figs: list[Figure], text: str, ctx: Context) -> None:
    """Point each change at the figure it changes; "分别…增长a、b、c" pairs with a list."""
    done = 0  # figures before this index belong to a run already handled
    for i in [i for i, f in enumerate(figs) if f.kind == "growth"]:
        if i < done:
            continue
        f = figs[i]
        # the run of growth figures listed together: "8.62%、12.02%、20.57%"
        j = i + 1
        while (
            j < len(figs)
            and figs[j].kind == "growth"
            and text[figs[j - 1].end : figs[j].start] in ("、", ",", "和")
        ):
            j += 1
        s0 = ctx.sentence_start(f.start)
        bases: list[int] = []
        k = i - 1
        while k >= 0 and figs[k].start >= s0:
            if figs[k].kind == "growth":
                if bases:
                    break
                k -= 1  # "增加D万元,增长G%": the rate changes what the increase changes
                continue
            bases.insert(0, k)
            if k > 0 and text[figs[k - 1].end : figs[k].start] not in ("、", ",", "和") and len(bases) >= 1:
                # the list ends where the separator is not a plain list separator
                if not _list_sep(text[figs[k - 1].end : figs[k].start]):
                    break
            k -= 1
        # "3.52亿元，比上年的3.20亿元增长12.5%": the figure right before the change is the
        # comparison value; the change belongs to the one before it
        if bases and j == i + 1:
            c = bases[-1]
            if (
                c > 0
                and figs[c - 1].start >= s0
                and figs[c - 1].kind == figs[c].kind
                and (
                    figs[c].comparison_base
                    or _COMPARISON_VALUE.search(text, max(0, figs[c].start - 8), figs[c].start)
                )
            ):
                bases = [c - 1]
        if bases:
            run = list(range(i, j))
            paired = len(run) > 1 and len(bases) >= len(run) and "分别" in text[figs[bases[-1]].end : f.start]
            targets = bases[-len(run) :] if paired else [bases[-1]] * len(run)
            for gi, bi in zip(run, targets, strict=True):
                if figs[bi].comparison_base:
                    # "较2021年的17890元…增长3.5%": the change is of the current value, not of its base
                    cur = next((k for k, f2 in enumerate(figs) if f2.base_index == bi), None)
                    if cur is not None:
                        bi = cur
                _inherit(figs[gi], figs[bi], bi)
        done = j


def _list_sep(gap: str) -> bool:
    # "初中A元、小学B元": the level word between list items is part of the list
    return len(gap) <= 6 and ("、" in gap or gap in (",", "和"))


def _inherit(g: Figure, base: Figure, idx: int) -> None:
    g.refers_to = idx
    g.metric = base.metric
    if g.year is None:
        g.year = base.year
    if any(q in _LEVELS for q in base.qualifiers):
        g.qualifiers[:] = [q for q in g.qualifiers if q not in _LEVELS]
    for q in base.qualifiers:
        if q not in g.qualifiers and q not in ("近", "约", "超过", "超", "余", "多", "以上", "以下"):
            g.qualifiers.append(q)


# ---- lists by level and comparison bases ---------------------------------------------------
_LIST_GAPS = ("、", ",", "和", "及", "与", "，")
_RESPECTIVE = re.compile("分别")


def _respective_levels(figs: list[Figure], text: str, ctx: Context) -> dict[int, str]:
    """ "小学、初中、普通高中分别为18520元、25360元和31240元": the n levels named before 分别
    go to the n figures after it, in order (else every figure would take the last level)."""
    out: dict[int, str] = {}
    starts = [f.start for f in figs]
    levels, level_pos = ctx.levels, ctx.level_pos
    for m in _RESPECTIVE.finditer(text):
        p = m.start()
        i = bisect_left(starts, p)
        run = [i] if i < len(figs) and figs[i].start - m.end() <= 6 else []
        while run and run[-1] + 1 < len(figs):
            a, b = figs[run[-1]], figs[run[-1] + 1]
            if text[a.end : b.start] not in _LIST_GAPS or b.unit != a.unit:
                break
            run.append(run[-1] + 1)
        if len(run) < 2:
            continue
        s0 = ctx.sentence_start(p)
        j = bisect_left(level_pos, p) - 1
        names: list[tuple[int, int, str]] = []
        while j >= 0 and levels[j][0] >= s0:
            s, e, name = levels[j]
            if e <= p:
                if names and text[e : names[0][0]] not in _LIST_GAPS:
                    break
                if not names and p - e > 12:
                    break
                names.insert(0, (s, e, name))
            j -= 1
        if len(names) == len(run):
            for k, (_, _, name) in zip(run, names, strict=True):
                out[k] = name
    return out


_BASE_BEFORE = re.compile(
    r"(?:(?:比|较|同比|与)(?P<a>上年|去年|上一年|(?:19|20)[0-9]{2}年)(?:同期)?的"
    r"|(?P<b>上年|去年|上一年)(?:同期|末)?(?:为|是|的)"
    r"|(?P<c>上年|去年)同期"
    r"|(?<=[,，;])(?P<d>(?:19|20)[0-9]{2}年)(?:同期|末)?(?:为|是))$"
)
_BASE_LAST = frozenset("的为是期")


def _comparison_bases(figs: list[Figure], text: str, ctx: Context, cat) -> None:
    """Figures stated as the base of a comparison (上年为19.88亿元, 较2021年的17890元) carry the
    base year and are never mapped to the current year's element; lists of them
    ("较2021年的17890元、24420元") share the prefix."""
    prev: Figure | None = None
    for f in figs:
        fs = f.start
        if fs and text[fs - 1] in _BASE_LAST:
            m = _BASE_BEFORE.search(text, max(0, fs - 12), fs)
        elif prev is None:
            continue  # (most figures: no base and no list of bases going on)
        else:
            m = None
        if m is None:
            if (
                prev is not None
                and text[prev.end : fs] in _LIST_GAPS
                and f.unit == prev.unit
                and f.kind != "growth"
            ):
                _mark_base(f, prev.year, "上年" in prev.qualifiers)
                prev = f
            else:
                prev = None
            continue
        named = m.group("a") or m.group("d")
        if named and named[0].isdigit():
            year = int(named[:4])
            last_year = False
        else:
            current = ctx.year_before(m.start(), ctx.sentence_start(m.start()))
            if current is None:
                current = ctx.year_before(m.start(), ctx.para_start(m.start()))
            year = current - 1 if current else None
            last_year = True
        _mark_base(f, year, last_year)
        prev = f
    _pair_bases(figs, text, ctx)


def _pair_bases(figs: list[Figure], text: str, ctx: Context) -> None:
    """Give each current value the index of its base: "小学、初中分别为18520元、25360元，较2021年的
    17890元、24420元" pairs the lists in order; a single base goes with the nearest current value
    of its unit in the sentence (before it: 21.36亿元，上年为19.88亿元; after: 由上年的A增加到B)."""
    n = len(figs)
    first = [k for k, f in enumerate(figs) if f.comparison_base][:1]  # (most reports have none)
    i = first[0] if first else n
    while i < n:
        if not figs[i].comparison_base:
            i += 1
            continue
        j = i + 1
        while j < n and figs[j].comparison_base and text[figs[j - 1].end : figs[j].start] in _LIST_GAPS:
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
            levels = [q for q in current.qualifiers if q in _LEVELS]
            if levels:
                base.qualifiers[:] = [q for q in base.qualifiers if q not in _LEVELS] + levels
            if base.year is not None and current.element:
                base.element = current.element
        i = j


def _mark_base(f: Figure, year: int | None, last_year: bool) -> None:
    f.comparison_base = True
    f.year = year
    if last_year and "上年" not in f.qualifiers:
        f.qualifiers.append("上年")
    if year is None:
        f.element = None  # the base of an unknown year must not land on the current year's element
