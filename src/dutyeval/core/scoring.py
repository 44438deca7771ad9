"""Scheme scoring: every region of a cycle in one pass, with an explanation for every score.

Each automatic rule is evaluated once over the whole Dataset (expressions via core.expr, checks
via core.checks); manual items come as self and reviewer scores. Points are held as integer
cents in NumPy arrays while computing (exact, fast) and handed out as Decimal quantized to 0.01.

Rules (scheme.Rule): see the docstring there, plus these readings:
- A reviewer's score, when present, wins over the self score and over the automatic result
  (the automatic result stays in the explanation). A self score does not override automation.
- Item and bonus: an expression true / a check passed earns the points; a number earns that
  share of the points (clamped to 0..1). Deduction: an expression true / a check failed deducts
  the points; a manual score on a deduction item is the amount deducted.
- Veto: an expression true, a check failed, or (manual) a reviewer's `vetoed=True` means the
  item is violated; the grade is capped at `cap_grade` (default: the lowest band).
- Missing data scores 0 and is marked insufficient, never silently treated as a pass.
- Total = items + bonuses − deductions, not below 0. Ranking is competition ranking (1, 2, 2, 4).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

import numpy as np

from .catalogue import default_catalogue
from .checks import FAIL, INSUFFICIENT, PASS, CheckError, CheckResult, Figure, Thresholds, run_check
from .expr import BOOL, Dataset, Expr, ExprError, parse
from .scheme import Indicator, Scheme

CENT = Decimal("0.01")
WHO = ("none", "auto", "self", "reviewer")
W_NONE, W_AUTO, W_SELF, W_REVIEWER = range(4)
STATUS = ("scored", "insufficient", "unscored", "violated", "clear")
S_SCORED, S_INSUFFICIENT, S_UNSCORED, S_VIOLATED, S_CLEAR = range(5)


class ScoringError(ValueError):
    """A scheme that cannot be scored (bad expression or check), naming the indicator."""


def to_cents(points: Decimal | int | str) -> int:
    return int((Decimal(points) * 100).to_integral_value(ROUND_HALF_UP))


def from_cents(cents: int) -> Decimal:
    return (Decimal(int(cents)) / 100).quantize(CENT)


@dataclass(frozen=True)
class ManualScore:
    self_score: Decimal | None = None
    reviewer_score: Decimal | None = None
    vetoed: bool | None = None  # manual veto items: the reviewer's finding (True = violated)
    comment: str = ""


@dataclass(frozen=True)
class ItemScore:
    code: str
    title: str
    kind: str  # item / bonus / deduction
    rule_kind: str  # manual / auto / check / veto
    points: Decimal
    score: Decimal  # points earned (item, bonus) or deducted (deduction); ≥ 0
    contribution: Decimal  # signed effect on the total
    status: str  # scored / insufficient / unscored / violated / clear
    who: str  # auto / self / reviewer / none
    rule: str
    figures: tuple[Figure, ...]
    explanation: str
    self_score: Decimal | None = None
    reviewer_score: Decimal | None = None
    # what automation alone found, kept when a reviewer overrides it
    auto_score: Decimal | None = None  # points automation gave (None: manual item)
    auto_verdict: str = ""  # pass / fail / insufficient of a check or a true/false expression
    # a check's verdict in figures an inspector can redo: computed value, threshold and its origin
    value: float | None = None
    threshold: float | None = None
    unit: str = ""
    comparison: str = ""  # e.g. 计算值1.49999992%，标准不低于1.5%
    source: str = ""  # where the threshold comes from (thresholds.yaml or the scheme)
    confidence: str = ""  # H / M / L (STANDARDS.md); "" for a threshold the scheme states

    @property
    def overridden(self) -> bool:
        """A reviewer's score replaced a different automatic result."""
        return self.who == "reviewer" and self.auto_score is not None and self.score != self.auto_score

    def verdict_json(self) -> dict:
        """What automation found and how, as plain JSON values (stored with the result)."""
        return {
            "auto_score": None if self.auto_score is None else str(self.auto_score),
            "auto_verdict": self.auto_verdict,
            "value": self.value,
            "threshold": self.threshold,
            "unit": self.unit,
            "comparison": self.comparison,
            "source": self.source,
            "confidence": self.confidence,
        }


