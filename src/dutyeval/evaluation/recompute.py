"""Recomputing a cycle's scores: one grouped query per source, one vectorised scoring pass,
one bulk write (STYLE.md §3). Runs on the task queue; inline when no worker is configured."""

from __future__ import annotations

import math
import time
from datetime import timedelta
from decimal import Decimal
from functools import partial

import numpy as np
import orjson
from django.db import IntegrityError, connection, transaction
from django.db.models import FloatField, Q
from django.db.models.functions import Cast
from django.utils import timezone
from huey.contrib.djhuey import db_task

from dutyeval.collection.models import DataElement, DataValue
from dutyeval.core.expr import Dataset
from dutyeval.core.scoring import (
    S_SCORED,
    S_VIOLATED,
    STATUS,
    WHO,
    ManualScore,
    SchemeScores,
    cents_decimal,
    score_all,
    to_cents,
)
from dutyeval.regions.models import Region
from dutyeval.schemes.models import Indicator

from .models import HISTORY_YEARS, Cycle, ItemScore, RecomputeJob, Result, ResultItem, Submission


def cycle_dataset(cycle: Cycle, only: list[str] | None = None) -> tuple[Dataset, list[str]]:
    """The figures of the evaluated regions (all, or `only` these) and of their child regions (for
    sum_children()). A region's score reads nothing but its own and its children's figures, so a
    dataset of one region scores it exactly as the whole cycle's would.

    Returns the dataset and the codes of the evaluated regions."""
    subs = Submission.objects.filter(cycle=cycle)
    if only is not None:
        subs = subs.filter(region__code__in=only)
    targets = list(subs.values_list("region_id", "region__code"))
    target_ids = {pk for pk, _code in targets}
    below = list(Region.objects.filter(parent_id__in=target_ids).values_list("pk", "code", "parent_id"))
    # a region may be both evaluated and the child of one evaluated (a county in a city cycle with counties)
    children = [(pk, code) for pk, code, _parent in below if pk not in target_ids]
    ids = [pk for pk, _code in targets + children]
    codes = [code for _pk, code in targets + children]
    row_of = {pk: n for n, pk in enumerate(ids)}
    parent_of = {pk: parent for pk, _code, parent in below}
    parent = np.array([row_of.get(parent_of.get(pk), -1) for pk in ids], np.int64)
    span = range(cycle.data_year - HISTORY_YEARS, cycle.data_year + 1)
    figures = _figures(cycle, ids, span) | _derived(cycle, ids, len(span))
    # the shift only names years in the checks' rule texts (2019年, 2020/2021学年); values stay aligned
    ds = Dataset(np.array(codes, dtype=str), span.start, len(span), figures, parent, year_shift(cycle))
    return ds, [code for _pk, code in targets]


def _figures(cycle: Cycle, ids: list[int], span: range) -> dict[str, np.ndarray]:
    """Element code → float array [region row, year], NaN where missing. Ids and floats come from SQL (no
    join, no Decimal, no model row per figure) and land in the arrays by index, not one by one."""
    years = cycle.years_read()
    values = DataValue.objects.filter(year__gte=years.start, year__lt=years.stop)
    if len(ids) < 1000:  # a few regions: by id, through the index on region
        values = values.filter(region_id__in=ids)
    else:  # the whole cycle: a subquery, not thousands of parameters
        in_cycle = Q(submission__cycle=cycle) | Q(parent__submission__cycle=cycle)
        values = values.filter(region_id__in=Region.objects.filter(in_cycle).values("pk"))
    rows = _float_rows(values.values_list("region_id", "element_id", "year", Cast("value", FloatField())))
    element_code = dict(DataElement.objects.values_list("pk", "code"))
    row_by_id = np.full(max(ids, default=0) + 1, -1, np.int64)  # region id → dataset row
    row_by_id[ids] = np.arange(len(ids))
    shift = year_shift(cycle)
    out: dict[str, np.ndarray] = {}
    for element in np.unique(rows[:, 1]).astype(np.int64).tolist():
        code = element_code[element]
        mine = rows[rows[:, 1] == element]
        # an element collected for another year (finance of N−1) is seen by the core at the data year,
        # so its own history lines up: the core compares each element with its own previous year
        year = mine[:, 2].astype(np.int64) + shift.get(code, 0) - span.start
        region = mine[:, 0].astype(np.int64)
        row = np.where(region < len(row_by_id), row_by_id[np.minimum(region, len(row_by_id) - 1)], -1)
        keep = (year >= 0) & (year < len(span)) & (row >= 0)
        if not keep.any():
            continue
        arr = out[code] = np.full((len(ids), len(span)), np.nan)
        arr[row[keep], year[keep]] = mine[keep, 3]
    return out


