"""Reading a report pauses the cyclic collector (issue 13 item 5); that is safe only because the
pipeline makes no reference cycles, and only if the collector's state is always restored."""

from __future__ import annotations

import gc

import pytest

from dutyeval.core.textfacts import api, ingest_text


@pytest.fixture
def collector_restored():
    was_on = gc.isenabled()
    yield
    if was_on:
        gc.enable()
    else:
        gc.disable()


def test_reading_the_seeds_makes_no_reference_cycles(seeds, collector_restored):
    gc.disable()
    gc.collect()
    for path in sorted(seeds.glob("*.txt")):
        report = ingest_text(path.read_text("utf-8"))
        assert report.figures
        del report
    # everything the pipeline allocated is gone by reference counting: nothing left for the collector
    assert gc.collect() == 0


@pytest.mark.parametrize("on_before", [True, False])
def test_the_collector_state_is_restored(on_before, collector_restored):
    (gc.enable if on_before else gc.disable)()
    ingest_text("2023年全县一般公共预算教育支出21.36亿元，增长9.3%。")
    assert gc.isenabled() is on_before


def test_the_collector_is_back_on_when_reading_fails(monkeypatch, collector_restored):
    gc.enable()

    def boom(*args, **kwargs):
        assert not gc.isenabled()  # paused while the report is read
        raise RuntimeError("broken")

    monkeypatch.setattr(api.F, "extract", boom)
    with pytest.raises(RuntimeError):
        ingest_text("全县有小学45所。")
    assert gc.isenabled()
