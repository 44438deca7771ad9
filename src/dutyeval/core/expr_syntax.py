"""Syntax of the indicator expression language: tokens, AST, parser, type check, unparse.

Grammar (lowest precedence first; see docs/expressions.md):

    expr       := or
    or         := and ('or' and)*
    and        := not ('and' not)*
    not        := 'not' not | comparison
    comparison := sum (('>=' | '>' | '<=' | '<' | '==' | '!=') sum)?     -- no chains
    sum        := product (('+' | '-') product)*
    product    := unary (('*' | '/') unary)*
    unary      := ('-' | '+') unary | postfix
    postfix    := primary ('[' 'y' (('+' | '-') INT)? ']')*                  -- year offset
                  (prev(x) is x[y-1]: each element's own previous data year)
    primary    := NUMBER | 'true' | 'false' | '#{' CODE '}' | NAME '(' args ')' | '(' expr ')'

Safe by construction: a hand-written tokenizer and recursive-descent parser into a closed set
of AST nodes; there is no Python `eval`, no attribute access and no name lookup beyond the
fixed function table. Use the public API in core.expr.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

NUM, BOOL = "num", "bool"
MAX_LENGTH = 10_000
MAX_DEPTH = 60  # nesting limit, far above any real indicator, well below Python's stack


class ExprError(ValueError):
    """A parse or type error, naming the 0-based position and the offending token."""

    def __init__(self, zh: str, en: str, pos: int, token: str | None = ""):
        self.zh, self.en, self.pos, self.token = zh, en, pos, token
        near = f"“{token}”" if token else "表达式末尾"
        near_en = f"'{token}'" if token else "end of expression"
        super().__init__(f"位置{pos}（从0起算）{near}处：{zh} / at position {pos}, near {near_en}: {en}")


# ---- tokens ----------------------------------------------------------------------------------
_TOKEN = re.compile(
    r"""(?P<ws>\s+)
      | (?P<elem>\#\{\s*(?P<code>[A-Za-z_][A-Za-z0-9_]*)\s*\})
      | (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<op>>=|<=|==|!=|[-+*/()<>,\[\]])
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Token:
    kind: str  # elem num name op end
    text: str
    pos: int
    value: str = ""


def tokenize(text: str) -> list[Token]:
    if len(text) > MAX_LENGTH:
        raise ExprError("表达式过长", "expression too long", MAX_LENGTH, "")
    out: list[Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            if text.startswith("#", pos):
                raise ExprError(
                    "数据元素应写作 #{代码}", "a data element is written #{code}", pos, text[pos : pos + 12]
                )
            raise ExprError("无法识别的字符", "unexpected character", pos, text[pos])
        kind = m.lastgroup if m.lastgroup != "code" else "elem"
        if kind == "elem":
            out.append(Token("elem", m.group(0), pos, m.group("code")))
        elif kind != "ws":
            out.append(Token(kind, m.group(0), pos))
        pos = m.end()
    out.append(Token("end", "", len(text)))
    return out


# ---- AST -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Node:
    pos: int = field(default=0, compare=False, kw_only=True)


@dataclass(frozen=True)
class Num(Node):
    value: float


@dataclass(frozen=True)
class Bool(Node):
    value: bool


@dataclass(frozen=True)
class Elem(Node):
    code: str


@dataclass(frozen=True)
class Shift(Node):
    operand: Node
    offset: int


@dataclass(frozen=True)
class Unary(Node):
    op: str  # '-', '+', 'not'
    operand: Node


@dataclass(frozen=True)
class Binary(Node):
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Call(Node):
    name: str
    args: tuple[Node, ...]


COMPARISONS = (">=", ">", "<=", "<", "==", "!=")
# name: (min args, max args or None for any, description)
FUNCTIONS: dict[str, tuple[int, int | None, str]] = {
    "growth": (1, 1, "增长率 x / x[y-1] - 1"),
    # each element's own previous data year: finance 2019 before 2020, school year 2019/2020 before 2020/2021
    "prev": (1, 1, "上一数据年度的值 prev(x)，即 x[y-1]"),
    "sum_children": (1, 1, "下级地区合计"),
    "if": (3, 3, "条件取值 if(条件, 是, 否)"),
    "min": (2, None, "最小值"),
    "max": (2, None, "最大值"),
    "round": (1, 2, "四舍五入 round(x, 位数)"),
    "abs": (1, 1, "绝对值"),
    "coalesce": (1, None, "第一个有数据的值"),
    # peers: the cycle's evaluated regions (the dataset's top-level rows), with a known value
    "peer_mean": (1, 1, "参评地区平均值"),
    "peer_count": (1, 1, "有数据的参评地区数"),
    "peer_rank": (1, 1, "在参评地区中由高到低的名次（并列同名次）"),
    "peer_share": (1, 1, "条件成立的参评地区占比 0–1"),
    "rank_band": (3, None, "按名次等分档次取值 rank_band(x, 第一档, 第二档, …)"),
}
PEER_FUNCTIONS = frozenset({"peer_mean", "peer_count", "peer_rank", "peer_share", "rank_band"})


# ---- parser ----------------------------------------------------------------------------------
class _Parser:
    def __init__(self, text: str):
        self.toks = tokenize(text)
        self.i = 0
        self.depth = 0

    @property
    def tok(self) -> Token:
        return self.toks[self.i]

    def fail(self, zh: str, en: str, tok: Token | None = None):
        t = tok or self.tok
        raise ExprError(zh, en, t.pos, t.text)

    def take(self) -> Token:
        t = self.tok
        self.i += 1
        return t

    def expect(self, text: str) -> Token:
        if self.tok.text != text or self.tok.kind not in ("op", "name"):
            self.fail(f"此处应为“{text}”", f"expected '{text}'")
        return self.take()

    def is_kw(self, word: str) -> bool:
        return self.tok.kind == "name" and self.tok.text == word

    def nest(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.fail("表达式嵌套过深", "expression nested too deeply")

    def parse(self) -> Node:
        node = self.or_()
        if self.tok.kind != "end":
            self.fail("多余的内容", "unexpected token")
        return node

    def or_(self) -> Node:
        node = self.and_()
        while self.is_kw("or"):
            t = self.take()
            node = Binary("or", node, self.and_(), pos=t.pos)
        return node

    def and_(self) -> Node:
        node = self.not_()
        while self.is_kw("and"):
            t = self.take()
            node = Binary("and", node, self.not_(), pos=t.pos)
        return node

    def not_(self) -> Node:
        if self.is_kw("not"):
            t = self.take()
            self.nest()
            node = Unary("not", self.not_(), pos=t.pos)
            self.depth -= 1
            return node
        return self.comparison()

    def comparison(self) -> Node:
        node = self.sum_()
        if self.tok.kind == "op" and self.tok.text in COMPARISONS:
            t = self.take()
            node = Binary(t.text, node, self.sum_(), pos=t.pos)
            if self.tok.kind == "op" and self.tok.text in COMPARISONS:
                self.fail("比较不能连写，请用 and 连接", "comparisons cannot be chained; use 'and'")
        return node

    def sum_(self) -> Node:
        node = self.product()
        while self.tok.kind == "op" and self.tok.text in "+-":
            t = self.take()
            node = Binary(t.text, node, self.product(), pos=t.pos)
        return node

    def product(self) -> Node:
        node = self.unary()
        while self.tok.kind == "op" and self.tok.text in "*/":
            t = self.take()
            node = Binary(t.text, node, self.unary(), pos=t.pos)
        return node

    def unary(self) -> Node:
        if self.tok.kind == "op" and self.tok.text in "+-":
            t = self.take()
            self.nest()
            node = Unary(t.text, self.unary(), pos=t.pos)
            self.depth -= 1
            return node
        return self.postfix()

    def postfix(self) -> Node:
        node = self.primary()
        while self.tok.kind == "op" and self.tok.text == "[":
            t = self.take()
            if not self.is_kw("y"):
                self.fail("年份偏移应写作 [y-1]", "a year offset is written [y-1]")
            self.take()
            offset = 0
            if self.tok.kind == "op" and self.tok.text in "+-":
                sign = -1 if self.take().text == "-" else 1
                if self.tok.kind != "num" or not self.tok.text.isdigit() or len(self.tok.text) > 3:
                    self.fail("年份偏移应为整数", "a year offset must be a whole number")
                offset = sign * int(self.take().text)
            self.expect("]")
            node = Shift(node, offset, pos=t.pos)
        return node

    def primary(self) -> Node:
        t = self.tok
        if t.kind == "num":
            self.take()
            value = float(t.text)
            if not math.isfinite(value):
                self.fail("数值超出范围", "number out of range", t)
            return Num(value, pos=t.pos)
        if t.kind == "elem":
            self.take()
            return Elem(t.value, pos=t.pos)
        if t.kind == "name":
            if t.text in ("true", "false"):
                self.take()
                return Bool(t.text == "true", pos=t.pos)
            if t.text not in FUNCTIONS:
                hint = "（数据元素请写作 #{代码}）" if t.text not in ("and", "or", "not", "y") else ""
                self.fail(f"未知的函数或名称{hint}", "unknown function or name")
            self.take()
            self.expect("(")
            self.nest()
            args: list[Node] = []
            if not (self.tok.kind == "op" and self.tok.text == ")"):
                args.append(self.or_())
                while self.tok.kind == "op" and self.tok.text == ",":
                    self.take()
                    args.append(self.or_())
            self.expect(")")
            self.depth -= 1
            lo, hi, _ = FUNCTIONS[t.text]
            if len(args) < lo or (hi is not None and len(args) > hi):
                want = f"{lo}" if lo == hi else f"{lo}–{hi}" if hi else f"至少{lo}"
                self.fail(
                    f"{t.text}需要{want}个参数，给了{len(args)}个", f"{t.text} takes {want} arguments", t
                )
            if t.text == "prev":  # sugar: the same node as x[y-1], so one canonical text
                return Shift(args[0], -1, pos=t.pos)
            return Call(t.text, tuple(args), pos=t.pos)
        if t.kind == "op" and t.text == "(":
            self.nest()
            self.take()
            node = self.or_()
            self.expect(")")
            self.depth -= 1
            return node
        if t.kind == "end":
            self.fail("表达式不完整", "unexpected end of expression")
        self.fail("此处应为数值、数据元素或函数", "expected a number, a data element or a function")
        raise AssertionError  # unreachable: fail() raises


# ---- types -----------------------------------------------------------------------------------
def _type(node: Node) -> str:
    def need(n: Node, want: str, what: str) -> None:
        got = _type(n)
        if got != want:
            zh = "数值" if want == NUM else "真假值"
            what_en = {"if的条件": "the condition of if", "if的两个分支": "the branches of if"}.get(
                what, what
            )
            en = f"{what_en} needs a {'number' if want == NUM else 'boolean'}"
            raise ExprError(f"{what}需要{zh}", en, n.pos, None)

    match node:
        case Num():
            return NUM
        case Bool():
            return BOOL
        case Elem():
            return NUM
        case Shift(operand=o):
            return _type(o)
        case Unary(op="not", operand=o):
            need(o, BOOL, "not")
            return BOOL
        case Unary(operand=o):
            need(o, NUM, node.op)
            return NUM
        case Binary(op="and" | "or" as op, left=a, right=b):
            need(a, BOOL, op)
            need(b, BOOL, op)
            return BOOL
        case Binary(op="==" | "!=" as op, left=a, right=b):
            if _type(a) != _type(b):
                raise ExprError(
                    "比较两边类型不同", "both sides of a comparison must have one type", node.pos, None
                )
            return BOOL
        case Binary(op=op, left=a, right=b) if op in COMPARISONS:
            need(a, NUM, op)
            need(b, NUM, op)
            return BOOL
        case Binary(op=op, left=a, right=b):
            need(a, NUM, op)
            need(b, NUM, op)
            return NUM
        case Call(name="if", args=(c, a, b)):
            need(c, BOOL, "if的条件")
            t = _type(a)
            need(b, t, "if的两个分支")
            return t
        case Call(name="coalesce", args=args):
            t = _type(args[0])
            for a in args[1:]:
                need(a, t, "coalesce")
            return t
        case Call(name="round", args=args):
            need(args[0], NUM, "round")
            if len(args) == 2:
                n = args[1]
                if not (isinstance(n, Num) and n.value == int(n.value) and 0 <= n.value <= 10):
                    raise ExprError(
                        "round的位数应为0–10的整数", "round digits must be a whole number 0–10", n.pos, None
                    )
            return NUM
        case Call(name="peer_share", args=(c,)):
            need(c, BOOL, "peer_share")
            return NUM
        case Call(name=name, args=args):
            for a in args:
                need(a, NUM, name)
            return NUM
    raise AssertionError(node)


@dataclass(frozen=True)
class Ref:
    """A figure an expression reads: element `code` at `offset` years from the evaluated year,
    from the region itself or (children=True) from each of its child regions."""

    code: str
    offset: int
    children: bool = False


def _refs(node: Node, off: int, children: bool, out: set[Ref]) -> None:
    match node:
        case Elem(code=code):
            out.add(Ref(code, off, children))
        case Shift(operand=o, offset=k):
            _refs(o, off + k, children, out)
        case Call(name="growth", args=(a,)):
            _refs(a, off, children, out)
            _refs(a, off - 1, children, out)
        case Call(name="sum_children", args=(a,)):
            _refs(a, off, True, out)
        case Call(args=args):
            for a in args:
                _refs(a, off, children, out)
        case Unary(operand=o):
            _refs(o, off, children, out)
        case Binary(left=a, right=b):
            _refs(a, off, children, out)
            _refs(b, off, children, out)


# ---- unparse ---------------------------------------------------------------------------------
_PREC = {"or": 1, "and": 2, "not": 3, **dict.fromkeys(COMPARISONS, 4), "+": 5, "-": 5, "*": 6, "/": 6}
_UNARY, _POSTFIX = 7, 8


def _prec(node: Node) -> int:
    if isinstance(node, Binary):
        return _PREC[node.op]
    if isinstance(node, Unary):
        return _PREC["not"] if node.op == "not" else _UNARY
    return _POSTFIX + 1


def to_source(node: Node) -> str:
    """Canonical text of an AST; parse(to_source(n)) == n."""

    def wrap(n: Node, min_prec: int) -> str:
        s = to_source(n)
        return f"({s})" if _prec(n) < min_prec else s

    match node:
        case Num(value=v):
            return repr(int(v)) if v == int(v) and abs(v) < 1e15 else repr(v)
        case Bool(value=v):
            return "true" if v else "false"
        case Elem(code=c):
            return f"#{{{c}}}"
        case Shift(operand=o, offset=k):
            suffix = "" if k == 0 else f"{k:+d}"
            return f"{wrap(o, _POSTFIX + 1)}[y{suffix}]"
        case Unary(op="not", operand=o):
            return f"not {wrap(o, _PREC['not'])}"
        case Unary(op=op, operand=o):
            return f"{op}{wrap(o, _UNARY)}"
        case Binary(op=op, left=a, right=b):
            p = _PREC[op]
            # left-associative: an equal-precedence right operand keeps its parentheses
            left_min = p + 1 if op in COMPARISONS else p
            return f"{wrap(a, left_min)} {op} {wrap(b, p + 1)}"
        case Call(name=name, args=args):
            return f"{name}({', '.join(to_source(a) for a in args)})"
    raise AssertionError(node)


def _walk(node: Node):
    yield node
    for child in (getattr(node, "operand", None), getattr(node, "left", None), getattr(node, "right", None)):
        if child is not None:
            yield from _walk(child)
    for a in getattr(node, "args", ()):
        yield from _walk(a)