# Figures no region reports but an app derives (the rectification ledger: core/catalogue.yaml `derived`).
# The app registers a function here in its AppConfig.ready(), so evaluation imports no app above it.
# Each takes (cycle, region ids) and returns {element code: {region id: value}}: the data year's figure.
DERIVED_SOURCES: list = []


def _derived(cycle: Cycle, ids: list[int], n_years: int) -> dict[str, np.ndarray]:
    row_of = {pk: n for n, pk in enumerate(ids)}
    out: dict[str, np.ndarray] = {}
    for source in DERIVED_SOURCES:
        for code, by_region in source(cycle, ids).items():
            arr = out[code] = np.full((len(ids), n_years), np.nan)
            for pk, value in by_region.items():
                if pk in row_of:
                    arr[row_of[pk], -1] = float(value)
    return out


def _float_rows(query) -> np.ndarray:
    """A values_list of numbers (none NULL) as a float array [row, column]. On PostgreSQL the server packs
    them into one bytea of 8-byte floats that NumPy reads in one call: half a million figures as Python
    tuples, or as COPY messages, took seconds."""
    width = len(query.query.values_select) + len(query.query.annotation_select)
    if connection.vendor != "postgresql":
        return np.array(list(query), dtype=float).reshape(-1, width)
    sql, params = query.query.sql_with_params()
    names = [f"c{k}" for k in range(width)]
    packed = " || ".join(f"float8send({name}::float8)" for name in names)
    statement = f"SELECT string_agg({packed}, ''::bytea) FROM ({sql}) AS q({', '.join(names)})"
    with connection.cursor() as cursor:
        cursor.execute(statement, params)  # libpq decodes the bytea's hex text in C
        data = bytes(cursor.fetchone()[0] or b"")
    return np.frombuffer(data, dtype=">f8").astype(float).reshape(-1, width)


def year_shift(cycle: Cycle) -> dict[str, int]:
    """Element code → years to add to its stored year to reach the core's (data) year."""
    return {
        code: cycle.data_year - int(y) for code, y in cycle.element_years.items() if int(y) != cycle.data_year
    }


def manual_scores(cycle: Cycle, only: list[str] | None = None) -> dict[tuple[str, str], ManualScore]:
    scores = ItemScore.objects.filter(submission__cycle=cycle)
    if only is not None:
        scores = scores.filter(submission__region__code__in=only)
    # ids, mapped to codes here: no join per score row
    region_of = dict(Submission.objects.filter(cycle=cycle).values_list("pk", "region__code"))
    code_of = dict(Indicator.objects.filter(scheme_id=cycle.scheme_id).values_list("pk", "code"))
    rows = scores.values_list(
        "submission_id", "indicator_id", "self_score", "reviewer_score", "reviewer_note", "vetoed"
    )
    return {
        (region_of[sub], code_of[ind]): ManualScore(
            self_score=s, reviewer_score=v, comment=n or "", vetoed=veto
        )
        for sub, ind, s, v, n, veto in rows
    }