@dataclass(frozen=True)
class Scorecard:
    region: str
    total: Decimal
    grade: str
    grade_before_veto: str
    rank: int
    vetoes: tuple[str, ...]  # "code title" of violated veto items
    subtotals: dict[str, Decimal]  # per inner indicator code (signed sum of its leaves)
    items: tuple[ItemScore, ...]
    insufficient: int  # items that could not be scored for lack of data


@dataclass(frozen=True)
class Cards:
    """Scorecards without their items, as lists in target order (SchemeScores.cards)."""

    total: list[Decimal]
    grade: list[str]
    grade_before_veto: list[str]
    rank: list[int]
    vetoes: list[list[str]]  # "code title" of violated veto items
    insufficient: list[int]
    subtotals: dict[str, list[Decimal]]  # inner indicator code → its signed sum per target


@dataclass
class _Auto:
    expr: Expr | None = None
    result: object = None  # expr.Result or CheckResult


@dataclass
class SchemeScores:
    """Scores of every target region. Arrays are [region] or [region, leaf]."""

    scheme: Scheme
    year: int
    regions: np.ndarray  # target region codes
    leaves: list[Indicator]
    cents: np.ndarray  # int64 [n, L], points earned/deducted, ≥ 0
    who: np.ndarray  # int8 [n, L]
    status: np.ndarray  # int8 [n, L]
    auto_cents: np.ndarray  # what automation alone gave (for explanations)
    total_cents: np.ndarray  # int64 [n]
    grade_index: np.ndarray  # index into scheme.grade_bands after vetoes
    raw_grade_index: np.ndarray
    rank: np.ndarray
    _ds: Dataset = field(repr=False, default=None)
    _targets: np.ndarray = field(repr=False, default=None)  # dataset row of each target
    _auto: dict[int, _Auto] = field(repr=False, default_factory=dict)
    _manual: dict = field(repr=False, default_factory=dict)
    _pos: dict | None = field(repr=False, default=None)

    def __len__(self) -> int:
        return len(self.regions)

    def total(self, i: int) -> Decimal:
        return from_cents(self.total_cents[i])

    def grade(self, i: int) -> str:
        bands = self.scheme.grade_bands
        return bands[self.grade_index[i]].name if bands else ""

    def ranking(self) -> list[tuple[int, str, Decimal, str]]:
        """(rank, region, total, grade), best first; ties share a rank."""
        order = np.lexsort((self.regions, -self.total_cents))
        return [(int(self.rank[i]), str(self.regions[i]), self.total(i), self.grade(i)) for i in order]

    def index(self, region: str) -> int:
        if self._pos is None:
            self._pos = {r: i for i, r in enumerate(self.regions.tolist())}
        if region not in self._pos:
            raise KeyError(f"地区{region}不在本次评分范围内")
        return self._pos[region]

    def scorecard(self, region: str) -> Scorecard:
        i = self.index(region)
        items = tuple(self._item(i, j) for j in range(len(self.leaves)))
        by_code = {it.code: it.contribution for it in items}
        subtotals: dict[str, Decimal] = {}
        for ind in self.scheme.all_indicators():
            if not ind.is_leaf:
                subtotals[ind.code] = sum((by_code[x.code] for x in ind.walk() if x.is_leaf), Decimal("0.00"))
        bands = self.scheme.grade_bands
        return Scorecard(
            region=region,
            total=self.total(i),
            grade=self.grade(i),
            grade_before_veto=bands[self.raw_grade_index[i]].name if bands else "",
            rank=int(self.rank[i]),
            vetoes=tuple(f"{it.code} {it.title}" for it in items if it.status == "violated"),
            subtotals=subtotals,
            items=items,
            insufficient=sum(it.status == "insufficient" for it in items),
        )

    def cards(self) -> Cards:
        """What every scorecard holds besides its items, as lists over the targets: the same totals,
        grades, vetoes and subtotals as scorecard() gives one region at a time, in whole-array steps."""
        bands = self.scheme.grade_bands
        names = [b.name for b in bands]
        grade = [names[g] if bands else "" for g in self.grade_index.tolist()]
        before = [names[g] if bands else "" for g in self.raw_grade_index.tolist()]
        sign = np.array([0 if i.rule.kind == "veto" else (-1 if i.kind == "deduction" else 1) for i in self.leaves])
        contribution = self.cents * sign if len(self.leaves) else self.cents
        column = {ind.code: j for j, ind in enumerate(self.leaves)}
        subtotals = {}
        for ind in self.scheme.all_indicators():
            if not ind.is_leaf:
                under = [column[x.code] for x in ind.walk() if x.is_leaf]
                sums = contribution[:, under].sum(axis=1) if under else np.zeros(len(self.regions), np.int64)
                subtotals[ind.code] = [_cents_decimal(c) for c in sums.tolist()]
        violated = self.status == S_VIOLATED
        labels = [f"{ind.code} {ind.title}" for ind in self.leaves]
        vetoes = [[labels[j] for j in np.flatnonzero(row).tolist()] for row in violated] if violated.any() else \
            [[] for _ in range(len(self.regions))]
        return Cards(
            total=[_cents_decimal(c) for c in self.total_cents.tolist()], grade=grade, grade_before_veto=before,
            rank=self.rank.tolist(), vetoes=vetoes, insufficient=(self.status == S_INSUFFICIENT).sum(axis=1).tolist(),
            subtotals=subtotals,
        )  # fmt: skip

    def _item(self, i: int, j: int) -> ItemScore:
        ind = self.leaves[j]
        fields = dict(zip(ITEM_FIELDS, self.leaf_column(j, [i])[0], strict=True))
        return ItemScore(
            code=ind.code, title=ind.title, kind=ind.kind, rule_kind=ind.rule.kind,
            points=from_cents(to_cents(ind.points)), **fields,
        )  # fmt: skip

    def leaf_column(self, j: int, idx: Sequence[int] | None = None) -> list[tuple]:
        """Leaf j of every target (or of the targets at `idx`) as ITEM_FIELDS tuples. Built a leaf at a
        time across regions, so the leaf's own wording (rule, figure names, points, verb) is worked
        out once, not once per region: a national store writes 130,000 of these."""
        ind, n = self.leaves[j], len(self.regions)
        idx = range(n) if idx is None else idx
        veto, auto = ind.rule.kind == "veto", self._auto.get(j)
        verb = "扣" if ind.kind == "deduction" else "得"
        pts = from_cents(to_cents(ind.points))
        manual = self._manual.get(j, {})
        found = self._auto_found(j, idx)
        cents, auto_cents = self.cents[:, j].tolist(), self.auto_cents[:, j].tolist()
        status, who = self.status[:, j].tolist(), self.who[:, j].tolist()
        sign = -1 if ind.kind == "deduction" else 1
        has_auto_score = auto is not None and not veto
        cap = ind.rule.cap_grade or (self.scheme.grade_bands[-1].name if self.scheme.grade_bands else "")
        veto_text = {
            S_VIOLATED: f"触发一票否决，等次最高为{cap}", S_CLEAR: "未触发一票否决",
            S_INSUFFICIENT: "数据不足，未能判定是否触发一票否决，请核实", S_UNSCORED: "尚未认定",
        }  # fmt: skip
        none = ManualScore()
        out = []
        for k, i in enumerate(idx):
            rule, figures, what, auto_verdict, check = found[k]
            score, w, ms = _cents_decimal(cents[i]), who[i], manual.get(i, none)
            if veto:
                text = veto_text[status[i]]
                explanation = f"{what}：{text}" if what else text
            elif w == W_REVIEWER:
                base = f"{what}，自动计算{verb}{_cents_decimal(auto_cents[i])}分；" if auto else ""
                own = f"（自评{ms.self_score}分）" if ms.self_score is not None else ""
                explanation = f"{base}复核评定{verb}{score}分{own}（满分{pts}分）"
            elif w == W_SELF:
                explanation = f"自评{verb}{score}分，尚未复核（满分{pts}分）"
            elif w == W_AUTO:
                explanation = f"{what}，{verb}{score}分（满分{pts}分）"
            else:
                explanation = "尚未评分" if not what else f"{what}，暂{verb}0分（满分{pts}分）"
            if ms.comment:
                explanation += f"；意见：{ms.comment}"
            out.append((
                score, _ZERO if veto else score * sign, STATUS[status[i]], WHO[w], rule,
                figures, explanation, ms.self_score, ms.reviewer_score,
                _cents_decimal(auto_cents[i]) if has_auto_score else None, auto_verdict,
                check.get("value"), check.get("threshold"), check.get("unit", ""), check.get("comparison", ""),
                check.get("source", ""), check.get("confidence", ""),
            ))  # fmt: skip
        return out

    def _auto_found(self, j: int, idx: Sequence[int]) -> list[tuple]:
        """(rule, figures, what automation found in words, auto verdict, check figures) per target."""
        ind, auto = self.leaves[j], self._auto.get(j)
        if auto is None:
            rule = "人工评分" if ind.rule.kind != "veto" else "人工认定是否触发一票否决"
            return [(rule, (), "", "", {})] * len(idx)
        rows = [int(self._targets[i]) for i in idx]
        if auto.expr is not None:
            return self._expr_found(ind, auto, rows)
        scheme_source = f"评价方案规定（{self.scheme.title}{'；分值或标准为推定' if ind.assumed else ''}）"
        found = []
        for out in auto.result.outcomes(rows):  # the check's outcomes for all these regions at once
            what = _VERDICT_WORDS[out.verdict]
            comparison = out.comparison()
            if comparison:
                what = f"{comparison}，{what}"
            if out.note and out.verdict == "insufficient":
                what += f"（{out.note}）"
            check = {
                "value": out.value, "threshold": out.threshold, "unit": out.unit, "comparison": comparison,
                "source": out.source if out.confidence else scheme_source, "confidence": out.confidence,
            }  # fmt: skip
            found.append((out.rule, out.figures, what, out.verdict, check))
        return found

    def _expr_found(self, ind: Indicator, auto: _Auto, rows: list[int]) -> list[tuple]:
        rule = f"自动计算：{auto.expr.canonical()}"
        figures = _ExprFigures(auto.expr, self._ds, self.year)
        flip = ind.kind == "deduction" or ind.rule.kind == "veto"
        known, value, is_bool = auto.result.known, auto.result.value, auto.expr.kind == BOOL
        found = []
        for row in rows:
            check: dict = {}
            if not known[row]:
                what, verdict = "数据不足，无法计算", "insufficient"
            elif is_bool:
                val = bool(value[row])
                what, verdict = ("结果为“是”" if val else "结果为“否”"), ("pass" if val != flip else "fail")
            else:
                val = float(value[row])
                what, verdict, check = f"计算值为{val:.4g}", "", {"value": val}  # a share: no pass / fail
            found.append((rule, figures.at(row), what, verdict, check))
        return found


