"""The shipped Shanxi county scheme with its last two items (12.1, 12.2: 3 points each) scored from the
rectification ledger, as a province would write next year's scheme (seed 001: 整改落实情况将纳入下一年度评价).
The total stays 100: only the two items' titles and rules change."""

from __future__ import annotations

from pathlib import Path

from dutyeval.core.schemefile import library_paths

# 12.1: half the points off per overdue task; 12.2: the share of tasks closed on time (all, without tasks)
OVERDUE = "max(0, 1 - 0.5 * #{rectification_overdue})"
ON_TIME = ("if(#{rectification_tasks_total} > 0, "
           "#{rectification_closed_on_time} / #{rectification_tasks_total}, 1)")


def ledger_scheme(folder: Path):
    from dutyeval.schemes.services import freeze, import_scheme_file

    text = next(p for p in library_paths() if p.stem == "shanxi-2021-county").read_text("utf-8")
    text = text.replace("code: shanxi-2021-county", "code: shanxi-2022-county-ledger", 1)
    for code, title, expr in (("12.1", "上年度整改任务无逾期（每逾期1项扣一半分值）", OVERDUE),
                              ("12.2", "上年度整改任务按期销号率", ON_TIME)):
        anchor = f'      - code: "{code}"\n'
        head, tail = text.split(anchor, 1)
        _old_title, tail = tail.split("\n", 1)
        text = head + anchor + f"        title: {title}\n" + f'        rule: {{kind: auto, expression: "{expr}"}}\n' + tail
    path = folder / "shanxi-2022-county-ledger.yaml"
    path.write_text(text, "utf-8")
    scheme, _ = import_scheme_file(path)
    return freeze(scheme)