def compute(cycle: Cycle, only: list[str] | None = None) -> SchemeScores:
    """Scores of every evaluated region, or of `only` these (their ranks are then among themselves:
    store() re-ranks the cycle)."""
    ds, targets = cycle_dataset(cycle, only)
    manual = manual_scores(cycle, only)
    for adjust in MANUAL_ADJUSTERS:
        manual = adjust(cycle, manual)
    return score_all(cycle.scheme.to_core(), ds, cycle.data_year, manual, targets=targets)


# Apps above evaluation that adjust the manual scores before scoring register a function here in their
# AppConfig.ready() (field verification: on-site scores replace online ones, or points off per falsified
# figure; docs/fieldwork.md), so evaluation imports no app above it. Each takes (cycle, manual scores)
# and returns the manual scores to use.
MANUAL_ADJUSTERS: list = []


def _quiet(pct: int, message: str) -> None:
    pass


def store(
    cycle: Cycle,
    scores: SchemeScores,
    progress=_quiet,
    *,
    only: list[str] | None = None,
    words: bool | None = None,
) -> int:
    """Write the scores as typed rows. only=None: every result of the cycle is replaced. Otherwise the
    results of those regions are, and then the ranks of the whole cycle (a total that moved moves
    others' ranks). The rows are built first, reporting progress as they go; the write is one short
    transaction, so the progress the page polls is never held back inside it.

    words: write each item's words (rule, explanation, figures, the check's value and threshold) too.
    By default a few regions are worded at once and a whole cycle is not: its results say worded=False
    and worded() writes a region's words when a page or document first reads them (a national
    recompute wording 185,000 items took most of its time). A relatively scored scheme is always
    worded: one region's words could only be redone by recomputing every region."""
    if only is not None:
        progress = _quiet  # a few regions take a fraction of a second: no progress to show, no writes for it
    if words is None:
        words = only is not None or scores.scheme.is_relative()
    subs = Submission.objects.filter(cycle=cycle)
    if only is not None:
        subs = subs.filter(region__code__in=only)
    sub_ids = dict(subs.values_list("region__code", "pk"))
    shift = year_shift(cycle)
    results = []
    codes = scores.regions.tolist()
    cards = scores.cards()
    # on PostgreSQL each row becomes its COPY line (without the result id) as soon as it is built: a
    # line holds the row in half the memory of its tuple, and 185,000 rows are held until the write
    compact = _copy_tails if connection.vendor == "postgresql" else list
    columns = []
    for j in range(len(scores.leaves)):  # a leaf at a time across regions: its wording is built once
        if words:
            columns.append(compact(_leaf_rows(scores, j, shift)))
        else:
            columns.append(
                _leaf_number_lines(scores, j) if compact is _copy_tails else _leaf_numbers(scores, j)
            )
        if j % 5 == 0:
            progress(40 + int(40 * j / max(len(scores.leaves), 1)), f"生成评分表 {j}/{len(scores.leaves)}")
    for code, subtotals in cards.subtotals.items():
        if compact is list:
            columns.append([(code, False, subtotal, subtotal, *SUBTOTAL_REST) for subtotal in subtotals])
        else:
            columns.append(_subtotal_lines(code, subtotals))
    for n, code in enumerate(codes):
        results.append(Result(
            submission_id=sub_ids[code], total=cards.total[n], grade=cards.grade[n],
            grade_before_veto=cards.grade_before_veto[n], rank=cards.rank[n], vetoes=cards.vetoes[n],
            insufficient=cards.insufficient[n], worded=words,
        ))  # fmt: skip
    progress(80, "写入结果")
    with transaction.atomic():
        # one writer per cycle at a time: a region worded on a page's first read and the worker's
        # recompute of the cycle would otherwise both insert that region's result
        Cycle.objects.select_for_update().filter(pk=cycle.pk).values_list("pk").first()
        old = Result.objects.filter(submission__cycle=cycle)
        if only is not None:
            old = old.filter(submission__region__code__in=only)
        ResultItem.objects.filter(result__in=old).delete()  # one statement
        # the rows are gone and nothing else refers to a result (no signals either): one statement, not
        # Django's collector, which reads the results and deletes their rows again by a list of ids
        old._raw_delete(old.db)
        ids = insert_results(results)
        # a result's rows in scheme order: its leaves, then its inner indicators' subtotals
        if compact is list:
            write_items((ids[n], *column[n]) for n in range(len(ids)) for column in columns)
        else:
            write_lines(_result_blocks(ids, columns))
        rerank(cycle)  # the core ranks every region; the published rank counts complete reviews only
    return len(results)