_VERDICT_WORDS = {"pass": "符合", "fail": "不符合", "insufficient": "数据不足，无法判定"}
ITEM_FIELDS = (
    "score", "contribution", "status", "who", "rule", "figures", "explanation", "self_score", "reviewer_score",
    "auto_score", "auto_verdict", "value", "threshold", "unit", "comparison", "source", "confidence",
)  # fmt: skip
_ZERO = Decimal(0).quantize(CENT)


@lru_cache(maxsize=65536)
def _cents_decimal(cents: int) -> Decimal:
    """from_cents, remembered: a scheme's scores take few distinct values, and Decimal division is slow."""
    return from_cents(cents)


cents_decimal = _cents_decimal  # for the store, which writes the same numbers without the words


class _ExprFigures:
    """The figures an expression reads, for one region at a time: names, units and each region's
    children looked up once per expression instead of once per region."""

    def __init__(self, expr: Expr, ds: Dataset, year: int):
        cat = default_catalogue()
        self.refs = []
        for ref in sorted(expr.references, key=lambda r: (r.code, -r.offset, r.children)):
            name = cat[ref.code].name if ref.code in cat else ref.code
            unit = cat[ref.code].unit if ref.code in cat else ""
            y = year + ref.offset
            column = ds.column(ref.code, y)
            if ref.children:
                self.refs.append((ref.code, f"{name}（下级合计）", y, unit, column, True))
            else:
                self.refs.append((ref.code, name, y, unit, column, False))
        self.kids: dict[int, np.ndarray] | None = None
        self.ds = ds

    def at(self, row: int) -> tuple[Figure, ...]:
        out = []
        for code, name, y, unit, column, children in self.refs:
            if children:
                kids = self._kids(row)
                vals = column[kids]
                total = float(vals.sum()) if len(kids) and np.isfinite(vals).all() else None
                out.append(Figure(code, name, y, total, unit))
            else:
                v = float(column[row])
                out.append(Figure(code, name, y, v if np.isfinite(v) else None, unit))
        return tuple(out)

    def _kids(self, row: int) -> np.ndarray:
        if self.kids is None:  # each parent's rows, ascending as np.flatnonzero gives them (same sums)
            parent = self.ds.parent
            order = np.argsort(parent, kind="stable")
            bounds = np.searchsorted(parent[order], np.arange(len(parent) + 1))
            self.kids = {p: order[bounds[p]:bounds[p + 1]] for p in range(len(parent))}
        return self.kids[row]


