"""The catalogue of data elements and the validation of reported figures.

Pure: takes plain values, returns plain findings. The Django collection app stores the
elements and values; this module decides what is wrong with them.
"""

from __future__ import annotations

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
            )
        )
    by_code = {e.code: e for e in elements}
    for e in elements:
        for ref in filter(None, [e.part_of, *(e.per_student_of or ())]):
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
