"""The catalogue of data elements and the validation of reported figures.

Pure: takes plain values, returns plain findings. The Django collection app stores the
elements and values; this module decides what is wrong with them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from typing import Literal

import yaml

Kind = Literal["amount", "per_student", "rate", "count", "area", "score", "ratio"]
KINDS: tuple[str, ...] = ("amount", "per_student", "rate", "count", "area", "score", "ratio")
# factor to turn a total in 万元 into 元 when checking per-student figures
UNIT_TO_YUAN = {"元": Decimal(1), "万元": Decimal(10000), "亿元": Decimal(100000000)}
# Which year a figure belongs to: a finance (natural) year, or a school year that starts in the
# autumn of its year (the 2020 statistics count the 2020/2021 school year).
YEAR_KINDS = {"finance": "自然年（财政年度）", "school": "学年"}
# What a share counts: institutions (所) or children (人). 普惠园 215所占65.75% is a share of kindergartens.
SHARE_BASES = {"institution": "机构数（所）", "child": "幼儿或学生数（人）"}


def year_label(year: int, year_kind: str = "finance") -> str:
    """2020 as a finance year is 2020年; as a school year 2020/2021学年."""
    return f"{year}/{year + 1}学年" if year_kind == "school" else f"{year}年"


@dataclass(frozen=True)
class Element:
    code: str
    name: str
    area: str
    unit: str
    kind: str
    min: Decimal | None = None
    max: Decimal | None = None
    over_100: bool = False
    part_of: str | None = None
    per_student_of: tuple[str, str] | None = None
    yoy_warn: Decimal = Decimal("0.5")
    level: str = ""
    year_kind: str = "finance"  # finance | school (YEAR_KINDS)
    share_basis: str = ""  # shares only: institution | child (SHARE_BASES)
    share_of: tuple[tuple[str, ...], tuple[str, ...]] | None = None  # (part counts, whole counts)
    other_basis: str = ""  # the same share counted the other way (institution ↔ child)

    def year_label(self, year: int) -> str:
        return year_label(year, self.year_kind)

    @property
    def decimals(self) -> int:
        # satisfaction scores keep three places: Zhejiang publishes 8.996 on its 10-point scale (seed 002)
        return {"count": 0, "amount": 4 if self.unit == "万元" else 2, "score": 3}.get(self.kind, 2)


@dataclass(frozen=True)
class Catalogue:
    areas: dict[str, str]
    elements: tuple[Element, ...]
    by_code: dict[str, Element] = field(repr=False, default_factory=dict)
    # figures the system derives itself (no form, no import, no DataValue): expressions may read them
    derived: tuple[Element, ...] = ()

    def __getitem__(self, code: str) -> Element:
        return self.by_code[code]

    def __contains__(self, code: object) -> bool:
        return code in self.by_code

    def in_area(self, area: str) -> list[Element]:
        return [e for e in self.elements if e.area == area]


def _dec(v: object) -> Decimal | None:
    return None if v is None else Decimal(str(v))


def parse_catalogue(data: dict, source: str = "catalogue") -> Catalogue:
    areas = dict(data["areas"])
    area_years = dict(data.get("area_year_kinds") or {})
    elements = []
    seen: set[str] = set()
    for i, raw in enumerate(data["elements"]):
        where = f"{source}: elements[{i}]"
        code = raw.get("code")
        if not code or code in seen:
            raise ValueError(f"{where}: missing or duplicate code {code!r}")
        if raw.get("kind") not in KINDS:
            raise ValueError(f"{where}.kind: {raw.get('kind')!r} is not one of {', '.join(KINDS)}")
        if raw.get("area") not in areas:
            raise ValueError(f"{where}.area: unknown area {raw.get('area')!r}")
        seen.add(code)
        pso = raw.get("per_student_of")
        year_kind = raw.get("year_kind", area_years.get(raw["area"], "finance"))
        if year_kind not in YEAR_KINDS:
            raise ValueError(f"{where}.year_kind: {year_kind!r} is not one of {', '.join(YEAR_KINDS)}")
        basis = raw.get("share_basis", "")
        if basis and basis not in SHARE_BASES:
            raise ValueError(f"{where}.share_basis: {basis!r} is not one of {', '.join(SHARE_BASES)}")
        share_of = raw.get("share_of")
        elements.append(
            Element(
                code=code,
                name=raw["name"],
                area=raw["area"],
                unit=raw["unit"],
                kind=raw["kind"],
                min=_dec(raw.get("min")),
                max=_dec(raw.get("max")),
                over_100=bool(raw.get("over_100", False)),
                part_of=raw.get("part_of"),
                per_student_of=tuple(pso) if pso else None,
                yoy_warn=_dec(raw.get("yoy_warn", "0.5")),
                level=raw.get("level", ""),
                year_kind=year_kind,
                share_basis=basis,
                share_of=(tuple(share_of[0]), tuple(share_of[1])) if share_of else None,
                other_basis=raw.get("other_basis", ""),
            )
        )
    by_code = {e.code: e for e in elements}
    for e in elements:
        for ref in filter(None, [e.part_of, *(e.per_student_of or ()), e.other_basis,
                                 *(c for side in e.share_of or () for c in side)]):
            if ref not in by_code:
                raise ValueError(f"{source}: element {e.code} refers to unknown element {ref}")
    derived = _parse_derived(data.get("derived") or {}, seen, source)
    by_code.update((e.code, e) for e in derived)
    return Catalogue(areas=areas, elements=tuple(elements), by_code=by_code, derived=derived)


def _parse_derived(groups: dict, seen: set[str], source: str) -> tuple[Element, ...]:
    """`derived: {<source>: [elements]}`: figures an app computes (e.g. the rectification ledger), kept
    out of `elements` so no form, template or import offers them; their area is their source."""
    out = []
    for origin, rows in groups.items():
        for i, raw in enumerate(rows):
            where, code = f"{source}: derived.{origin}[{i}]", raw.get("code")
            if not code or code in seen:
                raise ValueError(f"{where}: missing or duplicate code {code!r}")
            if raw.get("kind") not in KINDS:
                raise ValueError(f"{where}.kind: {raw.get('kind')!r} is not one of {', '.join(KINDS)}")
            seen.add(code)
            out.append(Element(code=code, name=raw["name"], area=origin, unit=raw["unit"], kind=raw["kind"],
                               min=_dec(raw.get("min")), max=_dec(raw.get("max"))))
    return tuple(out)


@lru_cache(maxsize=1)
def default_catalogue() -> Catalogue:
    text = resources.files("dutyeval.core").joinpath("catalogue.yaml").read_text("utf-8")
    return parse_catalogue(yaml.safe_load(text), "catalogue.yaml")


@dataclass(frozen=True)
class Finding:
    """One problem with a figure. severity: error blocks saving, warning is shown."""

    code: str
    severity: Literal["error", "warning"]
    message: str


def parse_value(element: Element, raw: object) -> Decimal | None:
    """Turn user input (str, int, float, Decimal) into a Decimal; blank means no value.

    Raises ValueError with a Chinese message when the text is not a number.
    """
    if raw is None:
        return None
    if isinstance(raw, float):
        raw = repr(raw)
    text = str(raw).strip().replace(",", "").replace("，", "")
    if text.endswith("%") and element.kind == "rate":
        text = text[:-1].strip()
    if text == "":
        return None
    shown = _shown(raw)
    if len(text) > MAX_NUMBER_CHARS:
        # a digit string this long is either beyond the column or noise; Decimal would parse it, slowly
        raise ValueError(_OUT_OF_RANGE.format(name=element.name, raw=shown))
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"“{shown}”不是数字") from None
    if not value.is_finite():
        raise ValueError(f"“{shown}”不是有效数字")
    # the column holds 20 digits, 4 after the point; quantize() past 28 digits raises InvalidOperation
    if value and value.adjusted() >= MAX_INTEGER_DIGITS:
        raise ValueError(_OUT_OF_RANGE.format(name=element.name, raw=shown))
    if element.kind == "count" and value != value.to_integral_value():
        raise ValueError(f"{element.name}应为整数（单位：{element.unit}），填写的是 {shown}")
    if value.adjusted() < -element.decimals - 1:
        return Decimal(0).quantize(Decimal(1).scaleb(-element.decimals))  # rounds to zero
    return value.quantize(Decimal(1).scaleb(-element.decimals))


MAX_INTEGER_DIGITS = 16  # DataValue.value is DecimalField(max_digits=20, decimal_places=4)
MAX_NUMBER_CHARS = 60
_OUT_OF_RANGE = "{name}的数值“{raw}”超出可记录范围（整数部分最多16位）"


def _shown(raw: object) -> str:
    """User input as quoted back in a message: long input cut, so an error never echoes a megabyte."""
    text = str(raw)
    return text if len(text) <= 24 else f"{text[:20]}…（共{len(text)}个字符）"


def check_value(element: Element, value: Decimal) -> list[Finding]:
    """Range checks on one value alone."""
    out: list[Finding] = []
    if element.kind == "rate" and value > 100 and not element.over_100:
        out.append(
            Finding(element.code, "error", f"{element.name}为{value}%，超过100%（该比率不是毛率，不能超过100%）")
        )
    elif element.min is not None and value < element.min:
        out.append(Finding(element.code, "error", f"{element.name}不能小于{element.min}{element.unit}"))
    elif element.max is not None and value > element.max:
        out.append(Finding(element.code, "error", f"{element.name}超出合理范围（最大{element.max}{element.unit}）"))
    return out


def check_set(
    catalogue: Catalogue,
    values: dict[str, Decimal],
    previous: dict[str, Decimal] | None = None,
) -> list[Finding]:
    """Consistency checks across the figures of one region and year.

    Parts above their whole are errors; per-student figures that disagree with total/enrolment
    and year-over-year jumps beyond the element's threshold are warnings.
    """
    out: list[Finding] = []
    for code, value in values.items():
        if code not in catalogue:
            continue
        el = catalogue[code]
        if el.part_of and values.get(el.part_of) is not None and value > values[el.part_of]:
            whole = catalogue[el.part_of]
            out.append(
                Finding(
                    code,
                    "error",
                    f"{el.name}（{value}{el.unit}）大于其总数{whole.name}（{values[el.part_of]}{whole.unit}）",
                )
            )
        if el.per_student_of:
            out.extend(_per_student_finding(catalogue, el, value, values))
        if previous and previous.get(code):
            prev = previous[code]
            change = (value - prev) / abs(prev)
            if abs(change) > el.yoy_warn:
                out.append(
                    Finding(
                        code,
                        "warning",
                        f"{el.name}比上年变化{change * 100:+.1f}%（上年{prev}{el.unit}，今年{value}{el.unit}），请核实",
                    )
                )
    out.extend(_sum_of_parts_findings(catalogue, values))
    out.extend(share_basis_findings(catalogue, values))
    return out


def _per_student_finding(cat: Catalogue, el: Element, value: Decimal, values: dict) -> list[Finding]:
    total_code, enrol_code = el.per_student_of  # type: ignore[misc]
    total, enrol = values.get(total_code), values.get(enrol_code)
    if total is None or not enrol:
        return []
    expected = total * UNIT_TO_YUAN.get(cat[total_code].unit, Decimal(1)) / enrol
    # a difference above 1 % or 1 yuan is more than rounding
    if abs(expected - value) > max(Decimal(1), abs(expected) / 100):
        return [
            Finding(
                el.code,
                "warning",
                f"{el.name}{value}元与{cat[total_code].name}÷{cat[enrol_code].name}"
                f"（{expected.quantize(Decimal('0.01'))}元）不一致",
            )
        ]
    return []


def _sum_of_parts_findings(cat: Catalogue, values: dict[str, Decimal]) -> list[Finding]:
    sums: dict[str, Decimal] = {}
    for code, value in values.items():
        el = cat.by_code.get(code)
        if el and el.part_of and el.part_of != "gen_budget_exp":
            sums[el.part_of] = sums.get(el.part_of, Decimal(0)) + value
    out = []
    for whole, total in sums.items():
        # parts of one whole are disjoint only where they split it (by level or by kind)
        disjoint = [e for e in cat.elements if e.part_of == whole]
        if len(disjoint) > 1 and values.get(whole) is not None and total > values[whole]:
            w = cat[whole]
            out.append(
                Finding(whole, "error", f"{w.name}的各分项之和（{total}{w.unit}）大于总数（{values[whole]}{w.unit}）")
            )
    return out


def _count_ratio(values: dict[str, Decimal], share_of) -> Decimal | None:
    """parts ÷ wholes × 100 from the region's own counts, None when a count is missing or the whole is 0."""
    parts, wholes = share_of
    if any(values.get(c) is None for c in (*parts, *wholes)):
        return None
    whole = sum(values[c] for c in wholes)
    return None if not whole else sum(values[c] for c in parts) * 100 / whole