def _frozen(params: Mapping) -> tuple:
    return tuple(sorted((k, repr(v)) for k, v in params.items()))


def score_all(
    scheme: Scheme,
    ds: Dataset,
    year: int,
    manual: Mapping[tuple[str, str], ManualScore] | None = None,
    targets: Sequence[str] | None = None,
    rank_groups: Sequence[str] | np.ndarray | None = None,
    thresholds: Thresholds | None = None,
) -> SchemeScores:
    """Score `targets` (default: every region of `ds`) against `scheme` for `year`.

    manual: (region code, indicator code) → ManualScore. rank_groups: a label per target
    (e.g. the province code) to rank within groups instead of over all targets.
    """
    rows = np.arange(len(ds)) if targets is None else np.array([ds.index(t) for t in targets], np.int64)
    regions = ds.regions[rows]
    n = len(rows)
    leaves = scheme.leaves()
    L = len(leaves)
    cents = np.zeros((n, L), np.int64)
    auto_cents = np.zeros((n, L), np.int64)
    who = np.zeros((n, L), np.int8)
    status = np.full((n, L), S_UNSCORED, np.int8)
    bands = scheme.grade_bands
    lowest = max(len(bands) - 1, 0)
    cap_index = np.zeros(n, np.int64)
    check_cache: dict[tuple, CheckResult] = {}
    autos: dict[int, _Auto] = {}
    manual_by_leaf = _manual_index(manual or {}, regions, leaves)

    for j, ind in enumerate(leaves):
        r = ind.rule
        pc = to_cents(ind.points)
        auto = _run_rule(ind, ds, year, check_cache, thresholds)
        ms = manual_by_leaf.get(j, {})
        if auto is not None:
            autos[j] = auto
            frac, known = _fraction(ind, auto, rows)
            got = np.floor(frac * pc + 0.5).astype(np.int64)
            if r.kind == "veto":
                status[:, j] = np.where(known, np.where(frac > 0, S_VIOLATED, S_CLEAR), S_INSUFFICIENT)
                who[:, j] = W_AUTO
            else:
                cents[:, j] = auto_cents[:, j] = got
                status[:, j] = np.where(known, S_SCORED, S_INSUFFICIENT)
                who[:, j] = np.where(known, W_AUTO, W_NONE)
        for i, m in ms.items():  # manual scores: only the regions that have one
            if r.kind == "veto":
                if m.vetoed is not None:
                    status[i, j], who[i, j] = (S_VIOLATED if m.vetoed else S_CLEAR), W_REVIEWER
                continue
            if m.reviewer_score is not None:
                cents[i, j], who[i, j], status[i, j] = (
                    min(max(to_cents(m.reviewer_score), 0), pc),
                    W_REVIEWER,
                    S_SCORED,
                )
            elif m.self_score is not None and auto is None:
                cents[i, j], who[i, j], status[i, j] = (
                    min(max(to_cents(m.self_score), 0), pc),
                    W_SELF,
                    S_SCORED,
                )
        if r.kind == "veto":
            cap = _band_index(bands, r.cap_grade, ind) if r.cap_grade else lowest
            cap_index = np.where(status[:, j] == S_VIOLATED, np.maximum(cap_index, cap), cap_index)

    sign = np.array(
        [0 if i.rule.kind == "veto" else (-1 if i.kind == "deduction" else 1) for i in leaves], np.int64
    )
    total = np.maximum((cents * sign).sum(axis=1) if L else np.zeros(n, np.int64), 0)
    if bands:
        mins = np.array([to_cents(b.min_score) for b in bands], np.int64)
        reached = total[:, None] >= mins[None, :]
        raw = np.where(reached.any(axis=1), reached.argmax(axis=1), lowest)
    else:
        raw = np.zeros(n, np.int64)
    return SchemeScores(
        scheme=scheme,
        year=year,
        regions=regions,
        leaves=leaves,
        cents=cents,
        who=who,
        status=status,
        auto_cents=auto_cents,
        total_cents=total,
        grade_index=np.maximum(raw, cap_index),
        raw_grade_index=raw,
        rank=competition_rank(total, rank_groups),
        _ds=ds,
        _targets=rows,
        _auto=autos,
        _manual=manual_by_leaf,
    )


