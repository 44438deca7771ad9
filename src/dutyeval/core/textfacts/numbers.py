"""Numbers as written in Chinese reports: ``1,234.5``, ``三十``, ``百余``, ``两``, magnitudes 万/亿."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import lru_cache

MAGNITUDE = {
    "": Decimal(1),
    "十": Decimal(10),
    "百": Decimal(100),
    "千": Decimal(1000),
    "万": Decimal(10000),
    "十万": Decimal(100000),
    "百万": Decimal(1000000),
    "千万": Decimal(10000000),
    "亿": Decimal(100000000),
    "万亿": Decimal(10) ** 12,
    # 亿万 is the classic typo for 亿 (or 万); it is flagged as an anomaly and read as 亿
    "亿万": Decimal(100000000),
    "万万": Decimal(10000),  # typo, flagged; read as 万 (a doubled character)
}

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS = {"十": 10, "百": 100, "千": 1000}


def parse_arabic(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


@lru_cache(maxsize=4096)
def parse_chinese(text: str) -> Decimal | None:
    """Chinese numeral below 10 000 (larger magnitudes are handled as 万/亿 suffixes).

    ``十二`` = 12, ``二十`` = 20, ``一百零五`` = 105, ``百`` = 100 (as in 百余个), ``三五`` (digit
    by digit) = 35. Falls back to cn2an for anything this small reader does not know.
    """
    if not text:
        return None
    if all(c in _DIGITS for c in text):
        if len(text) == 1:
            return Decimal(_DIGITS[text])
        if text[0] in "零〇":
            return None
        return Decimal("".join(str(_DIGITS[c]) for c in text))
    total, current = 0, None
    for c in text:
        if c in _DIGITS:
            current = _DIGITS[c]
        elif c in _UNITS:
            total += (1 if current is None else current) * _UNITS[c]
            current = None
        else:
            return _cn2an(text)
    if current is not None:
        total += current
    return Decimal(total)


def _cn2an(text: str) -> Decimal | None:
    try:
        import cn2an

        return Decimal(str(cn2an.cn2an(text, "smart")))
    except Exception:  # cn2an raises bare ValueError/KeyError on anything it dislikes
        return None


def parse_number(text: str) -> Decimal | None:
    if not text:
        return None
    if text[0].isdigit():
        return parse_arabic(text)
    return parse_chinese(text)


def to_jsonable(value: Decimal | None) -> int | float | None:
    """JSON number: integers stay integers, decimals become floats from their exact string."""
    if value is None:
        return None
    if value == value.to_integral_value() and abs(value) < 10**15:
        return int(value)
    return float(value)