RESULT_COLUMNS = (
    "id", "submission_id", "total", "grade", "grade_before_veto", "rank", "vetoes", "insufficient", "worded",
    "computed_at",
)  # fmt: skip


def insert_results(results: list[Result]) -> list[int]:
    """Insert the results, returning their ids in order. On PostgreSQL the ids are drawn from the table's
    sequence first and the rows COPYed (bulk_create's INSERT of 2,851 results took a fifth of the store);
    elsewhere bulk_create, which returns the new ids on both databases."""
    if connection.vendor != "postgresql" or not results:
        Result.objects.bulk_create(results, batch_size=1000)
        return [result.pk for result in results]
    table = Result._meta.db_table
    now = timezone.now().isoformat()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)",
            [len(results)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        with cursor.cursor.copy(f"COPY {table} ({', '.join(RESULT_COLUMNS)}) FROM STDIN") as copy:
            for pk, r in zip(ids, results, strict=True):
                copy.write_row((pk, r.submission_id, r.total, r.grade, r.grade_before_veto, r.rank,
                                orjson.dumps(r.vetoes).decode(), r.insufficient, r.worded, now))  # fmt: skip
    for pk, r in zip(ids, results, strict=True):
        r.pk = pk
    return ids


ITEM_COLUMNS = (
    "result_id", "code", "leaf", "score", "contribution", "status", "who", "failed", "auto_score", "auto_verdict",
    "rule", "explanation", "value", "threshold", "unit", "comparison", "source", "confidence", "figures",
)  # fmt: skip
# an unworded leaf's columns after `failed` (auto_score … figures): no words, no check figures
UNWORDED_REST = (None, "", "", "", None, None, "", "", "", "", "[]")
# an inner indicator's row: no status, rule or explanation of its own, only the subtotal
SUBTOTAL_REST = ("", "", False, *UNWORDED_REST)
_ZERO = Decimal("0.00")


def _leaf_numbers(scores: SchemeScores, j: int) -> list[tuple]:
    """Leaf j of every region as an item row with its numbers only (score, contribution, status, who,
    failed: what pages over many regions read in SQL), the same numbers _leaf_rows gives."""
    code, cells = scores.leaves[j].code, _number_cells(scores.leaves[j])
    return [(code, True, *cells(*key), *UNWORDED_REST) for key in _keys(scores, j)]


def _leaf_number_lines(scores: SchemeScores, j: int) -> list[str]:
    """_leaf_numbers as COPY lines without their result id. A leaf's line depends only on its (cents,
    status, who), and a scheme's scores take few values: each distinct line is built once."""
    code, cells = scores.leaves[j].code, _number_cells(scores.leaves[j])
    made: dict[tuple[int, int, int], str] = {}

    def line(key: tuple[int, int, int]) -> str:
        score, contribution, status, who, failed = cells(*key)
        made[key] = text = (f"{code}\tt\t{score}\t{contribution}\t{status}\t{who}\t{'t' if failed else 'f'}"
                            f"{_UNWORDED_TAIL}")  # fmt: skip
        return text

    return [made.get(key) or line(key) for key in _keys(scores, j)]


def _keys(scores: SchemeScores, j: int):
    return zip(
        scores.cents[:, j].tolist(), scores.status[:, j].tolist(), scores.who[:, j].tolist(), strict=True
    )


def _number_cells(ind):
    """(cents, status, who) → (score, contribution, status, who, failed) of an item row of this leaf."""
    points, veto = to_cents(ind.points), ind.rule.kind == "veto"
    graded, sign = ind.rule.kind not in ("manual", "veto"), -1 if ind.kind == "deduction" else 1

    def cells(c: int, s: int, w: int) -> tuple:
        score = cents_decimal(c)
        failed = s == S_VIOLATED or (graded and s == S_SCORED and c < points)
        return score, _ZERO if veto else score * sign, STATUS[s], WHO[w], failed

    return cells


def _subtotal_lines(code: str, subtotals: list) -> list[str]:
    """An inner indicator's rows (its subtotal, nothing else) as COPY lines without their result id."""
    return [f"{code}\tf\t{subtotal}\t{subtotal}\t\t\tf{_UNWORDED_TAIL}" for subtotal in subtotals]


def _leaf_rows(scores: SchemeScores, j: int, shift: dict[str, int]) -> list[tuple]:
    """Leaf j of every region as an item row (ITEM_COLUMNS without result_id)."""
    ind = scores.leaves[j]
    code, kind, points = ind.code, ind.rule.kind, to_cents(ind.points)
    graded = kind not in ("manual", "veto")  # an automatic item scored below its points has failed
    rows = []
    for it in scores.leaf_column(j):
        score, status = it[0], it[2]
        failed = status == "violated" or (graded and status == "scored" and to_cents(score) < points)
        rows.append((
            code, True, score, it[1], status, it[3], failed, it[9], it[10], it[4], it[6], _finite(it[11]),
            _finite(it[12]), it[13] or "", it[14], it[15], it[16], _figures_json(it[5], shift),
        ))  # fmt: skip
    return rows


def _figures_json(figures, shift: dict[str, int]) -> str:
    return orjson.dumps([
        {"code": f.code, "name": f.name, "year": f.year - shift.get(f.code, 0), "value": _num(f.value),
         "unit": f.unit} for f in figures
    ]).decode()  # fmt: skip


def _item_rows(card, kinds: dict[str, str], shift: dict[str, int]) -> list[tuple]:
    """One scorecard's rows, built item by item: the reference the column-wise store must equal."""
    rows = []
    for it in card.items:
        kind = kinds[it.code]
        failed = it.status == "violated" or (
            kind not in ("manual", "veto") and it.status == "scored" and it.score < it.points
        )
        rows.append((
            it.code, True, it.score, it.contribution, it.status, it.who, failed, it.auto_score, it.auto_verdict,
            it.rule, it.explanation, _finite(it.value), _finite(it.threshold), it.unit or "", it.comparison,
            it.source, it.confidence, _figures_json(it.figures, shift),
        ))  # fmt: skip
    for code, subtotal in card.subtotals.items():
        rows.append((code, False, subtotal, subtotal, *SUBTOTAL_REST))
    return rows


def _num(v: float | None) -> str | None:
    """A figure as the page shows it: rounded to 4 decimals, no trailing zeros (0.5, 12, 202149.1487)."""
    if v is None:
        return None
    text = f"{round(v, 4):.4f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _finite(v: float | None) -> float | None:
    return None if v is None or not math.isfinite(v) else float(v)


def write_items(rows) -> None:
    """COPY on PostgreSQL (a tenth of the time of INSERTs at national scale); batched INSERTs elsewhere."""
    if connection.vendor == "postgresql":
        write_lines(map(_copy_line, rows))
        return
    table = ResultItem._meta.db_table
    sql = f"INSERT INTO {table} ({', '.join(ITEM_COLUMNS)}) VALUES ({', '.join(['%s'] * len(ITEM_COLUMNS))})"
    with connection.cursor() as cursor:
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) == 2000:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def write_lines(lines) -> None:
    """Item rows already in COPY's text format (ITEM_COLUMNS; a line, or a block of lines without the last
    line break), written a thousand at a time."""
    table, columns = ResultItem._meta.db_table, ", ".join(ITEM_COLUMNS)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        block = []
        for line in lines:
            block.append(line)
            if len(block) == 1000:
                copy.write("\n".join(block) + "\n")
                block = []
        if block:
            copy.write("\n".join(block) + "\n")


