"""The indicator expression language: parse once, evaluate over every region at once.

Syntax (tokenizer, parser, types, canonical text) lives in core.expr_syntax and the data shape
in core.dataset; this module is the public API and the vectorised evaluator.

Values are numbers or booleans (checked when parsing). Missing data never crashes and never
becomes a silent zero: every result carries a `known` mask, and an unknown operand makes the
result unknown (except `and`/`or`, which use three-valued logic: false and unknown is false).
Division by zero, overflow and a year outside the dataset are unknown too.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from .dataset import Dataset, Result
from .expr_syntax import (
    BOOL,
    COMPARISONS,
    FUNCTIONS,
    NUM,
    PEER_FUNCTIONS,
    Binary,
    Bool,
    Call,
    Elem,
    ExprError,
    Node,
    Num,
    Ref,
    Shift,
    Token,
    Unary,
    _Parser,
    _refs,
    _type,
    _walk,
    to_source,
    tokenize,
)

__all__ = [
    "BOOL",
    "COMPARISONS",
    "FUNCTIONS",
    "NUM",
    "PEER_FUNCTIONS",
    "Binary",
    "Bool",
    "Call",
    "Dataset",
    "Elem",
    "Expr",
    "ExprError",
    "Node",
    "Num",
    "Ref",
    "Result",
    "Shift",
    "Token",
    "Unary",
    "element_codes",
    "evaluate",
    "parse",
    "to_source",
    "tokenize",
]


class _Eval:
    def __init__(self, ds: Dataset, year: int):
        self.ds, self.year, self.n = ds, year, len(ds)

    def ev(self, node: Node, off: int) -> tuple[np.ndarray, np.ndarray]:
        match node:
            case Num(value=x):
                return np.full(self.n, x), np.ones(self.n, bool)
            case Bool(value=b):
                return np.full(self.n, b), np.ones(self.n, bool)
            case Elem(code=code):
                col = self.ds.column(code, self.year + off)
                known = np.isfinite(col)
                return np.where(known, col, 0.0), known
            case Shift(operand=o, offset=k):
                return self.ev(o, off + k)
            case Unary(op="not", operand=o):
                v, k = self.ev(o, off)
                return ~v & k, k
            case Unary(op=op, operand=o):
                v, k = self.ev(o, off)
                return (-v if op == "-" else v), k
            case Binary(op="and", left=a, right=b):
                (av, ak), (bv, bk) = self.ev(a, off), self.ev(b, off)
                known = (ak & bk) | (ak & ~av) | (bk & ~bv)
                return av & bv & known, known
            case Binary(op="or", left=a, right=b):
                (av, ak), (bv, bk) = self.ev(a, off), self.ev(b, off)
                known = (ak & bk) | (ak & av) | (bk & bv)
                return (av | bv) & known, known
            case Binary(op=op, left=a, right=b):
                (av, ak), (bv, bk) = self.ev(a, off), self.ev(b, off)
                return _binary(op, av, bv, ak & bk)
            case Call(name=name, args=args):
                return self.call(name, args, off)
        raise AssertionError(node)

    def call(self, name: str, args: tuple[Node, ...], off: int):
        if name == "growth":
            (a, ak), (b, bk) = self.ev(args[0], off), self.ev(args[0], off - 1)
            v, k = _binary("/", a, b, ak & bk)
            return _finite(v - 1.0, k)
        if name == "sum_children":
            v, k = self.ev(args[0], off)
            par = self.ds.parent
            has = par >= 0
            sums = np.bincount(par[has], weights=v[has], minlength=self.n)
            n_child = np.bincount(par[has], minlength=self.n)
            n_unknown = np.bincount(par[has], weights=~k[has], minlength=self.n)
            return _finite(sums, (n_child > 0) & (n_unknown == 0))
        if name == "if":
            (c, ck), (a, ak), (b, bk) = (self.ev(x, off) for x in args)
            known = ck & np.where(c, ak, bk)
            return _mask(np.where(c, a, b), known), known
        if name == "coalesce":
            v, k = self.ev(args[-1], off)
            for x in reversed(args[:-1]):
                xv, xk = self.ev(x, off)
                v, k = np.where(xk, xv, v), xk | k
            return v, k
        if name == "round":
            v, k = self.ev(args[0], off)
            scale = 10.0 ** (int(args[1].value) if len(args) == 2 else 0)  # type: ignore[attr-defined]
            with np.errstate(all="ignore"):
                r = np.sign(v) * np.floor(np.abs(v) * scale + 0.5) / scale
            return _finite(r, k)
        if name == "abs":
            v, k = self.ev(args[0], off)
            return np.abs(v), k
        if name in PEER_FUNCTIONS:
            return self.peer(name, args, off)
        vals = [self.ev(a, off) for a in args]
        fn = np.minimum if name == "min" else np.maximum
        v, k = vals[0]
        for xv, xk in vals[1:]:
            v, k = fn(v, xv), k & xk
        return _mask(v, k), k
        # the function table is closed: the parser rejects every other name


    def peer(self, name: str, args: tuple[Node, ...], off: int):
        """Aggregates over the peers (top-level rows: the cycle's evaluated regions; child rows are
        only there for sum_children), in one vectorised pass. A peer without the figure is left out."""
        v, k = self.ev(args[0], off)
        peers = self.ds.parent < 0
        known = peers & k
        n = int(known.sum())
        everyone = np.full(self.n, n > 0)
        if name == "peer_count":
            return np.full(self.n, float(n)), np.ones(self.n, bool)
        if name == "peer_mean":
            return (np.full(self.n, float(v[known].mean())) if n else np.zeros(self.n)), everyone
        if name == "peer_share":
            return (np.full(self.n, float(v[known].sum()) / n) if n else np.zeros(self.n)), everyone
        ranked = np.sort(v[known])
        # competition rank, highest first: 1 + the peers strictly above (ties share the better rank)
        rank = 1.0 + (n - np.searchsorted(ranked, v, side="right"))
        own = known  # a region's own rank needs its own figure
        if name == "peer_rank":
            return np.where(own, rank, 0.0), own
        values = [self.ev(a, off) for a in args[1:]]
        bands = len(values)
        # equal bands by rank: with n peers and b bands, rank r falls in band ⌈r·b/n⌉
        band = np.clip(np.ceil(rank * bands / max(n, 1)) - 1, 0, bands - 1).astype(np.int64)
        out, out_k = np.zeros(self.n), own.copy()
        for i, (bv, bk) in enumerate(values):
            here = band == i
            out = np.where(here, bv, out)
            out_k = np.where(here, out_k & bk, out_k)
        return _mask(out, out_k), out_k


def _mask(v: np.ndarray, k: np.ndarray) -> np.ndarray:
    return v & k if v.dtype == bool else np.where(k, v, 0.0)


def _finite(v: np.ndarray, k: np.ndarray):
    k = k & np.isfinite(v)
    return np.where(k, v, 0.0), k


def _binary(op: str, a: np.ndarray, b: np.ndarray, k: np.ndarray):
    with np.errstate(all="ignore"):
        if op == "+":
            return _finite(a + b, k)
        if op == "-":
            return _finite(a - b, k)
        if op == "*":
            return _finite(a * b, k)
        if op == "/":
            nz = b != 0
            return _finite(a / np.where(nz, b, 1.0), k & nz)
    cmp = {">=": np.greater_equal, ">": np.greater, "<=": np.less_equal, "<": np.less}
    if op in cmp:
        r = cmp[op](a, b)
    else:
        r = (a == b) if op == "==" else (a != b)
    return r & k, k


@dataclass(frozen=True)
class Expr:
    """A parsed, type-checked expression."""

    source: str
    ast: Node
    kind: str  # NUM or BOOL

    @cached_property
    def references(self) -> frozenset[Ref]:
        out: set[Ref] = set()
        _refs(self.ast, 0, False, out)
        return frozenset(out)

    @cached_property
    def codes(self) -> frozenset[str]:
        return frozenset(r.code for r in self.references)

    @cached_property
    def uses_peers(self) -> bool:
        """Whether one region's value depends on the other regions' figures (peer_… functions): then
        it cannot be recomputed alone."""
        return any(isinstance(n, Call) and n.name in PEER_FUNCTIONS for n in _walk(self.ast))

    def evaluate(self, ds: Dataset, year: int) -> Result:
        """Evaluate for `year` over every region of `ds` at once."""
        v, k = _Eval(ds, year).ev(self.ast, 0)
        if self.kind == NUM:
            v = np.where(k, v.astype(np.float64), np.nan)
        else:
            v = v.astype(bool) & k
        return Result(self.kind, v, k)

    @cached_property
    def _canonical(self) -> str:
        return to_source(self.ast)

    def canonical(self) -> str:
        return self._canonical


@lru_cache(maxsize=4096)
def _parse_cached(text: str) -> Expr:
    ast = _Parser(text).parse()
    try:
        kind = _type(ast)
    except ExprError as exc:
        if exc.token is not None:
            raise
        # type errors know the node's position only: name the token that starts there
        tok = next((t.text for t in tokenize(text) if t.pos == exc.pos), text[exc.pos : exc.pos + 10])
        raise ExprError(exc.zh, exc.en, exc.pos, tok) from None
    return Expr(text, ast, kind)


def parse(text: str, codes: Collection[str] | None = None) -> Expr:
    """Parse and type-check `text`. With `codes`, every #{code} must be one of them.

    Raises ExprError (a ValueError) for any fault; never anything else.
    """
    if not isinstance(text, str):
        raise ExprError("表达式应为文本", "an expression must be text", 0, "")
    try:
        expr = _parse_cached(text)
    except RecursionError:  # defensive: MAX_DEPTH keeps well below the limit
        raise ExprError("表达式嵌套过深", "expression nested too deeply", 0, "") from None
    if codes is not None:
        for node in _walk(expr.ast):
            if isinstance(node, Elem) and node.code not in codes:
                raise ExprError(
                    "未知的数据元素代码", "unknown data element code", node.pos, f"#{{{node.code}}}"
                )
    return expr


def element_codes(text_or_expr: str | Expr) -> frozenset[str]:
    """The data element codes an expression refers to (the figures behind a score)."""
    e = parse(text_or_expr) if isinstance(text_or_expr, str) else text_or_expr
    return e.codes


def evaluate(text_or_expr: str | Expr, ds: Dataset, year: int) -> Result:
    e = parse(text_or_expr) if isinstance(text_or_expr, str) else text_or_expr
    return e.evaluate(ds, year)
