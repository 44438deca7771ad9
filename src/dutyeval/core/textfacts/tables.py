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
    """(start, end, value) of each number in a score column of a flattened table: at least
    three number-only lines under a score header, either one after the other (the table
    flattened column by column) or every k-th line (flattened row by row, see _row_columns)."""
    run: list[re.Match] = []
    numbers = list(_NUMBER_LINE.finditer(text))
    for m in numbers:
        if run and text[run[-1].end() : m.start()].strip():
            yield from _score_column(text, run, header_words)
            run = []
        run.append(m)
    if run:
        yield from _score_column(text, run, header_words)
    if len(numbers) >= 3:
        yield from _row_columns(text, numbers, header_words)


# a cell of a flattened table: a short line with no sentence punctuation
_CELL_LINE = re.compile(r"[^\n。，,；;：:！？]{1,24}")


def _is_header(line: str, header_words) -> bool:
    return bool(_POINTS_HEADER.search(line) or any(w in line for w in header_words))


def _row_columns(text: str, numbers: list[re.Match], header_words) -> Iterator[tuple[int, int, Decimal]]:
    """A table flattened row by row: a header of k cells, one per line (``地区 / 得分 / 等次``),
    then k lines per row (``甲县 / 95.8 / 优秀``). The column under a score header is every k-th
    line after it; at least three numbers in a row at that stride make it a column. Only the
    blocks of short lines around number-only lines are looked at (most reports have few)."""
    done: set[int] = set()
    i = 0
    while i < len(numbers):
        first = numbers[i].start()  # the line break before the number
        top = first
        for _ in range(20):  # up to 20 lines above: the header and blank lines between cells
            p = text.rfind("\n", 0, top)
            line = text[p + 1 : top].strip()
            if line and not _CELL_LINE.fullmatch(line):
                break
            top = max(p, 0)
            if p < 0:
                break
        cells: list[tuple[int, str]] = []  # (start, text) of the non-blank lines of the block
        bottom = len(text)
        for m in _LINE.finditer(text, top):
            line = m.group().strip()
            if not line:
                continue
            if not _CELL_LINE.fullmatch(line):
                if m.start() > first:
                    bottom = m.start()
                    break
                cells = []
                continue
            cells.append((m.start() + m.group().index(line), line))
        while i < len(numbers) and numbers[i].start() < bottom:
            i += 1
        yield from _stride_columns(cells, header_words, done)


_LINE = re.compile(r"[^\n]+")


def _stride_columns(cells, header_words, done: set[int]) -> Iterator[tuple[int, int, Decimal]]:
    is_number = [bool(_NUMBER_CELL.fullmatch(c)) for _, c in cells]
    first = next((k for k, n in enumerate(is_number) if n), None)
    if first is None:
        return
    for h in range(max(0, first - 8), first):
        if is_number[h] or len(cells[h][1]) > 24 or not _is_header(cells[h][1], header_words):
            continue
        for k in range(2, 9):
            column = []
            j = h + k
            while j < len(cells) and is_number[j]:
                column.append(cells[j])
                j += k
            if len(column) < 3:
                continue
            # a row-by-row table has other cells between the numbers of a column
            if all(is_number[h + 1 : h + 2 * k]):
                break
            for s, raw in column:
                value = parse_number(raw)
                if value is not None and s not in done:
                    done.add(s)
                    yield s, s + len(raw), value
            break


_NUMBER_CELL = re.compile(r"[0-9]+(?:\.[0-9]+)?")


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