def score_region(
    scheme: Scheme,
    ds: Dataset,
    year: int,
    region: str,
    manual: Mapping[tuple[str, str], ManualScore] | None = None,
    peers: Sequence[str] | None = None,
    thresholds: Thresholds | None = None,
) -> Scorecard:
    """One region's scorecard. The whole dataset is still read (previous years, child regions);
    the rank is among `peers`, by default the regions at the same depth of the region tree."""
    if peers is None:
        depth = region_depth(ds)
        peers = ds.regions[depth == depth[ds.index(region)]].tolist()
    return score_all(scheme, ds, year, manual, peers, thresholds=thresholds).scorecard(region)


def region_depth(ds: Dataset) -> np.ndarray:
    """0 for regions without a parent in the dataset, 1 for their children, and so on."""
    depth = np.zeros(len(ds), np.int64)
    up = ds.parent.copy()
    for _ in range(len(ds)):  # at most the tree height; stops at once on real data
        has = up >= 0
        if not has.any():
            break
        depth += has
        up = np.where(has, ds.parent[np.where(has, up, 0)], -1)
    return depth


def competition_rank(total: np.ndarray, groups: Sequence[str] | np.ndarray | None = None) -> np.ndarray:
    """1 + the number of entries (in the same group) with a strictly higher total: 1, 2, 2, 4."""
    total = np.asarray(total)
    rank = np.zeros(len(total), np.int64)
    labels = (
        np.zeros(len(total), np.int64)
        if groups is None
        else np.unique(np.asarray(groups), return_inverse=True)[1]
    )
    for g in np.unique(labels):
        idx = np.flatnonzero(labels == g)
        s = np.sort(total[idx])
        rank[idx] = len(idx) - np.searchsorted(s, total[idx], side="right") + 1
    return rank


