"""The one entry point: bytes in, a checked ``Report`` out.

report = ingest_bytes(data, "自评报告.docx", known_values={"edu_exp_budget": Decimal("188700")})
report.figures, report.anomalies, report.sections, report.text
report.to_json()              # the JSON shape of issue 4 item 5
report.original_span(s, e)    # normalised offsets -> offsets in report.original
"""

from __future__ import annotations

import gc
import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from . import anomalies as A
from . import figures as F
from . import sections as S
from .normalize import Normalized, normalize
from .numbers import to_jsonable
from .reader import MAX_BYTES, IngestError, read_bytes

Figure = F.Figure
Anomaly = A.Anomaly
Section = S.Section


@dataclass
class Report:
    text: str  # normalised text; every offset below points into it
    sections: list[Section]
    figures: list[Figure]
    anomalies: list[Anomaly]
    format: str = "txt"  # txt | docx | pdf
    encoding: str | None = None
    filename: str = ""
    _norm: Normalized | None = field(default=None, repr=False)

    @property
    def original(self) -> str:
        """The text as read from the file (decoded, before normalisation)."""
        return self._norm.original if self._norm else self.text

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Offsets in ``original`` of the normalised span ``[start, end)``."""
        return self._norm.span_to_original(start, end) if self._norm else (start, end)

    def to_dict(self) -> dict:
        return {
            "sections": [
                {"level": s.level, "title": s.title, "start": s.start, "end": s.end} for s in self.sections
            ],
            "figures": [_figure_dict(f) for f in self.figures],
            "anomalies": [
                {
                    "kind": a.kind,
                    "quote": a.quote,
                    "start": a.start,
                    "end": a.end,
                    "message": a.message,
                    "severity": a.severity,
                }
                for a in self.anomalies
            ],  # fmt: skip
            "text": self.text,
        }

    def to_json(self, **kwargs) -> str:
        kwargs.setdefault("ensure_ascii", False)
        return json.dumps(self.to_dict(), **kwargs)


def _figure_dict(f: Figure) -> dict:
    return {
        "quote": f.quote,
        "start": f.start,
        "end": f.end,
        "value": to_jsonable(f.value),
        "unit": f.unit,
        "base_value": to_jsonable(f.base_value),
        "base_unit": f.base_unit,
        "kind": f.kind,
        "year": f.year,
        "qualifiers": list(f.qualifiers),
        "metric": f.metric,
        "element": f.element,
        "confidence": f.confidence,
    }


def ingest_text(
    text: str, known_values: dict[str, Decimal] | None = None, *, year: int | None = None, catalogue=None
) -> Report:
    """Ingest text that is already decoded (tests, the web app's paste box)."""
    with _no_cycle_collection():
        norm = normalize(text)
        figs = F.extract(norm.text, catalogue)
        secs = S.outline(norm.text, norm.soft_breaks)
        anoms = A.find(norm.text, figs, known_values, year=year, catalogue=catalogue)
    return Report(norm.text, secs, figs, anoms, _norm=norm)


@contextmanager
def _no_cycle_collection():
    """Pause the cyclic garbage collector while one report is read.

    A report allocates some ten thousand short-lived objects the collector tracks (every regex
    match is one), so its passes ran dozens of times per report, about 5 % of the time, and
    never found anything: the pipeline makes no reference cycles (a test checks that).
    Reference counting frees everything as usual. The previous state is restored, so a
    caller that had the collector off keeps it off.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def ingest_bytes(
    data: bytes,
    filename: str = "",
    known_values: dict[str, Decimal] | None = None,
    *,
    year: int | None = None,
    catalogue=None,
) -> Report:
    """Read, normalise and analyse one uploaded report. Raises ``IngestError`` for unreadable input.

    ``known_values`` maps catalogue element codes to the values already entered for this region
    (and ``year``, when given: figures stated for another year are then not compared).
    """
    src = read_bytes(data, filename)
    report = ingest_text(src.text, known_values, year=year, catalogue=catalogue)
    report.format, report.encoding, report.filename = src.format, src.encoding, filename
    return report


def ingest_path(path: str | Path, known_values: dict[str, Decimal] | None = None, **kwargs) -> Report:
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise IngestError(f"{p}：无法读取（{exc.strerror}）") from None
    if size > MAX_BYTES:
        # refuse before reading 50 MB into memory
        raise IngestError(f"{p.name}：文件过大（{size / 1048576:.1f} MB，上限 {MAX_BYTES // 1048576} MB）")
    return ingest_bytes(p.read_bytes(), p.name, known_values, **kwargs)
