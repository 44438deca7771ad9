"""Where each figure stands: sentence and paragraph bounds, years, and the level, qualifier and
metric words before it, found by a few scans and looked up with bisect (figures.py's helper)."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from . import metrics as M

# two patterns with literal prefixes ("20", "19") scan much faster than one alternation
_YEARS = (re.compile(r"20[0-4][0-9](?=年|学年|年度)"), re.compile(r"19[5-9][0-9](?=年|学年|年度)"))
# one literal pattern per sentence end: literal scans beat one character-class scan, and the
# rare ones (! ?) are looked for with a substring test first. Newlines are kept apart: they
# are also the paragraph ends. Semicolons too: they do not end a full sentence.
_NEWLINE, _PERIOD, _SEMICOLON = re.compile("\n"), re.compile("。"), re.compile(";")
_RARE_ENDS = tuple((c, re.compile(re.escape(c))) for c in "!?")


class Context:
    """Whole-text scans done once, so each figure's context is a few bisects, not a rescan."""

    def __init__(self, text: str):
        self.text = text
        newlines = [m.start() for m in _NEWLINE.finditer(text)]
        full = newlines + [m.start() for m in _PERIOD.finditer(text)]
        for c, rx in _RARE_ENDS:
            if c in text:
                full += [m.start() for m in rx.finditer(text)]
        self._full_unsorted = full  # sentence ends that are not ";", for full_sentence_start
        ends = full + [m.start() for m in _SEMICOLON.finditer(text)]
        ends.sort()
        self.sent = [-1, *ends]
        self.levels: list[tuple[int, int, str]] = []
        self.quals: list[tuple[int, str]] = []
        self.metrics: list[tuple[int, int, str]] = []
        self._full: list[int] | None = None
        self._sentence_metrics: dict[int, list[tuple[int, int, str]]] = {}
        self.paras = [-1, *newlines]
        self.years: list[tuple[int, int]] = []
        for m in sorted((m for rx in _YEARS for m in rx.finditer(text)), key=lambda m: m.start()):
            p = m.start()
            if p == 0 or not text[p - 1].isdigit():
                self.years.append((p, int(m.group())))
        self.year_pos = [p for p, _ in self.years]

    def scan_windows(self, starts: list[int]) -> None:
        """Find level, qualifier and metric words only in the stretches before figures.

        A figure looks back at most 60 characters and never past its sentence start, so the
        words elsewhere (most of a report is prose without figures) are never needed; scanning
        just the merged windows roughly halves the cost of these passes.
        """
        text, sent = self.text, self.sent
        levels, quals, metrics = self.levels, self.quals, self.metrics
        words = M.context_words
        # sentence start of each figure, kept for figures.py's loop (same order as ``starts``)
        self.figure_sentences = s0s = [sent[bisect_right(sent, fs - 1) - 1] + 1 for fs in starts]
        span_lo, span_hi = 0, -100  # the span being merged (none yet)
        for fs, lo in zip(starts, s0s, strict=True):
            if fs - 60 > lo:
                lo = fs - 60
            if lo <= span_hi + 40:  # a short gap is cheaper to scan than a new span
                if fs > span_hi:
                    span_hi = fs
            else:
                if span_hi >= 0:
                    words(text, span_lo, span_hi, levels, quals, metrics)
                span_lo, span_hi = lo, fs
        if span_hi >= 0:
            words(text, span_lo, span_hi, levels, quals, metrics)
        self.level_pos = [s for s, _, _ in levels]
        self.metric_pos = [s for s, _, _ in metrics]
        self.qual_pos = [p for p, _ in quals]

    def sentence_start(self, pos: int) -> int:
        return self.sent[bisect_right(self.sent, pos - 1) - 1] + 1

    def full_sentence_start(self, pos: int) -> int:
        # full sentences (not cut at ";"), for metrics stated once before a list by level
        if self._full is None:
            self._full = [-1, *sorted(self._full_unsorted)]
        return self._full[bisect_right(self._full, pos - 1) - 1] + 1

    def para_start(self, pos: int) -> int:
        return self.paras[bisect_right(self.paras, pos - 1) - 1] + 1

    def year_before(self, pos: int, lo: int) -> int | None:
        i = bisect_left(self.year_pos, pos) - 1
        while i >= 0 and self.year_pos[i] >= lo:
            p, y = self.years[i]
            # "比2019年增加" names the base year, not the year of the figure
            if p == 0 or self.text[p - 1] not in "比较于":
                return y
            i -= 1
        return None

    def level_in(self, lo: int, hi: int) -> str | None:
        i = bisect_left(self.level_pos, hi) - 1
        while i >= 0 and self.levels[i][0] >= lo:
            if self.levels[i][1] <= hi:
                return self.levels[i][2]
            i -= 1
        return None

    def metric_before(self, pos: int, hi: int) -> M.Metric | None:
        """The metric named last between the start of ``pos``'s full sentence (at most 120
        characters back) and ``hi``; the sentence's metric words are found once and cached."""
        start = self.full_sentence_start(pos)
        found = self._sentence_metrics.get(start)
        if found is None:
            end = self.text.find("。", start)
            found = [
                (m.start(), m.end(), m.group())
                for m in M.METRIC_RE.finditer(self.text, start, end if end >= 0 else len(self.text))
            ]
            self._sentence_metrics[start] = found
        for s, e, word in reversed(found):
            if e <= hi and s >= pos - 120:
                return M.metric_of(word)
        return None

    def quals_in(self, lo: int, hi: int) -> list[str]:
        i, j = bisect_left(self.qual_pos, lo), bisect_left(self.qual_pos, hi)
        return [q for _, q in self.quals[i:j]]
