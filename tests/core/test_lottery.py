"""Verifiable draws (core/lottery.py): reproducibility, uniformity, tamper detection, bad input, CLI.

Uniformity is measured, not assumed: each design (plain, stratified with exclusions and a forced
unit, weighted) is drawn with many different public inputs, and the outcome counts are compared by
a chi-square goodness-of-fit test with the exact law of the design, computed here by enumeration
with fractions. The statistics and p-values are printed (pytest -s) and a p-value below 0.001 fails.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import math
from collections import Counter
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dutyeval.core import lottery
from dutyeval.core.lottery import DrawError, Frame, Note, Parameters, make_frame, make_record, verify
from dutyeval.core.lottery_cli import main as cli

SECRET = "c0ffee" * 10 + "beef"  # 64 characters
COMMIT = lottery.commitment_of(SECRET)

# 晋城市 and 太原市 counties, attributes as the web frame has them
COLUMNS = ("区划代码", "名称", "所属设区市")
ROWS = [
    ("140105", "小店区", "太原市"), ("140106", "迎泽区", "太原市"), ("140107", "杏花岭区", "太原市"),
    ("140202", "新荣区", "大同市"), ("140521", "沁水县", "晋城市"), ("140522", "阳城县", "晋城市"),
    ("140524", "陵川县", "晋城市"), ("140525", "泽州县", "晋城市"), ("140581", "高平市", "晋城市"),
]


def frame(exclusions=(), forced=()):
    return make_frame(COLUMNS, ROWS, [Note(c, r) for c, r in exclusions], [Note(c, r) for c, r in forced])


def inputs(*texts):
    return [{"text": t, "by": "监督员"} for t in texts]


def record(**kw):
    f = kw.pop("frame", None) or frame(exclusions=[("140522", "上年已实地核查")], forced=[("140107", "自评可信度低")])
    params = kw.pop("params", None) or Parameters(n=4, strata="所属设区市")
    return make_record(f, params, SECRET, COMMIT, kw.pop("inputs", None) or inputs("07 21 33", "骰子 5"),
                       meta={"title": "测试抽签"})


# ---------------------------------------------------------------------------------------------
# chi-square without scipy: the regularized upper incomplete gamma function Q(a, x)


def _gammq(a: float, x: float) -> float:
    if x <= 0:
        return 1.0
    gln = math.lgamma(a)
    if x < a + 1:  # series for P
        ap, total, delta = a, 1.0 / a, 1.0 / a
        for _ in range(10000):
            ap += 1
            delta *= x / ap
            total += delta
            if abs(delta) < abs(total) * 1e-15:
                break
        return max(0.0, 1.0 - total * math.exp(-x + a * math.log(x) - gln))
    b, c, d = x + 1 - a, 1e300, 1 / (x + 1 - a)  # continued fraction for Q (modified Lentz)
    h = d
    for i in range(1, 10000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = 1e-300 if abs(d) < 1e-300 else d
        c = b + an / c
        c = 1e-300 if abs(c) < 1e-300 else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-15:
            break
    return math.exp(-x + a * math.log(x) - gln) * h


def chi_square(observed: Counter, law: dict, draws: int) -> tuple[float, int, float]:
    """(statistic, degrees of freedom, p-value) of the observed outcomes against their exact law."""
    assert set(observed) <= set(law), f"outcomes the design cannot produce: {set(observed) - set(law)}"
    stat = sum((observed.get(k, 0) - draws * float(p)) ** 2 / (draws * float(p)) for k, p in law.items())
    df = len(law) - 1
    return stat, df, _gammq(df / 2, stat / 2)


def test_the_chi_square_p_value_is_right():
    # df = 2: p = exp(-x/2) exactly; df = 1 at 3.841: 0.05; df = 10 at 18.307: 0.05; df = 100 at 124.342: 0.05
    assert _gammq(1, 3.0) == pytest.approx(math.exp(-3.0), rel=1e-12)
    assert _gammq(0.5, 3.841 / 2) == pytest.approx(0.05, abs=1e-4)
    assert _gammq(5, 18.307 / 2) == pytest.approx(0.05, abs=1e-4)
    assert _gammq(50, 124.342 / 2) == pytest.approx(0.05, abs=1e-4)


def exact_law(f: Frame, params: Parameters) -> dict[frozenset, Fraction]:
    """The probability of every possible selected set, by enumerating the design with fractions."""
    p = lottery.plan(f, params)
    law: dict[frozenset, Fraction] = Counter()

    def picks(pool, k, prob, chosen, then):
        if k == 0:
            then(prob, chosen)
            return
        total = sum(p.weights[i] for i in pool)
        for i in pool:
            picks([j for j in pool if j != i], k - 1, prob * Fraction(p.weights[i], total), chosen | {i}, then)

    def stratum_phase(s_index, prob, chosen):
        if s_index == len(p.strata):
            pool = [i for i in p.eligible if i not in chosen]
            picks(pool, params.n - len(chosen), prob, chosen, finish)
            return
        s = p.strata[s_index]
        have = sum(1 for i in chosen if p.stratum_of[i] == s.value)
        pool = [i for i in p.eligible if p.stratum_of[i] == s.value and i not in chosen]
        picks(pool, max(0, s.minimum - have), prob, chosen, lambda pr, ch: stratum_phase(s_index + 1, pr, ch))

    def finish(prob, chosen):
        law[frozenset(f.rows[i][0] for i in chosen)] += prob

    stratum_phase(0, Fraction(1), frozenset(p.forced))
    assert sum(law.values()) == 1
    return dict(law)


def outcomes(f: Frame, params: Parameters, draws: int) -> Counter:
    """Draw `draws` times, the observers' input being the draw's number (a new seed each time)."""
    sha, checked = f.sha256, lottery.plan(f, params)
    seen = Counter()
    for k in range(draws):
        seed = lottery.seed_of(sha, params, SECRET, [f"第{k}次 {k * 7919 % 100000:05d}"])
        seen[frozenset(e["code"] for e in lottery.select(f, params, seed, checked))] += 1
    return seen


UNIFORMITY = [
    # name, frame, parameters, draws
    ("plain: 3 of 9", lambda: frame(), Parameters(n=3), 16800),
    ("stratified: 5 of 9, ≥1 per city, 1 excluded, 1 forced",
     lambda: frame(exclusions=[("140522", "上年已核查")], forced=[("140107", "可信度低")]),
     Parameters(n=5, strata="所属设区市"), 16800),
    ("stratified: 6 of 10, ≥2 per city (both of 大同 always in)",
     lambda: make_frame(COLUMNS, ROWS + [("140203", "云州区", "大同市")]), Parameters(n=6, strata="所属设区市",
                                                                                     min_per_stratum=2), 16800),
    ("weighted: 2 of 7, weights 1..7", lambda: make_frame(
        ("code", "w"), [(f"U{i}", str(i)) for i in range(1, 8)]), Parameters(n=2, weight="w"), 16800),
    ("weighted and stratified: 3 of 8", lambda: make_frame(
        ("code", "w", "s"), [(f"U{i}", str(i), "甲" if i % 2 else "乙") for i in range(1, 9)]),
     Parameters(n=3, weight="w", strata="s"), 16800),
]


@pytest.mark.parametrize("name,build,params,draws", UNIFORMITY, ids=[u[0] for u in UNIFORMITY])
def test_draws_follow_the_exact_law_of_their_design(name, build, params, draws):
    f = build()
    law = exact_law(f, params)
    seen = outcomes(f, params, draws)
    stat, df, p = chi_square(seen, law, draws)
    print(f"\nuniformity [{name}]: {draws} seeds, {len(law)} possible outcomes, "
          f"chi-square = {stat:.2f}, df = {df}, p = {p:.4f}")
    assert min(draws * float(q) for q in law.values()) >= 5, "too few draws for a chi-square test"
    assert p > 0.001


def test_the_chi_square_test_has_power():
    """Negative control: draws that ignore the weights are told apart from the weighted law at once."""
    f = make_frame(("code", "w"), [(f"U{i}", str(i)) for i in range(1, 8)])
    law = exact_law(f, Parameters(n=2, weight="w"))
    stat, df, p = chi_square(outcomes(f, Parameters(n=2), 4000), law, 4000)
    print(f"\nnegative control [unweighted draws against the weighted law]: chi-square = {stat:.0f}, df = {df}, p = {p:.1e}")
    assert p < 1e-9


def test_a_single_pick_is_uniform_over_a_hundred_units():
    f = make_frame(("code",), [(f"{i:03d}",) for i in range(100)])
    seen = outcomes(f, Parameters(n=1), 20000)
    law = {frozenset({f"{i:03d}"}): Fraction(1, 100) for i in range(100)}
    stat, df, p = chi_square(seen, law, 20000)
    print(f"\nuniformity [plain: 1 of 100]: 20000 seeds, chi-square = {stat:.2f}, df = {df}, p = {p:.4f}")
    assert p > 0.001


def test_rejection_sampling_rejects_the_biased_tail():
    """below(m) with m = 2^63 + 1 accepts only x < 2^64 − (2^64 mod m) = m + (m − 2)… stated exactly."""
    m = (1 << 63) + 1
    limit = (1 << 64) - ((1 << 64) % m)
    stream = lottery.Stream(b"\x00" * 32)
    feed = iter([limit, limit + 5, 12345])
    stream.next_u64 = lambda: next(feed)
    assert stream.below(m) == 12345 % m  # the first two were rejected
    real = lottery.Stream(b"\x01" * 32)
    assert all(0 <= real.below(m) < m for _ in range(200))


# ---------------------------------------------------------------------------------------------
# Reproducibility, and an independent implementation written from the documented procedure


def test_same_inputs_same_record_across_runs():
    """Pinned values: a change in any byte of the procedure changes them, and breaks every verifier."""
    a, b = record(), record()
    assert a == b
    assert a["frame_sha256"] == frame(exclusions=[("140522", "上年已实地核查")],
                                      forced=[("140107", "自评可信度低")]).sha256
    assert [e["code"] for e in a["result"]] == PINNED_CODES
    assert a["seed"] == PINNED_SEED
    assert verify(a) == []


PINNED_SEED = "ce6e07049d54ee000a2418b7a012e07f68fc40d86d6078e1b9f295418ebe09ca"
PINNED_CODES = ["140107", "140202", "140524", "140106"]


def independent_draw(rec: dict) -> list[str]:
    """docs/draws.md §算法, written again without lottery.select: what an observer's verifier does."""
    def canon(x):
        return json.dumps(x, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()

    fr, pa = rec["frame"], rec["parameters"]
    frame_sha = hashlib.sha256(canon(fr)).hexdigest()
    seed = hashlib.sha256(canon({"algorithm": rec["algorithm"], "frame_sha256": frame_sha, "parameters": pa,
                                 "secret": rec["secret"],
                                 "public_inputs": [i["text"] for i in rec["public_inputs"]]})).digest()
    ints, counter = [], 0

    def u64():
        nonlocal counter
        if not ints:
            block = hmac.new(seed, counter.to_bytes(8, "big"), hashlib.sha256).digest()
            counter += 1
            ints.extend(int.from_bytes(block[i:i + 8], "big") for i in range(0, 32, 8))
        return ints.pop(0)

    def below(m):
        limit = 2**64 - 2**64 % m
        while (x := u64()) >= limit:
            pass
        return x % m

    cols, rows = fr["columns"], fr["rows"]
    excluded = {e["code"] for e in fr["exclusions"]}
    weight = (lambda r: int(r[cols.index(pa["weight"])])) if pa["weight"] else (lambda r: 1)
    stratum = (lambda r: r[cols.index(pa["strata"])]) if pa["strata"] else (lambda r: None)
    chosen = [r for r in rows if r[0] in {e["code"] for e in fr["forced"]}]

    def pick(pool):
        r, run = below(sum(weight(u) for u in pool)), 0
        for u in pool:
            run += weight(u)
            if r < run:
                chosen.append(u)
                return

    eligible = [r for r in rows if r[0] not in excluded]
    if pa["strata"]:
        for s in dict.fromkeys(stratum(r) for r in rows):
            for _ in range(pa["min_per_stratum"] - sum(1 for u in chosen if stratum(u) == s)):
                pick([u for u in eligible if stratum(u) == s and u not in chosen])
    while len(chosen) < pa["n"]:
        pick([u for u in eligible if u not in chosen])
    return [u[0] for u in chosen]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=12).map(lottery.normalize_input).filter(bool), min_size=1, max_size=3),
       st.integers(1, 6), st.sampled_from([None, "所属设区市"]))