def _result_blocks(ids: list[int], columns: list[list[str]]):
    """Each result's COPY lines as one block, its id put before every line by one join (185,000 f-strings
    joined one by one cost a sixth of a national store)."""
    if not columns:
        return
    for pk, tails in zip(ids, zip(*columns, strict=True), strict=True):
        prefix = f"{pk}\t"
        yield prefix + ("\n" + prefix).join(tails)


def _copy_tails(rows) -> list[str]:
    """COPY lines of item rows without their result id (the first column), which they get when written."""
    return [_copy_line((0, *row))[2:] for row in rows]  # "0\t" is where the id goes


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_line(row: tuple) -> str:
    """One item row in COPY's text format. Its texts are checked together, once per row: a call per
    value cost a second at national scale, and only a comment or a figure's JSON escape ever needs it."""
    (result_id, code, leaf, score, contribution, status, who, failed, auto_score, auto_verdict, rule,
     explanation, value, threshold, unit, comparison, source, confidence, figures) = row  # fmt: skip
    try:
        texts = "\t".join((code, status, who, auto_verdict, rule, explanation, unit, comparison, source,
                           confidence, figures))  # fmt: skip
    except TypeError:  # not an item row of text columns as the store writes them
        return "\t".join(map(_copy_text, row))
    if "\\" in texts or "\n" in texts or "\r" in texts or texts.count("\t") != 10:
        return "\t".join(map(_copy_text, row))
    return (
        f"{result_id}\t{code}\t{'t' if leaf else 'f'}\t{score}\t{contribution}\t{status}\t{who}\t"
        f"{'t' if failed else 'f'}\t{_NULL if auto_score is None else auto_score}\t{auto_verdict}\t{rule}\t"
        f"{explanation}\t{_NULL if value is None else value}\t{_NULL if threshold is None else threshold}\t"
        f"{unit}\t{comparison}\t{source}\t{confidence}\t{figures}"
    )


