"""`dutyeval draw …`: make and verify verifiable draws offline (no Django, no database).

    dutyeval draw commit [--secret S]
        prints {"secret", "commitment"}: publish the commitment with the frame, keep the secret
    dutyeval draw make --frame FRAME.csv --n N [--strata COLUMN [--min-per-stratum K]]
                       [--weight COLUMN] [--secret S [--commitment HEX]] [--public-input TEXT …]
                       [--title TEXT] > RECORD.json
    dutyeval draw verify RECORD.json [--frame-sha256 HEX] [--commitment HEX]

Exit status: 0 made / matches; 1 the record does not match (each difference on its own line);
2 bad input (a frame with fewer units than asked, strata that cannot be met, a secret that does not
match its commitment, an unreadable file …) — nothing is written to standard output then.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import lottery
from .lottery import DrawError, Parameters


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="dutyeval draw", description="可公开验证的随机抽签（docs/draws.md）")
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("commit", help="生成秘密值并给出其承诺值（SHA-256）")
    c.add_argument("--secret", help="自备秘密值（至少 16 个字符）；缺省时由系统随机生成")
    m = sub.add_parser("make", help="按名单抽签，把抽签记录（JSON）写到标准输出")
    m.add_argument("--frame", required=True, help="名单 CSV：首行为表头，第一列为单位代码")
    m.add_argument("--n", required=True, type=int, help="抽取数量")
    m.add_argument("--strata", help="分层列名（如 所属设区市）")
    m.add_argument("--min-per-stratum", type=int, default=1, help="每层至少抽取的数量（缺省 1）")
    m.add_argument("--weight", help="权重列名（正整数）；缺省时等概率")
    m.add_argument("--secret", help="秘密值；缺省时随机生成（记录中会公开）")
    m.add_argument("--commitment", help="事先公布的承诺值：与 --secret 核对")
    m.add_argument("--public-input", action="append", default=[], metavar="TEXT",
                   help="现场公开输入（可多次给出，按顺序）")
    m.add_argument("--title", default="", help="抽签名称（仅作说明，不影响结果）")
    v = sub.add_parser("verify", help="重算抽签记录：一致时退出码 0，不一致时 1 并列出差异")
    v.add_argument("record", help="抽签记录 JSON 文件（- 为标准输入）")
    v.add_argument("--frame-sha256", help="事先公布的名单哈希")
    v.add_argument("--commitment", help="事先公布的承诺值")
    return p


def _fail(message: str) -> int:
    print(f"错误：{message}", file=sys.stderr)
    return 2


def _commit(args) -> int:
    secret = args.secret if args.secret is not None else lottery.new_secret()
    if len(secret) < lottery.SECRET_MIN_LENGTH:
        return _fail(f"秘密值至少 {lottery.SECRET_MIN_LENGTH} 个字符")
    print(json.dumps({"secret": secret, "commitment": lottery.commitment_of(secret)}, ensure_ascii=False, indent=2))
    return 0


def _make(args) -> int:
    try:
        text = Path(args.frame).read_bytes().decode("utf-8")
    except OSError as e:
        return _fail(f"无法读取名单文件 {args.frame}：{e.strerror}")
    except UnicodeDecodeError:
        return _fail(f"名单文件 {args.frame} 不是 UTF-8 编码")
    try:
        frame = lottery.frame_from_csv(text, source=f"名单文件 {args.frame} ")
        params = Parameters(n=args.n, strata=args.strata, min_per_stratum=args.min_per_stratum, weight=args.weight)
        secret = args.secret if args.secret is not None else lottery.new_secret()
        commitment = args.commitment or lottery.commitment_of(secret)
        inputs = [{"text": lottery.normalize_input(t), "by": ""} for t in args.public_input]
        record = lottery.make_record(frame, params, secret, commitment, inputs,
                                     meta={"title": args.title, "made_with": "dutyeval draw make"})
    except DrawError as e:
        return _fail(e.message)
    sys.stdout.write(json.dumps(record, ensure_ascii=False, indent=2) + "\n")
    return 0


def _verify(args) -> int:
    try:
        raw = sys.stdin.buffer.read() if args.record == "-" else Path(args.record).read_bytes()
        record = json.loads(raw.decode("utf-8"))
    except OSError as e:
        return _fail(f"无法读取抽签记录 {args.record}：{e.strerror}")
    except (UnicodeDecodeError, ValueError) as e:
        print(f"不一致：{args.record} 不是有效的 JSON（{e}）", file=sys.stderr)
        return 1
    diffs = lottery.verify(record, expect_frame_sha256=args.frame_sha256, expect_commitment=args.commitment)
    if diffs:
        print(f"不一致：抽签记录 {args.record} 有 {len(diffs)} 处与重算结果不符", file=sys.stdout)
        for d in diffs:
            print(f"  {d}")
        return 1
    n = len(record["result"])
    print(f"一致：按名单（SHA-256 {record['frame_sha256']}）、承诺值 {record['commitment']} 及 "
          f"{len(record['public_inputs'])} 条公开输入重算，抽中的 {n} 个单位与记录完全相同：")
    print("  " + "、".join(e["code"] for e in record["result"]))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return {"commit": _commit, "make": _make, "verify": _verify}[args.command](args)


if __name__ == "__main__":
    raise SystemExit(main())