def _band_index(bands, name: str, ind: Indicator) -> int:
    for k, b in enumerate(bands):
        if b.name == name:
            return k
    raise ScoringError(f"指标{ind.code}：一票否决的封顶等次“{name}”不是方案中的等次")


def _run_rule(ind: Indicator, ds: Dataset, year: int, cache: dict, thresholds) -> _Auto | None:
    r = ind.rule
    try:
        if r.kind in ("auto", "veto") and r.expression:
            e = parse(r.expression)
            return _Auto(e, e.evaluate(ds, year))
        if r.kind in ("check", "veto") and r.check:
            params = {k: v for k, v in (r.params or {}).items() if k != "manual"}
            key = (r.check, _frozen(params))
            if key not in cache:
                cache[key] = run_check(r.check, ds, year, params, thresholds)
            return _Auto(None, cache[key])
    except (ExprError, CheckError) as exc:
        raise ScoringError(f"指标{ind.code}（{ind.title}）：{exc}") from exc
    if r.kind in ("auto", "check"):
        raise ScoringError(
            f"指标{ind.code}（{ind.title}）：{r.kind}规则缺少{'expression' if r.kind == 'auto' else 'check'}"
        )
    return None


def _fraction(ind: Indicator, auto: _Auto, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Share of the points to award (or deduct / the veto violated, as 1.0) per target."""
    res = auto.result
    flip = ind.kind == "deduction" or ind.rule.kind == "veto"
    if isinstance(res, CheckResult):
        v = res.verdict[rows]
        known = v != INSUFFICIENT
        hit = (v == FAIL) if flip else (v == PASS)
        return np.where(known & hit, 1.0, 0.0), known
    known = res.known[rows]
    if res.kind == BOOL:
        return np.where(known & res.value[rows], 1.0, 0.0), known
    return np.where(known, np.clip(np.nan_to_num(res.value[rows]), 0.0, 1.0), 0.0), known


def _manual_index(
    manual: Mapping, regions: np.ndarray, leaves: list[Indicator]
) -> dict[int, dict[int, ManualScore]]:
    pos = {r: i for i, r in enumerate(regions.tolist())}
    leaf = {ind.code: j for j, ind in enumerate(leaves)}
    out: dict[int, dict[int, ManualScore]] = {}
    for (region, code), m in manual.items():
        if region in pos and code in leaf:
            out.setdefault(leaf[code], {})[pos[region]] = m
    return out
