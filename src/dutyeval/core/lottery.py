"""Publicly verifiable random draws (抽签): the counties to visit, on the day the towns and schools.

Pure Python, no Django: the web app, the CLI (`dutyeval draw make|verify`) and anyone's own
verifier compute the same thing. docs/draws.md explains the ceremony for observers; this module is
the reference implementation of the byte-level procedure it documents (ALGORITHM below).

A draw is a deterministic function of five things, all in the record:

* the **frame** (抽签名单): columns, the units as rows in code order, exclusions and forced
  inclusions each with a reason — published before the draw, identified by `frame_sha256`;
* the **parameters**: how many (`n`), the stratum column and its minimum per stratum, the weight
  column (all published with the frame);
* the **secret**, chosen by the office and committed beforehand by its SHA-256 (`commitment`),
  revealed only in the record: so the observers alone cannot steer the result;
* the **public inputs**, texts the observers call out at the draw (dice, numbers, the closing
  figure of a public lottery): so the office alone cannot steer it either;
* the **algorithm version** string.

Procedure `dutyeval-draw/1` (every step is exact integer arithmetic):

1. ``canonical(x)`` = RFC 8785 JSON: UTF-8, no insignificant whitespace, object keys sorted, strings
   escaped minimally (only ``"`` ``\\`` and U+0000–U+001F); the values here are strings, integers,
   null, lists and objects with ASCII keys — Python's ``json.dumps(x, ensure_ascii=False,
   sort_keys=True, separators=(",", ":"))``.
2. ``frame_sha256`` = hex SHA-256 of canonical(frame), frame = {"columns", "rows", "exclusions",
   "forced"}; ``commitment`` = hex SHA-256 of the secret's UTF-8 bytes.
3. ``seed`` = SHA-256 of canonical({"algorithm", "frame_sha256", "parameters", "secret",
   "public_inputs": [the texts, in the order entered]}) — 32 bytes.
4. Random stream: block k (k = 0, 1, 2, …) = HMAC-SHA256(key = seed, message = k as 8 bytes
   big-endian); each block is read as four unsigned 64-bit big-endian integers, in order.
5. ``below(m)``, an unbiased integer in [0, m): limit = 2^64 − (2^64 mod m); take the next integer x
   of the stream until x < limit; return x mod m. (Always consumes at least one integer.)
6. ``pick(pool)`` from a list of units in frame order, with weights w (1 each if no weight column):
   total = Σw; r = below(total); the unit picked is the first whose running sum of weights exceeds
   r; it leaves the pool (the others keep their order).
7. Selection: eligible = rows not excluded. (a) the forced units, in frame order; (b) for each
   stratum in the order it first appears in the frame, pick (min_per_stratum − units of the stratum
   already selected) times from its eligible unselected units; (c) pick the rest, up to n, from
   all eligible unselected units. The result lists the units in that order, each with how it came
   in and, for picks, r and total.
8. ``record_sha256`` = hex SHA-256 of canonical(record without "record_sha256").
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import re
import secrets as _secrets
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

ALGORITHM = "dutyeval-draw/1"
RECORD_FORMAT = "dutyeval-draw-record/1"
SECRET_MIN_LENGTH = 16
_TWO64 = 1 << 64
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_WEIGHT = re.compile(r"[1-9][0-9]{0,17}")  # a positive integer (below 10^18: sums stay exact anywhere)
EXCLUDE_COLUMNS = ("排除理由", "exclude_reason")
FORCE_COLUMNS = ("必抽理由", "force_reason")


class DrawError(ValueError):
    """Bad input for a draw: the message is the Chinese text shown to the user; nothing is recorded."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message = message
        self.field = field


# ---------------------------------------------------------------------------------------------
# Canonical bytes and hashes


def canonical(obj) -> bytes:
    """RFC 8785 canonical JSON for the values a record holds (strings, ints, null, lists, objects)."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False).encode(
        "utf-8"
    )


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def commitment_of(secret: str) -> str:
    """The commitment published before the draw: hex SHA-256 of the secret's UTF-8 bytes."""
    return sha256_hex(secret.encode("utf-8"))


