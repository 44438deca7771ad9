"""Text assembly: each document kind in the seeds' own structure, every figure a `Fig`.

Input is plain facts (dataclasses below) that the Django layer reads from the database; output
is an `OfficialDoc`. The wording follows the seeds: self-evaluation reports (seeds 000/004: 自查
情况 → 主要成效 → 存在问题 → 下一步工作, annex of the self-scored indicators), the feedback
report to a government (seed 003: HZ市…督导报告), the provincial report (seed 001: 成绩 → 问题
by theme, quantified → 要求, annex of typical cases) and the notice of results (通报) with its table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ..catalogue import year_label
from .model import Annex, Fig, OfficialDoc, Para, Run, Table, fmt_number

CN_NUM = "一二三四五六七八九十"


def cn(n: int) -> str:
    """1 → 一, 12 → 十二, 21 → 二十一 (headings never go past 99)."""
    if n <= 10:
        return CN_NUM[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_NUM[tens - 1]) + "十" + (CN_NUM[ones - 1] if ones else "")


@dataclass
class ItemFacts:
    code: str
    title: str
    points: Decimal
    rule_kind: str  # manual / auto / check / veto
    department: str = ""
    self_score: Fig | None = None
    score: Fig | None = None  # final score (评审 over 自评; automatic)
    verdict: str = ""  # pass / fail / insufficient (automatic items); "" for manual
    computed: Fig | None = None  # the value a check computed (e.g. 2.46%), with its rule
    standard: str = ""  # 标准不低于0%
    figures: list[Fig] = field(default_factory=list)  # the data values the rule read, with years
    figure_years: list[int] = field(default_factory=list)
    figure_names: list[str] = field(default_factory=list)
    # each figure's year kind (catalogue YEAR_KINDS): a school-year figure is 2019/2020学年, not 2019年
    figure_year_kinds: list[str] = field(default_factory=list)
    reviewer_note: str = ""

    @property
    def automatic(self) -> bool:
        return self.rule_kind in ("auto", "check")

    @property
    def score_value(self) -> Decimal | None:
        return None if self.score is None or self.score.value is None else Decimal(self.score.value)


@dataclass
class AreaFacts:
    code: str
    title: str
    points: Decimal
    narrative: str
    items: list[ItemFacts]
    subtotal: Fig | None = None
    self_subtotal: Fig | None = None


@dataclass
class ResultFacts:
    total: Fig
    grade: str
    grade_before_veto: str
    rank: Fig
    vetoes: list[str]
    ranked: int  # how many regions the rank is among


@dataclass
class CycleFacts:
    name: str
    year: int
    data_year: int
    scheme_title: str
    scheme_number: str
    total_points: Decimal
    office: str  # 山西省人民政府教育督导委员会办公室
    office_short: str  # 省政府教育督导委员会办公室
    level_word: str  # 县级 / 市级
    unit_word: str  # 县（市、区） / 市
    grade_names: list[str]
    rectification_deadline: date | None = None

    @property
    def office_prefix(self) -> str:
        return office_prefix(self.scheme_number)


@dataclass
class FindingFacts:
    """A problem on the office's confirmed rectification list (问题清单), as confirmed: its theme
    (the scheme's area), its text and its figures, each figure with the words that name it
    (“2020年公办园在园幼儿占比”)."""

    theme: str
    text: str
    figures: list[tuple[str, Fig]] = field(default_factory=list)


@dataclass
class RegionFacts:
    code: str
    name: str
    city: str
    state_label: str
    areas: list[AreaFacts]
    self_total: Fig
    departments: list[str]
    result: ResultFacts | None = None
    cover_number: str = ""
    cover_issuer: str = ""
    cover_date: date | None = None
    outcomes: list[str] = field(default_factory=list)  # 奖励（…元）, 通报表扬, 通报批评, 约谈 (release rules)
    findings: list[FindingFacts] = field(default_factory=list)  # the confirmed rectification list

    @property
    def we(self) -> str:
        """我县 / 我市 / 我区: what the region calls itself."""
        return "我" + self.short_kind

    @property
    def you(self) -> str:
        return "你" + self.short_kind

    @property
    def short_kind(self) -> str:
        last = self.name[-1:]
        return last if last in ("县", "市", "区", "旗") else "县"

    def leaves(self) -> list[ItemFacts]:
        return [i for a in self.areas for i in a.items]

    def scored_areas(self) -> list[AreaFacts]:
        """The areas that carry points (not the veto and downgrade items, 否决和降等事项)."""
        return [a for a in self.areas if a.points > 0]

    @property
    def whole(self) -> str:
        return "全" + self.short_kind


# an item's title states the requirement (…达标, …不下降, …清零); a problem states what fell short
SHORTFALL = (
    ("逐年只增不减", "未实现逐年只增不减"),
    ("只增不减", "未实现只增不减"),
    ("不下降", "出现下降"),
    ("控制在目标以内", "超出控制目标"),
    ("达标", "未达标"),
    ("清零", "未清零"),
)


def shortfall(title: str) -> str:
    """“小学生均公用经费达标” → “小学生均公用经费未达标”; a title without a known ending:
    未达到“…”要求."""
    for ending, instead in SHORTFALL:
        if title.endswith(ending):
            return title[: -len(ending)] + instead
    if "不低于" in title:
        return title.replace("不低于", "低于", 1)
    if title.startswith("足额"):
        return "未" + title
    return f"未达到“{title}”要求"


def problem(item: ItemFacts) -> str:
    return f"{item.title}数据不足，无法核验" if item.verdict == "insufficient" else shortfall(item.title)


def _rectify(i: ItemFacts) -> str:
    dept = i.department or "相关部门"
    if i.verdict == "insufficient":
        return f"{i.title}：由{dept}补齐所需数据，据实报送。"
    return f"{problem(i) if i.automatic else i.title}：由{dept}牵头整改。"


def _scheme_ref(c: CycleFacts) -> str:
    return f"《{c.scheme_title}》" + (f"（{c.scheme_number}）" if c.scheme_number else "")


def office_prefix(scheme_number: str) -> str:
    """The office's 机关代字 from the scheme's own number: 晋政教督〔2021〕1号 → 晋政教督."""
    return scheme_number.split("〔", 1)[0].strip() if "〔" in scheme_number else ""


def _blank_number(prefix: str, year: int) -> str:
    # 发文字号 not yet assigned: the office writes the serial number in by hand
    return f"{prefix}〔{year}〕　　号"


def _same(computed: Fig, figures: list[Fig]) -> bool:
    """The computed value is one of the figures already printed (a rate checked as reported)."""
    try:
        v = Decimal(computed.value or "")
    except ArithmeticError:
        return False
    for f in figures:
        if f.unit == computed.unit and f.value is not None and abs(Decimal(f.value) - v) < Decimal("0.005"):
            return True
    return False


def item_sentence(item: ItemFacts, who: str = "全县") -> list[Run]:
    """What an automatic item read and found, in figures: “2020年一般公共预算教育支出145433.40万元，
    2019年141942.43万元；经计算为2.46%，标准不低于0%，达标。”"""
    runs: list[Run] = []
    seen: dict[str, list[tuple[int, str, Fig]]] = {}
    missing: list[str] = []
    kinds = item.figure_year_kinds or ["finance"] * len(item.figures)
    for name, year, kind, f in zip(item.figure_names, item.figure_years, kinds, item.figures, strict=True):
        if f.value is None:  # not reported: named as missing, never printed as a figure
            missing.append(f"{year_label(year, kind)}{name}")
        else:
            seen.setdefault(name, []).append((year, year_label(year, kind), f))
    parts: list[list[Run]] = []
    for name, vals in seen.items():
        vals.sort(key=lambda x: -x[0])
        part: list[Run] = [f"{vals[0][1]}{who}{name}", vals[0][2]]
        for _year, label, f in vals[1:]:
            part += [f"，{label}", f]
        parts.append(part)
    for n, part in enumerate(parts):
        runs += ([] if n == 0 else ["；"]) + part
    shown = {f.value for f in item.figures}
    if (
        item.computed is not None
        and item.computed.value not in shown
        and not _same(item.computed, item.figures)
    ):
        runs += ["；经计算为" if runs else "经计算为", item.computed]
    if item.standard:
        runs.append(f"，{item.standard}" if runs else item.standard)
    if missing:
        more = "等" if len(missing) > 4 else ""
        runs.append(("；" if runs else "") + f"缺少{'、'.join(missing[:4])}{more}数据")
    verdict = {"pass": "达标", "fail": "未达标", "insufficient": "无法核验"}.get(item.verdict, "")
    if verdict:
        runs.append(f"，{verdict}。" if runs else f"{verdict}。")
    elif runs:
        runs.append("。")
    return runs


def _score_table(region: RegionFacts, *, final: bool) -> Table:
    headers = ["编号", "评价指标", "分值", "自评得分", "评价得分" if final else "核验得分", "说明"]
    rows: list[list[Run]] = []
    emphasis: list[bool] = []
    for a in region.areas:
        rows.append(
            [a.code, a.title, fmt_number(a.points, "分"), a.self_subtotal or "", a.subtotal or "", ""]
        )
        emphasis.append(True)
        for i in a.items:
            note: list[Run] | str = ""
            if i.automatic and i.computed is not None:
                note = f"计算值{i.computed.text}" + ("" if not i.standard else f"，{i.standard}")
            elif i.automatic:
                note = {"pass": "数据核验达标", "fail": "数据核验未达标", "insufficient": "数据不足"}.get(
                    i.verdict, ""
                )
            elif i.rule_kind == "veto":
                note = "一票否决项"
            show_final = final or i.automatic or i.rule_kind == "veto"
            rows.append(
                [
                    i.code,
                    i.title,
                    fmt_number(i.points, "分") if i.rule_kind != "veto" else "—",
                    i.self_score or ("—" if i.automatic else ""),
                    (i.score or "") if show_final else "",
                    note,
                ]
            )
            emphasis.append(False)
    rows.append(
        [
            "",
            "合计",
            fmt_number(sum((a.points for a in region.areas), Decimal(0)), "分"),
            region.self_total,
            region.result.total if (final and region.result) else "",
            "",
        ]
    )
    emphasis.append(True)
    return Table(headers=headers, rows=rows, widths_mm=[13, 70, 14, 17, 17, 25], emphasis=emphasis)


def _automatic(region: RegionFacts) -> tuple[list[ItemFacts], list[ItemFacts], list[ItemFacts]]:
    autos = [i for i in region.leaves() if i.automatic]
    return (
        [i for i in autos if i.verdict == "pass"],
        [i for i in autos if i.verdict == "fail"],
        [i for i in autos if i.verdict == "insufficient"],
    )


def count_fig(n: int, what: str, codes: list[str]) -> Fig:
    return Fig(text=str(n), value=str(n), unit="项", source={"kind": "count", "rule": what, "items": codes})


# ---- 1. self-evaluation report (自查自评报告) -------------------------------------------------


def self_report(c: CycleFacts, r: RegionFacts, today: date) -> OfficialDoc:
    passed, failed, insufficient = _automatic(r)
    leaves = r.leaves()
    body: list[Para] = [
        Para(
            "p",
            [f"根据{_scheme_ref(c)}要求，{r.we}高度重视，认真组织开展了自查自评工作。现将有关情况报告如下："],
        ),
        Para("h1", ["一、自查自评情况"]),
    ]
    depts = "、".join(r.departments[:6]) + ("等部门" if r.departments else "相关部门")
    runs: list[Run] = [
        f"{r.we}对照评价方案{cn(len(r.scored_areas()))}个方面、{len([i for i in leaves if i.rule_kind != 'veto'])}项具体指标，组织{depts}逐项梳理、如实填报数据，"
        f"开展自查自评。经自评，{r.we}自评得分",
        r.self_total,
        f"分（满分{fmt_number(c.total_points, '分')}分）。",
    ]
    autos = len(passed) + len(failed) + len(insufficient)
    if autos:
        runs += [
            f"依据填报数据自动核验的{autos}项指标中，",
            count_fig(len(passed), "数据核验达标的指标", [i.code for i in passed]),
            "项达标，",
            count_fig(len(failed), "数据核验未达标的指标", [i.code for i in failed]),
            "项未达标",
        ]
        if insufficient:
            runs += [
                "，",
                count_fig(len(insufficient), "数据不足无法核验的指标", [i.code for i in insufficient]),
                "项数据不足",
            ]
        runs.append("。")
    body.append(Para("p", runs))
    body.append(Para("h1", ["二、主要成效及经验做法"]))
    for n, a in enumerate(r.scored_areas(), start=1):
        body.append(Para("h2", [f"（{cn(n)}）{a.title}"]))
        text = a.narrative.strip() or "（请补充本方面的主要做法和成效。）"
        for line in [t for t in text.splitlines() if t.strip()]:
            body.append(Para("p", [line.strip()]))
        for k, i in enumerate([i for i in a.items if i.automatic and i.verdict == "pass"], start=1):
            body.append(Para("p", item_sentence(i, r.whole), lead=f"{k}.{i.title}。"))
    body.append(Para("h1", ["三、存在问题"]))
    problems = failed + insufficient
    for n, i in enumerate(problems, start=1):
        body.append(Para("p", item_sentence(i, r.whole), lead=f"（{cn(n)}）{problem(i)}。"))
    short = [
        i
        for i in leaves
        if i.rule_kind == "manual"
        and i.self_score is not None
        and i.self_score.value is not None
        and Decimal(i.self_score.value) < i.points
    ]
    if short:
        runs = ["此外，以下指标自评未得满分："]
        for k, i in enumerate(short[:12]):
            runs += (["；"] if k else []) + [
                f"{i.title}（自评",
                i.self_score,
                f"分，满分{fmt_number(i.points, '分')}分）",
            ]
        runs.append("。" if len(short) <= 12 else f"等{len(short)}项。")
        body.append(Para("p", runs))
    if not problems and not short:
        body.append(Para("p", [f"经自查，{r.we}各项数据核验指标均已达标。（请补充需要改进的方面。）"]))
    body.append(Para("h1", ["四、下一步工作"]))
    for n, i in enumerate(problems, start=1):
        dept = i.department or "相关部门"
        if i.verdict == "insufficient":  # the gap is in the county's own reporting
            text = f"由{dept}补齐{i.title}所需数据，确保如实、完整填报，可核可查。"
        else:
            text = f"针对{problem(i)}的问题，由{dept}牵头，制定整改措施，明确完成时限，确保{c.year + 1}年底前整改到位。"
        body.append(Para("p", [text], lead=f"（{cn(n)}）"))
    body.append(
        Para(
            "p",
            [f"{r.we}将以此次评价为契机，坚持问题导向，压实部门责任，全面履行教育职责，推动教育高质量发展。"],
        )
    )
    annex_title = f"{r.name}人民政府{c.year}年履行教育职责自评指标得分表"
    body.append(Para("annex_note", [f"附件：{annex_title}"]))
    issuer = r.cover_issuer or f"{r.name}人民政府办公室"
    return OfficialDoc(
        kind="self_report",
        issuer_mark=issuer,
        number=r.cover_number or _blank_number("", c.year),
        title=f"{issuer}关于{r.name}人民政府{c.year}年履行教育职责自查自评情况的报告",
        addressee=f"{c.office}：",
        body=body,
        signature=issuer,
        date=r.cover_date or today,
        annexes=[Annex(title=annex_title, table=_score_table(r, final=False))],
    )


# ---- 2. feedback report to an evaluated government (督导报告) ----------------------------------


def _by_theme(findings: list[FindingFacts]) -> list[tuple[str, list[FindingFacts]]]:
    groups: dict[str, list[FindingFacts]] = {}
    for f in findings:
        groups.setdefault(f.theme, []).append(f)
    return list(groups.items())


def _finding_runs(f: FindingFacts) -> list[Run]:
    runs: list[Run] = [f.text.strip().rstrip("。；;") + "。"]
    for k, (label, value) in enumerate(f.figures):
        runs += ["相关数据：" if k == 0 else "；", label, value]
    return runs + (["。"] if f.figures else [])


def _findings_paras(r: RegionFacts) -> list[Para]:
    """三、存在问题 as the office confirmed it: one （一） per theme, the problems numbered under it."""
    out: list[Para] = []
    for n, (theme, items) in enumerate(_by_theme(r.findings), start=1):
        out.append(Para("h2", [f"（{cn(n)}）{theme}"]))
        out += [Para("p", _finding_runs(f), lead=f"{k}.") for k, f in enumerate(items, start=1)]
    return out


def feedback(c: CycleFacts, r: RegionFacts, today: date, number: str = "") -> OfficialDoc:
    assert r.result is not None
    res = r.result
    passed, failed, insufficient = _automatic(r)
    body: list[Para] = [
        Para(
            "p",
            [
                f"根据{_scheme_ref(c)}要求，{c.office_short}组织对{r.you}{c.year}年履行教育职责情况进行了评价。"
                f"在{r.you}自查自评的基础上，经网上评审，形成督导报告如下。"
            ],
        ),
        Para("h1", ["一、评价结果"]),
    ]
    runs: list[Run] = [
        f"{r.you}评价得分",
        res.total,
        f"分（满分{fmt_number(c.total_points, '分')}分），评价等次为{res.grade}，在",
        Fig(
            text=str(res.ranked),
            value=str(res.ranked),
            unit="个",
            source={"kind": "count", "rule": "本周期评审完成（审核通过）的被评价区域数"},
        ),
        f"个评审完成的{c.unit_word}中排名第",
        res.rank,
        "位。",
    ]
    if res.vetoes:
        runs.append(
            f"因存在“{'、'.join(res.vetoes)}”情形，评价等次由{res.grade_before_veto}调整为{res.grade}。"
        )
    autos = len(passed) + len(failed) + len(insufficient)
    if autos:
        runs += [
            f"依据数据核验的{autos}项指标中，",
            count_fig(len(passed), "数据核验达标的指标", [i.code for i in passed]),
            "项达标，",
            count_fig(len(failed), "数据核验未达标的指标", [i.code for i in failed]),
            "项未达标。",
        ]
    body.append(Para("p", runs))
    body.append(Para("h1", ["二、主要成绩"]))
    strong = []
    for a in r.scored_areas():
        if a.subtotal is not None and a.subtotal.value is not None and a.points:
            strong.append((Decimal(a.subtotal.value) / a.points, a))
    strong.sort(key=lambda x: -x[0])
    good = [a for ratio, a in strong if ratio >= Decimal("0.85")][:6] or [a for _, a in strong[:3]]
    for n, a in enumerate(good, start=1):
        runs = ["本方面得", a.subtotal, f"分（满分{fmt_number(a.points, '分')}分）。"]
        if a.narrative.strip():
            runs.append(a.narrative.strip().replace(r.we, r.you))
        body.append(Para("p", runs, lead=f"（{cn(n)}）{a.title}。"))
        for k, i in enumerate([i for i in a.items if i.automatic and i.verdict == "pass"], start=1):
            body.append(Para("p", item_sentence(i, who=""), lead=f"{k}.{i.title}。"))
    body.append(Para("h1", ["三、存在问题"]))
    if r.findings:
        # the office's confirmed list replaces the problems read from the scores: it is what was
        # edited, completed (field verification, the office's own) and what the region must answer
        body += _findings_paras(r)
    problems = [] if r.findings else failed + insufficient
    n = 0
    for i in problems:
        n += 1
        body.append(Para("p", item_sentence(i, who=""), lead=f"（{cn(n)}）{problem(i)}。"))
    weak = [
        i
        for i in r.leaves()
        if i.rule_kind == "manual"
        and i.score_value is not None
        and i.points
        and i.score_value < i.points * Decimal("0.8")
        and not r.findings
    ]
    for i in weak:
        n += 1
        runs = ["本项得", i.score, f"分（满分{fmt_number(i.points, '分')}分）。"]
        if i.reviewer_note:
            runs.append(i.reviewer_note.strip())
        body.append(Para("p", runs, lead=f"（{cn(n)}）{i.title}。"))
    if n == 0 and not r.findings:
        body.append(Para("p", ["数据核验指标均已达标，评审未发现需要整改的问题。"]))
    body.append(Para("h1", ["四、整改要求"]))
    deadline = c.rectification_deadline
    when = f"{deadline.year}年{deadline.month}月{deadline.day}日前" if deadline else "收到本报告后3个月内"
    body.append(
        Para(
            "p",
            [
                f"{r.you}要高度重视本报告指出的问题，逐项制定整改方案，明确责任单位、整改措施和完成时限，"
                f"于{when}将整改情况书面报送{c.office_short}。整改落实情况将纳入下一年度对{c.level_word}人民政府"
                "履行教育职责评价的重要内容。"
            ],
        )
    )
    for k, i in enumerate(problems + weak, start=1):
        body.append(
            Para(
                "p",
                [_rectify(i)],
                lead=f"{k}.",
            )
        )
    for k, (theme, items) in enumerate(_by_theme(r.findings), start=1):
        body.append(
            Para(
                "p",
                [f"{theme}方面的{len(items)}个问题：逐条制定整改措施，明确责任部门和完成时限。"],
                lead=f"{k}.",
            )
        )
    annex_title = f"{r.name}人民政府{c.year}年履行教育职责评价得分表"
    body.append(Para("annex_note", [f"附件：{annex_title}"]))
    return OfficialDoc(
        kind="feedback",
        issuer_mark=c.office,
        number=number or _blank_number(c.office_prefix, c.year),
        title=f"{r.name}人民政府{c.year}年履行教育职责评价督导报告",
        addressee=f"{r.name}人民政府：",
        body=body,
        signature=c.office,
        date=today,
        annexes=[Annex(title=annex_title, table=_score_table(r, final=True))],
    )


# ---- 3. provincial evaluation report (评价报告) -------------------------------------------------


@dataclass
class CaseFacts:
    region: str
    texts: list[str]


def _avg(values: list[Decimal]) -> Decimal:
    return sum(values, Decimal(0)) / len(values) if values else Decimal(0)


def provincial(
    c: CycleFacts,
    regions: list[RegionFacts],
    pending: int,
    cases: list[CaseFacts],
    today: date,
    number: str = "",
) -> OfficialDoc:
    """`regions`: those whose review is complete (the report covers only them); `pending`: how many are not."""
    n = len(regions)
    body: list[Para] = [
        Para(
            "p",
            [
                f"根据{_scheme_ref(c)}要求，{c.office_short}组织开展了对{c.level_word}人民政府{c.year}年履行教育职责评价工作。"
                "本次评价共涉及",
                _count_fig(n + pending, "本周期被评价区域数"),
                f"个{c.unit_word}，其中",
                _completed_fig(regions),
                f"个已完成评审，纳入本报告。在{c.level_word}自评、网上评审的基础上，汇总形成评价报告如下。",
            ],
        ),
        Para("h1", ["一、主要成绩和成效"]),
    ]
    area_index: dict[str, list[tuple[RegionFacts, AreaFacts]]] = {}
    for r in regions:
        for a in r.scored_areas():
            area_index.setdefault(a.code, []).append((r, a))
    k = 0
    problems_by_area: list[tuple[AreaFacts, list[tuple[ItemFacts, list[tuple[RegionFacts, ItemFacts]]]]]] = []
    for pairs in area_index.values():
        first = pairs[0][1]
        subs = [
            Decimal(a.subtotal.value)
            for _, a in pairs
            if a.subtotal is not None and a.subtotal.value is not None
        ]
        avg = _avg(subs)
        runs: list[Run] = [
            f"{len(pairs)}个{c.unit_word}本方面平均得分",
            Fig(
                text=fmt_number(avg, "分"),
                value=str(avg),
                unit="分",
                source={
                    "kind": "aggregate",
                    "rule": f"{first.code} {first.title}：各区域小计的平均值",
                    "inputs": [
                        {"region": r.name, "value": a.subtotal.value if a.subtotal else None}
                        for r, a in pairs
                    ],
                },
            ),
            f"分（满分{fmt_number(first.points, '分')}分）",
        ]
        item_codes = [i.code for i in first.items if i.automatic]
        failing: list[tuple[ItemFacts, list[tuple[RegionFacts, ItemFacts]]]] = []
        for code_i in item_codes:
            found = [(r, next(x for x in a.items if x.code == code_i)) for r, a in pairs]
            ok = [(r, i) for r, i in found if i.verdict == "pass"]
            bad = [(r, i) for r, i in found if i.verdict in ("fail", "insufficient")]
            title = found[0][1].title
            if ok:
                runs += [
                    "；",
                    Fig(
                        text=str(len(ok)),
                        value=str(len(ok)),
                        unit="个",
                        source={
                            "kind": "count",
                            "rule": f"{code_i} {title}：达标的区域",
                            "regions": [r.name for r, _ in ok],
                        },
                    ),
                    f"个{c.unit_word}达到“{title}”要求",
                ]
            if bad:
                failing.append((found[0][1], bad))
        runs.append("。")
        if not subs or avg >= first.points * Decimal("0.8") or not failing:
            k += 1
            body.append(Para("p", runs, lead=f"（{cn(k)}）{first.title}。"))
        if failing:
            problems_by_area.append((first, failing))
    if cases:
        body.append(
            Para(
                "p",
                [
                    f"各{c.unit_word}在履行教育职责、推动教育改革发展过程中，探索出了契合实际、行之有效的典型工作案例（见附件）。"
                ],
            )
        )
    body.append(Para("h1", ["二、存在的主要问题"]))
    if not problems_by_area:
        body.append(Para("p", ["数据核验指标均已达标。"]))
    for k, (area, failing) in enumerate(problems_by_area, start=1):
        runs = []
        for j, (item, both) in enumerate(failing):
            bad = [(r, i) for r, i in both if i.verdict == "fail"]
            unknown = [(r, i) for r, i in both if i.verdict != "fail"]
            runs += [] if j == 0 else ["；"]
            if unknown:
                runs += [
                    Fig(text=str(len(unknown)), value=str(len(unknown)), unit="个",
                        source={"kind": "count", "rule": f"{item.code} {item.title}：数据不足、无法核验的区域",
                                "regions": [r.name for r, _ in unknown]}),
                    f"个{c.unit_word}{item.title}数据不足、无法核验" + ("，" if bad else ""),
                ]  # fmt: skip
            if not bad:
                continue
            runs += [
                Fig(
                    text=str(len(bad)),
                    value=str(len(bad)),
                    unit="个",
                    source={
                        "kind": "count",
                        "rule": f"{item.code} {item.title}：未达标的区域",
                        "regions": [r.name for r, _ in bad],
                    },
                ),
                f"个{c.unit_word}{shortfall(item.title)}",
            ]
            shown = bad[:8]
            if any(i.computed is not None for _, i in shown):
                runs.append("（")
                for m, (r, i) in enumerate(shown):
                    runs += (
                        (["、"] if m else [])
                        + [f"{r.name}"]
                        + ([i.computed] if i.computed is not None else [])
                    )
                if len(bad) > len(shown):
                    runs.append(f"等{len(bad)}个")
                if item.standard:
                    runs.append(f"；{item.standard}")
                runs.append("）")
        runs.append("。")
        body.append(Para("p", runs, lead=f"（{cn(k)}）{area.title}方面。"))
    body.append(Para("h1", ["三、有关要求"]))
    body.append(Para("p", [f"各{c.unit_word}要针对本报告提出的问题，举一反三，制定措施，有效整改。"]))
    for k, (area, failing) in enumerate(problems_by_area, start=1):
        titles = "、".join(i.title for i, _ in failing[:4])
        body.append(
            Para("p", [f"围绕{area.title}，切实落实{titles}等要求，对未达标事项逐项整改到位。"], lead=f"{k}.")
        )
    body.append(
        Para("p", [f"整改落实情况将纳入下一年度对{c.level_word}人民政府履行教育职责评价的重要内容。"])
    )
    annexes = []
    if cases:
        annex_title = f"{c.year}年各{c.unit_word}履行教育职责典型工作案例"
        body.append(Para("annex_note", [f"附件：{annex_title}"]))
        abody: list[Para] = []
        for case in cases:
            abody.append(Para("heading", [case.region]))
            for m, t in enumerate(case.texts, start=1):
                abody.append(Para("p", [t], lead=f"{m}."))
        annexes.append(Annex(title=annex_title, body=abody))
    return OfficialDoc(
        kind="provincial",
        issuer_mark=c.office,
        number=number or _blank_number(c.office_prefix, c.year),
        title=f"对{c.level_word}人民政府{c.year}年履行教育职责评价报告",
        addressee="",
        body=body,
        signature=c.office,
        date=today,
        annexes=annexes,
    )


# ---- 4. notice of results (通报) ----------------------------------------------------------------

OUTCOME_KINDS = ("奖励", "通报表扬", "通报批评", "约谈")


def _short_outcome(label: str) -> str:
    return "奖励" if label.startswith("奖励") else label


def _wan(yuan: str) -> str:
    """300,000.00 → 30万元 (the seeds' way of writing awards); odd amounts stay in 元."""
    value = Decimal(yuan.replace(",", ""))
    if value >= 10000 and value % 100 == 0:
        return f"{(value / 10000).normalize():f}万元"
    return f"{value:,.2f}元"


def _names(regions: list[RegionFacts]) -> str:
    return "、".join(r.name for r in regions)


def outcome_paragraphs(c: CycleFacts, ranked: list[RegionFacts]) -> list[Para]:
    """The decisions the release rules attach to the ranking, one paragraph per kind, in the seeds'
    wording (Jiangxi: 表彰并给予奖励经费; 通报表扬; 通报批评; 约谈 of the government's leaders)."""
    by_kind = {k: [r for r in ranked if any(o.startswith(k) for o in r.outcomes)] for k in OUTCOME_KINDS}
    paras: list[Para] = []
    if by_kind["奖励"]:
        label = next(o for o in by_kind["奖励"][0].outcomes if o.startswith("奖励"))
        amount = _wan(label[label.find("（") + 1:label.rfind("元")]) if "（" in label else ""
        paras.append(Para("p", [f"对{_names(by_kind['奖励'])}予以表彰"
                                + (f"，各给予奖励经费{amount}" if amount else "") + "。"]))
    if by_kind["通报表扬"]:
        paras.append(Para("p", [f"对{_names(by_kind['通报表扬'])}予以通报表扬。"]))
    if by_kind["通报批评"]:
        paras.append(Para("p", [f"对{_names(by_kind['通报批评'])}予以通报批评，责令限期整改。"]))
    if by_kind["约谈"]:
        paras.append(Para("p", [f"对{_names(by_kind['约谈'])}人民政府主要负责同志进行约谈。"]))
    return paras



def _count_fig(n: int, rule: str, regions: list[RegionFacts] | None = None) -> Fig:
    source: dict = {"kind": "count", "rule": rule}
    if regions is not None:
        source["regions"] = [r.name for r in regions]
    return Fig(text=str(n), value=str(n), unit="个", source=source)


def _completed_fig(regions: list[RegionFacts]) -> Fig:
    """How many regions the document covers: those whose review is complete, named in the source."""
    return _count_fig(len(regions), "评审已完成（审核通过）的区域数", regions)


def notice(
    c: CycleFacts, regions: list[RegionFacts], pending: list[str], today: date, number: str = ""
) -> OfficialDoc:
    ranked = sorted([r for r in regions if r.result], key=lambda r: (int(r.result.rank.value), r.code))
    body: list[Para] = [
        Para(
            "p",
            [
                f"根据{_scheme_ref(c)}要求，{c.office_short}组织开展了{c.year}年对{c.level_word}人民政府履行教育职责评价工作。"
                f"经{c.level_word}自评、网上评审，",
                _completed_fig(ranked),
                f"个{c.unit_word}完成评价。现将评价结果通报如下。",
            ],
        ),
        Para("h1", ["一、评价结果"]),
    ]
    runs: list[Run] = []
    by_grade = {g: [r for r in ranked if r.result.grade == g] for g in c.grade_names}
    for j, g in enumerate(c.grade_names):
        count = len(by_grade[g])
        runs += (["，"] if j else []) + [
            Fig(
                text=str(count),
                value=str(count),
                unit="个",
                source={
                    "kind": "count",
                    "rule": f"评价等次为{g}的区域",
                    "regions": [r.name for r in by_grade[g]],
                },
            ),
            f"个{c.unit_word}评价等次为{g}",
        ]
    runs.append("（具体结果见附件）。")
    body.append(Para("p", runs))
    for g in (c.grade_names[:1] + c.grade_names[-1:]) if c.grade_names else []:
        if by_grade.get(g):
            body.append(
                Para("p", [f"评价等次为{g}的{c.unit_word}：" + "、".join(r.name for r in by_grade[g]) + "。"])
            )
    capped = [r for r in ranked if r.result.vetoes]
    for r in capped:
        body.append(
            Para(
                "p",
                [
                    f"{r.name}因存在“{'、'.join(r.result.vetoes)}”情形，评价等次由{r.result.grade_before_veto}"
                    f"调整为{r.result.grade}。"
                ],
            )
        )
    if pending:
        body.append(Para("p", [f"另有{len(pending)}个{c.unit_word}评审尚未完成，评价结果另行通报。"]))
    decisions = outcome_paragraphs(c, ranked)
    if decisions:
        body.append(Para("h1", ["二、表彰奖励和通报"]))
        body += decisions
    body.append(Para("h1", [f"{'三' if decisions else '二'}、有关要求"]))
    if c.grade_names:
        body.append(
            Para(
                "p",
                [
                    f"希望评价等次为{c.grade_names[0]}的{c.unit_word}再接再厉，持续巩固提升履行教育职责水平。"
                    f"评价等次为{c.grade_names[-1]}的{c.unit_word}要认真分析原因，制定整改方案，限期整改到位。"
                    f"各{c.unit_word}要对照评价指出的问题逐项整改，整改落实情况将纳入下一年度评价的重要内容。"
                ],
            )
        )
    annex_title = f"{c.year}年{c.level_word}人民政府履行教育职责评价结果"
    body.append(Para("annex_note", [f"附件：{annex_title}"]))
    rows: list[list[Run]] = [
        [r.result.rank, r.city, r.name, r.result.total, r.result.grade, "；".join(r.result.vetoes) or "—",
         "、".join(_short_outcome(o) for o in r.outcomes) or "—"]
        for r in ranked
    ]
    table = Table(
        headers=["排名", "设区市", c.unit_word, "得分", "等次", "一票否决情形", "奖励与通报"],
        rows=rows,
        widths_mm=[12, 22, 28, 17, 15, 38, 24],
        emphasis=[False] * len(rows),
    )
    return OfficialDoc(
        kind="notice",
        issuer_mark=c.office,
        number=number or _blank_number(c.office_prefix, c.year),
        title=f"关于{c.year}年对{c.level_word}人民政府履行教育职责评价结果的通报",
        addressee=f"各{c.unit_word}人民政府：" if c.unit_word != "市" else "各市人民政府：",
        body=body,
        signature=c.office,
        date=today,
        annexes=[Annex(title=annex_title, table=table)],
    )