def test_an_independent_verifier_agrees(texts, n, strata):
    f = frame(exclusions=[("140522", "上年已核查")])
    params = Parameters(n=n, strata=strata)
    try:
        rec = make_record(f, params, SECRET, COMMIT, inputs(*texts))
    except DrawError:
        return  # e.g. 3 cities need n >= 3
    assert independent_draw(rec) == [e["code"] for e in rec["result"]]


def test_an_independent_verifier_agrees_on_weights():
    f = make_frame(("code", "w", "s"), [(f"U{i}", str(i * i), "甲乙"[i % 2]) for i in range(1, 12)],
                   forced=[Note("U3", "x")])
    for k in range(50):
        rec = make_record(f, Parameters(n=5, weight="w", strata="s", min_per_stratum=2), SECRET, COMMIT,
                          inputs(str(k)))
        assert independent_draw(rec) == [e["code"] for e in rec["result"]]


# ---------------------------------------------------------------------------------------------
# Properties


def frames():
    """Random frames: up to 3 strata, optional weights, some exclusions and forced units."""
    @st.composite
    def build(draw):
        size = draw(st.integers(1, 25))
        strata = draw(st.lists(st.sampled_from("甲乙丙"), min_size=size, max_size=size))
        weights = draw(st.lists(st.integers(1, 9), min_size=size, max_size=size))
        rows = [(f"{i:04d}", s, str(w)) for i, (s, w) in enumerate(zip(strata, weights, strict=True))]
        codes = [r[0] for r in rows]
        excluded = draw(st.sets(st.sampled_from(codes), max_size=size // 3))
        forced = draw(st.sets(st.sampled_from([c for c in codes if c not in excluded] or ["x"]), max_size=2))
        forced -= {"x"}
        return make_frame(("code", "s", "w"), rows, [Note(c, "排除") for c in excluded],
                          [Note(c, "必抽") for c in forced])

    return build()


@settings(max_examples=300, deadline=None)
@given(frames(), st.integers(1, 25), st.sampled_from([None, "s"]), st.integers(0, 3), st.sampled_from([None, "w"]),
       st.text(min_size=1, max_size=20))
def test_every_draw_keeps_the_promises_of_its_frame(f, n, strata, minimum, weight, text):
    params = Parameters(n=n, strata=strata, min_per_stratum=minimum, weight=weight)
    text = lottery.normalize_input(text) or "0"
    try:
        rec = make_record(f, params, SECRET, COMMIT, inputs(text))
    except DrawError as e:
        assert e.message  # refused with a reason, and then no record exists at all
        return
    codes = [e["code"] for e in rec["result"]]
    excluded = {x.code for x in f.exclusions}
    assert len(codes) == n == len(set(codes))
    assert not excluded & set(codes)
    assert {x.code for x in f.forced} <= set(codes)
    if strata:
        per = Counter(r[1] for r in f.rows if r[0] in set(codes))
        for s in {r[1] for r in f.rows}:
            assert per[s] >= minimum
    assert all(e["r"] is None or 0 <= e["r"] < e["total"] for e in rec["result"])
    assert verify(rec) == []
    assert make_record(f, params, SECRET, COMMIT, inputs(text)) == rec  # deterministic


@settings(max_examples=200, deadline=None)
@given(frames())
def test_a_frame_survives_its_csv(f):
    again = lottery.frame_from_csv(lottery.frame_to_csv(f))
    assert again == f and again.sha256 == f.sha256


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_normalized_inputs_are_stable(text):
    once = lottery.normalize_input(text)
    assert lottery.normalize_input(once) == once
    assert once == once.strip()


def test_full_width_digits_and_spaces_are_written_as_ascii():
    assert lottery.normalize_input("　１２　 ３４\t") == "12 34"


# ---------------------------------------------------------------------------------------------
# Tamper detection: every field


def _set(rec, path, value):
    node = rec
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value


TAMPER = [
    # path, new value (callable on the old), a field verify must name
    (("format",), "x", "format"),
    (("algorithm",), "dutyeval-draw/0", "algorithm"),
    (("meta", "title"), "另一次抽签", "record_sha256"),
    (("frame", "columns", 1), "名字", "frame_sha256"),
    (("frame", "rows", 0, 1), "大店区", "frame_sha256"),
    (("frame", "rows", 0, 0), "140104", "frame_sha256"),
    (("frame", "exclusions", 0, "reason"), "无", "frame_sha256"),
    (("frame", "exclusions"), [], "frame_sha256"),
    (("frame", "forced"), [], "frame_sha256"),
    (("frame_sha256",), "0" * 64, "frame_sha256"),
    (("parameters", "n"), 5, "seed"),
    (("parameters", "strata"), None, "seed"),
    (("parameters", "min_per_stratum"), 2, "parameters"),  # 大同市 has one county: now impossible
    (("parameters", "min_per_stratum"), 0, "seed"),
    (("commitment",), "1" * 64, "commitment"),
    (("secret",), "f" * 64, "secret"),
    (("public_inputs", 0, "text"), "07 21 34", "seed"),
    (("public_inputs", 0, "by"), "别人", "record_sha256"),
    (("public_inputs",), [{"text": "骰子 5", "by": "监督员"}, {"text": "07 21 33", "by": "监督员"}], "seed"),
    (("seed",), "ab" * 32, "seed"),
    (("result", 1, "code"), "140106", "result[1]"),
    (("result", 2, "r"), 99, "result[2]"),
    (("result", 0, "how"), "draw", "result[0]"),
    (("result",), [], "result[0]"),
    (("record_sha256",), "e" * 64, "record_sha256"),
]


@pytest.mark.parametrize("path,value,named", TAMPER, ids=[".".join(map(str, t[0])) for t in TAMPER])
def test_an_altered_record_is_detected_and_the_field_named(path, value, named):
    rec = record()
    assert verify(rec) == []
    _set(rec, path, value)
    diffs = verify(rec)
    assert diffs, f"changing {path} went unnoticed"
    assert named in {d.field for d in diffs}, [str(d) for d in diffs]


@pytest.mark.parametrize("key", lottery.REQUIRED)
def test_a_missing_field_is_named(key):
    rec = record()
    del rec[key]
    assert [d.field for d in verify(rec)] == [key]


def test_a_consistent_forgery_fails_against_what_was_published():
    """Rewriting the whole record with another secret is consistent in itself; the commitment and the
    frame hash published before the draw are what give it away."""
    honest = record()
    other = "another secret of sixty-four characters, chosen after the draw!"
    forged = make_record(frame(exclusions=[("140522", "上年已实地核查")], forced=[("140107", "自评可信度低")]),
                         Parameters(n=4, strata="所属设区市"), other, lottery.commitment_of(other),
                         inputs("07 21 33", "骰子 5"), meta={"title": "测试抽签"})
    assert verify(forged) == []
    diffs = verify(forged, expect_commitment=honest["commitment"], expect_frame_sha256=honest["frame_sha256"])
    assert [d.field for d in diffs] == ["commitment"]


def test_verify_survives_garbage():
    assert verify([]) and verify({}) and verify({**record(), "frame": "x"}) and verify({**record(), "result": 5})
    rec = record()
    rec["parameters"] = {"n": "4"}
    assert "parameters" in {d.field for d in verify(rec)}
    rec = record()
    rec["public_inputs"] = [{"text": 5}]
    assert "public_inputs" in {d.field for d in verify(rec)}


# ---------------------------------------------------------------------------------------------
# Bad input: a clear Chinese error, and no record


@pytest.mark.parametrize("build,params,message", [
    (lambda: frame(), Parameters(n=10), "名单中可抽取的单位只有 9 个"),
    (lambda: frame(exclusions=[("140105", "上年已核查")]), Parameters(n=9), "名单中可抽取的单位只有 8 个"),
    (lambda: frame(), Parameters(n=2, strata="所属设区市"), "分层要求无法满足：3 层每层至少 1 个"),
    (lambda: frame(exclusions=[("140202", "上年已核查")]), Parameters(n=4, strata="所属设区市"),
     "分层要求无法满足：“大同市”只有 0 个可抽取的单位"),
    (lambda: frame(), Parameters(n=4, strata="城市"), "名单中没有分层列“城市”"),
    (lambda: frame(), Parameters(n=4, weight="名称"), "权重“小店区”不是正整数"),
    (lambda: frame(forced=[("140105", "a"), ("140106", "b")]), Parameters(n=1), "必抽单位有 2 个，超过了抽取数量 1"),
    (lambda: frame(), Parameters(n=0), "抽取数量必须是正整数"),
])
def test_a_draw_that_cannot_be_made_is_refused(build, params, message):
    with pytest.raises(DrawError) as e:
        make_record(build(), params, SECRET, COMMIT, inputs("1"))
    assert message in e.value.message


@pytest.mark.parametrize("kwargs,message", [
    ({"commitment": ""}, "缺少事先公布的承诺值"),
    ({"commitment": "0" * 64}, "秘密值与事先公布的承诺值不符"),
    ({"secret": "short"}, "秘密值至少 16 个字符"),
    ({"public_inputs": []}, "至少需要一条现场公开输入"),
    ({"public_inputs": [{"text": ""}]}, "第 1 条公开输入不能为空"),
    ({"public_inputs": [{"text": "a\nb"}]}, "控制字符"),
])
def test_secret_commitment_and_inputs_are_checked(kwargs, message):
    args = {"secret": SECRET, "commitment": COMMIT, "public_inputs": inputs("1")} | kwargs
    with pytest.raises(DrawError) as e:
        make_record(frame(), Parameters(n=2), args["secret"], args["commitment"], args["public_inputs"])
    assert message in e.value.message


@pytest.mark.parametrize("build,message", [
    (lambda: make_frame(COLUMNS, ROWS + [ROWS[0]]), "代码 140105 重复"),
    (lambda: make_frame(COLUMNS, [("140105", "小店区")]), "有 2 项，应为 3 项"),
    (lambda: make_frame(COLUMNS, []), "名单中没有任何单位"),
    (lambda: frame(exclusions=[("999999", "x")]), "排除的单位 999999 不在名单中"),
    (lambda: frame(forced=[("140105", " ")]), "必抽单位 140105 必须写明理由"),
    (lambda: frame(exclusions=[("140105", "a")], forced=[("140105", "b")]), "不能既排除又必抽"),
    (lambda: Frame(COLUMNS, tuple(reversed(ROWS))) and lottery.check_frame(Frame(COLUMNS, tuple(reversed(ROWS)))),
     "名单未按代码排序"),
])
def test_a_bad_frame_is_refused(build, message):
    with pytest.raises(DrawError) as e:
        build()
    assert message in e.value.message


@pytest.mark.parametrize("text,message", [
    ("", "是空文件"),
    ("code,name\n1,a\n1,b\n", "第 3 行：代码 1 与第 2 行重复"),
    ("code,name\n1,a,x\n", "第 2 行有 3 列，表头有 2 列"),
    ("code,name\n,a\n", "第 2 行：单位代码为空"),
    ("排除理由,code\n,1\n", "第一列必须是单位代码"),
    ("code,\n1,a\n", "第 2 列没有列名"),
])
def test_a_bad_csv_names_the_line(text, message):
    with pytest.raises(DrawError) as e:
        lottery.frame_from_csv(text)
    assert message in e.value.message


def test_csv_reason_columns_become_exclusions_and_forced_inclusions():
    f = lottery.frame_from_csv("\ufeff代码,名称,排除理由,必抽理由\n2,乙,,可信度低\n1,甲,上年已核查,\n\n")
    assert f.columns == ("代码", "名称") and f.codes == ["1", "2"]
    assert f.exclusions == (Note("1", "上年已核查"),) and f.forced == (Note("2", "可信度低"),)


# ---------------------------------------------------------------------------------------------
# CLI: make → verify, and an edited record


@pytest.fixture
def frame_csv(tmp_path):
    path = tmp_path / "frame.csv"
    path.write_text(lottery.frame_to_csv(frame(exclusions=[("140522", "上年已实地核查")])), encoding="utf-8")
    return path


def test_cli_round_trip(frame_csv, tmp_path, capsys):
    assert cli(["make", "--frame", str(frame_csv), "--n", "4", "--strata", "所属设区市", "--secret", SECRET,
                "--commitment", COMMIT, "--public-input", "０７ 21 33", "--public-input", "骰子 5"]) == 0
    out = capsys.readouterr().out
    rec = json.loads(out)
    assert [i["text"] for i in rec["public_inputs"]] == ["07 21 33", "骰子 5"]
    assert rec["frame_sha256"] == frame(exclusions=[("140522", "上年已实地核查")]).sha256
    path = tmp_path / "record.json"
    path.write_text(out, encoding="utf-8")
    assert cli(["verify", str(path), "--commitment", COMMIT]) == 0
    assert "一致" in capsys.readouterr().out

    edited = copy.deepcopy(rec)
    edited["result"][3]["code"] = "140106" if edited["result"][3]["code"] != "140106" else "140105"
    path.write_text(json.dumps(edited, ensure_ascii=False), encoding="utf-8")
    assert cli(["verify", str(path)]) == 1
    out = capsys.readouterr().out
    assert "不一致" in out and "result[3]" in out and "record_sha256" in out


def test_cli_names_an_edited_secret_and_frame(frame_csv, tmp_path, capsys):
    cli(["make", "--frame", str(frame_csv), "--n", "3", "--public-input", "1"])
    rec = json.loads(capsys.readouterr().out)
    path = tmp_path / "r.json"
    rec["secret"] = "0" * 64
    rec["frame"]["rows"][0][1] = "某区"
    path.write_text(json.dumps(rec), encoding="utf-8")
    assert cli(["verify", str(path)]) == 1
    out = capsys.readouterr().out
    assert "secret:" in out and "frame_sha256:" in out


@pytest.mark.parametrize("args,message", [
    (["--n", "20"], "少于要抽取的 20 个"),
    (["--n", "2", "--strata", "所属设区市"], "分层要求无法满足"),
    (["--n", "2", "--secret", SECRET, "--commitment", "0" * 64], "秘密值与事先公布的承诺值不符"),
    (["--n", "2", "--strata", "城市"], "没有分层列"),
])
def test_cli_refuses_bad_input_and_writes_nothing(frame_csv, capsys, args, message):
    assert cli(["make", "--frame", str(frame_csv), "--public-input", "1", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and message in captured.err


def test_cli_reports_unreadable_files(tmp_path, capsys):
    assert cli(["make", "--frame", str(tmp_path / "none.csv"), "--n", "1", "--public-input", "1"]) == 2
    (tmp_path / "gbk.csv").write_bytes("代码\n1\n".encode("gbk"))
    assert cli(["make", "--frame", str(tmp_path / "gbk.csv"), "--n", "1", "--public-input", "1"]) == 2
    assert "不是 UTF-8" in capsys.readouterr().err
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    assert cli(["verify", str(tmp_path / "bad.json")]) == 1


def test_cli_commit_prints_a_matching_commitment(capsys):
    assert cli(["commit"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["secret"]) == 64 and lottery.commitment_of(out["secret"]) == out["commitment"]


def test_the_console_script_dispatches_draw_without_django(frame_csv, tmp_path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    code = "import sys; from dutyeval.cli import main; sys.exit(main())"
    made = subprocess.run([sys.executable, "-c", code, "draw", "make", "--frame", str(frame_csv), "--n", "2",
                           "--public-input", "5"], capture_output=True, env=env, check=True)
    (tmp_path / "r.json").write_bytes(made.stdout)
    check = subprocess.run([sys.executable, "-c", code, "draw", "verify", str(tmp_path / "r.json")],
                           capture_output=True, env=env)
    assert check.returncode == 0, check.stderr.decode()
    probe = subprocess.run([sys.executable, "-c", "import sys; from dutyeval.cli import main; main(['draw', 'commit']);"
                            "print('django' in sys.modules, file=sys.stderr)"], capture_output=True, env=env)
    assert probe.stderr.decode().strip() == "False"


# ---------------------------------------------------------------------------------------------
# docs/draws.md: its verifier program and its test vector are the system's


DOC = __import__("pathlib").Path(__file__).resolve().parents[2] / "docs" / "draws.md"


def test_the_verifier_printed_in_the_docs_agrees():
    text = DOC.read_text(encoding="utf-8")
    code = text.split("```python\n", 1)[1].split("```", 1)[0]
    space = {"__name__": "docs_verifier"}
    exec(compile(code, "docs/draws.md", "exec"), space)  # noqa: S102 — our own document
    replay = space["replay"]
    weighted = make_frame(("code", "w", "s"), [(f"U{i:02d}", str(i), "甲乙丙"[i % 3]) for i in range(1, 20)],
                          [Note("U04", "上年已核查")], [Note("U07", "可信度低")])
    for k in range(30):
        for f, params in ((frame(), Parameters(n=4)), (weighted, Parameters(n=6, weight="w", strata="s",
                                                                             min_per_stratum=1))):
            rec = make_record(f, params, SECRET, COMMIT, inputs(f"{k}", "骰子 6"))
            assert replay(rec) == [e["code"] for e in rec["result"]]
    rec = record()
    rec["result"][0]["code"] = "140106"
    with pytest.raises(AssertionError, match="result differs"):
        replay(rec)


def test_the_test_vector_in_the_docs_is_right():
    text = DOC.read_text(encoding="utf-8")
    f = make_frame(("代码", "名称", "所属市"), [("140521", "沁水县", "晋城市"), ("140522", "阳城县", "晋城市"),
                                             ("140525", "泽州县", "晋城市"), ("140105", "小店区", "太原市"),
                                             ("140106", "迎泽区", "太原市")], [Note("140522", "上年已实地核查")])
    params = Parameters(n=3, strata="所属市")
    secret = "0123456789abcdef" * 4
    seed = lottery.seed_of(f.sha256, params, secret, ["07 21 33", "骰子 5"])
    block = hmac.new(seed, bytes(8), hashlib.sha256).hexdigest()
    for value in (lottery.canonical(f.to_json()).decode(), f.sha256, lottery.commitment_of(secret), seed.hex(),
                  " ".join(block[i:i + 16] for i in range(0, 64, 16))):
        assert value in text
    codes = [e["code"] for e in lottery.select(f, params, seed)]
    assert codes == ["140105", "140521", "140525"] and "结果       140105、140521、140525" in text


def _paths(node, prefix=()):
    """Every leaf path of a JSON value."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))
    else:
        yield prefix


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner,
                                                                                        max_size=3), max_leaves=6)


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_any_change_to_any_leaf_is_detected_and_verify_never_crashes(data):
    rec = record()
    paths = list(_paths(rec))
    path = data.draw(st.sampled_from(paths))
    value = data.draw(JSON_VALUES)
    node = rec
    for p in path[:-1]:
        node = node[p]
    if node[path[-1]] == value and type(node[path[-1]]) is type(value):
        return
    node[path[-1]] = value
    assert verify(rec), f"changing {path} to {value!r} went unnoticed"
