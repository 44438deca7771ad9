"""The outline of a report: 第N篇 / 一、 / （一） / 1. / （1） / ① headings, as a flat tree.

Levels are not fixed per marker style: reports skip levels and compilations restart numbering,
so the level of a marker style is its depth in the stack of styles currently open (the usual
way word processors rebuild an outline). A heading may be glued to its paragraph
(``1.加强党对教育工作全面领导。区委…``): the title then ends at the first 。. Enumerations
inside a paragraph (``一是…二是…``) are not headings: they carry no 、 or bracket and do not
start a line.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from .numbers import parse_chinese

_CNNUM = "一二三四五六七八九十百零〇"
# tried with .match() at each line start only (a "^" pattern with re.M is tried at every character)
_HEADING = re.compile(
    r"[ \t]*(?:"
    rf"(?P<part>第[{_CNNUM}\d]+[篇章部](?:分)?)"
    rf"|(?P<cn>[{_CNNUM}]+[、.])"
    rf"|(?P<pcn>[(（][{_CNNUM}]+[)）])"
    r"|(?P<num>\d{1,2}[.、](?!\d))"
    r"|(?P<pnum>[(（]\d{1,2}[)）])"
    r"|(?P<circ>[①-⑳])"
    r")"
)
# the same markers right after a newline: one scan finds every line-start heading (a literal
# first character lets the engine jump from newline to newline in C)
_LINE_HEADING = re.compile("\n" + _HEADING.pattern)
# a heading run into the end of the previous paragraph: "…优质均衡水平。    三、存在问题"
# (the spaces are gone after normalisation); taken only when it continues an open numbering
_GLUED = re.compile(rf"。(?=[{_CNNUM}]+、|[(（][{_CNNUM}]+[)）])")
_MARKER_NUM = re.compile(rf"[(（]?([{_CNNUM}]+|\d+)")
MAX_TITLE = 60


@dataclass(frozen=True)
class Section:
    level: int  # 1 = top
    title: str  # the heading as written, marker included: "(一)落实教育优先发展战略"
    start: int  # offset of the heading
    end: int  # end of the section: the next heading of the same or a higher level, or the text end
    style: str = ""  # marker style: part | cn | pcn | num | pnum | circ


_new = object.__new__


@lru_cache(maxsize=256)
def _marker_number(marker: str) -> int | None:
    m = _MARKER_NUM.match(marker)
    if not m:
        return None
    digits = m.group(1)
    value = int(digits) if digits.isdigit() else parse_chinese(digits)
    return int(value) if value is not None else None


def _title(text: str, start: int, body: int, soft_breaks: list[int]) -> str | None:
    """The heading text from ``start``; None when the line is not a heading after all."""
    line_end = text.find("\n", body)
    if line_end < 0:
        line_end = len(text)
    # a space that stood between heading and paragraph ("四、优化结构 一是…") ends the title
    i = bisect_left(soft_breaks, body + 2)
    if i < len(soft_breaks):
        cut = soft_breaks[i]
        if cut < line_end and cut < start + MAX_TITLE and text.find("。", body, cut) < 0:
            line_end = cut
    # (the line is copied for the test only when it starts with a space)
    if line_end <= body or (text[body].isspace() and text[body:line_end].isspace()):
        return None  # a bare marker such as "1." with nothing after it
    # only the first MAX_TITLE characters matter: long lines are never copied whole
    cap = line_end if line_end - start <= MAX_TITLE else start + MAX_TITLE + 1
    stop = text.find("。", body, cap)
    if stop >= 0:
        return text[start:stop].strip()
    if line_end - start <= MAX_TITLE:
        return text[start:line_end].strip().rstrip("。;:")
    # a long numbered paragraph without a short lead sentence: keep its first clause
    head = text[start:cap]
    for sep in (",", ";", ":"):
        i = head.find(sep)
        if 0 < i <= MAX_TITLE:
            return head[:i].strip()
    return head[:MAX_TITLE].strip() + "…"


def outline(text: str, soft_breaks: frozenset[int] = frozenset()) -> list[Section]:
    """Headings of ``text``; ``soft_breaks`` (from normalisation) mark removed spaces between words."""
    breaks = sorted(soft_breaks)
    stack: list[str] = []
    candidates: list[tuple[int, re.Match, bool]] = []  # (position, match, glued to a paragraph end)
    first = _HEADING.match(text)
    if first is not None:
        candidates.append((0, first, False))
    line_candidates = [(m.start() + 1, m, False) for m in _LINE_HEADING.finditer(text)]
    candidates += line_candidates
    any_glued = False
    for g in _GLUED.finditer(text):
        m = _HEADING.match(text, g.end())
        if m is not None:
            candidates.append((g.end(), m, True))
            any_glued = True
    if any_glued:
        candidates.sort(key=lambda c: c[0])
    last_number: dict[str, int] = {}
    sections: list[Section] = []
    # a section ends where the next heading of its level or above starts: the sections still
    # open, as (level, fields), get their end when such a heading comes
    open_: list[tuple[int, dict]] = []
    text_end = len(text)
    for _pos, m, glued in candidates:
        style = m.lastgroup or ""
        if any_glued:  # numbering is only needed to vet headings run into a paragraph
            number = _marker_number(m.group(style))
            if glued and (number is None or last_number.get(style) != number - 1):
                continue
            if number is not None:
                last_number[style] = number
        body = m.end()
        if style == "num" and text.startswith(("年", "月", "日"), body):
            continue
        start = m.start(style)
        title = _title(text, start, body, breaks)
        if title is None:
            continue
        if style in stack:
            del stack[stack.index(style) + 1 :]
        else:
            stack.append(style)
        level = len(stack)
        while open_ and open_[-1][0] >= level:
            open_.pop()[1]["end"] = start
        # Section(level, title, start, end, style) without the frozen dataclass's __init__
        # (one object.__setattr__ per field): the same instance, filled in half the time
        section = _new(Section)
        fields = section.__dict__
        fields.update(level=level, title=title, start=start, end=text_end, style=style)
        open_.append((level, fields))
        sections.append(section)
    return sections