_NULL = "\\N"


def _copy_text(value) -> str:
    """One value in COPY's text format: \\N for NULL, t/f, text with its backslashes and breaks escaped."""
    if type(value) is str:
        # str.translate walks every character through a dict: only for the rare text that needs it
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return value.translate(_COPY_ESCAPES)
        return value
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    return str(value)


def worded(result: Result | None) -> Result | None:
    """The result with its items' words. One a full recompute stored unworded is recomputed now for its
    region, words and all (the job the worker runs when one region changes), and its new row returned:
    the first reader pays a region's wording (tens of milliseconds), the recompute never pays them all."""
    if result is None or result.worded:
        return result
    sub = Submission.objects.select_related("cycle__scheme").get(pk=result.submission_id)
    word(sub.cycle, [sub.pk])
    return Result.objects.filter(submission_id=sub.pk).first()


def result_items(result: Result) -> dict:
    """Indicator code → the leaf item as plain JSON values (the shape results had when stored as one
    blob), worded first if a full recompute left it unworded. One query for the rows (two and the
    wording when unworded); pages over many results read ResultItem in SQL instead."""
    return {row.code: row.as_json() for row in worded(result).rows.filter(leaf=True)}


def word(cycle: Cycle, submissions=None) -> int:
    """Word at once the results a full recompute left unworded, of these submissions (ids, objects or a
    queryset; all of the cycle's by default): one compute and one store for a document or a list over
    many regions, not one per region. Returns how many regions were worded."""
    pending = Result.objects.filter(submission__cycle=cycle, worded=False)
    if submissions is not None:
        pending = pending.filter(submission__in=submissions)
    codes = sorted(pending.values_list("submission__region__code", flat=True))
    if not codes:
        return 0
    if cycle.scheme.to_core().is_relative():  # never stored unworded; kept right if the scheme changed
        store(cycle, compute(cycle), words=True)
    else:
        store(cycle, compute(cycle, codes), only=codes, words=True)
    return len(codes)