def new_secret() -> str:
    """256 bits from the operating system's CSPRNG, as 64 lowercase hex characters."""
    return _secrets.token_hex(32)


def normalize_input(text: str) -> str:
    """How a called-out public input is written down: NFKC (full-width digits and spaces become
    ASCII), runs of white space become one space, no space at either end. The record holds the
    normalized text; the algorithm uses the record's text as it is."""
    text = unicodedata.normalize("NFKC", str(text))
    return " ".join(text.split())


def _text(value, what: str, field_name: str, *, empty_ok: bool = False) -> str:
    if not isinstance(value, str):
        raise DrawError(f"{what}必须是文字", field_name)
    if not value and not empty_ok:
        raise DrawError(f"{what}不能为空", field_name)
    if _CONTROL.search(value):
        raise DrawError(f"{what}含有控制字符（如换行、制表符）：{value!r}", field_name)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise DrawError(f"{what}含有无效字符", field_name) from None
    return value


# ---------------------------------------------------------------------------------------------
# Frame and parameters


@dataclass(frozen=True)
class Note:
    """An exclusion (e.g. 上年已实地核查) or a forced inclusion (e.g. 自评可信度低), with its reason."""

    code: str
    reason: str

    def to_json(self) -> dict:
        return {"code": self.code, "reason": self.reason}


