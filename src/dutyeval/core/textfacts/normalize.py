"""Normalise report text and keep a map back to the original offsets.

Three steps, chosen so that the map stays trivial and cheap:

1. one-to-one character folding (full-width digits/letters/punctuation to ASCII, odd spaces
   to a plain space, traditional to simplified characters): positions do not move;
2. deletions only: stray spaces inside numbers, dates and Chinese words (``2023- 01- 29``,
   ``18.87亿万 元``, ``配套 15 个``), line breaks that split a figure (``97.3\\n\\n%``) or a
   wrapped sentence, zero-width characters, pinyin glosses after characters (``個(gè)``).

Because step 2 only deletes, the map from normalised to original offsets is piecewise
"add a constant", stored as two short arrays and looked up with ``bisect``: no per-character
array, which matters at hundreds of reports per second.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

# ---- step 1: one-to-one folding ------------------------------------------------------------
_FOLD = {0xFF01 + i: 0x21 + i for i in range(94)}  # ！..～ -> !..~
_FOLD.update({0x3000: 0x20, 0x00A0: 0x20, 0xFE6A: 0x25, 0x2002: 0x20, 0x2003: 0x20, 0x2009: 0x20})
_FOLD.update({0x2236: 0x3A})  # ∶ (ratio colon) -> :
# Chinese quotes, 、 and 。 have no ASCII twin a Chinese reader would accept: left alone.
_FOLD_FIND = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_FOLD)) + "]")


@lru_cache(maxsize=1)
def _t2s_tables() -> tuple[dict[int, int], re.Pattern[str], re.Pattern[str], dict[str, str], list[int]]:
    """OpenCC's t2s dictionaries (TSCharacters, TSPhrases) as fast lookup structures.

    opencc-python-reimplemented's own converter walks every character in Python (about 1.5 ms
    per KB); applying the same two dictionaries with one regex and ``str.translate`` gives the
    same longest-match result (phrases first, then characters) at C speed.
    """
    folder = resources.files("opencc").joinpath("dictionary")
    table: dict[int, int] = {}
    for line in folder.joinpath("TSCharacters.txt").read_text("utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) != 2:
            continue
        src, dst = parts[0], parts[1].split(" ")[0]
        if len(src) == 1 and len(dst) == 1 and src != dst:
            table[ord(src)] = ord(dst)
    phrases: dict[str, str] = {}
    for line in folder.joinpath("TSPhrases.txt").read_text("utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 2:
            dst = parts[1].split(" ")[0]
            if len(dst) == len(parts[0]):  # keep the text length: offsets must not move
                phrases[parts[0]] = dst
    # longest phrase first; grouped by first character (乾(?:隆年間|坤大挪移|…)|…), so that at a
    # character that starts phrases the engine tries only those, not all of them in turn (the
    # order within a group is kept, and phrases of different groups never start alike, so the
    # phrase found at each position is the same as with the plain alternation)
    by_first: dict[str, list[str]] = {}
    for p in sorted(phrases, key=len, reverse=True):
        by_first.setdefault(p[0], []).append(re.escape(p[1:]))
    phrase_re = re.compile("|".join(f"{re.escape(c)}(?:{'|'.join(rest)})" for c, rest in by_first.items()))
    # a sorted class keeps the compiled pattern small and the scan in C
    # BMP only: an astral character in the class turns the compiled bitmap into a slow range list
    detector = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(table) if c < 0x10000) + "]")
    # the same character table as a list indexed by code point: str.translate looks a list up
    # two to three times faster than a dict (no hashing); code points past its end stay as they are
    as_list = list(range(max(table) + 1))
    for c, d in table.items():
        as_list[c] = d
    return table, detector, phrase_re, phrases, as_list


def to_simplified(line: str) -> str:
    """Traditional to simplified, same length, phrase-aware (後 -> 后 but 乾隆 stays 乾隆)."""
    _, _, phrase_re, phrases, table = _t2s_tables()
    out, last = [], 0
    for m in phrase_re.finditer(line):
        # a matched phrase is final (乾隆 stays 乾隆); only the text between goes character-wise
        out.append(line[last : m.start()].translate(table))
        out.append(phrases[m.group()])
        last = m.end()
    out.append(line[last:].translate(table))
    return "".join(out)


def fold(text: str) -> str:
    """Step 1 on its own: same length as ``text``, position for position."""
    return _fold(text)[0]


# Full-width punctuation of every Chinese paragraph: replaced before the scan for the rest, so
# the scan finds a handful of characters instead of one per comma
_COMMON_FOLD = "，（）：；"


def _fold(text: str) -> tuple[str, set[str]]:
    """``fold(text)`` and the characters of _fold_or_trad() that it found (tone marks and
    invisible characters among them, so normalize() knows which of its passes to run)."""
    # str.replace runs once for each distinct full-width character: str.translate would look
    # up every character in a dict, several times slower on Chinese text
    for ch in _COMMON_FOLD:
        text = text.replace(ch, chr(_FOLD[ord(ch)]))
    found = set(_fold_or_trad().findall(text))
    if not found:
        return text, found
    for ch in found & _FOLD_CHARS:
        text = text.replace(ch, chr(_FOLD[ord(ch)]))
    if not found & _trad_chars():
        return text, found
    _, detector, _, _, _ = _t2s_tables()
    # only lines with a traditional character are converted: simplified text stays untouched;
    # the search resumes after each converted line, so its other characters are not visited
    parts, done = [], 0
    m = detector.search(text)
    while m is not None:
        start = text.rfind("\n", 0, m.start()) + 1
        end = text.find("\n", m.start())
        end = len(text) if end < 0 else end
        parts += [text[done:start], to_simplified(text[start:end])]
        done = end
        m = detector.search(text, end)
    parts.append(text[done:])
    return "".join(parts), found


_FOLD_CHARS = frozenset(chr(c) for c in _FOLD)


@lru_cache(maxsize=1)
def _trad_chars() -> frozenset[str]:
    return frozenset(chr(c) for c in _t2s_tables()[0] if c < 0x10000)


@lru_cache(maxsize=1)
def _fold_or_trad() -> re.Pattern[str]:
    # also the rare characters of step 2's optional passes (tone marks, invisible characters)
    chars = sorted({chr(c) for c in _FOLD} | _trad_chars() | set(_TONES) | set(_INVISIBLE_CHARS))
    return re.compile("[" + "".join(re.escape(c) for c in chars) + "]")


# ---- step 2: deletions ---------------------------------------------------------------------
# Space runs (which go is decided in _drop_space; tabs are kept, in .docx text they separate
# table cells) and invisible characters. Written as "a space, then more": a pattern that starts with a literal character is found
# with a fast substring search, ten times faster than a character class or "x+" on this text.
# Zero-width characters are rare and get their own pass only when present.
_SPACE = re.compile("  *")
_INVISIBLE = re.compile("[\u200b-\u200d\ufeff\u00ad]+")
_INVISIBLE_CHARS = ("\u200b", "\u200c", "\u200d", "\ufeff", "\u00ad")
_TONES = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
_TONE_SET = frozenset(_TONES)
_INVISIBLE_SET = frozenset(_INVISIBLE_CHARS)
_GLOSS = re.compile(rf"\((?=[a-zü]*[{_TONES}])[a-z{_TONES}ü]{{1,7}}\)")
_NUM_JOIN_LEFT = "-:./~%("
_NUM_JOIN_RIGHT = "-:./~%)"


def _is_cjk(c: str) -> bool:
    return "\u2e80" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff"


def _drop_space(text: str, s: int, e: int) -> bool:
    """Delete the space run text[s:e]? Yes next to a Chinese character or inside a number/date."""
    left = text[s - 1] if s else "\n"
    right = text[e] if e < len(text) else "\n"
    if _is_cjk(left) or _is_cjk(right):
        return True
    if right.isdigit() and left in _NUM_JOIN_LEFT:
        return True  # "2023- 01", "11: 21"
    return left.isdigit() and right in _NUM_JOIN_RIGHT  # "97.3 %", "29 -"


# a line break (possibly blank lines, indentation) between two non-space characters
# starts with the newline itself (a fast literal scan); breaks after a sentence end never join,
# so the look-behind drops most paragraph ends before any Python runs
_BREAK = re.compile(r"\n(?<=[^。!?;:！？；：\n]\n)(?:[ \t]*\n)*[ \t]*(?=\S)")
_HEADING_START = re.compile(
    r"(?:第[一二三四五六七八九十百\d]+[篇章部节条]|[一二三四五六七八九十]+[、.]|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、](?!\d))"
)
_SENT_END = "。!?;:！？；：」』"
_CONTINUATION = ",.;:、。)）”」』%‰"
_UNIT_START = "%‰元万亿千百所人个名项家套台间册次位倍"


def _join_break(text: str, start: int, end: int) -> bool:
    """Should the line break text[start:end] be removed (a figure or a sentence split by it)?"""
    if start == 0 or end >= len(text):
        return False
    left, right = text[start - 1], text[end]
    if left.isdigit() and (
        right in "%‰." or (right in _UNIT_START and end + 1 < len(text) and not text[end + 1].isdigit())
    ):
        return True  # "97.3\n\n%", "处理12\n\n人。": a figure split from its unit
    if left == "." and right.isdigit() and start >= 2 and text[start - 2].isdigit():
        return True
    if right in _CONTINUATION and left not in "\n":
        return True  # a line cannot start with ",", "、", "%" or a closing bracket: it continues
    line_start = text.rfind("\n", 0, start) + 1
    # a wrapped line of prose: long, with commas in it, not ending a sentence, not a heading,
    # and the next line does not open a new heading (the tests that need no copy come first)
    if start - line_start < 24 or left in _SENT_END:
        return False
    line = text[line_start:start]
    nl = text.find("\n", end)
    if "\t" in line or text.find("\t", end, nl if nl >= 0 else len(text)) >= 0:
        return False  # table rows stay rows
    if not ("," in line or "，" in line or "、" in line):
        return False
    if not ("\u4e00" <= right <= "\u9fff" or right.isdigit() or right in "“《(%"):
        return False
    if _HEADING_START.match(line.lstrip()) and len(line) < 40 and "。" not in line:
        return False
    if _HEADING_START.match(text, end):
        return False
    tail = line[line.rfind("。") + 1 :].lstrip(" \t")
    if tail is not line and len(tail) < 30 and _HEADING_START.match(tail):
        return False  # "…水平。    三、存在问题": a heading run into the paragraph before it
    if right.isdigit():
        return left.isdigit() or left in "、," or "\u4e00" <= left <= "\u9fff"
    return True


@dataclass
class Normalized:
    """Normalised text plus the offset map back to ``original``."""

    text: str
    original: str
    folded: str = field(repr=False)  # original after step 1, same length as original
    _npos: list[int] = field(default_factory=lambda: [0], repr=False)
    _delta: list[int] = field(default_factory=lambda: [0], repr=False)
    # normalised positions where a space between two Chinese characters was removed: a hint
    # that something ended there ("四、优化结构 一是…": heading, then paragraph)
    soft_breaks: frozenset[int] = field(default_factory=frozenset, repr=False)

    def to_original(self, pos: int) -> int:
        """Original offset of the normalised character at ``pos`` (``len(text)`` maps to the end)."""
        if pos >= len(self.text):
            return len(self.original)
        i = bisect_right(self._npos, pos) - 1
        return pos + self._delta[i]

    def span_to_original(self, start: int, end: int) -> tuple[int, int]:
        """Original span covering normalised ``[start, end)``; deleted characters inside stay inside."""
        if end <= start:
            o = self.to_original(start)
            return o, o
        return self.to_original(start), self.to_original(end - 1) + 1

    def from_original(self, pos: int) -> int:
        """Normalised offset of the first kept character at or after original ``pos``."""
        lo, hi = 0, len(self.text)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.to_original(mid) < pos:
                lo = mid + 1
            else:
                hi = mid
        return lo


def normalize(original: str) -> Normalized:
    folded, found = _fold(original)
    n = len(folded)
    # (start, end, soft): soft marks a space between two Chinese characters, worked out here
    # where both neighbours are at hand (a hint that something ended there, see Normalized)
    spans: list[tuple[int, int, bool]] = []
    for m in _SPACE.finditer(folded):
        # _drop_space, inlined (a couple of hundred space runs per report)
        s, e = m.span()
        left = folded[s - 1] if s else "\n"
        right = folded[e] if e < n else "\n"
        if (
            "\u2e80" <= left <= "\u9fff"
            or "\uf900" <= left <= "\ufaff"
            or "\u2e80" <= right <= "\u9fff"
            or "\uf900" <= right <= "\ufaff"
            or (right.isdigit() and left in _NUM_JOIN_LEFT)
            or (left.isdigit() and right in _NUM_JOIN_RIGHT)
        ):
            spans.append((s, e, "\u4e00" <= left <= "\u9fff" and "\u4e00" <= right <= "\u9fff"))
    if not _TONE_SET.isdisjoint(found):
        # pinyin glosses a mirror site put after characters: 義務(wù)教育 -> 義務教育
        spans += [
            (*m.span(), False)
            for m in _GLOSS.finditer(folded)
            if m.start() and _is_cjk(folded[m.start() - 1])
        ]
    if not _INVISIBLE_SET.isdisjoint(found):
        spans += [(*m.span(), False) for m in _INVISIBLE.finditer(folded)]
    for m in _BREAK.finditer(folded):
        s, e = m.span()
        if _join_break(folded, s, e):
            spans.append((s, e, False))  # a line break: never soft
    if not spans:
        return Normalized(folded, original, folded)
    spans.sort()  # (no two spans share a start: they begin with different characters)
    parts: list[str] = []
    npos, delta = [0], [0]
    src = 0  # next original position to copy
    removed = 0
    soft: set[int] = set()
    for s, e, is_soft in spans:
        if e <= src:
            continue
        if s < src:  # overlapping spans (rare): what is left of this one, judged afresh
            s = src
            is_soft = (
                e < n
                and folded[s] == " "
                and "\u4e00" <= folded[s - 1] <= "\u9fff"
                and "\u4e00" <= folded[e] <= "\u9fff"
            )
        parts.append(folded[src:s])
        removed += e - s
        src = e
        npos.append(e - removed)
        delta.append(removed)
        if is_soft:
            soft.add(e - removed)
    parts.append(folded[src:])
    return Normalized("".join(parts), original, folded, npos, delta, frozenset(soft))


def _is_han(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff"