# UNWORDED_REST as the end of a COPY line (the values after `failed`, each after its tab)
_UNWORDED_TAIL = "\t" + "\t".join(map(_copy_text, UNWORDED_REST))


def rerank(cycle: Cycle) -> None:
    """The official ranks, in one statement that rewrites only the ranks that moved: competition
    ranks (1, 2, 2, 4) over the regions whose review is complete (accepted or locked), by capped grade
    first (a veto-capped region ranks by the grade it was capped to) and total second; every other
    region gets rank 0, shown as 未完成 — never ranked, never 不合格 by default."""
    result, submission = Result._meta.db_table, Submission._meta.db_table
    grades = [b["name"] for b in cycle.scheme.grade_bands]
    grade_order = (
        "CASE r.grade "
        + " ".join("WHEN %s THEN " + str(i) for i in range(len(grades)))
        + f" ELSE {len(grades)} END"
        if grades
        else "0"
    )
    complete = "s.state IN ('accepted', 'locked')"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {result} SET rank = ranked.rk FROM ("
            f" SELECT r.id AS id, CASE WHEN {complete} THEN RANK() OVER (PARTITION BY {complete}"
            f" ORDER BY {grade_order}, r.total DESC) ELSE 0 END AS rk FROM {result} r"
            f" JOIN {submission} s ON s.id = r.submission_id WHERE s.cycle_id = %s) AS ranked"
            f" WHERE {result}.id = ranked.id AND {result}.rank <> ranked.rk",
            [*grades, cycle.pk],
        )


def results_complete(cycle: Cycle) -> bool:
    """Every evaluated region has a result: only then can one region's result be replaced and the
    ranks redone from the stored totals."""
    return not Submission.objects.filter(cycle=cycle, result__isnull=True).exists()


STALE_AFTER = timedelta(minutes=15)  # a running job silent this long died with its worker


MAX_REGIONS = 300  # a waiting job naming more regions than this recomputes the whole cycle


def schedule_recompute(cycle: Cycle, reason: str = "", region=None) -> RecomputeJob:
    """Queue a recomputation unless one is already waiting; then widen the waiting one (it will see the
    newest data). `region` (a Region or its code): the one evaluated region whose figures or scores
    changed, so only it and the cycle's ranks are recomputed; None: the whole cycle.

    Only queues: with a worker (production) the request returns at once; in the embedded default
    (HUEY_IMMEDIATE) the job runs after the request's commit, one region's worth of work."""
    code = getattr(region, "code", region)
    for _attempt in range(3):
        with transaction.atomic():
            # the row lock keeps a worker from claiming the job between reading and widening it
            waiting = RecomputeJob.objects.select_for_update().filter(
                cycle=cycle, state=RecomputeJob.State.QUEUED
            )
            job = waiting.first()
            if job is not None:
                _widen(job, code)
                return job
        try:
            with transaction.atomic():
                job = RecomputeJob.objects.create(
                    cycle=cycle,
                    reason=reason[:200],
                    full=code is None,
                    regions=[] if code is None else [code],
                )
        except IntegrityError:  # a parallel request queued one first: join it
            continue
        transaction.on_commit(partial(recompute_task, job.pk))
        return job
    raise RuntimeError("could not queue a recomputation")  # three races lost in a row: let the caller retry


def _widen(job: RecomputeJob, code: str | None) -> None:
    if job.full or (code is not None and code in job.regions):
        return
    if code is None or len(job.regions) >= MAX_REGIONS:
        job.full, job.regions = True, []
    else:
        job.regions = [*job.regions, code]
    job.save(update_fields=["full", "regions"])


