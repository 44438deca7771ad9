"""The content of an official document, independent of its output format.

A paragraph is a list of runs; a run is plain text or a `Fig`: a figure printed in the text that
carries its source (the data value with element, region, year, who entered it and when; or the
rule and the figures that computed it). The .docx prints `Fig.text`; the web view links each
figure to its source. The whole content round-trips through JSON, so a published document is
shown exactly as it was generated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

# GB/T 9704-2012 page and type (the .docx templates are built from these; docs/documents.md)
PAGE_MM = (210, 297)
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
BODY_PT, TITLE_PT, PAGE_NUMBER_PT, LINE_PT = 16, 22, 14, 28  # 3号, 2号, 4号, fixed line pitch
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28
FONTS = {
    "body": "仿宋_GB2312",
    "title": "方正小标宋简体",
    "h1": "黑体",
    "h2": "楷体_GB2312",
    "page_number": "宋体",
}


@dataclass(frozen=True)
class Fig:
    """A printed figure and where it comes from. `source` is plain JSON (see content.py)."""

    text: str
    value: str | None = None  # the exact value, as a decimal string
    unit: str = ""
    source: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"t": self.text, "v": self.value, "u": self.unit, "s": self.source}

    @classmethod
    def from_json(cls, d: dict) -> Fig:
        return cls(text=d["t"], value=d.get("v"), unit=d.get("u", ""), source=d.get("s", {}))


Run = str | Fig


@dataclass
class Para:
    """kind: h1 (一、黑体), h2 （一）楷体, p body text, heading (a plain 黑体 line, e.g. a region's
    name in the annex of typical cases). `lead` is printed bold before the runs (三级标题 1.…。)."""

    kind: str
    runs: list[Run]
    lead: str = ""

    @property
    def text(self) -> str:
        return self.lead + "".join(r.text if isinstance(r, Fig) else r for r in self.runs)

    @property
    def body(self) -> str:
        return "".join(r.text if isinstance(r, Fig) else r for r in self.runs)

    def to_json(self) -> dict:
        return {
            "k": self.kind,
            "l": self.lead,
            "r": [r.to_json() if isinstance(r, Fig) else r for r in self.runs],
        }

    @classmethod
    def from_json(cls, d: dict) -> Para:
        return cls(
            kind=d["k"],
            lead=d.get("l", ""),
            runs=[Fig.from_json(r) if isinstance(r, dict) else r for r in d["r"]],
        )


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Run]]
    widths_mm: list[float]
    emphasis: list[bool] = field(default_factory=list)  # rows printed bold (subtotals, areas)

    def to_json(self) -> dict:
        return {
            "h": self.headers,
            "w": self.widths_mm,
            "e": self.emphasis,
            "rows": [[c.to_json() if isinstance(c, Fig) else c for c in row] for row in self.rows],
        }

    @classmethod
    def from_json(cls, d: dict) -> Table:
        return cls(
            headers=d["h"],
            widths_mm=d["w"],
            emphasis=d.get("e", []),
            rows=[[Fig.from_json(c) if isinstance(c, dict) else c for c in row] for row in d["rows"]],
        )


@dataclass
class Annex:
    title: str
    body: list[Para] = field(default_factory=list)
    table: Table | None = None

    def to_json(self) -> dict:
        return {
            "title": self.title,
            "body": [p.to_json() for p in self.body],
            "table": self.table.to_json() if self.table else None,
        }

    @classmethod
    def from_json(cls, d: dict) -> Annex:
        return cls(
            title=d["title"],
            body=[Para.from_json(p) for p in d["body"]],
            table=Table.from_json(d["table"]) if d.get("table") else None,
        )


@dataclass
class OfficialDoc:
    kind: str
    issuer_mark: str  # 发文机关标志 (red, in the 版头)
    number: str  # 发文字号, e.g. 晋政教督办〔2021〕12号; may hold a blank to fill by hand
    title: str
    addressee: str  # 主送机关, with its full-width colon; "" for none
    body: list[Para]
    signature: str  # 发文机关署名
    date: date  # 成文日期
    annexes: list[Annex] = field(default_factory=list)

    @property
    def date_text(self) -> str:
        return f"{self.date.year}年{self.date.month}月{self.date.day}日"

    def figures(self) -> list[Fig]:
        out = []
        for p in [*self.body, *(p for a in self.annexes for p in a.body)]:
            out.extend(r for r in p.runs if isinstance(r, Fig))
        for a in self.annexes:
            if a.table:
                out.extend(c for row in a.table.rows for c in row if isinstance(c, Fig))
        return out

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "issuer_mark": self.issuer_mark,
            "number": self.number,
            "title": self.title,
            "addressee": self.addressee,
            "body": [p.to_json() for p in self.body],
            "signature": self.signature,
            "date": self.date.isoformat(),
            "annexes": [a.to_json() for a in self.annexes],
        }

    @classmethod
    def from_json(cls, d: dict) -> OfficialDoc:
        return cls(
            kind=d["kind"],
            issuer_mark=d["issuer_mark"],
            number=d["number"],
            title=d["title"],
            addressee=d["addressee"],
            body=[Para.from_json(p) for p in d["body"]],
            signature=d["signature"],
            date=date.fromisoformat(d["date"]),
            annexes=[Annex.from_json(a) for a in d["annexes"]],
        )


# ---- number formats ---------------------------------------------------------------------------

_PLACES = {"万元": 2, "元": 2, "%": 2, "分": 2, "平方米": 2}
COUNT_UNITS = {"人", "所", "个", "名", "项", "位", "间", "套", "次", "人次"}


def fmt_number(value: Decimal | int | str | float | None, unit: str = "") -> str:
    """A figure as an official document prints it: amounts and rates to two places without
    trailing zeros (13660.7元, 2.46%), counts as integers, points always to two places (85.71分)."""
    if value is None:
        return "—"
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    if unit in COUNT_UNITS:
        return str(d.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    places = _PLACES.get(unit, 2)
    q = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if unit == "分":
        return f"{q:f}"
    text = f"{q:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


# a title line breaks after these words rather than inside a word (GB/T 9704: 回行时要做到词意完整)
_BREAK_AFTER = ("关于", "人民政府", "办公室", "年", "履行教育职责", "评价", "自查自评", "情况的", "的")


def title_lines(text: str, per_line: int = 20) -> list[str]:
    """A 2号 title split into balanced lines of at most `per_line` characters (20 fit the 156 mm
    text block), breaking after a word where one is near, so no line holds a lone character."""
    if len(text) <= per_line:
        return [text]
    n = -(-len(text) // per_line)
    lines, rest = [], text
    while n > 1:
        target = round(len(rest) / n)
        best = target
        for delta in sorted(range(-4, 5), key=abs):
            cut = target + delta
            if 0 < cut <= per_line and any(rest[:cut].endswith(w) for w in _BREAK_AFTER):
                best = cut
                break
        best = min(best, per_line)
        lines.append(rest[:best])
        rest = rest[best:]
        n -= 1
    lines.append(rest)
    return lines


def fig(value, unit: str, source: dict, *, suffix: bool = True) -> Fig:
    """A Fig printing `value` with its unit (suffix=False prints the number alone)."""
    text = fmt_number(value, unit)
    if suffix and value is not None:
        text += unit
    return Fig(text=text, value=None if value is None else str(value), unit=unit, source=source)
