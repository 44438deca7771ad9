"""`dutyeval ingest PATH [--json]`: read a report (or every report in a folder) and show what it says.

Without --json: a readable summary (outline, figures, anomalies). With --json: exactly one JSON
object per report (issue 4 item 5 shape, with "text"); for a folder, one object per line with
an added "path" (and "error" instead of the report fields when a file cannot be read).
Exit status: 0 when every file was read, 1 when a file was unreadable, 2 for bad usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .api import Report, ingest_path
from .reader import IngestError

_SUFFIXES = {".txt", ".docx", ".pdf", ".text", ".md"}


def _known(pairs: list[str]) -> dict[str, Decimal]:
    out = {}
    for p in pairs:
        code, _, value = p.partition("=")
        try:
            out[code.strip()] = Decimal(value.strip())
        except InvalidOperation:
            raise SystemExit(f"--known {p!r}: expected CODE=NUMBER, e.g. edu_exp_budget=188700") from None
    return out


def _summary(report: Report, name: str, out) -> None:
    w = out.write
    w(f"{name}: {len(report.text)} 字, {report.format}"
      f"{' (' + report.encoding + ')' if report.encoding else ''}; "
      f"{len(report.sections)} 个标题, {len(report.figures)} 个数字, {len(report.anomalies)} 个疑点\n")  # fmt: skip
    if report.sections:
        w("\n目录\n")
        for s in report.sections:
            w(f"  {'  ' * (s.level - 1)}{s.title}  [{s.start}-{s.end}]\n")
    if report.anomalies:
        w("\n疑点\n")
        for a in report.anomalies:
            mark = "错误" if a.severity == "error" else "提示"
            w(f"  [{mark}] {a.kind} “{a.quote}” @{a.start}: {a.message}\n")
    if report.figures:
        w("\n数字\n")
        for f in report.figures:
            extra = []
            if f.year:
                extra.append(f"{f.year}年")
            if f.qualifiers:
                extra.append("/".join(f.qualifiers))
            if f.metric:
                extra.append(f.metric)
            if f.element:
                extra.append(f"→ {f.element}")
            base = (
                ""
                if f.base_value == f.value and f.base_unit == f.unit
                else f" = {f.base_value.normalize():f}{f.base_unit}"
            )
            w(f"  {f.kind:<6} {f.quote:<16} {f.value.normalize():f}{f.unit}{base}  {' '.join(extra)}\n")


def _files(path: Path) -> list[Path]:
    return sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in _SUFFIXES)


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:  # `dutyeval ingest x | head`: the reader left, not an error
        sys.stderr.close()
        return 0


def _main(argv: list[str] | None) -> int:
    ap = argparse.ArgumentParser(
        prog="dutyeval ingest", description="Read self-evaluation reports: outline, figures, anomalies."
    )
    ap.add_argument("path", help="a .txt/.docx/.pdf report, or a folder of them")
    ap.add_argument("--json", action="store_true", help="one JSON object per report")
    ap.add_argument(
        "--known",
        action="append",
        default=[],
        metavar="CODE=VALUE",
        help="a value already entered for the region (catalogue code), to check the report against",
    )
    ap.add_argument("--year", type=int, default=None, help="the year the --known values are for")
    args = ap.parse_args(argv)  # fmt: skip
    known = _known(args.known)
    path = Path(args.path)
    out = sys.stdout
    if not path.exists():
        print(f"{path}: 文件不存在", file=sys.stderr)
        return 1
    if path.is_dir():
        failed = False
        for f in _files(path):
            try:
                report = ingest_path(f, known, year=args.year)
            except IngestError as exc:
                failed = True
                if args.json:
                    out.write(json.dumps({"path": str(f), "error": str(exc)}, ensure_ascii=False) + "\n")
                else:
                    print(f"{f}: {exc}", file=sys.stderr)
                continue
            if args.json:
                out.write(json.dumps({"path": str(f), **report.to_dict()}, ensure_ascii=False) + "\n")
            else:
                _summary(report, str(f), out)
                out.write("\n")
        return 1 if failed else 0
    try:
        report = ingest_path(path, known, year=args.year)
    except IngestError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    if args.json:
        out.write(report.to_json() + "\n")
    else:
        _summary(report, str(path), out)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