def _matches(entered: Decimal, ratio: Decimal) -> bool:
    """The entered figure is the ratio rounded to the digits it was entered with (at least one decimal:
    a whole percentage matches too many ratios to say which was meant)."""
    digits = max(-entered.normalize().as_tuple().exponent, 0)
    if digits == 0:
        return False
    return abs(entered - ratio) <= Decimal(5).scaleb(-digits - 1)


def share_basis_findings(cat: Catalogue, values: dict[str, Decimal]) -> list[Finding]:
    """A share asked for by child that equals the by-institution ratio of the region's own counts
    (and not its by-child ratio) was most likely copied from a sentence counting 所: warn."""
    out = []
    for code, value in values.items():
        el = cat.by_code.get(code)
        if value is None or el is None or el.share_basis != "child" or not el.other_basis:
            continue
        other = cat[el.other_basis]
        by_inst = _count_ratio(values, other.share_of) if other.share_of else None
        by_child = _count_ratio(values, el.share_of) if el.share_of else None
        if by_inst is None or not _matches(value, by_inst):
            continue
        if by_child is not None and _matches(value, by_child):
            continue  # both ratios agree: nothing tells them apart
        out.append(
            Finding(
                code,
                "warning",
                f"{el.name}填写的{value}%与按机构数计算的比例（{other.name}，"
                f"{by_inst.quantize(Decimal('0.01'))}%）一致；本项应按{SHARE_BASES['child']}计算，请核实",
            )
        )
    return out


# "普惠园达到215所，占比65.75%": a share stated right after a count of institutions (所) counts institutions
_SHARE_AFTER_INSTITUTIONS = re.compile(r"(\d+)\s*所[^。；;，,]{0,4}[，,、]?\s*(?:占比|占)[^0-9。；;]{0,8}(\d+(?:\.\d+)?)\s*[%％]")


def share_basis_in_text(text: str) -> list[tuple[int, Decimal]]:
    """(institution count, share %) for every share in `text` that is stated as a share of institutions."""
    return [(int(m.group(1)), Decimal(m.group(2))) for m in _SHARE_AFTER_INSTITUTIONS.finditer(text)]


def text_share_finding(element: Element, text: str, value: Decimal) -> Finding | None:
    """Warn when `value` for a by-child share comes from a sentence that counts institutions (所)."""
    if element.share_basis != "child":
        return None
    for count, share in share_basis_in_text(text):
        if share == value:
            return Finding(
                element.code,
                "warning",
                f"{element.name}的{value}%出自“{count}所，占比{share}%”，是按机构数（所）计算的比例，"
                f"本项应按{SHARE_BASES['child']}计算，请核实",
            )
    return None