@dataclass(frozen=True)
class Frame:
    """The published list: `columns[0]` names the unit code; rows in code order; notes by code."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    exclusions: tuple[Note, ...] = ()
    forced: tuple[Note, ...] = ()

    @property
    def codes(self) -> list[str]:
        return [r[0] for r in self.rows]

    def column(self, name: str) -> int:
        return self.columns.index(name)

    def to_json(self) -> dict:
        return {
            "columns": list(self.columns),
            "rows": [list(r) for r in self.rows],
            "exclusions": [n.to_json() for n in self.exclusions],
            "forced": [n.to_json() for n in self.forced],
        }

    @property
    def sha256(self) -> str:
        return sha256_hex(canonical(self.to_json()))

    @classmethod
    def from_json(cls, data) -> Frame:
        """Read a frame as a record holds it; raises DrawError when its shape is wrong (not when its
        content is: `check_frame` says that)."""
        if not isinstance(data, dict):
            raise DrawError("名单（frame）必须是 JSON 对象", "frame")
        try:
            return cls(
                columns=tuple(data["columns"]),
                rows=tuple(tuple(r) for r in data["rows"]),
                exclusions=tuple(Note(str(n["code"]), n["reason"]) for n in data.get("exclusions", [])),
                forced=tuple(Note(str(n["code"]), n["reason"]) for n in data.get("forced", [])),
            )
        except (KeyError, TypeError) as e:
            raise DrawError(f"名单（frame）格式不对：缺少或无法读取 {e}", "frame") from None


def make_frame(columns: Sequence[str], rows: Iterable[Sequence[str]], exclusions: Iterable[Note] = (),
               forced: Iterable[Note] = ()) -> Frame:
    """A checked frame in canonical order: rows and notes sorted by code (Unicode code point order)."""
    frame = Frame(
        columns=tuple(columns),
        rows=tuple(sorted((tuple(r) for r in rows), key=lambda r: r[0] if r else "")),
        exclusions=tuple(sorted(exclusions, key=lambda n: n.code)),
        forced=tuple(sorted(forced, key=lambda n: n.code)),
    )
    check_frame(frame)
    return frame


def check_frame(frame: Frame) -> None:
    """Raise DrawError (Chinese, naming the row or code) unless the frame is well formed."""
    if not frame.columns:
        raise DrawError("名单没有列", "frame")
    for i, c in enumerate(frame.columns):
        _text(c, f"第 {i + 1} 列的列名", "frame")
    if len(set(frame.columns)) != len(frame.columns):
        raise DrawError("名单的列名重复", "frame")
    if not frame.rows:
        raise DrawError("名单中没有任何单位", "frame")
    seen: set[str] = set()
    previous = None
    for k, row in enumerate(frame.rows, start=1):
        if len(row) != len(frame.columns):
            raise DrawError(f"名单第 {k} 个单位有 {len(row)} 项，应为 {len(frame.columns)} 项（与列名一致）", "frame")
        for c, cell in zip(frame.columns, row, strict=True):
            _text(cell, f"名单第 {k} 个单位的“{c}”", "frame", empty_ok=c != frame.columns[0])
        code = row[0]
        if code in seen:
            raise DrawError(f"名单中代码 {code} 重复", "frame")
        if previous is not None and code < previous:
            raise DrawError(f"名单未按代码排序：{code} 排在 {previous} 之后", "frame")
        seen.add(code)
        previous = code
    for what, notes in (("排除", frame.exclusions), ("必抽", frame.forced)):
        codes = [n.code for n in notes]
        if codes != sorted(codes):
            raise DrawError(f"{what}名单未按代码排序", "frame")
        if len(set(codes)) != len(codes):
            raise DrawError(f"{what}名单中有重复的代码", "frame")
        for n in notes:
            if n.code not in seen:
                raise DrawError(f"{what}的单位 {n.code} 不在名单中", "frame")
            if not isinstance(n.reason, str) or not n.reason.strip():
                raise DrawError(f"{what}单位 {n.code} 必须写明理由", "frame")
            _text(n.reason, f"{what}单位 {n.code} 的理由", "frame")
    both = {n.code for n in frame.exclusions} & {n.code for n in frame.forced}
    if both:
        raise DrawError(f"单位 {'、'.join(sorted(both))} 不能既排除又必抽", "frame")


@dataclass(frozen=True)
class Parameters:
    n: int
    strata: str | None = None  # the column whose values are the strata
    min_per_stratum: int = 1  # ignored without strata
    weight: str | None = None  # the column holding each unit's positive integer weight

    def to_json(self) -> dict:
        return {"n": self.n, "strata": self.strata, "min_per_stratum": self.min_per_stratum, "weight": self.weight}

    @classmethod
    def from_json(cls, data) -> Parameters:
        if not isinstance(data, dict):
            raise DrawError("参数（parameters）必须是 JSON 对象", "parameters")
        p = cls(n=data.get("n"), strata=data.get("strata"), min_per_stratum=data.get("min_per_stratum", 1),
                weight=data.get("weight"))
        for name in ("n", "min_per_stratum"):
            v = getattr(p, name)
            if not isinstance(v, int) or isinstance(v, bool):
                raise DrawError(f"参数 {name} 必须是整数", "parameters")
        for name in ("strata", "weight"):
            if getattr(p, name) is not None and not isinstance(getattr(p, name), str):
                raise DrawError(f"参数 {name} 必须是列名或 null", "parameters")
        return p


@dataclass(frozen=True)
class Stratum:
    value: str
    units: int  # in the frame
    eligible: int  # not excluded
    forced: int
    minimum: int  # to be selected at least


@dataclass
class Plan:
    """What the frame and parameters promise, checked before anything is published or drawn."""

    eligible: list[int]  # row indexes, frame order
    weights: list[int]  # per row (1 without a weight column)
    forced: list[int]
    strata: list[Stratum] = field(default_factory=list)
    stratum_of: list[str | None] = field(default_factory=list)  # per row


def plan(frame: Frame, params: Parameters) -> Plan:
    """Check that the draw can be made as asked; raise DrawError (Chinese) when it cannot."""
    check_frame(frame)
    n = params.n
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise DrawError("抽取数量必须是正整数", "parameters")
    excluded = {x.code for x in frame.exclusions}
    forced_codes = {x.code for x in frame.forced}
    eligible = [i for i, r in enumerate(frame.rows) if r[0] not in excluded]
    forced = [i for i, r in enumerate(frame.rows) if r[0] in forced_codes]
    if len(eligible) < n:
        raise DrawError(
            f"名单中可抽取的单位只有 {len(eligible)} 个（共 {len(frame.rows)} 个，排除 {len(excluded)} 个），"
            f"少于要抽取的 {n} 个", "parameters")
    if len(forced) > n:
        raise DrawError(f"必抽单位有 {len(forced)} 个，超过了抽取数量 {n}", "parameters")
    weights = [1] * len(frame.rows)
    if params.weight is not None:
        if params.weight not in frame.columns:
            raise DrawError(f"名单中没有权重列“{params.weight}”（现有列：{'、'.join(frame.columns)}）", "parameters")
        col = frame.column(params.weight)
        for i in eligible:
            cell = frame.rows[i][col]
            if not _WEIGHT.fullmatch(cell):
                raise DrawError(f"单位 {frame.rows[i][0]} 的权重“{cell}”不是正整数", "parameters")
            weights[i] = int(cell)
    out = Plan(eligible=eligible, weights=weights, forced=forced, stratum_of=[None] * len(frame.rows))
    if params.strata is None:
        return out
    if params.strata not in frame.columns:
        raise DrawError(f"名单中没有分层列“{params.strata}”（现有列：{'、'.join(frame.columns)}）", "parameters")
    m = params.min_per_stratum
    if not isinstance(m, int) or isinstance(m, bool) or m < 0:
        raise DrawError("每层至少抽取的数量必须是非负整数", "parameters")
    col = frame.column(params.strata)
    order: list[str] = []
    for i, row in enumerate(frame.rows):
        value = row[col]
        if not value:
            raise DrawError(f"单位 {row[0]} 的分层列“{params.strata}”为空", "parameters")
        out.stratum_of[i] = value
        if value not in order:
            order.append(value)
    eligible_set, forced_set = set(eligible), set(forced)
    needed = len(forced)
    for value in order:
        rows = [i for i, s in enumerate(out.stratum_of) if s == value]
        el = sum(1 for i in rows if i in eligible_set)
        fo = sum(1 for i in rows if i in forced_set)
        if el < m:
            raise DrawError(
                f"分层要求无法满足：“{value}”只有 {el} 个可抽取的单位（共 {len(rows)} 个），"
                f"少于每层至少 {m} 个", "parameters")
        needed += max(0, m - fo)
        out.strata.append(Stratum(value=value, units=len(rows), eligible=el, forced=fo, minimum=m))
    if needed > n:
        raise DrawError(
            f"分层要求无法满足：{len(order)} 层每层至少 {m} 个（含必抽 {len(forced)} 个）共需 {needed} 个，"
            f"超过了抽取数量 {n}", "parameters")
    return out


# ---------------------------------------------------------------------------------------------
# The random stream and the selection


class Stream:
    """HMAC-SHA256(seed, counter) in counter mode, read as unsigned 64-bit big-endian integers."""

    def __init__(self, seed: bytes):
        self.seed = seed
        self.counter = 0
        self._buffer: list[int] = []

    def next_u64(self) -> int:
        if not self._buffer:
            block = hmac.new(self.seed, self.counter.to_bytes(8, "big"), hashlib.sha256).digest()
            self.counter += 1
            self._buffer = [int.from_bytes(block[i : i + 8], "big") for i in (24, 16, 8, 0)]
        return self._buffer.pop()  # the list is reversed: pops bytes 0–7 first

    def below(self, m: int) -> int:
        """Unbiased integer in [0, m) by rejection sampling."""
        if m < 1:
            raise ValueError("below(m) needs m >= 1")
        limit = _TWO64 - (_TWO64 % m)
        while True:
            x = self.next_u64()
            if x < limit:
                return x % m


def _pick(stream: Stream, pool: list[int], weights: list[int]) -> tuple[int, int, int]:
    """Remove and return (row, r, total) from `pool` (frame order), with probability weight/total."""
    total = sum(weights[i] for i in pool)
    r = stream.below(total)
    running = 0
    for pos, i in enumerate(pool):
        running += weights[i]
        if r < running:
            del pool[pos]
            return i, r, total
    raise AssertionError("unreachable: r < total")


def seed_of(frame_sha256: str, params: Parameters, secret: str, inputs: Sequence[str],
            algorithm: str = ALGORITHM) -> bytes:
    material = {"algorithm": algorithm, "frame_sha256": frame_sha256, "parameters": params.to_json(),
                "secret": secret, "public_inputs": list(inputs)}
    return hashlib.sha256(canonical(material)).digest()


def select(frame: Frame, params: Parameters, seed: bytes, checked: Plan | None = None) -> list[dict]:
    """The result for a seed: one entry per selected unit, in selection order. `checked`: the plan of
    this frame and these parameters, when the caller made it already (many draws of one frame)."""
    p = checked or plan(frame, params)
    stream = Stream(seed)
    chosen: set[int] = set()
    out: list[dict] = []

    def add(i: int, how: str, r=None, total=None):
        chosen.add(i)
        out.append({"code": frame.rows[i][0], "how": how, "stratum": p.stratum_of[i], "r": r, "total": total})

    for i in p.forced:
        add(i, "forced")
    for s in p.strata:
        have = sum(1 for i in chosen if p.stratum_of[i] == s.value)
        pool = [i for i in p.eligible if p.stratum_of[i] == s.value and i not in chosen]
        for _ in range(max(0, s.minimum - have)):
            i, r, total = _pick(stream, pool, p.weights)
            add(i, "stratum", r, total)
    pool = [i for i in p.eligible if i not in chosen]
    while len(out) < params.n:
        i, r, total = _pick(stream, pool, p.weights)
        add(i, "draw", r, total)
    return out


# ---------------------------------------------------------------------------------------------
# Records


def check_secret(secret: str, commitment: str | None) -> None:
    if not commitment:
        raise DrawError("缺少事先公布的承诺值（秘密值的 SHA-256），不能抽签", "commitment")
    if not isinstance(secret, str) or len(secret) < SECRET_MIN_LENGTH:
        raise DrawError(f"秘密值至少 {SECRET_MIN_LENGTH} 个字符（建议由系统生成 64 位十六进制）", "secret")
    _text(secret, "秘密值", "secret")
    if commitment_of(secret) != commitment:
        raise DrawError("秘密值与事先公布的承诺值不符", "commitment")


def check_inputs(inputs: Sequence[dict]) -> list[str]:
    if not inputs:
        raise DrawError("至少需要一条现场公开输入（监督人员报出的数字等），否则结果只由秘密值决定", "public_inputs")
    texts = []
    for k, entry in enumerate(inputs, start=1):
        text = entry.get("text") if isinstance(entry, dict) else None
        texts.append(_text(text, f"第 {k} 条公开输入", "public_inputs"))
    return texts


def make_record(frame: Frame, params: Parameters, secret: str, commitment: str | None,
                public_inputs: Sequence[dict], meta: dict | None = None) -> dict:
    """Make the draw. `public_inputs`: [{"text": …, "by": …, …}] in the order entered (only the texts
    enter the seed). Raises DrawError, having computed nothing, on any bad input."""
    plan(frame, params)
    check_secret(secret, commitment)
    texts = check_inputs(public_inputs)
    frame_sha = frame.sha256
    seed = seed_of(frame_sha, params, secret, texts)
    record = {
        "format": RECORD_FORMAT,
        "algorithm": ALGORITHM,
        "meta": dict(meta or {}),
        "frame": frame.to_json(),
        "frame_sha256": frame_sha,
        "parameters": params.to_json(),
        "commitment": commitment,
        "public_inputs": [dict(e) for e in public_inputs],
        "secret": secret,
        "seed": seed.hex(),
        "result": select(frame, params, seed),
    }
    record["record_sha256"] = record_hash(record)
    return record


def record_hash(record: dict) -> str:
    return sha256_hex(canonical({k: v for k, v in record.items() if k != "record_sha256"}))


def announcement(frame: Frame, params: Parameters, commitment: str, meta: dict | None = None) -> dict:
    """What is published before the draw: everything but the inputs, the secret and the result."""
    plan(frame, params)
    return {"format": RECORD_FORMAT, "algorithm": ALGORITHM, "meta": dict(meta or {}), "frame": frame.to_json(),
            "frame_sha256": frame.sha256, "parameters": params.to_json(), "commitment": commitment}


@dataclass(frozen=True)
class Difference:
    field: str  # the record's key (or key path) that does not match
    message: str  # Chinese
    expected: str = ""
    found: str = ""

    def __str__(self) -> str:
        detail = f"（应为 {self.expected}，记录为 {self.found}）" if self.expected or self.found else ""
        return f"{self.field}: {self.message}{detail}"


REQUIRED = ("format", "algorithm", "frame", "frame_sha256", "parameters", "commitment", "public_inputs", "secret",
            "seed", "result", "record_sha256")


def verify(record, *, expect_frame_sha256: str | None = None, expect_commitment: str | None = None) -> list[Difference]:
    """Replay a record. Returns what differs (empty when everything matches).

    `expect_*`: the values published before the draw (on the notice, in the newspaper): a record
    rewritten from scratch with another secret is consistent in itself, but not with them.
    """
    if not isinstance(record, dict):
        return [Difference("record", "抽签记录必须是 JSON 对象")]
    diffs: list[Difference] = [Difference(k, "抽签记录缺少此项") for k in REQUIRED if k not in record]
    if diffs:
        return diffs
    if record["format"] != RECORD_FORMAT:
        return [Difference("format", "不认识的记录格式", RECORD_FORMAT, str(record["format"]))]
    if record["algorithm"] != ALGORITHM:
        return [Difference("algorithm", "本校验程序不支持此算法版本", ALGORITHM, str(record["algorithm"]))]

    try:
        if record_hash(record) != record["record_sha256"]:
            diffs.append(Difference("record_sha256", "记录内容与记录哈希不符：记录的某一项被改动过",
                                    record_hash(record), str(record["record_sha256"])))
    except (TypeError, ValueError, UnicodeEncodeError):
        diffs.append(Difference("record", "记录中含有无法规范化的值"))

    frame = params = None
    try:
        frame = Frame.from_json(record["frame"])
        check_frame(frame)
    except DrawError as e:
        diffs.append(Difference("frame", f"名单无效：{e.message}"))
        frame = None
    if frame is not None:
        if frame.sha256 != record["frame_sha256"]:
            diffs.append(Difference("frame_sha256", "名单的 SHA-256 与记录不符：名单或名单哈希被改动过",
                                    frame.sha256, str(record["frame_sha256"])))
    if expect_frame_sha256 and record["frame_sha256"] != expect_frame_sha256:
        diffs.append(Difference("frame_sha256", "与事先公布的名单哈希不符", expect_frame_sha256,
                                str(record["frame_sha256"])))

    secret, commitment = record["secret"], record["commitment"]
    mismatch = None  # named once the seed tells which of the two was changed
    if not commitment:
        diffs.append(Difference("commitment", "记录没有承诺值"))
    elif not isinstance(secret, str) or commitment_of(secret) != commitment:
        mismatch = Difference("commitment", "公开的秘密值（secret）与承诺值（commitment）不符（SHA-256 不一致）",
                              commitment_of(secret) if isinstance(secret, str) else "", str(commitment))
        diffs.append(mismatch)
    if expect_commitment and commitment != expect_commitment:
        diffs.append(Difference("commitment", "与事先公布的承诺值不符", expect_commitment, str(commitment)))

    try:
        params = Parameters.from_json(record["parameters"])
        if frame is not None:
            plan(frame, params)
    except DrawError as e:
        diffs.append(Difference("parameters", f"参数无效：{e.message}"))
        params = None
    try:
        texts = check_inputs(record["public_inputs"])
    except DrawError as e:
        diffs.append(Difference("public_inputs", e.message))
        texts = None
    if frame is None or params is None or texts is None or not isinstance(secret, str):
        return diffs

    seed = seed_of(frame.sha256, params, secret, texts)
    if seed.hex() != record["seed"]:
        diffs.append(Difference("seed", "由名单、参数、秘密值和公开输入（public_inputs）算出的种子与记录不符：其中某项被改动过",
                                seed.hex(), str(record["seed"])))
        if mismatch is not None:  # the secret no longer gives the recorded seed: the secret was changed
            diffs[diffs.index(mismatch)] = Difference("secret", mismatch.message, mismatch.expected, mismatch.found)
    result = select(frame, params, seed)
    if result != record["result"]:
        recorded = record["result"] if isinstance(record["result"], list) else []
        k = next((k for k, (a, b) in enumerate(zip(result, recorded, strict=False)) if a != b), min(len(result), len(recorded)))
        want = result[k]["code"] if k < len(result) else "（无）"
        got = recorded[k].get("code", "?") if k < len(recorded) and isinstance(recorded[k], dict) else "（无）"
        diffs.append(Difference(f"result[{k}]", "重算的抽签结果与记录不符", str(want), str(got)))
    return diffs


# ---------------------------------------------------------------------------------------------
# CSV


def frame_from_csv(text: str, source: str = "名单") -> Frame:
    """A frame from CSV text: a header row, the unit code in the first column, attributes after it.
    Columns named 排除理由 / 必抽理由 (or exclude_reason / force_reason) hold the reasons of
    exclusions and forced inclusions and are not attributes. Errors name the line."""
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise DrawError(f"{source}是空文件", "frame") from None
    header = [h.strip() for h in header]
    ex_col = next((i for i, h in enumerate(header) if h in EXCLUDE_COLUMNS), None)
    fo_col = next((i for i, h in enumerate(header) if h in FORCE_COLUMNS), None)
    keep = [i for i in range(len(header)) if i not in (ex_col, fo_col)]
    if not keep or keep[0] != 0:
        raise DrawError(f"{source}第 1 行：第一列必须是单位代码", "frame")
    columns = [header[i] for i in keep]
    for i, c in enumerate(columns):
        if not c:
            raise DrawError(f"{source}第 1 行：第 {keep[i] + 1} 列没有列名", "frame")
    rows, exclusions, forced, lines = [], [], [], {}
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise DrawError(f"{source}第 {line} 行有 {len(row)} 列，表头有 {len(header)} 列", "frame")
        cells = [row[i].strip() for i in keep]
        code = cells[0]
        if not code:
            raise DrawError(f"{source}第 {line} 行：单位代码为空", "frame")
        if code in lines:
            raise DrawError(f"{source}第 {line} 行：代码 {code} 与第 {lines[code]} 行重复", "frame")
        lines[code] = line
        for col, bucket in ((ex_col, exclusions), (fo_col, forced)):
            if col is not None and row[col].strip():
                bucket.append(Note(code, row[col].strip()))
        rows.append(cells)
        for c, cell in zip(columns, cells, strict=True):
            if _CONTROL.search(cell):
                raise DrawError(f"{source}第 {line} 行“{c}”含有控制字符", "frame")
    try:
        return make_frame(columns, rows, exclusions, forced)
    except DrawError as e:
        raise DrawError(f"{source}：{e.message}", e.field) from None


def frame_to_csv(frame: Frame) -> str:
    """The frame as CSV (UTF-8 with BOM for Excel), with the two reason columns: reading it back
    with `frame_from_csv` gives the same frame, hence the same frame_sha256."""
    ex = {n.code: n.reason for n in frame.exclusions}
    fo = {n.code: n.reason for n in frame.forced}
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([*frame.columns, EXCLUDE_COLUMNS[0], FORCE_COLUMNS[0]])
    for row in frame.rows:
        w.writerow([*row, ex.get(row[0], ""), fo.get(row[0], "")])
    return "\ufeff" + buf.getvalue()
