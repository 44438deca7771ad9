"""The figures of a cycle as arrays, and the result of evaluating an expression over them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from .expr_syntax import BOOL


@dataclass
class Dataset:
    """The figures of one cycle: per element a float array [region, year], NaN = missing.

    Years are consecutive from `first_year` (a year missing from a series is a NaN column).
    `parent[i]` is the index of region i's parent region, -1 when it has none in the dataset;
    sum_children() sums over it.
    """

    regions: np.ndarray
    first_year: int
    n_years: int
    values: dict[str, np.ndarray]
    parent: np.ndarray | None = None
    # element code → years between the evaluated (data) year and the year its figures belong to: a
    # cycle that collects finance for the year before the school year stores finance at the data year
    # (so every element lines up with its own previous year). Only words use it: rule texts name the
    # year really compared; columns and Figure.year stay in the dataset's years.
    year_shift: dict[str, int] | None = None

    def year_of(self, code: str, year: int) -> int:
        """The element's own year for the evaluated year `year` (finance 2019 when the data year is 2020)."""
        return year - (self.year_shift or {}).get(code, 0)

    def __post_init__(self) -> None:
        self.regions = np.asarray(self.regions, dtype=str)
        n = len(self.regions)
        self.parent = np.full(n, -1, np.int64) if self.parent is None else np.asarray(self.parent, np.int64)
        if len(self.parent) != n:
            raise ValueError("Dataset.parent must have one entry per region")
        for code, arr in self.values.items():
            if arr.shape != (n, self.n_years):
                raise ValueError(
                    f"Dataset.values[{code}] has shape {arr.shape}, expected {(n, self.n_years)}"
                )
        self._index = {r: i for i, r in enumerate(self.regions.tolist())}

    @property
    def years(self) -> range:
        return range(self.first_year, self.first_year + self.n_years)

    def __len__(self) -> int:
        return len(self.regions)

    def index(self, region: str) -> int:
        try:
            return self._index[region]
        except KeyError:
            raise KeyError(f"地区{region}不在数据集中") from None

    def column(self, code: str, year: int) -> np.ndarray:
        """Values of `code` in `year` for every region (a new array; all NaN when absent)."""
        j = year - self.first_year
        arr = self.values.get(code)
        if arr is None or not 0 <= j < self.n_years:
            return np.full(len(self.regions), np.nan)
        return arr[:, j].copy()

    def value(self, code: str, year: int, row: int) -> float | None:
        """One figure, None when missing (no copy: for scorecards, one region at a time)."""
        j = year - self.first_year
        arr = self.values.get(code)
        if arr is None or not 0 <= j < self.n_years:
            return None
        v = float(arr[row, j])
        return v if np.isfinite(v) else None

    @classmethod
    def from_records(
        cls,
        regions: Iterable[str],
        years: Iterable[int],
        records: Mapping[tuple[str, str, int], float | None] | Iterable[tuple[str, str, int, float | None]],
        parents: Mapping[str, str | None] | None = None,
    ) -> Dataset:
        """Build from (region, element code, year) → value; values may be Decimal or None."""
        regions = list(regions)
        ys = list(years)
        first, n_years = (min(ys), max(ys) - min(ys) + 1) if ys else (0, 0)
        index = {r: i for i, r in enumerate(regions)}
        items = (
            records.items() if isinstance(records, Mapping) else (((r, c, y), v) for r, c, y, v in records)
        )
        values: dict[str, np.ndarray] = {}
        for (region, code, year), v in items:
            if v is None or region not in index or not 0 <= year - first < n_years:
                continue
            arr = values.setdefault(code, np.full((len(regions), n_years), np.nan))
            arr[index[region], year - first] = float(v)
        parent = [index.get((parents or {}).get(r) or "", -1) for r in regions]
        return cls(np.array(regions, dtype=str), first, n_years, values, np.array(parent, np.int64))


@dataclass(frozen=True)
class Result:
    """Per region: `value` (float, NaN exactly where unknown; or bool, False where unknown) and
    `known` (False = 数据不足 insufficient data). Never inf."""

    kind: str
    value: np.ndarray
    known: np.ndarray

    def at(self, i: int) -> float | bool | None:
        if not self.known[i]:
            return None
        return bool(self.value[i]) if self.kind == BOOL else float(self.value[i])