def _claim(job_id: int) -> bool:
    """queued → running, unless another job of the cycle is running (the database refuses two)."""
    try:
        with transaction.atomic():
            return (
                RecomputeJob.objects.filter(pk=job_id, state=RecomputeJob.State.QUEUED).update(
                    state=RecomputeJob.State.RUNNING, progress=5, message="读取数据", started=timezone.now()
                )
                == 1
            )
    except IntegrityError:
        return False


def _retire_stale(cycle_id: int) -> None:
    RecomputeJob.objects.filter(
        cycle_id=cycle_id, state=RecomputeJob.State.RUNNING, started__lt=timezone.now() - STALE_AFTER
    ).update(state=RecomputeJob.State.FAILED, message="计算进程中断（超时）", finished=timezone.now())


@db_task()
def recompute_task(job_id: int) -> dict:
    """Run a queued job, then whatever was queued for its cycle meanwhile. A job that finds another
    job of its cycle running leaves itself queued: the running one takes it when it is done."""
    job = RecomputeJob.objects.filter(pk=job_id).first()
    if job is None:
        return {"ran": 0}
    _retire_stale(job.cycle_id)
    ran, cycle_id, unworded = 0, job.cycle_id, False
    while job is not None and _claim(job.pk):
        if _run(job.pk):
            unworded = True
        ran += 1
        job = RecomputeJob.objects.filter(cycle_id=job.cycle_id, state=RecomputeJob.State.QUEUED).first()
    if unworded:
        word_task(cycle_id)  # the words, after the numbers are out
    return {"ran": ran}


WORD_BATCH = 300  # regions worded in one compute and one transaction


@db_task()
def word_task(cycle_id: int) -> int:
    """After a full recompute, which stores the numbers only: word the cycle's regions a batch at a time,
    so a page seldom words one itself (worded() still does, for a region not reached yet)."""
    cycle = Cycle.objects.select_related("scheme").filter(pk=cycle_id).first()
    done = 0
    while cycle is not None:
        batch = list(
            Result.objects.filter(submission__cycle=cycle, worded=False)
            .order_by("pk")
            .values_list("submission_id", flat=True)[:WORD_BATCH]
        )
        worded_now = word(cycle, batch) if batch else 0
        if not worded_now:
            break
        done += worded_now
    return done


def _run(job_id: int) -> bool:
    """Run one job; True when it stored the cycle's numbers without their words."""
    job = RecomputeJob.objects.select_related("cycle__scheme").get(pk=job_id)
    t0 = time.perf_counter()

    def progress(pct: int, message: str) -> None:
        RecomputeJob.objects.filter(pk=job.pk).update(progress=pct, message=message)

    # one region's change: that region and the ranks; unless some region has no result yet
    # a relatively scored item (peer_rank, peer_mean …) moves with every region's figures
    alone = not job.full and results_complete(job.cycle) and not job.cycle.scheme.to_core().is_relative()
    only = sorted(job.regions) if alone else None
    try:
        scores = compute(job.cycle, only)
        progress(40, "计算完成，生成评分表")
        n = store(job.cycle, scores, progress, only=only)
    except Exception as exc:  # the job records any failure for the page, then re-raises for the log
        RecomputeJob.objects.filter(pk=job.pk).update(
            state=RecomputeJob.State.FAILED, message=str(exc)[:200], finished=timezone.now()
        )
        raise
    seconds = time.perf_counter() - t0
    done = f"已计算 {n} 个被评价地区" if only is None else f"已重新计算 {n} 个被评价地区，并更新排名"
    # a full store leaves the words (a relatively scored scheme's excepted); a region's job words its own
    unworded = only is None and Result.objects.filter(submission__cycle=job.cycle, worded=False).exists()
    RecomputeJob.objects.filter(pk=job.pk).update(
        state=RecomputeJob.State.DONE,
        progress=100,
        message=done,
        finished=timezone.now(),
        seconds=seconds,
    )
    return unworded
