"""core.rectification's progress over time, by hand: each task's status at each month's end."""

from datetime import date

from dutyeval.core.rectification import month_ends, progress_by_month, status_on


def test_month_ends_run_to_today_across_a_year_end():
    assert month_ends(date(2024, 11, 20), date(2025, 2, 10)) == [
        date(2024, 11, 30), date(2024, 12, 31), date(2025, 1, 31), date(2025, 2, 10)]
    assert month_ends(date(2024, 2, 1), date(2024, 3, 1)) == [date(2024, 2, 29), date(2024, 3, 1)]
    assert len(month_ends(date(2020, 1, 1), date(2025, 1, 1), limit=12)) == 12


def test_status_on_a_day():
    opened, deadline = date(2025, 1, 10), date(2025, 3, 31)
    assert status_on(date(2025, 1, 9), opened, deadline, None) is None
    assert status_on(date(2025, 3, 31), opened, deadline, None) == "open"  # the deadline day is still on time
    assert status_on(date(2025, 4, 1), opened, deadline, None) == "overdue"
    assert status_on(date(2025, 4, 30), opened, deadline, date(2025, 3, 31)) == "closed_on_time"
    assert status_on(date(2025, 4, 30), opened, deadline, date(2025, 4, 2)) == "closed_late"
    assert status_on(date(2025, 4, 1), opened, deadline, date(2025, 4, 2)) == "overdue"  # not yet closed


def test_progress_by_month_counts_each_task_once_a_month():
    tasks = [
        (date(2025, 1, 10), date(2025, 2, 28), date(2025, 2, 20)),  # closed on time in February
        (date(2025, 1, 10), date(2025, 2, 28), date(2025, 4, 5)),   # overdue in March, closed late in April
        (date(2025, 2, 15), date(2025, 6, 30), None),               # opened in February, still open
    ]
    rows = progress_by_month(tasks, date(2025, 4, 12))
    assert [r["month"] for r in rows] == ["2025-01", "2025-02", "2025-03", "2025-04"]
    table = [(r["open"], r["overdue"], r["closed_on_time"], r["closed_late"]) for r in rows]
    assert table == [(2, 0, 0, 0), (2, 0, 1, 0), (1, 1, 1, 0), (1, 0, 1, 1)]
    assert progress_by_month([], date(2025, 4, 12)) == []


def test_the_previous_reporting_period_by_hand():
    from dutyeval.core.rectification import previous_period

    assert previous_period(date(2025, 6, 10), "monthly") == ("2025年5月", date(2025, 5, 1), date(2025, 5, 31))
    assert previous_period(date(2025, 1, 3), "monthly") == ("2024年12月", date(2024, 12, 1), date(2024, 12, 31))
    assert previous_period(date(2025, 4, 1), "quarterly") == ("2025年第1季度", date(2025, 1, 1), date(2025, 3, 31))
    assert previous_period(date(2025, 2, 1), "quarterly") == ("2024年第4季度", date(2024, 10, 1), date(2024, 12, 31))
    # ISO weeks: 2025-01-01 is a Wednesday of 2025's week 1 (from Monday 2024-12-30); before it, 2024's week 52
    assert previous_period(date(2025, 1, 1), "weekly") == ("2024年第52周", date(2024, 12, 23), date(2024, 12, 29))
    assert previous_period(date(2025, 6, 10), "weekly") == ("2025年第23周", date(2025, 6, 2), date(2025, 6, 8))


def test_a_reopened_task_counts_as_closed_only_while_it_was_closed():
    opened, deadline = date(2025, 1, 10), date(2025, 3, 31)
    # closed on time in February, reopened by a follow-up check in April, closed again (late) in May
    history = [(date(2025, 2, 20), date(2025, 4, 5)), (date(2025, 5, 12), None)]
    rows = progress_by_month([(opened, deadline, history)], date(2025, 5, 20))
    assert [(r["month"], next(k for k in ("open", "overdue", "closed_on_time", "closed_late") if r[k]))
            for r in rows] == [("2025-01", "open"), ("2025-02", "closed_on_time"), ("2025-03", "closed_on_time"),
                               ("2025-04", "overdue"), ("2025-05", "closed_late")]
    assert status_on(date(2025, 4, 4), opened, deadline, history) == "closed_on_time"  # the day before reopening
    assert status_on(date(2025, 4, 5), opened, deadline, history) == "overdue"
