"""The in-memory shape of an evaluation scheme (评价方案), shared by the YAML loader,
the scoring engine and the Django schemes app.

A scheme is a tree of indicators: areas (一级指标) → items (二级指标) → optional sub-items.
Leaves carry points and a rule; inner nodes sum their children. All points are Decimal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from .expr import parse

RuleKind = Literal["manual", "auto", "check", "veto"]
RULE_KINDS: tuple[str, ...] = ("manual", "auto", "check", "veto")


@dataclass(frozen=True)
class GradeBand:
    """A grade (等次) reached at `min_score` points or more, e.g. 优秀 ≥ 90."""

    name: str
    min_score: Decimal


@dataclass(frozen=True)
class Rule:
    """How a leaf item is scored.

    manual: self score and reviewer score, 0..points.
    auto:   `expression` in the indicator language; a boolean result gives full or zero points,
            a numeric result is taken as the share of points earned (clamped to 0..1).
    check:  a named statutory check from core.checks (`check`, with `params`); pass = full points.
    veto:   一票否决: `expression` or `check` true means the item is violated; it scores 0 and caps
            the grade at `cap_grade` (default: the lowest band).
    """

    kind: str = "manual"
    expression: str | None = None
    check: str | None = None
    params: dict = field(default_factory=dict)
    cap_grade: str | None = None


@dataclass(frozen=True)
class Indicator:
    code: str  # e.g. "2.3" (dotted path in the tree)
    title: str
    points: Decimal = Decimal(0)
    evidence: tuple[str, ...] = ()  # 佐证材料 required
    rule: Rule = field(default_factory=Rule)
    children: tuple[Indicator, ...] = ()
    department: str = ""  # lead department (牵头单位), e.g. 县教育局
    assumed: bool = False  # points or structure not given by the source; reasoned assumption
    note: str = ""
    kind: Literal["item", "bonus", "deduction"] = "item"  # 加分项 / 扣分项 add or subtract beyond the base

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()


@dataclass(frozen=True)
class Scheme:
    code: str  # stable slug, e.g. "shanxi-2021-county"
    version: int
    title: str
    issuer: str  # 印发机关
    doc_number: str  # 文号, e.g. 晋政教督〔2021〕1号
    year: int
    level: Literal["province", "city", "county"]  # level of government evaluated
    total_points: Decimal
    grade_bands: tuple[GradeBand, ...]  # highest first
    indicators: tuple[Indicator, ...]  # top-level areas
    source: str = ""  # where the structure was read (seed file, document)
    notes: str = ""

    def leaves(self) -> list[Indicator]:
        return [i for top in self.indicators for i in top.walk() if i.is_leaf]

    def all_indicators(self) -> list[Indicator]:
        return [i for top in self.indicators for i in top.walk()]

    def is_relative(self) -> bool:
        """Some item is scored against the other regions (peer_… functions): one region's score then
        depends on every region's figures, and no region can be recomputed alone."""
        return any(i.rule.expression and parse(i.rule.expression).uses_peers for i in self.leaves())

    def grade_for(self, score: Decimal) -> str:
        for band in self.grade_bands:
            if score >= band.min_score:
                return band.name
        return self.grade_bands[-1].name if self.grade_bands else ""
