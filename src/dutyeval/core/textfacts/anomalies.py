"""What a careful reviewer would flag in a report.

Kinds (the first five are the benchmark's):
  unit_typo            亿万元, 万万元, 元元 …
  placeholder          xx万元, ××%, 约xx名, and a measure word left without its number
  rate_over_100        a rate that cannot exceed 100 % (巩固率, 覆盖率, 占比 …) stated above 100 %
  growth_mismatch      a stated change that disagrees with the amounts it compares
  parts_exceed_whole   the parts listed after 其中/含 (also in the next sentence, or a list by
                       level) add up to more than their whole; or parts said to be all of it
                       (分别为) do not add up to it
  share_mismatch       a share that disagrees with its own counts (30所学校中有12所，占50%)
  share_basis          a share mapped to an element counted by child (在园幼儿) that the text
                       states as a share of institutions (普惠园215所，占比65.75%)
  known_value_mismatch a figure that contradicts the value already entered for the region
  out_of_range         a mapped figure outside the catalogue's valid range for its element

Arithmetic checks use interval arithmetic on the printed precision (18.9 means 18.85–18.95)
and allow one unit in the last printed digit of the stated result (reports often truncate), so
only differences that survive rounding are flagged.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from dutyeval.core.catalogue import default_catalogue, text_share_finding

from . import rules as R
from .figures import Figure
from .numbers import MAGNITUDE

BENCHMARK_KINDS = (
    "unit_typo",
    "placeholder",
    "rate_over_100",
    "growth_mismatch",
    "parts_exceed_whole",
    "share_mismatch",
)


@dataclass(frozen=True)
class Anomaly:
    kind: str
    quote: str
    start: int
    end: int
    message: str  # Chinese, shown to the user as is
    severity: str  # "error" | "warning"


# Placeholders: characters, units, year and document-number forms from rules.yaml. The scan
# starts only where a placeholder character stands (str.find, at memchr speed).
_PH_CHARS = "".join(R.words("placeholder_chars"))
_PH_CLASS = "[" + re.escape(_PH_CHARS) + "]"
_PLACEHOLDER = re.compile(
    rf"{_PH_CLASS}+(?:余|多)?(?:万|亿)?(?:余|多)?(?:{R.alternation(R.words('placeholder_units'))})"
)
_PH_YEAR = re.compile(rf"(?:(?:19|20)[0-9]?{_PH_CLASS}{{1,3}}|{_PH_CLASS}{{2,4}})年")
_PLACEHOLDER_PRE = re.compile(r"(?:增加|减少|增长|约|近|超过)$")
_CN_NUMERALS = "零〇○一二三四五六七八九十百千"
# a document number whose serial is blank: 〔2021〕号, (2011)号, 〔2020〕xx号
_DOC_NO = re.compile(rf"(?:19|20)[0-9]{{2}}[〕\])）】]{_PH_CLASS}*号")
_DOC_OPEN = "〔[(（【"
_HAO = re.compile("号")
_DOC_CLOSE_BEFORE = re.compile(rf"[〕\])）】]{_PH_CLASS}*号$")
# a measure word with nothing where its number should be: "全县共有幼儿园所，", "培训人次。"
_MISSING_UNITS = R.words("missing_number_units")
# A unit right after a digit or numeral is the usual case and never a fault: each unit is
# followed by a look-behind that turns those away in C. (Not a leading look-behind: a pattern
# that starts with one loses the regex engine's first-character scan, three times slower.)
# The rest of the character-before test stays in Python.
_NUMBER_BEFORE = "[" + re.escape("0123456789" + _CN_NUMERALS + "余多万亿千百十.%") + "]"
# followed by punctuation, or by a verb ("资金万元用于", "共有学校所完成": group "verb", see
# _missing_before_verb); one scan for both
_MISSING_NUMBER = re.compile(
    "(?:"
    + "|".join(
        f"{re.escape(u)}(?<!{_NUMBER_BEFORE}{re.escape(u)})"
        for u in sorted(_MISSING_UNITS, key=len, reverse=True)
    )
    + r")(?=[。,;、:)，；：）\n]|$|(?P<verb>"
    + R.alternation(R.words("missing_number_followers"))
    + "))"
)
_MISSING_PRE = tuple(R.words("missing_number_verbs") + R.words("missing_number_nouns"))
_MONEY_OR_SHARE = frozenset(("万元", "亿元", "%"))
_COUNTING_VERBS = tuple(R.words("missing_number_verbs"))
_MISSING_NOUNS = tuple(R.words("missing_number_nouns"))
# nouns that take only some measure words ("资源中心个" is a blank count, "中心人、财、物" is not)
_NOUN_UNITS = {e["word"]: frozenset(e["units"]) for e in R.raw()["missing_number_nouns"] if "units" in e}
# verb or noun + measure word pairs that are words of their own: 落实到人, 远近有名, 以人为本, 科室所
_MISSING_NOT = ("到人", "有名", "有人", "为人", "个人", "成人", "有个", "为名", "室所")
_BREAKDOWNS = (re.compile("其中"), re.compile("\\(含"), re.compile("（含"))
_UNIT_TYPOS = R.words("unit_typos")
_UNIT_FIX = {e["typo"]: e["fix"] for e in R.raw()["unit_typos"]}
# presence tests, one compiled literal each: the regex engine's literal search is two to three
# times faster than ``str.__contains__`` on Chinese text (whose characters defeat its skip filter)
_UNIT_TYPO_LITERALS = tuple(re.compile(re.escape(t)).search for t in _UNIT_TYPOS)
_PARENS = re.compile("[()（）。]")
_BRACKET = re.compile("[()（）]")
_SENTENCE_END = re.compile(r"[。!?\n]")
_PREVIOUS = re.compile(r"(?:上年|去年|上一年|同期|由|从|比(?:19|20)[0-9]{2}年)[^,;。]{0,10}$")


def find(
    text: str,
    figures: list[Figure],
    known_values: dict[str, Decimal] | None = None,
    *,
    year: int | None = None,
    catalogue=None,
) -> list[Anomaly]:
    cat = catalogue or default_catalogue()
    out: list[Anomaly] = []
    out += _unit_typos(text)
    out += _placeholders(text)
    out += _rates_over_100(figures)
    starts = [f.start for f in figures]  # figures are in text order
    breakdowns = _whole_parts(text, figures, starts)
    out += _growth_mismatches(text, figures, breakdowns, starts)
    out += _parts_exceed_whole(breakdowns)
    out += _dedupe(_all_parts(text, figures, starts), out)
    out += _share_mismatches(text, figures)
    out += _dedupe(_named_base_shares(text, figures), out)
    out += _share_bases(text, figures, cat)
    if known_values:
        out += _known_value_mismatches(figures, known_values, year, cat)
    out += _out_of_range(figures, cat, {(a.start, a.end) for a in out})
    out.sort(key=lambda a: (a.start, a.kind))
    return out


def _dedupe(new: list[Anomaly], old: list[Anomaly]) -> list[Anomaly]:
    seen = {(a.kind, a.start) for a in old}
    return [a for a in new if (a.kind, a.start) not in seen]


@lru_cache(maxsize=64)
def _typo_scan(present: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, present)))


def _unit_typos(text: str) -> list[Anomaly]:
    out = []
    # substring tests first: most reports have none, and then the scan is skipped
    present = tuple(t for t, found in zip(_UNIT_TYPOS, _UNIT_TYPO_LITERALS, strict=True) if found(text))
    # the scan looks only for the typos present: 元 and 万 start two of them and are everywhere
    for m in _typo_scan(present).finditer(text) if present else ():
        start = m.start()
        while start > 0 and (text[start - 1].isdigit() or text[start - 1] in ".,"):
            start -= 1
        if start == m.start() or not text[start].isdigit():
            continue  # only right after a number: "N亿万元"
        unit = m.group()
        fix = _UNIT_FIX.get(unit, "正确单位")
        quote = text[start : m.end()]
        out.append(
            Anomaly("unit_typo", quote, start, m.end(), f"单位“{unit}”有误，应为{fix}，请核实", "error")
        )
    return out


def _placeholders(text: str) -> list[Anomaly]:
    out = []
    for m in _placeholder_matches(text):
        start = m.start()
        pre = _PLACEHOLDER_PRE.search(text, max(0, start - 2), start)
        if pre:
            start = pre.start()
        quote = text[start : m.end()]
        out.append(
            Anomaly(
                "placeholder", quote, start, m.end(), f"“{quote}”是未填写的占位符，请填入实际数值", "error"
            )
        )
    for hao in _HAO.finditer(text):  # a literal scan: 号 is rare, the brackets are not
        close = _DOC_CLOSE_BEFORE.search(text, max(0, hao.start() - 8), hao.end())
        if close is None:
            continue
        m = _DOC_NO.match(text, max(0, close.start() - 4))
        if m is None or m.end() != close.end() or not m.start() or text[m.start() - 1] not in _DOC_OPEN:
            continue
        s = m.start() - 1
        while s > 0 and m.start() - s < 8 and "\u4e00" <= text[s - 1] <= "\u9fff":
            s -= 1  # the issuer's abbreviation: 粤教督〔2021〕号
        quote = text[s : m.end()]
        msg = f"文号“{quote}”缺少序号，请补全"
        out.append(Anomaly("placeholder", quote, s, m.end(), msg, "error"))
    for m in _MISSING_NUMBER.finditer(text):
        j = m.start()
        c = text[j - 1] if j else ""
        if not c or c.isdigit() or c in _CN_NUMERALS or c in "余多万亿千百十.%":
            continue
        if m.group("verb"):
            if _missing_before_verb(text, m):
                out.append(_missing_number(text, j, m))
            continue
        while j > 0 and text[j - 1] in " \n\t":
            j -= 1  # "开展业务培训\n\n人次": the number was lost at a line break
        if not text.endswith(_MISSING_PRE, 0, j) or text.endswith(_MISSING_NOT, 0, m.end()):
            continue
        head = next((w for w in _NOUN_UNITS if text.endswith(w, 0, j)), None)
        if head is not None and m.group() not in _NOUN_UNITS[head]:
            continue
        out.append(_missing_number(text, j, m))
    return out


def _missing_number(text: str, j: int, m: re.Match) -> Anomaly:
    s = max(0, j - 4)
    unit = m.group()
    return Anomaly("placeholder", text[s : m.end()], s, m.end(), f"“{unit}”前缺少数字，请补全", "warning")


def _missing_before_verb(text: str, m: re.Match) -> bool:
    """ "安排专项资金万元用于…", "全县共有学校所完成…": a missing number followed by a verb. A count
    unit needs a counting verb before its noun (共有学校所), since "各学校所完成的" is the particle."""
    j = m.start()
    noun = next((n for n in _MISSING_NOUNS if text.endswith(n, 0, j)), None)
    if noun is None:
        return False
    return m.group() in _MONEY_OR_SHARE or text.endswith(_COUNTING_VERBS, 0, j - len(noun))


def _placeholder_matches(text: str) -> list[re.Match]:
    """Placeholder figures and years, tried only where a placeholder character stands.

    Those characters are few and ``str.find`` reaches them at memchr speed, while the
    regex engine's class scan tests every character of the report.
    """
    starts = []
    for c in _PH_CHARS:
        i = text.find(c)
        while i >= 0:
            starts.append(i)
            i = text.find(c, i + 1)
    starts.sort()
    found, end = [], 0
    for i in starts:
        if i < end:
            continue  # as finditer: the next match starts after the previous one
        before = text[i - 1] if i else ""
        if before.isascii() and before.isalnum() and not before.isdigit():
            continue  # a Latin word (Box, Excel) or a code, not a blank
        if text[i] in "○" and before in _CN_NUMERALS:
            continue  # 二○一○年: ○ is a zero there
        m = _PLACEHOLDER.match(text, i)
        if m is None and "年" in text[i + 1 : i + 5]:
            k = i
            while k > 0 and i - k < 3 and text[k - 1].isdigit():
                k -= 1
            if k == 0 or not text[k - 1].isdigit():
                m = _PH_YEAR.match(text, k)
        if m is not None and (not before.isdigit() or m.start() < i):
            found.append(m)
            end = m.end()
    return found


def _rates_over_100(figures: list[Figure]) -> list[Anomaly]:
    out = []
    for f in [f for f in figures if f.capped]:  # (only rates are ever capped)
        if f.kind == "rate" and f.base_value > 100:
            name = f.label or "该比率"
            msg = f"{name}为{f.value}%，超过100%（{name}不是毛率，不能超过100%），请核实"
            out.append(Anomaly("rate_over_100", f.quote, f.start, f.end, msg, "error"))
    return out


# ---- arithmetic ---------------------------------------------------------------------------
def _half_unit(f: Figure) -> Decimal:
    """Half a unit of the last printed digit, in base units: the rounding error of the figure."""
    digits = f.quote.split(".")[1] if "." in f.quote else ""
    decimals = len(re.match(r"\d*", digits).group()) if digits else 0  # type: ignore[union-attr]
    factor = f.base_value / f.value if f.value else Decimal(1)
    return Decimal(5) * Decimal(10) ** (-decimals - 1) * factor


_APPROX_WORDS = frozenset(
    ("近", "约", "超过", "超", "逾", "余", "多", "不足", "不到", "将近", "接近", "大约")
)


def _count_error(f: Figure) -> Decimal:
    """Rounding error of a figure in a sum of parts: none for an exact count ("24所"), which
    is no rounded measurement; half a unit of the last digit for anything else."""
    if (
        f.kind == "count"
        and f.value == f.base_value
        and "." not in f.quote
        and not _APPROX_WORDS & set(f.qualifiers)
    ):
        return Decimal(0)
    return _half_unit(f)


def _interval_ratio(
    num: tuple[Decimal, Decimal], den: tuple[Decimal, Decimal]
) -> tuple[Decimal, Decimal] | None:
    if den[0] <= 0:
        return None
    lo, hi = num[0] / den[1], num[1] / den[0]
    return (min(lo, num[0] / den[0]), max(hi, num[1] / den[1]))


def _outside(stated: Decimal, stated_tol: Decimal, interval: tuple[Decimal, Decimal]) -> bool:
    return stated + stated_tol < interval[0] or stated - stated_tol > interval[1]


def _growth_mismatches(text: str, figures: list[Figure], breakdowns, starts: list[int]) -> list[Anomaly]:
    out: list[Anomaly] = []
    for gi in [i for i, g in enumerate(figures) if g.kind == "growth"]:
        g = figures[gi]
        s0 = _sentence_start(text, g.start)
        if "年均" in text[max(s0, g.start - 6) : g.start]:
            msg = _annual_average_check(text, figures, gi, s0)
            if msg:
                out.append(Anomaly("growth_mismatch", g.quote, g.start, g.end, msg, "warning"))
            continue
        if g.refers_to is None or g.base_unit != "%" or g.unit != "%":
            continue
        base = figures[g.refers_to]
        if base.kind not in ("amount", "count"):
            continue
        stated = g.value * (-1 if g.direction < 0 else 1)
        expected = None
        if base.base_index is not None:
            # the text names the base itself: "21.36亿元，上年为19.88亿元，增长9.3%"
            prior = figures[base.base_index]
            if prior.base_unit == base.base_unit and prior.base_value > 0:
                ha, hb = _half_unit(prior), _half_unit(base)
                a, b = prior.base_value, base.base_value
                expected = _interval_ratio((b - a - ha - hb, b - a + ha + hb), (a - ha, a + ha))
        stop = _sentence_end(text, g.start)
        # the two amounts compared stand in the same clause group: not across a ";"
        lo = max(s0, text.rfind(";", s0, base.start) + 1)
        for other in () if expected else figures[bisect_left(starts, lo) : bisect_right(starts, stop)]:
            if other is base or (other.metric and base.metric and other.metric != base.metric):
                continue
            if (
                other.kind == "growth"
                and other.refers_to == g.refers_to
                and other.base_unit == base.base_unit
            ):
                # 增加D, 增长G%: G = D / (B - D)
                d = other.base_value * (-1 if other.direction < 0 else 1)
                hd, hb = _half_unit(other), _half_unit(base)
                num = (d - hd, d + hd)
                den = (base.base_value - d - hb - hd, base.base_value - d + hb + hd)
                expected = _interval_ratio(num, den)
                break
            if other.kind == base.kind and other.base_unit == base.base_unit and other.start < g.start:
                if other.comparison_base or _PREVIOUS.search(text[max(s0, other.start - 14) : other.start]):
                    ha, hb = _half_unit(other), _half_unit(base)
                    a, b = other.base_value, base.base_value
                    expected = _interval_ratio((b - a - ha - hb, b - a + ha + hb), (a - ha, a + ha))
                    break
        if expected is None:
            continue
        pct = (expected[0] * 100, expected[1] * 100)
        if _outside(stated, _half_unit(g) * 2, pct):
            mid = (pct[0] + pct[1]) / 2
            msg = f"所述变化{stated}%与前后数据不符（按所列数据计算约为{mid:.2f}%），请核实"
            out.append(Anomaly("growth_mismatch", g.quote, g.start, g.end, msg, "warning"))
    out += _parts_change_mismatches(figures, breakdowns, starts)
    return out


def _annual_average_check(text: str, figures: list[Figure], gi: int, s0: int) -> str | None:
    """年均增长X: compare with (B - A) / years for "从A(年份1)…到B(年份2)"."""
    g = figures[gi]
    ends = [f for f in figures[:gi] if f.start >= s0 and f.kind == "amount" and f.year]
    if len(ends) < 2:
        return None
    a, b = ends[-2], ends[-1]
    if a.base_unit != b.base_unit or not a.year or not b.year or b.year <= a.year:
        return None
    half = _half_unit(a) + _half_unit(b)
    diff = (b.base_value - a.base_value - half, b.base_value - a.base_value + half)
    tol = _half_unit(g) * 2
    candidates = []
    for n in {b.year - a.year, b.year - a.year + 1}:
        if g.unit == "%" or g.base_unit == "%":
            return None  # compound growth: not checked
        if g.base_unit != a.base_unit:
            return None
        interval = (diff[0] / n, diff[1] / n)
        if not _outside(g.base_value, tol, interval):
            return None
        candidates.append(f"{(diff[0] + diff[1]) / 2 / n:.0f}{a.base_unit}（按{n}年）")
    return f"年均增长{g.value}{g.unit}与{a.year}年、{b.year}年数据不符（计算约为{'或'.join(candidates)}），请核实"


def _parts_change_mismatches(figures: list[Figure], breakdowns, starts: list[int]) -> list[Anomaly]:
    """其中…: when the parts add up to the whole, their stated changes must add up to its change."""
    out: list[Anomaly] = []
    if not breakdowns:
        return out
    for whole, parts in breakdowns:
        dw = _change_of(figures, whole, starts)
        dps = [_change_of(figures, p, starts) for p in parts]
        if dw is None or any(d is None for d in dps) or len(parts) < 2:
            continue
        tol = sum((_half_unit(p) for p in parts), _half_unit(whole))
        if abs(sum(p.base_value for p in parts) - whole.base_value) > tol:
            continue
        total = sum(d.base_value * (-1 if d.direction < 0 else 1) for d in dps)  # type: ignore[union-attr]
        stated = dw.base_value * (-1 if dw.direction < 0 else 1)
        if abs(total - stated) > sum((_half_unit(d) for d in dps), _half_unit(dw)):  # type: ignore[arg-type]
            msg = f"总量变化{stated}{dw.base_unit}与各分项变化之和{total}{dw.base_unit}不符，请核实"
            out.append(Anomaly("growth_mismatch", dw.quote, dw.start, dw.end, msg, "warning"))
    return out


def _change_of(figures: list[Figure], f: Figure, starts: list[int]) -> Figure | None:
    i = bisect_left(starts, f.start)
    for g in figures[i + 1 : i + 3]:
        if g.kind == "growth" and g.refers_to == i and g.base_unit == f.base_unit:
            return g
    return None


def _whole_parts(text: str, figures: list[Figure], starts: list[int]) -> list[tuple[Figure, list[Figure]]]:
    """(whole, parts) for each "其中" / "(含" breakdown, parts at the same bracket depth."""
    out = []
    # literal patterns, one scan each (fast), merged in text order
    for m in sorted((m for rx in _BREAKDOWNS for m in rx.finditer(text)), key=lambda m: m.start()):
        pos = m.start()
        in_paren = text[pos - 1 : pos] in "(（" or m.group()[0] in "(（"
        s0 = _sentence_start(text, pos)
        opener = pos - 1 if text[pos - 1 : pos] in "(（" else pos
        before = figures[bisect_left(starts, s0) : bisect_left(starts, opener)]
        wholes = [f for f in before if f.end <= opener and f.kind in ("count", "amount")]
        if not wholes and not text[s0:pos].strip():
            # "…教育支出9.86亿元，增长7.1%。其中义务教育支出6.12亿元…": the whole stands in the
            # sentence before
            p0 = _sentence_start(text, s0 - 1) if s0 else 0
            wholes = [
                f
                for f in figures[bisect_left(starts, p0) : bisect_left(starts, s0)]
                if f.kind in ("count", "amount") and not f.comparison_base
            ]
        # "教师A人，占…B人的P%；其中…": the base of a share (B) is not the whole of a breakdown
        wholes = [
            f
            for f in wholes
            if not (text.startswith("的", f.end) and _share_base(text, figures, bisect_left(starts, f.start)))
        ]
        if not wholes:
            continue
        whole = wholes[-1]
        if not in_paren and _depth_change(text[whole.end : opener]) < 0:
            # "32所（含九年一贯制学校2所），其中…": the whole is the figure outside the brackets
            outside = [f for f in wholes if _depth_change(text[f.end : opener]) >= 0]
            if not outside:
                continue
            whole = outside[-1]
        if in_paren:
            close = _matching_paren(text, opener)
            stop = close if close > 0 else _sentence_end(text, pos)
        else:
            stop = _sentence_end(text, pos)
        # a breakdown may run on past ";" ("其中一本442人…;二本1634人"), or the sentence may move
        # on to something else ("其中幼儿园762人…;需配备教师338人"): past the first ";" a part
        # is taken only while the running total stays within the whole
        first_semi = text.find(";", pos, stop)
        parts = []
        depth = 0
        last = m.end()
        for f in figures[bisect_left(starts, m.end()) : bisect_left(starts, stop)]:
            if _BRACKET.search(text, last, f.start) is not None:  # (most gaps have none)
                depth += _depth_change(text[last : f.start])
            last = f.start
            if depth == 0 and f.kind == whole.kind and f.base_unit == whole.base_unit:
                if (
                    0 <= first_semi < f.start
                    and sum(p.base_value for p in parts) + f.base_value > whole.base_value
                ):
                    break
                parts.append(f)
        parts = _same_kind(text, whole, _same_noun(text, whole, parts))
        if parts:
            out.append((whole, parts))
    out += _level_lists(text, figures, starts)
    return out


_KIND_OF = {e["word"]: e["kind"] for e in R.raw()["counted_kinds"]}
_KIND_WORD = re.compile(
    R.alternation(tuple(e["word"] for e in R.raw()["counted_kinds"] if not e.get("after_only")))
)
_KIND_AFTER = re.compile("(?:" + R.alternation(tuple(_KIND_OF)) + ")")
_CLAUSE_MARK = re.compile("[,，;；:：、。\n]")


def kind_of(text: str, f: Figure, lo: int = 0) -> str | None:
    """What a count counts (rules.yaml counted_kinds): the word right after its measure word
    ("4个市", "200名教师"), else the last such word before it in its clause, not before ``lo``."""
    m = _KIND_AFTER.match(text, f.end)
    if m is not None:
        return _KIND_OF[m.group()]
    if f.unit in _KIND_OF:  # "等5市": the unit is the place itself
        return _KIND_OF[f.unit]
    start = max(lo, f.start - 16)
    for c in _CLAUSE_MARK.finditer(text, start, f.start):
        start = c.end()
    words = _KIND_WORD.findall(text, start, f.start)
    return _KIND_OF[words[-1]] if words else None


def _same_kind(text: str, whole: Figure, parts: list[Figure]) -> list[Figure]:
    """ "专任教师A人。其中…在校学生B万人": a part of another kind than its whole (pupils, not
    teachers; "…，集中在N个市", not classes) is no part of it."""
    kind = kind_of(text, whole)
    if kind is None:
        return parts
    out, lo = [], whole.end
    for p in parts:
        if kind_of(text, p, lo) in (None, kind):
            out.append(p)
        lo = p.end
    return out


def _noun(text: str, f: Figure) -> str:
    c = text[f.end : f.end + 1]
    return c if "\u4e00" <= c <= "\u9fff" else ""


def _same_noun(text: str, whole: Figure, parts: list[Figure]) -> list[Figure]:
    """ "136个县未通过认定，其中中部2个省份39个县": where the whole names its noun and some parts
    name the same, only those are its parts (2个省份 counts provinces, not counties)."""
    noun = _noun(text, whole)
    if not noun:
        return parts
    same = [p for p in parts if _noun(text, p) == noun]
    return same if same else parts


# the level words that open a list by level (rules.yaml level_list_openers)
_LEVEL_OPENING = re.compile("。(?=" + R.alternation(R.words("level_list_openers")) + ")")


def _level_lists(text: str, figures: list[Figure], starts: list[int]) -> list[tuple[Figure, list[Figure]]]:
    """ "全县在校学生6.2万人。小学3.9万人，初中1.8万人，高中0.7万人。": a sentence that opens with a
    list by level breaks down the last figure of the sentence before it, when the units agree."""
    out = []
    for m in _LEVEL_OPENING.finditer(text):
        s0 = m.end()
        i = bisect_left(starts, s0)
        if i == 0 or i >= len(figures):
            continue
        f = figures[i]
        if f.start - s0 > 6 or f.kind not in ("count", "amount") or _level_of(f) is None:
            continue
        stop = _sentence_end(text, f.start)
        run = [f]
        seen = {_level_of(f)}
        for g in figures[i + 1 : bisect_left(starts, stop)]:
            level = _level_of(g)
            if g.base_unit == f.base_unit and g.kind == f.kind and level is not None and level not in seen:
                run.append(g)
                seen.add(level)
        p0 = _sentence_start(text, s0 - 1)
        before = [
            g
            for g in figures[bisect_left(starts, p0) : i]
            if g.kind == f.kind and g.base_unit == f.base_unit and not g.comparison_base
        ]
        if len(run) >= 2 and before and _level_of(before[-1]) is None:
            out.append((before[-1], run))
    return out


def _level_of(f: Figure) -> str | None:
    return next((q for q in f.qualifiers if q in _SCHOOL_LEVELS), None)


# the levels of the opening words (普通高中 is 高中), from the levels list
_SCHOOL_LEVELS = frozenset(
    {e["word"]: e["level"] for e in R.raw()["levels"]}[w] for w in R.words("level_list_openers")
)
_ALL_PARTS = tuple(re.compile(w) for w in R.words("all_parts"))
# "…32所，其中小学、初中分别为": the items of a complete partition between the total and 分别为
# (the items in any order; schools spanning two levels may be listed among them as a part)
_PARTITIONS = {frozenset(e["words"].split("、")): e["whole"] for e in R.raw()["complete_partitions"]}
_TWO_LEVEL_WORDS = R.words("two_level_schools")
_PARTITION_ITEM = R.alternation(
    tuple({w for e in R.raw()["complete_partitions"] for w in e["words"].split("、")} | set(_TWO_LEVEL_WORDS))
)
_PARTITION_GAP = re.compile(
    rf"[,，]其中((?:{_PARTITION_ITEM})(?:学校)?(?:[、和及](?:{_PARTITION_ITEM})(?:学校)?)+)[\u4e00-\u9fff]{{0,3}}$"
)
_ITEMS = re.compile(_PARTITION_ITEM)
_TWO_LEVELS = re.compile(R.alternation(_TWO_LEVEL_WORDS))


def _all_parts(text: str, figures: list[Figure], starts: list[int]) -> list[Anomaly]:
    """ "新招聘教师320人，分别为小学教师150人、初中教师110人、高中教师40人": parts said to be all of
    the whole must add up to it (a shortfall too, not only an excess)."""
    out = []
    for rx in _ALL_PARTS:
        for m in rx.finditer(text):
            k = bisect_left(starts, m.start()) - 1
            if k < 0:
                continue
            whole = figures[k]
            gap = text[whole.end : m.start()]
            if gap not in (",", "，", ":", "：", "") and not _complete_partition(text, whole, gap):
                continue
            if whole.kind not in ("count", "amount"):
                continue
            stop = _sentence_end(text, m.end())
            semi = text.find(";", m.end(), stop)
            stop = semi if semi >= 0 else stop
            parts = [
                f
                for f in figures[k + 1 : bisect_left(starts, stop)]
                if f.kind == whole.kind and f.base_unit == whole.base_unit
            ]
            if len(parts) < 2:
                continue
            total = sum(p.base_value for p in parts)
            tol = sum((_count_error(p) for p in parts), _count_error(whole))
            if abs(total - whole.base_value) > tol:
                listed = "、".join(p.quote for p in parts)
                msg = f"分项（{listed}）合计{total.normalize():f}{whole.base_unit}，与总数{whole.quote}不符，请核实"
                out.append(Anomaly("parts_exceed_whole", whole.quote, whole.start, whole.end, msg, "error"))
    return out


def _complete_partition(text: str, whole: Figure, gap: str) -> bool:
    """ "义务教育学校32所，其中小学、初中分别为": the items are all of a total that names their whole.
    Schools spanning two levels (九年一贯制, 完全中学) may be one of the items ("其中小学、初中、
    九年一贯制学校分别为"): then the list still covers the whole. Mentioned anywhere else in the
    sentence ("32所（含九年一贯制学校2所），其中小学、初中分别为"), they are counted apart, and
    the listed levels need not add up to the total."""
    m = _PARTITION_GAP.match(gap)
    if m is None:
        return False
    items = _ITEMS.findall(m.group(1))
    whole_word = _PARTITIONS.get(frozenset(i for i in items if i not in _TWO_LEVEL_WORDS))
    if whole_word is None or len(set(items)) != len(items):
        return False
    s0 = _sentence_start(text, whole.start)
    listed = whole.end + m.start(1)
    for two in _TWO_LEVELS.finditer(text, s0, _sentence_end(text, whole.end)):
        if not listed <= two.start() < listed + len(m.group(1)):
            return False
    return whole_word in text[s0 : whole.start]


# ---- shares --------------------------------------------------------------------------------
# "30所农村学校中有12所…，占50%": whole, then 中(已)有 and the part
_SHARE_GAP = re.compile(r"[\u4e00-\u9fff()（）、]{0,16}中[,，]?(?:已|共|仍|尚)?有")


# "其中骨干教师46人，占交流总数的25.1%", "…，占比25.1%": the share of a part after 其中 in its
# whole; the words between 占 and 的 (less 总数 …) must name the whole, as its own clause does
_SHARE_OF_WHOLE = re.compile(
    r"[,，]占(?:比(?:为|达到?)?|(?P<noun>[\u4e00-\u9fff]{0,8}?)(?:"
    + R.alternation(R.words("whole_words"))
    + ")的)$"
)


def _breakdown_whole(text: str, figures: list[Figure], k: int, at: int, rate: Figure) -> Figure | None:
    """The whole of the 其中 breakdown whose part ``figures[k]`` has the share ``rate``:
    "交流教师A人，占…B人的P%；其中骨干教师C人，占交流总数的Q%" (Q against C/A, not against
    the B that is the base of another share)."""
    part = figures[k]
    m = _SHARE_OF_WHOLE.search(text, part.end, rate.start)
    if m is None:
        return None
    s0 = _sentence_start(text, part.start)
    opener = text.rfind("其中", s0, part.start)
    if opener < 0 or _CLAUSE_MARK.search(text, opener, part.start):
        return None  # the part is not the first item after 其中
    lo = s0
    if not text[s0:opener].strip():
        lo = _sentence_start(text, s0 - 1) if s0 else 0  # "…A人。其中…": the sentence before
    j = k - 1
    while j >= 0 and figures[j].start >= lo:
        g = figures[j]
        if (
            g.end <= opener
            and g.kind == part.kind
            and g.base_unit == part.base_unit
            and not g.comparison_base
            and not _share_base(text, figures, j)
        ):
            noun = m.group("noun")
            if noun and noun not in text[_clause_start(text, g.start) : g.start]:
                return None
            return g
        j -= 1
    return None


def _share_base(text: str, figures: list[Figure], j: int) -> bool:
    """ "占符合条件教师B人的P%": the figure is the base of a share, not a whole of its own."""
    nxt = figures[j + 1] if j + 1 < len(figures) else None
    return nxt is not None and nxt.kind == "rate" and text[figures[j].end : nxt.start] == "的"


def _clause_start(text: str, pos: int) -> int:
    start = max(0, pos - 30)
    for c in _CLAUSE_MARK.finditer(text, start, pos):
        start = c.end()
    return start


def _share_mismatches(text: str, figures: list[Figure]) -> list[Anomaly]:
    """A share that disagrees with its own counts: "30所学校中有12所，占50%" (12/30 = 40 %),
    "20所学校未达标，占全县义务教育学校156所的15.8%" (12.8 %)."""
    out = []
    for i, f in enumerate(figures):
        if f.kind != "rate" or f.base_unit != "%" or i < 2:
            continue
        at = text.rfind("占", f.start - 14 if f.start > 14 else 0, f.start)
        if at < 0:
            continue
        s0 = _sentence_start(text, f.start)
        if at < s0:
            continue
        prev = figures[i - 1]
        if prev.start > at and text[prev.end : f.start] == "的" and prev.kind == "count":
            # 占…N所的P%: the part is the count before 占
            whole = prev
            part = next((g for g in reversed(figures[: i - 1]) if g.end <= at), None)
        elif prev.end <= at and prev.kind == "count":
            part = prev
            whole = figures[i - 2]
            if not _SHARE_GAP.fullmatch(text, whole.end, part.start):
                whole = _breakdown_whole(text, figures, i - 1, at, f)  # type: ignore[assignment]
                if whole is None:
                    continue
        else:
            continue
        if (
            part is None
            or part.start < s0
            or part.kind != "count"
            or part.base_unit != whole.base_unit
            or whole.base_value <= 0
            or part.base_value > whole.base_value
        ):
            continue
        expected = part.base_value / whole.base_value * 100
        if abs(expected - f.base_value) > _half_unit(f) * 2:
            msg = f"所述占比{f.value}%与{part.quote}/{whole.quote}不符（按所列数据计算约为{expected:.1f}%），请核实"
            out.append(Anomaly("share_mismatch", f.quote, f.start, f.end, msg, "warning"))
    return out


# "在园幼儿A人。全镇在园幼儿中，…就读的C人，普惠性幼儿园覆盖率P%": a sentence that opens by naming
# its base ("<noun>中，") states a part and its share of a whole stated before with that noun
_BASE_OPENER = re.compile(r"(?:全[县区市镇乡省旗])?(?P<noun>[\u4e00-\u9fff]{2,8}?)中[,，]")
_SHARE_LABELS = R.words("share_labels")


def _named_base_shares(text: str, figures: list[Figure]) -> list[Anomaly]:
    out = []
    for i, f in enumerate(figures):
        if not f.capped or i == 0 or f.kind != "rate" or f.base_unit != "%":
            continue
        if not (f.label and any(w in f.label for w in _SHARE_LABELS)):
            continue
        part = figures[i - 1]
        s0 = _sentence_start(text, f.start)
        if part.kind != "count" or part.start < s0:
            continue
        m = _BASE_OPENER.match(text, s0)
        if m is None or m.end() > part.start or (i > 1 and figures[i - 2].start >= m.end()):
            continue  # no base named, or the part is not the one count after it
        noun = m.group("noun")
        # the whole: the nearest count before, in the paragraph, that the text names with the noun
        p0 = text.rfind("\n", 0, s0) + 1
        whole = None
        for g in reversed(figures[: i - 1]):
            if g.start < p0:
                break
            if g.end <= s0 and g.kind == "count" and g.base_unit == part.base_unit:
                if text.endswith(noun, 0, g.start):
                    whole = g
                break  # only the nearest count of the unit: another noun makes the base unclear
        if whole is None or whole.base_value <= 0 or part.base_value > whole.base_value:
            continue
        expected = part.base_value / whole.base_value * 100
        if abs(expected - f.base_value) > _half_unit(f) * 2:
            msg = f"所述{f.label}{f.value}%与{part.quote}/{whole.quote}不符（按所列数据计算约为{expected:.1f}%），请核实"
            out.append(Anomaly("share_mismatch", f.quote, f.start, f.end, msg, "warning"))
    return out


def _depth_change(s: str) -> int:
    return s.count("(") + s.count("（") - s.count(")") - s.count("）")


def _matching_paren(text: str, opener: int) -> int:
    depth = 0
    # only brackets and 。 matter: the regex skips the characters between them in C
    for m in _PARENS.finditer(text, opener, opener + 2000):
        c = m.group()
        if c in "(（":
            depth += 1
        elif c == "。":
            break
        else:
            depth -= 1
            if depth == 0:
                return m.start()
    return -1


def _parts_exceed_whole(breakdowns) -> list[Anomaly]:
    out = []
    for whole, parts in breakdowns:
        total = sum(p.base_value for p in parts)
        tol = sum((_half_unit(p) for p in parts), _half_unit(whole))
        # half-open rounding intervals: parts whose least sum reaches the most the whole can
        # be (3.9+1.8+0.7 = 6.4 against 6.2, at least 6.25 against under 6.25) exceed it
        if total >= whole.base_value + tol and total > whole.base_value:
            listed = "、".join(p.quote for p in parts)
            msg = f"分项（{listed}）合计{total.normalize():f}{whole.base_unit}，超过总数{whole.quote}，请核实"
            out.append(Anomaly("parts_exceed_whole", whole.quote, whole.start, whole.end, msg, "error"))
    return out


def _sentence_start(text: str, pos: int) -> int:
    return max(text.rfind("。", 0, pos), text.rfind("\n", 0, pos)) + 1


def _sentence_end(text: str, pos: int) -> int:
    m = _SENTENCE_END.search(text, pos)
    return m.start() if m else len(text)


# ---- catalogue checks ------------------------------------------------------------------------
def _in_element_unit(f: Figure, unit: str) -> Decimal:
    if unit in ("万元", "亿元"):
        return f.base_value / MAGNITUDE[unit[0]]
    return f.base_value


def _share_bases(text: str, figures: list[Figure], cat) -> list[Anomaly]:
    """A figure mapped to a share counted by child (普惠性幼儿园覆盖率) whose own sentence counts
    institutions (`普惠园215所，占比65.75%`): adopting it would store a share of kindergartens."""
    out = []
    child = _by_child(cat)
    for f in [f for f in figures if f.element in child]:  # (None is never in it)
        sentence = text[_sentence_start(text, f.start) : f.end]
        if "所" not in sentence:  # (the only form text_share_finding knows counts 所)
            continue
        found = text_share_finding(cat[f.element], sentence, f.value)
        if found is not None:
            out.append(Anomaly("share_basis", f.quote, f.start, f.end, found.message, "warning"))
    return out


# (catalogue, codes of its shares counted by child): catalogues are frozen, and holding the
# catalogue here keeps its id from being reused while the entry lives
_BY_CHILD: tuple[object, frozenset[str]] = (None, frozenset())


def _by_child(cat) -> frozenset[str]:
    global _BY_CHILD
    held = _BY_CHILD
    if held[0] is not cat:
        codes = frozenset(el.code for el in cat.by_code.values() if el.share_basis == "child")
        held = _BY_CHILD = (cat, codes)
    return held[1]


def _known_value_mismatches(figures, known, year, cat) -> list[Anomaly]:
    out = []
    for f in figures:
        if not f.element or f.element not in known or f.element not in cat:
            continue
        if year is not None and f.year is not None and f.year != year:
            continue
        el = cat[f.element]
        stated, entered = _in_element_unit(f, el.unit), Decimal(known[f.element])
        tol = max(_in_element_unit_tol(f, el.unit), abs(entered) * Decimal("0.001"))
        if abs(stated - entered) > tol:
            msg = f"报告中{el.name}为{f.quote}，与已填报数据{entered.normalize():f}{el.unit}不一致，请核实"
            out.append(Anomaly("known_value_mismatch", f.quote, f.start, f.end, msg, "warning"))
    return out


def _in_element_unit_tol(f: Figure, unit: str) -> Decimal:
    half = _half_unit(f)
    return half / MAGNITUDE[unit[0]] if unit in ("万元", "亿元") else half


def _out_of_range(figures, cat, flagged: set) -> list[Anomaly]:
    out = []
    for f in [f for f in figures if f.element]:
        if f.element not in cat or (f.start, f.end) in flagged:
            continue
        el = cat[f.element]
        v = _in_element_unit(f, el.unit)
        if el.kind == "rate" and not el.over_100 and v > 100:
            msg = f"{el.name}为{f.value}%，超过100%（不是毛率，不能超过100%），请核实"
            out.append(Anomaly("rate_over_100", f.quote, f.start, f.end, msg, "error"))
        elif (el.max is not None and v > el.max) or (el.min is not None and v < el.min):
            msg = f"{el.name}为{f.quote}，超出合理范围（{el.min}–{el.max}{el.unit}），请核实数值和单位"
            out.append(Anomaly("out_of_range", f.quote, f.start, f.end, msg, "warning"))
    return out
