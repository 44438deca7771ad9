"""Numbers in table rows as read from .docx (cells separated by tabs).

A statistics table names the unit in its row label (``一般公共预算教育支出（万元）\t125,300\t132,800``)
and the year in its column header (``指标\t2020年\t2021年``); the cells are bare numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from .numbers import parse_number

_TABLE_ROW = re.compile(
    r"^([^\t\n]*?)[(（](亿元|万元|元|%|人|所|个|名|平方米|间|台|册)[)）]([^\t\n]*)((?:\t[^\t\n]*)+)$", re.M
)
_CELL_NUMBER = re.compile(r"\t *([0-9][0-9,]*(?:\.[0-9]+)?) *(?=\t|$)", re.M)
_HEADER_YEAR = re.compile(r"\t *((?:19|20)[0-9]{2})(?:年|年度|学年)? *(?=\t|$)", re.M)


def table_cells(text: str) -> Iterator[tuple[int, int, Decimal, str, int | None]]:
    """(start, end, value, unit, year) for every number cell of a row whose label names a unit."""
    for row in _TABLE_ROW.finditer(text):
        unit = row.group(2)
        years = _header_years(text, row.start())
        for col, cell in enumerate(_CELL_NUMBER.finditer(text, row.start(4), row.end(4))):
            value = parse_number(cell.group(1))
            if value is not None:
                yield cell.start(1), cell.end(1), value, unit, years[col] if col < len(years) else None


def _header_years(text: str, row_start: int) -> list[int]:
    """Years heading the columns: the nearest tab row above with a year in every cell."""
    pos = row_start - 1
    for _ in range(30):  # look a little way up, past other data rows
        line_start = text.rfind("\n", 0, pos) + 1
        line = text[line_start:pos]
        if "\t" not in line:
            return []
        years = [int(m.group(1)) for m in _HEADER_YEAR.finditer(line)]
        if years and len(years) == line.count("\t"):
            return years
        if line_start == 0:
            return []
        pos = line_start - 1
    return []


# A flattened table column: a short header line, then one bare number per line (blank lines
# between are kept by many web copies). Only score columns are read: their header names a
# score word (rules.yaml score_headers) or a points maximum such as "教育经费(250分)".
_NUMBER_LINE = re.compile(r"\n[ \t]*[0-9]+(?:\.[0-9]+)?[ \t]*(?=\n|$)")
_POINTS_HEADER = re.compile(r"[(（][0-9]+分[)）]")


def column_cells(text: str, header_words: tuple[str, ...]) -> Iterator[tuple[int, int, Decimal]]:
    """(start, end, value) of each number in a column of at least three number-only lines
    under a score header."""
    run: list[re.Match] = []
    for m in _NUMBER_LINE.finditer(text):
        if run and text[run[-1].end() : m.start()].strip():
            yield from _score_column(text, run, header_words)
            run = []
        run.append(m)
    if run:
        yield from _score_column(text, run, header_words)


def _score_column(text: str, run: list[re.Match], header_words) -> Iterator[tuple[int, int, Decimal]]:
    if len(run) < 3:
        return
    head_end = run[0].start()
    head_start = text.rfind("\n", 0, head_end) + 1
    while head_start > 0 and not text[head_start:head_end].strip():
        head_end = head_start - 1
        head_start = text.rfind("\n", 0, head_end) + 1
    header = text[head_start:head_end].strip()
    if len(header) > 24 or not (_POINTS_HEADER.search(header) or any(w in header for w in header_words)):
        return
    for m in run:
        raw = m.group().strip()
        start = m.start() + m.group().index(raw)
        value = parse_number(raw)
        if value is not None:
            yield start, start + len(raw), value
